package notiontest

import (
	"cmp"
	"fmt"
	"regexp"
	"strings"
)

// The markdown endpoints read and edit a page's blocks as Notion's enhanced
// markdown: one line per block (a fenced block for code), child pages and
// databases as <page url=..>title</page> and <database url=..>title</database>
// tags, other block types as <unknown/> tags listed in unknown_block_ids.
// Nested blocks are not rendered. They need Notion-Version 2026-03-11.

// markdownLine returns n's markdown, and false when the type has none.
func (w *workspace) markdownLine(n *node) (string, bool) {
	switch n.typ {
	case typePage:
		return fmt.Sprintf(`<page url="%s">%s</page>`, pageURL(n), w.pageTitle(n)), true
	case typeDatabase:
		return fmt.Sprintf(`<database url="%s">%s</database>`, pageURL(n), plainText(n.title)), true
	}
	text := w.titleOf(n)
	switch n.block {
	case "paragraph":
		return text, true
	case "heading_1", "heading_2", "heading_3":
		return strings.Repeat("#", int(n.block[len(n.block)-1]-'0')) + " " + text, true
	case "bulleted_list_item":
		return "- " + text, true
	case "numbered_list_item":
		return "1. " + text, true
	case "to_do":
		if checked, _ := n.content["checked"].(bool); checked {
			return "- [x] " + text, true
		}
		return "- [ ] " + text, true
	case "quote":
		return "> " + text, true
	case "code":
		lang, _ := n.content["language"].(string)
		return "```" + lang + "\n" + text + "\n```", true
	case "divider":
		return "---", true
	}
	return fmt.Sprintf(`<unknown url="%s#%s" alt="%s"/>`, pageURL(n), compact(n.id), n.block), false
}

// markdownOf returns the markdown of n's children and the ids of those it
// could not render.
func (w *workspace) markdownOf(n *node) (string, []any) {
	lines := []string{}
	unknown := []any{}
	for _, k := range w.liveKids(n) {
		line, ok := w.markdownLine(k)
		if !ok {
			unknown = append(unknown, k.id)
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n"), unknown
}

// markdownItem is one block of parsed markdown: a new block, or a child
// page or database named by a tag.
type markdownItem struct {
	block *node
	ref   string
}

var (
	childTag   = regexp.MustCompile(`^<(page|database) url="[^"]*?([0-9a-fA-F]{32})"[^>]*>.*</(page|database)>$`)
	markPrefix = []struct{ prefix, typ string }{
		{"### ", "heading_3"}, {"## ", "heading_2"}, {"# ", "heading_1"},
		{"- [ ] ", "to_do"}, {"- [x] ", "to_do"}, {"- ", "bulleted_list_item"}, {"* ", "bulleted_list_item"},
		{"> ", "quote"},
	}
	numbered = regexp.MustCompile(`^\d+\. `)
)

// parseMarkdown turns markdown into blocks under parentID.
func parseMarkdown(parentID, md string) []markdownItem {
	var items []markdownItem
	lines := strings.Split(strings.ReplaceAll(md, "\r\n", "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		line := strings.TrimSpace(lines[i])
		switch {
		case line == "":
			continue
		case strings.HasPrefix(line, "```"):
			var code []string
			for i++; i < len(lines) && strings.TrimSpace(lines[i]) != "```"; i++ {
				code = append(code, lines[i])
			}
			b := newBlock(parentID, "code", strings.Join(code, "\n"))
			b.content["language"] = cmp.Or(strings.TrimPrefix(line, "```"), "plain text")
			items = append(items, markdownItem{block: b})
			continue
		case line == "---":
			items = append(items, markdownItem{block: newBlock(parentID, "divider", "")})
			continue
		}
		if m := childTag.FindStringSubmatch(line); m != nil {
			id, _ := NormalizeID(m[2])
			items = append(items, markdownItem{ref: id})
			continue
		}
		items = append(items, markdownItem{block: lineBlock(parentID, line)})
	}
	return items
}

// lineBlock returns the block of one markdown line.
func lineBlock(parentID, line string) *node {
	for _, p := range markPrefix {
		if strings.HasPrefix(line, p.prefix) {
			b := newBlock(parentID, p.typ, strings.TrimPrefix(line, p.prefix))
			if p.prefix == "- [x] " {
				b.content["checked"] = true
			}
			return b
		}
	}
	if loc := numbered.FindStringIndex(line); loc != nil {
		return newBlock(parentID, "numbered_list_item", line[loc[1]:])
	}
	return newBlock(parentID, "paragraph", line)
}

// newBlock returns a new block of type typ with text under parentID.
func newBlock(parentID, typ, text string) *node {
	return newNode(typeBlock, newUUID(), parentID, text, typ)
}

// blocksFromMarkdown returns the new blocks of markdown for a new page
// (tags of child pages are dropped: a new page has none).
func (w *workspace) blocksFromMarkdown(parentID, md string) []*node {
	var out []*node
	for _, it := range parseMarkdown(parentID, md) {
		if it.block != nil {
			out = append(out, it.block)
		}
	}
	return out
}

// markdownPage finds the page (or block) a markdown endpoint names.
func (o *op) markdownPage() (*node, *apiError) {
	if o.version < version20260311 {
		return nil, validationError(fmt.Sprintf(
			"The page markdown endpoints require Notion-Version %s or later, instead was %s.", version20260311, o.version))
	}
	id, err := o.pathID("page_id")
	if err != nil {
		return nil, err
	}
	n, err := o.s.findLocked(o.token, typeBlock, id)
	if err != nil || n.typ == typeDatabase {
		return nil, notFoundError(typePage, id)
	}
	return n, nil
}

// pageMarkdown answers n as a page_markdown object.
func (w *workspace) pageMarkdown(n *node) map[string]any {
	md, unknown := w.markdownOf(n)
	return map[string]any{"object": "page_markdown", "id": n.id, "markdown": md, "truncated": false,
		"unknown_block_ids": unknown}
}

// getPageMarkdown serves GET /v1/pages/{page_id}/markdown.
func (s *Server) getPageMarkdown(c *call) (map[string]any, *apiError) {
	return s.locked(c, nil, func(o *op) (map[string]any, *apiError) {
		n, err := o.markdownPage()
		if err != nil {
			return nil, err
		}
		return o.ws.pageMarkdown(n), nil
	})
}
