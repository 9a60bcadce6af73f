package notiontest

import (
	"fmt"
	"slices"
	"strings"
)

// markdownEdit is the body of PATCH /v1/pages/{page_id}/markdown: exactly
// one operation, named by type.
type markdownEdit struct {
	Type          string `json:"type"`
	InsertContent *struct {
		Content  string    `json:"content"`
		After    string    `json:"after"`
		Position *position `json:"position"`
	} `json:"insert_content"`
	ReplaceContent *struct {
		NewStr        string `json:"new_str"`
		AllowDeleting bool   `json:"allow_deleting_content"`
	} `json:"replace_content"`
	ReplaceContentRange *struct {
		Content       string `json:"content"`
		ContentRange  string `json:"content_range"`
		AllowDeleting bool   `json:"allow_deleting_content"`
	} `json:"replace_content_range"`
	UpdateContent *struct {
		ContentUpdates []struct {
			OldStr     string `json:"old_str"`
			NewStr     string `json:"new_str"`
			ReplaceAll bool   `json:"replace_all_matches"`
		} `json:"content_updates"`
		AllowDeleting bool `json:"allow_deleting_content"`
	} `json:"update_content"`
}

// updatePageMarkdown serves PATCH /v1/pages/{page_id}/markdown. Edits that
// would remove child pages or databases need allow_deleting_content; the
// removed ones go to the trash.
func (s *Server) updatePageMarkdown(c *call) (map[string]any, *apiError) {
	var body markdownEdit
	return s.locked(c, jsonBody(&body), func(o *op) (map[string]any, *apiError) {
		n, err := o.markdownPage()
		if err != nil {
			return nil, err
		}
		if o.ws.trashed(n) {
			return nil, validationError(msgArchived)
		}
		now := o.ws.tick()
		if err := o.ws.editMarkdown(n, body, now, o.bot.ID); err != nil {
			return nil, err
		}
		n.stampEdited(now, o.bot.ID)
		return o.ws.pageMarkdown(n), nil
	})
}

// editMarkdown makes the edit e to n's markdown, at now by the user by.
func (w *workspace) editMarkdown(n *node, e markdownEdit, now, by string) *apiError {
	md, _ := w.markdownOf(n)
	switch {
	case e.Type == "insert_content" && e.InsertContent != nil:
		return w.insertMarkdown(n, e.InsertContent.Content, e.InsertContent.After, e.InsertContent.Position, now, by)
	case e.Type == "replace_content" && e.ReplaceContent != nil:
		return w.replaceMarkdown(n, e.ReplaceContent.NewStr, e.ReplaceContent.AllowDeleting, now, by)
	case e.Type == "replace_content_range" && e.ReplaceContentRange != nil:
		r := e.ReplaceContentRange
		i, j, err := findRange(md, r.ContentRange)
		if err != nil {
			return err
		}
		return w.replaceMarkdown(n, md[:i]+r.Content+md[j:], r.AllowDeleting, now, by)
	case e.Type == "update_content" && e.UpdateContent != nil:
		for _, u := range e.UpdateContent.ContentUpdates {
			if !strings.Contains(md, u.OldStr) || u.OldStr == "" {
				return validationError(fmt.Sprintf("update_content: old_str %q was not found in the page.", u.OldStr))
			}
			count := 1
			if u.ReplaceAll {
				count = -1
			}
			md = strings.Replace(md, u.OldStr, u.NewStr, count)
		}
		return w.replaceMarkdown(n, md, e.UpdateContent.AllowDeleting, now, by)
	}
	return validationError(fmt.Sprintf(
		"body failed validation: body.type should be one of insert_content, replace_content, replace_content_range or update_content with its object, instead was %q.", e.Type))
}

// findRange returns where a content_range selection ("start...end", or the
// exact text) lies in md.
func findRange(md, selection string) (int, int, *apiError) {
	start, end, ellipsis := strings.Cut(selection, "...")
	i := strings.Index(md, start)
	if i >= 0 && !ellipsis {
		return i, i + len(start), nil
	}
	if i >= 0 {
		if j := strings.Index(md[i+len(start):], end); j >= 0 {
			return i, i + len(start) + j + len(end), nil
		}
	}
	return 0, 0, validationError(fmt.Sprintf("content_range %q was not found in the page.", selection))
}

// insertMarkdown adds the blocks of md to n: at the start or end, or after
// the first child whose markdown contains the start of after ("start...").
func (w *workspace) insertMarkdown(n *node, md, after string, pos *position, now, by string) *apiError {
	at := -1
	if pos != nil && (pos.Type == "start" || pos.Type == "page_start") {
		at = 0
	}
	if after != "" {
		start, _, _ := strings.Cut(after, "...")
		at = -2
		for _, k := range w.liveKids(n) {
			if line, _ := w.markdownLine(k); strings.Contains(line, start) {
				at = slices.Index(n.kids, k.id) + 1
				break
			}
		}
		if at == -2 {
			return validationError(fmt.Sprintf("insert_content: after %q was not found in the page.", after))
		}
	}
	w.commitBlocks(n, w.blocksFromMarkdown(n.id, md), at, now, by)
	return nil
}

// replaceMarkdown makes md the whole content of n. Child pages and
// databases named by tags stay (in their new order); those not named are
// trashed when allowDeleting, else the edit is refused. Other blocks are
// replaced by new ones.
func (w *workspace) replaceMarkdown(n *node, md string, allowDeleting bool, now, by string) *apiError {
	items := parseMarkdown(n.id, md)
	kept := map[string]bool{}
	for _, it := range items {
		if it.ref != "" {
			kept[it.ref] = true
		}
	}
	var dropped []string
	for _, k := range w.liveKids(n) {
		if (k.typ == typePage || k.typ == typeDatabase) && !kept[k.id] {
			dropped = append(dropped, k.id)
		}
	}
	if len(dropped) > 0 && !allowDeleting {
		return validationError(fmt.Sprintf(
			"This edit would delete child pages or databases (%s): set allow_deleting_content to true.", strings.Join(dropped, ", ")))
	}
	var kids []string
	for _, it := range items {
		switch {
		case it.block != nil:
			it.block.stampCreated(now, by)
			w.nodes[it.block.id] = it.block
			kids = append(kids, it.block.id)
		case slices.Contains(n.kids, it.ref) && !slices.Contains(kids, it.ref):
			kids = append(kids, it.ref)
		}
	}
	for _, id := range n.kids {
		if !slices.Contains(kids, id) {
			w.nodes[id].inTrash = true
			kids = append(kids, id)
		}
	}
	n.kids = kids
	return nil
}
