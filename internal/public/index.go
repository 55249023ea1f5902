package public

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"concord"
	"concord/internal/i18n"
)

// indexPage is the data of index.html.
type indexPage struct {
	Count  string
	Items  []indexItem
	PageOf string // "Page 2 of 5", when there is more than one page
	Feeds  []langLink
}

// indexItem is one document in the index.
type indexItem struct {
	URL       string
	Title     string
	TitleLang string
	TitleDir  string
	// OriginalLang says "Original language: English" when there is no translation into the
	// interface language and the original title is shown.
	OriginalLang string
	Kind         string
	Issuer       string
	Date         string
	DateISO      string
	Langs        []langLink
}

// index serves GET /pub/{lang}/: published public documents, newest first, 20 a page.
func (h *Handler) index(w http.ResponseWriter, r *http.Request) error {
	lang := r.PathValue("lang")
	if !h.i18n.Supported(lang) {
		return notFound()
	}
	page := 1
	if p := r.URL.Query().Get("page"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 1_000_000 {
			return notFound()
		}
		page = n
	}
	return h.cached(w, r, cacheKey{kind: 'i', b: lang, page: page}, func(ctx context.Context) (*entry, error) {
		return h.renderIndex(ctx, lang, page)
	})
}

func (h *Handler) renderIndex(ctx context.Context, lang string, page int) (*entry, error) {
	docs, total, err := h.docs.PublicList(ctx, nil, perPage, (page-1)*perPage)
	if err != nil {
		return nil, err
	}
	pages := max(1, (total+perPage-1)/perPage)
	if page > pages {
		return nil, notFound()
	}
	l := h.i18n.Localizer(lang)
	s := h.site(ctx, l)
	data := &indexPage{Count: l.N("public.count", total)}
	for _, p := range docs {
		d := p.Document
		rend, ok := p.In(lang)
		if !ok {
			rend = p.Renditions[0]
		}
		it := indexItem{URL: documentPath(lang, d.ID), Title: rend.Title, TitleLang: rend.Lang, TitleDir: h.langs.dir(rend.Lang),
			Kind: l.T("public.kind." + string(d.Kind)), Issuer: issuer(p, lang), Langs: h.renditionLinks(l, p, "")}
		if !ok {
			it.OriginalLang = l.T("public.original_language", "language", h.langs.nameIn(lang, rend.Lang))
		}
		if d.PublishedAt != nil {
			it.Date, it.DateISO = l.Date(*d.PublishedAt, s.loc), d.PublishedAt.UTC().Format(time.RFC3339)
		}
		data.Items = append(data.Items, it)
	}
	data.Feeds = h.feedLinks(l)
	title := l.T("public.title")
	if pages > 1 {
		data.PageOf = l.T("public.page_of", "page", page, "pages", pages)
		title += " (" + data.PageOf + ")"
	}
	v := h.newView(l, s, title)
	v.Data = data
	pageURL := func(lang string, n int) string {
		if n <= 1 {
			return indexPath(lang)
		}
		return indexPath(lang) + "?page=" + strconv.Itoa(n)
	}
	v.Canonical = h.abs(pageURL(lang, page))
	if page > 1 {
		v.Prev = pageURL(lang, page-1)
	}
	if page < pages {
		v.Next = pageURL(lang, page+1)
	}
	for _, ui := range h.i18n.Languages() {
		v.Alternates = append(v.Alternates, alternate{Lang: ui.Tag, URL: h.abs(pageURL(ui.Tag, page))})
	}
	v.UILangs = h.uiLangs(lang, indexPath)
	return h.htmlEntry("index", v, lang)
}

// feedLinks lists the feed of all documents and the feed of each kind.
func (h *Handler) feedLinks(l *i18n.Localizer) []langLink {
	out := []langLink{{URL: feedPath(l.Tag(), ""), Name: l.T("public.feed.all")}}
	for _, k := range concord.DocKinds() {
		out = append(out, langLink{URL: feedPath(l.Tag(), string(k)), Name: l.T("public.kinds." + string(k))})
	}
	return out
}
