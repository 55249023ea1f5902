package public

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
)

// stylesheet loads the embedded stylesheet and returns it as a servable entry with its
// content-hash URL.
func stylesheet() (*entry, string) {
	css, err := files.ReadFile("static/public.css")
	if err != nil {
		panic(err) // embedded at build time
	}
	e := newEntry(http.StatusOK, cssType, "", css)
	e.cacheControl = cacheImmutable
	sum := sha256.Sum256(css)
	return e, "/pub-assets/" + hex.EncodeToString(sum[:8]) + "/public.css"
}

// asset serves GET /pub-assets/{hash}/{file}. With the current hash the stylesheet may be
// cached for a year; a stale hash (a page from before a deploy) gets the current file,
// revalidated on every use.
func (h *Handler) asset(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("file") != "public.css" {
		h.fail(w, r, notFound())
		return
	}
	e := h.css
	if r.URL.Path != h.cssURL {
		stale := *e
		stale.cacheControl = []string{"no-cache"}
		e = &stale
	}
	e.serve(w, r)
}

// chooseLanguage serves GET /pub/: a redirect to the index in the browser's language.
func (h *Handler) chooseLanguage(w http.ResponseWriter, r *http.Request) error {
	lang := h.i18n.Negotiate(h.i18n.FromAcceptLanguage(r.Header.Get("Accept-Language"))...)
	w.Header().Set("Vary", "Accept-Language")
	w.Header().Set("Cache-Control", "public, max-age=60")
	http.Redirect(w, r, indexPath(lang), http.StatusFound)
	return nil
}

// addSlash serves GET /pub/{lang}: a redirect to /pub/{lang}/.
func (h *Handler) addSlash(w http.ResponseWriter, r *http.Request) error {
	lang := r.PathValue("lang")
	if !h.i18n.Supported(lang) {
		return notFound()
	}
	http.Redirect(w, r, indexPath(lang), http.StatusMovedPermanently)
	return nil
}
