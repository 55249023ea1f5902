package api

import (
	"net/http"

	"concord"
)

// auditEventDTO is one audit event. Changes maps each changed field to its old and new value.
type auditEventDTO struct {
	ID         string               `json:"id"`
	At         string               `json:"at"`
	PersonID   *string              `json:"person_id"`
	PersonName string               `json:"person_name"`
	OrgID      *string              `json:"org_id"`
	AboutOrgID *string              `json:"about_org_id"`
	MandateID  *string              `json:"mandate_id"`
	Action     string               `json:"action"`
	TargetType string               `json:"target_type"`
	TargetID   string               `json:"target_id"`
	Changes    map[string]changeDTO `json:"changes"`
	IP         string               `json:"ip"`
}

// changeDTO is one field's change in an audit event.
type changeDTO struct {
	Old string `json:"old"`
	New string `json:"new"`
}

func auditEventOut(e *concord.AuditEvent) auditEventDTO {
	changes := make(map[string]changeDTO, len(e.Changes))
	for k, c := range e.Changes {
		changes[k] = changeDTO{Old: c[0], New: c[1]}
	}
	return auditEventDTO{ID: e.ID, At: formatTime(e.At), PersonID: optional(e.PersonID), PersonName: e.PersonName,
		OrgID: optional(e.OrgID), AboutOrgID: optional(e.AboutOrgID), MandateID: optional(e.MandateID), Action: e.Action, TargetType: e.TargetType,
		TargetID: e.TargetID, Changes: changes, IP: e.IP}
}

// auditPage is a page of audit events, newest first. NextBefore, when set, is the before
// value that fetches the next (older) page.
type auditPage struct {
	Items      []auditEventDTO `json:"items"`
	NextBefore *string         `json:"next_before"`
}

// Audit page sizes.
const (
	defaultAuditLimit = 100
	maxAuditLimit     = 500
)

func (h *Handler) listAuditEvents(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	f := concord.AuditFilter{PersonID: q.id("person_id"), OrgID: q.id("org_id"), Action: q.str("action", 100),
		Before: q.time("before"), Limit: q.int("limit", defaultAuditLimit, 1, maxAuditLimit)}
	if err := q.err(); err != nil {
		return err
	}
	events, err := h.members.Audit(r.Context(), actor(r), f)
	if err != nil {
		return err
	}
	page := auditPage{Items: make([]auditEventDTO, len(events))}
	for i := range events {
		page.Items[i] = auditEventOut(&events[i])
	}
	if n := len(events); n == f.Limit {
		page.NextBefore = optional(formatTime(events[n-1].At))
	}
	return writeJSON(w, http.StatusOK, page)
}
