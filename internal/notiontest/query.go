package notiontest

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// A query's filter and sorts, applied to a data source's rows the way
// Notion applies them, for the property types tests reach for: title,
// rich_text, url, email and phone_number (text: equals, does_not_equal,
// contains, does_not_contain, starts_with, ends_with, is_empty,
// is_not_empty; all but equals and does_not_equal ignore case), number,
// checkbox, select, status, multi_select, date, and the created_time and
// last_edited_time timestamps, joined by "and" and "or" up to two levels
// deep. A condition the fake does not implement (a relative date such as
// past_week, a formula or a rollup) is refused with a 400 that says so,
// rather than ignored, so that a test cannot pass on rows Notion would not
// have returned.

// rowFilter reports whether a row matches a query's filter.
type rowFilter func(row *node) bool

// maxFilterDepth is how deeply Notion lets compound filters nest.
const maxFilterDepth = 2

// compileFilter turns a query's filter into a rowFilter against the data
// source's schema; depth counts the compound filters around f.
func compileFilter(schema map[string]any, f map[string]any, depth int) (rowFilter, *apiError) {
	if len(f) == 0 {
		return func(*node) bool { return true }, nil
	}
	for _, op := range []string{"and", "or"} {
		if raw, ok := f[op]; ok {
			return compileCompound(schema, op, raw, depth)
		}
	}
	if ts, ok := f["timestamp"].(string); ok {
		if err := checkTimestamp("body.filter.timestamp", ts); err != nil {
			return nil, err
		}
		match, err := dateCondition(ts, f[ts])
		if err != nil {
			return nil, err
		}
		return func(row *node) bool { return match(timestampOf(row, ts)) }, nil
	}
	key, ok := f["property"].(string)
	if !ok {
		return nil, validationError("body failed validation: body.filter.property should be defined, instead was `undefined`.")
	}
	name, _, typ, ok := schemaProperty(schema, key)
	if !ok {
		return nil, validationError("Could not find property with name or id: " + key)
	}
	match, err := propertyCondition(typ, f[typ])
	if err != nil {
		return nil, err
	}
	return func(row *node) bool {
		v, _ := row.props[name].(map[string]any)
		return match(v[typ])
	}, nil
}

func compileCompound(schema map[string]any, op string, raw any, depth int) (rowFilter, *apiError) {
	if depth >= maxFilterDepth {
		return nil, validationError("body failed validation: body.filter can nest compound filters at most two levels deep.")
	}
	items, ok := raw.([]any)
	if !ok {
		return nil, validationError(fmt.Sprintf("body failed validation: body.filter.%s should be an array.", op))
	}
	parts := make([]rowFilter, 0, len(items))
	for _, item := range items {
		sub, _ := item.(map[string]any)
		if sub == nil {
			return nil, validationError(fmt.Sprintf("body failed validation: body.filter.%s should hold filter objects.", op))
		}
		part, err := compileFilter(schema, sub, depth+1)
		if err != nil {
			return nil, err
		}
		parts = append(parts, part)
	}
	and := op == "and"
	return func(row *node) bool {
		for _, part := range parts {
			if part(row) != and { // a false decides an and, a true an or
				return !and
			}
		}
		return and
	}, nil
}

// schemaProperty finds the entry of a data source's schema that key names,
// by name or id: its name, id and type.
func schemaProperty(schema map[string]any, key string) (name, id, typ string, ok bool) {
	for n, p := range schema {
		entry, _ := p.(map[string]any)
		if n == key || entry["id"] == key {
			typ, _ := entry["type"].(string)
			return n, fmt.Sprint(entry["id"]), typ, true
		}
	}
	return "", "", "", false
}

// checkTimestamp checks that ts, given at field, names a timestamp a query
// can filter or sort by.
func checkTimestamp(field, ts string) *apiError {
	if ts != "created_time" && ts != "last_edited_time" {
		return validationError(fmt.Sprintf(
			"body failed validation: %s should be `\"created_time\"` or `\"last_edited_time\"`, instead was `%q`.", field, ts))
	}
	return nil
}

// timestampOf returns a row's created_time or last_edited_time as a date
// property value holds it.
func timestampOf(row *node, ts string) any {
	if ts == "created_time" {
		return map[string]any{"start": row.created}
	}
	return map[string]any{"start": row.edited}
}

