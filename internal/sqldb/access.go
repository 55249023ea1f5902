package sqldb

import (
	"time"

	"concord"
)

const invitationColumns = `id, org_id, role, email, display_name, language, valid_from, valid_until, reference, created_by, created_at, expires_at, accepted_at, person_id`

// InsertInvitation stores an invitation with the hash of its secret.
func (tx *Tx) InsertInvitation(inv *concord.Invitation, tokenHash string) error {
	_, err := tx.exec(`INSERT INTO invitations (token_hash, `+invitationColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		tokenHash, inv.ID, inv.OrgID, string(inv.Role), inv.Email, inv.DisplayName, inv.Language, Date(inv.ValidFrom),
		datePtr(inv.ValidUntil), inv.Reference, nullString(inv.CreatedBy), inv.CreatedAt, inv.ExpiresAt, inv.AcceptedAt, nullString(inv.PersonID))
	return err
}

// GetInvitationByToken returns the invitation whose secret hashes to tokenHash.
func (tx *Tx) GetInvitationByToken(tokenHash string) (*concord.Invitation, error) {
	invs, err := tx.listInvitations(`WHERE token_hash = ?`, tokenHash)
	if err != nil {
		return nil, err
	}
	if len(invs) == 0 {
		return nil, notFound("invitation")
	}
	return &invs[0], nil
}

// GetInvitation returns an invitation by ID.
func (tx *Tx) GetInvitation(id string) (*concord.Invitation, error) {
	invs, err := tx.listInvitations(`WHERE id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(invs) == 0 {
		return nil, notFound("invitation")
	}
	return &invs[0], nil
}

// ExpireInvitation ends an open invitation's link at once (a cancellation). It fails with
// not found when the invitation was already used or has expired.
func (tx *Tx) ExpireInvitation(id string, at time.Time) error {
	res, err := tx.exec(`UPDATE invitations SET expires_at = ? WHERE id = ? AND accepted_at IS NULL AND expires_at > ?`, at, id, at)
	return mustAffect(res, err, "open invitation")
}

// ListInvitations returns an organization's invitations, newest first.
func (tx *Tx) ListInvitations(orgID string) ([]concord.Invitation, error) {
	return tx.listInvitations(`WHERE org_id = ? ORDER BY created_at DESC, id`, orgID)
}

// AcceptInvitation marks an invitation used by personID. It fails with not found when the
// invitation was already used or has expired, so a link works exactly once.
func (tx *Tx) AcceptInvitation(id, personID string, at time.Time) error {
	res, err := tx.exec(`UPDATE invitations SET accepted_at = ?, person_id = ? WHERE id = ? AND accepted_at IS NULL AND expires_at > ?`,
		at, personID, id, at)
	return mustAffect(res, err, "invitation")
}

func (tx *Tx) listInvitations(tail string, args ...any) ([]concord.Invitation, error) {
	rows, err := tx.query(`SELECT `+invitationColumns+` FROM invitations `+tail, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []concord.Invitation
	for rows.Next() {
		var inv concord.Invitation
		if err := rows.Scan(&inv.ID, &inv.OrgID, &inv.Role, &inv.Email, &inv.DisplayName, &inv.Language, timeCol{&inv.ValidFrom},
			nullTimeCol{&inv.ValidUntil}, &inv.Reference, stringCol{&inv.CreatedBy}, timeCol{&inv.CreatedAt}, timeCol{&inv.ExpiresAt},
			nullTimeCol{&inv.AcceptedAt}, stringCol{&inv.PersonID}); err != nil {
			return nil, tx.scanErr(err, "invitation")
		}
		out = append(out, inv)
	}
	return out, tx.scanErr(rows.Err(), "invitation")
}

// InsertSession stores a new session.
func (tx *Tx) InsertSession(s *concord.Session) error {
	_, err := tx.exec(`INSERT INTO sessions (id, person_id, created_at, last_seen_at, expires_at, user_agent, ip) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		s.ID, s.PersonID, s.CreatedAt, s.LastSeenAt, s.ExpiresAt, s.UserAgent, s.IP)
	return err
}

