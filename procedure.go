package concord

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// RuleKind is how a procedure decides.
type RuleKind string

// Decision rules, counted over organizations (one organization, one response).
const (
	RuleSignatures RuleKind = "signatures" // adopted once enough organizations have signed
	RuleSilence    RuleKind = "silence"    // adopted at the deadline unless someone objects
	RuleConsensus  RuleKind = "consensus"  // adopted if nobody blocks and enough took part
	RuleMajority   RuleKind = "majority"   // simple, absolute or qualified majority
)

// RuleKinds returns every rule kind in display order.
func RuleKinds() []RuleKind {
	return []RuleKind{RuleSignatures, RuleSilence, RuleConsensus, RuleMajority}
}

// Answer is an organization's response in a procedure.
type Answer string

// Answers. Which ones a rule allows: see RuleKind.Answers.
const (
	AnswerSign    Answer = "sign"
	AnswerDecline Answer = "decline"
	AnswerApprove Answer = "approve"
	AnswerObject  Answer = "object"
	AnswerBlock   Answer = "block"
	AnswerAbstain Answer = "abstain"
	AnswerReject  Answer = "reject"
)

// Answers lists the responses a rule allows.
func (k RuleKind) Answers() []Answer {
	switch k {
	case RuleSignatures:
		return []Answer{AnswerSign, AnswerDecline}
	case RuleSilence:
		return []Answer{AnswerApprove, AnswerObject}
	case RuleConsensus:
		return []Answer{AnswerApprove, AnswerBlock, AnswerAbstain}
	case RuleMajority:
		return []Answer{AnswerApprove, AnswerReject, AnswerAbstain}
	}
	return nil
}

// MajorityKind says which majority a majority rule needs.
type MajorityKind string

// Majorities.
const (
	MajoritySimple    MajorityKind = "simple"    // more in favour than against
	MajorityAbsolute  MajorityKind = "absolute"  // more than half of the base
	MajorityQualified MajorityKind = "qualified" // at least Numerator/Denominator of the base
)

// MajorityBase is what a majority is counted of.
type MajorityBase string

// Majority bases.
const (
	BaseCast       MajorityBase = "cast"       // votes cast (approve + reject, plus abstentions when they count)
	BaseElectorate MajorityBase = "electorate" // every organization entitled to respond
)

// Rule is a decision rule as data. Only the fields of its Kind matter.
type Rule struct {
	Kind RuleKind
	// Signatures: adopted when at least MinSignatures organizations signed and at least
	// MinSignaturesPercent of the electorate signed (each 0 when unused).
	MinSignatures        int
	MinSignaturesPercent float64
	// Consensus: at least MinParticipationPercent of the electorate responded.
	MinParticipationPercent float64
	// Majority.
	Majority         MajorityKind
	Numerator        int // qualified: e.g. 2 of 3
	Denominator      int
	Base             MajorityBase
	AbstentionsCount bool // abstentions count as votes cast (so they weigh like "against")
	// QuorumPercent, on any rule: at least this share of the electorate must respond.
	QuorumPercent float64
}

// Validate checks a rule's parameters.
func (r *Rule) Validate() error {
	var v Validation
	pct := func(field string, p float64) {
		if p < 0 || p > 100 || math.IsNaN(p) {
			v.Add(field, "error.percent", "must be between 0 and 100")
		}
	}
	pct("quorum_percent", r.QuorumPercent)
	switch r.Kind {
	case RuleSignatures:
		pct("min_signatures_percent", r.MinSignaturesPercent)
		if r.MinSignatures < 0 {
			v.Add("min_signatures", "error.negative", "must not be negative")
		}
		if r.MinSignatures == 0 && r.MinSignaturesPercent == 0 {
			v.Add("min_signatures", "error.threshold_missing", "set a number or a share of signatures")
		}
	case RuleSilence:
	case RuleConsensus:
		pct("min_participation_percent", r.MinParticipationPercent)
	case RuleMajority:
		switch r.Majority {
		case MajoritySimple, MajorityAbsolute:
		case MajorityQualified:
			if r.Numerator <= 0 || r.Denominator <= 0 || r.Numerator > r.Denominator {
				v.Add("numerator", "error.fraction", "must be a fraction such as 2/3")
			}
		default:
			v.Add("majority", "error.majority", "must be simple, absolute or qualified")
		}
		if r.Base != BaseCast && r.Base != BaseElectorate {
			v.Add("base", "error.majority_base", "must be cast or electorate")
		}
	default:
		v.Add("kind", "error.rule", "is not a known rule", "value", clip(string(r.Kind), 40))
	}
	return v.Err()
}

