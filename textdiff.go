package concord

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// DiffKind says whether a piece of a diff is unchanged, inserted or deleted.
type DiffKind int

// The kinds of diff operations.
const (
	DiffEqual  DiffKind = iota // text in both a and b
	DiffInsert                 // text only in b
	DiffDelete                 // text only in a
)

// String returns "equal", "insert" or "delete".
func (k DiffKind) String() string {
	switch k {
	case DiffEqual:
		return "equal"
	case DiffInsert:
		return "insert"
	case DiffDelete:
		return "delete"
	}
	return "DiffKind(?)"
}

// DiffOp is one run of text of a single kind in a diff.
type DiffOp struct {
	Kind DiffKind
	Text string
}

const (
	// diffMaxEdits is the edit distance (in tokens) above which DiffWords stops diffing word
	// by word and falls back to a line diff.
	diffMaxEdits = 2000
	// diffMaxWork bounds the comparison steps of one diff pass, so that even texts of many
	// megabytes with few common runs stay fast; it is spent at most twice per call.
	diffMaxWork = 10_000_000
	// diffMaxSlide bounds how far an insertion or deletion is slid to a more readable place.
	diffMaxSlide = 64
)

// DiffWords returns the word-level differences that turn a into b. Words are runs of Unicode
// letters, numbers and marks (with ZWNJ, ZWJ and soft hyphen inside words, so Persian,
// Arabic and Hindi words stay whole); runs of whitespace and single other runes (punctuation,
// symbols) are tokens of their own. Concatenating the Equal and Delete texts gives a, the
// Equal and Insert texts gives b; adjacent operations never have the same kind, and within one
// change Delete comes before Insert.
//
// Unchanged lines are found first and the changed ones diffed word by word (Myers), which
// keeps long texts with local edits fast. Where a run of changed lines differs in more than
// about 2000 tokens, or the work budget of a call is spent, its lines are shown as deleted and
// inserted instead; beyond 2000 changed lines only the common first and last lines are kept.
func DiffWords(a, b string) []DiffOp {
	if a == b {
		if a == "" {
			return nil
		}
		return []DiffOp{{DiffEqual, a}}
	}
	var w diffWork
	la, lb := diffSplitLines(a), diffSplitLines(b)
	ida, idb := w.intern(la, lb)
	w.engine.reset(diffMaxWork)
	var hunks []diffHunk
	if w.engine.diff(ida, idb) {
		hunks = diffHunks(w.engine.edits)
		diffSlide(hunks, la, lb, ida, idb)
		hunks = diffCompact(hunks)
	} else {
		hunks = diffCoarse(ida, idb)
	}
	pa, pb := diffOffsets(la, nil), diffOffsets(lb, nil)
	budget := diffMaxWork
	for _, h := range hunks {
		a0, a1, b0, b1 := pa[h.ia], pa[h.ia+h.na], pb[h.ib], pb[h.ib+h.nb]
		if !h.eq && a0 < a1 && b0 < b1 && budget > 0 && w.words(a[a0:a1], b[b0:b1], a0, b0, &budget) {
			continue
		}
		w.add(h.eq, a0, a1, b0, b1)
	}
	ops := make([]DiffOp, len(w.out))
	for i, sp := range w.out {
		src := a
		if sp.kind == DiffInsert {
			src = b
		}
		ops[i] = DiffOp{sp.kind, src[sp.start:sp.end]}
	}
	return ops
}

// diffWork holds one DiffWords call's output and the scratch space its passes reuse.
type diffWork struct {
	engine   diffEngine
	ids      map[string]int32
	ta, tb   []string
	ida, idb []int32
	pa, pb   []int
	out      []diffSpan // the result so far
}

// diffSpan is one operation as a byte range of a (equal, delete) or of b (insert).
type diffSpan struct {
	kind       DiffKind
	start, end int
}

// emit appends the byte range [start, end) of kind k to the result, extending the last span
// when it has the same kind (it then always ends where this one starts).
func (w *diffWork) emit(k DiffKind, start, end int) {
	if start == end {
		return
	}
	if n := len(w.out); n > 0 && w.out[n-1].kind == k {
		w.out[n-1].end = end
		return
	}
	w.out = append(w.out, diffSpan{k, start, end})
}

