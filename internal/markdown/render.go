package markdown

import (
	"strconv"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/util"
)

// nodeRenderer renders every goldmark node that produces an element, writing no attribute
// but the id and data-segment this package sets (and ol start, link href). Text, emphasis,
// code spans, autolinks and strikethrough keep goldmark's own renderers. Its output still
// goes through sanitize.
type nodeRenderer struct{}

// RegisterFuncs implements renderer.NodeRenderer.
func (nodeRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindParagraph, renderParagraph)
	reg.Register(ast.KindHeading, renderHeading)
	reg.Register(ast.KindBlockquote, renderBlockquote)
	reg.Register(ast.KindCodeBlock, renderCodeBlock)
	reg.Register(ast.KindFencedCodeBlock, renderCodeBlock)
	reg.Register(ast.KindHTMLBlock, renderHTMLBlock)
	reg.Register(ast.KindList, renderList)
	reg.Register(ast.KindListItem, renderListItem)
	reg.Register(ast.KindThematicBreak, renderThematicBreak)
	reg.Register(ast.KindRawHTML, renderRawHTML)
	reg.Register(ast.KindLink, renderLink)
	reg.Register(ast.KindImage, renderImage)
	reg.Register(east.KindTable, renderTable)
	reg.Register(east.KindTableHeader, renderTableHeader)
	reg.Register(east.KindTableRow, renderTableRow)
	reg.Register(east.KindTableCell, renderTableCell)
}

// rendersElement reports whether n is a block that nodeRenderer renders as an element that
// can carry id and data-segment.
func rendersElement(n ast.Node) bool {
	switch n.Kind() {
	case ast.KindParagraph, ast.KindHeading, ast.KindBlockquote, ast.KindCodeBlock,
		ast.KindFencedCodeBlock, ast.KindHTMLBlock, ast.KindList, ast.KindListItem,
		ast.KindThematicBreak, east.KindTable:
		return true
	}
	return false
}

// openTag writes "<tag" and n's numbering attributes, without the closing ">".
func openTag(w util.BufWriter, tag string, n ast.Node) {
	_ = w.WriteByte('<')
	_, _ = w.WriteString(tag)
	for _, name := range [...]string{attrID, attrSegment} {
		v, ok := n.AttributeString(name)
		if !ok {
			continue
		}
		b, ok := v.([]byte)
		if !ok {
			continue
		}
		_ = w.WriteByte(' ')
		_, _ = w.WriteString(name)
		_, _ = w.WriteString(`="`)
		_, _ = w.Write(util.EscapeHTML(b))
		_ = w.WriteByte('"')
	}
}

func renderParagraph(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		openTag(w, "p", n)
		_ = w.WriteByte('>')
	} else {
		_, _ = w.WriteString("</p>\n")
	}
	return ast.WalkContinue, nil
}

func headingTag(n ast.Node) string {
	level := n.(*ast.Heading).Level
	return "h" + strconv.Itoa(min(max(level, 2), 6)) // h1 is the page's own title
}

func renderHeading(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		openTag(w, headingTag(n), n)
		_ = w.WriteByte('>')
	} else {
		_, _ = w.WriteString("</" + headingTag(n) + ">\n")
	}
	return ast.WalkContinue, nil
}

func renderBlockquote(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		openTag(w, "blockquote", n)
		_, _ = w.WriteString(">\n")
	} else {
		_, _ = w.WriteString("</blockquote>\n")
	}
	return ast.WalkContinue, nil
}

// renderCodeBlock renders indented and fenced code blocks alike; the info string of a fence
// is not used (no syntax highlighting, no class).
func renderCodeBlock(w util.BufWriter, source []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		openTag(w, "pre", n)
		_, _ = w.WriteString("><code>")
		lines := n.Lines()
		for i := range lines.Len() {
			seg := lines.At(i)
			_, _ = w.Write(util.EscapeHTML(seg.Value(source)))
		}
	} else {
		_, _ = w.WriteString("</code></pre>\n")
	}
	return ast.WalkContinue, nil
}

// renderHTMLBlock shows raw HTML as text. The parser recognizes none (its HTML parsers are
// left out); this is a second line of defence.
func renderHTMLBlock(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	n := node.(*ast.HTMLBlock)
	if entering {
		openTag(w, "p", n)
		_ = w.WriteByte('>')
		lines := n.Lines()
		for i := range lines.Len() {
			seg := lines.At(i)
			_, _ = w.Write(util.EscapeHTML(seg.Value(source)))
		}
		if n.HasClosure() {
			_, _ = w.Write(util.EscapeHTML(n.ClosureLine.Value(source)))
		}
	} else {
		_, _ = w.WriteString("</p>\n")
	}
	return ast.WalkContinue, nil
}

