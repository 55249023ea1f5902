package mt

import (
	"html"
	"strconv"
	"strings"
	"unicode"
)

// A segment is one Markdown paragraph prepared for an engine that translates HTML and
// carries inline tags along with the words they mark (Apertium's "-f html"):
//
//   - emphasis becomes tags, so that it follows reordered words ("The **red** flag" →
//     "La bandera **roja**"): ** <b>, __ <strong>, * <i>, _ <em>, ~~ <s>;
//   - a link's text is translated, its destination kept: [text](url) → <a href="N">text</a>;
//   - what must not be translated becomes an opaque placeholder word that the engine
//     passes through as an unknown word: code spans, images, autolinks and raw HTML,
//     bare URLs;
//   - &, < and > in text are escaped; newlines, indentation and block markers ("- ",
//     "1. ", "> ", "# ") stay text; the segment's leading and trailing white space is
//     set aside and put back verbatim.
//
// restore(s.html) == original for every input (see FuzzSegmentRoundTrip). The parser
// is deliberately simpler than CommonMark: where it misreads syntax, the syntax is still
// carried through unchanged, only possibly less well placed.
type segment struct {
	lead, trail string   // white space around the body, put back verbatim
	html        string   // the body to translate
	kept        []string // placeholder originals and link ends ("](url)"), by number
	marker      string   // placeholder prefix; occurs in no input of the batch
}

// placeholderEnd closes every placeholder, so that a digit after it is not read as part
// of its number.
const placeholderEnd = "qz"

// placeholderMarker returns a placeholder prefix that occurs in none of texts (ignoring
// case), so every placeholder found in the engine's output is one of ours.
func placeholderMarker(texts []string) string {
	marker := "zqx"
	for {
		clash := false
		for _, t := range texts {
			if containsFold(t, marker) {
				clash = true
				break
			}
		}
		if !clash {
			return marker
		}
		marker += "x"
	}
}

// newSegment prepares text for translation with the given placeholder marker.
func newSegment(text, marker string) segment {
	body := strings.TrimLeftFunc(text, unicode.IsSpace)
	lead := text[:len(text)-len(body)]
	body = strings.TrimRightFunc(body, unicode.IsSpace)
	trail := text[len(lead)+len(body):]
	c := converter{marker: marker}
	c.inline(body)
	return segment{lead: lead, trail: trail, html: c.b.String(), kept: c.kept, marker: marker}
}

// converter turns Markdown inline syntax into HTML, collecting what it keeps aside.
type converter struct {
	b      strings.Builder
	kept   []string
	marker string
}

// keep writes a placeholder for s.
func (c *converter) keep(s string) {
	c.b.WriteString(c.marker)
	c.b.WriteString(strconv.Itoa(len(c.kept)))
	c.b.WriteString(placeholderEnd)
	c.kept = append(c.kept, s)
}

// inline converts s, a run of Markdown inline content, into c.b.
func (c *converter) inline(s string) {
	for i := 0; i < len(s); {
		ch := s[i]
		switch {
		case ch == '\\' && i+1 < len(s) && isASCIIPunct(s[i+1]):
			c.text(s[i : i+2]) // an escaped character is never syntax
			i += 2
		case ch == '`':
			if end := codeSpanEnd(s, i); end > 0 {
				c.keep(s[i:end])
				i = end
				continue
			}
			n := runLength(s, i, '`')
			c.text(s[i : i+n])
			i += n
		case ch == '!' && strings.HasPrefix(s[i+1:], "["):
			if _, end := linkEnd(s, i+1); end > 0 {
				c.keep(s[i:end])
				i = end
				continue
			}
			c.text("!")
			i++
		case ch == '[':
			if textEnd, end := linkEnd(s, i); end > 0 {
				c.b.WriteString(`<a href="` + strconv.Itoa(len(c.kept)) + `">`)
				c.kept = append(c.kept, s[textEnd:end])
				c.inline(s[i+1 : textEnd])
				c.b.WriteString("</a>")
				i = end
				continue
			}
			c.text("[")
			i++
		case ch == '<':
			if end := angleEnd(s, i); end > 0 {
				c.keep(s[i:end])
				i = end
				continue
			}
			c.text("<")
			i++
		case (ch == 'h' || ch == 'H' || ch == 'w' || ch == 'W') && (i == 0 || !isWordByte(s[i-1])):
			if end := bareURLEnd(s, i); end > 0 {
				c.keep(s[i:end])
				i = end
				continue
			}
			c.text(s[i : i+1])
			i++
		case ch == '*' || ch == '_' || ch == '~':
			i = c.emphasis(s, i)
		default:
			j := i + 1
			for j < len(s) && !isSpecial(s[j]) {
				j++
			}
			c.text(s[i:j])
			i = j
		}
	}
}