// add emits an unchanged range a[a0:a1] (== b[b0:b1]) or a change from a[a0:a1] to b[b0:b1].
func (w *diffWork) add(eq bool, a0, a1, b0, b1 int) {
	if eq {
		w.emit(DiffEqual, a0, a1)
		return
	}
	w.emit(DiffDelete, a0, a1)
	w.emit(DiffInsert, b0, b1)
}

// intern maps equal tokens of ta and tb to equal small integers.
func (w *diffWork) intern(ta, tb []string) ([]int32, []int32) {
	if w.ids == nil {
		w.ids = make(map[string]int32, len(ta)/2+len(tb)/2)
	} else {
		clear(w.ids)
	}
	conv := func(ts []string, out []int32) []int32 {
		for _, t := range ts {
			id, ok := w.ids[t]
			if !ok {
				id = int32(len(w.ids))
				w.ids[t] = id
			}
			out = append(out, id)
		}
		return out
	}
	w.ida = conv(ta, w.ida[:0])
	w.idb = conv(tb, w.idb[:0])
	return w.ida, w.idb
}

// words diffs a and b, which start at offsets a0 and b0 of the whole texts, token by token
// within the edit limit, spending from budget, and emits the result. It reports false, having
// emitted nothing, when the limit or the budget is exceeded.
func (w *diffWork) words(a, b string, a0, b0 int, budget *int) bool {
	w.ta, w.tb = diffTokenize(a, w.ta[:0]), diffTokenize(b, w.tb[:0])
	ida, idb := w.intern(w.ta, w.tb)
	w.engine.reset(*budget)
	ok := w.engine.diff(ida, idb)
	*budget = w.engine.work
	if !ok {
		return false
	}
	w.pa, w.pb = diffOffsets(w.ta, w.pa[:0]), diffOffsets(w.tb, w.pb[:0])
	hunks := diffHunks(w.engine.edits)
	hunks = diffMergeWeakEqual(hunks, w.ta)
	diffSlide(hunks, w.ta, w.tb, ida, idb)
	for _, h := range diffCompact(hunks) {
		w.add(h.eq, a0+w.pa[h.ia], a0+w.pa[h.ia+h.na], b0+w.pb[h.ib], b0+w.pb[h.ib+h.nb])
	}
	return true
}

// Token classes of the word tokenizer.
const (
	diffClassWord = iota
	diffClassSpace
	diffClassOther
)

// diffIsWordRune reports whether r belongs inside a word: letters, numbers, combining marks,
// and the invisible joiners and soft hyphen that occur inside words (ZWNJ in Persian, ZWJ in
// Indic scripts, U+00AD in hyphenated German).
func diffIsWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r) ||
		r == '\u200c' || r == '\u200d' || r == '\u00ad'
}

// diffClass classifies the rune r of encoded width w; invalid bytes are "other".
func diffClass(r rune, w int) int {
	switch {
	case r == utf8.RuneError && w <= 1:
		return diffClassOther
	case diffIsWordRune(r):
		return diffClassWord
	case unicode.IsSpace(r):
		return diffClassSpace
	}
	return diffClassOther
}

// diffASCIIClass is the token class of each ASCII byte, a fast path for diffClassAt.
var diffASCIIClass = func() (t [utf8.RuneSelf]uint8) {
	for b := range t {
		t[b] = uint8(diffClass(rune(b), 1))
	}
	return t
}()

// diffClassAt returns the token class and width of the (non-ASCII) rune starting at s[i].
func diffClassAt(s string, i int) (class, width int) {
	r, w := utf8.DecodeRuneInString(s[i:])
	return diffClass(r, w), w
}

// diffNextToken returns the end and the class of the token starting at s[i].
func diffNextToken(s string, i int) (end, class int) {
	var c, w int
	if b := s[i]; b < utf8.RuneSelf {
		c, w = int(diffASCIIClass[b]), 1
	} else {
		c, w = diffClassAt(s, i)
	}
	j := i + w
	if c == diffClassOther {
		return j, c
	}
	for j < len(s) {
		if b := s[j]; b < utf8.RuneSelf {
			if int(diffASCIIClass[b]) != c {
				break
			}
			j++
			continue
		}
		c2, w2 := diffClassAt(s, j)
		if c2 != c {
			break
		}
		j += w2
	}
	return j, c
}

