package api

import (
	"net/http"
	"strconv"

	"concord"
	"concord/internal/documents"
)

// documentDTO is a document with its current version's title and hash, as lists show it.
// NextStatuses are the statuses its kind and status allow next (the acting person may still
// lack the right to make the change).
type documentDTO struct {
	ID           string   `json:"id"`
	Kind         string   `json:"kind"`
	Status       string   `json:"status"`
	Visibility   string   `json:"visibility"`
	IssuerOrgID  *string  `json:"issuer_org_id"`
	IssuerBody   string   `json:"issuer_body"`
	SourceLang   string   `json:"source_lang"`
	Number       string   `json:"number"`
	Occasion     string   `json:"occasion"`
	Recipient    string   `json:"recipient"`
	Title        string   `json:"title"`
	Version      int      `json:"version"`
	Hash         string   `json:"hash"`
	NextStatuses []string `json:"next_statuses"`
	CreatedBy    *string  `json:"created_by"`
	CreatedAt    string   `json:"created_at"`
	UpdatedAt    string   `json:"updated_at"`
	PublishedAt  *string  `json:"published_at"`
}

func documentOut(d *concord.Document) documentDTO {
	next := []string{}
	for _, s := range d.Status.NextStatuses(d.Kind) {
		next = append(next, string(s))
	}
	out := documentDTO{ID: d.ID, Kind: string(d.Kind), Status: string(d.Status), Visibility: string(d.Visibility),
		IssuerOrgID: optional(d.IssuerOrgID), IssuerBody: d.IssuerBody, SourceLang: d.SourceLang, Number: d.Number,
		Occasion: d.Occasion, Recipient: d.Recipient, NextStatuses: next, CreatedBy: optional(d.CreatedBy),
		CreatedAt: formatTime(d.CreatedAt), UpdatedAt: formatTime(d.UpdatedAt), PublishedAt: formatTimePtr(d.PublishedAt)}
	if v := d.CurrentVersion; v != nil {
		out.Title, out.Version, out.Hash = v.Title, v.Number, v.Hash
	}
	return out
}

// documentDetailDTO is one document with its current text (Markdown) and the summary of its
// last change.
type documentDetailDTO struct {
	documentDTO
	Body    string `json:"body"`
	Summary string `json:"summary"`
}

func documentDetailOut(d *concord.Document) documentDetailDTO {
	out := documentDetailDTO{documentDTO: documentOut(d)}
	if v := d.CurrentVersion; v != nil {
		out.Body, out.Summary = v.Body, v.Summary
	}
	return out
}

// documentCreateRequest starts a draft with its first version.
type documentCreateRequest struct {
	Kind        string `json:"kind"`
	Visibility  string `json:"visibility"`
	IssuerOrgID string `json:"issuer_org_id"`
	IssuerBody  string `json:"issuer_body"`
	SourceLang  string `json:"source_lang"`
	Occasion    string `json:"occasion"`
	Recipient   string `json:"recipient"`
	Title       string `json:"title"`
	Body        string `json:"body"`
}

// newDocument checks what the service takes as it comes (the ID and language tag) and
// returns the service's input.
func (req *documentCreateRequest) newDocument(v *concord.Validation) documents.NewDocument {
	checkID(v, "issuer_org_id", req.IssuerOrgID, false)
	lang := req.SourceLang
	if concord.ValidLangTag(lang) {
		lang = canonicalLang(lang)
	}
	return documents.NewDocument{Kind: concord.DocKind(req.Kind), Visibility: concord.Visibility(req.Visibility),
		IssuerOrgID: req.IssuerOrgID, IssuerBody: req.IssuerBody, SourceLang: lang, Occasion: req.Occasion,
		Recipient: req.Recipient, Title: req.Title, Body: req.Body}
}

// documentPatch changes a document's metadata; absent (or null) fields keep their value.
// issuer_body applies to texts issued by a federation body only.
type documentPatch struct {
	Visibility *string `json:"visibility"`
	Occasion   *string `json:"occasion"`
	Recipient  *string `json:"recipient"`
	IssuerBody *string `json:"issuer_body"`
}

// mergeOver returns the full metadata: cur's with the patch's present fields.
func (p *documentPatch) mergeOver(cur *concord.Document) documents.Meta {
	m := documents.Meta{Visibility: cur.Visibility, Occasion: cur.Occasion, Recipient: cur.Recipient, IssuerBody: cur.IssuerBody}
	if p.Visibility != nil {
		m.Visibility = concord.Visibility(*p.Visibility)
	}
	if p.Occasion != nil {
		m.Occasion = *p.Occasion
	}
	if p.Recipient != nil {
		m.Recipient = *p.Recipient
	}
	if p.IssuerBody != nil {
		m.IssuerBody = *p.IssuerBody
	}
	return m
}

