package notiontest

import (
	"fmt"
	"slices"
)

// databaseBody is the body of POST and PATCH /v1/databases. Before
// 2025-09-03 a database's schema came as properties; since then it belongs
// to the database's data sources (initial_data_source on create).
type databaseBody struct {
	Parent            *parentRef     `json:"parent"`
	Title             []any          `json:"title"`
	Description       []any          `json:"description"`
	IsInline          *bool          `json:"is_inline"`
	IsLocked          *bool          `json:"is_locked"`
	Icon              *any           `json:"icon"`
	Cover             *any           `json:"cover"`
	InTrash           *bool          `json:"in_trash"`
	Archived          *bool          `json:"archived"`
	Properties        map[string]any `json:"properties"`
	InitialDataSource *struct {
		Properties map[string]any `json:"properties"`
	} `json:"initial_data_source"`
}

// createDatabase serves POST /v1/databases: a database under a page (or at
// the top of the workspace, shared with the token) with one data source.
func (s *Server) createDatabase(c *call) (map[string]any, *apiError) {
	var body databaseBody
	return s.locked(c, jsonBody(&body), func(o *op) (map[string]any, *apiError) {
		schema, err := buildSchema(nil, body.initialSchema())
		if err != nil {
			return nil, err
		}
		parent, err := o.newParent(typeDatabase, body.Parent)
		if err != nil {
			return nil, err
		}
		now := o.ws.tick()
		db := newNode(typeDatabase, newUUID(), "", "", "")
		ds := newNode(typeDataSource, newUUID(), "", "", "")
		db.title, ds.title, ds.props = normalizeItems(body.Title), normalizeItems(body.Title), schema
		o.ws.applyDatabase(db, body)
		o.add(db, parent, -1, now)
		o.add(ds, db, -1, now)
		return o.ws.renderDatabase(db, c.version), nil
	})
}

// initialSchema returns the schema request of a new database's data
// source: initial_data_source's properties, the older properties, or a
// title property "Name".
func (b databaseBody) initialSchema() map[string]any {
	props := b.Properties
	if b.InitialDataSource != nil {
		props = b.InitialDataSource.Properties
	}
	if props == nil {
		props = map[string]any{"Name": map[string]any{"title": map[string]any{}}}
	}
	return props
}

// applyDatabase sets the fields of body that a create and an update share.
func (w *workspace) applyDatabase(n *node, body databaseBody) {
	if body.Title != nil {
		n.title = normalizeItems(body.Title)
	}
	if body.Description != nil {
		n.descr = normalizeItems(body.Description)
	}
	setGiven(&n.inline, body.IsInline)
	setGiven(&n.locked, body.IsLocked)
	setGiven(&n.icon, body.Icon)
	setGiven(&n.cover, body.Cover)
}

// getObject serves GET /v1/blocks/{block_id}, /v1/databases/{database_id}
// and /v1/data_sources/{data_source_id}.
func (s *Server) getObject(typ objectType) objectHandler {
	return func(c *call) (map[string]any, *apiError) {
		return s.onNode(c, typ, nil, func(o *op) (map[string]any, *apiError) { return o.render(), nil })
	}
}

// updateDatabase serves PATCH /v1/databases/{database_id}: title,
// description, inline, lock, icon, cover, trash, a new parent page, and
// (before 2025-09-03) the properties of its data source.
func (s *Server) updateDatabase(c *call) (map[string]any, *apiError) {
	var body databaseBody
	return s.onNode(c, typeDatabase, jsonBody(&body), func(o *op) (map[string]any, *apiError) {
		return o.patch(trashRequest(body.InTrash, body.Archived), func() *apiError {
			if sources := o.ws.liveKids(o.n); body.Properties != nil && len(sources) > 0 {
				if err := setSchema(sources[0], body.Properties); err != nil {
					return err
				}
			}
			if err := o.reparent(body.Parent); err != nil {
				return err
			}
			o.ws.applyDatabase(o.n, body)
			return nil
		})
	})
}

// setSchema changes the schema of the data source ds as a request's
// properties say (null removes one).
func setSchema(ds *node, properties map[string]any) *apiError {
	schema, err := buildSchema(ds.props, properties)
	if err == nil {
		ds.props = schema
	}
	return err
}

