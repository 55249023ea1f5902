package web

import (
	"context"
	"fmt"
	"html/template"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/text/language"

	"concord"
	"concord/internal/documents"
	"concord/internal/i18n"
	"concord/internal/membership"
)

// docActions maps the names templates use to documents actions.
var docActions = map[string]documents.Action{
	"edit":      documents.ActEdit,
	"read":      documents.ActRead,
	"translate": documents.ActTranslate,
	"review":    documents.ActReview,
	"glossary":  documents.ActEditGlossary,
}

// CanDoc reports whether the person may do the named action on a document (nil for actions
// on no document, such as keeping the glossary); templates use it to show only the controls
// that will work. The documents service decides for real.
func (v *view) CanDoc(action string, d *concord.Document) (bool, error) {
	act, ok := docActions[action]
	if !ok {
		return false, fmt.Errorf("web: unknown document action %q in template", action)
	}
	if d == nil {
		_, err := documents.Authorize(v.Actor, act, nil, "")
		return err == nil, nil
	}
	return documents.Can(v.Actor, act, d), nil
}

// DocKind translates a document kind.
func (v *view) DocKind(k concord.DocKind) string { return v.l.T("dockind." + string(k)) }

// DocStatus translates a document status.
func (v *view) DocStatus(s concord.DocStatus) string { return v.l.T("docstatus." + string(s)) }

// DocAction names the button that moves a document to status s ("Publish").
func (v *view) DocAction(s concord.DocStatus) string { return v.l.T("docaction." + string(s)) }

// Visibility translates a document visibility.
func (v *view) Visibility(vis concord.Visibility) string { return v.l.T("visibility." + string(vis)) }

// SegState translates a segment state.
func (v *view) SegState(s concord.SegmentState) string { return v.l.T("segstate." + string(s)) }

// TransStatus translates a translation status (draft, final).
func (v *view) TransStatus(s concord.TranslationStatus) string {
	return v.l.T("transstatus." + string(s))
}

// Provenance says plainly who made a translation: a person, a machine (which engine), or a
// machine whose output a person reviewed.
func (v *view) Provenance(t *concord.Translation) string {
	switch t.Provenance() {
	case concord.ProvMachine:
		return v.l.T("provenance.machine", "engine", strings.TrimSpace(t.Engine+" "+t.EngineVersion))
	case concord.ProvMachineReviewed:
		return v.l.T("provenance.machine_reviewed", "engine", t.Engine)
	}
	return v.l.T("provenance.human")
}

