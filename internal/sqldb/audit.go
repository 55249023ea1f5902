package sqldb

import (
	"encoding/json"
	"strings"
	"time"

	"concord"
)

// InsertAuditEvent appends an audit event. There is deliberately no update or delete: the
// schema rejects both with a trigger.
func (tx *Tx) InsertAuditEvent(e *concord.AuditEvent) error {
	changes := "{}"
	if len(e.Changes) > 0 {
		b, err := json.Marshal(e.Changes)
		if err != nil {
			return err
		}
		changes = string(b)
	}
	_, err := tx.exec(`INSERT INTO audit_events (id, at, person_id, org_id, about_org_id, mandate_id, action, target_type, target_id, changes, ip)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, e.At, e.PersonID, e.OrgID, e.AboutOrgID, e.MandateID, e.Action, e.TargetType, e.TargetID, changes, e.IP)
	return err
}

// ListAuditEvents returns audit events matching f, newest first, with the acting person's
// current display name filled in.
func (tx *Tx) ListAuditEvents(f concord.AuditFilter) ([]concord.AuditEvent, error) {
	var where []string
	var args []any
	if f.PersonID != "" {
		where = append(where, "a.person_id = ?")
		args = append(args, f.PersonID)
	}
	if f.OrgID != "" {
		where = append(where, "(a.org_id = ? OR a.about_org_id = ?)")
		args = append(args, f.OrgID, f.OrgID)
	}
	if f.TargetID != "" {
		where = append(where, "a.target_id = ?")
		args = append(args, f.TargetID)
	}
	if f.Action != "" {
		where = append(where, `a.action LIKE ? ESCAPE '\'`)
		args = append(args, escapeLike(f.Action)+"%")
	}
	if !f.Before.IsZero() {
		where = append(where, "a.at < ?")
		args = append(args, f.Before)
	}
	q := `SELECT a.id, a.at, a.person_id, COALESCE(p.display_name, ''), a.org_id, a.about_org_id, a.mandate_id, a.action, a.target_type, a.target_id, a.changes, a.ip
		FROM audit_events a LEFT JOIN people p ON p.id = a.person_id`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY a.at DESC, a.id DESC"
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	q += limitOffset(limit, 0, &args)
	rows, err := tx.query(q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []concord.AuditEvent
	for rows.Next() {
		var e concord.AuditEvent
		var changes string
		if err := rows.Scan(&e.ID, timeCol{&e.At}, &e.PersonID, &e.PersonName, &e.OrgID, &e.AboutOrgID, &e.MandateID, &e.Action,
			&e.TargetType, &e.TargetID, &changes, &e.IP); err != nil {
			return nil, tx.scanErr(err, "audit event")
		}
		if err := json.Unmarshal([]byte(changes), &e.Changes); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, tx.scanErr(rows.Err(), "audit event")
}

// Job is one durable unit of background work (an outbox row).
type Job struct {
	ID          string
	Kind        string
	Payload     []byte
	RunAt       time.Time
	Attempts    int
	MaxAttempts int
	LastError   string
}

// EnqueueJob writes a job in the caller's transaction, so it exists exactly when the change
// that caused it commits.
func (tx *Tx) EnqueueJob(j *Job) error {
	if j.MaxAttempts == 0 {
		j.MaxAttempts = 8
	}
	_, err := tx.exec(`INSERT INTO jobs (id, kind, payload, run_at, max_attempts, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		j.ID, j.Kind, string(j.Payload), j.RunAt, j.MaxAttempts, j.RunAt)
	return err
}

// ClaimJob locks the oldest due job until lockUntil and returns it, or nil when none is due.
// A worker that dies leaves the lock to expire, and the job runs again: handlers must be
// idempotent or tolerate a repeat.
func (tx *Tx) ClaimJob(now, lockUntil time.Time) (*Job, error) {
	skipLocked := ""
	if tx.dialect.name() == "postgres" {
		skipLocked = " FOR UPDATE SKIP LOCKED"
	}
	var j Job
	var payload string
	err := tx.queryRow(`SELECT id, kind, payload, run_at, attempts, max_attempts, last_error FROM jobs
		WHERE done_at IS NULL AND failed_at IS NULL AND run_at <= ? AND (locked_until IS NULL OR locked_until <= ?)
		ORDER BY run_at, id LIMIT 1`+skipLocked, now, now).
		Scan(&j.ID, &j.Kind, &payload, timeCol{&j.RunAt}, &j.Attempts, &j.MaxAttempts, &j.LastError)
	if err != nil {
		if err := tx.scanErr(err, "job"); concord.ErrorCode(err) == concord.ENOTFOUND {
			return nil, nil
		} else {
			return nil, err
		}
	}
	j.Payload = []byte(payload)
	j.Attempts++
	if _, err := tx.exec(`UPDATE jobs SET locked_until = ?, attempts = ? WHERE id = ?`, lockUntil, j.Attempts, j.ID); err != nil {
		return nil, err
	}
	return &j, nil
}

// FinishJob marks a job done and clears its payload, which may hold a secret such as an
// invitation link.
func (tx *Tx) FinishJob(id string, at time.Time) error {
	_, err := tx.exec(`UPDATE jobs SET done_at = ?, locked_until = NULL, last_error = '', payload = '{}' WHERE id = ?`, at, id)
	return err
}

// RetryJob records a failed attempt; the job runs again at retryAt, or is marked failed for
// good when it has no attempts left.
func (tx *Tx) RetryJob(j *Job, errText string, now, retryAt time.Time) error {
	if j.Attempts >= j.MaxAttempts {
		_, err := tx.exec(`UPDATE jobs SET failed_at = ?, locked_until = NULL, last_error = ? WHERE id = ?`, now, errText, j.ID)
		return err
	}
	_, err := tx.exec(`UPDATE jobs SET run_at = ?, locked_until = NULL, last_error = ? WHERE id = ?`, retryAt, errText, j.ID)
	return err
}

// JobCounts returns how many jobs are pending, done and failed, for metrics and tests.
func (tx *Tx) JobCounts() (pending, done, failed int, err error) {
	err = tx.queryRow(`SELECT
		COALESCE(SUM(CASE WHEN done_at IS NULL AND failed_at IS NULL THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN done_at IS NOT NULL THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN failed_at IS NOT NULL THEN 1 ELSE 0 END), 0) FROM jobs`).Scan(&pending, &done, &failed)
	return pending, done, failed, tx.scanErr(err, "jobs")
}
