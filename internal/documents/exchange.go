package documents

import (
	"context"
	"io"
	"strings"

	"concord"
	"concord/internal/po"
	"concord/internal/sqldb"
	"concord/internal/xliff"
)

// exchangeID names a document version in exchange files: an import is matched against it, so
// a file made for another version (another source hash) is refused whole.
func exchangeID(d *concord.Document) string {
	return "concord:document/" + d.ID + "/version/" + d.CurrentVersion.Hash
}

// ExportXLIFF writes the current version's translation into lang as XLIFF 1.2.
func (s *Service) ExportXLIFF(ctx context.Context, a *concord.Actor, docID, lang string, w io.Writer) error {
	d, t, err := s.exportable(ctx, a, docID, lang)
	if err != nil {
		return err
	}
	f := xliff.File{Original: exchangeID(d), SourceLang: d.SourceLang, TargetLang: lang, Tool: "concord"}
	f.Units = append(f.Units, xliff.Unit{ID: "title", Source: d.CurrentVersion.Title, Target: t.Title, State: xliffState(t.Title, concord.SegTranslated)})
	for _, sg := range t.Segments {
		u := xliff.Unit{ID: sg.SegmentID, Source: sg.Source, Target: sg.Target, State: xliffState(sg.Target, sg.State)}
		if sg.State == concord.SegMachine {
			u.Note = "machine translation (" + sg.Engine + "), not reviewed"
		}
		f.Units = append(f.Units, u)
	}
	return xliff.Write(w, f)
}

func xliffState(target string, st concord.SegmentState) string {
	switch {
	case target == "":
		return ""
	case st == concord.SegReviewed:
		return "final"
	case st == concord.SegMachine:
		return "needs-review-translation"
	}
	return "translated"
}

// ExportPO writes the current version's translation into lang as a gettext PO file.
func (s *Service) ExportPO(ctx context.Context, a *concord.Actor, docID, lang string, w io.Writer) error {
	d, t, err := s.exportable(ctx, a, docID, lang)
	if err != nil {
		return err
	}
	f := po.File{Header: map[string]string{"Project-Id-Version": d.CurrentVersion.Title, "Language": lang,
		"Content-Type": "text/plain; charset=UTF-8", "X-Concord-Original": exchangeID(d), "X-Source-Language": d.SourceLang}}
	// The segment ID goes into msgctxt and, for tools that drop contexts (translate-toolkit's
	// po2xliff), into a "#:" reference too.
	f.Entries = append(f.Entries, po.Entry{Context: "title", Refs: []string{"title"}, ID: d.CurrentVersion.Title, Str: t.Title})
	for _, sg := range t.Segments {
		e := po.Entry{Context: sg.SegmentID, Refs: []string{sg.SegmentID}, ID: sg.Source, Str: sg.Target, Fuzzy: sg.State == concord.SegMachine}
		if sg.State == concord.SegMachine {
			e.Extracted = []string{"machine translation (" + sg.Engine + "), not reviewed"}
		}
		f.Entries = append(f.Entries, e)
	}
	return po.Write(w, f)
}

func (s *Service) exportable(ctx context.Context, a *concord.Actor, docID, lang string) (*concord.Document, *concord.Translation, error) {
	t, err := s.StartTranslation(ctx, a, docID, lang)
	if err != nil {
		return nil, nil, err
	}
	d, err := s.Get(ctx, a, docID)
	return d, t, err
}

// ImportItem is one unit of an imported file and what happened to it.
type ImportItem struct {
	SegmentID string
	Key       string // i18n key of the reason when rejected: error.unknown_segment, error.source_changed
	Message   string
}

// ImportReport says what an import accepted and rejected. Imports are all or nothing: when
// any unit is rejected, nothing is applied.
type ImportReport struct {
	Accepted  []ImportItem
	Unchanged int
	Rejected  []ImportItem
	Applied   bool
}

type importUnit struct {
	id, source, target string
	reviewed           bool
}

// ImportXLIFF applies an XLIFF 1.2 file to the current version's translation into lang.
func (s *Service) ImportXLIFF(ctx context.Context, a *concord.Actor, docID, lang string, r io.Reader) (*ImportReport, error) {
	f, err := xliff.Read(r)
	if err != nil {
		return nil, err
	}
	if f.TargetLang != "" && !sameLang(f.TargetLang, lang) {
		return nil, &concord.Error{Code: concord.EINVALID, Key: "error.import_language", Message: "the file is for another language",
			Params: map[string]string{"value": f.TargetLang}}
	}
	units := make([]importUnit, 0, len(f.Units))
	for _, u := range f.Units {
		units = append(units, importUnit{id: u.ID, source: u.Source, target: u.Target, reviewed: u.State == "final" || u.State == "signed-off"})
	}
	return s.importUnits(ctx, a, docID, lang, f.Original, units)
}

