package documents_test

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"concord"
	"concord/internal/auth"
	"concord/internal/documents"
	"concord/internal/membership"
	"concord/internal/sqldb"
	"concord/internal/sqldb/sqldbtest"
)

var fastHash = auth.PasswordParams{Memory: 64, Time: 1, Threads: 1}

// clock is a settable test clock.
type clock struct{ t time.Time }

func (c *clock) Now() time.Time { return c.t }

type world struct {
	db     *sqldb.DB
	docs   *documents.Service
	clock  *clock
	actors map[string]*concord.Actor
	orgA   *concord.Organization
	orgB   *concord.Organization
}

func day(s string) time.Time {
	t, _ := time.Parse("2006-01-02", s)
	return t
}

func newWorld(t *testing.T, db *sqldb.DB) *world {
	t.Helper()
	ctx := context.Background()
	c := &clock{time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)}
	members := membership.NewService(membership.Config{DB: db, Clock: c, PasswordParams: fastHash})
	au := auth.NewService(db, c, fastHash)
	files, err := documents.NewFileStore(t.TempDir())
	sqldbtest.Must(t, err)
	w := &world{db: db, clock: c, actors: map[string]*concord.Actor{},
		docs: documents.NewService(documents.Config{DB: db, Clock: c, Files: files})}
	admin := &concord.Person{Login: "admin", DisplayName: "Admin"}
	sqldbtest.Must(t, au.CreateFirstAdmin(ctx, admin, "correct horse battery"))
	load := func(id string) *concord.Actor {
		a, err := au.LoadActor(ctx, id)
		sqldbtest.Must(t, err)
		return a
	}
	w.actors["admin"] = load(admin.ID)
	mk := func(name, country string) *concord.Organization {
		o := &concord.Organization{Name: name, NameLang: "de", Country: country}
		sqldbtest.Must(t, members.CreateOrganization(ctx, w.actors["admin"], o, concord.StatusChange{To: concord.StatusMember, DecidedBy: "WC"}))
		return o
	}
	w.orgA, w.orgB = mk("Bund A", "DE"), mk("Bund B", "AT")
	person := func(name string, org *concord.Organization, role concord.Role, fed ...concord.FederationRole) {
		p := &concord.Person{ID: concord.NewID(c.t), Login: strings.ToLower(name), DisplayName: name, FederationRoles: fed, CreatedAt: c.t}
		sqldbtest.Must(t, db.WithTx(ctx, func(tx *sqldb.Tx) error { return tx.InsertPerson(p, "") }))
		if org != nil {
			sqldbtest.Must(t, members.CreateMandate(ctx, w.actors["admin"], &concord.Mandate{PersonID: p.ID, OrgID: org.ID, Role: role, ValidFrom: day("2026-01-01")}))
		}
		w.actors[name] = load(p.ID)
	}
	person("secretariat", nil, "", concord.FedSecretariat)
	person("delegateA", w.orgA, concord.RoleDelegate)
	person("delegateB", w.orgB, concord.RoleDelegate)
	person("translatorB", w.orgB, concord.RoleTranslator)
	person("nobody", nil, "")
	w.actors["anonymous"] = nil
	return w
}

const body = "The federation calls for a day of struggle on 8 March.\n\nWe greet the workers of all countries.\n\nSolidarity forever."

func (w *world) resolution(t *testing.T) *concord.Document {
	t.Helper()
	d, err := w.docs.Create(context.Background(), w.actors["secretariat"], documents.NewDocument{Kind: concord.KindResolution,
		Visibility: concord.VisibilityPublic, IssuerBody: "Coordinating Committee", SourceLang: "en", Title: "On 8 March", Body: body})
	sqldbtest.Must(t, err)
	return d
}

