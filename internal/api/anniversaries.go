package api

import (
	"net/http"
	"time"

	"concord"
)

// jubileeDTO is an upcoming anniversary: of the federation (org_id null) or of a membership.
type jubileeDTO struct {
	OrgID *string `json:"org_id"`
	Name  string  `json:"name"`
	Years int     `json:"years"`
	On    string  `json:"on"`
}

func jubileeOut(j concord.Jubilee) jubileeDTO {
	return jubileeDTO{OrgID: optional(j.OrgID), Name: j.Name, Years: j.Years, On: formatDate(j.On)}
}

// Anniversary window, in days.
const (
	defaultAnniversaryDays = 365
	maxAnniversaryDays     = 3660
)

func (h *Handler) listAnniversaries(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	days := q.int("days", defaultAnniversaryDays, 1, maxAnniversaryDays)
	if err := q.err(); err != nil {
		return err
	}
	js, err := h.members.Anniversaries(r.Context(), time.Duration(days)*24*time.Hour)
	if err != nil {
		return err
	}
	out := make([]jubileeDTO, len(js))
	for i, j := range js {
		out[i] = jubileeOut(j)
	}
	return writeJSON(w, http.StatusOK, list(out))
}
