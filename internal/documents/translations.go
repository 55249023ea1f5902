package documents

import (
	"context"
	"strconv"
	"strings"
	"time"

	"concord"
	"concord/internal/mt"
	"concord/internal/sqldb"
)

// TranslationView is what the translator's editor and the reader need about a translation.
type TranslationView struct {
	Document    *concord.Document
	Translation *concord.Translation
	Outdated    bool                                   // made for an earlier version than the current one
	SourceDiff  []concord.DiffOp                       // body changes since the translated version, when outdated
	Violations  map[string][]concord.GlossaryViolation // by segment ID, in the target text
	// TitleViolations are the glossary violations of the translated title (MarkFinal counts
	// them too).
	TitleViolations []concord.GlossaryViolation
}

// Translation returns the newest translation of a document into lang (possibly of an
// earlier version: then Outdated is set and SourceDiff shows what changed since).
func (s *Service) Translation(ctx context.Context, a *concord.Actor, docID, lang string) (*TranslationView, error) {
	d, err := s.Get(ctx, a, docID)
	if err != nil {
		return nil, err
	}
	var view *TranslationView
	err = s.db.View(ctx, func(tx *sqldb.Tx) error {
		all, err := tx.LatestTranslations(docID, false)
		if err != nil {
			return err
		}
		for _, t := range all {
			if t.Lang != lang || (t.Status != concord.TransFinal && !a.IsMember()) {
				continue
			}
			view = &TranslationView{Document: d, Translation: t, Outdated: t.VersionID != d.CurrentVersion.ID}
			if view.Outdated {
				old, err := tx.GetVersionByID(t.VersionID)
				if err != nil {
					return err
				}
				view.SourceDiff = concord.DiffWords(old.Body, d.CurrentVersion.Body)
			}
			terms, err := tx.ListGlossaryTerms()
			if err != nil {
				return err
			}
			view.Violations = checkSegments(terms, d.SourceLang, lang, t.Segments)
			view.TitleViolations = concord.CheckText(terms, lang, t.Title)
			return nil
		}
		return concord.NotFound("translation")
	})
	return view, err
}

// Translations lists the newest translation per language of a document.
func (s *Service) Translations(ctx context.Context, a *concord.Actor, docID string) ([]*concord.Translation, error) {
	if _, err := s.Get(ctx, a, docID); err != nil {
		return nil, err
	}
	var out []*concord.Translation
	err := s.db.View(ctx, func(tx *sqldb.Tx) (err error) {
		// Work in progress is for members; the public reads final translations only.
		out, err = tx.LatestTranslations(docID, !a.IsMember())
		return err
	})
	return out, err
}

func checkSegments(terms []concord.GlossaryTerm, sourceLang, lang string, segs []concord.TranslationSegment) map[string][]concord.GlossaryViolation {
	out := map[string][]concord.GlossaryViolation{}
	for _, sg := range segs {
		if strings.TrimSpace(sg.Target) == "" {
			continue
		}
		if vs := concord.CheckTranslation(terms, sourceLang, sg.Source, lang, sg.Target); len(vs) > 0 {
			out[sg.SegmentID] = vs
		}
	}
	return out
}

