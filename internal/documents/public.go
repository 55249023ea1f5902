package documents

import (
	"context"
	"html/template"
	"time"

	"concord"
	"concord/internal/sqldb"
)

// Rendition is a published document in one language: the source text or a final
// translation, with what a reader must know about where it came from.
type Rendition struct {
	Lang          string
	Title         string
	HTML          template.HTML // rendered and sanitized when saved
	IsSource      bool
	Provenance    concord.Provenance
	Engine        string // machine engine, when machine output was used
	EngineVersion string
	TranslatorOrg string // organization ID of the translator's mandate
	VersionNumber int
	Outdated      bool // a translation of an earlier version
	UpdatedAt     time.Time
}

// PublicDocument is a published public document with all its readable languages.
type PublicDocument struct {
	Document   *concord.Document
	Issuer     *concord.Organization // nil for federation bodies
	Renditions []Rendition           // source first, then translations by language
}

// In returns the rendition in lang and whether it exists.
func (p *PublicDocument) In(lang string) (Rendition, bool) {
	for _, r := range p.Renditions {
		if r.Lang == lang {
			return r, true
		}
	}
	return Rendition{}, false
}

// Public returns a published public document with its source and every final translation.
// Anything else is not found, for everyone: public pages never show internal texts.
func (s *Service) Public(ctx context.Context, docID string) (*PublicDocument, error) {
	var out *PublicDocument
	err := s.db.View(ctx, func(tx *sqldb.Tx) error {
		d, err := tx.GetDocument(docID)
		if err != nil {
			return err
		}
		if !d.IsPublic() {
			return concord.NotFound("document")
		}
		out, err = s.renditions(tx, d)
		return err
	})
	return out, err
}

func (s *Service) renditions(tx *sqldb.Tx, d *concord.Document) (*PublicDocument, error) {
	p := &PublicDocument{Document: d}
	if d.IssuerOrgID != "" {
		org, err := tx.GetOrganization(d.IssuerOrgID)
		if err != nil {
			return nil, err
		}
		p.Issuer = org
	}
	html, err := tx.VersionHTML(d.CurrentVersion.ID)
	if err != nil {
		return nil, err
	}
	p.Renditions = append(p.Renditions, Rendition{Lang: d.SourceLang, Title: d.CurrentVersion.Title, HTML: template.HTML(html),
		IsSource: true, Provenance: concord.ProvHuman, VersionNumber: d.CurrentVersion.Number, UpdatedAt: d.UpdatedAt})
	ts, err := tx.LatestTranslations(d.ID, true)
	if err != nil {
		return nil, err
	}
	for _, t := range ts {
		if t.Status != concord.TransFinal {
			continue
		}
		h, err := tx.TranslationHTML(t.ID)
		if err != nil {
			return nil, err
		}
		p.Renditions = append(p.Renditions, Rendition{Lang: t.Lang, Title: t.Title, HTML: template.HTML(h), Provenance: t.Provenance(),
			Engine: t.Engine, EngineVersion: t.EngineVersion, TranslatorOrg: t.TranslatorOrgID, VersionNumber: t.VersionNumber,
			Outdated: t.VersionID != d.CurrentVersion.ID, UpdatedAt: t.UpdatedAt})
	}
	return p, nil
}

// PublicList returns published public documents, newest first, with their renditions, and
// the total count for paging.
func (s *Service) PublicList(ctx context.Context, kinds []concord.DocKind, limit, offset int) ([]*PublicDocument, int, error) {
	var out []*PublicDocument
	var total int
	err := s.db.View(ctx, func(tx *sqldb.Tx) error {
		f := sqldb.DocFilter{PublicOnly: true, Kinds: kinds, Limit: limit, Offset: offset}
		var err error
		if total, err = tx.CountDocuments(f); err != nil {
			return err
		}
		docs, err := tx.ListDocuments(f)
		if err != nil {
			return err
		}
		for _, d := range docs {
			p, err := s.renditions(tx, d)
			if err != nil {
				return err
			}
			out = append(out, p)
		}
		return nil
	})
	return out, total, err
}
