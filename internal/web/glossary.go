package web

import (
	"bytes"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"concord"
	"concord/internal/documents"
	"concord/internal/httpx"
)

// glossaryPage is the data of the glossary.
type glossaryPage struct {
	Terms   []termRow
	CanEdit bool
	MaxCSV  string
}

// termRow is a glossary term with its wordings by language, sorted.
type termRow struct {
	Term  concord.GlossaryTerm
	Langs []termLang
}

// termLang is what a term says for one language.
type termLang struct {
	Lang      string
	Adopted   []string
	Forbidden []string
}

// termLangs lists a term's languages in order with their wordings.
func termLangs(t concord.GlossaryTerm) []termLang {
	langs := t.Languages()
	out := make([]termLang, 0, len(langs))
	for _, l := range langs {
		if len(t.Adopted[l]) == 0 && len(t.Forbidden[l]) == 0 {
			continue
		}
		out = append(out, termLang{Lang: l, Adopted: t.Adopted[l], Forbidden: t.Forbidden[l]})
	}
	return out
}

// glossary lists the terms; staff can add, edit, import and delete them.
func (h *Handler) glossary(w http.ResponseWriter, r *http.Request) error {
	return h.renderGlossary(w, r, http.StatusOK, nil)
}

func (h *Handler) renderGlossary(w http.ResponseWriter, r *http.Request, status int, f *Form) error {
	ctx, a, l := r.Context(), actor(r), state(r).l
	terms, err := h.docs.Glossary(ctx, a)
	if err != nil {
		return err
	}
	d := glossaryPage{CanEdit: documents.Can(a, documents.ActEditGlossary, nil), MaxCSV: formatSize(l, documents.MaxGlossaryCSV)}
	slices.SortFunc(terms, func(x, y concord.GlossaryTerm) int {
		return strings.Compare(strings.ToLower(x.Concept), strings.ToLower(y.Concept))
	})
	for _, t := range terms {
		d.Terms = append(d.Terms, termRow{Term: t, Langs: termLangs(t)})
	}
	return h.renderForm(w, r, status, "glossary", l.T("nav.glossary"), f, d)
}

// termFormPage is the data of the form for a glossary term.
type termFormPage struct {
	Term   *concord.GlossaryTerm // nil for a new term
	Action string
}

// termValues fills a form from a term: one row per language, one wording per line.
func termValues(t *concord.GlossaryTerm) url.Values {
	v := url.Values{"concept": {t.Concept}, "note": {t.Note}}
	for _, tl := range termLangs(*t) {
		v.Add("w_lang", tl.Lang)
		v.Add("w_adopted", strings.Join(tl.Adopted, "\n"))
		v.Add("w_forbidden", strings.Join(tl.Forbidden, "\n"))
	}
	return v
}

// readTerm reads a term from the form.
func readTerm(fr *formReader) *concord.GlossaryTerm {
	t := &concord.GlossaryTerm{Concept: fr.text("concept"), Note: fr.text("note"),
		Adopted: map[string][]string{}, Forbidden: map[string][]string{}}
	langs, adopted, forbidden := fr.all("w_lang"), fr.all("w_adopted"), fr.all("w_forbidden")
	lines := func(s string) []string {
		var out []string
		for _, line := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
			if line = strings.TrimSpace(line); line != "" {
				out = append(out, line)
			}
		}
		return out
	}
	at := func(xs []string, i int) string {
		if i < len(xs) {
			return xs[i]
		}
		return ""
	}
	for i := range max(len(langs), len(adopted), len(forbidden)) {
		lang, ad, fo := at(langs, i), lines(at(adopted, i)), lines(at(forbidden, i))
		switch {
		case lang == "" && len(ad) == 0 && len(fo) == 0:
		case lang == "":
			fr.v.Add("wordings", "error.wording_lang_missing", "each row of wordings needs its language")
		default:
			if len(ad) > 0 {
				t.Adopted[lang] = append(t.Adopted[lang], ad...)
			}
			if len(fo) > 0 {
				t.Forbidden[lang] = append(t.Forbidden[lang], fo...)
			}
		}
	}
	return t
}

// termNewForm shows the form for a new term.
func (h *Handler) termNewForm(w http.ResponseWriter, r *http.Request) error {
	if _, err := documents.Authorize(actor(r), documents.ActEditGlossary, nil, ""); err != nil {
		return err
	}
	return h.renderForm(w, r, http.StatusOK, "term_form", state(r).l.T("glossary.new"), nil, termFormPage{Action: "/glossary/new"})
}

// termCreate adds a term.
func (h *Handler) termCreate(w http.ResponseWriter, r *http.Request) error {
	fr := &formReader{r: r}
	t := readTerm(fr)
	err := fr.err()
	if err == nil {
		err = termProblem(h.docs.PutTerm(r.Context(), actor(r), t))
	}
	if err != nil {
		return h.retry(w, r, err, newForm(r.PostForm), "term_form", state(r).l.T("glossary.new"), termFormPage{Action: "/glossary/new"})
	}
	return redirect(w, r, "/glossary#term-"+t.ID, "term_saved")
}

// termProblem moves problems with a language of the wordings (which the service reports on
// "adopted" or "forbidden" as a whole) to the wordings fieldset.
func termProblem(err error) error {
	e := concord.AsError(err)
	if e == nil || len(e.Fields) == 0 {
		return err
	}
	for i, fe := range e.Fields {
		if fe.Field == "adopted" || fe.Field == "forbidden" {
			e.Fields[i].Field = "wordings"
		}
	}
	return e
}

