package web

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"concord"
	"concord/internal/procedures"
)

// The signatory list of a signature collection: one page per language at
// /signatories/{id}/{lang}, with CSV and JSON exports. Public procedures show it to anyone;
// the procedures service decides who else sees it (hidden ones only after the close).

// sigPage is the data of the signatory list.
type sigPage struct {
	List      *procedures.SignatoryList
	Title     string // the text's title in the page's language when translated
	TitleLang string
	Result    concord.Result
	Langs     []sigLang
	LiveURL   string
	Base      string // /signatories/{id}
}

// sigLang is one language version of the list, for hreflang links.
type sigLang struct {
	Tag, Name, Href string
	Current         bool
}

// sigRedirect sends /signatories/{id} to the list in the reader's language.
func (h *Handler) sigRedirect(w http.ResponseWriter, r *http.Request) error {
	id, err := h.procID(r)
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/signatories/"+id+"/"+state(r).l.Tag(), http.StatusSeeOther)
	return nil
}

// sigList shows the signatory list in the language of the path.
func (h *Handler) sigList(w http.ResponseWriter, r *http.Request) error {
	id, err := h.procID(r)
	if err != nil {
		return err
	}
	lang := r.PathValue("lang")
	if !h.i18n.Supported(lang) {
		return notFound()
	}
	st := state(r)
	st.l = h.i18n.Localizer(lang) // the path, not the cookie, chooses this page's language
	ctx, a := r.Context(), actor(r)
	list, err := h.procs.Signatories(ctx, a, id)
	if err != nil {
		return err
	}
	v, err := h.procs.Get(ctx, a, id)
	if err != nil {
		return err
	}
	d := sigPage{List: list, Title: list.Procedure.Question, Result: v.Result, Base: "/signatories/" + id}
	if list.Document != nil {
		d.Title, d.TitleLang = list.Document.Title(), list.Document.SourceLang
		if pub, err := h.docs.Public(ctx, list.Document.ID); err == nil {
			if rend, ok := pub.In(lang); ok {
				d.Title, d.TitleLang = rend.Title, lang
			}
		}
	}
	for _, l := range h.i18n.Languages() {
		d.Langs = append(d.Langs, sigLang{Tag: l.Tag, Name: l.Name, Href: d.Base + "/" + l.Tag, Current: l.Tag == lang})
	}
	if h.live != nil && list.Open {
		d.LiveURL = "/procedures/" + id + "/events?stream=signatories&last_event_id=" + strconv.FormatInt(v.Procedure.Revision, 10)
	}
	return h.render(w, r, http.StatusOK, "signatories", st.l.T("sig.title"), d)
}

// NameIn is an organization's name in the reader's language when it has one that differs
// from its own name, else "".
func (v *view) NameIn(s procedures.Signatory) string {
	o := concord.Organization{Name: s.Name, NameLang: s.NameLang, Names: s.Names}
	if n := o.NameIn(v.Lang); n != s.Name {
		return n
	}
	return ""
}

// sigExport is the JSON export of a signatory list.
type sigExport struct {
	ProcedureID string                 `json:"procedure_id"`
	DocumentID  string                 `json:"document_id,omitempty"`
	Title       string                 `json:"title"`
	AsOf        time.Time              `json:"as_of"`
	Final       bool                   `json:"final"`
	Signatories []procedures.Signatory `json:"signatories"`
	Stale       []procedures.Signatory `json:"signed_earlier_version"`
}

// sigJSON exports the list as JSON.
func (h *Handler) sigJSON(w http.ResponseWriter, r *http.Request) error {
	id, err := h.procID(r)
	if err != nil {
		return err
	}
	list, err := h.procs.Signatories(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	x := sigExport{ProcedureID: id, Title: list.Procedure.Question, AsOf: list.AsOf.UTC(), Final: !list.Open,
		Signatories: list.Signatories, Stale: list.Stale}
	if list.Document != nil {
		x.DocumentID, x.Title = list.Document.ID, list.Document.Title()
	}
	if x.Signatories == nil {
		x.Signatories = []procedures.Signatory{}
	}
	if x.Stale == nil {
		x.Stale = []procedures.Signatory{}
	}
	b, err := json.MarshalIndent(x, "", "  ")
	if err != nil {
		return err
	}
	hdr := w.Header()
	hdr.Set("Content-Type", "application/json; charset=utf-8")
	hdr.Set("Cache-Control", "no-cache")
	hdr.Set("Content-Disposition", `inline; filename="signatories-`+id+`.json"`)
	_, _ = w.Write(append(b, '\n'))
	return nil
}

// sigCSV exports the list as CSV: number, name, name in English, country code, signing
// time in UTC and the version signed ("current", or "earlier" for signatures on an earlier
// version, listed after the numbered ones without a number).
func (h *Handler) sigCSV(w http.ResponseWriter, r *http.Request) error {
	id, err := h.procID(r)
	if err != nil {
		return err
	}
	list, err := h.procs.Signatories(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	_ = cw.Write([]string{"number", "name", "name_en", "country", "signed_at", "version"})
	row := func(s procedures.Signatory, version string) {
		num := ""
		if s.Number > 0 {
			num = strconv.Itoa(s.Number)
		}
		en := (&concord.Organization{Name: s.Name, NameLang: s.NameLang, Names: s.Names}).NameIn("en")
		_ = cw.Write([]string{num, csvSafe(s.Name), csvSafe(en), s.Country, s.SignedAt.UTC().Format(time.RFC3339), version})
	}
	for _, s := range list.Signatories {
		row(s, "current")
	}
	for _, s := range list.Stale {
		row(s, "earlier")
	}
	cw.Flush()
	hdr := w.Header()
	hdr.Set("Content-Type", "text/csv; charset=utf-8")
	hdr.Set("Cache-Control", "no-cache")
	hdr.Set("Content-Disposition", `attachment; filename="signatories-`+id+`.csv"`)
	_, _ = w.Write(buf.Bytes())
	return nil
}

// csvSafe keeps a spreadsheet from reading a name as a formula.
func csvSafe(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r') {
		return "'" + s
	}
	return s
}
