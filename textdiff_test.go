package concord_test

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"concord"
)

// diffCheck fails t unless ops rebuild a and b and are well formed.
func diffCheck(t testing.TB, a, b string, ops []concord.DiffOp) {
	t.Helper()
	var ga, gb strings.Builder
	for i, op := range ops {
		if op.Text == "" {
			t.Fatalf("op %d is empty: %v", i, ops)
		}
		if i > 0 && ops[i-1].Kind == op.Kind {
			t.Fatalf("ops %d and %d have the same kind: %v", i-1, i, ops)
		}
		if i > 0 && ops[i-1].Kind == concord.DiffInsert && op.Kind == concord.DiffDelete {
			t.Fatalf("insert before delete at %d: %v", i, ops)
		}
		switch op.Kind {
		case concord.DiffEqual:
			ga.WriteString(op.Text)
			gb.WriteString(op.Text)
		case concord.DiffDelete:
			ga.WriteString(op.Text)
		case concord.DiffInsert:
			gb.WriteString(op.Text)
		default:
			t.Fatalf("op %d has kind %v", i, op.Kind)
		}
	}
	if ga.String() != a {
		t.Fatalf("equal+delete = %q, want %q", ga.String(), a)
	}
	if gb.String() != b {
		t.Fatalf("equal+insert = %q, want %q", gb.String(), b)
	}
}

// diffShow renders ops compactly: "=same", "-gone", "+new".
func diffShow(ops []concord.DiffOp) []string {
	out := make([]string, len(ops))
	for i, op := range ops {
		out[i] = map[concord.DiffKind]string{concord.DiffEqual: "=", concord.DiffDelete: "-", concord.DiffInsert: "+"}[op.Kind] + op.Text
	}
	return out
}

func TestDiffWords(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		a, b string
		want []string
	}{
		{"both empty", "", "", []string{}},
		{"same", "Workers of the world", "Workers of the world", []string{"=Workers of the world"}},
		{"all new", "", "Solidarity", []string{"+Solidarity"}},
		{"all gone", "Solidarity", "", []string{"-Solidarity"}},
		{"one word replaced", "the quick brown fox", "the slow brown fox", []string{"=the ", "-quick", "+slow", "= brown fox"}},
		{"word inserted with its space", "a big dog", "a very big dog", []string{"=a ", "+very ", "=big dog"}},
		{"word deleted with its space", "a very big dog", "a big dog", []string{"=a ", "-very ", "=big dog"}},
		{"words replaced as one", "the cat sat", "a dog sat", []string{"-the cat", "+a dog", "= sat"}},
		{"punctuation", "Unite!", "Unite.", []string{"=Unite", "-!", "+."}},
		{"appended", "jornada de lucha", "jornada de lucha libre", []string{"=jornada de lucha", "+ libre"}},
		{"paragraph inserted", "One.\n\nThree.", "One.\n\nTwo.\n\nThree.", []string{"=One.\n\n", "+Two.\n\n", "=Three."}},
		{"paragraph deleted", "One.\n\nTwo.\n\nThree.", "One.\n\nThree.", []string{"=One.\n\n", "-Two.\n\n", "=Three."}},
		{"whitespace only", "a b", "a\nb", []string{"=a", "- ", "+\n", "=b"}},
		{"Persian word with ZWNJ stays whole", "ما می‌رویم", "ما نمی‌رویم", []string{"=ما ", "-می‌رویم", "+نمی‌رویم"}},
		{"Arabic with harakat stays whole", "يَوْمُ النِّضَالِ", "يَوْمُ الكِفَاحِ", []string{"=يَوْمُ ", "-النِّضَالِ", "+الكِفَاحِ"}},
		{"Hindi vowel signs stay in the word", "संघर्ष दिवस", "संघर्ष का दिन", []string{"=संघर्ष ", "-दिवस", "+का दिन"}},
		{"German compound", "Kampftag der Arbeiter", "Kampftag der Arbeiter*innen", []string{"=Kampftag der Arbeiter", "+*innen"}},
		{"CRLF kept", "a\r\nb", "a\r\nc", []string{"=a\r\n", "-b", "+c"}},
		{"invalid UTF-8 kept byte for byte", "a\xff b", "a\xfe b", []string{"=a", "-\xff", "+\xfe", "= b"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ops := concord.DiffWords(tc.a, tc.b)
			diffCheck(t, tc.a, tc.b, ops)
			if got := diffShow(ops); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("DiffWords(%q, %q)\n got %q\nwant %q", tc.a, tc.b, got, tc.want)
			}
		})
	}
}

func TestDiffKindString(t *testing.T) {
	t.Parallel()
	for k, want := range map[concord.DiffKind]string{concord.DiffEqual: "equal", concord.DiffInsert: "insert", concord.DiffDelete: "delete"} {
		if k.String() != want {
			t.Errorf("%d.String() = %q, want %q", int(k), k.String(), want)
		}
	}
}

// diffText returns n pseudo-random words in lines of about ten words, from a fixed seed.
func diffText(seed uint64, n int) []string {
	vocab := strings.Fields("the workers of all countries unite against war and for peace solidarity " +
		"international day of struggle women youth federation conference resolution statement call " +
		"Kampftag Arbeiterinnen und Arbeiter jornada de lucha solidaridad internacional روز مبارزه کارگران")
	r := rand.New(rand.NewPCG(seed, 1))
	words := make([]string, n)
	for i := range words {
		words[i] = vocab[r.IntN(len(vocab))]
		if r.IntN(12) == 0 {
			words[i] += "."
		}
	}
	return words
}