// findTerm returns the glossary term in the path.
func (h *Handler) findTerm(r *http.Request) (*concord.GlossaryTerm, error) {
	a := actor(r)
	if _, err := documents.Authorize(a, documents.ActEditGlossary, nil, ""); err != nil {
		return nil, err
	}
	id := r.PathValue("id")
	if !concord.ValidID(id) {
		return nil, notFound()
	}
	terms, err := h.docs.Glossary(r.Context(), a)
	if err != nil {
		return nil, err
	}
	for i := range terms {
		if terms[i].ID == id {
			return &terms[i], nil
		}
	}
	return nil, concord.NotFound("glossary term")
}

// termEditForm shows a term for editing.
func (h *Handler) termEditForm(w http.ResponseWriter, r *http.Request) error {
	t, err := h.findTerm(r)
	if err != nil {
		return err
	}
	l := state(r).l
	return h.renderForm(w, r, http.StatusOK, "term_form", l.T("glossary.edit_title", "concept", t.Concept), newForm(termValues(t)),
		termFormPage{Term: t, Action: "/glossary/" + t.ID + "/edit"})
}

// termUpdate saves a term.
func (h *Handler) termUpdate(w http.ResponseWriter, r *http.Request) error {
	old, err := h.findTerm(r)
	if err != nil {
		return err
	}
	fr := &formReader{r: r}
	t := readTerm(fr)
	t.ID = old.ID
	err = fr.err()
	if err == nil {
		err = termProblem(h.docs.PutTerm(r.Context(), actor(r), t))
	}
	if err != nil {
		l := state(r).l
		return h.retry(w, r, err, newForm(r.PostForm), "term_form", l.T("glossary.edit_title", "concept", old.Concept),
			termFormPage{Term: old, Action: "/glossary/" + old.ID + "/edit"})
	}
	return redirect(w, r, "/glossary#term-"+t.ID, "term_saved")
}

// termDelete removes a term.
func (h *Handler) termDelete(w http.ResponseWriter, r *http.Request) error {
	t, err := h.findTerm(r)
	if err != nil {
		return err
	}
	if err := h.docs.DeleteTerm(r.Context(), actor(r), t.ID); err != nil {
		return err
	}
	return redirect(w, r, "/glossary", "term_deleted")
}

// glossaryImport merges a CSV file into the glossary; nothing changes when any row is wrong.
func (h *Handler) glossaryImport(w http.ResponseWriter, r *http.Request) error {
	a, l := actor(r), state(r).l
	if _, err := documents.Authorize(a, documents.ActEditGlossary, nil, ""); err != nil {
		return err
	}
	file, _, err := parseUpload(r, "file", documents.MaxGlossaryCSV)
	if err == nil {
		defer file.Close()
		_, err = h.docs.ImportGlossaryCSV(r.Context(), a, file)
	}
	if err != nil {
		if !fixable(err) {
			return err
		}
		f := newForm(nil)
		e := concord.AsError(err)
		line := ""
		if e != nil {
			line = e.Params["line"]
		}
		if e != nil && line != "" && len(e.Fields) > 0 {
			// A term in the file is invalid: say where, then what.
			f.Message = l.T("glossary.import_line", "line", line)
			for _, fe := range e.Fields {
				f.Problems = append(f.Problems, Problem{Anchor: "#" + fieldID("file"), Message: h.fieldMessage(state(r), fe)})
			}
		} else {
			h.absorb(r, f, onField(err, "file"))
		}
		return h.renderGlossary(w, r, httpx.Status(concord.ErrorCode(err)), f)
	}
	return redirect(w, r, "/glossary", "glossary_import")
}

// glossaryExport sends the glossary as CSV.
func (h *Handler) glossaryExport(w http.ResponseWriter, r *http.Request) error {
	var buf bytes.Buffer
	if err := h.docs.ExportGlossaryCSV(r.Context(), actor(r), &buf); err != nil {
		return err
	}
	sendFile(w, "text/csv; charset=utf-8", "glossary.csv", buf.Bytes())
	return nil
}

// TermRows are the rows of wordings in the term form: the submitted or stored ones, then
// empty rows to add languages.
func (v *view) TermRows() []termFormRow {
	langs, adopted, forbidden := v.Form.Values("w_lang"), v.Form.Values("w_adopted"), v.Form.Values("w_forbidden")
	n := max(len(langs), len(adopted), len(forbidden))
	at := func(xs []string, i int) string {
		if i < len(xs) {
			return xs[i]
		}
		return ""
	}
	rows := make([]termFormRow, 0, n+3)
	for i := range n + 3 {
		row := termFormRow{Lang: at(langs, i), Adopted: at(adopted, i), Forbidden: at(forbidden, i)}
		if i < n && row.Lang == "" && strings.TrimSpace(row.Adopted) == "" && strings.TrimSpace(row.Forbidden) == "" {
			continue
		}
		idx := strconv.Itoa(len(rows) + 1)
		row.Number = idx
		row.LangID, row.AdoptedID, row.ForbiddenID = "f-w-lang-"+idx, "f-w-adopted-"+idx, "f-w-forbidden-"+idx
		if row.Lang != "" {
			row.AdoptedID, row.ForbiddenID = fieldID("adopted."+row.Lang), fieldID("forbidden."+row.Lang)
			row.AdoptedError, row.ForbiddenError = v.Form.Error("adopted."+row.Lang), v.Form.Error("forbidden."+row.Lang)
		}
		rows = append(rows, row)
	}
	return rows
}

// termFormRow is one language row of the term form.
type termFormRow struct {
	Number, Lang, Adopted, Forbidden string
	LangID, AdoptedID, ForbiddenID   string
	AdoptedError, ForbiddenError     string
}
