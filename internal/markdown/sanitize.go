package markdown

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// elementRule says how sanitize writes an allowed element.
type elementRule struct {
	name   string // the name written out (h1 becomes h2)
	block  bool   // gets dir="auto"
	anchor bool   // may carry id="p-N" and data-segment="N"
	void   bool   // has no end tag
	// closesP is set for elements before which a browser closes an open <p>; sanitize
	// writes that end tag itself, so that its output reads the same once parsed.
	closesP bool
}

// allowedElements is the allow-list of elements; it is never changed.
var allowedElements = map[atom.Atom]elementRule{
	atom.P:          {name: "p", block: true, anchor: true, closesP: true},
	atom.H1:         {name: "h2", block: true, anchor: true, closesP: true},
	atom.H2:         {name: "h2", block: true, anchor: true, closesP: true},
	atom.H3:         {name: "h3", block: true, anchor: true, closesP: true},
	atom.H4:         {name: "h4", block: true, anchor: true, closesP: true},
	atom.H5:         {name: "h5", block: true, anchor: true, closesP: true},
	atom.H6:         {name: "h6", block: true, anchor: true, closesP: true},
	atom.Ul:         {name: "ul", block: true, anchor: true, closesP: true},
	atom.Ol:         {name: "ol", block: true, anchor: true, closesP: true},
	atom.Li:         {name: "li", block: true, anchor: true, closesP: true},
	atom.Blockquote: {name: "blockquote", block: true, anchor: true, closesP: true},
	atom.Pre:        {name: "pre", block: true, anchor: true, closesP: true},
	atom.Table:      {name: "table", block: true, anchor: true, closesP: true},
	atom.Th:         {name: "th", block: true},
	atom.Td:         {name: "td", block: true},
	atom.Hr:         {name: "hr", anchor: true, void: true, closesP: true},
	atom.Br:         {name: "br", void: true},
	atom.Thead:      {name: "thead"},
	atom.Tbody:      {name: "tbody"},
	atom.Tr:         {name: "tr"},
	atom.Code:       {name: "code"},
	atom.Em:         {name: "em"},
	atom.Strong:     {name: "strong"},
	atom.Del:        {name: "del"},
	atom.Sup:        {name: "sup"},
	atom.Sub:        {name: "sub"},
	atom.A:          {name: "a"},
}

// droppedWithContent lists elements whose content is dropped with them (any other element
// not allowed is dropped but its text kept); it is never changed.
var droppedWithContent = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Iframe: true, atom.Frame: true, atom.Frameset: true,
	atom.Object: true, atom.Embed: true, atom.Applet: true, atom.Svg: true, atom.Math: true,
	atom.Template: true, atom.Noscript: true, atom.Noembed: true, atom.Noframes: true,
	atom.Textarea: true, atom.Title: true, atom.Xmp: true, atom.Plaintext: true,
	atom.Select: true, atom.Head: true,
}

// sanitize writes to out the allowed part of the HTML fragment in: allowed elements with
// allowed attributes only, text escaped, every element closed. See the package documentation
// for the allow-list. It runs in time linear in the size of in, however deep the nesting.
func sanitize(out *strings.Builder, in []byte) {
	z := html.NewTokenizer(bytes.NewReader(in))
	var st openElements
	skip, skipName := 0, atom.Atom(0)
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken: // io.EOF: the input is a byte slice
			st.closeFrom(out, 0)
			return
		case html.TextToken:
			if skip == 0 {
				writeEscaped(out, z.Text())
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			nameBytes, hasAttr := z.TagName()
			name := atom.Lookup(nameBytes) // 0 for names outside HTML: never allowed
			if skip > 0 {
				if name == skipName && name != 0 && tt == html.StartTagToken {
					skip++
				}
				continue
			}
			if name != 0 && droppedWithContent[name] {
				if tt == html.StartTagToken {
					skip, skipName = 1, name
				}
				continue
			}
			rule, ok := allowedElements[name]
			if !ok {
				continue
			}
			var id, segment, start, href string
			for hasAttr {
				var k, v []byte
				k, v, hasAttr = z.TagAttr()
				switch string(k) {
				case "id":
					id = string(v)
				case "data-segment":
					segment = string(v)
				case "start":
					start = string(v)
				case "href":
					href = string(v)
				}
			}
			if rule.name == "a" && !safeHref(href) {
				continue // unwrapped: its text stays, its end tag finds it not open
			}
			if rule.closesP {
				st.closeP(out)
			}
			out.WriteByte('<')
			out.WriteString(rule.name)
			if rule.anchor {
				if strings.HasPrefix(id, "p-") && isNumber(id[2:]) && id[2] != '0' {
					writeAttr(out, "id", id)
				}
				if isNumber(segment) && segment[0] != '0' {
					writeAttr(out, "data-segment", segment)
				}
			}
			if rule.block {
				out.WriteString(` dir="auto"`)
			}
			switch rule.name {
			case "ol":
				if isNumber(start) {
					writeAttr(out, "start", start)
				}
			case "a":
				writeAttr(out, "href", href)
				out.WriteString(` rel="nofollow noopener"`)
			}
			out.WriteByte('>')
			if !rule.void {
				st.push(rule.name)
			}
		case html.EndTagToken:
			nameBytes, _ := z.TagName()
			name := atom.Lookup(nameBytes)
			if skip > 0 {
				if name == skipName {
					skip--
				}
				continue
			}
			if rule, ok := allowedElements[name]; ok && !rule.void {
				st.close(out, rule.name)
			}
		}
		// Comments, doctypes and processing instructions are dropped.
	}
}

