package mt

import (
	"slices"
	"strings"
	"testing"
)

func TestSegmentHTML(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, html string
		kept     []string
	}{
		{in: "plain text", html: "plain text"},
		{in: "  \n padded \n\n", html: "padded"},
		{in: "a & b < c > d", html: "a &amp; b &lt; c &gt; d"},
		{in: "**bold** __strong__ *it* _em_ ~~del~~", html: "<b>bold</b> <strong>strong</strong> <i>it</i> <em>em</em> <s>del</s>"},
		{in: "**bold *both* bold**", html: "<b>bold <i>both</i> bold</b>"},
		{in: "a * b * c and 2*3", html: "a * b * c and 2*3"},
		{in: "snake_case_name", html: "snake_case_name"},
		{in: "***", html: "***"},
		{in: "*not\n\nacross paragraphs*", html: "*not\n\nacross paragraphs*"},
		{in: `\*escaped\*`, html: `\*escaped\*`},
		{in: "see [the call](https://x.org/a_b*c*) now", html: `see <a href="0">the call</a> now`, kept: []string{"](https://x.org/a_b*c*)"}},
		{in: "[**bold** link][ref]", html: `<a href="0"><b>bold</b> link</a>`, kept: []string{"][ref]"}},
		{in: "[not a link] (x)", html: "[not a link] (x)"},
		{in: "![logo](l.png)", html: "zqx0qz", kept: []string{"![logo](l.png)"}},
		{in: "run `a *b* c` or ``x ` y``", html: "run zqx0qz or zqx1qz", kept: []string{"`a *b* c`", "``x ` y``"}},
		{in: "unclosed `code", html: "unclosed `code"},
		{in: "<https://x.org> <br> </span> <!-- c -->", html: "zqx0qz zqx1qz zqx2qz zqx3qz",
			kept: []string{"<https://x.org>", "<br>", "</span>", "<!-- c -->"}},
		{in: "a <b and c> d", html: "a zqx0qz d", kept: []string{"<b and c>"}},
		{in: "see https://x.org/the_house. And (www.x.org/a_(b)).", html: "see zqx0qz. And (zqx1qz).",
			kept: []string{"https://x.org/the_house", "www.x.org/a_(b)"}},
		{in: "the whole thing", html: "the whole thing"},
	}
	for _, tt := range tests {
		s := newSegment(tt.in, "zqx")
		if s.html != tt.html || !slices.Equal(s.kept, tt.kept) {
			t.Errorf("newSegment(%q) = %q %q, want %q %q", tt.in, s.html, s.kept, tt.html, tt.kept)
		}
		if got := s.restore(s.html); got != tt.in {
			t.Errorf("restore(newSegment(%q)) = %q", tt.in, got)
		}
	}
}

func TestSegmentRestore(t *testing.T) {
	t.Parallel()
	s := newSegment(" The **red** flag of [the people](/p) `x` ", "zqx")
	tests := []struct {
		name, out, want string
	}{
		{"translated", `La bandera <b>roja</b> de <a href="0">el pueblo</a> zqx1qz`, " La bandera **roja** de [el pueblo](/p) `x` "},
		{"tags split", `La <b>bandera</b> <b>roja</b>`, " La **bandera** **roja** "},
		{"placeholder case changed", `Zqx1QZ.`, " `x`. "},
		{"entities", `a &amp; b &lt;c&gt; &quot;`, ` a & b <c> " `},
		{"unknown tags dropped", `a <span class="x">b</span><br/>`, " a b "},
		{"link end lost", `<a href="0">el pueblo`, " [el pueblo "},
		{"link start lost", `el pueblo</a>`, " el pueblo "},
		{"bad numbers", `<a href="9">x</a> zqx7qz zqx01qz zqx99999999999qz zqxqz`, " [x zqx7qz zqx01qz zqx99999999999qz zqxqz "},
		{"unclosed tag", `a <b`, " a <b "},
	}
	for _, tt := range tests {
		if got := s.restore(tt.out); got != tt.want {
			t.Errorf("%s: restore(%q) = %q, want %q", tt.name, tt.out, got, tt.want)
		}
	}
}

func TestPlaceholderMarker(t *testing.T) {
	t.Parallel()
	tests := []struct {
		texts []string
		want  string
	}{
		{nil, "zqx"},
		{[]string{"plain"}, "zqx"},
		{[]string{"a", "ZQX0QZ"}, "zqxx"},
		{[]string{"zqx", "zqxx"}, "zqxxx"},
	}
	for _, tt := range tests {
		if got := placeholderMarker(tt.texts); got != tt.want {
			t.Errorf("placeholderMarker(%q) = %q, want %q", tt.texts, got, tt.want)
		}
	}
}

// FuzzSegmentRoundTrip checks that an engine returning its input unchanged gives back
// the original text, that the HTML never holds the batch separators, and that any
// engine output, however garbled, is read without panicking.
func FuzzSegmentRoundTrip(f *testing.F) {
	for _, s := range []string{
		"", "The **red** flag", " a & b < c > d ", "[x](y) ![i](j) `c` <br> https://x.org",
		"*a **b** c*", "\\*x\\* _y_ __z__ ~~w~~", "[a [b] c](d (e) f)", "zqx0qz", "<div id=\"s0\">",
		"x\n\n*y*\r\n", "\xff*\xfe*",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		marker := placeholderMarker([]string{text})
		s := newSegment(text, marker)
		if got := s.restore(s.html); got != text {
			t.Fatalf("restore(newSegment(%q)) = %q (html %q)", text, got, s.html)
		}
		if strings.Contains(s.html, "<div") || strings.Contains(s.html, "</div") {
			t.Fatalf("newSegment(%q).html = %q holds a separator", text, s.html)
		}
		s.restore(text)
		splitSegments(text, 2)
	})
}
