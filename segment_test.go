package concord_test

import (
	"crypto/sha256"
	"encoding/hex"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"concord"
)

// segmentTexts returns the texts of segs.
func segmentTexts(segs []concord.Segment) []string {
	out := make([]string, len(segs))
	for i, s := range segs {
		out[i] = s.Text
	}
	return out
}

// segmentIDs returns the IDs of segs.
func segmentIDs(segs []concord.Segment) []string {
	out := make([]string, len(segs))
	for i, s := range segs {
		out[i] = s.ID
	}
	return out
}

func TestSegments(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"empty", "", []string{}},
		{"only blank lines", "\n  \n\t\n", []string{}},
		{"one paragraph", "Workers of the world,\nunite!", []string{"Workers of the world,\nunite!"}},
		{"paragraphs", "# Call\n\nFirst.\n\n\n\nSecond.\n", []string{"# Call", "First.", "Second."}},
		{"surrounding blank lines", "\n\n  \nText.\n\n \n", []string{"Text."}},
		{"CRLF", "One\r\nline\r\n\r\nTwo\r\n", []string{"One\nline", "Two"}},
		{"lone CR", "One\r\rTwo", []string{"One", "Two"}},
		{"whitespace-only line separates", "One\n \t \nTwo", []string{"One", "Two"}},
		{"indentation kept", "    code line\n    more\n\n- item\n  continued", []string{"    code line\n    more", "- item\n  continued"}},
		{"trailing spaces kept", "hard  \nbreak", []string{"hard  \nbreak"}},
		{"tight list is one block", "- a\n- b\n- c", []string{"- a\n- b\n- c"}},
		{"table is one block", "| a | b |\n|---|---|\n| 1 | 2 |", []string{"| a | b |\n|---|---|\n| 1 | 2 |"}},
		{"quote", "> quoted\n>\n> more\n\nafter", []string{"> quoted\n>\n> more", "after"}},
		{"fenced code with blank lines", "Before\n\n```go\nfunc f() {\n\n\treturn\n}\n```\n\nAfter",
			[]string{"Before", "```go\nfunc f() {\n\n\treturn\n}\n```", "After"}},
		{"tilde fence", "~~~\na\n\nb\n~~~\nc\n\nd", []string{"~~~\na\n\nb\n~~~\nc", "d"}},
		{"longer closing fence", "````\n```\n\nstill code\n````\n\nout", []string{"````\n```\n\nstill code\n````", "out"}},
		{"tilde does not close backticks", "```\n~~~\n\nx\n```\n\ny", []string{"```\n~~~\n\nx\n```", "y"}},
		{"unclosed fence runs to the end", "Text\n\n```\ncode\n\nmore\n\n\n", []string{"Text", "```\ncode\n\nmore"}},
		{"inline triple backticks are no fence", "Use ```x``` here\n\nnext", []string{"Use ```x``` here", "next"}},
		{"fence inside a paragraph", "Example:\n```\na\n\nb\n```\n\nend", []string{"Example:\n```\na\n\nb\n```", "end"}},
		{"indented fence in a list", "- item\n\n  ```\n  x\n\n  y\n  ```\n\nend", []string{"- item", "  ```\n  x\n\n  y\n  ```", "end"}},
		{"Persian", "متن اول\n\nمتن دوم", []string{"متن اول", "متن دوم"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			segs := concord.Segments(tc.in)
			if got := segmentTexts(segs); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Segments(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
			for i, s := range segs {
				if s.Index != i+1 {
					t.Errorf("segment %d has Index %d", i, s.Index)
				}
			}
		})
	}
}

