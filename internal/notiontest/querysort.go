package notiontest

import (
	"cmp"
	"fmt"
	"strings"
)

// dateSortValue sorts a date value by its start.
func dateSortValue(v any) sortValue {
	m, _ := v.(map[string]any)
	s, _ := m["start"].(string)
	t, _, ok := parseDate(s)
	return sortValue{empty: !ok, n: float64(t.UnixMilli())}
}

// rowOrder compares two rows for a query's sorts.
type rowOrder func(a, b *node) int

// compileSorts turns a query's sorts into a rowOrder: each sort names a
// property or a timestamp and a direction; empty values sort last.
func compileSorts(schema map[string]any, sorts []any) (rowOrder, *apiError) {
	var keys []rowOrder
	for _, raw := range sorts {
		sort, _ := raw.(map[string]any)
		dir, _ := sort["direction"].(string)
		if dir != "ascending" && dir != "descending" {
			return nil, validationError(fmt.Sprintf(
				"body failed validation: body.sorts[].direction should be `\"ascending\"` or `\"descending\"`, instead was `%v`.", sort["direction"]))
		}
		key, err := sortKey(schema, sort)
		if err != nil {
			return nil, err
		}
		keys = append(keys, func(a, b *node) int {
			ka, kb := key(a), key(b)
			if ka.empty || kb.empty { // empty last, whatever the direction
				return cmpBool(ka.empty, kb.empty)
			}
			c := cmp.Or(cmp.Compare(ka.n, kb.n), strings.Compare(ka.s, kb.s))
			if dir == "descending" {
				c = -c
			}
			return c
		})
	}
	return func(a, b *node) int {
		for _, k := range keys {
			if c := k(a, b); c != 0 {
				return c
			}
		}
		return 0
	}, nil
}

// sortValue is what a row sorts by: a number or a text, or nothing.
type sortValue struct {
	empty bool
	n     float64
	s     string
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// sortKey returns how one sort reads a row.
func sortKey(schema map[string]any, sort map[string]any) (func(*node) sortValue, *apiError) {
	if ts, ok := sort["timestamp"].(string); ok {
		if err := checkTimestamp("body.sorts[].timestamp", ts); err != nil {
			return nil, err
		}
		return func(row *node) sortValue { return dateSortValue(timestampOf(row, ts)) }, nil
	}
	key, _ := sort["property"].(string)
	name, _, typ, ok := schemaProperty(schema, key)
	if !ok {
		return nil, validationError("Could not find sort property with name or id: " + key)
	}
	value := func(row *node) any {
		v, _ := row.props[name].(map[string]any)
		return v[typ]
	}
	switch typ {
	case "title", "rich_text", "url", "email", "phone_number":
		return func(row *node) sortValue {
			s := strings.ToLower(textOf(value(row)))
			return sortValue{empty: s == "", s: s}
		}, nil
	case "number":
		return func(row *node) sortValue {
			n, ok := number(value(row))
			return sortValue{empty: !ok, n: n}
		}, nil
	case "checkbox":
		return func(row *node) sortValue {
			if value(row) == true {
				return sortValue{n: 1}
			}
			return sortValue{}
		}, nil
	case "select", "status":
		// Options sort in the schema's order, as in Notion; any other
		// name after them, by name.
		entry, _ := schema[name].(map[string]any)
		cfg, _ := entry[typ].(map[string]any)
		options, _ := cfg["options"].([]any)
		rank := make(map[string]int, len(options))
		for i, o := range options {
			rank[optionName(o)] = i
		}
		return func(row *node) sortValue {
			s := optionName(value(row))
			i, ok := rank[s]
			if !ok {
				i = len(options)
			}
			return sortValue{empty: s == "", n: float64(i), s: s}
		}, nil
	case "date":
		return func(row *node) sortValue { return dateSortValue(value(row)) }, nil
	}
	return nil, notImplemented(fmt.Sprintf("sorting by %s properties", typ))
}
