package concord

import "time"

// AuditEvent records one change: who did it, for which organization under which mandate,
// what changed and when. Events are append-only: nothing in the code updates or deletes them.
type AuditEvent struct {
	ID         string
	At         time.Time
	PersonID   string // empty for anonymous actions such as a public membership application
	PersonName string // display name at the time, filled when listing
	OrgID      string // the organization acted for, if the act used a mandate
	AboutOrgID string // the organization the change concerns, whoever made it
	MandateID  string
	Action     string // e.g. "organization.create", "mandate.revoke"
	TargetType string
	TargetID   string
	Changes    map[string][2]string // field → [old, new]
	IP         string
}

// AuditFilter selects audit events for browsing.
type AuditFilter struct {
	PersonID string
	OrgID    string // events acting for or concerning this organization
	Action   string // prefix match, e.g. "mandate."
	TargetID string
	Before   time.Time // exclusive; zero means now
	Limit    int
}

// Diff returns the changed fields between two string maps as audit changes.
func Diff(old, new map[string]string) map[string][2]string {
	out := map[string][2]string{}
	for k, n := range new {
		if o := old[k]; o != n {
			out[k] = [2]string{o, n}
		}
	}
	for k, o := range old {
		if _, ok := new[k]; !ok && o != "" {
			out[k] = [2]string{o, ""}
		}
	}
	return out
}

// Session is a server-side login session. The cookie holds a secret; the database holds its
// SHA-256 hash as the ID.
type Session struct {
	ID         string // hex SHA-256 of the secret
	PersonID   string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
	UserAgent  string
	IP         string
}

// SessionTTL is how long a session lives without use.
const SessionTTL = 30 * 24 * time.Hour

// APIToken lets a program act as a person through the JSON API. Only its hash is stored.
type APIToken struct {
	ID         string
	PersonID   string
	Name       string
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

// Federation holds the federation's own settings.
type Federation struct {
	Name            string            // in the default language
	Names           map[string]string // by language
	Languages       []string          // official languages
	DefaultLanguage string
	TimeZone        string
	FoundedOn       *time.Time
}
