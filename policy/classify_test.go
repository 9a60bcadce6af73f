package policy

import (
	"errors"
	"strings"
	"testing"
)

// Ids as clients send them: undashed and dashed, and the dashed
// lower-case form the policy reports.
const (
	idHex    = "1F2E3D4C5B6A47988A7B6C5D4E3F2A1B"
	idDashed = "1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b"
	idOther  = "0a0b0c0d-1e1f-4a4b-8c8d-9e9f0a0b0c0d"
)

// rowCase is one request per row of the table, with what it must need.
type rowCase struct {
	name, method, path string
	body               string
	want               Capability
	ref                ObjectType // type of the path's object id, if any
}

// rowCases hold the expected capabilities apart from the table, so a row
// that changes its capability fails here.
var rowCases = []rowCase{
	{"listAgents", "GET", "/v1/agents", "", Read, 0},
	{"agentBatch", "POST", "/v1/agents/batch", `{"operations":[{"action":"update_status","agent_id":"notion_ai","fields":{"status":"disabled"}}]}`, Update, 0},
	{"queryAgents", "POST", "/v1/agents/query", "", Read, 0},
	{"getAgent", "GET", "/v1/agents/notion_ai", "", Read, 0},
	{"deleteAgent", "DELETE", "/v1/agents/" + idDashed, "", Delete, 0},
	{"chatWithAgent", "POST", "/v1/agents/notion_ai/chat", "", Insert, 0},
	{"updateAgentCreditLimit", "PATCH", "/v1/agents/a1/credit_limit", `{"credit_limit":5}`, Update, 0},
	{"getInsights", "GET", "/v1/agents/a1/insights", "", Read, 0},
	{"updateAgentStatus", "PATCH", "/v1/agents/a1/status", `{"status":"active"}`, Update, 0},
	{"listThreads", "GET", "/v1/agents/a1/threads", "", Read, 0},
	{"queryThreads", "POST", "/v1/agents/a1/threads/query", "", Read, 0},
	{"getAsyncTask", "GET", "/v1/async_tasks/t1", "", Read, 0},
	{"getBlock", "GET", "/v1/blocks/" + idHex, "", Read, Block},
	{"updateBlock", "PATCH", "/v1/blocks/" + idHex, `{"paragraph":{"rich_text":[]}}`, Update, Block},
	{"deleteBlock", "DELETE", "/v1/blocks/" + idHex, "", Delete, Block},
	{"listBlockChildren", "GET", "/v1/blocks/" + idHex + "/children", "", Read, Block},
	{"appendBlockChildren", "PATCH", "/v1/blocks/" + idHex + "/children", `{"children":[]}`, Insert, Block},
	{"createMeetingNote", "POST", "/v1/blocks/meeting_notes", `{"source":{"type":"block","block_id":"` + idHex + `"}}`, Insert, 0},
	{"queryMeetingNotes", "POST", "/v1/blocks/meeting_notes/query", "", Read, 0},
	{"listComments", "GET", "/v1/comments", "", CommentRead, 0},
	{"createComment", "POST", "/v1/comments", `{"discussion_id":"` + idHex + `","markdown":"hi"}`, CommentInsert, 0},
	{"getComment", "GET", "/v1/comments/" + idHex, "", CommentRead, Comment},
	{"updateComment", "PATCH", "/v1/comments/" + idHex, `{"markdown":"edited"}`, CommentInsert, Comment},
	{"deleteComment", "DELETE", "/v1/comments/" + idHex, "", Delete, Comment},
	{"listCustomEmojis", "GET", "/v1/custom_emojis", "", Read, 0},
	{"createDataSource", "POST", "/v1/data_sources", `{"parent":{"database_id":"` + idHex + `"},"properties":{}}`, Insert, 0},
	{"getDataSource", "GET", "/v1/data_sources/" + idHex, "", Read, DataSource},
	{"updateDataSource", "PATCH", "/v1/data_sources/" + idHex, `{"title":[]}`, Update, DataSource},
	{"queryDataSource", "POST", "/v1/data_sources/" + idHex + "/query", "", Read, DataSource},
	{"listDataSourceTemplates", "GET", "/v1/data_sources/" + idHex + "/templates", "", Read, DataSource},
	{"createDatabase", "POST", "/v1/databases", `{"parent":{"type":"page_id","page_id":"` + idHex + `"}}`, Insert, 0},
	{"getDatabase", "GET", "/v1/databases/" + idHex, "", Read, Database},
	{"updateDatabase", "PATCH", "/v1/databases/" + idHex, `{"is_inline":true}`, Update, Database},
	{"queryDatabase", "POST", "/v1/databases/" + idHex + "/query", "", Read, Database},
	{"startExternalAgentStubSession", "POST", "/v1/external_agent_stub/a1/sessions", "", Insert, 0},
	{"listExternalAgentStubSessionEvents", "GET", "/v1/external_agent_stub/a1/sessions/s1/events", "", Read, 0},
	{"sendExternalAgentStubSessionMessage", "POST", "/v1/external_agent_stub/a1/sessions/s1/messages", "", Insert, 0},
	{"createExternalAgentStubVault", "POST", "/v1/external_agent_stub/a1/vaults", "", Insert, 0},
	{"deleteExternalAgentStubVault", "DELETE", "/v1/external_agent_stub/a1/vaults/v1", "", Delete, 0},
	{"updateExternalAgentStubVault", "PATCH", "/v1/external_agent_stub/a1/vaults/v1", `{"expected_version":1}`, Update, 0},
	{"listFileUploads", "GET", "/v1/file_uploads", "", Read, 0},
	{"createFileUpload", "POST", "/v1/file_uploads", "", Insert, 0},
	{"getFileUpload", "GET", "/v1/file_uploads/" + idHex, "", Read, FileUpload},
	{"completeFileUpload", "POST", "/v1/file_uploads/" + idHex + "/complete", "", Insert, FileUpload},
	{"sendFileUpload", "POST", "/v1/file_uploads/" + idHex + "/send", "", Insert, FileUpload},
	{"oauthIntrospect", "POST", "/v1/oauth/introspect", "", ClientCredentials, 0},
	{"oauthRevoke", "POST", "/v1/oauth/revoke", "", ClientCredentials, 0},
	{"oauthToken", "POST", "/v1/oauth/token", "", ClientCredentials, 0},
	{"createPage", "POST", "/v1/pages", `{"parent":{"page_id":"` + idHex + `"}}`, Insert, 0},
	{"getPage", "GET", "/v1/pages/" + idHex, "", Read, Page},
	{"updatePage", "PATCH", "/v1/pages/" + idHex, `{"icon":null}`, Update, Page},
	{"getPageMarkdown", "GET", "/v1/pages/" + idHex + "/markdown", "", Read, Page},
	{"updatePageMarkdown", "PATCH", "/v1/pages/" + idHex + "/markdown", `{"type":"update_content","update_content":{"content_updates":[]}}`, Update, Page},
	{"movePage", "POST", "/v1/pages/" + idHex + "/move", `{"parent":{"page_id":"` + idOther + `"}}`, Update, Page},
	{"getPageProperty", "GET", "/v1/pages/" + idHex + "/properties/%3AT%3Bd", "", Read, Page},
	{"search", "POST", "/v1/search", "", Read, 0},
	{"updateSession", "POST", "/v1/sessions", "", Insert, 0},
	{"querySessions", "POST", "/v1/sessions/query", "", Read, 0},
	{"retrieveSession", "GET", "/v1/sessions/s1", "", Read, 0},
	{"cancelSession", "POST", "/v1/sessions/s1/cancel", "", Update, 0},
	{"querySessionEvents", "POST", "/v1/sessions/s1/events/query", "", Read, 0},
	{"continueThread", "POST", "/v1/threads/t1/continue", "", Update, 0},
	{"listThreadMessages", "GET", "/v1/threads/t1/messages", "", Read, 0},
	{"sendThreadMessage", "POST", "/v1/threads/t1/messages", "", Insert, 0},
	{"queryThreadMessages", "POST", "/v1/threads/t1/messages/query", "", Read, 0},
	{"listUsers", "GET", "/v1/users", "", UserRead, 0},
	{"getSelf", "GET", "/v1/users/me", "", 0, 0},
	{"getUser", "GET", "/v1/users/" + idHex, "", UserRead, User},
	{"listDatabaseViews", "GET", "/v1/views", "", Read, 0},
	{"createView", "POST", "/v1/views", `{"data_source_id":"` + idHex + `","name":"v","type":"table"}`, Insert, 0},
	{"getView", "GET", "/v1/views/" + idHex, "", Read, View},
	{"updateView", "PATCH", "/v1/views/" + idHex, `{"name":"v"}`, Update, View},
	{"deleteView", "DELETE", "/v1/views/" + idHex, "", Delete, View},
	{"createViewQuery", "POST", "/v1/views/" + idHex + "/queries", `{"page_size":10}`, Read, View},
	{"getViewQueryResults", "GET", "/v1/views/" + idHex + "/queries/q1", "", Read, View},
	{"deleteViewQuery", "DELETE", "/v1/views/" + idHex + "/queries/q1", "", Read, View},
}

