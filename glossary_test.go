package concord_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"concord"
)

// glossaryTerms is a small federation glossary for the tests.
func glossaryTerms() []concord.GlossaryTerm {
	return []concord.GlossaryTerm{
		{
			ID: "day-of-struggle", Concept: "day of struggle",
			Note: "never 'wrestling day' (machine translation error of 2019)",
			Adopted: map[string][]string{
				"en": {"day of struggle", "days of struggle"},
				"es": {"jornada de lucha", "jornadas de lucha"},
				"de": {"Kampftag"},
				"fa": {"روز مبارزه"},
				"tr": {"mücadele günü"},
			},
			Forbidden: map[string][]string{
				"en": {"wrestling day", "wrestling days"},
				"es": {"lucha libre"},
				"de": {"Ringkampftag"},
				"fa": {"روز کشتی", "کشتی‌گیری"},
				"tr": {"güreş günü"},
			},
		},
		{
			ID: "workers", Concept: "workers (gender-fair)",
			Adopted:   map[string][]string{"de": {"Arbeiterinnen und Arbeiter", "Arbeiter*innen", "Arbeitende"}, "es": {"trabajadoras y trabajadores"}},
			Forbidden: map[string][]string{"de": {"Arbeiter"}},
		},
		{
			ID: "working-class", Concept: "working class",
			Adopted:   map[string][]string{"en": {"working class"}, "tr": {"işçi sınıfı"}},
			Forbidden: map[string][]string{"tr": {"amele sınıfı"}},
		},
	}
}

// glossaryAt builds the expected forbidden violation of wording at its first occurrence in text.
func glossaryAt(term, lang, text, wording string) concord.GlossaryViolation {
	i := strings.Index(text, wording)
	if i < 0 {
		panic("test wording " + wording + " not in " + text)
	}
	return concord.GlossaryViolation{TermID: term, Kind: "forbidden", Lang: lang, Wording: wording, Start: i, End: i + len(wording)}
}

// glossaryFields returns the field:key pairs of a validation error.
func glossaryFields(err error) []string {
	e := concord.AsError(err)
	if e == nil {
		return nil
	}
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Field+":"+f.Key)
	}
	return out
}

