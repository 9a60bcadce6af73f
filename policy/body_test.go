package policy

import (
	"slices"
	"strings"
	"testing"
)

var (
	pagePath     = "/v1/pages/" + idHex
	markdownPath = pagePath + "/markdown"
	blockPath    = "/v1/blocks/" + idHex
	dsPath       = "/v1/data_sources/" + idHex
	dbPath       = "/v1/databases/" + idHex
)

// TestBodyDecidesTheCapability covers every body rule and its near misses.
func TestBodyDecidesTheCapability(t *testing.T) {
	tests := []struct {
		name, method, path, body string
		want                     Capability
		op                       string // checked when set
	}{
		{"page in_trash true trashes", "PATCH", pagePath, `{"in_trash":true}`, Delete, "trash a page"},
		{"page archived true trashes", "PATCH", pagePath, `{"archived": true}`, Delete, "trash a page"},
		{"page is_archived true trashes", "PATCH", pagePath, `{"is_archived":true}`, Delete, "trash a page"},
		{"page in_trash false restores, an update", "PATCH", pagePath, `{"in_trash":false}`, Update, "update a page"},
		{"archived as the string true is not true", "PATCH", pagePath, `{"archived":"true"}`, Update, ""},
		{"in_trash 1 is not true", "PATCH", pagePath, `{"in_trash":1}`, Update, ""},
		{"in_trash inside properties does not count", "PATCH", pagePath, `{"properties":{"in_trash":true,"Done":{"checkbox":true,"in_trash":true}}}`, Update, ""},
		{"names are matched exactly", "PATCH", pagePath, `{"IN_TRASH":true}`, Update, ""},
		{"page property value set to null is an update", "PATCH", pagePath, `{"properties":{"Due":null}}`, Update, ""},
		{"erase_content true on a page deletes", "PATCH", pagePath, `{"erase_content":true}`, Delete, "erase a page's content"},
		{"erase_content false is an update", "PATCH", pagePath, `{"erase_content":false}`, Update, ""},
		{"empty body is an update", "PATCH", pagePath, ``, Update, ""},
		{"block in_trash trashes a block", "PATCH", blockPath, `{"in_trash":true}`, Delete, "trash a block"},
		{"block archived false is an update", "PATCH", blockPath, `{"archived":false,"paragraph":{"rich_text":[]}}`, Update, ""},
		{"append children is an insert", "PATCH", blockPath + "/children", `{"children":[{"paragraph":{"rich_text":[]}}]}`, Insert, "append block children"},
		{"append trashed-looking children is an insert", "PATCH", blockPath + "/children", `{"children":[{"in_trash":true,"archived":true}]}`, Insert, ""},
		{"append with top-level in_trash deletes", "PATCH", blockPath + "/children", `{"children":[],"in_trash":true}`, Delete, ""},
		{"database in_trash trashes a database", "PATCH", dbPath, `{"in_trash":true}`, Delete, "trash a database"},
		{"database property removed (old API)", "PATCH", dbPath, `{"properties":{"Old":null}}`, Delete, "remove a database property"},
		{"data source archived trashes it", "PATCH", dsPath, `{"archived":true}`, Delete, "trash a data source"},
		{"data source property set to null is removed", "PATCH", dsPath, `{"properties":{"Keep":{"name":"Kept"},"Old":null}}`, Delete, "remove a data source property"},
		{"data source property renamed is an update", "PATCH", dsPath, `{"properties":{"Old":{"name":"New"}}}`, Update, "update a data source"},
		{"data source property retyped is an update", "PATCH", dsPath, `{"properties":{"Tags":{"multi_select":{"options":[]}}}}`, Update, ""},
		{"data source properties null is an update", "PATCH", dsPath, `{"properties":null}`, Update, ""},
		{"data source nested null is an update", "PATCH", dsPath, `{"properties":{"Tags":{"select":null}}}`, Update, ""},
		{"markdown insert_content is an insert", "PATCH", markdownPath, `{"type":"insert_content","insert_content":{"content":"hi","position":{"type":"end"}}}`, Insert, "insert content into a page"},
		{"markdown update_content is an update", "PATCH", markdownPath, `{"type":"update_content","update_content":{"content_updates":[{"old_str":"a","new_str":"b"}]}}`, Update, "update a page's content"},
		{"markdown update_content deleting content deletes", "PATCH", markdownPath, `{"type":"update_content","update_content":{"content_updates":[],"allow_deleting_content":true}}`, Delete, ""},
		{"markdown replace_content deletes", "PATCH", markdownPath, `{"type":"replace_content","replace_content":{"new_str":"all new"}}`, Delete, "replace a page's content"},
		{"markdown replace_content_range deletes", "PATCH", markdownPath, `{"type":"replace_content_range","replace_content_range":{"content":"x","content_range":"a...b"}}`, Delete, "replace a range of a page's content"},
		{"markdown erase_content deletes", "PATCH", markdownPath, `{"type":"erase_content","erase_content":{}}`, Delete, "erase a page's content"},
		{"markdown replace field under an insert type deletes", "PATCH", markdownPath, `{"type":"insert_content","insert_content":{"content":"x"},"replace_content":{"new_str":""}}`, Delete, "replace a page's content"},
		{"markdown command unknown deletes", "PATCH", markdownPath, `{"type":"rewrite_everything"}`, Delete, ""},
		{"markdown without a command deletes", "PATCH", markdownPath, `{}`, Delete, ""},
		{"markdown insert with in_trash trashes", "PATCH", markdownPath, `{"type":"insert_content","insert_content":{"content":"x"},"in_trash":true}`, Delete, "trash a page"},
		{"agent batch of updates is an update", "POST", "/v1/agents/batch", `{"operations":[{"action":"update_credit_limit","agent_id":"a","fields":{"credit_limit":null}}]}`, Update, ""},
		{"agent batch with a delete deletes", "POST", "/v1/agents/batch", `{"operations":[{"action":"update_status","agent_id":"a","fields":{"status":"active"}},{"action":"delete","agent_id":"b"}]}`, Delete, "delete agents in a batch"},
		{"agent batch with an unknown action deletes", "POST", "/v1/agents/batch", `{"operations":[{"action":"purge","agent_id":"b"}]}`, Delete, ""},
		{"agent status in_trash trashes", "PATCH", "/v1/agents/a/status", `{"in_trash":true}`, Delete, "update an agent's status, moving it to the trash"},
		{"query with in_trash filter is a read", "POST", dsPath + "/query", `{"in_trash":true}`, Read, "query a data source"},
		{"move is an update", "POST", pagePath + "/move", `{"parent":{"data_source_id":"` + idOther + `"}}`, Update, "move a page"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Classify(tc.method, tc.path, "", []byte(tc.body))
			if err != nil {
				t.Fatalf("Classify = %v", err)
			}
			if c.Need != tc.want || tc.op != "" && c.Op != tc.op {
				t.Errorf("Classify = %v to %q; want %v to %q", c.Need, c.Op, tc.want, tc.op)
			}
		})
	}
}

