package web

import (
	"net/http"
	"net/url"

	"concord"
	"concord/internal/membership"
)

// peopleList lists everyone with their federation roles (federation roles only).
func (h *Handler) peopleList(w http.ResponseWriter, r *http.Request) error {
	people, err := h.members.AllPeople(r.Context(), actor(r))
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "people", state(r).l.T("nav.people"), people)
}

// personPage is the data of a person's page.
type personPage struct {
	Person    *concord.Person
	Mandates  []mandateWithOrg
	CanRoles  bool // the viewer may set federation roles
	IsCurrent bool // the viewer looks at themselves
}

func (h *Handler) loadPerson(r *http.Request) (personPage, error) {
	id := r.PathValue("id")
	if !concord.ValidID(id) {
		return personPage{}, notFound()
	}
	ctx, a := r.Context(), actor(r)
	p, ms, err := h.members.Person(ctx, a, id)
	if err != nil {
		return personPage{}, err
	}
	d := personPage{Person: p, CanRoles: membership.Can(a, membership.ActManageRoles, ""), IsCurrent: a.PersonID() == id}
	orgs := map[string]*concord.Organization{}
	for _, m := range ms {
		o, seen := orgs[m.OrgID]
		if !seen {
			o, _, err = h.members.Organization(ctx, a, m.OrgID)
			if err != nil && concord.ErrorCode(err) != concord.ENOTFOUND {
				return personPage{}, err
			}
			orgs[m.OrgID] = o
		}
		d.Mandates = append(d.Mandates, mandateWithOrg{Mandate: m, Org: o})
	}
	return d, nil
}

// personShow shows a person's profile and mandates; admins may set federation roles.
func (h *Handler) personShow(w http.ResponseWriter, r *http.Request) error {
	d, err := h.loadPerson(r)
	if err != nil {
		return err
	}
	return h.renderForm(w, r, http.StatusOK, "person", d.Person.DisplayName, newForm(roleValues(d.Person)), d)
}

func roleValues(p *concord.Person) url.Values {
	v := url.Values{}
	for _, role := range p.FederationRoles {
		v.Add("roles", string(role))
	}
	return v
}

// setRoles replaces a person's federation roles (admins only).
func (h *Handler) setRoles(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if !concord.ValidID(id) {
		return notFound()
	}
	fr := &formReader{r: r}
	var roles []concord.FederationRole
	for _, s := range fr.all("roles") {
		roles = append(roles, concord.FederationRole(s))
	}
	err := fr.err()
	if err == nil {
		err = h.members.SetFederationRoles(r.Context(), actor(r), id, roles)
	}
	if err != nil {
		if !fixable(err) {
			return err
		}
		d, derr := h.loadPerson(r)
		if derr != nil {
			return derr
		}
		return h.retry(w, r, err, newForm(r.PostForm), "person", d.Person.DisplayName, d)
	}
	return redirect(w, r, "/people/"+id, "roles")
}
