package concord_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"concord"
)

func TestMemorySimilarity(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		a, b string
		want float64
	}{
		{"both empty", "", "", 1},
		{"only whitespace", " \n", "\t", 1},
		{"one empty", "Solidarity", "", 0},
		{"identical", "Workers of the world, unite!", "Workers of the world, unite!", 1},
		{"whitespace differs", "Workers of  the\nworld, unite!", " Workers of the world , unite! ", 1},
		{"case differs", "Unite", "unite", 0},
		{"one word of four", "a day of struggle", "a day of action", 0.75},
		{"one word inserted", "day of struggle", "day of joint struggle", 0.75},
		{"punctuation counts", "unite!", "unite.", 0.5},
		{"nothing in common", "peace now", "guerra nunca", 0},
		{"Persian word with ZWNJ is one token", "ما می‌رویم", "ما نمی‌رویم", 0.5},
		{"transposition costs two", "a b c d", "a c b d", 0.5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := concord.Similarity(tc.a, tc.b); math.Abs(got-tc.want) > 1e-9 {
				t.Errorf("Similarity(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
			}
			if got := concord.Similarity(tc.b, tc.a); math.Abs(got-tc.want) > 1e-9 {
				t.Errorf("Similarity(%q, %q) = %v, want %v (reversed)", tc.b, tc.a, got, tc.want)
			}
		})
	}
}

func TestMemoryMatch(t *testing.T) {
	t.Parallel()
	entry := func(src, origin string) concord.MemoryEntry {
		return concord.MemoryEntry{Source: src, Target: "es: " + src, SourceLang: "en", TargetLang: "es", Origin: origin}
	}
	entries := []concord.MemoryEntry{
		entry("We call for an international day of struggle.", "circular 1"),
		entry("We call for an international day of action.", "circular 2"),
		entry("Workers of the world, unite!", "manifesto"),
		entry("We  call for an international day of struggle.", "circular 3"),
		entry("We call for an international day of struggle.", "circular 4"),
		entry("", "empty"),
		entry("We call for an international day of struggle against war.", "circular 5"),
	}
	text := "We call for an international day of struggle."
	tests := []struct {
		name string
		text string
		min  float64
		n    int
		want []string // origins
		top  float64
	}{
		{"best first, exact before whitespace variant, then in order", text, 0.5, 10,
			[]string{"circular 1", "circular 4", "circular 3", "circular 2", "circular 5"}, 1},
		{"limit", text, 0.5, 2, []string{"circular 1", "circular 4"}, 1},
		{"limit keeps the best even when found last", "We call for an international day of struggle against war.", 0, 1, []string{"circular 5"}, 1},
		{"threshold", text, 0.85, 10, []string{"circular 1", "circular 4", "circular 3", "circular 2"}, 1},
		{"threshold 1 means exact after whitespace", text, 1, 10, []string{"circular 1", "circular 4", "circular 3"}, 1},
		{"no match", "Completely different words here", 0.5, 10, []string{}, 0},
		{"none wanted", text, 0.5, 0, []string{}, 0},
		{"threshold above 1", text, 1.5, 10, []string{}, 0},
		{"empty text matches the empty entry", "", 0.5, 10, []string{"empty"}, 1},
		{"zero threshold returns everything", "Workers", 0, 100, []string{"manifesto", "circular 1", "circular 2", "circular 3", "circular 4", "empty", "circular 5"}, 1.0 / 7},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := concord.MatchMemory(tc.text, entries, tc.min, tc.n)
			origins := []string{}
			for i, m := range got {
				origins = append(origins, m.Entry.Origin)
				if m.Score < tc.min || m.Score > 1 {
					t.Errorf("score %v outside [%v, 1]", m.Score, tc.min)
				}
				if want := concord.Similarity(tc.text, m.Entry.Source); math.Abs(m.Score-want) > 1e-9 {
					t.Errorf("%s: score %v, Similarity says %v", m.Entry.Origin, m.Score, want)
				}
				if i > 0 && got[i-1].Score < m.Score {
					t.Errorf("not best first: %v", got)
				}
			}
			if !reflect.DeepEqual(origins, tc.want) {
				t.Errorf("MatchMemory(%q, %v, %d) = %q, want %q", tc.text, tc.min, tc.n, origins, tc.want)
			}
			if len(got) > 0 && math.Abs(got[0].Score-tc.top) > 1e-9 {
				t.Errorf("top score %v, want %v", got[0].Score, tc.top)
			}
		})
	}
}

