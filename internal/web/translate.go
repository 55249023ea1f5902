package web

import (
	"bytes"
	"context"
	"html/template"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"concord"
	"concord/internal/documents"
	"concord/internal/httpx"
	"concord/internal/mt"
	"concord/internal/xliff"
)

// Bounds of the editor's extras: translation memory is searched for this many untranslated
// segments per page, and engines get this long to say what they can do.
const (
	maxSuggestedSegments = 40
	engineQueryTimeout   = 5 * time.Second
)

// maxImportBytes is the largest XLIFF or PO file accepted (both readers have the same limit).
const maxImportBytes = xliff.MaxFileSize

// targetLang returns the language tag in the path; a malformed one is not found.
func targetLang(r *http.Request) (string, error) {
	lang := r.PathValue("lang")
	if !concord.ValidLangTag(lang) {
		return "", notFound()
	}
	return lang, nil
}

// translatePage is the data of the translator's editor.
type translatePage struct {
	Doc         *concord.Document
	Lang        string
	Dir         string // of the target language
	Trans       *concord.Translation
	Outdated    *concord.Translation // the newest translation, of an earlier version, when there is no current one
	SourceDiff  []diffBlock          // changes of the source since the outdated or "since" version
	Since       int                  // the version the carried-over translation was made for
	Rows        []segRow
	TitleIssues []violation
	TitleMarked template.HTML
	Issues      int // glossary violations in all
	Engines     []engineInfo
	Configured  bool // any engine is configured at all
	CanReview   bool
	Report      *importReport
	MaxImport   string
}

// segRow is one segment in the editor.
type segRow struct {
	Seg         concord.TranslationSegment
	FieldID     string
	SourceHTML  template.HTML
	Target      string
	Reviewed    bool
	Issues      []violation
	Marked      template.HTML // the target with forbidden wordings marked, when there are any
	Suggestions []documents.Suggestion
	CanMachine  bool // untranslated or unreviewed machine output: an engine may fill it
}

// engineInfo is a machine translation engine that can translate the pair at hand.
type engineInfo struct {
	Name, Version string
}

// importReport is what an import did, with paragraph numbers for the segment IDs.
type importReport struct {
	Applied   bool
	Accepted  int
	Unchanged int
	Rejected  []importProblem
}

// importProblem is one rejected unit of an imported file, with the reason naming it ("§ 3",
// the title, or the unit ID of the file).
type importProblem struct {
	Reason string
}

// translatable loads a document the person may translate into lang.
func (h *Handler) translatable(r *http.Request) (*concord.Document, string, error) {
	if _, err := loggedIn(r); err != nil {
		return nil, "", err
	}
	id, err := docID(r)
	if err != nil {
		return nil, "", err
	}
	lang, err := targetLang(r)
	if err != nil {
		return nil, "", err
	}
	a := actor(r)
	d, err := h.docs.Get(r.Context(), a, id)
	if err != nil {
		return nil, "", err
	}
	if _, err := documents.Authorize(a, documents.ActTranslate, d, ""); err != nil {
		return nil, "", err
	}
	if lang == d.SourceLang {
		var v concord.Validation
		v.Add("lang", "error.same_language", "is the source language")
		return nil, "", v.Err()
	}
	return d, lang, nil
}

// translateChoose sends the "translate into…" form to the editor of the chosen language.
func (h *Handler) translateChoose(w http.ResponseWriter, r *http.Request) error {
	if _, err := loggedIn(r); err != nil {
		return err
	}
	id, err := docID(r)
	if err != nil {
		return err
	}
	lang := strings.TrimSpace(r.URL.Query().Get("lang"))
	if !concord.ValidLangTag(lang) {
		return badRequest("lang")
	}
	http.Redirect(w, r, "/documents/"+id+"/translate/"+url.PathEscape(lang), http.StatusSeeOther)
	return nil
}

// translateEditor shows the translation of the current version into a language: the
// side-by-side editor when it exists, else a button to start it. Showing never writes.
func (h *Handler) translateEditor(w http.ResponseWriter, r *http.Request) error {
	d, lang, err := h.translatable(r)
	if err != nil {
		return err
	}
	since, _ := strconv.Atoi(r.URL.Query().Get("since"))
	return h.renderEditor(w, r, http.StatusOK, d, lang, nil, since, nil)
}

