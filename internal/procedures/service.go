// Package procedures runs decisions counted over organizations: signature collections,
// silence procedures, consensus and majority votes. Delegates respond for their
// organization under a current mandate; responses are acknowledged only once durable,
// written in batches (group commit) so thousands of organizations can answer at once; every
// committed batch publishes the new tally to live watchers; a durable job closes each
// procedure at its deadline, also after a restart.
package procedures

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"concord"
	"concord/internal/jobs"
	"concord/internal/live"
	"concord/internal/sqldb"
)

// Publisher sends live events to watchers (the live hub).
type Publisher interface {
	Publish(ctx context.Context, e live.Event) error
}

// Job kinds.
const (
	JobClose  = "procedure.close"
	JobRemind = "procedure.remind"
	JobMail   = "mail.reminder"
)

// Service is the procedures capability.
type Service struct {
	db    *sqldb.DB
	clock concord.Clock
	pub   Publisher
	log   *slog.Logger
	kick  func()
	batch *batcher

	mu    sync.RWMutex
	cache map[string]*cached // static parts of open procedures, for the hot path

	pubMu    sync.Mutex
	pending  map[string]*pendingPub // live updates waiting for their slot, by procedure
	inflight map[string]int         // responses waiting for their commit, by procedure
}

// cached holds what Respond checks on every call without touching the database.
type cached struct {
	proc       *concord.Procedure
	electorate map[string]bool
	docHash    string    // current version hash of the text ("" for a question)
	hashAt     time.Time // when docHash was read
}

// Config wires a Service.
type Config struct {
	DB        *sqldb.DB
	Clock     concord.Clock
	Publisher Publisher // nil: no live updates
	Log       *slog.Logger
	KickJobs  func()
	// MaxBatch and MaxWait bound group commit: a batch closes when it holds MaxBatch
	// responses or its first response has waited MaxWait.
	MaxBatch int
	MaxWait  time.Duration
}

// NewService returns the procedures service and starts its batch writer; Close stops it.
func NewService(c Config) *Service {
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	if c.KickJobs == nil {
		c.KickJobs = func() {}
	}
	s := &Service{db: c.DB, clock: c.Clock, pub: c.Publisher, log: c.Log, kick: c.KickJobs, cache: map[string]*cached{},
		pending: map[string]*pendingPub{}, inflight: map[string]int{}}
	s.batch = newBatcher(s, c.MaxBatch, c.MaxWait)
	return s
}

// Close stops the batch writer after the responses already submitted are written.
func (s *Service) Close() { s.batch.close() }

func audit(tx *sqldb.Tx, now time.Time, a *concord.Actor, action, targetID string, changes map[string][2]string) error {
	return tx.InsertAuditEvent(&concord.AuditEvent{ID: concord.NewID(now), At: now, PersonID: a.PersonID(),
		Action: action, TargetType: "procedure", TargetID: targetID, Changes: changes})
}

// isStaff reports whether the actor runs procedures (admin, coordinator).
func isStaff(a *concord.Actor) bool { return a.IsFederation(concord.FedAdmin, concord.FedCoordinator) }

// Open starts a procedure: it fixes the electorate, and schedules the closing and the
// reminders as durable jobs in the same transaction. Admins and coordinators open
// procedures.
func (s *Service) Open(ctx context.Context, a *concord.Actor, p *concord.Procedure) error {
	if a == nil || a.Person == nil {
		return &concord.Error{Code: concord.EUNAUTHORIZED, Key: "error.unauthorized", Message: "log in first"}
	}
	if !isStaff(a) {
		return concord.Forbidden("only admins and coordinators open procedures")
	}
	now := s.clock.Now()
	p.Normalize()
	if p.OpensAt.IsZero() {
		p.OpensAt = now
	}
	p.OpensAt, p.Deadline = p.OpensAt.UTC(), p.Deadline.UTC()
	if err := p.Validate(); err != nil {
		return err
	}
	p.ID, p.CreatedBy, p.CreatedAt, p.Outcome, p.Revision, p.ClosedAt, p.Result = concord.NewID(now), a.PersonID(), now, concord.OutcomePending, 0, nil, nil
	err := s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		if p.DocumentID != "" {
			if _, err := tx.GetDocument(p.DocumentID); err != nil {
				return err
			}
		}
		orgs, err := s.electorate(tx, p)
		if err != nil {
			return err
		}
		p.Electorate = orgs
		if err := tx.InsertProcedure(p); err != nil {
			return err
		}
		if err := jobs.Enqueue(tx, p.Deadline, JobClose, procJob{ProcedureID: p.ID}); err != nil {
			return err
		}
		for _, before := range []time.Duration{48 * time.Hour, 24 * time.Hour} {
			if at := p.Deadline.Add(-before); at.After(now) && at.After(p.OpensAt) {
				if err := jobs.Enqueue(tx, at, JobRemind, procJob{ProcedureID: p.ID}); err != nil {
					return err
				}
			}
		}
		return audit(tx, now, a, "procedure.open", p.ID, map[string][2]string{"question": {"", p.Question},
			"rule": {"", string(p.Rule.Kind)}, "deadline": {"", p.Deadline.Format(time.RFC3339)}, "electorate": {"", fmt.Sprint(len(orgs))}})
	})
	if err == nil {
		s.kick()
	}
	return err
}

