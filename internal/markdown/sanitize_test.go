package markdown

import (
	"regexp"
	"strings"
	"testing"
)

// eventHandler matches an on… attribute inside a tag.
var eventHandler = regexp.MustCompile(`<[^>]*\son[a-z]+\s*=`)

// hostile is Markdown written to get script or foreign markup into a page.
var hostile = []struct {
	name, src string
	text      string // text that must still be shown ("" to skip)
}{
	{"script block", "<script>alert(1)</script>", "<script>alert(1)</script>"},
	{"script inline", "Hello <script>alert(1)</script> world", "<script>alert(1)</script>"},
	{"javascript link", "[x](javascript:alert(1))", "x"},
	{"mixed case scheme", "[x](JaVaScRiPt:alert(1))", "x"},
	{"entity tab in scheme", "[x](java&#x09;script:alert(1))", "x"},
	{"entity newline in scheme", "[x](java&#10;script:alert(1))", "x"},
	{"entity-encoded scheme", "[x](&#106;&#x61;vascript:alert(1))", "x"},
	{"entity colon", "[x](javascript&colon;alert(1))", "x"},
	{"leading spaces", "[x](  javascript:alert(1))", "x"},
	{"angle destination with spaces", "[x](< javascript:alert(1)>)", "x"},
	{"leading control char", "[x](\x01javascript:alert(1))", ""},
	{"vbscript", "[x](vbscript:msgbox(1))", "x"},
	{"data url", "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)", "x"},
	{"data image", "![x](data:image/png;base64,iVBORw0KGgo=)", "x"},
	{"file url", "[x](file:///etc/passwd)", "x"},
	{"autolink javascript", "<javascript:alert(1)>", "javascript:alert(1)"},
	{"autolink vbscript", "<VBSCRIPT:alert(1)>", "VBSCRIPT:alert(1)"},
	{"reference javascript", "[x][r]\n\n[r]: javascript:alert(1)", "x"},
	{"img onerror", "<img src=x onerror=alert(1)>", "<img src=x onerror=alert(1)>"},
	{"image javascript", "![x](javascript:alert(1))", "x"},
	{"raw anchor", `<a href="javascript:alert(1)">click</a>`, `<a href="javascript:alert(1)">click</a>`},
	{"svg onload", "<svg onload=alert(1)>", "<svg onload=alert(1)>"},
	{"svg block", "<svg><script>alert(1)</script></svg>", ""},
	{"math", "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>", ""},
	{"iframe", `<iframe src="https://evil.example"></iframe>`, `<iframe src="https://evil.example"></iframe>`},
	{"html comment", "<!-- <script>alert(1)</script> -->", "<!-- <script>alert(1)</script> -->"},
	{"cdata", "<![CDATA[<script>alert(1)</script>]]>", "<![CDATA[<script>alert(1)</script>]]>"},
	{"processing instruction", "<?php echo 1; ?>", "<?php echo 1; ?>"},
	{"style", "<style>body{display:none}</style>", "<style>body{display:none}</style>"},
	{"title attribute injection", `[x](http://a "\" onmouseover=alert(1))`, ""},
	{"title attribute injection, valid title", `[x](http://a "\" onmouseover=alert(1)")`, "x"},
	{"quote in href", `[x](http://a/"onmouseover="alert(1))`, "x"},
	{"event handler in text", `<p onclick="alert(1)">hi</p>`, `<p onclick="alert(1)">hi</p>`},
	{"style attribute", `<span style="position:fixed">x</span>`, ""},
	{"form", `<form action="https://evil.example"><input name=p></form>`, ""},
	{"meta refresh", `<meta http-equiv="refresh" content="0;url=javascript:alert(1)">`, ""},
	{"base", `<base href="https://evil.example/">`, ""},
	{"object and embed", `<object data="x.swf"></object><embed src="x.swf">`, ""},
	{"unclosed tag", "<script", "<script"},
	{"nested brackets", "<<script>>alert(1)<</script>>", ""},
	{"link label with html", "[<img src=x onerror=alert(1)>](https://example.org)", "<img src=x onerror=alert(1)>"},
	{"link in image label", "![[x](javascript:alert(1))](https://example.org/i.png)", "x"},
	{"table cell html", "| a |\n|---|\n| <script>alert(1)</script> |", "<script>alert(1)</script>"},
	{"code span html", "`<script>alert(1)</script>`", "<script>alert(1)</script>"},
	{"fenced code html", "```html\n<script>alert(1)</script>\n```", "<script>alert(1)</script>"},
	{"fence info injection", "```\" onmouseover=\"alert(1)\n```", ""},
	{"linkify javascript", "javascript:alert(1) and www.example.org/\"onmouseover=alert(1)", ""},
	{"ftp link unwrapped", "[x](ftp://example.org)", "x"},
	{"protocol-relative link kept", "[x](//example.org)", "x"},
	{"unicode colon", "[x](javascript\uff1aalert(1))", "x"},
	{"heading attributes syntax", "# Title {#x onclick=alert(1)}", ""},
	{"footnote syntax", "Text[^1]\n\n[^1]: <script>alert(1)</script>", ""},
	{"task list", "- [ ] <input onfocus=alert(1) autofocus>", ""},
}