// diffTokenize appends the tokens of s to dst: words, whitespace runs and single other runes
// (or single invalid bytes). The tokens are substrings of s and together make up all of s.
func diffTokenize(s string, dst []string) []string {
	for i := 0; i < len(s); {
		j, _ := diffNextToken(s, i)
		dst = append(dst, s[i:j])
		i = j
	}
	return dst
}

// diffIsSpaceToken reports whether tok is a whitespace token.
func diffIsSpaceToken(tok string) bool {
	r, w := utf8.DecodeRuneInString(tok)
	return diffClass(r, w) == diffClassSpace
}

// diffSplitLines splits s after each newline; the pieces make up all of s.
func diffSplitLines(s string) []string {
	var lines []string
	for s != "" {
		i := strings.IndexByte(s, '\n') + 1
		if i == 0 {
			i = len(s)
		}
		lines = append(lines, s[:i])
		s = s[i:]
	}
	return lines
}

// diffOffsets appends to dst the byte offset of each token and, last, the total length.
func diffOffsets(ts []string, dst []int) []int {
	n := 0
	dst = append(dst, 0)
	for _, t := range ts {
		n += len(t)
		dst = append(dst, n)
	}
	return dst
}

// diffEdit is a run of n tokens of one kind in an edit script.
type diffEdit struct {
	kind DiffKind
	n    int
}

// diffEngine runs a linear-space Myers diff (the bisection of "An O(ND) Difference Algorithm
// and Its Variations", 1986, as in diff-match-patch) with a bound on the edit distance and on
// the total work.
type diffEngine struct {
	maxHalf int // a bisection gives up after this many edits from each end
	work    int // remaining comparison steps; below zero the diff gives up
	v1, v2  []int
	edits   []diffEdit
}

// reset prepares the engine for a new diff with the given work budget, keeping its buffers.
func (e *diffEngine) reset(work int) {
	e.maxHalf, e.work, e.edits = diffMaxEdits/2, work, e.edits[:0]
}

// emit appends n tokens of kind k to the edit script.
func (e *diffEngine) emit(k DiffKind, n int) {
	if n <= 0 {
		return
	}
	if l := len(e.edits); l > 0 && e.edits[l-1].kind == k {
		e.edits[l-1].n += n
		return
	}
	e.edits = append(e.edits, diffEdit{k, n})
}

// diff appends the edit script from a to b; it reports false when a bound was exceeded.
func (e *diffEngine) diff(a, b []int32) bool {
	p := 0
	for p < len(a) && p < len(b) && a[p] == b[p] {
		p++
	}
	e.emit(DiffEqual, p)
	a, b = a[p:], b[p:]
	s := 0
	for s < len(a) && s < len(b) && a[len(a)-1-s] == b[len(b)-1-s] {
		s++
	}
	a, b = a[:len(a)-s], b[:len(b)-s]
	e.work -= p + s
	switch {
	case len(a) == 0:
		e.emit(DiffInsert, len(b))
	case len(b) == 0:
		e.emit(DiffDelete, len(a))
	default:
		x, y, ok := e.bisect(a, b)
		if !ok {
			return false
		}
		if x <= 0 && y <= 0 || x >= len(a) && y >= len(b) {
			// Nothing in common (or, defensively, no progress): replace all.
			e.emit(DiffDelete, len(a))
			e.emit(DiffInsert, len(b))
		} else if !e.diff(a[:x], b[:y]) || !e.diff(a[x:], b[y:]) {
			return false
		}
	}
	e.emit(DiffEqual, s)
	return true
}

