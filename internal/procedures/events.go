package procedures

import (
	"context"
	"encoding/json"
	"time"

	"concord"
	"concord/internal/live"
	"concord/internal/sqldb"
)

// Topic is the live topic of a procedure page: "tally" and "status" events.
func Topic(procedureID string) string { return "procedure/" + procedureID }

// SignatoryTopic is the live topic of a signatory list: "signatory" events (new entries),
// "tally" and "status". Kept apart so that watchers of a procedure's result do not receive
// every organization's record.
func SignatoryTopic(procedureID string) string { return "procedure/" + procedureID + "/signatories" }

// Live updates are paced so that fan-out never crowds out the responses themselves: a
// committed change goes out as soon as no response to the procedure is waiting for its
// commit and none was committed for publishQuiet (so the tally after a burst arrives at
// once), and during a sustained burst at the latest publishWait after the first change not
// yet sent, latest tally wins. publishWait grows with the procedure's watchers on this
// instance (each costs one write per event): 100 µs of waiting per watcher, between
// publishMinWait and publishMaxWait. With 10,000 watchers that is one update a second
// while responses pour in, about a tenth of a core for the writes.
const (
	publishQuiet      = 20 * time.Millisecond
	publishMinWait    = 100 * time.Millisecond
	publishMaxWait    = time.Second
	publishPerWatcher = 100 * time.Microsecond
)

// publishWait returns how long a change may wait for the next update of n watchers.
func publishWait(n int) time.Duration {
	return min(max(time.Duration(n)*publishPerWatcher, publishMinWait), publishMaxWait)
}

// WatcherCounter is implemented by publishers that know how many watchers a topic has on
// this instance (the live hub); the pacing of updates then adapts to it.
type WatcherCounter interface {
	Watchers(topic string) int
}

// pendingPub is what waits to be published for one procedure.
type pendingPub struct {
	proc     *concord.Procedure
	result   concord.Result
	signed   []*concord.Response
	last     time.Time // newest change merged in
	deadline time.Time // send by then even if changes keep coming
}

// TallyEvent is the data of a "tally" live event.
type TallyEvent struct {
	Revision   int64                  `json:"revision"`
	Outcome    concord.Outcome        `json:"outcome"`
	Final      bool                   `json:"final"`
	Electorate int                    `json:"electorate"`
	Responded  int                    `json:"responded"`
	Stale      int                    `json:"stale"`
	Counts     map[concord.Answer]int `json:"counts,omitempty"`
	Reasons    []concord.Reason       `json:"reasons"`
}

// Signatory is one entry of a signatory list.
type Signatory struct {
	Number   int               `json:"number"`
	OrgID    string            `json:"org_id"`
	Name     string            `json:"name"`
	NameLang string            `json:"name_lang"`
	Names    map[string]string `json:"names"`
	Country  string            `json:"country"`
	SignedAt time.Time         `json:"signed_at"`
}

// SignatoryEvent is the data of a "signatory" live event: organizations that signed in one
// committed batch (numbers follow when the list is read again).
type SignatoryEvent struct {
	Revision    int64       `json:"revision"`
	Signatories []Signatory `json:"signatories"`
}

// TallyOf builds the live tally for a result, hiding counts while responses are hidden.
func TallyOf(p *concord.Procedure, r concord.Result, now time.Time) TallyEvent {
	if p.Visibility == concord.ResponsesHidden && !r.Final && p.ClosedAt == nil {
		r = hideCounts(r)
	}
	return TallyEvent{Revision: p.Revision, Outcome: r.Outcome, Final: r.Final, Electorate: r.Tally.Electorate,
		Responded: r.Tally.Responded, Stale: r.Tally.Stale, Counts: r.Tally.Counts, Reasons: r.Reasons}
}

// publish queues a committed change for live watchers, paced as described at publishQuiet:
// the newest tally wins and new signatories accumulate. A closing is sent at once, after
// whatever was pending.
func (s *Service) publish(ctx context.Context, p *concord.Procedure, r concord.Result, signed []*concord.Response) {
	if s.pub == nil {
		return
	}
	if p.ClosedAt != nil {
		s.flush(p.ID, nil)
		s.send(ctx, p, r, nil)
		return
	}
	now := time.Now() // pacing is about the machine's real time, whatever the service clock says
	s.pubMu.Lock()
	pp := s.pending[p.ID]
	if pp == nil {
		wait := publishMinWait
		if wc, ok := s.pub.(WatcherCounter); ok {
			wait = publishWait(wc.Watchers(Topic(p.ID)) + wc.Watchers(SignatoryTopic(p.ID)))
		}
		pp = &pendingPub{deadline: now.Add(wait)}
		s.pending[p.ID] = pp
		s.armPublish(p.ID, pp, publishQuiet)
	}
	if pp.proc == nil || p.Revision >= pp.proc.Revision {
		pp.proc, pp.result = p, r
	}
	pp.signed = append(pp.signed, signed...)
	pp.last = now
	s.pubMu.Unlock()
}

// armPublish checks after d whether pp is due: no response waiting for its commit and
// none committed for publishQuiet, or its deadline passed. If not, it checks again when
// it could next be due.
func (s *Service) armPublish(id string, pp *pendingPub, d time.Duration) {
	time.AfterFunc(d, func() {
		s.pubMu.Lock()
		if s.pending[id] != pp { // sent already (a closing flushed it)
			s.pubMu.Unlock()
			return
		}
		now := time.Now()
		if next := pp.nextCheck(now, s.inflight[id]); now.Before(next) {
			s.armPublish(id, pp, next.Sub(now))
			s.pubMu.Unlock()
			return
		}
		s.pubMu.Unlock()
		s.flush(id, pp)
	})
}

