// Package membership is the member registry: organizations and their dated status history,
// public applications, people, invitations and mandates, anniversaries, and the audit trail
// of all of it. Every mutation is authorized by Authorize, runs in one transaction with its
// audit event and outbox jobs, and fails without changing anything.
package membership

import (
	"context"
	"slices"
	"strings"
	"time"

	"concord"
	"concord/internal/auth"
	"concord/internal/sqldb"
)

// Service is the membership capability.
type Service struct {
	db      *sqldb.DB
	clock   concord.Clock
	params  auth.PasswordParams
	baseURL string // for links in emails, e.g. "https://concord.example.org"
	kick    func() // wakes the job worker after a commit that enqueued jobs
	applies *auth.Limiter
}

// Config wires a Service.
type Config struct {
	DB             *sqldb.DB
	Clock          concord.Clock
	PasswordParams auth.PasswordParams
	BaseURL        string
	KickJobs       func()
}

// NewService returns the membership service.
func NewService(c Config) *Service {
	kick := c.KickJobs
	if kick == nil {
		kick = func() {}
	}
	return &Service{db: c.DB, clock: c.Clock, params: c.PasswordParams, baseURL: strings.TrimRight(c.BaseURL, "/"), kick: kick,
		applies: auth.NewLimiter(5, time.Hour, c.Clock.Now)}
}

// audit writes one audit event in tx for an act by actor, naming the mandate used and the
// organization the change concerns (about, "" for none).
func audit(tx *sqldb.Tx, now time.Time, a *concord.Actor, m concord.Mandate, about, action, targetType, targetID string, changes map[string][2]string) error {
	return tx.InsertAuditEvent(&concord.AuditEvent{ID: concord.NewID(now), At: now, PersonID: a.PersonID(),
		OrgID: m.OrgID, AboutOrgID: about, MandateID: m.ID, Action: action, TargetType: targetType, TargetID: targetID, Changes: changes})
}

func orgFields(o *concord.Organization) map[string]string {
	m := map[string]string{"name": o.Name, "name_lang": o.NameLang, "abbreviation": o.Abbreviation, "country": o.Country,
		"region": o.Region, "website": o.Website, "description": o.Description, "email": o.Email}
	for k, v := range o.Names {
		m["names."+k] = v
	}
	return m
}

func today(now time.Time) time.Time {
	y, m, d := now.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Federation returns the federation's settings.
func (s *Service) Federation(ctx context.Context) (*concord.Federation, error) {
	var f *concord.Federation
	err := s.db.View(ctx, func(tx *sqldb.Tx) (err error) {
		f, err = tx.GetFederation()
		return err
	})
	return f, err
}

// PutFederation sets the federation's settings (admin only).
func (s *Service) PutFederation(ctx context.Context, a *concord.Actor, f *concord.Federation) error {
	m, err := Authorize(a, ActEditFederation, "")
	if err != nil {
		return err
	}
	now := s.clock.Now()
	return s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		if err := tx.PutFederation(f); err != nil {
			return err
		}
		return audit(tx, now, a, m, "", "federation.update", "federation", "1", map[string][2]string{"name": {"", f.Name}})
	})
}

// CreateOrganization adds an organization with its first status entry (applicant or member).
func (s *Service) CreateOrganization(ctx context.Context, a *concord.Actor, o *concord.Organization, first concord.StatusChange) error {
	m, err := Authorize(a, ActCreateOrg, "")
	if err != nil {
		return err
	}
	now := s.clock.Now()
	o.Normalize()
	if err := o.Validate(); err != nil {
		return err
	}
	first.From = ""
	if first.To == "" {
		first.To = concord.StatusApplicant
	}
	if first.EffectiveOn.IsZero() {
		first.EffectiveOn = today(now)
	}
	first.DecidedBy, first.Note = concord.CleanText(first.DecidedBy), concord.CleanText(first.Note)
	if first.To != concord.StatusApplicant && first.To != concord.StatusMember {
		var v concord.Validation
		v.Add("status", "error.initial_status", "a new organization starts as applicant or member")
		return v.Err()
	}
	if err := first.Validate(); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		return s.insertOrg(tx, now, a, m, o, first)
	})
}

