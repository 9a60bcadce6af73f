package notiontest

import (
	"cmp"
	"fmt"
	"slices"
)

// objectType is a Notion object type as the fake knows it; its string is the
// word Notion uses in not-found messages.
type objectType string

const (
	typePage       objectType = "page"
	typeDatabase   objectType = "database"
	typeBlock      objectType = "block"
	typeDataSource objectType = "data_source"
)

func parseObjectType(s string) (objectType, bool) {
	switch t := objectType(s); t {
	case typePage, typeDatabase, typeBlock, typeDataSource:
		return t, true
	}
	return "", false
}

type objectKey struct {
	typ objectType
	id  string // dashed lower case
}

// Fixed timestamps keep responses deterministic.
const (
	createdTime    = "2025-01-01T00:00:00.000Z"
	lastEditedTime = "2025-01-02T00:00:00.000Z"
)

// Share makes the object of objectType ("page", "database", "block" or
// "data_source") with id visible to token; every object not shared with a
// token is "not found" for it. A shared page or database is also visible as a
// block (child_page, child_database), as in Notion. Share panics when
// objectType or id is invalid: that is a bug in the calling test.
func (s *Server) Share(token, objectType, id string) {
	typ, ok := parseObjectType(objectType)
	if !ok {
		panic(fmt.Sprintf("notiontest: share: unknown object type %q", objectType))
	}
	norm, ok := NormalizeID(id)
	if !ok {
		panic(fmt.Sprintf("notiontest: share: invalid id %q", id))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.grantLocked(token).shared[objectKey{typ, norm}] = struct{}{}
}

// lookup reports whether the object typ/id is visible to token and, for a
// block, what it really is (a block, page or database).
func (s *Server) lookup(token string, typ objectType, id string) (objectType, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.grants[token]
	if g == nil {
		return "", false
	}
	kinds := []objectType{typ}
	if typ == typeBlock {
		kinds = append(kinds, typePage, typeDatabase)
	}
	for _, k := range kinds {
		if _, ok := g.shared[objectKey{k, id}]; ok {
			return k, true
		}
	}
	return "", false
}

// sharedObjects returns the objects of the given types shared with token,
// sorted by type and id.
func (s *Server) sharedObjects(token string, types ...objectType) []objectKey {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []objectKey
	if g := s.grants[token]; g != nil {
		for k := range g.shared {
			if slices.Contains(types, k.typ) {
				out = append(out, k)
			}
		}
	}
	slices.SortFunc(out, func(a, b objectKey) int {
		return cmp.Or(cmp.Compare(a.typ, b.typ), cmp.Compare(a.id, b.id))
	})
	return out
}

// object returns a plausible Notion object of type typ; real is what a block
// id really names (see lookup). Callers add request_id for top-level objects.
func object(typ, real objectType, id string, bot Bot) map[string]any {
	user := map[string]any{"object": "user", "id": bot.ID}
	o := map[string]any{
		"object":           string(typ),
		"id":               id,
		"created_time":     createdTime,
		"last_edited_time": lastEditedTime,
		"created_by":       user,
		"last_edited_by":   user,
		"archived":         false,
		"in_trash":         false,
		"parent":           map[string]any{"type": "workspace", "workspace": true},
	}
	name := fmt.Sprintf("Fake %s %s", typ, id[:8])
	switch typ {
	case typePage:
		o["url"] = "https://www.notion.so/" + compact(id)
		o["public_url"] = nil
		o["icon"], o["cover"] = nil, nil
		o["properties"] = map[string]any{
			"title": map[string]any{"id": "title", "type": "title", "title": richText(name)},
		}
	case typeDatabase:
		o["url"] = "https://www.notion.so/" + compact(id)
		o["public_url"] = nil
		o["icon"], o["cover"] = nil, nil
		o["title"] = richText(name)
		o["description"] = []any{}
		o["is_inline"] = false
		o["data_sources"] = []any{}
	case typeDataSource:
		o["url"] = "https://www.notion.so/" + compact(id)
		o["title"] = richText(name)
		o["description"] = []any{}
		o["properties"] = map[string]any{
			"Name": map[string]any{"id": "title", "name": "Name", "type": "title", "title": map[string]any{}},
		}
	case typeBlock:
		addBlockContent(o, real, name)
	}
	return o
}

// addBlockContent fills in a block's type-specific fields.
func addBlockContent(o map[string]any, real objectType, name string) {
	o["has_children"] = false
	switch real {
	case typePage:
		o["type"] = "child_page"
		o["child_page"] = map[string]any{"title": name}
	case typeDatabase:
		o["type"] = "child_database"
		o["child_database"] = map[string]any{"title": name}
	default:
		o["type"] = "paragraph"
		o["paragraph"] = map[string]any{"rich_text": richText(name), "color": "default"}
	}
}

// richText returns Notion rich text holding plain text s.
func richText(s string) []any {
	return []any{map[string]any{
		"type": "text",
		"text": map[string]any{"content": s, "link": nil},
		"annotations": map[string]any{
			"bold": false, "italic": false, "strikethrough": false,
			"underline": false, "code": false, "color": "default",
		},
		"plain_text": s,
		"href":       nil,
	}}
}

// list returns a Notion list of results, of list type listType.
func list(listType string, results []any) map[string]any {
	if results == nil {
		results = []any{}
	}
	return map[string]any{
		"object":      "list",
		"results":     results,
		"next_cursor": nil,
		"has_more":    false,
		"type":        listType,
		listType:      map[string]any{},
	}
}
