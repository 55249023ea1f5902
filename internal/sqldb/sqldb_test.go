package sqldb_test

import (
	"context"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"concord"
	"concord/internal/sqldb"
	"concord/internal/sqldb/sqldbtest"

	"github.com/google/go-cmp/cmp"
)

func TestMigrationParity(t *testing.T) {
	t.Parallel()
	lite, err := sqldb.Migrations("sqlite")
	sqldbtest.Must(t, err)
	pg, err := sqldb.Migrations("postgres")
	sqldbtest.Must(t, err)
	names := func(ms []sqldb.Migration) (out []string) {
		for _, m := range ms {
			out = append(out, m.Name)
		}
		return out
	}
	if diff := cmp.Diff(names(lite), names(pg)); diff != "" {
		t.Fatalf("migrations differ between dialects (-sqlite +postgres):\n%s", diff)
	}
	// Regular tables must match; SQLite's FTS5 virtual table is its full-text index, as the
	// GIN index on search_entries is PostgreSQL's.
	tables := regexp.MustCompile(`(?i)CREATE TABLE (\w+)`)
	for i := range lite {
		if lite[i].Version != pg[i].Version {
			t.Errorf("migration %d: version %d vs %d", i, lite[i].Version, pg[i].Version)
		}
		names := func(sql string) (out []string) {
			for _, m := range tables.FindAllStringSubmatch(sql, -1) {
				out = append(out, m[1])
			}
			return out
		}
		if diff := cmp.Diff(names(lite[i].SQL), names(pg[i].SQL)); diff != "" {
			t.Errorf("migration %s creates different tables:\n%s", lite[i].Name, diff)
		}
	}
}

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestStoreRoundTrip(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		now := time.Date(2026, 3, 8, 10, 30, 0, 123456000, time.UTC)
		since := day("2010-11-05")
		org := &concord.Organization{ID: concord.NewID(now), Name: "Партия Труда", NameLang: "ru",
			Names: map[string]string{"en": "Labour Party"}, Country: "RU", Region: "europe", Status: concord.StatusApplicant,
			CreatedAt: now, UpdatedAt: now}
		p := &concord.Person{ID: concord.NewID(now), Login: "anna", DisplayName: "Anna", Language: "ru",
			FederationRoles: []concord.FederationRole{concord.FedCoordinator}, CreatedAt: now}
		err := db.WithTx(ctx, func(tx *sqldb.Tx) error {
			if err := tx.InsertOrganization(org); err != nil {
				return err
			}
			if err := tx.InsertPerson(p, "hash"); err != nil {
				return err
			}
			return tx.InsertStatusChange(&concord.StatusChange{ID: concord.NewID(now), OrgID: org.ID, From: concord.StatusApplicant,
				To: concord.StatusMember, EffectiveOn: since, DecidedBy: "World Conference", RecordedBy: p.ID, RecordedAt: now}, &since)
		})
		sqldbtest.Must(t, err)
		err = db.View(ctx, func(tx *sqldb.Tx) error {
			got, err := tx.GetOrganization(org.ID)
			if err != nil {
				return err
			}
			want := *org
			want.Status = concord.StatusMember
			want.MemberSince = &since
			if diff := cmp.Diff(&want, got); diff != "" {
				t.Errorf("organization (-want +got):\n%s", diff)
			}
			gp, err := tx.GetPersonByLogin("anna")
			if err != nil {
				return err
			}
			if diff := cmp.Diff(p, gp); diff != "" {
				t.Errorf("person (-want +got):\n%s", diff)
			}
			list, err := tx.ListOrganizations(sqldb.OrgFilter{Status: []concord.OrgStatus{concord.StatusMember}, Query: "labour"})
			if err != nil {
				return err
			}
			if len(list) != 1 {
				t.Errorf("filter by translated name: got %d organizations, want 1", len(list))
			}
			return nil
		})
		sqldbtest.Must(t, err)
	})
}

func TestConstraintsMapToDomainCodes(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		now := time.Now().UTC()
		person := func(login string) *concord.Person {
			return &concord.Person{ID: concord.NewID(now), Login: login, DisplayName: login, CreatedAt: now}
		}
		sqldbtest.Must(t, db.WithTx(ctx, func(tx *sqldb.Tx) error { return tx.InsertPerson(person("same"), "") }))
		tests := []struct {
			name string
			fn   func(tx *sqldb.Tx) error
			code string
		}{
			{"duplicate login", func(tx *sqldb.Tx) error { return tx.InsertPerson(person("same"), "") }, concord.ECONFLICT},
			{"mandate for missing organization", func(tx *sqldb.Tx) error {
				p := person("other")
				if err := tx.InsertPerson(p, ""); err != nil {
					return err
				}
				return tx.InsertMandate(&concord.Mandate{ID: concord.NewID(now), PersonID: p.ID, OrgID: concord.NewID(now),
					Role: concord.RoleDelegate, ValidFrom: now, CreatedAt: now})
			}, concord.EINVALID},
			{"unknown status", func(tx *sqldb.Tx) error {
				return tx.InsertOrganization(&concord.Organization{ID: concord.NewID(now), Name: "X", NameLang: "en", Country: "DE",
					Status: "bogus", CreatedAt: now, UpdatedAt: now})
			}, concord.EINVALID},
			{"missing organization", func(tx *sqldb.Tx) error { _, err := tx.GetOrganization(concord.NewID(now)); return err }, concord.ENOTFOUND},
		}
		for _, tc := range tests {
			err := db.WithTx(ctx, tc.fn)
			if got := concord.ErrorCode(err); got != tc.code {
				t.Errorf("%s: code %q (%v), want %q", tc.name, got, err, tc.code)
			}
		}
	})
}

func TestAuditEventsAreAppendOnly(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		now := time.Now().UTC()
		e := &concord.AuditEvent{ID: concord.NewID(now), At: now, Action: "test.event", Changes: map[string][2]string{"a": {"", "b"}}}
		sqldbtest.Must(t, db.WithTx(ctx, func(tx *sqldb.Tx) error { return tx.InsertAuditEvent(e) }))
		// The store has no update or delete method; the schema refuses raw attempts too.
		for _, stmt := range []string{`UPDATE audit_events SET action = 'x'`, `DELETE FROM audit_events`} {
			if err := db.ExecRaw(ctx, stmt); err == nil {
				t.Errorf("%s: succeeded, want refusal", stmt)
			}
		}
		var got []concord.AuditEvent
		sqldbtest.Must(t, db.View(ctx, func(tx *sqldb.Tx) (err error) {
			got, err = tx.ListAuditEvents(concord.AuditFilter{Action: "test."})
			return err
		}))
		if len(got) != 1 || got[0].Changes["a"][1] != "b" {
			t.Fatalf("audit events: %+v", got)
		}
	})
}

func TestBackupSQLite(t *testing.T) {
	t.Parallel()
	db := sqldbtest.OpenSQLite(t)
	ctx := context.Background()
	out := filepath.Join(t.TempDir(), "backup.db")
	sqldbtest.Must(t, db.Backup(ctx, out))
	copy, err := sqldb.Open(ctx, out)
	sqldbtest.Must(t, err)
	defer copy.Close()
	sqldbtest.Must(t, copy.Migrate(ctx)) // already migrated: a no-op
}
