package notiontest_test

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/notion-auth-proxy/notion-auth-proxy/internal/notiontest"
)

// jsDir holds the pinned Notion clients, relative to this package.
const jsDir = "../../compat/js"

// endpoint is one REST endpoint a client knows, path parameters as {name}.
type endpoint struct {
	Name, Method, Path string
	Version            string // the Notion-Version the client sends; empty: version
}

// requireJS returns the path of node, or ends the test when node or the
// installed clients are missing: a failure on CI, which must run this test,
// and a skip elsewhere.
func requireJS(t *testing.T) string {
	t.Helper()
	node, err := exec.LookPath("node")
	problem := ""
	if err != nil {
		problem = "node is not on PATH"
	} else if _, err := os.Stat(filepath.Join(jsDir, "node_modules")); err != nil {
		problem = "compat/js/node_modules is not installed"
	}
	if problem == "" {
		return node
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s; CI must check the fake against the pinned clients (make test runs npm ci)", problem)
	}
	t.Skipf("%s; run `make test`, which installs it with npm ci in compat/js", problem)
	return ""
}

// sdkEndpoints returns every endpoint of the pinned @notionhq/client.
func sdkEndpoints(t *testing.T) []endpoint {
	node := requireJS(t)
	cmd := exec.CommandContext(t.Context(), node, "sdk-endpoints.mjs")
	cmd.Dir = jsDir
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node sdk-endpoints.mjs: %v", err)
	}
	var eps []endpoint
	if err := json.Unmarshal(out, &eps); err != nil || len(eps) == 0 {
		t.Fatalf("sdk-endpoints.mjs printed %d endpoints (%v)", len(eps), err)
	}
	return eps
}

// mcpOperations returns every operation of the MCP server's OpenAPI file,
// with the Notion-Version it sends for each.
func mcpOperations(t *testing.T) []endpoint {
	requireJS(t)
	raw, err := os.ReadFile(filepath.Join(jsDir, "node_modules/@notionhq/notion-mcp-server/scripts/notion-openapi.json"))
	if err != nil {
		t.Fatal(err)
	}
	type param struct {
		Ref    string `json:"$ref"`
		Name   string `json:"name"`
		In     string `json:"in"`
		Schema struct {
			Default any `json:"default"`
		} `json:"schema"`
	}
	var spec struct {
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Parameters map[string]param `json:"parameters"`
		} `json:"components"`
	}
	if err := json.Unmarshal(raw, &spec); err != nil {
		t.Fatal(err)
	}
	var eps []endpoint
	for path, ops := range spec.Paths {
		for method, rawOp := range ops {
			if !slices.Contains([]string{"get", "post", "patch", "put", "delete"}, method) {
				continue
			}
			var op struct {
				OperationID string  `json:"operationId"`
				Parameters  []param `json:"parameters"`
			}
			if err := json.Unmarshal(rawOp, &op); err != nil {
				t.Fatalf("%s %s: %v", method, path, err)
			}
			ep := endpoint{Name: op.OperationID, Method: strings.ToUpper(method), Path: path}
			for _, p := range op.Parameters {
				if p.Ref != "" {
					p = spec.Components.Parameters[strings.TrimPrefix(p.Ref, "#/components/parameters/")]
				}
				if v, ok := p.Schema.Default.(string); ok && p.In == "header" && p.Name == "Notion-Version" {
					ep.Version = v
				}
			}
			eps = append(eps, ep)
		}
	}
	if len(eps) == 0 {
		t.Fatal("the OpenAPI file lists no operations")
	}
	sort.Slice(eps, func(i, j int) bool { return eps[i].Path+eps[i].Method < eps[j].Path+eps[j].Method })
	return eps
}

// TestSDKEndpoints sends every endpoint of the pinned SDK to the fake, with
// ids of objects it holds, and wants a success: an endpoint a new SDK adds
// fails here until the fake answers it.
func TestSDKEndpoints(t *testing.T) { checkEndpoints(t, sdkEndpoints(t)) }

// TestMCPOperations does the same for the operations of the official MCP
// server, with the Notion-Version each declares.
func TestMCPOperations(t *testing.T) { checkEndpoints(t, mcpOperations(t)) }

