// Package web is Concord's server-rendered HTML user interface: every page of the member
// registry, people, mandates, invitations, accounts and the audit log, and of the
// federation's documents (versions, diffs, attachments, the translator's editor, the
// glossary, search), in every UI language.
//
// Handlers are thin: they read the form, call a service (which authorizes every call), and
// render a template or redirect. Handlers return an error; one adapter (errors.go) turns it
// into a translated error page, a login redirect or a re-rendered form. Templates and static
// files are embedded; static files are served under content-hash URLs. Every flow works
// without JavaScript; the one small script only enhances (copy buttons, focus).
package web

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"strings"
	"time"

	"concord"
	"concord/internal/auth"
	"concord/internal/documents"
	"concord/internal/httpx"
	"concord/internal/i18n"
	"concord/internal/live"
	"concord/internal/markdown"
	"concord/internal/membership"
	"concord/internal/procedures"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// Deps are what the web UI needs; the server builds them once.
type Deps struct {
	Auth       *auth.Service
	Members    *membership.Service
	Docs       *documents.Service  // documents, translations, glossary, search
	Procs      *procedures.Service // decisions: signature collections, votes; nil turns the pages off
	Live       *live.Hub           // live updates of procedures; nil: pages work without them
	I18n       *i18n.Bundle
	Log        *slog.Logger
	Clock      concord.Clock
	TrustProxy bool // trust X-Forwarded-Proto for the secure-cookie decision
}

// Handler serves the HTML UI. Build it with New and add its routes with Register.
type Handler struct {
	auth       *auth.Service
	members    *membership.Service
	docs       *documents.Service
	procs      *procedures.Service
	live       *live.Hub
	md         *markdown.Renderer // single segments in the translator's editor
	i18n       *i18n.Bundle
	log        *slog.Logger
	clock      concord.Clock
	trustProxy bool

	pages  map[string]*template.Template // by page name, each with the layout and partials
	static *staticSet
	names  *nameTables
	zeros  map[string]rune // each UI language's digit zero, for numbers in sentences
}

// New parses the embedded templates and hashes the static files.
func New(d Deps) (*Handler, error) {
	if d.Auth == nil || d.Members == nil || d.Docs == nil || d.I18n == nil {
		return nil, errors.New("web: Auth, Members, Docs and I18n are required")
	}
	h := &Handler{auth: d.Auth, members: d.Members, docs: d.Docs, procs: d.Procs, live: d.Live, md: markdown.New(), i18n: d.I18n, log: d.Log, clock: d.Clock, trustProxy: d.TrustProxy}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if h.clock == nil {
		h.clock = concord.SystemClock{}
	}
	h.names = newNameTables(d.I18n.Languages())
	h.zeros = digitZeros(d.I18n)
	var err error
	if h.static, err = loadStatic(staticFiles); err != nil {
		return nil, err
	}
	if h.pages, err = parsePages(templateFiles); err != nil {
		return nil, err
	}
	return h, nil
}

// sharedTemplates are parsed into every page: the layout and the form partials.
var sharedTemplates = []string{"templates/layout.html", "templates/partials.html", "templates/proc_partials.html"}

// parsePages returns one template set per page file, each with the shared templates.
func parsePages(fsys fs.FS) (map[string]*template.Template, error) {
	base, err := template.New("").Funcs(templateFuncs).ParseFS(fsys, sharedTemplates...)
	if err != nil {
		return nil, fmt.Errorf("web: parse layout: %w", err)
	}
	files, err := fs.Glob(fsys, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, f := range files {
		if isShared(f) {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(fsys, f)
		if err != nil {
			return nil, fmt.Errorf("web: parse %s: %w", f, err)
		}
		pages[strings.TrimSuffix(path.Base(f), ".html")] = t
	}
	return pages, nil
}

func isShared(f string) bool {
	for _, s := range sharedTemplates {
		if s == f {
			return true
		}
	}
	return false
}

// templateFuncs are the pure helpers templates use; everything that depends on the request
// (language, actor, time zone) is a method of view.
var templateFuncs = template.FuncMap{
	"short": func(id string) string { // the first block of an ID, for compact tables
		if concord.ValidID(id) {
			return id[:8]
		}
		return id
	},
	"list": func(xs ...any) []any { return xs },
}

// requestState is what the adapter learns about a request before the handler runs.
type requestState struct {
	actor   *concord.Actor
	session *concord.Session
	secret  string // the session cookie's secret, for logout
	l       *i18n.Localizer
	fed     *concord.Federation // nil until loaded
}

type stateKey struct{}

// state returns the request's state; handlers always run inside the adapter, which sets it.
func state(r *http.Request) *requestState {
	s, _ := r.Context().Value(stateKey{}).(*requestState)
	if s == nil {
		return &requestState{}
	}
	return s
}

// actor returns the acting person, or nil for a visitor.
func actor(r *http.Request) *concord.Actor { return httpx.ActorFrom(r.Context()) }

// federation returns the federation's settings, or a stand-in named after the application
// while none are stored yet.
func (h *Handler) federation(ctx context.Context, st *requestState) (*concord.Federation, error) {
	if st.fed != nil {
		return st.fed, nil
	}
	f, err := h.members.Federation(ctx)
	switch {
	case concord.ErrorCode(err) == concord.ENOTFOUND:
		f = &concord.Federation{TimeZone: "UTC"}
	case err != nil:
		return nil, err
	}
	st.fed = f
	return f, nil
}

// location is the time zone dates are shown in: the person's, else the federation's.
func (h *Handler) location(st *requestState) *time.Location {
	if st.actor != nil && st.actor.Person != nil && st.actor.Person.TimeZone != "" {
		return st.actor.Person.Location()
	}
	if st.fed != nil && st.fed.TimeZone != "" {
		if loc, err := time.LoadLocation(st.fed.TimeZone); err == nil {
			return loc
		}
	}
	return time.UTC
}

// today is the current date where the person is, as midnight UTC: the form in which the
// domain keeps dates.
func (h *Handler) today(r *http.Request) time.Time {
	y, m, d := h.clock.Now().In(h.location(state(r))).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
