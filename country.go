package concord

import (
	"slices"
	"strings"
)

// Regions are the continental groupings the federation's coordinations use.
var regionCodes = [...]string{"africa", "americas", "asia", "europe", "oceania"}

// Regions returns the region codes in display order.
func Regions() []string { return append([]string(nil), regionCodes[:]...) }

// ValidRegion reports whether r is a known region code.
func ValidRegion(r string) bool {
	for _, c := range regionCodes {
		if c == r {
			return true
		}
	}
	return false
}

// countriesByRegion lists every officially assigned ISO 3166-1 alpha-2 code by continent.
// Transcontinental states are placed where their capital is.
const countriesByRegion = `africa:AO BF BI BJ BW CD CF CG CI CM CV DJ DZ EG EH ER ET GA GH GM GN GQ GW KE KM LR LS LY MA MG ML MR MU MW MZ NA NE NG RE RW SC SD SH SL SN SO SS ST SZ TD TG TN TZ UG YT ZA ZM ZW
americas:AG AI AR AW BB BL BM BO BQ BR BS BZ CA CL CO CR CU CW DM DO EC FK GD GF GL GP GT GY HN HT JM KN KY LC MF MQ MS MX NI PA PE PM PR PY SR SV SX TC TT US UY VC VE VG VI
asia:AE AF AM AZ BD BH BN BT CN CY GE HK ID IL IN IO IQ IR JO JP KG KH KP KR KW KZ LA LB LK MM MN MO MV MY NP OM PH PK PS QA SA SG SY TH TJ TL TM TR TW UZ VN YE
europe:AD AL AT AX BA BE BG BY CH CZ DE DK EE ES FI FO FR GB GG GI GR HR HU IE IM IS IT JE LI LT LU LV MC MD ME MK MT NL NO PL PT RO RS RU SE SI SJ SK SM UA VA XK
oceania:AS AU CC CK CX FJ FM GU HM KI MH MP NC NF NR NU NZ PF PG PN PW SB TK TO TV UM VU WF WS
other:AQ BV GS TF`

// RegionOf returns the region of an ISO 3166-1 alpha-2 country code and whether the code is
// known. Codes are matched case-sensitively in upper case; use NormalizeCountry first.
func RegionOf(country string) (region string, ok bool) {
	if len(country) != 2 {
		return "", false
	}
	for _, line := range strings.Split(countriesByRegion, "\n") {
		name, codes, _ := strings.Cut(line, ":")
		for _, c := range strings.Fields(codes) {
			if c == country {
				if name == "other" {
					return "", true
				}
				return name, true
			}
		}
	}
	return "", false
}

// ValidCountry reports whether c is an assigned ISO 3166-1 alpha-2 code (XK, Kosovo's
// user-assigned code, is accepted because international bodies use it).
func ValidCountry(c string) bool {
	_, ok := RegionOf(c)
	return ok
}

// NormalizeCountry trims and upper-cases a country code typed by a person.
func NormalizeCountry(c string) string { return strings.ToUpper(strings.TrimSpace(c)) }

// Countries returns every known country code in alphabetical order.
func Countries() []string {
	var all []string
	for _, line := range strings.Split(countriesByRegion, "\n") {
		_, codes, _ := strings.Cut(line, ":")
		all = append(all, strings.Fields(codes)...)
	}
	slices.Sort(all)
	return all
}
