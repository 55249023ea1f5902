package web

import (
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"concord"
	"concord/internal/documents"
	"concord/internal/httpx"
)

// docID returns the document ID in the path; a malformed one is simply not found.
func docID(r *http.Request) (string, error) {
	id := r.PathValue("id")
	if !concord.ValidID(id) {
		return "", notFound()
	}
	return id, nil
}

// maxListed bounds the document list; filters narrow it down.
const maxListed = 500

// docRow is one document in a list, with its issuer resolved.
type docRow struct {
	Doc    *concord.Document
	Issuer issuer
}

// docListPage is the data of the document list.
type docListPage struct {
	Docs      []docRow
	Orgs      []option
	Filtered  bool
	Truncated bool
	CanCreate bool
}

// yearParam reads a year from a query parameter; anything else is ignored.
func yearParam(s string) int {
	y, err := strconv.Atoi(s)
	if err != nil || y < 1900 || y > 2999 {
		return 0
	}
	return y
}

// docList shows the documents the person may read, filtered by kind, status, issuer and year.
// Visitors are sent to log in, as on every internal document page: the public site (/pub/)
// shows them the published public texts.
func (h *Handler) docList(w http.ResponseWriter, r *http.Request) error {
	if _, err := loggedIn(r); err != nil {
		return err
	}
	ctx, a, q, st := r.Context(), actor(r), r.URL.Query(), state(r)
	f := documents.ListFilter{Limit: maxListed}
	form := newForm(url.Values{})
	if k := concord.DocKind(q.Get("kind")); k.Valid() {
		f.Kinds = []concord.DocKind{k}
		form.Set("kind", string(k))
	}
	if s := concord.DocStatus(q.Get("status")); s.Valid() {
		f.Statuses = []concord.DocStatus{s}
		form.Set("status", string(s))
	}
	if org := q.Get("issuer"); concord.ValidID(org) {
		f.IssuerOrgID = org
		form.Set("issuer", org)
	}
	if y := yearParam(q.Get("year")); y > 0 {
		f.Year = y
		form.Set("year", strconv.Itoa(y))
	}
	d := docListPage{Filtered: len(form.values) > 0, CanCreate: len(h.issuerChoices(r)) > 0}
	docs, err := h.docs.List(ctx, a, f)
	if err != nil {
		return err
	}
	d.Truncated = len(docs) >= maxListed
	is := h.newIssuers(ctx, a, st.l.Tag())
	orgs, err := h.organizations(ctx, a)
	if err != nil {
		return err
	}
	d.Orgs = append(d.Orgs, option{Value: "", Label: st.l.T("doc.filter.any_issuer")})
	for _, o := range orgs {
		is.known[o.ID] = o
		d.Orgs = append(d.Orgs, option{Value: o.ID, Label: o.NameIn(st.l.Tag()), Lang: o.NameLang})
	}
	for _, doc := range docs {
		d.Docs = append(d.Docs, docRow{Doc: doc, Issuer: is.of(doc)})
	}
	return h.renderForm(w, r, http.StatusOK, "documents", st.l.T("nav.documents"), form, d)
}

// issuerChoices lists on whose behalf the person may start a text: "body" (a federation
// body, for federation staff) and the organizations they act for as org admin or delegate
// (every organization for the federation admin).
func (h *Handler) issuerChoices(r *http.Request) []option {
	ctx, a, l := r.Context(), actor(r), state(r).l
	var opts []option
	if _, err := documents.Authorize(a, documents.ActCreate, nil, ""); err == nil {
		opts = append(opts, option{Value: "body", Label: l.T("doc.issuer_body_choice")})
	}
	if a == nil || a.Person == nil {
		return opts
	}
	seen := map[string]bool{}
	add := func(o *concord.Organization) {
		if seen[o.ID] {
			return
		}
		if _, err := documents.Authorize(a, documents.ActCreate, nil, o.ID); err == nil {
			seen[o.ID] = true
			opts = append(opts, option{Value: o.ID, Label: o.NameIn(l.Tag()), Lang: o.NameLang})
		}
	}
	if a.IsFederation(concord.FedAdmin) {
		if orgs, err := h.organizations(ctx, a); err == nil {
			for _, o := range orgs {
				add(o)
			}
		}
		return opts
	}
	for _, m := range a.Mandates {
		if m.Role != concord.RoleOrgAdmin && m.Role != concord.RoleDelegate {
			continue
		}
		if o, _, err := h.members.Organization(ctx, a, m.OrgID); err == nil {
			add(o)
		}
	}
	return opts
}