// valueMatch reports whether a property's value (its payload under the
// type key) meets a condition.
type valueMatch func(v any) bool

// propertyCondition compiles the condition raw for a property of type typ.
func propertyCondition(typ string, raw any) (valueMatch, *apiError) {
	switch typ {
	case "title", "rich_text", "url", "email", "phone_number":
		return textCondition(typ, raw)
	case "number":
		return numberCondition(raw)
	case "checkbox":
		return checkboxCondition(raw)
	case "select", "status":
		return optionCondition(typ, raw)
	case "multi_select":
		return multiSelectCondition(raw)
	case "date":
		return dateCondition(typ, raw)
	}
	return nil, notImplemented(fmt.Sprintf("filters on %s properties", typ))
}

// operator returns a condition's one operator and its operand.
func operator(typ string, raw any) (string, any, *apiError) {
	cond, _ := raw.(map[string]any)
	if len(cond) == 1 {
		for op, operand := range cond {
			return op, operand, nil
		}
	}
	return "", nil, validationError(fmt.Sprintf(
		"body failed validation: body.filter.%s should be an object with exactly one condition.", typ))
}

func badOperand(typ, op string, operand any) *apiError {
	return validationError(fmt.Sprintf("body failed validation: body.filter.%s.%s is not a valid condition value, instead was `%v`.", typ, op, operand))
}

// emptiness compiles is_empty and is_not_empty, which take true.
func emptiness(typ, op string, operand any, empty func(v any) bool) (valueMatch, bool, *apiError) {
	if op != "is_empty" && op != "is_not_empty" {
		return nil, false, nil
	}
	if operand != true {
		return nil, true, badOperand(typ, op, operand)
	}
	want := op == "is_empty"
	return func(v any) bool { return empty(v) == want }, true, nil
}

func textCondition(typ string, raw any) (valueMatch, *apiError) {
	op, operand, err := operator(typ, raw)
	if err != nil {
		return nil, err
	}
	if m, ok, err := emptiness(typ, op, operand, func(v any) bool { return textOf(v) == "" }); ok {
		return m, err
	}
	want, ok := operand.(string)
	if !ok {
		return nil, badOperand(typ, op, operand)
	}
	lower := strings.ToLower(want)
	tests := map[string]func(s string) bool{
		"equals":           func(s string) bool { return s == want },
		"does_not_equal":   func(s string) bool { return s != want },
		"contains":         func(s string) bool { return strings.Contains(strings.ToLower(s), lower) },
		"does_not_contain": func(s string) bool { return !strings.Contains(strings.ToLower(s), lower) },
		"starts_with":      func(s string) bool { return strings.HasPrefix(strings.ToLower(s), lower) },
		"ends_with":        func(s string) bool { return strings.HasSuffix(strings.ToLower(s), lower) },
	}
	test, ok := tests[op]
	if !ok {
		return nil, notImplemented(fmt.Sprintf("the %s condition %q", typ, op))
	}
	return func(v any) bool { return test(textOf(v)) }, nil
}

// textOf returns the text of a title, rich_text, url, email or phone_number
// value.
func textOf(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []any:
		var b strings.Builder
		for _, item := range x {
			m, _ := item.(map[string]any)
			s, _ := m["plain_text"].(string)
			b.WriteString(s)
		}
		return b.String()
	}
	return ""
}

func numberCondition(raw any) (valueMatch, *apiError) {
	op, operand, err := operator("number", raw)
	if err != nil {
		return nil, err
	}
	if m, ok, err := emptiness("number", op, operand, func(v any) bool { _, ok := number(v); return !ok }); ok {
		return m, err
	}
	want, ok := number(operand)
	if !ok {
		return nil, badOperand("number", op, operand)
	}
	tests := map[string]func(n float64) bool{
		"equals":                   func(n float64) bool { return n == want },
		"does_not_equal":           func(n float64) bool { return n != want },
		"greater_than":             func(n float64) bool { return n > want },
		"less_than":                func(n float64) bool { return n < want },
		"greater_than_or_equal_to": func(n float64) bool { return n >= want },
		"less_than_or_equal_to":    func(n float64) bool { return n <= want },
	}
	test, ok := tests[op]
	if !ok {
		return nil, notImplemented(fmt.Sprintf("the number condition %q", op))
	}
	return func(v any) bool {
		n, ok := number(v)
		if !ok {
			return op == "does_not_equal"
		}
		return test(n)
	}, nil
}

