// Package demo loads a fictional federation for trying Concord: sixteen organizations on
// four continents with names in their own scripts, a few people each with mandates, and
// federation staff. Every demo account has the password Password.
package demo

import (
	"context"
	"fmt"
	"time"

	"concord"
	"concord/internal/auth"
	"concord/internal/sqldb"
)

// Password is the password of every demo account. It is printed at start and in the README.
const Password = "concord-demo"

// Login is one demo account, for printing.
type Login struct {
	Login string
	Role  string // e.g. "federation admin" or "org admin, Bund für internationale Solidarität"
}

type orgSpec struct {
	name, lang, en, abbr, country string
	status                        concord.OrgStatus
	since                         string // member since (or application date for applicants)
	left                          string // for former members: the date they left
	people                        []personSpec
	description                   string
}

type personSpec struct {
	login, display, lang, tz string
	role                     concord.Role
}

var orgs = []orgSpec{
	{"اتحاد العمال الديمقراطي", "ar", "Democratic Workers' Union", "UTD", "TN", concord.StatusMember, "2011-10-23", "", []personSpec{
		{"leila", "Leila", "ar", "Africa/Tunis", concord.RoleOrgAdmin}, {"karim", "Karim", "ar", "Africa/Tunis", concord.RoleDelegate}},
		"Trade unionists and students from Tunis, Sfax and Gafsa."},
	{"Rassemblement des Travailleurs pour la Solidarité", "fr", "Workers' Rally for Solidarity", "RTS", "SN", concord.StatusMember, "2016-12-10", "", []personSpec{
		{"amara", "Amara", "fr", "Africa/Dakar", concord.RoleOrgAdmin}, {"moussa", "Moussa", "fr", "Africa/Dakar", concord.RoleDelegate}},
		"Dockers, fishers and market traders of Dakar and Saint-Louis."},
	{"Kenya Workers' Solidarity League", "en", "", "KWSL", "KE", concord.StatusMember, "2014-03-08", "", []personSpec{
		{"wanjiru", "Wanjiru", "en", "Africa/Nairobi", concord.RoleOrgAdmin}, {"otieno", "Otieno", "en", "Africa/Nairobi", concord.RoleDelegate}}, ""},
	{"People's Unity Movement", "en", "", "PUM", "ZA", concord.StatusSuspended, "2012-05-01", "", []personSpec{
		{"thabo", "Thabo", "en", "Africa/Johannesburg", concord.RoleOrgAdmin}}, ""},
	{"سازمان همبستگی کارگران", "fa", "Workers' Solidarity Organization", "SHK", "IR", concord.StatusMember, "2011-10-23", "", []personSpec{
		{"shirin", "Shirin (pseudonym)", "fa", "Asia/Tehran", concord.RoleOrgAdmin}, {"dariush", "D.", "fa", "Asia/Tehran", concord.RoleDelegate},
		{"nasrin", "Nasrin", "fa", "Europe/Berlin", concord.RoleTranslator}},
		"Works in exile and at home; members' names are withheld for their protection."},
	{"Emek ve Dayanışma Derneği", "tr", "Labour and Solidarity Association", "EDD", "TR", concord.StatusMember, "2017-06-15", "", []personSpec{
		{"deniz", "Deniz", "tr", "Europe/Istanbul", concord.RoleOrgAdmin}, {"elif", "Elif", "tr", "Europe/Istanbul", concord.RoleDelegate}}, ""},
	{"श्रमिक एकता मंच", "hi", "Workers' Unity Forum", "SEM", "IN", concord.StatusMember, "2019-01-26", "", []personSpec{
		{"priya", "Priya", "hi", "Asia/Kolkata", concord.RoleOrgAdmin}, {"arjun", "Arjun", "hi", "Asia/Kolkata", concord.RoleDelegate}}, ""},
	{"শ্রমিক সংহতি পরিষদ", "bn", "Workers' Solidarity Council", "SSP", "BD", concord.StatusMember, "2022-02-21", "", []personSpec{
		{"rahim", "Rahim", "bn", "Asia/Dhaka", concord.RoleOrgAdmin}}, ""},
	{"Samahan ng Manggagawang Nagkakaisa", "tl", "Association of United Workers", "SMN", "PH", concord.StatusMember, "2021-05-01", "", []personSpec{
		{"maria", "Maria", "en", "Asia/Manila", concord.RoleOrgAdmin}}, ""},
	{"Союз рабочих за солидарность", "ru", "Union of Workers for Solidarity", "СРС", "RU", concord.StatusMember, "2013-11-07", "", []personSpec{
		{"olga", "Olga", "ru", "Europe/Moscow", concord.RoleOrgAdmin}, {"ivan", "Ivan", "ru", "Asia/Novosibirsk", concord.RoleDelegate}}, ""},
	{"Bund für internationale Solidarität", "de", "League for International Solidarity", "BiS", "DE", concord.StatusMember, "2011-10-23", "", []personSpec{
		{"jonas", "Jonas", "de", "Europe/Berlin", concord.RoleOrgAdmin}, {"lena", "Lena", "de", "Europe/Berlin", concord.RoleDelegate},
		{"sofia", "Sofia", "es", "Europe/Berlin", concord.RoleTranslator}},
		"Hosts the federation's secretariat."},
	{"Ένωση Εργαζομένων για την Αλληλεγγύη", "el", "Union of Working People for Solidarity", "ΕΕΑ", "GR", concord.StatusFormer, "2012-09-01", "2020-06-30", nil, ""},
	{"Movimiento Popular de Trabajadores", "es", "Popular Workers' Movement", "MPT", "CO", concord.StatusMember, "2015-07-20", "", []personSpec{
		{"camila", "Camila", "es", "America/Bogota", concord.RoleOrgAdmin}, {"andres", "Andrés", "es", "America/Bogota", concord.RoleDelegate}}, ""},
	{"Frente de Mujeres Trabajadoras", "es", "Working Women's Front", "FMT", "MX", concord.StatusMember, "2018-03-08", "", []personSpec{
		{"guadalupe", "Guadalupe", "es", "America/Mexico_City", concord.RoleOrgAdmin}}, ""},
	{"Movimento Operário de Solidariedade", "pt", "Workers' Solidarity Movement", "MOS", "BR", concord.StatusMember, "2020-11-20", "", []personSpec{
		{"joao", "João", "en", "America/Sao_Paulo", concord.RoleOrgAdmin}}, ""},
	{"Unión de Jóvenes Trabajadores", "es", "Union of Young Workers", "UJT", "PE", concord.StatusApplicant, "2026-10-02", "", nil,
		"Applied after the continental conference of the Americas."},
}