// StartTranslation opens (or returns) the translation of the current version into lang. Its
// segments come from the source; where the translation of an earlier version had the same
// segment (same content ID), its target is carried over, so only changed paragraphs need work.
func (s *Service) StartTranslation(ctx context.Context, a *concord.Actor, docID, lang string) (*concord.Translation, error) {
	if !concord.ValidLangTag(lang) {
		var v concord.Validation
		v.Add("lang", "error.lang", "is not a language tag", "value", lang)
		return nil, v.Err()
	}
	now := s.clock.Now()
	var out *concord.Translation
	err := s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		d, m, err := translatable(tx, a, docID)
		if err != nil {
			return err
		}
		if lang == d.SourceLang {
			var v concord.Validation
			v.Add("lang", "error.same_language", "is the source language")
			return v.Err()
		}
		if t, err := tx.GetTranslation(d.CurrentVersion.ID, lang); err == nil {
			out = t
			return nil
		} else if concord.ErrorCode(err) != concord.ENOTFOUND {
			return err
		}
		prev := map[string]concord.TranslationSegment{}
		var earlier *concord.Translation
		if all, err := tx.LatestTranslations(docID, false); err != nil {
			return err
		} else {
			for _, t := range all {
				if t.Lang == lang {
					earlier = t
					for _, sg := range t.Segments {
						prev[sg.SegmentID] = sg
					}
				}
			}
		}
		t := &concord.Translation{ID: concord.NewID(now), DocumentID: d.ID, VersionID: d.CurrentVersion.ID, VersionNumber: d.CurrentVersion.Number,
			Lang: lang, Status: concord.TransDraft, TranslatorID: a.PersonID(), TranslatorOrgID: m.OrgID, CreatedAt: now, UpdatedAt: now}
		if earlier != nil {
			// Carried-over machine segments keep naming the engine that wrote them.
			t.Title, t.Engine, t.EngineVersion = earlier.Title, earlier.Engine, earlier.EngineVersion
		}
		for _, sg := range concord.Segments(d.CurrentVersion.Body) {
			ts := concord.TranslationSegment{SegmentID: sg.ID, Index: sg.Index, Source: sg.Text, State: concord.SegUntranslated}
			if p, ok := prev[sg.ID]; ok && p.State != concord.SegUntranslated {
				ts.Target, ts.State, ts.Engine = p.Target, p.State, p.Engine
			}
			t.Segments = append(t.Segments, ts)
		}
		html, err := s.render(t.Body())
		if err != nil {
			return err
		}
		if err := tx.InsertTranslation(t, html); err != nil {
			return err
		}
		out = t
		return audit(tx, now, a, m, d.IssuerOrgID, "translation.start", "translation", t.ID, map[string][2]string{
			"document_id": {"", d.ID}, "lang": {"", lang}, "version": {"", d.CurrentVersion.Hash}})
	})
	return out, err
}

// SegmentEdit is a translator's change to one segment.
type SegmentEdit struct {
	SegmentID string
	Target    string
	Reviewed  bool // the translator confirms the segment (a reviewed machine segment stays credited to its engine)
}

// SaveSegments stores a translator's title and segment edits on the translation of the
// current version. Edited segments become translated (or reviewed); a person's text is
// never replaced by machine output afterwards. Finalized translations return to draft.
func (s *Service) SaveSegments(ctx context.Context, a *concord.Actor, docID, lang, title string, edits []SegmentEdit) (*concord.Translation, error) {
	title = concord.CleanText(title)
	var v concord.Validation
	if title != "" {
		concord.ValidateText(&v, title, "-")
	}
	for _, e := range edits {
		concord.ValidateText(&v, "-", strings.TrimSpace(e.Target)+"-")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return s.updateTranslation(ctx, a, docID, lang, "translation.save", func(tx *sqldb.Tx, d *concord.Document, t *concord.Translation) (map[string][2]string, error) {
		byID := map[string]int{}
		for i, sg := range t.Segments {
			byID[sg.SegmentID] = i
		}
		changes := map[string][2]string{}
		for _, e := range edits {
			i, ok := byID[e.SegmentID]
			if !ok {
				var v concord.Validation
				v.Add("segment", "error.unknown_segment", "is not a segment of this version", "value", e.SegmentID)
				return nil, v.Err()
			}
			sg := &t.Segments[i]
			target := strings.TrimSpace(strings.ReplaceAll(e.Target, "\r\n", "\n"))
			state := concord.SegTranslated
			if e.Reviewed {
				state = concord.SegReviewed
			}
			if target == "" {
				state = concord.SegUntranslated
			}
			if target == sg.Target && (state == sg.State || !e.Reviewed) {
				continue // an unchanged text keeps its state (unreviewed machine output stays machine)
			}
			changes["segment."+sg.SegmentID] = [2]string{clipText(sg.Target, 80), clipText(target, 80)}
			sg.Target, sg.State = target, state
		}
		if title != "" && title != t.Title {
			changes["title"] = [2]string{t.Title, title}
			t.Title = title
		}
		if len(changes) > 0 && t.Status == concord.TransFinal {
			t.Status = concord.TransDraft
			changes["status"] = [2]string{string(concord.TransFinal), string(concord.TransDraft)}
		}
		t.TranslatorID = a.PersonID()
		return changes, nil
	})
}

// translatable loads a document the actor may read and translate, and the mandate the
// translation is made under.
func translatable(tx *sqldb.Tx, a *concord.Actor, docID string) (*concord.Document, concord.Mandate, error) {
	d, err := tx.GetDocument(docID)
	if err != nil {
		return nil, concord.Mandate{}, err
	}
	if _, err := Authorize(a, ActRead, d, ""); err != nil {
		return nil, concord.Mandate{}, err
	}
	m, err := Authorize(a, ActTranslate, d, "")
	return d, m, err
}

// updateTranslation loads the current version's translation into lang, lets fn change it,
// and stores it with an audit event when fn reports changes.
func (s *Service) updateTranslation(ctx context.Context, a *concord.Actor, docID, lang, action string,
	fn func(tx *sqldb.Tx, d *concord.Document, t *concord.Translation) (map[string][2]string, error)) (*concord.Translation, error) {
	now := s.clock.Now()
	var out *concord.Translation
	err := s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		d, m, err := translatable(tx, a, docID)
		if err != nil {
			return err
		}
		t, err := tx.GetTranslation(d.CurrentVersion.ID, lang)
		if err != nil {
			return err
		}
		changes, err := fn(tx, d, t)
		if err != nil {
			return err
		}
		out = t
		if len(changes) == 0 {
			return nil
		}
		if m.OrgID != "" {
			t.TranslatorOrgID = m.OrgID
		}
		t.UpdatedAt = now
		html, err := s.render(t.Body())
		if err != nil {
			return err
		}
		if err := tx.UpdateTranslation(t, html); err != nil {
			return err
		}
		if err := tx.PutSearchEntry(d.ID, lang, t.Title, t.Body()); err != nil {
			return err
		}
		return audit(tx, now, a, m, d.IssuerOrgID, action, "translation", t.ID, changes)
	})
	if err == nil {
		s.onChange(docID)
	}
	return out, err
}

