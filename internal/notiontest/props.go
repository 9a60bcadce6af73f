package notiontest

import (
	"fmt"
	"maps"
)

// propertyTypes are the property types of Notion's data sources, as they
// key a schema entry or a property value.
var propertyTypes = []string{
	"title", "rich_text", "number", "select", "multi_select", "status", "date", "people", "files",
	"checkbox", "url", "email", "phone_number", "formula", "relation", "rollup", "created_time",
	"created_by", "last_edited_time", "last_edited_by", "unique_id", "verification", "place", "button",
}

// typeKey returns the property type an entry names: its "type", or the one
// property-type key it holds.
func typeKey(entry map[string]any) string {
	if t, ok := entry["type"].(string); ok {
		return t
	}
	for _, t := range propertyTypes {
		if _, ok := entry[t]; ok {
			return t
		}
	}
	return ""
}

// buildProps returns the property values of a page under parent after
// applying in (request form, by name or id) to old. A row's properties are
// those of its data source; any other page has only "title".
func (w *workspace) buildProps(parent *node, old, in map[string]any) (map[string]any, *apiError) {
	out := maps.Clone(old)
	if out == nil {
		out = map[string]any{}
		if parent == nil || parent.typ != typeDataSource {
			out["title"] = titleValue("")
		}
	}
	for key, raw := range in {
		name, id, typ, ok := propertyFor(parent, key, raw)
		if !ok {
			return nil, validationError(fmt.Sprintf("%s is not a property that exists.", key))
		}
		v, err := propertyValue(key, typ, raw)
		if err != nil {
			return nil, err
		}
		v["id"], v["type"] = id, typ
		out[name] = v
	}
	return out, nil
}

// propertyFor finds the property key names on a page under parent: its
// name, id and type.
func propertyFor(parent *node, key string, raw any) (name, id, typ string, ok bool) {
	if parent == nil || parent.typ != typeDataSource {
		m, _ := raw.(map[string]any)
		_, hasTitle := m["title"]
		_, isArray := raw.([]any)
		if key == "title" || hasTitle || isArray {
			return "title", "title", "title", true
		}
		return "", "", "", false
	}
	return schemaProperty(parent.props, key)
}

// propertyValue returns the value raw sets for a property of type typ, in
// response form; key names it in errors.
func propertyValue(key, typ string, raw any) (map[string]any, *apiError) {
	var v any
	switch x := raw.(type) {
	case nil:
		v = emptyValue(typ)
	case []any: // the short form of title and rich text
		v = x
	case map[string]any:
		val, ok := x[typ]
		if !ok {
			return nil, missingField("body.properties." + key + "." + typ)
		}
		v = val
	default:
		return nil, validationError(fmt.Sprintf(
			"body failed validation: body.properties.%s should be an object, instead was `%v`.", key, raw))
	}
	return normalizeRichText(map[string]any{typ: v}).(map[string]any), nil
}

// buildSchema returns a data source's properties after applying in to old:
// an entry names a property by name or id; null removes it; "name" renames
// it; a type key sets its type and configuration. A schema has exactly one
// title property.
func buildSchema(old, in map[string]any) (map[string]any, *apiError) {
	out := maps.Clone(old)
	if out == nil {
		out = map[string]any{}
	}
	for key, raw := range in {
		name := key
		for n, p := range out {
			if m, _ := p.(map[string]any); n == key || m["id"] == key {
				name = n
			}
		}
		if raw == nil {
			delete(out, name)
			continue
		}
		entry, ok := raw.(map[string]any)
		if !ok {
			return nil, validationError(fmt.Sprintf(
				"body failed validation: body.properties.%s should be an object or null.", key))
		}
		prev, _ := out[name].(map[string]any)
		next, err := schemaEntry(key, prev, entry)
		if err != nil {
			return nil, err
		}
		delete(out, name)
		out[next["name"].(string)] = next
	}
	titles := 0
	for _, p := range out {
		if m, _ := p.(map[string]any); m["type"] == "title" {
			titles++
		}
	}
	if titles != 1 {
		return nil, validationError("body failed validation: body.properties should have exactly one title property.")
	}
	return out, nil
}

// schemaEntry returns the schema entry key (previously prev, nil when new)
// after applying entry.
func schemaEntry(key string, prev, entry map[string]any) (map[string]any, *apiError) {
	next := maps.Clone(prev)
	if next == nil {
		next = map[string]any{"name": key, "description": nil}
	}
	if n, ok := entry["name"].(string); ok && n != "" {
		next["name"] = n
	}
	if typ := typeKey(entry); typ != "" {
		if old, _ := next["type"].(string); old != "" && old != typ {
			delete(next, old)
		}
		cfg, _ := entry[typ].(map[string]any)
		if cfg == nil {
			cfg = map[string]any{}
		}
		next["type"], next[typ] = typ, cfg
	}
	if _, ok := next["type"]; !ok {
		return nil, validationError(fmt.Sprintf(
			"body failed validation: body.properties.%s should name a property type.", key))
	}
	if _, ok := next["id"]; !ok {
		next["id"] = newUUID()[:4]
		if next["type"] == "title" {
			next["id"] = "title"
		}
	}
	return next, nil
}
