package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"concord"
	"concord/internal/documents"
	"concord/internal/mt"
)

// maxSearchResults bounds a search; a more precise query finds the rest.
const maxSearchResults = 100

// searchPage is the data of the search page.
type searchPage struct {
	Query   string
	Results []searchResult
	Langs   []option
}

// searchResult is a document found in one language.
type searchResult struct {
	Doc   *concord.Document
	Lang  string
	Title string
}

// search finds documents in any language, with filters; the service shows only what the
// person may read.
func (h *Handler) search(w http.ResponseWriter, r *http.Request) error {
	if _, err := loggedIn(r); err != nil {
		return err
	}
	ctx, a, q, l := r.Context(), actor(r), r.URL.Query(), state(r).l
	form := newForm(url.Values{})
	f := documents.ListFilter{Limit: maxSearchResults}
	if k := concord.DocKind(q.Get("kind")); k.Valid() {
		f.Kinds = []concord.DocKind{k}
		form.Set("kind", string(k))
	}
	if s := concord.DocStatus(q.Get("status")); s.Valid() {
		f.Statuses = []concord.DocStatus{s}
		form.Set("status", string(s))
	}
	if y := yearParam(q.Get("year")); y > 0 {
		f.Year = y
		form.Set("year", strconv.Itoa(y))
	}
	lang := q.Get("lang")
	if !concord.ValidLangTag(lang) {
		lang = ""
	}
	form.Set("lang", lang)
	text := concord.CleanText(q.Get("q"))
	if len([]rune(text)) > concord.MaxName {
		text = string([]rune(text)[:concord.MaxName])
	}
	form.Set("q", text)
	d := searchPage{Query: text}
	if text != "" {
		hits, err := h.docs.Search(ctx, a, text, lang, f)
		if err != nil {
			return err
		}
		if len(hits) > 0 {
			ids := make([]string, 0, len(hits))
			for _, hit := range hits {
				ids = append(ids, hit.DocID)
			}
			docs, err := h.docs.List(ctx, a, documents.ListFilter{IDs: ids})
			if err != nil {
				return err
			}
			byID := map[string]*concord.Document{}
			for _, doc := range docs {
				byID[doc.ID] = doc
			}
			for _, hit := range hits {
				if doc := byID[hit.DocID]; doc != nil {
					d.Results = append(d.Results, searchResult{Doc: doc, Lang: hit.Lang, Title: hit.Title})
				}
			}
		}
	}
	d.Langs = append(d.Langs, option{Value: "", Label: l.T("search.any_language")})
	for _, tag := range commonLanguages {
		d.Langs = append(d.Langs, option{Value: tag, Label: l.T("lang.option", "name", h.names.language(l.Tag(), tag), "tag", tag)})
	}
	if lang != "" && !slices.Contains(commonLanguages, lang) {
		d.Langs = append(d.Langs, option{Value: lang, Label: lang})
	}
	return h.renderForm(w, r, http.StatusOK, "search", l.T("nav.search"), form, d)
}

// enginesPage is the data of the machine translation page.
type enginesPage struct {
	Engines []engineStatus
}

// engineStatus is a configured engine and what it can do now.
type engineStatus struct {
	Name      string
	Version   string
	Pairs     []mt.Pair
	Available bool
	Problem   string // why it cannot be asked (in English, from the engine)
}

// engines lists the configured machine translation engines and their language pairs.
func (h *Handler) engines(w http.ResponseWriter, r *http.Request) error {
	if _, err := loggedIn(r); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(r.Context(), engineQueryTimeout)
	defer cancel()
	var d enginesPage
	for _, e := range h.docs.AllEngines() {
		s := engineStatus{Name: e.Name()}
		pairs, err := e.Pairs(ctx)
		if err != nil {
			s.Problem = err.Error()
		} else {
			s.Available, s.Pairs = true, pairs
			s.Version, _ = e.Version(ctx)
		}
		d.Engines = append(d.Engines, s)
	}
	return h.render(w, r, http.StatusOK, "engines", state(r).l.T("nav.engines"), d)
}
