package i18n

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"
	_ "time/tzdata" // zone data for the date tests, whatever the machine has installed
)

func mustLoad(tb testing.TB) *Bundle {
	tb.Helper()
	b, err := Load()
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// TestCatalogKeys reports, per language, every key missing from or extra to en.json.
func TestCatalogKeys(t *testing.T) {
	t.Parallel()
	b := mustLoad(t)
	en := b.catalogs["en"].messages
	for _, lang := range b.Languages() {
		t.Run(lang.Tag, func(t *testing.T) {
			t.Parallel()
			msgs := b.catalogs[lang.Tag].messages
			var missing, extra []string
			for k := range en {
				if _, ok := msgs[k]; !ok {
					missing = append(missing, k)
				}
			}
			for k := range msgs {
				if _, ok := en[k]; !ok {
					extra = append(extra, k)
				}
			}
			if len(missing) > 0 || len(extra) > 0 {
				slices.Sort(missing)
				slices.Sort(extra)
				t.Errorf("locales/%s.json does not have the keys of en.json\n  missing (%d): %s\n  extra (%d): %s",
					lang.Tag, len(missing), strings.Join(missing, ", "), len(extra), strings.Join(extra, ", "))
			}
		})
	}
}

// TestPluralForms checks that a message is plural in every language if it is in English,
// and that each plural message has exactly the categories its language uses.
func TestPluralForms(t *testing.T) {
	t.Parallel()
	b := mustLoad(t)
	en := b.catalogs["en"].messages
	for _, lang := range b.Languages() {
		t.Run(lang.Tag, func(t *testing.T) {
			t.Parallel()
			c := b.catalogs[lang.Tag]
			want := slices.Sorted(slices.Values(c.plural.categories()))
			var problems []string
			for _, key := range slices.Sorted(maps.Keys(c.messages)) {
				m := c.messages[key]
				if e, ok := en[key]; ok && (e.forms == nil) != (m.forms == nil) {
					problems = append(problems, fmt.Sprintf("%s: plural in only one of en.json and %s.json", key, lang.Tag))
					continue
				}
				if m.forms == nil {
					continue
				}
				if got := slices.Sorted(maps.Keys(m.forms)); !slices.Equal(got, want) {
					problems = append(problems, fmt.Sprintf("%s: categories %v, want %v", key, got, want))
				}
			}
			if len(problems) > 0 {
				t.Errorf("locales/%s.json:\n  %s", lang.Tag, strings.Join(problems, "\n  "))
			}
		})
	}
}

var placeholder = regexp.MustCompile(`\{([A-Za-z0-9_]+)\}`)

// placeholders returns the sorted, distinct placeholder names in texts, without skip.
func placeholders(skip string, texts ...string) []string {
	var names []string
	for _, s := range texts {
		for _, m := range placeholder.FindAllStringSubmatch(s, -1) {
			if m[1] != skip && !slices.Contains(names, m[1]) {
				names = append(names, m[1])
			}
		}
	}
	slices.Sort(names)
	return names
}

// TestPlaceholders checks that every translation uses the placeholders of the English text.
// A plural form may leave {count} out (Arabic "منظمتان"), but the "other" form must use it.
func TestPlaceholders(t *testing.T) {
	t.Parallel()
	b := mustLoad(t)
	en := b.catalogs["en"].messages
	for _, lang := range b.Languages() {
		t.Run(lang.Tag, func(t *testing.T) {
			t.Parallel()
			msgs := b.catalogs[lang.Tag].messages
			var problems []string
			for _, key := range slices.Sorted(maps.Keys(msgs)) {
				m, e := msgs[key], en[key]
				if (m.forms == nil) != (e.forms == nil) {
					continue // TestPluralForms reports it
				}
				if m.forms == nil {
					if got, want := placeholders("", m.text), placeholders("", e.text); !slices.Equal(got, want) {
						problems = append(problems, fmt.Sprintf("%s: {%s}, want {%s}", key, strings.Join(got, "} {"), strings.Join(want, "} {")))
					}
					continue
				}
				want := placeholders("count", slices.Collect(maps.Values(e.forms))...)
				for _, cat := range slices.Sorted(maps.Keys(m.forms)) {
					if got := placeholders("count", m.forms[cat]); !slices.Equal(got, want) {
						problems = append(problems, fmt.Sprintf("%s.%s: %v, want %v besides count", key, cat, got, want))
					}
				}
				if !strings.Contains(m.forms["other"], "{count}") {
					problems = append(problems, fmt.Sprintf("%s.other: no {count}", key))
				}
			}
			if len(problems) > 0 {
				t.Errorf("locales/%s.json:\n  %s", lang.Tag, strings.Join(problems, "\n  "))
			}
		})
	}
}

// TestPluralRules checks the rules against CLDR 48 for sample integers.
func TestPluralRules(t *testing.T) {
	t.Parallel()
	samples := []int{0, 1, 2, 3, 5, 11, 21, 22, 25, 100, 101, 102, 1000000}
	tests := []struct {
		tag  string
		want string // the category of each sample
	}{
		{"en", "other one other other other other other other other other other other other"},
		{"de", "other one other other other other other other other other other other other"},
		{"es", "other one other other other other other other other other other other many"},
		{"fr", "one one other other other other other other other other other other many"},
		{"ru", "many one few few many many one few many many one few many"},
		{"tr", "other one other other other other other other other other other other other"},
		{"fa", "one one other other other other other other other other other other other"},
		{"ar", "zero one two few few many many many many other other other other"},
	}
	specs := builtinLanguages()
	if len(tests) != len(specs) {
		t.Fatalf("%d languages tested, %d built in", len(tests), len(specs))
	}
	for _, tt := range tests {
		t.Run(tt.tag, func(t *testing.T) {
			t.Parallel()
			i := slices.IndexFunc(specs, func(s langSpec) bool { return s.tag == tt.tag })
			if i < 0 {
				t.Fatalf("%s is not built in", tt.tag)
			}
			rule := specs[i].plural
			for j, want := range strings.Fields(tt.want) {
				n := samples[j]
				if got := rule.category(n); got != want {
					t.Errorf("category(%d) = %q, want %q", n, got, want)
				}
				if got := rule.category(-n); got != want {
					t.Errorf("category(%d) = %q, want %q (as for %d)", -n, got, want, n)
				}
				if !slices.Contains(rule.categories(), want) {
					t.Errorf("categories() = %v lacks %q", rule.categories(), want)
				}
			}
		})
	}
}

func TestLanguages(t *testing.T) {
	t.Parallel()
	b := mustLoad(t)
	var tags, rtl []string
	for _, l := range b.Languages() {
		tags = append(tags, l.Tag)
		if l.RTL {
			rtl = append(rtl, l.Tag)
		}
		if want := map[bool]string{true: "rtl", false: "ltr"}[l.RTL]; l.Dir() != want || b.Localizer(l.Tag).Dir() != want {
			t.Errorf("%s: Dir() = %q, Localizer Dir() = %q, want %q", l.Tag, l.Dir(), b.Localizer(l.Tag).Dir(), want)
		}
		if l.Name == "" || l.Name == l.Tag || l != b.Language(l.Tag) || !b.Supported(l.Tag) {
			t.Errorf("%s: Language %+v, Language(tag) %+v, Supported %v", l.Tag, l, b.Language(l.Tag), b.Supported(l.Tag))
		}
	}
	if want := []string{"en", "de", "es", "fr", "ru", "tr", "fa", "ar"}; !slices.Equal(tags, want) {
		t.Errorf("Languages() tags = %v, want %v", tags, want)
	}
	if want := []string{"fa", "ar"}; !slices.Equal(rtl, want) {
		t.Errorf("right-to-left languages = %v, want %v", rtl, want)
	}
	if got := b.Language("ar").Name; got != "العربية" {
		t.Errorf("Language(ar).Name = %q", got)
	}
	for _, tag := range []string{"", "es-MX", "ES", "zh", "*"} {
		if b.Supported(tag) {
			t.Errorf("Supported(%q) = true, want false", tag)
		}
	}
	b.Languages()[0].Tag = "changed"
	if b.Languages()[0].Tag != "en" {
		t.Error("Languages() exposes the bundle's slice")
	}
}

func TestNegotiate(t *testing.T) {
	t.Parallel()
	b := mustLoad(t)
	tests := []struct {
		header string
		want   string
	}{
		{"fa-IR", "fa"},
		{"es-MX,es;q=0.9", "es"},
		{"*", "en"},
		{"", "en"},
		{"zh", "en"},
		{"garbage;;;q=x,,,===,\x00\xff", "en"},
		{"zh-CN,zh;q=0.9,ru;q=0.8,en;q=0.7", "ru"},
		{"de;q=0.5, fr;q=0.8", "fr"},
		{"ar;q=0, fr", "fr"},
		{"ar;q=0", "en"},
		{"AR-eg", "ar"},
		{"en;q=0.1, tr;q=1.0", "tr"},
		{"ru;q=1.5, de", "de"},
		{"*;q=1, pt-BR;q=0.9, es-419;q=0.5", "es"},
	}
	for _, tt := range tests {
		t.Run(tt.header, func(t *testing.T) {
			t.Parallel()
			tags := b.FromAcceptLanguage(tt.header)
			if got := b.Negotiate(tags...); got != tt.want {
				t.Errorf("Negotiate(%q...) = %q, want %q", tags, got, tt.want)
			}
		})
	}
	if got := b.Negotiate("", "zh", " pt_BR", "FA_ir", "de"); got != "fa" {
		t.Errorf("Negotiate with explicit candidates = %q, want fa", got)
	}
	if got := b.Negotiate(); got != "en" {
		t.Errorf("Negotiate() = %q, want en", got)
	}
}

func TestFromAcceptLanguage(t *testing.T) {
	t.Parallel()
	b := mustLoad(t)
	var many []string
	for i := range 500 {
		many = append(many, fmt.Sprintf("x%c%c;q=0.5", 'a'+i/26%26, 'a'+i%26))
	}
	tests := []struct {
		name   string
		header string
		want   []string
	}{
		{"q order", "fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5", []string{"fr-CH", "fr", "en", "de"}},
		{"stable", "de;q=0.5, fa, es;q=0.5, tr", []string{"fa", "tr", "de", "es"}},
		{"case", "en-us;q=0.5, ZH-hant-tw, sr_latn_rs", []string{"zh-Hant-TW", "sr-Latn-RS", "en-US"}},
		{"private use", "en-x-TWAIN", []string{"en-x-twain"}},
		{"duplicates keep the first", "de;q=0.8, de-AT, DE;q=1", []string{"de-AT", "de"}},
		{"whitespace and Q", " es ; Q = 0.7 , ru\t", []string{"ru", "es"}},
		{"q forms", "a1;q=1, en;q=1., de;q=1.000, fr;q=1.001, ru;q=0.1234, tr;q=0., fa;q=.5, ar;q=-0", []string{"en", "de"}},
		{"other params", "fa;level=1;q=0.3, ar;foo", []string{"ar", "fa"}},
		{"malformed tags", "x, en-, -en, e n, toolongtag, ابجد, en-toolongsub, q=0.5, en--us", nil},
		{"empty", "", nil},
		{"only commas", ",,, ,", nil},
		{"many entries", strings.Join(many, ","), nil}, // length checked below
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := b.FromAcceptLanguage(tt.header)
			if tt.name == "many entries" {
				if len(got) != maxLanguages || got[0] != "xaa" {
					t.Errorf("got %d tags starting %q, want %d starting xaa", len(got), got[:min(1, len(got))], maxLanguages)
				}
				return
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("FromAcceptLanguage(%q) = %q, want %q", tt.header, got, tt.want)
			}
		})
	}
	long := strings.Repeat("zz;q=0.1,", maxHeaderBytes) + "fa"
	if got := b.FromAcceptLanguage(long); !slices.Equal(got, []string{"zz"}) {
		t.Errorf("long header: got %q, want [zz] (the tail beyond %d bytes is ignored)", got, maxHeaderBytes)
	}
}

