package notiontest

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// searchBody is the body of POST /v1/search.
type searchBody struct {
	pagingBody
	Query  string        `json:"query"`
	Filter *searchFilter `json:"filter"`
	Sort   *struct {
		Direction string `json:"direction"`
		Timestamp string `json:"timestamp"`
	} `json:"sort"`
}

// searchFilter limits a search to one object type.
type searchFilter struct {
	Property string `json:"property"`
	Value    string `json:"value"`
}

// search serves POST /v1/search: the pages and data sources the token may
// see and that are not in the trash (before 2025-09-03: pages and
// databases), whose title contains query (case-insensitive; untitled objects
// match any query), most recently edited first unless sort says otherwise.
// A database without data sources, as Share makes, is listed as itself.
func (s *Server) search(c *call) (map[string]any, *apiError) {
	var body searchBody
	var p paging
	return s.locked(c, bodyPage(&body, &p), func(o *op) (map[string]any, *apiError) {
		types, err := searchTypes(c.version, body.Filter)
		if err != nil {
			return nil, err
		}
		return o.nodeList("page_or_data_source", o.found(body, types), p, o.ws.renderLocked)
	})
}

// found returns the objects of types that the caller may see, not in the
// trash, whose titles match body's query, in the order body asks for.
func (o *op) found(body searchBody, types []objectType) []*node {
	w := o.ws
	// From 2025-09-03 a database is found through its data sources; one
	// with none, as Share makes, would otherwise not be found at all.
	bare := body.Filter == nil && o.version >= version20250903
	g := o.s.grants[o.token]
	query := strings.ToLower(body.Query)
	var hits []*node
	for _, n := range w.nodes {
		listed := slices.Contains(types, n.typ) || bare && n.typ == typeDatabase && len(n.kids) == 0
		if !listed || !w.visibleLocked(g, n) || w.trashed(n) {
			continue
		}
		if t := strings.ToLower(w.titleOf(n)); t != "" && !strings.Contains(t, query) {
			continue
		}
		hits = append(hits, n)
	}
	ascending := body.Sort != nil && body.Sort.Direction == "ascending"
	slices.SortFunc(hits, func(a, b *node) int {
		byTime := cmp.Compare(b.edited, a.edited)
		if ascending {
			byTime = -byTime
		}
		return cmp.Or(byTime, cmp.Compare(a.typ, b.typ), cmp.Compare(a.id, b.id))
	})
	return hits
}

// searchTypes returns the object types a search lists for version and
// filter.
func searchTypes(version string, filter *searchFilter) ([]objectType, *apiError) {
	other := typeDataSource
	if version < version20250903 {
		other = typeDatabase
	}
	if filter == nil {
		return []objectType{typePage, other}, nil
	}
	switch objectType(filter.Value) {
	case typePage:
		return []objectType{typePage}, nil
	case other:
		return []objectType{other}, nil
	}
	return nil, validationError(fmt.Sprintf(
		"body failed validation: body.filter.value should be `\"page\"` or `%q`, instead was `%q`.", other, filter.Value))
}
