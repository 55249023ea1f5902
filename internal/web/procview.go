package web

import (
	"encoding/json"
	"html/template"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"concord"
	"concord/internal/i18n"
)

// digitZeros finds each UI language's digit zero from its own date format, so numbers in
// sentences built here use the digits the catalog uses (Persian ۰, Arabic ٠).
func digitZeros(b *i18n.Bundle) map[string]rune {
	out := map[string]rune{}
	for _, lang := range b.Languages() {
		out[lang.Tag] = '0'
		for _, r := range b.Localizer(lang.Tag).Date(time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC), time.UTC) {
			if unicode.IsDigit(r) {
				out[lang.Tag] = r &^ 0xF // decimal digit blocks start at a code point ending in 0
				break
			}
		}
	}
	return out
}

// localDigits rewrites ASCII digits into the digits starting at zero.
func localDigits(s string, zero rune) string {
	if zero == '0' || zero == 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return zero + r - '0'
		}
		return r
	}, s)
}

// needPattern reads the "need" parameter of a majority reason ("31 of 62").
var needPattern = regexp.MustCompile(`^(\d+) of (\d+)$`)

// reasonSentences renders a result's reasons, one translated sentence each. live.js builds
// the same sentences from the same catalog texts (dictionary) for live updates.
func reasonSentences(l *i18n.Localizer, zero rune, reasons []concord.Reason) []string {
	var out []string
	for _, r := range reasons {
		out = append(out, reasonSentence(l, zero, r)...)
	}
	return out
}

func reasonSentence(l *i18n.Localizer, zero rune, r concord.Reason) []string {
	kv := []any{}
	for k, v := range r.Params {
		if k == "majority" || k == "need" {
			continue
		}
		kv = append(kv, k, localDigits(v, zero))
	}
	out := []string{l.T(r.Key, kv...)}
	if r.Key == "result.majority" {
		m := r.Params["majority"]
		if sub := needPattern.FindStringSubmatch(r.Params["need"]); sub != nil && m != string(concord.MajoritySimple) {
			out = append(out, l.T("majority.need."+m, "needed", localDigits(sub[1], zero), "base", localDigits(sub[2], zero)))
		} else if m == string(concord.MajoritySimple) {
			out = append(out, l.T("majority.need.simple"))
		}
	}
	return out
}

// Num writes a number in the page language's digits.
func (v *view) Num(n any) string {
	var s string
	switch x := n.(type) {
	case int:
		s = strconv.Itoa(x)
	case int64:
		s = strconv.FormatInt(x, 10)
	case float64:
		s = strconv.FormatFloat(x, 'f', -1, 64)
	case string:
		s = x
	}
	return localDigits(s, v.h.zeros[v.Lang])
}

// Reasons are a result's reasons as sentences in the page's language.
func (v *view) Reasons(r concord.Result) []string {
	return reasonSentences(v.l, v.h.zeros[v.Lang], r.Reasons)
}

// Outcome translates an outcome.
func (v *view) Outcome(o concord.Outcome) string { return v.l.T("outcome." + string(o)) }

// Answer translates an answer.
func (v *view) Answer(a concord.Answer) string { return v.l.T("answer." + string(a)) }

// RuleKind names a rule.
func (v *view) RuleKind(k concord.RuleKind) string { return v.l.T("rule.kind." + string(k)) }

// ResponseVisibility names who sees the responses of a procedure.
func (v *view) ResponseVisibility(x concord.ResponseVisibility) string {
	return v.l.T("procvis." + string(x))
}

// ProcState is "upcoming", "open" or "closed" now.
func (v *view) ProcState(p *concord.Procedure) string { return procState(p, v.h.clock.Now()) }

func procState(p *concord.Procedure, now time.Time) string {
	switch {
	case p.ClosedAt != nil || !now.Before(p.Deadline):
		return "closed"
	case now.Before(p.OpensAt):
		return "upcoming"
	}
	return "open"
}