// textRequest is a new title and body, with a summary of what changed.
type textRequest struct {
	Title   string `json:"title"`
	Body    string `json:"body"`
	Summary string `json:"summary"`
}

// check validates the summary, which the service stores as it comes.
func (req *textRequest) check(v *concord.Validation) {
	checkText(v, "summary", concord.CleanText(req.Summary), false, concord.MaxLine, false)
}

// documentStatusRequest moves a document along its life.
type documentStatusRequest struct {
	Status string `json:"status"`
}

// versionDTO is one immutable version of a document's text, without the text.
type versionDTO struct {
	Number    int     `json:"number"`
	Title     string  `json:"title"`
	Hash      string  `json:"hash"`
	Summary   string  `json:"summary"`
	CreatedBy *string `json:"created_by"`
	CreatedAt string  `json:"created_at"`
}

func versionOut(v *concord.Version) versionDTO {
	return versionDTO{Number: v.Number, Title: v.Title, Hash: v.Hash, Summary: v.Summary, CreatedBy: optional(v.CreatedBy),
		CreatedAt: formatTime(v.CreatedAt)}
}

// versionDetailDTO is one version with its Markdown body and the sanitized HTML rendering.
type versionDetailDTO struct {
	versionDTO
	Body string `json:"body"`
	HTML string `json:"html"`
}

// diffOpDTO is one run of a word diff.
type diffOpDTO struct {
	Op   string `json:"op"`
	Text string `json:"text"`
}

func diffOut(ops []concord.DiffOp) []diffOpDTO {
	out := make([]diffOpDTO, len(ops))
	for i, op := range ops {
		out[i] = diffOpDTO{Op: op.Kind.String(), Text: op.Text}
	}
	return out
}

// versionDiffDTO is the word diff of the titles and bodies of two versions.
type versionDiffDTO struct {
	From  int         `json:"from"`
	To    int         `json:"to"`
	Title []diffOpDTO `json:"title"`
	Body  []diffOpDTO `json:"body"`
}

// Document list limits.
const (
	defaultDocLimit = 100
	maxDocLimit     = 1000
	maxVersion      = 1_000_000
)

// docFilter reads the kind, status, issuer_org_id, year, limit and offset parameters that
// the document list and the search share.
func docFilter(q *queryParams, defaultLimit, maxLimit int) documents.ListFilter {
	var f documents.ListFilter
	for _, s := range q.all("kind", maxQueryLength) {
		if k := concord.DocKind(s); k.Valid() {
			f.Kinds = append(f.Kinds, k)
		} else {
			q.v.Add("kind", "error.doc_kind", "is not a known kind", "value", clip(s))
		}
	}
	for _, s := range q.all("status", maxQueryLength) {
		if st := concord.DocStatus(s); st.Valid() {
			f.Statuses = append(f.Statuses, st)
		} else {
			q.v.Add("status", "error.status", "is not a known status", "value", clip(s))
		}
	}
	f.IssuerOrgID = q.id("issuer_org_id")
	f.Year = q.int("year", 0, 1900, 9999)
	f.Limit = q.int("limit", defaultLimit, 1, maxLimit)
	f.Offset = q.int("offset", 0, 0, 1_000_000)
	return f
}

func (h *Handler) listDocuments(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	f := docFilter(q, defaultDocLimit, maxDocLimit)
	if err := q.err(); err != nil {
		return err
	}
	docs, err := h.docs.List(r.Context(), actor(r), f)
	if err != nil {
		return err
	}
	out := make([]documentDTO, len(docs))
	for i, d := range docs {
		out[i] = documentOut(d)
	}
	return writeJSON(w, http.StatusOK, list(out))
}

func (h *Handler) createDocument(w http.ResponseWriter, r *http.Request) error {
	var req documentCreateRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	var v concord.Validation
	in := req.newDocument(&v)
	if err := v.Err(); err != nil {
		return err
	}
	d, err := h.docs.Create(r.Context(), actor(r), in)
	if concord.ErrorCode(err) == concord.ENOTFOUND {
		// The one thing Create looks up is the issuing organization.
		v.Add("issuer_org_id", "error.reference", "refers to no organization")
		return v.Err()
	}
	if err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"/documents/"+d.ID)
	return writeJSON(w, http.StatusCreated, documentDetailOut(d))
}

func (h *Handler) getDocument(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "document")
	if err != nil {
		return err
	}
	d, err := h.docs.Get(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, documentDetailOut(d))
}

