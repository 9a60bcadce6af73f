package notiontest

import "strings"

// Rendering turns nodes into the JSON objects Notion answers with. Some
// shapes depend on the request's Notion-Version: from 2025-09-03 rows name
// their data source and databases list data sources instead of properties;
// from 2026-03-11 the deprecated "archived" flag is gone.

// renderLocked returns n as its own endpoint answers it (GET /v1/pages/..,
// /v1/databases/.., /v1/data_sources/.., /v1/blocks/..).
func (w *workspace) renderLocked(n *node, version string) map[string]any {
	switch n.typ {
	case typePage:
		return w.renderPage(n, version)
	case typeDatabase:
		return w.renderDatabase(n, version)
	case typeDataSource:
		return w.renderDataSource(n, version)
	}
	return w.renderBlock(n, version)
}

// base returns the fields every object has.
func (w *workspace) base(n *node, object, version string) map[string]any {
	o := map[string]any{
		"object":           object,
		"id":               n.id,
		"created_time":     n.created,
		"last_edited_time": n.edited,
		"created_by":       userRef(n.createdBy),
		"last_edited_by":   userRef(n.editedBy),
		"in_trash":         n.inTrash,
		"parent":           w.parentJSON(n, version),
	}
	if version < version20260311 {
		o["archived"] = n.inTrash
	}
	return o
}

// parentJSON returns n's parent object as Notion writes it.
func (w *workspace) parentJSON(n *node, version string) map[string]any {
	p := w.parentOf(n)
	switch p.Type {
	case "workspace":
		return map[string]any{"type": "workspace", "workspace": true}
	case "data_source_id":
		db := w.nodes[w.nodes[p.ID].parent]
		if db == nil {
			return map[string]any{"type": "data_source_id", "data_source_id": p.ID}
		}
		if version < version20250903 {
			return map[string]any{"type": "database_id", "database_id": db.id}
		}
		return map[string]any{"type": "data_source_id", "data_source_id": p.ID, "database_id": db.id}
	}
	return map[string]any{"type": p.Type, p.Type: p.ID}
}

func (w *workspace) renderPage(n *node, version string) map[string]any {
	o := w.base(n, "page", version)
	o["url"] = pageURL(n)
	o["public_url"] = nil
	o["icon"], o["cover"] = n.icon, n.cover
	o["is_locked"] = n.locked
	o["is_archived"] = false
	o["properties"] = w.pageProperties(n)
	return o
}

// pageProperties returns a page's property values; a row has a value for
// every property of its data source, empty where none was set.
func (w *workspace) pageProperties(n *node) map[string]any {
	out := make(map[string]any, len(n.props))
	if ds := w.nodes[n.parent]; ds != nil && ds.typ == typeDataSource {
		for name, p := range ds.props {
			schema, _ := p.(map[string]any)
			typ, _ := schema["type"].(string)
			out[name] = map[string]any{"id": schema["id"], "type": typ, typ: emptyValue(typ)}
		}
	}
	for name, v := range n.props {
		out[name] = v
	}
	return out
}

// emptyValue is the value of an unset property of type typ.
func emptyValue(typ string) any {
	switch typ {
	case "title", "rich_text", "multi_select", "people", "relation", "files":
		return []any{}
	case "checkbox":
		return false
	}
	return nil
}

func (w *workspace) renderDatabase(n *node, version string) map[string]any {
	o := w.base(n, "database", version)
	o["title"], o["description"] = n.title, n.descr
	o["is_inline"], o["is_locked"] = n.inline, n.locked
	o["icon"], o["cover"] = n.icon, n.cover
	o["url"] = pageURL(n)
	o["public_url"] = nil
	sources := w.liveKids(n)
	if version < version20250903 {
		props := map[string]any{}
		if len(sources) > 0 {
			props = sources[0].props
		}
		o["properties"] = props
		return o
	}
	refs := make([]any, 0, len(sources))
	for _, ds := range sources {
		refs = append(refs, map[string]any{"id": ds.id, "name": plainText(ds.title)})
	}
	o["data_sources"] = refs
	return o
}

func (w *workspace) renderDataSource(n *node, version string) map[string]any {
	o := w.base(n, "data_source", version)
	o["title"], o["description"] = n.title, n.descr
	o["properties"] = n.props
	o["icon"], o["cover"] = n.icon, n.cover
	o["url"] = pageURL(n)
	o["public_url"] = nil
	o["is_inline"] = false
	o["database_parent"] = map[string]any{"type": "workspace", "workspace": true}
	if db := w.nodes[n.parent]; db != nil {
		o["database_parent"] = w.parentJSON(db, version)
		o["is_inline"] = db.inline
	}
	return o
}

// renderBlock returns n as a block: a page is a child_page block and a
// database a child_database block of its parent.
func (w *workspace) renderBlock(n *node, version string) map[string]any {
	o := w.base(n, "block", version)
	o["has_children"] = len(w.liveKids(n)) > 0
	switch n.typ {
	case typePage:
		o["type"] = "child_page"
		o["child_page"] = map[string]any{"title": w.pageTitle(n)}
	case typeDatabase:
		o["type"] = "child_database"
		o["child_database"] = map[string]any{"title": plainText(n.title)}
		o["has_children"] = false
	default:
		o["type"] = n.block
		o[n.block] = n.content
	}
	return o
}

// pageTitle returns the plain text of a page's title property.
func (w *workspace) pageTitle(n *node) string {
	for _, v := range n.props {
		if p, ok := v.(map[string]any); ok && p["type"] == "title" {
			items, _ := p["title"].([]any)
			return plainText(items)
		}
	}
	return ""
}

// titleOf returns the plain-text title of any object (a block: its text).
func (w *workspace) titleOf(n *node) string {
	if n.typ == typePage {
		return w.pageTitle(n)
	}
	if n.typ == typeBlock {
		items, _ := n.content["rich_text"].([]any)
		return plainText(items)
	}
	return plainText(n.title)
}

func pageURL(n *node) string { return "https://www.notion.so/" + compact(n.id) }

// userRef is a partial user, as objects name their creator and editor.
func userRef(id string) map[string]any { return map[string]any{"object": "user", "id": id} }

// richText returns Notion rich text holding plain text s; empty s gives an
// empty array, as an untitled page has.
func richText(s string) []any {
	if s == "" {
		return []any{}
	}
	return []any{textItem(s, nil)}
}

// textItem returns one rich-text item of type text.
func textItem(content string, link any) map[string]any {
	return map[string]any{
		"type": "text",
		"text": map[string]any{"content": content, "link": link},
		"annotations": map[string]any{
			"bold": false, "italic": false, "strikethrough": false,
			"underline": false, "code": false, "color": "default",
		},
		"plain_text": content,
		"href":       nil,
	}
}

// plainText concatenates the plain text of rich-text items.
func plainText(items []any) string {
	var b strings.Builder
	for _, it := range items {
		if m, ok := it.(map[string]any); ok {
			if s, ok := m["plain_text"].(string); ok {
				b.WriteString(s)
			}
		}
	}
	return b.String()
}

// list returns a Notion list of results, of list type listType.
func list(listType string, results []any, next string) map[string]any {
	if results == nil {
		results = []any{}
	}
	var cursor any
	if next != "" {
		cursor = next
	}
	return map[string]any{
		"object":      "list",
		"results":     results,
		"next_cursor": cursor,
		"has_more":    next != "",
		"type":        listType,
		listType:      map[string]any{},
	}
}