func TestGlossaryTermValidate(t *testing.T) {
	t.Parallel()
	valid := func() concord.GlossaryTerm { return glossaryTerms()[0] }
	tests := []struct {
		name   string
		change func(*concord.GlossaryTerm)
		want   []string
	}{
		{"valid", func(*concord.GlossaryTerm) {}, nil},
		{"no wordings at all", func(t *concord.GlossaryTerm) { t.Adopted, t.Forbidden = nil, nil }, nil},
		{"concept missing", func(t *concord.GlossaryTerm) { t.Concept = "" }, []string{"concept:error.missing"}},
		{"concept blank", func(t *concord.GlossaryTerm) { t.Concept = "  " }, []string{"concept:error.missing"}},
		{"concept 200 runes", func(t *concord.GlossaryTerm) { t.Concept = strings.Repeat("ü", 200) }, nil},
		{"concept too long", func(t *concord.GlossaryTerm) { t.Concept = strings.Repeat("ü", 201) }, []string{"concept:error.too_long"}},
		{"concept with newline", func(t *concord.GlossaryTerm) { t.Concept = "day\nof struggle" }, []string{"concept:error.control_char"}},
		{"bad language tag", func(t *concord.GlossaryTerm) { t.Adopted["spanish"] = []string{"jornada"} }, []string{"adopted:error.lang"}},
		{"empty wording", func(t *concord.GlossaryTerm) { t.Adopted["es"] = []string{"jornada de lucha", ""} }, []string{"adopted.es:error.missing"}},
		{"blank wording", func(t *concord.GlossaryTerm) { t.Forbidden["es"] = []string{"   "} }, []string{"forbidden.es:error.missing"}},
		{"tatweel only", func(t *concord.GlossaryTerm) { t.Forbidden["fa"] = []string{"ـــ"} }, []string{"forbidden.fa:error.missing"}},
		{"wording too long", func(t *concord.GlossaryTerm) { t.Adopted["de"] = []string{strings.Repeat("a", 201)} }, []string{"adopted.de:error.too_long"}},
		{"wording with control character", func(t *concord.GlossaryTerm) { t.Adopted["de"] = []string{"Kampf\x07tag"} }, []string{"adopted.de:error.control_char"}},
		{"wording with newline", func(t *concord.GlossaryTerm) { t.Forbidden["de"] = []string{"Ring\nkampf"} }, []string{"forbidden.de:error.control_char"}},
		{"invalid UTF-8", func(t *concord.GlossaryTerm) { t.Forbidden["de"] = []string{"\xff"} }, []string{"forbidden.de:error.invalid_utf8"}},
		{"too many wordings", func(t *concord.GlossaryTerm) { t.Forbidden["de"] = slices.Repeat([]string{"x"}, 51) }, []string{"forbidden.de:error.too_many"}},
		{"adopted and forbidden", func(t *concord.GlossaryTerm) { t.Forbidden["es"] = []string{"lucha libre", "JORNADA  de Lucha"} },
			[]string{"forbidden.es:error.glossary_conflict"}},
		{"conflict ignoring harakat", func(t *concord.GlossaryTerm) { t.Forbidden["fa"] = []string{"رُوزِ مبارزه"} },
			[]string{"forbidden.fa:error.glossary_conflict"}},
		{"different languages do not conflict", func(t *concord.GlossaryTerm) { t.Forbidden["pt"] = []string{"jornada de lucha"} }, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			term := valid()
			tc.change(&term)
			err := term.Validate()
			if got := glossaryFields(err); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Validate() fields %q, want %q (%v)", got, tc.want, err)
			}
			if err != nil && concord.ErrorCode(err) != concord.EINVALID {
				t.Errorf("code %q", concord.ErrorCode(err))
			}
		})
	}
	conflict := concord.AsError(func() error {
		term := valid()
		term.Forbidden["es"] = []string{"Jornada de lucha"}
		return term.Validate()
	}())
	if p := conflict.Fields[0].Params; p["lang"] != "es" || p["wording"] != "Jornada de lucha" {
		t.Errorf("conflict params %v", p)
	}
}

