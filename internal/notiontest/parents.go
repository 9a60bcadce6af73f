package notiontest

import (
	"fmt"
	"slices"
)

// allowedParents lists, for each object type, the parent types it may have
// ("" is the workspace), as Notion's tree allows.
var allowedParents = map[objectType][]objectType{
	typePage:       {"", typePage, typeDataSource, typeBlock},
	typeDatabase:   {"", typePage, typeBlock},
	typeDataSource: {typeDatabase},
	typeBlock:      {typePage, typeBlock},
}

// parentHints are Notion's refusals of a parent that a new object of each
// type the API creates under a named parent cannot have.
var parentHints = map[objectType]string{
	typePage:       "body failed validation: body.parent should be a page, data source or workspace.",
	typeDatabase:   "body failed validation: body.parent should be a page_id or workspace parent.",
	typeDataSource: "body failed validation: body.parent should be a database_id parent.",
}

// canParent reports whether an object of type child may live under parent
// (nil: the workspace).
func canParent(child objectType, parent *node) bool {
	want := objectType("")
	if parent != nil {
		want = parent.typ
	}
	return slices.Contains(allowedParents[child], want)
}

// parentRef is a parent named in a request body: exactly one of its ids,
// or the workspace.
type parentRef struct {
	Type         string  `json:"type"`
	PageID       *string `json:"page_id"`
	DatabaseID   *string `json:"database_id"`
	DataSourceID *string `json:"data_source_id"`
	BlockID      *string `json:"block_id"`
	Workspace    *bool   `json:"workspace"`
}

// parentField is where a body names a parent.
const parentField = "body.parent"

// parent returns the node p names (nil for the workspace) when the caller
// may see it.
func (o *op) parent(p *parentRef) (*node, *apiError) {
	if p == nil {
		return nil, missingField(parentField)
	}
	refs := []struct {
		key string
		typ objectType
		raw *string
	}{
		{"page_id", typePage, p.PageID},
		{"database_id", typeDatabase, p.DatabaseID},
		{"data_source_id", typeDataSource, p.DataSourceID},
		{"block_id", typeBlock, p.BlockID},
	}
	for _, ref := range refs {
		if ref.raw == nil {
			continue
		}
		id, err := bodyID(parentField+"."+ref.key, *ref.raw)
		if err != nil {
			return nil, err
		}
		return o.s.findLocked(o.token, ref.typ, id)
	}
	if p.Type == "workspace" || p.Workspace != nil && *p.Workspace {
		return nil, nil
	}
	return nil, validationError(fmt.Sprintf(
		"body failed validation: %s should define page_id, database_id, data_source_id, block_id or workspace.", parentField))
}

// pageParent returns the node p names as a page's parent, as parent does;
// a database stands for its data source, as Notion takes it for a database
// with a single data source.
func (o *op) pageParent(p *parentRef) (*node, *apiError) {
	parent, err := o.parent(p)
	if err != nil || parent == nil || parent.typ != typeDatabase {
		return parent, err
	}
	sources := o.ws.liveKids(parent)
	if len(sources) != 1 {
		return nil, validationError(fmt.Sprintf(
			"Database %s has %d data sources: name the parent by data_source_id.", parent.id, len(sources)))
	}
	return sources[0], nil
}

// newParent returns the parent p names for a new object of type typ: one
// the caller may see, that typ may have, and not in the trash.
func (o *op) newParent(typ objectType, p *parentRef) (*node, *apiError) {
	resolve := o.parent
	if typ == typePage {
		resolve = o.pageParent
	}
	parent, err := resolve(p)
	switch {
	case err != nil:
		return nil, err
	case !canParent(typ, parent):
		return nil, validationError(parentHints[typ])
	case o.ws.trashed(parent):
		return nil, validationError(msgArchived)
	}
	return parent, nil
}

// add puts n, new, under parent at index at of its children (-1: the end),
// made now by the caller. At the top of the workspace (parent nil) it is
// shared with the caller, as what an integration creates is.
func (o *op) add(n, parent *node, at int, now string) {
	n.parent = idOf(parent)
	n.stampCreated(now, o.bot.ID)
	o.ws.insertLocked(n, at)
	if parent == nil {
		o.s.grantLocked(o.token).shared[n.id] = struct{}{}
	}
}