// Ballot is one organization's current response as the tally sees it.
type Ballot struct {
	OrgID  string
	Answer Answer
	Stale  bool // given on an earlier version of the text and not re-confirmed
}

// Tally counts current responses of organizations in the electorate.
type Tally struct {
	Electorate int
	Responded  int // organizations with a current, non-stale response
	Stale      int // responses on an earlier version, not counted until re-confirmed
	Counts     map[Answer]int
}

// Outcome is where a procedure's decision stands.
type Outcome string

// Outcomes.
const (
	OutcomePending    Outcome = "pending"     // not decided yet
	OutcomeAdopted    Outcome = "adopted"     // decided in favour
	OutcomeNotAdopted Outcome = "not_adopted" // decided against (or failed quorum)
)

// Reason is one translatable sentence of a result's explanation.
type Reason struct {
	Key    string            `json:"key"`    // i18n key, e.g. "result.signatures"
	Params map[string]string `json:"params"` // e.g. signed=34 electorate=62 threshold=31
}

// Result is a computed decision with the reasons that explain it.
type Result struct {
	Outcome Outcome
	Final   bool // closed: the outcome will not change
	Tally   Tally
	Reasons []Reason
}

// String renders the result in English, for logs and tests.
func (r Result) String() string {
	s := string(r.Outcome)
	for _, x := range r.Reasons {
		s += "; " + x.Key
		keys := make([]string, 0, len(x.Params))
		for k := range x.Params {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			s += " " + k + "=" + x.Params[k]
		}
	}
	return s
}

func reason(key string, kv ...any) Reason {
	p := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		p[fmt.Sprint(kv[i])] = fmt.Sprint(kv[i+1])
	}
	return Reason{Key: key, Params: p}
}

// percentOf formats n/d as a whole percentage (0 for an empty electorate).
func percentOf(n, d int) string {
	if d == 0 {
		return "0"
	}
	return strconv.Itoa(int(math.Floor(float64(n) * 100 / float64(d))))
}

// atLeastPercent reports n/d ≥ p% exactly, without floating-point surprises at the edge.
func atLeastPercent(n, d int, p float64) bool {
	if p <= 0 {
		return true
	}
	if d == 0 {
		return false
	}
	// n/d ≥ p/100  ⇔  100·n ≥ p·d ; p has at most a few decimals in practice.
	return float64(100*n) >= p*float64(d)-1e-9
}

// ceilPercent is the smallest count reaching p% of d.
func ceilPercent(p float64, d int) int {
	if p <= 0 {
		return 0
	}
	n := int(math.Ceil(p*float64(d)/100 - 1e-9))
	return n
}

// Decide computes a procedure's result from its rule, the electorate and the organizations'
// current ballots. closed says the deadline has passed. It is a pure function: the same
// inputs always give the same result, and the reasons explain it. Ballots of organizations
// outside the electorate, repeated ballots and answers the rule does not know are ignored.
func Decide(rule Rule, electorate []string, ballots []Ballot, closed bool) Result {
	inElectorate := make(map[string]bool, len(electorate))
	for _, id := range electorate {
		inElectorate[id] = true
	}
	t := Tally{Electorate: len(inElectorate), Counts: map[Answer]int{}}
	seen := map[string]bool{}
	for _, b := range ballots {
		if !inElectorate[b.OrgID] || seen[b.OrgID] || !slices.Contains(rule.Kind.Answers(), b.Answer) {
			continue
		}
		seen[b.OrgID] = true
		if b.Stale {
			t.Stale++
			continue
		}
		t.Responded++
		t.Counts[b.Answer]++
	}
	return DecideTally(rule, t, closed)
}

