package public

import (
	"bytes"
	"compress/gzip"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/html"

	"concord"
	"concord/internal/documents"
	"concord/internal/i18n"
	"concord/internal/sqldb/sqldbtest"
)

func TestDocumentPages(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	id := f.resolution.ID
	allLangs := []string{"ar", "en", "es", "fr", "x-default"}
	cases := []struct {
		lang         string
		htmlLang     string
		dir          string
		contentLang  string // of the text
		title        string
		provenance   string
		provClass    string
		missing      bool
		canonicalFor string
	}{
		{"en", "en", "ltr", "en", "On 8 March", "Original text", "original", false, "en"},
		{"es", "es", "ltr", "es", "Sobre el 8 de marzo",
			"Traducción automática (Apertium 3.8.3), revisada por un traductor o una traductora de Liga B", "machine-reviewed", false, "es"},
		{"fr", "fr", "ltr", "fr", "Sur le 8 mars", "Traduit par Ligue B", "human", false, "fr"},
		{"ar", "ar", "rtl", "ar", "حول الثامن من مارس", "ترجمة آلية (Apertium 3.8.3)، لم يراجعها إنسان", "machine", false, "ar"},
		// An interface language without a translation: the original, with a note.
		{"de", "de", "ltr", "en", "On 8 March", "Originaltext", "original", true, "en"},
		{"fa", "fa", "rtl", "en", "On 8 March", "متن اصلی", "original", true, "en"},
	}
	for _, tc := range cases {
		t.Run(tc.lang, func(t *testing.T) {
			t.Parallel()
			res := f.get("/pub/" + tc.lang + "/" + id)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("status %d", res.StatusCode)
			}
			if got := res.Header.Get("Content-Language"); got != tc.contentLang {
				t.Errorf("Content-Language %q, want %q", got, tc.contentLang)
			}
			if got := res.Header.Get("Content-Type"); got != "text/html; charset=utf-8" {
				t.Errorf("Content-Type %q", got)
			}
			doc := page(t, res)
			root := htmlElement(t, doc)
			if attrOf(root, "lang") != tc.htmlLang || attrOf(root, "dir") != tc.dir {
				t.Errorf("<html lang=%q dir=%q>, want %q %q", attrOf(root, "lang"), attrOf(root, "dir"), tc.htmlLang, tc.dir)
			}
			h1 := one(t, doc, "h1")
			if text(h1) != tc.title || attrOf(h1, "lang") != tc.contentLang {
				t.Errorf("h1 %q lang %q, want %q %q", text(h1), attrOf(h1, "lang"), tc.title, tc.contentLang)
			}
			textDiv := one(t, doc, "div", "class=text")
			if attrOf(textDiv, "lang") != tc.contentLang || attrOf(textDiv, "dir") != f.pub.langs.dir(tc.contentLang) {
				t.Errorf("text lang %q dir %q", attrOf(textDiv, "lang"), attrOf(textDiv, "dir"))
			}
			if len(find(textDiv, "p")) != 3 {
				t.Errorf("text has %d paragraphs, want 3", len(find(textDiv, "p")))
			}
			prov := one(t, doc, "p", "class~=provenance")
			if text(prov) != tc.provenance || !matches(prov, []string{"class~=" + tc.provClass}) {
				t.Errorf("provenance %q (class %q), want %q (%s)", text(prov), attrOf(prov, "class"), tc.provenance, tc.provClass)
			}
			// The provenance comes right after the title, before the text.
			if prov.Parent != h1.Parent {
				t.Errorf("provenance is not next to the title")
			}
			var hreflangs []string
			for _, l := range find(doc, "link", "rel=alternate", "hreflang") {
				hreflangs = append(hreflangs, attrOf(l, "hreflang"))
				want := docURL(attrOf(l, "hreflang"), id)
				if attrOf(l, "hreflang") == "x-default" {
					want = docURL("en", id)
				}
				if attrOf(l, "href") != want {
					t.Errorf("hreflang %s → %s", attrOf(l, "hreflang"), attrOf(l, "href"))
				}
			}
			slices.Sort(hreflangs)
			if diff := cmp.Diff(allLangs, hreflangs); diff != "" {
				t.Errorf("hreflang links (-want +got):\n%s", diff)
			}
			if got := attrOf(one(t, doc, "link", "rel=canonical"), "href"); got != docURL(tc.canonicalFor, id) {
				t.Errorf("canonical %s", got)
			}
			// The visible list of languages, each in its own language, the current one marked.
			nav := one(t, doc, "nav", "class=doc-langs")
			var listed []string
			for _, a := range find(nav, "a") {
				listed = append(listed, attrOf(a, "lang"))
				if attrOf(a, "hreflang") != attrOf(a, "lang") || attrOf(a, "href") != "/pub/"+attrOf(a, "lang")+"/"+id {
					t.Errorf("language link %v", a.Attr)
				}
				if _, cur := attr(a, "aria-current"); cur != (attrOf(a, "lang") == tc.lang) {
					t.Errorf("aria-current on %s: %v", attrOf(a, "lang"), cur)
				}
			}
			if diff := cmp.Diff([]string{"en", "ar", "es", "fr"}, listed); diff != "" { // the original first
				t.Errorf("visible languages (-want +got):\n%s", diff)
			}
			notes := find(doc, "div", "class=callout", "role=note")
			if tc.missing != (len(notes) == 1) {
				t.Errorf("no-translation note present: %v, want %v", len(notes) == 1, tc.missing)
			}
			if tc.lang == "de" && len(notes) == 1 && !strings.Contains(text(notes[0]), "Originalsprache: Englisch") {
				t.Errorf("note %q does not name the original language", text(notes[0]))
			}
			if got := facts(t, doc); len(got) != 2 || !slices.Contains(slices.Collect(maps.Values(got)), "Coordinating Committee") {
				t.Errorf("facts %v: want the issuer and the date", got)
			}
			// Strict CSP: no scripts, no inline styles.
			if len(find(doc, "script"))+len(find(doc, "style"))+len(find(doc, "", "style")) > 0 {
				t.Errorf("page has scripts or inline styles")
			}
		})
	}
}

