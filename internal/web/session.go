package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"concord"
	"concord/internal/httpx"
)

// Cookie names. Under TLS the session cookie carries the __Host- prefix, which browsers
// accept only with Secure, Path=/ and no Domain: no subdomain can set or read it.
const (
	sessionCookie       = "concord_session"
	secureSessionCookie = "__Host-concord_session"
	langCookie          = "lang"
)

// refreshCookieAfter is how stale a session may be before the cookie's lifetime is renewed
// with the server-side expiry (the service extends a session at the same pace).
const refreshCookieAfter = 5 * time.Minute

func (h *Handler) sessionCookieName(r *http.Request) string {
	if httpx.IsSecure(r, h.trustProxy) {
		return secureSessionCookie
	}
	return sessionCookie
}

// loadSession sets st.actor from the session cookie. A missing, expired or revoked session
// is an anonymous visitor (and a stale cookie is removed); only a failing database is an
// error.
func (h *Handler) loadSession(w http.ResponseWriter, r *http.Request, st *requestState) error {
	c, err := r.Cookie(h.sessionCookieName(r))
	if err != nil || c.Value == "" {
		return nil
	}
	a, sess, err := h.auth.SessionActor(r.Context(), c.Value)
	switch concord.ErrorCode(err) {
	case "":
	case concord.EUNAUTHORIZED:
		h.clearSessionCookie(w, r)
		return nil
	default:
		return err
	}
	st.actor, st.session, st.secret = a, sess, c.Value
	if h.clock.Now().Sub(sess.LastSeenAt) > refreshCookieAfter {
		h.setSessionCookie(w, r, c.Value)
	}
	return nil
}

// setSessionCookie stores a new session secret in the browser.
func (h *Handler) setSessionCookie(w http.ResponseWriter, r *http.Request, secret string) {
	http.SetCookie(w, &http.Cookie{Name: h.sessionCookieName(r), Value: secret, Path: "/",
		MaxAge: int(concord.SessionTTL / time.Second), HttpOnly: true, Secure: httpx.IsSecure(r, h.trustProxy),
		SameSite: http.SameSiteLaxMode})
}

// clearSessionCookie removes the session cookie.
func (h *Handler) clearSessionCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: h.sessionCookieName(r), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: httpx.IsSecure(r, h.trustProxy), SameSite: http.SameSiteLaxMode})
}

// chooseLanguage picks the UI language: the switcher's cookie, the person's preference,
// the browser's Accept-Language, English.
func (h *Handler) chooseLanguage(r *http.Request, a *concord.Actor) string {
	if c, err := r.Cookie(langCookie); err == nil && h.i18n.Supported(c.Value) {
		return c.Value
	}
	var candidates []string
	if a != nil && a.Person != nil && a.Person.Language != "" {
		candidates = append(candidates, a.Person.Language)
	}
	candidates = append(candidates, h.i18n.FromAcceptLanguage(r.Header.Get("Accept-Language"))...)
	return h.i18n.Negotiate(candidates...)
}

// preferLanguage switches the page to tag (a language the person is known to read, such as
// the one an invitation was written for) unless they chose one with the switcher.
func (h *Handler) preferLanguage(r *http.Request, tag string) {
	if c, err := r.Cookie(langCookie); err == nil && h.i18n.Supported(c.Value) {
		return
	}
	if h.i18n.Supported(tag) {
		state(r).l = h.i18n.Localizer(tag)
	}
}

// setLanguage handles the language switcher: POST /language with lang and next.
func (h *Handler) setLanguage(w http.ResponseWriter, r *http.Request) error {
	lang := r.PostFormValue("lang")
	if !h.i18n.Supported(lang) {
		return badRequest("lang")
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, Secure: httpx.IsSecure(r, h.trustProxy), SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, localPath(r.PostFormValue("next")), http.StatusSeeOther)
	return nil
}

// localPath returns s if it is a path on this site (for redirects after login or a language
// switch), else "/". Scheme-relative ("//host"), backslash and absolute URLs are refused.
func localPath(s string) string {
	if s == "" || len(s) > 2000 || s[0] != '/' || strings.HasPrefix(s, "//") || strings.ContainsAny(s, "\\\r\n\t") {
		return "/"
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") {
		return "/"
	}
	for _, c := range s {
		if c < 0x20 || c == 0x7f {
			return "/"
		}
	}
	return s
}
