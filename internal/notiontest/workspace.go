package notiontest

import (
	"cmp"
	"fmt"
)

// The fake holds one workspace: a tree of pages, databases, data sources
// and blocks, as Notion does. Pages and blocks hold blocks (a child page or
// database is also a block of its parent); a database holds data sources;
// a data source holds its rows, which are pages. Comments hang off pages
// and blocks. Sharing an object with a token shares its whole subtree.

// objectType is a Notion object type as the fake knows it; its string is the
// word Notion uses in not-found messages.
type objectType string

const (
	typePage       objectType = "page"
	typeDatabase   objectType = "database"
	typeBlock      objectType = "block"
	typeDataSource objectType = "data_source"
)

func parseObjectType(s string) (objectType, bool) {
	switch t := objectType(s); t {
	case typePage, typeDatabase, typeBlock, typeDataSource:
		return t, true
	}
	return "", false
}

// isBlock reports whether objects of type t answer the block endpoints:
// pages and databases are blocks of their parents (child_page,
// child_database); data sources are not.
func (t objectType) isBlock() bool { return t == typePage || t == typeDatabase || t == typeBlock }

// Fixed timestamps keep objects made by Share and the Add helpers
// deterministic; objects changed through the API get later ones (see tick).
const (
	createdTime    = "2025-01-01T00:00:00.000Z"
	lastEditedTime = "2025-01-02T00:00:00.000Z"
)

// node is one object of the workspace tree. Its maps are never changed in
// place once stored, only replaced, so a rendered response may share them.
type node struct {
	id     string
	typ    objectType
	parent string   // parent's id; "" is the workspace
	kids   []string // child blocks, data sources or rows, in order

	block   string         // blocks: the block type, e.g. "paragraph"
	content map[string]any // blocks: the payload under the block type
	props   map[string]any // pages: property values; data sources: the schema; by name
	title   []any          // databases and data sources: rich text
	descr   []any          // databases and data sources: rich text
	icon    any
	cover   any

	inTrash, locked, inline bool
	placeholder             bool // made by Share for an unknown id; Add may define it
	created, edited         string
	createdBy, editedBy     string // user ids
}

// workspace is the fake's content; Server.mu guards it.
type workspace struct {
	nodes    map[string]*node
	comments map[string]*comment
	people   []User
	uploads  map[string]*fileUpload
	tasks    map[string]*asyncTask
	clock    int    // API changes so far, for timestamps
	origin   string // public origin of absolute URLs in responses
}

// wsLocked returns the workspace, making its maps on first use. s.mu must
// be held.
func (s *Server) wsLocked() *workspace {
	w := &s.ws
	if w.nodes == nil {
		w.nodes = make(map[string]*node)
		w.comments = make(map[string]*comment)
		w.uploads = make(map[string]*fileUpload)
		w.tasks = make(map[string]*asyncTask)
	}
	return w
}

// tick returns the timestamp of a change made now through the API: one
// minute after the previous one, so that responses stay deterministic and
// later edits sort later.
func (w *workspace) tick() string {
	w.clock++
	return fmt.Sprintf("2025-02-%02dT%02d:%02d:00.000Z", 1+w.clock/1440%28, w.clock/60%24, w.clock%60)
}

// insertLocked adds n to the tree under its parent, at index at of the
// parent's children (-1: the end). The caller has checked the parent.
func (w *workspace) insertLocked(n *node, at int) {
	w.nodes[n.id] = n
	if p := w.nodes[n.parent]; p != nil {
		p.kids = insertAt(p.kids, n.id, at)
	}
}

// detachLocked removes n from its parent's children.
func (w *workspace) detachLocked(n *node) {
	if p := w.nodes[n.parent]; p != nil {
		kids := make([]string, 0, len(p.kids))
		for _, k := range p.kids {
			if k != n.id {
				kids = append(kids, k)
			}
		}
		p.kids = kids
	}
}

// moveLocked moves n to the end of parent's children (nil: the top of the
// workspace).
func (w *workspace) moveLocked(n, parent *node) {
	w.detachLocked(n)
	n.parent = idOf(parent)
	w.insertLocked(n, -1)
}

// idOf returns n's id; "" (the workspace) for nil.
func idOf(n *node) string {
	if n == nil {
		return ""
	}
	return n.id
}

// insertAt returns list with id inserted at index at (-1 or out of range:
// appended). It never changes list's backing array.
func insertAt(list []string, id string, at int) []string {
	out := make([]string, 0, len(list)+1)
	if at < 0 || at > len(list) {
		at = len(list)
	}
	out = append(out, list[:at]...)
	out = append(out, id)
	return append(out, list[at:]...)
}

// isAncestor reports whether a is n or one of n's ancestors.
func (w *workspace) isAncestor(a string, n *node) bool {
	for ; n != nil; n = w.nodes[n.parent] {
		if n.id == a {
			return true
		}
	}
	return false
}

// trashed reports whether n or one of its ancestors is in the trash.
func (w *workspace) trashed(n *node) bool {
	for ; n != nil; n = w.nodes[n.parent] {
		if n.inTrash {
			return true
		}
	}
	return false
}

// liveKids returns n's children that are not in the trash.
func (w *workspace) liveKids(n *node) []*node {
	var out []*node
	for _, id := range n.kids {
		if k := w.nodes[id]; k != nil && !k.inTrash {
			out = append(out, k)
		}
	}
	return out
}

