package sqldb

import (
	"time"

	"concord"
)

const personColumns = `id, login, display_name, email, language, time_zone, created_at, disabled_at`

func (tx *Tx) scanPeople(query string, args ...any) ([]*concord.Person, error) {
	rows, err := tx.query(query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*concord.Person
	for rows.Next() {
		var p concord.Person
		if err := rows.Scan(&p.ID, &p.Login, &p.DisplayName, &p.Email, &p.Language, &p.TimeZone,
			timeCol{&p.CreatedAt}, nullTimeCol{&p.DisabledAt}); err != nil {
			return nil, tx.scanErr(err, "person")
		}
		out = append(out, &p)
	}
	if err := rows.Err(); err != nil {
		return nil, tx.scanErr(err, "person")
	}
	return out, tx.loadRoles(out)
}

func (tx *Tx) loadRoles(people []*concord.Person) error {
	if len(people) == 0 {
		return nil
	}
	byID := map[string]*concord.Person{}
	args := make([]any, len(people))
	for i, p := range people {
		byID[p.ID] = p
		args[i] = p.ID
	}
	rows, err := tx.query(`SELECT person_id, role FROM person_roles WHERE person_id IN (`+placeholders(len(args))+`) ORDER BY role`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var role concord.FederationRole
		if err := rows.Scan(&id, &role); err != nil {
			return err
		}
		byID[id].FederationRoles = append(byID[id].FederationRoles, role)
	}
	return rows.Err()
}

func (tx *Tx) onePerson(query string, args ...any) (*concord.Person, error) {
	ps, err := tx.scanPeople(query, args...)
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, notFound("person")
	}
	return ps[0], nil
}

