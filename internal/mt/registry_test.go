package mt

import (
	"net/http/httptest"
	"slices"
	"sync/atomic"
	"testing"
)

func TestRegistry(t *testing.T) {
	t.Parallel()
	var requests atomic.Int32
	lt := mustLibreTranslate(t, LibreTranslateConfig{URL: libreTranslateServer(t, "").URL})
	deepl := mustDeepL(t, DeepLConfig{URL: deeplServer(t, "k", &requests).URL, APIKey: "k"})
	gone := httptest.NewServer(nil)
	gone.Close()
	unreachable := mustDeepL(t, DeepLConfig{URL: gone.URL, APIKey: "k"})
	missing := NewApertium(ApertiumConfig{Command: "concord-no-such-apertium"})

	if _, err := NewRegistry(lt, deepl, unreachable); err == nil {
		t.Error("NewRegistry with two engines named DeepL: no error")
	}
	r, err := NewRegistry(missing, lt, deepl)
	if err != nil {
		t.Fatal(err)
	}
	if e, ok := r.Engine("DeepL"); !ok || e != deepl {
		t.Errorf(`Engine("DeepL") = %v, %v`, e, ok)
	}
	if _, ok := r.Engine("Google"); ok {
		t.Error(`Engine("Google") found`)
	}
	if got := r.Engines(); !slices.Equal(got, []Engine{missing, lt, deepl}) {
		t.Errorf("Engines() = %v", got)
	}

	tests := []struct {
		pair Pair
		want []Engine
	}{
		{Pair{"en", "es"}, []Engine{lt}},
		{Pair{"EN", "pt-br"}, []Engine{lt, deepl}},
		{Pair{"en-GB", "pt-BR"}, []Engine{lt, deepl}}, // source variety served by the base language
		{Pair{"en", "de"}, []Engine{deepl}},
		{Pair{"de", "en"}, []Engine{deepl}},
		{Pair{"de", "en-US"}, []Engine{deepl}},
		{Pair{"en", "pt"}, []Engine{deepl}}, // DeepL takes the bare language too
		{Pair{"en", "pt-PT"}, nil},          // a target variety is not served by another
		{Pair{"es", "es"}, nil},
		{Pair{"tr", "fa"}, nil},
	}
	for _, tt := range tests {
		if got := r.For(t.Context(), tt.pair); !slices.Equal(got, tt.want) {
			t.Errorf("For(%v) = %v, want %v", tt.pair, names(got), names(tt.want))
		}
	}
}

func names(engines []Engine) []string {
	var out []string
	for _, e := range engines {
		out = append(out, e.Name())
	}
	return out
}