// TouchSession extends a session's life after use.
func (tx *Tx) TouchSession(id string, now, expires time.Time) error {
	_, err := tx.exec(`UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE id = ?`, now, expires, id)
	return err
}

// ListSessions returns a person's live sessions, most recently used first.
func (tx *Tx) ListSessions(personID string, now time.Time) ([]concord.Session, error) {
	return tx.listSessions(`WHERE person_id = ? AND expires_at > ? ORDER BY last_seen_at DESC`, personID, now)
}

// DeleteSession removes one session of a person (logout or revocation).
func (tx *Tx) DeleteSession(personID, id string) error {
	res, err := tx.exec(`DELETE FROM sessions WHERE id = ? AND person_id = ?`, id, personID)
	return mustAffect(res, err, "session")
}

// DeleteOtherSessions removes every session of a person except keepID (after a password change).
func (tx *Tx) DeleteOtherSessions(personID, keepID string) error {
	_, err := tx.exec(`DELETE FROM sessions WHERE person_id = ? AND id <> ?`, personID, keepID)
	return err
}

// DeleteExpiredSessions removes sessions that expired before now.
func (tx *Tx) DeleteExpiredSessions(now time.Time) (int64, error) {
	res, err := tx.exec(`DELETE FROM sessions WHERE expires_at <= ?`, now)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (tx *Tx) listSessions(tail string, args ...any) ([]concord.Session, error) {
	rows, err := tx.query(`SELECT id, person_id, created_at, last_seen_at, expires_at, user_agent, ip FROM sessions `+tail, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []concord.Session
	for rows.Next() {
		var s concord.Session
		if err := rows.Scan(&s.ID, &s.PersonID, timeCol{&s.CreatedAt}, timeCol{&s.LastSeenAt}, timeCol{&s.ExpiresAt}, &s.UserAgent, &s.IP); err != nil {
			return nil, tx.scanErr(err, "session")
		}
		out = append(out, s)
	}
	return out, tx.scanErr(rows.Err(), "session")
}

// InsertAPIToken stores a new API token with the hash of its secret.
func (tx *Tx) InsertAPIToken(t *concord.APIToken, tokenHash string) error {
	_, err := tx.exec(`INSERT INTO api_tokens (id, token_hash, person_id, name, created_at) VALUES (?, ?, ?, ?, ?)`,
		t.ID, tokenHash, t.PersonID, t.Name, t.CreatedAt)
	return err
}

// TouchAPIToken records a token's last use.
func (tx *Tx) TouchAPIToken(id string, at time.Time) error {
	_, err := tx.exec(`UPDATE api_tokens SET last_used_at = ? WHERE id = ?`, at, id)
	return err
}

// RevokeAPIToken revokes one of a person's tokens.
func (tx *Tx) RevokeAPIToken(personID, id string, at time.Time) error {
	res, err := tx.exec(`UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND person_id = ? AND revoked_at IS NULL`, at, id, personID)
	return mustAffect(res, err, "token")
}

// ListAPITokens returns a person's unrevoked tokens, newest first.
func (tx *Tx) ListAPITokens(personID string) ([]concord.APIToken, error) {
	return tx.listTokens(`WHERE person_id = ? AND revoked_at IS NULL ORDER BY created_at DESC`, personID)
}

func (tx *Tx) listTokens(tail string, args ...any) ([]concord.APIToken, error) {
	rows, err := tx.query(`SELECT id, person_id, name, created_at, last_used_at, revoked_at FROM api_tokens `+tail, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []concord.APIToken
	for rows.Next() {
		var t concord.APIToken
		if err := rows.Scan(&t.ID, &t.PersonID, &t.Name, timeCol{&t.CreatedAt}, nullTimeCol{&t.LastUsedAt}, nullTimeCol{&t.RevokedAt}); err != nil {
			return nil, tx.scanErr(err, "token")
		}
		out = append(out, t)
	}
	return out, tx.scanErr(rows.Err(), "token")
}
