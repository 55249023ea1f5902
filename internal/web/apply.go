package web

import (
	"net/http"

	"concord/internal/httpx"
)

// applyForm shows the public membership application form.
func (h *Handler) applyForm(w http.ResponseWriter, r *http.Request) error {
	return h.render(w, r, http.StatusOK, "apply", state(r).l.T("apply.title"), nil)
}

// apply records a membership application; coordinators then admit or reject it.
func (h *Handler) apply(w http.ResponseWriter, r *http.Request) error {
	fr := &formReader{r: r}
	o := readOrg(fr)
	note := fr.text("note")
	err := fr.err()
	if err == nil {
		err = h.members.Apply(r.Context(), o, note, httpx.ClientIP(r))
	}
	if err != nil {
		return h.retry(w, r, err, newForm(r.PostForm), "apply", state(r).l.T("apply.title"), nil)
	}
	return redirect(w, r, "/apply/thanks", "")
}

// applyThanks confirms that an application was received.
func (h *Handler) applyThanks(w http.ResponseWriter, r *http.Request) error {
	return h.render(w, r, http.StatusOK, "apply_thanks", state(r).l.T("apply.thanks_title"), nil)
}