func TestGreetingFacts(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	doc := page(t, f.get("/pub/es/"+f.greeting.ID))
	want := map[string]string{"Emitido por": "Liga A", "Ocasión": "15 Jahre Föderation", "Publicado": "1 de marzo de 2026"}
	if diff := cmp.Diff(want, facts(t, doc)); diff != "" {
		t.Errorf("facts (-want +got):\n%s", diff)
	}
	if got := attrOf(one(t, doc, "time"), "datetime"); got != "2026-03-01T09:00:00Z" {
		t.Errorf("time datetime %q", got)
	}
	if got := text(one(t, doc, "p", "class=kind")); got != "Saludo" {
		t.Errorf("kind %q", got)
	}
	if got := text(one(t, doc, "title")); got != "Grußwort zum Jubiläum · Federación Mundial" {
		t.Errorf("title %q", got)
	}
}

// facts returns the document's facts list as label → value.
func facts(tb testing.TB, doc *html.Node) map[string]string {
	tb.Helper()
	out := map[string]string{}
	for _, div := range find(one(tb, doc, "dl", "class=facts"), "div") {
		out[text(one(tb, div, "dt"))] = text(one(tb, div, "dd"))
	}
	return out
}

func TestNotFound(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	cases := []struct{ name, path, title string }{
		{"draft", "/pub/es/" + f.draft.ID, "Página no encontrada"},
		{"internal though published", "/pub/en/" + f.internal.ID, "Page not found"},
		{"internal in arabic", "/pub/ar/" + f.internal.ID, "الصفحة غير موجودة"},
		{"unknown id", "/pub/fr/" + concord.NewID(f.clock.Now()), "Page introuvable"},
		{"malformed id", "/pub/en/not-an-id", "Page not found"},
		{"language without rendition nor interface", "/pub/it/" + f.resolution.ID, "Page not found"},
		{"malformed language", "/pub/e!s/" + f.resolution.ID, "Page not found"},
		{"unknown interface language index", "/pub/it/", "Page not found"},
		{"unknown kind feed", "/pub/en/poem/feed.atom", "Page not found"},
		{"index page out of range", "/pub/en/?page=2", "Page not found"},
		{"index page not a number", "/pub/en/?page=two", "Page not found"},
		{"unknown asset", "/pub-assets/abc/evil.js", "Page not found"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := f.get(tc.path)
			if res.StatusCode != http.StatusNotFound {
				t.Fatalf("status %d, want 404", res.StatusCode)
			}
			if res.Header.Get("ETag") != "" || !strings.Contains(res.Header.Get("Cache-Control"), "no-cache") {
				t.Errorf("a 404 must not be cached: ETag %q Cache-Control %q", res.Header.Get("ETag"), res.Header.Get("Cache-Control"))
			}
			raw := body(t, res)
			doc, err := html.Parse(strings.NewReader(raw))
			sqldbtest.Must(t, err)
			if got := text(one(t, doc, "h1")); got != tc.title {
				t.Errorf("h1 %q, want %q", got, tc.title)
			}
			for _, secret := range []string{"Confidential", "Secret numbers", "Entwurf"} {
				if strings.Contains(raw, secret) {
					t.Errorf("404 page reveals %q", secret)
				}
			}
		})
	}
	// Nothing about a missing page is kept.
	if n, _ := f.pub.cache.stats(); n != 0 {
		t.Errorf("cache holds %d entries after only misses", n)
	}
}

