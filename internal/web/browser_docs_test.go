package web_test

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"concord"
	"concord/internal/browsertest"
	"concord/internal/mt"
	"concord/internal/public"
)

// requireApertium returns the real Apertium engine with its English→Spanish pair. Without
// them it skips the test, or fails it when $CI is set or CONCORD_REQUIRE_TOOLS=1, as the
// browser harness does for Chromium.
func requireApertium(t *testing.T) *mt.Apertium {
	t.Helper()
	_, errCmd := exec.LookPath("apertium")
	_, errMode := os.Stat("/usr/share/apertium/modes/eng-spa.mode")
	if errCmd != nil || errMode != nil {
		msg := "apertium or its eng-spa pair is not installed (apt-get install apertium apertium-eng-spa)"
		if os.Getenv("CI") != "" || os.Getenv("CONCORD_REQUIRE_TOOLS") == "1" {
			t.Fatal(msg + " (required because CI or CONCORD_REQUIRE_TOOLS=1 is set)")
		}
		t.Skip(msg)
	}
	return mt.NewApertium(mt.ApertiumConfig{})
}

// TestBrowserTranslatorFlow drives a real Chromium through a translator's work on a
// published English resolution, with the real Apertium: start a Spanish translation,
// machine-translate one paragraph and accept it, translate the others by hand, see the
// forbidden "lucha libre" highlighted when marking final, fix it, mark final, and read the
// Spanish text with its provenance on the public site. The server runs behind the
// production middleware (strict CSP, cross-origin protection).
func TestBrowserTranslatorFlow(t *testing.T) {
	t.Parallel()
	b := browsertest.NewBrowser(t)
	b.Timeout = 3 * time.Minute // Apertium takes a few seconds to start
	apertium := requireApertium(t)
	e := newEnv(t, true, apertium)
	public.New(public.Deps{Docs: e.docs, Members: e.members, I18n: e.bundle}).Register(e.mux)
	ctx := context.Background()

	d := e.newResolution(t, "Resolution on 8 March", resolutionBody)
	e.setStatus(t, d.ID, concord.DocCirculating, concord.DocAdopted, concord.DocPublished)
	e.addTerm(t)
	org := e.createOrg(t, "Workers' Union", "DE")
	e.addPerson(t, org, "tina", concord.RoleTranslator)
	segs := concord.Segments(resolutionBody)
	row := func(i int) string { return "#row-" + segs[i].ID }
	target := func(i int) string { return "#f-t-" + segs[i].ID }

	tab := b.NewContext(t)
	browsertest.Visit(tab, e.srv.URL+"/login")
	browsertest.Fill(tab, "#f-login", "tina")
	browsertest.Fill(tab, "#f-password", "tina password")
	browsertest.Click(tab, "main form button[type=submit]")
	browsertest.WaitVisible(tab, `header a[href="/account"]`)

	// Open the resolution and start a Spanish translation.
	browsertest.Visit(tab, e.srv.URL+"/documents/"+d.ID)
	browsertest.WaitVisible(tab, ".doc-text #p-3")
	browsertest.Fill(tab, "#f-lang", "es")
	browsertest.Click(tab, `form[action="/documents/`+d.ID+`/translate"] button[type=submit]`)
	browsertest.WaitVisible(tab, "#start-translation")
	if got := browsertest.Text(tab, "#engines"); !strings.Contains(got, "Apertium") {
		t.Errorf("the editor does not name Apertium: %q", got)
	}
	browsertest.Click(tab, "#start-translation")
	browsertest.WaitVisible(tab, "form.editor "+target(0))

	// Machine-translate the second paragraph only, and accept it.
	browsertest.Click(tab, row(1)+` button[value="mt:`+segs[1].ID+`"]`)
	browsertest.WaitVisible(tab, row(1)+" .segstate-machine")
	machine := evaluate[string](t, tab, `document.querySelector("`+target(1)+`").value`)
	if !strings.Contains(machine, "trabajadores") {
		t.Errorf("Apertium's Spanish for paragraph 2: %q", machine)
	}
	if got := evaluate[string](t, tab, `document.querySelector("`+target(0)+`").value + document.querySelector("`+target(2)+`").value`); got != "" {
		t.Errorf("other paragraphs were filled too: %q", got)
	}
	// A click while the page still settles (scrolling to the row) can miss; make sure it took.
	for i := 0; i < 3 && !evaluate[bool](t, tab, `document.querySelector("`+target(1)+`-reviewed").checked`); i++ {
		browsertest.Click(tab, target(1)+"-reviewed")
		time.Sleep(100 * time.Millisecond)
	}
	if !evaluate[bool](t, tab, `document.querySelector("`+target(1)+`-reviewed").checked`) {
		t.Fatal("cannot tick the machine paragraph as reviewed")
	}

	// The other paragraphs and the title by hand, one with the forbidden wording.
	browsertest.Fill(tab, "#f-title", "Resolución sobre el 8 de marzo")
	browsertest.Fill(tab, target(0), "La federación convoca una lucha libre el 8 de marzo.")
	browsertest.Fill(tab, target(2), "¡Solidaridad para siempre!")
	browsertest.Click(tab, "#mark-final")
	browsertest.WaitVisible(tab, "#error-summary")
	if got := browsertest.Text(tab, row(0)+" mark.violation"); !strings.Contains(got, "lucha libre") {
		t.Errorf("highlighted: %q", got)
	}
	if got := browsertest.Text(tab, row(0)+" .issues"); !strings.Contains(got, "use “jornada de lucha”") {
		t.Errorf("violation explained as %q", got)
	}
	if got := browsertest.Text(tab, "#error-summary"); !strings.Contains(got, "lucha libre") {
		t.Errorf("error summary: %q", got)
	}
	if got := evaluate[string](t, tab, `document.activeElement.id`); got != "error-summary" {
		t.Errorf("focus on %q, want the error summary", got)
	}
	if got := evaluate[bool](t, tab, `document.querySelector("`+target(1)+`-reviewed").checked`); !got {
		t.Errorf("the accepted machine paragraph is no longer ticked")
	}

	// Fix it and mark final.
	browsertest.Fill(tab, target(0), "La federación convoca una jornada de lucha el 8 de marzo.")
	browsertest.Click(tab, "#mark-final")
	browsertest.WaitVisible(tab, "main .notice")
	if got := browsertest.Text(tab, "#translation-status"); got != "Final" {
		t.Errorf("status %q", got)
	}
	if got := browsertest.Text(tab, "#translation-provenance"); got != "Machine translation (Apertium), reviewed by a person" {
		t.Errorf("provenance %q", got)
	}

	// The public page shows the Spanish text and says how it was made.
	tv, err := e.docs.Translation(ctx, e.admin, d.ID, "es")
	if err != nil {
		t.Fatal(err)
	}
	browsertest.Visit(tab, e.srv.URL+"/pub/es/"+d.ID)
	browsertest.WaitVisible(tab, ".provenance")
	words := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	text := words(browsertest.Text(tab, ".text"))
	for _, want := range []string{"jornada de lucha", words(machine), "¡Solidaridad para siempre!"} {
		if !strings.Contains(text, want) {
			t.Errorf("public Spanish text lacks %q:\n%s", want, text)
		}
	}
	want := e.bundle.Localizer("es").T("public.prov.machine_reviewed", "engine", "Apertium "+tv.Translation.EngineVersion, "org", "Workers' Union")
	if got := browsertest.Text(tab, ".provenance"); got != want {
		t.Errorf("public provenance %q, want %q", got, want)
	}
	if lang := evaluate[string](t, tab, `document.querySelector(".text").lang`); lang != "es" {
		t.Errorf("public text lang %q", lang)
	}
}
