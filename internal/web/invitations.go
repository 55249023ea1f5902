package web

import (
	"net/http"
	"net/url"

	"concord"
	"concord/internal/httpx"
)

// invitationPage is the data of the page behind an invitation link.
type invitationPage struct {
	Invitation *concord.Invitation
	Org        *concord.Organization
}

// invitationForm shows whom the invitation is from and the form to create the account.
// Used, expired and unknown links are all a translated "not found".
func (h *Handler) invitationForm(w http.ResponseWriter, r *http.Request) error {
	inv, org, err := h.members.InvitationByToken(r.Context(), r.PathValue("token"))
	if err != nil {
		return err
	}
	h.preferLanguage(r, inv.Language)
	f := newForm(url.Values{"display_name": {inv.DisplayName}, "email": {inv.Email}, "language": {state(r).l.Tag()}})
	return h.renderForm(w, r, http.StatusOK, "invitation", state(r).l.T("invitation.title"), f, invitationPage{Invitation: inv, Org: org})
}

// acceptInvitation creates the account with the invitation's mandate, logs the person in
// and shows them their organization.
func (h *Handler) acceptInvitation(w http.ResponseWriter, r *http.Request) error {
	ctx, token := r.Context(), r.PathValue("token")
	inv, org, err := h.members.InvitationByToken(ctx, token)
	if err != nil {
		return err
	}
	h.preferLanguage(r, inv.Language)
	fr := &formReader{r: r}
	p := &concord.Person{Login: fr.text("login"), DisplayName: fr.text("display_name"), Email: fr.text("email"),
		Language: fr.text("language"), TimeZone: fr.text("time_zone")}
	password := fr.raw("password")
	checkRepeat(fr, "password2", password, fr.raw("password2"))
	err = fr.err()
	if err == nil {
		p, err = h.members.AcceptInvitation(ctx, token, p, password)
	}
	if err != nil {
		return h.retry(w, r, err, newForm(r.PostForm), "invitation", state(r).l.T("invitation.title"),
			invitationPage{Invitation: inv, Org: org})
	}
	secret, err := h.auth.OpenSession(ctx, p.ID, httpx.ClientIP(r), r.UserAgent())
	if err != nil {
		return err
	}
	h.setSessionCookie(w, r, secret)
	return redirect(w, r, "/organizations/"+inv.OrgID, "welcome")
}
