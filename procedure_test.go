package concord_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"concord"
)

func orgs(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("org%02d", i)
	}
	return out
}

// ballots builds ballots for the first organizations: counts of each answer in order.
func ballots(spec ...any) []concord.Ballot {
	var out []concord.Ballot
	i := 0
	for j := 0; j+1 < len(spec); j += 2 {
		a, n := spec[j].(concord.Answer), spec[j+1].(int)
		for k := 0; k < n; k++ {
			out = append(out, concord.Ballot{OrgID: fmt.Sprintf("org%02d", i), Answer: a})
			i++
		}
	}
	return out
}

func TestDecide(t *testing.T) {
	t.Parallel()
	sig := func(n int, pct float64) concord.Rule {
		return concord.Rule{Kind: concord.RuleSignatures, MinSignatures: n, MinSignaturesPercent: pct}
	}
	maj := func(m concord.MajorityKind, base concord.MajorityBase, abst bool) concord.Rule {
		return concord.Rule{Kind: concord.RuleMajority, Majority: m, Base: base, AbstentionsCount: abst, Numerator: 2, Denominator: 3}
	}
	const (
		A = concord.OutcomeAdopted
		N = concord.OutcomeNotAdopted
		P = concord.OutcomePending
	)
	yes, no, abst := concord.AnswerApprove, concord.AnswerReject, concord.AnswerAbstain
	tests := []struct {
		name    string
		rule    concord.Rule
		n       int
		ballots []concord.Ballot
		closed  bool
		want    concord.Outcome
	}{
		{"signatures below threshold, open", sig(31, 0), 62, ballots(concord.AnswerSign, 30), false, P},
		{"signatures reach threshold before the deadline", sig(31, 0), 62, ballots(concord.AnswerSign, 31), false, A},
		{"signatures below threshold at close", sig(31, 0), 62, ballots(concord.AnswerSign, 30, concord.AnswerDecline, 10), true, N},
		{"signatures by percent: 50% of 62 is 31", sig(0, 50), 62, ballots(concord.AnswerSign, 31), false, A},
		{"signatures by percent: 30 is short", sig(0, 50), 62, ballots(concord.AnswerSign, 30), true, N},
		{"signatures need both number and share", sig(10, 50), 62, ballots(concord.AnswerSign, 20), true, N},
		{"declines do not count as signatures", sig(1, 0), 3, ballots(concord.AnswerDecline, 3), true, N},
		{"silence without objection at deadline", concord.Rule{Kind: concord.RuleSilence}, 10, nil, true, A},
		{"silence before deadline is pending", concord.Rule{Kind: concord.RuleSilence}, 10, nil, false, P},
		{"silence with one objection", concord.Rule{Kind: concord.RuleSilence}, 10, ballots(concord.AnswerObject, 1), true, N},
		{"silence with approvals only", concord.Rule{Kind: concord.RuleSilence}, 10, ballots(concord.AnswerApprove, 4), true, A},
		{"consensus without blocks", concord.Rule{Kind: concord.RuleConsensus, MinParticipationPercent: 50}, 10, ballots(yes, 4, abst, 1), true, A},
		{"consensus with one block", concord.Rule{Kind: concord.RuleConsensus}, 10, ballots(yes, 9, concord.AnswerBlock, 1), true, N},
		{"consensus below participation", concord.Rule{Kind: concord.RuleConsensus, MinParticipationPercent: 50}, 10, ballots(yes, 4), true, N},
		{"simple majority", maj(concord.MajoritySimple, concord.BaseCast, false), 10, ballots(yes, 3, no, 2, abst, 5), true, A},
		{"simple majority tie", maj(concord.MajoritySimple, concord.BaseCast, false), 10, ballots(yes, 5, no, 5), true, N},
		{"simple majority, abstentions count against", maj(concord.MajoritySimple, concord.BaseCast, true), 10, ballots(yes, 3, no, 2, abst, 5), true, N},
		{"absolute majority of cast", maj(concord.MajorityAbsolute, concord.BaseCast, false), 10, ballots(yes, 3, no, 2, abst, 5), true, A},
		{"absolute majority of cast with abstentions", maj(concord.MajorityAbsolute, concord.BaseCast, true), 10, ballots(yes, 5, no, 2, abst, 3), true, N},
		{"absolute majority of electorate", maj(concord.MajorityAbsolute, concord.BaseElectorate, false), 10, ballots(yes, 5, no, 0), true, N},
		{"absolute majority of electorate reached", maj(concord.MajorityAbsolute, concord.BaseElectorate, false), 10, ballots(yes, 6), true, A},
		{"two thirds exactly", maj(concord.MajorityQualified, concord.BaseCast, false), 10, ballots(yes, 6, no, 3), true, A},
		{"two thirds missed by one", maj(concord.MajorityQualified, concord.BaseCast, false), 10, ballots(yes, 5, no, 3), true, N},
		{"two thirds of electorate", maj(concord.MajorityQualified, concord.BaseElectorate, false), 9, ballots(yes, 6), true, A},
		{"two thirds with no votes", maj(concord.MajorityQualified, concord.BaseCast, false), 9, nil, true, N},
		{"majority pending before close", maj(concord.MajoritySimple, concord.BaseCast, false), 10, ballots(yes, 10), false, P},
		{"quorum met", concord.Rule{Kind: concord.RuleSilence, QuorumPercent: 50}, 10, ballots(yes, 5), true, A},
		{"quorum missed", concord.Rule{Kind: concord.RuleSilence, QuorumPercent: 50}, 10, ballots(yes, 4), true, N},
		{"quorum blocks early signature adoption", concord.Rule{Kind: concord.RuleSignatures, MinSignatures: 2, QuorumPercent: 50}, 10, ballots(concord.AnswerSign, 2), false, P},
		{"empty electorate", sig(1, 0), 0, nil, false, N},
		{"answers of another rule are ignored", sig(1, 0), 5, ballots(concord.AnswerApprove, 5), true, N},
	}
	for _, tc := range tests {
		got := concord.Decide(tc.rule, orgs(tc.n), tc.ballots, tc.closed)
		if got.Outcome != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
		if len(got.Reasons) == 0 {
			t.Errorf("%s: no explanation", tc.name)
		}
	}
}

