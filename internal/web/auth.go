package web

import (
	"net/http"
	"net/url"

	"concord"
	"concord/internal/httpx"
)

// setupForm shows the first-start form while no federation admin exists; afterwards the
// page does not exist.
func (h *Handler) setupForm(w http.ResponseWriter, r *http.Request) error {
	needed, err := h.auth.SetupNeeded(r.Context())
	if err != nil {
		return err
	}
	if !needed {
		return notFound()
	}
	return h.render(w, r, http.StatusOK, "setup", state(r).l.T("setup.title"), nil)
}

// setup creates the first federation admin and logs them in.
func (h *Handler) setup(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	needed, err := h.auth.SetupNeeded(ctx)
	if err != nil {
		return err
	}
	if !needed {
		return notFound()
	}
	st := state(r)
	fr := &formReader{r: r}
	p := &concord.Person{Login: fr.text("login"), DisplayName: fr.text("display_name"), Language: st.l.Tag()}
	password := fr.raw("password")
	checkRepeat(fr, "password2", password, fr.raw("password2"))
	err = fr.err()
	if err == nil {
		err = h.auth.CreateFirstAdmin(ctx, p, password)
	}
	if err != nil {
		return h.retry(w, r, err, newForm(r.PostForm), "setup", st.l.T("setup.title"), nil)
	}
	secret, err := h.auth.OpenSession(ctx, p.ID, httpx.ClientIP(r), r.UserAgent())
	if err != nil {
		return err
	}
	h.setSessionCookie(w, r, secret)
	return redirect(w, r, "/", "setup")
}

// checkRepeat records a problem when a repeated password differs from the first.
func checkRepeat(fr *formReader, field, first, repeat string) {
	if first != repeat {
		fr.v.Add(field, "error.password_mismatch", "does not match the password")
	}
}

// loginPage is the data of the login page.
type loginPage struct {
	Next string
}

// loginForm shows the login form; a person already logged in goes on to next.
func (h *Handler) loginForm(w http.ResponseWriter, r *http.Request) error {
	next := localPath(r.URL.Query().Get("next"))
	if actor(r) != nil {
		return redirect(w, r, next, "")
	}
	f := newForm(url.Values{"next": {next}})
	return h.renderForm(w, r, http.StatusOK, "login", state(r).l.T("nav.login"), f, loginPage{Next: next})
}

// login checks the credentials, opens a session and goes on to next.
func (h *Handler) login(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	next := localPath(r.PostFormValue("next"))
	fr := &formReader{r: r}
	login, password := fr.text("login"), fr.raw("password")
	err := fr.err()
	var secret string
	if err == nil {
		secret, _, err = h.auth.Login(r.Context(), login, password, httpx.ClientIP(r), r.UserAgent())
	}
	if err != nil {
		f := newForm(url.Values{"login": {r.PostFormValue("login")}, "next": {next}})
		switch concord.ErrorCode(err) {
		case concord.EUNAUTHORIZED, concord.ERATELIMIT:
			f.Message = h.errorMessage(st, err)
			return h.renderForm(w, r, httpx.Status(concord.ErrorCode(err)), "login", st.l.T("nav.login"), f, loginPage{Next: next})
		}
		return h.retry(w, r, err, f, "login", st.l.T("nav.login"), loginPage{Next: next})
	}
	h.setSessionCookie(w, r, secret)
	return redirect(w, r, next, "")
}

// logout ends the current session.
func (h *Handler) logout(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	if st.actor != nil {
		if err := h.auth.Logout(r.Context(), st.actor, st.secret); err != nil && concord.ErrorCode(err) != concord.ENOTFOUND {
			return err
		}
	}
	h.clearSessionCookie(w, r)
	return redirect(w, r, "/", "logged_out")
}
