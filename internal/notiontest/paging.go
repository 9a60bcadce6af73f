package notiontest

import (
	"fmt"
	"net/http"
	"strconv"
)

// Notion lists answer at most 100 results a page, 100 by default.
const maxPageSize = 100

// paging is where a list page starts (a cursor the previous page returned;
// empty: the beginning) and how many results it holds.
type paging struct {
	cursor string
	size   int
}

// pagingBody holds the paging fields of a POST body.
type pagingBody struct {
	StartCursor *string `json:"start_cursor"`
	PageSize    *int    `json:"page_size"`
}

// paging validates the body's paging fields.
func (b pagingBody) paging() (paging, *apiError) {
	p := paging{size: maxPageSize}
	if b.StartCursor != nil {
		p.cursor = *b.StartCursor
	}
	if b.PageSize != nil {
		if err := checkPageSize("body", *b.PageSize, strconv.Itoa(*b.PageSize)); err != nil {
			return p, err
		}
		p.size = *b.PageSize
	}
	return p, nil
}

// queryPaging reads start_cursor and page_size from the query string.
func queryPaging(r *http.Request) (paging, *apiError) {
	q := r.URL.Query()
	p := paging{cursor: q.Get("start_cursor"), size: maxPageSize}
	if raw := q.Get("page_size"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil {
			return p, validationError(fmt.Sprintf(
				"query failed validation: query.page_size should be a number, instead was `%q`.", raw))
		}
		if err := checkPageSize("query", n, raw); err != nil {
			return p, err
		}
		p.size = n
	}
	return p, nil
}

// checkPageSize checks a page_size given in where ("body" or "query").
func checkPageSize(where string, n int, raw string) *apiError {
	switch {
	case n < 1:
		return validationError(fmt.Sprintf("%s failed validation: %s.page_size should be ≥ `1`, instead was `%s`.", where, where, raw))
	case n > maxPageSize:
		return validationError(fmt.Sprintf("%s failed validation: %s.page_size should be ≤ `100`, instead was `%s`.", where, where, raw))
	}
	return nil
}

// paginate returns the page p of items, whose cursors are their keys, and
// the cursor of the next page ("" when this is the last).
func paginate[T any](items []T, key func(T) string, p paging) ([]T, string, *apiError) {
	start := 0
	if p.cursor != "" {
		start = -1
		for i, it := range items {
			if key(it) == p.cursor {
				start = i
				break
			}
		}
		if start < 0 {
			return nil, "", validationError(fmt.Sprintf("start_cursor provided is invalid: %s", p.cursor))
		}
	}
	end := min(start+p.size, len(items))
	next := ""
	if end < len(items) {
		next = key(items[end])
	}
	return items[start:end], next, nil
}

// listPage answers page p of items as a Notion list of listType: an item's
// cursor is its key, and its result is what render makes of it.
func listPage[T, R any](listType string, items []T, key func(T) string, p paging, render func(T) R) (map[string]any, *apiError) {
	page, next, err := paginate(items, key, p)
	if err != nil {
		return nil, err
	}
	results := make([]any, 0, len(page))
	for _, it := range page {
		results = append(results, render(it))
	}
	return list(listType, results, next), nil
}

// nodeID is the key of a node in a list: its id.
func nodeID(n *node) string { return n.id }