func TestConditionalRequestsAndGzip(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	path := "/pub/es/" + f.resolution.ID
	plain := f.get(path)
	plainBody := body(t, plain)
	etag := plain.Header.Get("ETag")
	if !strings.HasPrefix(etag, `"`) || strings.HasPrefix(etag, "W/") {
		t.Fatalf("ETag %q is not strong", etag)
	}
	for name, want := range map[string]string{"Cache-Control": "public, max-age=60", "Vary": "Accept-Encoding"} {
		if got := plain.Header.Get(name); got != want {
			t.Errorf("%s %q, want %q", name, got, want)
		}
	}
	if plain.Header.Get("Content-Encoding") != "" {
		t.Errorf("gzip without Accept-Encoding")
	}

	gz := f.get(path, "Accept-Encoding", "br, gzip;q=0.8")
	if gz.Header.Get("Content-Encoding") != "gzip" || gz.Header.Get("Vary") != "Accept-Encoding" {
		t.Fatalf("gzip response headers: %v", gz.Header)
	}
	gzEtag := gz.Header.Get("ETag")
	if gzEtag == etag || gzEtag == "" {
		t.Errorf("gzip ETag %q must differ from the plain one %q", gzEtag, etag)
	}
	zr, err := gzip.NewReader(gz.Body)
	sqldbtest.Must(t, err)
	unzipped, err := io.ReadAll(zr)
	sqldbtest.Must(t, err)
	if string(unzipped) != plainBody {
		t.Errorf("gzipped body differs from the plain body")
	}
	if gz.ContentLength >= int64(len(plainBody)) || gz.ContentLength <= 0 {
		t.Errorf("gzip Content-Length %d for a %d byte page", gz.ContentLength, len(plainBody))
	}

	head := httptest.NewRecorder()
	f.mux.ServeHTTP(head, httptest.NewRequest(http.MethodHead, path, nil))
	if head.Code != http.StatusOK || head.Body.Len() != 0 || head.Header().Get("ETag") != etag ||
		head.Header().Get("Content-Length") != strconv.Itoa(len(plainBody)) {
		t.Errorf("HEAD: %d, %d body bytes, headers %v", head.Code, head.Body.Len(), head.Header())
	}

	cases := []struct {
		name    string
		header  []string
		status  int
		gzipped bool
	}{
		{"same etag", []string{"If-None-Match", etag}, http.StatusNotModified, false},
		{"in a list, weak form", []string{"If-None-Match", `"other", W/` + etag}, http.StatusNotModified, false},
		{"star", []string{"If-None-Match", "*"}, http.StatusNotModified, false},
		{"gzip etag with gzip", []string{"If-None-Match", gzEtag, "Accept-Encoding", "gzip"}, http.StatusNotModified, true},
		{"plain etag but gzip wanted", []string{"If-None-Match", etag, "Accept-Encoding", "gzip"}, http.StatusOK, true},
		{"other etag", []string{"If-None-Match", `"nope"`}, http.StatusOK, false},
		{"gzip refused", []string{"Accept-Encoding", "gzip;q=0, identity"}, http.StatusOK, false},
		{"any encoding", []string{"Accept-Encoding", "*"}, http.StatusOK, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := f.get(path, tc.header...)
			b := body(t, res)
			if res.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", res.StatusCode, tc.status)
			}
			wantTag := etag
			if tc.gzipped {
				wantTag = gzEtag
			}
			if res.Header.Get("ETag") != wantTag {
				t.Errorf("ETag %q, want %q", res.Header.Get("ETag"), wantTag)
			}
			if tc.status == http.StatusNotModified && b != "" {
				t.Errorf("304 with a body")
			}
			if tc.status == http.StatusOK && (res.Header.Get("Content-Encoding") == "gzip") != tc.gzipped {
				t.Errorf("Content-Encoding %q", res.Header.Get("Content-Encoding"))
			}
		})
	}
}

