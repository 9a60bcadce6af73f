package scope

import (
	"errors"
	"fmt"

	"github.com/google/uuid"
)

// An ObjectType is the type of a Notion object, as a request names it or
// as a parent is reported.
type ObjectType uint8

// The object types. Unknown is a type the caller cannot tell; Workspace
// stands for the top of the workspace, which has no id.
const (
	Unknown ObjectType = iota
	Workspace
	Page
	Database
	DataSource
	Block
	Comment
	Discussion
)

var objectTypeNames = [...]string{
	Unknown:    "unknown",
	Workspace:  "workspace",
	Page:       "page",
	Database:   "database",
	DataSource: "data_source",
	Block:      "block",
	Comment:    "comment",
	Discussion: "discussion",
}

// String returns the type's name as Notion's "object" field spells it:
// "page", "data_source", "workspace"; "unknown" for Unknown.
func (t ObjectType) String() string {
	if int(t) < len(objectTypeNames) {
		return objectTypeNames[t]
	}
	return fmt.Sprintf("ObjectType(%d)", uint8(t))
}

// ParseObjectType returns the type named s as String spells it ("page",
// "data_source"), and Unknown for any other s. The names are those of
// policy.ObjectType's String, so a caller maps a policy ref with
// ParseObjectType(ref.Type.String()).
func ParseObjectType(s string) ObjectType {
	for t, name := range objectTypeNames {
		if name == s {
			return ObjectType(t)
		}
	}
	return Unknown
}

// canParent reports whether an object of type t can be a parent.
func (t ObjectType) canParent() bool {
	return t == Workspace || t == Page || t == Database || t == DataSource || t == Block
}

// A Parent is where an object lives: Notion's parent object, whose type
// "workspace", "page_id", "database_id", "data_source_id" or "block_id" is
// Type Workspace, Page, Database, DataSource or Block.
type Parent struct {
	Type ObjectType
	// ID is the parent's id as a dashed lower-case UUID; "" for Workspace.
	ID string
}

// TopLevel is the parent of an object at the top of the workspace.
var TopLevel = Parent{Type: Workspace}

// Errors of the package. Decide on them with errors.Is.
var (
	// ErrInvalidID: an id that is not a Notion id (32 hex digits, with or
	// without the four dashes).
	ErrInvalidID = errors.New("not a Notion id")
	// ErrNoParent: a parent that is not one an object can have, or a
	// JSON object that names none the package knows.
	ErrNoParent = errors.New("no known parent")
	// ErrNotFound is what a Fetch wraps when Notion answers 404: the
	// object does not exist or the credential cannot see it.
	ErrNotFound = errors.New("object not found")
	// ErrTooDeep: the walk up from an object met neither a root nor the
	// workspace within the depth limit, as in a cycle.
	ErrTooDeep = errors.New("ancestry too deep")
)

// normalize returns p with its id canonical, or ErrNoParent.
func (p Parent) normalize() (Parent, error) {
	if !p.Type.canParent() {
		return Parent{}, fmt.Errorf("parent of type %s: %w", p.Type, ErrNoParent)
	}
	if p.Type == Workspace {
		return TopLevel, nil
	}
	id, ok := canonicalID(p.ID)
	if !ok {
		return Parent{}, fmt.Errorf("parent %s: %w", p.Type, ErrInvalidID)
	}
	return Parent{Type: p.Type, ID: id}, nil
}

// canonicalID returns s, a Notion id of 32 hex digits with or without the
// four dashes, as a dashed lower-case UUID. An id already in that form is
// returned as is, without allocating.
func canonicalID(s string) (string, bool) {
	if len(s) == 36 && isCanonical(s) {
		return s, true
	}
	if len(s) != 32 && len(s) != 36 {
		return "", false
	}
	u, err := uuid.Parse(s)
	if err != nil {
		return "", false
	}
	return u.String(), true
}

// isCanonical reports whether s, of length 36, is a dashed lower-case UUID.
func isCanonical(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if c != '-' {
				return false
			}
		case '0' <= c && c <= '9' || 'a' <= c && c <= 'f':
		default:
			return false
		}
	}
	return true
}