// nextCheck returns when pp is due, given the responses to its procedure waiting for their
// commit: not after now means send now.
func (pp *pendingPub) nextCheck(now time.Time, inflight int) time.Time {
	next := pp.last.Add(publishQuiet)
	if inflight > 0 && !now.Before(next) {
		next = now.Add(publishQuiet) // responses are on their way: wait for them
	}
	if pp.deadline.Before(next) {
		next = pp.deadline
	}
	return next
}

// flush sends what is pending for a procedure: pp, or whatever is pending if pp is nil.
func (s *Service) flush(id string, pp *pendingPub) {
	s.pubMu.Lock()
	cur := s.pending[id]
	if cur == nil || (pp != nil && cur != pp) {
		s.pubMu.Unlock()
		return
	}
	delete(s.pending, id)
	s.pubMu.Unlock()
	if cur.proc != nil {
		s.send(context.Background(), cur.proc, cur.result, cur.signed)
	}
}

// send publishes the tally (and, once closed, the status) on both topics and new
// signatories on the signatory topic, unless responses are hidden.
func (s *Service) send(ctx context.Context, p *concord.Procedure, r concord.Result, signed []*concord.Response) {
	now := s.clock.Now()
	send := func(name string, v any, topics ...string) {
		b, err := json.Marshal(v)
		for _, topic := range topics {
			if err == nil {
				err = s.pub.Publish(ctx, live.Event{Topic: topic, ID: uint64(p.Revision), Name: name, Data: b})
			}
		}
		if err != nil {
			s.log.Warn("live publish", "procedure", p.ID, "event", name, "err", err)
		}
	}
	both := []string{Topic(p.ID), SignatoryTopic(p.ID)}
	if p.ClosedAt != nil {
		// A closing adds no revision; give the final events the next ID so watchers take them.
		p.Revision++
	}
	send("tally", TallyOf(p, r, now), both...)
	if len(signed) > 0 && p.Visibility != concord.ResponsesHidden {
		ids := make([]string, len(signed))
		for i, r := range signed {
			ids[i] = r.OrgID
		}
		var orgs []*concord.Organization
		if err := s.db.View(ctx, func(tx *sqldb.Tx) (err error) {
			orgs, err = tx.ListOrganizations(sqldb.OrgFilter{IDs: ids})
			return err
		}); err != nil {
			s.log.Warn("live signatories", "procedure", p.ID, "err", err)
			return
		}
		byID := map[string]*concord.Organization{}
		for _, o := range orgs {
			byID[o.ID] = o
		}
		ev := SignatoryEvent{Revision: p.Revision}
		for _, r := range signed {
			if o := byID[r.OrgID]; o != nil {
				ev.Signatories = append(ev.Signatories, signatory(o, r.At))
			}
		}
		send("signatory", ev, SignatoryTopic(p.ID))
	}
	if p.ClosedAt != nil {
		send("status", map[string]any{"closed": true, "outcome": r.Outcome, "reasons": r.Reasons}, both...)
	}
}

func signatory(o *concord.Organization, at time.Time) Signatory {
	return Signatory{OrgID: o.ID, Name: o.Name, NameLang: o.NameLang, Names: o.Names, Country: o.Country, SignedAt: at}
}

// SignatoryList is a numbered list of the organizations that signed, as of a time.
type SignatoryList struct {
	Procedure   *concord.Procedure
	Document    *concord.Document
	AsOf        time.Time
	Open        bool // further signatories possible
	Signatories []Signatory
	Stale       []Signatory // signed an earlier version and have not re-confirmed
}

// Signatories returns the signatory list of a signature collection: numbered in the order
// of signing. Public procedures show it to anyone; others to members; hidden ones only after
// the close.
func (s *Service) Signatories(ctx context.Context, a *concord.Actor, id string) (*SignatoryList, error) {
	v, err := s.Get(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if v.Procedure.Rule.Kind != concord.RuleSignatures {
		return nil, concord.NotFound("signatory list")
	}
	now := s.clock.Now()
	list := &SignatoryList{Procedure: v.Procedure, Document: v.Document, AsOf: now, Open: v.Procedure.OpenAt(now)}
	if !v.Visible {
		return nil, concord.Forbidden("responses are hidden until the procedure closes")
	}
	hash := docHash(v.Document)
	var ids []string
	for _, r := range v.Responses {
		if r.Answer == concord.AnswerSign {
			ids = append(ids, r.OrgID)
		}
	}
	if len(ids) == 0 {
		return list, nil
	}
	var orgs []*concord.Organization
	if err := s.db.View(ctx, func(tx *sqldb.Tx) (err error) {
		orgs, err = tx.ListOrganizations(sqldb.OrgFilter{IDs: ids})
		return err
	}); err != nil {
		return nil, err
	}
	byID := map[string]*concord.Organization{}
	for _, o := range orgs {
		byID[o.ID] = o
	}
	for _, r := range v.Responses { // oldest first
		o := byID[r.OrgID]
		if r.Answer != concord.AnswerSign || o == nil {
			continue
		}
		sg := signatory(o, r.At)
		if r.VersionHash != hash {
			list.Stale = append(list.Stale, sg)
			continue
		}
		sg.Number = len(list.Signatories) + 1
		list.Signatories = append(list.Signatories, sg)
	}
	return list, nil
}