func TestInvalidate(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	id := f.resolution.ID
	before := f.get("/pub/ru/" + id)
	if one(t, page(t, before), "div", "class=callout") == nil {
		t.Fatal("no note on the Russian page before a translation exists")
	}
	indexBefore := body(t, f.get("/pub/ru/"))
	feedBefore := body(t, f.get("/pub/ru/feed.atom"))

	f.humanTranslation(id, "ru", "О 8 марта", func(i int, _ string) string {
		return []string{"Федерация призывает к дню действий 8 марта.", "Мы приветствуем трудящихся всех стран.", "Солидарность навсегда."}[i]
	})
	// Without an invalidation the cached pages are served: no database access per request.
	stale := f.get("/pub/ru/" + id)
	if stale.Header.Get("ETag") != before.Header.Get("ETag") {
		t.Fatalf("the page changed without an invalidation: was it cached?")
	}
	if body(t, f.get("/pub/ru/")) != indexBefore {
		t.Fatalf("the index changed without an invalidation")
	}

	f.pub.Invalidate(id)
	after := f.get("/pub/ru/" + id)
	if after.Header.Get("ETag") == before.Header.Get("ETag") {
		t.Fatalf("the page did not change after Invalidate")
	}
	doc := page(t, after)
	if got := text(one(t, doc, "h1")); got != "О 8 марта" {
		t.Errorf("h1 %q after the Russian translation", got)
	}
	if len(find(doc, "div", "class=callout")) != 0 {
		t.Errorf("the no-translation note is still shown")
	}
	if got := text(one(t, doc, "p", "class~=provenance")); got != "Перевод: Bund B" {
		t.Errorf("provenance %q", got)
	}
	if after.Header.Get("Content-Language") != "ru" {
		t.Errorf("Content-Language %q", after.Header.Get("Content-Language"))
	}
	// Other documents' pages stay; lists are rendered again.
	if idx := body(t, f.get("/pub/ru/")); idx == indexBefore || !strings.Contains(idx, "О 8 марта") {
		t.Errorf("the index was not rendered again with the new title")
	}
	if feed := body(t, f.get("/pub/ru/feed.atom")); feed == feedBefore || !strings.Contains(feed, "О 8 марта") {
		t.Errorf("the feed was not rendered again with the new title")
	}

	// A new source version outdates the translations; readers are told.
	_, err := f.docs.SaveText(f.ctx, f.actors["secretariat"], id, "On 8 March", resolutionBody+"\n\nAmended.", "amendment")
	sqldbtest.Must(t, err)
	f.pub.Invalidate(id)
	prov := text(one(t, page(t, f.get("/pub/fr/"+id)), "p", "class~=provenance"))
	if want := "Traduction d’une version antérieure (1) ; l’original a changé depuis."; !strings.Contains(prov, want) {
		t.Errorf("outdated note missing: %q", prov)
	}
}

func TestInvalidateAll(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.get("/pub/es/" + f.resolution.ID)
	f.get("/pub/es/")
	if n, _ := f.pub.cache.stats(); n != 2 {
		t.Fatalf("%d entries cached, want 2", n)
	}
	f.pub.InvalidateAll()
	if n, size := f.pub.cache.stats(); n != 0 || size != 0 {
		t.Errorf("after InvalidateAll: %d entries, %d bytes", n, size)
	}
}

