package markdown

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"concord"

	"github.com/google/go-cmp/cmp"
)

func TestRenderMarkup(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		src  string
		want []string // substrings of the output, in order
		not  []string // substrings that must not appear
	}{
		{"paragraph", "Hello", []string{`<p id="p-1" data-segment="1" dir="auto">Hello</p>`}, nil},
		{"h1 demoted", "# Resolution", []string{`<h2 id="p-1" data-segment="1" dir="auto">Resolution</h2>`}, []string{"<h1"}},
		{"setext h1 demoted", "Resolution\n==========", []string{`<h2 id="p-1" data-segment="1" dir="auto">Resolution</h2>`}, []string{"<h1"}},
		{"headings", "## Two\n\n### Three\n\n###### Six", []string{
			`<h2 id="p-1" data-segment="1" dir="auto">Two</h2>`,
			`<h3 id="p-2" data-segment="2" dir="auto">Three</h3>`,
			`<h6 id="p-3" data-segment="3" dir="auto">Six</h6>`,
		}, nil},
		{"emphasis", "*em* **strong** ~~gone~~ `code`", []string{
			"<em>em</em>", "<strong>strong</strong>", "<del>gone</del>", "<code>code</code>",
		}, nil},
		{"bullet list", "- one\n- two", []string{
			`<ul id="p-1" data-segment="1" dir="auto">`, `<li dir="auto">one</li>`, `<li dir="auto">two</li>`, "</ul>",
		}, nil},
		{"ordered list keeps its start", "3. three\n4. four", []string{
			`<ol id="p-1" data-segment="1" dir="auto" start="3">`, `<li dir="auto">three</li>`,
		}, nil},
		{"nested list", "- a\n  - b", []string{`<li dir="auto">a` + "\n" + `<ul dir="auto">`, `<li dir="auto">b</li>`}, nil},
		{"link", "[Federation](https://example.org/a?b=1&c=2)", []string{
			`<a href="https://example.org/a?b=1&amp;c=2" rel="nofollow noopener">Federation</a>`,
		}, []string{"target"}},
		{"link title dropped", `[x](https://example.org "Title")`, []string{
			`<a href="https://example.org" rel="nofollow noopener">x</a>`,
		}, []string{"title", "Title"}},
		{"relative and fragment links", "[a](/documents/1) [b](#p-3) [c](?page=2)", []string{
			`<a href="/documents/1" rel="nofollow noopener">a</a>`,
			`<a href="#p-3" rel="nofollow noopener">b</a>`,
			`<a href="?page=2" rel="nofollow noopener">c</a>`,
		}, nil},
		{"mailto and autolinks", "<mailto:sec@example.org> <https://example.org> sec@example.org www.example.org", []string{
			`<a href="mailto:sec@example.org" rel="nofollow noopener">mailto:sec@example.org</a>`,
			`<a href="https://example.org" rel="nofollow noopener">https://example.org</a>`,
			`<a href="mailto:sec@example.org" rel="nofollow noopener">sec@example.org</a>`,
			`<a href="http://www.example.org" rel="nofollow noopener">www.example.org</a>`,
		}, nil},
		{"reference link", "See [the charter][c].\n\n[c]: https://example.org/charter", []string{
			`<a href="https://example.org/charter" rel="nofollow noopener">the charter</a>`,
		}, nil},
		{"image becomes a link", "![Map of the region](https://example.org/map.png)", []string{
			`<a href="https://example.org/map.png" rel="nofollow noopener">Map of the region</a>`,
		}, []string{"<img"}},
		{"image without alt", "![](https://example.org/map.png)", []string{
			`<a href="https://example.org/map.png" rel="nofollow noopener">https://example.org/map.png</a>`,
		}, []string{"<img"}},
		{"linked image", "[![logo](/l.png)](https://example.org)", []string{
			`<a href="https://example.org" rel="nofollow noopener">logo</a>`,
		}, []string{"<img", "/l.png"}},
		{"table", "| Country | Votes |\n|:--|--:|\n| Iran | 3 |\n| Chile | 5 |", []string{
			`<table id="p-1" data-segment="1" dir="auto">`, "<thead>", "<tr>", `<th dir="auto">Country</th>`,
			`<th dir="auto">Votes</th>`, "</thead>", "<tbody>", `<td dir="auto">Iran</td>`, `<td dir="auto">5</td>`,
			"</tbody>", "</table>",
		}, []string{"style", "align"}},
		{"fenced code", "```go\nif a < b && c {\n\n}\n```", []string{
			`<pre id="p-1" data-segment="1" dir="auto"><code>if a &lt; b &amp;&amp; c {` + "\n\n}\n</code></pre>",
		}, []string{"class", "language"}},
		{"indented code", "    x := <y>", []string{`<pre id="p-1" data-segment="1" dir="auto"><code>x := &lt;y&gt;` + "\n</code></pre>"}, nil},
		{"blockquote", "> We stand with\n> the strikers.", []string{
			`<blockquote id="p-1" data-segment="1" dir="auto">`, `<p dir="auto">We stand with<br>` + "\nthe strikers.</p>",
		}, nil},
		{"thematic break", "a\n\n---\n\nb", []string{`<hr id="p-2" data-segment="2">`}, nil},
		{"line break kept", "Dear comrades,\nWe write", []string{"Dear comrades,<br>\nWe write"}, nil},
		{"raw html shown, not dropped", "A resolution quoting <b>bold</b> & <i>more</i>", []string{
			"quoting &lt;b&gt;bold&lt;/b&gt; &amp; &lt;i&gt;more&lt;/i&gt;",
		}, []string{"<b>", "<i>"}},
		{"html block shown", "<div class=\"x\">\n*hi*\n</div>", []string{"&lt;div class=&#34;x&#34;&gt;", "<em>hi</em>", "&lt;/div&gt;"}, []string{"<div"}},
		{"entities", "&copy; &amp; &#1605; &lt;", []string{"© &amp; م &lt;"}, nil},
		{"backslash escape", `\*not em\*`, []string{"*not em*"}, []string{"<em>"}},
		{"empty", "", nil, []string{"<"}},
		{"blank", " \n\t\n", nil, []string{"<"}},
		{"crlf", "one\r\ntwo\r\n\r\nthree", []string{
			`<p id="p-1" data-segment="1" dir="auto">one<br>` + "\ntwo</p>", `<p id="p-2" data-segment="2" dir="auto">three</p>`,
		}, []string{"\r"}},
		{"nul and invalid utf-8", "a\x00b\xffc", []string{"a\uFFFDb\uFFFDc"}, []string{"\x00"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := MustRender(t, tt.src)
			rest := got
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("Render(%q) =\n%s\nwant (in order) %q", tt.src, got, w)
				}
				rest = rest[i+len(w):]
			}
			for _, n := range tt.not {
				if strings.Contains(got, n) {
					t.Errorf("Render(%q) =\n%s\nwant no %q", tt.src, got, n)
				}
			}
			if err := checkSafe(MustParse(t, got)); err != nil {
				t.Errorf("Render(%q) = %s\n%v", tt.src, got, err)
			}
		})
	}
}

