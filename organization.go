package concord

import (
	"slices"
	"strings"
	"time"
)

// OrgStatus is where an organization stands in the federation.
type OrgStatus string

// Organization statuses. An applicant becomes a member or is rejected; a member may be
// suspended or leave (former); suspended members return or leave; former members and rejected
// applicants may apply again.
const (
	StatusApplicant OrgStatus = "applicant"
	StatusMember    OrgStatus = "member"
	StatusSuspended OrgStatus = "suspended"
	StatusFormer    OrgStatus = "former"
	StatusRejected  OrgStatus = "rejected"
)

// Statuses returns every status in display order.
func Statuses() []OrgStatus {
	return []OrgStatus{StatusApplicant, StatusMember, StatusSuspended, StatusFormer, StatusRejected}
}

var statusTransitions = map[OrgStatus][]OrgStatus{
	StatusApplicant: {StatusMember, StatusRejected},
	StatusMember:    {StatusSuspended, StatusFormer},
	StatusSuspended: {StatusMember, StatusFormer},
	StatusFormer:    {StatusApplicant, StatusMember},
	StatusRejected:  {StatusApplicant},
}

// Valid reports whether s is a known status.
func (s OrgStatus) Valid() bool {
	_, ok := statusTransitions[s]
	return ok
}

// NextStatuses returns the statuses an organization in status s may move to.
func (s OrgStatus) NextStatuses() []OrgStatus { return statusTransitions[s] }

// CanBecome reports whether the move from s to next is allowed.
func (s OrgStatus) CanBecome(next OrgStatus) bool {
	for _, n := range statusTransitions[s] {
		if n == next {
			return true
		}
	}
	return false
}

// Organization is a member (or applicant, or former member) of the federation. Its name is
// kept in its own script and language, with translations.
type Organization struct {
	ID           string
	Name         string            // in the organization's own script
	NameLang     string            // BCP 47 tag of Name
	Names        map[string]string // translations of the name, by language tag
	Abbreviation string
	Country      string // ISO 3166-1 alpha-2
	Region       string // one of Regions()
	Website      string
	Description  string // public description
	Email        string // contact address (not public)
	Status       OrgStatus
	MemberSince  *time.Time // first day of the current membership, derived from status history
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// NameIn returns the organization's name in language lang when a translation exists, else
// its own name.
func (o *Organization) NameIn(lang string) string {
	if lang == o.NameLang {
		return o.Name
	}
	if n := o.Names[lang]; n != "" {
		return n
	}
	if base, _, ok := strings.Cut(lang, "-"); ok {
		if n := o.Names[base]; n != "" {
			return n
		}
	}
	return o.Name
}

// Normalize trims fields and fills derived defaults (upper-case country, region from country).
func (o *Organization) Normalize() {
	o.Name = CleanText(o.Name)
	o.NameLang = strings.TrimSpace(o.NameLang)
	o.Abbreviation = CleanText(o.Abbreviation)
	o.Country = NormalizeCountry(o.Country)
	o.Region = strings.ToLower(strings.TrimSpace(o.Region))
	o.Website = strings.TrimSpace(o.Website)
	o.Description = CleanText(o.Description)
	o.Email = strings.TrimSpace(o.Email)
	if o.Region == "" {
		o.Region, _ = RegionOf(o.Country)
	}
	for k, v := range o.Names {
		v = CleanText(v)
		if v == "" {
			delete(o.Names, k)
			continue
		}
		o.Names[k] = v
	}
}

// Validate checks an organization's editable fields.
func (o *Organization) Validate() error {
	var v Validation
	checkText(&v, "name", o.Name, true, MaxName, false)
	checkLangTag(&v, "name_lang", o.NameLang, true)
	checkText(&v, "abbreviation", o.Abbreviation, false, MaxShort, false)
	if o.Country == "" {
		v.Add("country", "error.missing", "is required")
	} else if !ValidCountry(o.Country) {
		v.Add("country", "error.country", "is not an ISO 3166-1 alpha-2 code", "value", o.Country)
	}
	if o.Region != "" && !ValidRegion(o.Region) {
		v.Add("region", "error.region", "is not a known region", "value", o.Region)
	}
	checkURL(&v, "website", o.Website)
	checkText(&v, "description", o.Description, false, MaxDescription, true)
	checkEmail(&v, "email", o.Email, false)
	if len(o.Names) > 50 {
		v.Add("names", "error.too_many", "has too many translations", "max", "50")
	}
	for lang, name := range o.Names {
		checkLangTag(&v, "names", lang, true)
		checkText(&v, "names."+lang, name, false, MaxName, false)
	}
	return v.Err()
}

// StatusChange is one dated entry of an organization's status history.
type StatusChange struct {
	ID          string
	OrgID       string
	From        OrgStatus // empty for the first entry
	To          OrgStatus
	EffectiveOn time.Time // a date (midnight UTC)
	DecidedBy   string    // the deciding body, e.g. "World Conference 2025"
	Note        string
	RecordedBy  string // person ID, empty for public applications
	RecordedAt  time.Time
}

// Validate checks a requested status change.
func (c *StatusChange) Validate() error {
	var v Validation
	if !c.To.Valid() {
		v.Add("status", "error.status", "is not a known status", "value", string(c.To))
	} else if c.From != "" && !c.From.CanBecome(c.To) {
		v.Add("status", "error.transition", "this status change is not allowed", "from", string(c.From), "to", string(c.To))
	}
	if c.EffectiveOn.IsZero() {
		v.Add("effective_on", "error.missing", "is required")
	}
	checkText(&v, "decided_by", c.DecidedBy, c.To != StatusApplicant, MaxName, false)
	checkText(&v, "note", c.Note, false, MaxLine*4, true)
	return v.Err()
}

// MemberSince derives the first day of the current membership from a status history in
// chronological order: the latest move into member that was not interrupted by leaving
// (former or rejected). A suspension does not reset membership.
func MemberSince(history []StatusChange) *time.Time {
	var since *time.Time
	for i := range history {
		switch history[i].To {
		case StatusMember:
			if since == nil {
				d := history[i].EffectiveOn
				since = &d
			}
		case StatusFormer, StatusRejected, StatusApplicant:
			since = nil
		}
	}
	return since
}

// Jubilee is an upcoming anniversary of the federation or of a membership.
type Jubilee struct {
	OrgID string // empty for the federation itself
	Name  string
	Years int
	On    time.Time
}

// Jubilees lists anniversaries that are multiples of every years (5, 10, 15…) falling in
// [from, from+window], for each start date. It is a pure function of its inputs.
func Jubilees(starts map[string]time.Time, names map[string]string, from time.Time, window time.Duration, every int) []Jubilee {
	if every <= 0 {
		every = 5
	}
	until := from.Add(window)
	var out []Jubilee
	for id, start := range starts {
		for y := every; y <= 500; y += every {
			on := start.AddDate(y, 0, 0)
			if on.After(until) {
				break
			}
			if !on.Before(dateOf(from)) {
				out = append(out, Jubilee{OrgID: id, Name: names[id], Years: y, On: on})
			}
		}
	}
	sortJubilees(out)
	return out
}

func dateOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func sortJubilees(js []Jubilee) {
	slices.SortFunc(js, func(a, b Jubilee) int {
		if c := a.On.Compare(b.On); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
}
