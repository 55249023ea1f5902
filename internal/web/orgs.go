package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"concord"
	"concord/internal/membership"
)

// orgID returns the organization ID in the path; a malformed one is simply not found.
func orgID(r *http.Request) (string, error) {
	id := r.PathValue("id")
	if !concord.ValidID(id) {
		return "", notFound()
	}
	return id, nil
}

// orgListPage is the data of the member list.
type orgListPage struct {
	Orgs       []*concord.Organization
	ShowStatus bool // the person may see applicants and filter by status
	Filtered   bool
}

// orgList shows the member list with filters by region, country, status and name.
func (h *Handler) orgList(w http.ResponseWriter, r *http.Request) error {
	a, q := actor(r), r.URL.Query()
	var f membership.OrgFilter
	d := orgListPage{ShowStatus: membership.Can(a, membership.ActViewPrivate, "")}
	form := newForm(url.Values{})
	if region := q.Get("region"); concord.ValidRegion(region) {
		f.Region = region
		form.Set("region", region)
	}
	if country := concord.NormalizeCountry(q.Get("country")); concord.ValidCountry(country) {
		f.Country = country
		form.Set("country", country)
	}
	if s := concord.OrgStatus(q.Get("status")); d.ShowStatus && s.Valid() {
		f.Status = []concord.OrgStatus{s}
		form.Set("status", string(s))
	}
	if text := concord.CleanText(q.Get("q")); text != "" && len([]rune(text)) <= concord.MaxName {
		f.Query = text
		form.Set("q", text)
	}
	d.Filtered = len(form.values) > 0
	var err error
	if d.Orgs, err = h.members.Organizations(r.Context(), a, f); err != nil {
		return err
	}
	return h.renderForm(w, r, http.StatusOK, "orgs", state(r).l.T("nav.organizations"), form, d)
}

// orgPage is the data of an organization's profile.
type orgPage struct {
	Org     *concord.Organization
	History []concord.StatusChange
	Names   []langName // translated names, sorted by language
	People  []membership.PersonWithMandates
	Private bool // the person may see the people section
}

// langName is a name in one language.
type langName struct {
	Lang, Name string
}

// orgShow shows an organization's profile, status history and, to those allowed, its
// people.
func (h *Handler) orgShow(w http.ResponseWriter, r *http.Request) error {
	id, err := orgID(r)
	if err != nil {
		return err
	}
	ctx, a := r.Context(), actor(r)
	o, history, err := h.members.Organization(ctx, a, id)
	if err != nil {
		return err
	}
	d := orgPage{Org: o, History: history, Names: sortedNames(o.Names), Private: membership.Can(a, membership.ActViewPrivate, id)}
	if d.Private {
		if d.People, err = h.members.People(ctx, a, id); err != nil {
			return err
		}
	}
	slices.Reverse(d.History) // newest first
	return h.render(w, r, http.StatusOK, "org", o.NameIn(state(r).l.Tag()), d)
}

func sortedNames(m map[string]string) []langName {
	out := make([]langName, 0, len(m))
	for lang, name := range m {
		out = append(out, langName{lang, name})
	}
	slices.SortFunc(out, func(a, b langName) int {
		if a.Lang < b.Lang {
			return -1
		}
		if a.Lang > b.Lang {
			return 1
		}
		return 0
	})
	return out
}

// orgFormPage is the data of the organization form (new, edit).
type orgFormPage struct {
	Org    *concord.Organization // nil for a new organization
	Action string
}

// orgValues fills a form from an organization.
func orgValues(o *concord.Organization) url.Values {
	v := url.Values{"name": {o.Name}, "name_lang": {o.NameLang}, "abbreviation": {o.Abbreviation},
		"country": {o.Country}, "region": {o.Region}, "website": {o.Website}, "email": {o.Email},
		"description": {o.Description}}
	for _, n := range sortedNames(o.Names) {
		v.Add("names_lang", n.Lang)
		v.Add("names_value", n.Name)
	}
	return v
}

// readOrg reads the organization fields of a form.
func readOrg(fr *formReader) *concord.Organization {
	o := &concord.Organization{Name: fr.text("name"), NameLang: fr.text("name_lang"), Abbreviation: fr.text("abbreviation"),
		Country: fr.text("country"), Region: fr.text("region"), Website: fr.text("website"), Email: fr.text("email"),
		Description: fr.text("description"), Names: map[string]string{}}
	langs, names := fr.all("names_lang"), fr.all("names_value")
	for i, name := range names {
		lang := ""
		if i < len(langs) {
			lang = langs[i]
		}
		switch {
		case name == "" && lang == "":
		case lang == "":
			fr.v.Add("names", "error.name_lang_missing", "a translated name needs its language")
		case name == "":
			fr.v.Add("names."+lang, "error.missing", "is required")
		case o.Names[lang] != "":
			fr.v.Add("names."+lang, "error.name_lang_twice", "language given twice", "lang", lang)
		default:
			o.Names[lang] = name
		}
	}
	return o
}

// orgNewForm shows the form for a new organization (coordinators and admins).
func (h *Handler) orgNewForm(w http.ResponseWriter, r *http.Request) error {
	if _, err := membership.Authorize(actor(r), membership.ActCreateOrg, ""); err != nil {
		return err
	}
	f := newForm(url.Values{"status": {string(concord.StatusMember)}, "effective_on": {h.today(r).Format("2006-01-02")}})
	return h.renderForm(w, r, http.StatusOK, "org_form", state(r).l.T("org.new"), f, orgFormPage{Action: "/organizations/new"})
}