func TestRenderNumbering(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		src  string
		want []string // tag#id:segment of numbered elements
	}{
		{"paragraphs", "One.\n\nTwo.\n\n\n\nThree.", []string{"p#p-1:1", "p#p-2:2", "p#p-3:3"}},
		{"leading and trailing blank lines", "\n\n  \nOne.\n\n", []string{"p#p-1:1"}},
		{"resolution", "# Title\n\nThe Conference,\n\n1. notes;\n2. decides.\n\n## Annex\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```\ncode\n\nstill code\n```\n\n> quote\n\n---\n\nEnd.",
			[]string{"h2#p-1:1", "p#p-2:2", "ol#p-3:3", "h2#p-4:4", "table#p-5:5", "pre#p-6:6", "blockquote#p-7:7", "hr#p-8:8", "p#p-9:9"}},
		{"fence with blank lines is one segment", "Intro.\n\n~~~~\na\n\n\nb\n~~~~\n\nAfter.", []string{"p#p-1:1", "pre#p-2:2", "p#p-3:3"}},
		{"unclosed fence runs to the end", "Intro.\n\n```\na\n\nb", []string{"p#p-1:1", "pre#p-2:2"}},
		{"indented fence", "   ```\n   a\n\n   b\n   ```\n\nAfter.", []string{"pre#p-1:1", "p#p-2:2"}},
		{"paragraph then list in one segment", "The Conference decides:\n1. to act;\n2. to report.\n\nDone.",
			[]string{"p#p-1:1", "ol#:1", "p#p-2:2"}},
		{"heading then paragraph in one segment", "## Article 1\nText.\n\nNext.", []string{"h2#p-1:1", "p#:1", "p#p-2:2"}},
		{"loose list items anchor later segments", "1. First.\n\n2. Second.\n\n   Still second.\n\nAfter.",
			[]string{"ol#p-1:1", "li#p-2:2", "p#p-3:3", "p#p-4:4"}},
		{"reference definition segment has no anchor", "[a]: https://example.org\n\nSee [a].", []string{"p#p-2:2"}},
		{"blockquotes split by a blank line", "> a\n\n> b", []string{"blockquote#p-1:1", "blockquote#p-2:2"}},
		{"arabic and persian", "## قرار\n\nإن المؤتمر،\n\nکنفرانس تصمیم می‌گیرد.", []string{"h2#p-1:1", "p#p-2:2", "p#p-3:3"}},
		{"no-break space line is not blank", "a\n\u00a0\nb", []string{"p#p-1:1"}},
		{"tab-only line is blank", "a\n\t\nb", []string{"p#p-1:1", "p#p-2:2"}},
		{"cr line endings", "a\r\rb\r", []string{"p#p-1:1", "p#p-2:2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := MustRender(t, tt.src)
			if diff := cmp.Diff(tt.want, numbered(MustParse(t, got))); diff != "" {
				t.Errorf("Render(%q) numbering (-want +got):\n%s\n%s", tt.src, diff, got)
			}
		})
	}
}

