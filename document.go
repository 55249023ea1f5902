package concord

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"time"
)

// DocKind is the kind of an official text.
type DocKind string

// Document kinds.
const (
	KindResolution     DocKind = "resolution"
	KindStatement      DocKind = "statement"
	KindCircularLetter DocKind = "circular_letter" // numbered per year: "3/2026"
	KindGreeting       DocKind = "greeting"        // greeting or solidarity message, on an occasion
	KindCall           DocKind = "call"
	KindReport         DocKind = "report"
	KindStatute        DocKind = "statute"
)

// DocKinds returns every document kind in display order.
func DocKinds() []DocKind {
	return []DocKind{KindResolution, KindStatement, KindCircularLetter, KindGreeting, KindCall, KindReport, KindStatute}
}

// Valid reports whether k is a known kind.
func (k DocKind) Valid() bool { return slices.Contains(DocKinds(), k) }

// DocStatus is where a text stands in its life.
type DocStatus string

// Document statuses: draft → circulating → adopted → published; withdrawn and superseded end
// a text's life.
const (
	DocDraft       DocStatus = "draft"
	DocCirculating DocStatus = "circulating"
	DocAdopted     DocStatus = "adopted"
	DocPublished   DocStatus = "published"
	DocWithdrawn   DocStatus = "withdrawn"
	DocSuperseded  DocStatus = "superseded"
)

var docTransitions = map[DocStatus][]DocStatus{
	DocDraft:       {DocCirculating, DocPublished, DocWithdrawn},
	DocCirculating: {DocAdopted, DocWithdrawn},
	DocAdopted:     {DocPublished, DocSuperseded, DocWithdrawn},
	DocPublished:   {DocSuperseded, DocWithdrawn},
	DocWithdrawn:   {},
	DocSuperseded:  {},
}

// DocStatuses returns every status in display order.
func DocStatuses() []DocStatus {
	return []DocStatus{DocDraft, DocCirculating, DocAdopted, DocPublished, DocWithdrawn, DocSuperseded}
}

// Valid reports whether s is a known status.
func (s DocStatus) Valid() bool { _, ok := docTransitions[s]; return ok }

// NextStatuses lists the statuses a document of kind k in status s may move to. Resolutions
// and statutes are decided texts: they circulate and are adopted before they are published.
// Other kinds (greetings, statements, letters, calls, reports) may be published directly.
func (s DocStatus) NextStatuses(k DocKind) []DocStatus {
	next := docTransitions[s]
	if s == DocDraft && (k == KindResolution || k == KindStatute) {
		next = slices.DeleteFunc(slices.Clone(next), func(n DocStatus) bool { return n == DocPublished })
	}
	return next
}

// CanBecome reports whether a document of kind k in status s may move to next.
func (s DocStatus) CanBecome(k DocKind, next DocStatus) bool {
	return slices.Contains(s.NextStatuses(k), next)
}

// Frozen reports whether saving the text must make a new immutable version (true once the
// text has been circulated); drafts are edited in place.
func (s DocStatus) Frozen() bool { return s != DocDraft }

// Visibility says who may read a document.
type Visibility string

// Visibilities: internal texts are for people with a mandate or federation role; public ones
// are readable by anyone once published.
const (
	VisibilityInternal Visibility = "internal"
	VisibilityPublic   Visibility = "public"
)

// Document is an official text of the federation or of a member: a resolution, a statement,
// a circular letter, a greeting…, with its versions and translations.
type Document struct {
	ID             string
	Kind           DocKind
	Status         DocStatus
	Visibility     Visibility
	IssuerOrgID    string // the issuing member organization, or ""
	IssuerBody     string // the issuing body ("Coordinating Committee"), or ""
	SourceLang     string // the authentic language
	Number         string // circular letters: "N/YYYY", assigned when first circulated
	Occasion       string // greetings: the occasion ("15th anniversary of the federation")
	Recipient      string // greetings: to whom
	CurrentVersion *Version
	CreatedBy      string
	CreatedAt      time.Time
	UpdatedAt      time.Time
	PublishedAt    *time.Time
}

// Title returns the current version's title.
func (d *Document) Title() string {
	if d.CurrentVersion == nil {
		return ""
	}
	return d.CurrentVersion.Title
}

// IsPublic reports whether anyone may read the document.
func (d *Document) IsPublic() bool {
	return d.Visibility == VisibilityPublic && d.Status == DocPublished
}

// Normalize trims the document's fields.
func (d *Document) Normalize() {
	d.IssuerBody, d.Occasion, d.Recipient = CleanText(d.IssuerBody), CleanText(d.Occasion), CleanText(d.Recipient)
	d.SourceLang = strings.TrimSpace(d.SourceLang)
	if d.Visibility == "" {
		d.Visibility = VisibilityInternal
	}
}

