package mt

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// requireApertium returns an Apertium engine for the installed apertium and eng-spa pair.
// Without them it skips the test, or fails it when $CI is set or CONCORD_REQUIRE_TOOLS=1.
func requireApertium(tb testing.TB) *Apertium {
	tb.Helper()
	_, errCmd := exec.LookPath("apertium")
	_, errMode := os.Stat("/usr/share/apertium/modes/eng-spa.mode")
	if errCmd != nil || errMode != nil {
		msg := "apertium or its eng-spa pair is not installed (apt-get install -y apertium apertium-eng-spa)"
		if os.Getenv("CI") != "" || os.Getenv("CONCORD_REQUIRE_TOOLS") == "1" {
			tb.Fatal(msg + " (required because CI or CONCORD_REQUIRE_TOOLS=1 is set)")
		}
		tb.Skip(msg)
	}
	return NewApertium(ApertiumConfig{})
}

func TestApertiumTranslate(t *testing.T) {
	t.Parallel()
	a := requireApertium(t)
	tests := []struct {
		name string
		in   string
		want []string // substrings of the translation, in this order
		has  []string // substrings of the translation, in any order
		not  []string // substrings the translation must not have
	}{
		{name: "sentence", in: "The federation calls for a day of struggle on 8 March.",
			want: []string{"La federación", "8 de marzo."}},
		{name: "blank", in: "", want: nil},
		{name: "white space only", in: " \n\t", want: []string{" \n\t"}},
		{name: "surrounding white space", in: "  The red flag  \n",
			want: []string{"  La bandera roja  \n"}},
		{name: "blank line inside", in: "Workers of the world, unite!\n\nWe demand equal pay.",
			want: []string{"Trabajadores", "!\n\n", "paga igual."}},
		{name: "emphasis follows words", in: "The **red** flag and the *old* _new_ __big__ ~~small~~ house",
			want: []string{"La bandera **roja**"}, has: []string{"*viej", "_nueva_", "__grande__", "~~pequeña~~"}},
		{name: "link text translated, destination kept", in: "Read the [call of the federation](https://example.org/the/call?a=1&b=2 \"the call\").",
			want: []string{"[llamada de la federación](https://example.org/the/call?a=1&b=2 \"the call\")"}},
		{name: "code, image, url and html kept", in: "Run `make the house` with ![the red logo](logo.png) from https://example.org/the/house_of/the-people, <br> now.",
			want: []string{"`make the house`", "![the red logo](logo.png)", "https://example.org/the/house_of/the-people,", "<br>"},
			not:  []string{"zqx"}},
		{name: "ampersand and angle brackets", in: "Bread & roses: a < b && c > d; 5 * 3 * 2 &amp; &lt;",
			want: []string{"&", "< b && c > d; 5 * 3 * 2 &amp; &lt;"}},
		{name: "asterisks and escapes", in: "Stars \\*not emphasis\\* and a * b and ***",
			want: []string{"\\*", "\\*", "* b", "***"}},
		{name: "list and quote lines", in: "- the first item\n- the second item\n\n> quoted text\n1. one",
			want: []string{"- El primer elemento\n- el segundo elemento\n\n> ", "\n1. "}},
		{name: "hard line break", in: "Line one  \nline two",
			want: []string{"  \n"}},
		{name: "markers in the text", in: "The div <div id=\"s0\">x</div> and zqx0qz stay.",
			want: []string{`<div id="s0">`, "</div>", "zqx0qz"}},
	}
	texts := make([]string, len(tests))
	for i, tt := range tests {
		texts[i] = tt.in
	}
	got, err := a.Translate(t.Context(), Pair{Source: "en", Target: "es"}, texts)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(texts) {
		t.Fatalf("got %d translations for %d texts", len(got), len(texts))
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rest := got[i]
			for _, w := range tt.want {
				j := strings.Index(rest, w)
				if j < 0 {
					t.Fatalf("translation of %q = %q, want %q (in order)", tt.in, got[i], w)
				}
				rest = rest[j+len(w):]
			}
			for _, h := range tt.has {
				if !strings.Contains(got[i], h) {
					t.Errorf("translation of %q = %q, want %q", tt.in, got[i], h)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(got[i], n) {
					t.Errorf("translation of %q = %q, has %q", tt.in, got[i], n)
				}
			}
			if tt.in == "" && got[i] != "" {
				t.Errorf("translation of blank text = %q", got[i])
			}
		})
	}
}