// InsertPerson stores a new person with a password hash ("" for none yet) and their
// federation roles.
func (tx *Tx) InsertPerson(p *concord.Person, passwordHash string) error {
	if _, err := tx.exec(`INSERT INTO people (id, login, display_name, email, language, time_zone, password_hash, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, p.ID, p.Login, p.DisplayName, p.Email, p.Language, p.TimeZone, passwordHash, p.CreatedAt); err != nil {
		return err
	}
	return tx.SetFederationRoles(p.ID, p.FederationRoles)
}

// UpdatePerson stores a person's profile (display name, email, language, time zone).
func (tx *Tx) UpdatePerson(p *concord.Person) error {
	res, err := tx.exec(`UPDATE people SET display_name = ?, email = ?, language = ?, time_zone = ? WHERE id = ?`,
		p.DisplayName, p.Email, p.Language, p.TimeZone, p.ID)
	return mustAffect(res, err, "person")
}

// SetFederationRoles replaces a person's federation roles.
func (tx *Tx) SetFederationRoles(personID string, roles []concord.FederationRole) error {
	if _, err := tx.exec(`DELETE FROM person_roles WHERE person_id = ?`, personID); err != nil {
		return err
	}
	for _, r := range roles {
		if _, err := tx.exec(`INSERT INTO person_roles (person_id, role) VALUES (?, ?)`, personID, string(r)); err != nil {
			return err
		}
	}
	return nil
}

// SetPasswordHash replaces a person's password hash.
func (tx *Tx) SetPasswordHash(personID, hash string) error {
	res, err := tx.exec(`UPDATE people SET password_hash = ? WHERE id = ?`, hash, personID)
	return mustAffect(res, err, "person")
}

// PasswordHash returns the stored password hash of a person ("" when none is set).
func (tx *Tx) PasswordHash(personID string) (string, error) {
	var h string
	err := tx.queryRow(`SELECT password_hash FROM people WHERE id = ?`, personID).Scan(&h)
	return h, tx.scanErr(err, "person")
}

// GetPerson returns one person.
func (tx *Tx) GetPerson(id string) (*concord.Person, error) {
	return tx.onePerson(`SELECT `+personColumns+` FROM people WHERE id = ?`, id)
}

// GetPersonByLogin returns the person with a login name.
func (tx *Tx) GetPersonByLogin(login string) (*concord.Person, error) {
	return tx.onePerson(`SELECT `+personColumns+` FROM people WHERE login = ?`, login)
}

// ListPeople returns every person, or those with a current or past mandate in orgID.
func (tx *Tx) ListPeople(orgID string) ([]*concord.Person, error) {
	if orgID == "" {
		return tx.scanPeople(`SELECT ` + personColumns + ` FROM people ORDER BY display_name, id`)
	}
	return tx.scanPeople(`SELECT `+personColumns+` FROM people WHERE id IN (SELECT person_id FROM mandates WHERE org_id = ?) ORDER BY display_name, id`, orgID)
}

// CountFederationRole counts people holding a federation role.
func (tx *Tx) CountFederationRole(role concord.FederationRole) (int, error) {
	var n int
	err := tx.queryRow(`SELECT count(*) FROM person_roles WHERE role = ?`, string(role)).Scan(&n)
	return n, tx.scanErr(err, "role")
}

const mandateColumns = `id, person_id, org_id, role, valid_from, valid_until, reference, created_by, created_at, revoked_at, revoked_by`

// InsertMandate stores a new mandate.
func (tx *Tx) InsertMandate(m *concord.Mandate) error {
	_, err := tx.exec(`INSERT INTO mandates (`+mandateColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		m.ID, m.PersonID, m.OrgID, string(m.Role), Date(m.ValidFrom), datePtr(m.ValidUntil), m.Reference,
		nullString(m.CreatedBy), m.CreatedAt, m.RevokedAt, nullString(m.RevokedBy))
	return err
}

// UpdateMandate stores a mandate's period and reference.
func (tx *Tx) UpdateMandate(m *concord.Mandate) error {
	res, err := tx.exec(`UPDATE mandates SET role = ?, valid_from = ?, valid_until = ?, reference = ? WHERE id = ? AND revoked_at IS NULL`,
		string(m.Role), Date(m.ValidFrom), datePtr(m.ValidUntil), m.Reference, m.ID)
	return mustAffect(res, err, "mandate")
}

// RevokeMandate ends a mandate now; revoking twice is not found.
func (tx *Tx) RevokeMandate(id, by string, at time.Time) error {
	res, err := tx.exec(`UPDATE mandates SET revoked_at = ?, revoked_by = ? WHERE id = ? AND revoked_at IS NULL`, at, nullString(by), id)
	return mustAffect(res, err, "mandate")
}

// GetMandate returns one mandate.
func (tx *Tx) GetMandate(id string) (*concord.Mandate, error) {
	ms, err := tx.listMandates(`WHERE id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(ms) == 0 {
		return nil, notFound("mandate")
	}
	return &ms[0], nil
}

// ListMandates returns the mandates of a person (personID set) or of an organization (orgID
// set), newest first, including ended and revoked ones.
func (tx *Tx) ListMandates(personID, orgID string) ([]concord.Mandate, error) {
	switch {
	case personID != "" && orgID != "":
		return tx.listMandates(`WHERE person_id = ? AND org_id = ? ORDER BY valid_from DESC, id`, personID, orgID)
	case personID != "":
		return tx.listMandates(`WHERE person_id = ? ORDER BY valid_from DESC, id`, personID)
	case orgID != "":
		return tx.listMandates(`WHERE org_id = ? ORDER BY valid_from DESC, id`, orgID)
	}
	return tx.listMandates(`ORDER BY valid_from DESC, id`)
}

// CurrentMandates returns a person's mandates in force at t.
func (tx *Tx) CurrentMandates(personID string, at time.Time) ([]concord.Mandate, error) {
	all, err := tx.listMandates(`WHERE person_id = ? AND revoked_at IS NULL ORDER BY valid_from, id`, personID)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, m := range all {
		if m.CurrentAt(at) {
			out = append(out, m)
		}
	}
	return out, nil
}

func (tx *Tx) listMandates(tail string, args ...any) ([]concord.Mandate, error) {
	rows, err := tx.query(`SELECT `+mandateColumns+` FROM mandates `+tail, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []concord.Mandate
	for rows.Next() {
		var m concord.Mandate
		if err := rows.Scan(&m.ID, &m.PersonID, &m.OrgID, &m.Role, timeCol{&m.ValidFrom}, nullTimeCol{&m.ValidUntil},
			&m.Reference, stringCol{&m.CreatedBy}, timeCol{&m.CreatedAt}, nullTimeCol{&m.RevokedAt}, stringCol{&m.RevokedBy}); err != nil {
			return nil, tx.scanErr(err, "mandate")
		}
		out = append(out, m)
	}
	return out, tx.scanErr(rows.Err(), "mandate")
}

// LockSetup serializes first-admin setup: on PostgreSQL it takes a transaction-scoped
// advisory lock; SQLite transactions here are already serialized by the single writer.
func (tx *Tx) LockSetup() error {
	if tx.dialect.name() != "postgres" {
		return nil
	}
	_, err := tx.exec(`SELECT pg_advisory_xact_lock(7201)`)
	return err
}
