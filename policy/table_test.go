package policy

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// compatJS is the directory of the pinned Node packages.
var compatJS = filepath.Join("..", "compat", "js")

// needCompat skips t when the Node packages (and node, if needNode) are
// missing, unless CI is "true": there a missing toolchain is a failure.
func needCompat(t *testing.T, needNode bool) {
	t.Helper()
	var missing string
	if _, err := os.Stat(filepath.Join(compatJS, "node_modules", "@notionhq", "client")); err != nil {
		missing = "compat/js/node_modules (run npm ci in compat/js)"
	} else if _, err := exec.LookPath("node"); needNode && err != nil {
		missing = "node"
	}
	if missing == "" {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is missing; CI must have it", missing)
	}
	t.Skipf("%s is missing", missing)
}

type listed struct{ name, method, path string }

// sdkEndpoints runs compat/js/sdk-endpoints.mjs: every endpoint of the
// pinned @notionhq/client.
func sdkEndpoints(t *testing.T) []listed {
	t.Helper()
	needCompat(t, true)
	cmd := exec.CommandContext(t.Context(), "node", "sdk-endpoints.mjs")
	cmd.Dir = compatJS
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("run sdk-endpoints.mjs: %v", err)
	}
	var eps []struct{ Name, Method, Path string }
	if err := json.Unmarshal(out, &eps); err != nil {
		t.Fatalf("decode sdk-endpoints.mjs output: %v", err)
	}
	if len(eps) < 70 {
		t.Fatalf("sdk-endpoints.mjs printed %d endpoints; the pinned SDK has 76", len(eps))
	}
	var l []listed
	for _, e := range eps {
		l = append(l, listed{e.Name, e.Method, e.Path})
	}
	return l
}

// openAPIOperations reads every operation of the MCP server's OpenAPI
// description.
func openAPIOperations(t *testing.T) []listed {
	t.Helper()
	needCompat(t, false)
	file := filepath.Join(compatJS, "node_modules", "@notionhq", "notion-mcp-server", "scripts", "notion-openapi.json")
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("read the OpenAPI description: %v", err)
	}
	var doc struct {
		Paths map[string]map[string]struct {
			OperationID string `json:"operationId"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("decode the OpenAPI description: %v", err)
	}
	var l []listed
	for path, ops := range doc.Paths {
		for method, op := range ops {
			switch method {
			case "get", "post", "patch", "put", "delete":
				l = append(l, listed{op.OperationID, strings.ToUpper(method), path})
			}
		}
	}
	if len(l) < 20 {
		t.Fatalf("the OpenAPI description has %d operations; want the MCP server's full list", len(l))
	}
	return l
}

// TestTableMatchesSDK fails for an endpoint of the SDK or the OpenAPI
// description the table lacks, and for a row neither knows that is not
// marked Legacy.
func TestTableMatchesSDK(t *testing.T) {
	sdk, mcp := sdkEndpoints(t), openAPIOperations(t)
	rows := make(map[string]Endpoint)
	for _, e := range Endpoints() {
		rows[e.Method+" "+e.Path] = e
	}
	known := make(map[string]bool)
	for _, l := range sdk {
		key := l.method + " " + l.path
		known[key] = true
		if _, ok := rows[key]; !ok {
			t.Errorf("SDK endpoint %s (%s) is missing from the table", l.name, key)
		}
	}
	for _, l := range mcp {
		key := l.method + " " + l.path
		known[key] = true
		if _, ok := rows[key]; !ok {
			t.Errorf("OpenAPI operation %s (%s) is missing from the table", l.name, key)
		}
	}
	for key, e := range rows {
		switch {
		case !known[key] && !e.Legacy:
			t.Errorf("row %s (%s) is in neither the SDK nor the OpenAPI description; mark it Legacy if Notion still serves it", e.Name, key)
		case known[key] && e.Legacy:
			t.Errorf("row %s (%s) is marked Legacy but the SDK or the OpenAPI description has it", e.Name, key)
		}
	}
	for _, l := range sdk {
		if e, ok := rows[l.method+" "+l.path]; ok && e.Name != l.name && !sameRequest(l.name, e.Name) {
			t.Errorf("row for %s %s is named %s; the SDK calls it %s", l.method, l.path, e.Name, l.name)
		}
	}
}

// sameRequest reports the SDK names that share one request with a row.
func sameRequest(sdkName, rowName string) bool {
	return sdkName == "updateSessionStream" && rowName == "updateSession"
}

// TestTableIsWellFormed checks what every row must have.
func TestTableIsWellFormed(t *testing.T) {
	seen := make(map[string]bool)
	single := []Capability{0, Read, Insert, Update, Delete, CommentRead, CommentInsert, UserRead, ClientCredentials}
	for _, e := range Endpoints() {
		key := e.Method + " " + e.Path
		if seen[key] {
			t.Errorf("%s appears twice", key)
		}
		seen[key] = true
		if !slices.Contains(single, e.Need) {
			t.Errorf("%s needs %v; want one capability", key, e.Need)
		}
		if e.Name == "" || e.Op == "" {
			t.Errorf("%s lacks a name or an operation phrase", key)
		}
		if e.Method == "PATCH" && e.Rules&RuleTrash == 0 {
			t.Errorf("%s is a PATCH without RuleTrash: in_trash:true would pass as %v", key, e.Need)
		}
		if _, err := compileRoute(&e); err != nil {
			t.Error(err)
		}
	}
}
