package public

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/html"

	"concord"
	"concord/internal/auth"
	"concord/internal/documents"
	"concord/internal/i18n"
	"concord/internal/membership"
	"concord/internal/mt"
	"concord/internal/sqldb"
	"concord/internal/sqldb/sqldbtest"
)

var fastHash = auth.PasswordParams{Memory: 64, Time: 1, Threads: 1}

// testClock is a settable clock, safe for concurrent use.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// fakeEngine stands in for Apertium only to give translations a machine provenance; what an
// engine writes is not what these tests are about.
type fakeEngine struct{}

func (fakeEngine) Name() string                            { return "Apertium" }
func (fakeEngine) Version(context.Context) (string, error) { return "3.8.3", nil }
func (fakeEngine) Pairs(context.Context) ([]mt.Pair, error) {
	return []mt.Pair{{Source: "en", Target: "es"}, {Source: "en", Target: "ar"}}, nil
}
func (fakeEngine) Translate(_ context.Context, p mt.Pair, texts []string) ([]string, error) {
	out := make([]string, len(texts))
	for i, t := range texts {
		out[i] = "[" + p.Target + "] " + t
	}
	return out, nil
}

// world is a temporary SQLite database with real services and the public handler.
type world struct {
	t       testing.TB
	ctx     context.Context
	db      *sqldb.DB
	clock   *testClock
	docs    *documents.Service
	members *membership.Service
	pub     *Handler
	mux     *http.ServeMux
	actors  map[string]*concord.Actor
	orgA    *concord.Organization
	orgB    *concord.Organization
}

func newWorld(tb testing.TB) *world {
	tb.Helper()
	ctx := context.Background()
	db := sqldbtest.OpenSQLite(tb)
	c := &testClock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	w := &world{t: tb, ctx: ctx, db: db, clock: c, actors: map[string]*concord.Actor{}}
	w.members = membership.NewService(membership.Config{DB: db, Clock: c, PasswordParams: fastHash})
	w.docs = documents.NewService(documents.Config{DB: db, Clock: c, Engines: []mt.Engine{fakeEngine{}}})
	au := auth.NewService(db, c, fastHash)
	admin := &concord.Person{Login: "admin", DisplayName: "Admin"}
	sqldbtest.Must(tb, au.CreateFirstAdmin(ctx, admin, "correct horse battery"))
	load := func(id string) *concord.Actor {
		a, err := au.LoadActor(ctx, id)
		sqldbtest.Must(tb, err)
		return a
	}
	w.actors["admin"] = load(admin.ID)
	sqldbtest.Must(tb, w.members.PutFederation(ctx, w.actors["admin"], &concord.Federation{Name: "Weltföderation",
		Names:     map[string]string{"en": "World Federation", "es": "Federación Mundial", "ar": "الاتحاد العالمي"},
		Languages: []string{"en", "es", "fr", "ar"}, DefaultLanguage: "en", TimeZone: "Europe/Berlin"}))
	mk := func(name string, names map[string]string) *concord.Organization {
		o := &concord.Organization{Name: name, NameLang: "de", Country: "DE", Names: names}
		sqldbtest.Must(tb, w.members.CreateOrganization(ctx, w.actors["admin"], o, concord.StatusChange{To: concord.StatusMember, DecidedBy: "WC"}))
		return o
	}
	w.orgA = mk("Bund A", map[string]string{"es": "Liga A", "fr": "Ligue A"})
	w.orgB = mk("Bund B", map[string]string{"es": "Liga B", "fr": "Ligue B", "ar": "رابطة ب"})
	person := func(name string, org *concord.Organization, role concord.Role, fed ...concord.FederationRole) {
		p := &concord.Person{ID: concord.NewID(c.Now()), Login: strings.ToLower(name), DisplayName: name, FederationRoles: fed, CreatedAt: c.Now()}
		sqldbtest.Must(tb, db.WithTx(ctx, func(tx *sqldb.Tx) error { return tx.InsertPerson(p, "") }))
		if org != nil {
			sqldbtest.Must(tb, w.members.CreateMandate(ctx, w.actors["admin"], &concord.Mandate{PersonID: p.ID, OrgID: org.ID, Role: role,
				ValidFrom: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}))
		}
		w.actors[name] = load(p.ID)
	}
	person("secretariat", nil, "", concord.FedSecretariat)
	person("delegateA", w.orgA, concord.RoleDelegate)
	person("translatorB", w.orgB, concord.RoleTranslator)
	w.pub = New(Deps{Docs: w.docs, Members: w.members, I18n: i18n.MustLoad(), Log: slog.New(slog.DiscardHandler),
		BaseURL: "https://concord.example.org/"})
	w.mux = http.NewServeMux()
	w.pub.Register(w.mux)
	return w
}

