package api

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"

	"concord"
	"concord/internal/documents"
	"concord/internal/po"
	"concord/internal/xliff"
)

// translationDTO is the newest translation of a document into one language, without its
// segments. Version is the number of the version it translates; Outdated says that the
// document has a newer version. Provenance is derived from the segments: human, machine (an
// engine's output that nobody reviewed is in it) or machine_reviewed.
type translationDTO struct {
	ID                 string  `json:"id"`
	DocumentID         string  `json:"document_id"`
	Lang               string  `json:"lang"`
	Title              string  `json:"title"`
	Status             string  `json:"status"`
	Version            int     `json:"version"`
	Outdated           bool    `json:"outdated"`
	Provenance         string  `json:"provenance"`
	Engine             string  `json:"engine"`
	EngineVersion      string  `json:"engine_version"`
	TranslatorID       *string `json:"translator_id"`
	TranslatorOrgID    *string `json:"translator_org_id"`
	OverrideReason     string  `json:"override_reason"`
	SegmentsTotal      int     `json:"segments_total"`
	SegmentsTranslated int     `json:"segments_translated"`
	Complete           bool    `json:"complete"`
	CreatedAt          string  `json:"created_at"`
	UpdatedAt          string  `json:"updated_at"`
}

func translationOut(t *concord.Translation, current int) translationDTO {
	done := 0
	for _, s := range t.Segments {
		if s.State != concord.SegUntranslated && strings.TrimSpace(s.Target) != "" {
			done++
		}
	}
	return translationDTO{ID: t.ID, DocumentID: t.DocumentID, Lang: t.Lang, Title: t.Title, Status: string(t.Status),
		Version: t.VersionNumber, Outdated: t.VersionNumber != current, Provenance: string(t.Provenance()), Engine: t.Engine,
		EngineVersion: t.EngineVersion, TranslatorID: optional(t.TranslatorID), TranslatorOrgID: optional(t.TranslatorOrgID),
		OverrideReason: t.OverrideReason, SegmentsTotal: len(t.Segments), SegmentsTranslated: done, Complete: t.Complete(),
		CreatedAt: formatTime(t.CreatedAt), UpdatedAt: formatTime(t.UpdatedAt)}
}

// violationDTO is one place where a text departs from the glossary. Start and End are byte
// offsets into the checked text (UTF-8), -1 for a missing adopted wording.
type violationDTO struct {
	TermID  string `json:"term_id"`
	Kind    string `json:"kind"`
	Lang    string `json:"lang"`
	Wording string `json:"wording"`
	Start   int    `json:"start"`
	End     int    `json:"end"`
}

func violationsOut(vs []concord.GlossaryViolation) []violationDTO {
	out := make([]violationDTO, len(vs))
	for i, v := range vs {
		out[i] = violationDTO{TermID: v.TermID, Kind: v.Kind, Lang: v.Lang, Wording: v.Wording, Start: v.Start, End: v.End}
	}
	return out
}

// segmentDTO is one translated paragraph with the glossary violations of its target.
type segmentDTO struct {
	SegmentID  string         `json:"segment_id"`
	Index      int            `json:"index"`
	Source     string         `json:"source"`
	Target     string         `json:"target"`
	State      string         `json:"state"`
	Engine     string         `json:"engine"`
	Violations []violationDTO `json:"violations"`
}

// translationDetailDTO is a translation with its segments. SourceDiff is the word diff of
// the source body from the translated version to the current one, null when not outdated.
// TitleViolations are the glossary violations of the title, as the service finds them.
type translationDetailDTO struct {
	translationDTO
	Segments        []segmentDTO   `json:"segments"`
	SourceDiff      []diffOpDTO    `json:"source_diff"`
	TitleViolations []violationDTO `json:"title_violations"`
}

