package public

import (
	"context"
	"html/template"
	"net/http"
	"time"

	"concord"
)

// documentPage is the data of document.html.
type documentPage struct {
	Kind         string
	Title        string
	TextLang     string
	TextDir      string
	Issuer       string
	Number       string
	Published    string
	PublishedISO string
	Occasion     string
	Recipient    string

	Provenance      string
	ProvenanceClass string
	Outdated        string // the note on a translation of an earlier version, or ""
	OriginalURL     string // the current original, linked from the outdated note

	Missing      bool   // no translation into the interface language: the original is shown
	MissingNote  string // says so, in the interface language
	OriginalLang string // "Original language: English", with Missing

	HTML  template.HTML // stored, sanitized at save time
	Langs []langLink
}

// document serves GET /pub/{lang}/{id}: the document in language lang, or, when lang is an
// interface language without a translation, the original with a note.
func (h *Handler) document(w http.ResponseWriter, r *http.Request) error {
	lang, id := r.PathValue("lang"), r.PathValue("id")
	// Only pages that rendered are cached, so the cache is looked up before the (cheap, but
	// per-request) validation, which the render does first.
	return h.cached(w, r, cacheKey{kind: 'd', a: id, b: lang}, func(ctx context.Context) (*entry, error) {
		if !concord.ValidID(id) || !concord.ValidLangTag(lang) {
			return nil, notFound()
		}
		return h.renderDocument(ctx, id, lang)
	})
}

func (h *Handler) renderDocument(ctx context.Context, id, lang string) (*entry, error) {
	p, err := h.docs.Public(ctx, id)
	if concord.ErrorCode(err) == concord.ENOTFOUND {
		return nil, notFound()
	} else if err != nil {
		return nil, err
	}
	d := p.Document
	rend, ok := p.In(lang)
	missing := !ok
	if missing {
		if !h.i18n.Supported(lang) {
			return nil, notFound()
		}
		rend = p.Renditions[0] // the source
	}
	l := h.i18n.Localizer(lang)
	s := h.site(ctx, l)
	orgs := h.orgNames(ctx, l.Tag())
	data := &documentPage{Kind: l.T("public.kind." + string(d.Kind)), Title: rend.Title, TextLang: rend.Lang, TextDir: h.langs.dir(rend.Lang),
		Issuer: issuer(p, l.Tag()), Number: d.Number, Occasion: d.Occasion, Recipient: d.Recipient, HTML: rend.HTML,
		Langs: h.renditionLinks(l, p, lang), Missing: missing}
	if d.PublishedAt != nil {
		data.Published, data.PublishedISO = l.Date(*d.PublishedAt, s.loc), d.PublishedAt.UTC().Format(time.RFC3339)
	}
	data.Provenance, data.ProvenanceClass = provenance(l, rend, orgs)
	if rend.Outdated {
		data.Outdated = l.T("public.prov.outdated", "version", rend.VersionNumber)
		data.OriginalURL = documentPath(d.SourceLang, d.ID)
	}
	if missing {
		data.MissingNote = l.T("public.no_translation")
		data.OriginalLang = l.T("public.original_language", "language", h.langs.nameIn(l.Tag(), d.SourceLang))
	}
	v := h.newView(l, s, rend.Title)
	v.Data = data
	// The canonical page of a text is the page in its language; a fallback page (the
	// original under another interface language) points to the original's.
	v.Canonical = h.abs(documentPath(rend.Lang, d.ID))
	for _, r := range p.Renditions {
		v.Alternates = append(v.Alternates, alternate{Lang: r.Lang, URL: h.abs(documentPath(r.Lang, d.ID))})
	}
	v.Alternates = append(v.Alternates, alternate{Lang: "x-default", URL: h.abs(documentPath(d.SourceLang, d.ID))})
	v.UILangs = h.uiLangs(lang, func(ui string) string { return documentPath(ui, d.ID) })
	return h.htmlEntry("document", v, rend.Lang)
}
