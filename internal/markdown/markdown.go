// Package markdown renders the federation's texts (resolutions, statements, letters), written
// in Markdown in any language and script, into safe HTML, and into plain text.
//
// Render once, when a text is saved or published, and serve the stored HTML (DESIGN §9).
//
// # Pipeline
//
// Markdown is parsed by goldmark (CommonMark) with three GitHub extensions: tables,
// strikethrough (~~x~~) and linkify (bare http(s) addresses, www. names and e-mail
// addresses become links). Raw HTML is not recognized at all: a text that quotes "<b>" or
// "<script>" shows those characters. The HTML goldmark produces is then passed through an
// allow-list sanitizer of this package, which re-tokenizes it (golang.org/x/net/html) and
// writes out only:
//
//   - elements p, h2–h6 (h1 is demoted to h2: the page has its own h1), ul, ol, li,
//     blockquote, pre, code, em, strong, del, a, br, hr, table, thead, tbody, tr, th, td,
//     sup, sub; anything else is dropped (its text kept, except for script-like elements,
//     whose content is dropped too);
//   - a[href] when the address is http, https, mailto or relative (path, query, fragment);
//     every kept link gets rel="nofollow noopener" and never a target; a link with any other
//     address is unwrapped to its text;
//   - ol[start] (a positive integer: the numbering of a resolution's items is part of its
//     wording);
//   - id="p-N" and data-segment="N" (digits only) that this package sets itself, and
//     dir="auto" on every block element (p, h2–h6, ul, ol, li, blockquote, pre, table, th,
//     td), so that Arabic or Persian paragraphs among Latin ones, and the reverse, are laid
//     out in their own direction.
//
// No other attribute passes: no class, style, title, event handler, or table alignment
// (left/right alignment is wrong in right-to-left texts anyway). Images are not shown for
// now: ![alt](address) becomes a link labelled by its alt text, so that viewing a page
// fetches nothing from elsewhere. A single line break inside a paragraph is kept as a line
// break (<br>), as people writing letters, addresses and verse expect.
//
// # Segments and paragraph numbers
//
// Readers cite paragraphs by number, and translators translate segment by segment: both
// numberings are those of concord.Segments, which this package calls, so they agree by
// construction. It splits a text at blank (whitespace-only) lines, fenced code blocks (```
// or ~~~, any indentation) kept whole, and numbers the segments from 1; blank lines before,
// between and after them do not count.
//
// Render marks every top-level block with data-segment="N", N being the segment in which
// the block starts; the first block of segment N also gets id="p-N". For normal texts
// (paragraphs, headings, lists, quotes, tables and code blocks separated by blank lines)
// each segment is one block and block N is segment N. When one segment holds several
// blocks (a heading or a paragraph directly followed by a list, without a blank line), they
// all carry data-segment="N" and only the first one the id. When one block spans several
// segments (a loose list whose items are separated by blank lines, a list item with several
// paragraphs), the first element inside it that starts in a later segment M (typically the
// li) gets id="p-M" and data-segment="M", so that every segment that starts a block has its
// anchor. A segment that starts no block has no anchor, and the numbers of later segments
// are not shifted by it: a segment of link reference definitions only, the inside of an
// indented code block with blank lines, or text after a line of no-break spaces (blank to
// concord.Segments, not to CommonMark, for which the paragraph goes on).
//
// # Limits
//
// Texts are limited to MaxSource characters. Before parsing, absurd nesting (more than 16
// block quote or list markers opening one line) and runs of more than 32 "](" without a
// space are defused with backslashes, which keeps goldmark's time linear (see defuse); no
// real text is affected. The worst input left, a paragraph of MaxSource characters of link
// reference definitions, renders in about half a second (BenchmarkRenderPathological).
package markdown

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// MaxSource is the longest text Render and RenderInline accept, in characters: the longest
// document body the domain accepts (concord.MaxBody), which callers check first. Some
// Markdown constructs still cost goldmark time growing with the square of their size (a
// long paragraph of link reference definitions); this bound keeps the worst case well
// under a second.
const MaxSource = 200_000