func TestVersionsAndStatus(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		sec := w.actors["secretariat"]
		d := w.resolution(t)
		// Drafts are edited in place.
		v, err := w.docs.SaveText(ctx, sec, d.ID, "On 8 March", body+"\n\nAmended.", "typo")
		sqldbtest.Must(t, err)
		if v.Number != 1 {
			t.Fatalf("draft save made version %d", v.Number)
		}
		if _, err := w.docs.ChangeStatus(ctx, sec, d.ID, concord.DocPublished); concord.ErrorCode(err) != concord.EINVALID {
			t.Fatalf("resolution published without adoption: %v", err)
		}
		_, err = w.docs.ChangeStatus(ctx, sec, d.ID, concord.DocCirculating)
		sqldbtest.Must(t, err)
		v2, err := w.docs.SaveText(ctx, sec, d.ID, "On 8 March", body+"\n\nAmended twice.", "second reading")
		sqldbtest.Must(t, err)
		if v2.Number != 2 || v2.Hash != concord.VersionHash("On 8 March", body+"\n\nAmended twice.") {
			t.Fatalf("circulated save: version %d hash %s", v2.Number, v2.Hash)
		}
		same, err := w.docs.SaveText(ctx, sec, d.ID, "On 8 March", body+"\n\nAmended twice.", "no change")
		sqldbtest.Must(t, err)
		if same.Number != 2 {
			t.Errorf("saving the same text made version %d", same.Number)
		}
		_, diff, err := w.docs.Diff(ctx, sec, d.ID, 1, 2)
		sqldbtest.Must(t, err)
		var ins, del []string
		for _, op := range diff {
			switch op.Kind {
			case concord.DiffInsert:
				ins = append(ins, op.Text)
			case concord.DiffDelete:
				del = append(del, op.Text)
			}
		}
		if !strings.Contains(strings.Join(ins, ""), "twice") || strings.Join(del, "") != "" && !strings.Contains(strings.Join(del, ""), ".") {
			t.Errorf("diff v1→v2: inserted %q deleted %q", ins, del)
		}
		vs, err := w.docs.Versions(ctx, sec, d.ID)
		sqldbtest.Must(t, err)
		if len(vs) != 2 || vs[0].Hash == vs[1].Hash {
			t.Errorf("versions: %+v", vs)
		}
	})
}

func TestCircularLettersAreNumberedPerYear(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		var numbers []string
		for i := 0; i < 3; i++ {
			if i == 2 {
				w.clock.t = day("2027-01-05")
			}
			d, err := w.docs.Create(ctx, w.actors["secretariat"], documents.NewDocument{Kind: concord.KindCircularLetter,
				Visibility: concord.VisibilityInternal, IssuerBody: "Secretariat", SourceLang: "de", Title: "Rundbrief", Body: "Liebe Freundinnen und Freunde"})
			sqldbtest.Must(t, err)
			d, err = w.docs.ChangeStatus(ctx, w.actors["secretariat"], d.ID, concord.DocCirculating)
			sqldbtest.Must(t, err)
			numbers = append(numbers, d.Number)
		}
		if strings.Join(numbers, " ") != "1/2026 2/2026 1/2027" {
			t.Errorf("numbers %v", numbers)
		}
	})
}