// electorate lists the organizations entitled to respond, fixed at opening.
func (s *Service) electorate(tx *sqldb.Tx, p *concord.Procedure) ([]string, error) {
	switch p.ElectorateKind {
	case concord.ElectorateList:
		orgs, err := tx.ListOrganizations(sqldb.OrgFilter{IDs: p.Electorate, Status: []concord.OrgStatus{concord.StatusMember}})
		if err != nil {
			return nil, err
		}
		if len(orgs) != len(slices.Compact(slices.Sorted(slices.Values(p.Electorate)))) {
			var v concord.Validation
			v.Add("electorate", "error.electorate_members", "lists an organization that is not a member")
			return nil, v.Err()
		}
		return orgIDs(orgs), nil
	default:
		f := sqldb.OrgFilter{Status: []concord.OrgStatus{concord.StatusMember}}
		if p.ElectorateKind == concord.ElectorateRegion {
			f.Region = p.ElectorateRegion
		}
		orgs, err := tx.ListOrganizations(f)
		return orgIDs(orgs), err
	}
}

func orgIDs(orgs []*concord.Organization) []string {
	ids := make([]string, len(orgs))
	for i, o := range orgs {
		ids[i] = o.ID
	}
	return ids
}

// procJob is the payload of closing and reminder jobs.
type procJob struct {
	ProcedureID string `json:"procedure_id"`
}

// View is a procedure as one actor may see it.
type View struct {
	Procedure *concord.Procedure
	Result    concord.Result     // current (or final) result; counts hidden when responses are
	Responses []concord.Response // current responses, when visible to the actor
	Visible   bool               // whether individual responses are visible
	Document  *concord.Document  // the text, when the procedure is on one
}