// RuleText explains a rule in sentences.
func (v *view) RuleText(r concord.Rule) []string {
	pct := func(p float64) string { return v.Num(p) }
	var out []string
	switch r.Kind {
	case concord.RuleSignatures:
		out = append(out, v.l.T("rule.explain.signatures"))
		if r.MinSignatures > 0 {
			out = append(out, v.l.T("rule.explain.min_signatures", "n", v.Num(r.MinSignatures)))
		}
		if r.MinSignaturesPercent > 0 {
			out = append(out, v.l.T("rule.explain.min_signatures_percent", "percent", pct(r.MinSignaturesPercent)))
		}
	case concord.RuleSilence:
		out = append(out, v.l.T("rule.explain.silence"))
	case concord.RuleConsensus:
		out = append(out, v.l.T("rule.explain.consensus"))
		if r.MinParticipationPercent > 0 {
			out = append(out, v.l.T("rule.explain.participation", "percent", pct(r.MinParticipationPercent)))
		}
	case concord.RuleMajority:
		out = append(out, v.l.T("rule.explain.majority."+string(r.Majority), "numerator", v.Num(r.Numerator), "denominator", v.Num(r.Denominator)))
		if r.Majority != concord.MajoritySimple {
			out = append(out, v.l.T("rule.explain.base."+string(r.Base)))
		}
		if r.AbstentionsCount {
			out = append(out, v.l.T("rule.explain.abstentions_count"))
		} else {
			out = append(out, v.l.T("rule.explain.abstentions_ignored"))
		}
	}
	if r.QuorumPercent > 0 {
		out = append(out, v.l.T("rule.explain.quorum", "percent", pct(r.QuorumPercent)))
	}
	return out
}

// Electorate describes who may respond.
func (v *view) Electorate(p *concord.Procedure) string {
	n := v.Num(len(p.Electorate))
	switch p.ElectorateKind {
	case concord.ElectorateRegion:
		return v.l.T("electorate.region_n", "region", v.Region(p.ElectorateRegion), "n", n)
	case concord.ElectorateList:
		return v.l.T("electorate.list_n", "n", n)
	}
	return v.l.T("electorate.members_n", "n", n)
}

// WhenUTC formats an instant in UTC.
func (v *view) WhenUTC(t time.Time) string { return v.l.DateTime(t, time.UTC) }

// Zone is the name of the time zone dates are shown in.
func (v *view) Zone() string { return v.loc.String() }

// DayIn formats an instant's calendar date in the person's time zone.
func (v *view) DayIn(t time.Time) string { return v.l.Date(t, v.loc) }

// LiveDict is the dictionary live.js needs to write the same sentences as the server: the
// result, outcome and answer texts, the date format, the month names, the digits, the time
// zone, and country names when the page lists organizations.
func (v *view) LiveDict(withCountries bool) (template.JS, error) {
	d := map[string]string{}
	for _, k := range liveKeys {
		d[k] = v.l.T(k)
	}
	for _, a := range []concord.Answer{concord.AnswerSign, concord.AnswerDecline, concord.AnswerApprove, concord.AnswerObject,
		concord.AnswerBlock, concord.AnswerAbstain, concord.AnswerReject} {
		d["answer."+string(a)] = v.Answer(a)
	}
	for _, o := range []concord.Outcome{concord.OutcomePending, concord.OutcomeAdopted, concord.OutcomeNotAdopted} {
		d["outcome."+string(o)] = v.Outcome(o)
	}
	for m := 1; m <= 12; m++ {
		k := "month." + strconv.Itoa(m)
		d[k] = v.l.T(k)
	}
	d["digits"] = v.Num("0123456789")
	d["lang"] = v.Lang
	d["zone"] = v.loc.String()
	if withCountries {
		for code, name := range v.h.names.countries[v.Lang] {
			d["country."+code] = name
		}
	}
	b, err := json.Marshal(d)
	if err != nil {
		return "", err
	}
	return template.JS(b), nil
}

// liveKeys are the catalog texts live.js uses besides answers, outcomes and months.
var liveKeys = []string{
	"format.date", "format.datetime",
	"result.signatures", "result.silence", "result.consensus", "result.majority", "result.quorum_met",
	"result.quorum_not_met", "result.empty_electorate", "result.hidden",
	"majority.need.simple", "majority.need.absolute", "majority.need.qualified",
	"proc.result_final", "proc.result_provisional", "sig.as_of_open", "sig.as_of_final",
}
