package concord

import (
	"slices"
	"strings"
	"time"
)

// Role is what a mandate lets a person do for an organization.
type Role string

// Organization roles held under a mandate.
const (
	RoleOrgAdmin   Role = "org_admin"  // keeps the organization's profile and people
	RoleDelegate   Role = "delegate"   // signs, votes and reports for the organization
	RoleTranslator Role = "translator" // translates texts for the federation
)

// Roles returns every organization role in display order.
func Roles() []Role { return []Role{RoleOrgAdmin, RoleDelegate, RoleTranslator} }

// Valid reports whether r is a known organization role.
func (r Role) Valid() bool { return slices.Contains(Roles(), r) }

// FederationRole is a role in the federation itself, not tied to an organization.
type FederationRole string

// Federation roles.
const (
	FedAdmin       FederationRole = "admin"       // everything, including people and settings
	FedCoordinator FederationRole = "coordinator" // keeps the member registry, admits members
	FedSecretariat FederationRole = "secretariat" // daily work; reads the registry and audit log
)

// FederationRoles returns every federation role in display order.
func FederationRoles() []FederationRole {
	return []FederationRole{FedAdmin, FedCoordinator, FedSecretariat}
}

// Valid reports whether r is a known federation role.
func (r FederationRole) Valid() bool { return slices.Contains(FederationRoles(), r) }

// Person is someone who logs in. Display names are pseudonymous by default: the federation
// needs to know who acts for an organization, not a legal name.
type Person struct {
	ID              string
	Login           string // lower-case, unique
	DisplayName     string
	Email           string
	Language        string // preferred UI language (BCP 47)
	TimeZone        string // IANA name
	FederationRoles []FederationRole
	CreatedAt       time.Time
	DisabledAt      *time.Time
}

// HasFederationRole reports whether p holds any of roles.
func (p *Person) HasFederationRole(roles ...FederationRole) bool {
	for _, r := range p.FederationRoles {
		if slices.Contains(roles, r) {
			return true
		}
	}
	return false
}

