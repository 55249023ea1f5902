package sqldb

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"concord"
)

// Every authenticated request needs the person behind a token or session with their
// federation roles and current mandates. Read as four statements in a transaction, that
// was most of the price of a signature (each statement parsed anew by SQLite); here it is
// one prepared statement, one row per unrevoked mandate, outside any transaction (a single
// statement reads one snapshot).

// actorColumns follows the token's or session's own columns: the person, their roles
// (aggregated; see rolesAgg) and one unrevoked mandate or NULLs.
const actorColumns = `p.id, p.login, p.display_name, p.email, p.language, p.time_zone, p.created_at, p.disabled_at,
	(SELECT ROLES_AGG FROM person_roles r WHERE r.person_id = p.id),
	m.id, m.org_id, m.role, m.valid_from, m.valid_until, m.reference, m.created_by, m.created_at`

const actorJoins = ` JOIN people p ON p.id = x.person_id
	LEFT JOIN mandates m ON m.person_id = p.id AND m.revoked_at IS NULL`

const qActorByToken = `SELECT x.id, x.name, x.created_at, x.last_used_at, ` + actorColumns + `
	FROM api_tokens x` + actorJoins + `
	WHERE x.token_hash = ? AND x.revoked_at IS NULL ORDER BY m.valid_from, m.id`

const qActorBySession = `SELECT x.id, x.created_at, x.last_seen_at, x.expires_at, x.user_agent, x.ip, ` + actorColumns + `
	FROM sessions x` + actorJoins + `
	WHERE x.id = ? AND x.expires_at > ? ORDER BY m.valid_from, m.id`

// ActorByToken returns the unrevoked API token whose secret hashes to tokenHash, its
// person and the person's mandates current at now. ENOTFOUND if there is no such token.
func (db *DB) ActorByToken(ctx context.Context, tokenHash string, now time.Time) (*concord.APIToken, *concord.Person, []concord.Mandate, error) {
	var t concord.APIToken
	p, ms, err := db.readActor(ctx, qActorByToken, now, []any{tokenHash}, "token",
		&t.ID, &t.Name, timeCol{&t.CreatedAt}, nullTimeCol{&t.LastUsedAt})
	if err != nil {
		return nil, nil, nil, err
	}
	t.PersonID = p.ID
	return &t, p, ms, nil
}

// ActorBySession returns the unexpired session with this ID (the hash of its secret), its
// person and the person's mandates current at now. ENOTFOUND if there is no such session.
func (db *DB) ActorBySession(ctx context.Context, sessionID string, now time.Time) (*concord.Session, *concord.Person, []concord.Mandate, error) {
	var s concord.Session
	p, ms, err := db.readActor(ctx, qActorBySession, now, []any{sessionID, now}, "session",
		&s.ID, timeCol{&s.CreatedAt}, timeCol{&s.LastSeenAt}, timeCol{&s.ExpiresAt}, &s.UserAgent, &s.IP)
	if err != nil {
		return nil, nil, nil, err
	}
	s.PersonID = p.ID
	return &s, p, ms, nil
}

// readActor runs an actor query; head are the scan targets of its own leading columns.
func (db *DB) readActor(ctx context.Context, query string, now time.Time, args []any, what string, head ...any) (*concord.Person, []concord.Mandate, error) {
	rows, err := db.queryRead(ctx, db.actorSQL(query), db.dialect.args(args)...)
	if err != nil {
		return nil, nil, db.dialect.mapError(err)
	}
	defer rows.Close()
	var (
		p     *concord.Person
		ms    []concord.Mandate
		roles sql.NullString
	)
	for rows.Next() {
		var (
			q        concord.Person
			m        concord.Mandate
			mID      sql.NullString
			from, at *time.Time
		)
		dest := append(slices.Clip(head), &q.ID, &q.Login, &q.DisplayName, &q.Email, &q.Language, &q.TimeZone,
			timeCol{&q.CreatedAt}, nullTimeCol{&q.DisabledAt}, &roles,
			&mID, stringCol{&m.OrgID}, stringCol{(*string)(&m.Role)}, nullTimeCol{&from}, nullTimeCol{&m.ValidUntil},
			stringCol{&m.Reference}, stringCol{&m.CreatedBy}, nullTimeCol{&at})
		if err := rows.Scan(dest...); err != nil {
			return nil, nil, db.dialect.mapError(err)
		}
		if p == nil {
			p = &q
		}
		if !mID.Valid {
			continue
		}
		m.ID, m.PersonID = mID.String, q.ID
		if from != nil {
			m.ValidFrom = *from
		}
		if at != nil {
			m.CreatedAt = *at
		}
		if m.CurrentAt(now) {
			ms = append(ms, m)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, db.dialect.mapError(err)
	}
	if p == nil {
		return nil, nil, notFound(what)
	}
	if roles.Valid && roles.String != "" {
		for _, r := range strings.Fields(roles.String) {
			p.FederationRoles = append(p.FederationRoles, concord.FederationRole(r))
		}
		slices.Sort(p.FederationRoles)
	}
	return p, ms, nil
}

// actorSQL puts the dialect's string aggregate into an actor query.
func (db *DB) actorSQL(query string) string {
	agg := "group_concat(r.role, ' ')"
	if db.dialect.name() == "postgres" {
		agg = "string_agg(r.role, ' ')"
	}
	return db.dialect.rebind(strings.Replace(query, "ROLES_AGG", agg, 1))
}
