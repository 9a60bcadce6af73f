package notiontest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"reflect"
	"strings"
)

// maxJSONBody bounds the JSON bodies the fake decodes; Notion's own limits are
// smaller. Larger bodies are read and discarded, never buffered.
const maxJSONBody = 1 << 20

// decodeBody decodes the request's JSON object body into v; an empty body is
// an empty object. When the body is not acceptable it returns Notion's
// error.
func decodeBody(r *http.Request, v any) *apiError {
	lr := &io.LimitedReader{R: r.Body, N: maxJSONBody + 1}
	dec := json.NewDecoder(lr)
	err := dec.Decode(v)
	if err == nil {
		// Exactly one JSON value is allowed.
		if _, terr := dec.Token(); !errors.Is(terr, io.EOF) {
			err = errors.New("trailing data")
		}
	} else if errors.Is(err, io.EOF) {
		return nil
	}
	if lr.N <= 0 {
		return validationError(msgBodyTooLarge)
	}
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &typeErr):
		return validationError(typeMessage(typeErr))
	case err != nil:
		return &apiError{http.StatusBadRequest, codeInvalidJSON, msgInvalidJSON}
	}
	return nil
}

// normalizeItem returns one rich-text item in response form.
func normalizeItem(it map[string]any) map[string]any {
	typ, _ := it["type"].(string)
	if typ == "" {
		typ = "text"
		for _, k := range []string{"mention", "equation"} {
			if _, ok := it[k]; ok {
				typ = k
			}
		}
	}
	if typ == "text" {
		t, _ := it["text"].(map[string]any)
		content, _ := t["content"].(string)
		item := textItem(content, t["link"])
		if a, ok := it["annotations"].(map[string]any); ok {
			merged := maps.Clone(item["annotations"].(map[string]any))
			maps.Copy(merged, a)
			item["annotations"] = merged
		}
		return item
	}
	out := maps.Clone(it)
	out["type"] = typ
	if _, ok := out["plain_text"]; !ok {
		out["plain_text"] = ""
	}
	return out
}

// normalizeRichText returns v with every "rich_text", "title" and "caption"
// array inside it in response form; other values are copied as they are.
func normalizeRichText(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, val := range x {
			if items, ok := val.([]any); ok && (k == "rich_text" || k == "title" || k == "caption") {
				out[k] = normalizeItems(items)
				continue
			}
			out[k] = normalizeRichText(val)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, val := range x {
			out[i] = normalizeRichText(val)
		}
		return out
	}
	return v
}

// normalizeItems normalises rich-text items; items that are not objects are
// dropped.
func normalizeItems(items []any) []any {
	out := make([]any, 0, len(items))
	for _, it := range items {
		if m, ok := it.(map[string]any); ok {
			out = append(out, normalizeItem(m))
		}
	}
	return out
}

// typeMessage phrases a JSON type mismatch like Notion's body validation.
func typeMessage(e *json.UnmarshalTypeError) string {
	field := "body"
	for _, seg := range strings.Split(e.Field, ".") {
		// Notion's names are snake_case; a segment with a capital is the
		// Go name of an embedded struct, which Notion knows nothing of.
		if seg != "" && strings.ToLower(seg) == seg {
			field += "." + seg
		}
	}
	want := "an object"
	switch e.Type.Kind() {
	case reflect.Int, reflect.Int64, reflect.Float64:
		want = "a number"
	case reflect.String:
		want = "a string"
	case reflect.Bool:
		want = "a boolean"
	case reflect.Slice:
		want = "an array"
	}
	return fmt.Sprintf("body failed validation: %s should be %s, instead was a JSON %s.", field, want, e.Value)
}