// orgCreate creates an organization with its first status.
func (h *Handler) orgCreate(w http.ResponseWriter, r *http.Request) error {
	fr := &formReader{r: r}
	o := readOrg(fr)
	first := concord.StatusChange{To: concord.OrgStatus(fr.text("status")), EffectiveOn: fr.date("effective_on"),
		DecidedBy: fr.text("decided_by")}
	err := fr.err()
	if err == nil {
		err = h.members.CreateOrganization(r.Context(), actor(r), o, first)
	}
	if err != nil {
		return h.retry(w, r, err, newForm(r.PostForm), "org_form", state(r).l.T("org.new"), orgFormPage{Action: "/organizations/new"})
	}
	return redirect(w, r, "/organizations/"+o.ID, "created")
}

// orgEditForm shows an organization's profile for editing.
func (h *Handler) orgEditForm(w http.ResponseWriter, r *http.Request) error {
	id, err := orgID(r)
	if err != nil {
		return err
	}
	a := actor(r)
	if _, err := membership.Authorize(a, membership.ActEditOrg, id); err != nil {
		return err
	}
	o, _, err := h.members.Organization(r.Context(), a, id)
	if err != nil {
		return err
	}
	return h.renderForm(w, r, http.StatusOK, "org_form", state(r).l.T("org.edit_title", "name", o.NameIn(state(r).l.Tag())),
		newForm(orgValues(o)), orgFormPage{Org: o, Action: "/organizations/" + id + "/edit"})
}

// orgUpdate saves an organization's profile.
func (h *Handler) orgUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := orgID(r)
	if err != nil {
		return err
	}
	ctx, a := r.Context(), actor(r)
	fr := &formReader{r: r}
	edit := readOrg(fr)
	err = fr.err()
	if err == nil {
		_, err = h.members.UpdateOrganization(ctx, a, id, edit)
	}
	if err != nil {
		if !fixable(err) {
			return err
		}
		o, _, oerr := h.members.Organization(ctx, a, id)
		if oerr != nil {
			return oerr
		}
		return h.retry(w, r, err, newForm(r.PostForm), "org_form", state(r).l.T("org.edit_title", "name", o.NameIn(state(r).l.Tag())),
			orgFormPage{Org: o, Action: "/organizations/" + id + "/edit"})
	}
	return redirect(w, r, "/organizations/"+id, "saved")
}

// statusPage is the data of the status change form.
type statusPage struct {
	Org  *concord.Organization
	Next []concord.OrgStatus
	Last *concord.StatusChange
}

func (h *Handler) loadStatusPage(r *http.Request, id string) (statusPage, error) {
	o, history, err := h.members.Organization(r.Context(), actor(r), id)
	if err != nil {
		return statusPage{}, err
	}
	d := statusPage{Org: o, Next: o.Status.NextStatuses()}
	if n := len(history); n > 0 {
		d.Last = &history[n-1]
	}
	return d, nil
}

// statusForm offers the allowed next statuses of an organization.
func (h *Handler) statusForm(w http.ResponseWriter, r *http.Request) error {
	id, err := orgID(r)
	if err != nil {
		return err
	}
	if _, err := membership.Authorize(actor(r), membership.ActChangeStatus, id); err != nil {
		return err
	}
	d, err := h.loadStatusPage(r, id)
	if err != nil {
		return err
	}
	f := newForm(url.Values{"effective_on": {h.today(r).Format("2006-01-02")}})
	if len(d.Next) > 0 {
		f.Set("status", string(d.Next[0]))
	}
	return h.renderForm(w, r, http.StatusOK, "status_form", state(r).l.T("status.change_title"), f, d)
}

// changeStatus records a status change.
func (h *Handler) changeStatus(w http.ResponseWriter, r *http.Request) error {
	id, err := orgID(r)
	if err != nil {
		return err
	}
	fr := &formReader{r: r}
	c := concord.StatusChange{To: concord.OrgStatus(fr.text("status")), EffectiveOn: fr.date("effective_on"),
		DecidedBy: fr.text("decided_by"), Note: fr.text("note")}
	err = fr.err()
	if err == nil {
		_, err = h.members.ChangeStatus(r.Context(), actor(r), id, c)
	}
	if err != nil {
		if !fixable(err) {
			return err
		}
		d, derr := h.loadStatusPage(r, id)
		if derr != nil {
			return derr
		}
		return h.retry(w, r, err, newForm(r.PostForm), "status_form", state(r).l.T("status.change_title"), d)
	}
	return redirect(w, r, "/organizations/"+id, "status")
}

// NameRows are the rows of translated names in the organization form: the submitted or
// stored ones, then empty rows to add more.
func (v *view) NameRows() []nameRow {
	langs, names := v.Form.Values("names_lang"), v.Form.Values("names_value")
	n := max(len(langs), len(names))
	rows := make([]nameRow, 0, n+3)
	for i := range n + 3 {
		var row nameRow
		if i < len(langs) {
			row.Lang = langs[i]
		}
		if i < len(names) {
			row.Name = names[i]
		}
		if row.Lang == "" && row.Name == "" && i < n {
			continue
		}
		idx := strconv.Itoa(len(rows) + 1)
		row.LangID, row.NameID = "f-names-lang-"+idx, "f-names-value-"+idx
		if row.Lang != "" {
			row.NameID = fieldID("names." + row.Lang)
			row.Error = v.Form.Error("names." + row.Lang)
		}
		row.Number = idx
		rows = append(rows, row)
	}
	return rows
}

// nameRow is one translated-name row of the organization form.
type nameRow struct {
	Number, Lang, Name, LangID, NameID, Error string
}
