package sqldb

import (
	"strings"
	"time"
	"unicode"

	"concord"
)

const documentColumns = `d.id, d.kind, d.status, d.visibility, COALESCE(d.issuer_org_id, ''), d.issuer_body, d.source_lang, d.number,
	d.occasion, d.recipient, d.created_by, d.created_at, d.updated_at, d.published_at,
	v.id, v.number, v.title, v.body, v.hash, v.summary, v.created_by, v.created_at`

const documentFrom = ` FROM documents d JOIN versions v ON v.id = d.current_version_id`

func scanDocument(scan func(...any) error) (*concord.Document, error) {
	var d concord.Document
	v := &concord.Version{}
	if err := scan(&d.ID, &d.Kind, &d.Status, &d.Visibility, &d.IssuerOrgID, &d.IssuerBody, &d.SourceLang, &d.Number,
		&d.Occasion, &d.Recipient, stringCol{&d.CreatedBy}, timeCol{&d.CreatedAt}, timeCol{&d.UpdatedAt}, nullTimeCol{&d.PublishedAt},
		&v.ID, &v.Number, &v.Title, &v.Body, &v.Hash, &v.Summary, stringCol{&v.CreatedBy}, timeCol{&v.CreatedAt}); err != nil {
		return nil, err
	}
	v.DocumentID = d.ID
	d.CurrentVersion = v
	return &d, nil
}

