package notiontest_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/notion-auth-proxy/notion-auth-proxy/internal/notiontest"
)

const markdownVersion = "2026-03-11"

func TestMarkdown(t *testing.T) {
	s, d := demoFake(t)
	path := "/v1/pages/" + d.Root + "/markdown"
	resp, body := do(t, s, call{path: path, token: tokenA, version: version})
	wantError(t, resp, body, 400, "validation_error", "") // needs 2026-03-11

	md := object(t, s, call{path: path, version: markdownVersion}, 200)
	text := md["markdown"].(string)
	for _, want := range []string{"# Welcome to Acme\n", "- [ ] Share more pages", "<page url=\"https://www.notion.so/" + compact(d.Onboarding) + "\">Onboarding</page>",
		"<database url=\"https://www.notion.so/" + compact(d.Tasks) + "\">Tasks</database>"} {
		if !strings.Contains(text, want) {
			t.Errorf("markdown lacks %q:\n%s", want, text)
		}
	}
	edit := func(body string, status int) map[string]any {
		t.Helper()
		return object(t, s, call{method: "PATCH", path: path, version: markdownVersion, body: body}, status)
	}
	got := edit(`{"type":"insert_content","insert_content":{"content":"## Added\n- point"}}`, 200)["markdown"].(string)
	if !strings.HasSuffix(got, "## Added\n- point") {
		t.Errorf("after insert_content:\n%s", got)
	}
	got = edit(`{"type":"update_content","update_content":{"content_updates":[{"old_str":"Acme","new_str":"Initech","replace_all_matches":true}]}}`, 200)["markdown"].(string)
	if strings.Contains(got, "Acme") || !strings.Contains(got, "# Welcome to Initech") {
		t.Errorf("after update_content:\n%s", got)
	}
	edit(`{"type":"update_content","update_content":{"content_updates":[{"old_str":"nowhere","new_str":"x"}]}}`, 400)
	// Replacing everything would drop the child page and database.
	edit(`{"type":"replace_content","replace_content":{"new_str":"Just this."}}`, 400)
	got = edit(`{"type":"replace_content","replace_content":{"new_str":"Just this.","allow_deleting_content":true}}`, 200)["markdown"].(string)
	if got != "Just this." {
		t.Errorf("after replace_content: %q", got)
	}
	if o := object(t, s, call{path: "/v1/pages/" + d.Onboarding}, 200); o["in_trash"] != true {
		t.Errorf("child page dropped by replace_content is not in the trash: %v", o["in_trash"])
	}
	kids := object(t, s, call{path: "/v1/blocks/" + d.Root + "/children"}, 200)["results"].([]any)
	if len(kids) != 1 || kids[0].(map[string]any)["type"] != "paragraph" {
		t.Errorf("children after replace_content: %v", kids)
	}
}

func TestAppendChildren(t *testing.T) {
	s, d := demoFake(t)
	path := "/v1/blocks/" + d.Root + "/children"
	added := object(t, s, call{method: "PATCH", path: path, body: `{"children":[
		{"object":"block","type":"toggle","toggle":{"rich_text":[{"text":{"content":"More"}}],
			"children":[{"paragraph":{"rich_text":[{"text":{"content":"Hidden"}}]}}]}}],
		"position":{"type":"after_block","after_block":{"id":"` + d.Heading + `"}}}`}, 200)
	results := added["results"].([]any)
	toggle := results[0].(map[string]any)
	rt := toggle["toggle"].(map[string]any)["rich_text"].([]any)[0].(map[string]any)
	if len(results) != 1 || toggle["has_children"] != true || rt["plain_text"] != "More" ||
		fmt.Sprint(toggle["parent"]) != fmt.Sprint(map[string]any{"type": "page_id", "page_id": d.Root}) {
		t.Fatalf("appended: %v", added)
	}
	order := ids(object(t, s, call{path: path}, 200))
	if len(order) < 2 || order[0] != d.Heading || order[1] != toggle["id"] {
		t.Errorf("children order %v, want the toggle right after the heading", order)
	}
	nested := object(t, s, call{path: "/v1/blocks/" + toggle["id"].(string) + "/children"}, 200)["results"].([]any)
	if len(nested) != 1 || nested[0].(map[string]any)["parent"].(map[string]any)["block_id"] != toggle["id"] {
		t.Errorf("nested children: %v", nested)
	}
	for _, body := range []string{
		`{"children":[{"child_page":{"title":"x"}}]}`,
		`{"children":[{}]}`,
		`{"children":[{"paragraph":{}}],"after":"` + d.Private + `"}`,
		`{"children":[{"toggle":{"rich_text":[],"children":[{"toggle":{"rich_text":[],"children":[{"paragraph":{}}]}}]}}]}`,
	} {
		resp, b := do(t, s, call{method: "PATCH", path: path, token: tokenA, version: version, body: body})
		wantError(t, resp, b, 400, "validation_error", "")
	}
	resp, b := do(t, s, call{method: "PATCH", path: "/v1/blocks/" + d.ToDo, token: tokenA, version: version,
		body: `{"paragraph":{"rich_text":[]}}`})
	wantError(t, resp, b, 400, "validation_error", "") // a to_do is not a paragraph
	checked := object(t, s, call{method: "PATCH", path: "/v1/blocks/" + d.ToDo, body: `{"to_do":{"checked":true}}`}, 200)
	if checked["to_do"].(map[string]any)["checked"] != true {
		t.Errorf("updated to_do: %v", checked)
	}
}

