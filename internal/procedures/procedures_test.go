package procedures_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"concord"
	"concord/internal/auth"
	"concord/internal/documents"
	"concord/internal/live"
	"concord/internal/membership"
	"concord/internal/procedures"
	"concord/internal/sqldb"
	"concord/internal/sqldb/sqldbtest"
)

var fastHash = auth.PasswordParams{Memory: 64, Time: 1, Threads: 1}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// recorder is a Publisher that keeps events.
type recorder struct {
	mu     sync.Mutex
	events []live.Event
}

func (r *recorder) Publish(_ context.Context, e live.Event) error {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
	return nil
}

// last returns the newest event of a name, waiting briefly: events are published just after
// the responses are acknowledged.
func (r *recorder) last(name string, minID uint64) *live.Event {
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		r.mu.Lock()
		for i := len(r.events) - 1; i >= 0; i-- {
			if e := r.events[i]; e.Name == name && e.ID >= minID {
				r.mu.Unlock()
				return &e
			}
		}
		r.mu.Unlock()
		if time.Now().After(deadline) {
			return nil
		}
	}
}

type world struct {
	db     *sqldb.DB
	clock  *clock
	procs  *procedures.Service
	docs   *documents.Service
	pub    *recorder
	actors map[string]*concord.Actor
	orgs   []*concord.Organization
	au     *auth.Service
}

var start = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// newWorld makes n member organizations, each with one delegate ("d0", "d1", …), an
// org admin of org 0 without a delegate mandate, an expired delegate of org 1, and staff.
func newWorld(t *testing.T, db *sqldb.DB, n int) *world {
	t.Helper()
	ctx := context.Background()
	c := &clock{t: start}
	w := &world{db: db, clock: c, pub: &recorder{}, actors: map[string]*concord.Actor{}, au: auth.NewService(db, c, fastHash)}
	w.procs = procedures.NewService(procedures.Config{DB: db, Clock: c, Publisher: w.pub})
	t.Cleanup(w.procs.Close)
	w.docs = documents.NewService(documents.Config{DB: db, Clock: c})
	members := membership.NewService(membership.Config{DB: db, Clock: c, PasswordParams: fastHash})
	admin := &concord.Person{Login: "admin", DisplayName: "Admin"}
	sqldbtest.Must(t, w.au.CreateFirstAdmin(ctx, admin, "correct horse battery"))
	w.actors["admin"] = w.load(t, admin.ID)
	sqldbtest.Must(t, db.WithTx(ctx, func(tx *sqldb.Tx) error {
		for i := 0; i < n; i++ {
			o := &concord.Organization{ID: concord.NewID(start), Name: fmt.Sprintf("Org %03d", i), NameLang: "en", Country: "DE",
				Region: "europe", Status: concord.StatusMember, CreatedAt: start, UpdatedAt: start}
			if err := tx.InsertOrganization(o); err != nil {
				return err
			}
			w.orgs = append(w.orgs, o)
		}
		return nil
	}))
	person := func(name string, org *concord.Organization, role concord.Role, until *time.Time) {
		p := &concord.Person{ID: concord.NewID(start), Login: name, DisplayName: name, CreatedAt: start}
		sqldbtest.Must(t, db.WithTx(ctx, func(tx *sqldb.Tx) error {
			if err := tx.InsertPerson(p, ""); err != nil {
				return err
			}
			return tx.InsertMandate(&concord.Mandate{ID: concord.NewID(start), PersonID: p.ID, OrgID: org.ID, Role: role,
				ValidFrom: start.AddDate(0, -1, 0), ValidUntil: until, CreatedAt: start})
		}))
		w.actors[name] = w.load(t, p.ID)
	}
	for i, o := range w.orgs {
		person(fmt.Sprintf("d%d", i), o, concord.RoleDelegate, nil)
	}
	person("orgadmin0", w.orgs[0], concord.RoleOrgAdmin, nil)
	ended := start.AddDate(0, 0, -1)
	person("expired1", w.orgs[1], concord.RoleDelegate, &ended)
	_ = members
	return w
}

