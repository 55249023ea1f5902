package web

import (
	"net/http"
	"time"

	"concord"
	"concord/internal/membership"
)

// homePage is the data of the home page.
type homePage struct {
	SetupNeeded bool
	Members     int
	Countries   int
	Regions     int
	Jubilees    []concord.Jubilee
	Mandates    []mandateWithOrg // the person's current mandates
	Awaiting    []awaitingRow    // open procedures awaiting the person's organizations
}

// mandateWithOrg is a mandate with its organization, for lists.
type mandateWithOrg struct {
	concord.Mandate
	Org *concord.Organization
}

// home shows the federation at a glance and, for a logged-in person, their mandates.
func (h *Handler) home(w http.ResponseWriter, r *http.Request) error {
	ctx, a := r.Context(), actor(r)
	var d homePage
	var err error
	if d.SetupNeeded, err = h.auth.SetupNeeded(ctx); err != nil {
		return err
	}
	members, err := h.members.Organizations(ctx, a, membership.OrgFilter{Status: []concord.OrgStatus{concord.StatusMember}})
	if err != nil {
		return err
	}
	countries, regions := map[string]bool{}, map[string]bool{}
	for _, o := range members {
		countries[o.Country] = true
		if o.Region != "" {
			regions[o.Region] = true
		}
	}
	d.Members, d.Countries, d.Regions = len(members), len(countries), len(regions)
	if d.Jubilees, err = h.members.Anniversaries(ctx, 365*24*time.Hour); err != nil {
		return err
	}
	if len(d.Jubilees) > 3 {
		d.Jubilees = d.Jubilees[:3]
	}
	if a != nil {
		for _, m := range a.Mandates {
			org, _, err := h.members.Organization(ctx, a, m.OrgID)
			if err != nil {
				return err
			}
			d.Mandates = append(d.Mandates, mandateWithOrg{Mandate: m, Org: org})
		}
		if d.Awaiting, err = h.awaiting(ctx, a); err != nil {
			return err
		}
	}
	return h.render(w, r, http.StatusOK, "home", state(r).l.T("nav.home"), d)
}

// notFoundPage answers every path no route claims.
func (h *Handler) notFoundPage(w http.ResponseWriter, r *http.Request) error {
	return notFound()
}
