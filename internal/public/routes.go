package public

import "net/http"

// Register adds the public site to mux. This is the complete list of its routes; all are
// GET (and HEAD), none looks up a session.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /pub-assets/{hash}/{file}", h.asset)

	mux.Handle("GET /pub/{$}", h.handle(h.chooseLanguage))           // → /pub/{lang}/ by Accept-Language
	mux.Handle("GET /pub/{lang}", h.handle(h.addSlash))              // → /pub/{lang}/
	mux.Handle("GET /pub/{lang}/{$}", h.handle(h.index))             // index.go
	mux.Handle("GET /pub/{lang}/feed.atom", h.handle(h.feed))        // feed.go
	mux.Handle("GET /pub/{lang}/{kind}/feed.atom", h.handle(h.feed)) // feed.go
	mux.Handle("GET /pub/{lang}/{id}", h.handle(h.document))         // document.go
}
