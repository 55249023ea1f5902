package api

import (
	"net/http"

	"concord"
)

// mandateDTO is a mandate as the API shows it. Current says whether it is in force now.
type mandateDTO struct {
	ID         string  `json:"id"`
	PersonID   string  `json:"person_id"`
	OrgID      string  `json:"org_id"`
	Role       string  `json:"role"`
	ValidFrom  string  `json:"valid_from"`
	ValidUntil *string `json:"valid_until"`
	Reference  string  `json:"reference"`
	CreatedBy  *string `json:"created_by"`
	CreatedAt  string  `json:"created_at"`
	RevokedAt  *string `json:"revoked_at"`
	RevokedBy  *string `json:"revoked_by"`
	Current    bool    `json:"current"`
}

func (h *Handler) mandateOut(m *concord.Mandate) mandateDTO {
	return mandateDTO{ID: m.ID, PersonID: m.PersonID, OrgID: m.OrgID, Role: string(m.Role), ValidFrom: formatDate(m.ValidFrom),
		ValidUntil: formatDatePtr(m.ValidUntil), Reference: m.Reference, CreatedBy: optional(m.CreatedBy),
		CreatedAt: formatTime(m.CreatedAt), RevokedAt: formatTimePtr(m.RevokedAt), RevokedBy: optional(m.RevokedBy),
		Current: m.CurrentAt(h.clock.Now())}
}

func (h *Handler) mandatesOut(ms []concord.Mandate) []mandateDTO {
	out := make([]mandateDTO, len(ms))
	for i := range ms {
		out[i] = h.mandateOut(&ms[i])
	}
	return out
}

// mandateCreateRequest gives an existing person a mandate. valid_from defaults to today;
// valid_until absent or "" is open-ended.
type mandateCreateRequest struct {
	PersonID   string `json:"person_id"`
	OrgID      string `json:"org_id"`
	Role       string `json:"role"`
	ValidFrom  string `json:"valid_from"`
	ValidUntil string `json:"valid_until"`
	Reference  string `json:"reference"`
}

// mandatePatch changes some of a mandate's role, period and reference; absent fields keep
// their value, valid_until "" makes the mandate open-ended.
type mandatePatch struct {
	Role       *string `json:"role"`
	ValidFrom  *string `json:"valid_from"`
	ValidUntil *string `json:"valid_until"`
	Reference  *string `json:"reference"`
}

// mergeOver returns the full edit: cur with the patch's present fields, or the date problems.
func (p *mandatePatch) mergeOver(cur *concord.Mandate) (concord.Mandate, error) {
	next := *cur
	var v concord.Validation
	if p.Role != nil {
		next.Role = concord.Role(*p.Role)
	}
	if p.ValidFrom != nil {
		next.ValidFrom = parseDate(&v, "valid_from", *p.ValidFrom) // "" is missing: Validate says so
	}
	if p.ValidUntil != nil {
		next.ValidUntil = parseDatePtr(&v, "valid_until", *p.ValidUntil)
	}
	if p.Reference != nil {
		next.Reference = *p.Reference
	}
	return next, v.Err()
}

func (h *Handler) listOrgMandates(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "organization")
	if err != nil {
		return err
	}
	people, err := h.members.People(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	out := []mandateDTO{}
	for _, p := range people {
		out = append(out, h.mandatesOut(p.Mandates)...)
	}
	return writeJSON(w, http.StatusOK, list(out))
}

func (h *Handler) createMandate(w http.ResponseWriter, r *http.Request) error {
	var req mandateCreateRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	var v concord.Validation
	checkID(&v, "person_id", req.PersonID, true)
	checkID(&v, "org_id", req.OrgID, true)
	m := &concord.Mandate{PersonID: req.PersonID, OrgID: req.OrgID, Role: concord.Role(req.Role),
		ValidFrom: parseDate(&v, "valid_from", req.ValidFrom), ValidUntil: parseDatePtr(&v, "valid_until", req.ValidUntil),
		Reference: req.Reference}
	if err := v.Err(); err != nil {
		return err
	}
	if err := h.members.CreateMandate(r.Context(), actor(r), m); err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"/mandates/"+m.ID)
	return writeJSON(w, http.StatusCreated, h.mandateOut(m))
}

func (h *Handler) getMandate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "mandate")
	if err != nil {
		return err
	}
	m, err := h.members.Mandate(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, h.mandateOut(m))
}

func (h *Handler) patchMandate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "mandate")
	if err != nil {
		return err
	}
	var p mandatePatch
	if err := decode(r, &p); err != nil {
		return err
	}
	cur, err := h.members.Mandate(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	edit, err := p.mergeOver(cur)
	if err != nil {
		return err
	}
	m, err := h.members.UpdateMandate(r.Context(), actor(r), id, edit)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, h.mandateOut(m))
}

func (h *Handler) revokeMandate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "mandate")
	if err != nil {
		return err
	}
	if err := h.members.RevokeMandate(r.Context(), actor(r), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
