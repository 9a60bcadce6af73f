package scope

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/go-json-experiment/json/jsontext"
)

var errTrailingData = errors.New("data after the top-level value")

// FilterResults returns body, a Notion response, with its top-level
// "results" array holding only the results keep accepts: keep is called
// with each result's "id" and "object" members ("page", "data_source",
// "database", "block", "comment"; "" when absent). A result that is not a
// JSON object, has no "id", or whose "id" is not a string is dropped
// without asking keep.
//
// Everything but the dropped results stays byte for byte: every other
// member (object, type, has_more, next_cursor, request_id...) and each
// kept result, which are only joined anew with commas. A body with
// nothing dropped, or without a top-level "results" array (a single
// object, an error), is returned as it is. FilterResults fails only for a
// body that is not one valid JSON value or that holds duplicate member
// names, which it does not guess at.
//
// The returned slice may be body itself; body is never modified.
func FilterResults(body []byte, keep func(id, objectType string) bool) ([]byte, error) {
	out, err := filterResults(body, keep)
	if err != nil {
		return nil, fmt.Errorf("filter results: %w", err)
	}
	return out, nil
}

func filterResults(body []byte, keep func(id, objectType string) bool) ([]byte, error) {
	dec := jsontext.NewDecoder(bytes.NewReader(body))
	if dec.PeekKind() != '{' {
		if _, err := dec.ReadValue(); err != nil {
			return nil, err
		}
		return body, checkEOF(dec)
	}
	if _, err := dec.ReadToken(); err != nil {
		return nil, err
	}
	var out []byte
	last := 0 // body[:last] is in out, when out is not nil
	for dec.PeekKind() != '}' {
		name, err := dec.ReadToken()
		if err != nil {
			return nil, err
		}
		if name.String() != "results" || dec.PeekKind() != '[' {
			if err := dec.SkipValue(); err != nil {
				return nil, err
			}
			continue
		}
		kept, open, close, dropped, err := filterArray(dec, body, keep)
		if err != nil {
			return nil, err
		}
		if dropped {
			out = append(out, body[last:open]...)
			out = append(out, kept...)
			last = close
		}
	}
	if _, err := dec.ReadToken(); err != nil {
		return nil, err
	}
	if err := checkEOF(dec); err != nil {
		return nil, err
	}
	if out == nil {
		return body, nil
	}
	return append(out, body[last:]...), nil
}

// filterArray reads the array that is next in dec and returns the kept
// elements joined by commas, the offsets in body just after its '[' and
// at its ']', and whether any element was dropped.
func filterArray(dec *jsontext.Decoder, body []byte, keep func(id, objectType string) bool) (kept []byte, open, close int, dropped bool, err error) {
	if _, err := dec.ReadToken(); err != nil {
		return nil, 0, 0, false, err
	}
	open = int(dec.InputOffset())
	for dec.PeekKind() != ']' {
		if dec.PeekKind() != '{' {
			if err := dec.SkipValue(); err != nil {
				return nil, 0, 0, false, err
			}
			dropped = true
			continue
		}
		var o wireObject
		start, end, err := readObject(dec, &o, nil)
		if err != nil {
			return nil, 0, 0, false, err
		}
		if o.id == "" || !keep(o.id, o.object) {
			dropped = true
			continue
		}
		if len(kept) > 0 {
			kept = append(kept, ',')
		}
		kept = append(kept, body[start:end]...)
	}
	if _, err := dec.ReadToken(); err != nil {
		return nil, 0, 0, false, err
	}
	return kept, open, int(dec.InputOffset()) - 1, dropped, nil
}

// checkEOF fails when dec holds more than one top-level value.
func checkEOF(dec *jsontext.Decoder) error {
	switch _, err := dec.ReadToken(); {
	case errors.Is(err, io.EOF):
		return nil
	case err != nil:
		return err
	}
	return errTrailingData
}