// TestBodiesThatCannotBeJudgedAreRefused: a body the policy cannot read the
// way Notion does is a denial, never a guess.
func TestBodiesThatCannotBeJudgedAreRefused(t *testing.T) {
	tests := []struct {
		name, method, path, body string
		reason                   Reason
	}{
		{"truncated JSON", "PATCH", pagePath, `{"in_trash":tr`, ReasonInvalidBody},
		{"null", "PATCH", pagePath, `null`, ReasonInvalidBody},
		{"an array", "PATCH", pagePath, `[{"in_trash":true}]`, ReasonInvalidBody},
		{"a string", "PATCH", pagePath, `"in_trash"`, ReasonInvalidBody},
		{"trailing garbage", "PATCH", pagePath, `{} {"in_trash":true}`, ReasonInvalidBody},
		{"duplicate in_trash", "PATCH", pagePath, `{"in_trash":false,"in_trash":true}`, ReasonInvalidBody},
		{"duplicate parent id", "POST", "/v1/pages", `{"parent":{"page_id":"` + idHex + `","page_id":"` + idOther + `"}}`, ReasonInvalidBody},
		{"invalid UTF-8", "PATCH", pagePath, "{\"icon\":\"\xff\"}", ReasonInvalidBody},
		{"parent not an object", "POST", "/v1/pages", `{"parent":"` + idHex + `"}`, ReasonInvalidBody},
		{"properties an array", "PATCH", dsPath, `{"properties":[null]}`, ReasonInvalidBody},
		{"operations an object", "POST", "/v1/agents/batch", `{"operations":{"action":"delete"}}`, ReasonInvalidBody},
		{"parent id a number", "POST", "/v1/pages", `{"parent":{"page_id":42}}`, ReasonInvalidID},
		{"parent id not an id", "POST", "/v1/pages", `{"parent":{"page_id":"my-page"}}`, ReasonInvalidID},
		{"comment discussion not an id", "POST", "/v1/comments", `{"discussion_id":"` + idHex + `0"}`, ReasonInvalidID},
		{"path id not an id", "GET", "/v1/pages/not-a-page", "", ReasonInvalidID},
		{"path id escaped", "GET", "/v1/pages/" + idHex[:30] + "%41B", "", ReasonInvalidID},
		{"literal segment for another method", "GET", "/v1/blocks/meeting_notes", "", ReasonInvalidID},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Classify(tc.method, tc.path, "", []byte(tc.body))
			d := denial(t, err)
			if d.Reason != tc.reason {
				t.Fatalf("reason %q (%v); want %q", d.Reason, d, tc.reason)
			}
			if strings.Contains(d.Error(), idHex) || strings.Contains(d.Error(), "my-page") {
				t.Errorf("denial %q quotes the request", d.Error())
			}
		})
	}
}