func TestDocumentPermissions(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		greeting, err := w.docs.Create(ctx, w.actors["delegateA"], documents.NewDocument{Kind: concord.KindGreeting, Visibility: concord.VisibilityPublic,
			IssuerOrgID: w.orgA.ID, SourceLang: "de", Occasion: "15 Jahre Föderation", Title: "Grußwort", Body: "Wir grüßen euch."})
		sqldbtest.Must(t, err)
		cases := []struct {
			actor, what string
			do          func(a *concord.Actor) error
			want        string
		}{
			{"delegateB", "edit A's greeting", func(a *concord.Actor) error {
				_, err := w.docs.SaveText(ctx, a, greeting.ID, "x", "y", "")
				return err
			}, concord.ENOTFOUND}, // B cannot even see A's draft
			{"delegateB", "issue a text for A", func(a *concord.Actor) error {
				_, err := w.docs.Create(ctx, a, documents.NewDocument{Kind: concord.KindGreeting, IssuerOrgID: w.orgA.ID, SourceLang: "de", Title: "x", Body: "y"})
				return err
			}, concord.EFORBIDDEN},
			{"delegateA", "issue a federation resolution", func(a *concord.Actor) error {
				_, err := w.docs.Create(ctx, a, documents.NewDocument{Kind: concord.KindResolution, IssuerBody: "World Conference", SourceLang: "en", Title: "x", Body: "y"})
				return err
			}, concord.EFORBIDDEN},
			{"anonymous", "read the draft", func(a *concord.Actor) error { _, err := w.docs.Get(ctx, a, greeting.ID); return err }, concord.EUNAUTHORIZED},
			{"translatorB", "translate the draft", func(a *concord.Actor) error {
				_, err := w.docs.StartTranslation(ctx, a, greeting.ID, "es")
				return err
			}, concord.ENOTFOUND},
			{"delegateA", "publish own greeting", func(a *concord.Actor) error {
				_, err := w.docs.ChangeStatus(ctx, a, greeting.ID, concord.DocPublished)
				return err
			}, ""},
			{"anonymous", "read the published greeting", func(a *concord.Actor) error { _, err := w.docs.Get(ctx, a, greeting.ID); return err }, ""},
			{"translatorB", "translate the published greeting", func(a *concord.Actor) error {
				_, err := w.docs.StartTranslation(ctx, a, greeting.ID, "es")
				return err
			}, ""},
			{"nobody", "translate without a mandate", func(a *concord.Actor) error {
				_, err := w.docs.StartTranslation(ctx, a, greeting.ID, "fr")
				return err
			}, concord.EFORBIDDEN},
			{"translatorB", "edit the glossary", func(a *concord.Actor) error {
				return w.docs.PutTerm(ctx, a, &concord.GlossaryTerm{Concept: "x", Adopted: map[string][]string{"en": {"x"}}})
			}, concord.EFORBIDDEN},
		}
		for _, tc := range cases {
			if got := concord.ErrorCode(tc.do(w.actors[tc.actor])); got != tc.want {
				t.Errorf("%s may %s: code %q, want %q", tc.actor, tc.what, got, tc.want)
			}
		}
		// A's audit trail shows what happened to its text, also what B's translator did.
		var actions []string
		sqldbtest.Must(t, db.View(ctx, func(tx *sqldb.Tx) error {
			evs, err := tx.ListAuditEvents(concord.AuditFilter{OrgID: w.orgA.ID})
			for _, e := range evs {
				if e.TargetID == greeting.ID || e.TargetType == "translation" {
					actions = append(actions, e.Action)
				}
			}
			return err
		}))
		slices.Sort(actions)
		if want := []string{"document.create", "document.status", "translation.start"}; !slices.Equal(actions, want) {
			t.Errorf("org A's audit trail for its greeting: %v, want %v", actions, want)
		}
	})
}

func TestTranslationFlow(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		sec, tr := w.actors["secretariat"], w.actors["translatorB"]
		sqldbtest.Must(t, w.docs.PutTerm(ctx, sec, &concord.GlossaryTerm{Concept: "day of struggle",
			Adopted: map[string][]string{"en": {"day of struggle"}, "es": {"jornada de lucha"}}, Forbidden: map[string][]string{"es": {"lucha libre"}}}))
		d := w.resolution(t)
		for _, st := range []concord.DocStatus{concord.DocCirculating, concord.DocAdopted, concord.DocPublished} {
			_, err := w.docs.ChangeStatus(ctx, sec, d.ID, st)
			sqldbtest.Must(t, err)
		}
		tl, err := w.docs.StartTranslation(ctx, tr, d.ID, "es")
		sqldbtest.Must(t, err)
		if len(tl.Segments) != 3 || tl.Segments[0].State != concord.SegUntranslated {
			t.Fatalf("segments: %+v", tl.Segments)
		}
		edits := []documents.SegmentEdit{
			{SegmentID: tl.Segments[0].SegmentID, Target: "La federación convoca un día de lucha libre el 8 de marzo."},
			{SegmentID: tl.Segments[1].SegmentID, Target: "Saludamos a los trabajadores de todos los países."},
			{SegmentID: tl.Segments[2].SegmentID, Target: "Solidaridad para siempre."},
		}
		_, err = w.docs.SaveSegments(ctx, tr, d.ID, "es", "Sobre el 8 de marzo", edits)
		sqldbtest.Must(t, err)
		_, err = w.docs.MarkFinal(ctx, tr, d.ID, "es", "")
		if e := concord.AsError(err); e == nil || e.Key != "error.glossary_violations" {
			t.Fatalf("final despite 'lucha libre': %v", err)
		}
		if _, err := w.docs.MarkFinal(ctx, tr, d.ID, "es", "the poet insists"); concord.ErrorCode(err) != concord.EFORBIDDEN {
			t.Fatalf("translator overrode the glossary: %v", err)
		}
		view, err := w.docs.Translation(ctx, tr, d.ID, "es")
		sqldbtest.Must(t, err)
		if len(view.Violations[tl.Segments[0].SegmentID]) == 0 {
			t.Errorf("violation not listed for the segment: %+v", view.Violations)
		}
		edits[0].Target = "La federación convoca una jornada de lucha el 8 de marzo."
		_, err = w.docs.SaveSegments(ctx, tr, d.ID, "es", "", edits[:1])
		sqldbtest.Must(t, err)
		fin, err := w.docs.MarkFinal(ctx, tr, d.ID, "es", "")
		sqldbtest.Must(t, err)
		if fin.Status != concord.TransFinal || fin.Provenance() != concord.ProvHuman {
			t.Fatalf("final translation: %s %s", fin.Status, fin.Provenance())
		}
		pub, err := w.docs.Public(ctx, d.ID)
		sqldbtest.Must(t, err)
		if r, ok := pub.In("es"); !ok || r.Title != "Sobre el 8 de marzo" || !strings.Contains(string(r.HTML), "jornada de lucha") {
			t.Fatalf("public Spanish rendition: %+v", r)
		}
		// A new source version outdates the translation; unchanged paragraphs carry over.
		_, err = w.docs.SaveText(ctx, sec, d.ID, "On 8 March", strings.Replace(body, "Solidarity forever.", "Solidarity for ever and ever.", 1), "wording")
		sqldbtest.Must(t, err)
		view, err = w.docs.Translation(ctx, tr, d.ID, "es")
		sqldbtest.Must(t, err)
		if !view.Outdated || len(view.SourceDiff) == 0 {
			t.Fatalf("translation not outdated after a new version")
		}
		next, err := w.docs.StartTranslation(ctx, tr, d.ID, "es")
		sqldbtest.Must(t, err)
		states := []concord.SegmentState{}
		for _, s := range next.Segments {
			states = append(states, s.State)
		}
		if states[0] != concord.SegTranslated || states[1] != concord.SegTranslated || states[2] != concord.SegUntranslated {
			t.Errorf("carried-over states: %v", states)
		}
		if pub, _ := w.docs.Public(ctx, d.ID); pub != nil {
			if r, ok := pub.In("es"); !ok || !r.Outdated {
				t.Errorf("public page should still show the older final translation, marked outdated: %+v", r)
			}
		}
	})
}

