// Package bench measures whole Concord scenarios against their bare baselines (DESIGN.md §9):
// a burst of authenticated, durable procedure responses while thousands of watchers hold
// live (SSE) connections, next to a bare group-commit insert handler and a bare SSE fan-out,
// each in a process of its own so that memory and open files are counted where they belong.
package bench

import (
	"context"
	"fmt"
	"time"

	"concord"
	"concord/internal/auth"
	"concord/internal/sqldb"
)

// Member is one seeded member organization with its delegate and the delegate's API token.
type Member struct {
	OrgID     string
	PersonID  string
	MandateID string
	Token     string // bearer secret
}

// Fixture is what Seed created.
type Fixture struct {
	ProcedureID string
	AdminID     string
	Members     []Member
}

// seedPlaces gives seeded organizations valid country and region pairs.
var seedPlaces = [...][2]string{{"DE", "europe"}, {"BR", "americas"}, {"IN", "asia"}, {"ZA", "africa"}, {"AU", "oceania"},
	{"FR", "europe"}, {"MX", "americas"}, {"JP", "asia"}, {"KE", "africa"}, {"NZ", "oceania"}}

// Seed inserts n member organizations, each with one delegate (a person without a password)
// holding a current delegate mandate and an API token, plus one federation admin, and opens
// a public signature procedure over them — in one transaction, directly through the store,
// so that seeding thousands of organizations takes about a second.
func Seed(ctx context.Context, db *sqldb.DB, n int) (*Fixture, error) {
	fs, err := SeedRounds(ctx, db, n, 1, false)
	if err != nil {
		return nil, err
	}
	return fs[0], nil
}

// SeedRounds seeds rounds independent fixtures like Seed, each with its own organizations,
// delegates, tokens and procedure, so that every round of a benchmark starts from a
// procedure nobody answered yet. tokensUsed marks every token as used just now (delegates
// who already called the API in this session); otherwise tokens were never used.
func SeedRounds(ctx context.Context, db *sqldb.DB, n, rounds int, tokensUsed bool) ([]*Fixture, error) {
	now := time.Now().UTC()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	since := today.AddDate(-1, 0, 0)
	out := make([]*Fixture, rounds)
	err := db.WithTx(ctx, func(tx *sqldb.Tx) error {
		admin := &concord.Person{ID: concord.NewID(now), Login: "bench-admin-" + concord.NewSecret(4), DisplayName: "Bench admin",
			Language: "en", TimeZone: "UTC", FederationRoles: []concord.FederationRole{concord.FedAdmin}, CreatedAt: now}
		if err := tx.InsertPerson(admin, ""); err != nil {
			return fmt.Errorf("admin: %w", err)
		}
		k := 0
		for r := range rounds {
			f := &Fixture{AdminID: admin.ID, Members: make([]Member, n)}
			orgIDs := make([]string, n)
			for i := range n {
				k++
				place := seedPlaces[k%len(seedPlaces)]
				o := &concord.Organization{ID: concord.NewID(now), Name: fmt.Sprintf("Bench Organization %05d", k), NameLang: "en",
					Names: map[string]string{}, Abbreviation: fmt.Sprintf("BO%d", k), Country: place[0], Region: place[1],
					Status: concord.StatusMember, MemberSince: &since, CreatedAt: now, UpdatedAt: now}
				if err := tx.InsertOrganization(o); err != nil {
					return fmt.Errorf("organization %d: %w", k, err)
				}
				p := &concord.Person{ID: concord.NewID(now), Login: fmt.Sprintf("bench-delegate-%05d-%s", k, concord.NewSecret(3)),
					DisplayName: fmt.Sprintf("Delegate %d", k), Language: "en", TimeZone: "UTC", CreatedAt: now}
				if err := tx.InsertPerson(p, ""); err != nil {
					return fmt.Errorf("delegate %d: %w", k, err)
				}
				m := &concord.Mandate{ID: concord.NewID(now), PersonID: p.ID, OrgID: o.ID, Role: concord.RoleDelegate,
					ValidFrom: since, Reference: "bench", CreatedBy: admin.ID, CreatedAt: now}
				if err := tx.InsertMandate(m); err != nil {
					return fmt.Errorf("mandate %d: %w", k, err)
				}
				secret := "cc_" + concord.NewSecret(32)
				tok := &concord.APIToken{ID: concord.NewID(now), PersonID: p.ID, Name: "bench", CreatedAt: now}
				if err := tx.InsertAPIToken(tok, auth.HashSecret(secret)); err != nil {
					return fmt.Errorf("token %d: %w", k, err)
				}
				if tokensUsed {
					if err := tx.TouchAPIToken(tok.ID, now); err != nil {
						return fmt.Errorf("token %d: %w", k, err)
					}
				}
				orgIDs[i] = o.ID
				f.Members[i] = Member{OrgID: o.ID, PersonID: p.ID, MandateID: m.ID, Token: secret}
			}
			p := &concord.Procedure{ID: concord.NewID(now), Question: fmt.Sprintf("Benchmark round %d: sign the joint statement", r+1),
				Rule:           concord.Rule{Kind: concord.RuleSignatures, MinSignaturesPercent: 50},
				ElectorateKind: concord.ElectorateList, Electorate: orgIDs, Visibility: concord.ResponsesPublic,
				OpensAt: now.Add(-time.Minute), Deadline: now.Add(24 * time.Hour), Outcome: concord.OutcomePending,
				CreatedBy: admin.ID, CreatedAt: now}
			p.Normalize()
			if err := p.Validate(); err != nil {
				return fmt.Errorf("procedure: %w", err)
			}
			if err := tx.InsertProcedure(p); err != nil {
				return fmt.Errorf("procedure: %w", err)
			}
			f.ProcedureID = p.ID
			out[r] = f
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	return out, nil
}

// CurrentResponders returns the organizations with a current response in a procedure.
func CurrentResponders(ctx context.Context, db *sqldb.DB, procedureID string) (map[string]bool, error) {
	out := map[string]bool{}
	err := db.View(ctx, func(tx *sqldb.Tx) error {
		rs, err := tx.CurrentResponses(procedureID)
		for _, r := range rs {
			out[r.OrgID] = true
		}
		return err
	})
	return out, err
}
