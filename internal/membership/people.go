package membership

import (
	"context"
	"slices"
	"time"

	"concord"
	"concord/internal/auth"
	"concord/internal/jobs"
	"concord/internal/sqldb"
)

// JobInvitationMail is the job kind that emails an invitation link.
const JobInvitationMail = "mail.invitation"

// InvitationMail is the payload of a JobInvitationMail job.
type InvitationMail struct {
	InvitationID string    `json:"invitation_id"`
	To           string    `json:"to"`
	Language     string    `json:"language"`
	OrgName      string    `json:"org_name"`
	Inviter      string    `json:"inviter"`
	Role         string    `json:"role"`
	Link         string    `json:"link"`
	ExpiresAt    time.Time `json:"expires_at"`
}

// PersonWithMandates is a person and their mandates in one organization.
type PersonWithMandates struct {
	Person   *concord.Person
	Mandates []concord.Mandate
}

// People lists the people who hold or held a mandate in orgID, with those mandates.
func (s *Service) People(ctx context.Context, a *concord.Actor, orgID string) ([]PersonWithMandates, error) {
	if _, err := Authorize(a, ActViewPrivate, orgID); err != nil {
		return nil, err
	}
	var out []PersonWithMandates
	err := s.db.View(ctx, func(tx *sqldb.Tx) error {
		if _, err := tx.GetOrganization(orgID); err != nil {
			return err
		}
		people, err := tx.ListPeople(orgID)
		if err != nil {
			return err
		}
		for _, p := range people {
			ms, err := tx.ListMandates(p.ID, orgID)
			if err != nil {
				return err
			}
			out = append(out, PersonWithMandates{Person: p, Mandates: ms})
		}
		return nil
	})
	return out, err
}

// AllPeople lists everyone (federation roles only).
func (s *Service) AllPeople(ctx context.Context, a *concord.Actor) ([]*concord.Person, error) {
	if _, err := Authorize(a, ActViewPrivate, ""); err != nil {
		return nil, err
	}
	var out []*concord.Person
	err := s.db.View(ctx, func(tx *sqldb.Tx) (err error) {
		out, err = tx.ListPeople("")
		return err
	})
	return out, err
}

// Person returns a person and all their mandates. People see themselves; org admins and
// federation roles see the people of organizations they may view privately.
func (s *Service) Person(ctx context.Context, a *concord.Actor, id string) (*concord.Person, []concord.Mandate, error) {
	var p *concord.Person
	var ms []concord.Mandate
	err := s.db.View(ctx, func(tx *sqldb.Tx) (err error) {
		if p, err = tx.GetPerson(id); err != nil {
			return err
		}
		ms, err = tx.ListMandates(id, "")
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	if a.PersonID() == id || Can(a, ActViewPrivate, "") {
		return p, ms, nil
	}
	for _, m := range ms {
		if Can(a, ActViewPrivate, m.OrgID) {
			return p, ms, nil
		}
	}
	if a == nil || a.Person == nil {
		return nil, nil, &concord.Error{Code: concord.EUNAUTHORIZED, Key: "error.unauthorized", Message: "log in first"}
	}
	return nil, nil, concord.NotFound("person")
}

// UpdateProfile changes a person's display name, email, language and time zone. People edit
// their own profile; admins edit anyone's.
func (s *Service) UpdateProfile(ctx context.Context, a *concord.Actor, id string, edit concord.Person) (*concord.Person, error) {
	m, err := Authorize(a, ActEditPerson, id)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	var out *concord.Person
	err = s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		old, err := tx.GetPerson(id)
		if err != nil {
			return err
		}
		next := *old
		next.DisplayName, next.Email, next.Language, next.TimeZone = edit.DisplayName, edit.Email, edit.Language, edit.TimeZone
		next.Normalize()
		if err := next.Validate(); err != nil {
			return err
		}
		changes := concord.Diff(personFields(old), personFields(&next))
		out = &next
		if len(changes) == 0 {
			return nil
		}
		if err := tx.UpdatePerson(&next); err != nil {
			return err
		}
		return audit(tx, now, a, m, "", "person.update", "person", id, changes)
	})
	return out, err
}

