package concord

import (
	"cmp"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// GlossaryTerm is a concept with its adopted and forbidden wordings per language.
type GlossaryTerm struct {
	ID        string
	Concept   string              // e.g. "day of struggle"
	Note      string              // e.g. "never 'wrestling day' (machine translation error of 2019)"
	Adopted   map[string][]string // lang → adopted wordings (first is preferred)
	Forbidden map[string][]string // lang → forbidden variants
}

// Languages lists the languages the term has adopted or forbidden wordings in, sorted.
func (t GlossaryTerm) Languages() []string {
	var langs []string
	for l := range t.Adopted {
		langs = append(langs, l)
	}
	for l := range t.Forbidden {
		if _, ok := t.Adopted[l]; !ok {
			langs = append(langs, l)
		}
	}
	slices.Sort(langs)
	return langs
}

// Glossary limits per term.
const (
	glossMaxLangs    = 100 // languages per map
	glossMaxWordings = 50  // wordings per language
)

// Validate checks a glossary term: a concept of at most 200 characters, valid language tags,
// non-empty single-line wordings of at most 200 characters, and no wording both adopted and
// forbidden in one language (compared as CheckText matches them).
func (t *GlossaryTerm) Validate() error {
	var v Validation
	if strings.TrimSpace(t.Concept) == "" {
		v.Add("concept", "error.missing", "is required")
	} else {
		checkText(&v, "concept", t.Concept, true, MaxName, false)
	}
	checkText(&v, "note", t.Note, false, MaxLine*4, true)
	glossCheckWordings(&v, "adopted", t.Adopted)
	glossCheckWordings(&v, "forbidden", t.Forbidden)
	for _, lang := range glossSortedKeys(t.Forbidden) {
		adopted := t.Adopted[lang]
		if len(adopted) == 0 || !ValidLangTag(lang) {
			continue
		}
		keys := make(map[string]bool, len(adopted))
		for _, w := range adopted {
			keys[string(glossWordingKeys(w))] = true
		}
		for _, w := range t.Forbidden[lang] {
			if k := glossWordingKeys(w); len(k) > 0 && keys[string(k)] {
				v.Add("forbidden."+lang, "error.glossary_conflict", "is both adopted and forbidden",
					"lang", lang, "wording", clip(w, 40))
			}
		}
	}
	return v.Err()
}

// glossCheckWordings validates one language → wordings map of a term.
func glossCheckWordings(v *Validation, field string, m map[string][]string) {
	if len(m) > glossMaxLangs {
		v.Add(field, "error.too_many", "has too many languages", "max", "100")
		return
	}
	for _, lang := range glossSortedKeys(m) {
		if !ValidLangTag(lang) {
			checkLangTag(v, field, lang, true)
			continue
		}
		f := field + "." + lang
		ws := m[lang]
		if len(ws) > glossMaxWordings {
			v.Add(f, "error.too_many", "has too many wordings", "max", "50")
			continue
		}
		for _, w := range ws {
			before := len(v.fields)
			checkText(v, f, w, true, MaxName, false)
			if len(v.fields) == before && len(glossWordingKeys(w)) == 0 {
				v.Add(f, "error.missing", "is required")
			}
		}
	}
}

// glossSortedKeys returns the keys of m in order, for deterministic results.
func glossSortedKeys(m map[string][]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// GlossaryViolation is one place where a text departs from the glossary.
type GlossaryViolation struct {
	TermID     string
	Kind       string // "forbidden" (a forbidden variant occurs in the text) or "missing" (the source uses the concept but the target lacks every adopted wording)
	Lang       string
	Wording    string // the forbidden text found, or the expected adopted wording
	Start, End int    // byte offsets in the checked text (for highlighting); -1 for "missing"
}

// CheckText finds forbidden wordings in one text of language lang.
//
// Matching ignores case by Unicode simple folding (as strings.EqualFold does), and the
// Turkish dotted and dotless i (I, i, İ, ı) all match each other in every language, so that
// "SINIFI", "sınıfı" and "sinifi" (typed without a Turkish keyboard) all match, also in a
// text labelled with the wrong language; words that differ only in that dot do not occur as
// glossary wordings. Wordings match whole words only ("Kampf" not inside "Kampftag"), and
// the spaces of a multi-word wording match any run of whitespace, line breaks included.
// Arabic tatweel and harakat (U+0640, U+064B–U+065F), ZWNJ, ZWJ and soft hyphens are
// ignored, and Arabic yeh and kaf match their Persian forms; texts are not otherwise
// normalized (precomposed and decomposed accents differ). A text in "es-MX" is checked
// against the entries for "es-MX" and for "es"; where the two disagree the regional entry
// wins. A forbidden wording inside a longer adopted wording found in the text ("Arbeiter" in
// "Arbeiterinnen und Arbeiter") is not reported, nor one inside a longer forbidden wording of
// the same term. Results are sorted by Start.
func CheckText(terms []GlossaryTerm, lang, text string) []GlossaryViolation {
	out := glossForbidden(terms, lang, glossPrepare(text))
	glossSort(out)
	return out
}

// CheckTranslation checks a target text against its source: forbidden wordings in the target, and concepts whose adopted source wording occurs in the source while no adopted target wording occurs in the target.
func CheckTranslation(terms []GlossaryTerm, sourceLang, source, targetLang, target string) []GlossaryViolation {
	tgt := glossPrepare(target)
	out := glossForbidden(terms, targetLang, tgt)
	var src *glossText
	for i := range terms {
		t := &terms[i]
		want, _ := glossApplicable(t, targetLang)
		if len(want) == 0 {
			continue
		}
		used, _ := glossApplicable(t, sourceLang)
		if len(used) == 0 {
			continue
		}
		if src == nil {
			src = glossPrepare(source)
		}
		if !src.containsAny(used) || tgt.containsAny(want) {
			continue
		}
		out = append(out, GlossaryViolation{TermID: t.ID, Kind: "missing", Lang: targetLang, Wording: want[0], Start: -1, End: -1})
	}
	glossSort(out)
	return out
}

// glossSort orders violations by Start, outer before inner, then by term and kind.
func glossSort(vs []GlossaryViolation) {
	slices.SortFunc(vs, func(a, b GlossaryViolation) int {
		return cmp.Or(cmp.Compare(a.Start, b.Start), cmp.Compare(b.End, a.End),
			cmp.Compare(a.TermID, b.TermID), cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Wording, b.Wording))
	})
}

// glossSpan is one match of a wording of term number term, in byte offsets.
type glossSpan struct {
	term       int
	start, end int
}

// glossForbidden finds the forbidden wordings of terms in the prepared text g of language lang.
func glossForbidden(terms []GlossaryTerm, lang string, g *glossText) []GlossaryViolation {
	var found []glossSpan
	for i := range terms {
		_, forbidden := glossApplicable(&terms[i], lang)
		for _, w := range forbidden {
			g.find(glossWordingKeys(w), func(start, end int) {
				found = append(found, glossSpan{i, start, end})
			})
		}
	}
	if len(found) == 0 {
		return nil
	}
	var adopted []glossSpan
	for i := range terms {
		ws, _ := glossApplicable(&terms[i], lang)
		for _, w := range ws {
			g.find(glossWordingKeys(w), func(start, end int) {
				adopted = append(adopted, glossSpan{i, start, end})
			})
		}
	}
	byAdopted := glossNewCover(adopted)
	slices.SortFunc(found, func(a, b glossSpan) int {
		return cmp.Or(cmp.Compare(a.term, b.term), cmp.Compare(a.start, b.start), cmp.Compare(a.end, b.end))
	})
	found = slices.Compact(found)
	var out []GlossaryViolation
	for lo := 0; lo < len(found); {
		hi := lo + 1
		for hi < len(found) && found[hi].term == found[lo].term {
			hi++
		}
		sameTerm := glossNewCover(found[lo:hi])
		for _, s := range found[lo:hi] {
			if byAdopted.covers(s) || sameTerm.covers(s) {
				continue
			}
			out = append(out, GlossaryViolation{TermID: terms[s.term].ID, Kind: "forbidden", Lang: lang,
				Wording: g.text[s.start:s.end], Start: s.start, End: s.end})
		}
		lo = hi
	}
	return out
}

// glossCover answers whether a span lies strictly inside a longer one of a set of spans.
type glossCover struct {
	spans  []glossSpan // sorted by start, then end
	maxEnd []int       // maxEnd[i] is the largest end of spans[:i+1]
}

// glossNewCover indexes spans (which it sorts in place).
func glossNewCover(spans []glossSpan) glossCover {
	slices.SortFunc(spans, func(a, b glossSpan) int {
		return cmp.Or(cmp.Compare(a.start, b.start), cmp.Compare(a.end, b.end))
	})
	c := glossCover{spans: spans, maxEnd: make([]int, len(spans))}
	for i, s := range spans {
		c.maxEnd[i] = s.end
		if i > 0 {
			c.maxEnd[i] = max(c.maxEnd[i], c.maxEnd[i-1])
		}
	}
	return c
}

// covers reports whether a longer span of c contains s.
func (c glossCover) covers(s glossSpan) bool {
	j := sort.Search(len(c.spans), func(k int) bool { return c.spans[k].start >= s.start })
	if j > 0 && c.maxEnd[j-1] >= s.end {
		return true // starts earlier and ends no earlier
	}
	k := sort.Search(len(c.spans), func(k int) bool { return c.spans[k].start > s.start })
	return k > j && c.spans[k-1].end > s.end // starts together and ends later
}

// glossApplicable returns a term's adopted and forbidden wordings for a text in lang: those
// under lang itself (any case) and under its primary subtag, the regional entries first. A
// wording the regional entries adopt is not forbidden by the primary ones and vice versa.
func glossApplicable(t *GlossaryTerm, lang string) (adopted, forbidden []string) {
	primary, _, regional := strings.Cut(lang, "-")
	if !regional {
		return glossEntries(t.Adopted, lang), glossEntries(t.Forbidden, lang)
	}
	ra, rf := glossEntries(t.Adopted, lang), glossEntries(t.Forbidden, lang)
	pa, pf := glossEntries(t.Adopted, primary), glossEntries(t.Forbidden, primary)
	if len(rf) == 0 && len(ra) == 0 {
		return pa, pf
	}
	set := func(ws []string) map[string]bool {
		m := make(map[string]bool, len(ws))
		for _, w := range ws {
			m[string(glossWordingKeys(w))] = true
		}
		return m
	}
	raSet, rfSet := set(ra), set(rf)
	adopted = slices.Clip(ra)
	for _, w := range pa {
		if !rfSet[string(glossWordingKeys(w))] {
			adopted = append(adopted, w)
		}
	}
	forbidden = slices.Clip(rf)
	for _, w := range pf {
		if !raSet[string(glossWordingKeys(w))] {
			forbidden = append(forbidden, w)
		}
	}
	return adopted, forbidden
}

// glossEntries returns the wordings of m under tag, compared case-insensitively.
func glossEntries(m map[string][]string, tag string) []string {
	if ws, ok := m[tag]; ok && len(m) == 1 {
		return ws
	}
	var out []string
	for _, k := range glossSortedKeys(m) {
		if strings.EqualFold(k, tag) {
			out = append(out, m[k]...)
		}
	}
	return out
}

// glossText is a text prepared for matching: one key per kept rune (case-folded, whitespace
// runs as one ' '), the byte offset of each, and an index of where each key may start a match.
type glossText struct {
	text  string
	keys  []rune
	off   []int
	index map[rune][]int32
}

// glossPrepare prepares text for matching.
func glossPrepare(text string) *glossText {
	g := &glossText{text: text}
	g.keys, g.off = glossKeys(text, true)
	g.index = make(map[rune][]int32)
	for i, k := range g.keys {
		if !diffIsWordRune(k) || i == 0 || !diffIsWordRune(g.keys[i-1]) {
			g.index[k] = append(g.index[k], int32(i))
		}
	}
	return g
}

// find calls fn with the byte offsets of each whole-word occurrence of the key sequence w.
func (g *glossText) find(w []rune, fn func(start, end int)) {
	if len(w) == 0 {
		return
	}
	wordStart, wordEnd := diffIsWordRune(w[0]), diffIsWordRune(w[len(w)-1])
	for _, p := range g.index[w[0]] {
		i := int(p)
		j := i + len(w)
		if j > len(g.keys) || !slices.Equal(g.keys[i:j], w) {
			continue
		}
		if wordStart && i > 0 && diffIsWordRune(g.keys[i-1]) {
			continue
		}
		if wordEnd && j < len(g.keys) && diffIsWordRune(g.keys[j]) {
			continue
		}
		end := len(g.text)
		if j < len(g.keys) {
			end = g.off[j]
		}
		fn(g.off[i], end)
	}
}

// containsAny reports whether any of the wordings occurs in g.
func (g *glossText) containsAny(wordings []string) bool {
	found := false
	for _, w := range wordings {
		g.find(glossWordingKeys(w), func(int, int) { found = true })
		if found {
			return true
		}
	}
	return false
}

// glossWordingKeys returns the match keys of a wording, without surrounding whitespace.
func glossWordingKeys(w string) []rune {
	keys, _ := glossKeys(w, false)
	for len(keys) > 0 && keys[0] == ' ' {
		keys = keys[1:]
	}
	for len(keys) > 0 && keys[len(keys)-1] == ' ' {
		keys = keys[:len(keys)-1]
	}
	return keys
}

// glossKeys folds s into match keys and, when offsets is set, the byte offset of each key.
func glossKeys(s string, offsets bool) ([]rune, []int) {
	keys := make([]rune, 0, len(s))
	var off []int
	if offsets {
		off = make([]int, 0, len(s))
	}
	for i, r := range s {
		switch {
		case r == '\u0640' || ('\u064b' <= r && r <= '\u065f') || r == '\u200c' || r == '\u200d' || r == '\u00ad':
			continue // tatweel, harakat, joiners, soft hyphen: ignored
		case r == utf8.RuneError:
			// invalid bytes and U+FFFD stay as they are
		case unicode.IsSpace(r):
			if n := len(keys); n > 0 && keys[n-1] == ' ' {
				continue
			}
			r = ' '
		default:
			r = glossFold(r)
		}
		keys = append(keys, r)
		if offsets {
			off = append(off, i)
		}
	}
	return keys, off
}

// glossFold maps r to one representative of its case-folding orbit (its smallest member), so
// that two runes get the same key exactly when strings.EqualFold treats them as equal, with
// the Turkish i and Arabic-script adjustments described at CheckText.
func glossFold(r rune) rune {
	if r < utf8.RuneSelf {
		if 'a' <= r && r <= 'z' {
			r -= 'a' - 'A'
		}
		return r
	}
	switch r {
	case 'İ', 'ı':
		return 'I' // the key of i
	case 'ي':
		return 'ی' // Arabic yeh as Persian yeh
	case 'ك':
		return 'ک' // Arabic kaf as Persian keheh
	}
	m := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		m = min(m, f)
	}
	return m
}