// emphasis converts the emphasis that starts at s[i] if it is closed, or writes the
// delimiter as text; it returns where to go on.
func (c *converter) emphasis(s string, i int) int {
	delim := s[i : i+1]
	if strings.HasPrefix(s[i:], strings.Repeat(delim, 2)) {
		delim += delim
	}
	tag := emphasisTag(delim)
	if tag == "" { // a single "~"
		c.text(delim)
		return i + len(delim)
	}
	if end := emphasisEnd(s, i, delim); end > 0 {
		c.b.WriteString("<" + tag + ">")
		c.inline(s[i+len(delim) : end])
		c.b.WriteString("</" + tag + ">")
		return end + len(delim)
	}
	c.text(delim)
	return i + len(delim)
}

// emphasisTag returns the HTML tag standing for a Markdown emphasis delimiter, or "".
func emphasisTag(delim string) string {
	switch delim {
	case "**":
		return "b"
	case "__":
		return "strong"
	case "*":
		return "i"
	case "_":
		return "em"
	case "~~":
		return "s"
	}
	return ""
}

// markdownFor returns the Markdown delimiter for an emphasis tag name ("b", "/b", ...).
func markdownFor(tag string) (string, bool) {
	switch strings.TrimPrefix(tag, "/") {
	case "b":
		return "**", true
	case "strong":
		return "__", true
	case "i":
		return "*", true
	case "em":
		return "_", true
	case "s":
		return "~~", true
	}
	return "", false
}

// emphasisEnd returns the index of the delimiter closing the emphasis opened at s[i], or
// -1. An opener must be followed, and a closer preceded, by non-space; underscores
// must not touch a word on their outer side; a single delimiter is not half of a double
// one; emphasis does not cross a blank line, a code span or an escaped character.
func emphasisEnd(s string, i int, delim string) int {
	start := i + len(delim)
	if start >= len(s) || isSpaceByte(s[start]) {
		return -1
	}
	ch := delim[0]
	if ch == '_' && i > 0 && isWordByte(s[i-1]) {
		return -1
	}
	for j := start + 1; j+len(delim) <= len(s); j++ {
		switch {
		case s[j] == '\\':
			j++
			continue
		case s[j] == '`':
			if end := codeSpanEnd(s, j); end > 0 {
				j = end - 1
			}
			continue
		case s[j] == '\n' && strings.HasPrefix(strings.TrimLeft(s[j+1:], " \t"), "\n"):
			return -1
		}
		if !strings.HasPrefix(s[j:], delim) || isSpaceByte(s[j-1]) {
			continue
		}
		after := j + len(delim)
		if len(delim) == 1 && (s[j-1] == ch || after < len(s) && s[after] == ch) {
			continue
		}
		if ch == '_' && after < len(s) && isWordByte(s[after]) {
			continue
		}
		return j
	}
	return -1
}

// codeSpanEnd returns the end of the code span whose opening backtick run starts at
// s[i], or -1 if the run is not closed by one of the same length.
func codeSpanEnd(s string, i int) int {
	n := runLength(s, i, '`')
	for j := i + n; j < len(s); {
		k := strings.IndexByte(s[j:], '`')
		if k < 0 {
			return -1
		}
		j += k
		m := runLength(s, j, '`')
		if m == n {
			return j + m
		}
		j += m
	}
	return -1
}

// linkEnd parses a link whose "[" is at s[i]: [text](destination) or [text][label]. It
// returns the index of the closing "]" of the text and the end of the link, or -1, -1.
func linkEnd(s string, i int) (textEnd, end int) {
	textEnd = closingBracket(s, i, '[', ']')
	if textEnd < 0 || textEnd+1 >= len(s) {
		return -1, -1
	}
	switch s[textEnd+1] {
	case '(':
		end = closingBracket(s, textEnd+1, '(', ')')
	case '[':
		end = closingBracket(s, textEnd+1, '[', ']')
	default:
		return -1, -1
	}
	if end < 0 {
		return -1, -1
	}
	return textEnd, end + 1
}

// closingBracket returns the index of the bracket closing the one at s[i], honouring
// nesting and backslash escapes, or -1.
func closingBracket(s string, i int, open, close byte) int {
	depth := 0
	for j := i; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case open:
			depth++
		case close:
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return -1
}

// angleEnd returns the end of an autolink or raw HTML tag starting at s[i] ("<https://…>",
// "<br>", "</span>", "<!-- … -->"), or -1 when the "<" is plain text ("a < b").
func angleEnd(s string, i int) int {
	if i+1 >= len(s) {
		return -1
	}
	if next := s[i+1]; !(isLetters(s[i+1:i+2]) || next == '/' || next == '!' || next == '?') {
		return -1
	}
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '>':
			return j + 1
		case '<', '\n':
			return -1
		}
	}
	return -1
}