// TestEveryRowNeedsItsCapability sends one request per row and checks the
// capability, the path's object, and that a key is refused without the
// capability and let through with only it.
func TestEveryRowNeedsItsCapability(t *testing.T) {
	covered := make(map[string]bool)
	for _, tc := range rowCases {
		covered[tc.name] = true
		t.Run(tc.name, func(t *testing.T) {
			c, err := Classify(tc.method, tc.path, "", []byte(tc.body))
			if err != nil {
				t.Fatalf("Classify(%s %s) = %v", tc.method, tc.path, err)
			}
			if c.Endpoint.Name != tc.name || c.Need != tc.want {
				t.Fatalf("Classify(%s %s) = %s needing %v; want %s needing %v", tc.method, tc.path, c.Endpoint.Name, c.Need, tc.name, tc.want)
			}
			if tc.ref != 0 {
				want := Ref{Type: tc.ref, ID: idDashed, In: InPath}
				if len(c.Refs) == 0 || c.Refs[0].Type != want.Type || c.Refs[0].ID != want.ID || c.Refs[0].In != InPath {
					t.Errorf("Refs = %+v; want first %+v", c.Refs, want)
				}
			}
			checkGrant(t, c, tc.want)
		})
	}
	for _, e := range Endpoints() {
		if !covered[e.Name] {
			t.Errorf("row %s (%s %s) has no case in rowCases", e.Name, e.Method, e.Path)
		}
	}
}