func checkEndpoints(t *testing.T, eps []endpoint) {
	for _, ep := range eps {
		key := ep.Method + " " + ep.Path
		t.Run(ep.Name+" "+key, func(t *testing.T) {
			s, ids := coverageFake(t)
			fx := fixtures[key]
			if fx.setup != nil {
				fx.setup(t, s, ids)
			}
			resp, body := sendEndpoint(t, s, ep, fx, ids)
			var e struct{ Code string }
			_ = json.Unmarshal(body, &e)
			switch {
			case e.Code == "invalid_request_url":
				t.Fatalf("the fake does not route %s: %s", key, body)
			case resp.StatusCode/100 != 2:
				t.Fatalf("%s answered %d: %s", key, resp.StatusCode, body)
			case resp.Header.Get("x-notion-request-id") == "":
				t.Errorf("%s: no request id", key)
			}
		})
	}
}

// coverageFake returns a fake holding the demo workspace, shared with
// tokenA, and the ids that fill path parameters by name.
func coverageFake(t *testing.T) (*notiontest.Server, map[string]string) {
	s := newFake(t)
	s.AddOAuthClient(clientA)
	d := s.SeedDemo(tokenA)
	other := "0f0e0d0c-0b0a-4998-8776-655443322110" // agents, sessions, views...: any id
	return s, map[string]string{
		"page_id": d.Onboarding, "block_id": d.Paragraph, "database_id": d.Tasks, "data_source_id": d.TasksSource,
		"comment_id": d.Comment, "user_id": d.Person, "property_id": "title", "root": d.Root, "row": d.Rows[0],
		"agent_id": other, "session_id": other, "thread_id": other, "view_id": other, "query_id": other, "vault_id": other,
	}
}

// fixture is what an endpoint needs beyond its path: a body, a query, a
// setup that makes the objects it names.
type fixture struct {
	body, query string
	form        bool // a multipart body with a file
	basic       bool // OAuth client auth instead of the bearer token
	setup       func(t *testing.T, s *notiontest.Server, ids map[string]string)
}

var fixtures = map[string]fixture{
	"POST /v1/pages":                              {body: `{"parent":{"page_id":"{root}"},"properties":{"title":{"title":[{"text":{"content":"New"}}]}}}`},
	"PATCH /v1/pages/{page_id}":                   {body: `{"properties":{"title":[{"text":{"content":"Renamed"}}]}}`},
	"PATCH /v1/pages/{page_id}/markdown":          {body: `{"type":"insert_content","insert_content":{"content":"- one more"}}`},
	"POST /v1/pages/{page_id}/move":               {body: `{"parent":{"page_id":"{root}"}}`},
	"PATCH /v1/blocks/{block_id}":                 {body: `{"paragraph":{"rich_text":[{"text":{"content":"Edited"}}]}}`},
	"PATCH /v1/blocks/{block_id}/children":        {body: `{"children":[{"paragraph":{"rich_text":[{"text":{"content":"Appended"}}]}}]}`},
	"GET /v1/comments":                            {query: "block_id={root}"},
	"POST /v1/comments":                           {body: `{"parent":{"page_id":"{root}"},"rich_text":[{"text":{"content":"Hi"}}]}`},
	"PATCH /v1/comments/{comment_id}":             {body: `{"rich_text":[{"text":{"content":"Edited"}}]}`},
	"POST /v1/data_sources":                       {body: `{"parent":{"database_id":"{database_id}"},"properties":{"Name":{"title":{}}}}`},
	"PATCH /v1/data_sources/{data_source_id}":     {body: `{"properties":{"Due":{"date":{}}}}`},
	"POST /v1/databases":                          {body: `{"parent":{"page_id":"{root}"},"title":[{"text":{"content":"Bugs"}}]}`},
	"PATCH /v1/databases/{database_id}":           {body: `{"title":[{"text":{"content":"Todo"}}]}`},
	"POST /v1/file_uploads":                       {body: `{"filename":"a.txt"}`},
	"GET /v1/file_uploads/{file_upload_id}":       {setup: createUpload(`{"filename":"a.txt"}`, false)},
	"POST /v1/file_uploads/{file_upload_id}/send": {form: true, setup: createUpload(`{"filename":"a.txt"}`, false)},
	"POST /v1/file_uploads/{file_upload_id}/complete": {setup: createUpload(
		`{"mode":"multi_part","number_of_parts":1,"filename":"a.txt"}`, true)},
	"POST /v1/agents/batch":         {body: `{"operations":[]}`},
	"GET /v1/async_tasks/{task_id}": {setup: startTask},
	"POST /v1/oauth/token": {basic: true, setup: func(t *testing.T, s *notiontest.Server, ids map[string]string) {
		ids["body"] = exchangeBody(authorize(t, s, clientA), clientA.RedirectURI)
	}},
	"POST /v1/oauth/introspect": {basic: true, setup: oauthToken},
	"POST /v1/oauth/revoke":     {basic: true, setup: oauthToken},
}