// Engines lists the configured machine translation engines that can translate from→to.
func (s *Service) Engines(ctx context.Context, from, to string) []mt.Engine {
	var out []mt.Engine
	for _, e := range s.engines {
		pairs, err := e.Pairs(ctx)
		if err != nil {
			continue
		}
		base, _, _ := strings.Cut(from, "-")
		for _, p := range pairs {
			if (strings.EqualFold(p.Source, from) || strings.EqualFold(p.Source, base)) && strings.EqualFold(p.Target, to) {
				out = append(out, e)
				break
			}
		}
	}
	return out
}

// AllEngines lists every configured engine (for the "installed pairs" page).
func (s *Service) AllEngines() []mt.Engine { return s.engines }

// MachineTranslate fills segments with machine output from the named engine (the first
// capable one when engine is ""). Only untranslated segments, or segments that hold
// unreviewed machine output, are filled: a person's text is never overwritten. segmentIDs
// limits the work to some segments; empty means all eligible ones.
func (s *Service) MachineTranslate(ctx context.Context, a *concord.Actor, docID, lang, engine string, segmentIDs []string) (*concord.Translation, error) {
	d, err := s.Get(ctx, a, docID)
	if err != nil {
		return nil, err
	}
	var eng mt.Engine
	for _, e := range s.Engines(ctx, d.SourceLang, lang) {
		if engine == "" || e.Name() == engine {
			eng = e
			break
		}
	}
	if eng == nil {
		return nil, &concord.Error{Code: concord.EINVALID, Key: "error.no_engine", Message: "no machine translation engine for this language pair",
			Params: map[string]string{"from": d.SourceLang, "to": lang}}
	}
	cur, err := s.StartTranslation(ctx, a, docID, lang)
	if err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, id := range segmentIDs {
		want[id] = true
	}
	var ids, texts []string
	for _, sg := range cur.Segments {
		if (len(want) == 0 || want[sg.SegmentID]) && (sg.State == concord.SegUntranslated || sg.State == concord.SegMachine) {
			ids, texts = append(ids, sg.SegmentID), append(texts, sg.Source)
		}
	}
	if len(texts) == 0 {
		return cur, nil
	}
	// The engine runs outside the transaction: it may take seconds.
	mtCtx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	out, err := eng.Translate(mtCtx, mt.Pair{Source: d.SourceLang, Target: lang}, texts)
	if err != nil {
		return nil, &concord.Error{Code: concord.EINTERNAL, Key: "error.engine_failed", Message: "machine translation failed: " + err.Error()}
	}
	version, _ := eng.Version(ctx)
	result := map[string]string{}
	for i, id := range ids {
		result[id] = strings.TrimSpace(out[i])
	}
	return s.updateTranslation(ctx, a, docID, lang, "translation.machine", func(tx *sqldb.Tx, d *concord.Document, t *concord.Translation) (map[string][2]string, error) {
		changes := map[string][2]string{"engine": {"", eng.Name() + " " + version}}
		for i := range t.Segments {
			sg := &t.Segments[i]
			text, ok := result[sg.SegmentID]
			// Re-check under the transaction: a person may have typed meanwhile.
			if !ok || text == "" || (sg.State != concord.SegUntranslated && sg.State != concord.SegMachine) {
				continue
			}
			sg.Target, sg.State, sg.Engine = text, concord.SegMachine, eng.Name()
			changes["segment."+sg.SegmentID] = [2]string{"", clipText(text, 80)}
		}
		t.Engine, t.EngineVersion = eng.Name(), version
		if t.Status == concord.TransFinal {
			t.Status = concord.TransDraft
		}
		return changes, nil
	})
}

