package api

import (
	"maps"
	"net/http"

	"concord"
	"concord/internal/httpx"
	"concord/internal/membership"
)

// organizationDTO is an organization as the API shows it. Email is present only for those
// who may see the organization's private data.
type organizationDTO struct {
	ID           string            `json:"id"`
	Name         string            `json:"name"`
	NameLang     string            `json:"name_lang"`
	Names        map[string]string `json:"names"`
	Abbreviation string            `json:"abbreviation"`
	Country      string            `json:"country"`
	Region       string            `json:"region"`
	Website      string            `json:"website"`
	Description  string            `json:"description"`
	Email        string            `json:"email,omitempty"`
	Status       string            `json:"status"`
	MemberSince  *string           `json:"member_since"`
	CreatedAt    string            `json:"created_at"`
	UpdatedAt    string            `json:"updated_at"`
}

func organizationOut(o *concord.Organization) organizationDTO {
	names := maps.Clone(o.Names)
	if names == nil {
		names = map[string]string{}
	}
	return organizationDTO{ID: o.ID, Name: o.Name, NameLang: o.NameLang, Names: names, Abbreviation: o.Abbreviation,
		Country: o.Country, Region: o.Region, Website: o.Website, Description: o.Description, Email: o.Email,
		Status: string(o.Status), MemberSince: formatDatePtr(o.MemberSince), CreatedAt: formatTime(o.CreatedAt),
		UpdatedAt: formatTime(o.UpdatedAt)}
}

// organizationProfile is the editable profile sent to create an organization or apply.
type organizationProfile struct {
	Name         string            `json:"name"`
	NameLang     string            `json:"name_lang"`
	Names        map[string]string `json:"names"`
	Abbreviation string            `json:"abbreviation"`
	Country      string            `json:"country"`
	Region       string            `json:"region"`
	Website      string            `json:"website"`
	Description  string            `json:"description"`
	Email        string            `json:"email"`
}

func (p *organizationProfile) organization() *concord.Organization {
	return &concord.Organization{Name: p.Name, NameLang: p.NameLang, Names: p.Names, Abbreviation: p.Abbreviation,
		Country: p.Country, Region: p.Region, Website: p.Website, Description: p.Description, Email: p.Email}
}

// organizationCreateRequest adds an organization with its first status (applicant by
// default, or member).
type organizationCreateRequest struct {
	organizationProfile
	Status      string `json:"status"`
	EffectiveOn string `json:"effective_on"`
	DecidedBy   string `json:"decided_by"`
	Note        string `json:"note"`
}

// applicationRequest is a public membership application.
type applicationRequest struct {
	organizationProfile
	Note string `json:"note"`
}

// organizationPatch changes some profile fields; absent (or null) fields keep their value.
// Names, when present, replaces all translations. When the country changes and region is
// absent, the region is derived from the new country again.
type organizationPatch struct {
	Name         *string            `json:"name"`
	NameLang     *string            `json:"name_lang"`
	Names        *map[string]string `json:"names"`
	Abbreviation *string            `json:"abbreviation"`
	Country      *string            `json:"country"`
	Region       *string            `json:"region"`
	Website      *string            `json:"website"`
	Description  *string            `json:"description"`
	Email        *string            `json:"email"`
}

// mergeOver returns the full edit: cur with the patch's present fields.
func (p *organizationPatch) mergeOver(cur *concord.Organization) *concord.Organization {
	next := *cur
	next.Names = maps.Clone(cur.Names)
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&next.Name, p.Name)
	set(&next.NameLang, p.NameLang)
	set(&next.Abbreviation, p.Abbreviation)
	set(&next.Website, p.Website)
	set(&next.Description, p.Description)
	set(&next.Email, p.Email)
	if p.Names != nil {
		next.Names = maps.Clone(*p.Names)
	}
	if p.Country != nil && concord.NormalizeCountry(*p.Country) != cur.Country && p.Region == nil {
		next.Region = "" // derived again from the new country
	}
	set(&next.Country, p.Country)
	set(&next.Region, p.Region)
	return &next
}

// statusChangeDTO is one dated entry of an organization's status history. From is null for
// the first entry; note and recorded_by are empty for those who may not see private data.
type statusChangeDTO struct {
	ID          string  `json:"id"`
	From        *string `json:"from"`
	To          string  `json:"to"`
	EffectiveOn string  `json:"effective_on"`
	DecidedBy   string  `json:"decided_by"`
	Note        string  `json:"note"`
	RecordedBy  *string `json:"recorded_by"`
	RecordedAt  string  `json:"recorded_at"`
}