// docFormPage is the data of the form for a new document.
type docFormPage struct {
	Issuers    []option
	BodyChoice bool // the person may issue texts for a federation body
}

func newDocFormPage(choices []option) docFormPage {
	return docFormPage{Issuers: choices, BodyChoice: slices.ContainsFunc(choices, func(o option) bool { return o.Value == "body" })}
}

// docNewForm shows the form for a new text.
func (h *Handler) docNewForm(w http.ResponseWriter, r *http.Request) error {
	if _, err := loggedIn(r); err != nil {
		return err
	}
	choices := h.issuerChoices(r)
	if len(choices) == 0 {
		_, err := documents.Authorize(actor(r), documents.ActCreate, nil, "")
		return err
	}
	st := state(r)
	f := newForm(url.Values{"kind": {string(concord.KindStatement)}, "issuer": {choices[0].Value},
		"source_lang": {st.l.Tag()}, "visibility": {string(concord.VisibilityInternal)}})
	return h.renderForm(w, r, http.StatusOK, "document_new", st.l.T("doc.new"), f, newDocFormPage(choices))
}

// docCreate starts a draft.
func (h *Handler) docCreate(w http.ResponseWriter, r *http.Request) error {
	if _, err := loggedIn(r); err != nil {
		return err
	}
	fr := &formReader{r: r}
	in := documents.NewDocument{Kind: concord.DocKind(fr.text("kind")), Visibility: concord.Visibility(fr.text("visibility")),
		SourceLang: fr.text("source_lang"), Occasion: fr.text("occasion"), Recipient: fr.text("recipient"),
		Title: fr.text("title"), Body: fr.text("body")}
	switch who := fr.text("issuer"); {
	case who == "body":
		in.IssuerBody = fr.text("issuer_body")
		if in.IssuerBody == "" {
			fr.v.Add("issuer_body", "error.missing", "is required")
		}
	case concord.ValidID(who):
		in.IssuerOrgID = who
	default:
		fr.v.Add("issuer", "error.issuer", "name either an issuing body or an issuing organization")
	}
	err := fr.err()
	var d *concord.Document
	if err == nil {
		d, err = h.docs.Create(r.Context(), actor(r), in)
	}
	if err != nil {
		return h.retry(w, r, err, newForm(r.PostForm), "document_new", state(r).l.T("doc.new"), newDocFormPage(h.issuerChoices(r)))
	}
	return redirect(w, r, "/documents/"+d.ID, "doc_created")
}

// docPage is the data of a document's page.
type docPage struct {
	Doc          *concord.Document
	Issuer       issuer
	HTML         template.HTML
	Versions     []concord.Version // newest first
	Translations []*concord.Translation
	Attachments  []concord.Attachment
	Next         []concord.DocStatus
	CanEdit      bool
	CanTranslate bool
	Public       []publicLink
	MaxUpload    string
}

// publicLink is a published rendition on the public site.
type publicLink struct {
	Lang, Href string
}

// loadDocPage gathers everything a document's page shows.
func (h *Handler) loadDocPage(r *http.Request, id string) (*docPage, error) {
	ctx, a, st := r.Context(), actor(r), state(r)
	doc, err := h.docs.Get(ctx, a, id)
	if err != nil {
		return nil, err
	}
	d := &docPage{Doc: doc, CanEdit: documents.Can(a, documents.ActEdit, doc), CanTranslate: documents.Can(a, documents.ActTranslate, doc),
		MaxUpload: formatSize(st.l, documents.MaxAttachment)}
	d.Issuer = h.newIssuers(ctx, a, st.l.Tag()).of(doc)
	if _, d.HTML, err = h.docs.Version(ctx, a, id, doc.CurrentVersion.Number); err != nil {
		return nil, err
	}
	if d.Versions, err = h.docs.Versions(ctx, a, id); err != nil {
		return nil, err
	}
	slices.Reverse(d.Versions)
	if d.Translations, err = h.docs.Translations(ctx, a, id); err != nil {
		return nil, err
	}
	if d.Attachments, err = h.docs.Attachments(ctx, a, id); err != nil {
		return nil, err
	}
	if d.CanEdit {
		d.Next = doc.Status.NextStatuses(doc.Kind)
	}
	if doc.IsPublic() {
		d.Public = append(d.Public, publicLink{Lang: doc.SourceLang, Href: "/pub/" + doc.SourceLang + "/" + doc.ID})
		for _, t := range d.Translations {
			if t.Status == concord.TransFinal {
				d.Public = append(d.Public, publicLink{Lang: t.Lang, Href: "/pub/" + t.Lang + "/" + doc.ID})
			}
		}
	}
	return d, nil
}