// ErrTooLong is returned by Render and RenderInline for a text longer than MaxSource
// characters.
var ErrTooLong = errors.New("markdown: text too long")

// Renderer turns Markdown into safe HTML. It is safe for concurrent use.
type Renderer struct {
	md goldmark.Markdown
}

// New returns a Renderer.
func New() *Renderer {
	p := parser.NewParser(
		// The default block and inline parsers, less the two that recognize raw HTML.
		parser.WithBlockParsers(
			util.Prioritized(parser.NewSetextHeadingParser(), 100),
			util.Prioritized(parser.NewThematicBreakParser(), 200),
			util.Prioritized(parser.NewListParser(), 300),
			util.Prioritized(parser.NewListItemParser(), 400),
			util.Prioritized(parser.NewCodeBlockParser(), 500),
			util.Prioritized(parser.NewATXHeadingParser(), 600),
			util.Prioritized(parser.NewFencedCodeBlockParser(), 700),
			util.Prioritized(parser.NewBlockquoteParser(), 800),
			util.Prioritized(parser.NewParagraphParser(), 1000),
		),
		parser.WithInlineParsers(
			util.Prioritized(parser.NewCodeSpanParser(), 100),
			util.Prioritized(parser.NewLinkParser(), 200),
			util.Prioritized(parser.NewAutoLinkParser(), 300),
			util.Prioritized(parser.NewEmphasisParser(), 500),
		),
		parser.WithParagraphTransformers(parser.DefaultParagraphTransformers()...),
	)
	md := goldmark.New(
		goldmark.WithParser(p),
		goldmark.WithExtensions(
			extension.Table,
			extension.Strikethrough,
			extension.NewLinkify(extension.WithLinkifyAllowedProtocols([]string{"http:", "https:", "mailto:"})),
		),
		goldmark.WithRendererOptions(
			html.WithHardWraps(),
			// Lowest number wins: these replace goldmark's and the table extension's
			// renderers for every element-producing node.
			renderer.WithNodeRenderers(util.Prioritized(nodeRenderer{}, 1)),
		),
	)
	return &Renderer{md: md}
}

// Render returns sanitized HTML for a whole text. Each top-level block gets
// data-segment="N" and, if it is the first block of segment N, id="p-N" (see the package
// documentation for the numbering rule).
func (r *Renderer) Render(src string) (template.HTML, error) {
	if err := checkLength(src); err != nil {
		return "", err
	}
	out, err := r.render(src, true)
	if err != nil {
		return "", err
	}
	return template.HTML(out), nil // #nosec G203 -- sanitized by sanitize
}

// RenderInline renders one segment (paragraph) for the translator's side-by-side editor: the
// same sanitized block HTML as Render (a paragraph stays a <p>, a heading an <h2>…), fit to
// be put in a <div>, without id or data-segment attributes. Link reference definitions from
// other segments are not known to it.
func (r *Renderer) RenderInline(src string) (template.HTML, error) {
	if err := checkLength(src); err != nil {
		return "", err
	}
	out, err := r.render(src, false)
	if err != nil {
		return "", err
	}
	return template.HTML(out), nil // #nosec G203 -- sanitized by sanitize
}

// PlainText returns the text without markup (for search indexing, feed summaries and email):
// blocks separated by blank lines, list items on their own lines after "- " or "N. ",
// table cells separated by tabs, links reduced to their text. The result is not HTML: escape
// it wherever it is embedded. Unlike Render it takes texts of any length.
func PlainText(src string) string {
	out, err := plainRenderer().render(src, false)
	if err != nil {
		return ""
	}
	return plainTextOf(out)
}

// plainRenderer is the Renderer behind PlainText, built on first use and never changed.
var plainRenderer = sync.OnceValue(New)