// DecideTally computes the result from counts already taken (Responded and Counts must hold
// current, non-stale responses of electorate members only).
func DecideTally(rule Rule, t Tally, closed bool) Result {
	if t.Counts == nil {
		t.Counts = map[Answer]int{}
	}
	res := Result{Outcome: OutcomePending, Final: closed, Tally: t}
	quorumOK := true
	var quorum []Reason
	if rule.QuorumPercent > 0 {
		quorumOK = atLeastPercent(t.Responded, t.Electorate, rule.QuorumPercent)
		key := "result.quorum_met"
		if !quorumOK {
			key = "result.quorum_not_met"
		}
		quorum = []Reason{reason(key, "responded", t.Responded, "electorate", t.Electorate, "percent", percentOf(t.Responded, t.Electorate),
			"quorum", strconv.FormatFloat(rule.QuorumPercent, 'f', -1, 64))}
	}
	if t.Electorate == 0 {
		res.Outcome = OutcomeNotAdopted
		res.Final = true
		res.Reasons = []Reason{reason("result.empty_electorate")}
		return res
	}
	// Signature collections are adopted the moment the threshold is reached (signing goes
	// on); every other rule decides at the deadline.
	decided := func(met bool, why Reason) {
		res.Reasons = append([]Reason{why}, quorum...)
		switch {
		case met && quorumOK && (closed || rule.Kind == RuleSignatures):
			res.Outcome = OutcomeAdopted
		case closed:
			res.Outcome = OutcomeNotAdopted
		default:
			res.Outcome = OutcomePending
		}
	}
	switch rule.Kind {
	case RuleSignatures:
		signed := t.Counts[AnswerSign]
		need := max(rule.MinSignatures, ceilPercent(rule.MinSignaturesPercent, t.Electorate))
		decided(signed >= need, reason("result.signatures", "signed", signed, "electorate", t.Electorate, "threshold", need))
	case RuleSilence:
		objections := t.Counts[AnswerObject]
		decided(objections == 0, reason("result.silence", "objections", objections, "electorate", t.Electorate))
	case RuleConsensus:
		blocks := t.Counts[AnswerBlock]
		participation := atLeastPercent(t.Responded, t.Electorate, rule.MinParticipationPercent)
		why := reason("result.consensus", "blocks", blocks, "responded", t.Responded, "electorate", t.Electorate,
			"percent", percentOf(t.Responded, t.Electorate), "participation", strconv.FormatFloat(rule.MinParticipationPercent, 'f', -1, 64))
		decided(blocks == 0 && participation, why)
	case RuleMajority:
		yes, no, abstain := t.Counts[AnswerApprove], t.Counts[AnswerReject], t.Counts[AnswerAbstain]
		base := yes + no
		if rule.AbstentionsCount {
			base += abstain
		}
		if rule.Base == BaseElectorate {
			base = t.Electorate
		}
		var ok bool
		var need string
		switch rule.Majority {
		case MajoritySimple:
			ok = yes > no
			if rule.AbstentionsCount {
				ok = yes > no+abstain
			}
			need = "more in favour than against"
		case MajorityAbsolute:
			ok = 2*yes > base
			need = strconv.Itoa(base/2+1) + " of " + strconv.Itoa(base)
		case MajorityQualified:
			// yes/base ≥ num/den  ⇔  yes·den ≥ num·base
			ok = base > 0 && yes*rule.Denominator >= rule.Numerator*base
			need = strconv.Itoa((rule.Numerator*base+rule.Denominator-1)/rule.Denominator) + " of " + strconv.Itoa(base)
		}
		decided(ok, reason("result.majority", "yes", yes, "no", no, "abstain", abstain, "base", base, "majority", string(rule.Majority), "need", need))
	}
	return res
}

// ElectorateKind says which organizations may respond in a procedure. The list of
// organizations is fixed when the procedure is opened.
type ElectorateKind string

// Electorates.
const (
	ElectorateMembers ElectorateKind = "members" // every member organization
	ElectorateRegion  ElectorateKind = "region"  // the members of one continent
	ElectorateList    ElectorateKind = "list"    // the organizations named
)

// ResponseVisibility says who sees the organizations' responses while a procedure runs.
type ResponseVisibility string

// Response visibilities.
const (
	ResponsesPublic  ResponseVisibility = "public"  // anyone, live
	ResponsesMembers ResponseVisibility = "members" // people with a mandate or federation role
	ResponsesHidden  ResponseVisibility = "hidden"  // nobody until the procedure closes
)