func personFields(p *concord.Person) map[string]string {
	return map[string]string{"display_name": p.DisplayName, "email": p.Email, "language": p.Language, "time_zone": p.TimeZone}
}

// SetFederationRoles replaces a person's federation roles (admin only). The last admin
// cannot remove their own admin role.
func (s *Service) SetFederationRoles(ctx context.Context, a *concord.Actor, personID string, roles []concord.FederationRole) error {
	m, err := Authorize(a, ActManageRoles, "")
	if err != nil {
		return err
	}
	roles = slices.Compact(slices.Sorted(slices.Values(roles)))
	var v concord.Validation
	for _, r := range roles {
		if !r.Valid() {
			v.Add("federation_roles", "error.role", "is not a known role", "value", string(r))
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	now := s.clock.Now()
	return s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		p, err := tx.GetPerson(personID)
		if err != nil {
			return err
		}
		if err := tx.SetFederationRoles(personID, roles); err != nil {
			return err
		}
		if n, err := tx.CountFederationRole(concord.FedAdmin); err != nil {
			return err
		} else if n == 0 {
			return &concord.Error{Code: concord.ECONFLICT, Key: "error.last_admin", Message: "the federation needs at least one admin"}
		}
		return audit(tx, now, a, m, "", "person.federation_roles", "person", personID,
			map[string][2]string{"federation_roles": {joinRoles(p.FederationRoles), joinRoles(roles)}})
	})
}

func joinRoles(rs []concord.FederationRole) string {
	s := ""
	for i, r := range rs {
		if i > 0 {
			s += ","
		}
		s += string(r)
	}
	return s
}

// Invite creates a one-time invitation link into orgID under a mandate, and queues an email
// when the invitation has an address. It returns the link; only its hash is stored.
func (s *Service) Invite(ctx context.Context, a *concord.Actor, inv *concord.Invitation) (link string, err error) {
	m, err := Authorize(a, ActManagePeople, inv.OrgID)
	if err != nil {
		return "", err
	}
	now := s.clock.Now()
	inv.Email, inv.DisplayName = concord.CleanText(inv.Email), concord.CleanText(inv.DisplayName)
	inv.Reference = concord.CleanText(inv.Reference)
	if inv.ValidFrom.IsZero() {
		inv.ValidFrom = today(now)
	}
	if err := inv.Validate(); err != nil {
		return "", err
	}
	secret := concord.NewSecret(32)
	inv.ID, inv.CreatedBy, inv.CreatedAt, inv.ExpiresAt = concord.NewID(now), a.PersonID(), now, now.Add(concord.InvitationTTL)
	link = s.baseURL + "/invitations/" + secret
	err = s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		org, err := tx.GetOrganization(inv.OrgID)
		if err != nil {
			return err
		}
		if err := tx.InsertInvitation(inv, auth.HashSecret(secret)); err != nil {
			return err
		}
		if inv.Email != "" {
			if err := jobs.Enqueue(tx, now, JobInvitationMail, InvitationMail{InvitationID: inv.ID, To: inv.Email,
				Language: inv.Language, OrgName: org.NameIn(inv.Language), Inviter: a.Person.DisplayName, Role: string(inv.Role),
				Link: link, ExpiresAt: inv.ExpiresAt}); err != nil {
				return err
			}
		}
		return audit(tx, now, a, m, inv.OrgID, "invitation.create", "invitation", inv.ID, map[string][2]string{
			"org_id": {"", inv.OrgID}, "role": {"", string(inv.Role)}, "email": {"", inv.Email}})
	})
	if err != nil {
		return "", err
	}
	s.kick()
	return link, nil
}