func checkLength(src string) error {
	if len(src) > MaxSource { // else it cannot have more characters than bytes
		if n := utf8.RuneCountInString(src); n > MaxSource {
			return fmt.Errorf("%w (%d characters, at most %d)", ErrTooLong, n, MaxSource)
		}
	}
	return nil
}

// normalize makes src valid UTF-8 without NUL characters, with "\n" line endings.
func normalize(src string) string {
	if !utf8.ValidString(src) {
		src = strings.ToValidUTF8(src, "\uFFFD")
	}
	if strings.IndexByte(src, 0) >= 0 {
		src = strings.ReplaceAll(src, "\x00", "\uFFFD")
	}
	if strings.IndexByte(src, '\r') >= 0 {
		src = strings.ReplaceAll(src, "\r\n", "\n")
		src = strings.ReplaceAll(src, "\r", "\n")
	}
	return src
}

// render parses src, numbers its blocks when number is set, renders it with goldmark and
// returns the sanitized HTML.
func (r *Renderer) render(src string, number bool) (string, error) {
	src = defuse(normalize(src))
	if strings.TrimSpace(src) == "" {
		return "", nil
	}
	source := []byte(src)
	doc := r.md.Parser().Parse(text.NewReader(source))
	if number {
		numberBlocks(doc, segmentStarts(src))
	}
	var raw bytes.Buffer
	raw.Grow(len(source) * 3 / 2)
	if err := r.md.Renderer().Render(&raw, source, doc); err != nil {
		return "", fmt.Errorf("render markdown: %w", err)
	}
	var out strings.Builder
	out.Grow(raw.Len() + raw.Len()/4)
	sanitize(&out, raw.Bytes())
	return out.String(), nil
}

// Attribute names this package sets on block nodes before rendering.
const (
	attrID      = "id"
	attrSegment = "data-segment"
)

// numberBlocks sets id and data-segment on doc's blocks following the package's rule;
// starts are the byte offsets at which segments begin.
func numberBlocks(doc ast.Node, starts []int) {
	if len(starts) == 0 {
		return
	}
	anchored := make([]bool, len(starts)+1) // by segment number
	seg := 1
	for top := doc.FirstChild(); top != nil; top = top.NextSibling() {
		if !rendersElement(top) {
			continue
		}
		if s := segmentAt(starts, top.Pos()); s > 0 {
			seg = s
		}
		top.SetAttributeString(attrSegment, []byte(strconv.Itoa(seg)))
		if !anchored[seg] {
			anchored[seg] = true
			top.SetAttributeString(attrID, []byte("p-"+strconv.Itoa(seg)))
		}
		// Later segments that start inside this block get their anchor on the outermost
		// element starting there.
		_ = ast.Walk(top, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
			if !entering {
				return ast.WalkContinue, nil
			}
			if n == top {
				return descend(n), nil
			}
			if !rendersElement(n) {
				return ast.WalkSkipChildren, nil
			}
			s := segmentAt(starts, n.Pos())
			if s > seg && !anchored[s] {
				anchored[s] = true
				n.SetAttributeString(attrSegment, []byte(strconv.Itoa(s)))
				n.SetAttributeString(attrID, []byte("p-"+strconv.Itoa(s)))
			}
			return descend(n), nil
		})
	}
}

// segmentAt returns the number of the segment holding byte offset pos (the last segment
// starting at or before it), or 0 when pos is unknown or before the first segment.
func segmentAt(starts []int, pos int) int {
	if pos < 0 {
		return 0
	}
	lo, hi := 0, len(starts) // find the count of starts <= pos
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if starts[mid] <= pos {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// descend tells ast.Walk whether blocks may start inside n: only in lists, list items and
// block quotes.
func descend(n ast.Node) ast.WalkStatus {
	switch n.Kind() {
	case ast.KindList, ast.KindListItem, ast.KindBlockquote:
		return ast.WalkContinue
	}
	return ast.WalkSkipChildren
}