func TestSegmentIDs(t *testing.T) {
	t.Parallel()
	idFormat := regexp.MustCompile(`^s[0-9a-f]{12}(-[0-9]+)?$`)
	hash := func(s string) string {
		sum := sha256.Sum256([]byte(s))
		return "s" + hex.EncodeToString(sum[:])[:12]
	}
	doc := "# Founding resolution\n\nWe, the organizations...\n\nArticle 1.\n\nArticle 2."
	base := concord.Segments(doc)

	tests := []struct {
		name  string
		check func(t *testing.T)
	}{
		{"format and hash", func(t *testing.T) {
			for _, s := range base {
				if !idFormat.MatchString(s.ID) {
					t.Errorf("ID %q has the wrong form", s.ID)
				}
				if s.ID != hash(s.Text) {
					t.Errorf("ID %q of %q, want %q", s.ID, s.Text, hash(s.Text))
				}
			}
		}},
		{"deterministic", func(t *testing.T) {
			if got := concord.Segments(doc); !reflect.DeepEqual(got, base) {
				t.Errorf("second run %v, first %v", got, base)
			}
		}},
		{"editing one paragraph changes only its ID", func(t *testing.T) {
			got := segmentIDs(concord.Segments(strings.Replace(doc, "Article 1.", "Article 1 (amended).", 1)))
			want := segmentIDs(base)
			if got[2] == want[2] {
				t.Errorf("edited paragraph kept its ID %s", got[2])
			}
			got[2], want[2] = "", ""
			if !reflect.DeepEqual(got, want) {
				t.Errorf("other IDs changed: %v, want %v", got, want)
			}
		}},
		{"inserting a paragraph keeps the other IDs", func(t *testing.T) {
			segs := concord.Segments(strings.Replace(doc, "Article 2.", "Article 1a.\n\nArticle 2.", 1))
			got := segmentIDs(segs)
			want := segmentIDs(base)
			if len(got) != 5 || !reflect.DeepEqual(append(got[:3:3], got[4]), want) {
				t.Errorf("IDs after insertion %v, before %v", got, want)
			}
			if segs[4].Index != 5 || segs[4].Text != "Article 2." {
				t.Errorf("moved segment is %+v", segs[4])
			}
		}},
		{"trailing spaces and line endings do not change IDs", func(t *testing.T) {
			noisy := strings.ReplaceAll(strings.ReplaceAll(doc, "\n", "  \r\n"), "Article 1.", "Article 1.\t")
			if got, want := segmentIDs(concord.Segments(noisy)), segmentIDs(base); !reflect.DeepEqual(got, want) {
				t.Errorf("IDs %v, want %v", got, want)
			}
		}},
		{"leading spaces do change IDs", func(t *testing.T) {
			if a, b := concord.Segments("x")[0].ID, concord.Segments("    x")[0].ID; a == b {
				t.Errorf("indented code has the paragraph's ID %s", a)
			}
		}},
		{"repeats are numbered", func(t *testing.T) {
			segs := concord.Segments("Solidarity!\n\nText.\n\nSolidarity!\n\nSolidarity!  ")
			ids := segmentIDs(segs)
			h := hash("Solidarity!")
			if want := []string{h, hash("Text."), h + "-2", h + "-3"}; !reflect.DeepEqual(ids, want) {
				t.Errorf("IDs %v, want %v", ids, want)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.check(t)
		})
	}
}

func TestSegmentsJoin(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		texts []string
	}{
		{"none", []string{}},
		{"one", []string{"# Title"}},
		{"several", []string{"# Title", "Paragraph\nwith two lines", "- a\n- b", "```\ncode\n```"}},
		{"translated", []string{"# Llamamiento", "¡Proletarios de todos los países, uníos!"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			md := concord.JoinSegments(tc.texts)
			if got := segmentTexts(concord.Segments(md)); !reflect.DeepEqual(got, tc.texts) {
				t.Errorf("Segments(JoinSegments(%q)) = %q", tc.texts, got)
			}
		})
	}
}

// segmentNonBlankLines returns the non-blank lines of s after line-ending normalization.
func segmentNonBlankLines(s string) []string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	var out []string
	for line := range strings.SplitSeq(s, "\n") {
		if strings.TrimSpace(line) != "" {
			out = append(out, line)
		}
	}
	return out
}

func FuzzSegments(f *testing.F) {
	f.Add("# Title\n\nParagraph one.\r\n\r\nParagraph two.\n")
	f.Add("```go\nx\n\ny\n```\n\nz\n\nz")
	f.Add("~~~\nunclosed\n\n\n")
	f.Add("a  \n\t\n b\xff\n\n")
	f.Add("متن\u200cاول\n\nمتن دوم")
	f.Fuzz(func(t *testing.T, md string) {
		segs := concord.Segments(md)
		var lines []string
		seen := map[string]bool{}
		for i, s := range segs {
			if s.Index != i+1 {
				t.Fatalf("segment %d has Index %d", i, s.Index)
			}
			if seen[s.ID] {
				t.Fatalf("ID %s repeated in %q", s.ID, md)
			}
			seen[s.ID] = true
			if s.Text == "" || strings.TrimSpace(s.Text) == "" {
				t.Fatalf("blank segment %d in %q", i, md)
			}
			lines = append(lines, segmentNonBlankLines(s.Text)...)
		}
		if want := segmentNonBlankLines(md); !reflect.DeepEqual(lines, want) && !(len(lines) == 0 && len(want) == 0) {
			t.Fatalf("segments hold lines %q, text has %q", lines, want)
		}
		if again := concord.Segments(md); !reflect.DeepEqual(again, segs) {
			t.Fatalf("not deterministic: %v then %v", segs, again)
		}
		if again := concord.Segments(concord.JoinSegments(segmentTexts(segs))); !reflect.DeepEqual(again, segs) {
			t.Fatalf("joining and splitting again gave %v, want %v", again, segs)
		}
	})
}