// docShow shows a document: its current text with paragraph numbers, versions,
// translations, attachments and, to those allowed, the actions on it.
func (h *Handler) docShow(w http.ResponseWriter, r *http.Request) error {
	return h.renderDoc(w, r, http.StatusOK, nil)
}

// renderDoc renders a document's page, with the problems of one of its forms when f is set.
func (h *Handler) renderDoc(w http.ResponseWriter, r *http.Request, status int, f *Form) error {
	if _, err := loggedIn(r); err != nil {
		return err
	}
	id, err := docID(r)
	if err != nil {
		return err
	}
	d, err := h.loadDocPage(r, id)
	if err != nil {
		return err
	}
	if f == nil {
		f = newForm(nil)
	}
	if l := state(r).l.Tag(); f.Value("lang") == "" && l != d.Doc.SourceLang {
		f.Set("lang", l) // "translate into": the reader's language first
	}
	if len(d.Versions) > 1 && f.Value("from") == "" {
		f.Set("from", strconv.Itoa(d.Versions[1].Number))
		f.Set("to", strconv.Itoa(d.Versions[0].Number))
	}
	return h.renderForm(w, r, status, "document", d.Doc.Title(), f, d)
}

// docStatus moves a document to the status of the button pressed.
func (h *Handler) docStatus(w http.ResponseWriter, r *http.Request) error {
	id, err := docID(r)
	if err != nil {
		return err
	}
	to := concord.DocStatus(r.PostFormValue("to"))
	if _, err := h.docs.ChangeStatus(r.Context(), actor(r), id, to); err != nil {
		if !fixable(err) {
			return err
		}
		if e := concord.AsError(err); e != nil {
			for i := range e.Fields {
				if e.Fields[i].Key == "error.transition" { // the catalog's text speaks of organizations
					e.Fields[i].Key = "error.doc_transition"
				}
			}
		}
		f := newForm(nil)
		h.absorb(r, f, err)
		return h.renderDoc(w, r, httpx.Status(concord.ErrorCode(err)), f)
	}
	return redirect(w, r, "/documents/"+id, "doc_status")
}

// docEditPage is the data of a document's edit page.
type docEditPage struct {
	Doc         *concord.Document
	NextVersion int // the number a save of a circulated text gets
}

// docValues fills a form from a document.
func docValues(d *concord.Document) url.Values {
	return url.Values{"title": {d.Title()}, "body": {d.CurrentVersion.Body}, "visibility": {string(d.Visibility)},
		"occasion": {d.Occasion}, "recipient": {d.Recipient}, "issuer_body": {d.IssuerBody}}
}

// editableDoc loads a document the person may edit.
func (h *Handler) editableDoc(r *http.Request) (*concord.Document, error) {
	if _, err := loggedIn(r); err != nil {
		return nil, err
	}
	id, err := docID(r)
	if err != nil {
		return nil, err
	}
	a := actor(r)
	d, err := h.docs.Get(r.Context(), a, id)
	if err != nil {
		return nil, err
	}
	if _, err := documents.Authorize(a, documents.ActEdit, d, ""); err != nil {
		return nil, err
	}
	return d, nil
}

// docEditForm shows a document's text and metadata for editing.
func (h *Handler) docEditForm(w http.ResponseWriter, r *http.Request) error {
	d, err := h.editableDoc(r)
	if err != nil {
		return err
	}
	l := state(r).l
	return h.renderForm(w, r, http.StatusOK, "document_edit", l.T("doc.edit_title", "title", d.Title()), newForm(docValues(d)), docEditPage{Doc: d, NextVersion: d.CurrentVersion.Number + 1})
}

// retryDocEdit re-renders the edit page with the submitted values of one of its forms.
func (h *Handler) retryDocEdit(w http.ResponseWriter, r *http.Request, d *concord.Document, err error) error {
	values := docValues(d)
	for k, v := range r.PostForm {
		values[k] = v
	}
	return h.retry(w, r, err, newForm(values), "document_edit", state(r).l.T("doc.edit_title", "title", d.Title()), docEditPage{Doc: d, NextVersion: d.CurrentVersion.Number + 1})
}

// docSave stores a new title and body: in place for a draft, as a new version otherwise.
func (h *Handler) docSave(w http.ResponseWriter, r *http.Request) error {
	d, err := h.editableDoc(r)
	if err != nil {
		return err
	}
	fr := &formReader{r: r}
	title, body, summary := fr.text("title"), fr.text("body"), fr.text("summary")
	err = fr.err()
	if err == nil {
		_, err = h.docs.SaveText(r.Context(), actor(r), d.ID, title, body, summary)
	}
	if err != nil {
		return h.retryDocEdit(w, r, d, err)
	}
	return redirect(w, r, "/documents/"+d.ID, "saved")
}