// InsertDocument stores a new document together with its first version (v), which becomes
// the current version.
func (tx *Tx) InsertDocument(d *concord.Document, v *concord.Version, bodyHTML string) error {
	if _, err := tx.exec(`INSERT INTO documents (id, kind, status, visibility, issuer_org_id, issuer_body, source_lang, number,
		occasion, recipient, current_version_id, created_by, created_at, updated_at, published_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		d.ID, string(d.Kind), string(d.Status), string(d.Visibility), nullString(d.IssuerOrgID), d.IssuerBody, d.SourceLang, d.Number,
		d.Occasion, d.Recipient, v.ID, nullString(d.CreatedBy), d.CreatedAt, d.UpdatedAt, d.PublishedAt); err != nil {
		return err
	}
	return tx.InsertVersion(v, bodyHTML)
}

// UpdateDocument stores a document's own fields and its current version pointer.
func (tx *Tx) UpdateDocument(d *concord.Document) error {
	res, err := tx.exec(`UPDATE documents SET status = ?, visibility = ?, issuer_org_id = ?, issuer_body = ?, source_lang = ?, number = ?,
		occasion = ?, recipient = ?, current_version_id = ?, updated_at = ?, published_at = ? WHERE id = ?`,
		string(d.Status), string(d.Visibility), nullString(d.IssuerOrgID), d.IssuerBody, d.SourceLang, d.Number,
		d.Occasion, d.Recipient, d.CurrentVersion.ID, d.UpdatedAt, d.PublishedAt, d.ID)
	return mustAffect(res, err, "document")
}

// GetDocument returns a document with its current version.
func (tx *Tx) GetDocument(id string) (*concord.Document, error) {
	d, err := scanDocument(tx.queryRow(`SELECT `+documentColumns+documentFrom+` WHERE d.id = ?`, id).Scan)
	if err != nil {
		return nil, tx.scanErr(err, "document")
	}
	return d, nil
}

// DocFilter selects documents for lists and feeds.
type DocFilter struct {
	Kinds       []concord.DocKind
	Statuses    []concord.DocStatus
	PublicOnly  bool // published and public only
	IssuerOrgID string
	Year        int // year of publication (or creation for unpublished texts)
	IDs         []string
	Limit       int
	Offset      int
}

func (f DocFilter) where(args *[]any) string {
	var where []string
	if len(f.Kinds) > 0 {
		where = append(where, "d.kind IN ("+placeholders(len(f.Kinds))+")")
		for _, k := range f.Kinds {
			*args = append(*args, string(k))
		}
	}
	if len(f.Statuses) > 0 {
		where = append(where, "d.status IN ("+placeholders(len(f.Statuses))+")")
		for _, s := range f.Statuses {
			*args = append(*args, string(s))
		}
	}
	if f.PublicOnly {
		where = append(where, "d.status = 'published' AND d.visibility = 'public'")
	}
	if f.IssuerOrgID != "" {
		where = append(where, "d.issuer_org_id = ?")
		*args = append(*args, f.IssuerOrgID)
	}
	if f.Year > 0 {
		start := time.Date(f.Year, 1, 1, 0, 0, 0, 0, time.UTC)
		where = append(where, "COALESCE(d.published_at, d.created_at) >= ? AND COALESCE(d.published_at, d.created_at) < ?")
		*args = append(*args, start, start.AddDate(1, 0, 0))
	}
	if len(f.IDs) > 0 {
		where = append(where, "d.id IN ("+placeholders(len(f.IDs))+")")
		for _, id := range f.IDs {
			*args = append(*args, id)
		}
	}
	if len(where) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(where, " AND ")
}

// ListDocuments returns documents matching f, newest (published or updated) first.
func (tx *Tx) ListDocuments(f DocFilter) ([]*concord.Document, error) {
	var args []any
	q := `SELECT ` + documentColumns + documentFrom + f.where(&args) + ` ORDER BY COALESCE(d.published_at, d.updated_at) DESC, d.id DESC`
	q += limitOffset(f.Limit, f.Offset, &args)
	rows, err := tx.query(q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*concord.Document
	for rows.Next() {
		d, err := scanDocument(rows.Scan)
		if err != nil {
			return nil, tx.scanErr(err, "document")
		}
		out = append(out, d)
	}
	return out, tx.scanErr(rows.Err(), "document")
}

// CountDocuments counts documents matching f.
func (tx *Tx) CountDocuments(f DocFilter) (int, error) {
	var args []any
	var n int
	err := tx.queryRow(`SELECT count(*) FROM documents d`+f.where(&args), args...).Scan(&n)
	return n, tx.scanErr(err, "document")
}

// NextNumber returns the next sequence number for a kind in a year ("3" for the third
// circular letter of 2026), counting in the caller's transaction.
func (tx *Tx) NextNumber(kind concord.DocKind, year int) (int, error) {
	var n int
	err := tx.queryRow(`INSERT INTO doc_counters (kind, year, last) VALUES (?, ?, 1)
		ON CONFLICT (kind, year) DO UPDATE SET last = doc_counters.last + 1 RETURNING last`, string(kind), year).Scan(&n)
	return n, tx.scanErr(err, "counter")
}

// InsertVersion stores an immutable version with its rendered HTML.
func (tx *Tx) InsertVersion(v *concord.Version, bodyHTML string) error {
	_, err := tx.exec(`INSERT INTO versions (id, document_id, number, title, body, body_html, hash, summary, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		v.ID, v.DocumentID, v.Number, v.Title, v.Body, bodyHTML, v.Hash, v.Summary, nullString(v.CreatedBy), v.CreatedAt)
	return err
}

// ReplaceDraftVersion overwrites the text of a version while its document is still a draft.
// The service guarantees the draft condition; versions of circulated texts are never touched.
func (tx *Tx) ReplaceDraftVersion(v *concord.Version, bodyHTML string) error {
	res, err := tx.exec(`UPDATE versions SET title = ?, body = ?, body_html = ?, hash = ?, summary = ?, created_at = ?
		WHERE id = ? AND document_id IN (SELECT id FROM documents WHERE status = 'draft')`,
		v.Title, v.Body, bodyHTML, v.Hash, v.Summary, v.CreatedAt, v.ID)
	return mustAffect(res, err, "draft version")
}

const versionColumns = `id, document_id, number, title, body, hash, summary, created_by, created_at`

func (tx *Tx) versions(tail string, args ...any) ([]concord.Version, error) {
	rows, err := tx.query(`SELECT `+versionColumns+` FROM versions `+tail, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []concord.Version
	for rows.Next() {
		var v concord.Version
		if err := rows.Scan(&v.ID, &v.DocumentID, &v.Number, &v.Title, &v.Body, &v.Hash, &v.Summary, stringCol{&v.CreatedBy}, timeCol{&v.CreatedAt}); err != nil {
			return nil, tx.scanErr(err, "version")
		}
		out = append(out, v)
	}
	return out, tx.scanErr(rows.Err(), "version")
}

// GetVersion returns one version of a document by number.
func (tx *Tx) GetVersion(docID string, number int) (*concord.Version, error) {
	vs, err := tx.versions(`WHERE document_id = ? AND number = ?`, docID, number)
	if err != nil {
		return nil, err
	}
	if len(vs) == 0 {
		return nil, notFound("version")
	}
	return &vs[0], nil
}

// GetVersionByID returns one version.
func (tx *Tx) GetVersionByID(id string) (*concord.Version, error) {
	vs, err := tx.versions(`WHERE id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(vs) == 0 {
		return nil, notFound("version")
	}
	return &vs[0], nil
}

// ListVersions returns a document's versions, oldest first.
func (tx *Tx) ListVersions(docID string) ([]concord.Version, error) {
	return tx.versions(`WHERE document_id = ? ORDER BY number`, docID)
}

// VersionHTML returns the stored rendering of a version's body.
func (tx *Tx) VersionHTML(versionID string) (string, error) {
	var h string
	err := tx.queryRow(`SELECT body_html FROM versions WHERE id = ?`, versionID).Scan(&h)
	return h, tx.scanErr(err, "version")
}

const translationColumns = `t.id, t.document_id, t.version_id, v.number, t.lang, t.title, t.status, COALESCE(t.translator_id, ''),
	COALESCE(t.translator_org_id, ''), t.engine, t.engine_version, t.override_reason, t.created_at, t.updated_at`

func (tx *Tx) translations(tail string, args ...any) ([]*concord.Translation, error) {
	rows, err := tx.query(`SELECT `+translationColumns+` FROM translations t JOIN versions v ON v.id = t.version_id `+tail, args...)
	if err != nil {
		return nil, err
	}
	var out []*concord.Translation
	for rows.Next() {
		var t concord.Translation
		if err := rows.Scan(&t.ID, &t.DocumentID, &t.VersionID, &t.VersionNumber, &t.Lang, &t.Title, &t.Status, &t.TranslatorID,
			&t.TranslatorOrgID, &t.Engine, &t.EngineVersion, &t.OverrideReason, timeCol{&t.CreatedAt}, timeCol{&t.UpdatedAt}); err != nil {
			rows.Close()
			return nil, tx.scanErr(err, "translation")
		}
		out = append(out, &t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, tx.scanErr(err, "translation")
	}
	for _, t := range out {
		if t.Segments, err = tx.segments(t.ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (tx *Tx) segments(translationID string) ([]concord.TranslationSegment, error) {
	rows, err := tx.query(`SELECT segment_id, idx, source, target, state, engine FROM translation_segments WHERE translation_id = ? ORDER BY idx`, translationID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []concord.TranslationSegment
	for rows.Next() {
		var s concord.TranslationSegment
		if err := rows.Scan(&s.SegmentID, &s.Index, &s.Source, &s.Target, &s.State, &s.Engine); err != nil {
			return nil, tx.scanErr(err, "segment")
		}
		out = append(out, s)
	}
	return out, tx.scanErr(rows.Err(), "segment")
}

// GetTranslation returns the translation of a version into lang.
func (tx *Tx) GetTranslation(versionID, lang string) (*concord.Translation, error) {
	ts, err := tx.translations(`WHERE t.version_id = ? AND t.lang = ?`, versionID, lang)
	if err != nil {
		return nil, err
	}
	if len(ts) == 0 {
		return nil, notFound("translation")
	}
	return ts[0], nil
}

// LatestTranslations returns, for each language, the translation of the newest version that
// has one (so outdated translations show up too, marked by their version number). With
// finalOnly, only translations marked final are considered.
func (tx *Tx) LatestTranslations(docID string, finalOnly bool) ([]*concord.Translation, error) {
	status := ""
	if finalOnly {
		status = " AND t2.status = 'final'"
	}
	return tx.translations(`WHERE t.document_id = ? AND v.number = (SELECT max(v2.number) FROM translations t2
		JOIN versions v2 ON v2.id = t2.version_id WHERE t2.document_id = t.document_id AND t2.lang = t.lang`+status+`) ORDER BY t.lang`, docID)
}

// InsertTranslation stores a new translation with its segments.
func (tx *Tx) InsertTranslation(t *concord.Translation, bodyHTML string) error {
	if _, err := tx.exec(`INSERT INTO translations (id, document_id, version_id, lang, title, status, translator_id, translator_org_id,
		engine, engine_version, override_reason, body_html, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		t.ID, t.DocumentID, t.VersionID, t.Lang, t.Title, string(t.Status), nullString(t.TranslatorID), nullString(t.TranslatorOrgID),
		t.Engine, t.EngineVersion, t.OverrideReason, bodyHTML, t.CreatedAt, t.UpdatedAt); err != nil {
		return err
	}
	return tx.putSegments(t)
}

// UpdateTranslation stores a translation's fields and replaces its segments.
func (tx *Tx) UpdateTranslation(t *concord.Translation, bodyHTML string) error {
	res, err := tx.exec(`UPDATE translations SET title = ?, status = ?, translator_id = ?, translator_org_id = ?, engine = ?,
		engine_version = ?, override_reason = ?, body_html = ?, updated_at = ? WHERE id = ?`,
		t.Title, string(t.Status), nullString(t.TranslatorID), nullString(t.TranslatorOrgID), t.Engine, t.EngineVersion,
		t.OverrideReason, bodyHTML, t.UpdatedAt, t.ID)
	if err := mustAffect(res, err, "translation"); err != nil {
		return err
	}
	if _, err := tx.exec(`DELETE FROM translation_segments WHERE translation_id = ?`, t.ID); err != nil {
		return err
	}
	return tx.putSegments(t)
}

func (tx *Tx) putSegments(t *concord.Translation) error {
	for _, s := range t.Segments {
		if _, err := tx.exec(`INSERT INTO translation_segments (translation_id, segment_id, idx, source, target, state, engine)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, t.ID, s.SegmentID, s.Index, s.Source, s.Target, string(s.State), s.Engine); err != nil {
			return err
		}
	}
	return nil
}

// TranslationHTML returns the stored rendering of a translation's body.
func (tx *Tx) TranslationHTML(id string) (string, error) {
	var h string
	err := tx.queryRow(`SELECT body_html FROM translations WHERE id = ?`, id).Scan(&h)
	return h, tx.scanErr(err, "translation")
}

// MemoryEntries returns translated segments from sourceLang to targetLang for the
// translation memory, newest first, at most limit.
func (tx *Tx) MemoryEntries(sourceLang, targetLang string, limit int) ([]concord.MemoryEntry, error) {
	args := []any{sourceLang, targetLang}
	rows, err := tx.query(`SELECT s.source, s.target, v.title FROM translation_segments s
		JOIN translations t ON t.id = s.translation_id JOIN documents d ON d.id = t.document_id JOIN versions v ON v.id = t.version_id
		WHERE d.source_lang = ? AND t.lang = ? AND s.state IN ('translated', 'reviewed') AND s.target <> ''
		ORDER BY t.updated_at DESC`+limitOffset(limit, 0, &args), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []concord.MemoryEntry
	for rows.Next() {
		e := concord.MemoryEntry{SourceLang: sourceLang, TargetLang: targetLang}
		if err := rows.Scan(&e.Source, &e.Target, &e.Origin); err != nil {
			return nil, tx.scanErr(err, "memory")
		}
		out = append(out, e)
	}
	return out, tx.scanErr(rows.Err(), "memory")
}

// InsertAttachment records an attached file (stored by hash in the data directory).
func (tx *Tx) InsertAttachment(a *concord.Attachment) error {
	_, err := tx.exec(`INSERT INTO attachments (id, document_id, sha256, name, media_type, size, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		a.ID, a.DocumentID, a.SHA256, a.Name, a.MediaType, a.Size, nullString(a.CreatedBy), a.CreatedAt)
	return err
}

// ListAttachments returns a document's attachments, oldest first.
func (tx *Tx) ListAttachments(docID string) ([]concord.Attachment, error) {
	rows, err := tx.query(`SELECT id, document_id, sha256, name, media_type, size, created_by, created_at FROM attachments WHERE document_id = ? ORDER BY created_at, id`, docID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []concord.Attachment
	for rows.Next() {
		var a concord.Attachment
		if err := rows.Scan(&a.ID, &a.DocumentID, &a.SHA256, &a.Name, &a.MediaType, &a.Size, stringCol{&a.CreatedBy}, timeCol{&a.CreatedAt}); err != nil {
			return nil, tx.scanErr(err, "attachment")
		}
		out = append(out, a)
	}
	return out, tx.scanErr(rows.Err(), "attachment")
}

// PutSearchEntry replaces the search index row of a document in one language.
func (tx *Tx) PutSearchEntry(docID, lang, title, body string) error {
	if _, err := tx.exec(`DELETE FROM search_entries WHERE doc_id = ? AND lang = ?`, docID, lang); err != nil {
		return err
	}
	_, err := tx.exec(`INSERT INTO search_entries (doc_id, lang, title, body) VALUES (?, ?, ?, ?)`, docID, lang, title, body)
	return err
}

// SearchHit is one search result: a document in one language.
type SearchHit struct {
	DocID string
	Lang  string
	Title string
	Rank  float64
}

// Search finds documents whose text in any language matches every word of query, best
// first, restricted by f (visibility included). The query is reduced to plain words, so no
// search syntax of either database reaches it.
func (tx *Tx) Search(query string, lang string, f DocFilter) ([]SearchHit, error) {
	words := searchWords(query)
	if len(words) == 0 {
		return nil, nil
	}
	// Placeholders are bound in the order they appear: the rank's (PostgreSQL), the
	// filters', the language's, then the match's.
	var args []any
	var match, term string
	if tx.dialect.name() == "postgres" {
		quoted := make([]string, len(words))
		for i, w := range words {
			quoted[i] = w + ":*"
		}
		match = `s.tsv @@ to_tsquery('simple', ?)`
		term = strings.Join(quoted, " & ")
	} else {
		quoted := make([]string, len(words))
		for i, w := range words {
			quoted[i] = `"` + w + `"*`
		}
		match = `search_index MATCH ?`
		term = strings.Join(quoted, " ")
	}
	rank := `bm25(search_index)`
	if tx.dialect.name() == "postgres" {
		rank = `-ts_rank(s.tsv, to_tsquery('simple', ?))`
		args = append(args, term)
	}
	where := f.where(&args)
	if where == "" {
		where = " WHERE "
	} else {
		where += " AND "
	}
	if lang != "" {
		where += "s.lang = ? AND "
		args = append(args, lang)
	}
	args = append(args, term)
	from := `search_entries s`
	if tx.dialect.name() == "sqlite" {
		from = `search_index JOIN search_entries s ON s.id = search_index.rowid`
	}
	q := `SELECT s.doc_id, s.lang, s.title, ` + rank + ` AS rank FROM ` + from + ` JOIN documents d ON d.id = s.doc_id` +
		where + match + ` ORDER BY rank, s.doc_id`
	q += limitOffset(f.Limit, f.Offset, &args)
	rows, err := tx.query(q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []SearchHit
	for rows.Next() {
		var h SearchHit
		if err := rows.Scan(&h.DocID, &h.Lang, &h.Title, &h.Rank); err != nil {
			return nil, tx.scanErr(err, "search")
		}
		out = append(out, h)
	}
	return out, tx.scanErr(rows.Err(), "search")
}

// searchWords keeps the words of a query (letters, digits, combining marks, ZWNJ),
// lower-cased, at most 12 of them.
func searchWords(q string) []string {
	fields := strings.FieldsFunc(strings.ToLower(q), func(r rune) bool {
		return !(r == '\u200c' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.M, r))
	})
	if len(fields) > 12 {
		fields = fields[:12]
	}
	return fields
}
