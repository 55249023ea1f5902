package public

import (
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"concord/internal/i18n"
)

// languages names languages and knows their writing direction. Documents may be in any
// BCP 47 language, not only the UI languages, so names come from CLDR (golang.org/x/text).
type languages struct {
	bundle *i18n.Bundle
	namers map[string]display.Namer // UI language → namer of languages in it
}

func newLanguages(b *i18n.Bundle) *languages {
	l := &languages{bundle: b, namers: map[string]display.Namer{}}
	for _, ui := range b.Languages() {
		l.namers[ui.Tag] = display.Languages(language.Make(ui.Tag))
	}
	return l
}

// autonym returns a language's name in that language ("Español", "العربية"): the catalog's
// own name for UI languages, CLDR's for others, the tag itself as a last resort.
func (l *languages) autonym(tag string) string {
	if l.bundle.Supported(tag) {
		return l.bundle.Language(tag).Name
	}
	t, err := language.Parse(tag)
	if err != nil {
		return tag
	}
	if n := display.Self.Name(t); n != "" {
		return n
	}
	return tag
}

// nameIn returns the name of language tag in UI language ui ("inglés" for en in es).
func (l *languages) nameIn(ui, tag string) string {
	t, err := language.Parse(tag)
	namer := l.namers[ui]
	if err != nil || namer == nil {
		return l.autonym(tag)
	}
	if n := namer.Name(t); n != "" {
		return n
	}
	return l.autonym(tag)
}

// rtlScripts are the scripts written right to left that a document language may use.
var rtlScripts = map[string]bool{"Arab": true, "Hebr": true, "Syrc": true, "Thaa": true, "Nkoo": true,
	"Adlm": true, "Mand": true, "Samr": true, "Rohg": true, "Yezi": true}

// dir returns "rtl" or "ltr" for a language tag: from the UI catalog for its languages,
// from the tag's (likely) script for the others ("ur", "he", "ckb", "ku-Arab").
func (l *languages) dir(tag string) string {
	base, _, _ := strings.Cut(tag, "-")
	if l.bundle.Supported(base) && !strings.Contains(tag, "-") {
		return l.bundle.Language(base).Dir()
	}
	t, err := language.Parse(tag)
	if err != nil {
		return "ltr"
	}
	if s, _ := t.Script(); rtlScripts[s.String()] {
		return "rtl"
	}
	return "ltr"
}
