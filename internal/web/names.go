package web

import (
	"slices"
	"strings"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"concord"
	"concord/internal/i18n"
)

// nameTables holds country and language names in every UI language, from CLDR data in
// golang.org/x/text, built once at start-up.
type nameTables struct {
	countries      map[string]map[string]string // UI language → country code → name
	countryOptions map[string][]option          // UI language → countries sorted by name
	languages      map[string]display.Namer     // UI language → namer of languages
}

func newNameTables(langs []i18n.Language) *nameTables {
	t := &nameTables{countries: map[string]map[string]string{}, countryOptions: map[string][]option{},
		languages: map[string]display.Namer{}}
	codes := concord.Countries()
	for _, l := range langs {
		tag := language.Make(l.Tag)
		regions := display.Regions(tag)
		names := make(map[string]string, len(codes))
		opts := make([]option, 0, len(codes))
		for _, code := range codes {
			name := code
			if reg, err := language.ParseRegion(code); err == nil {
				if n := regions.Name(reg); n != "" {
					name = n
				}
			}
			names[code] = name
			opts = append(opts, option{Value: code, Label: name})
		}
		coll := collate.New(tag, collate.Loose)
		slices.SortFunc(opts, func(a, b option) int { return coll.CompareString(a.Label, b.Label) })
		t.countries[l.Tag], t.countryOptions[l.Tag] = names, opts
		t.languages[l.Tag] = display.Languages(tag)
	}
	return t
}

// country returns a country's name in UI language lang, or the code if unknown.
func (t *nameTables) country(lang, code string) string {
	if n := t.countries[lang][code]; n != "" {
		return n
	}
	return code
}

// language returns the name of the language tag in UI language lang, or the tag.
func (t *nameTables) language(lang, tag string) string {
	namer := t.languages[lang]
	parsed, err := language.Parse(tag)
	if namer == nil || err != nil {
		return tag
	}
	if n := namer.Name(parsed); n != "" {
		return n
	}
	return tag
}

// commonLanguages are suggested for an organization's name language and translations; any
// BCP 47 tag may be typed.
var commonLanguages = strings.Fields(`en de es fr ru tr fa ar pt it nl pl uk el sv da nb fi cs sk hu ro bg
	sr hr bs sl sq mk ka hy az kk uz ky tg ku ckb he hi bn ur pa ne si ta te ml mr gu zh ja ko vi th id ms
	tl my km am sw ha yo ig zu xh so ti ps eu ca gl cy ga is et lv lt mt qu ay gn`)

// commonTimeZones are suggested in time zone fields; any IANA name may be typed.
var commonTimeZones = strings.Fields(`UTC Europe/London Europe/Lisbon Europe/Dublin Europe/Paris Europe/Berlin
	Europe/Madrid Europe/Rome Europe/Brussels Europe/Amsterdam Europe/Vienna Europe/Zurich Europe/Stockholm
	Europe/Oslo Europe/Copenhagen Europe/Helsinki Europe/Warsaw Europe/Prague Europe/Budapest Europe/Belgrade
	Europe/Athens Europe/Bucharest Europe/Sofia Europe/Kyiv Europe/Minsk Europe/Moscow Europe/Istanbul
	Asia/Nicosia Asia/Beirut Asia/Damascus Asia/Amman Asia/Jerusalem Asia/Baghdad Asia/Riyadh Asia/Kuwait
	Asia/Tehran Asia/Dubai Asia/Baku Asia/Tbilisi Asia/Yerevan Asia/Kabul Asia/Karachi Asia/Tashkent
	Asia/Almaty Asia/Kolkata Asia/Kathmandu Asia/Colombo Asia/Dhaka Asia/Yangon Asia/Bangkok Asia/Jakarta
	Asia/Manila Asia/Shanghai Asia/Hong_Kong Asia/Seoul Asia/Tokyo Australia/Perth Australia/Sydney
	Pacific/Auckland Africa/Casablanca Africa/Algiers Africa/Tunis Africa/Cairo Africa/Khartoum Africa/Lagos
	Africa/Dakar Africa/Accra Africa/Kinshasa Africa/Addis_Ababa Africa/Nairobi Africa/Johannesburg
	America/St_Johns America/Halifax America/New_York America/Chicago America/Denver America/Los_Angeles
	America/Mexico_City America/Havana America/Caracas America/Bogota America/Lima America/La_Paz
	America/Santiago America/Argentina/Buenos_Aires America/Montevideo America/Sao_Paulo`)