// openElements is the stack of elements sanitize has written and not yet closed.
type openElements struct {
	names  []string
	pIndex []int          // per entry: index of the innermost p open in its scope, or -1
	count  map[string]int // open elements by name
}

func (s *openElements) push(name string) {
	p := -1
	switch name {
	case "p":
		p = len(s.names)
	case "table", "td", "th":
	default:
		if n := len(s.pIndex); n > 0 {
			p = s.pIndex[n-1]
		}
	}
	if s.count == nil {
		s.count = map[string]int{}
	}
	s.names = append(s.names, name)
	s.pIndex = append(s.pIndex, p)
	s.count[name]++
}

// closeFrom writes end tags for the elements open from index i up, innermost first.
func (s *openElements) closeFrom(out *strings.Builder, i int) {
	for j := len(s.names) - 1; j >= i; j-- {
		out.WriteString("</")
		out.WriteString(s.names[j])
		out.WriteByte('>')
		s.count[s.names[j]]--
	}
	s.names, s.pIndex = s.names[:i], s.pIndex[:i]
}

// close closes the innermost open element name and any open inside it; an end tag for an
// element that is not open is dropped.
func (s *openElements) close(out *strings.Builder, name string) {
	if s.count[name] == 0 {
		return
	}
	for i := len(s.names) - 1; i >= 0; i-- {
		if s.names[i] == name {
			s.closeFrom(out, i)
			return
		}
	}
}

// closeP closes an open <p> the way a browser does before a block element: the innermost
// p not beyond a table or cell, with everything open inside it.
func (s *openElements) closeP(out *strings.Builder) {
	if n := len(s.pIndex); n > 0 && s.pIndex[n-1] >= 0 {
		s.closeFrom(out, s.pIndex[n-1])
	}
}

// isNumber reports whether s is 1 to 9 ASCII digits.
func isNumber(s string) bool {
	if s == "" || len(s) > 9 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// safeHref reports whether a link address (as a browser reads it, entities decoded) may be
// kept: an http, https or mailto URL, or a relative one (path, query or fragment). Any
// space or control character rejects it: browsers strip some of them before they read the
// scheme ("java\tscript:").
func safeHref(href string) bool {
	if href == "" {
		return false
	}
	for i := 0; i < len(href); i++ {
		if c := href[i]; c <= ' ' || c == 0x7f {
			return false
		}
	}
	i := strings.IndexAny(href, ":/?#")
	if i < 0 || href[i] != ':' {
		return true // no scheme: relative to the page
	}
	var scheme [6]byte
	if i > len(scheme) {
		return false
	}
	for j := 0; j < i; j++ {
		c := href[j]
		switch {
		case 'a' <= c && c <= 'z':
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		default:
			return false
		}
		scheme[j] = c
	}
	switch string(scheme[:i]) {
	case "http", "https", "mailto":
		return true
	}
	return false
}

// writeAttr writes ` name="value"` with value escaped.
func writeAttr(out *strings.Builder, name, value string) {
	out.WriteByte(' ')
	out.WriteString(name)
	out.WriteString(`="`)
	writeEscaped(out, []byte(value))
	out.WriteByte('"')
}

// writeEscaped writes s with &, <, >, " and ' escaped and NUL replaced.
func writeEscaped(out *strings.Builder, s []byte) {
	last := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '"':
			esc = "&#34;"
		case '\'':
			esc = "&#39;"
		case 0:
			esc = string(utf8.RuneError)
		default:
			continue
		}
		out.Write(s[last:i])
		out.WriteString(esc)
		last = i + 1
	}
	out.Write(s[last:])
}