const resolutionBody = "The federation calls for a day of action on 8 March.\n\nWe greet the workers of all countries.\n\nSolidarity forever."

// publish moves a document to published along the path its kind needs.
func (w *world) publish(d *concord.Document) {
	w.t.Helper()
	path := []concord.DocStatus{concord.DocPublished}
	if d.Kind == concord.KindResolution || d.Kind == concord.KindStatute {
		path = []concord.DocStatus{concord.DocCirculating, concord.DocAdopted, concord.DocPublished}
	}
	actor := w.actors["secretariat"]
	if d.IssuerOrgID != "" {
		actor = w.actors["delegateA"]
	}
	for _, st := range path {
		_, err := w.docs.ChangeStatus(w.ctx, actor, d.ID, st)
		sqldbtest.Must(w.t, err)
	}
}

// resolution creates and publishes an English resolution of the Coordinating Committee.
func (w *world) resolution(title string) *concord.Document {
	w.t.Helper()
	d, err := w.docs.Create(w.ctx, w.actors["secretariat"], documents.NewDocument{Kind: concord.KindResolution,
		Visibility: concord.VisibilityPublic, IssuerBody: "Coordinating Committee", SourceLang: "en", Title: title, Body: resolutionBody})
	sqldbtest.Must(w.t, err)
	w.publish(d)
	return d
}

// greeting creates a German greeting of organization A; published when publish is set.
func (w *world) greeting(title string, vis concord.Visibility, publish bool) *concord.Document {
	w.t.Helper()
	d, err := w.docs.Create(w.ctx, w.actors["delegateA"], documents.NewDocument{Kind: concord.KindGreeting, Visibility: vis,
		IssuerOrgID: w.orgA.ID, SourceLang: "de", Occasion: "15 Jahre Föderation", Title: title, Body: "Wir grüßen euch.\n\nHoch die internationale Solidarität!"})
	sqldbtest.Must(w.t, err)
	if publish {
		w.publish(d)
	}
	return d
}

// humanTranslation translates every segment by hand and marks the translation final.
func (w *world) humanTranslation(docID, lang, title string, target func(i int, source string) string) {
	w.t.Helper()
	tr := w.actors["translatorB"]
	tl, err := w.docs.StartTranslation(w.ctx, tr, docID, lang)
	sqldbtest.Must(w.t, err)
	var edits []documents.SegmentEdit
	for i, sg := range tl.Segments {
		edits = append(edits, documents.SegmentEdit{SegmentID: sg.SegmentID, Target: target(i, sg.Source)})
	}
	_, err = w.docs.SaveSegments(w.ctx, tr, docID, lang, title, edits)
	sqldbtest.Must(w.t, err)
	_, err = w.docs.MarkFinal(w.ctx, tr, docID, lang, "")
	sqldbtest.Must(w.t, err)
}

// machineTranslation fills every segment by the engine and, when reviewed is given, has a
// translator review each segment into the text reviewed gives for it; then it marks the
// translation final.
func (w *world) machineTranslation(docID, lang, title string, reviewed func(i int) string) {
	w.t.Helper()
	tr := w.actors["translatorB"]
	tl, err := w.docs.MachineTranslate(w.ctx, tr, docID, lang, "", nil)
	sqldbtest.Must(w.t, err)
	var edits []documents.SegmentEdit
	if reviewed != nil {
		for i, sg := range tl.Segments {
			edits = append(edits, documents.SegmentEdit{SegmentID: sg.SegmentID, Target: reviewed(i), Reviewed: true})
		}
	}
	_, err = w.docs.SaveSegments(w.ctx, tr, docID, lang, title, edits)
	sqldbtest.Must(w.t, err)
	_, err = w.docs.MarkFinal(w.ctx, tr, docID, lang, "")
	sqldbtest.Must(w.t, err)
}

