package scope

import (
	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// wireObject is what the package reads of a Notion object. A member of
// an unexpected type is left out, so that one odd member costs only what
// it holds.
type wireObject struct {
	object, id     string
	parent         wireParent
	databaseParent wireParent
	dataSources    []string
	discussionID   string
}

// wireParent is Notion's parent object; Type is "" when absent. A row's
// parent names its data source and, from 2025-09-03, the database that
// holds it.
type wireParent struct {
	Type         string `json:"type"`
	PageID       string `json:"page_id"`
	DatabaseID   string `json:"database_id"`
	DataSourceID string `json:"data_source_id"`
	BlockID      string `json:"block_id"`
}

// parent returns p as a Parent, or false for a type the package does not
// know or a missing id.
func (p wireParent) parent() (Parent, bool) {
	var typ ObjectType
	var id string
	switch p.Type {
	case "workspace":
		return TopLevel, true
	case "page_id":
		typ, id = Page, p.PageID
	case "database_id":
		typ, id = Database, p.DatabaseID
	case "data_source_id":
		typ, id = DataSource, p.DataSourceID
	case "block_id":
		typ, id = Block, p.BlockID
	default:
		return Parent{}, false
	}
	id, ok := canonicalID(id)
	return Parent{Type: typ, ID: id}, ok
}

// readObject reads the JSON object that is next in dec into o, and returns
// its offsets in the input: of its '{' and just after its '}'. With
// results set, each element of a "results" array member is passed to it
// in turn, and must be read by it.
func readObject(dec *jsontext.Decoder, o *wireObject, results func(*jsontext.Decoder) error) (start, end int64, err error) {
	if _, err := dec.ReadToken(); err != nil {
		return 0, 0, err
	}
	start = dec.InputOffset() - 1
	for dec.PeekKind() != '}' {
		name, err := dec.ReadToken()
		if err != nil {
			return 0, 0, err
		}
		if err := o.readMember(dec, name.String(), results); err != nil {
			return 0, 0, err
		}
	}
	if _, err := dec.ReadToken(); err != nil {
		return 0, 0, err
	}
	return start, dec.InputOffset(), nil
}

// readMember reads the value of member name into o.
func (o *wireObject) readMember(dec *jsontext.Decoder, name string, results func(*jsontext.Decoder) error) error {
	switch {
	case name == "object":
		return readString(dec, &o.object)
	case name == "id":
		return readString(dec, &o.id)
	case name == "discussion_id":
		return readString(dec, &o.discussionID)
	case name == "parent":
		return readParent(dec, &o.parent)
	case name == "database_parent":
		return readParent(dec, &o.databaseParent)
	case name == "data_sources" && dec.PeekKind() == '[':
		v, err := dec.ReadValue()
		if err != nil {
			return err
		}
		var refs []struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(v, &refs) == nil {
			for _, r := range refs {
				o.dataSources = append(o.dataSources, r.ID)
			}
		}
		return nil
	case name == "results" && results != nil && dec.PeekKind() == '[':
		if _, err := dec.ReadToken(); err != nil {
			return err
		}
		for dec.PeekKind() != ']' {
			if err := results(dec); err != nil {
				return err
			}
		}
		_, err := dec.ReadToken()
		return err
	}
	return dec.SkipValue()
}

// readString reads a string into s; a value of another kind is skipped.
func readString(dec *jsontext.Decoder, s *string) error {
	if dec.PeekKind() != '"' {
		return dec.SkipValue()
	}
	tok, err := dec.ReadToken()
	if err == nil {
		*s = tok.String()
	}
	return err
}

// readParent reads a parent object into p; a value of another kind, or
// an object with members of unexpected types, leaves p as it was.
func readParent(dec *jsontext.Decoder, p *wireParent) error {
	if dec.PeekKind() != '{' {
		return dec.SkipValue()
	}
	v, err := dec.ReadValue()
	if err != nil {
		return err
	}
	var wp wireParent
	if json.Unmarshal(v, &wp) == nil {
		*p = wp
	}
	return nil
}