func (w *world) load(t *testing.T, id string) *concord.Actor {
	t.Helper()
	a, err := w.au.LoadActor(context.Background(), id)
	sqldbtest.Must(t, err)
	return a
}

func (w *world) open(t *testing.T, rule concord.Rule, vis concord.ResponseVisibility, docID string) *concord.Procedure {
	t.Helper()
	p := &concord.Procedure{Question: "Adopt the call?", DocumentID: docID, Rule: rule, ElectorateKind: concord.ElectorateMembers,
		Visibility: vis, Deadline: start.Add(72 * time.Hour)}
	sqldbtest.Must(t, w.procs.Open(context.Background(), w.actors["admin"], p))
	return p
}

func TestRespondRules(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db, 5)
		ctx := context.Background()
		p := w.open(t, concord.Rule{Kind: concord.RuleSignatures, MinSignatures: 3}, concord.ResponsesPublic, "")
		other := &concord.Procedure{Question: "Only org 4", Rule: concord.Rule{Kind: concord.RuleSilence}, ElectorateKind: concord.ElectorateList,
			Electorate: []string{w.orgs[4].ID}, Visibility: concord.ResponsesPublic, Deadline: start.Add(time.Hour)}
		sqldbtest.Must(t, w.procs.Open(ctx, w.actors["admin"], other))
		cases := []struct {
			who, what string
			do        func() error
			code      string
		}{
			{"d0", "sign for org 0", func() error {
				_, err := w.procs.Respond(ctx, w.actors["d0"], p.ID, w.orgs[0].ID, concord.AnswerSign, "", "en")
				return err
			}, ""},
			{"d0", "sign for org 1", func() error {
				_, err := w.procs.Respond(ctx, w.actors["d0"], p.ID, w.orgs[1].ID, concord.AnswerSign, "", "en")
				return err
			}, concord.EFORBIDDEN},
			{"orgadmin0", "sign without a delegate mandate", func() error {
				_, err := w.procs.Respond(ctx, w.actors["orgadmin0"], p.ID, w.orgs[0].ID, concord.AnswerSign, "", "en")
				return err
			}, concord.EFORBIDDEN},
			{"expired1", "sign with an ended mandate", func() error {
				_, err := w.procs.Respond(ctx, w.actors["expired1"], p.ID, w.orgs[1].ID, concord.AnswerSign, "", "en")
				return err
			}, concord.EFORBIDDEN},
			{"anonymous", "sign anonymously", func() error {
				_, err := w.procs.Respond(ctx, nil, p.ID, w.orgs[0].ID, concord.AnswerSign, "", "en")
				return err
			}, concord.EUNAUTHORIZED},
			{"d1", "vote yes in a signature collection", func() error {
				_, err := w.procs.Respond(ctx, w.actors["d1"], p.ID, w.orgs[1].ID, concord.AnswerApprove, "", "en")
				return err
			}, concord.EINVALID},
			{"d1", "respond outside the electorate", func() error {
				_, err := w.procs.Respond(ctx, w.actors["d1"], other.ID, w.orgs[1].ID, concord.AnswerObject, "", "en")
				return err
			}, concord.EFORBIDDEN},
			{"admin", "open as staff without mandate, then respond", func() error {
				_, err := w.procs.Respond(ctx, w.actors["admin"], p.ID, w.orgs[2].ID, concord.AnswerSign, "", "en")
				return err
			}, concord.EFORBIDDEN},
			{"d2", "open a procedure as a delegate", func() error {
				return w.procs.Open(ctx, w.actors["d2"], &concord.Procedure{Question: "x", Rule: concord.Rule{Kind: concord.RuleSilence},
					ElectorateKind: concord.ElectorateMembers, Visibility: concord.ResponsesPublic, Deadline: start.Add(time.Hour)})
			}, concord.EFORBIDDEN},
		}
		for _, tc := range cases {
			if got := concord.ErrorCode(tc.do()); got != tc.code {
				t.Errorf("%s: %s: code %q, want %q", tc.who, tc.what, got, tc.code)
			}
		}
		// After the deadline nobody responds.
		w.clock.set(p.Deadline)
		if _, err := w.procs.Respond(ctx, w.actors["d3"], p.ID, w.orgs[3].ID, concord.AnswerSign, "", "en"); concord.ErrorCode(err) != concord.ECONFLICT {
			t.Errorf("response at the deadline: %v", err)
		}
	})
}

