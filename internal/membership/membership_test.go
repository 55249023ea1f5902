package membership_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"concord"
	"concord/internal/auth"
	"concord/internal/membership"
	"concord/internal/sqldb"
	"concord/internal/sqldb/sqldbtest"
)

// fastHash keeps argon2id cheap in tests; production uses auth.DefaultPasswordParams.
var fastHash = auth.PasswordParams{Memory: 64, Time: 1, Threads: 1}

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

var now = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

// world is a small federation: staff, two organizations with people, and actors for each role.
type world struct {
	db      *sqldb.DB
	members *membership.Service
	auth    *auth.Service
	orgA    *concord.Organization
	orgB    *concord.Organization
	actors  map[string]*concord.Actor
	ids     map[string]string // person IDs by name
}

func day(s string) time.Time {
	t, _ := time.Parse("2006-01-02", s)
	return t
}

func newWorld(t *testing.T, db *sqldb.DB) *world {
	t.Helper()
	ctx := context.Background()
	clock := fixedClock{now}
	w := &world{db: db, actors: map[string]*concord.Actor{}, ids: map[string]string{},
		members: membership.NewService(membership.Config{DB: db, Clock: clock, PasswordParams: fastHash, BaseURL: "http://concord.test"}),
		auth:    auth.NewService(db, clock, fastHash)}
	admin := &concord.Person{Login: "admin", DisplayName: "Admin"}
	sqldbtest.Must(t, w.auth.CreateFirstAdmin(ctx, admin, "correct horse battery"))
	w.ids["admin"] = admin.ID
	adminActor := w.load(t, "admin")
	addPerson := func(name string, roles ...concord.FederationRole) {
		p := &concord.Person{ID: concord.NewID(now), Login: name, DisplayName: name, FederationRoles: roles, CreatedAt: now}
		sqldbtest.Must(t, db.WithTx(ctx, func(tx *sqldb.Tx) error { return tx.InsertPerson(p, "") }))
		w.ids[name] = p.ID
	}
	addPerson("coordinator", concord.FedCoordinator)
	addPerson("secretariat", concord.FedSecretariat)
	for _, n := range []string{"orgAdminA", "delegateA", "orgAdminB", "expiredAdminA", "outsider"} {
		addPerson(n)
	}
	mkOrg := func(name, country string) *concord.Organization {
		o := &concord.Organization{Name: name, NameLang: "en", Country: country}
		sqldbtest.Must(t, w.members.CreateOrganization(ctx, adminActor, o, concord.StatusChange{To: concord.StatusMember, DecidedBy: "World Conference", EffectiveOn: day("2015-05-01")}))
		return o
	}
	w.orgA, w.orgB = mkOrg("Organization A", "DE"), mkOrg("Organization B", "TR")
	mandate := func(person string, org *concord.Organization, role concord.Role, until *time.Time) {
		sqldbtest.Must(t, w.members.CreateMandate(ctx, adminActor, &concord.Mandate{PersonID: w.ids[person], OrgID: org.ID, Role: role,
			ValidFrom: day("2026-01-01"), ValidUntil: until}))
	}
	yesterday := day("2026-11-27")
	mandate("orgAdminA", w.orgA, concord.RoleOrgAdmin, nil)
	mandate("delegateA", w.orgA, concord.RoleDelegate, nil)
	mandate("orgAdminB", w.orgB, concord.RoleOrgAdmin, nil)
	mandate("expiredAdminA", w.orgA, concord.RoleOrgAdmin, &yesterday)
	for name := range w.ids {
		w.actors[name] = w.load(t, name)
	}
	w.actors["anonymous"] = nil
	return w
}

func (w *world) load(t *testing.T, name string) *concord.Actor {
	t.Helper()
	a, err := w.auth.LoadActor(context.Background(), w.ids[name])
	sqldbtest.Must(t, err)
	return a
}

func (w *world) auditCount(t *testing.T) int {
	t.Helper()
	var n int
	sqldbtest.Must(t, w.db.View(context.Background(), func(tx *sqldb.Tx) error {
		evs, err := tx.ListAuditEvents(concord.AuditFilter{Limit: 500})
		n = len(evs)
		return err
	}))
	return n
}

