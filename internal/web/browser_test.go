package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"concord"
	"concord/internal/browsertest"
)

// TestBrowserInviteAndAccept drives a real Chromium through the invitation flow: an org
// admin logs in and invites a delegate, the delegate opens the one-time link in a fresh
// browser context, sets a password, lands on the organization's page, and switches the UI
// to Arabic. The server runs behind the production middleware (strict CSP, cross-origin
// protection), so a page that needed inline script or style would break here.
func TestBrowserInviteAndAccept(t *testing.T) {
	t.Parallel()
	b := browsertest.NewBrowser(t)
	e := newEnv(t, true)
	org := e.createOrg(t, "Federación Obrera del Sur", "CL")
	e.addPerson(t, org, "ana", concord.RoleOrgAdmin)

	admin := b.NewContext(t)
	browsertest.Visit(admin, e.srv.URL+"/login")
	browsertest.Fill(admin, "#f-login", "ana")
	browsertest.Fill(admin, "#f-password", "ana password")
	browsertest.Click(admin, "main form button[type=submit]")
	browsertest.WaitVisible(admin, `header a[href="/account"]`)
	if font := evaluate[string](t, admin, `getComputedStyle(document.body).fontFamily`); !strings.Contains(font, "system-ui") {
		t.Errorf("the stylesheet did not apply (font %q)", font)
	}

	browsertest.Visit(admin, e.srv.URL+"/organizations/"+org.ID+"/invite")
	browsertest.WaitVisible(admin, "#f-role")
	browsertest.Fill(admin, "#f-display_name", "Rosa")
	browsertest.Fill(admin, "#f-role", "delegate")
	browsertest.Fill(admin, "#f-reference", "Acta 12")
	browsertest.Click(admin, "main form button[type=submit]")
	browsertest.WaitVisible(admin, "#invitation-link")
	link := strings.TrimSpace(browsertest.Text(admin, "#invitation-link"))
	if !strings.HasPrefix(link, e.srv.URL+"/invitations/") {
		t.Fatalf("invitation link %q", link)
	}

	invitee := b.NewContext(t) // fresh cookies: not the admin's session
	browsertest.Visit(invitee, link)
	browsertest.WaitVisible(invitee, "#f-login")
	if got := browsertest.Text(invitee, "#invited-org"); !strings.Contains(got, "Federación Obrera del Sur") {
		t.Errorf("invitation page names %q", got)
	}
	browsertest.Fill(invitee, "#f-login", "rosa")
	browsertest.Fill(invitee, "#f-display_name", "Rosa")
	browsertest.Fill(invitee, "#f-password", "rosa's long password")
	browsertest.Fill(invitee, "#f-password2", "rosa's long password")
	browsertest.Fill(invitee, "#f-time_zone", "America/Santiago")
	browsertest.Click(invitee, "main form button[type=submit]")
	browsertest.WaitVisible(invitee, "main .notice")
	if got := browsertest.Text(invitee, "main h1"); !strings.Contains(got, "Federación Obrera del Sur") {
		t.Errorf("landed on %q, want the organization's page", got)
	}
	if got := browsertest.Text(invitee, `header a[href="/account"]`); !strings.Contains(got, "Rosa") {
		t.Errorf("not logged in as Rosa: %q", got)
	}

	browsertest.Click(invitee, "#lang-ar")
	browsertest.WaitVisible(invitee, `html[lang="ar"] main h1`)
	if dir := evaluate[string](t, invitee, `document.documentElement.dir`); dir != "rtl" {
		t.Errorf("document.documentElement.dir = %q, want rtl", dir)
	}
	if lang := evaluate[string](t, invitee, `document.documentElement.lang`); lang != "ar" {
		t.Errorf("document.documentElement.lang = %q, want ar", lang)
	}
	if got := browsertest.Text(invitee, "main h1"); !strings.Contains(got, "Federación Obrera del Sur") {
		t.Errorf("after switching, the page shows %q", got)
	}
}

// evaluate runs a JavaScript expression in the tab of ctx and returns its value.
func evaluate[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}