func FuzzAcceptLanguage(f *testing.F) {
	for _, seed := range []string{
		"", "*", "fa-IR", "es-MX,es;q=0.9", "fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5",
		"en;q=1.001", "de;q=0", " ;;,=,q=,", "zh-Hant-TW;level=1;q=0.5", "en-x-a-b-c", "\xff\xfe",
	} {
		f.Add(seed)
	}
	b := mustLoad(f)
	f.Fuzz(func(t *testing.T, header string) {
		tags := b.FromAcceptLanguage(header)
		if len(tags) > maxLanguages {
			t.Fatalf("%d tags, limit %d", len(tags), maxLanguages)
		}
		for i, tag := range tags {
			if again, ok := canonicalTag(tag); !ok || again != tag {
				t.Errorf("tag %q is not canonical (%q, %v)", tag, again, ok)
			}
			if slices.Contains(tags[:i], tag) {
				t.Errorf("tag %q appears twice in %q", tag, tags)
			}
		}
		if got := b.Negotiate(tags...); !b.Supported(got) {
			t.Errorf("Negotiate(%q) = %q, not supported", tags, got)
		}
	})
}

func TestLocalizer(t *testing.T) {
	t.Parallel()
	b := mustLoad(t)
	tests := []struct {
		tag  string
		got  func(*Localizer) string
		want string
	}{
		{"en", func(l *Localizer) string { return l.T("error.too_long", "field", "Name", "max", 80) }, "Name is too long (at most 80 characters)."},
		{"de", func(l *Localizer) string { return l.T("error.unknown_field", "field", "colour") }, "Unbekanntes Feld: colour."},
		{"en", func(l *Localizer) string { return l.T("error.unknown_field") }, "Unknown field: {field}."},
		{"en", func(l *Localizer) string { return l.T("error.unknown_field", "field", "{field}", "odd") }, "Unknown field: {field}."},
		{"en", func(l *Localizer) string { return l.T("error.unknown_field", 7, "x", "field", "a") }, "Unknown field: a."},
		{"en", func(l *Localizer) string { return l.T("no.such.key") }, "no.such.key"},
		{"en", func(l *Localizer) string { return l.T("org.count") }, "{count} organizations"},
		{"en", func(l *Localizer) string { return l.N("org.count", 1) }, "1 organization"},
		{"en", func(l *Localizer) string { return l.N("org.count", 0) }, "0 organizations"},
		{"en", func(l *Localizer) string { return l.N("nav.home", 3) }, "Home"},
		{"fr", func(l *Localizer) string { return l.N("org.count", 0) }, "0 organisation"},
		{"es", func(l *Localizer) string { return l.N("org.count", 2_000_000) }, "2000000 de organizaciones"},
		{"ru", func(l *Localizer) string { return l.N("years.count", 21) }, "21 год"},
		{"ru", func(l *Localizer) string { return l.N("years.count", 22) }, "22 года"},
		{"ru", func(l *Localizer) string { return l.N("years.count", 12) }, "12 лет"},
		{"fa", func(l *Localizer) string { return l.N("org.count", 12) }, "۱۲ سازمان"},
		{"ar", func(l *Localizer) string { return l.N("org.count", 0) }, "لا توجد منظمات"},
		{"ar", func(l *Localizer) string { return l.N("org.count", 2) }, "منظمتان"},
		{"ar", func(l *Localizer) string { return l.N("org.count", 3) }, "٣ منظمات"},
		{"ar", func(l *Localizer) string { return l.N("org.count", 11) }, "١١ منظمة"},
		{"zh-CN", func(l *Localizer) string { return l.Tag() + " " + l.T("nav.home") }, "en Home"},
		{"fa-IR", func(l *Localizer) string { return l.Tag() + " " + l.Dir() }, "fa rtl"},
	}
	for _, tt := range tests {
		l := b.Localizer(tt.tag)
		if got := tt.got(l); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.tag, got, tt.want)
		}
	}
}