// Suggestion is a translation memory match or machine output offered for one segment.
type Suggestion struct {
	Text   string
	Score  float64 // 1 for exact memory matches and for machine output
	Origin string  // the document the memory match came from, or the engine
	Kind   string  // "memory" or "machine"
}

// Suggest returns translation memory matches for a segment's source text, best first.
func (s *Service) Suggest(ctx context.Context, a *concord.Actor, docID, lang, source string) ([]Suggestion, error) {
	m, err := s.SuggestMany(ctx, a, docID, lang, []string{source})
	return m[source], err
}

// SuggestMany returns translation memory matches for several source texts, reading the
// memory once (the editor asks for every untranslated segment of a page).
func (s *Service) SuggestMany(ctx context.Context, a *concord.Actor, docID, lang string, sources []string) (map[string][]Suggestion, error) {
	d, err := s.Get(ctx, a, docID)
	if err != nil {
		return nil, err
	}
	if _, err := Authorize(a, ActTranslate, d, ""); err != nil {
		return nil, err
	}
	out := map[string][]Suggestion{}
	if len(sources) == 0 {
		return out, nil
	}
	var entries []concord.MemoryEntry
	if err := s.db.View(ctx, func(tx *sqldb.Tx) (err error) {
		entries, err = tx.MemoryEntries(d.SourceLang, lang, 20000)
		return err
	}); err != nil {
		return nil, err
	}
	for _, src := range sources {
		for _, m := range concord.MatchMemory(src, entries, 0.6, 5) {
			out[src] = append(out[src], Suggestion{Text: m.Entry.Target, Score: m.Score, Origin: m.Entry.Origin, Kind: "memory"})
		}
	}
	return out, nil
}

// MarkFinal marks the translation of the current version final. Every segment must be
// translated; glossary violations block it unless a reviewer gives a reason to override.
func (s *Service) MarkFinal(ctx context.Context, a *concord.Actor, docID, lang, overrideReason string) (*concord.Translation, error) {
	overrideReason = concord.CleanText(overrideReason)
	return s.updateTranslation(ctx, a, docID, lang, "translation.final", func(tx *sqldb.Tx, d *concord.Document, t *concord.Translation) (map[string][2]string, error) {
		if !t.Complete() || strings.TrimSpace(t.Title) == "" {
			return nil, &concord.Error{Code: concord.EINVALID, Key: "error.translation_incomplete", Message: "translate the title and every segment first"}
		}
		terms, err := tx.ListGlossaryTerms()
		if err != nil {
			return nil, err
		}
		violations := checkSegments(terms, d.SourceLang, t.Lang, t.Segments)
		if vs := concord.CheckText(terms, t.Lang, t.Title); len(vs) > 0 {
			violations["title"] = vs
		}
		if len(violations) > 0 {
			if overrideReason == "" {
				n := 0
				for _, vs := range violations {
					n += len(vs)
				}
				return nil, &concord.Error{Code: concord.EINVALID, Key: "error.glossary_violations", Message: "the translation breaks the glossary",
					Params: map[string]string{"count": strconv.Itoa(n)}}
			}
			if _, err := Authorize(a, ActReview, d, ""); err != nil {
				return nil, err
			}
		} else {
			overrideReason = ""
		}
		t.Status, t.OverrideReason, t.TranslatorID = concord.TransFinal, overrideReason, a.PersonID()
		return map[string][2]string{"status": {string(concord.TransDraft), string(concord.TransFinal)}, "override_reason": {"", overrideReason}}, nil
	})
}
