package notiontest

import (
	"fmt"
	"maps"
	"slices"
)

// Notion appends at most 100 blocks a request, nested at most two levels.
const (
	maxAppend     = 100
	maxBlockDepth = 2
)

// position is where new blocks or a new page go among their parent's
// children.
type position struct {
	Type       string `json:"type"` // "after_block", "page_start"/"start", "page_end"/"end"
	AfterBlock *struct {
		ID string `json:"id"`
	} `json:"after_block"`
}

// positionIndex returns the index in parent's children that pos names (-1:
// the end).
func (w *workspace) positionIndex(parent *node, pos *position) (int, *apiError) {
	if pos == nil || parent == nil {
		return -1, nil
	}
	switch pos.Type {
	case "page_start", "start":
		return 0, nil
	case "page_end", "end", "":
		return -1, nil
	case "after_block":
		if pos.AfterBlock != nil {
			return w.afterIndex(parent, pos.AfterBlock.ID, "body.position.after_block.id")
		}
	}
	return 0, validationError(fmt.Sprintf("body failed validation: body.position.type %q is not supported.", pos.Type))
}

// afterIndex returns the index just after child raw of parent.
func (w *workspace) afterIndex(parent *node, raw, field string) (int, *apiError) {
	id, err := bodyID(field, raw)
	if err != nil {
		return 0, err
	}
	i := slices.Index(parent.kids, id)
	if i < 0 {
		return 0, validationError(fmt.Sprintf("Block %s is not a child of %s.", id, parent.id))
	}
	return i + 1, nil
}

// buildBlocks makes new blocks under parentID from block requests, with
// their nested children. It returns every new block, parents before their
// children; those whose parent is parentID are the top level. Nothing is
// added to the workspace (see commitBlocks).
func (w *workspace) buildBlocks(parentID string, reqs []any, field string, depth int) ([]*node, *apiError) {
	if len(reqs) > maxAppend {
		return nil, validationError(fmt.Sprintf("body failed validation: %s.length should be ≤ `100`, instead was `%d`.", field, len(reqs)))
	}
	if len(reqs) > 0 && depth >= maxBlockDepth {
		return nil, validationError(fmt.Sprintf("body failed validation: %s is nested too deeply.", field))
	}
	var out []*node
	for i, raw := range reqs {
		f := fmt.Sprintf("%s[%d]", field, i)
		req, _ := raw.(map[string]any)
		typ := blockType(req)
		payload, ok := req[typ].(map[string]any)
		switch {
		case typ == "":
			return nil, validationError(fmt.Sprintf("body failed validation: %s should be a block object.", f))
		case !ok:
			return nil, missingField(f + "." + typ)
		case typ == "child_page" || typ == "child_database":
			return nil, validationError(fmt.Sprintf(
				"body failed validation: %s.type %s cannot be created as a block: create a page or database.", f, typ))
		}
		n := &node{id: newUUID(), typ: typeBlock, parent: parentID, block: typ}
		content := maps.Clone(payload)
		delete(content, "children")
		n.content = normalizeRichText(content).(map[string]any)
		nested, _ := payload["children"].([]any)
		kids, err := w.buildBlocks(n.id, nested, f+"."+typ+".children", depth+1)
		if err != nil {
			return nil, err
		}
		for _, k := range kids {
			if k.parent == n.id {
				n.kids = append(n.kids, k.id)
			}
		}
		out = append(out, n)
		out = append(out, kids...)
	}
	return out, nil
}

// blockType returns the type of a block request: its "type", or its one
// object-valued key.
func blockType(req map[string]any) string {
	if t, ok := req["type"].(string); ok {
		return t
	}
	for k, v := range req {
		if _, ok := v.(map[string]any); ok && k != "object" {
			return k
		}
	}
	return ""
}

// commitBlocks adds blocks made by buildBlocks to the workspace, the top
// level into parent's children from index at (-1: the end).
func (w *workspace) commitBlocks(parent *node, blocks []*node, at int, now, by string) {
	for _, n := range blocks {
		n.stampCreated(now, by)
		if n.parent != parent.id {
			w.nodes[n.id] = n
			continue
		}
		w.insertLocked(n, at)
		if at >= 0 {
			at++
		}
	}
}

