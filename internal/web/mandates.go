package web

import (
	"net/http"
	"net/url"

	"concord"
	"concord/internal/membership"
)

// orgPeoplePage is the data of an organization's people page.
type orgPeoplePage struct {
	Org         *concord.Organization
	People      []membership.PersonWithMandates
	Invitations []concord.Invitation
	CanManage   bool
	Candidates  []option // people who may be given a mandate
}

// orgPeople lists the people of an organization with their mandates and, for its admins,
// the invitations and the forms to add, edit and revoke mandates.
func (h *Handler) orgPeople(w http.ResponseWriter, r *http.Request) error {
	id, err := orgID(r)
	if err != nil {
		return err
	}
	d, err := h.loadPeoplePage(r, id)
	if err != nil {
		return err
	}
	f := newForm(url.Values{"role": {string(concord.RoleDelegate)}, "valid_from": {h.today(r).Format("2006-01-02")}})
	return h.renderForm(w, r, http.StatusOK, "org_people", state(r).l.T("people.org_title", "name", d.Org.NameIn(state(r).l.Tag())), f, d)
}

func (h *Handler) loadPeoplePage(r *http.Request, id string) (orgPeoplePage, error) {
	ctx, a := r.Context(), actor(r)
	var d orgPeoplePage
	var err error
	if d.People, err = h.members.People(ctx, a, id); err != nil {
		return d, err
	}
	if d.Org, _, err = h.members.Organization(ctx, a, id); err != nil {
		return d, err
	}
	if d.CanManage = membership.Can(a, membership.ActManagePeople, id); d.CanManage {
		if d.Invitations, err = h.members.Invitations(ctx, a, id); err != nil {
			return d, err
		}
		if d.Candidates, err = h.candidates(r, d.People); err != nil {
			return d, err
		}
	}
	return d, nil
}

// candidates are the people an admin may pick for a new mandate: everyone for those who
// may see everyone, otherwise the organization's own people (invite newcomers instead).
func (h *Handler) candidates(r *http.Request, own []membership.PersonWithMandates) ([]option, error) {
	a := actor(r)
	var people []*concord.Person
	if membership.Can(a, membership.ActViewPrivate, "") {
		var err error
		if people, err = h.members.AllPeople(r.Context(), a); err != nil {
			return nil, err
		}
	} else {
		for _, p := range own {
			people = append(people, p.Person)
		}
	}
	opts := []option{{Value: "", Label: state(r).l.T("form.choose")}}
	for _, p := range people {
		opts = append(opts, option{Value: p.ID, Label: p.DisplayName + " (" + p.Login + ")"})
	}
	return opts, nil
}

// mandatePage is the data of the mandate forms.
type mandatePage struct {
	Org        *concord.Organization
	Person     *concord.Person  // the holder, when editing or revoking
	Mandate    *concord.Mandate // when editing or revoking
	Candidates []option
}

// mandateNewForm shows the form to give an existing person a mandate.
func (h *Handler) mandateNewForm(w http.ResponseWriter, r *http.Request) error {
	id, err := orgID(r)
	if err != nil {
		return err
	}
	if _, err := membership.Authorize(actor(r), membership.ActManagePeople, id); err != nil {
		return err
	}
	d, err := h.loadPeoplePage(r, id)
	if err != nil {
		return err
	}
	f := newForm(url.Values{"role": {string(concord.RoleDelegate)}, "valid_from": {h.today(r).Format("2006-01-02")}})
	return h.renderForm(w, r, http.StatusOK, "mandate_form", state(r).l.T("mandate.new_title"), f,
		mandatePage{Org: d.Org, Candidates: d.Candidates})
}

// mandateCreate gives an existing person a mandate.
func (h *Handler) mandateCreate(w http.ResponseWriter, r *http.Request) error {
	id, err := orgID(r)
	if err != nil {
		return err
	}
	fr := &formReader{r: r}
	m := &concord.Mandate{OrgID: id, PersonID: fr.text("person_id"), Role: concord.Role(fr.text("role")),
		ValidFrom: fr.date("valid_from"), ValidUntil: fr.datePtr("valid_until"), Reference: fr.text("reference")}
	if m.PersonID == "" {
		fr.v.Add("person_id", "error.missing", "is required")
	} else if !concord.ValidID(m.PersonID) {
		fr.v.Add("person_id", "error.invalid", "is not a person")
	}
	err = fr.err()
	if err == nil {
		err = h.members.CreateMandate(r.Context(), actor(r), m)
	}
	if err != nil {
		if !fixable(err) {
			return err
		}
		d, derr := h.loadPeoplePage(r, id)
		if derr != nil {
			return derr
		}
		return h.retry(w, r, err, newForm(r.PostForm), "mandate_form", state(r).l.T("mandate.new_title"),
			mandatePage{Org: d.Org, Candidates: d.Candidates})
	}
	return redirect(w, r, "/organizations/"+id+"/people", "mandate")
}

// findMandate returns a mandate of the organization in the path and its holder, for the
// edit and revoke pages; it also checks that the person may manage the organization's
// people.
func (h *Handler) findMandate(r *http.Request) (mandatePage, error) {
	id, err := orgID(r)
	if err != nil {
		return mandatePage{}, err
	}
	mid := r.PathValue("mid")
	if !concord.ValidID(mid) {
		return mandatePage{}, notFound()
	}
	if _, err := membership.Authorize(actor(r), membership.ActManagePeople, id); err != nil {
		return mandatePage{}, err
	}
	d, err := h.loadPeoplePage(r, id)
	if err != nil {
		return mandatePage{}, err
	}
	for _, p := range d.People {
		for i := range p.Mandates {
			if m := &p.Mandates[i]; m.ID == mid && m.RevokedAt == nil {
				return mandatePage{Org: d.Org, Person: p.Person, Mandate: m}, nil
			}
		}
	}
	return mandatePage{}, concord.NotFound("mandate")
}

