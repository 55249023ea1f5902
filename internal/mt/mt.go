// Package mt offers machine translation suggestions to translators.
//
// An Engine translates a batch of segments (one Markdown paragraph each) for one language
// pair. Three engines are provided: Apertium, run offline as the Debian "apertium" command
// with installed pair packages; LibreTranslate, a self-hosted HTTP service; and DeepL's
// HTTP API v2. A Registry holds the configured engines and tells which serve a pair.
//
// Suggestions are never stored as human translations: callers label them with the
// engine's Name and Version.
package mt

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Pair is a language pair an engine can translate, as BCP 47 tags ("en", "es", "pt-BR" ...).
type Pair struct{ Source, Target string }

// String returns the pair as "source→target".
func (p Pair) String() string { return p.Source + "→" + p.Target }

// canonical returns p with both tags in canonical BCP 47 case.
func (p Pair) canonical() Pair {
	return Pair{Source: canonicalTag(p.Source), Target: canonicalTag(p.Target)}
}

// Engine is a machine translation engine. Small interface, defined here because the
// translation service consumes it.
type Engine interface {
	// Name is the engine's display name: "Apertium", "LibreTranslate", "DeepL".
	Name() string
	// Version identifies what produced a suggestion, e.g. the Apertium package versions
	// or "api v2".
	Version(ctx context.Context) (string, error)
	// Pairs lists the language pairs the engine can translate now.
	Pairs(ctx context.Context) ([]Pair, error)
	// Translate returns one translation per text, in the same order.
	Translate(ctx context.Context, p Pair, texts []string) ([]string, error)
}

// UnsupportedPairError reports that an engine cannot translate a pair.
type UnsupportedPairError struct {
	Engine string
	Pair   Pair
}

// Error implements the error interface.
func (e *UnsupportedPairError) Error() string {
	return fmt.Sprintf("%s cannot translate %s", strings.ToLower(e.Engine), e.Pair)
}

// canonicalTag returns a BCP 47 tag in its canonical case ("PT-br" → "pt-BR",
// "zh-hant" → "zh-Hant", "es_ES" → "es-ES"). It does not validate the tag.
func canonicalTag(tag string) string {
	parts := strings.FieldsFunc(strings.TrimSpace(tag), func(r rune) bool { return r == '-' || r == '_' })
	for i, part := range parts {
		switch {
		case i == 0:
			parts[i] = strings.ToLower(part)
		case len(part) == 2 && isLetters(part): // region
			parts[i] = strings.ToUpper(part)
		case len(part) == 4 && isLetters(part): // script
			parts[i] = strings.ToUpper(part[:1]) + strings.ToLower(part[1:])
		default:
			parts[i] = strings.ToLower(part)
		}
	}
	return strings.Join(parts, "-")
}

// baseLanguage returns the primary language subtag of a tag: "pt-BR" → "pt".
func baseLanguage(tag string) string {
	tag = canonicalTag(tag)
	if i := strings.IndexByte(tag, '-'); i >= 0 {
		return tag[:i]
	}
	return tag
}

func isLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c < 'a' || c > 'z' {
			return false
		}
	}
	return s != ""
}

// resolvePair returns the offered pair that serves want: the same pair, or failing that a
// pair whose source is want's base language (text in "pt-BR" can be translated as "pt").
// The target must match exactly: a suggestion in the wrong variety is not offered.
func resolvePair(offered []Pair, want Pair) (Pair, bool) {
	want = want.canonical()
	for _, p := range offered {
		if p.canonical() == want {
			return p, true
		}
	}
	base := Pair{Source: baseLanguage(want.Source), Target: want.Target}
	for _, p := range offered {
		if p.canonical() == base {
			return p, true
		}
	}
	return Pair{}, false
}

// translateNonBlank calls translate with the texts that are not blank and returns all texts
// in their original order, blank ones unchanged: engines are not asked (or charged) for
// empty segments.
func translateNonBlank(texts []string, translate func([]string) ([]string, error)) ([]string, error) {
	var batch []string
	var at []int
	for i, t := range texts {
		if strings.TrimSpace(t) != "" {
			batch = append(batch, t)
			at = append(at, i)
		}
	}
	out := append([]string(nil), texts...)
	if len(batch) == 0 {
		return out, nil
	}
	got, err := translate(batch)
	if err != nil {
		return nil, err
	}
	if len(got) != len(batch) {
		return nil, fmt.Errorf("got %d translations for %d texts", len(got), len(batch))
	}
	for j, i := range at {
		out[i] = got[j]
	}
	return out, nil
}

// clip shortens s to at most n bytes (on a rune boundary) for error messages.
func clip(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
