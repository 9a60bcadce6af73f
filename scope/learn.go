package scope

import (
	"bytes"
	"fmt"

	"github.com/go-json-experiment/json/jsontext"
)

// LearnJSON learns, for credential, the parent of every object in body, a
// Notion response: one object (a page, database, data source, block or
// comment, or any other object with an id and a parent) or a list of them
// ({"object":"list","results":[...]}, as search, queries, block children
// and comment listings answer). Besides each object's own parent it
// learns the links the body states on the way: a row's data source lies
// in the database its parent names, a database's data sources lie in it,
// a data source's database lies under its database_parent, and a
// comment's discussion lies where the comment does.
//
// LearnJSON takes any input. What it cannot read it skips: members of
// unexpected types, unknown parent types, ids that are not Notion ids,
// results that are not objects, lists within results. It stops at the
// first syntax error, keeping what the objects read whole before it
// stated.
func (t *Tree) LearnJSON(credential string, body []byte) {
	dec := jsontext.NewDecoder(bytes.NewReader(body))
	if dec.PeekKind() != '{' {
		return
	}
	var top wireObject
	_, _, err := readObject(dec, &top, func(dec *jsontext.Decoder) error {
		if dec.PeekKind() != '{' {
			return dec.SkipValue()
		}
		var o wireObject
		if _, _, err := readObject(dec, &o, nil); err != nil {
			return err
		}
		if o.object != "list" {
			t.learnObject(credential, &o)
		}
		return nil
	})
	if err == nil {
		t.learnObject(credential, &top)
	}
}

// learnObject learns the links one object states.
func (t *Tree) learnObject(credential string, o *wireObject) {
	id, ok := canonicalID(o.id)
	if !ok {
		return
	}
	p, ok := o.parent.parent()
	if ok {
		t.learn(credential, id, p)
		if p.Type == DataSource && o.parent.DatabaseID != "" {
			t.learn(credential, p.ID, Parent{Type: Database, ID: o.parent.DatabaseID})
		}
	}
	switch o.object {
	case "comment":
		if ok && o.discussionID != "" {
			t.learn(credential, o.discussionID, p)
		}
	case "database":
		for _, ds := range o.dataSources {
			t.learn(credential, ds, Parent{Type: Database, ID: id})
		}
	case "data_source":
		if dp, ok2 := o.databaseParent.parent(); ok && ok2 && p.Type == Database {
			t.learn(credential, p.ID, dp)
		}
	}
}

// learn is Learn for links read from a response, which may be invalid.
func (t *Tree) learn(credential, id string, p Parent) { _ = t.Learn(credential, id, p) }

// ParentFromJSON returns the parent of the one Notion object in body, as
// GET /v1/pages/{id}, /v1/databases/{id}, /v1/data_sources/{id},
// /v1/blocks/{id} and /v1/comments/{id} answer it: the reading a FetchFunc
// needs. It fails with ErrNoParent for a body that names no parent the
// package knows (a list, an error object, an unknown parent type), and
// with the decoder's error for a body that is not one JSON object.
func ParentFromJSON(body []byte) (Parent, error) {
	dec := jsontext.NewDecoder(bytes.NewReader(body))
	if dec.PeekKind() != '{' {
		return Parent{}, fmt.Errorf("read parent: %w", ErrNoParent)
	}
	var o wireObject
	if _, _, err := readObject(dec, &o, nil); err != nil {
		return Parent{}, fmt.Errorf("read parent: %w", err)
	}
	if err := checkEOF(dec); err != nil {
		return Parent{}, fmt.Errorf("read parent: %w", err)
	}
	if p, ok := o.parent.parent(); ok && o.object != "list" {
		return p, nil
	}
	return Parent{}, fmt.Errorf("read parent: %w", ErrNoParent)
}