// renderEditor renders the editor. f holds submitted values and problems (nil: the stored
// translation); since asks for the source changes since that version; report is the result
// of an import.
func (h *Handler) renderEditor(w http.ResponseWriter, r *http.Request, status int, d *concord.Document, lang string, f *Form, since int, report *importReport) error {
	p, err := h.loadEditor(r, d, lang, f, since)
	if err != nil {
		return err
	}
	p.Report = report
	if f == nil {
		f = newForm(editorValues(p.Trans))
	}
	for i := range p.Rows {
		row := &p.Rows[i]
		row.Target = f.Value("t." + row.Seg.SegmentID)
		row.Reviewed = f.Value("r."+row.Seg.SegmentID) == "1"
	}
	l := state(r).l
	title := l.T("translate.title", "lang", h.names.language(l.Tag(), lang), "title", d.Title())
	return h.renderForm(w, r, status, "translate", title, f, p)
}

// editorValues fills the editor's form from a stored translation.
func editorValues(t *concord.Translation) url.Values {
	v := url.Values{}
	if t == nil {
		return v
	}
	v.Set("title", t.Title)
	for _, sg := range t.Segments {
		v.Set("t."+sg.SegmentID, sg.Target)
		if sg.State == concord.SegReviewed {
			v.Set("r."+sg.SegmentID, "1")
		}
	}
	return v
}

// loadEditor gathers the editor's data.
func (h *Handler) loadEditor(r *http.Request, d *concord.Document, lang string, f *Form, since int) (*translatePage, error) {
	ctx, a, l := r.Context(), actor(r), state(r).l
	p := &translatePage{Doc: d, Lang: lang, Dir: langDir(lang), CanReview: documents.Can(a, documents.ActReview, d),
		MaxImport: formatSize(l, maxImportBytes)}
	tv, err := h.docs.Translation(ctx, a, d.ID, lang)
	switch {
	case concord.ErrorCode(err) == concord.ENOTFOUND:
	case err != nil:
		return nil, err
	case tv.Outdated:
		p.Outdated = tv.Translation
		p.SourceDiff = diffBlocks(tv.SourceDiff)
	default:
		p.Trans = tv.Translation
	}
	p.Configured = len(h.docs.AllEngines()) > 0
	if p.Configured {
		ectx, cancel := context.WithTimeout(ctx, engineQueryTimeout)
		for _, e := range h.docs.Engines(ectx, d.SourceLang, lang) {
			info := engineInfo{Name: e.Name()}
			if ap, ok := e.(*mt.Apertium); ok {
				info.Version, _ = ap.PairVersion(ectx, mt.Pair{Source: d.SourceLang, Target: lang})
			} else {
				info.Version, _ = e.Version(ectx)
			}
			p.Engines = append(p.Engines, info)
		}
		cancel()
	}
	if p.Trans == nil {
		return p, nil
	}
	if since > 0 && since < d.CurrentVersion.Number {
		if _, ops, err := h.docs.Diff(ctx, a, d.ID, since, d.CurrentVersion.Number); err == nil {
			p.Since, p.SourceDiff = since, diffBlocks(ops)
		}
	}
	terms, err := h.docs.Glossary(ctx, a)
	if err != nil {
		return nil, err
	}
	title := p.Trans.Title
	if f != nil {
		title = f.Value("title")
	}
	if vs := concord.CheckText(terms, lang, title); len(vs) > 0 {
		p.TitleIssues, p.TitleMarked = explain(terms, lang, vs), highlight(l, title, vs)
		p.Issues += len(vs)
	}
	var sources []string
	for _, sg := range p.Trans.Segments {
		if sg.State == concord.SegUntranslated && len(sources) < maxSuggestedSegments {
			sources = append(sources, sg.Source)
		}
	}
	suggestions, err := h.docs.SuggestMany(ctx, a, d.ID, lang, sources)
	if err != nil {
		return nil, err
	}
	for _, sg := range p.Trans.Segments {
		row := segRow{Seg: sg, FieldID: fieldID("t." + sg.SegmentID),
			CanMachine: sg.State == concord.SegUntranslated || sg.State == concord.SegMachine}
		if html, err := h.md.RenderInline(sg.Source); err == nil {
			row.SourceHTML = html
		} else {
			row.SourceHTML = template.HTML(template.HTMLEscapeString(sg.Source))
		}
		target := sg.Target
		if f != nil {
			target = f.Value("t." + sg.SegmentID)
		}
		if strings.TrimSpace(target) != "" {
			if vs := concord.CheckTranslation(terms, d.SourceLang, sg.Source, lang, target); len(vs) > 0 {
				row.Issues = explain(terms, lang, vs)
				p.Issues += len(vs)
				for _, v := range vs {
					if v.Start >= 0 {
						row.Marked = highlight(l, target, vs)
						break
					}
				}
			}
		}
		if sg.State == concord.SegUntranslated {
			row.Suggestions = suggestions[sg.Source]
		}
		p.Rows = append(p.Rows, row)
	}
	return p, nil
}

