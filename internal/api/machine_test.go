package api

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"

	"concord/internal/mt"
	"concord/internal/sqldb"
	"concord/internal/sqldb/sqldbtest"
)

// requireApertium returns the real Apertium engine when it translates English to Spanish
// here. Without it the test is skipped locally and fails in CI ($CI set), which installs
// apertium, apertium-eng-spa and transfuse.
func requireApertium(t *testing.T) mt.Engine {
	t.Helper()
	e := mt.NewApertium(mt.ApertiumConfig{})
	pairs, err := e.Pairs(context.Background())
	if err == nil && !slices.Contains(pairs, mt.Pair{Source: "en", Target: "es"}) {
		err = os.ErrNotExist
	}
	if err != nil {
		msg := "Apertium with the eng-spa pair is not installed (apt-get install apertium apertium-eng-spa transfuse): " + err.Error()
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return e
}

// TestMachineTranslationApertium fills a translation with the real Apertium through the API:
// the output is labelled with the engine, never replaces a person's text, and reviewing
// every segment turns the provenance to machine_reviewed.
func TestMachineTranslationApertium(t *testing.T) {
	t.Parallel()
	engine := requireApertium(t)
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorldWith(t, db, []mt.Engine{engine})
		w.addPerson(t, "translatorB", w.orgB, "translator")
		engines := ok[listOf[engineDTO]](t, w, 200, request{Method: "GET", Path: Prefix + "/engines", As: "translatorB"})
		if len(engines.Items) != 1 || engines.Items[0].Name != "Apertium" || !engines.Items[0].Available || engines.Items[0].Version == "" ||
			!slices.Contains(engines.Items[0].Pairs, pairDTO{Source: "en", Target: "es"}) {
			t.Fatalf("engines %+v", engines)
		}
		d := w.bodyDoc(t, "resolution", "public", "On 8 March")
		w.moveTo(t, "secretariat", d.ID, "circulating")
		es := docPath(d.ID, "/translations/es")

		// One segment first: the translation is started on the way.
		segs := ok[translationDetailDTO](t, w, 200, request{Method: "POST", Path: es, As: "translatorB"}).Segments
		tr := ok[translationDetailDTO](t, w, 200, request{Method: "POST", Path: es + "/machine", As: "translatorB",
			Body: map[string]any{"engine": "Apertium", "segment_ids": []string{segs[0].SegmentID}}})
		if tr.Segments[0].State != "machine" || tr.Segments[0].Engine != "Apertium" || !strings.Contains(tr.Segments[0].Target, "federación") ||
			tr.Segments[1].State != "untranslated" || tr.Provenance != "machine" || tr.Engine != "Apertium" || tr.EngineVersion == "" {
			t.Fatalf("after one segment %+v", tr)
		}

		// A person's text is never replaced.
		mine := "Saludamos a las trabajadoras y los trabajadores de todos los países."
		ok[translationDetailDTO](t, w, 200, request{Method: "PATCH", Path: es, As: "translatorB",
			Body: map[string]any{"segments": []map[string]any{{"segment_id": segs[1].SegmentID, "target": mine}}}})
		tr = ok[translationDetailDTO](t, w, 200, request{Method: "POST", Path: es + "/machine", As: "translatorB", Body: map[string]any{}})
		if tr.Segments[1].Target != mine || tr.Segments[1].State != "translated" || tr.Segments[2].State != "machine" ||
			strings.TrimSpace(tr.Segments[2].Target) == "" || tr.SegmentsTranslated != 3 {
			t.Fatalf("after the whole text %+v", tr)
		}

		// Reviewing the machine segments keeps them credited to the engine.
		var review []map[string]any
		for _, s := range tr.Segments {
			if s.State == "machine" {
				review = append(review, map[string]any{"segment_id": s.SegmentID, "target": s.Target, "reviewed": true})
			}
		}
		tr = ok[translationDetailDTO](t, w, 200, request{Method: "PATCH", Path: es, As: "translatorB", Body: map[string]any{"title": "Sobre el 8 de marzo", "segments": review}})
		if tr.Provenance != "machine_reviewed" || tr.Segments[0].State != "reviewed" || tr.Segments[0].Engine != "Apertium" {
			t.Errorf("after review %+v", tr)
		}

		// An engine that is not configured, or a pair it does not translate.
		res := w.do(t, request{Method: "POST", Path: es + "/machine", As: "translatorB", Body: map[string]any{"engine": "DeepL"}})
		if e := apiError(t, res); res.Status != 422 || e.Code != "invalid" {
			t.Errorf("unknown engine: %d %s", res.Status, res.Body)
		}
		res = w.do(t, request{Method: "POST", Path: docPath(d.ID, "/translations/fa/machine"), As: "translatorB", Body: map[string]any{}})
		if e := apiError(t, res); res.Status != 422 || e.Message != "No machine translation engine translates from en to fa." {
			t.Errorf("unsupported pair: %d %s", res.Status, res.Body)
		}
	})
}
