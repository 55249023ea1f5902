package sqldb_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"concord"
	"concord/internal/sqldb"
	"concord/internal/sqldb/sqldbtest"

	"github.com/google/go-cmp/cmp"
)

// TestActorQueries checks the one-statement actor reads behind every authenticated request:
// roles, only current mandates, revoked tokens, expired sessions, people without mandates.
func TestActorQueries(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		now := time.Date(2026, 3, 8, 10, 30, 0, 123456000, time.UTC)
		day := func(s string) time.Time { d, _ := time.Parse("2006-01-02", s); return d }
		ptr := func(t time.Time) *time.Time { return &t }
		org := &concord.Organization{ID: concord.NewID(now), Name: "Org", NameLang: "en", Country: "DE", Region: "europe",
			Status: concord.StatusMember, CreatedAt: now, UpdatedAt: now}
		anna := &concord.Person{ID: concord.NewID(now), Login: "anna", DisplayName: "Anna", Language: "de",
			FederationRoles: []concord.FederationRole{concord.FedSecretariat, concord.FedCoordinator}, CreatedAt: now}
		ben := &concord.Person{ID: concord.NewID(now), Login: "ben", DisplayName: "Ben", CreatedAt: now}
		mandate := func(p *concord.Person, role concord.Role, from string, until *time.Time) *concord.Mandate {
			return &concord.Mandate{ID: concord.NewID(now), PersonID: p.ID, OrgID: org.ID, Role: role, ValidFrom: day(from),
				ValidUntil: until, Reference: "congress " + from, CreatedBy: anna.ID, CreatedAt: now}
		}
		current := mandate(anna, concord.RoleDelegate, "2025-01-01", ptr(day("2026-12-31")))
		later := mandate(anna, concord.RoleOrgAdmin, "2026-01-01", nil)
		expired := mandate(anna, concord.RoleTranslator, "2020-01-01", ptr(day("2024-12-31")))
		revoked := mandate(anna, concord.RoleOrgAdmin, "2025-06-01", nil)
		future := mandate(anna, concord.RoleDelegate, "2027-01-01", nil)
		tokens := map[string]*concord.APIToken{
			"anna": {ID: concord.NewID(now), PersonID: anna.ID, Name: "script", CreatedAt: now},
			"ben":  {ID: concord.NewID(now), PersonID: ben.ID, Name: "phone", CreatedAt: now, LastUsedAt: ptr(now)},
			"gone": {ID: concord.NewID(now), PersonID: ben.ID, Name: "old", CreatedAt: now},
		}
		sessions := map[string]*concord.Session{
			"anna":    {ID: "s-anna", PersonID: anna.ID, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour), UserAgent: "ua", IP: "192.0.2.1"},
			"expired": {ID: "s-old", PersonID: ben.ID, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(-time.Second)},
		}
		sqldbtest.Must(t, db.WithTx(ctx, func(tx *sqldb.Tx) error {
			for _, err := range []error{tx.InsertOrganization(org), tx.InsertPerson(anna, ""), tx.InsertPerson(ben, "")} {
				if err != nil {
					return err
				}
			}
			for _, m := range []*concord.Mandate{current, later, expired, revoked, future} {
				if err := tx.InsertMandate(m); err != nil {
					return err
				}
			}
			if err := tx.RevokeMandate(revoked.ID, anna.ID, now); err != nil {
				return err
			}
			for name, tok := range tokens {
				if err := tx.InsertAPIToken(tok, "hash-"+name); err != nil {
					return err
				}
			}
			if err := tx.TouchAPIToken(tokens["ben"].ID, now); err != nil {
				return err
			}
			if err := tx.RevokeAPIToken(ben.ID, tokens["gone"].ID, now); err != nil {
				return err
			}
			for _, s := range sessions {
				if err := tx.InsertSession(s); err != nil {
					return err
				}
			}
			return nil
		}))
		annaWant := *anna
		annaWant.FederationRoles = []concord.FederationRole{concord.FedCoordinator, concord.FedSecretariat} // sorted
		tests := []struct {
			hash     string
			token    *concord.APIToken
			person   *concord.Person
			mandates []concord.Mandate
		}{
			{"hash-anna", tokens["anna"], &annaWant, []concord.Mandate{*current, *later}},
			{"hash-ben", tokens["ben"], ben, nil},
			{"hash-gone", nil, nil, nil},
			{"hash-unknown", nil, nil, nil},
		}
		check := func(got map[string]*sqldb.TokenActor, hashes ...string) {
			t.Helper()
			for _, tt := range tests {
				if !slices.Contains(hashes, tt.hash) {
					continue
				}
				a := got[tt.hash]
				if tt.token == nil {
					if a != nil {
						t.Errorf("ActorsByTokens(%v)[%s] = %+v, want absent", hashes, tt.hash, a)
					}
					continue
				}
				if a == nil {
					t.Errorf("ActorsByTokens(%v)[%s] absent", hashes, tt.hash)
					continue
				}
				if diff := cmp.Diff(tt.token, &a.Token); diff != "" {
					t.Errorf("%s token (-want +got):\n%s", tt.hash, diff)
				}
				if diff := cmp.Diff(tt.person, a.Person); diff != "" {
					t.Errorf("%s person (-want +got):\n%s", tt.hash, diff)
				}
				if diff := cmp.Diff(tt.mandates, a.Mandates); diff != "" {
					t.Errorf("%s mandates (-want +got):\n%s", tt.hash, diff)
				}
			}
			if len(got) > len(hashes) {
				t.Errorf("ActorsByTokens(%v) returned %d actors", hashes, len(got))
			}
		}
		var all []string
		for _, tt := range tests {
			got, err := db.ActorsByTokens(ctx, []string{tt.hash}, now)
			sqldbtest.Must(t, err)
			check(got, tt.hash)
			all = append(all, tt.hash)
		}
		got, err := db.ActorsByTokens(ctx, append(all, "hash-ben"), now) // one statement for all, a duplicate included
		sqldbtest.Must(t, err)
		check(got, all...)
		if got, err := db.ActorsByTokens(ctx, nil, now); err != nil || len(got) != 0 {
			t.Errorf("ActorsByTokens(nil) = %v, %v", got, err)
		}
		s, p, ms, err := db.ActorBySession(ctx, "s-anna", now)
		sqldbtest.Must(t, err)
		if diff := cmp.Diff(sessions["anna"], s); diff != "" {
			t.Errorf("ActorBySession session (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(&annaWant, p); diff != "" {
			t.Errorf("ActorBySession person (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]concord.Mandate{*current, *later}, ms); diff != "" {
			t.Errorf("ActorBySession mandates (-want +got):\n%s", diff)
		}
		for _, id := range []string{"s-old", "s-none"} {
			if _, _, _, err := db.ActorBySession(ctx, id, now); concord.ErrorCode(err) != concord.ENOTFOUND {
				t.Errorf("ActorBySession(%s): err = %v, want not found", id, err)
			}
		}
	})
}
