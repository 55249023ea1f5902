package web

import (
	"net/http"
	"time"
)

// anniversaryWindow is how far ahead the anniversaries page looks.
const anniversaryWindow = 365 * 24 * time.Hour

// anniversaries lists the jubilees of the federation and its members in the coming year.
func (h *Handler) anniversaries(w http.ResponseWriter, r *http.Request) error {
	js, err := h.members.Anniversaries(r.Context(), anniversaryWindow)
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "anniversaries", state(r).l.T("nav.anniversaries"), js)
}
