package api

import (
	"net/http"

	"concord"
)

// invitationDTO is an invitation as the API lists it; its link is never shown again.
type invitationDTO struct {
	ID          string  `json:"id"`
	OrgID       string  `json:"org_id"`
	Role        string  `json:"role"`
	Email       string  `json:"email"`
	DisplayName string  `json:"display_name"`
	Language    string  `json:"language"`
	ValidFrom   string  `json:"valid_from"`
	ValidUntil  *string `json:"valid_until"`
	Reference   string  `json:"reference"`
	CreatedBy   *string `json:"created_by"`
	CreatedAt   string  `json:"created_at"`
	ExpiresAt   string  `json:"expires_at"`
	AcceptedAt  *string `json:"accepted_at"`
	PersonID    *string `json:"person_id"`
}

func invitationOut(inv *concord.Invitation) invitationDTO {
	return invitationDTO{ID: inv.ID, OrgID: inv.OrgID, Role: string(inv.Role), Email: inv.Email, DisplayName: inv.DisplayName,
		Language: inv.Language, ValidFrom: formatDate(inv.ValidFrom), ValidUntil: formatDatePtr(inv.ValidUntil),
		Reference: inv.Reference, CreatedBy: optional(inv.CreatedBy), CreatedAt: formatTime(inv.CreatedAt),
		ExpiresAt: formatTime(inv.ExpiresAt), AcceptedAt: formatTimePtr(inv.AcceptedAt), PersonID: optional(inv.PersonID)}
}

// invitationCreatedDTO is a new invitation with its one-time link, shown this once.
type invitationCreatedDTO struct {
	invitationDTO
	Link string `json:"link"`
}

// invitationCreateRequest invites someone into the organization under a mandate.
type invitationCreateRequest struct {
	Role        string `json:"role"`
	Email       string `json:"email"`
	DisplayName string `json:"display_name"`
	Language    string `json:"language"`
	ValidFrom   string `json:"valid_from"`
	ValidUntil  string `json:"valid_until"`
	Reference   string `json:"reference"`
}

func (h *Handler) listInvitations(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "organization")
	if err != nil {
		return err
	}
	invs, err := h.members.Invitations(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	out := make([]invitationDTO, len(invs))
	for i := range invs {
		out[i] = invitationOut(&invs[i])
	}
	return writeJSON(w, http.StatusOK, list(out))
}

func (h *Handler) createInvitation(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "organization")
	if err != nil {
		return err
	}
	var req invitationCreateRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	var v concord.Validation
	inv := &concord.Invitation{OrgID: id, Role: concord.Role(req.Role), Email: req.Email, DisplayName: req.DisplayName,
		Language: req.Language, ValidFrom: parseDate(&v, "valid_from", req.ValidFrom),
		ValidUntil: parseDatePtr(&v, "valid_until", req.ValidUntil), Reference: req.Reference}
	if err := v.Err(); err != nil {
		return err
	}
	link, err := h.members.Invite(r.Context(), actor(r), inv)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, invitationCreatedDTO{invitationDTO: invitationOut(inv), Link: link})
}

func (h *Handler) cancelInvitation(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "invitation")
	if err != nil {
		return err
	}
	if err := h.members.CancelInvitation(r.Context(), actor(r), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
