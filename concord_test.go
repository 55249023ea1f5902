package concord_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"concord"
)

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestMemberSince(t *testing.T) {
	t.Parallel()
	ch := func(to concord.OrgStatus, on string) concord.StatusChange {
		return concord.StatusChange{To: to, EffectiveOn: day(on)}
	}
	tests := []struct {
		name    string
		history []concord.StatusChange
		want    string
	}{
		{"never admitted", []concord.StatusChange{ch(concord.StatusApplicant, "2020-01-01")}, ""},
		{"admitted", []concord.StatusChange{ch(concord.StatusApplicant, "2020-01-01"), ch(concord.StatusMember, "2020-03-08")}, "2020-03-08"},
		{"suspension keeps the date", []concord.StatusChange{ch(concord.StatusMember, "2011-10-23"), ch(concord.StatusSuspended, "2019-01-01"),
			ch(concord.StatusMember, "2020-01-01")}, "2011-10-23"},
		{"leaving ends it", []concord.StatusChange{ch(concord.StatusMember, "2011-10-23"), ch(concord.StatusFormer, "2015-01-01")}, ""},
		{"readmission starts anew", []concord.StatusChange{ch(concord.StatusMember, "2011-10-23"), ch(concord.StatusFormer, "2015-01-01"),
			ch(concord.StatusMember, "2018-05-01")}, "2018-05-01"},
		{"reapplying ends it", []concord.StatusChange{ch(concord.StatusMember, "2011-10-23"), ch(concord.StatusFormer, "2015-01-01"),
			ch(concord.StatusApplicant, "2018-05-01")}, ""},
	}
	for _, tc := range tests {
		got := ""
		if s := concord.MemberSince(tc.history); s != nil {
			got = s.Format("2006-01-02")
		}
		if got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestStatusTransitions(t *testing.T) {
	t.Parallel()
	allowed := map[[2]concord.OrgStatus]bool{
		{"applicant", "member"}: true, {"applicant", "rejected"}: true, {"member", "suspended"}: true, {"member", "former"}: true,
		{"suspended", "member"}: true, {"suspended", "former"}: true, {"former", "applicant"}: true, {"former", "member"}: true,
		{"rejected", "applicant"}: true,
	}
	for _, from := range concord.Statuses() {
		for _, to := range concord.Statuses() {
			if got := from.CanBecome(to); got != allowed[[2]concord.OrgStatus{from, to}] {
				t.Errorf("%s → %s: %v", from, to, got)
			}
		}
	}
}

func TestJubilees(t *testing.T) {
	t.Parallel()
	starts := map[string]time.Time{"": day("2011-10-23"), "a": day("2016-12-10"), "b": day("2022-02-21"), "c": day("2024-01-01")}
	names := map[string]string{"": "Federation", "a": "A", "b": "B", "c": "C"}
	got := concord.Jubilees(starts, names, day("2026-11-28"), 365*24*time.Hour, 5)
	var s []string
	for _, j := range got {
		s = append(s, j.Name+" "+j.On.Format("2006-01-02")+" "+string(rune('0'+j.Years/10))+string(rune('0'+j.Years%10)))
	}
	want := "A 2026-12-10 10, B 2027-02-21 05"
	if strings.Join(s, ", ") != want {
		t.Errorf("jubilees: %v, want %s", s, want)
	}
}

func TestMandateCurrentAt(t *testing.T) {
	t.Parallel()
	until := day("2026-06-30")
	revoked := day("2026-03-01").Add(10 * time.Hour)
	tests := []struct {
		m    concord.Mandate
		at   time.Time
		want bool
	}{
		{concord.Mandate{ValidFrom: day("2026-01-01")}, day("2025-12-31"), false},
		{concord.Mandate{ValidFrom: day("2026-01-01")}, day("2026-01-01"), true},
		{concord.Mandate{ValidFrom: day("2026-01-01"), ValidUntil: &until}, day("2026-06-30").Add(23 * time.Hour), true},
		{concord.Mandate{ValidFrom: day("2026-01-01"), ValidUntil: &until}, day("2026-07-01"), false},
		{concord.Mandate{ValidFrom: day("2026-01-01"), RevokedAt: &revoked}, revoked.Add(-time.Second), true},
		{concord.Mandate{ValidFrom: day("2026-01-01"), RevokedAt: &revoked}, revoked, false},
	}
	for i, tc := range tests {
		if got := tc.m.CurrentAt(tc.at); got != tc.want {
			t.Errorf("case %d: %v, want %v", i, got, tc.want)
		}
	}
}

func TestNewIDIsOrderedUUIDv7(t *testing.T) {
	t.Parallel()
	a := concord.NewID(day("2026-01-01"))
	b := concord.NewID(day("2026-01-02"))
	if !concord.ValidID(a) || a[14] != '7' || a >= b {
		t.Errorf("ids %s, %s", a, b)
	}
}

func TestCountries(t *testing.T) {
	t.Parallel()
	if n := len(concord.Countries()); n != 250 {
		t.Errorf("%d country codes, want 249 assigned plus XK", n)
	}
	for code, region := range map[string]string{"DE": "europe", "TN": "africa", "IR": "asia", "BR": "americas", "FJ": "oceania"} {
		if got, ok := concord.RegionOf(code); !ok || got != region {
			t.Errorf("%s: %q %v", code, got, ok)
		}
	}
	for _, bad := range []string{"XX", "de", "", "DEU", "U"} {
		if concord.ValidCountry(bad) {
			t.Errorf("%q accepted", bad)
		}
	}
}

// FuzzOrganizationValidate feeds arbitrary text to every field a form or API sets: validation
// must never panic, and whatever passes must be valid UTF-8 within the limits.
func FuzzOrganizationValidate(f *testing.F) {
	f.Add("Bund für Solidarität", "de", "bis", "de", "europe", "https://example.org", "text", "a@b.org", "en", "League")
	f.Add("\xff\xfe", "x", "", "XX", "mars", "javascript:alert(1)", "\x00", "no-at", "toolongtag-abcdefghi", "")
	f.Fuzz(func(t *testing.T, name, lang, abbr, country, region, website, desc, email, tlang, tname string) {
		o := &concord.Organization{Name: name, NameLang: lang, Abbreviation: abbr, Country: country, Region: region,
			Website: website, Description: desc, Email: email, Names: map[string]string{tlang: tname}}
		o.Normalize()
		if err := o.Validate(); err == nil {
			if !utf8.ValidString(o.Name) || utf8.RuneCountInString(o.Name) > concord.MaxName || o.Name == "" || !concord.ValidCountry(o.Country) {
				t.Fatalf("accepted invalid organization %+v", o)
			}
		} else if e := concord.AsError(err); e == nil || e.Code != concord.EINVALID || len(e.Fields) == 0 {
			t.Fatalf("validation error without fields: %v", err)
		}
	})
}