// TestEveryMutationAsEveryRole tries each membership mutation as each kind of actor. Allowed
// actors succeed; everyone else is refused and nothing (not even an audit event) is written.
func TestEveryMutationAsEveryRole(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		admin := w.actors["admin"]
		// freshMandate makes a new delegate mandate in org A for the outsider, as admin.
		freshMandate := func(t *testing.T) *concord.Mandate {
			m := &concord.Mandate{PersonID: w.ids["outsider"], OrgID: w.orgA.ID, Role: concord.RoleTranslator, ValidFrom: day("2026-02-01")}
			sqldbtest.Must(t, w.members.CreateMandate(ctx, admin, m))
			return m
		}
		mutations := []struct {
			name    string
			allowed []string
			do      func(t *testing.T, a *concord.Actor) error
		}{
			{"create organization", []string{"admin", "coordinator"}, func(t *testing.T, a *concord.Actor) error {
				return w.members.CreateOrganization(ctx, a, &concord.Organization{Name: "New", NameLang: "en", Country: "KE"}, concord.StatusChange{})
			}},
			{"edit organization A", []string{"admin", "coordinator", "orgAdminA"}, func(t *testing.T, a *concord.Actor) error {
				_, err := w.members.UpdateOrganization(ctx, a, w.orgA.ID, &concord.Organization{Name: "Organization A " + concord.NewSecret(2), NameLang: "en", Country: "DE"})
				return err
			}},
			{"change status of A", []string{"admin", "coordinator"}, func(t *testing.T, a *concord.Actor) error {
				o, _, err := w.members.Organization(ctx, admin, w.orgA.ID)
				sqldbtest.Must(t, err)
				next := concord.StatusSuspended
				if o.Status == concord.StatusSuspended {
					next = concord.StatusMember
				}
				_, err = w.members.ChangeStatus(ctx, a, w.orgA.ID, concord.StatusChange{To: next, EffectiveOn: day("2026-11-28"), DecidedBy: "Coordinating Committee"})
				return err
			}},
			{"invite into A", []string{"admin", "orgAdminA"}, func(t *testing.T, a *concord.Actor) error {
				_, err := w.members.Invite(ctx, a, &concord.Invitation{OrgID: w.orgA.ID, Role: concord.RoleDelegate})
				return err
			}},
			{"cancel an invitation into A", []string{"admin", "orgAdminA"}, func(t *testing.T, a *concord.Actor) error {
				inv := &concord.Invitation{OrgID: w.orgA.ID, Role: concord.RoleDelegate}
				_, err := w.members.Invite(ctx, admin, inv)
				sqldbtest.Must(t, err)
				return w.members.CancelInvitation(ctx, a, inv.ID)
			}},
			{"create mandate in A", []string{"admin", "orgAdminA"}, func(t *testing.T, a *concord.Actor) error {
				return w.members.CreateMandate(ctx, a, &concord.Mandate{PersonID: w.ids["outsider"], OrgID: w.orgA.ID, Role: concord.RoleDelegate})
			}},
			{"edit mandate in A", []string{"admin", "orgAdminA"}, func(t *testing.T, a *concord.Actor) error {
				m := freshMandate(t)
				_, err := w.members.UpdateMandate(ctx, a, m.ID, concord.Mandate{Role: concord.RoleDelegate, ValidFrom: m.ValidFrom, Reference: "letter"})
				return err
			}},
			{"revoke mandate in A", []string{"admin", "orgAdminA"}, func(t *testing.T, a *concord.Actor) error {
				return w.members.RevokeMandate(ctx, a, freshMandate(t).ID)
			}},
			{"set federation roles", []string{"admin"}, func(t *testing.T, a *concord.Actor) error {
				return w.members.SetFederationRoles(ctx, a, w.ids["outsider"], []concord.FederationRole{concord.FedSecretariat})
			}},
			{"edit federation", []string{"admin"}, func(t *testing.T, a *concord.Actor) error {
				return w.members.PutFederation(ctx, a, &concord.Federation{Name: "Fed", Languages: []string{"en"}, DefaultLanguage: "en", TimeZone: "UTC"})
			}},
			{"edit delegate A's profile", []string{"admin", "delegateA"}, func(t *testing.T, a *concord.Actor) error {
				_, err := w.members.UpdateProfile(ctx, a, w.ids["delegateA"], concord.Person{DisplayName: "D " + concord.NewSecret(2)})
				return err
			}},
		}
		actors := []string{"anonymous", "admin", "coordinator", "secretariat", "orgAdminA", "delegateA", "orgAdminB", "expiredAdminA", "outsider"}
		for _, m := range mutations {
			for _, name := range actors {
				allowed := false
				for _, a := range m.allowed {
					allowed = allowed || a == name
				}
				t.Run(fmt.Sprintf("%s as %s", m.name, name), func(t *testing.T) {
					before := w.auditCount(t)
					err := m.do(t, w.actors[name])
					after := w.auditCount(t)
					if allowed {
						if err != nil {
							t.Fatalf("allowed actor refused: %v", err)
						}
						return
					}
					code := concord.ErrorCode(err)
					if code != concord.EFORBIDDEN && code != concord.EUNAUTHORIZED {
						t.Fatalf("got %v (code %q), want forbidden or unauthorized", err, code)
					}
					if name == "anonymous" && code != concord.EUNAUTHORIZED {
						t.Errorf("anonymous: code %q, want unauthorized", code)
					}
					// A refused act writes nothing; setup inside the case (a fresh mandate or
					// invitation) writes exactly one event, made by the admin.
					setup := m.name == "edit mandate in A" || m.name == "revoke mandate in A" || m.name == "cancel an invitation into A"
					if extra := after - before; extra > 1 || (extra == 1 && !setup) {
						t.Errorf("refused act wrote %d audit events", extra)
					}
				})
			}
		}
	})
}