func TestRenderHostile(t *testing.T) {
	t.Parallel()
	r := New()
	for _, tt := range hostile {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, inline := range []bool{false, true} {
				render := r.Render
				if inline {
					render = r.RenderInline
				}
				h, err := render(tt.src)
				if err != nil {
					t.Fatal(err)
				}
				nodes := MustParse(t, string(h))
				if err := checkSafe(nodes); err != nil {
					t.Errorf("inline=%v: %q rendered as %s\n%v", inline, tt.src, h, err)
				}
				// Text is escaped, so every "<" in the output opens a real tag.
				lower := strings.ToLower(string(h))
				for _, bad := range []string{"<script", "<img", "<svg", "<iframe", "<math", "<style", "<!--", "<![cdata", "<?", `href="javascript:`, `href="data:`, `href="vbscript:`} {
					if strings.Contains(lower, bad) {
						t.Errorf("inline=%v: %q rendered as %s: contains %q", inline, tt.src, h, bad)
					}
				}
				if m := eventHandler.FindString(lower); m != "" {
					t.Errorf("inline=%v: %q rendered as %s: event handler in %q", inline, tt.src, h, m)
				}
				if tt.text != "" && !strings.Contains(textOf(nodes...), tt.text) {
					t.Errorf("inline=%v: %q rendered as %s: text %q not shown", inline, tt.src, h, tt.text)
				}
			}
		})
	}
}

