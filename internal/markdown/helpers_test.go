package markdown

import (
	"fmt"
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// MustRender renders src with a new Renderer, failing tb on error.
func MustRender(tb testing.TB, src string) string {
	tb.Helper()
	h, err := New().Render(src)
	if err != nil {
		tb.Fatalf("Render(%q): %v", src, err)
	}
	return string(h)
}

// MustParse parses an HTML fragment the way a browser would inside a <div>.
func MustParse(tb testing.TB, h string) []*html.Node {
	tb.Helper()
	nodes, err := html.ParseFragment(strings.NewReader(h), &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div})
	if err != nil {
		tb.Fatalf("parse %q: %v", h, err)
	}
	return nodes
}

// outputElements are the elements rendered HTML may hold, as a browser parses it; this list
// is written independently of the package's own allow-list.
var outputElements = map[string]bool{
	"p": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "ul": true,
	"ol": true, "li": true, "blockquote": true, "pre": true, "code": true, "em": true,
	"strong": true, "del": true, "a": true, "br": true, "hr": true, "table": true,
	"thead": true, "tbody": true, "tr": true, "th": true, "td": true, "sup": true, "sub": true,
}

// dirElements must carry dir="auto".
var dirElements = map[string]bool{
	"p": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "ul": true,
	"ol": true, "li": true, "blockquote": true, "pre": true, "table": true, "th": true, "td": true,
}

// checkSafe reports the first way in which parsed output breaks the allow-list, or nil.
// Every block element must carry dir="auto" unless anyDir is set: a browser builds empty
// elements without attributes for some stray tags (a "</p>" with no open p), harmless but
// possible when sanitizing arbitrary HTML, never in rendered Markdown.
func checkSafe(nodes []*html.Node, anyDir ...bool) error {
	requireDir := len(anyDir) == 0 || !anyDir[0]
	var err error
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if err != nil {
			return
		}
		switch n.Type {
		case html.ElementNode:
			if n.Namespace != "" || !outputElements[n.Data] {
				err = fmt.Errorf("element <%s> (namespace %q) not allowed", n.Data, n.Namespace)
				return
			}
			if requireDir && dirElements[n.Data] && attr(n, "dir") != "auto" {
				err = fmt.Errorf("<%s> without dir=auto", n.Data)
				return
			}
			for _, a := range n.Attr {
				if e := checkAttr(n.Data, a); e != nil {
					err = e
					return
				}
			}
			if n.Data == "a" && attr(n, "rel") != "nofollow noopener" {
				err = fmt.Errorf("<a> without rel=nofollow noopener")
				return
			}
		case html.TextNode:
		default:
			err = fmt.Errorf("node type %d (%q) not allowed", n.Type, n.Data)
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	for _, n := range nodes {
		walk(n)
	}
	return err
}

func checkAttr(elem string, a html.Attribute) error {
	digits := func(s string) bool {
		if s == "" || len(s) > 9 {
			return false
		}
		for _, c := range s {
			if c < '0' || c > '9' {
				return false
			}
		}
		return true
	}
	ok := false
	switch {
	case a.Namespace != "":
	case a.Key == "dir":
		ok = a.Val == "auto" && dirElements[elem]
	case a.Key == "id":
		ok = strings.HasPrefix(a.Val, "p-") && digits(a.Val[2:])
	case a.Key == "data-segment":
		ok = digits(a.Val)
	case a.Key == "start":
		ok = elem == "ol" && digits(a.Val)
	case a.Key == "rel":
		ok = elem == "a" && a.Val == "nofollow noopener"
	case a.Key == "href":
		ok = elem == "a" && hrefAllowed(a.Val)
	}
	if !ok {
		return fmt.Errorf("attribute %s=%q on <%s> not allowed", a.Key, a.Val, elem)
	}
	return nil
}

// hrefAllowed is the test's own reading of an address as a browser does: ASCII tab and
// newline removed anywhere, C0 controls and spaces trimmed, then the scheme must be http,
// https or mailto, or there must be none.
func hrefAllowed(href string) bool {
	if href == "" {
		return false
	}
	v := strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, href)
	v = strings.TrimFunc(v, func(r rune) bool { return r <= ' ' })
	lower := strings.ToLower(v)
	for _, bad := range []string{"javascript:", "vbscript:", "data:", "file:", "blob:"} {
		if strings.HasPrefix(lower, bad) {
			return false
		}
	}
	for _, good := range []string{"http://", "https://", "http:", "https:", "mailto:"} {
		if strings.HasPrefix(lower, good) {
			return true
		}
	}
	i := strings.IndexAny(v, ":/?#")
	return i < 0 || v[i] != ':'
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

// findAll returns the elements named tag (any element when tag is "") in document order.
func findAll(nodes []*html.Node, tag string) []*html.Node {
	var out []*html.Node
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && (tag == "" || n.Data == tag) {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	for _, n := range nodes {
		walk(n)
	}
	return out
}

// textOf returns the text content of nodes.
func textOf(nodes ...*html.Node) string {
	var b strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	for _, n := range nodes {
		walk(n)
	}
	return b.String()
}

// numbered describes the elements that carry data-segment, as "tag#id:segment" (id empty
// when absent), in document order.
func numbered(nodes []*html.Node) []string {
	var out []string
	for _, n := range findAll(nodes, "") {
		if hasAttr(n, "data-segment") || hasAttr(n, "id") {
			out = append(out, n.Data+"#"+attr(n, "id")+":"+attr(n, "data-segment"))
		}
	}
	return out
}