func TestApertiumTranslateKeepsOrder(t *testing.T) {
	t.Parallel()
	a := requireApertium(t)
	for _, n := range []int{1, 2, 7, 120} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			t.Parallel()
			texts := make([]string, n)
			for i := range texts {
				texts[i] = fmt.Sprintf("House number %d is red.", i)
				if i%3 == 1 {
					texts[i] = fmt.Sprintf("The *%d* houses\n\nare <b>big</b> & red.", i)
				}
			}
			got, err := a.Translate(t.Context(), Pair{Source: "en", Target: "es"}, texts)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != n {
				t.Fatalf("got %d translations, want %d", len(got), n)
			}
			for i, g := range got {
				want := fmt.Sprint(i)
				if i%3 == 1 {
					want = fmt.Sprintf("*%d*", i)
				}
				if !strings.Contains(g, want) || strings.Contains(g, "zqx") || strings.Contains(g, "house") {
					t.Errorf("translation %d = %q, want a translation containing %q", i, g, want)
				}
			}
		})
	}
}

func TestApertiumPairs(t *testing.T) {
	t.Parallel()
	a := requireApertium(t)
	pairs, err := a.Pairs(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []Pair{{"en", "es"}, {"es", "en"}, {"es", "en-US"}} {
		if !slices.Contains(pairs, want) {
			t.Errorf("pairs %v lack %v", pairs, want)
		}
	}
	for _, p := range pairs {
		if len(p.Source) == 3 && bcp47Language(p.Source) != p.Source {
			t.Errorf("pair %v has an ISO 639-3 code where BCP 47 wants ISO 639-1", p)
		}
	}
}

func TestApertiumVersion(t *testing.T) {
	t.Parallel()
	a := requireApertium(t)
	v, err := a.Version(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	pv, err := a.PairVersion(t.Context(), Pair{Source: "en", Target: "es"})
	if err != nil {
		t.Fatal(err)
	}
	want := "apertium-eng-spa "
	if _, err := exec.LookPath("dpkg-query"); err != nil {
		want = "pairs unknown"
	}
	for _, got := range []string{v, pv} {
		if !strings.Contains(got, want) || strings.HasPrefix(got, "unknown") {
			t.Errorf("version = %q, want the apertium version and %q", got, want)
		}
	}
	if _, err := a.PairVersion(t.Context(), Pair{Source: "tr", Target: "fa"}); err == nil {
		t.Error("PairVersion of an unsupported pair: no error")
	}
}

func TestApertiumUnsupportedPair(t *testing.T) {
	t.Parallel()
	a := requireApertium(t)
	_, err := a.Translate(t.Context(), Pair{Source: "tr", Target: "fa"}, []string{"Merhaba"})
	var unsupported *UnsupportedPairError
	if !errors.As(err, &unsupported) || unsupported.Pair != (Pair{"tr", "fa"}) {
		t.Fatalf("err = %v, want an UnsupportedPairError for tr→fa", err)
	}
}

func TestApertiumMissingProgram(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  ApertiumConfig
		want error
	}{
		{name: "no program", cfg: ApertiumConfig{Command: "concord-no-such-apertium"}, want: exec.ErrNotFound},
		{name: "no modes", cfg: ApertiumConfig{Command: "sh", Extractor: "sh", DataDir: t.TempDir()}, want: os.ErrNotExist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := NewApertium(tt.cfg)
			_, errPairs := a.Pairs(t.Context())
			_, errTranslate := a.Translate(t.Context(), Pair{Source: "en", Target: "es"}, []string{"Hello"})
			_, errVersion := a.Version(t.Context())
			for _, err := range []error{errPairs, errTranslate, errVersion} {
				if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), "apertium-eng-spa") {
					t.Errorf("err = %v, want %v with an install hint", err, tt.want)
				}
			}
		})
	}
}