func TestDataSourcesAndRows(t *testing.T) {
	s, d := demoFake(t)
	ds := object(t, s, call{method: "PATCH", path: "/v1/data_sources/" + d.TasksSource,
		body: `{"properties":{"Done":{"name":"Finished"},"Due":{"date":{}},"Name":{"name":"Task"}}}`}, 200)
	props := ds["properties"].(map[string]any)
	if props["Finished"] == nil || props["Due"] == nil || props["Task"].(map[string]any)["id"] != "title" || props["Done"] != nil {
		t.Fatalf("schema after update: %v", props)
	}
	row := object(t, s, call{method: "POST", path: "/v1/pages", body: `{"parent":{"database_id":"` + d.Tasks + `"},
		"properties":{"Task":{"title":[{"text":{"content":"Review"}}]},"Finished":{"checkbox":true}}}`}, 200)
	if fmt.Sprint(row["properties"].(map[string]any)["Due"]) != fmt.Sprint(map[string]any{"date": nil, "id": props["Due"].(map[string]any)["id"], "type": "date"}) {
		t.Errorf("unset property of a new row: %v", row["properties"])
	}
	resp, body := do(t, s, call{method: "POST", path: "/v1/pages", token: tokenA, version: version,
		body: `{"parent":{"data_source_id":"` + d.TasksSource + `"},"properties":{"Nope":{"checkbox":true}}}`})
	wantError(t, resp, body, 400, "validation_error", "Nope is not a property that exists.")

	rows := object(t, s, call{method: "POST", path: "/v1/data_sources/" + d.TasksSource + "/query", body: `{"page_size":3}`}, 200)
	if got := ids(rows); len(got) != 3 || rows["has_more"] != true || !slices.Contains(got, d.Rows[0]) {
		t.Errorf("first page of rows: %v", rows)
	}
	item := object(t, s, call{path: "/v1/pages/" + row["id"].(string) + "/properties/title"}, 200)
	first := item["results"].([]any)[0].(map[string]any)
	if item["object"] != "list" || item["type"] != "property_item" || first["title"].(map[string]any)["plain_text"] != "Review" {
		t.Errorf("title property item: %v", item)
	}
	box := object(t, s, call{path: "/v1/pages/" + row["id"].(string) + "/properties/Finished"}, 200)
	if box["object"] != "property_item" || box["checkbox"] != true {
		t.Errorf("checkbox property item: %v", box)
	}
	second := object(t, s, call{method: "POST", path: "/v1/data_sources", body: `{"parent":{"database_id":"` + d.Tasks + `"},
		"title":[{"text":{"content":"Archive"}}],"properties":{"Name":{"title":{}}}}`}, 200)
	if n := len(object(t, s, call{path: "/v1/databases/" + d.Tasks}, 200)["data_sources"].([]any)); n != 2 {
		t.Errorf("database lists %d data sources, want 2", n)
	}
	// With two data sources a database no longer names a row's parent.
	resp, body = do(t, s, call{method: "POST", path: "/v1/pages", token: tokenA, version: version,
		body: `{"parent":{"database_id":"` + d.Tasks + `"}}`})
	wantError(t, resp, body, 400, "validation_error", "")
	if second["database_parent"].(map[string]any)["page_id"] != d.Root {
		t.Errorf("new data source: %v", second)
	}
}