// Validate checks a document's own fields (not its text).
func (d *Document) Validate() error {
	var v Validation
	if !d.Kind.Valid() {
		v.Add("kind", "error.doc_kind", "is not a known kind", "value", clip(string(d.Kind), 40))
	}
	if d.Visibility != VisibilityInternal && d.Visibility != VisibilityPublic {
		v.Add("visibility", "error.visibility", "must be internal or public")
	}
	if (d.IssuerOrgID == "") == (d.IssuerBody == "") {
		v.Add("issuer", "error.issuer", "name either an issuing body or an issuing organization")
	}
	checkText(&v, "issuer_body", d.IssuerBody, false, MaxName, false)
	checkLangTag(&v, "source_lang", d.SourceLang, true)
	checkText(&v, "occasion", d.Occasion, false, MaxName, false)
	checkText(&v, "recipient", d.Recipient, false, MaxName, false)
	return v.Err()
}

// MaxBody is the longest document body accepted, in characters.
const MaxBody = 200_000

// Version is an immutable state of a document's text, identified by its content hash.
type Version struct {
	ID         string
	DocumentID string
	Number     int // 1, 2, 3…
	Title      string
	Body       string // Markdown
	Hash       string // hex SHA-256 of title and body (see VersionHash)
	Summary    string // what changed
	CreatedBy  string
	CreatedAt  time.Time
}

// VersionHash is the content hash of a text: SHA-256 over the title, a NUL byte and the
// body, so that no title/body split yields the same hash as another.
func VersionHash(title, body string) string {
	h := sha256.New()
	h.Write([]byte(title))
	h.Write([]byte{0})
	h.Write([]byte(body))
	return hex.EncodeToString(h.Sum(nil))
}

// ValidateSummary checks a version's change summary.
func ValidateSummary(v *Validation, summary string) {
	checkText(v, "summary", summary, false, MaxLine, false)
}

// ValidateText checks a title and Markdown body.
func ValidateText(v *Validation, title, body string) {
	checkText(v, "title", title, true, MaxLine, false)
	checkText(v, "body", body, true, MaxBody, true)
}

// Provenance says who made a translation.
type Provenance string

// Provenances of a translation.
const (
	ProvHuman           Provenance = "human"            // a translator wrote it
	ProvMachine         Provenance = "machine"          // an engine wrote it; nobody checked
	ProvMachineReviewed Provenance = "machine_reviewed" // an engine wrote it; a person reviewed it
)

// SegmentState is how far one segment of a translation is.
type SegmentState string

// Segment states in the translator's editor.
const (
	SegUntranslated SegmentState = "untranslated"
	SegMachine      SegmentState = "machine"
	SegTranslated   SegmentState = "translated"
	SegReviewed     SegmentState = "reviewed"
)

// Valid reports whether s is a known segment state.
func (s SegmentState) Valid() bool {
	return s == SegUntranslated || s == SegMachine || s == SegTranslated || s == SegReviewed
}

// TranslationStatus is draft until the translator marks the translation final.
type TranslationStatus string

// Translation statuses.
const (
	TransDraft TranslationStatus = "draft"
	TransFinal TranslationStatus = "final"
)

// Translation is the (at most one) current translation of one version into one language.
type Translation struct {
	ID              string
	DocumentID      string
	VersionID       string
	VersionNumber   int
	Lang            string
	Title           string
	Status          TranslationStatus
	TranslatorID    string // the person who translated or reviewed
	TranslatorOrgID string // under whose mandate
	Engine          string // machine engine name, when machine output is in it
	EngineVersion   string
	Segments        []TranslationSegment
	OverrideReason  string // why it was marked final despite glossary violations
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// TranslationSegment is one translated paragraph.
type TranslationSegment struct {
	SegmentID string
	Index     int
	Source    string
	Target    string
	State     SegmentState
	Engine    string // set when State is machine (or was machine before review)
}

// Provenance derives the translation's provenance from its segments: human when no machine
// output was used, machine while any machine segment is unreviewed, machine_reviewed when
// machine output was used and every segment is now translated or reviewed by a person.
func (t *Translation) Provenance() Provenance {
	usedMachine, unreviewed := false, false
	for _, s := range t.Segments {
		if s.Engine != "" {
			usedMachine = true
		}
		if s.State == SegMachine {
			unreviewed = true
		}
	}
	switch {
	case unreviewed:
		return ProvMachine
	case usedMachine:
		return ProvMachineReviewed
	}
	return ProvHuman
}

// Body joins the translated segments into the translation's Markdown text; untranslated
// segments are left out.
func (t *Translation) Body() string {
	var parts []string
	for _, s := range t.Segments {
		if s.State != SegUntranslated && strings.TrimSpace(s.Target) != "" {
			parts = append(parts, s.Target)
		}
	}
	return strings.Join(parts, "\n\n")
}

// Complete reports whether every segment has a target.
func (t *Translation) Complete() bool {
	for _, s := range t.Segments {
		if s.State == SegUntranslated || strings.TrimSpace(s.Target) == "" {
			return false
		}
	}
	return len(t.Segments) > 0
}

// Attachment is a file attached to a document, stored by content hash.
type Attachment struct {
	ID         string
	DocumentID string
	SHA256     string
	Name       string
	MediaType  string
	Size       int64
	CreatedBy  string
	CreatedAt  time.Time
}