// ImportPO applies a gettext PO file to the current version's translation into lang.
func (s *Service) ImportPO(ctx context.Context, a *concord.Actor, docID, lang string, r io.Reader) (*ImportReport, error) {
	f, err := po.Read(r)
	if err != nil {
		return nil, err
	}
	if l := f.Header["Language"]; l != "" && !sameLang(l, lang) {
		return nil, &concord.Error{Code: concord.EINVALID, Key: "error.import_language", Message: "the file is for another language",
			Params: map[string]string{"value": l}}
	}
	units := make([]importUnit, 0, len(f.Entries))
	for _, e := range f.Entries {
		target := e.Str
		if e.Fuzzy {
			target = "" // fuzzy entries are not translations yet
		}
		units = append(units, importUnit{id: e.SegmentID(), source: e.ID, target: target})
	}
	return s.importUnits(ctx, a, docID, lang, f.Header["X-Concord-Original"], units)
}

func sameLang(a, b string) bool {
	base := func(s string) string {
		x, _, _ := strings.Cut(strings.ToLower(strings.ReplaceAll(s, "_", "-")), "-")
		return x
	}
	return strings.EqualFold(a, b) || base(a) == base(b)
}

func (s *Service) importUnits(ctx context.Context, a *concord.Actor, docID, lang, original string, units []importUnit) (*ImportReport, error) {
	if _, err := s.StartTranslation(ctx, a, docID, lang); err != nil {
		return nil, err
	}
	report := &ImportReport{}
	_, err := s.updateTranslation(ctx, a, docID, lang, "translation.import", func(tx *sqldb.Tx, d *concord.Document, t *concord.Translation) (map[string][2]string, error) {
		if original != exchangeID(d) {
			return nil, &concord.Error{Code: concord.EINVALID, Key: "error.import_version",
				Message: "the file was exported from another version of the text (its source hash differs)"}
		}
		byID := map[string]*concord.TranslationSegment{}
		for i := range t.Segments {
			byID[t.Segments[i].SegmentID] = &t.Segments[i]
		}
		changes := map[string][2]string{}
		type edit struct {
			seg      *concord.TranslationSegment
			target   string
			reviewed bool
		}
		var edits []edit
		title := ""
		for _, u := range units {
			target := strings.TrimSpace(strings.ReplaceAll(u.target, "\r\n", "\n"))
			if u.id == "title" {
				if u.source != d.CurrentVersion.Title {
					report.Rejected = append(report.Rejected, ImportItem{SegmentID: u.id, Key: "error.source_changed", Message: "the source text differs"})
					continue
				}
				title = target
				continue
			}
			seg, ok := byID[u.id]
			switch {
			case !ok:
				report.Rejected = append(report.Rejected, ImportItem{SegmentID: u.id, Key: "error.unknown_segment", Message: "no such segment in this version"})
			case strings.TrimSpace(u.source) != strings.TrimSpace(seg.Source):
				report.Rejected = append(report.Rejected, ImportItem{SegmentID: u.id, Key: "error.source_changed", Message: "the source text differs"})
			case target == "" || target == seg.Target:
				report.Unchanged++
			default:
				if len([]rune(target)) > concord.MaxBody {
					report.Rejected = append(report.Rejected, ImportItem{SegmentID: u.id, Key: "error.too_long", Message: "target too long"})
					continue
				}
				edits = append(edits, edit{seg, target, u.reviewed})
				report.Accepted = append(report.Accepted, ImportItem{SegmentID: u.id})
			}
		}
		if len(report.Rejected) > 0 {
			report.Accepted = nil
			return nil, nil // all or nothing: apply nothing, return the report
		}
		for _, e := range edits {
			state := concord.SegTranslated
			if e.reviewed {
				state = concord.SegReviewed
			}
			changes["segment."+e.seg.SegmentID] = [2]string{clipText(e.seg.Target, 80), clipText(e.target, 80)}
			e.seg.Target, e.seg.State = e.target, state
		}
		if title != "" && title != t.Title {
			changes["title"] = [2]string{t.Title, title}
			t.Title = title
		}
		if len(changes) > 0 {
			report.Applied = true
			t.TranslatorID = a.PersonID()
			if t.Status == concord.TransFinal {
				t.Status = concord.TransDraft
			}
		}
		return changes, nil
	})
	if err != nil {
		return nil, err
	}
	return report, nil
}