// bisect finds the middle of the shortest edit path from a to b, where the forward and the
// reverse search meet. It returns -1, -1 when a and b have nothing in common, and ok false
// when the path is longer than the engine's bound or the work budget ran out.
func (e *diffEngine) bisect(a, b []int32) (x, y int, ok bool) {
	n, m := len(a), len(b)
	maxD := (n + m + 1) / 2
	dm := min(maxD, e.maxHalf+1)
	vOff := dm + 1
	vLen := 2*dm + 3
	if cap(e.v1) < vLen {
		e.v1, e.v2 = make([]int, vLen), make([]int, vLen)
	}
	v1, v2 := e.v1[:vLen], e.v2[:vLen]
	for i := range v1 {
		v1[i], v2[i] = -1, -1
	}
	v1[vOff+1], v2[vOff+1] = 0, 0
	delta := n - m
	front := delta%2 != 0
	k1start, k1end, k2start, k2end := 0, 0, 0, 0
	for d := 0; d < maxD; d++ {
		if d > e.maxHalf || e.work < 0 {
			return 0, 0, false
		}
		e.work -= 2*d + 1
		// Walk the forward path one step.
		for k1 := -d + k1start; k1 <= d-k1end; k1 += 2 {
			ko := vOff + k1
			var x1 int
			if k1 == -d || (k1 != d && v1[ko-1] < v1[ko+1]) {
				x1 = v1[ko+1]
			} else {
				x1 = v1[ko-1] + 1
			}
			y1 := x1 - k1
			x0 := x1
			for x1 < n && y1 < m && a[x1] == b[y1] {
				x1++
				y1++
			}
			e.work -= x1 - x0
			v1[ko] = x1
			if x1 > n {
				k1end += 2 // ran off the right of the graph
			} else if y1 > m {
				k1start += 2 // ran off the bottom of the graph
			} else if front {
				if k2o := vOff + delta - k1; k2o >= 0 && k2o < vLen && v2[k2o] != -1 && x1 >= n-v2[k2o] {
					return x1, y1, true
				}
			}
		}
		// Walk the reverse path one step.
		for k2 := -d + k2start; k2 <= d-k2end; k2 += 2 {
			ko := vOff + k2
			var x2 int
			if k2 == -d || (k2 != d && v2[ko-1] < v2[ko+1]) {
				x2 = v2[ko+1]
			} else {
				x2 = v2[ko-1] + 1
			}
			y2 := x2 - k2
			x0 := x2
			for x2 < n && y2 < m && a[n-x2-1] == b[m-y2-1] {
				x2++
				y2++
			}
			e.work -= x2 - x0
			v2[ko] = x2
			if x2 > n {
				k2end += 2 // ran off the left of the graph
			} else if y2 > m {
				k2start += 2 // ran off the top of the graph
			} else if !front {
				if k1o := vOff + delta - k2; k1o >= 0 && k1o < vLen && v1[k1o] != -1 {
					x1 := v1[k1o]
					if x1 >= n-x2 {
						return x1, x1 - (k1o - vOff), true
					}
				}
			}
		}
	}
	return -1, -1, true
}

// diffHunk is an unchanged run (eq, na == nb) or a change (na tokens of a replaced by nb
// tokens of b) starting at token ia of a and ib of b.
type diffHunk struct {
	ia, ib int
	na, nb int
	eq     bool
}

// diffHunks turns an edit script into alternating equal and change hunks.
func diffHunks(edits []diffEdit) []diffHunk {
	var hs []diffHunk
	ia, ib := 0, 0
	for _, ed := range edits {
		if ed.kind == DiffEqual {
			hs = append(hs, diffHunk{ia: ia, ib: ib, na: ed.n, nb: ed.n, eq: true})
			ia += ed.n
			ib += ed.n
			continue
		}
		if l := len(hs); l == 0 || hs[l-1].eq {
			hs = append(hs, diffHunk{ia: ia, ib: ib})
		}
		h := &hs[len(hs)-1]
		if ed.kind == DiffDelete {
			h.na += ed.n
			ia += ed.n
		} else {
			h.nb += ed.n
			ib += ed.n
		}
	}
	return hs
}

