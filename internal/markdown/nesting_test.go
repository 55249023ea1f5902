package markdown

import (
	"strings"
	"testing"

	"concord"
)

func TestDefuse(t *testing.T) {
	t.Parallel()
	q := strings.Repeat
	tests := []struct {
		name, src, want string
	}{
		{"normal text untouched", "> a\n>> b\n\n- x\n  - y\n    1. z\n\n[a](b)[c](d)", "> a\n>> b\n\n- x\n  - y\n    1. z\n\n[a](b)[c](d)"},
		{"deep quote", q(">", 20) + " a", q(">", 16) + `\` + q(">", 4) + " a"},
		{"deep quote with spaces", q("> ", 17) + "a", q("> ", 16) + `\> a`},
		{"deep bullets", q("- ", 17) + "a", q("- ", 16) + `\- a`},
		{"deep ordered", q("1. ", 17) + "a", q("1. ", 16) + `1\. a`},
		{"mixed markers", q("> * ", 9) + "a", q("> * ", 8) + `\> * a`},
		{"marker too far right", q(" ", 65) + "- a", q(" ", 65) + `\- a`},
		{"tabs count as columns", q("\t", 17) + "> a", q("\t", 17) + `\> a`},
		{"marker at the indent limit", q(" ", 64) + "- a", q(" ", 64) + "- a"},
		{"thematic break of many dashes", q("- ", 40), q("- ", 40)},
		{"thematic break after quotes", "> " + q("* ", 40), "> " + q("* ", 40)},
		{"not a marker", q("-", 40) + "a", q("-", 40) + "a"},
		{"many link openers", q("[a](", 34), q("[a](", 32) + `[a]\([a]\(`},
		{"link openers counted per run", q("[a](", 30) + " " + q("[a](", 30), q("[a](", 30) + " " + q("[a](", 30)},
		{"fenced code untouched", "```\n" + q(">", 20) + "\n" + q("[a](", 40) + "\n```\n" + q(">", 17), "```\n" + q(">", 20) + "\n" + q("[a](", 40) + "\n```\n" + q(">", 16) + `\>`},
		{"both on one line", q(">", 17) + q("[a](", 33), q(">", 16) + `\>` + q("[a](", 32) + `[a]\(`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := defuse(tt.src)
			if got != tt.want {
				t.Errorf("defuse(%q) =\n%q\nwant\n%q", tt.src, got, tt.want)
			}
			if a, b := len(concord.Segments(tt.src)), len(concord.Segments(got)); a != b {
				t.Errorf("segments %d before, %d after", a, b)
			}
		})
	}
}

// TestDefuseRendering checks that escaped markers and link openers show as the characters
// they were.
func TestDefuseRendering(t *testing.T) {
	t.Parallel()
	src := strings.Repeat(">", 20) + " deep\n\n" + strings.Repeat("[a](", 40)
	nodes := MustParse(t, MustRender(t, src))
	if n := len(findAll(nodes, "blockquote")); n != 16 {
		t.Errorf("%d blockquotes, want 16", n)
	}
	text := textOf(nodes...)
	if !strings.Contains(text, ">>>> deep") || !strings.Contains(text, strings.Repeat("[a](", 40)) || strings.Contains(text, `\`) {
		t.Errorf("text = %q", text)
	}
}