func TestIndexPaging(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	var titles []string
	for i := 1; i <= 23; i++ {
		title := "Grußwort " + string(rune('A'-1+i))
		w.greeting(title, concord.VisibilityPublic, true)
		titles = append([]string{title}, titles...) // newest first
		w.clock.advance(time.Minute)
	}
	w.greeting("Internes Grußwort", concord.VisibilityInternal, true)
	w.machineTranslation(w.resolution("On 8 March").ID, "es", "Sobre el 8 de marzo", spanish)
	titles = append([]string{"Sobre el 8 de marzo"}, titles...)

	cases := []struct {
		path      string
		items     int
		prev      string
		next      string
		firstItem string
	}{
		{"/pub/es/", 20, "", "/pub/es/?page=2", titles[0]},
		{"/pub/es/?page=2", 4, "/pub/es/", "", titles[20]},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			res := w.get(tc.path)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("status %d", res.StatusCode)
			}
			doc := page(t, res)
			items := find(doc, "li", "class=doc-item")
			if len(items) != tc.items {
				t.Fatalf("%d items, want %d", len(items), tc.items)
			}
			if got := text(one(t, items[0], "h2")); got != tc.firstItem {
				t.Errorf("first item %q, want %q", got, tc.firstItem)
			}
			for _, rel := range []struct{ name, want string }{{"prev", tc.prev}, {"next", tc.next}} {
				links, anchors := find(doc, "link", "rel="+rel.name), find(doc, "a", "rel="+rel.name)
				if rel.want == "" {
					if len(links)+len(anchors) != 0 {
						t.Errorf("unexpected rel=%s", rel.name)
					}
					continue
				}
				if len(links) != 1 || attrOf(links[0], "href") != rel.want || len(anchors) != 1 || attrOf(anchors[0], "href") != rel.want {
					t.Errorf("rel=%s links %v anchors %v, want %s", rel.name, links, anchors, rel.want)
				}
			}
			if strings.Contains(text(doc), "Internes") {
				t.Errorf("the index lists an internal document")
			}
			if got := text(one(t, doc, "p", "class=count")); !strings.HasPrefix(got, "24 documentos · página") {
				t.Errorf("count %q", got)
			}
		})
	}

	// Titles: translated where a final translation exists, else the original, marked.
	doc := page(t, w.get("/pub/es/"))
	items := find(doc, "li", "class=doc-item")
	a := one(t, one(t, items[0], "h2"), "a")
	if attrOf(a, "lang") != "es" || len(find(items[0], "p", "class=original-lang")) != 0 {
		t.Errorf("translated title: lang %q", attrOf(a, "lang"))
	}
	a = one(t, one(t, items[1], "h2"), "a")
	if attrOf(a, "lang") != "de" || attrOf(a, "dir") != "ltr" || text(one(t, items[1], "p", "class=original-lang")) != "Idioma original: alemán" {
		t.Errorf("original title not marked: lang %q, %q", attrOf(a, "lang"), text(items[1]))
	}
	if got := text(one(t, items[0], "p", "class=langs")); got != "Disponible en: English, Español" {
		t.Errorf("languages %q", got)
	}
	if got := text(one(t, items[1], "p", "class=meta")); got != "Saludo · Liga A · 1 de marzo de 2026" {
		t.Errorf("meta %q", got)
	}
	if n := len(find(one(t, doc, "section", "class=feeds"), "a", "type=application/atom+xml")); n != 1+len(concord.DocKinds()) {
		t.Errorf("%d feed links", n)
	}
	// The Arabic index is right to left.
	if root := htmlElement(t, page(t, w.get("/pub/ar/"))); attrOf(root, "dir") != "rtl" || attrOf(root, "lang") != "ar" {
		t.Errorf("Arabic index: %v", root.Attr)
	}
}

