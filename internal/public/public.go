// Package public is the public, cacheable, JavaScript-free site: published public documents
// in every language they exist in, with their provenance, an index with paging, and Atom
// feeds.
//
// Every page is the same for everyone (there is no session on these routes), so each
// (document, language) page, index page and feed is rendered once into bytes and kept in a
// bounded in-memory cache with a strong ETag and a pre-gzipped copy. A cached page is served
// without touching the database. Invalidate drops what a document change makes stale; the
// documents service calls it through its OnChange hook.
package public

import (
	"context"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"concord"
	"concord/internal/documents"
	"concord/internal/i18n"
	"concord/internal/membership"
)

// Defaults for the cache.
const (
	// DefaultCacheBytes bounds the rendered pages kept in memory (plain and gzipped bytes).
	DefaultCacheBytes = 64 << 20
	// DefaultRefresh is how long a rendered page is served before it is rendered again even
	// without an invalidation, so that changes without a hook (an organization's translated
	// name, the federation's name) reach the public pages.
	DefaultRefresh = 10 * time.Minute

	perPage      = 20 // documents per index page
	feedEntries  = 50 // entries per feed
	renderBudget = 30 * time.Second
)

// Deps wires a Handler.
type Deps struct {
	Docs    *documents.Service
	Members *membership.Service
	I18n    *i18n.Bundle
	Log     *slog.Logger
	BaseURL string // absolute, e.g. "https://concord.example.org"; used in feeds and canonical links

	CacheBytes int64         // zero means DefaultCacheBytes
	Refresh    time.Duration // zero means DefaultRefresh
}

// Handler serves the public site.
type Handler struct {
	docs    *documents.Service
	members *membership.Service
	i18n    *i18n.Bundle
	log     *slog.Logger
	base    string
	refresh time.Duration
	now     func() time.Time

	cache   *cache
	flights flights
	pages   map[string]*template.Template
	langs   *languages
	css     *entry // the stylesheet, served from a content-hash URL
	cssURL  string
}

// New returns the public site handler.
func New(d Deps) *Handler {
	h := &Handler{docs: d.Docs, members: d.Members, i18n: d.I18n, log: d.Log, base: strings.TrimRight(d.BaseURL, "/"),
		refresh: d.Refresh, now: time.Now, pages: parseTemplates(), langs: newLanguages(d.I18n)}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if h.base == "" {
		h.base = "http://localhost"
	}
	if h.refresh <= 0 {
		h.refresh = DefaultRefresh
	}
	size := d.CacheBytes
	if size <= 0 {
		size = DefaultCacheBytes
	}
	h.cache = newCache(size)
	h.css, h.cssURL = stylesheet()
	return h
}

// Invalidate drops the cached pages of a document and every index page and feed. The
// documents service calls it after each commit that changes what readers may see.
func (h *Handler) Invalidate(docID string) {
	h.cache.invalidate(docID)
}

// InvalidateAll drops every cached page, for changes that touch many pages at once (an
// organization renamed, the federation's settings changed).
func (h *Handler) InvalidateAll() {
	h.cache.invalidateAll()
}

// handlerFunc is the shape of every handler here: it writes a response or returns an error
// for fail to render.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

func (h *Handler) handle(fn handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			h.fail(w, r, err)
		}
	})
}

// cached serves the page under key from the cache, rendering it first when it is missing or
// older than the refresh interval. Concurrent misses of one key share a single render. A
// render that overlapped an invalidation is served to its own requests but not kept.
func (h *Handler) cached(w http.ResponseWriter, r *http.Request, key cacheKey, render func(ctx context.Context) (*entry, error)) error {
	if e := h.cache.get(key); e != nil && h.now().Sub(e.born) < h.refresh {
		e.serve(w, r)
		return nil
	}
	gen := h.cache.generation()
	e, err := h.flights.do(flightKey{key, gen}, func() (*entry, error) {
		// The render outlives a client that gives up: others may be waiting for it.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), renderBudget)
		defer cancel()
		e, err := render(ctx)
		if err != nil {
			return nil, err
		}
		e.born = h.now()
		h.cache.put(key, e, gen)
		return e, nil
	})
	if err != nil {
		return err
	}
	e.serve(w, r)
	return nil
}

// flightKey names one render: the same page in the same cache generation.
type flightKey struct {
	key cacheKey
	gen uint64
}

// flight is one render in progress; waiters block on done.
type flight struct {
	done chan struct{}
	e    *entry
	err  error
}

// flights lets concurrent misses of one page share one render.
type flights struct {
	mu sync.Mutex
	m  map[flightKey]*flight
}

func (f *flights) do(k flightKey, fn func() (*entry, error)) (*entry, error) {
	f.mu.Lock()
	if fl, ok := f.m[k]; ok {
		f.mu.Unlock()
		<-fl.done
		return fl.e, fl.err
	}
	if f.m == nil {
		f.m = map[flightKey]*flight{}
	}
	fl := &flight{done: make(chan struct{}), err: errRenderPanicked} // until fn returns
	f.m[k] = fl
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		delete(f.m, k)
		f.mu.Unlock()
		close(fl.done)
	}()
	fl.e, fl.err = fn()
	return fl.e, fl.err
}

// errRenderPanicked is what waiters get when the render they waited for panicked.
var errRenderPanicked = errors.New("public: render panicked")

// notFound is the error for every page that does not exist or is not public: unknown,
// unpublished and internal documents all look the same.
func notFound() error {
	return &concord.Error{Code: concord.ENOTFOUND, Key: "error.page_not_found", Message: "page not found"}
}
