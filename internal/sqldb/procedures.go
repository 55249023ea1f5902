package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"concord"
)

const procedureColumns = `id, COALESCE(document_id, ''), question, rule, electorate_kind, electorate_region, visibility, opens_at,
	deadline, closed_at, outcome, result, revision, COALESCE(created_by, ''), created_at`

func scanProcedure(scan func(...any) error) (*concord.Procedure, error) {
	var p concord.Procedure
	var rule, result string
	if err := scan(&p.ID, &p.DocumentID, &p.Question, &rule, &p.ElectorateKind, &p.ElectorateRegion, &p.Visibility,
		timeCol{&p.OpensAt}, timeCol{&p.Deadline}, nullTimeCol{&p.ClosedAt}, &p.Outcome, &result, &p.Revision, &p.CreatedBy,
		timeCol{&p.CreatedAt}); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(rule), &p.Rule); err != nil {
		return nil, err
	}
	if result != "{}" && result != "" {
		p.Result = &concord.Result{}
		if err := json.Unmarshal([]byte(result), p.Result); err != nil {
			return nil, err
		}
	}
	return &p, nil
}

// InsertProcedure stores a new procedure and its electorate.
func (tx *Tx) InsertProcedure(p *concord.Procedure) error {
	rule, err := json.Marshal(p.Rule)
	if err != nil {
		return err
	}
	if _, err := tx.exec(`INSERT INTO procedures (id, document_id, question, rule_kind, rule, electorate_kind, electorate_region, visibility,
		opens_at, deadline, outcome, revision, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)`,
		p.ID, nullString(p.DocumentID), p.Question, string(p.Rule.Kind), string(rule), string(p.ElectorateKind), p.ElectorateRegion,
		string(p.Visibility), p.OpensAt, p.Deadline, nullString(p.CreatedBy), p.CreatedAt); err != nil {
		return err
	}
	for _, org := range p.Electorate {
		if _, err := tx.exec(`INSERT INTO procedure_electorate (procedure_id, org_id) VALUES (?, ?)`, p.ID, org); err != nil {
			return err
		}
	}
	return nil
}

