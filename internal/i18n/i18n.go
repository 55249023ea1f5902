package i18n

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
)

//go:embed locales/*.json
var localeFiles embed.FS

// fallbackTag is the language used when nothing else matches; its catalog is complete.
const fallbackTag = "en"

// Language describes one supported user-interface language.
type Language struct {
	Tag  string // BCP 47 tag, e.g. "fa"
	Name string // the language's own name, e.g. "فارسی"
	RTL  bool   // written right to left
}

// Dir returns the HTML dir attribute value for the language: "rtl" or "ltr".
func (l Language) Dir() string {
	if l.RTL {
		return "rtl"
	}
	return "ltr"
}

// langSpec is what the code, not the catalog, knows about a language.
type langSpec struct {
	tag    string
	rtl    bool
	plural pluralRule
	zero   rune // the digit zero of the language's default numbering system
}

// builtinLanguages lists the supported languages in the order they are shown.
func builtinLanguages() []langSpec {
	return []langSpec{
		{tag: "en", plural: pluralOneOther, zero: '0'},
		{tag: "de", plural: pluralOneOther, zero: '0'},
		{tag: "es", plural: pluralSpanish, zero: '0'},
		{tag: "fr", plural: pluralFrench, zero: '0'},
		{tag: "ru", plural: pluralRussian, zero: '0'},
		{tag: "tr", plural: pluralOneOther, zero: '0'},
		{tag: "fa", rtl: true, plural: pluralPersian, zero: '۰'},
		{tag: "ar", rtl: true, plural: pluralArabic, zero: '٠'},
	}
}

// message is one catalog entry: a plain text or a set of plural forms.
type message struct {
	text  string
	forms map[string]string // plural category → text; nil for a plain text
}

// catalog is one language's messages and rules.
type catalog struct {
	lang     Language
	plural   pluralRule
	zero     rune
	messages map[string]message
}

// Bundle holds every catalog; it is read-only after Load and safe for concurrent use.
type Bundle struct {
	langs    []Language
	catalogs map[string]*catalog
}

// Load parses the embedded catalogs.
func Load() (*Bundle, error) {
	return load(localeFiles, builtinLanguages())
}

// MustLoad is Load for program start-up: it panics if the embedded catalogs are broken.
func MustLoad() *Bundle {
	b, err := Load()
	if err != nil {
		panic(err)
	}
	return b
}

// load reads locales/<tag>.json from fsys for every spec and rejects files without a spec.
func load(fsys fs.FS, specs []langSpec) (*Bundle, error) {
	b := &Bundle{catalogs: make(map[string]*catalog, len(specs))}
	for _, s := range specs {
		name := "locales/" + s.tag + ".json"
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("i18n: %w", err)
		}
		msgs, err := parseCatalog(data, s.plural.categories())
		if err != nil {
			return nil, fmt.Errorf("i18n: %s: %w", name, err)
		}
		lang := Language{Tag: s.tag, Name: msgs["lang.name"].text, RTL: s.rtl}
		if lang.Name == "" {
			lang.Name = s.tag
		}
		b.langs = append(b.langs, lang)
		b.catalogs[s.tag] = &catalog{lang: lang, plural: s.plural, zero: s.zero, messages: msgs}
	}
	if b.catalogs[fallbackTag] == nil {
		return nil, fmt.Errorf("i18n: no %s catalog", fallbackTag)
	}
	files, err := fs.Glob(fsys, "locales/*.json")
	if err != nil {
		return nil, fmt.Errorf("i18n: %w", err)
	}
	for _, f := range files {
		if tag := strings.TrimSuffix(path.Base(f), ".json"); b.catalogs[tag] == nil {
			return nil, fmt.Errorf("i18n: %s: language %q is not in builtinLanguages", f, tag)
		}
	}
	return b, nil
}

// parseCatalog decodes one catalog, rejecting duplicate keys, values that are neither a
// string nor an object of strings, and plural categories the language does not use.
func parseCatalog(data []byte, categories []string) (map[string]message, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := readDelim(dec, '{'); err != nil {
		return nil, err
	}
	msgs := make(map[string]message)
	for dec.More() {
		key, err := readString(dec)
		if err != nil {
			return nil, err
		}
		if _, dup := msgs[key]; dup {
			return nil, fmt.Errorf("duplicate key %q", key)
		}
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		switch v := tok.(type) {
		case string:
			msgs[key] = message{text: v}
		case json.Delim:
			if v != '{' {
				return nil, fmt.Errorf("%s: value must be a string or an object of plural forms", key)
			}
			forms, err := readForms(dec, key, categories)
			if err != nil {
				return nil, err
			}
			msgs[key] = message{forms: forms}
		default:
			return nil, fmt.Errorf("%s: value must be a string or an object of plural forms", key)
		}
	}
	if err := readDelim(dec, '}'); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("data after the catalog object")
	}
	return msgs, nil
}

// readForms reads the plural forms of key after its opening brace, through the closing one.
func readForms(dec *json.Decoder, key string, categories []string) (map[string]string, error) {
	forms := make(map[string]string)
	for dec.More() {
		cat, err := readString(dec)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(categories, cat) {
			return nil, fmt.Errorf("%s: plural category %q is not one of %v", key, cat, categories)
		}
		if _, dup := forms[cat]; dup {
			return nil, fmt.Errorf("%s: duplicate plural category %q", key, cat)
		}
		if forms[cat], err = readString(dec); err != nil {
			return nil, fmt.Errorf("%s: %w", key, err)
		}
	}
	if _, ok := forms["other"]; !ok {
		return nil, fmt.Errorf("%s: plural message has no \"other\" form", key)
	}
	return forms, readDelim(dec, '}')
}

func readString(dec *json.Decoder) (string, error) {
	tok, err := dec.Token()
	if err != nil {
		return "", err
	}
	s, ok := tok.(string)
	if !ok {
		return "", fmt.Errorf("want a string, got %v", tok)
	}
	return s, nil
}

func readDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok != want {
		return fmt.Errorf("want %v, got %v", want, tok)
	}
	return nil
}

// Languages returns the supported languages in display order (en, de, es, fr, ru, tr, fa, ar).
func (b *Bundle) Languages() []Language {
	return slices.Clone(b.langs)
}

// Supported reports whether tag is exactly one of the supported language tags.
func (b *Bundle) Supported(tag string) bool {
	_, ok := b.catalogs[tag]
	return ok
}

// Language returns the supported language that tag negotiates to (English if none).
func (b *Bundle) Language(tag string) Language {
	return b.catalogs[b.Negotiate(tag)].lang
}

// Negotiate returns the first supported language among candidates, matched by primary
// subtag ("es-MX" matches "es"), or "en" if none is supported.
func (b *Bundle) Negotiate(candidates ...string) string {
	for _, c := range candidates {
		base, _, _ := strings.Cut(strings.TrimSpace(c), "-")
		base, _, _ = strings.Cut(base, "_")
		if base = strings.ToLower(base); b.catalogs[base] != nil {
			return base
		}
	}
	return fallbackTag
}

// Localizer returns the translator for the language that tag negotiates to.
func (b *Bundle) Localizer(tag string) *Localizer {
	return &Localizer{cat: b.catalogs[b.Negotiate(tag)], fallback: b.catalogs[fallbackTag]}
}