func TestXLIFFAndPORoundTrip(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		sec, tr := w.actors["secretariat"], w.actors["translatorB"]
		d := w.resolution(t)
		_, err := w.docs.ChangeStatus(ctx, sec, d.ID, concord.DocCirculating)
		sqldbtest.Must(t, err)
		var x bytes.Buffer
		sqldbtest.Must(t, w.docs.ExportXLIFF(ctx, tr, d.ID, "fr", &x))
		translated := strings.Replace(x.String(), "<source>Solidarity forever.</source>", "<source>Solidarity forever.</source><target state=\"translated\">Solidarité pour toujours.</target>", 1)
		if translated == x.String() {
			t.Fatalf("export lacks the source segment:\n%s", x.String())
		}
		rep, err := w.docs.ImportXLIFF(ctx, tr, d.ID, "fr", strings.NewReader(translated))
		sqldbtest.Must(t, err)
		if !rep.Applied || len(rep.Accepted) != 1 || len(rep.Rejected) != 0 {
			t.Fatalf("import report: %+v", rep)
		}
		bad := strings.Replace(translated, `id="title"`, `id="s000000000000"`, 1)
		rep, err = w.docs.ImportXLIFF(ctx, tr, d.ID, "fr", strings.NewReader(bad))
		sqldbtest.Must(t, err)
		if rep.Applied || len(rep.Rejected) != 1 || rep.Rejected[0].Key != "error.unknown_segment" {
			t.Fatalf("unknown segment report: %+v", rep)
		}
		_, err = w.docs.SaveText(ctx, sec, d.ID, "On 8 March", body+"\n\nNew paragraph.", "")
		sqldbtest.Must(t, err)
		if _, err := w.docs.ImportXLIFF(ctx, tr, d.ID, "fr", strings.NewReader(translated)); concord.AsError(err) == nil || concord.AsError(err).Key != "error.import_version" {
			t.Fatalf("import into a newer version: %v", err)
		}
		if _, err := w.docs.ImportXLIFF(ctx, tr, d.ID, "fr", strings.NewReader("<xliff")); concord.ErrorCode(err) != concord.EINVALID {
			t.Fatalf("malformed XLIFF: %v", err)
		}
		var p bytes.Buffer
		sqldbtest.Must(t, w.docs.ExportPO(ctx, tr, d.ID, "fr", &p))
		if !strings.Contains(p.String(), `msgstr "Solidarité pour toujours."`) {
			t.Errorf("PO export lacks the carried-over translation:\n%s", p.String())
		}
		edited := strings.Replace(p.String(), "msgid \"New paragraph.\"\nmsgstr \"\"", "msgid \"New paragraph.\"\nmsgstr \"Nouveau paragraphe.\"", 1)
		rep, err = w.docs.ImportPO(ctx, tr, d.ID, "fr", strings.NewReader(edited))
		sqldbtest.Must(t, err)
		if !rep.Applied || len(rep.Accepted) != 1 {
			t.Fatalf("PO import report: %+v\n%s", rep, edited)
		}
	})
}