// translationView loads the newest translation of document id into lang, as the API shows it.
func (h *Handler) translationView(ctx context.Context, a *concord.Actor, id, lang string) (translationDetailDTO, error) {
	view, err := h.docs.Translation(ctx, a, id, lang)
	if err != nil {
		return translationDetailDTO{}, err
	}
	t := view.Translation
	out := translationDetailDTO{translationDTO: translationOut(t, view.Document.CurrentVersion.Number),
		Segments: make([]segmentDTO, len(t.Segments)), TitleViolations: []violationDTO{}}
	out.Outdated = view.Outdated
	for i, s := range t.Segments {
		out.Segments[i] = segmentDTO{SegmentID: s.SegmentID, Index: s.Index, Source: s.Source, Target: s.Target, State: string(s.State),
			Engine: s.Engine, Violations: violationsOut(view.Violations[s.SegmentID])}
	}
	if view.Outdated {
		out.SourceDiff = diffOut(view.SourceDiff)
	}
	if len(view.TitleViolations) > 0 {
		out.TitleViolations = violationsOut(view.TitleViolations)
	}
	return out, nil
}

// docAndLang reads the {id} and {lang} path values.
func docAndLang(r *http.Request) (id, lang string, err error) {
	if id, err = pathID(r, "id", "document"); err != nil {
		return "", "", err
	}
	lang, err = pathLang(r)
	return id, lang, err
}