// TestFallback uses a two-language bundle in which German lacks some English keys.
func TestFallback(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{
		"locales/en.json": {Data: []byte(`{"a": "A {x}", "p": {"one": "{count} thing", "other": "{count} things"}, "en.only": "E"}`)},
		"locales/de.json": {Data: []byte(`{"a": "B {x}", "p": {"other": "{count} Dinge"}}`)},
		"locales/fa.json": {Data: []byte(`{}`)},
	}
	b, err := load(fsys, []langSpec{
		{tag: "en", plural: pluralOneOther, zero: '0'},
		{tag: "de", plural: pluralOneOther, zero: '0'},
		{tag: "fa", rtl: true, plural: pluralPersian, zero: '۰'},
	})
	if err != nil {
		t.Fatal(err)
	}
	de, fa := b.Localizer("de"), b.Localizer("fa")
	for _, c := range []struct{ got, want string }{
		{de.T("a", "x", 1), "B 1"},
		{de.T("en.only"), "E"},
		{de.T("missing"), "missing"},
		{de.N("p", 1), "1 Dinge"}, // the "one" form is missing: "other", not English
		{fa.N("p", 1), "1 thing"}, // from English, so English digits and rule
		{fa.T("a", "x", "y"), "A y"},
		{fa.Tag(), "fa"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	if !de.Has("a") || de.Has("en.only") || de.Has("missing") {
		t.Errorf("Has: a %v, en.only %v, missing %v", de.Has("a"), de.Has("en.only"), de.Has("missing"))
	}
	if got := b.Language("fa").Name; got != "fa" {
		t.Errorf("name without lang.name = %q, want the tag", got)
	}
}

func TestLoadRejects(t *testing.T) {
	t.Parallel()
	en := []langSpec{{tag: "en", plural: pluralOneOther, zero: '0'}}
	tests := []struct {
		name  string
		files map[string]string
		want  string // in the error
	}{
		{"duplicate key", map[string]string{"en": `{"a": "x", "a": "y"}`}, `duplicate key "a"`},
		{"duplicate category", map[string]string{"en": `{"a": {"other": "x", "other": "y"}}`}, `duplicate plural category`},
		{"foreign category", map[string]string{"en": `{"a": {"few": "x", "other": "y"}}`}, `"few"`},
		{"no other", map[string]string{"en": `{"a": {"one": "x"}}`}, `no "other"`},
		{"number", map[string]string{"en": `{"a": 1}`}, `a: value must be`},
		{"array", map[string]string{"en": `{"a": ["x"]}`}, `a: value must be`},
		{"nested", map[string]string{"en": `{"a": {"one": {"x": "y"}}}`}, `a: want a string`},
		{"not an object", map[string]string{"en": `["a"]`}, `want {`},
		{"trailing", map[string]string{"en": `{"a": "x"} {}`}, `data after`},
		{"syntax", map[string]string{"en": `{"a": "x",}`}, `invalid character`},
		{"missing file", map[string]string{}, `en.json`},
		{"unknown language", map[string]string{"en": `{}`, "xx": `{}`}, `"xx" is not in builtinLanguages`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fsys := fstest.MapFS{}
			for tag, data := range tt.files {
				fsys["locales/"+tag+".json"] = &fstest.MapFile{Data: []byte(data)}
			}
			_, err := load(fsys, en)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("load error = %v, want one containing %q", err, tt.want)
			}
		})
	}
	if _, err := load(fstest.MapFS{"locales/de.json": {Data: []byte(`{}`)}}, []langSpec{{tag: "de"}}); err == nil {
		t.Error("load without an English catalog succeeded")
	}
}

