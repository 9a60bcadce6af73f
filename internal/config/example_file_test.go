package config_test

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/notion-auth-proxy/notion-auth-proxy/internal/config"
)

// examplePath returns the absolute path of config.example.yaml; call it
// before isolate changes the working directory.
func examplePath(t *testing.T) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "..", "config.example.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestExampleLoadsAndShowsDefaults(t *testing.T) {
	path := examplePath(t)
	isolate(t)

	cfg, err := config.Load(config.Options{Path: path})
	if err != nil {
		t.Fatalf("config.example.yaml does not load: %v", err)
	}
	if cfg.Path != path {
		t.Errorf("Path = %q, want %q", cfg.Path, path)
	}

	// Every scalar in the example is its default, except the keys the example
	// sets on purpose to show them in use.
	want := config.Defaults()
	want.DefaultCredential = "wiki"
	got := *cfg
	got.Path = ""
	got.Credentials, got.Workspaces, got.Routes, got.ClientKeys = nil, nil, nil, nil
	got.AllowedHosts, got.AllowedOrigins = nil, nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("example scalars differ from Defaults():\n got %+v\nwant %+v", got, want)
	}
	if len(cfg.Credentials) != 2 || cfg.Credentials[0].Type != config.TypeToken ||
		cfg.Credentials[1].Type != config.TypeOAuth {
		t.Errorf("example should show a token and an oauth credential, got %+v", cfg.Credentials)
	}
}

func TestExampleShowsEveryKey(t *testing.T) {
	raw, err := os.ReadFile(examplePath(t))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	live := make(map[string]bool)
	flatten(doc, "", live)
	for _, key := range config.Keys() {
		if !live[key] {
			t.Errorf("config.example.yaml does not set %q", key)
		}
	}

	// List item fields may be shown live or in a commented-out example
	// (client_keys must stay empty while listen is loopback, and either/or
	// fields cannot both be live).
	commented := commentedKeys(string(raw))
	lists := map[string]reflect.Type{
		"credentials": reflect.TypeFor[config.Credential](),
		"workspaces":  reflect.TypeFor[config.Workspace](),
		"routes":      reflect.TypeFor[config.Route](),
		"client_keys": reflect.TypeFor[config.ClientKey](),
	}
	for list, typ := range lists {
		if _, ok := doc[list]; !ok {
			t.Errorf("config.example.yaml has no %q list", list)
		}
		for i := range typ.NumField() {
			field := strings.Split(typ.Field(i).Tag.Get("mapstructure"), ",")[0]
			if !live[list+"[]."+field] && !commented[field] {
				t.Errorf("config.example.yaml does not show %s[].%s", list, field)
			}
		}
	}
	for _, list := range []string{"allowed_hosts", "allowed_origins"} {
		if _, ok := doc[list]; !ok {
			t.Errorf("config.example.yaml has no %q list", list)
		}
	}
}

// flatten records the key paths of a parsed YAML document; fields of list
// items are recorded as "list[].field".
func flatten(v any, prefix string, out map[string]bool) {
	switch v := v.(type) {
	case map[string]any:
		for k, sub := range v {
			key := k
			if prefix != "" {
				key = prefix + "." + k
			}
			out[key] = true
			flatten(sub, key, out)
		}
	case []any:
		for _, item := range v {
			flatten(item, prefix+"[]", out)
		}
	}
}

// commentedKeys returns the "key:" names that appear in comments.
func commentedKeys(text string) map[string]bool {
	re := regexp.MustCompile(`([a-z_]+):`)
	out := make(map[string]bool)
	for line := range strings.SplitSeq(text, "\n") {
		_, comment, ok := strings.Cut(line, "#")
		if !ok {
			continue
		}
		for _, m := range re.FindAllStringSubmatch(comment, -1) {
			out[m[1]] = true
		}
	}
	return out
}

func TestKeysAreSortedAndComplete(t *testing.T) {
	keys := config.Keys()
	for _, want := range []string{
		"listen", "store.backend", "store.redis.addr", "rate_limit.max_wait",
		"forward_proxy.enabled", "log.level", "default_credential",
	} {
		if !slices.Contains(keys, want) {
			t.Errorf("Keys() lacks %q", want)
		}
	}
	for _, notScalar := range []string{"credentials", "routes", "allowed_hosts", "client_keys", "path"} {
		if slices.Contains(keys, notScalar) {
			t.Errorf("Keys() has %q, which is not a scalar key", notScalar)
		}
	}
	for i := 1; i < len(keys); i++ {
		if keys[i-1] >= keys[i] {
			t.Errorf("Keys() not sorted: %q before %q", keys[i-1], keys[i])
		}
	}
}