// spanish is the reviewed Spanish text of resolutionBody, by segment.
func spanish(i int) string {
	return []string{"La federación convoca una jornada de acción el 8 de marzo.", "Saludamos a los trabajadores de todos los países.", "Solidaridad para siempre."}[i]
}

// fixture is the standard set of documents: a resolution with a reviewed machine
// translation into Spanish, a human French one and an unreviewed machine Arabic one; a
// German greeting without translations; an internal report that is published; a draft.
type fixture struct {
	*world
	resolution, greeting, internal, draft *concord.Document
}

func newFixture(tb testing.TB) *fixture {
	tb.Helper()
	w := newWorld(tb)
	f := &fixture{world: w}
	f.greeting = w.greeting("Grußwort zum Jubiläum", concord.VisibilityPublic, true)
	w.clock.advance(time.Hour)
	f.resolution = w.resolution("On 8 March")
	w.machineTranslation(f.resolution.ID, "es", "Sobre el 8 de marzo", spanish)
	w.humanTranslation(f.resolution.ID, "fr", "Sur le 8 mars", func(i int, _ string) string {
		return []string{"La fédération appelle à une journée d’action le 8 mars.", "Nous saluons les travailleurs de tous les pays.", "Solidarité pour toujours."}[i]
	})
	w.machineTranslation(f.resolution.ID, "ar", "حول الثامن من مارس", nil)
	w.clock.advance(time.Hour)
	var err error
	f.internal, err = w.docs.Create(w.ctx, w.actors["secretariat"], documents.NewDocument{Kind: concord.KindReport, Visibility: concord.VisibilityInternal,
		IssuerBody: "Secretariat", SourceLang: "en", Title: "Confidential finance report", Body: "Secret numbers."})
	sqldbtest.Must(tb, err)
	w.publish(f.internal)
	f.draft = w.greeting("Entwurf eines Grußworts", concord.VisibilityPublic, false)
	return f
}

// get requests path from the public site with the given header name/value pairs.
func (w *world) get(path string, header ...string) *http.Response {
	w.t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	w.mux.ServeHTTP(rec, req)
	return rec.Result()
}

// body reads a response body.
func body(tb testing.TB, res *http.Response) string {
	tb.Helper()
	b, err := io.ReadAll(res.Body)
	sqldbtest.Must(tb, err)
	return string(b)
}

// page parses an HTML response.
func page(tb testing.TB, res *http.Response) *html.Node {
	tb.Helper()
	doc, err := html.Parse(strings.NewReader(body(tb, res)))
	sqldbtest.Must(tb, err)
	return doc
}

// find returns the elements under n with tag name tag and every attribute in attrs
// ("name=value" pairs, or "name" for presence; "class~=x" for one class among several).
func find(n *html.Node, tag string, attrs ...string) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && (tag == "" || n.Data == tag) && matches(n, attrs) {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

func matches(n *html.Node, attrs []string) bool {
	for _, a := range attrs {
		if name, class, ok := strings.Cut(a, "~="); ok {
			v, has := attr(n, name)
			if !has || !strings.Contains(" "+v+" ", " "+class+" ") {
				return false
			}
			continue
		}
		name, want, withValue := strings.Cut(a, "=")
		v, has := attr(n, name)
		if !has || (withValue && v != want) {
			return false
		}
	}
	return true
}

// one returns the single element find yields, failing the test otherwise.
func one(tb testing.TB, n *html.Node, tag string, attrs ...string) *html.Node {
	tb.Helper()
	got := find(n, tag, attrs...)
	if len(got) != 1 {
		tb.Fatalf("want one <%s %v>, found %d", tag, attrs, len(got))
	}
	return got[0]
}

func attr(n *html.Node, name string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val, true
		}
	}
	return "", false
}

func attrOf(n *html.Node, name string) string {
	v, _ := attr(n, name)
	return v
}

// text returns the text content of n with white space collapsed.
func text(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

// htmlElement returns the <html> element of a parsed page.
func htmlElement(tb testing.TB, doc *html.Node) *html.Node {
	tb.Helper()
	return one(tb, doc, "html")
}

func docURL(lang, id string) string {
	return fmt.Sprintf("https://concord.example.org/pub/%s/%s", lang, id)
}
