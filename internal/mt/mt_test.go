package mt

import (
	"errors"
	"slices"
	"testing"
)

func TestCanonicalTag(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"en": "en", "EN": "en", "pt-br": "pt-BR", "PT_BR": "pt-BR", "zh-hant": "zh-Hant",
		"ZH-HANT-tw": "zh-Hant-TW", "es-419": "es-419", " ca-valencia ": "ca-valencia", "": "",
	}
	for in, want := range tests {
		if got := canonicalTag(in); got != want {
			t.Errorf("canonicalTag(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestResolvePair(t *testing.T) {
	t.Parallel()
	offered := []Pair{{"en", "es"}, {"es", "pt-BR"}, {"pt", "es"}, {"pt-BR", "en"}}
	tests := []struct {
		want Pair
		got  Pair
		ok   bool
	}{
		{Pair{"en", "es"}, Pair{"en", "es"}, true},
		{Pair{"EN", "ES"}, Pair{"en", "es"}, true},
		{Pair{"en-GB", "es"}, Pair{"en", "es"}, true},
		{Pair{"pt-BR", "es"}, Pair{"pt", "es"}, true},
		{Pair{"pt-BR", "en"}, Pair{"pt-BR", "en"}, true},
		{Pair{"es", "pt"}, Pair{}, false},
		{Pair{"es", "pt-PT"}, Pair{}, false},
		{Pair{"en", "es-MX"}, Pair{}, false},
	}
	for _, tt := range tests {
		got, ok := resolvePair(offered, tt.want)
		if got != tt.got || ok != tt.ok {
			t.Errorf("resolvePair(%v) = %v, %v; want %v, %v", tt.want, got, ok, tt.got, tt.ok)
		}
	}
}

func TestTranslateNonBlank(t *testing.T) {
	t.Parallel()
	upper := func(batch []string) ([]string, error) {
		out := make([]string, len(batch))
		for i, s := range batch {
			out[i] = "<" + s + ">"
		}
		return out, nil
	}
	got, err := translateNonBlank([]string{"a", "", " \n", "b"}, upper)
	if want := []string{"<a>", "", " \n", "<b>"}; err != nil || !slices.Equal(got, want) {
		t.Errorf("got %q, %v; want %q", got, err, want)
	}
	short := func(batch []string) ([]string, error) { return batch[:1], nil }
	if _, err := translateNonBlank([]string{"a", "b"}, short); err == nil {
		t.Error("too few translations: no error")
	}
	boom := errors.New("boom")
	fail := func([]string) ([]string, error) { return nil, boom }
	if _, err := translateNonBlank([]string{"a"}, fail); !errors.Is(err, boom) {
		t.Errorf("err = %v, want %v", err, boom)
	}
	if got, err := translateNonBlank([]string{""}, fail); err != nil || !slices.Equal(got, []string{""}) {
		t.Errorf("blank texts only: %q, %v", got, err)
	}
}

func TestClip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{" short ", 10, "short"},
		{"abcdef", 3, "abc…"},
		{"añb", 2, "a…"}, // never cuts a character
	}
	for _, tt := range tests {
		if got := clip(tt.in, tt.n); got != tt.want {
			t.Errorf("clip(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}