// staff are the federation's own roles.
var staff = []struct {
	login, display, lang string
	role                 concord.FederationRole
}{
	{"admin", "Federation admin", "en", concord.FedAdmin},
	{"coordinator", "Main coordinator", "es", concord.FedCoordinator},
	{"secretariat", "Secretariat", "de", concord.FedSecretariat},
}

// Logins lists every demo account, staff first.
func Logins() []Login {
	var out []Login
	for _, s := range staff {
		out = append(out, Login{s.login, "federation " + string(s.role)})
	}
	for _, o := range orgs {
		for _, p := range o.people {
			out = append(out, Login{p.login, string(p.role) + ", " + o.abbr + " (" + o.country + ")"})
		}
	}
	return out
}

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err) // the table above is fixed; a typo is a programming error
	}
	return t
}

// Load fills an empty database with the demo federation: the registry in one transaction,
// then the documents through the documents service. It does nothing and returns false when
// the database already has organizations or people.
func Load(ctx context.Context, db *sqldb.DB, clock concord.Clock, params auth.PasswordParams) (bool, error) {
	loaded, err := loadRegistry(ctx, db, clock, params)
	if err != nil || !loaded {
		return loaded, err
	}
	return true, loadDocuments(ctx, db, auth.NewService(db, clock, params), clock)
}