// TestRenderNumberingNormalText checks that in a text made of blocks separated by blank
// lines, block N carries id p-N for every N, whatever the mix of block kinds.
func TestRenderNumberingNormalText(t *testing.T) {
	t.Parallel()
	blocks := []string{
		"# Heading", "A paragraph with *emphasis* and a [link](https://example.org).",
		"- item\n- item", "1. first\n2. second", "> quoted\n> text", "```\ncode\n\nwith blank\n```",
		"| a | b |\n|---|---|\n| 1 | 2 |", "---", "    indented code", "Абзац на русском.",
		"فقرة باللغة العربية.", "यह हिंदी में एक अनुच्छेद है।", "Setext\n------",
	}
	var src []string
	for i := range 60 {
		src = append(src, blocks[(i*7)%len(blocks)])
	}
	nodes := MustParse(t, MustRender(t, strings.Join(src, "\n\n")))
	var want, got []string
	for i := range src {
		want = append(want, fmt.Sprintf("p-%d:%d", i+1, i+1))
	}
	for _, n := range nodes {
		if hasAttr(n, "id") {
			got = append(got, attr(n, "id")+":"+attr(n, "data-segment"))
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("top-level numbering (-want +got):\n%s", diff)
	}
	if n := len(concord.Segments(strings.Join(src, "\n\n"))); n != len(src) {
		t.Errorf("concord.Segments: %d segments, want %d", n, len(src))
	}
}

func TestRenderScripts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, src string
	}{
		{"arabic", "إن المؤتمر العالمي، إذ يؤكد تضامنه مع العمال في كل مكان، يقرر ما يلي."},
		{"persian with zwnj", "کنفرانس جهانی همبستگی خود را با کارگران اعلام می‌کند."},
		{"hindi", "विश्व सम्मेलन सभी देशों के श्रमिकों के साथ एकजुटता व्यक्त करता है।"},
		{"russian", "Всемирная конференция выражает солидарность с трудящимися."},
		{"mixed rtl and ltr", "The slogan «نان، کار، آزادی» (bread, work, freedom) — 2026."},
		{"bidi controls and combining marks", "\u202bمرحبا\u202c e\u0301 \u200f"},
		{"chinese and emoji", "全世界无产者，联合起来！ ✊🏽"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			nodes := MustParse(t, MustRender(t, tt.src))
			ps := findAll(nodes, "p")
			if len(ps) != 1 || attr(ps[0], "dir") != "auto" {
				t.Fatalf("want one <p dir=auto>, got %d", len(ps))
			}
			if got := textOf(ps[0]); got != tt.src {
				t.Errorf("text = %q, want %q", got, tt.src)
			}
			if got := PlainText(tt.src); got != tt.src {
				t.Errorf("PlainText = %q, want %q", got, tt.src)
			}
		})
	}
}

