// Package documents is the federation's texts: drafting, immutable versions with content
// hashes, word diffs, attachments, translations with provenance and a segment editor,
// translation memory, glossary checks, XLIFF and PO exchange with CAT tools, machine
// translation, full-text search and publication. Every call is authorized by Authorize and
// every change runs in one transaction with its audit event.
package documents

import (
	"context"
	"fmt"
	"html/template"
	"slices"
	"strconv"
	"time"

	"concord"
	"concord/internal/markdown"
	"concord/internal/mt"
	"concord/internal/sqldb"
)

// Service is the documents capability.
type Service struct {
	db       *sqldb.DB
	clock    concord.Clock
	md       *markdown.Renderer
	engines  []mt.Engine
	files    *FileStore
	onChange func(docID string) // called after a commit that changed what readers see
}

// Config wires a Service.
type Config struct {
	DB       *sqldb.DB
	Clock    concord.Clock
	Engines  []mt.Engine // machine translation engines, in order of preference
	Files    *FileStore  // attachment storage; nil disables attachments
	OnChange func(docID string)
}

// NewService returns the documents service.
func NewService(c Config) *Service {
	on := c.OnChange
	if on == nil {
		on = func(string) {}
	}
	return &Service{db: c.DB, clock: c.Clock, md: markdown.New(), engines: c.Engines, files: c.Files, onChange: on}
}

// audit records a change. about is the organization the change concerns, the issuer of
// the document it touches ("" for the federation's own texts and the glossary), so that
// the organization's audit trail shows changes to its texts whoever made them.
func audit(tx *sqldb.Tx, now time.Time, a *concord.Actor, m concord.Mandate, about, action, targetType, targetID string, changes map[string][2]string) error {
	return tx.InsertAuditEvent(&concord.AuditEvent{ID: concord.NewID(now), At: now, PersonID: a.PersonID(),
		OrgID: m.OrgID, MandateID: m.ID, AboutOrgID: about, Action: action, TargetType: targetType, TargetID: targetID, Changes: changes})
}

func (s *Service) render(body string) (string, error) {
	h, err := s.md.Render(body)
	if err != nil {
		return "", fmt.Errorf("render markdown: %w", err)
	}
	return string(h), nil
}

// NewDocument holds what a person fills in to start a text.
type NewDocument struct {
	Kind        concord.DocKind
	Visibility  concord.Visibility
	IssuerOrgID string
	IssuerBody  string
	SourceLang  string
	Occasion    string
	Recipient   string
	Title       string
	Body        string
}