// ShortHash is the first 12 hex digits of a content hash, as people quote it.
func (v *view) ShortHash(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

// Size formats a file size for reading.
func (v *view) Size(n int64) string { return formatSize(v.l, n) }

// formatSize is a byte count in bytes, KB or MB (of 1024 bytes and 1024 KB, as the limits
// are set; one decimal place at most).
func formatSize(l *i18n.Localizer, n int64) string {
	switch {
	case n < 1<<10:
		return l.T("size.bytes", "n", strconv.FormatInt(n, 10))
	case n < 1<<20:
		return l.T("size.kb", "n", decimal(float64(n)/(1<<10)))
	}
	return l.T("size.mb", "n", decimal(float64(n)/(1<<20)))
}

// decimal writes x with at most one decimal place ("20", "1.5").
func decimal(x float64) string {
	s := strconv.FormatFloat(x, 'f', 1, 64)
	return strings.TrimSuffix(s, ".0")
}

// LangDir is the writing direction of a language tag, for the dir attribute of text in it.
func (v *view) LangDir(tag string) string { return langDir(tag) }

// rtlScripts are the scripts written right to left.
var rtlScripts = []string{"Arab", "Hebr", "Syrc", "Thaa", "Nkoo", "Adlm", "Mand", "Samr", "Rohg", "Yezi"}

// langDir returns "rtl" for tags whose (likely) script is written right to left, else "ltr".
func langDir(tag string) string {
	t, err := language.Parse(tag)
	if err != nil {
		return "ltr"
	}
	if s, _ := t.Script(); slices.Contains(rtlScripts, s.String()) {
		return "rtl"
	}
	return "ltr"
}

// issuer is who issued a document: a member organization (linked) or a federation body.
type issuer struct {
	OrgID string
	Name  orgName // the organization's name, or the body's as typed
}

// issuers resolves the issuers of documents, asking the registry once per organization.
type issuers struct {
	h     *Handler
	ctx   context.Context
	a     *concord.Actor
	lang  string
	known map[string]*concord.Organization
}

func (h *Handler) newIssuers(ctx context.Context, a *concord.Actor, lang string) *issuers {
	return &issuers{h: h, ctx: ctx, a: a, lang: lang, known: map[string]*concord.Organization{}}
}

// of returns the issuer of d.
func (is *issuers) of(d *concord.Document) issuer {
	if d.IssuerOrgID == "" {
		return issuer{Name: orgName{Name: d.IssuerBody}}
	}
	o, ok := is.known[d.IssuerOrgID]
	if !ok {
		o, _, _ = is.h.members.Organization(is.ctx, is.a, d.IssuerOrgID) // unknown to the reader: shown by ID
		is.known[d.IssuerOrgID] = o
	}
	if o == nil {
		return issuer{OrgID: d.IssuerOrgID, Name: orgName{Name: d.IssuerOrgID[:min(8, len(d.IssuerOrgID))]}}
	}
	n := orgName{Name: o.Name, Lang: o.NameLang}
	if t := o.NameIn(is.lang); t != o.Name {
		n.Translation = t
	}
	return issuer{OrgID: o.ID, Name: n}
}

// organizations lists the organizations the person may see, for filters and choices.
func (h *Handler) organizations(ctx context.Context, a *concord.Actor) ([]*concord.Organization, error) {
	return h.members.Organizations(ctx, a, membership.OrgFilter{})
}

// DocKindOptions are the document kinds, after an optional empty choice.
func (v *view) DocKindOptions(emptyKey string) []option {
	var opts []option
	if emptyKey != "" {
		opts = append(opts, option{Value: "", Label: v.l.T(emptyKey)})
	}
	for _, k := range concord.DocKinds() {
		opts = append(opts, option{Value: string(k), Label: v.DocKind(k)})
	}
	return opts
}

// DocStatusOptions are the document statuses, after an optional empty choice.
func (v *view) DocStatusOptions(emptyKey string) []option {
	var opts []option
	if emptyKey != "" {
		opts = append(opts, option{Value: "", Label: v.l.T(emptyKey)})
	}
	for _, s := range concord.DocStatuses() {
		opts = append(opts, option{Value: string(s), Label: v.DocStatus(s)})
	}
	return opts
}

// VisibilityOptions are the two visibilities.
func (v *view) VisibilityOptions() []option {
	return []option{
		{Value: string(concord.VisibilityInternal), Label: v.l.T("visibility.internal_long")},
		{Value: string(concord.VisibilityPublic), Label: v.l.T("visibility.public_long")},
	}
}

// TextLanguageOptions are common languages of texts, named in the reader's language with
// their BCP 47 tag, after an optional empty choice and without the tag skip.
func (v *view) TextLanguageOptions(emptyKey, skip string) []option {
	var opts []option
	if emptyKey != "" {
		opts = append(opts, option{Value: "", Label: v.l.T(emptyKey)})
	}
	for _, tag := range commonLanguages {
		if tag == skip {
			continue
		}
		opts = append(opts, option{Value: tag, Label: v.l.T("lang.option", "name", v.LangName(tag), "tag", tag)})
	}
	return opts
}

// diffPart is a run of one kind in a diff block.
type diffPart struct {
	Kind string // "equal", "insert" or "delete"
	Text string
}

// diffBlock is one paragraph of a diff, numbered as in the newer text (or, for a paragraph
// that was deleted whole, as in the older one).
type diffBlock struct {
	Number  int
	Deleted bool // only in the older text
	Added   bool // only in the newer text
	Changed bool
	Parts   []diffPart
}

// paragraphBreak is a blank line between blocks of Markdown.
var paragraphBreak = regexp.MustCompile(`\n[ \t]*\n[ \t\n]*`)

// diffBlocks cuts a word diff of two Markdown texts into paragraphs at blank lines. Each
// block is numbered by counting paragraphs of the newer text (equal and inserted text) before
// it, or of the older text for a block with nothing left in the newer one, so the numbers
// are the paragraph numbers readers see in the versions.
func diffBlocks(ops []concord.DiffOp) []diffBlock {
	var (
		out            []diffBlock
		cur            diffBlock
		oldNo, newNo   = 1, 1
		hasOld, hasNew bool
	)
	flush := func() {
		if len(cur.Parts) == 0 {
			return
		}
		cur.Added, cur.Deleted = hasNew && !hasOld, hasOld && !hasNew
		switch {
		case hasNew:
			cur.Number = newNo
		case hasOld:
			cur.Number = oldNo
		}
		if hasOld || hasNew {
			out = append(out, cur)
		}
		cur, hasOld, hasNew = diffBlock{}, false, false
	}
	for _, op := range ops {
		kind := op.Kind.String()
		text := op.Text
		for {
			loc := paragraphBreak.FindStringIndex(text)
			piece := text
			if loc != nil {
				piece = text[:loc[0]]
			}
			if strings.TrimSpace(piece) != "" {
				if op.Kind != concord.DiffInsert {
					hasOld = true
				}
				if op.Kind != concord.DiffDelete {
					hasNew = true
				}
				if op.Kind != concord.DiffEqual {
					cur.Changed = true
				}
			}
			if piece != "" && (strings.TrimSpace(piece) != "" || len(cur.Parts) > 0) {
				cur.Parts = append(cur.Parts, diffPart{Kind: kind, Text: piece})
			}
			if loc == nil {
				break
			}
			// A paragraph ends here: in both texts for equal text, in one of them otherwise.
			wasOld, wasNew := hasOld, hasNew
			flush()
			if op.Kind != concord.DiffInsert && wasOld {
				oldNo++
			}
			if op.Kind != concord.DiffDelete && wasNew {
				newNo++
			}
			text = text[loc[1]:]
		}
	}
	flush()
	return out
}

// violation is a glossary problem explained for the translator.
type violation struct {
	Kind    string // "forbidden" or "missing"
	Wording string // the forbidden wording found, or the adopted one that is missing
	Adopted string // the preferred adopted wording in the target language, if any
	Concept string
}

// explain turns glossary violations into what the editor shows.
func explain(terms []concord.GlossaryTerm, lang string, vs []concord.GlossaryViolation) []violation {
	byID := map[string]*concord.GlossaryTerm{}
	for i := range terms {
		byID[terms[i].ID] = &terms[i]
	}
	out := make([]violation, 0, len(vs))
	for _, gv := range vs {
		x := violation{Kind: gv.Kind, Wording: gv.Wording}
		if t := byID[gv.TermID]; t != nil {
			x.Concept = t.Concept
			if ws := adoptedFor(t, lang); len(ws) > 0 {
				x.Adopted = ws[0]
			}
		}
		out = append(out, x)
	}
	return out
}

// adoptedFor returns a term's adopted wordings for lang, or for its primary language.
func adoptedFor(t *concord.GlossaryTerm, lang string) []string {
	if ws := t.Adopted[lang]; len(ws) > 0 {
		return ws
	}
	primary, _, _ := strings.Cut(lang, "-")
	return t.Adopted[primary]
}

// highlight returns text as HTML with the forbidden wordings found in it marked. Offsets are
// byte offsets into text; overlapping spans are merged.
func highlight(l *i18n.Localizer, text string, vs []concord.GlossaryViolation) template.HTML {
	type span struct{ start, end int }
	var spans []span
	for _, v := range vs {
		if v.Start < 0 || v.End > len(text) || v.Start >= v.End {
			continue
		}
		if n := len(spans); n > 0 && v.Start < spans[n-1].end {
			spans[n-1].end = max(spans[n-1].end, v.End)
			continue
		}
		spans = append(spans, span{v.Start, v.End})
	}
	var b strings.Builder
	at := 0
	for _, s := range spans {
		b.WriteString(template.HTMLEscapeString(text[at:s.start]))
		b.WriteString(`<mark class="violation"><span class="visually-hidden" lang="` + l.Tag() + `" dir="` + l.Dir() + `">`)
		b.WriteString(template.HTMLEscapeString(l.T("glossary.marked")))
		b.WriteString(` </span>`)
		b.WriteString(template.HTMLEscapeString(text[s.start:s.end]))
		b.WriteString(`</mark>`)
		at = s.end
	}
	b.WriteString(template.HTMLEscapeString(text[at:]))
	return template.HTML(b.String())
}

// FileField describes a file input named name, labelled by labelKey, with a hint (hintKey)
// that states the size limit max.
func (v *view) FileField(name, labelKey, hintKey, max string) field {
	f := v.Field(name, "type:file", "label:"+labelKey, "required")
	f.Value = ""
	f.Hint, f.HintID = v.l.T(hintKey, "max", max), f.ID+"-hint"
	return f
}

// Percent writes a similarity score (0 to 1) as a whole percentage.
func (v *view) Percent(score float64) string {
	return v.l.T("translate.match", "pct", strconv.Itoa(int(score*100+0.5)))
}
