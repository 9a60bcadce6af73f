package notiontest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// maxJSONBody bounds the JSON bodies the fake decodes; Notion's own limits are
// smaller. Larger bodies are read and discarded, never buffered.
const maxJSONBody = 1 << 20

// decodeBody decodes the request's JSON object body into v; an empty body is
// an empty object. When the body is not acceptable it writes Notion's error
// and returns false.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	lr := &io.LimitedReader{R: r.Body, N: maxJSONBody + 1}
	dec := json.NewDecoder(lr)
	err := dec.Decode(v)
	if err == nil {
		// Exactly one JSON value is allowed.
		if _, terr := dec.Token(); !errors.Is(terr, io.EOF) {
			err = errors.New("trailing data")
		}
	} else if errors.Is(err, io.EOF) {
		return true
	}
	if lr.N <= 0 {
		WriteError(w, http.StatusBadRequest, codeValidation, msgBodyTooLarge)
		return false
	}
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &typeErr):
		WriteError(w, http.StatusBadRequest, codeValidation, typeMessage(typeErr))
		return false
	case err != nil:
		WriteError(w, http.StatusBadRequest, codeInvalidJSON, msgInvalidJSON)
		return false
	}
	return true
}

// typeMessage phrases a JSON type mismatch like Notion's body validation.
func typeMessage(e *json.UnmarshalTypeError) string {
	field := "body"
	if e.Field != "" {
		field += "." + e.Field
	}
	want := "an object"
	if k := e.Type.Kind().String(); k != "struct" && k != "map" {
		want = "a " + k
	}
	return fmt.Sprintf("body failed validation: %s should be %s, instead was a JSON %s.", field, want, e.Value)
}