func TestChangedResponsesKeepHistoryAndStaleSignatures(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db, 4)
		ctx := context.Background()
		sec := w.actors["admin"]
		d, err := w.docs.Create(ctx, sec, documents.NewDocument{Kind: concord.KindCall, Visibility: concord.VisibilityPublic,
			IssuerBody: "Coordinating Committee", SourceLang: "en", Title: "Call", Body: "First text."})
		sqldbtest.Must(t, err)
		_, err = w.docs.ChangeStatus(ctx, sec, d.ID, concord.DocCirculating)
		sqldbtest.Must(t, err)
		p := w.open(t, concord.Rule{Kind: concord.RuleSignatures, MinSignatures: 2}, concord.ResponsesPublic, d.ID)
		respond := func(i int, a concord.Answer, hash string) error {
			_, err := w.procs.Respond(ctx, w.actors[fmt.Sprintf("d%d", i)], p.ID, w.orgs[i].ID, a, hash, "en")
			return err
		}
		sqldbtest.Must(t, respond(0, concord.AnswerSign, ""))
		sqldbtest.Must(t, respond(1, concord.AnswerDecline, ""))
		sqldbtest.Must(t, respond(1, concord.AnswerSign, "")) // changed its mind
		v, err := w.procs.Get(ctx, w.actors["d0"], p.ID)
		sqldbtest.Must(t, err)
		if v.Result.Outcome != concord.OutcomeAdopted || v.Result.Tally.Counts[concord.AnswerSign] != 2 {
			t.Fatalf("after two signatures: %s", v.Result)
		}
		hist, err := w.procs.History(ctx, w.actors["d1"], p.ID, w.orgs[1].ID)
		sqldbtest.Must(t, err)
		if len(hist) != 2 || hist[0].Current || !hist[1].Current || hist[0].Answer != concord.AnswerDecline {
			t.Errorf("history: %+v", hist)
		}
		if ev := w.pub.last("tally", 3); ev == nil || ev.ID != 3 {
			t.Errorf("last live tally: %+v", ev)
		}
		// A new version of the text: earlier signatures become stale until re-confirmed.
		_, err = w.docs.SaveText(ctx, sec, d.ID, "Call", "Second text.", "amended")
		sqldbtest.Must(t, err)
		time.Sleep(1100 * time.Millisecond) // the service trusts a cached text hash for one second
		if err := respond(2, concord.AnswerSign, d.CurrentVersion.Hash); concord.ErrorCode(err) != concord.ECONFLICT {
			t.Fatalf("signing with the old version's hash: %v", err)
		}
		sqldbtest.Must(t, respond(2, concord.AnswerSign, ""))
		v, err = w.procs.Get(ctx, w.actors["d0"], p.ID)
		sqldbtest.Must(t, err)
		if v.Result.Tally.Stale != 2 || v.Result.Tally.Responded != 1 || v.Result.Outcome != concord.OutcomePending {
			t.Fatalf("after a new version: %s (tally %+v)", v.Result, v.Result.Tally)
		}
		list, err := w.procs.Signatories(ctx, nil, p.ID)
		sqldbtest.Must(t, err)
		if len(list.Signatories) != 1 || len(list.Stale) != 2 || !list.Open {
			t.Errorf("signatory list: %d current, %d stale", len(list.Signatories), len(list.Stale))
		}
		// Who has not responded: the two that signed the earlier version and org 3.
		und, err := w.procs.Undecided(ctx, sec, p.ID)
		sqldbtest.Must(t, err)
		var names []string
		for _, o := range und {
			names = append(names, o.Name)
		}
		if want := []string{w.orgs[0].Name, w.orgs[1].Name, w.orgs[3].Name}; !slices.Equal(names, want) {
			t.Errorf("undecided = %v, want %v", names, want)
		}
		// Their delegates are asked to confirm the current version; org 2's is not.
		for i, want := range []string{"stale", "stale", "", "new"} {
			aw, err := w.procs.Awaiting(ctx, w.actors[fmt.Sprintf("d%d", i)])
			sqldbtest.Must(t, err)
			got := ""
			if len(aw) == 1 && aw[0].Procedure.ID == p.ID && aw[0].OrgID == w.orgs[i].ID {
				got = map[bool]string{true: "stale", false: "new"}[aw[0].Stale]
			} else if len(aw) > 0 {
				got = fmt.Sprintf("%+v", aw)
			}
			if got != want {
				t.Errorf("d%d awaiting = %q, want %q", i, got, want)
			}
		}
	})
}