func TestRenderInline(t *testing.T) {
	t.Parallel()
	tests := []struct {
		src, want string
	}{
		{"Hello *world*", `<p dir="auto">Hello <em>world</em></p>` + "\n"},
		{"# Article 1", `<h2 dir="auto">Article 1</h2>` + "\n"},
		{"1. a\n2. b", `<ol dir="auto">` + "\n" + `<li dir="auto">a</li>` + "\n" + `<li dir="auto">b</li>` + "\n</ol>\n"},
		{"<script>alert(1)</script>", `<p dir="auto">&lt;script&gt;alert(1)&lt;/script&gt;</p>` + "\n"},
		{"[x](javascript:alert(1))", `<p dir="auto">x</p>` + "\n"},
		{"", ""},
	}
	r := New()
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			t.Parallel()
			got, err := r.RenderInline(tt.src)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("RenderInline(%q) = %q, want %q", tt.src, got, tt.want)
			}
		})
	}
}

func TestPlainText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, src, want string
	}{
		{"paragraphs", "# Title\n\nFirst *para*\nline two.\n\nSecond.", "Title\n\nFirst para\nline two.\n\nSecond."},
		{"lists", "Intro:\n- a\n- b\n  1. x\n  2. y\n\n3. three\n4. four", "Intro:\n\n- a\n- b\n  1. x\n  2. y\n\n3. three\n4. four"},
		{"loose list", "1. a\n\n2. b\n\n   more", "1. a\n\n2. b\n\nmore"},
		{"links and images", "See [the charter](https://example.org) and ![map](m.png).", "See the charter and map."},
		{"code kept", "Run:\n\n```\na  <b>\n\n  c\n```\n\nand `x  y`.", "Run:\n\na  <b>\n\n  c\n\nand x y."},
		{"table", "| a | b |\n|---|---|\n| 1 | 2 |", "a\tb\n1\t2"},
		{"raw html as text", "<b>bold</b> & <!-- c -->", "<b>bold</b> & <!-- c -->"},
		{"entities decoded", "&copy; &amp; &#1605;", "© & م"},
		{"hostile", "[x](javascript:alert(1)) <script>alert(1)</script>", "x <script>alert(1)</script>"},
		{"quote and rule", "> said\n\n---\n\nafter", "said\n\nafter"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := PlainText(tt.src); got != tt.want {
				t.Errorf("PlainText(%q) =\n%q\nwant\n%q", tt.src, got, tt.want)
			}
		})
	}
}

func TestRenderTooLong(t *testing.T) {
	t.Parallel()
	r := New()
	src := strings.Repeat("a", MaxSource+1)
	if _, err := r.Render(src); !errors.Is(err, ErrTooLong) {
		t.Errorf("Render: err = %v, want ErrTooLong", err)
	}
	if _, err := r.RenderInline(src); !errors.Is(err, ErrTooLong) {
		t.Errorf("RenderInline: err = %v, want ErrTooLong", err)
	}
	if _, err := r.Render(src[:MaxSource]); err != nil {
		t.Errorf("Render at the limit: %v", err)
	}
}

func TestRenderConcurrent(t *testing.T) {
	t.Parallel()
	r := New()
	texts := []string{resolutionText(4 << 10), "# a\n\n- b\n\n[c](https://example.org)", "قرار\n\n| x |\n|---|\n| y |"}
	want := make([]string, len(texts))
	for i, s := range texts {
		h, err := r.Render(s)
		if err != nil {
			t.Fatal(err)
		}
		want[i] = string(h)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8*len(texts))
	for g := range 8 {
		wg.Go(func() {
			for k := range 20 {
				i := (g + k) % len(texts)
				h, err := r.Render(texts[i])
				if err != nil || string(h) != want[i] {
					errs <- fmt.Errorf("text %d: differs or %v", i, err)
					return
				}
				_ = PlainText(texts[i])
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