// checkGrant checks Policy.Check for a request needing want.
func checkGrant(t *testing.T, c Classification, want Capability) {
	t.Helper()
	switch want {
	case 0:
		if err := (Policy{}).Check(c); err != nil {
			t.Errorf("a key with no capability: %v; want allowed", err)
		}
	case ClientCredentials:
		d := denial(t, Policy{Allow: All}.Check(c))
		if d.Reason != ReasonClientCredentials {
			t.Errorf("a key with every capability: reason %q; want %q", d.Reason, ReasonClientCredentials)
		}
	default:
		if err := (Policy{Allow: SetOf(want)}).Check(c); err != nil {
			t.Errorf("a key with only %v: %v; want allowed", want, err)
		}
		d := denial(t, Policy{Allow: All &^ Set(want)}.Check(c))
		if d.Reason != ReasonCapabilityDenied || d.Need != want {
			t.Errorf("a key with all but %v: %+v; want capability_denied for %v", want, d, want)
		}
		if msg := d.Error(); !strings.Contains(msg, want.String()) || !strings.Contains(msg, c.Op) {
			t.Errorf("denial %q does not name the capability %v and the operation %q", msg, want, c.Op)
		}
	}
}

func denial(t *testing.T, err error) *Denial {
	t.Helper()
	var d *Denial
	if !errors.As(err, &d) {
		t.Fatalf("err = %v; want a *Denial", err)
	}
	return d
}