// Create starts a draft with its first version.
func (s *Service) Create(ctx context.Context, a *concord.Actor, in NewDocument) (*concord.Document, error) {
	m, err := Authorize(a, ActCreate, nil, in.IssuerOrgID)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	d := &concord.Document{ID: concord.NewID(now), Kind: in.Kind, Status: concord.DocDraft, Visibility: in.Visibility,
		IssuerOrgID: in.IssuerOrgID, IssuerBody: in.IssuerBody, SourceLang: in.SourceLang, Occasion: in.Occasion, Recipient: in.Recipient,
		CreatedBy: a.PersonID(), CreatedAt: now, UpdatedAt: now}
	d.Normalize()
	title, body := concord.CleanText(in.Title), concord.CleanText(in.Body)
	var v concord.Validation
	concord.ValidateText(&v, title, body)
	if err := d.Validate(); err != nil {
		return nil, err
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	ver := &concord.Version{ID: concord.NewID(now), DocumentID: d.ID, Number: 1, Title: title, Body: body,
		Hash: concord.VersionHash(title, body), CreatedBy: a.PersonID(), CreatedAt: now}
	html, err := s.render(body)
	if err != nil {
		return nil, err
	}
	d.CurrentVersion = ver
	err = s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		if d.IssuerOrgID != "" {
			if _, err := tx.GetOrganization(d.IssuerOrgID); err != nil {
				return err
			}
		}
		if err := tx.InsertDocument(d, ver, html); err != nil {
			return err
		}
		if err := tx.PutSearchEntry(d.ID, d.SourceLang, title, markdown.PlainText(body)); err != nil {
			return err
		}
		return audit(tx, now, a, m, d.IssuerOrgID, "document.create", "document", d.ID, map[string][2]string{
			"kind": {"", string(d.Kind)}, "title": {"", title}, "hash": {"", ver.Hash}})
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// Get returns a document the actor may read.
func (s *Service) Get(ctx context.Context, a *concord.Actor, id string) (*concord.Document, error) {
	var d *concord.Document
	err := s.db.View(ctx, func(tx *sqldb.Tx) (err error) {
		d, err = tx.GetDocument(id)
		return err
	})
	if err != nil {
		return nil, err
	}
	if _, err := Authorize(a, ActRead, d, ""); err != nil {
		return nil, err
	}
	return d, nil
}

// editable loads a document for a change: those who may not read it get not found (its
// existence is not revealed), readers who may not edit it get forbidden.
func editable(tx *sqldb.Tx, a *concord.Actor, docID string) (*concord.Document, concord.Mandate, error) {
	d, err := tx.GetDocument(docID)
	if err != nil {
		return nil, concord.Mandate{}, err
	}
	if _, err := Authorize(a, ActRead, d, ""); err != nil {
		return nil, concord.Mandate{}, err
	}
	m, err := Authorize(a, ActEdit, d, "")
	return d, m, err
}

// SaveText stores a new title and body. A draft is edited in place; a circulated or later
// text gets a new immutable version (when the text really changed), and translations of
// earlier versions become outdated.
func (s *Service) SaveText(ctx context.Context, a *concord.Actor, docID, title, body, summary string) (*concord.Version, error) {
	title, body, summary = concord.CleanText(title), concord.CleanText(body), concord.CleanText(summary)
	var v concord.Validation
	concord.ValidateText(&v, title, body)
	concord.ValidateSummary(&v, summary)
	if err := v.Err(); err != nil {
		return nil, err
	}
	html, err := s.render(body)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	var out *concord.Version
	err = s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		d, m, err := editable(tx, a, docID)
		if err != nil {
			return err
		}
		if d.Status == concord.DocWithdrawn || d.Status == concord.DocSuperseded {
			return &concord.Error{Code: concord.ECONFLICT, Key: "error.doc_closed", Message: "withdrawn and superseded texts are not edited"}
		}
		cur := d.CurrentVersion
		hash := concord.VersionHash(title, body)
		if hash == cur.Hash {
			out = cur
			return nil
		}
		next := &concord.Version{ID: cur.ID, DocumentID: d.ID, Number: cur.Number, Title: title, Body: body, Hash: hash,
			Summary: summary, CreatedBy: a.PersonID(), CreatedAt: now}
		if d.Status.Frozen() {
			next.ID, next.Number = concord.NewID(now), cur.Number+1
			if err := tx.InsertVersion(next, html); err != nil {
				return err
			}
		} else if err := tx.ReplaceDraftVersion(next, html); err != nil {
			return err
		}
		d.CurrentVersion, d.UpdatedAt = next, now
		if err := tx.UpdateDocument(d); err != nil {
			return err
		}
		if err := tx.PutSearchEntry(d.ID, d.SourceLang, title, markdown.PlainText(body)); err != nil {
			return err
		}
		out = next
		return audit(tx, now, a, m, d.IssuerOrgID, "document.save", "document", d.ID, map[string][2]string{
			"version": {strconv.Itoa(cur.Number), strconv.Itoa(next.Number)}, "hash": {cur.Hash, hash}, "summary": {"", summary}})
	})
	if err == nil {
		s.onChange(docID)
	}
	return out, err
}

// ChangeStatus moves a document along its life (circulate, adopt, publish, withdraw,
// supersede). Circular letters get their yearly number when first circulated or published.
func (s *Service) ChangeStatus(ctx context.Context, a *concord.Actor, docID string, to concord.DocStatus) (*concord.Document, error) {
	now := s.clock.Now()
	var out *concord.Document
	err := s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		d, m, err := editable(tx, a, docID)
		if err != nil {
			return err
		}
		if !d.Status.CanBecome(d.Kind, to) {
			var v concord.Validation
			v.Add("status", "error.doc_transition", "this status change is not allowed", "from", string(d.Status), "to", string(to))
			return v.Err()
		}
		from := d.Status
		d.Status, d.UpdatedAt = to, now
		if d.Kind == concord.KindCircularLetter && d.Number == "" && (to == concord.DocCirculating || to == concord.DocPublished) {
			n, err := tx.NextNumber(d.Kind, now.Year())
			if err != nil {
				return err
			}
			d.Number = fmt.Sprintf("%d/%d", n, now.Year())
		}
		if to == concord.DocPublished && d.PublishedAt == nil {
			d.PublishedAt = &now
		}
		if err := tx.UpdateDocument(d); err != nil {
			return err
		}
		out = d
		return audit(tx, now, a, m, d.IssuerOrgID, "document.status", "document", d.ID, map[string][2]string{"status": {string(from), string(to)}, "number": {"", d.Number}})
	})
	if err == nil {
		s.onChange(docID)
	}
	return out, err
}

// Meta holds a document's editable metadata.
type Meta struct {
	Visibility concord.Visibility
	Occasion   string
	Recipient  string
	IssuerBody string
}