func TestDecideExplains(t *testing.T) {
	t.Parallel()
	r := concord.Decide(concord.Rule{Kind: concord.RuleSignatures, MinSignatures: 31, QuorumPercent: 50}, orgs(62),
		ballots(concord.AnswerSign, 34), false)
	want := "adopted; result.signatures electorate=62 signed=34 threshold=31; result.quorum_met electorate=62 percent=54 quorum=50 responded=34"
	if r.String() != want {
		t.Errorf("explanation:\n got %s\nwant %s", r, want)
	}
}

func TestDecideStaleAndForeignBallots(t *testing.T) {
	t.Parallel()
	rule := concord.Rule{Kind: concord.RuleSignatures, MinSignatures: 2}
	b := []concord.Ballot{
		{OrgID: "org00", Answer: concord.AnswerSign},
		{OrgID: "org01", Answer: concord.AnswerSign, Stale: true}, // signed an earlier version
		{OrgID: "outsider", Answer: concord.AnswerSign},           // not in the electorate
		{OrgID: "org00", Answer: concord.AnswerSign},              // a duplicate counts once
	}
	r := concord.Decide(rule, orgs(5), b, true)
	if r.Outcome != concord.OutcomeNotAdopted || r.Tally.Stale != 1 || r.Tally.Responded != 1 {
		t.Errorf("got %s (tally %+v)", r, r.Tally)
	}
	b[1].Stale = false // re-confirmed on the current version
	if r := concord.Decide(rule, orgs(5), b, true); r.Outcome != concord.OutcomeAdopted {
		t.Errorf("after re-confirmation: %s", r)
	}
}

