package browsertest

import (
	"bytes"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// formServer serves a small form at / whose POST answers at /greet.
func formServer(tb testing.TB) *httptest.Server {
	tb.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Form</title></head>
<body><main>
<form method="post" action="/greet">
  <label for="name">Name</label> <input id="name" name="name" value="placeholder">
  <label for="lang">Language</label>
  <select id="lang" name="lang">
    <option value="en">English</option><option value="de">Deutsch</option><option value="fa">فارسی</option>
  </select>
  <label for="note">Note</label> <textarea id="note" name="note"></textarea>
  <button id="send" type="submit">Send</button>
</form>
</main></body></html>`)
	})
	mux.HandleFunc("POST /greet", func(w http.ResponseWriter, r *http.Request) {
		lang := r.PostFormValue("lang")
		dir := "ltr"
		if lang == "fa" {
			dir = "rtl"
		}
		fmt.Fprintf(w, `<!doctype html>
<html lang="%[1]s" dir="%[2]s"><head><meta charset="utf-8"><title>Greeting</title></head>
<body><main><p id="greeting" data-lang="%[1]s">Hello, %[3]s!</p><pre id="note">%[4]s</pre></main></body></html>`,
			html.EscapeString(lang), dir, html.EscapeString(r.PostFormValue("name")),
			html.EscapeString(r.PostFormValue("note")))
	})
	srv := httptest.NewServer(mux)
	tb.Cleanup(srv.Close)
	return srv
}

func TestFillAndSubmitForm(t *testing.T) {
	t.Parallel()
	b := NewBrowser(t)
	srv := formServer(t)

	tests := []struct {
		name, lang, note string
		wantDir          string
	}{
		{name: "Ana Müller", lang: "de", note: "Grüße", wantDir: "ltr"},
		{name: "Ali <script>", lang: "fa", note: "سلام", wantDir: "rtl"},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			t.Parallel()
			ctx := b.NewContext(t)
			Visit(ctx, srv.URL)
			if got := Attr(ctx, "html", "lang"); got != "en" {
				t.Errorf("form page lang = %q, want en", got)
			}
			Fill(ctx, "#name", tt.name) // replaces the value "placeholder"
			Fill(ctx, "#lang", tt.lang)
			Fill(ctx, "#note", tt.note)
			Click(ctx, "#send")

			WaitVisible(ctx, "#greeting")
			if got, want := Text(ctx, "#greeting"), "Hello, "+tt.name+"!"; got != want {
				t.Errorf("greeting = %q, want %q", got, want)
			}
			if got := Text(ctx, "#note"); got != tt.note {
				t.Errorf("note = %q, want %q", got, tt.note)
			}
			if got := Attr(ctx, "html", "dir"); got != tt.wantDir {
				t.Errorf("dir = %q, want %q", got, tt.wantDir)
			}
			if got := Attr(ctx, "#greeting", "data-lang"); got != tt.lang {
				t.Errorf("data-lang = %q, want %q", got, tt.lang)
			}
			if got := Attr(ctx, "#greeting", "data-missing"); got != "" {
				t.Errorf("missing attribute = %q, want empty", got)
			}
		})
	}
}

func TestContextsDoNotShareCookies(t *testing.T) {
	t.Parallel()
	b := NewBrowser(t)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "session", Value: r.URL.Query().Get("as"), Path: "/", HttpOnly: true})
		fmt.Fprint(w, `<!doctype html><p id="done">signed in</p>`)
	})
	mux.HandleFunc("GET /whoami", func(w http.ResponseWriter, r *http.Request) {
		who := "nobody"
		if c, err := r.Cookie("session"); err == nil {
			who = c.Value
		}
		fmt.Fprintf(w, `<!doctype html><p id="who">%s</p>`, html.EscapeString(who))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	ana, ben, guest := b.NewContext(t), b.NewContext(t), b.NewContext(t)
	Visit(ana, srv.URL+"/login?as=ana")
	Visit(ben, srv.URL+"/login?as=ben")

	Visit(ana, srv.URL+"/whoami")
	Visit(ben, srv.URL+"/whoami")
	Visit(guest, srv.URL+"/whoami")
	if got := Text(ana, "#who"); got != "ana" {
		t.Errorf("first context sees session %q, want ana", got)
	}
	if got := Text(ben, "#who"); got != "ben" {
		t.Errorf("second context sees session %q, want ben", got)
	}
	if got := Text(guest, "#who"); got != "nobody" {
		t.Errorf("third context sees session %q, want none", got)
	}
}

// failedTB is a testing.TB that reports failure, to exercise the failure path of
// NewContext without failing the real test.
type failedTB struct {
	testing.TB
	mu   sync.Mutex
	logs []string
}

func (f *failedTB) Failed() bool { return true }

func (f *failedTB) Logf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.logs = append(f.logs, fmt.Sprintf(format, args...))
}

func TestScreenshotOnFailure(t *testing.T) { // not parallel: it sets an environment variable
	dir := filepath.Join(t.TempDir(), "artifacts")
	t.Setenv("CONCORD_ARTIFACTS", dir)
	b := NewBrowser(t)
	srv := formServer(t)

	var ftb *failedTB
	t.Run("failing", func(t *testing.T) {
		ftb = &failedTB{TB: t}
		ctx := b.NewContext(ftb)
		Visit(ctx, srv.URL)
	}) // the subtest's cleanup has run here

	var path string
	for _, line := range ftb.logs {
		if _, p, ok := strings.Cut(line, "screenshot of the page at failure: "); ok {
			path = p
		}
	}
	if path == "" {
		t.Fatalf("no screenshot path logged; logs: %q", ftb.logs)
	}
	if filepath.Dir(path) != dir {
		t.Errorf("screenshot at %s, want it in $CONCORD_ARTIFACTS=%s", path, dir)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")) {
		t.Errorf("screenshot %s is not a PNG (starts with %q)", path, data[:min(8, len(data))])
	}
}

// recordingTB records Skip and Fatal instead of ending the real test.
type recordingTB struct {
	testing.TB
	skipped, fatal string
}

func (r *recordingTB) Helper() {}

func (r *recordingTB) Skip(args ...any) {
	r.skipped = fmt.Sprint(args...)
	runtime.Goexit()
}

func (r *recordingTB) Fatal(args ...any) {
	r.fatal = fmt.Sprint(args...)
	runtime.Goexit()
}

func TestMissingChromiumSkipsOrFails(t *testing.T) { // not parallel: it sets environment variables
	t.Setenv("CONCORD_CHROMIUM", filepath.Join(t.TempDir(), "no-such-chromium"))
	tests := []struct {
		name, ci, require string
		wantFatal         bool
	}{
		{name: "developer machine", wantFatal: false},
		{name: "CI", ci: "true", wantFatal: true},
		{name: "CONCORD_REQUIRE_TOOLS", require: "1", wantFatal: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("CI", tt.ci)
			t.Setenv("CONCORD_REQUIRE_TOOLS", tt.require)
			r := &recordingTB{TB: t}
			done := make(chan struct{})
			go func() {
				defer close(done)
				NewBrowser(r)
				t.Error("NewBrowser returned without Chromium")
			}()
			<-done
			got := r.skipped
			if tt.wantFatal {
				got = r.fatal
			}
			if !strings.Contains(got, "CONCORD_CHROMIUM") || !strings.Contains(got, "apt-get install chromium") {
				t.Errorf("skip %q, fatal %q; want the %s message to name the variable and the install command",
					r.skipped, r.fatal, map[bool]string{true: "fatal", false: "skip"}[tt.wantFatal])
			}
		})
	}
}