// diffCoarse keeps the common first and last tokens and replaces everything between.
func diffCoarse(a, b []int32) []diffHunk {
	p := 0
	for p < len(a) && p < len(b) && a[p] == b[p] {
		p++
	}
	s := 0
	for s < len(a)-p && s < len(b)-p && a[len(a)-1-s] == b[len(b)-1-s] {
		s++
	}
	hs := []diffHunk{
		{ia: 0, ib: 0, na: p, nb: p, eq: true},
		{ia: p, ib: p, na: len(a) - p - s, nb: len(b) - p - s},
		{ia: len(a) - s, ib: len(b) - s, na: s, nb: s, eq: true},
	}
	return diffCompact(hs)
}

// diffMergeWeakEqual folds into the surrounding replacements every unchanged run of spaces
// and punctuation without a line break, in the spirit of diff-match-patch's semantic cleanup:
// "the cat" → "a dog" reads better as one replacement than as two around " ". Unchanged words
// and line breaks stay, and so do runs next to pure insertions or deletions.
func diffMergeWeakEqual(hs []diffHunk, ta []string) []diffHunk {
	weak := func(h diffHunk) bool {
		for _, tok := range ta[h.ia : h.ia+h.na] {
			r, w := utf8.DecodeRuneInString(tok)
			if diffClass(r, w) == diffClassWord || strings.IndexByte(tok, '\n') >= 0 {
				return false
			}
		}
		return true
	}
	out := make([]diffHunk, 0, len(hs))
	for _, h := range hs {
		if !h.eq && h.na > 0 && h.nb > 0 {
			for l := len(out); l >= 2 && out[l-1].eq && out[l-2].na > 0 && out[l-2].nb > 0 && !out[l-2].eq && weak(out[l-1]); l = len(out) {
				eq, c := out[l-1], out[l-2]
				h = diffHunk{ia: c.ia, ib: c.ib, na: c.na + eq.na + h.na, nb: c.nb + eq.nb + h.nb}
				out = out[:l-2]
			}
		}
		out = append(out, h)
	}
	return out
}

// diffSlide moves each pure insertion or deletion, where the neighbouring text allows, to the
// place that reads best: starting at a word after whitespace or at a line start, and ending
// with whitespace ("a [very ]big" rather than "a[ very] big").
func diffSlide(hs []diffHunk, ta, tb []string, ida, idb []int32) {
	for i := 1; i+1 < len(hs); i++ {
		h := &hs[i]
		if h.eq || (h.na != 0 && h.nb != 0) {
			continue
		}
		toks, ids, s, n := tb, idb, h.ib, h.nb
		if h.nb == 0 {
			toks, ids, s, n = ta, ida, h.ia, h.na
		}
		prev, next := &hs[i-1], &hs[i+1]
		left, right := 0, 0
		for left < prev.na && left < diffMaxSlide && ids[s-1-left] == ids[s+n-1-left] {
			left++
		}
		for right < next.na && right < diffMaxSlide && ids[s+n+right] == ids[s+right] {
			right++
		}
		if left == 0 && right == 0 {
			continue
		}
		best, bestScore := 0, -1
		for t := -left; t <= right; t++ {
			if sc := diffSlideScore(toks, s+t, n); sc > bestScore {
				best, bestScore = t, sc
			}
		}
		h.ia += best
		h.ib += best
		prev.na += best
		prev.nb += best
		next.ia += best
		next.ib += best
		next.na -= best
		next.nb -= best
	}
}

// diffSlideScore rates the readability of a change covering toks[s:s+n].
func diffSlideScore(toks []string, s, n int) int {
	score := 0
	if !diffIsSpaceToken(toks[s]) && (s == 0 || diffIsSpaceToken(toks[s-1])) {
		score += 2 // starts at a word after whitespace
	}
	if s == 0 || strings.HasSuffix(toks[s-1], "\n") {
		score++ // starts at a line
	}
	if diffIsSpaceToken(toks[s+n-1]) {
		score++ // takes its trailing whitespace along
	}
	return score
}

// diffCompact drops empty hunks and merges neighbours of the same kind.
func diffCompact(hs []diffHunk) []diffHunk {
	out := hs[:0]
	for _, h := range hs {
		if h.na == 0 && h.nb == 0 {
			continue
		}
		if l := len(out); l > 0 && out[l-1].eq == h.eq {
			out[l-1].na += h.na
			out[l-1].nb += h.nb
			continue
		}
		out = append(out, h)
	}
	return out
}
