package markdown

import (
	"strconv"
	"strings"

	"golang.org/x/net/html"
)

// plainTextOf returns the text of sanitized HTML as produced by render, laid out as
// PlainText documents.
func plainTextOf(h string) string {
	z := html.NewTokenizer(strings.NewReader(h))
	var w plainWriter
	type list struct {
		ordered bool
		next    int
	}
	var lists []list
	var pre strings.Builder
	inPre := false
	cell := 0
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return w.b.String()
		case html.TextToken:
			if inPre {
				pre.Write(z.Text())
			} else {
				w.text(string(z.Text()))
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			switch string(name) {
			case "p", "h2", "h3", "h4", "h5", "h6", "blockquote", "table", "hr":
				w.paragraph()
			case "pre":
				w.paragraph()
				inPre = true
				pre.Reset()
			case "ul", "ol":
				if len(lists) == 0 {
					w.paragraph()
				} else {
					w.line()
				}
				l := list{ordered: name[0] == 'o', next: 1}
				for hasAttr {
					var k, v []byte
					k, v, hasAttr = z.TagAttr()
					if string(k) == "start" {
						if n, err := strconv.Atoi(string(v)); err == nil {
							l.next = n
						}
					}
				}
				lists = append(lists, l)
			case "li":
				w.line()
				marker := "- "
				if n := len(lists); n > 0 {
					if lists[n-1].ordered {
						marker = strconv.Itoa(lists[n-1].next) + ". "
						lists[n-1].next++
					}
					marker = strings.Repeat("  ", n-1) + marker
				}
				w.marker(marker)
			case "tr":
				w.line()
				cell = 0
			case "th", "td":
				if cell > 0 {
					w.separator("\t")
				}
				cell++
			case "br":
				w.line()
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "p", "h2", "h3", "h4", "h5", "h6", "blockquote", "table":
				w.paragraph()
			case "pre":
				inPre = false
				w.verbatim(strings.TrimRight(pre.String(), "\n"))
				w.paragraph()
			case "ul", "ol":
				if len(lists) > 0 {
					lists = lists[:len(lists)-1]
				}
				if len(lists) == 0 {
					w.paragraph()
				}
			}
		}
	}
}

// plainWriter lays out plain text: HTML white space collapsed, line and paragraph breaks
// written only between pieces of text.
type plainWriter struct {
	b      strings.Builder
	breaks int  // newlines to write before the next text: 0, 1 or 2
	space  bool // a space is due before the next text
	marked bool // a list marker was just written: no break before its text
}

func (w *plainWriter) paragraph() { w.breakBefore(2) }
func (w *plainWriter) line()      { w.breakBefore(1) }

func (w *plainWriter) breakBefore(n int) {
	if w.b.Len() > 0 && !w.marked {
		w.breaks = max(w.breaks, n)
	}
	w.space = false
}

// flush writes the breaks or the space due before more text.
func (w *plainWriter) flush() {
	if w.b.Len() > 0 {
		switch {
		case w.breaks > 0:
			w.b.WriteString("\n\n"[:w.breaks])
		case w.space:
			w.b.WriteByte(' ')
		}
	}
	w.breaks, w.space, w.marked = 0, false, false
}

// text writes s with runs of HTML white space collapsed to one space.
func (w *plainWriter) text(s string) {
	for _, r := range s {
		switch r {
		case ' ', '\t', '\n', '\r', '\f':
			if w.b.Len() > 0 && w.breaks == 0 && !w.marked {
				w.space = true
			}
		default:
			w.flush()
			w.b.WriteRune(r)
		}
	}
}

// verbatim writes s as it is (preformatted text).
func (w *plainWriter) verbatim(s string) {
	if s == "" {
		return
	}
	w.flush()
	w.b.WriteString(s)
}

// marker writes a list marker or a cell separator, after which no break or space is due.
func (w *plainWriter) marker(m string) {
	w.flush()
	w.b.WriteString(m)
	w.marked = true
}

// separator writes a cell separator in place of any space due.
func (w *plainWriter) separator(sep string) {
	w.space = false
	w.flush()
	w.b.WriteString(sep)
}