func loadRegistry(ctx context.Context, db *sqldb.DB, clock concord.Clock, params auth.PasswordParams) (bool, error) {
	now := clock.Now()
	hash := auth.HashPassword(Password, params)
	loaded := false
	err := db.WithTx(ctx, func(tx *sqldb.Tx) error {
		existing, err := tx.ListOrganizations(sqldb.OrgFilter{Limit: 1})
		if err != nil {
			return err
		}
		people, err := tx.ListPeople("")
		if err != nil {
			return err
		}
		if len(existing) > 0 || len(people) > 0 {
			return nil
		}
		founded := day("2011-10-23")
		if err := tx.PutFederation(&concord.Federation{Name: "International Solidarity Federation",
			Names: map[string]string{"de": "Internationale Solidaritätsföderation", "es": "Federación Internacional de Solidaridad",
				"fr": "Fédération internationale de solidarité", "ru": "Международная федерация солидарности",
				"tr": "Uluslararası Dayanışma Federasyonu", "fa": "فدراسیون بین‌المللی همبستگی", "ar": "الاتحاد الدولي للتضامن"},
			Languages: []string{"en", "es", "de", "fr", "ru"}, DefaultLanguage: "en", TimeZone: "UTC", FoundedOn: &founded}); err != nil {
			return err
		}
		var adminID string
		for _, s := range staff {
			p := &concord.Person{ID: concord.NewID(now), Login: s.login, DisplayName: s.display, Language: s.lang, TimeZone: "UTC",
				FederationRoles: []concord.FederationRole{s.role}, CreatedAt: now}
			if err := tx.InsertPerson(p, hash); err != nil {
				return fmt.Errorf("demo person %s: %w", s.login, err)
			}
			if s.role == concord.FedAdmin {
				adminID = p.ID
			}
		}
		for _, spec := range orgs {
			if err := loadOrg(tx, now, adminID, hash, spec); err != nil {
				return fmt.Errorf("demo organization %s: %w", spec.abbr, err)
			}
		}
		loaded = true
		return tx.InsertAuditEvent(&concord.AuditEvent{ID: concord.NewID(now), At: now, Action: "demo.load", TargetType: "federation", TargetID: "1"})
	})
	return loaded, err
}

func loadOrg(tx *sqldb.Tx, now time.Time, adminID, hash string, spec orgSpec) error {
	region, _ := concord.RegionOf(spec.country)
	o := &concord.Organization{ID: concord.NewID(now), Name: spec.name, NameLang: spec.lang, Names: map[string]string{},
		Abbreviation: spec.abbr, Country: spec.country, Region: region, Description: spec.description,
		Status: concord.StatusApplicant, CreatedAt: now, UpdatedAt: now}
	if spec.en != "" {
		o.Names["en"] = spec.en
	}
	if err := o.Validate(); err != nil {
		return err
	}
	if err := tx.InsertOrganization(o); err != nil {
		return err
	}
	start := day(spec.since)
	history := []concord.StatusChange{{To: concord.StatusApplicant, EffectiveOn: start.AddDate(0, -3, 0), Note: "Application received"}}
	if spec.status != concord.StatusApplicant {
		history = append(history, concord.StatusChange{From: concord.StatusApplicant, To: concord.StatusMember, EffectiveOn: start,
			DecidedBy: "Coordinating Committee"})
	} else {
		history[0].EffectiveOn = start
	}
	switch spec.status {
	case concord.StatusSuspended:
		history = append(history, concord.StatusChange{From: concord.StatusMember, To: concord.StatusSuspended,
			EffectiveOn: day("2025-04-01"), DecidedBy: "Coordinating Committee", Note: "Contributions unpaid for three years"})
	case concord.StatusFormer:
		history = append(history, concord.StatusChange{From: concord.StatusMember, To: concord.StatusFormer,
			EffectiveOn: day(spec.left), DecidedBy: "World Conference", Note: "Left at its own request"})
	}
	for i := range history {
		c := &history[i]
		c.ID, c.OrgID, c.RecordedBy, c.RecordedAt = concord.NewID(now), o.ID, adminID, now
		if err := tx.InsertStatusChange(c, concord.MemberSince(history[:i+1])); err != nil {
			return err
		}
	}
	for _, ps := range spec.people {
		p := &concord.Person{ID: concord.NewID(now), Login: ps.login, DisplayName: ps.display, Language: ps.lang, TimeZone: ps.tz, CreatedAt: now}
		if err := tx.InsertPerson(p, hash); err != nil {
			return err
		}
		if err := tx.InsertMandate(&concord.Mandate{ID: concord.NewID(now), PersonID: p.ID, OrgID: o.ID, Role: ps.role,
			ValidFrom: day("2024-01-01"), Reference: "Letter of the " + spec.abbr + " leadership", CreatedBy: adminID, CreatedAt: now}); err != nil {
			return err
		}
	}
	return nil
}