func TestApertiumModes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "modes"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"eng-spa.mode", "fr-es.mode", "es-pt_BR.mode", "spa-cat_valencia.mode",
		"eng-spa-morph.mode", "eco-fr-es.mode", "README", "nno-nob.mode"} {
		if err := os.WriteFile(filepath.Join(dir, "modes", name), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	a := NewApertium(ApertiumConfig{Command: "sh", Extractor: "sh", DataDir: dir})
	got, err := a.Pairs(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := []Pair{{"en", "es"}, {"es", "pt-BR"}, {"fr", "es"}, {"nn", "nb"}}
	if !slices.Equal(got, want) {
		t.Errorf("pairs = %v, want %v", got, want)
	}
}

func TestApertiumPair(t *testing.T) {
	t.Parallel()
	tests := []struct {
		mode string
		want Pair
		ok   bool
	}{
		{"eng-spa", Pair{"en", "es"}, true},
		{"spa-eng_US", Pair{"es", "en-US"}, true},
		{"es-pt_BR", Pair{"es", "pt-BR"}, true},
		{"fr-es", Pair{"fr", "es"}, true},
		{"hbs-eng", Pair{"sh", "en"}, true},
		{"spa-ast", Pair{"es", "ast"}, true},
		{"rus-ukr", Pair{"ru", "uk"}, true},
		{"eng-spa-morph", Pair{}, false},
		{"eco-fr-es", Pair{}, false},
		{"spa-cat_valencia", Pair{}, false},
		{"spa-cat_valencia_uni", Pair{}, false},
		{"spa-cat_iec2017", Pair{}, false},
		{"hin-morph", Pair{}, false},
		{"eng-eng", Pair{}, false},
		{"ENG-SPA", Pair{}, false},
		{"eng", Pair{}, false},
	}
	for _, tt := range tests {
		got, ok := apertiumPair(tt.mode)
		if got != tt.want || ok != tt.ok {
			t.Errorf("apertiumPair(%q) = %v, %v; want %v, %v", tt.mode, got, ok, tt.want, tt.ok)
		}
	}
}

func TestApertiumCancel(t *testing.T) {
	t.Parallel()
	// Enough text to keep apertium busy for many seconds.
	texts := make([]string, 40000)
	for i := range texts {
		texts[i] = fmt.Sprintf("The federation calls for day %d of struggle on 8 March.", i)
	}
	tests := []struct {
		name    string
		timeout time.Duration // ApertiumConfig.Timeout; zero: cancel the context
		want    error
	}{
		{name: "context canceled", want: context.Canceled},
		{name: "timeout", timeout: 300 * time.Millisecond, want: context.DeadlineExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := requireApertium(t)
			a.cfg.Timeout = time.Minute
			if tt.timeout > 0 {
				a.cfg.Timeout = tt.timeout
			}
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			pids := make(chan int, 1)
			a.started = func(pid int) {
				pids <- pid
				if tt.timeout == 0 {
					time.AfterFunc(300*time.Millisecond, cancel)
				}
			}
			done := make(chan error, 1)
			go func() {
				_, err := a.Translate(ctx, Pair{Source: "en", Target: "es"}, texts)
				done <- err
			}()
			var err error
			select {
			case err = <-done:
			case <-time.After(30 * time.Second):
				t.Fatal("Translate still running 30s after it should have been stopped")
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			assertProcessGroupGone(t, <-pids)
		})
	}
}
