package public

import (
	"net/http"

	"concord"
	"concord/internal/httpx"
)

// errorPage is the data of error.html.
type errorPage struct {
	Message string
}

// fail writes the translated error page for err, in the language of the address when it is
// an interface language, else the browser's. Every not-found looks the same, so that
// internal and unpublished texts are not revealed. Internal errors are logged with the
// request and shown without details. Error pages are not cached.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	code := concord.ErrorCode(err)
	status := httpx.Status(code)
	if status >= 500 {
		h.log.ErrorContext(r.Context(), "public request failed", "method", r.Method, "route", r.Pattern, "path", r.URL.Path, "error", err)
	}
	candidates := append([]string{r.PathValue("lang")}, h.i18n.FromAcceptLanguage(r.Header.Get("Accept-Language"))...)
	l := h.i18n.Localizer(h.i18n.Negotiate(candidates...))
	titleKey, message := "errorpage.title", l.T("error.internal")
	switch e := concord.AsError(err); {
	case code == concord.ENOTFOUND:
		titleKey, message = "errorpage.not_found", l.T("error.page_not_found")
	case code == concord.EINTERNAL || e == nil:
		titleKey = "errorpage.internal"
	default:
		message = l.T(httpx.ErrorKey(e), httpx.Params(e.Params)...)
	}
	v := h.newView(l, h.site(r.Context(), l), l.T(titleKey))
	v.Data = errorPage{Message: message}
	v.UILangs = h.uiLangs(l.Tag(), indexPath)
	body, rerr := h.renderHTML("error", v)
	if rerr != nil {
		h.log.ErrorContext(r.Context(), "public: render error page", "error", rerr)
		http.Error(w, message, status)
		return
	}
	hdr := w.Header()
	hdr.Set("Content-Type", "text/html; charset=utf-8")
	hdr.Set("Content-Language", l.Tag())
	hdr.Set("Cache-Control", "no-cache")
	hdr.Del("Etag")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}