func TestGlossaryCheckText(t *testing.T) {
	t.Parallel()
	terms := glossaryTerms()
	tests := []struct {
		name string
		lang string
		text string
		want []concord.GlossaryViolation
	}{
		{"machine translation error", "es", "Llamamos a un día de lucha libre contra la guerra.",
			[]concord.GlossaryViolation{glossaryAt("day-of-struggle", "es", "Llamamos a un día de lucha libre contra la guerra.", "lucha libre")}},
		{"adopted wording passes", "es", "Llamamos a una jornada de lucha contra la guerra.", nil},
		{"regional tag uses the primary entries", "es-MX", "¡Día de Lucha Libre!",
			[]concord.GlossaryViolation{glossaryAt("day-of-struggle", "es-MX", "¡Día de Lucha Libre!", "Lucha Libre")}},
		{"language tag case", "ES", "lucha libre", []concord.GlossaryViolation{glossaryAt("day-of-struggle", "ES", "lucha libre", "lucha libre")}},
		{"across a line break", "es", "un día de lucha\n   libre",
			[]concord.GlossaryViolation{glossaryAt("day-of-struggle", "es", "un día de lucha\n   libre", "lucha\n   libre")}},
		{"whole words only", "es", "luchas libres", nil},
		{"hyphen is not a space", "es", "lucha-libre", nil},
		{"other language's entries do not apply", "pt", "lucha libre", nil},
		{"unknown language", "", "lucha libre", nil},
		{"every occurrence", "en", "Wrestling day. WRESTLING DAYS!", []concord.GlossaryViolation{
			{TermID: "day-of-struggle", Kind: "forbidden", Lang: "en", Wording: "Wrestling day", Start: 0, End: 13},
			{TermID: "day-of-struggle", Kind: "forbidden", Lang: "en", Wording: "WRESTLING DAYS", Start: 15, End: 29},
		}},
		{"German compound is not the word", "de", "Der Kampftag der Arbeiterbewegung.", nil},
		{"German forbidden compound", "de", "Zum Ringkampftag!",
			[]concord.GlossaryViolation{glossaryAt("day-of-struggle", "de", "Zum Ringkampftag!", "Ringkampftag")}},
		{"German generic masculine", "de", "Die Arbeiter streiken.",
			[]concord.GlossaryViolation{glossaryAt("workers", "de", "Die Arbeiter streiken.", "Arbeiter")}},
		{"German gender star", "de", "Die Arbeiter*innen streiken.", nil},
		{"German pair form contains the forbidden word", "de", "Die Arbeiterinnen und Arbeiter streiken.", nil},
		{"German pair form across a line break", "de", "Die Arbeiterinnen\nund Arbeiter streiken.", nil},
		{"German mixed", "de", "Arbeiter*innen und Arbeiter", []concord.GlossaryViolation{
			{TermID: "workers", Kind: "forbidden", Lang: "de", Wording: "Arbeiter", Start: 19, End: 27},
		}},
		{"German soft hyphen", "de", "Die Arbei\u00adter streiken.",
			[]concord.GlossaryViolation{glossaryAt("workers", "de", "Die Arbei\u00adter streiken.", "Arbei\u00adter")}},
		{"Persian", "fa", "فراخوان برای روز کشتی", []concord.GlossaryViolation{glossaryAt("day-of-struggle", "fa", "فراخوان برای روز کشتی", "روز کشتی")}},
		{"Persian with harakat and tatweel", "fa", "روزِ کُشـتی بزرگ",
			[]concord.GlossaryViolation{glossaryAt("day-of-struggle", "fa", "روزِ کُشـتی بزرگ", "روزِ کُشـتی")}},
		{"Persian typed with Arabic kaf and yeh", "fa", "روز كشتي", []concord.GlossaryViolation{glossaryAt("day-of-struggle", "fa", "روز كشتي", "روز كشتي")}},
		{"Persian ZWNJ keeps the word whole", "fa", "روز کشتی‌گیران", nil},
		{"Persian wording with ZWNJ matches without it", "fa", "ورزش کشتیگیری", []concord.GlossaryViolation{glossaryAt("day-of-struggle", "fa", "ورزش کشتیگیری", "کشتیگیری")}},
		{"Persian adopted wording passes", "fa", "روز مبارزه", nil},
		{"Turkish", "tr", "Güreş günü kutlu olsun", []concord.GlossaryViolation{glossaryAt("day-of-struggle", "tr", "Güreş günü kutlu olsun", "Güreş günü")}},
		{"Turkish capitals with dotless I", "tr", "AMELE SINIFI", []concord.GlossaryViolation{glossaryAt("working-class", "tr", "AMELE SINIFI", "AMELE SINIFI")}},
		{"Turkish without Turkish keyboard", "tr", "amele sinifi", []concord.GlossaryViolation{glossaryAt("working-class", "tr", "amele sinifi", "amele sinifi")}},
		{"Turkish capital dotted İ", "tr", "AMELE SİNİFİ", []concord.GlossaryViolation{glossaryAt("working-class", "tr", "AMELE SİNİFİ", "AMELE SİNİFİ")}},
		{"empty text", "es", "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := concord.CheckText(terms, tc.lang, tc.text)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("CheckText(%q, %q)\n got %+v\nwant %+v", tc.lang, tc.text, got, tc.want)
			}
		})
	}
}