// mandateValues fills a form from a mandate.
func mandateValues(m *concord.Mandate) url.Values {
	v := url.Values{"role": {string(m.Role)}, "valid_from": {m.ValidFrom.Format("2006-01-02")}, "reference": {m.Reference}}
	if m.ValidUntil != nil {
		v.Set("valid_until", m.ValidUntil.Format("2006-01-02"))
	}
	return v
}

// mandateEditForm shows a mandate's role, period and reference for editing.
func (h *Handler) mandateEditForm(w http.ResponseWriter, r *http.Request) error {
	d, err := h.findMandate(r)
	if err != nil {
		return err
	}
	return h.renderForm(w, r, http.StatusOK, "mandate_form", state(r).l.T("mandate.edit_title"), newForm(mandateValues(d.Mandate)), d)
}

// mandateUpdate saves a mandate's role, period and reference.
func (h *Handler) mandateUpdate(w http.ResponseWriter, r *http.Request) error {
	d, err := h.findMandate(r)
	if err != nil {
		return err
	}
	fr := &formReader{r: r}
	edit := concord.Mandate{Role: concord.Role(fr.text("role")), ValidFrom: fr.date("valid_from"),
		ValidUntil: fr.datePtr("valid_until"), Reference: fr.text("reference")}
	err = fr.err()
	if err == nil {
		_, err = h.members.UpdateMandate(r.Context(), actor(r), d.Mandate.ID, edit)
	}
	if err != nil {
		return h.retry(w, r, err, newForm(r.PostForm), "mandate_form", state(r).l.T("mandate.edit_title"), d)
	}
	return redirect(w, r, "/organizations/"+d.Org.ID+"/people", "mandate_saved")
}

// mandateRevokeForm asks for confirmation before a mandate is revoked.
func (h *Handler) mandateRevokeForm(w http.ResponseWriter, r *http.Request) error {
	d, err := h.findMandate(r)
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "mandate_revoke", state(r).l.T("mandate.revoke_title"), d)
}

// mandateRevoke ends a mandate now.
func (h *Handler) mandateRevoke(w http.ResponseWriter, r *http.Request) error {
	d, err := h.findMandate(r)
	if err != nil {
		return err
	}
	if err := h.members.RevokeMandate(r.Context(), actor(r), d.Mandate.ID); err != nil {
		return err
	}
	return redirect(w, r, "/organizations/"+d.Org.ID+"/people", "revoked")
}

// invitePage is the data of the invitation form and its result.
type invitePage struct {
	Org     *concord.Organization
	Link    string // the one-time link, shown once
	Emailed string // the address it was sent to, if any
	Role    concord.Role
}

// inviteForm shows the form to invite a person into the organization under a mandate.
func (h *Handler) inviteForm(w http.ResponseWriter, r *http.Request) error {
	id, err := orgID(r)
	if err != nil {
		return err
	}
	a := actor(r)
	if _, err := membership.Authorize(a, membership.ActManagePeople, id); err != nil {
		return err
	}
	o, _, err := h.members.Organization(r.Context(), a, id)
	if err != nil {
		return err
	}
	f := newForm(url.Values{"role": {string(concord.RoleDelegate)}, "valid_from": {h.today(r).Format("2006-01-02")},
		"language": {state(r).l.Tag()}})
	return h.renderForm(w, r, http.StatusOK, "invite", state(r).l.T("invite.title"), f, invitePage{Org: o})
}

// invite creates the invitation and shows its link once.
func (h *Handler) invite(w http.ResponseWriter, r *http.Request) error {
	id, err := orgID(r)
	if err != nil {
		return err
	}
	ctx, a := r.Context(), actor(r)
	fr := &formReader{r: r}
	inv := &concord.Invitation{OrgID: id, Email: fr.text("email"), DisplayName: fr.text("display_name"),
		Role: concord.Role(fr.text("role")), ValidFrom: fr.date("valid_from"), ValidUntil: fr.datePtr("valid_until"),
		Reference: fr.text("reference"), Language: fr.text("language")}
	err = fr.err()
	var link string
	if err == nil {
		link, err = h.members.Invite(ctx, a, inv)
	}
	if err != nil {
		if !fixable(err) {
			return err
		}
		o, _, oerr := h.members.Organization(ctx, a, id)
		if oerr != nil {
			return oerr
		}
		return h.retry(w, r, err, newForm(r.PostForm), "invite", state(r).l.T("invite.title"), invitePage{Org: o})
	}
	o, _, err := h.members.Organization(ctx, a, id)
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "invite_done", state(r).l.T("invite.done_title"),
		invitePage{Org: o, Link: link, Emailed: inv.Email, Role: inv.Role})
}

// cancelInvitation ends an open invitation's link and goes back to the people page.
func (h *Handler) cancelInvitation(w http.ResponseWriter, r *http.Request) error {
	id, err := orgID(r)
	if err != nil {
		return err
	}
	a, err := loggedIn(r)
	if err != nil {
		return err
	}
	iid := r.PathValue("iid")
	if !concord.ValidID(iid) {
		return notFound()
	}
	if err := h.members.CancelInvitation(r.Context(), a, iid); err != nil {
		return err
	}
	return redirect(w, r, "/organizations/"+id+"/people", "invitation_cancelled")
}

// InvitationState is whether an invitation is open, accepted or expired.
func (v *view) InvitationState(inv concord.Invitation) string {
	switch {
	case inv.AcceptedAt != nil:
		return "accepted"
	case !v.h.clock.Now().Before(inv.ExpiresAt):
		return "expired"
	}
	return "open"
}