func TestCloseAtDeadline(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db, 3)
		ctx := context.Background()
		p := w.open(t, concord.Rule{Kind: concord.RuleSilence}, concord.ResponsesHidden, "")
		_, err := w.procs.Respond(ctx, w.actors["d0"], p.ID, w.orgs[0].ID, concord.AnswerObject, "", "en")
		sqldbtest.Must(t, err)
		// Hidden until the close: no counts, no responses, no signatory events.
		v, err := w.procs.Get(ctx, w.actors["d1"], p.ID)
		sqldbtest.Must(t, err)
		if len(v.Responses) != 0 || v.Result.Tally.Counts[concord.AnswerObject] != 0 || v.Result.Outcome != concord.OutcomePending {
			t.Fatalf("hidden procedure leaked: %+v %s", v.Responses, v.Result)
		}
		if ev := w.pub.last("tally", 1); ev == nil || strings.Contains(string(ev.Data), "object") {
			t.Fatalf("hidden tally event leaked counts: %s", ev.Data)
		}
		if _, err := w.procs.Get(ctx, nil, p.ID); concord.ErrorCode(err) != concord.ENOTFOUND {
			t.Errorf("anonymous sees a hidden procedure: %v", err)
		}
		if err := w.procs.CloseOverdue(ctx); err != nil {
			t.Fatal(err)
		}
		w.clock.set(p.Deadline.Add(time.Second))
		sqldbtest.Must(t, w.procs.CloseOverdue(ctx))
		sqldbtest.Must(t, w.procs.CloseOverdue(ctx)) // idempotent
		v, err = w.procs.Get(ctx, w.actors["d1"], p.ID)
		sqldbtest.Must(t, err)
		if v.Procedure.ClosedAt == nil || v.Result.Outcome != concord.OutcomeNotAdopted || !v.Result.Final || len(v.Responses) != 1 {
			t.Fatalf("after closing: %s, %d responses", v.Result, len(v.Responses))
		}
		if ev := w.pub.last("status", 0); ev == nil {
			t.Error("no live status event at the close")
		}
	})
}

// TestBurstIsDurableAndCounted has every organization respond at once; every acknowledged
// response is stored, the revision counts them, and the last live tally shows them all.
func TestBurstIsDurableAndCounted(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		const n = 150
		w := newWorld(t, db, n)
		ctx := context.Background()
		p := w.open(t, concord.Rule{Kind: concord.RuleSignatures, MinSignaturesPercent: 50}, concord.ResponsesPublic, "")
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				_, err := w.procs.Respond(ctx, w.actors[fmt.Sprintf("d%d", i)], p.ID, w.orgs[i].ID, concord.AnswerSign, "", "en")
				errs <- err
			}(i)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			sqldbtest.Must(t, err)
		}
		v, err := w.procs.Get(ctx, w.actors["d0"], p.ID)
		sqldbtest.Must(t, err)
		if len(v.Responses) != n || v.Procedure.Revision != n || v.Result.Outcome != concord.OutcomeAdopted {
			t.Fatalf("%d responses, revision %d, %s", len(v.Responses), v.Procedure.Revision, v.Result)
		}
		if ev := w.pub.last("tally", n); ev == nil || ev.ID != n {
			t.Errorf("last tally event %+v, want ID %d", ev, n)
		}
	})
}
