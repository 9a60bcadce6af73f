package config

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/viper"
)

// Options says where configuration comes from besides the file and
// environment.
type Options struct {
	// Path is the --config flag; empty means search.
	Path string
	// Overrides maps key paths to values for flags the user set explicitly,
	// e.g. "listen", "log.level", "log.format". They win over the
	// environment, the file and the defaults. Only scalar keys (see Keys)
	// can be overridden.
	Overrides map[string]string
	// Bound, when set, is the address a running proxy already listens
	// on. listen cannot change without a restart, so the configuration is
	// validated with Bound as its listen (a file that drops client_keys
	// while the proxy listens beyond loopback is refused), and the file's
	// own value is kept in Config.ListenAtRestart.
	Bound string
}

// ErrNoConfig is returned by Load when no config file was found and
// NOTION_API_TOKEN is not set. Its message says what to set.
var ErrNoConfig = errors.New("no configuration: set NOTION_API_TOKEN to a Notion token, " +
	"or create ./notion-auth-proxy.yaml, or pass --config PATH")

const (
	// envConfig names the config file when --config is not given.
	envConfig = "NOTION_PROXY_CONFIG"
	// envToken defines the single "default" credential when there is no file.
	envToken = "NOTION_API_TOKEN"
	// envWorkspaceID, with envToken, names the workspace the default
	// credential's token belongs to (as the Notion CLI reads it).
	envWorkspaceID = "NOTION_WORKSPACE_ID"
	// localFile is searched for in the working directory.
	localFile = "notion-auth-proxy.yaml"
)

// Load reads the configuration from, in order of precedence, opts.Overrides,
// NOTION_PROXY_* environment variables, the YAML file and Defaults, then
// validates it.
//
// The file is opts.Path, else $NOTION_PROXY_CONFIG, else
// ./notion-auth-proxy.yaml, else $XDG_CONFIG_HOME/notion-auth-proxy/config.yaml.
// With no file but NOTION_API_TOKEN set, Load returns a zero-config
// Config with one token credential named "default"; with neither it returns
// an error wrapping ErrNoConfig.
//
// A configuration that was read but has problems (unknown keys, values of the
// wrong type, failed validation) gives an *InvalidError listing all of them.
// Load is safe for concurrent use; it reads no global viper state.
func Load(opts Options) (*Config, error) {
	path, err := findFile(opts.Path)
	if err != nil {
		return nil, err
	}
	if path == "" && os.Getenv(envToken) == "" {
		return nil, ErrNoConfig
	}
	v, err := newViper(opts.Overrides)
	if err != nil {
		return nil, err
	}
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("config %s: %w", path, err)
		}
		if err := v.ReadConfig(bytes.NewReader(data)); err != nil {
			return nil, fmt.Errorf("config %s: %w", path, err)
		}
	}
	cfg, problems, err := build(v)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", cmp.Or(path, "from environment"), err)
	}
	if path == "" {
		cfg.Credentials = append(cfg.Credentials, Credential{Name: "default", Type: TypeToken, TokenEnv: envToken})
		if id := strings.TrimSpace(os.Getenv(envWorkspaceID)); id != "" {
			// An alias with the id: X-Notion-Workspace: {id} selects the
			// credential, and check --online verifies the token's workspace.
			cfg.Workspaces = append(cfg.Workspaces, Workspace{Name: "default", ID: id, Credential: "default"})
		}
	}
	cfg.normalize()
	if opts.Bound != "" {
		cfg.ListenAtRestart, cfg.Listen = cfg.Listen, opts.Bound
	}
	problems = append(problems, withoutKeys(cfg.problems(), problems)...)
	for _, p := range problems {
		if path == "" && p.Key == "workspaces[0].id" {
			p.Key = envWorkspaceID // the only workspace of zero-config comes from there
		}
	}
	if len(problems) > 0 {
		annotateSources(problems, opts.Overrides)
		return nil, &InvalidError{Path: path, Problems: problems}
	}
	cfg.Path = path
	return cfg, nil
}

// findFile returns the absolute path of the config file to read, or "" when
// the search found none. A path the user named explicitly must exist.
func findFile(flagPath string) (string, error) {
	explicit := []struct{ path, source string }{
		{flagPath, "--config"},
		{os.Getenv(envConfig), envConfig},
	}
	for _, e := range explicit {
		if e.path == "" {
			continue
		}
		if _, err := os.Stat(e.path); err != nil {
			return "", fmt.Errorf("config file %s (from %s): %w", e.path, e.source, err)
		}
		return filepath.Abs(e.path)
	}
	for _, candidate := range searchPaths() {
		_, err := os.Stat(candidate)
		if err == nil {
			return filepath.Abs(candidate)
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("config file %s: %w", candidate, err)
		}
	}
	return "", nil
}

// searchPaths lists where Load looks for a file nobody named.
func searchPaths() []string {
	paths := []string{localFile}
	dir := os.Getenv("XDG_CONFIG_HOME")
	if dir == "" {
		if home := os.Getenv("HOME"); home != "" {
			dir = filepath.Join(home, ".config")
		}
	}
	if dir != "" {
		paths = append(paths, filepath.Join(dir, "notion-auth-proxy", "config.yaml"))
	}
	return paths
}

// newViper returns a fresh viper with a default and an environment variable
// for every scalar key, and the overrides set on top.
func newViper(overrides map[string]string) (*viper.Viper, error) {
	v := viper.New()
	v.SetConfigType("yaml")
	scalar := make(map[string]bool)
	for _, f := range scalarFields(Defaults()) {
		scalar[f.key] = true
		v.SetDefault(f.key, f.value)
		if err := v.BindEnv(f.key, envName(f.key)); err != nil {
			return nil, fmt.Errorf("bind %s: %w", envName(f.key), err)
		}
	}
	for key, value := range overrides {
		if !scalar[key] {
			return nil, fmt.Errorf("override %q: not a scalar configuration key", key)
		}
		v.Set(key, value)
	}
	return v, nil
}

// build decodes the settings and reports unknown keys and values of the
// wrong type as problems.
func build(v *viper.Viper) (*Config, []*Problem, error) {
	unknown, err := unknownKeys(v)
	if err != nil {
		return nil, nil, err
	}
	cfg, problems := decode(v)
	return cfg, append(unknown, problems...), nil
}

// withoutKeys drops validation problems at or under a key that already has
// a problem, such as "max_body_bytes: must be > 0" after "cannot parse".
func withoutKeys(ps, known []*Problem) []*Problem {
	var out []*Problem
	for _, p := range ps {
		dup := false
		for _, k := range known {
			if k.Key != "" && (p.Key == k.Key || strings.HasPrefix(p.Key, k.Key+".") ||
				strings.HasPrefix(p.Key, k.Key+"[")) {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, p)
		}
	}
	return out
}

// annotateSources tells the user where a bad scalar value came from when it
// was not the file: a flag or an environment variable.
func annotateSources(ps []*Problem, overrides map[string]string) {
	for _, p := range ps {
		if _, ok := overrides[p.Key]; ok {
			p.Msg += " (set by a command-line flag)"
			continue
		}
		if !isScalarKey(p.Key) {
			continue
		}
		if name := envName(p.Key); os.Getenv(name) != "" {
			p.Msg += " (set by " + name + ")"
		}
	}
}

func isScalarKey(key string) bool {
	for _, k := range Keys() {
		if k == key {
			return true
		}
	}
	return false
}