// translateStart starts (or reopens) the translation of the current version. Paragraphs
// that did not change since an earlier translation keep their text; the editor then shows
// what changed in the source since that version.
func (h *Handler) translateStart(w http.ResponseWriter, r *http.Request) error {
	d, lang, err := h.translatable(r)
	if err != nil {
		return err
	}
	ctx, a := r.Context(), actor(r)
	since := 0
	if tv, err := h.docs.Translation(ctx, a, d.ID, lang); err == nil && tv.Outdated {
		since = tv.Translation.VersionNumber
	}
	if _, err := h.docs.StartTranslation(ctx, a, d.ID, lang); err != nil {
		if !fixable(err) {
			return err
		}
		f := newForm(nil)
		h.absorb(r, f, err)
		return h.renderEditor(w, r, httpx.Status(concord.ErrorCode(err)), d, lang, f, 0, nil)
	}
	to := h.editorPath(d.ID, lang)
	if since > 0 {
		to += "?since=" + strconv.Itoa(since)
	}
	return redirect(w, r, to, "started")
}

func (h *Handler) editorPath(docID, lang string) string {
	return "/documents/" + docID + "/translate/" + url.PathEscape(lang)
}

// translateSave stores the editor's form (the title and every segment a person changed) and
// then does what the pressed button asks: machine translation of one or all segments,
// taking a translation memory suggestion, or marking the translation final.
func (h *Handler) translateSave(w http.ResponseWriter, r *http.Request) error {
	d, lang, err := h.translatable(r)
	if err != nil {
		return err
	}
	ctx, a, l := r.Context(), actor(r), state(r).l
	tv, err := h.docs.Translation(ctx, a, d.ID, lang)
	if err != nil {
		return err
	}
	submitted := newForm(r.PostForm)
	if tv.Outdated {
		submitted.Message = l.T("translate.outdated_save")
		return h.renderEditor(w, r, http.StatusConflict, d, lang, submitted, 0, nil)
	}
	t := tv.Translation
	fr := &formReader{r: r}
	title := fr.text("title")
	do := r.PostFormValue("do")
	useSeg, useText := "", ""
	for k := range r.PostForm {
		if id, ok := strings.CutPrefix(k, "use."); ok {
			useSeg, useText = id, strings.TrimSpace(r.PostForm.Get(k))
		}
	}
	var edits []documents.SegmentEdit
	for _, sg := range t.Segments {
		key := "t." + sg.SegmentID
		if _, ok := r.PostForm[key]; !ok && sg.SegmentID != useSeg {
			continue
		}
		target := strings.TrimSpace(strings.ReplaceAll(fr.text(key), "\r\n", "\n"))
		reviewed := r.PostFormValue("r."+sg.SegmentID) == "1"
		if sg.SegmentID == useSeg {
			target, reviewed = useText, false
			submitted.Set(key, useText)
		}
		if target == sg.Target && reviewed == (sg.State == concord.SegReviewed) {
			continue // untouched: unreviewed machine output stays machine output
		}
		edits = append(edits, documents.SegmentEdit{SegmentID: sg.SegmentID, Target: target, Reviewed: reviewed})
	}
	err = fr.err()
	if err == nil && (len(edits) > 0 || (title != "" && title != t.Title)) {
		_, err = h.docs.SaveSegments(ctx, a, d.ID, lang, title, edits)
	}
	notice, fragment := "translation", ""
	if useSeg != "" {
		fragment = "row-" + useSeg
	}
	if err == nil {
		engine := r.PostFormValue("engine")
		switch {
		case do == "final":
			reason := ""
			if documents.Can(a, documents.ActReview, d) {
				reason = fr.text("override_reason")
			}
			_, err = h.docs.MarkFinal(ctx, a, d.ID, lang, reason)
			notice = "final"
		case do == "mt_all":
			_, err = h.docs.MachineTranslate(ctx, a, d.ID, lang, engine, nil)
			notice = "machine"
		case strings.HasPrefix(do, "mt:"):
			seg := strings.TrimPrefix(do, "mt:")
			_, err = h.docs.MachineTranslate(ctx, a, d.ID, lang, engine, []string{seg})
			notice, fragment = "machine", "row-"+seg
		}
	}
	if err != nil {
		if !fixable(err) {
			return err
		}
		h.absorb(r, submitted, h.editorProblem(err))
		if concord.ErrorCode(err) == concord.EINVALID && concord.AsError(err).Key == "error.glossary_violations" {
			if err := h.listViolations(r, d, lang, submitted); err != nil {
				return err
			}
		}
		return h.renderEditor(w, r, httpx.Status(concord.ErrorCode(err)), d, lang, submitted, 0, nil)
	}
	to := h.editorPath(d.ID, lang)
	if fragment != "" {
		to += "#" + fragment
	}
	return redirect(w, r, to, notice)
}