func (s *Service) insertOrg(tx *sqldb.Tx, now time.Time, a *concord.Actor, m concord.Mandate, o *concord.Organization, first concord.StatusChange) error {
	o.ID, o.CreatedAt, o.UpdatedAt, o.Status = concord.NewID(now), now, now, concord.StatusApplicant
	if err := tx.InsertOrganization(o); err != nil {
		return err
	}
	first.ID, first.OrgID, first.RecordedBy, first.RecordedAt = concord.NewID(now), o.ID, a.PersonID(), now
	since := concord.MemberSince([]concord.StatusChange{first})
	if err := tx.InsertStatusChange(&first, since); err != nil {
		return err
	}
	o.Status, o.MemberSince = first.To, since
	changes := concord.Diff(nil, orgFields(o))
	changes["status"] = [2]string{"", string(first.To)}
	return audit(tx, now, a, m, o.ID, "organization.create", "organization", o.ID, changes)
}

// Apply records a public membership application: a new applicant organization that
// coordinators later admit or reject. Anyone may apply; the audit event has no person. One
// address may file at most five applications an hour.
func (s *Service) Apply(ctx context.Context, o *concord.Organization, note, ip string) error {
	if !s.applies.Allowed(ip) {
		return &concord.Error{Code: concord.ERATELIMIT, Key: "error.rate_limited", Message: "too many applications from this address"}
	}
	now := s.clock.Now()
	o.Normalize()
	var v concord.Validation
	if o.Email == "" {
		v.Add("email", "error.missing", "is required")
	}
	if err := v.Err(); err != nil {
		return err
	}
	if err := o.Validate(); err != nil {
		return err
	}
	first := concord.StatusChange{To: concord.StatusApplicant, EffectiveOn: today(now), DecidedBy: "", Note: concord.CleanText(note)}
	if err := first.Validate(); err != nil {
		return err
	}
	err := s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		return s.insertOrg(tx, now, nil, concord.Mandate{}, o, first)
	})
	if err == nil {
		s.applies.Fail(ip) // counts filed applications, not failures
	}
	return err
}

// UpdateOrganization replaces an organization's profile fields with those of edit.
func (s *Service) UpdateOrganization(ctx context.Context, a *concord.Actor, id string, edit *concord.Organization) (*concord.Organization, error) {
	m, err := Authorize(a, ActEditOrg, id)
	if err != nil {
		return nil, err
	}
	edit.Normalize()
	if err := edit.Validate(); err != nil {
		return nil, err
	}
	now := s.clock.Now()
	var out *concord.Organization
	err = s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		old, err := tx.GetOrganization(id)
		if err != nil {
			return err
		}
		next := *old
		next.Name, next.NameLang, next.Names, next.Abbreviation = edit.Name, edit.NameLang, edit.Names, edit.Abbreviation
		next.Country, next.Region, next.Website, next.Description, next.Email = edit.Country, edit.Region, edit.Website, edit.Description, edit.Email
		next.UpdatedAt = now
		changes := concord.Diff(orgFields(old), orgFields(&next))
		if len(changes) == 0 {
			out = old
			return nil
		}
		if err := tx.UpdateOrganization(&next); err != nil {
			return err
		}
		out = &next
		return audit(tx, now, a, m, id, "organization.update", "organization", id, changes)
	})
	return out, err
}