func statusChangeOut(c concord.StatusChange) statusChangeDTO {
	return statusChangeDTO{ID: c.ID, From: optional(string(c.From)), To: string(c.To), EffectiveOn: formatDate(c.EffectiveOn),
		DecidedBy: c.DecidedBy, Note: c.Note, RecordedBy: optional(c.RecordedBy), RecordedAt: formatTime(c.RecordedAt)}
}

// statusChangeRequest admits, rejects, suspends, readmits or records the leaving of an
// organization.
type statusChangeRequest struct {
	Status      string `json:"status"`
	EffectiveOn string `json:"effective_on"`
	DecidedBy   string `json:"decided_by"`
	Note        string `json:"note"`
}

// Organization list limits.
const (
	defaultOrgLimit = 100
	maxOrgLimit     = 1000
	maxQueryLength  = 200
)

func (h *Handler) listOrganizations(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	var f membership.OrgFilter
	for _, s := range q.all("status", maxQueryLength) {
		st := concord.OrgStatus(s)
		if !st.Valid() {
			q.v.Add("status", "error.status", "is not a known status", "value", clip(s))
			continue
		}
		f.Status = append(f.Status, st)
	}
	if f.Region = q.str("region", maxQueryLength); f.Region != "" && !concord.ValidRegion(f.Region) {
		q.v.Add("region", "error.region", "is not a known region", "value", clip(f.Region))
	}
	if f.Country = concord.NormalizeCountry(q.str("country", maxQueryLength)); f.Country != "" && !concord.ValidCountry(f.Country) {
		q.v.Add("country", "error.country", "is not an ISO 3166-1 alpha-2 code", "value", clip(f.Country))
	}
	f.Query = q.str("q", maxQueryLength)
	f.Limit = q.int("limit", defaultOrgLimit, 1, maxOrgLimit)
	f.Offset = q.int("offset", 0, 0, 1_000_000)
	if err := q.err(); err != nil {
		return err
	}
	orgs, err := h.members.Organizations(r.Context(), actor(r), f)
	if err != nil {
		return err
	}
	out := make([]organizationDTO, len(orgs))
	for i, o := range orgs {
		out[i] = organizationOut(o)
	}
	return writeJSON(w, http.StatusOK, list(out))
}

func (h *Handler) createOrganization(w http.ResponseWriter, r *http.Request) error {
	var req organizationCreateRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	var v concord.Validation
	first := concord.StatusChange{To: concord.OrgStatus(req.Status), EffectiveOn: parseDate(&v, "effective_on", req.EffectiveOn),
		DecidedBy: req.DecidedBy, Note: req.Note}
	if err := v.Err(); err != nil {
		return err
	}
	o := req.organization()
	if err := h.members.CreateOrganization(r.Context(), actor(r), o, first); err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"/organizations/"+o.ID)
	return writeJSON(w, http.StatusCreated, organizationOut(o))
}

func (h *Handler) apply(w http.ResponseWriter, r *http.Request) error {
	var req applicationRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	o := req.organization()
	if err := h.members.Apply(r.Context(), o, req.Note, httpx.ClientIP(r)); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, organizationOut(o))
}

func (h *Handler) getOrganization(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "organization")
	if err != nil {
		return err
	}
	o, _, err := h.members.Organization(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, organizationOut(o))
}

func (h *Handler) patchOrganization(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "organization")
	if err != nil {
		return err
	}
	var p organizationPatch
	if err := decode(r, &p); err != nil {
		return err
	}
	cur, _, err := h.members.Organization(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	o, err := h.members.UpdateOrganization(r.Context(), actor(r), id, p.mergeOver(cur))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, organizationOut(o))
}

func (h *Handler) listStatusChanges(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "organization")
	if err != nil {
		return err
	}
	_, history, err := h.members.Organization(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	out := make([]statusChangeDTO, len(history))
	for i, c := range history {
		out[i] = statusChangeOut(c)
	}
	return writeJSON(w, http.StatusOK, list(out))
}

func (h *Handler) createStatusChange(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "organization")
	if err != nil {
		return err
	}
	var req statusChangeRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	var v concord.Validation
	c := concord.StatusChange{To: concord.OrgStatus(req.Status), EffectiveOn: parseDate(&v, "effective_on", req.EffectiveOn),
		DecidedBy: req.DecidedBy, Note: req.Note}
	if err := v.Err(); err != nil {
		return err
	}
	o, err := h.members.ChangeStatus(r.Context(), actor(r), id, c)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, organizationOut(o))
}
