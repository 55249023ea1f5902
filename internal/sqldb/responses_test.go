package sqldb_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"concord"
	"concord/internal/sqldb"
	"concord/internal/sqldb/sqldbtest"

	"github.com/google/go-cmp/cmp"
)

// TestInsertResponses checks a batch of responses on both databases: each organization
// keeps one current response (the later one when it answered twice in one batch), and the
// history keeps every response.
func TestInsertResponses(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		now := time.Date(2026, 3, 8, 10, 30, 0, 123456000, time.UTC)
		admin := &concord.Person{ID: concord.NewID(now), Login: "admin", DisplayName: "Admin", CreatedAt: now}
		proc := &concord.Procedure{ID: concord.NewID(now), Question: "Sign?", Rule: concord.Rule{Kind: concord.RuleSignatures, MinSignatures: 1},
			ElectorateKind: concord.ElectorateMembers, Visibility: concord.ResponsesPublic, OpensAt: now, Deadline: now.Add(time.Hour),
			CreatedBy: admin.ID, CreatedAt: now}
		type member struct {
			org     *concord.Organization
			mandate *concord.Mandate
		}
		var ms []member
		sqldbtest.Must(t, db.WithTx(ctx, func(tx *sqldb.Tx) error {
			if err := tx.InsertPerson(admin, ""); err != nil {
				return err
			}
			for i := range 3 {
				o := &concord.Organization{ID: concord.NewID(now), Name: fmt.Sprintf("Org %d", i), NameLang: "en", Country: "DE",
					Region: "europe", Status: concord.StatusMember, CreatedAt: now, UpdatedAt: now}
				m := &concord.Mandate{ID: concord.NewID(now), PersonID: admin.ID, OrgID: o.ID, Role: concord.RoleDelegate,
					ValidFrom: now.Truncate(24 * time.Hour), CreatedAt: now}
				if err := tx.InsertOrganization(o); err != nil {
					return err
				}
				if err := tx.InsertMandate(m); err != nil {
					return err
				}
				ms = append(ms, member{o, m})
				proc.Electorate = append(proc.Electorate, o.ID)
			}
			return tx.InsertProcedure(proc)
		}))
		rev := int64(0)
		resp := func(m member, a concord.Answer) *concord.Response {
			rev++
			return &concord.Response{ID: concord.NewID(now), ProcedureID: proc.ID, OrgID: m.org.ID, PersonID: admin.ID, MandateID: m.mandate.ID,
				Answer: a, VersionHash: "h", LangShown: "en", At: now.Add(time.Duration(rev) * time.Second), Revision: rev, Current: true}
		}
		batches := [][]*concord.Response{
			{resp(ms[0], concord.AnswerSign), resp(ms[1], concord.AnswerSign), resp(ms[0], concord.AnswerDecline)},
			{resp(ms[1], concord.AnswerDecline), resp(ms[2], concord.AnswerSign)},
			{resp(ms[2], concord.AnswerDecline)}, // a count goes down
		}
		for _, b := range batches {
			sqldbtest.Must(t, db.WithTx(ctx, func(tx *sqldb.Tx) error { return tx.InsertResponses(b) }))
		}
		sqldbtest.Must(t, db.View(ctx, func(tx *sqldb.Tx) error {
			cur, err := tx.CurrentResponses(proc.ID)
			if err != nil {
				return err
			}
			got := map[string]concord.Answer{}
			for _, r := range cur {
				got[r.OrgID] = r.Answer
			}
			want := map[string]concord.Answer{ms[0].org.ID: concord.AnswerDecline, ms[1].org.ID: concord.AnswerDecline, ms[2].org.ID: concord.AnswerDecline}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("current answers (-want +got):\n%s", diff)
			}
			// The kept counts agree with the current responses.
			counts, err := tx.ResponseCounts(proc.ID)
			if err != nil {
				return err
			}
			gotCounts := map[string]int{}
			for _, c := range counts {
				gotCounts[string(c.Answer)+"/"+c.VersionHash] += c.N
			}
			wantCounts := map[string]int{}
			for _, r := range cur {
				wantCounts[string(r.Answer)+"/"+r.VersionHash]++
			}
			if diff := cmp.Diff(wantCounts, gotCounts); diff != "" {
				t.Errorf("response counts (-want +got):\n%s", diff)
			}
			hist, err := tx.ResponseHistory(proc.ID, ms[0].org.ID)
			if err != nil {
				return err
			}
			want0 := []*concord.Response{batches[0][0], batches[0][2]}
			want0[0].Current = false
			var got0 []*concord.Response
			for i := range hist {
				got0 = append(got0, &hist[i])
			}
			if diff := cmp.Diff(want0, got0); diff != "" {
				t.Errorf("history of org 0 (-want +got):\n%s", diff)
			}
			return nil
		}))
		// One procedure per batch: the commit groups by procedure before calling.
		other := *batches[1][1]
		other.ID, other.ProcedureID = concord.NewID(now), concord.NewID(now)
		err := db.WithTx(ctx, func(tx *sqldb.Tx) error {
			return tx.InsertResponses([]*concord.Response{resp(ms[2], concord.AnswerSign), &other})
		})
		if err == nil || !strings.Contains(err.Error(), "in one batch") {
			t.Errorf("a batch mixing procedures: err = %v, want refused", err)
		}
	})
}
