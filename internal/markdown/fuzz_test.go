package markdown

import (
	"strconv"
	"strings"
	"testing"

	"concord"
)

// FuzzRender checks that, for any text, Render and RenderInline output only allowed
// elements and attributes and links with allowed schemes (as a browser would parse the
// output), that anchors are unique, increasing and within the text's segments, and that
// nothing panics.
func FuzzRender(f *testing.F) {
	for _, h := range hostile {
		f.Add(h.src)
	}
	for _, s := range []string{
		resolutionText(2 << 10),
		"# T\n\nText:\n1. a\n\n2. b\n\n   c\n\n> q\n\n```\nx\n\ny\n```\n\n| a |\n|---|\n| b |",
		"[a]: https://example.org\n\n[x][a] ![y][a] <https://example.org> www.example.org a@example.org",
		"- [ ] task\n- [x] done\n\n~~del~~ ~one~ **b** *i* `c`",
		"قرار\n\nکنفرانس\r\n\r\nРезолюция\r\rनिर्णय",
		"<div>\n\n*x*\n\n</div>\n\n<!--\n\n-->\n\n<?\n\n?>\n\n<![CDATA[\n\n]]>",
		"    indented\n\n    code\n\n1) x\n2) y\n\n* * *\n\nSetext\n===",
		"[x](<javascript:alert(1)>) [y](\\javascript:alert(1)) [z](java\\script:alert(1))",
		strings.Repeat("> - ", 20) + "x\n" + strings.Repeat("[a](", 40) + "\n\n```\n" + strings.Repeat(">", 20) + "\n```",
	} {
		f.Add(s)
	}
	r := New()
	f.Fuzz(func(t *testing.T, src string) {
		h, err := r.Render(src)
		if err != nil {
			t.Fatalf("Render: %v", err)
		}
		nodes := MustParse(t, string(h))
		if err := checkSafe(nodes); err != nil {
			t.Fatalf("Render(%q) = %s\n%v", src, h, err)
		}
		segments := len(concord.Segments(src))
		defused := defuse(normalize(src))
		if n := len(concord.Segments(defused)); n != segments {
			t.Fatalf("defuse(%q) changed the number of segments from %d to %d", src, segments, n)
		}
		if n := len(segmentStarts(defused)); n != segments {
			t.Fatalf("segmentStarts(%q) found %d segments of %d", defused, n, segments)
		}
		last := 0
		for _, n := range findAll(nodes, "") {
			if seg := attr(n, "data-segment"); seg != "" {
				if k, err := strconv.Atoi(seg); err != nil || k < 1 || k > segments {
					t.Fatalf("Render(%q) = %s\ndata-segment %q outside 1..%d", src, h, seg, segments)
				}
			}
			if id := attr(n, "id"); id != "" {
				k, _ := strconv.Atoi(strings.TrimPrefix(id, "p-"))
				if k <= last {
					t.Fatalf("Render(%q) = %s\nid %q after p-%d", src, h, id, last)
				}
				last = k
				if attr(n, "data-segment") != id[2:] {
					t.Fatalf("Render(%q) = %s\nid %q with data-segment %q", src, h, id, attr(n, "data-segment"))
				}
			}
		}

		h, err = r.RenderInline(src)
		if err != nil {
			t.Fatalf("RenderInline: %v", err)
		}
		nodes = MustParse(t, string(h))
		if err := checkSafe(nodes); err != nil {
			t.Fatalf("RenderInline(%q) = %s\n%v", src, h, err)
		}
		for _, n := range findAll(nodes, "") {
			if hasAttr(n, "id") || hasAttr(n, "data-segment") {
				t.Fatalf("RenderInline(%q) = %s: numbered element", src, h)
			}
		}

		_ = PlainText(src)
	})
}

// FuzzSanitize checks the allow-list on its own, for any HTML, including markup the
// Markdown parser never produces.
func FuzzSanitize(f *testing.F) {
	for _, s := range []string{
		`<script>alert(1)</script><p onclick=x>a<a href="java&#x09;script:x">b</a></p>`,
		`<svg><a href="javascript:x"><p>c</svg><math><mi>`,
		`<table><td><p>x<table><tr><th>y</table><ol start=2><li><h1 id=p-1 data-segment=1>z`,
		`<a href=https://x><a href=/y><em>q</a></em></a><br/></br><hr><plaintext><p>`,
		`<!-- --><![CDATA[ ]]><!DOCTYPE x><?x?><noscript><p>x</noscript><template>t</template>`,
		`<p dir=rtl style=x class=y title=z>w</p><pre>` + "\n" + `x</pre><textarea></textarea>`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		var b strings.Builder
		sanitize(&b, []byte(in))
		if err := checkSafe(MustParse(t, b.String()), true); err != nil {
			t.Fatalf("sanitize(%q) = %q\n%v", in, b.String(), err)
		}
	})
}