// editorProblem moves the problems of the editor's fields to their controls: the title, and
// segment texts (which the service names "-").
func (h *Handler) editorProblem(err error) error {
	e := concord.AsError(err)
	if e == nil || len(e.Fields) == 0 {
		return err
	}
	var v concord.Validation
	for _, fe := range e.Fields {
		name := fe.Field
		if name == "-" || name == "body" {
			name = "segments"
		}
		kv := make([]string, 0, 2*len(fe.Params))
		for k, val := range fe.Params {
			kv = append(kv, k, val)
		}
		v.Add(name, fe.Key, fe.Message, kv...)
	}
	return v.Err()
}

// listViolations adds every glossary violation of the stored translation to the error
// summary, each linking to its segment.
func (h *Handler) listViolations(r *http.Request, d *concord.Document, lang string, f *Form) error {
	ctx, a, l := r.Context(), actor(r), state(r).l
	tv, err := h.docs.Translation(ctx, a, d.ID, lang)
	if err != nil {
		return err
	}
	terms, err := h.docs.Glossary(ctx, a)
	if err != nil {
		return err
	}
	for _, x := range explain(terms, lang, concord.CheckText(terms, lang, tv.Translation.Title)) {
		f.Problems = append(f.Problems, Problem{Anchor: "#" + fieldID("title"),
			Message: l.T("form.problem", "field", l.T("field.translated_title"), "message", violationText(l, x))})
	}
	for _, sg := range tv.Translation.Segments {
		for _, x := range explain(terms, lang, tv.Violations[sg.SegmentID]) {
			f.Problems = append(f.Problems, Problem{Anchor: "#" + fieldID("t."+sg.SegmentID),
				Message: l.T("form.problem", "field", l.T("translate.paragraph", "n", strconv.Itoa(sg.Index)), "message", violationText(l, x))})
		}
	}
	return nil
}

// ViolationText explains a glossary violation in a sentence, with the wordings isolated
// (bdi) so that a Spanish wording in an Arabic sentence keeps its own direction.
func (v *view) ViolationText(x violation) template.HTML {
	const mark = "\x00"
	marked := violation{Kind: x.Kind, Wording: mark + "0" + mark, Adopted: mark + "1" + mark, Concept: mark + "2" + mark}
	s := template.HTMLEscapeString(violationText(v.l, marked))
	for i, w := range []string{x.Wording, x.Adopted, x.Concept} {
		s = strings.ReplaceAll(s, template.HTMLEscapeString(mark+strconv.Itoa(i)+mark), "<bdi>"+template.HTMLEscapeString(w)+"</bdi>")
	}
	return template.HTML(s)
}

func violationText(l interface {
	T(string, ...any) string
}, x violation) string {
	switch {
	case x.Kind == "missing":
		return l.T("glossary.missing", "wording", x.Wording, "concept", x.Concept)
	case x.Adopted != "":
		return l.T("glossary.forbidden_use", "wording", x.Wording, "adopted", x.Adopted)
	}
	return l.T("glossary.forbidden", "wording", x.Wording)
}

// exportable loads the current translation for an export; exporting never starts one.
func (h *Handler) exportable(r *http.Request) (*concord.Document, string, error) {
	d, lang, err := h.translatable(r)
	if err != nil {
		return nil, "", err
	}
	tv, err := h.docs.Translation(r.Context(), actor(r), d.ID, lang)
	if err != nil {
		return nil, "", err
	}
	if tv.Outdated {
		return nil, "", concord.NotFound("translation")
	}
	return d, lang, nil
}