// renderRawHTML shows inline raw HTML as text, like renderHTMLBlock.
func renderRawHTML(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		segs := node.(*ast.RawHTML).Segments
		for i := range segs.Len() {
			seg := segs.At(i)
			_, _ = w.Write(util.EscapeHTML(seg.Value(source)))
		}
	}
	return ast.WalkSkipChildren, nil
}

func renderList(w util.BufWriter, _ []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	n := node.(*ast.List)
	tag := "ul"
	if n.IsOrdered() {
		tag = "ol"
	}
	if entering {
		openTag(w, tag, n)
		if n.IsOrdered() && n.Start != 1 {
			_, _ = w.WriteString(` start="` + strconv.Itoa(n.Start) + `"`)
		}
		_, _ = w.WriteString(">\n")
	} else {
		_, _ = w.WriteString("</" + tag + ">\n")
	}
	return ast.WalkContinue, nil
}

func renderListItem(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		openTag(w, "li", n)
		_ = w.WriteByte('>')
		if fc := n.FirstChild(); fc != nil && fc.Kind() != ast.KindTextBlock {
			_ = w.WriteByte('\n')
		}
	} else {
		_, _ = w.WriteString("</li>\n")
	}
	return ast.WalkContinue, nil
}

func renderThematicBreak(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		openTag(w, "hr", n)
		_, _ = w.WriteString(">\n")
	}
	return ast.WalkContinue, nil
}

// writeHref writes an href attribute for a link destination; sanitize decides whether the
// address may stay.
func writeHref(w util.BufWriter, dest []byte) {
	_, _ = w.WriteString(`<a href="`)
	_, _ = w.Write(util.EscapeHTML(util.URLEscape(dest, true)))
	_, _ = w.WriteString(`">`)
}

// renderLink writes a link without its title.
func renderLink(w util.BufWriter, _ []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if insideLink(node) {
		return ast.WalkContinue, nil // no link inside a link (an image's label can hold one)
	}
	if entering {
		writeHref(w, node.(*ast.Link).Destination)
	} else {
		_, _ = w.WriteString("</a>")
	}
	return ast.WalkContinue, nil
}

// renderImage writes an image as a link to it labelled by its alt text (or its address when
// it has none); inside a link, as the alt text alone. No image is ever loaded.
func renderImage(w util.BufWriter, _ []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	n := node.(*ast.Image)
	if insideLink(n) {
		return ast.WalkContinue, nil
	}
	if entering {
		writeHref(w, n.Destination)
		if !n.HasChildren() {
			_, _ = w.Write(util.EscapeHTML(n.Destination))
		}
	} else {
		_, _ = w.WriteString("</a>")
	}
	return ast.WalkContinue, nil
}

// insideLink reports whether one of n's ancestors is rendered as a link.
func insideLink(n ast.Node) bool {
	for p := n.Parent(); p != nil; p = p.Parent() {
		switch p.Kind() {
		case ast.KindLink, ast.KindAutoLink, ast.KindImage:
			return true
		}
	}
	return false
}

func renderTable(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		openTag(w, "table", n)
		_, _ = w.WriteString(">\n")
	} else {
		_, _ = w.WriteString("</table>\n")
	}
	return ast.WalkContinue, nil
}

func renderTableHeader(w util.BufWriter, _ []byte, _ ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		_, _ = w.WriteString("<thead>\n<tr>\n")
	} else {
		_, _ = w.WriteString("</tr>\n</thead>\n")
	}
	return ast.WalkContinue, nil
}

func renderTableRow(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		if p := n.PreviousSibling(); p == nil || p.Kind() != east.KindTableRow {
			_, _ = w.WriteString("<tbody>\n")
		}
		_, _ = w.WriteString("<tr>\n")
	} else {
		_, _ = w.WriteString("</tr>\n")
		if n.NextSibling() == nil {
			_, _ = w.WriteString("</tbody>\n")
		}
	}
	return ast.WalkContinue, nil
}

func renderTableCell(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	tag := "td"
	if p := n.Parent(); p != nil && p.Kind() == east.KindTableHeader {
		tag = "th"
	}
	if entering {
		_, _ = w.WriteString("<" + tag + ">")
	} else {
		_, _ = w.WriteString("</" + tag + ">\n")
	}
	return ast.WalkContinue, nil
}