// ChangeStatus appends a dated status change (admit, reject, suspend, leave, readmit).
func (s *Service) ChangeStatus(ctx context.Context, a *concord.Actor, orgID string, c concord.StatusChange) (*concord.Organization, error) {
	m, err := Authorize(a, ActChangeStatus, orgID)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	c.DecidedBy, c.Note = concord.CleanText(c.DecidedBy), concord.CleanText(c.Note)
	var out *concord.Organization
	err = s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		o, err := tx.GetOrganization(orgID)
		if err != nil {
			return err
		}
		c.From = o.Status
		if err := c.Validate(); err != nil {
			return err
		}
		history, err := tx.ListStatusChanges(orgID)
		if err != nil {
			return err
		}
		if n := len(history); n > 0 && c.EffectiveOn.Before(history[n-1].EffectiveOn) {
			var v concord.Validation
			v.Add("effective_on", "error.date_before_last", "is before the last recorded change")
			return v.Err()
		}
		c.ID, c.OrgID, c.RecordedBy, c.RecordedAt = concord.NewID(now), orgID, a.PersonID(), now
		since := concord.MemberSince(append(history, c))
		if err := tx.InsertStatusChange(&c, since); err != nil {
			return err
		}
		o.Status, o.MemberSince, o.UpdatedAt = c.To, since, now
		out = o
		return audit(tx, now, a, m, orgID, "organization.status", "organization", orgID, map[string][2]string{
			"status": {string(c.From), string(c.To)}, "effective_on": {"", c.EffectiveOn.Format("2006-01-02")}, "decided_by": {"", c.DecidedBy}})
	})
	return out, err
}

// publicStatuses are the statuses whose organizations anyone may see.
var publicStatuses = []concord.OrgStatus{concord.StatusMember, concord.StatusSuspended, concord.StatusFormer}

// Organization returns one organization and its status history. Applicants and rejected
// applicants are visible only to those who may see private data; the contact email likewise.
func (s *Service) Organization(ctx context.Context, a *concord.Actor, id string) (*concord.Organization, []concord.StatusChange, error) {
	var o *concord.Organization
	var history []concord.StatusChange
	err := s.db.View(ctx, func(tx *sqldb.Tx) (err error) {
		if o, err = tx.GetOrganization(id); err != nil {
			return err
		}
		history, err = tx.ListStatusChanges(id)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	private := Can(a, ActViewPrivate, id)
	if !private {
		if !slices.Contains(publicStatuses, o.Status) {
			return nil, nil, concord.NotFound("organization")
		}
		o.Email = ""
		for i := range history {
			history[i].Note, history[i].RecordedBy = "", ""
		}
	}
	return o, history, nil
}

// OrgFilter selects organizations in the member list.
type OrgFilter = sqldb.OrgFilter

// Organizations lists organizations. Without private access only public statuses are listed
// and contact emails are blanked.
func (s *Service) Organizations(ctx context.Context, a *concord.Actor, f OrgFilter) ([]*concord.Organization, error) {
	private := Can(a, ActViewPrivate, "")
	if !private {
		if len(f.Status) == 0 {
			f.Status = publicStatuses
		} else {
			f.Status = slices.DeleteFunc(slices.Clone(f.Status), func(s concord.OrgStatus) bool { return !slices.Contains(publicStatuses, s) })
			if len(f.Status) == 0 {
				return nil, nil
			}
		}
	}
	var out []*concord.Organization
	err := s.db.View(ctx, func(tx *sqldb.Tx) (err error) {
		out, err = tx.ListOrganizations(f)
		return err
	})
	if !private {
		for _, o := range out {
			if !Can(a, ActViewPrivate, o.ID) {
				o.Email = ""
			}
		}
	}
	return out, err
}

// Anniversaries lists the federation's and current members' jubilees (every 5 years) in the
// window starting today.
func (s *Service) Anniversaries(ctx context.Context, window time.Duration) ([]concord.Jubilee, error) {
	var fed *concord.Federation
	var orgs []*concord.Organization
	err := s.db.View(ctx, func(tx *sqldb.Tx) (err error) {
		if fed, err = tx.GetFederation(); err != nil && concord.ErrorCode(err) != concord.ENOTFOUND {
			return err
		}
		orgs, err = tx.ListOrganizations(sqldb.OrgFilter{Status: []concord.OrgStatus{concord.StatusMember, concord.StatusSuspended}})
		return err
	})
	if err != nil {
		return nil, err
	}
	starts, names := map[string]time.Time{}, map[string]string{}
	if fed != nil && fed.FoundedOn != nil {
		starts[""], names[""] = *fed.FoundedOn, fed.Name
	}
	for _, o := range orgs {
		if o.MemberSince != nil {
			starts[o.ID], names[o.ID] = *o.MemberSince, o.Name
		}
	}
	return concord.Jubilees(starts, names, s.clock.Now(), window, 5), nil
}