// UpdateMeta changes visibility, occasion, recipient and (for body-issued texts) the body.
func (s *Service) UpdateMeta(ctx context.Context, a *concord.Actor, docID string, meta Meta) (*concord.Document, error) {
	now := s.clock.Now()
	var out *concord.Document
	err := s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		d, m, err := editable(tx, a, docID)
		if err != nil {
			return err
		}
		old := map[string]string{"visibility": string(d.Visibility), "occasion": d.Occasion, "recipient": d.Recipient, "issuer_body": d.IssuerBody}
		d.Visibility, d.Occasion, d.Recipient = meta.Visibility, meta.Occasion, meta.Recipient
		if d.IssuerOrgID == "" {
			d.IssuerBody = meta.IssuerBody
		}
		d.Normalize()
		if err := d.Validate(); err != nil {
			return err
		}
		d.UpdatedAt = now
		if err := tx.UpdateDocument(d); err != nil {
			return err
		}
		out = d
		return audit(tx, now, a, m, d.IssuerOrgID, "document.meta", "document", d.ID, concord.Diff(old, map[string]string{
			"visibility": string(d.Visibility), "occasion": d.Occasion, "recipient": d.Recipient, "issuer_body": d.IssuerBody}))
	})
	if err == nil {
		s.onChange(docID)
	}
	return out, err
}

// ListFilter selects documents for the internal list.
type ListFilter = sqldb.DocFilter

// List returns documents the actor may read: anonymous visitors see published public texts;
// members see circulated and later texts and the drafts they may edit.
func (s *Service) List(ctx context.Context, a *concord.Actor, f ListFilter) ([]*concord.Document, error) {
	if !a.IsMember() {
		f.PublicOnly = true
	}
	var docs []*concord.Document
	err := s.db.View(ctx, func(tx *sqldb.Tx) (err error) {
		docs, err = tx.ListDocuments(f)
		return err
	})
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(docs, func(d *concord.Document) bool { return !Can(a, ActRead, d) }), nil
}

// Versions returns a document's versions, oldest first.
func (s *Service) Versions(ctx context.Context, a *concord.Actor, docID string) ([]concord.Version, error) {
	if _, err := s.Get(ctx, a, docID); err != nil {
		return nil, err
	}
	var out []concord.Version
	err := s.db.View(ctx, func(tx *sqldb.Tx) (err error) {
		out, err = tx.ListVersions(docID)
		return err
	})
	return out, err
}

// Version returns one version with its stored HTML.
func (s *Service) Version(ctx context.Context, a *concord.Actor, docID string, number int) (*concord.Version, template.HTML, error) {
	if _, err := s.Get(ctx, a, docID); err != nil {
		return nil, "", err
	}
	var v *concord.Version
	var html string
	err := s.db.View(ctx, func(tx *sqldb.Tx) (err error) {
		if v, err = tx.GetVersion(docID, number); err != nil {
			return err
		}
		html, err = tx.VersionHTML(v.ID)
		return err
	})
	return v, template.HTML(html), err // stored HTML was sanitized when it was rendered
}

// Diff returns the word-level differences of the titles and bodies of two versions.
func (s *Service) Diff(ctx context.Context, a *concord.Actor, docID string, from, to int) (title, body []concord.DiffOp, err error) {
	if _, err := s.Get(ctx, a, docID); err != nil {
		return nil, nil, err
	}
	var va, vb *concord.Version
	err = s.db.View(ctx, func(tx *sqldb.Tx) (err error) {
		if va, err = tx.GetVersion(docID, from); err != nil {
			return err
		}
		vb, err = tx.GetVersion(docID, to)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return concord.DiffWords(va.Title, vb.Title), concord.DiffWords(va.Body, vb.Body), nil
}

// Search finds documents in any language; results respect visibility.
func (s *Service) Search(ctx context.Context, a *concord.Actor, query, lang string, f ListFilter) ([]sqldb.SearchHit, error) {
	if !a.IsMember() {
		f.PublicOnly = true
	}
	var hits []sqldb.SearchHit
	var docs []*concord.Document
	err := s.db.View(ctx, func(tx *sqldb.Tx) (err error) {
		if hits, err = tx.Search(query, lang, f); err != nil || len(hits) == 0 {
			return err
		}
		ids := make([]string, 0, len(hits))
		for _, h := range hits {
			ids = append(ids, h.DocID)
		}
		docs, err = tx.ListDocuments(sqldb.DocFilter{IDs: ids})
		return err
	})
	if err != nil {
		return nil, err
	}
	readable := map[string]bool{}
	for _, d := range docs {
		readable[d.ID] = Can(a, ActRead, d)
	}
	return slices.DeleteFunc(hits, func(h sqldb.SearchHit) bool { return !readable[h.DocID] }), nil
}

// clipText shortens s for audit entries.
func clipText(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
