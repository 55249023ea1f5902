package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"concord"
	"concord/internal/browsertest"
)

// TestBrowserSignatoriesLive drives a real Chromium: two delegates of different
// organizations sign a public signature collection in two browser contexts while a third
// context watches the public signatory list, which grows without a reload; then the
// procedure closes (the clock passes the deadline and the closing job runs) and the final
// result appears on the watching page, again without a reload. The server runs behind the
// production middleware (strict CSP, cross-origin protection).
func TestBrowserSignatoriesLive(t *testing.T) {
	t.Parallel()
	b := browsertest.NewBrowser(t)
	w := newProcWorld(t)
	p := w.signatures(t, concord.ResponsesPublic)
	l := w.bundle.Localizer("en")

	watcher := b.NewContext(t)
	browsertest.Visit(watcher, w.srv.URL+"/signatories/"+p.ID+"/en")
	browsertest.WaitVisible(watcher, "#no-signatories")
	// A marker that a reload would wipe out.
	evaluate[bool](t, watcher, `(window.concordMarker = true)`)
	waitLive(t, watcher)

	sign := func(login string, org *concord.Organization) context.Context {
		t.Helper()
		tab := b.NewContext(t)
		browsertest.Visit(tab, w.srv.URL+"/login?next=/procedures/"+p.ID)
		browsertest.Fill(tab, "#f-login", login)
		browsertest.Fill(tab, "#f-password", login+" password")
		browsertest.Click(tab, "main form button[type=submit]")
		browsertest.WaitVisible(tab, "#respond-"+org.ID+" form")
		browsertest.Click(tab, "#f-answer-"+org.ID+"-sign")
		browsertest.Click(tab, "#respond-"+org.ID+" form button[type=submit]")
		browsertest.WaitVisible(tab, "main .notice")
		if got := browsertest.Text(tab, "#respond-"+org.ID+" .current-response"); !strings.Contains(got, "Sign") {
			t.Errorf("%s: current response %q", login, got)
		}
		return tab
	}

	dana := sign("dana", w.a)
	evaluate[bool](t, dana, `(window.concordMarker = true)`)
	waitLive(t, dana)
	browsertest.WaitVisible(watcher, "#sig-"+w.a.ID)
	if got := browsertest.Text(watcher, "#sig-"+w.a.ID+" .sig-number"); got != "1" {
		t.Errorf("first signatory numbered %q", got)
	}
	if got := browsertest.Text(watcher, "#sig-"+w.a.ID+" .translation"); got != "(Unitary Workers' Centre)" {
		t.Errorf("name in English %q", got)
	}
	if lang := browsertest.Attr(watcher, "#sig-"+w.a.ID+" .sig-name", "lang"); lang != "es" {
		t.Errorf("name's lang %q", lang)
	}

	sign("boris", w.b)
	browsertest.WaitVisible(watcher, "#sig-"+w.b.ID) // the list grew: the second entry appeared
	if got := browsertest.Text(watcher, "#sig-"+w.b.ID+" .sig-number"); got != "2" {
		t.Errorf("second signatory numbered %q", got)
	}
	if got := browsertest.Text(watcher, "#sig-"+w.b.ID+" .sig-country"); got != "Germany" {
		t.Errorf("country %q", got)
	}
	browsertest.WaitVisible(watcher, "#outcome.outcome-adopted") // threshold reached: adopted, signing goes on
	// Dana's procedure page follows too: the count, the result and the list of responses.
	waitFor(t, dana, `document.querySelector('#tally dd[data-answer="sign"]').textContent === "2"`)
	waitFor(t, dana, `document.getElementById("outcome").classList.contains("outcome-adopted")`)
	waitFor(t, dana, `document.getElementById("responses").textContent.includes("Workers' Union")`)
	if !evaluate[bool](t, dana, `window.concordMarker === true`) {
		t.Error("the delegate's page was reloaded")
	}
	if got, want := browsertest.Text(watcher, "#reasons li"), l.T("result.signatures", "signed", "2", "electorate", "3", "threshold", "2"); got != want {
		t.Errorf("live reason %q, want %q", got, want)
	}
	if got := browsertest.Text(watcher, "#result-state"); got != l.T("proc.result_provisional") {
		t.Errorf("result state %q before the close", got)
	}

	// The deadline passes and the closing job runs.
	w.clock.advance(49 * time.Hour)
	if err := w.procs.CloseOverdue(context.Background()); err != nil {
		t.Fatal(err)
	}
	// The closing arrives as events: the result turns final and the list status is fetched
	// again (once it says "Final list", the page holds the state after the close).
	waitFor(t, watcher, `document.getElementById("list-status").textContent.startsWith("Final list")`)
	if got := browsertest.Text(watcher, "#result-state"); got != l.T("proc.result_final") {
		t.Errorf("result state %q after the close", got)
	}
	if got := browsertest.Text(watcher, "#outcome"); got != l.T("outcome.adopted") {
		t.Errorf("final outcome %q", got)
	}
	if !evaluate[bool](t, watcher, `window.concordMarker === true`) {
		t.Error("the watching page was reloaded")
	}
	if n := evaluate[int](t, watcher, `document.querySelectorAll("#signatories li").length`); n != 2 {
		t.Errorf("%d signatories after the close", n)
	}
}

// waitFor polls a JavaScript condition in the tab until it holds, for at most 20 seconds.
func waitFor(t *testing.T, ctx context.Context, cond string) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if evaluate[bool](t, ctx, `!!(`+cond+`)`) {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", cond)
}

// waitLive waits until the page's event stream is connected (live.js marks #live).
func waitLive(t *testing.T, ctx context.Context) {
	t.Helper()
	for i := 0; i < 100; i++ {
		if evaluate[bool](t, ctx, `document.getElementById("live")?.dataset.state === "open"`) {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("the page did not connect to its event stream")
}