// docSaveMeta changes a document's visibility, occasion, recipient and issuing body.
func (h *Handler) docSaveMeta(w http.ResponseWriter, r *http.Request) error {
	d, err := h.editableDoc(r)
	if err != nil {
		return err
	}
	fr := &formReader{r: r}
	meta := documents.Meta{Visibility: concord.Visibility(fr.text("visibility")), Occasion: fr.text("occasion"),
		Recipient: fr.text("recipient"), IssuerBody: fr.text("issuer_body")}
	err = fr.err()
	if err == nil {
		_, err = h.docs.UpdateMeta(r.Context(), actor(r), d.ID, meta)
	}
	if err != nil {
		return h.retryDocEdit(w, r, d, err)
	}
	return redirect(w, r, "/documents/"+d.ID, "saved")
}

// versionPage is the data of one version's page.
type versionPage struct {
	Doc     *concord.Document
	Version *concord.Version
	HTML    template.HTML
	Count   int
	Prev    int // the previous version's number, or 0
}

// docVersion shows one version of a document's text.
func (h *Handler) docVersion(w http.ResponseWriter, r *http.Request) error {
	if _, err := loggedIn(r); err != nil {
		return err
	}
	id, err := docID(r)
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 1 {
		return notFound()
	}
	ctx, a := r.Context(), actor(r)
	doc, err := h.docs.Get(ctx, a, id)
	if err != nil {
		return err
	}
	v, html, err := h.docs.Version(ctx, a, id, n)
	if err != nil {
		return err
	}
	d := versionPage{Doc: doc, Version: v, HTML: html, Count: doc.CurrentVersion.Number, Prev: n - 1}
	return h.render(w, r, http.StatusOK, "version", state(r).l.T("doc.version_title", "n", strconv.Itoa(n), "title", v.Title), d)
}

// diffPage is the data of the comparison of two versions.
type diffPage struct {
	Doc      *concord.Document
	From, To *concord.Version
	Title    []diffPart
	Blocks   []diffBlock
	Versions []option
	Same     bool
}

// docDiff shows the word-level differences between two versions.
func (h *Handler) docDiff(w http.ResponseWriter, r *http.Request) error {
	if _, err := loggedIn(r); err != nil {
		return err
	}
	id, err := docID(r)
	if err != nil {
		return err
	}
	ctx, a, q, l := r.Context(), actor(r), r.URL.Query(), state(r).l
	doc, err := h.docs.Get(ctx, a, id)
	if err != nil {
		return err
	}
	cur := doc.CurrentVersion.Number
	from, to := max(cur-1, 1), cur
	if s := q.Get("from"); s != "" {
		if from, err = strconv.Atoi(s); err != nil || from < 1 || from > cur {
			return badRequest("from")
		}
	}
	if s := q.Get("to"); s != "" {
		if to, err = strconv.Atoi(s); err != nil || to < 1 || to > cur {
			return badRequest("to")
		}
	}
	titleOps, bodyOps, err := h.docs.Diff(ctx, a, id, from, to)
	if err != nil {
		return err
	}
	d := diffPage{Doc: doc, Blocks: diffBlocks(bodyOps), Same: from == to}
	for _, op := range titleOps {
		d.Title = append(d.Title, diffPart{Kind: op.Kind.String(), Text: op.Text})
	}
	if d.From, _, err = h.docs.Version(ctx, a, id, from); err != nil {
		return err
	}
	if d.To, _, err = h.docs.Version(ctx, a, id, to); err != nil {
		return err
	}
	for n := cur; n >= 1; n-- {
		d.Versions = append(d.Versions, option{Value: strconv.Itoa(n), Label: l.T("doc.version_n", "n", strconv.Itoa(n))})
	}
	f := newForm(url.Values{"from": {strconv.Itoa(from)}, "to": {strconv.Itoa(to)}})
	title := l.T("doc.diff_title", "from", strconv.Itoa(from), "to", strconv.Itoa(to))
	return h.renderForm(w, r, http.StatusOK, "diff", title, f, d)
}

// VersionOptions are the versions of the document on a page, newest first, for the
// comparison form.
func (v *view) VersionOptions(vs []concord.Version) []option {
	opts := make([]option, 0, len(vs))
	for _, ver := range vs {
		opts = append(opts, option{Value: strconv.Itoa(ver.Number), Label: v.l.T("doc.version_n", "n", strconv.Itoa(ver.Number))})
	}
	return opts
}
