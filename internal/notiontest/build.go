package notiontest

import (
	"fmt"
	"maps"
)

// Object describes an object for Add to put in the workspace tree.
type Object struct {
	// Type is "page", "database", "data_source" or "block".
	Type string
	// ID is the object's id in any form; empty gives a new random id.
	ID string
	// Parent is the id of the parent object, which must exist; empty is
	// the top of the workspace. Its type decides the parent type Notion
	// reports: a page may live in the workspace, a page, a data source (a
	// row) or a block; a database in the workspace, a page or a block; a
	// data source in a database; a block in a page or a block.
	Parent string
	// Title is the title of a page, database or data source, or the text
	// of a block.
	Title string
	// BlockType is a block's type, "paragraph" when empty: also
	// "heading_1", "heading_2", "heading_3", "bulleted_list_item",
	// "numbered_list_item", "to_do", "quote", "code", "divider" or any
	// other Notion block type (whose payload is then just rich_text).
	BlockType string
	// Properties are, for a row, its property values and, for a data
	// source, schema entries added to its title property "Name"; both in
	// Notion's request form, e.g. {"Done": {"checkbox": true}} and
	// {"Done": {"checkbox": {}}}.
	Properties map[string]any
}

// Add puts o in the workspace and returns its dashed id. Objects made by
// Add carry fixed timestamps and OwnerID as creator; they are visible to
// the tokens that they or an ancestor are shared with. An id that Share
// made up an object for (of the same type) is defined by Add, keeping its
// shares. Add panics when o is invalid (unknown type or parent, a parent
// type the child cannot have, an id in use): that is a bug in the calling
// test.
func (s *Server) Add(o Object) string {
	typ, ok := parseObjectType(o.Type)
	if !ok {
		panic(fmt.Sprintf("notiontest: add: unknown object type %q", o.Type))
	}
	id := newUUID()
	if o.ID != "" {
		if id, ok = NormalizeID(o.ID); !ok {
			panic(fmt.Sprintf("notiontest: add: invalid id %q", o.ID))
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.wsLocked()
	if old := w.nodes[id]; old != nil && !(old.placeholder && old.typ == typ) {
		panic(fmt.Sprintf("notiontest: add: id %s is in use", id))
	}
	var parent *node
	if o.Parent != "" {
		pid, _ := NormalizeID(o.Parent)
		if parent = w.nodes[pid]; parent == nil {
			panic(fmt.Sprintf("notiontest: add: no parent %q", o.Parent))
		}
	}
	if !canParent(typ, parent) {
		panic(fmt.Sprintf("notiontest: add: a %s cannot live under %s", typ, describe(parent)))
	}
	n := newNode(typ, id, "", o.Title, o.BlockType)
	if parent != nil {
		n.parent = parent.id
	}
	if old := w.nodes[id]; old != nil {
		n.kids = old.kids
	}
	if err := w.addProperties(n, parent, o); err != nil {
		panic(fmt.Sprintf("notiontest: add %s: %s", id, err.message))
	}
	w.insertLocked(n, -1)
	return id
}

// addProperties sets the title and Properties of a new row or data source.
func (w *workspace) addProperties(n, parent *node, o Object) *apiError {
	switch {
	case n.typ == typeDataSource && o.Properties != nil:
		schema, err := buildSchema(n.props, o.Properties)
		if err != nil {
			return err
		}
		n.props = schema
	case n.typ == typePage && parent != nil && parent.typ == typeDataSource:
		in := maps.Clone(o.Properties)
		if in == nil {
			in = map[string]any{}
		}
		if o.Title != "" {
			in[w.titleName(parent)] = map[string]any{"title": []any{map[string]any{"text": map[string]any{"content": o.Title}}}}
		}
		props, err := w.buildProps(parent, nil, in)
		if err != nil {
			return err
		}
		n.props = props
	}
	return nil
}

func describe(n *node) string {
	if n == nil {
		return "the workspace"
	}
	return fmt.Sprintf("%s %s", n.typ, n.id)
}

// AddPage adds a page titled title under parentID (a page, data source or
// block; empty: the workspace) and returns its id.
func (s *Server) AddPage(parentID, title string) string {
	return s.Add(Object{Type: "page", Parent: parentID, Title: title})
}

// AddDatabase adds a database titled title under parentID (a page or
// block; empty: the workspace) with one data source of the same title,
// whose schema is a title property "Name", and returns both ids.
func (s *Server) AddDatabase(parentID, title string) (databaseID, dataSourceID string) {
	databaseID = s.Add(Object{Type: "database", Parent: parentID, Title: title})
	return databaseID, s.AddDataSource(databaseID, title)
}

// AddDataSource adds a data source titled title to the database
// databaseID and returns its id.
func (s *Server) AddDataSource(databaseID, title string) string {
	return s.Add(Object{Type: "data_source", Parent: databaseID, Title: title})
}

// AddBlock adds a block of blockType ("paragraph" when empty) holding text
// at the end of the page or block parentID and returns its id.
func (s *Server) AddBlock(parentID, blockType, text string) string {
	return s.Add(Object{Type: "block", Parent: parentID, Title: text, BlockType: blockType})
}