// TestDecideProperties checks, over random electorates and ballots, that the result does not
// depend on ballot order, that ballots from outside the electorate change nothing, that one
// more signature never undoes an adoption, and that a closed result is always final.
func TestDecideProperties(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	rules := []concord.Rule{
		{Kind: concord.RuleSignatures, MinSignatures: 3, MinSignaturesPercent: 20},
		{Kind: concord.RuleSilence, QuorumPercent: 30},
		{Kind: concord.RuleConsensus, MinParticipationPercent: 40},
		{Kind: concord.RuleMajority, Majority: concord.MajoritySimple, Base: concord.BaseCast},
		{Kind: concord.RuleMajority, Majority: concord.MajorityAbsolute, Base: concord.BaseElectorate, AbstentionsCount: true},
		{Kind: concord.RuleMajority, Majority: concord.MajorityQualified, Numerator: 2, Denominator: 3, Base: concord.BaseCast, AbstentionsCount: true},
	}
	for i := 0; i < 3000; i++ {
		rule := rules[rng.IntN(len(rules))]
		n := rng.IntN(12)
		el := orgs(n)
		answers := rule.Kind.Answers()
		var bs []concord.Ballot
		for _, id := range el {
			if rng.IntN(3) > 0 {
				bs = append(bs, concord.Ballot{OrgID: id, Answer: answers[rng.IntN(len(answers))], Stale: rng.IntN(8) == 0})
			}
		}
		closed := rng.IntN(2) == 0
		base := concord.Decide(rule, el, bs, closed)
		shuffled := slices.Clone(bs)
		rng.Shuffle(len(shuffled), func(a, b int) { shuffled[a], shuffled[b] = shuffled[b], shuffled[a] })
		if got := concord.Decide(rule, el, shuffled, closed); got.String() != base.String() {
			t.Fatalf("order matters: %s vs %s", got, base)
		}
		foreign := append(slices.Clone(bs), concord.Ballot{OrgID: "foreign", Answer: answers[0]})
		if got := concord.Decide(rule, el, foreign, closed); got.String() != base.String() {
			t.Fatalf("a foreign ballot changed the result: %s vs %s", got, base)
		}
		if closed && base.Outcome == concord.OutcomePending {
			t.Fatalf("closed but pending: %s", base)
		}
		if rule.Kind == concord.RuleSignatures && base.Outcome == concord.OutcomeAdopted {
			for j := range bs {
				if bs[j].Answer != concord.AnswerSign {
					more := slices.Clone(bs)
					more[j] = concord.Ballot{OrgID: bs[j].OrgID, Answer: concord.AnswerSign}
					if got := concord.Decide(rule, el, more, closed); got.Outcome != concord.OutcomeAdopted {
						t.Fatalf("one more signature undid adoption: %s", got)
					}
				}
			}
		}
	}
}

func TestRuleValidate(t *testing.T) {
	t.Parallel()
	bad := []concord.Rule{
		{Kind: "lottery"},
		{Kind: concord.RuleSignatures},
		{Kind: concord.RuleSignatures, MinSignatures: 3, QuorumPercent: 120},
		{Kind: concord.RuleMajority, Majority: concord.MajorityQualified, Numerator: 3, Denominator: 2, Base: concord.BaseCast},
		{Kind: concord.RuleMajority, Majority: concord.MajoritySimple},
	}
	for _, r := range bad {
		if err := r.Validate(); concord.ErrorCode(err) != concord.EINVALID {
			t.Errorf("%+v accepted", r)
		}
	}
	good := concord.Rule{Kind: concord.RuleMajority, Majority: concord.MajorityQualified, Numerator: 2, Denominator: 3, Base: concord.BaseCast}
	if err := good.Validate(); err != nil {
		t.Errorf("valid rule refused: %v", err)
	}
}
