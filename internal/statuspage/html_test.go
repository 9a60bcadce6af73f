package statuspage

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// doc is a rendered page, parsed the way a browser parses it.
type doc struct {
	raw  string
	root *html.Node
}

// render renders p and parses the result, failing t on any error.
func render(t *testing.T, p Page) doc {
	t.Helper()
	var buf bytes.Buffer
	if err := Render(&buf, p); err != nil {
		t.Fatalf("Render: %v", err)
	}
	root, err := html.Parse(strings.NewReader(buf.String()))
	if err != nil {
		t.Fatalf("parse rendered page: %v", err)
	}
	return doc{raw: buf.String(), root: root}
}

// all returns every element for which match reports true, in document order.
func (d doc) all(match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	for n := range d.root.Descendants() {
		if n.Type == html.ElementNode && match(n) {
			out = append(out, n)
		}
	}
	return out
}

// byID returns the element with the given id, or nil.
func (d doc) byID(id string) *html.Node {
	found := d.all(func(n *html.Node) bool { return attr(n, "id") == id })
	if len(found) == 0 {
		return nil
	}
	return found[0]
}

// tag matches elements by name.
func tag(name string) func(*html.Node) bool {
	return func(n *html.Node) bool { return n.Data == name }
}

// class matches elements that carry the CSS class c.
func class(c string) func(*html.Node) bool {
	return func(n *html.Node) bool { return hasClass(n, c) }
}

func hasClass(n *html.Node, c string) bool {
	for _, f := range strings.Fields(attr(n, "class")) {
		if f == c {
			return true
		}
	}
	return false
}

// attr returns the value of n's attribute key, or "".
func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// text returns the text n shows, with runs of white space folded to one
// space and blocks set apart, as a person reads it. Titles, which show only
// as tooltips, are left out.
func text(n *html.Node) string {
	if n == nil {
		return ""
	}
	var b strings.Builder
	writeText(&b, n)
	return strings.Join(strings.Fields(b.String()), " ")
}

func writeText(b *strings.Builder, n *html.Node) {
	switch {
	case n.Type == html.TextNode:
		b.WriteString(n.Data)
		return
	case n.Type == html.ElementNode && n.Data == "title":
		return
	}
	block := n.Type == html.ElementNode && blocks[n.Data]
	if block {
		b.WriteByte(' ')
	}
	for c := range n.ChildNodes() {
		writeText(b, c)
	}
	if block {
		b.WriteByte(' ')
	}
}

// blocks are the elements whose text a reader sees apart from what is
// around them.
var blocks = map[string]bool{
	"br": true, "p": true, "div": true, "td": true, "th": true, "tr": true, "dt": true, "dd": true,
	"h1": true, "h2": true, "h3": true, "figure": true, "figcaption": true, "text": true, "section": true,
}
