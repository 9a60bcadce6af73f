package notiontest

import (
	"fmt"
	"slices"
	"strconv"
)

// pageBody is the body of POST /v1/pages.
type pageBody struct {
	Parent     *parentRef     `json:"parent"`
	Properties map[string]any `json:"properties"`
	Children   []any          `json:"children"`
	Content    []any          `json:"content"`
	Markdown   *string        `json:"markdown"`
	Icon       any            `json:"icon"`
	Cover      any            `json:"cover"`
	Position   *position      `json:"position"`
}

// createPage serves POST /v1/pages. The parent must be visible to the
// token; a page made at the top of the workspace is shared with it, as
// pages an integration creates are.
func (s *Server) createPage(c *call) (map[string]any, *apiError) {
	var body pageBody
	return s.locked(c, jsonBody(&body), func(o *op) (map[string]any, *apiError) {
		w := o.ws
		parent, err := o.newParent(typePage, body.Parent)
		if err != nil {
			return nil, err
		}
		n := newNode(typePage, newUUID(), "", "", "")
		if n.props, err = w.buildProps(parent, nil, body.Properties); err != nil {
			return nil, err
		}
		at, err := w.positionIndex(parent, body.Position)
		if err != nil {
			return nil, err
		}
		blocks, err := w.pageContent(n.id, body)
		if err != nil {
			return nil, err
		}
		now := w.tick()
		n.icon, n.cover = body.Icon, body.Cover
		o.add(n, parent, at, now)
		w.commitBlocks(n, blocks, -1, now, o.bot.ID)
		return w.renderPage(n, c.version), nil
	})
}

// pageContent builds the blocks a new page starts with, from children (or
// content) or markdown.
func (w *workspace) pageContent(pageID string, body pageBody) ([]*node, *apiError) {
	if body.Markdown != nil {
		return w.blocksFromMarkdown(pageID, *body.Markdown), nil
	}
	return w.buildBlocks(pageID, append(body.Children, body.Content...), "body.children", 0)
}

// getPage serves GET /v1/pages/{page_id}; filter_properties limits the
// properties answered to the ids given.
func (s *Server) getPage(c *call) (map[string]any, *apiError) {
	return s.onNode(c, typePage, nil, func(o *op) (map[string]any, *apiError) {
		page := o.render()
		if keep := c.r.URL.Query()["filter_properties"]; len(keep) > 0 {
			props := page["properties"].(map[string]any)
			for name, v := range props {
				if p, _ := v.(map[string]any); !slices.Contains(keep, fmt.Sprint(p["id"])) {
					delete(props, name)
				}
			}
		}
		return page, nil
	})
}

// pageUpdate is the body of PATCH /v1/pages/{page_id}.
type pageUpdate struct {
	Properties   map[string]any `json:"properties"`
	Icon         *any           `json:"icon"`
	Cover        *any           `json:"cover"`
	InTrash      *bool          `json:"in_trash"`
	Archived     *bool          `json:"archived"`
	IsLocked     *bool          `json:"is_locked"`
	EraseContent bool           `json:"erase_content"`
}

// updatePage serves PATCH /v1/pages/{page_id}: properties, icon, cover,
// lock, erasing the content and moving to or from the trash. A page in the
// trash can only be restored.
func (s *Server) updatePage(c *call) (map[string]any, *apiError) {
	var body pageUpdate
	return s.onNode(c, typePage, jsonBody(&body), func(o *op) (map[string]any, *apiError) {
		return o.patch(trashRequest(body.InTrash, body.Archived), func() *apiError {
			w, n := o.ws, o.n
			props, err := w.buildProps(w.nodes[n.parent], n.props, body.Properties)
			if err != nil {
				return err
			}
			n.props = props
			setGiven(&n.icon, body.Icon)
			setGiven(&n.cover, body.Cover)
			setGiven(&n.locked, body.IsLocked)
			if body.EraseContent {
				w.trashKids(n)
			}
			return nil
		})
	})
}

// trashKids moves every child of n to the trash.
func (w *workspace) trashKids(n *node) {
	for _, k := range w.liveKids(n) {
		k.inTrash = true
	}
}

// movePage serves POST /v1/pages/{page_id}/move: the page moves to the end
// of a page or into a data source, with its subtree; a row that leaves its
// data source keeps only its title.
func (s *Server) movePage(c *call) (map[string]any, *apiError) {
	var body struct {
		Parent *parentRef `json:"parent"`
	}
	return s.onNode(c, typePage, jsonBody(&body), func(o *op) (map[string]any, *apiError) {
		w, n := o.ws, o.n
		if body.Parent != nil && (body.Parent.Type == "workspace" || body.Parent.Workspace != nil) {
			return nil, validationError("body failed validation: body.parent should be a page_id or data_source_id parent.")
		}
		target, err := o.pageParent(body.Parent)
		switch {
		case err != nil:
			return nil, err
		case w.trashed(n) || w.trashed(target):
			return nil, validationError(msgArchived)
		case target.typ != typePage && target.typ != typeDataSource || w.isAncestor(n.id, target):
			return nil, validationError("body failed validation: body.parent must be a page or data source outside the page being moved.")
		}
		n.props = map[string]any{w.titleName(target): titleValue(w.pageTitle(n))}
		w.moveLocked(n, target)
		n.stampEdited(w.tick(), o.bot.ID)
		return o.render(), nil
	})
}

// titleName returns the name of the title property of pages under parent:
// "title", or the data source's title property.
func (w *workspace) titleName(parent *node) string {
	if parent != nil && parent.typ == typeDataSource {
		for name, p := range parent.props {
			if m, _ := p.(map[string]any); m["type"] == "title" {
				return name
			}
		}
	}
	return "title"
}

// paginated property types are answered as lists of property items.
var paginatedProperty = map[string]bool{"title": true, "rich_text": true, "people": true, "relation": true}

// getPageProperty serves GET /v1/pages/{page_id}/properties/{property_id}:
// one property item, or a paginated list of them for title, rich text,
// people and relation properties. The property is named by id or name.
func (s *Server) getPageProperty(c *call) (map[string]any, *apiError) {
	var p paging
	return s.onNode(c, typePage, queryPage(&p), func(o *op) (map[string]any, *apiError) {
		want := c.r.PathValue("property_id")
		for name, v := range o.ws.pageProperties(o.n) {
			if prop, _ := v.(map[string]any); name == want || fmt.Sprint(prop["id"]) == want {
				return propertyItem(prop, p, o.ws.origin+c.r.URL.Path)
			}
		}
		return nil, noSuch("property", want)
	})
}

// propertyItem answers the property value prop as Notion's property item
// endpoint at the absolute URL self does; next_url leads to the next page.
func propertyItem(prop map[string]any, p paging, self string) (map[string]any, *apiError) {
	typ, _ := prop["type"].(string)
	item := func(v any) map[string]any {
		return map[string]any{"object": "property_item", "id": prop["id"], "type": typ, typ: v}
	}
	if !paginatedProperty[typ] {
		return item(prop[typ]), nil
	}
	// A value's cursor is its index.
	values, _ := prop[typ].([]any)
	index := make([]int, len(values))
	for i := range index {
		index[i] = i
	}
	l, err := listPage("property_item", index, strconv.Itoa, p, func(i int) map[string]any { return item(values[i]) })
	if err != nil {
		return nil, err
	}
	var nextURL any
	if next, _ := l["next_cursor"].(string); next != "" {
		nextURL = self + "?start_cursor=" + next
	}
	l["property_item"] = map[string]any{"id": prop["id"], "next_url": nextURL, "type": typ, typ: map[string]any{}}
	return l, nil
}
