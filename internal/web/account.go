package web

import (
	"net/http"
	"net/url"

	"concord"
	"concord/internal/httpx"
)

// loggedIn returns the actor, or an EUNAUTHORIZED error that sends a visitor to the login
// page.
func loggedIn(r *http.Request) (*concord.Actor, error) {
	a := actor(r)
	if a == nil || a.Person == nil {
		return nil, &concord.Error{Code: concord.EUNAUTHORIZED, Key: "error.unauthorized", Message: "log in first"}
	}
	return a, nil
}

func profileValues(p *concord.Person) url.Values {
	return url.Values{"display_name": {p.DisplayName}, "email": {p.Email}, "language": {p.Language}, "time_zone": {p.TimeZone}}
}

// accountForm shows the person's own profile and the password form.
func (h *Handler) accountForm(w http.ResponseWriter, r *http.Request) error {
	a, err := loggedIn(r)
	if err != nil {
		return err
	}
	return h.renderForm(w, r, http.StatusOK, "account", state(r).l.T("nav.account"), newForm(profileValues(a.Person)), nil)
}

// updateAccount saves the person's display name, email, language and time zone. A chosen
// UI language also becomes the language of this browser.
func (h *Handler) updateAccount(w http.ResponseWriter, r *http.Request) error {
	a, err := loggedIn(r)
	if err != nil {
		return err
	}
	fr := &formReader{r: r}
	edit := concord.Person{DisplayName: fr.text("display_name"), Email: fr.text("email"), Language: fr.text("language"),
		TimeZone: fr.text("time_zone")}
	err = fr.err()
	if err == nil {
		_, err = h.members.UpdateProfile(r.Context(), a, a.PersonID(), edit)
	}
	if err != nil {
		return h.retry(w, r, err, newForm(r.PostForm), "account", state(r).l.T("nav.account"), nil)
	}
	if h.i18n.Supported(edit.Language) {
		http.SetCookie(w, &http.Cookie{Name: langCookie, Value: edit.Language, Path: "/", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, Secure: httpx.IsSecure(r, h.trustProxy), SameSite: http.SameSiteLaxMode})
	}
	return redirect(w, r, "/account", "profile")
}

// changePassword replaces the person's password; their other sessions end.
func (h *Handler) changePassword(w http.ResponseWriter, r *http.Request) error {
	a, err := loggedIn(r)
	if err != nil {
		return err
	}
	st := state(r)
	fr := &formReader{r: r}
	oldPassword, newPassword := fr.raw("old_password"), fr.raw("new_password")
	checkRepeat(fr, "new_password2", newPassword, fr.raw("new_password2"))
	err = fr.err()
	if err == nil {
		err = h.auth.ChangePassword(r.Context(), a, st.session.ID, oldPassword, newPassword)
	}
	if err != nil {
		return h.retry(w, r, err, newForm(profileValues(a.Person)), "account", st.l.T("nav.account"), nil)
	}
	return redirect(w, r, "/account", "password")
}

// sessionsPage is the data of the sessions page.
type sessionsPage struct {
	Sessions []concord.Session
	Current  string
}

// sessions lists the person's open sessions, the current one marked.
func (h *Handler) sessions(w http.ResponseWriter, r *http.Request) error {
	a, err := loggedIn(r)
	if err != nil {
		return err
	}
	list, err := h.auth.Sessions(r.Context(), a)
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "sessions", state(r).l.T("nav.sessions"), sessionsPage{Sessions: list, Current: state(r).session.ID})
}

// revokeSession ends one of the person's sessions; ending the current one logs out.
func (h *Handler) revokeSession(w http.ResponseWriter, r *http.Request) error {
	a, err := loggedIn(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if !isHex(id, 64) {
		return notFound()
	}
	if err := h.auth.RevokeSession(r.Context(), a, id); err != nil {
		return err
	}
	if id == state(r).session.ID {
		h.clearSessionCookie(w, r)
		return redirect(w, r, "/login", "")
	}
	return redirect(w, r, "/account/sessions", "session")
}

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := range len(s) {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// tokensPage is the data of the API tokens page.
type tokensPage struct {
	Tokens []concord.APIToken
	Secret string // a new token's secret, shown once
	Name   string
}

// tokens lists the person's API tokens and offers to create one.
func (h *Handler) tokens(w http.ResponseWriter, r *http.Request) error {
	a, err := loggedIn(r)
	if err != nil {
		return err
	}
	list, err := h.auth.Tokens(r.Context(), a)
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "tokens", state(r).l.T("nav.tokens"), tokensPage{Tokens: list})
}

// createToken makes an API token and shows its secret once.
func (h *Handler) createToken(w http.ResponseWriter, r *http.Request) error {
	a, err := loggedIn(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	fr := &formReader{r: r}
	name := fr.text("name")
	err = fr.err()
	var tok *concord.APIToken
	var secret string
	if err == nil {
		tok, secret, err = h.auth.CreateToken(ctx, a, name)
	}
	list, lerr := h.auth.Tokens(ctx, a)
	if lerr != nil {
		return lerr
	}
	if err != nil {
		return h.retry(w, r, err, newForm(r.PostForm), "tokens", state(r).l.T("nav.tokens"), tokensPage{Tokens: list})
	}
	return h.render(w, r, http.StatusOK, "tokens", state(r).l.T("nav.tokens"), tokensPage{Tokens: list, Secret: secret, Name: tok.Name})
}

// revokeToken revokes one of the person's API tokens.
func (h *Handler) revokeToken(w http.ResponseWriter, r *http.Request) error {
	a, err := loggedIn(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if !concord.ValidID(id) {
		return notFound()
	}
	if err := h.auth.RevokeToken(r.Context(), a, id); err != nil {
		return err
	}
	return redirect(w, r, "/account/tokens", "token")
}