// number reads a number value: float64 from JSON, an int or float from
// Server.Add.
func number(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	}
	return 0, false
}

func checkboxCondition(raw any) (valueMatch, *apiError) {
	op, operand, err := operator("checkbox", raw)
	if err != nil {
		return nil, err
	}
	want, ok := operand.(bool)
	if !ok || op != "equals" && op != "does_not_equal" {
		return nil, badOperand("checkbox", op, operand)
	}
	return func(v any) bool { return (v == true) == want == (op == "equals") }, nil
}

// optionName returns the name of a select or status value ("" if unset).
func optionName(v any) string {
	m, _ := v.(map[string]any)
	s, _ := m["name"].(string)
	return s
}

func optionCondition(typ string, raw any) (valueMatch, *apiError) {
	op, operand, err := operator(typ, raw)
	if err != nil {
		return nil, err
	}
	if m, ok, err := emptiness(typ, op, operand, func(v any) bool { return optionName(v) == "" }); ok {
		return m, err
	}
	want, ok := operand.(string)
	if !ok || op != "equals" && op != "does_not_equal" {
		return nil, badOperand(typ, op, operand)
	}
	return func(v any) bool { return (optionName(v) == want) == (op == "equals") }, nil
}

func multiSelectCondition(raw any) (valueMatch, *apiError) {
	op, operand, err := operator("multi_select", raw)
	if err != nil {
		return nil, err
	}
	names := func(v any) []string {
		items, _ := v.([]any)
		out := make([]string, 0, len(items))
		for _, item := range items {
			out = append(out, optionName(item))
		}
		return out
	}
	if m, ok, err := emptiness("multi_select", op, operand, func(v any) bool { return len(names(v)) == 0 }); ok {
		return m, err
	}
	want, ok := operand.(string)
	if !ok || op != "contains" && op != "does_not_contain" {
		return nil, badOperand("multi_select", op, operand)
	}
	return func(v any) bool { return slices.Contains(names(v), want) == (op == "contains") }, nil
}

// dateCondition compiles a date condition; what names it in errors (the
// property type, or the timestamp).
func dateCondition(what string, raw any) (valueMatch, *apiError) {
	op, operand, err := operator(what, raw)
	if err != nil {
		return nil, err
	}
	start := func(v any) string {
		m, _ := v.(map[string]any)
		s, _ := m["start"].(string)
		return s
	}
	if m, ok, err := emptiness(what, op, operand, func(v any) bool { return start(v) == "" }); ok {
		return m, err
	}
	s, _ := operand.(string)
	want, wholeDay, ok := parseDate(s)
	if !ok {
		if _, isObject := operand.(map[string]any); isObject {
			return nil, notImplemented(fmt.Sprintf("the relative date condition %q", op))
		}
		return nil, badOperand(what, op, operand)
	}
	tests := map[string]func(c int) bool{
		"equals":       func(c int) bool { return c == 0 },
		"before":       func(c int) bool { return c < 0 },
		"after":        func(c int) bool { return c > 0 },
		"on_or_before": func(c int) bool { return c <= 0 },
		"on_or_after":  func(c int) bool { return c >= 0 },
	}
	test, ok := tests[op]
	if !ok {
		return nil, notImplemented(fmt.Sprintf("the date condition %q", op))
	}
	return func(v any) bool {
		got, _, ok := parseDate(start(v))
		if !ok {
			return false
		}
		if wholeDay { // a date without a time compares whole days
			got = got.UTC().Truncate(24 * time.Hour)
		}
		return test(got.Compare(want))
	}, nil
}

// parseDate reads an ISO 8601 date or date-time; wholeDay says it had no
// time.
func parseDate(s string) (t time.Time, wholeDay, ok bool) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, true, true
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, false, true
	}
	return time.Time{}, false, false
}

// notImplemented refuses what the fake does not do, in Notion's error shape.
func notImplemented(what string) *apiError {
	return validationError("notiontest: the fake Notion API does not implement " + what + ".")
}