// TestSanitize feeds hostile HTML to the sanitizer directly: the allow-list holds even for
// markup the parser never produces.
func TestSanitize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
	}{
		{`<script>alert(1)</script>ok`, `ok`},
		{`<p onclick="alert(1)" style="x" class="c" title="t">hi</p>`, `<p dir="auto">hi</p>`},
		{`<h1 id="p-1" data-segment="1">T</h1>`, `<h2 id="p-1" data-segment="1" dir="auto">T</h2>`},
		{`<p id="top" data-segment="1x">a</p>`, `<p dir="auto">a</p>`},
		{`<p id="p-01" data-segment="0">a</p>`, `<p dir="auto">a</p>`},
		{`<p dir="rtl" lang="ar">a</p>`, `<p dir="auto">a</p>`},
		{`<em id="p-1" data-segment="1">a</em>`, `<em>a</em>`},
		{`<img src=x onerror=alert(1)>after`, `after`},
		{`<svg onload=alert(1)><a href="https://x">in svg</a></svg>after`, `after`},
		{`<svg><svg></svg><script>alert(1)</script></svg>after`, `after`},
		{`<math><mtext><a href="https://x">m</a></mtext></math>ok`, `ok`},
		{`<iframe src="https://evil.example">fallback</iframe>ok`, `ok`},
		{`<style>p{}</style><noscript><p>x</p></noscript><template><p>t</p></template>ok`, `ok`},
		{`<textarea><p>x</p></textarea>ok`, `ok`},
		{`<!-- c --><![CDATA[x]]><!DOCTYPE html><?pi?>ok`, `ok`},
		{`<div><span>kept text</span></div>`, `kept text`},
		{`<a href="javascript:alert(1)">x</a>`, `x`},
		{`<a href="JAVASCRIPT:alert(1)">x</a>`, `x`},
		{`<a href="java&#x09;script:alert(1)">x</a>`, `x`},
		{`<a href="java&#10;script:alert(1)">x</a>`, `x`},
		{`<a href=" javascript:alert(1)">x</a>`, `x`},
		{`<a href="&#1;javascript:alert(1)">x</a>`, `x`},
		{`<a href="&#x6A;avascript&#x3A;alert(1)">x</a>`, `x`},
		{`<a href="javascript&colon;alert(1)">x</a>`, `x`},
		{`<a href="data:text/html,<script>">x</a>`, `x`},
		{`<a href="vbscript:x">x</a>`, `x`},
		{`<a href="\u212Attp://x">x</a>`, `x`},
		{`<a href="">x</a>`, `x`},
		{`<a>x</a>`, `x`},
		{`<a href="https://example.org/?a=1&amp;b=&quot;2&quot;" target="_blank" rel="opener" onclick="x">x</a>`,
			`<a href="https://example.org/?a=1&amp;b=&#34;2&#34;" rel="nofollow noopener">x</a>`},
		{`<a href="HTTPS://example.org">x</a>`, `<a href="HTTPS://example.org" rel="nofollow noopener">x</a>`},
		{`<a href="mailto:a@example.org">x</a>`, `<a href="mailto:a@example.org" rel="nofollow noopener">x</a>`},
		{`<a href="/a:b">x</a>`, `<a href="/a:b" rel="nofollow noopener">x</a>`},
		{`<a href="a:b">x</a>`, `x`},
		{`<a href="https://a"><a href="javascript:x">y</a></a>z`, `<a href="https://a" rel="nofollow noopener">y</a>z`},
		{`<ol start="3" reversed type="a"><li value="9">x</li></ol>`, `<ol dir="auto" start="3"><li dir="auto">x</li></ol>`},
		{`<ol start="-1"><li>x</li></ol>`, `<ol dir="auto"><li dir="auto">x</li></ol>`},
		{`<td align="right" style="text-align:right">1</td>`, `<td dir="auto">1</td>`},
		{`<p><em>unclosed`, `<p dir="auto"><em>unclosed</em></p>`},
		{`</p></em>stray<br/><hr id="p-2">`, `stray<br><hr id="p-2">`},
		{`<p>a<p>b</p>`, `<p dir="auto">a</p><p dir="auto">b</p>`},
		{`<p><em>a<ul><li>b</li></ul>`, `<p dir="auto"><em>a</em></p><ul dir="auto"><li dir="auto">b</li></ul>`},
		{`<table><tr><td><p>a<table></table></p></td></tr></table>`, `<table dir="auto"><tr><td dir="auto"><p dir="auto">a</p><table dir="auto"></table></td></tr></table>`},
		{`<code>&lt;b&gt; &amp;amp; "q" 'a'</code>`, `<code>&lt;b&gt; &amp;amp; &#34;q&#34; &#39;a&#39;</code>`},
		{"<p>a\x00b</p>", "<p dir=\"auto\">a\uFFFDb</p>"},
		{`<sup>1</sup><sub>2</sub><del>3</del><strong>4</strong>`, `<sup>1</sup><sub>2</sub><del>3</del><strong>4</strong>`},
		{`<plaintext><p>x`, ``},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			var b strings.Builder
			sanitize(&b, []byte(tt.in))
			if got := b.String(); got != tt.want {
				t.Errorf("sanitize(%q) =\n%q\nwant\n%q", tt.in, got, tt.want)
			}
			if err := checkSafe(MustParse(t, b.String())); err != nil {
				t.Errorf("sanitize(%q) = %q: %v", tt.in, b.String(), err)
			}
		})
	}
}

func TestSafeHref(t *testing.T) {
	t.Parallel()
	tests := []struct {
		href string
		want bool
	}{
		{"https://example.org", true},
		{"http://example.org/a:b", true},
		{"HtTpS://example.org", true},
		{"mailto:a@example.org", true},
		{"/documents/1", true},
		{"documents/1", true},
		{"#p-3", true},
		{"?q=a:b", true},
		{"//example.org", true},
		{"", false},
		{"javascript:alert(1)", false},
		{"JavaScript:alert(1)", false},
		{"java\tscript:alert(1)", false},
		{"java\nscript:alert(1)", false},
		{" javascript:alert(1)", false},
		{"\x00javascript:alert(1)", false},
		{"javascript:alert(1) ", false},
		{"vbscript:x", false},
		{"data:text/html,x", false},
		{"file:///etc/passwd", false},
		{"ftp://example.org", false},
		{"tel:+123", false},
		{"\u212Attp://x", false},
		{"https\u0130://x", false},
		{"a:b", false},
		{"https://exa mple.org", false},
	}
	for _, tt := range tests {
		if got := safeHref(tt.href); got != tt.want {
			t.Errorf("safeHref(%q) = %v, want %v", tt.href, got, tt.want)
		}
	}
}