// Location returns the person's time zone, UTC when unset or unknown.
func (p *Person) Location() *time.Location {
	if p == nil || p.TimeZone == "" {
		return time.UTC
	}
	loc, err := time.LoadLocation(p.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// NormalizeLogin lower-cases and trims a login name.
func NormalizeLogin(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// ValidateLogin checks a login: 3–64 characters of a–z, 0–9, '.', '_' and '-'.
func ValidateLogin(v *Validation, login string) {
	if login == "" {
		v.Add("login", "error.missing", "is required")
		return
	}
	ok := len(login) >= 3 && len(login) <= 64
	for _, c := range login {
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			ok = false
		}
	}
	if !ok {
		v.Add("login", "error.login_format", "must be 3 to 64 characters: a-z, 0-9, dot, underscore, hyphen")
	}
}

// MinPasswordLength is the shortest password accepted. Length beats composition rules.
const MinPasswordLength = 10

// ValidatePassword checks a new password.
func ValidatePassword(v *Validation, field, password string) {
	switch n := len([]rune(password)); {
	case n < MinPasswordLength:
		v.Add(field, "error.password_short", "is too short", "min", "10")
	case len(password) > 1024:
		v.Add(field, "error.too_long", "is too long", "max", "1024")
	}
}

// Normalize trims the person's fields.
func (p *Person) Normalize() {
	p.Login = NormalizeLogin(p.Login)
	p.DisplayName = CleanText(p.DisplayName)
	p.Email = strings.TrimSpace(p.Email)
	p.Language = strings.TrimSpace(p.Language)
	p.TimeZone = strings.TrimSpace(p.TimeZone)
}

// Validate checks a person's profile fields.
func (p *Person) Validate() error {
	var v Validation
	ValidateLogin(&v, p.Login)
	checkText(&v, "display_name", p.DisplayName, true, MaxName, false)
	checkEmail(&v, "email", p.Email, false)
	checkLangTag(&v, "language", p.Language, false)
	if p.TimeZone != "" {
		if _, err := time.LoadLocation(p.TimeZone); err != nil || strings.Contains(p.TimeZone, "..") || p.TimeZone == "Local" {
			v.Add("time_zone", "error.time_zone", "is not a known time zone", "value", clip(p.TimeZone, 40))
		}
	}
	for _, r := range p.FederationRoles {
		if !r.Valid() {
			v.Add("federation_roles", "error.role", "is not a known role", "value", clip(string(r), 40))
		}
	}
	return v.Err()
}

// Mandate lets a person act for an organization in a role, for a period, on the strength of
// a written mandate (Reference names it: a letter, a decision, minutes).
type Mandate struct {
	ID         string
	PersonID   string
	OrgID      string
	Role       Role
	ValidFrom  time.Time  // a date
	ValidUntil *time.Time // a date, inclusive; nil means open-ended
	Reference  string
	CreatedBy  string
	CreatedAt  time.Time
	RevokedAt  *time.Time
	RevokedBy  string
}

// CurrentAt reports whether the mandate is in force at t: not revoked, started, not ended.
// Dates are whole days in UTC; ValidUntil includes its day.
func (m *Mandate) CurrentAt(t time.Time) bool {
	if m.RevokedAt != nil && !t.Before(*m.RevokedAt) {
		return false
	}
	if t.Before(m.ValidFrom) {
		return false
	}
	return m.ValidUntil == nil || t.Before(m.ValidUntil.AddDate(0, 0, 1))
}

// Validate checks a mandate's fields.
func (m *Mandate) Validate() error {
	var v Validation
	if !m.Role.Valid() {
		v.Add("role", "error.role", "is not a known role", "value", clip(string(m.Role), 40))
	}
	if m.ValidFrom.IsZero() {
		v.Add("valid_from", "error.missing", "is required")
	}
	if m.ValidUntil != nil && m.ValidUntil.Before(m.ValidFrom) {
		v.Add("valid_until", "error.date_order", "ends before it starts")
	}
	checkText(&v, "reference", m.Reference, false, MaxLine, false)
	return v.Err()
}

// Actor is who is acting: a person with the mandates current at the time of the request.
// A nil *Actor is an anonymous visitor.
type Actor struct {
	Person   *Person
	Mandates []Mandate // current mandates only
	Token    string    // API token ID when acting through the API
}

// IsFederation reports whether the actor holds any of the federation roles.
func (a *Actor) IsFederation(roles ...FederationRole) bool {
	return a != nil && a.Person != nil && a.Person.HasFederationRole(roles...)
}

// IsMember reports whether the actor belongs to the federation's inner circle: a
// federation role or any current mandate. Members read internal texts and procedures.
func (a *Actor) IsMember() bool {
	return a.IsFederation(FedAdmin, FedCoordinator, FedSecretariat) || (a != nil && len(a.Mandates) > 0)
}

// MandateFor returns the actor's current mandate for org in one of roles.
func (a *Actor) MandateFor(orgID string, roles ...Role) (Mandate, bool) {
	if a == nil {
		return Mandate{}, false
	}
	for _, m := range a.Mandates {
		if m.OrgID == orgID && slices.Contains(roles, m.Role) {
			return m, true
		}
	}
	return Mandate{}, false
}

// PersonID returns the acting person's ID, or "" for an anonymous visitor.
func (a *Actor) PersonID() string {
	if a == nil || a.Person == nil {
		return ""
	}
	return a.Person.ID
}

// Invitation is a one-time link an org admin (or the federation) sends to bring a person in
// under a mandate. Only the hash of its secret is stored.
type Invitation struct {
	ID          string
	OrgID       string
	Role        Role
	Email       string
	DisplayName string // suggestion; the invitee may change it
	Language    string // the invitee's language, for the email and first login
	ValidFrom   time.Time
	ValidUntil  *time.Time
	Reference   string
	CreatedBy   string
	CreatedAt   time.Time
	ExpiresAt   time.Time
	AcceptedAt  *time.Time
	PersonID    string // who accepted
}

// Validate checks an invitation's fields.
func (inv *Invitation) Validate() error {
	var v Validation
	if !inv.Role.Valid() {
		v.Add("role", "error.role", "is not a known role", "value", clip(string(inv.Role), 40))
	}
	checkEmail(&v, "email", inv.Email, false)
	checkText(&v, "display_name", inv.DisplayName, false, MaxName, false)
	checkLangTag(&v, "language", inv.Language, false)
	if inv.ValidUntil != nil && inv.ValidUntil.Before(inv.ValidFrom) {
		v.Add("valid_until", "error.date_order", "ends before it starts")
	}
	checkText(&v, "reference", inv.Reference, false, MaxLine, false)
	return v.Err()
}

// InvitationTTL is how long an invitation link works.
const InvitationTTL = 14 * 24 * time.Hour