func TestDate(t *testing.T) {
	t.Parallel()
	b := mustLoad(t)
	tehran, err := time.LoadLocation("Asia/Tehran") // UTC+03:30, no daylight saving since 2022
	if err != nil {
		t.Fatal(err)
	}
	losAngeles, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Fatal(err)
	}
	lateUTC := time.Date(2026, 3, 3, 22, 30, 0, 0, time.UTC) // already 4 March in Tehran
	earlyUTC := time.Date(2026, 1, 1, 5, 0, 0, 0, time.UTC)  // still 2025 in Los Angeles
	tehranTime := time.Date(2026, 3, 4, 2, 0, 0, 0, tehran)  // the same instant as lateUTC
	if !tehranTime.Equal(lateUTC) {
		t.Fatalf("tzdata: %v is not %v", tehranTime, lateUTC)
	}
	tests := []struct {
		tag, date, dateTime string
	}{
		{"en", "4 March 2026", "4 March 2026, 02:00 +0330"},
		{"de", "4. März 2026", "4. März 2026 um 02:00 +0330"},
		{"es", "4 de marzo de 2026", "4 de marzo de 2026, 02:00 +0330"},
		{"fr", "4 mars 2026", "4 mars 2026 à 02:00 +0330"},
		{"ru", "4 марта 2026 г.", "4 марта 2026 г., 02:00 +0330"},
		{"tr", "4 Mart 2026", "4 Mart 2026 02:00 +0330"},
		{"fa", "۴ مارس ۲۰۲۶", "۴ مارس ۲۰۲۶، ساعت ۰۲:۰۰ +0330"},
		{"ar", "٤ مارس ٢٠٢٦", "٤ مارس ٢٠٢٦، الساعة ٠٢:٠٠ +0330"},
	}
	for _, tt := range tests {
		t.Run(tt.tag, func(t *testing.T) {
			t.Parallel()
			l := b.Localizer(tt.tag)
			if got := l.Date(lateUTC, tehran); got != tt.date {
				t.Errorf("Date = %q, want %q", got, tt.date)
			}
			if got := l.DateTime(lateUTC, tehran); got != tt.dateTime {
				t.Errorf("DateTime = %q, want %q", got, tt.dateTime)
			}
		})
	}
	en := b.Localizer("en")
	for _, c := range []struct{ got, want string }{
		{en.DateTime(earlyUTC, losAngeles), "31 December 2025, 21:00 PST"},
		{en.DateTime(lateUTC, nil), "3 March 2026, 22:30 UTC"},
		{en.Date(tehranTime, nil), "3 March 2026"},
		{en.Date(time.Date(2026, 7, 9, 12, 0, 0, 0, time.UTC), losAngeles), "9 July 2026"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
