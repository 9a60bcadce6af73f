package notiontest_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/notion-auth-proxy/notion-auth-proxy/internal/notiontest"
)

// queryFixture is a data source of three rows with one property of each
// type the fake filters on.
type queryFixture struct {
	s      *notiontest.Server
	source string
	titles map[string]string // undashed row id to title
	ids    map[string]string // title to row id
}

func (f queryFixture) title(id string) string { return f.titles[strings.ReplaceAll(id, "-", "")] }

func newQueryFixture(t *testing.T) queryFixture {
	s, d := demoFake(t)
	db := s.Add(notiontest.Object{Type: "database", Parent: d.Root, Title: "Roadmap"})
	source := s.Add(notiontest.Object{Type: "data_source", Parent: db, Title: "Roadmap", Properties: map[string]any{
		"Done":   map[string]any{"checkbox": map[string]any{}},
		"Points": map[string]any{"number": map[string]any{}},
		"Stage": map[string]any{"select": map[string]any{"options": []any{
			map[string]any{"name": "Todo"}, map[string]any{"name": "Doing"}, map[string]any{"name": "Done"}}}},
		"Tags":  map[string]any{"multi_select": map[string]any{}},
		"Due":   map[string]any{"date": map[string]any{}},
		"Notes": map[string]any{"rich_text": map[string]any{}},
		"Link":  map[string]any{"url": map[string]any{}},
	}})
	text := func(s string) map[string]any {
		return map[string]any{"rich_text": []any{map[string]any{"text": map[string]any{"content": s}}}}
	}
	f := queryFixture{s: s, source: source, titles: map[string]string{}, ids: map[string]string{}}
	for _, row := range []struct {
		title string
		props map[string]any
	}{
		{"Write the README", map[string]any{
			"Done": map[string]any{"checkbox": true}, "Points": map[string]any{"number": 3},
			"Stage": map[string]any{"select": map[string]any{"name": "Done"}},
			"Tags":  map[string]any{"multi_select": []any{map[string]any{"name": "docs"}}},
			"Due":   map[string]any{"date": map[string]any{"start": "2026-11-01"}},
			"Notes": text("First draft"), "Link": map[string]any{"url": "https://example.com/readme"},
		}},
		{"Ship v1", map[string]any{
			"Points": map[string]any{"number": 8},
			"Stage":  map[string]any{"select": map[string]any{"name": "Doing"}},
			"Tags":   map[string]any{"multi_select": []any{map[string]any{"name": "release"}, map[string]any{"name": "docs"}}},
			"Due":    map[string]any{"date": map[string]any{"start": "2026-12-15T10:00:00.000Z"}},
		}},
		{"Rotate tokens", map[string]any{
			"Stage": map[string]any{"select": map[string]any{"name": "Todo"}},
			"Notes": text("Quarterly, with the ops team"),
		}},
	} {
		id := s.Add(notiontest.Object{Type: "page", Parent: source, Title: row.title, Properties: row.props})
		f.titles[strings.ReplaceAll(id, "-", "")], f.ids[row.title] = row.title, id
	}
	return f
}

// query returns the titles of the rows body's query answers, in order.
func (f queryFixture) query(t *testing.T, body string) []string {
	t.Helper()
	list := object(t, f.s, call{method: "POST", path: "/v1/data_sources/" + f.source + "/query", body: body}, 200)
	var titles []string
	for _, id := range ids(list) {
		titles = append(titles, f.title(id))
	}
	return titles
}

