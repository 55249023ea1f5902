package api

import (
	"net/http"
	"slices"

	"concord"
)

// personDTO is a person as the API shows them.
type personDTO struct {
	ID              string   `json:"id"`
	Login           string   `json:"login"`
	DisplayName     string   `json:"display_name"`
	Email           string   `json:"email"`
	Language        string   `json:"language"`
	TimeZone        string   `json:"time_zone"`
	FederationRoles []string `json:"federation_roles"`
	CreatedAt       string   `json:"created_at"`
	DisabledAt      *string  `json:"disabled_at"`
}

func personOut(p *concord.Person) personDTO {
	roles := make([]string, len(p.FederationRoles))
	for i, r := range p.FederationRoles {
		roles[i] = string(r)
	}
	return personDTO{ID: p.ID, Login: p.Login, DisplayName: p.DisplayName, Email: p.Email, Language: p.Language,
		TimeZone: p.TimeZone, FederationRoles: roles, CreatedAt: formatTime(p.CreatedAt), DisabledAt: formatTimePtr(p.DisabledAt)}
}

// personWithMandatesDTO is a person and mandates: all of theirs, those in one organization,
// or (for /me) those in force now.
type personWithMandatesDTO struct {
	personDTO
	Mandates []mandateDTO `json:"mandates"`
}

func (h *Handler) personWithMandatesOut(p *concord.Person, ms []concord.Mandate) personWithMandatesDTO {
	return personWithMandatesDTO{personDTO: personOut(p), Mandates: h.mandatesOut(ms)}
}

// profilePatch changes some of the acting person's profile fields; absent fields keep their
// value, "" clears an optional one.
type profilePatch struct {
	DisplayName *string `json:"display_name"`
	Email       *string `json:"email"`
	Language    *string `json:"language"`
	TimeZone    *string `json:"time_zone"`
}

// mergeOver returns the full edit: cur with the patch's present fields.
func (p *profilePatch) mergeOver(cur *concord.Person) concord.Person {
	next := *cur
	for _, f := range []struct{ dst, src *string }{
		{&next.DisplayName, p.DisplayName}, {&next.Email, p.Email}, {&next.Language, p.Language}, {&next.TimeZone, p.TimeZone},
	} {
		if f.src != nil {
			*f.dst = *f.src
		}
	}
	return next
}

// federationRolesRequest replaces a person's federation roles; [] removes them all.
type federationRolesRequest struct {
	FederationRoles *[]string `json:"federation_roles"`
}

func (h *Handler) getMe(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	return writeJSON(w, http.StatusOK, h.personWithMandatesOut(a.Person, a.Mandates))
}

func (h *Handler) patchMe(w http.ResponseWriter, r *http.Request) error {
	var p profilePatch
	if err := decode(r, &p); err != nil {
		return err
	}
	a := actor(r)
	me, err := h.members.UpdateProfile(r.Context(), a, a.PersonID(), p.mergeOver(a.Person))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, h.personWithMandatesOut(me, a.Mandates))
}

func (h *Handler) listOrgPeople(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "organization")
	if err != nil {
		return err
	}
	people, err := h.members.People(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	out := make([]personWithMandatesDTO, len(people))
	for i, p := range people {
		out[i] = h.personWithMandatesOut(p.Person, p.Mandates)
	}
	return writeJSON(w, http.StatusOK, list(out))
}

func (h *Handler) listPeople(w http.ResponseWriter, r *http.Request) error {
	people, err := h.members.AllPeople(r.Context(), actor(r))
	if err != nil {
		return err
	}
	out := make([]personDTO, len(people))
	for i, p := range people {
		out[i] = personOut(p)
	}
	return writeJSON(w, http.StatusOK, list(out))
}

func (h *Handler) getPerson(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "person")
	if err != nil {
		return err
	}
	p, ms, err := h.members.Person(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, h.personWithMandatesOut(p, ms))
}

func (h *Handler) putFederationRoles(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "person")
	if err != nil {
		return err
	}
	var req federationRolesRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.FederationRoles == nil {
		var v concord.Validation
		v.Add("federation_roles", "error.missing", "is required")
		return v.Err()
	}
	roles := []concord.FederationRole{} // a set: repeated roles count once
	for _, s := range *req.FederationRoles {
		if r := concord.FederationRole(s); !slices.Contains(roles, r) {
			roles = append(roles, r)
		}
	}
	if err := h.members.SetFederationRoles(r.Context(), actor(r), id, roles); err != nil {
		return err
	}
	p, ms, err := h.members.Person(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, h.personWithMandatesOut(p, ms))
}