// CancelInvitation ends an open invitation's link now; the invitation stays in the list as
// expired at that moment, and the audit log says who cancelled it. A used or expired
// invitation is not found.
func (s *Service) CancelInvitation(ctx context.Context, a *concord.Actor, id string) error {
	now := s.clock.Now()
	return s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		inv, err := tx.GetInvitation(id)
		if err != nil {
			return err
		}
		m, err := Authorize(a, ActManagePeople, inv.OrgID)
		if err != nil {
			return err
		}
		if err := tx.ExpireInvitation(id, now); err != nil {
			return err
		}
		return audit(tx, now, a, m, inv.OrgID, "invitation.cancel", "invitation", id, map[string][2]string{
			"org_id": {inv.OrgID, inv.OrgID}, "email": {inv.Email, inv.Email},
			"expires_at": {inv.ExpiresAt.Format(time.RFC3339), now.Format(time.RFC3339)}})
	})
}

// Invitations lists an organization's invitations.
func (s *Service) Invitations(ctx context.Context, a *concord.Actor, orgID string) ([]concord.Invitation, error) {
	if _, err := Authorize(a, ActManagePeople, orgID); err != nil {
		return nil, err
	}
	var out []concord.Invitation
	err := s.db.View(ctx, func(tx *sqldb.Tx) (err error) {
		out, err = tx.ListInvitations(orgID)
		return err
	})
	return out, err
}

// InvitationByToken returns an open invitation and its organization for the secret in a link.
// Used, expired and unknown links are all not found.
func (s *Service) InvitationByToken(ctx context.Context, secret string) (*concord.Invitation, *concord.Organization, error) {
	var inv *concord.Invitation
	var org *concord.Organization
	err := s.db.View(ctx, func(tx *sqldb.Tx) (err error) {
		if inv, err = tx.GetInvitationByToken(auth.HashSecret(secret)); err != nil {
			return err
		}
		org, err = tx.GetOrganization(inv.OrgID)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	if inv.AcceptedAt != nil || !s.clock.Now().Before(inv.ExpiresAt) {
		return nil, nil, &concord.Error{Code: concord.ENOTFOUND, Key: "error.invitation_used", Message: "invitation used or expired"}
	}
	return inv, org, nil
}

// AcceptInvitation creates the invitee's account with the mandate the invitation names. The
// link works once: a second use fails and changes nothing.
func (s *Service) AcceptInvitation(ctx context.Context, secret string, p *concord.Person, password string) (*concord.Person, error) {
	inv, _, err := s.InvitationByToken(ctx, secret)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	p.Normalize()
	p.FederationRoles = nil
	if p.Email == "" {
		p.Email = inv.Email
	}
	if p.Language == "" {
		p.Language = inv.Language
	}
	var v concord.Validation
	concord.ValidatePassword(&v, "password", password)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	hash := auth.HashPassword(password, s.params)
	p.ID, p.CreatedAt = concord.NewID(now), now
	mandate := &concord.Mandate{ID: concord.NewID(now), PersonID: p.ID, OrgID: inv.OrgID, Role: inv.Role,
		ValidFrom: inv.ValidFrom, ValidUntil: inv.ValidUntil, Reference: inv.Reference, CreatedBy: inv.CreatedBy, CreatedAt: now}
	err = s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		if err := tx.InsertPerson(p, hash); err != nil {
			if concord.ErrorCode(err) == concord.ECONFLICT {
				var v concord.Validation
				v.Add("login", "error.login_taken", "is already taken")
				return v.Err()
			}
			return err
		}
		if err := tx.AcceptInvitation(inv.ID, p.ID, now); err != nil {
			return &concord.Error{Code: concord.ENOTFOUND, Key: "error.invitation_used", Message: "invitation used or expired"}
		}
		if err := tx.InsertMandate(mandate); err != nil {
			return err
		}
		actor := &concord.Actor{Person: p}
		return audit(tx, now, actor, concord.Mandate{OrgID: inv.OrgID, ID: mandate.ID}, inv.OrgID, "invitation.accept", "invitation", inv.ID,
			map[string][2]string{"login": {"", p.Login}, "role": {"", string(inv.Role)}, "org_id": {"", inv.OrgID}})
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// CreateMandate gives an existing person a mandate in an organization.
func (s *Service) CreateMandate(ctx context.Context, a *concord.Actor, md *concord.Mandate) error {
	m, err := Authorize(a, ActManagePeople, md.OrgID)
	if err != nil {
		return err
	}
	now := s.clock.Now()
	md.Reference = concord.CleanText(md.Reference)
	if md.ValidFrom.IsZero() {
		md.ValidFrom = today(now)
	}
	if err := md.Validate(); err != nil {
		return err
	}
	md.ID, md.CreatedBy, md.CreatedAt, md.RevokedAt, md.RevokedBy = concord.NewID(now), a.PersonID(), now, nil, ""
	return s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		if err := tx.InsertMandate(md); err != nil {
			return err
		}
		return audit(tx, now, a, m, md.OrgID, "mandate.create", "mandate", md.ID, mandateChanges(nil, md))
	})
}

func mandateChanges(old, new *concord.Mandate) map[string][2]string {
	f := func(m *concord.Mandate) map[string]string {
		if m == nil {
			return nil
		}
		until := ""
		if m.ValidUntil != nil {
			until = m.ValidUntil.Format("2006-01-02")
		}
		return map[string]string{"person_id": m.PersonID, "org_id": m.OrgID, "role": string(m.Role),
			"valid_from": m.ValidFrom.Format("2006-01-02"), "valid_until": until, "reference": m.Reference}
	}
	return concord.Diff(f(old), f(new))
}

// UpdateMandate changes a mandate's role, period and reference.
func (s *Service) UpdateMandate(ctx context.Context, a *concord.Actor, id string, edit concord.Mandate) (*concord.Mandate, error) {
	now := s.clock.Now()
	var out *concord.Mandate
	err := s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		old, err := tx.GetMandate(id)
		if err != nil {
			return err
		}
		m, err := Authorize(a, ActManagePeople, old.OrgID)
		if err != nil {
			return err
		}
		next := *old
		next.Role, next.ValidFrom, next.ValidUntil, next.Reference = edit.Role, edit.ValidFrom, edit.ValidUntil, concord.CleanText(edit.Reference)
		if err := next.Validate(); err != nil {
			return err
		}
		if err := tx.UpdateMandate(&next); err != nil {
			return err
		}
		out = &next
		return audit(tx, now, a, m, old.OrgID, "mandate.update", "mandate", id, mandateChanges(old, &next))
	})
	return out, err
}

