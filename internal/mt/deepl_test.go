package mt

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
)

// The DeepL tests run against an httptest server that implements the documented API v2:
// DeepL cannot be reached here (a seam with no local real counterpart).

// deeplServer answers GET /v2/languages and POST /v2/translate like DeepL, translating
// each text to "[TARGET] text", and counts translate requests. It checks the request's
// shape.
func deeplServer(t *testing.T, key string, requests *atomic.Int32) *httptest.Server {
	t.Helper()
	authorized := func(w http.ResponseWriter, r *http.Request) bool {
		if r.Header.Get("Authorization") != "DeepL-Auth-Key "+key {
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte(`{"message":"Wrong endpoint. Use https://api.deepl.com"}`))
			return false
		}
		return true
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v2/languages", func(w http.ResponseWriter, r *http.Request) {
		if !authorized(w, r) {
			return
		}
		switch r.URL.Query().Get("type") {
		case "source":
			w.Write([]byte(`[{"language":"DE","name":"German"},{"language":"EN","name":"English"},{"language":"PT","name":"Portuguese"}]`))
		case "target":
			w.Write([]byte(`[{"language":"DE","name":"German","supports_formality":true},
				{"language":"EN-GB","name":"English (British)","supports_formality":false},
				{"language":"EN-US","name":"English (American)","supports_formality":false},
				{"language":"PT-BR","name":"Portuguese (Brazilian)","supports_formality":true}]`))
		default:
			http.Error(w, `{"message":"bad type"}`, http.StatusBadRequest)
		}
	})
	mux.HandleFunc("POST /v2/translate", func(w http.ResponseWriter, r *http.Request) {
		if !authorized(w, r) {
			return
		}
		requests.Add(1)
		var req struct {
			Text               []string
			SourceLang         string `json:"source_lang"`
			TargetLang         string `json:"target_lang"`
			PreserveFormatting bool   `json:"preserve_formatting"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.TargetLang == "" || len(req.Text) > 50 {
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"message":"Bad request. Reason: invalid text or target_lang"}`))
			return
		}
		if req.SourceLang != strings.ToUpper(req.SourceLang) || strings.Contains(req.SourceLang, "-") || !req.PreserveFormatting {
			t.Errorf("request source_lang %q, preserve_formatting %v", req.SourceLang, req.PreserveFormatting)
		}
		type translation struct {
			DetectedSourceLanguage string `json:"detected_source_language"`
			Text                   string `json:"text"`
		}
		var resp struct {
			Translations []translation `json:"translations"`
		}
		for _, text := range req.Text {
			resp.Translations = append(resp.Translations, translation{req.SourceLang, "[" + req.TargetLang + "] " + text})
		}
		json.NewEncoder(w).Encode(resp)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func mustDeepL(tb testing.TB, cfg DeepLConfig) *DeepL {
	tb.Helper()
	d, err := NewDeepL(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

func TestDeepL(t *testing.T) {
	t.Parallel()
	var requests atomic.Int32
	srv := deeplServer(t, "secret:fx", &requests)
	d := mustDeepL(t, DeepLConfig{URL: srv.URL, APIKey: "secret:fx"})

	pairs, err := d.Pairs(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []Pair{{"en", "de"}, {"en", "pt-BR"}, {"de", "en-GB"}, {"de", "en"}, {"pt", "en-US"}} {
		if !slices.Contains(pairs, want) {
			t.Errorf("pairs %v lack %v", pairs, want)
		}
	}
	for _, not := range []Pair{{"en", "en-GB"}, {"pt", "pt-BR"}, {"en", "en"}} {
		if slices.Contains(pairs, not) {
			t.Errorf("pairs %v have %v", pairs, not)
		}
	}

	many := make([]string, 120)
	manyWant := make([]string, 120)
	for i := range many {
		many[i] = fmt.Sprint("text ", i)
		manyWant[i] = "[DE] " + many[i]
	}
	tests := []struct {
		name     string
		pair     Pair
		texts    []string
		want     []string
		requests int32
	}{
		{"batch", Pair{"en", "de"}, []string{"One", "", "Two\n\nthree"}, []string{"[DE] One", "", "[DE] Two\n\nthree"}, 1},
		{"variety codes", Pair{"pt-BR", "en-gb"}, []string{"Olá"}, []string{"[EN-GB] Olá"}, 1},
		{"chunks of 50", Pair{"en", "de"}, many, manyWant, 3},
		{"nothing to send", Pair{"en", "de"}, []string{" "}, []string{" "}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Not parallel: requests counts the calls of one test at a time.
			before := requests.Load()
			got, err := d.Translate(t.Context(), tt.pair, tt.texts)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Translate(%q) = %q, want %q", tt.texts, got, tt.want)
			}
			if n := requests.Load() - before; n != tt.requests {
				t.Errorf("%d requests, want %d", n, tt.requests)
			}
		})
	}

	if v, err := d.Version(t.Context()); v != "api v2" || err != nil {
		t.Errorf("Version = %q, %v", v, err)
	}
}

func TestDeepLErrors(t *testing.T) {
	t.Parallel()
	var requests atomic.Int32
	srv := deeplServer(t, "secret", &requests)
	tests := []struct {
		name    string
		handler http.HandlerFunc // nil: the API server above
		key     string
		limit   int64
		want    string
		status  int
	}{
		{name: "wrong key", key: "wrong", want: "deepl: http status 403: Wrong endpoint", status: http.StatusForbidden},
		{name: "quota exceeded", handler: func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(456)
			w.Write([]byte(`{"message":"Quota exceeded"}`))
		}, want: "deepl: http status 456: Quota exceeded", status: 456},
		{name: "plain text error", handler: func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "Too many requests", http.StatusTooManyRequests)
		}, want: "deepl: http status 429: Too many requests", status: http.StatusTooManyRequests},
		{name: "too many translations", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"translations":[{"text":"a"},{"text":"b"},{"text":"c"}]}`))
		}, want: "got 3 translations for 2 texts"},
		{name: "oversize response", limit: 100, handler: func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"translations":[{"text":"` + strings.Repeat("x", 200) + `"},{"text":"b"}]}`))
		}, want: "response larger than 100 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			url := srv.URL
			if tt.handler != nil {
				s := httptest.NewServer(tt.handler)
				t.Cleanup(s.Close)
				url = s.URL
			}
			key := tt.key
			if key == "" {
				key = "secret"
			}
			d := mustDeepL(t, DeepLConfig{URL: url, APIKey: key})
			if tt.limit > 0 {
				d.http.maxResponse = tt.limit
			}
			_, err := d.Translate(t.Context(), Pair{"en", "de"}, []string{"Hello", "World"})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			var se *StatusError
			if got := errors.As(err, &se); got != (tt.status != 0) || got && se.StatusCode != tt.status {
				t.Errorf("err = %#v, want a StatusError %d", err, tt.status)
			}
		})
	}
}

func TestNewDeepL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		cfg     DeepLConfig
		wantURL string // empty: an error
	}{
		{DeepLConfig{APIKey: "k:fx"}, "https://api-free.deepl.com"},
		{DeepLConfig{APIKey: "k"}, "https://api.deepl.com"},
		{DeepLConfig{APIKey: "k", URL: "http://127.0.0.1:9/deepl"}, "http://127.0.0.1:9/deepl"},
		{DeepLConfig{}, ""},
		{DeepLConfig{APIKey: "k", URL: "api.deepl.com"}, ""},
	}
	for _, tt := range tests {
		d, err := NewDeepL(tt.cfg)
		switch {
		case tt.wantURL == "" && err == nil:
			t.Errorf("NewDeepL(%+v): no error", tt.cfg)
		case tt.wantURL != "" && (err != nil || d.base.String() != tt.wantURL):
			t.Errorf("NewDeepL(%+v) = %v, %v; want URL %s", tt.cfg, d, err, tt.wantURL)
		}
	}
}