// updateBlock serves PATCH /v1/blocks/{block_id}: the payload under the
// block's own type (merged into its content; for a page or database the
// child_page or child_database title), and in_trash or archived.
func (s *Server) updateBlock(c *call) (map[string]any, *apiError) {
	var body map[string]any
	return s.onNode(c, typeBlock, jsonBody(&body), func(o *op) (map[string]any, *apiError) {
		typ := o.render()["type"].(string)
		for k, v := range body {
			switch {
			case k == "in_trash" || k == "archived" || k == typ:
			case k == "type" && v == typ:
			default:
				return nil, validationError(fmt.Sprintf(
					"body failed validation: body.%s should be not present, instead was `%v`.", k, v))
			}
		}
		return o.patch(trashRequest(boolField(body, "in_trash"), boolField(body, "archived")), func() *apiError {
			if payload, ok := body[typ].(map[string]any); ok {
				o.ws.applyBlockPayload(o.n, payload)
			}
			return nil
		})
	})
}

// applyBlockPayload merges an update payload into n.
func (w *workspace) applyBlockPayload(n *node, payload map[string]any) {
	title, _ := payload["title"].(string)
	switch n.typ {
	case typePage:
		if title != "" {
			n.props = maps.Clone(n.props)
			n.props[w.titleName(w.nodes[n.parent])] = titleValue(title)
		}
	case typeDatabase:
		if title != "" {
			n.title = richText(title)
		}
	default:
		content := maps.Clone(n.content)
		maps.Copy(content, normalizeRichText(payload).(map[string]any))
		delete(content, "children")
		n.content = content
	}
}

// boolField returns body[key] when it is a boolean.
func boolField(body map[string]any, key string) *bool {
	if b, ok := body[key].(bool); ok {
		return &b
	}
	return nil
}

// deleteBlock serves DELETE /v1/blocks/{block_id}: the block (or page, or
// database) moves to the trash and is answered.
func (s *Server) deleteBlock(c *call) (map[string]any, *apiError) {
	trash := true
	return s.onNode(c, typeBlock, nil, func(o *op) (map[string]any, *apiError) {
		return o.patch(&trash, nil)
	})
}

// listChildren serves GET /v1/blocks/{block_id}/children: the children not
// in the trash, a page of them at a time.
func (s *Server) listChildren(c *call) (map[string]any, *apiError) {
	var p paging
	return s.onNode(c, typeBlock, queryPage(&p), func(o *op) (map[string]any, *apiError) {
		var kids []*node
		if o.n.typ != typeDatabase {
			kids = o.ws.liveKids(o.n)
		}
		return o.nodeList("block", kids, p, o.ws.renderBlock)
	})
}

// appendChildren serves PATCH /v1/blocks/{block_id}/children: the new
// blocks go at the end, at position, or after the child named by after;
// the answer lists them (the top level).
func (s *Server) appendChildren(c *call) (map[string]any, *apiError) {
	var body struct {
		Children []any     `json:"children"`
		After    *string   `json:"after"`
		Position *position `json:"position"`
	}
	return s.onNode(c, typeBlock, jsonBody(&body), func(o *op) (map[string]any, *apiError) {
		w, n := o.ws, o.n
		switch {
		case w.trashed(n):
			return nil, validationError(msgArchived)
		case n.typ == typeDatabase && len(body.Children) > 0:
			return nil, validationError(fmt.Sprintf("Block %s is a database: its content is its data sources' pages.", n.id))
		}
		at, err := w.positionIndex(n, body.Position)
		if err == nil && body.After != nil {
			at, err = w.afterIndex(n, *body.After, "body.after")
		}
		if err != nil {
			return nil, err
		}
		blocks, err := w.buildBlocks(n.id, body.Children, "body.children", 0)
		if err != nil {
			return nil, err
		}
		now := w.tick()
		w.commitBlocks(n, blocks, at, now, o.bot.ID)
		n.stampEdited(now, o.bot.ID)
		var top []*node
		for _, b := range blocks {
			if b.parent == n.id {
				top = append(top, b)
			}
		}
		return o.nodeList("block", top, paging{size: maxAppend}, w.renderBlock)
	})
}
