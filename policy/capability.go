package policy

import (
	"errors"
	"fmt"
	"strings"
)

// A Capability is one kind of access a scoped client key can be given, in
// Notion's own vocabulary. Every endpoint needs at most one.
type Capability uint8

// The capabilities, in the order Set.String lists them.
const (
	Read          Capability = 1 << iota // read pages, blocks, databases, data sources, views; search and query
	Insert                               // create pages, databases, data sources, blocks, file uploads
	Update                               // change what exists, move pages
	Delete                               // trash, archive, delete or erase content
	CommentRead                          // list and retrieve comments
	CommentInsert                        // create and edit comments
	UserRead                             // list and retrieve users

	// ClientCredentials is not a capability a key can be given: it marks the
	// OAuth endpoints, which authenticate with the integration's client id
	// and secret rather than its token. ParseSet never yields it, so no
	// scoped key is granted them.
	ClientCredentials
)

// capabilityNames names the capabilities a configuration may list, in
// bit order.
var capabilityNames = [...]struct {
	name string
	c    Capability
}{
	{"read", Read},
	{"insert", Insert},
	{"update", Update},
	{"delete", Delete},
	{"comment_read", CommentRead},
	{"comment_insert", CommentInsert},
	{"user_read", UserRead},
}

// String returns the capability's configuration name, e.g. "comment_read";
// "client_credentials" for ClientCredentials and "none" for the zero value.
func (c Capability) String() string {
	switch c {
	case 0:
		return "none"
	case ClientCredentials:
		return "client_credentials"
	}
	for _, n := range capabilityNames {
		if n.c == c {
			return n.name
		}
	}
	return fmt.Sprintf("Capability(%#x)", uint8(c))
}

// A Set is a set of capabilities, as a key's allow list compiles to.
// The zero Set grants nothing but the endpoints that need no capability.
type Set uint8

// The presets a configuration may name besides the capabilities.
const (
	// ReadOnly is the preset read_only.
	ReadOnly = Set(Read | CommentRead | UserRead)
	// ReadWrite is the preset read_write: everything but delete.
	ReadWrite = Set(Read | Insert | Update | CommentRead | CommentInsert | UserRead)
	// All holds every capability a key can be given.
	All = ReadWrite | Set(Delete)
)

var presetNames = [...]struct {
	name string
	s    Set
}{
	{"read_only", ReadOnly},
	{"read_write", ReadWrite},
}

// SetOf returns the set holding caps.
func SetOf(caps ...Capability) Set {
	var s Set
	for _, c := range caps {
		s |= Set(c)
	}
	return s
}

// Has reports whether s holds c. It is false for the zero Capability and
// for ClientCredentials unless s was built to hold it.
func (s Set) Has(c Capability) bool { return c != 0 && Set(c)&s == Set(c) }

// String lists the capabilities in s by name, separated by commas, in the
// order of the constants ("read,comment_read,user_read"); presets are
// spelled out. The empty set is "".
func (s Set) String() string {
	var b strings.Builder
	for _, n := range capabilityNames {
		if s.Has(n.c) {
			if b.Len() > 0 {
				b.WriteByte(',')
			}
			b.WriteString(n.name)
		}
	}
	return b.String()
}

// An UnknownCapabilityError reports a name in an allow list that is
// neither a capability nor a preset.
type UnknownCapabilityError struct {
	Name string
}

func (e *UnknownCapabilityError) Error() string {
	return fmt.Sprintf("unknown capability %q (want read, insert, update, delete, comment_read, "+
		"comment_insert, user_read, or a preset: read_only, read_write)", e.Name)
}

// ParseSet returns the set named by names, the strings of a key's allow
// list: capabilities and presets, matched exactly. Every name it does not
// know is reported, as an *UnknownCapabilityError, joined with
// errors.Join; the set of the names it knows is returned with the error.
func ParseSet(names []string) (Set, error) {
	var s Set
	var errs []error
	for _, name := range names {
		if c, ok := lookupName(name); ok {
			s |= c
			continue
		}
		errs = append(errs, &UnknownCapabilityError{Name: name})
	}
	return s, errors.Join(errs...)
}

func lookupName(name string) (Set, bool) {
	for _, n := range capabilityNames {
		if n.name == name {
			return Set(n.c), true
		}
	}
	for _, p := range presetNames {
		if p.name == name {
			return p.s, true
		}
	}
	return 0, false
}