// exportName is the file name of an exchange file.
func exportName(d *concord.Document, lang, ext string) string {
	return "concord-" + d.ID[:min(8, len(d.ID))] + "-v" + strconv.Itoa(d.CurrentVersion.Number) + "-" + lang + ext
}

// exportXLIFF sends the translation as an XLIFF 1.2 file for CAT tools.
func (h *Handler) exportXLIFF(w http.ResponseWriter, r *http.Request) error {
	d, lang, err := h.exportable(r)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := h.docs.ExportXLIFF(r.Context(), actor(r), d.ID, lang, &buf); err != nil {
		return err
	}
	sendFile(w, "application/xliff+xml; charset=utf-8", exportName(d, lang, ".xlf"), buf.Bytes())
	return nil
}

// exportPO sends the translation as a gettext PO file.
func (h *Handler) exportPO(w http.ResponseWriter, r *http.Request) error {
	d, lang, err := h.exportable(r)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := h.docs.ExportPO(r.Context(), actor(r), d.ID, lang, &buf); err != nil {
		return err
	}
	sendFile(w, "text/x-gettext-translation; charset=utf-8", exportName(d, lang, ".po"), buf.Bytes())
	return nil
}

// sendFile writes a generated file as a download.
func sendFile(w http.ResponseWriter, contentType, name string, content []byte) {
	hdr := w.Header()
	hdr.Set("Content-Type", contentType)
	hdr.Set("Content-Disposition", documents.ContentDisposition(name))
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Cache-Control", "private, no-store")
	hdr.Set("Content-Length", strconv.Itoa(len(content)))
	_, _ = w.Write(content)
}

// translateImport applies an XLIFF or PO file to the translation and shows what was
// accepted and rejected. Imports are all or nothing.
func (h *Handler) translateImport(w http.ResponseWriter, r *http.Request) error {
	d, lang, err := h.translatable(r)
	if err != nil {
		return err
	}
	ctx, a, l := r.Context(), actor(r), state(r).l
	file, hdr, err := parseUpload(r, "file", maxImportBytes)
	var rep *documents.ImportReport
	if err == nil {
		defer file.Close()
		head := make([]byte, 512)
		n, _ := file.Read(head)
		_, _ = file.Seek(0, 0)
		ext := strings.ToLower(path.Ext(hdr.Filename))
		isXML := ext == ".xlf" || ext == ".xliff" || ext == ".xml" ||
			(ext != ".po" && ext != ".pot" && bytes.HasPrefix(bytes.TrimLeft(bytes.TrimPrefix(head[:n], []byte("\xEF\xBB\xBF")), " \t\r\n"), []byte("<")))
		if isXML {
			rep, err = h.docs.ImportXLIFF(ctx, a, d.ID, lang, file)
		} else {
			rep, err = h.docs.ImportPO(ctx, a, d.ID, lang, file)
		}
	}
	if err != nil {
		err = onField(err, "file")
		if !fixable(err) {
			return err
		}
		f := newForm(nil)
		h.absorb(r, f, err)
		return h.renderEditor(w, r, httpx.Status(concord.ErrorCode(err)), d, lang, f, 0, nil)
	}
	report := &importReport{Applied: rep.Applied, Accepted: len(rep.Accepted), Unchanged: rep.Unchanged}
	index := map[string]int{}
	if tv, err := h.docs.Translation(ctx, a, d.ID, lang); err == nil {
		for _, sg := range tv.Translation.Segments {
			index[sg.SegmentID] = sg.Index
		}
	}
	for _, it := range rep.Rejected {
		unit := it.SegmentID
		switch n, ok := index[it.SegmentID]; {
		case it.SegmentID == "title":
			unit = l.T("field.translated_title")
		case ok:
			unit = l.T("translate.paragraph", "n", strconv.Itoa(n))
		}
		report.Rejected = append(report.Rejected, importProblem{
			Reason: l.T(it.Key, "value", unit, "field", unit, "max", strconv.Itoa(concord.MaxBody))})
	}
	status := http.StatusOK
	if len(report.Rejected) > 0 {
		status = http.StatusUnprocessableEntity
	}
	return h.renderEditor(w, r, status, d, lang, nil, 0, report)
}