// TestMemoryMatchAgreesWithSimilarity checks the pruned search against a plain one on random
// sentences: the same entries with the same scores in the same order.
func TestMemoryMatchAgreesWithSimilarity(t *testing.T) {
	t.Parallel()
	entries := memoryEntries(1000, 3)
	r := rand.New(rand.NewPCG(4, 4))
	for q := range 30 {
		text := entries[r.IntN(len(entries))].Source
		if q%3 == 0 {
			text = memorySentence(r)
		} else if q%3 == 1 {
			text = strings.Replace(text, " ", " new ", 1)
		}
		minScore, n := []float64{0, 0.3, 0.6, 0.9}[q%4], []int{1, 3, 10, 50}[q%4]
		var want []concord.MemoryMatch
		for _, e := range entries {
			if s := concord.Similarity(text, e.Source); s >= minScore {
				want = append(want, concord.MemoryMatch{Entry: e, Score: s})
			}
		}
		// Stable sort by score, exact text first among equals.
		for i := 1; i < len(want); i++ {
			for j := i; j > 0; j-- {
				a, b := want[j-1], want[j]
				if a.Score > b.Score || (a.Score == b.Score && (a.Entry.Source == text || b.Entry.Source != text)) {
					break
				}
				want[j-1], want[j] = b, a
			}
		}
		want = want[:min(n, len(want))]
		got := concord.MatchMemory(text, entries, minScore, n)
		if len(got) != len(want) {
			t.Fatalf("query %q min %v n %d: %d matches, want %d", text, minScore, n, len(got), len(want))
		}
		for i := range got {
			if got[i].Entry != want[i].Entry || math.Abs(got[i].Score-want[i].Score) > 1e-9 {
				t.Fatalf("query %q min %v n %d: match %d is %+v, want %+v", text, minScore, n, i, got[i], want[i])
			}
		}
	}
}

// memorySentence returns a random sentence of 4–24 words from a small vocabulary.
func memorySentence(r *rand.Rand) string {
	vocab := strings.Fields("we call for an international day of struggle against war and imperialism " +
		"the workers women youth of all countries unite solidarity with people peace freedom " +
		"federation conference resolution statement member organizations , . ! ;")
	words := make([]string, 4+r.IntN(21))
	for i := range words {
		words[i] = vocab[r.IntN(len(vocab))]
	}
	return strings.Join(words, " ")
}

// memoryEntries returns n memory entries with random sources.
func memoryEntries(n int, seed uint64) []concord.MemoryEntry {
	r := rand.New(rand.NewPCG(seed, seed))
	out := make([]concord.MemoryEntry, n)
	for i := range out {
		s := memorySentence(r)
		out[i] = concord.MemoryEntry{Source: s, Target: "es: " + s, SourceLang: "en", TargetLang: "es", Origin: fmt.Sprint("doc ", i)}
	}
	return out
}

func BenchmarkMatchMemory(b *testing.B) {
	entries := memoryEntries(10_000, 5)
	query := strings.Replace(entries[7777].Source, " ", " new ", 1) // a near match
	for _, c := range []struct {
		name string
		min  float64
	}{{"min0.7", 0.7}, {"min0.5", 0.5}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if got := concord.MatchMemory(query, entries, c.min, 5); len(got) == 0 {
					b.Fatal("no match")
				}
			}
		})
	}
}