// Get returns a procedure for an actor: members see every procedure; anyone sees procedures
// whose responses are public. Hidden procedures show no counts until they close.
func (s *Service) Get(ctx context.Context, a *concord.Actor, id string) (*View, error) {
	now := s.clock.Now()
	var v View
	err := s.db.View(ctx, func(tx *sqldb.Tx) error {
		p, err := tx.GetProcedure(id)
		if err != nil {
			return err
		}
		if !a.IsMember() && p.Visibility != concord.ResponsesPublic {
			return concord.NotFound("procedure")
		}
		v.Procedure = p
		if p.DocumentID != "" {
			if v.Document, err = tx.GetDocument(p.DocumentID); err != nil {
				return err
			}
		}
		rs, err := tx.CurrentResponses(id)
		if err != nil {
			return err
		}
		v.Result = p.ResultAt(now, rs, docHash(v.Document))
		v.Visible = p.ResponsesVisible(a, now)
		if v.Visible {
			v.Responses = rs
		} else {
			v.Result = hideCounts(v.Result)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// hideCounts keeps only how many organizations responded.
func hideCounts(r concord.Result) concord.Result {
	return concord.Result{Outcome: concord.OutcomePending, Final: false,
		Tally:   concord.Tally{Electorate: r.Tally.Electorate, Responded: r.Tally.Responded + r.Tally.Stale},
		Reasons: []concord.Reason{{Key: "result.hidden", Params: map[string]string{"responded": fmt.Sprint(r.Tally.Responded + r.Tally.Stale), "electorate": fmt.Sprint(r.Tally.Electorate)}}}}
}

func docHash(d *concord.Document) string {
	if d == nil {
		return ""
	}
	return d.CurrentVersion.Hash
}

// Watch checks that the actor may follow a procedure live and returns the topic to follow
// (the signatory list's when stream is "signatories", else the procedure page's) and the
// procedure's current revision, the position a new stream starts from. It reads one row:
// live connections arrive by the thousand.
func (s *Service) Watch(ctx context.Context, a *concord.Actor, id, stream string) (topic string, rev uint64, err error) {
	c, err := s.cached(ctx, id)
	if err != nil {
		return "", 0, err
	}
	if !a.IsMember() && c.proc.Visibility != concord.ResponsesPublic {
		return "", 0, concord.NotFound("procedure")
	}
	r, err := s.db.ProcedureRevision(ctx, id)
	if err != nil {
		return "", 0, err
	}
	topic = Topic(id)
	if stream == "signatories" {
		topic = SignatoryTopic(id)
	}
	return topic, uint64(r), nil
}

// List returns procedures visible to the actor, newest deadline first.
func (s *Service) List(ctx context.Context, a *concord.Actor, documentID string) ([]*concord.Procedure, error) {
	var out []*concord.Procedure
	err := s.db.View(ctx, func(tx *sqldb.Tx) (err error) {
		out, err = tx.ListProcedures(documentID, 200)
		return err
	})
	if !a.IsMember() {
		out = slices.DeleteFunc(out, func(p *concord.Procedure) bool { return p.Visibility != concord.ResponsesPublic })
	}
	return out, err
}

// History returns every response an organization gave, for its own people and staff.
func (s *Service) History(ctx context.Context, a *concord.Actor, id, orgID string) ([]concord.Response, error) {
	if _, err := s.Get(ctx, a, id); err != nil {
		return nil, err
	}
	if _, ok := a.MandateFor(orgID, concord.Roles()...); !ok && !a.IsFederation(concord.FedAdmin, concord.FedCoordinator, concord.FedSecretariat) {
		return nil, concord.Forbidden("not your organization")
	}
	var out []concord.Response
	err := s.db.View(ctx, func(tx *sqldb.Tx) (err error) {
		out, err = tx.ResponseHistory(id, orgID)
		return err
	})
	return out, err
}

// Undecided lists the electorate organizations that have not responded, or responded to an
// earlier version of the text and not yet to the current one (staff only).
func (s *Service) Undecided(ctx context.Context, a *concord.Actor, id string) ([]*concord.Organization, error) {
	if !a.IsFederation(concord.FedAdmin, concord.FedCoordinator, concord.FedSecretariat) {
		return nil, concord.Forbidden("staff only")
	}
	var out []*concord.Organization
	err := s.db.View(ctx, func(tx *sqldb.Tx) error {
		p, err := tx.GetProcedure(id)
		if err != nil {
			return err
		}
		out, err = undecided(tx, p)
		return err
	})
	return out, err
}

func undecided(tx *sqldb.Tx, p *concord.Procedure) ([]*concord.Organization, error) {
	waiting, err := waitingFor(tx, p)
	if err != nil || len(waiting) == 0 {
		return nil, err
	}
	var ids []string
	for _, id := range p.Electorate {
		if _, ok := waiting[id]; ok {
			ids = append(ids, id)
		}
	}
	return tx.ListOrganizations(sqldb.OrgFilter{IDs: ids})
}

// waitingFor returns the electorate organizations whose response does not count yet, each
// with whether it answered an earlier version of the text (stale) or not at all.
func waitingFor(tx *sqldb.Tx, p *concord.Procedure) (map[string]bool, error) {
	hash, err := textHash(tx, p)
	if err != nil {
		return nil, err
	}
	rs, err := tx.CurrentResponses(p.ID)
	if err != nil {
		return nil, err
	}
	stale := map[string]bool{}
	for _, r := range rs {
		stale[r.OrgID] = r.VersionHash != hash
	}
	out := map[string]bool{}
	for _, id := range p.Electorate {
		if s, answered := stale[id]; !answered || s {
			out[id] = answered
		}
	}
	return out, nil
}

// textHash returns the hash of the current version of the procedure's text, "" for a
// plain question. A response counts only if it was given on that version.
func textHash(tx *sqldb.Tx, p *concord.Procedure) (string, error) {
	if p.DocumentID == "" {
		return "", nil
	}
	d, err := tx.GetDocument(p.DocumentID)
	if err != nil {
		return "", err
	}
	return d.CurrentVersion.Hash, nil
}

// Awaiting is an open procedure that waits for an organization: it has not responded, or
// (Stale) it responded to an earlier version of the text and must confirm the current one.
type Awaiting struct {
	Procedure *concord.Procedure
	OrgID     string
	Stale     bool
}

// Awaiting lists the open procedures waiting for a response from the organizations the
// actor is a delegate of, soonest deadline first.
func (s *Service) Awaiting(ctx context.Context, a *concord.Actor) ([]Awaiting, error) {
	if a == nil || a.Person == nil {
		return nil, nil
	}
	var delegateOf []string
	for _, m := range a.Mandates {
		if m.Role == concord.RoleDelegate && !slices.Contains(delegateOf, m.OrgID) {
			delegateOf = append(delegateOf, m.OrgID)
		}
	}
	if len(delegateOf) == 0 {
		return nil, nil
	}
	now := s.clock.Now()
	var out []Awaiting
	err := s.db.View(ctx, func(tx *sqldb.Tx) error {
		ps, err := tx.ListProcedures("", 200)
		if err != nil {
			return err
		}
		for _, p := range ps {
			if !p.OpenAt(now) {
				continue
			}
			full, err := tx.GetProcedure(p.ID) // the list leaves out the electorate
			if err != nil {
				return err
			}
			waiting, err := waitingFor(tx, full)
			if err != nil {
				return err
			}
			for _, org := range delegateOf {
				if stale, ok := waiting[org]; ok {
					out = append(out, Awaiting{Procedure: p, OrgID: org, Stale: stale})
				}
			}
		}
		return nil
	})
	slices.SortStableFunc(out, func(x, y Awaiting) int { return x.Procedure.Deadline.Compare(y.Procedure.Deadline) })
	return out, err
}

// errClosed is returned for responses after the deadline.
var errClosed = &concord.Error{Code: concord.ECONFLICT, Key: "error.procedure_closed", Message: "the procedure is not open for responses"}

// Respond records an organization's answer. Only a person holding a current delegate mandate
// of that organization may respond, only while the procedure is open, and only with an
// answer the rule allows. versionHash, when given, must be the text's current version: a
// delegate who read an older version is asked to read again. The call returns once the
// response is durably written.
func (s *Service) Respond(ctx context.Context, a *concord.Actor, id, orgID string, answer concord.Answer, versionHash, lang string) (*concord.Response, error) {
	if a == nil || a.Person == nil {
		return nil, &concord.Error{Code: concord.EUNAUTHORIZED, Key: "error.unauthorized", Message: "log in first"}
	}
	m, ok := a.MandateFor(orgID, concord.RoleDelegate)
	if !ok {
		return nil, &concord.Error{Code: concord.EFORBIDDEN, Key: "error.no_mandate", Message: "you hold no current delegate mandate for this organization"}
	}
	c, err := s.cached(ctx, id)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	if !c.proc.OpenAt(now) {
		return nil, errClosed
	}
	if !c.electorate[orgID] {
		return nil, &concord.Error{Code: concord.EFORBIDDEN, Key: "error.not_in_electorate", Message: "this organization is not in the electorate"}
	}
	if !slices.Contains(c.proc.Rule.Kind.Answers(), answer) {
		var v concord.Validation
		v.Add("answer", "error.answer", "is not an answer this procedure allows", "value", string(answer))
		return nil, v.Err()
	}
	if c.proc.DocumentID != "" {
		current, err := s.currentHash(ctx, c)
		if err != nil {
			return nil, err
		}
		if versionHash == "" {
			versionHash = current
		} else if versionHash != current {
			return nil, &concord.Error{Code: concord.ECONFLICT, Key: "error.version_changed",
				Message: "the text has changed since you read it; read the current version before you respond"}
		}
	} else {
		versionHash = ""
	}
	if lang != "" && !concord.ValidLangTag(lang) {
		lang = ""
	}
	r := &concord.Response{ID: concord.NewID(now), ProcedureID: id, OrgID: orgID, PersonID: a.PersonID(), MandateID: m.ID,
		Answer: answer, VersionHash: versionHash, LangShown: lang, At: now, Current: true}
	s.pubMu.Lock()
	s.inflight[id]++
	s.pubMu.Unlock()
	err = s.batch.submit(ctx, r)
	s.pubMu.Lock()
	if s.inflight[id]--; s.inflight[id] == 0 {
		delete(s.inflight, id)
	}
	s.pubMu.Unlock()
	if err != nil {
		return nil, err
	}
	return r, nil
}

// hashTTL bounds how long a cached text hash is trusted; a new version reaches the check
// within it, and the stale-signature count reads the hash fresh at every tally.
const hashTTL = time.Second

func (s *Service) currentHash(ctx context.Context, c *cached) (string, error) {
	s.mu.RLock()
	h, at := c.docHash, c.hashAt
	s.mu.RUnlock()
	if now := time.Now(); now.Sub(at) < hashTTL {
		return h, nil
	}
	var d *concord.Document
	if err := s.db.View(ctx, func(tx *sqldb.Tx) (err error) {
		d, err = tx.GetDocument(c.proc.DocumentID)
		return err
	}); err != nil {
		return "", err
	}
	s.mu.Lock()
	c.docHash, c.hashAt = d.CurrentVersion.Hash, time.Now()
	s.mu.Unlock()
	return d.CurrentVersion.Hash, nil
}

// cached returns the static parts of a procedure, loading them once.
func (s *Service) cached(ctx context.Context, id string) (*cached, error) {
	s.mu.RLock()
	c := s.cache[id]
	s.mu.RUnlock()
	if c != nil {
		return c, nil
	}
	var p *concord.Procedure
	if err := s.db.View(ctx, func(tx *sqldb.Tx) (err error) {
		p, err = tx.GetProcedure(id)
		return err
	}); err != nil {
		return nil, err
	}
	c = &cached{proc: p, electorate: map[string]bool{}}
	for _, o := range p.Electorate {
		c.electorate[o] = true
	}
	s.mu.Lock()
	if len(s.cache) > 10000 {
		clear(s.cache)
	}
	s.cache[id] = c
	s.mu.Unlock()
	return c, nil
}

func (s *Service) forget(id string) {
	s.mu.Lock()
	delete(s.cache, id)
	s.mu.Unlock()
}

// closeProcedure ends a procedure at its deadline and stores the final result. It backs
// the JobClose handler and is idempotent: closing a closed procedure does nothing.
func (s *Service) closeProcedure(ctx context.Context, id string) error {
	now := s.clock.Now()
	var p *concord.Procedure
	var result concord.Result
	err := s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		var err error
		if p, err = tx.GetProcedure(id); err != nil {
			return err
		}
		if p.ClosedAt != nil {
			return nil
		}
		if now.Before(p.Deadline) {
			return fmt.Errorf("procedure %s closes at %s, not yet", id, p.Deadline)
		}
		hash := ""
		if p.DocumentID != "" {
			d, err := tx.GetDocument(p.DocumentID)
			if err != nil {
				return err
			}
			hash = d.CurrentVersion.Hash
		}
		rs, err := tx.CurrentResponses(id)
		if err != nil {
			return err
		}
		result = concord.Decide(p.Rule, p.Electorate, concord.BallotsOf(rs, hash), true)
		if err := tx.CloseProcedure(id, now, result); err != nil {
			return err
		}
		p.ClosedAt, p.Outcome = &now, result.Outcome
		return tx.InsertAuditEvent(&concord.AuditEvent{ID: concord.NewID(now), At: now, Action: "procedure.close",
			TargetType: "procedure", TargetID: id, Changes: map[string][2]string{"outcome": {"pending", string(result.Outcome)}}})
	})
	if err != nil || p.ClosedAt == nil || !p.ClosedAt.Equal(now) {
		return err
	}
	s.forget(id)
	s.publish(ctx, p, result, nil)
	return nil
}

// CloseOverdue closes every procedure whose deadline passed while no worker ran (for
// example during a long outage); the serve command calls it at start.
func (s *Service) CloseOverdue(ctx context.Context) error {
	var ids []string
	if err := s.db.View(ctx, func(tx *sqldb.Tx) (err error) {
		ids, err = tx.OverdueProcedures(s.clock.Now())
		return err
	}); err != nil {
		return err
	}
	var errs []error
	for _, id := range ids {
		errs = append(errs, s.closeProcedure(ctx, id))
	}
	return errors.Join(errs...)
}

// CloseHandler is the job handler for JobClose.
func (s *Service) CloseHandler(ctx context.Context, payload []byte) error {
	var j procJob
	if err := json.Unmarshal(payload, &j); err != nil {
		return err
	}
	return s.closeProcedure(ctx, j.ProcedureID)
}