// reparent moves o's object (a database or data source) under the parent p
// names; nil: it stays where it is.
func (o *op) reparent(p *parentRef) *apiError {
	if p == nil {
		return nil
	}
	n := o.n
	target, err := o.parent(p)
	switch {
	case err != nil:
		return err
	case !canParent(n.typ, target) || target != nil && o.ws.isAncestor(n.id, target):
		return validationError(fmt.Sprintf("body failed validation: body.parent is not a valid parent of a %s.", n.typ))
	}
	o.ws.moveLocked(n, target)
	return nil
}

// dataSourceBody is the body of POST and PATCH /v1/data_sources.
type dataSourceBody struct {
	Parent     *parentRef     `json:"parent"`
	Title      []any          `json:"title"`
	Properties map[string]any `json:"properties"`
	Icon       *any           `json:"icon"`
	InTrash    *bool          `json:"in_trash"`
	Archived   *bool          `json:"archived"`
}

// createDataSource serves POST /v1/data_sources: a new data source of a
// database.
func (s *Server) createDataSource(c *call) (map[string]any, *apiError) {
	var body dataSourceBody
	return s.locked(c, jsonBody(&body), func(o *op) (map[string]any, *apiError) {
		if body.Properties == nil {
			return nil, missingField("body.properties")
		}
		schema, err := buildSchema(nil, body.Properties)
		if err != nil {
			return nil, err
		}
		db, err := o.newParent(typeDataSource, body.Parent)
		if err != nil {
			return nil, err
		}
		ds := newNode(typeDataSource, newUUID(), "", "", "")
		ds.title, ds.props = normalizeItems(body.Title), schema
		setGiven(&ds.icon, body.Icon)
		o.add(ds, db, -1, o.ws.tick())
		return o.ws.renderDataSource(ds, c.version), nil
	})
}

// updateDataSource serves PATCH /v1/data_sources/{data_source_id}: title,
// icon, properties (null removes one), trash and a new parent database.
func (s *Server) updateDataSource(c *call) (map[string]any, *apiError) {
	var body dataSourceBody
	return s.onNode(c, typeDataSource, jsonBody(&body), func(o *op) (map[string]any, *apiError) {
		return o.patch(trashRequest(body.InTrash, body.Archived), func() *apiError {
			n := o.n
			if body.Properties != nil {
				if err := setSchema(n, body.Properties); err != nil {
					return err
				}
			}
			if err := o.reparent(body.Parent); err != nil {
				return err
			}
			if body.Title != nil {
				n.title = normalizeItems(body.Title)
			}
			setGiven(&n.icon, body.Icon)
			return nil
		})
	})
}

// queryBody is the body of a query (see query.go for what filter and sorts
// may hold).
type queryBody struct {
	pagingBody
	Filter map[string]any `json:"filter"`
	Sorts  []any          `json:"sorts"`
}

// query serves POST /v1/data_sources/{data_source_id}/query and the older
// POST /v1/databases/{database_id}/query: the rows not in the trash that
// match the filter, in the order of the sorts (else as added), a page at a
// time.
func (s *Server) query(typ objectType, listType string) objectHandler {
	return func(c *call) (map[string]any, *apiError) {
		var body queryBody
		var p paging
		return s.onNode(c, typ, bodyPage(&body, &p), func(o *op) (map[string]any, *apiError) {
			sources := []*node{o.n}
			if typ == typeDatabase {
				sources = o.ws.liveKids(o.n)
			}
			var rows []*node
			for _, ds := range sources {
				match, err := compileFilter(ds.props, body.Filter, 0)
				if err != nil {
					return nil, err
				}
				for _, row := range o.ws.liveKids(ds) {
					if match(row) {
						rows = append(rows, row)
					}
				}
			}
			if len(body.Sorts) > 0 && len(sources) > 0 {
				order, err := compileSorts(sources[0].props, body.Sorts)
				if err != nil {
					return nil, err
				}
				slices.SortStableFunc(rows, order)
			}
			return o.nodeList(listType, rows, p, o.ws.renderPage)
		})
	}
}

// listTemplates serves GET /v1/data_sources/{data_source_id}/templates. The
// fake's data sources have no templates.
func (s *Server) listTemplates(c *call) (map[string]any, *apiError) {
	return s.onNode(c, typeDataSource, queryPage(new(paging)), func(*op) (map[string]any, *apiError) {
		return map[string]any{"templates": []any{}, "has_more": false, "next_cursor": nil}, nil
	})
}