func TestQueryFilters(t *testing.T) {
	f := newQueryFixture(t)
	const readme, ship, rotate = "Write the README", "Ship v1", "Rotate tokens"
	for _, tc := range []struct {
		name, filter string
		want         []string
	}{
		{"no filter", ``, []string{readme, ship, rotate}},
		{"checkbox", `{"property":"Done","checkbox":{"equals":true}}`, []string{readme}},
		{"checkbox not equal", `{"property":"Done","checkbox":{"does_not_equal":true}}`, []string{ship, rotate}},
		{"title contains, any case", `{"property":"Name","title":{"contains":"readme"}}`, []string{readme}},
		{"title by id", `{"property":"title","title":{"starts_with":"Ship"}}`, []string{ship}},
		{"title equals is exact", `{"property":"Name","title":{"equals":"ship v1"}}`, nil},
		{"rich text empty", `{"property":"Notes","rich_text":{"is_empty":true}}`, []string{ship}},
		{"rich text ends with", `{"property":"Notes","rich_text":{"ends_with":"TEAM"}}`, []string{rotate}},
		{"url", `{"property":"Link","url":{"is_not_empty":true}}`, []string{readme}},
		{"number greater", `{"property":"Points","number":{"greater_than":3}}`, []string{ship}},
		{"number at most", `{"property":"Points","number":{"less_than_or_equal_to":8}}`, []string{readme, ship}},
		{"number empty", `{"property":"Points","number":{"is_empty":true}}`, []string{rotate}},
		{"select", `{"property":"Stage","select":{"equals":"Doing"}}`, []string{ship}},
		{"select not", `{"property":"Stage","select":{"does_not_equal":"Doing"}}`, []string{readme, rotate}},
		{"multi select", `{"property":"Tags","multi_select":{"contains":"docs"}}`, []string{readme, ship}},
		{"multi select empty", `{"property":"Tags","multi_select":{"is_empty":true}}`, []string{rotate}},
		{"date after a day", `{"property":"Due","date":{"after":"2026-11-01"}}`, []string{ship}},
		{"date on or before", `{"property":"Due","date":{"on_or_before":"2026-12-15"}}`, []string{readme, ship}},
		{"date equals a day holds its times", `{"property":"Due","date":{"equals":"2026-12-15"}}`, []string{ship}},
		{"date empty", `{"property":"Due","date":{"is_empty":true}}`, []string{rotate}},
		{"created time", `{"timestamp":"created_time","created_time":{"after":"2000-01-01"}}`, []string{readme, ship, rotate}},
		{"and", `{"and":[{"property":"Tags","multi_select":{"contains":"docs"}},{"property":"Done","checkbox":{"equals":false}}]}`, []string{ship}},
		{"or of an and", `{"or":[{"property":"Stage","select":{"equals":"Todo"}},
			{"and":[{"property":"Done","checkbox":{"equals":true}},{"property":"Points","number":{"equals":3}}]}]}`, []string{readme, rotate}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := `{}`
			if tc.filter != "" {
				body = `{"filter":` + tc.filter + `}`
			}
			if got := f.query(t, body); !slices.Equal(got, tc.want) {
				t.Errorf("rows %q, want %q", got, tc.want)
			}
		})
	}
}

func TestQuerySorts(t *testing.T) {
	f := newQueryFixture(t)
	// An edit through the API makes a row the last edited.
	object(t, f.s, call{method: "PATCH", path: "/v1/pages/" + f.ids["Write the README"],
		body: `{"properties":{"Done":{"checkbox":true}}}`}, 200)
	for _, tc := range []struct{ name, sorts, want string }{
		{"number, empty last", `[{"property":"Points","direction":"descending"}]`, "Ship v1|Write the README|Rotate tokens"},
		{"title", `[{"property":"Name","direction":"ascending"}]`, "Rotate tokens|Ship v1|Write the README"},
		{"select by option order", `[{"property":"Stage","direction":"ascending"}]`, "Rotate tokens|Ship v1|Write the README"},
		{"date, empty last", `[{"property":"Due","direction":"descending"}]`, "Ship v1|Write the README|Rotate tokens"},
		{"checkbox, then title", `[{"property":"Done","direction":"ascending"},{"property":"Name","direction":"descending"}]`,
			"Ship v1|Rotate tokens|Write the README"},
		{"last edited, then title", `[{"timestamp":"last_edited_time","direction":"descending"},{"property":"Name","direction":"ascending"}]`,
			"Write the README|Rotate tokens|Ship v1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := strings.Join(f.query(t, `{"sorts":`+tc.sorts+`}`), "|"); got != tc.want {
				t.Errorf("order %s, want %s", got, tc.want)
			}
		})
	}
	// Sorted and filtered, a page at a time.
	first := object(t, f.s, call{method: "POST", path: "/v1/data_sources/" + f.source + "/query",
		body: `{"filter":{"property":"Done","checkbox":{"equals":false}},"sorts":[{"property":"Name","direction":"ascending"}],"page_size":1}`}, 200)
	if got := ids(first); len(got) != 1 || f.title(got[0]) != "Rotate tokens" || first["has_more"] != true {
		t.Errorf("first page of a filtered, sorted query: %v", first)
	}
}

func TestQueryRefusesWhatItCannotAnswer(t *testing.T) {
	f := newQueryFixture(t)
	for _, tc := range []struct{ name, body, message string }{
		{"unknown property", `{"filter":{"property":"Owner","people":{"contains":"x"}}}`,
			"Could not find property with name or id: Owner"},
		{"unknown sort property", `{"sorts":[{"property":"Owner","direction":"ascending"}]}`,
			"Could not find sort property with name or id: Owner"},
		{"bad direction", `{"sorts":[{"property":"Name","direction":"up"}]}`, ""},
		{"condition for another type", `{"filter":{"property":"Done","number":{"equals":1}}}`, ""},
		{"two conditions", `{"filter":{"property":"Points","number":{"equals":1,"less_than":2}}}`, ""},
		{"too deep", `{"filter":{"and":[{"or":[{"and":[{"property":"Done","checkbox":{"equals":true}}]}]}]}}`, ""},
		// Not implemented by the fake: refused, never ignored.
		{"relative date", `{"filter":{"property":"Due","date":{"past_week":{}}}}`,
			"notiontest: the fake Notion API does not implement the relative date condition \"past_week\"."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := do(t, f.s, call{method: "POST", path: "/v1/data_sources/" + f.source + "/query",
				token: tokenA, version: version, body: tc.body})
			wantError(t, resp, body, 400, "validation_error", tc.message)
		})
	}
}