// bareURLEnd returns the end of a URL starting at s[i] ("https://…", "www.…"), without
// trailing punctuation or an unmatched closing parenthesis, or -1.
func bareURLEnd(s string, i int) int {
	rest := strings.ToLower(s[i:min(len(s), i+8)])
	if !strings.HasPrefix(rest, "http://") && !strings.HasPrefix(rest, "https://") && !strings.HasPrefix(rest, "www.") {
		return -1
	}
	end := i
	for end < len(s) && !isSpaceByte(s[end]) && s[end] != '<' {
		end++
	}
	for end > i {
		last := s[end-1]
		if strings.IndexByte(".,:;!?\"'*_~", last) >= 0 ||
			last == ')' && strings.Count(s[i:end], "(") < strings.Count(s[i:end], ")") {
			end--
			continue
		}
		break
	}
	if end-i <= len("www.") {
		return -1
	}
	return end
}

// text writes s HTML-escaped.
func (c *converter) text(s string) {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '&':
			c.b.WriteString("&amp;")
		case '<':
			c.b.WriteString("&lt;")
		case '>':
			c.b.WriteString("&gt;")
		default:
			c.b.WriteByte(s[i])
		}
	}
}

// restore turns the engine's translation of s.html back into Markdown. It tolerates tags
// that the engine moved, split or dropped.
func (s segment) restore(out string) string {
	var b strings.Builder
	b.WriteString(s.lead)
	var links []string // ends of the links open at this point
	for out != "" {
		lt := strings.IndexByte(out, '<')
		if lt < 0 {
			break
		}
		gt := strings.IndexByte(out[lt:], '>')
		if gt < 0 {
			break
		}
		b.WriteString(s.unplace(html.UnescapeString(out[:lt])))
		tag := out[lt+1 : lt+gt]
		out = out[lt+gt+1:]
		switch name := tagName(tag); {
		case name == "a":
			b.WriteString("[")
			end, _ := s.keptAt(attrValue(tag, "href"))
			links = append(links, end)
		case name == "/a":
			if len(links) > 0 {
				b.WriteString(links[len(links)-1])
				links = links[:len(links)-1]
			}
		default:
			delim, _ := markdownFor(name) // any other tag is dropped
			b.WriteString(delim)
		}
	}
	b.WriteString(s.unplace(html.UnescapeString(out)))
	b.WriteString(s.trail)
	return b.String()
}

// unplace replaces the placeholders in t by the text they stand for.
func (s segment) unplace(t string) string {
	if len(s.kept) == 0 {
		return t
	}
	var b strings.Builder
	for {
		i := indexFold(t, s.marker)
		if i < 0 {
			break
		}
		j := i + len(s.marker)
		k := j
		for k < len(t) && t[k] >= '0' && t[k] <= '9' {
			k++
		}
		kept, ok := s.keptAt(t[j:k])
		if !ok || !hasPrefixFold(t[k:], placeholderEnd) {
			b.WriteString(t[:j])
			t = t[j:]
			continue
		}
		b.WriteString(t[:i])
		b.WriteString(kept)
		t = t[k+len(placeholderEnd):]
	}
	b.WriteString(t)
	return b.String()
}

// keptAt returns kept text number n (decimal), if there is one.
func (s segment) keptAt(n string) (string, bool) {
	i, err := strconv.Atoi(n)
	if err != nil || i < 0 || i >= len(s.kept) || n != strconv.Itoa(i) {
		return "", false
	}
	return s.kept[i], true
}

// tagName returns the lower-case name of a tag's inside ("B", "a href=…", "/i"), with
// "/" for closing tags.
func tagName(tag string) string {
	name := tag
	if i := strings.IndexFunc(tag, unicode.IsSpace); i >= 0 {
		name = tag[:i]
	}
	return strings.ToLower(strings.TrimSuffix(name, "/"))
}

// attrValue returns the double-quoted value of attribute name in a tag's inside.
func attrValue(tag, name string) string {
	_, v, ok := strings.Cut(tag, name+`="`)
	if !ok {
		return ""
	}
	v, _, _ = strings.Cut(v, `"`)
	return v
}

func runLength(s string, i int, ch byte) int {
	n := 0
	for i+n < len(s) && s[i+n] == ch {
		n++
	}
	return n
}

// isSpecial reports whether c may start syntax that inline handles.
func isSpecial(c byte) bool {
	return strings.IndexByte("\\`![<*_~&>hHwW", c) >= 0
}

func isASCIIPunct(c byte) bool {
	return c < 0x80 && unicode.IsPunct(rune(c)) || c < 0x80 && unicode.IsSymbol(rune(c))
}

func isSpaceByte(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

// isWordByte reports whether c belongs to a word: an ASCII letter or digit, or any byte
// of a non-ASCII character.
func isWordByte(c byte) bool {
	return c >= 0x80 || c >= '0' && c <= '9' || c|0x20 >= 'a' && c|0x20 <= 'z'
}

// indexFold is strings.Index ignoring ASCII case; sub must be ASCII.
func indexFold(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if hasPrefixFold(s[i:], sub) {
			return i
		}
	}
	return -1
}

func containsFold(s, sub string) bool { return indexFold(s, sub) >= 0 }

// hasPrefixFold is strings.HasPrefix ignoring ASCII case; prefix must be ASCII.
func hasPrefixFold(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		if s[i]|0x20 != prefix[i]|0x20 {
			return false
		}
	}
	return true
}