// Procedure applies a rule to a document (or a plain question) for an electorate of
// organizations, between an opening time and a deadline (both UTC).
type Procedure struct {
	ID               string
	DocumentID       string // "" for a plain question
	Question         string // the question, or the title shown for a document
	Rule             Rule
	ElectorateKind   ElectorateKind
	ElectorateRegion string
	Electorate       []string // organization IDs, fixed at opening
	Visibility       ResponseVisibility
	OpensAt          time.Time
	Deadline         time.Time
	ClosedAt         *time.Time
	Outcome          Outcome
	Result           *Result // the final result, stored at closing
	Revision         int64   // bumped by every response: orders live updates
	CreatedBy        string
	CreatedAt        time.Time
}

// OpenAt reports whether responses are accepted at t.
func (p *Procedure) OpenAt(t time.Time) bool {
	return p.ClosedAt == nil && !t.Before(p.OpensAt) && t.Before(p.Deadline)
}

// ResponsesVisible reports whether the actor may see individual responses at t.
func (p *Procedure) ResponsesVisible(a *Actor, t time.Time) bool {
	closed := p.ClosedAt != nil || !t.Before(p.Deadline)
	switch p.Visibility {
	case ResponsesPublic:
		return true
	case ResponsesMembers:
		return a.IsMember()
	}
	return closed
}

// Normalize trims the procedure's text fields.
func (p *Procedure) Normalize() {
	p.Question = CleanText(p.Question)
	p.ElectorateRegion = strings.TrimSpace(p.ElectorateRegion)
}

// Validate checks a procedure before it is opened.
func (p *Procedure) Validate() error {
	var v Validation
	checkText(&v, "question", p.Question, true, MaxLine, false)
	if err := p.Rule.Validate(); err != nil {
		if e := AsError(err); e != nil {
			for _, f := range e.Fields {
				f.Field = "rule." + f.Field
				if f.Params != nil {
					f.Params["field"] = f.Field
				}
				v.fields = append(v.fields, f)
			}
		}
	}
	switch p.ElectorateKind {
	case ElectorateMembers:
	case ElectorateRegion:
		if !ValidRegion(p.ElectorateRegion) {
			v.Add("electorate_region", "error.region", "is not a known region", "value", clip(p.ElectorateRegion, 40))
		}
	case ElectorateList:
		if len(p.Electorate) == 0 {
			v.Add("electorate", "error.electorate_empty", "name at least one organization")
		}
	default:
		v.Add("electorate_kind", "error.electorate", "must be members, region or list")
	}
	switch p.Visibility {
	case ResponsesPublic, ResponsesMembers, ResponsesHidden:
	default:
		v.Add("visibility", "error.response_visibility", "must be public, members or hidden")
	}
	if p.OpensAt.IsZero() || p.Deadline.IsZero() {
		v.Add("deadline", "error.missing", "is required")
	} else if !p.Deadline.After(p.OpensAt) {
		v.Add("deadline", "error.date_order", "ends before it starts")
	}
	return v.Err()
}

// Response is one organization's answer in a procedure, given by a person under a mandate on
// a version of the text (by hash), having read it in a language. Changing an answer adds a
// new response; the history is kept.
type Response struct {
	ID          string
	ProcedureID string
	OrgID       string
	PersonID    string
	MandateID   string
	Answer      Answer
	VersionHash string // the text's version the organization answered on ("" for a question)
	LangShown   string // the language version the delegate was shown
	At          time.Time
	Revision    int64
	Current     bool
}

// BallotsOf turns current responses into ballots; a response on another version than
// currentHash is stale (the organization signed an earlier version).
func BallotsOf(rs []Response, currentHash string) []Ballot {
	out := make([]Ballot, len(rs))
	for i, r := range rs {
		out[i] = Ballot{OrgID: r.OrgID, Answer: r.Answer, Stale: r.VersionHash != currentHash}
	}
	return out
}

// ResultAt is the procedure's result at t: the stored final result once closed, else the
// result computed from the current responses (final when t is past the deadline).
func (p *Procedure) ResultAt(t time.Time, current []Response, currentHash string) Result {
	if p.Result != nil {
		return *p.Result
	}
	return Decide(p.Rule, p.Electorate, BallotsOf(current, currentHash), !t.Before(p.Deadline))
}