func TestInvitationWorksOnce(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		link, err := w.members.Invite(ctx, w.actors["orgAdminA"], &concord.Invitation{OrgID: w.orgA.ID, Role: concord.RoleDelegate,
			Email: "new@example.org", Language: "fa", Reference: "Letter 2026/7"})
		sqldbtest.Must(t, err)
		secret := link[len("http://concord.test/invitations/"):]
		inv, org, err := w.members.InvitationByToken(ctx, secret)
		sqldbtest.Must(t, err)
		if org.ID != w.orgA.ID || inv.Role != concord.RoleDelegate {
			t.Fatalf("invitation: %+v for %s", inv, org.Name)
		}
		bad := &concord.Person{Login: "x", DisplayName: "New"}
		if err := concord.AsError(func() error { _, err := w.members.AcceptInvitation(ctx, secret, bad, "short"); return err }()); err == nil || err.Code != concord.EINVALID {
			t.Fatalf("bad login and password accepted: %v", err)
		}
		p, err := w.members.AcceptInvitation(ctx, secret, &concord.Person{Login: "Newcomer", DisplayName: "Newcomer"}, "a long enough password")
		sqldbtest.Must(t, err)
		actor, err := w.auth.LoadActor(ctx, p.ID)
		sqldbtest.Must(t, err)
		m, ok := actor.MandateFor(w.orgA.ID, concord.RoleDelegate)
		if !ok || m.Reference != "Letter 2026/7" || p.Language != "fa" || p.Email != "new@example.org" {
			t.Fatalf("after accepting: mandate %+v ok=%v person %+v", m, ok, p)
		}
		_, err = w.members.AcceptInvitation(ctx, secret, &concord.Person{Login: "second", DisplayName: "Second"}, "a long enough password")
		if concord.ErrorCode(err) != concord.ENOTFOUND {
			t.Fatalf("second use: %v, want not found", err)
		}
		if _, _, err := w.members.InvitationByToken(ctx, "wrong"); concord.ErrorCode(err) != concord.ENOTFOUND {
			t.Fatalf("unknown token: %v", err)
		}
	})
}

func TestStatusHistoryAndVisibility(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		app := &concord.Organization{Name: "Unión de Jóvenes", NameLang: "es", Country: "pe", Email: "contacto@example.org"}
		sqldbtest.Must(t, w.members.Apply(ctx, app, "We would like to join", "192.0.2.1"))
		if app.Status != concord.StatusApplicant || app.Country != "PE" || app.Region != "americas" {
			t.Fatalf("application: %+v", app)
		}
		if _, _, err := w.members.Organization(ctx, nil, app.ID); concord.ErrorCode(err) != concord.ENOTFOUND {
			t.Errorf("anonymous sees applicant: %v", err)
		}
		list, err := w.members.Organizations(ctx, nil, membership.OrgFilter{Status: []concord.OrgStatus{concord.StatusApplicant}})
		sqldbtest.Must(t, err)
		if len(list) != 0 {
			t.Errorf("anonymous list of applicants: %d", len(list))
		}
		coord := w.actors["coordinator"]
		steps := []struct {
			to    concord.OrgStatus
			on    string
			since string // expected member since after the step, "" for none
			code  string
		}{
			{concord.StatusFormer, "2026-12-01", "", concord.EINVALID}, // applicant cannot leave
			{concord.StatusMember, "2026-12-10", "2026-12-10", ""},
			{concord.StatusSuspended, "2026-12-20", "2026-12-10", ""},            // suspension keeps membership
			{concord.StatusMember, "2026-12-15", "2026-12-10", concord.EINVALID}, // before the last change
			{concord.StatusMember, "2026-12-25", "2026-12-10", ""},
			{concord.StatusFormer, "2026-12-26", "", ""},
			{concord.StatusMember, "2026-12-27", "2026-12-27", ""}, // readmitted: a new membership
		}
		for _, s := range steps {
			o, err := w.members.ChangeStatus(ctx, coord, app.ID, concord.StatusChange{To: s.to, EffectiveOn: day(s.on), DecidedBy: "Coordinating Committee"})
			if got := concord.ErrorCode(err); got != s.code {
				t.Fatalf("to %s on %s: code %q (%v), want %q", s.to, s.on, got, err, s.code)
			}
			if err != nil {
				continue
			}
			got := ""
			if o.MemberSince != nil {
				got = o.MemberSince.Format("2006-01-02")
			}
			if got != s.since {
				t.Errorf("after %s on %s: member since %q, want %q", s.to, s.on, got, s.since)
			}
		}
		o, history, err := w.members.Organization(ctx, nil, app.ID)
		sqldbtest.Must(t, err)
		if o.Email != "" {
			t.Errorf("anonymous sees contact email %q", o.Email)
		}
		if len(history) != 6 {
			t.Errorf("history has %d entries, want 6", len(history))
		}
		if _, err := w.members.People(ctx, w.actors["delegateA"], w.orgA.ID); err != nil {
			t.Errorf("delegate of A cannot see A's people: %v", err)
		}
		if _, err := w.members.People(ctx, w.actors["orgAdminB"], w.orgA.ID); concord.ErrorCode(err) != concord.EFORBIDDEN {
			t.Errorf("admin of B sees A's people: %v", err)
		}
	})
}