func TestComments(t *testing.T) {
	s, d := demoFake(t)
	reply := object(t, s, call{method: "POST", path: "/v1/comments",
		body: `{"discussion_id":"` + d.Discussion + `","rich_text":[{"text":{"content":"Thanks!"}}]}`}, 200)
	onBlock := object(t, s, call{method: "POST", path: "/v1/comments",
		body: `{"parent":{"block_id":"` + d.ToDo + `"},"markdown":"On it"}`}, 200)
	if reply["discussion_id"] != d.Discussion || onBlock["parent"].(map[string]any)["block_id"] != d.ToDo ||
		reply["display_name"].(map[string]any)["resolved_name"] != botA.Name {
		t.Errorf("reply %v, block comment %v", reply, onBlock)
	}
	if got := ids(object(t, s, call{path: "/v1/comments?block_id=" + d.Root}, 200)); !slices.Equal(got, []string{d.Comment, reply["id"].(string)}) {
		t.Errorf("comments on the root page: %v", got)
	}
	for _, c := range []call{
		{method: "POST", path: "/v1/comments", body: `{"parent":{"page_id":"` + d.Private + `"},"rich_text":[]}`},
		{path: "/v1/comments?block_id=" + d.Private},
		{path: "/v1/comments/" + d.Comment, token: tokenB},
	} {
		c.version = version
		if c.token == "" {
			c.token = tokenA
		}
		resp, body := do(t, s, c)
		wantError(t, resp, body, 404, "object_not_found", "")
	}
	object(t, s, call{method: "DELETE", path: "/v1/comments/" + onBlock["id"].(string)}, 200)
	if got := ids(object(t, s, call{path: "/v1/comments?block_id=" + d.ToDo}, 200)); len(got) != 0 {
		t.Errorf("deleted comment still listed: %v", got)
	}
}

func TestUsers(t *testing.T) {
	s, d := demoFake(t)
	users := object(t, s, call{path: "/v1/users"}, 200)
	var kinds []string
	for _, u := range users["results"].([]any) {
		m := u.(map[string]any)
		kinds = append(kinds, m["type"].(string)+" "+m["id"].(string))
	}
	want := []string{"person " + notiontest.OwnerID, "person " + d.Person, "bot " + botA.ID}
	if !slices.Equal(kinds, want) {
		t.Errorf("users %v, want %v", kinds, want)
	}
	if u := object(t, s, call{path: "/v1/users/" + compact(d.Person)}, 200); u["name"] != "Grace Hopper" {
		t.Errorf("person: %v", u)
	}
	if u := object(t, s, call{path: "/v1/users/" + botA.ID}, 200); u["type"] != "bot" {
		t.Errorf("bot: %v", u)
	}
	resp, body := do(t, s, call{path: "/v1/users/" + d.Root, token: tokenA, version: version})
	wantError(t, resp, body, 404, "object_not_found", "")
}

func TestCreatePageContent(t *testing.T) {
	s, d := demoFake(t)
	for name, body := range map[string]string{
		"children": `"children":[{"heading_2":{"rich_text":[{"text":{"content":"Plan"}}]}},{"paragraph":{"rich_text":[{"text":{"content":"Go"}}]}}]`,
		"markdown": `"markdown":"## Plan\nGo"`,
	} {
		t.Run(name, func(t *testing.T) {
			page := object(t, s, call{method: "POST", path: "/v1/pages", body: `{"parent":{"page_id":"` + d.Handbook + `"},
				"properties":{"title":[{"text":{"content":"` + name + `"}}]},` + body + `}`}, 200)
			md := object(t, s, call{path: "/v1/pages/" + page["id"].(string) + "/markdown", version: markdownVersion}, 200)
			if md["markdown"] != "## Plan\nGo" {
				t.Errorf("content of the new page: %q", md["markdown"])
			}
			kids := ids(object(t, s, call{path: "/v1/blocks/" + d.Handbook + "/children"}, 200))
			if !slices.Contains(kids, page["id"].(string)) {
				t.Errorf("new page is not a child_page block of its parent: %v", kids)
			}
		})
	}
	top := object(t, s, call{method: "POST", path: "/v1/pages", token: tokenB, body: `{"parent":{"workspace":true}}`}, 200)
	if resp, _ := do(t, s, call{path: "/v1/pages/" + top["id"].(string), token: tokenA, version: version}); resp.StatusCode != 404 {
		t.Errorf("a page tokenB made at the top is visible to tokenA: %d", resp.StatusCode)
	}
}