func (h *Handler) patchDocument(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "document")
	if err != nil {
		return err
	}
	var p documentPatch
	if err := decode(r, &p); err != nil {
		return err
	}
	cur, err := h.docs.Get(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	d, err := h.docs.UpdateMeta(r.Context(), actor(r), id, p.mergeOver(cur))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, documentDetailOut(d))
}

func (h *Handler) putDocumentText(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "document")
	if err != nil {
		return err
	}
	var req textRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	var v concord.Validation
	req.check(&v)
	if err := v.Err(); err != nil {
		return err
	}
	saved, err := h.docs.SaveText(r.Context(), actor(r), id, req.Title, req.Body, req.Summary)
	if err != nil {
		return err
	}
	return h.writeVersion(w, r, id, saved.Number)
}

func (h *Handler) changeDocumentStatus(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "document")
	if err != nil {
		return err
	}
	var req documentStatusRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	var v concord.Validation
	if to := concord.DocStatus(req.Status); req.Status == "" {
		v.Add("status", "error.missing", "is required")
	} else if !to.Valid() {
		v.Add("status", "error.status", "is not a known status", "value", clip(req.Status))
	}
	if err := v.Err(); err != nil {
		return err
	}
	d, err := h.docs.ChangeStatus(r.Context(), actor(r), id, concord.DocStatus(req.Status))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, documentDetailOut(d))
}

func (h *Handler) listVersions(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "document")
	if err != nil {
		return err
	}
	vs, err := h.docs.Versions(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	out := make([]versionDTO, len(vs))
	for i := range vs {
		out[i] = versionOut(&vs[i])
	}
	return writeJSON(w, http.StatusOK, list(out))
}

func (h *Handler) getVersion(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "document")
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 1 || n > maxVersion {
		return concord.NotFound("version")
	}
	return h.writeVersion(w, r, id, n)
}

// writeVersion answers with version n of document id, body and HTML included.
func (h *Handler) writeVersion(w http.ResponseWriter, r *http.Request, id string, n int) error {
	v, html, err := h.docs.Version(r.Context(), actor(r), id, n)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, versionDetailDTO{versionDTO: versionOut(v), Body: v.Body, HTML: string(html)})
}

func (h *Handler) diffVersions(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "document")
	if err != nil {
		return err
	}
	q := newQuery(r)
	number := func(name string) int {
		if q.values.Get(name) == "" {
			q.v.Add(name, "error.missing", "is required")
			return 0
		}
		return q.int(name, 0, 1, maxVersion)
	}
	from, to := number("from"), number("to")
	if err := q.err(); err != nil {
		return err
	}
	title, body, err := h.docs.Diff(r.Context(), actor(r), id, from, to)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, versionDiffDTO{From: from, To: to, Title: diffOut(title), Body: diffOut(body)})
}

// searchHitDTO is one search result: a document found by its text in one language.
type searchHitDTO struct {
	DocumentID  string  `json:"document_id"`
	Lang        string  `json:"lang"`
	Title       string  `json:"title"`
	Kind        string  `json:"kind"`
	Status      string  `json:"status"`
	Number      string  `json:"number"`
	SourceLang  string  `json:"source_lang"`
	PublishedAt *string `json:"published_at"`
}

// Search limits.
const (
	defaultSearchLimit = 50
	maxSearchLimit     = 200
)

func (h *Handler) search(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	text := q.str("q", maxQueryLength)
	if text == "" && q.values.Get("q") == "" {
		q.v.Add("q", "error.missing", "is required")
	}
	lang := checkLang(&q.v, "lang", q.str("lang", maxQueryLength), false)
	f := docFilter(q, defaultSearchLimit, maxSearchLimit)
	if err := q.err(); err != nil {
		return err
	}
	hits, err := h.docs.Search(r.Context(), actor(r), text, lang, f)
	if err != nil {
		return err
	}
	out := make([]searchHitDTO, 0, len(hits))
	if len(hits) > 0 {
		ids := make([]string, 0, len(hits))
		for _, hit := range hits {
			ids = append(ids, hit.DocID)
		}
		docs, err := h.docs.List(r.Context(), actor(r), documents.ListFilter{IDs: ids})
		if err != nil {
			return err
		}
		byID := make(map[string]*concord.Document, len(docs))
		for _, d := range docs {
			byID[d.ID] = d
		}
		for _, hit := range hits {
			d, ok := byID[hit.DocID]
			if !ok {
				continue // changed meanwhile so that the actor may no longer read it
			}
			out = append(out, searchHitDTO{DocumentID: d.ID, Lang: hit.Lang, Title: hit.Title, Kind: string(d.Kind),
				Status: string(d.Status), Number: d.Number, SourceLang: d.SourceLang, PublishedAt: formatTimePtr(d.PublishedAt)})
		}
	}
	return writeJSON(w, http.StatusOK, list(out))
}