// visibleLocked reports whether g may see n: n or one of its ancestors is
// shared with g. s.mu must be held.
func (w *workspace) visibleLocked(g *grant, n *node) bool {
	if g == nil {
		return false
	}
	for ; n != nil; n = w.nodes[n.parent] {
		if _, ok := g.shared[n.id]; ok {
			return true
		}
	}
	return false
}

// findLocked returns the object id of type typ when token may see it, or
// Notion's 404. For typ block, pages and databases count too. s.mu must be
// held.
func (s *Server) findLocked(token string, typ objectType, id string) (*node, *apiError) {
	w := s.wsLocked()
	n := w.nodes[id]
	if n == nil || !(n.typ == typ || typ == typeBlock && n.typ.isBlock()) ||
		!w.visibleLocked(s.grants[token], n) {
		return nil, notFoundError(typ, id)
	}
	return n, nil
}

// Parent is where an object lives, in Notion's terms.
type Parent struct {
	// Type is "workspace", "page_id", "database_id", "data_source_id" or
	// "block_id".
	Type string
	// ID is the parent's dashed id; empty for the workspace.
	ID string
}

// parentOf returns n's parent in Notion's terms.
func (w *workspace) parentOf(n *node) Parent {
	p := w.nodes[n.parent]
	if p == nil {
		return Parent{Type: "workspace"}
	}
	// "page_id", "database_id", "data_source_id" or "block_id".
	return Parent{Type: string(p.typ) + "_id", ID: p.id}
}

// ParentOf returns the parent of the object id (any id form) as Notion
// reports it, whoever may see it; false when the fake has no such object.
// A page in a data source has parent type "data_source_id".
func (s *Server) ParentOf(id string) (Parent, bool) {
	norm, ok := NormalizeID(id)
	if !ok {
		return Parent{}, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.wsLocked()
	if n := w.nodes[norm]; n != nil {
		return w.parentOf(n), true
	}
	if c := w.comments[norm]; c != nil {
		return w.parentOf(&node{parent: c.parent}), true
	}
	return Parent{}, false
}

// Share makes the object of objectType ("page", "database", "block" or
// "data_source") with id, and everything under it, visible to token; every
// object not shared with a token, itself or through an ancestor, is "not
// found" for it. An id the workspace does not hold yet becomes a new untitled
// object of that type at the top of the workspace (a block: a paragraph),
// which a later Add with that id may define.
// A page or database may be shared as a "block". Share panics when
// objectType or id is invalid or id names an object of another type: that
// is a bug in the calling test.
func (s *Server) Share(token, objectType, id string) {
	typ, ok := parseObjectType(objectType)
	if !ok {
		panic(fmt.Sprintf("notiontest: share: unknown object type %q", objectType))
	}
	norm, ok := NormalizeID(id)
	if !ok {
		panic(fmt.Sprintf("notiontest: share: invalid id %q", id))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.wsLocked()
	switch n := w.nodes[norm]; {
	case n == nil:
		n = newNode(typ, norm, "", "", "")
		n.placeholder = true
		w.nodes[norm] = n
	case n.typ != typ && !(typ == typeBlock && n.typ.isBlock()):
		panic(fmt.Sprintf("notiontest: share: %s is a %s, not a %s", norm, n.typ, typ))
	}
	s.grantLocked(token).shared[norm] = struct{}{}
}

// Unshare stops sharing the object id (any id form) itself with token, as
// when a user removes the integration's connection from that page. Objects
// shared through another ancestor stay visible.
func (s *Server) Unshare(token, id string) {
	norm, _ := NormalizeID(id)
	s.mu.Lock()
	defer s.mu.Unlock()
	if g := s.grants[token]; g != nil {
		delete(g.shared, norm)
	}
}

// newNode returns an object of type typ with the seed timestamps. title is
// the plain-text title (pages, databases, data sources) or text (blocks);
// blockType is the block type of a block ("paragraph" when empty).
func newNode(typ objectType, id, parent, title, blockType string) *node {
	n := &node{id: id, typ: typ, parent: parent, created: createdTime, edited: lastEditedTime,
		createdBy: OwnerID, editedBy: OwnerID}
	switch typ {
	case typePage:
		n.props = map[string]any{"title": titleValue(title)}
	case typeDatabase, typeDataSource:
		n.title = richText(title)
		n.descr = []any{}
		if typ == typeDataSource {
			n.props = map[string]any{"Name": map[string]any{"id": "title", "name": "Name", "type": "title", "title": map[string]any{}}}
		}
	case typeBlock:
		n.block = cmp.Or(blockType, "paragraph")
		n.content = blockContent(n.block, title)
	}
	return n
}

// titleValue returns a page's title property value holding text.
func titleValue(text string) map[string]any {
	return map[string]any{"id": "title", "type": "title", "title": richText(text)}
}

// blockContent returns the payload of a new block of type typ with text.
func blockContent(typ, text string) map[string]any {
	c := map[string]any{"rich_text": richText(text), "color": "default"}
	switch typ {
	case "to_do":
		c["checked"] = false
	case "code":
		c = map[string]any{"rich_text": richText(text), "language": "plain text", "caption": []any{}}
	case "divider":
		c = map[string]any{}
	case "heading_1", "heading_2", "heading_3":
		c["is_toggleable"] = false
	}
	return c
}