// RevokeMandate ends a mandate now.
func (s *Service) RevokeMandate(ctx context.Context, a *concord.Actor, id string) error {
	now := s.clock.Now()
	return s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		old, err := tx.GetMandate(id)
		if err != nil {
			return err
		}
		m, err := Authorize(a, ActManagePeople, old.OrgID)
		if err != nil {
			return err
		}
		if err := tx.RevokeMandate(id, a.PersonID(), now); err != nil {
			return err
		}
		return audit(tx, now, a, m, old.OrgID, "mandate.revoke", "mandate", id, map[string][2]string{
			"person_id": {old.PersonID, old.PersonID}, "org_id": {old.OrgID, old.OrgID}, "revoked_at": {"", now.Format(time.RFC3339)}})
	})
}

// Audit lists audit events. Admins and the secretariat see everything; an org admin sees the
// events of their own organization only (f.OrgID is required for them).
func (s *Service) Audit(ctx context.Context, a *concord.Actor, f concord.AuditFilter) ([]concord.AuditEvent, error) {
	if _, err := Authorize(a, ActReadAuditAll, ""); err != nil {
		if f.OrgID == "" {
			return nil, err
		}
		if _, err := Authorize(a, ActReadAuditOrg, f.OrgID); err != nil {
			return nil, err
		}
	}
	var out []concord.AuditEvent
	err := s.db.View(ctx, func(tx *sqldb.Tx) (err error) {
		out, err = tx.ListAuditEvents(f)
		return err
	})
	return out, err
}