func TestGlossaryOverlapping(t *testing.T) {
	t.Parallel()
	v := func(term, wording string, start int) concord.GlossaryViolation {
		return concord.GlossaryViolation{TermID: term, Kind: "forbidden", Lang: "es", Wording: wording, Start: start, End: start + len(wording)}
	}
	tests := []struct {
		name  string
		terms []concord.GlossaryTerm
		text  string
		want  []concord.GlossaryViolation
	}{
		{"two terms overlapping", []concord.GlossaryTerm{
			{ID: "a", Concept: "a", Forbidden: map[string][]string{"es": {"lucha libre"}}},
			{ID: "b", Concept: "b", Forbidden: map[string][]string{"es": {"día de lucha"}}},
		}, "un día de lucha libre", []concord.GlossaryViolation{v("b", "día de lucha", 3), v("a", "lucha libre", 11)}},
		{"nested wordings of one term: the longer", []concord.GlossaryTerm{
			{ID: "a", Concept: "a", Forbidden: map[string][]string{"es": {"lucha", "lucha libre", "libre"}}},
		}, "la lucha libre y la lucha", []concord.GlossaryViolation{v("a", "lucha libre", 3), v("a", "lucha", 20)}},
		{"nested wordings of two terms: both", []concord.GlossaryTerm{
			{ID: "a", Concept: "a", Forbidden: map[string][]string{"es": {"lucha libre"}}},
			{ID: "b", Concept: "b", Forbidden: map[string][]string{"es": {"libre"}}},
		}, "lucha libre", []concord.GlossaryViolation{v("a", "lucha libre", 0), v("b", "libre", 6)}},
		{"same wording in two terms: both, by term", []concord.GlossaryTerm{
			{ID: "b", Concept: "b", Forbidden: map[string][]string{"es": {"lucha libre"}}},
			{ID: "a", Concept: "a", Forbidden: map[string][]string{"es": {"Lucha Libre"}}},
		}, "lucha libre", []concord.GlossaryViolation{v("a", "lucha libre", 0), v("b", "lucha libre", 0)}},
		{"same wording twice in one term: once", []concord.GlossaryTerm{
			{ID: "a", Concept: "a", Forbidden: map[string][]string{"es": {"lucha libre", "LUCHA LIBRE"}, "ES": {"lucha  libre"}}},
		}, "lucha libre", []concord.GlossaryViolation{v("a", "lucha libre", 0)}},
		{"inside another term's adopted wording", []concord.GlossaryTerm{
			{ID: "a", Concept: "a", Forbidden: map[string][]string{"es": {"lucha"}}},
			{ID: "b", Concept: "b", Adopted: map[string][]string{"es": {"jornada de lucha"}}},
		}, "jornada de lucha, lucha", []concord.GlossaryViolation{v("a", "lucha", 18)}},
		{"regional adoption overrides", []concord.GlossaryTerm{
			{ID: "a", Concept: "a", Forbidden: map[string][]string{"es": {"día de lucha"}}, Adopted: map[string][]string{"es-AR": {"día de lucha"}}},
		}, "día de lucha", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			lang := "es"
			if strings.Contains(tc.name, "regional") {
				lang = "es-AR"
				if got := concord.CheckText(tc.terms, "es", tc.text); len(got) != 1 {
					t.Errorf("in plain es: %+v", got)
				}
			}
			got := concord.CheckText(tc.terms, lang, tc.text)
			for i := range got {
				got[i].Lang = "es"
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("CheckText(%q)\n got %+v\nwant %+v", tc.text, got, tc.want)
			}
		})
	}
}

func TestGlossaryCheckTranslation(t *testing.T) {
	t.Parallel()
	terms := glossaryTerms()
	source := "We call for an international day of struggle on 8 March."
	missing := func(term, lang, wording string) concord.GlossaryViolation {
		return concord.GlossaryViolation{TermID: term, Kind: "missing", Lang: lang, Wording: wording, Start: -1, End: -1}
	}
	tests := []struct {
		name         string
		srcLang, src string
		tgtLang, tgt string
		want         []concord.GlossaryViolation
	}{
		{"machine output", "en", source, "es", "Llamamos a un día internacional de lucha libre el 8 de marzo.", []concord.GlossaryViolation{
			missing("day-of-struggle", "es", "jornada de lucha"),
			glossaryAt("day-of-struggle", "es", "Llamamos a un día internacional de lucha libre el 8 de marzo.", "lucha libre"),
		}},
		{"adopted wording", "en", source, "es", "Llamamos a una jornada de lucha internacional el 8 de marzo.", nil},
		{"second adopted wording counts", "en", "Days of struggle", "es", "Jornadas de lucha", nil},
		{"source without the concept", "en", "We call for peace.", "es", "Llamamos a la paz.", nil},
		{"target language without adopted wording", "en", source, "it", "Una giornata di lotta.", nil},
		{"regional target", "en", source, "es-MX", "Un día de lucha.", []concord.GlossaryViolation{missing("day-of-struggle", "es-MX", "jornada de lucha")}},
		{"German source, Persian target", "de", "Zum Kampftag der Arbeiterinnen und Arbeiter", "fa", "برای روز کشتی", []concord.GlossaryViolation{
			missing("day-of-struggle", "fa", "روز مبارزه"),
			glossaryAt("day-of-struggle", "fa", "برای روز کشتی", "روز کشتی"),
		}},
		{"Turkish", "en", "The working class", "tr", "İŞÇİ SINIFI", nil},
		{"Turkish missing", "en", "The working class", "tr", "Emekçiler", []concord.GlossaryViolation{missing("working-class", "tr", "işçi sınıfı")}},
		{"gender-fair target", "en", "working class", "de", "Die Arbeiter", []concord.GlossaryViolation{
			glossaryAt("workers", "de", "Die Arbeiter", "Arbeiter"),
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := concord.CheckTranslation(terms, tc.srcLang, tc.src, tc.tgtLang, tc.tgt)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("CheckTranslation(%q → %q)\n got %+v\nwant %+v", tc.src, tc.tgt, got, tc.want)
			}
		})
	}
}