// GetProcedure returns a procedure with its electorate.
func (tx *Tx) GetProcedure(id string) (*concord.Procedure, error) {
	p, err := scanProcedure(tx.queryRow(`SELECT `+procedureColumns+` FROM procedures WHERE id = ?`, id).Scan)
	if err != nil {
		return nil, tx.scanErr(err, "procedure")
	}
	rows, err := tx.query(`SELECT org_id FROM procedure_electorate WHERE procedure_id = ? ORDER BY org_id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var org string
		if err := rows.Scan(&org); err != nil {
			return nil, err
		}
		p.Electorate = append(p.Electorate, org)
	}
	return p, tx.scanErr(rows.Err(), "electorate")
}

// ListProcedures returns procedures, newest deadline first; documentID filters by text.
func (tx *Tx) ListProcedures(documentID string, limit int) ([]*concord.Procedure, error) {
	var args []any
	where := ""
	if documentID != "" {
		where = " WHERE document_id = ?"
		args = append(args, documentID)
	}
	rows, err := tx.query(`SELECT `+procedureColumns+` FROM procedures`+where+` ORDER BY deadline DESC, id`+limitOffset(limit, 0, &args), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*concord.Procedure
	for rows.Next() {
		p, err := scanProcedure(rows.Scan)
		if err != nil {
			return nil, tx.scanErr(err, "procedure")
		}
		out = append(out, p)
	}
	return out, tx.scanErr(rows.Err(), "procedure")
}

// BumpRevision adds n to an open procedure's revision and returns the new value; a closed
// procedure is not found. Called first in a response transaction, it also takes the row lock
// that orders concurrent writers (and the closing) on PostgreSQL, so revisions follow commit
// order and nothing is written after the close.
func (tx *Tx) BumpRevision(procedureID string, n int) (int64, error) {
	var rev int64
	err := tx.queryRow(qBumpRevision, n, procedureID).Scan(&rev)
	return rev, tx.scanErr(err, "open procedure")
}

// The statements of a response's commit (see prepareHot). Written with ? placeholders,
// which are also SQLite's, the only dialect that prepares them.
const (
	qBumpRevision      = `UPDATE procedures SET revision = revision + ? WHERE id = ? AND closed_at IS NULL RETURNING revision`
	qSupersedeResponse = `UPDATE responses SET current = 0 WHERE procedure_id = ? AND org_id = ? AND current = 1
		RETURNING answer, version_hash`
	qInsertResponse = `INSERT INTO responses (id, procedure_id, org_id, person_id, mandate_id, answer, version_hash, lang_shown, at, revision, current)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`
	qAddCount = `INSERT INTO response_counts (procedure_id, answer, version_hash, n) VALUES (?, ?, ?, ?)
		ON CONFLICT (procedure_id, answer, version_hash) DO UPDATE SET n = response_counts.n + excluded.n`
	qSubtractCount     = `UPDATE response_counts SET n = n - ? WHERE procedure_id = ? AND answer = ? AND version_hash = ?`
	qResponseCounts    = `SELECT answer, version_hash, n FROM response_counts WHERE procedure_id = ? AND n > 0`
	qProcedureRevision = `SELECT revision FROM procedures WHERE id = ?`
)

var hotWrites = []string{qBumpRevision, qSupersedeResponse, qInsertResponse, qAddCount, qSubtractCount, qResponseCounts}

// countKey is one bucket of response_counts within a procedure.
type countKey struct{ answer, hash string }

// InsertResponses adds responses to one procedure in order, each becoming its
// organization's current response (of two from one organization, the later one), and
// keeps response_counts in step: +1 for each new current response, -1 for each one it
// replaced. On SQLite these are two prepared statements per response; on PostgreSQL, where
// each statement is a round trip, two statements for the whole batch. Then one statement per
// count that changed.
func (tx *Tx) InsertResponses(rs []*concord.Response) error {
	if len(rs) == 0 {
		return nil
	}
	for _, r := range rs {
		if r.ProcedureID != rs[0].ProcedureID {
			return fmt.Errorf("insert responses: procedures %s and %s in one batch", rs[0].ProcedureID, r.ProcedureID)
		}
	}
	delta := map[countKey]int{}
	replaced := func(rows *sql.Rows, err error) error {
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k countKey
			if err := rows.Scan(&k.answer, &k.hash); err != nil {
				return tx.dialect.mapError(err)
			}
			delta[k]--
		}
		return tx.dialect.mapError(rows.Err())
	}
	if tx.dialect.name() != "postgres" {
		for _, r := range rs {
			if err := replaced(tx.query(qSupersedeResponse, r.ProcedureID, r.OrgID)); err != nil {
				return err
			}
			if _, err := tx.exec(qInsertResponse, r.ID, r.ProcedureID, r.OrgID, r.PersonID, r.MandateID, string(r.Answer),
				r.VersionHash, r.LangShown, r.At, r.Revision); err != nil {
				return err
			}
			delta[countKey{string(r.Answer), r.VersionHash}]++
		}
		return tx.addCounts(rs[0].ProcedureID, delta)
	}
	n := len(rs)
	var (
		ids, procs, orgs, people, mandates = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		answers, hashes, langs             = make([]string, n), make([]string, n), make([]string, n)
		ats                                = make([]time.Time, n)
		revs                               = make([]int64, n)
		current                            = make([]int32, n)
		last                               = map[string]int{}
	)
	for i, r := range rs {
		ids[i], procs[i], orgs[i], people[i], mandates[i] = r.ID, r.ProcedureID, r.OrgID, r.PersonID, r.MandateID
		answers[i], hashes[i], langs[i] = string(r.Answer), r.VersionHash, r.LangShown
		ats[i], revs[i] = r.At.UTC().Truncate(time.Microsecond), r.Revision
		last[r.OrgID] = i
	}
	distinct := make([]string, 0, len(last))
	for org, i := range last {
		current[i] = 1
		distinct = append(distinct, org)
		delta[countKey{answers[i], hashes[i]}]++
	}
	if err := replaced(tx.query(`UPDATE responses SET current = 0 WHERE procedure_id = ? AND current = 1 AND org_id = ANY(?)
		RETURNING answer, version_hash`, rs[0].ProcedureID, distinct)); err != nil {
		return err
	}
	if _, err := tx.exec(`INSERT INTO responses (id, procedure_id, org_id, person_id, mandate_id, answer, version_hash, lang_shown, at, revision, current)
		SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::timestamptz[], ?::bigint[], ?::integer[])`,
		ids, procs, orgs, people, mandates, answers, hashes, langs, ats, revs, current); err != nil {
		return err
	}
	return tx.addCounts(rs[0].ProcedureID, delta)
}

// addCounts applies count changes to a procedure's response_counts. A count that would go
// below zero, or one to lower that does not exist, means the counts disagree with the
// responses: the transaction fails rather than record a wrong tally.
func (tx *Tx) addCounts(procedureID string, delta map[countKey]int) error {
	for k, d := range delta {
		var err error
		switch {
		case d > 0:
			_, err = tx.exec(qAddCount, procedureID, k.answer, k.hash, d)
		case d < 0:
			res, xerr := tx.exec(qSubtractCount, -d, procedureID, k.answer, k.hash)
			err = mustAffect(res, xerr, "response count")
		}
		if err != nil {
			return fmt.Errorf("response counts of %s (%s, %q): %w", procedureID, k.answer, k.hash, err)
		}
	}
	return nil
}

// ProcedureRevision returns a procedure's revision: one statement, outside a transaction,
// as every new live connection reads it.
func (db *DB) ProcedureRevision(ctx context.Context, id string) (int64, error) {
	rows, err := db.queryRead(ctx, db.dialect.rebind(qProcedureRevision), id)
	if err != nil {
		return 0, db.dialect.mapError(err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return 0, db.dialect.mapError(err)
		}
		return 0, notFound("procedure")
	}
	var rev int64
	if err := rows.Scan(&rev); err != nil {
		return 0, db.dialect.mapError(err)
	}
	return rev, nil
}

// CurrentResponses returns each organization's current response in a procedure, oldest first.
func (tx *Tx) CurrentResponses(procedureID string) ([]concord.Response, error) {
	return tx.responses(`WHERE procedure_id = ? AND current = 1 ORDER BY at, revision`, procedureID)
}

// ResponseHistory returns every response an organization gave in a procedure, oldest first.
func (tx *Tx) ResponseHistory(procedureID, orgID string) ([]concord.Response, error) {
	return tx.responses(`WHERE procedure_id = ? AND org_id = ? ORDER BY revision`, procedureID, orgID)
}

func (tx *Tx) responses(tail string, args ...any) ([]concord.Response, error) {
	rows, err := tx.query(`SELECT id, procedure_id, org_id, person_id, mandate_id, answer, version_hash, lang_shown, at, revision, current FROM responses `+tail, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []concord.Response
	for rows.Next() {
		var r concord.Response
		var current int
		if err := rows.Scan(&r.ID, &r.ProcedureID, &r.OrgID, &r.PersonID, &r.MandateID, &r.Answer, &r.VersionHash, &r.LangShown,
			timeCol{&r.At}, &r.Revision, &current); err != nil {
			return nil, tx.scanErr(err, "response")
		}
		r.Current = current == 1
		out = append(out, r)
	}
	return out, tx.scanErr(rows.Err(), "response")
}

// CloseProcedure stores the final result once; closing twice is not found.
func (tx *Tx) CloseProcedure(id string, at time.Time, result concord.Result) error {
	b, err := json.Marshal(result)
	if err != nil {
		return err
	}
	res, err := tx.exec(`UPDATE procedures SET closed_at = ?, outcome = ?, result = ? WHERE id = ? AND closed_at IS NULL`,
		at, string(result.Outcome), string(b), id)
	return mustAffect(res, err, "open procedure")
}

// OverdueProcedures returns the IDs of procedures past their deadline and not yet closed.
func (tx *Tx) OverdueProcedures(now time.Time) ([]string, error) {
	rows, err := tx.query(`SELECT id FROM procedures WHERE closed_at IS NULL AND deadline <= ? ORDER BY deadline`, now)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// RecordReminder notes that an organization was reminded.
func (tx *Tx) RecordReminder(procedureID, orgID string, at time.Time) error {
	_, err := tx.exec(`INSERT INTO procedure_reminders (procedure_id, org_id, sent_at) VALUES (?, ?, ?)`, procedureID, orgID, at)
	return err
}

// Delegates returns the people holding a delegate mandate in org current at t.
func (tx *Tx) Delegates(orgID string, t time.Time) ([]*concord.Person, error) {
	ms, err := tx.listMandates(`WHERE org_id = ? AND role = 'delegate' AND revoked_at IS NULL`, orgID)
	if err != nil {
		return nil, err
	}
	var out []*concord.Person
	for _, m := range ms {
		if m.CurrentAt(t) {
			p, err := tx.GetPerson(m.PersonID)
			if err != nil {
				return nil, err
			}
			out = append(out, p)
		}
	}
	return out, nil
}

// AnswerCount is how many current responses gave one answer on one version of the text.
type AnswerCount struct {
	Answer      concord.Answer
	VersionHash string
	N           int
}

// ResponseCounts aggregates a procedure's current responses by answer and version, without
// reading every row into the application.
func (tx *Tx) ResponseCounts(procedureID string) ([]AnswerCount, error) {
	rows, err := tx.query(qResponseCounts, procedureID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []AnswerCount
	for rows.Next() {
		var c AnswerCount
		if err := rows.Scan(&c.Answer, &c.VersionHash, &c.N); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