func (h *Handler) listTranslations(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "document")
	if err != nil {
		return err
	}
	d, err := h.docs.Get(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	ts, err := h.docs.Translations(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	out := make([]translationDTO, len(ts))
	for i, t := range ts {
		out[i] = translationOut(t, d.CurrentVersion.Number)
	}
	return writeJSON(w, http.StatusOK, list(out))
}

func (h *Handler) getTranslation(w http.ResponseWriter, r *http.Request) error {
	id, lang, err := docAndLang(r)
	if err != nil {
		return err
	}
	return h.writeTranslation(w, r, id, lang)
}

// writeTranslation answers with the translation of document id into lang.
func (h *Handler) writeTranslation(w http.ResponseWriter, r *http.Request, id, lang string) error {
	out, err := h.translationView(r.Context(), actor(r), id, lang)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

func (h *Handler) startTranslation(w http.ResponseWriter, r *http.Request) error {
	id, lang, err := docAndLang(r)
	if err != nil {
		return err
	}
	if _, err := h.docs.StartTranslation(r.Context(), actor(r), id, lang); err != nil {
		return err
	}
	return h.writeTranslation(w, r, id, lang)
}

// segmentEdit is a translator's change to one segment. An empty target makes the segment
// untranslated again; reviewed confirms it.
type segmentEdit struct {
	SegmentID string `json:"segment_id"`
	Target    string `json:"target"`
	Reviewed  bool   `json:"reviewed"`
}

// translationPatch changes the title (absent, null or empty keeps it) and some segments.
type translationPatch struct {
	Title    *string       `json:"title"`
	Segments []segmentEdit `json:"segments"`
}

// maxSegmentEdits bounds the segments of one PATCH (a body of 200,000 characters has far fewer).
const maxSegmentEdits = 10_000

// maxSegmentID bounds a segment ID ("s" + 12 hex digits, "-N" for repeats).
const maxSegmentID = 64

// edits checks the patch and returns the service's input. The service checks the text too,
// but names every target "body"; here each problem names its segment.
func (p *translationPatch) edits(v *concord.Validation) (string, []documents.SegmentEdit) {
	title := ""
	if p.Title != nil {
		title = *p.Title
		checkText(v, "title", concord.CleanText(title), false, concord.MaxLine, false)
	}
	if len(p.Segments) > maxSegmentEdits {
		v.Add("segments", "error.too_many", "has too many segments", "max", strconv.Itoa(maxSegmentEdits))
		return "", nil
	}
	out := make([]documents.SegmentEdit, len(p.Segments))
	for i, e := range p.Segments {
		at := "segments." + strconv.Itoa(i)
		checkText(v, at+".segment_id", e.SegmentID, true, maxSegmentID, false)
		checkText(v, at+".target", e.Target, false, concord.MaxBody, true)
		out[i] = documents.SegmentEdit{SegmentID: e.SegmentID, Target: e.Target, Reviewed: e.Reviewed}
	}
	return title, out
}

func (h *Handler) patchTranslation(w http.ResponseWriter, r *http.Request) error {
	id, lang, err := docAndLang(r)
	if err != nil {
		return err
	}
	var p translationPatch
	if err := decode(r, &p); err != nil {
		return err
	}
	var v concord.Validation
	title, edits := p.edits(&v)
	if err := v.Err(); err != nil {
		return err
	}
	if _, err := h.docs.SaveSegments(r.Context(), actor(r), id, lang, title, edits); err != nil {
		return err
	}
	return h.writeTranslation(w, r, id, lang)
}

// machineRequest asks an engine to fill segments: the named engine or the first that
// translates the pair, and the listed segments or every eligible one.
type machineRequest struct {
	Engine     string   `json:"engine"`
	SegmentIDs []string `json:"segment_ids"`
}

func (h *Handler) machineTranslate(w http.ResponseWriter, r *http.Request) error {
	id, lang, err := docAndLang(r)
	if err != nil {
		return err
	}
	var req machineRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	var v concord.Validation
	checkText(&v, "engine", req.Engine, false, maxQueryLength, false)
	if len(req.SegmentIDs) > maxSegmentEdits {
		v.Add("segment_ids", "error.too_many", "has too many segments", "max", strconv.Itoa(maxSegmentEdits))
	} else {
		for i, s := range req.SegmentIDs {
			checkText(&v, "segment_ids."+strconv.Itoa(i), s, true, maxSegmentID, false)
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	if _, err := h.docs.MachineTranslate(r.Context(), actor(r), id, lang, req.Engine, req.SegmentIDs); err != nil {
		return err
	}
	return h.writeTranslation(w, r, id, lang)
}

// suggestionDTO is a translation memory match for a segment's source: score 1 is exact.
type suggestionDTO struct {
	Text   string  `json:"text"`
	Score  float64 `json:"score"`
	Origin string  `json:"origin"`
	Kind   string  `json:"kind"`
}

func (h *Handler) listSuggestions(w http.ResponseWriter, r *http.Request) error {
	id, lang, err := docAndLang(r)
	if err != nil {
		return err
	}
	q := newQuery(r)
	segID := q.str("segment_id", maxSegmentID)
	if segID == "" && q.values.Get("segment_id") == "" {
		q.v.Add("segment_id", "error.missing", "is required")
	}
	if err := q.err(); err != nil {
		return err
	}
	d, err := h.docs.Get(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	// Those who may not translate learn that before anything about the segment (Suggest
	// checks again).
	if _, err := documents.Authorize(actor(r), documents.ActTranslate, d, ""); err != nil {
		return err
	}
	source, found := "", false
	for _, s := range concord.Segments(d.CurrentVersion.Body) {
		if s.ID == segID {
			source, found = s.Text, true
			break
		}
	}
	if !found {
		var v concord.Validation
		v.Add("segment_id", "error.unknown_segment", "is not a segment of this version", "value", clip(segID))
		return v.Err()
	}
	sugg, err := h.docs.Suggest(r.Context(), actor(r), id, lang, source)
	if err != nil {
		return err
	}
	out := make([]suggestionDTO, len(sugg))
	for i, s := range sugg {
		out[i] = suggestionDTO{Text: s.Text, Score: s.Score, Origin: s.Origin, Kind: s.Kind}
	}
	return writeJSON(w, http.StatusOK, list(out))
}

// finalRequest marks a translation final; a reviewer may override glossary violations by
// giving a reason.
type finalRequest struct {
	OverrideReason string `json:"override_reason"`
}

func (h *Handler) markFinal(w http.ResponseWriter, r *http.Request) error {
	id, lang, err := docAndLang(r)
	if err != nil {
		return err
	}
	var req finalRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	var v concord.Validation
	checkText(&v, "override_reason", concord.CleanText(req.OverrideReason), false, concord.MaxLine, true)
	if err := v.Err(); err != nil {
		return err
	}
	if _, err := h.docs.MarkFinal(r.Context(), actor(r), id, lang, req.OverrideReason); err != nil {
		return err
	}
	return h.writeTranslation(w, r, id, lang)
}

// Exchange formats: what the exports are sent as and what the imports accept.
const (
	xliffMediaType = "application/x-xliff+xml"
	poMediaType    = "text/x-gettext-translation"
)

var (
	xliffUploadTypes = []string{xliffMediaType, "application/xliff+xml", "application/xml", "text/xml"}
	poUploadTypes    = []string{poMediaType, "text/x-po", "application/x-po", "text/plain"}
)

func (h *Handler) exportXLIFF(w http.ResponseWriter, r *http.Request) error {
	return h.export(w, r, xliffMediaType, "xlf", h.docs.ExportXLIFF)
}

func (h *Handler) exportPO(w http.ResponseWriter, r *http.Request) error {
	return h.export(w, r, poMediaType, "po", h.docs.ExportPO)
}

// export writes the current version's translation (started when there is none) as a file.
func (h *Handler) export(w http.ResponseWriter, r *http.Request, mediaType, ext string,
	write func(context.Context, *concord.Actor, string, string, io.Writer) error) error {
	id, lang, err := docAndLang(r)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := write(r.Context(), actor(r), id, lang, &buf); err != nil {
		return err
	}
	w.Header().Set("Content-Type", mediaType+"; charset=utf-8")
	w.Header().Set("Content-Disposition", documents.ContentDisposition(id+"."+lang+"."+ext))
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes()) // a failed write means the client left
	return nil
}

// importItemDTO is one rejected unit of an import, with the reason.
type importItemDTO struct {
	SegmentID string `json:"segment_id"`
	Code      string `json:"code"`
	Message   string `json:"message"`
}

// importReportDTO says what an import did. Imports are all or nothing: when a unit is
// rejected, applied is false, accepted is empty and nothing was changed.
type importReportDTO struct {
	Applied   bool            `json:"applied"`
	Accepted  []string        `json:"accepted"`
	Unchanged int             `json:"unchanged"`
	Rejected  []importItemDTO `json:"rejected"`
}

func (h *Handler) importXLIFF(w http.ResponseWriter, r *http.Request) error {
	return h.importFile(w, r, xliff.MaxFileSize, xliffUploadTypes, h.docs.ImportXLIFF)
}

func (h *Handler) importPO(w http.ResponseWriter, r *http.Request) error {
	return h.importFile(w, r, po.MaxFileSize, poUploadTypes, h.docs.ImportPO)
}

func (h *Handler) importFile(w http.ResponseWriter, r *http.Request, max int64, types []string,
	apply func(context.Context, *concord.Actor, string, string, io.Reader) (*documents.ImportReport, error)) error {
	id, lang, err := docAndLang(r)
	if err != nil {
		return err
	}
	data, err := readUpload(w, r, max, types...)
	if err != nil {
		return err
	}
	report, err := apply(r.Context(), actor(r), id, lang, bytes.NewReader(data))
	if err != nil {
		return err
	}
	loc := h.localizer(r)
	out := importReportDTO{Applied: report.Applied, Accepted: []string{}, Unchanged: report.Unchanged, Rejected: []importItemDTO{}}
	for _, it := range report.Accepted {
		out.Accepted = append(out.Accepted, it.SegmentID)
	}
	for _, it := range report.Rejected {
		out.Rejected = append(out.Rejected, importItemDTO{SegmentID: it.SegmentID, Code: it.Key,
			Message: loc.T(it.Key, "value", it.SegmentID, "field", it.SegmentID, "max", strconv.Itoa(concord.MaxBody))})
	}
	return writeJSON(w, http.StatusOK, out)
}

// engineDTO is a configured machine translation engine. Available is false when it cannot
// say which pairs it translates now (a missing program, a service that does not answer).
type engineDTO struct {
	Name      string    `json:"name"`
	Version   string    `json:"version"`
	Available bool      `json:"available"`
	Pairs     []pairDTO `json:"pairs"`
}

// pairDTO is a language pair an engine translates.
type pairDTO struct {
	Source string `json:"source"`
	Target string `json:"target"`
}

func (h *Handler) listEngines(w http.ResponseWriter, r *http.Request) error {
	engines := h.docs.AllEngines()
	out := make([]engineDTO, len(engines))
	for i, e := range engines {
		out[i] = engineDTO{Name: e.Name(), Pairs: []pairDTO{}}
		pairs, err := e.Pairs(r.Context())
		if err != nil {
			h.log.WarnContext(r.Context(), "machine translation engine unavailable", "engine", e.Name(), "err", err)
			continue
		}
		out[i].Available = true
		for _, p := range pairs {
			out[i].Pairs = append(out[i].Pairs, pairDTO{Source: p.Source, Target: p.Target})
		}
		if v, err := e.Version(r.Context()); err == nil {
			out[i].Version = v
		}
	}
	return writeJSON(w, http.StatusOK, list(out))
}
