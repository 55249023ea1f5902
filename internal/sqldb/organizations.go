package sqldb

import (
	"encoding/json"
	"strings"
	"time"

	"concord"
)

const orgColumns = `id, name, name_lang, names, abbreviation, country, region, website, description, email, status, member_since, created_at, updated_at`

func scanOrg(scan func(...any) error) (*concord.Organization, error) {
	var o concord.Organization
	var names string
	if err := scan(&o.ID, &o.Name, &o.NameLang, &names, &o.Abbreviation, &o.Country, &o.Region, &o.Website,
		&o.Description, &o.Email, &o.Status, nullTimeCol{&o.MemberSince}, timeCol{&o.CreatedAt}, timeCol{&o.UpdatedAt}); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(names), &o.Names); err != nil {
		return nil, err
	}
	if o.Names == nil {
		o.Names = map[string]string{}
	}
	return &o, nil
}

func marshalNames(m map[string]string) string {
	if len(m) == 0 {
		return "{}"
	}
	b, _ := json.Marshal(m) // a map[string]string always marshals
	return string(b)
}

// InsertOrganization stores a new organization.
func (tx *Tx) InsertOrganization(o *concord.Organization) error {
	_, err := tx.exec(`INSERT INTO organizations (`+orgColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		o.ID, o.Name, o.NameLang, marshalNames(o.Names), o.Abbreviation, o.Country, o.Region, o.Website,
		o.Description, o.Email, string(o.Status), datePtr(o.MemberSince), o.CreatedAt, o.UpdatedAt)
	return err
}

// UpdateOrganization stores an organization's editable profile fields.
func (tx *Tx) UpdateOrganization(o *concord.Organization) error {
	res, err := tx.exec(`UPDATE organizations SET name = ?, name_lang = ?, names = ?, abbreviation = ?, country = ?, region = ?,
		website = ?, description = ?, email = ?, updated_at = ? WHERE id = ?`,
		o.Name, o.NameLang, marshalNames(o.Names), o.Abbreviation, o.Country, o.Region, o.Website, o.Description, o.Email, o.UpdatedAt, o.ID)
	return mustAffect(res, err, "organization")
}

// GetOrganization returns one organization.
func (tx *Tx) GetOrganization(id string) (*concord.Organization, error) {
	o, err := scanOrg(tx.queryRow(`SELECT `+orgColumns+` FROM organizations WHERE id = ?`, id).Scan)
	if err != nil {
		return nil, tx.scanErr(err, "organization")
	}
	return o, nil
}

// OrgFilter selects organizations for the member list.
type OrgFilter struct {
	Status  []concord.OrgStatus
	Region  string
	Country string
	Query   string // substring of a name or abbreviation
	IDs     []string
	Limit   int
	Offset  int
}

// ListOrganizations returns organizations matching f, ordered by country then name.
func (tx *Tx) ListOrganizations(f OrgFilter) ([]*concord.Organization, error) {
	var where []string
	var args []any
	if len(f.Status) > 0 {
		where = append(where, "status IN ("+placeholders(len(f.Status))+")")
		for _, s := range f.Status {
			args = append(args, string(s))
		}
	}
	if f.Region != "" {
		where = append(where, "region = ?")
		args = append(args, f.Region)
	}
	if f.Country != "" {
		where = append(where, "country = ?")
		args = append(args, f.Country)
	}
	if len(f.IDs) > 0 {
		where = append(where, "id IN ("+placeholders(len(f.IDs))+")")
		for _, id := range f.IDs {
			args = append(args, id)
		}
	}
	if f.Query != "" {
		where = append(where, "(lower(name) LIKE ? ESCAPE '\\' OR lower(abbreviation) LIKE ? ESCAPE '\\' OR lower(names) LIKE ? ESCAPE '\\')")
		q := "%" + escapeLike(strings.ToLower(f.Query)) + "%"
		args = append(args, q, q, q)
	}
	query := `SELECT ` + orgColumns + ` FROM organizations`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY country, name, id"
	query += limitOffset(f.Limit, f.Offset, &args)
	rows, err := tx.query(query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*concord.Organization
	for rows.Next() {
		o, err := scanOrg(rows.Scan)
		if err != nil {
			return nil, tx.scanErr(err, "organization")
		}
		out = append(out, o)
	}
	return out, tx.scanErr(rows.Err(), "organization")
}

// InsertStatusChange appends a status history entry and sets the organization's current
// status and derived member-since date.
func (tx *Tx) InsertStatusChange(c *concord.StatusChange, memberSince *time.Time) error {
	if _, err := tx.exec(`INSERT INTO org_status_changes (id, org_id, from_status, to_status, effective_on, decided_by, note, recorded_by, recorded_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.OrgID, string(c.From), string(c.To), Date(c.EffectiveOn), c.DecidedBy, c.Note, nullString(c.RecordedBy), c.RecordedAt); err != nil {
		return err
	}
	res, err := tx.exec(`UPDATE organizations SET status = ?, member_since = ?, updated_at = ? WHERE id = ?`,
		string(c.To), datePtr(memberSince), c.RecordedAt, c.OrgID)
	return mustAffect(res, err, "organization")
}

// ListStatusChanges returns an organization's status history, oldest first.
func (tx *Tx) ListStatusChanges(orgID string) ([]concord.StatusChange, error) {
	rows, err := tx.query(`SELECT id, org_id, from_status, to_status, effective_on, decided_by, note, recorded_by, recorded_at
		FROM org_status_changes WHERE org_id = ? ORDER BY effective_on, recorded_at, id`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []concord.StatusChange
	for rows.Next() {
		var c concord.StatusChange
		if err := rows.Scan(&c.ID, &c.OrgID, &c.From, &c.To, timeCol{&c.EffectiveOn}, &c.DecidedBy, &c.Note,
			stringCol{&c.RecordedBy}, timeCol{&c.RecordedAt}); err != nil {
			return nil, tx.scanErr(err, "status change")
		}
		out = append(out, c)
	}
	return out, tx.scanErr(rows.Err(), "status change")
}

// GetFederation returns the federation's settings.
func (tx *Tx) GetFederation() (*concord.Federation, error) {
	var f concord.Federation
	var names, langs string
	err := tx.queryRow(`SELECT name, names, languages, default_language, time_zone, founded_on FROM federation WHERE id = 1`).
		Scan(&f.Name, &names, &langs, &f.DefaultLanguage, &f.TimeZone, nullTimeCol{&f.FoundedOn})
	if err != nil {
		return nil, tx.scanErr(err, "federation")
	}
	if err := json.Unmarshal([]byte(names), &f.Names); err != nil {
		return nil, err
	}
	f.Languages = strings.Split(langs, ",")
	return &f, nil
}

// PutFederation creates or replaces the federation's settings.
func (tx *Tx) PutFederation(f *concord.Federation) error {
	_, err := tx.exec(`INSERT INTO federation (id, name, names, languages, default_language, time_zone, founded_on)
		VALUES (1, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, names = excluded.names, languages = excluded.languages,
		default_language = excluded.default_language, time_zone = excluded.time_zone, founded_on = excluded.founded_on`,
		f.Name, marshalNames(f.Names), strings.Join(f.Languages, ","), f.DefaultLanguage, f.TimeZone, datePtr(f.FoundedOn))
	return err
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func limitOffset(limit, offset int, args *[]any) string {
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	*args = append(*args, limit, max(offset, 0))
	return " LIMIT ? OFFSET ?"
}

func mustAffect(res interface{ RowsAffected() (int64, error) }, err error, what string) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return notFound(what)
	}
	return nil
}
