package notiontest

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
)

// comment is a comment on a page or block. Comments of one discussion share
// its id; a page-level comment starts a new discussion.
type comment struct {
	id, parent, discussion string
	text                   []any
	created, edited, by    string
	byName                 string
	deleted                bool
	seq                    int // creation order
}

// commentBody is the body of POST /v1/comments and PATCH
// /v1/comments/{comment_id}.
type commentBody struct {
	Parent       *parentRef `json:"parent"`
	DiscussionID *string    `json:"discussion_id"`
	RichText     []any      `json:"rich_text"`
	Markdown     *string    `json:"markdown"`
}

// text returns the comment text the body gives, in response form.
func (b commentBody) text() ([]any, *apiError) {
	switch {
	case b.RichText != nil:
		return normalizeItems(b.RichText), nil
	case b.Markdown != nil:
		return richText(*b.Markdown), nil
	}
	return nil, missingField("body.rich_text")
}

// AddComment adds a comment with text on the page or block parentID (any
// id form), starting a new discussion, and returns the comment's id and
// the discussion's. It panics when there is no such page or block.
func (s *Server) AddComment(parentID, text string) (commentID, discussionID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.wsLocked()
	id, _ := NormalizeID(parentID)
	if n := w.nodes[id]; n == nil || n.typ != typePage && n.typ != typeBlock {
		panic(fmt.Sprintf("notiontest: add comment: no page or block %q", parentID))
	}
	c := w.addComment(id, newUUID(), richText(text), createdTime, OwnerID, "")
	return c.id, c.discussion
}

// addComment stores a new comment.
func (w *workspace) addComment(parent, discussion string, text []any, now, by, byName string) *comment {
	c := &comment{id: newUUID(), parent: parent, discussion: discussion, text: text,
		created: now, edited: now, by: by, byName: byName, seq: len(w.comments)}
	w.comments[c.id] = c
	return c
}

// renderComment returns c as Notion answers it.
func (w *workspace) renderComment(c *comment) map[string]any {
	kind, name := "user", "Workspace owner"
	if c.byName != "" {
		kind, name = "integration", c.byName
	}
	return map[string]any{
		"object":           "comment",
		"id":               c.id,
		"parent":           w.parentJSON(&node{parent: c.parent}, version20250903),
		"discussion_id":    c.discussion,
		"created_time":     c.created,
		"last_edited_time": c.edited,
		"created_by":       userRef(c.by),
		"rich_text":        c.text,
		"display_name":     map[string]any{"type": kind, "resolved_name": name},
	}
}

// commentTarget returns the page or block id, which a comment may be on,
// when the caller may see it.
func (o *op) commentTarget(id string) (*node, *apiError) {
	n, err := o.s.findLocked(o.token, typeBlock, id)
	if err == nil && n.typ == typeDatabase {
		return nil, validationError(fmt.Sprintf("Block %s is a database: comment on a page or block.", id))
	}
	return n, err
}

// listComments serves GET /v1/comments?block_id=..: the comments on that
// page or block, oldest first.
func (s *Server) listComments(c *call) (map[string]any, *apiError) {
	raw := c.r.URL.Query().Get("block_id")
	if raw == "" {
		return nil, missingField("query.block_id")
	}
	id, err := bodyID("query.block_id", raw)
	if err != nil {
		return nil, err
	}
	var p paging
	return s.locked(c, queryPage(&p), func(o *op) (map[string]any, *apiError) {
		if _, err := o.commentTarget(id); err != nil {
			return nil, err
		}
		on := make([]*comment, 0)
		for _, cm := range o.ws.comments {
			if cm.parent == id && !cm.deleted {
				on = append(on, cm)
			}
		}
		sortComments(on)
		return listPage("comment", on, func(cm *comment) string { return cm.id }, p, o.ws.renderComment)
	})
}

// createComment serves POST /v1/comments: a new discussion on a page or
// block (parent), or a reply in a discussion (discussion_id).
func (s *Server) createComment(c *call) (map[string]any, *apiError) {
	var body commentBody
	return s.locked(c, jsonBody(&body), func(o *op) (map[string]any, *apiError) {
		text, err := body.text()
		if err != nil {
			return nil, err
		}
		parent, discussion, err := o.commentThread(body)
		if err != nil {
			return nil, err
		}
		if _, err := o.commentTarget(parent); err != nil {
			return nil, err
		}
		cm := o.ws.addComment(parent, discussion, text, o.ws.tick(), o.bot.ID, cmp.Or(o.bot.Name, "Integration"))
		return o.ws.renderComment(cm), nil
	})
}

// commentThread returns where a new comment goes: the page or block of the
// discussion body names, or a new discussion on the parent it names.
func (o *op) commentThread(body commentBody) (parent, discussion string, err *apiError) {
	if body.DiscussionID != nil {
		did, err := bodyID("body.discussion_id", *body.DiscussionID)
		if err != nil {
			return "", "", err
		}
		if parent = o.ws.discussionParent(did); parent == "" {
			return "", "", notFoundError("discussion", did)
		}
		return parent, did, nil
	}
	n, err := o.parent(body.Parent)
	if err == nil && (n == nil || n.typ != typePage && n.typ != typeBlock) {
		err = validationError("body failed validation: body.parent should be a page_id or block_id parent.")
	}
	if err != nil {
		return "", "", err
	}
	return n.id, newUUID(), nil
}

// sortComments sorts comments oldest first.
func sortComments(cs []*comment) {
	slices.SortFunc(cs, func(a, b *comment) int { return cmp.Compare(a.seq, b.seq) })
}

// discussionParent returns the page or block a discussion is on, or "".
func (w *workspace) discussionParent(discussion string) string {
	for _, cm := range w.comments {
		if cm.discussion == discussion {
			return cm.parent
		}
	}
	return ""
}

// commentByID serves GET, PATCH and DELETE /v1/comments/{comment_id}: the
// comment, its new text, or its deletion.
func (s *Server) commentByID(c *call) (map[string]any, *apiError) {
	var body commentBody
	var read reader
	if c.r.Method == http.MethodPatch {
		read = jsonBody(&body)
	}
	return onPath(s, c, "comment_id", read, (*op).comment, func(o *op, cm *comment) (map[string]any, *apiError) {
		switch c.r.Method {
		case http.MethodPatch:
			text, err := body.text()
			if err != nil {
				return nil, err
			}
			cm.text, cm.edited = text, o.ws.tick()
		case http.MethodDelete:
			cm.deleted = true
		}
		return o.ws.renderComment(cm), nil
	})
}

// comment returns the comment id when the caller may see what it is on.
func (o *op) comment(id string) (*comment, *apiError) {
	cm := o.ws.comments[id]
	if cm == nil || cm.deleted {
		return nil, notFoundError("comment", id)
	}
	if _, err := o.commentTarget(cm.parent); err != nil {
		return nil, notFoundError("comment", id)
	}
	return cm, nil
}
