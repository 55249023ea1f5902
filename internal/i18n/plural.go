package i18n

// pluralRule is a CLDR cardinal plural rule for integers (CLDR 48 language_plural_rules).
// Only integer counts are supported, so the operands v, f, t and e are always zero.
type pluralRule int

const (
	pluralOneOther pluralRule = iota // en, de, tr: one: n = 1
	pluralPersian                    // fa: one: i = 0 or n = 1
	pluralSpanish                    // es: one: n = 1; many: i != 0 and i % 1000000 = 0
	pluralFrench                     // fr: one: i = 0,1; many: i != 0 and i % 1000000 = 0
	pluralRussian                    // ru: one/few/many by the last one and two digits
	pluralArabic                     // ar: zero, one, two, few (n%100 = 3..10), many (n%100 = 11..99)
)

// categories returns every category the rule uses, in CLDR order; catalogs must give a
// form for each of them, even one that integers never select (Russian "other" is for
// fractions).
func (r pluralRule) categories() []string {
	switch r {
	case pluralSpanish, pluralFrench:
		return []string{"one", "many", "other"}
	case pluralRussian:
		return []string{"one", "few", "many", "other"}
	case pluralArabic:
		return []string{"zero", "one", "two", "few", "many", "other"}
	default:
		return []string{"one", "other"}
	}
}

// category returns the plural category of count; a negative count is treated like its
// absolute value, as CLDR's operand n is.
func (r pluralRule) category(count int) string {
	n := uint64(count)
	if count < 0 {
		n = -n
	}
	switch r {
	case pluralOneOther:
		if n == 1 {
			return "one"
		}
	case pluralPersian:
		if n <= 1 {
			return "one"
		}
	case pluralSpanish, pluralFrench:
		switch {
		case n == 1, n == 0 && r == pluralFrench:
			return "one"
		case n != 0 && n%1_000_000 == 0:
			return "many"
		}
	case pluralRussian:
		switch d, dd := n%10, n%100; {
		case d == 1 && dd != 11:
			return "one"
		case d >= 2 && d <= 4 && (dd < 12 || dd > 14):
			return "few"
		default:
			return "many"
		}
	case pluralArabic:
		switch dd := n % 100; {
		case n == 0:
			return "zero"
		case n == 1:
			return "one"
		case n == 2:
			return "two"
		case dd >= 3 && dd <= 10:
			return "few"
		case dd >= 11:
			return "many"
		}
	}
	return "other"
}