// createUpload returns a setup that creates a file upload and, when send
// is set, sends its one part.
func createUpload(body string, send bool) func(*testing.T, *notiontest.Server, map[string]string) {
	return func(t *testing.T, s *notiontest.Server, ids map[string]string) {
		resp, b := do(t, s, call{method: "POST", path: "/v1/file_uploads", token: tokenA, version: version, body: body})
		var u struct{ ID string }
		if err := json.Unmarshal(b, &u); err != nil || resp.StatusCode != 200 {
			t.Fatalf("create upload: %d %s", resp.StatusCode, b)
		}
		ids["file_upload_id"] = u.ID
		if send {
			form, ct := uploadForm(t, "1")
			resp, b := do(t, s, call{method: "POST", path: "/v1/file_uploads/" + u.ID + "/send", token: tokenA,
				version: version, body: form, header: http.Header{"Content-Type": {ct}}})
			if resp.StatusCode != 200 {
				t.Fatalf("send part: %d %s", resp.StatusCode, b)
			}
		}
	}
}

// uploadForm returns a multipart body with a small file and, when part is
// not empty, its part_number.
func uploadForm(t *testing.T, part string) (string, string) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if part != "" {
		_ = mw.WriteField("part_number", part)
	}
	fw, err := mw.CreateFormFile("file", "a.txt")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fw.Write([]byte("hello, notion"))
	_ = mw.Close()
	return buf.String(), mw.FormDataContentType()
}

func startTask(t *testing.T, s *notiontest.Server, ids map[string]string) {
	resp, b := do(t, s, call{method: "POST", path: "/v1/agents/batch", token: tokenA, version: version, body: `{"operations":[]}`})
	var task struct{ ID string }
	if err := json.Unmarshal(b, &task); err != nil || resp.StatusCode != 200 {
		t.Fatalf("agent batch: %d %s", resp.StatusCode, b)
	}
	ids["task_id"] = task.ID
}

func oauthToken(t *testing.T, s *notiontest.Server, ids map[string]string) {
	b, _ := json.Marshal(map[string]string{"token": login(t, s, clientA).AccessToken})
	ids["body"] = string(b)
}

// sendEndpoint sends ep with fx to s, path parameters filled from ids.
func sendEndpoint(t *testing.T, s *notiontest.Server, ep endpoint, fx fixture, ids map[string]string) (*http.Response, []byte) {
	var pairs []string
	for k, v := range ids {
		pairs = append(pairs, "{"+k+"}", v)
	}
	fill := strings.NewReplacer(pairs...).Replace
	c := call{method: ep.Method, path: fill(ep.Path), token: tokenA, version: ep.Version, body: fill(fx.body),
		header: http.Header{}}
	if c.version == "" {
		c.version = version
	}
	if strings.Contains(ep.Path, "/markdown") {
		c.version = "2026-03-11" // the SDK's default version predates them
	}
	if fx.query != "" {
		c.path += "?" + fill(fx.query)
	}
	if body, ok := ids["body"]; ok {
		c.body = body
	}
	if fx.form {
		form, ct := uploadForm(t, "")
		c.body, c.header = form, http.Header{"Content-Type": {ct}}
	} else if c.body != "" {
		c.header.Set("Content-Type", "application/json")
	}
	if fx.basic {
		c.token = ""
		c.header.Set("Authorization", basic(clientA.ID, clientA.Secret).Get("Authorization"))
	}
	return do(t, s, c)
}