// diffJoin joins words with spaces, putting sep after every perLine words.
func diffJoin(words []string, perLine int, sep string) string {
	var b strings.Builder
	for i, w := range words {
		if i > 0 {
			if i%perLine == 0 {
				b.WriteString(sep)
			} else {
				b.WriteByte(' ')
			}
		}
		b.WriteString(w)
	}
	return b.String()
}

// diffParagraphs returns Markdown of one-line paragraphs of 60 words, each mutated by
// diffMutate with frac (0 for none), so that paragraph breaks stay in place.
func diffParagraphs(words []string, seed uint64, frac float64) string {
	var paras []string
	for i := 0; i < len(words); i += 60 {
		p := words[i:min(i+60, len(words))]
		if frac > 0 {
			p = diffMutate(seed+uint64(i), p, frac)
		}
		paras = append(paras, strings.Join(p, " "))
	}
	return strings.Join(paras, "\n\n")
}

// diffMutate changes about frac of the words: replacing, deleting or inserting one.
func diffMutate(seed uint64, words []string, frac float64) []string {
	r := rand.New(rand.NewPCG(seed, 2))
	var out []string
	for _, w := range words {
		if r.Float64() >= frac {
			out = append(out, w)
			continue
		}
		switch r.IntN(3) {
		case 0:
			out = append(out, "changed"+fmt.Sprint(r.IntN(100)))
		case 1:
		case 2:
			out = append(out, w, "inserted")
		}
	}
	return out
}

func TestDiffWordsLarge(t *testing.T) {
	t.Parallel()
	base := diffText(1, 3000)
	tests := []struct {
		name string
		a, b string
	}{
		{"few changes", diffParagraphs(base, 0, 0), diffParagraphs(base, 2, 0.05)},
		{"few changes, hard-wrapped", diffJoin(base, 10, "\n"), diffJoin(diffMutate(2, base, 0.05), 10, "\n")},
		{"many changes, one line", diffJoin(base, len(base), ""), diffJoin(diffMutate(3, base, 0.3), len(base), "")},
		{"rewritten", diffJoin(base, 10, "\n"), diffJoin(diffText(4, 3000), 10, "\n")},
		{"rewritten one line", diffJoin(base, len(base), ""), diffJoin(diffText(4, 3000), len(base), "")},
		{"rewritten with common lines", diffJoin(base, 10, "\n"), diffJoin(diffText(5, 3000), 10, "\n") + "\n" + diffJoin(base[:500], 10, "\n")},
		{"huge and unrelated", strings.Repeat(diffJoin(base, 10, "\n")+"\n", 20), strings.Repeat(diffJoin(diffText(6, 3000), 10, "\n")+"\n", 20)},
		{"huge, one line differs", strings.Repeat("same line\n", 50000) + "x", strings.Repeat("same line\n", 50000) + "y"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ops := concord.DiffWords(tc.a, tc.b)
			diffCheck(t, tc.a, tc.b, ops)
		})
	}
}

// TestDiffWordsFallbackIsLineBased checks that beyond the edit limit unchanged lines still show
// as equal and changed lines as whole replacements or word diffs of their own.
func TestDiffWordsFallbackIsLineBased(t *testing.T) {
	t.Parallel()
	var a, b strings.Builder
	for i := range 1500 {
		fmt.Fprintf(&a, "line %d alpha beta gamma\n", i)
		if i%2 == 0 {
			fmt.Fprintf(&b, "line %d alpha beta gamma\n", i)
		} else {
			fmt.Fprintf(&b, "zeile %d eins zwei drei\n", i)
		}
	}
	ops := concord.DiffWords(a.String(), b.String())
	diffCheck(t, a.String(), b.String(), ops)
	equal := 0
	for _, op := range ops {
		if op.Kind == concord.DiffEqual && strings.Contains(op.Text, "alpha beta gamma\n") {
			equal++
		}
	}
	if equal < 700 {
		t.Errorf("only %d unchanged lines kept as equal", equal)
	}
}

func FuzzDiffWords(f *testing.F) {
	f.Add("the quick brown fox", "the slow brown fox")
	f.Add("ما می‌رویم", "ما نمی‌رویم")
	f.Add("One.\n\nTwo.\n\nThree.", "One.\n\nThree.")
	f.Add("a\xff b", "")
	f.Add("a a a a b", "a a b a a")
	f.Fuzz(func(t *testing.T, a, b string) {
		ops := concord.DiffWords(a, b)
		diffCheck(t, a, b, ops)
		if a == b && len(ops) > 1 {
			t.Fatalf("equal texts gave %v", ops)
		}
	})
}

func BenchmarkDiffWords(b *testing.B) {
	base := diffText(1, 2100) // about 16 KB
	cases := []struct {
		name string
		a, b string
	}{
		{"16KB-5pct-paragraphs", diffParagraphs(base, 0, 0), diffParagraphs(base, 2, 0.05)},
		{"16KB-5pct-hardwrapped", diffJoin(base, 10, "\n"), diffJoin(diffMutate(2, base, 0.05), 10, "\n")},
		{"16KB-5pct-oneline", diffJoin(base, len(base), ""), diffJoin(diffMutate(2, base, 0.05), len(base), "")},
		{"16KB-rewritten", diffJoin(base, 10, "\n"), diffJoin(diffText(7, 2100), 10, "\n")},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.a) + len(c.b)))
			b.ReportAllocs()
			for b.Loop() {
				concord.DiffWords(c.a, c.b)
			}
		})
	}
}
