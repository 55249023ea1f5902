// Package i18n holds Concord's user-interface catalogs and picks a language for each request.
//
// Catalogs are embedded from locales/<tag>.json, one flat JSON object per language. A value is
// either a string or, for a plural message, an object keyed by the CLDR plural categories the
// language uses (see plural.go; for example {"one": "...", "other": "..."} for English and
// one/few/many/other for Russian). Placeholders are written {name} and filled from the
// name/value pairs given to Localizer.T; Localizer.N also fills {count}. A plural form may
// leave {count} out when the language spells the number in words (Arabic "منظمتان", two
// organizations). month.1 … month.12 are the month names as they appear in a date after the
// day number (genitive in Russian); format.date and format.datetime give the word order.
// Persian and Arabic write {count} and dates in their own digits (۱۲, ١٢); values passed in
// kv are inserted with %v as they are.
//
// A Bundle is built once with Load or MustLoad and passed to whoever needs it; it is read-only
// and safe for concurrent use. Bundle.Negotiate and Bundle.FromAcceptLanguage choose a
// language, Bundle.Localizer returns the translator for it. A key missing in a language falls
// back to English, then to the key itself, so a gap shows up as text instead of an error.
//
// To add a key:
//
//  1. Add it to locales/en.json.
//  2. Add a real translation to every other catalog in locales/ (with every plural category
//     the language needs and the same {placeholders} as the English text).
//  3. Run go test ./internal/i18n/ — it lists every missing or extra key per language, wrong
//     plural categories and placeholder mismatches.
//
// To add a language, add its entry to builtinLanguages (tag, right-to-left, plural rule,
// digits) and a locales/<tag>.json with every key of en.json, then run the tests.
package i18n
