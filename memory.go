package concord

import (
	"container/heap"
	"math"
)

// MemoryEntry is one earlier translation of a text in the translation memory.
type MemoryEntry struct {
	Source, Target, SourceLang, TargetLang string
	Origin                                 string // e.g. document title or version hash
}

// MemoryMatch is a memory entry found for a text, with how similar its source is.
type MemoryMatch struct {
	Entry MemoryEntry
	Score float64 // 0..1, 1 = exact
}

// MatchMemory returns up to n entries whose source is similar to text (score ≥ minScore), best first; exact matches (after whitespace normalization) score 1.
//
// Scores are Similarity's. Entries of equal score keep their order, except that an entry whose
// source is byte for byte the text comes first. Entries whose length alone rules them out are
// skipped without comparison, and the comparison of the others stops as soon as the score
// can no longer reach minScore or, once n matches are in hand, beat the worst of them.
func MatchMemory(text string, entries []MemoryEntry, minScore float64, n int) []MemoryMatch {
	if n <= 0 || len(entries) == 0 || !(minScore <= 1) {
		return nil
	}
	minScore = math.Max(minScore, 0)
	q := tmTokens(text, nil)
	var (
		best     tmHeap
		cand     []string
		prev     []int
		cur      []int
		queryLen = len(q)
	)
	for i := range entries {
		src := entries[i].Source
		// The score needed to enter the result: minScore, or that of the current worst.
		need := minScore
		if len(best) == n {
			need = math.Max(minScore, best[0].score)
		}
		cand = tmTokens(src, cand[:0])
		m := len(cand)
		l := max(queryLen, m)
		if l > 0 && 1-float64(tmAbs(queryLen-m))/float64(l) < need {
			continue
		}
		k := l
		if l > 0 {
			k = int(math.Floor((1-need)*float64(l) + 1e-9))
		}
		if len(prev) < len(cand)+1 {
			prev, cur = make([]int, len(cand)+1), make([]int, len(cand)+1)
		}
		d, ok := tmDistance(q, cand, k, prev, cur)
		if !ok {
			continue
		}
		score := 1.0
		if l > 0 {
			score = 1 - float64(d)/float64(l)
		}
		if score < minScore {
			continue
		}
		it := tmItem{index: i, score: score, exact: src == text}
		if len(best) < n {
			heap.Push(&best, it)
		} else if tmBetter(it, best[0]) {
			best[0] = it
			heap.Fix(&best, 0)
		}
	}
	out := make([]MemoryMatch, len(best))
	for i := len(best) - 1; i >= 0; i-- {
		it := heap.Pop(&best).(tmItem)
		out[i] = MemoryMatch{Entry: entries[it.index], Score: it.score}
	}
	return out
}

// Similarity returns how alike a and b are, from 0 to 1: one minus the Levenshtein distance
// between their word and punctuation tokens (as DiffWords splits them; whitespace is ignored)
// divided by the longer token count. Texts that differ only in whitespace score 1.
func Similarity(a, b string) float64 {
	ta, tb := tmTokens(a, nil), tmTokens(b, nil)
	l := max(len(ta), len(tb))
	if l == 0 {
		return 1
	}
	d, _ := tmDistance(ta, tb, l, make([]int, len(tb)+1), make([]int, len(tb)+1))
	return 1 - float64(d)/float64(l)
}

// tmTokens appends the non-whitespace tokens of s to dst.
func tmTokens(s string, dst []string) []string {
	for i := 0; i < len(s); {
		j, c := diffNextToken(s, i)
		if c != diffClassSpace {
			dst = append(dst, s[i:j])
		}
		i = j
	}
	return dst
}

// tmDistance returns the Levenshtein distance of a and b if it is at most k, computing only
// the diagonal band that can stay within k (Ukkonen) and stopping when a row exceeds k.
// prev and cur are scratch rows of at least len(b)+1 entries.
func tmDistance(a, b []string, k int, prev, cur []int) (int, bool) {
	n, m := len(a), len(b)
	if tmAbs(n-m) > k {
		return 0, false
	}
	if n == 0 || m == 0 {
		return max(n, m), true
	}
	inf := k + 1
	for j := 0; j <= m; j++ {
		prev[j] = min(j, inf)
	}
	for i := 1; i <= n; i++ {
		lo, hi := max(1, i-k), min(m, i+k)
		if lo == 1 {
			cur[0] = min(i, inf)
		} else {
			cur[lo-1] = inf
		}
		rowMin := cur[lo-1]
		ai := a[i-1]
		for j := lo; j <= hi; j++ {
			v := prev[j-1]
			if ai != b[j-1] {
				v++
			}
			v = min(v, prev[j]+1, cur[j-1]+1, inf)
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if hi < m {
			cur[hi+1] = inf
		}
		if rowMin > k {
			return 0, false
		}
		prev, cur = cur, prev
	}
	return prev[m], prev[m] <= k
}

// tmAbs returns the absolute value of x.
func tmAbs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// tmItem is a candidate match in the top-n heap.
type tmItem struct {
	index int
	score float64
	exact bool
}

// tmBetter reports whether x ranks before y: higher score, then exact text, then earlier.
func tmBetter(x, y tmItem) bool {
	if x.score != y.score {
		return x.score > y.score
	}
	if x.exact != y.exact {
		return x.exact
	}
	return x.index < y.index
}

// tmHeap is a min-heap with the worst of the best matches on top.
type tmHeap []tmItem

// Len implements heap.Interface.
func (h tmHeap) Len() int { return len(h) }

// Less implements heap.Interface: the worse match is "less".
func (h tmHeap) Less(i, j int) bool { return tmBetter(h[j], h[i]) }

// Swap implements heap.Interface.
func (h tmHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }

// Push implements heap.Interface.
func (h *tmHeap) Push(x any) { *h = append(*h, x.(tmItem)) }

// Pop implements heap.Interface.
func (h *tmHeap) Pop() any {
	old := *h
	it := old[len(old)-1]
	*h = old[:len(old)-1]
	return it
}
