package mt

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
)

// The LibreTranslate tests run against an httptest server that implements the documented
// API: there is no LibreTranslate service here (a seam with no local real counterpart).

// libreTranslateServer answers GET /languages and POST /translate like LibreTranslate,
// translating each text to "[target] text". It checks the request's shape.
func libreTranslateServer(t *testing.T, key string) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /languages", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`[{"code":"en","name":"English","targets":["en","es","pb","zt"]},
			{"code":"es","name":"Spanish","targets":["en","es"]}]`))
	})
	mux.HandleFunc("POST /translate", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Q                      []string
			Source, Target, Format string
			APIKey                 string `json:"api_key"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || r.Header.Get("Content-Type") != "application/json" {
			http.Error(w, `{"error":"bad request"}`, http.StatusBadRequest)
			return
		}
		if req.APIKey != key {
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte(`{"error":"Invalid API key"}`))
			return
		}
		if req.Format != "text" || req.Source == "" || req.Target == "" {
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"error":"Invalid request: missing fields"}`))
			return
		}
		out := make([]string, len(req.Q))
		for i, q := range req.Q {
			if strings.TrimSpace(q) == "" {
				t.Errorf("blank text %q sent", q)
			}
			out[i] = "[" + req.Target + "] " + q
		}
		json.NewEncoder(w).Encode(map[string]any{"translatedText": out})
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func mustLibreTranslate(tb testing.TB, cfg LibreTranslateConfig) *LibreTranslate {
	tb.Helper()
	l, err := NewLibreTranslate(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return l
}

func TestLibreTranslate(t *testing.T) {
	t.Parallel()
	srv := libreTranslateServer(t, "secret")
	l := mustLibreTranslate(t, LibreTranslateConfig{URL: srv.URL, APIKey: "secret"})

	pairs, err := l.Pairs(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := []Pair{{"en", "es"}, {"en", "pt-BR"}, {"en", "zh-Hant"}, {"es", "en"}}
	if !slices.Equal(pairs, want) {
		t.Errorf("pairs = %v, want %v", pairs, want)
	}

	tests := []struct {
		name  string
		pair  Pair
		texts []string
		want  []string
	}{
		{"batch", Pair{"en", "es"}, []string{"One", "", "Two\n\nthree", " "}, []string{"[es] One", "", "[es] Two\n\nthree", " "}},
		{"variety codes", Pair{"en-GB", "pt-BR"}, []string{"Hello"}, []string{"[pb] Hello"}},
		{"nothing to send", Pair{"en", "es"}, []string{"", "\n"}, []string{"", "\n"}},
		{"no texts", Pair{"en", "es"}, nil, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := l.Translate(t.Context(), tt.pair, tt.texts)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Translate(%q) = %q, want %q", tt.texts, got, tt.want)
			}
		})
	}

	if v, err := l.Version(t.Context()); err != nil || !strings.HasPrefix(v, "api at 127.0.0.1:") {
		t.Errorf("Version = %q, %v", v, err)
	}
}

func TestLibreTranslateErrors(t *testing.T) {
	t.Parallel()
	srv := libreTranslateServer(t, "secret")
	tests := []struct {
		name    string
		handler http.HandlerFunc // nil: the API server above
		key     string
		limit   int64 // response bound; zero: the default
		want    string
		status  int
	}{
		{name: "wrong key", key: "wrong", want: "Invalid API key", status: http.StatusForbidden},
		{name: "error json", handler: func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"error":"es is not supported"}`))
		}, want: "libretranslate: http status 400: es is not supported", status: http.StatusBadRequest},
		{name: "html error page", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			w.Write([]byte("<html><body>Bad gateway</body></html>"))
		}, want: "libretranslate: http status 502", status: http.StatusBadGateway},
		{name: "too few translations", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"translatedText":["only one"]}`))
		}, want: "got 1 translations for 2 texts"},
		{name: "not json", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`Hola`))
		}, want: "decode response"},
		{name: "oversize response", limit: 1 << 10, handler: func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"translatedText":["` + strings.Repeat("a", 2<<10) + `","b"]}`))
		}, want: "response larger than 1024 bytes"},
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
			l := mustLibreTranslate(t, LibreTranslateConfig{URL: url, APIKey: tt.key})
			if tt.limit > 0 {
				l.http.maxResponse = tt.limit
			}
			_, err := l.Translate(t.Context(), Pair{"en", "es"}, []string{"Hello", "World"})
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

// silentServer accepts requests and never answers them: each handler waits until the
// client has gone or the test ends.
func silentServer(t *testing.T) *httptest.Server {
	t.Helper()
	stop := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) // the server notices a closed connection only after the body
		select {
		case <-r.Context().Done():
		case <-stop:
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(stop) }) // runs first
	return srv
}

func TestHTTPEnginesTimeout(t *testing.T) {
	t.Parallel()
	srv := silentServer(t)
	quick := &http.Client{Timeout: 200 * time.Millisecond}
	engines := func(client *http.Client) []Engine {
		return []Engine{
			mustLibreTranslate(t, LibreTranslateConfig{URL: srv.URL, HTTPClient: client}),
			mustDeepL(t, DeepLConfig{URL: srv.URL, APIKey: "k", HTTPClient: client}),
		}
	}
	tests := []struct {
		name    string
		client  *http.Client
		timeout time.Duration // context deadline; zero: none
	}{
		{name: "context deadline", timeout: 200 * time.Millisecond},
		{name: "client timeout", client: quick},
	}
	for _, tt := range tests {
		for _, e := range engines(tt.client) {
			t.Run(tt.name+"/"+e.Name(), func(t *testing.T) {
				t.Parallel()
				calls := map[string]func(context.Context) error{
					"Translate": func(ctx context.Context) error {
						_, err := e.Translate(ctx, Pair{"en", "es"}, []string{"Hello"})
						return err
					},
					"Pairs": func(ctx context.Context) error {
						_, err := e.Pairs(ctx)
						return err
					},
				}
				for name, call := range calls {
					ctx, cancel := context.WithCancel(t.Context())
					if tt.timeout > 0 {
						ctx, cancel = context.WithTimeout(ctx, tt.timeout)
					}
					err := call(ctx)
					cancel()
					var ne net.Error
					if !errors.Is(err, context.DeadlineExceeded) && !(errors.As(err, &ne) && ne.Timeout()) {
						t.Errorf("%s: err = %v, want a timeout", name, err)
					}
				}
			})
		}
	}
}

func TestNewLibreTranslateBadURL(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"", "localhost:5000", "ftp://x.org", "http://"} {
		if _, err := NewLibreTranslate(LibreTranslateConfig{URL: u}); err == nil {
			t.Errorf("NewLibreTranslate(URL %q): no error", u)
		}
	}
}