func TestLastAdminStays(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		err := w.members.SetFederationRoles(context.Background(), w.actors["admin"], w.ids["admin"], nil)
		if concord.ErrorCode(err) != concord.ECONFLICT {
			t.Fatalf("removing the last admin: %v, want conflict", err)
		}
	})
}

func TestValidationChangesNothing(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		long := make([]rune, concord.MaxName+1)
		for i := range long {
			long[i] = 'ж'
		}
		cases := []struct {
			name  string
			org   concord.Organization
			field string
		}{
			{"missing name", concord.Organization{NameLang: "en", Country: "DE"}, "name"},
			{"wrong country", concord.Organization{Name: "X", NameLang: "en", Country: "XX"}, "country"},
			{"overlong name", concord.Organization{Name: string(long), NameLang: "ru", Country: "RU"}, "name"},
			{"invalid UTF-8", concord.Organization{Name: "bad \xff\xfe", NameLang: "en", Country: "DE"}, "name"},
			{"bad website", concord.Organization{Name: "X", NameLang: "en", Country: "DE", Website: "javascript:alert(1)"}, "website"},
			{"bad language tag", concord.Organization{Name: "X", NameLang: "english!", Country: "DE"}, "name_lang"},
		}
		for _, tc := range cases {
			before := w.auditCount(t)
			o := tc.org
			err := w.members.CreateOrganization(ctx, w.actors["admin"], &o, concord.StatusChange{})
			e := concord.AsError(err)
			if e == nil || e.Code != concord.EINVALID || len(e.Fields) == 0 || e.Fields[0].Field != tc.field {
				t.Errorf("%s: %v, want invalid %s", tc.name, err, tc.field)
			}
			if after := w.auditCount(t); after != before {
				t.Errorf("%s: wrote %d audit events", tc.name, after-before)
			}
		}
	})
}

func TestCancelInvitation(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		inv := &concord.Invitation{OrgID: w.orgA.ID, Role: concord.RoleDelegate, Email: "wrong@example.org"}
		link, err := w.members.Invite(ctx, w.actors["orgAdminA"], inv)
		sqldbtest.Must(t, err)
		secret := link[len("http://concord.test/invitations/"):]
		for _, who := range []string{"orgAdminB", "delegateA"} {
			if err := w.members.CancelInvitation(ctx, w.actors[who], inv.ID); concord.ErrorCode(err) != concord.EFORBIDDEN {
				t.Errorf("%s cancels A's invitation: %v, want forbidden", who, err)
			}
		}
		sqldbtest.Must(t, w.members.CancelInvitation(ctx, w.actors["orgAdminA"], inv.ID))
		if _, _, err := w.members.InvitationByToken(ctx, secret); concord.ErrorCode(err) != concord.ENOTFOUND {
			t.Errorf("cancelled link still opens: %v", err)
		}
		_, err = w.members.AcceptInvitation(ctx, secret, &concord.Person{Login: "late", DisplayName: "Late"}, "a long enough password")
		if concord.ErrorCode(err) != concord.ENOTFOUND {
			t.Errorf("cancelled link accepted: %v", err)
		}
		if err := w.members.CancelInvitation(ctx, w.actors["orgAdminA"], inv.ID); concord.ErrorCode(err) != concord.ENOTFOUND {
			t.Errorf("second cancel: %v, want not found", err)
		}
		evs, err := w.members.Audit(ctx, w.actors["orgAdminA"], concord.AuditFilter{OrgID: w.orgA.ID, TargetID: inv.ID})
		sqldbtest.Must(t, err)
		if !slices.ContainsFunc(evs, func(e concord.AuditEvent) bool {
			return e.Action == "invitation.cancel" && e.PersonID == w.ids["orgAdminA"]
		}) {
			t.Errorf("audit for the invitation: %+v", evs)
		}
	})
}