// TestRequestsNameTheirObjects checks the refs of paths, bodies and queries.
func TestRequestsNameTheirObjects(t *testing.T) {
	ws := Ref{Type: Workspace, In: InBody, Field: "parent.workspace"}
	tests := []struct {
		name, method, path, query, body string
		want                            []Ref
	}{
		{"page under a page", "POST", "/v1/pages", "", `{"parent":{"type":"page_id","page_id":"` + idHex + `"}}`,
			[]Ref{{Page, idDashed, InBody, "parent.page_id"}}},
		{"page in a data source with a template", "POST", "/v1/pages", "", `{"parent":{"data_source_id":"` + idDashed + `"},"template":{"type":"template_id","template_id":"` + idOther + `"}}`,
			[]Ref{{DataSource, idDashed, InBody, "parent.data_source_id"}, {Page, idOther, InBody, "template.template_id"}}},
		{"page in a database (old API)", "POST", "/v1/pages", "", `{"parent":{"database_id":"` + strings.ToUpper(idDashed) + `"}}`,
			[]Ref{{Database, idDashed, InBody, "parent.database_id"}}},
		{"page at the workspace", "POST", "/v1/pages", "", `{"parent":{"type":"workspace","workspace":true}}`, []Ref{ws}},
		{"page without a parent is at the workspace", "POST", "/v1/pages", "", `{"properties":{}}`,
			[]Ref{{Workspace, "", InBody, "parent"}}},
		{"page with two parent kinds names both", "POST", "/v1/pages", "", `{"parent":{"type":"page_id","page_id":"` + idHex + `","workspace":true}}`,
			[]Ref{{Page, idDashed, InBody, "parent.page_id"}, ws}},
		{"database at the workspace", "POST", "/v1/databases", "", `{"parent":{"type":"workspace","workspace":true}}`, []Ref{ws}},
		{"database workspace false names nothing", "PATCH", dbPath, "", `{"parent":{"workspace":false}}`,
			[]Ref{{Database, idDashed, InPath, "database_id"}}},
		{"data source in a database", "POST", "/v1/data_sources", "", `{"parent":{"database_id":"` + idHex + `"}}`,
			[]Ref{{Database, idDashed, InBody, "parent.database_id"}}},
		{"move names the page and its destination", "POST", pagePath + "/move", "", `{"parent":{"page_id":"` + idOther + `"}}`,
			[]Ref{{Page, idDashed, InPath, "page_id"}, {Page, idOther, InBody, "parent.page_id"}}},
		{"comment on a page", "POST", "/v1/comments", "", `{"parent":{"page_id":"` + idHex + `"},"rich_text":[]}`,
			[]Ref{{Page, idDashed, InBody, "parent.page_id"}}},
		{"comment in a discussion", "POST", "/v1/comments", "", `{"discussion_id":"` + idHex + `","markdown":"x"}`,
			[]Ref{{Discussion, idDashed, InBody, "discussion_id"}}},
		{"append after a block", "PATCH", blockPath + "/children", "", `{"children":[],"position":{"type":"after_block","after_block":{"id":"` + idOther + `"}}}`,
			[]Ref{{Block, idDashed, InPath, "block_id"}, {Block, idOther, InBody, "position.after_block.id"}}},
		{"comments of a block", "GET", "/v1/comments", "block_id=" + idHex + "&page_size=10", "",
			[]Ref{{Block, idDashed, InQuery, "block_id"}}},
		{"comments of a block, escaped key", "GET", "/v1/comments", "%62lock_id=" + idHex, "",
			[]Ref{{Block, idDashed, InQuery, "block_id"}}},
		{"comments of a block, bracket key", "GET", "/v1/comments", "block_id[]=" + idHex + "&block_id=" + idOther, "",
			[]Ref{{Block, idDashed, InQuery, "block_id"}, {Block, idOther, InQuery, "block_id"}}},
		{"comments without a block name nothing", "GET", "/v1/comments", "page_size=10&block_ids=x", "", nil},
		{"views of a data source", "GET", "/v1/views", "data_source_id=" + idHex, "",
			[]Ref{{DataSource, idDashed, InQuery, "data_source_id"}}},
		{"view of a data source", "POST", "/v1/views", "", `{"data_source_id":"` + idHex + `","name":"v"}`,
			[]Ref{{DataSource, idDashed, InBody, "data_source_id"}}},
		{"get a page", "GET", "/v1/pages/" + idDashed, "", "", []Ref{{Page, idDashed, InPath, "page_id"}}},
		{"search names nothing", "POST", "/v1/search", "", `{"query":"` + idHex + `"}`, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Classify(tc.method, tc.path, tc.query, []byte(tc.body))
			if err != nil {
				t.Fatalf("Classify = %v", err)
			}
			if !slices.Equal(c.Refs, tc.want) {
				t.Errorf("Refs = %+v; want %+v", c.Refs, tc.want)
			}
		})
	}
}

func TestQueryIDMustBeAnID(t *testing.T) {
	for _, q := range []string{"block_id=nope", "block_id=%zz", "block_id%5B0%5D=" + idHex + "x"} {
		_, err := Classify("GET", "/v1/comments", q, nil)
		if d := denial(t, err); d.Reason != ReasonInvalidID {
			t.Errorf("query %q: %v; want invalid_id", q, err)
		}
	}
}
