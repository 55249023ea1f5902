package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"concord"
)

// Every authenticated request needs the person behind a token or session with their
// federation roles and current mandates. Read as four statements in a transaction, that
// was most of the price of a signature (each statement parsed anew by SQLite); here it is
// one prepared statement, one row per unrevoked mandate, outside any transaction (a single
// statement reads one snapshot). Tokens are looked up many at a time (see ActorsByTokens).

// actorColumns follows the token's or session's own columns: the person, their roles
// (aggregated; see actorSQL) and one unrevoked mandate or NULLs.
const actorColumns = `p.id, p.login, p.display_name, p.email, p.language, p.time_zone, p.created_at, p.disabled_at,
	(SELECT ROLES_AGG FROM person_roles r WHERE r.person_id = p.id),
	m.id, m.org_id, m.role, m.valid_from, m.valid_until, m.reference, m.created_by, m.created_at`

const actorJoins = ` JOIN people p ON p.id = x.person_id
	LEFT JOIN mandates m ON m.person_id = p.id AND m.revoked_at IS NULL`

const qActorsByTokens = `SELECT x.token_hash, x.id, x.name, x.created_at, x.last_used_at, ` + actorColumns + `
	FROM api_tokens x` + actorJoins + `
	WHERE x.token_hash IN_HASHES AND x.revoked_at IS NULL ORDER BY x.token_hash, m.valid_from, m.id`

const qActorBySession = `SELECT x.id, x.created_at, x.last_seen_at, x.expires_at, x.user_agent, x.ip, ` + actorColumns + `
	FROM sessions x` + actorJoins + `
	WHERE x.id = ? AND x.expires_at > ? ORDER BY m.valid_from, m.id`

// TokenActor is what an API token stands for: the token, its person and the person's
// current mandates.
type TokenActor struct {
	Token    concord.APIToken
	Person   *concord.Person
	Mandates []concord.Mandate
}

// ActorsByTokens looks up many API tokens in one statement: for each unrevoked token whose
// secret hashes to one of tokenHashes, the token, its person and the person's mandates
// current at now, keyed by the hash. Unknown and revoked tokens are absent.
func (db *DB) ActorsByTokens(ctx context.Context, tokenHashes []string, now time.Time) (map[string]*TokenActor, error) {
	out := map[string]*TokenActor{}
	if len(tokenHashes) == 0 {
		return out, nil
	}
	var list any = tokenHashes // PostgreSQL: a text[] for = ANY
	if db.dialect.name() != "postgres" {
		b, err := json.Marshal(tokenHashes) // SQLite: a JSON array for json_each
		if err != nil {
			return nil, err
		}
		list = string(b)
	}
	err := db.readActors(ctx, qActorsByTokens, now, []any{list}, func() (*string, []any, func(*concord.Person, []concord.Mandate)) {
		var hash string
		t := &TokenActor{}
		return &hash, []any{&hash, &t.Token.ID, &t.Token.Name, timeCol{&t.Token.CreatedAt}, nullTimeCol{&t.Token.LastUsedAt}},
			func(p *concord.Person, ms []concord.Mandate) {
				t.Token.PersonID, t.Person, t.Mandates = p.ID, p, ms
				out[hash] = t
			}
	})
	return out, err
}

// ActorBySession returns the unexpired session with this ID (the hash of its secret), its
// person and the person's mandates current at now. ENOTFOUND if there is no such session.
func (db *DB) ActorBySession(ctx context.Context, sessionID string, now time.Time) (*concord.Session, *concord.Person, []concord.Mandate, error) {
	var (
		sess *concord.Session
		p    *concord.Person
		ms   []concord.Mandate
	)
	err := db.readActors(ctx, qActorBySession, now, []any{sessionID, now}, func() (*string, []any, func(*concord.Person, []concord.Mandate)) {
		s := &concord.Session{}
		return &s.ID, []any{&s.ID, timeCol{&s.CreatedAt}, timeCol{&s.LastSeenAt}, timeCol{&s.ExpiresAt}, &s.UserAgent, &s.IP},
			func(q *concord.Person, qs []concord.Mandate) {
				s.PersonID = q.ID
				sess, p, ms = s, q, qs
			}
	})
	if err == nil && sess == nil {
		err = notFound("session")
	}
	return sess, p, ms, err
}

// readActors runs an actor query. head gives each row fresh targets for the query's own
// leading columns, the first of which (key) groups the rows of one actor, and the function
// that receives that actor once all its rows are read. Rows must come ordered by key.
func (db *DB) readActors(ctx context.Context, query string, now time.Time, args []any,
	head func() (key *string, dest []any, done func(*concord.Person, []concord.Mandate))) error {
	rows, err := db.queryRead(ctx, db.actorSQL(query), db.dialect.args(args)...)
	if err != nil {
		return db.dialect.mapError(err)
	}
	defer rows.Close()
	var (
		groupKey string
		p        *concord.Person
		ms       []concord.Mandate
		finish   func(*concord.Person, []concord.Mandate)
	)
	flush := func() {
		if finish != nil {
			finish(p, ms)
		}
	}
	for rows.Next() {
		var (
			q        concord.Person
			roles    sql.NullString
			m        concord.Mandate
			mID      sql.NullString
			from, at *time.Time
		)
		key, dest, done := head()
		dest = append(dest, &q.ID, &q.Login, &q.DisplayName, &q.Email, &q.Language, &q.TimeZone,
			timeCol{&q.CreatedAt}, nullTimeCol{&q.DisabledAt}, &roles,
			&mID, stringCol{&m.OrgID}, stringCol{(*string)(&m.Role)}, nullTimeCol{&from}, nullTimeCol{&m.ValidUntil},
			stringCol{&m.Reference}, stringCol{&m.CreatedBy}, nullTimeCol{&at})
		if err := rows.Scan(dest...); err != nil {
			return db.dialect.mapError(err)
		}
		if finish == nil || *key != groupKey {
			flush()
			groupKey, p, ms, finish = *key, &q, nil, done
			if roles.Valid && roles.String != "" {
				for _, r := range strings.Fields(roles.String) {
					p.FederationRoles = append(p.FederationRoles, concord.FederationRole(r))
				}
				slices.Sort(p.FederationRoles)
			}
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
		return db.dialect.mapError(err)
	}
	flush()
	return nil
}

// actorSQL puts the dialect's string aggregate and list membership into an actor query.
func (db *DB) actorSQL(query string) string {
	agg, in := "group_concat(r.role, ' ')", "IN (SELECT value FROM json_each(?))"
	if db.dialect.name() == "postgres" {
		agg, in = "string_agg(r.role, ' ')", "= ANY(?)"
	}
	query = strings.Replace(query, "ROLES_AGG", agg, 1)
	return db.dialect.rebind(strings.Replace(query, "IN_HASHES", in, 1))
}
