package web_test

import (
	"io"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// doc is a parsed HTML page with a tiny CSS selector engine for assertions: descendant
// combinators (space) between compound selectors made of an optional tag, #id, .class,
// [attr] and [attr=value] (value optionally quoted).
type doc struct {
	root *html.Node
}

func parseHTML(tb testing.TB, r io.Reader) *doc {
	tb.Helper()
	n, err := html.Parse(r)
	if err != nil {
		tb.Fatalf("parse HTML: %v", err)
	}
	return &doc{root: n}
}

// all returns the elements matching selector, in document order.
func (d *doc) all(selector string) []*html.Node {
	return selectAll(d.root, selector)
}

// first returns the first element matching selector, or nil.
func (d *doc) first(selector string) *html.Node {
	if ns := d.all(selector); len(ns) > 0 {
		return ns[0]
	}
	return nil
}

// text returns the whitespace-normalized text of the first match, or "" with none.
func (d *doc) text(selector string) string {
	n := d.first(selector)
	if n == nil {
		return ""
	}
	return textOf(n)
}

// attr returns an attribute of the first match ("" when absent).
func (d *doc) attr(selector, name string) string {
	n := d.first(selector)
	if n == nil {
		return ""
	}
	return attrOf(n, name)
}

func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

func attrOf(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, name string) bool {
	for _, a := range n.Attr {
		if a.Key == name {
			return true
		}
	}
	return false
}

// htmlNode is an element or text of a parsed page.
type htmlNode = html.Node

// textWithout is textOf without the text inside elements named skip.
func textWithout(n *html.Node, skip string) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && (n.Data == skip || n.Data == "script") { // script text is never shown
			return
		}
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
			b.WriteString(" ")
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

type attrTest struct {
	name, value string
	hasValue    bool
}

type compound struct {
	tag     string
	id      string
	classes []string
	attrs   []attrTest
}

func parseCompound(s string) compound {
	var c compound
	i := 0
	readName := func() string {
		j := i
		for j < len(s) && !strings.ContainsRune("#.[", rune(s[j])) {
			j++
		}
		name := s[i:j]
		i = j
		return name
	}
	c.tag = readName()
	for i < len(s) {
		switch s[i] {
		case '#':
			i++
			c.id = readName()
		case '.':
			i++
			c.classes = append(c.classes, readName())
		case '[':
			end := strings.IndexByte(s[i:], ']') + i
			body := s[i+1 : end]
			i = end + 1
			name, value, ok := strings.Cut(body, "=")
			c.attrs = append(c.attrs, attrTest{name: name, value: strings.Trim(value, `"'`), hasValue: ok})
		default:
			i++
		}
	}
	return c
}

func (c compound) match(n *html.Node) bool {
	if n.Type != html.ElementNode || (c.tag != "" && c.tag != "*" && n.Data != c.tag) {
		return false
	}
	if c.id != "" && attrOf(n, "id") != c.id {
		return false
	}
	for _, cl := range c.classes {
		if !containsWord(attrOf(n, "class"), cl) {
			return false
		}
	}
	for _, a := range c.attrs {
		if !hasAttr(n, a.name) || (a.hasValue && attrOf(n, a.name) != a.value) {
			return false
		}
	}
	return true
}

func containsWord(list, word string) bool {
	for _, w := range strings.Fields(list) {
		if w == word {
			return true
		}
	}
	return false
}

// selectAll matches a descendant-combinator selector under root.
func selectAll(root *html.Node, selector string) []*html.Node {
	var parts []compound
	for _, p := range strings.Fields(selector) {
		parts = append(parts, parseCompound(p))
	}
	if len(parts) == 0 {
		return nil
	}
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if parts[len(parts)-1].match(n) && ancestorsMatch(n.Parent, parts[:len(parts)-1]) {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	return out
}

func ancestorsMatch(n *html.Node, parts []compound) bool {
	if len(parts) == 0 {
		return true
	}
	for ; n != nil; n = n.Parent {
		if parts[len(parts)-1].match(n) && ancestorsMatch(n.Parent, parts[:len(parts)-1]) {
			return true
		}
	}
	return false
}

// walkElements calls fn for every element under the root.
func (d *doc) walkElements(fn func(*html.Node)) {
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			fn(n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(d.root)
}

func TestSelector(t *testing.T) {
	t.Parallel()
	d := parseHTML(t, strings.NewReader(`<html><body><main id="m"><p class="a b">one</p>
		<div><p class="b" data-x="1">two</p></div></main><p class="b">three</p></body></html>`))
	tests := []struct {
		sel  string
		want []string
	}{
		{"p", []string{"one", "two", "three"}},
		{"main p.b", []string{"one", "two"}},
		{"#m div p", []string{"two"}},
		{"p[data-x=1]", []string{"two"}},
		{`p[data-x="1"]`, []string{"two"}},
		{".a.b", []string{"one"}},
		{"main .c", nil},
	}
	for _, tt := range tests {
		var got []string
		for _, n := range d.all(tt.sel) {
			got = append(got, textOf(n))
		}
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("%s: got %q, want %q", tt.sel, got, tt.want)
		}
	}
}
