package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"concord"
	"concord/internal/httpx"
)

// handlerFunc is the shape of every page handler: it writes a response or returns an error.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// maxFormBytes bounds a form body; the largest legitimate form (an organization with its
// description and translated names) stays far below.
const maxFormBytes = 256 << 10

// Larger bodies for the routes that need them: long texts (a document body of 200 000
// characters, percent-encoded, in a non-Latin script) and file uploads, each with room for
// the multipart framing and the other fields.
const (
	maxTextFormBytes = 4 << 20
	uploadSlack      = 1 << 20
)

// page adapts a handler: it loads the session and the language, runs the handler, and turns
// a returned error into the one kind of response that fits it.
func (h *Handler) page(fn handlerFunc) http.Handler { return h.pageLimit(maxFormBytes, fn) }

// pageLimit is page for a route whose POST body may be up to limit bytes. Multipart bodies
// (uploads) are left for the handler to read; parseUpload does it.
func (h *Handler) pageLimit(limit int64, fn handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := &requestState{}
		ctx := context.WithValue(r.Context(), stateKey{}, st)
		r = r.WithContext(ctx)
		err := h.loadSession(w, r, st)
		if err == nil {
			r = r.WithContext(httpx.WithActor(ctx, st.actor))
			st.l = h.i18n.Localizer(h.chooseLanguage(r, st.actor))
			if r.Method == http.MethodPost {
				r.Body = http.MaxBytesReader(w, r.Body, limit)
				err = parseForm(r)
			}
			if err == nil {
				err = fn(w, r)
			}
		}
		if st.l == nil {
			st.l = h.i18n.Localizer(h.chooseLanguage(r, nil))
		}
		if err != nil {
			h.fail(w, r, err)
		}
	})
}

// parseForm reads a POST body, mapping transport problems to error codes.
func parseForm(r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return &concord.Error{Code: httpx.ETOOLARGE, Key: "error.too_large", Message: "form too large"}
		}
		return &concord.Error{Code: httpx.EBADREQUEST, Key: "error.bad_form", Message: "cannot parse form"}
	}
	return nil
}

// fail writes the response for an error: a login redirect for a visitor who must log in,
// otherwise a translated error page with the status the error code maps to. Internal errors
// are logged with the request and shown without details.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	code := concord.ErrorCode(err)
	if code == concord.EUNAUTHORIZED && actor(r) == nil {
		http.Redirect(w, r, "/login?next="+url.QueryEscape(returnPath(r)), http.StatusSeeOther)
		return
	}
	status := httpx.Status(code)
	if status >= 500 {
		h.log.ErrorContext(r.Context(), "web request failed", "method", r.Method, "route", r.Pattern, "error", err)
	}
	st := state(r)
	titleKey := "errorpage.title"
	switch code {
	case concord.ENOTFOUND:
		titleKey = "errorpage.not_found"
	case concord.EFORBIDDEN:
		titleKey = "errorpage.forbidden"
	case concord.EINTERNAL:
		titleKey = "errorpage.internal"
	}
	data := errorPage{Message: h.errorMessage(st, err)}
	if e := concord.AsError(err); e != nil && code == concord.EINVALID {
		for _, f := range e.Fields {
			data.Details = append(data.Details, h.fieldMessage(st, f))
		}
	}
	if rerr := h.render(w, r, status, "error", st.l.T(titleKey), data); rerr != nil {
		h.log.ErrorContext(r.Context(), "render error page", "route", r.Pattern, "error", rerr)
		http.Error(w, st.l.T("error.internal"), status)
	}
}

// returnPath is where to go back after logging in: the page itself for a GET, the page the
// form was on (this site's Referer) for a POST.
func returnPath(r *http.Request) string {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return r.URL.RequestURI()
	}
	if ref, err := url.Parse(r.Referer()); err == nil && ref.Host == r.Host {
		return localPath(ref.RequestURI())
	}
	return "/"
}

// errorPage is the data of the error template.
type errorPage struct {
	Message string
	Details []string
}

// errorMessage translates an error for the person; internal errors never show their text.
func (h *Handler) errorMessage(st *requestState, err error) string {
	e := concord.AsError(err)
	if e == nil || e.Code == concord.EINTERNAL {
		return st.l.T("error.internal")
	}
	return st.l.T(httpx.ErrorKey(e), h.translateParams(st, e.Params)...)
}

// fieldMessage translates one field problem, naming the field by its label.
func (h *Handler) fieldMessage(st *requestState, f concord.FieldError) string {
	params := map[string]string{}
	for k, v := range f.Params {
		params[k] = v
	}
	params["field"] = h.fieldLabel(st.l, f.Field)
	key := f.Key
	if key == "" {
		key = "error.invalid"
	}
	return st.l.T(key, h.translateParams(st, params)...)
}

// translateParams turns parameter values that are codes (statuses, language tags) into
// words, and byte counts into sizes.
func (h *Handler) translateParams(st *requestState, params map[string]string) []any {
	out := map[string]string{}
	for k, v := range params {
		switch k {
		case "from", "to":
			switch {
			case concord.OrgStatus(v).Valid():
				v = st.l.T("status." + v)
			case concord.DocStatus(v).Valid():
				v = st.l.T("docstatus." + v)
			case concord.ValidLangTag(v):
				v = h.names.language(st.l.Tag(), v)
			}
		case "limit":
			if n, err := strconv.ParseInt(v, 10, 64); err == nil {
				if _, ok := params["max"]; !ok {
					out["max"] = formatSize(st.l, n)
				}
			}
		}
		out[k] = v
	}
	return httpx.Params(out)
}

// notFound is the error for a page that does not exist.
func notFound() error {
	return &concord.Error{Code: concord.ENOTFOUND, Key: "error.page_not_found", Message: "page not found"}
}

// badRequest is the error for a malformed parameter in a link or form.
func badRequest(what string) error {
	return &concord.Error{Code: httpx.EBADREQUEST, Key: "error.bad_form", Message: "bad parameter: " + what}
}