func TestSearchRespectsVisibility(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		sec := w.actors["secretariat"]
		pub := w.resolution(t)
		for _, st := range []concord.DocStatus{concord.DocCirculating, concord.DocAdopted, concord.DocPublished} {
			_, err := w.docs.ChangeStatus(ctx, sec, pub.ID, st)
			sqldbtest.Must(t, err)
		}
		internal, err := w.docs.Create(ctx, sec, documents.NewDocument{Kind: concord.KindReport, Visibility: concord.VisibilityInternal,
			IssuerBody: "Secretariat", SourceLang: "en", Title: "Internal report on struggle", Body: "Confidential struggle notes"})
		sqldbtest.Must(t, err)
		_, err = w.docs.ChangeStatus(ctx, sec, internal.ID, concord.DocCirculating)
		sqldbtest.Must(t, err)
		ids := func(a *concord.Actor, q string) []string {
			hits, err := w.docs.Search(ctx, a, q, "", documents.ListFilter{})
			sqldbtest.Must(t, err)
			var out []string
			for _, h := range hits {
				out = append(out, h.DocID)
			}
			return out
		}
		if got := ids(nil, "struggle"); len(got) != 1 || got[0] != pub.ID {
			t.Errorf("anonymous search: %v, want only the public resolution", got)
		}
		if got := ids(w.actors["delegateA"], "struggle"); len(got) != 2 {
			t.Errorf("member search: %v, want both", got)
		}
		if got := ids(w.actors["delegateA"], `"struggle*(:^`); len(got) != 2 {
			t.Errorf("search syntax leaked into the query: %v", got)
		}
	})
}

func TestGlossaryCSV(t *testing.T) {
	t.Parallel()
	good := "concept,note,lang,adopted,forbidden\nday of struggle,fixed 2019,es,jornada de lucha,lucha libre|día de lucha libre\nday of struggle,,de,Kampftag,\n"
	terms, err := documents.ParseGlossaryCSV(strings.NewReader(good))
	sqldbtest.Must(t, err)
	if len(terms) != 1 || len(terms[0].Forbidden["es"]) != 2 || terms[0].Adopted["de"][0] != "Kampftag" {
		t.Fatalf("terms: %+v", terms)
	}
	for name, bad := range map[string]string{
		"wrong header":   "a,b,c,d,e\n",
		"short row":      "concept,note,lang,adopted,forbidden\nx,y\n",
		"bad language":   "concept,note,lang,adopted,forbidden\nx,,english!,x,\n",
		"conflict":       "concept,note,lang,adopted,forbidden\nx,,en,same,same\n",
		"unclosed quote": "concept,note,lang,adopted,forbidden\n\"x,,en,a,\n",
	} {
		if _, err := documents.ParseGlossaryCSV(strings.NewReader(bad)); concord.ErrorCode(err) != concord.EINVALID {
			t.Errorf("%s: %v, want invalid", name, err)
		}
	}
}

func FuzzParseGlossaryCSV(f *testing.F) {
	f.Add("concept,note,lang,adopted,forbidden\nday of struggle,,es,jornada de lucha,lucha libre\n")
	f.Add("\ufeffconcept,note,lang,adopted,forbidden\n\"a\"\"b\",,fa,همبستگی,\n")
	f.Fuzz(func(t *testing.T, in string) {
		terms, err := documents.ParseGlossaryCSV(strings.NewReader(in))
		if err != nil {
			if concord.ErrorCode(err) != concord.EINVALID && concord.ErrorCode(err) != concord.EINTERNAL {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		for i := range terms {
			if err := terms[i].Validate(); err != nil {
				t.Fatalf("parsed an invalid term: %v", err)
			}
		}
	})
}
