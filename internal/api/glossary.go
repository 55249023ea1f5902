package api

import (
	"bytes"
	"maps"
	"net/http"
	"slices"
	"strconv"

	"concord"
	"concord/internal/documents"
)

// glossaryTermDTO is a concept with its adopted wordings (the first is preferred) and
// forbidden variants, each by language.
type glossaryTermDTO struct {
	ID        string              `json:"id"`
	Concept   string              `json:"concept"`
	Note      string              `json:"note"`
	Adopted   map[string][]string `json:"adopted"`
	Forbidden map[string][]string `json:"forbidden"`
}

func glossaryTermOut(t *concord.GlossaryTerm) glossaryTermDTO {
	clone := func(m map[string][]string) map[string][]string {
		out := make(map[string][]string, len(m))
		for lang, ws := range m {
			if len(ws) > 0 {
				out[lang] = slices.Clone(ws)
			}
		}
		return out
	}
	return glossaryTermDTO{ID: t.ID, Concept: t.Concept, Note: t.Note, Adopted: clone(t.Adopted), Forbidden: clone(t.Forbidden)}
}

// glossaryTermRequest creates or replaces a glossary term.
type glossaryTermRequest struct {
	Concept   string              `json:"concept"`
	Note      string              `json:"note"`
	Adopted   map[string][]string `json:"adopted"`
	Forbidden map[string][]string `json:"forbidden"`
}

// term returns the domain term with language tags in canonical case. Two spellings of one
// language ("es" and "ES") are merged; invalid tags are left for the domain to refuse.
func (req *glossaryTermRequest) term(id string) *concord.GlossaryTerm {
	canon := func(m map[string][]string) map[string][]string {
		out := make(map[string][]string, len(m))
		for _, lang := range slices.Sorted(maps.Keys(m)) {
			key := lang
			if concord.ValidLangTag(lang) {
				key = canonicalLang(lang)
			}
			out[key] = append(out[key], m[lang]...)
		}
		return out
	}
	return &concord.GlossaryTerm{ID: id, Concept: req.Concept, Note: req.Note, Adopted: canon(req.Adopted), Forbidden: canon(req.Forbidden)}
}

// glossaryCheckRequest is a text to check against the glossary.
type glossaryCheckRequest struct {
	Lang string `json:"lang"`
	Text string `json:"text"`
}

// glossaryImportDTO says how many terms a CSV import added or replaced.
type glossaryImportDTO struct {
	Imported int `json:"imported"`
}

func (h *Handler) listGlossary(w http.ResponseWriter, r *http.Request) error {
	terms, err := h.docs.Glossary(r.Context(), actor(r))
	if err != nil {
		return err
	}
	out := make([]glossaryTermDTO, len(terms))
	for i := range terms {
		out[i] = glossaryTermOut(&terms[i])
	}
	return writeJSON(w, http.StatusOK, list(out))
}

func (h *Handler) createGlossaryTerm(w http.ResponseWriter, r *http.Request) error {
	var req glossaryTermRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	t := req.term("")
	if err := h.docs.PutTerm(r.Context(), actor(r), t); err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"/glossary/"+t.ID)
	return writeJSON(w, http.StatusCreated, glossaryTermOut(t))
}

func (h *Handler) putGlossaryTerm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "glossary term")
	if err != nil {
		return err
	}
	var req glossaryTermRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	// PutTerm stores any ID it is given; replacing is for terms that exist. (Those who may
	// not edit the glossary get PutTerm's refusal either way.)
	if documents.Can(actor(r), documents.ActEditGlossary, nil) {
		terms, err := h.docs.Glossary(r.Context(), actor(r))
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(terms, func(t concord.GlossaryTerm) bool { return t.ID == id }) {
			return concord.NotFound("glossary term")
		}
	}
	t := req.term(id)
	if err := h.docs.PutTerm(r.Context(), actor(r), t); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, glossaryTermOut(t))
}

func (h *Handler) deleteGlossaryTerm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "glossary term")
	if err != nil {
		return err
	}
	if err := h.docs.DeleteTerm(r.Context(), actor(r), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) exportGlossaryCSV(w http.ResponseWriter, r *http.Request) error {
	var buf bytes.Buffer
	if err := h.docs.ExportGlossaryCSV(r.Context(), actor(r), &buf); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", documents.ContentDisposition("glossary.csv"))
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
	return nil
}

func (h *Handler) importGlossaryCSV(w http.ResponseWriter, r *http.Request) error {
	data, err := readUpload(w, r, documents.MaxGlossaryCSV, "text/csv")
	if err != nil {
		return err
	}
	n, err := h.docs.ImportGlossaryCSV(r.Context(), actor(r), bytes.NewReader(data))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, glossaryImportDTO{Imported: n})
}

func (h *Handler) checkGlossary(w http.ResponseWriter, r *http.Request) error {
	var req glossaryCheckRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	var v concord.Validation
	lang := checkLang(&v, "lang", req.Lang, true)
	checkText(&v, "text", req.Text, false, concord.MaxBody, true)
	if err := v.Err(); err != nil {
		return err
	}
	vs, err := h.docs.CheckText(r.Context(), actor(r), lang, req.Text)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, list(violationsOut(vs)))
}