func FuzzCheckText(f *testing.F) {
	f.Add("es", "lucha libre", "jornada de lucha", "un día de lucha\nlibre")
	f.Add("fa", "روز کشتی", "روز مبارزه", "روزِ کُشـتی")
	f.Add("tr", "amele sınıfı", "işçi sınıfı", "AMELE SINIFI")
	f.Add("de", "Arbeiter", "Arbeiter*innen", "Arbeiter*innen und Arbeiter")
	f.Add("en", " ", "\u0640", "\xff\xfe x")
	f.Fuzz(func(t *testing.T, lang, forbidden, adopted, text string) {
		terms := []concord.GlossaryTerm{{ID: "t", Concept: "c",
			Adopted:   map[string][]string{lang: {adopted}},
			Forbidden: map[string][]string{lang: {forbidden, forbidden + " " + adopted}}}}
		_ = terms[0].Validate()
		bounds := map[int]bool{len(text): true}
		for i := range text {
			bounds[i] = true
		}
		check := func(vs []concord.GlossaryViolation, target string) {
			for i, v := range vs {
				if i > 0 && vs[i-1].Start > v.Start {
					t.Fatalf("not sorted: %+v", vs)
				}
				if v.Kind == "missing" {
					if v.Start != -1 || v.End != -1 {
						t.Fatalf("missing with offsets: %+v", v)
					}
					continue
				}
				if v.Kind != "forbidden" || v.Start < 0 || v.Start >= v.End || v.End > len(target) || !bounds[v.Start] || !bounds[v.End] {
					t.Fatalf("bad violation %+v in %q", v, target)
				}
				if v.Wording != target[v.Start:v.End] {
					t.Fatalf("wording %q, text has %q", v.Wording, target[v.Start:v.End])
				}
			}
		}
		check(concord.CheckText(terms, lang, text), text)
		check(concord.CheckTranslation(terms, lang, adopted, lang, text), text)
		if glossaryPlain(forbidden) && len(concord.CheckText(terms, lang, forbidden)) == 0 {
			t.Fatalf("forbidden %q not found in itself", forbidden)
		}
	})
}

// glossaryPlain reports whether s is a word of ASCII letters, which CheckText must find in a
// text that is just that word.
func glossaryPlain(s string) bool {
	for _, r := range s {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z') {
			return false
		}
	}
	return s != ""
}

func TestGlossaryTermLanguages(t *testing.T) {
	t.Parallel()
	term := concord.GlossaryTerm{Adopted: map[string][]string{"es": {"jornada"}, "en": {"day of struggle"}},
		Forbidden: map[string][]string{"en": {"wrestling day"}, "de": {"Ringkampftag"}}}
	if got, want := term.Languages(), []string{"de", "en", "es"}; !slices.Equal(got, want) {
		t.Errorf("Languages() = %v, want %v", got, want)
	}
	if got := (concord.GlossaryTerm{}).Languages(); len(got) != 0 {
		t.Errorf("empty term: %v", got)
	}
}