func TestRedirectsAndStylesheet(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	res := f.get("/pub/", "Accept-Language", "fa-IR, en;q=0.5")
	if res.StatusCode != http.StatusFound || res.Header.Get("Location") != "/pub/fa/" || res.Header.Get("Vary") != "Accept-Language" {
		t.Errorf("/pub/: %d → %q", res.StatusCode, res.Header.Get("Location"))
	}
	if res := f.get("/pub/tr"); res.StatusCode != http.StatusMovedPermanently || res.Header.Get("Location") != "/pub/tr/" {
		t.Errorf("/pub/tr: %d → %q", res.StatusCode, res.Header.Get("Location"))
	}
	doc := page(t, f.get("/pub/en/"+f.resolution.ID))
	css := attrOf(one(t, doc, "link", "rel=stylesheet"), "href")
	res = f.get(css, "Accept-Encoding", "gzip")
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/css; charset=utf-8" ||
		!strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("stylesheet %s: %d %v", css, res.StatusCode, res.Header)
	}
	if res := f.get("/pub-assets/0000/public.css"); res.StatusCode != http.StatusOK || res.Header.Get("Cache-Control") != "no-cache" {
		t.Errorf("stale stylesheet URL: %d %q", res.StatusCode, res.Header.Get("Cache-Control"))
	}
	// The public routes never look at a session: a cookie changes nothing.
	a, b := f.get("/pub/en/"+f.resolution.ID), f.get("/pub/en/"+f.resolution.ID, "Cookie", "session=whatever")
	if a.Header.Get("ETag") != b.Header.Get("ETag") || a.Header.Get("Set-Cookie")+b.Header.Get("Set-Cookie") != "" {
		t.Errorf("a cookie changed the public page")
	}
}

func TestProvenanceLabels(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	l := i18n.MustLoad().Localizer("en")
	orgs := w.pub.orgNames(w.ctx, "en")
	cases := []struct {
		r     documents.Rendition
		label string
	}{
		{documents.Rendition{IsSource: true, Provenance: concord.ProvHuman}, "Original text"},
		{documents.Rendition{Provenance: concord.ProvMachine, Engine: "Apertium", EngineVersion: "3.8.3"},
			"Machine translation (Apertium 3.8.3), not reviewed by a person"},
		{documents.Rendition{Provenance: concord.ProvMachineReviewed, Engine: "Apertium", EngineVersion: "3.8.3", TranslatorOrg: w.orgB.ID},
			"Machine translation (Apertium 3.8.3), reviewed by a translator of Bund B"},
		{documents.Rendition{Provenance: concord.ProvMachineReviewed, Engine: "DeepL"}, "Machine translation (DeepL), reviewed by a translator"},
		{documents.Rendition{Provenance: concord.ProvMachine}, "Machine translation (engine not recorded), not reviewed by a person"},
		{documents.Rendition{Provenance: concord.ProvHuman, TranslatorOrg: w.orgA.ID}, "Translated by Bund A"},
		{documents.Rendition{Provenance: concord.ProvHuman, TranslatorOrg: concord.NewID(w.clock.Now())}, "Translated by a person"},
	}
	for _, tc := range cases {
		if got, _ := provenance(l, tc.r, orgs); got != tc.label {
			t.Errorf("%+v: %q, want %q", tc.r, got, tc.label)
		}
	}
	if got := l.T("public.prov.outdated", "version", 3); got != "Translation of an earlier version (3); the original has changed since." {
		t.Errorf("outdated: %q", got)
	}
}

func TestAcceptsGzip(t *testing.T) {
	t.Parallel()
	cases := map[string]bool{
		"":                       false,
		"gzip":                   true,
		"GZIP":                   true,
		"deflate, gzip;q=1.0":    true,
		"br;q=1, gzip;q=0.5":     true,
		"gzip;q=0":               false,
		"gzip; q=0.000":          false,
		"gzip;q=0.001":           true,
		"*":                      true,
		"*;q=0":                  false,
		"*, gzip;q=0":            false,
		"identity":               false,
		"x-gzip":                 true,
		"br, deflate":            false,
		"gzip;level=9, identity": true,
	}
	for header, want := range cases {
		if got := acceptsGzip([]string{header}); got != want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", header, got, want)
		}
	}
	if !acceptsGzip([]string{"br", "gzip"}) {
		t.Errorf("gzip in a second header line not seen")
	}
}

func TestCacheEvictsLeastRecentlyUsed(t *testing.T) {
	t.Parallel()
	mk := func(n int) *entry { return newEntry(http.StatusOK, htmlType, "en", bytes.Repeat([]byte{'x'}, n)) }
	e1 := mk(1000)
	c := newCache(3 * e1.size())
	gen := c.generation()
	k := func(i int) cacheKey { return cacheKey{kind: 'd', a: "doc" + string(rune('0'+i)), b: "en"} }
	c.put(k(1), e1, gen)
	c.put(k(2), mk(1000), gen)
	c.put(k(3), mk(1000), gen)
	c.get(k(1)) // 2 is now the least recently used
	c.put(k(4), mk(1000), gen)
	if c.get(k(2)) != nil || c.get(k(1)) == nil || c.get(k(3)) == nil || c.get(k(4)) == nil {
		t.Errorf("LRU eviction kept the wrong entries")
	}
	if n, size := c.stats(); n != 3 || size > c.max {
		t.Errorf("%d entries, %d bytes (max %d)", n, size, c.max)
	}
	c.put(cacheKey{kind: 'd', a: "huge"}, mk(10_000), gen)
	if c.get(cacheKey{kind: 'd', a: "huge"}) != nil {
		t.Errorf("an entry larger than the whole cache was kept")
	}
	c.invalidate("doc3")
	c.put(k(5), mk(10), gen)
	if c.get(k(3)) != nil || c.get(k(5)) != nil || c.get(k(4)) == nil {
		t.Errorf("invalidate: doc3 kept, or a render from before the invalidation stored")
	}
}

func TestConcurrentMissesShareOneRender(t *testing.T) {
	t.Parallel()
	var f flights
	var calls atomic.Int32
	release := make(chan struct{})
	k := flightKey{key: cacheKey{kind: 'd', a: "x"}}
	var wg sync.WaitGroup
	results := make([]*entry, 10)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e, err := f.do(k, func() (*entry, error) {
				calls.Add(1)
				<-release
				return newEntry(http.StatusOK, htmlType, "en", []byte("page")), nil
			})
			if err != nil {
				t.Error(err)
			}
			results[i] = e
		}()
	}
	for f.mu.Lock(); len(f.m) == 0; f.mu.Lock() { // wait until the first render is in flight
		f.mu.Unlock()
		runtime.Gosched()
	}
	f.mu.Unlock()
	time.Sleep(10 * time.Millisecond) // let the others join it
	close(release)
	wg.Wait()
	if calls.Load() > 2 { // at most a straggler that arrived after the first render ended
		t.Errorf("%d renders for one page", calls.Load())
	}
	for _, e := range results {
		if e == nil || string(e.body) != "page" {
			t.Fatalf("a waiter got %v", e)
		}
	}
	// A render that panics does not leave its waiters without an answer.
	func() {
		defer func() { _ = recover() }()
		_, _ = f.do(k, func() (*entry, error) { panic("boom") })
	}()
	if len(f.m) != 0 {
		t.Errorf("a panicked render stays in flight")
	}
}

func TestConcurrentRequestsAndInvalidation(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	paths := []string{"/pub/es/" + fx.resolution.ID, "/pub/de/" + fx.resolution.ID, "/pub/es/", "/pub/ar/feed.atom"}
	stop := make(chan struct{})
	var invalidations sync.WaitGroup
	invalidations.Add(1)
	go func() {
		defer invalidations.Done()
		for {
			select {
			case <-stop:
				return
			default:
				fx.pub.Invalidate(fx.resolution.ID)
				time.Sleep(time.Millisecond)
			}
		}
	}()
	var wg sync.WaitGroup
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 25; i++ {
				res := fx.get(paths[(g+i)%len(paths)], "Accept-Encoding", []string{"gzip", ""}[i%2])
				if res.StatusCode != http.StatusOK {
					t.Errorf("%s: status %d", paths[(g+i)%len(paths)], res.StatusCode)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	invalidations.Wait()
}

func FuzzAcceptsGzip(f *testing.F) {
	for _, s := range []string{"gzip", "gzip;q=0", "*;q=0.5, gzip;q=0", "br , x-gzip ; q = 0.000", ",,;;=", "gzip;q=0.;q=1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		got := acceptsGzip([]string{header})
		lower := strings.ToLower(header)
		if got && !strings.Contains(lower, "gzip") && !strings.Contains(header, "*") {
			t.Errorf("acceptsGzip(%q) = true without gzip or *", header)
		}
	})
}

func FuzzETagListMatches(f *testing.F) {
	for _, s := range []string{`"abc"`, `W/"abc", "x"`, "*", `,, W/`, `"abc-gz"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		got := etagListMatches([]string{header}, `"abc"`)
		if got && !strings.Contains(header, `"abc"`) && !strings.Contains(header, "*") {
			t.Errorf("etagListMatches(%q) = true", header)
		}
	})
}
