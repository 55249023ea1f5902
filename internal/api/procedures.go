package api

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"concord"
	"concord/internal/httpx"
	"concord/internal/i18n"
	"concord/internal/procedures"
)

// ruleDTO is a decision rule: only the fields of its kind matter (the others are zero).
type ruleDTO struct {
	Kind                    string  `json:"kind"`
	MinSignatures           int     `json:"min_signatures"`
	MinSignaturesPercent    float64 `json:"min_signatures_percent"`
	MinParticipationPercent float64 `json:"min_participation_percent"`
	Majority                string  `json:"majority"`
	Numerator               int     `json:"numerator"`
	Denominator             int     `json:"denominator"`
	Base                    string  `json:"base"`
	AbstentionsCount        bool    `json:"abstentions_count"`
	QuorumPercent           float64 `json:"quorum_percent"`
}

func ruleOut(r concord.Rule) ruleDTO {
	return ruleDTO{Kind: string(r.Kind), MinSignatures: r.MinSignatures, MinSignaturesPercent: r.MinSignaturesPercent,
		MinParticipationPercent: r.MinParticipationPercent, Majority: string(r.Majority), Numerator: r.Numerator,
		Denominator: r.Denominator, Base: string(r.Base), AbstentionsCount: r.AbstentionsCount, QuorumPercent: r.QuorumPercent}
}

func (r ruleDTO) rule() concord.Rule {
	return concord.Rule{Kind: concord.RuleKind(r.Kind), MinSignatures: r.MinSignatures, MinSignaturesPercent: r.MinSignaturesPercent,
		MinParticipationPercent: r.MinParticipationPercent, Majority: concord.MajorityKind(r.Majority), Numerator: r.Numerator,
		Denominator: r.Denominator, Base: concord.MajorityBase(r.Base), AbstentionsCount: r.AbstentionsCount, QuorumPercent: r.QuorumPercent}
}

// electorateDTO says which organizations may respond. Region is set for a regional
// electorate; organization_ids lists the electorate fixed at opening (on one procedure, not
// in lists), and names the organizations of a "list" electorate when opening.
type electorateDTO struct {
	Kind            string   `json:"kind"`
	Region          string   `json:"region,omitempty"`
	OrganizationIDs []string `json:"organization_ids,omitempty"`
}

// procedureDTO is a procedure as lists show it.
type procedureDTO struct {
	ID         string        `json:"id"`
	DocumentID *string       `json:"document_id"`
	Question   string        `json:"question"`
	Rule       ruleDTO       `json:"rule"`
	Answers    []string      `json:"answers"`
	Electorate electorateDTO `json:"electorate"`
	Visibility string        `json:"visibility"`
	OpensAt    string        `json:"opens_at"`
	Deadline   string        `json:"deadline"`
	ClosedAt   *string       `json:"closed_at"`
	Open       bool          `json:"open"`
	Outcome    string        `json:"outcome"`
	Revision   int64         `json:"revision"`
	CreatedBy  *string       `json:"created_by"`
	CreatedAt  string        `json:"created_at"`
}

func procedureOut(p *concord.Procedure, now time.Time) procedureDTO {
	answers := []string{}
	for _, a := range p.Rule.Kind.Answers() {
		answers = append(answers, string(a))
	}
	out := procedureDTO{ID: p.ID, DocumentID: optional(p.DocumentID), Question: p.Question, Rule: ruleOut(p.Rule), Answers: answers,
		Electorate: electorateDTO{Kind: string(p.ElectorateKind), Region: p.ElectorateRegion, OrganizationIDs: p.Electorate},
		Visibility: string(p.Visibility), OpensAt: formatTime(p.OpensAt), Deadline: formatTime(p.Deadline),
		ClosedAt: formatTimePtr(p.ClosedAt), Open: p.OpenAt(now), Outcome: string(p.Outcome), Revision: p.Revision,
		CreatedBy: optional(p.CreatedBy), CreatedAt: formatTime(p.CreatedAt)}
	if p.ElectorateKind != concord.ElectorateRegion {
		out.Electorate.Region = ""
	}
	return out
}

// procDocumentDTO is the text a procedure is on, at its current version.
type procDocumentDTO struct {
	ID      string `json:"id"`
	Title   string `json:"title"`
	Version int    `json:"version"`
	Hash    string `json:"hash"`
}

// tallyDTO counts the organizations' current responses. Counts has every answer the rule
// allows when responses are visible, and is empty when they are hidden.
type tallyDTO struct {
	Electorate int            `json:"electorate"`
	Responded  int            `json:"responded"`
	Stale      int            `json:"stale"`
	Counts     map[string]int `json:"counts"`
}

// reasonDTO is one sentence of a result's explanation: its catalog key and parameters, and
// the sentence in the request's language.
type reasonDTO struct {
	Key     string            `json:"key"`
	Params  map[string]string `json:"params"`
	Message string            `json:"message"`
}

type resultDTO struct {
	Outcome string      `json:"outcome"`
	Final   bool        `json:"final"`
	Tally   tallyDTO    `json:"tally"`
	Reasons []reasonDTO `json:"reasons"`
}

func resultOut(l *i18n.Localizer, r concord.Result, answers []concord.Answer, visible bool) resultDTO {
	counts := map[string]int{}
	if visible {
		for _, a := range answers {
			counts[string(a)] = r.Tally.Counts[a]
		}
	}
	out := resultDTO{Outcome: string(r.Outcome), Final: r.Final, Reasons: []reasonDTO{},
		Tally: tallyDTO{Electorate: r.Tally.Electorate, Responded: r.Tally.Responded, Stale: r.Tally.Stale, Counts: counts}}
	for _, x := range r.Reasons {
		params := x.Params
		if params == nil {
			params = map[string]string{}
		}
		out.Reasons = append(out.Reasons, reasonDTO{Key: x.Key, Params: params, Message: reasonMessage(l, x)})
	}
	return out
}

// reasonMessage translates a reason; a majority reason also says what majority was needed.
func reasonMessage(l *i18n.Localizer, r concord.Reason) string {
	kv := make([]any, 0, 2*len(r.Params))
	for k, v := range r.Params {
		if k != "majority" && k != "need" {
			kv = append(kv, k, v)
		}
	}
	msg := l.T(r.Key, kv...)
	if r.Key == "result.majority" {
		switch m := r.Params["majority"]; m {
		case string(concord.MajoritySimple):
			msg += " " + l.T("majority.need.simple")
		case string(concord.MajorityAbsolute), string(concord.MajorityQualified):
			var needed, base int
			if n, err := fmt.Sscanf(r.Params["need"], "%d of %d", &needed, &base); err == nil && n == 2 {
				msg += " " + l.T("majority.need."+m, "needed", strconv.Itoa(needed), "base", strconv.Itoa(base))
			}
		}
	}
	return msg
}

// responseDTO is one response of an organization.
type responseDTO struct {
	ID             string `json:"id"`
	OrganizationID string `json:"organization_id"`
	PersonID       string `json:"person_id"`
	MandateID      string `json:"mandate_id"`
	Answer         string `json:"answer"`
	VersionHash    string `json:"version_hash"`
	LanguageShown  string `json:"language_shown"`
	At             string `json:"at"`
	Revision       int64  `json:"revision"`
	Current        bool   `json:"current"`
}

func responseOut(r *concord.Response) responseDTO {
	return responseDTO{ID: r.ID, OrganizationID: r.OrgID, PersonID: r.PersonID, MandateID: r.MandateID, Answer: string(r.Answer),
		VersionHash: r.VersionHash, LanguageShown: r.LangShown, At: formatTime(r.At), Revision: r.Revision, Current: r.Current}
}

func responsesOut(rs []concord.Response) []responseDTO {
	out := make([]responseDTO, len(rs))
	for i := range rs {
		out[i] = responseOut(&rs[i])
	}
	return out
}

// procedureDetailDTO is one procedure with its current (or final) result and, when the
// acting person may see them, the organizations' current responses (else null).
type procedureDetailDTO struct {
	procedureDTO
	Document         *procDocumentDTO `json:"document"`
	Result           resultDTO        `json:"result"`
	ResponsesVisible bool             `json:"responses_visible"`
	Responses        []responseDTO    `json:"responses"`
}

func (h *Handler) procedureDetailOut(r *http.Request, v *procedures.View) procedureDetailDTO {
	out := procedureDetailDTO{procedureDTO: procedureOut(v.Procedure, h.clock.Now()), ResponsesVisible: v.Visible,
		Result: resultOut(h.localizer(r), v.Result, v.Procedure.Rule.Kind.Answers(), v.Visible)}
	if d := v.Document; d != nil {
		out.Document = &procDocumentDTO{ID: d.ID}
		if cv := d.CurrentVersion; cv != nil {
			out.Document.Title, out.Document.Version, out.Document.Hash = cv.Title, cv.Number, cv.Hash
		}
	}
	if v.Visible {
		out.Responses = responsesOut(v.Responses)
	}
	return out
}

// procedureID returns the {id} of a procedure route.
func procedureID(r *http.Request) (string, error) { return pathID(r, "id", "procedure") }

func (h *Handler) getProcedure(w http.ResponseWriter, r *http.Request) error {
	id, err := procedureID(r)
	if err != nil {
		return err
	}
	v, err := h.procs.Get(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, h.procedureDetailOut(r, v))
}

// respondRequest is an organization's answer. version_hash, when given, must be the
// current version of the text; language is the language version the delegate read.
type respondRequest struct {
	OrganizationID string `json:"organization_id"`
	Answer         string `json:"answer"`
	VersionHash    string `json:"version_hash"`
	Language       string `json:"language"`
}

// check validates what the service takes as it comes; it reads nothing.
func (req *respondRequest) check() (string, error) {
	var v concord.Validation
	checkID(&v, "organization_id", req.OrganizationID, true)
	checkText(&v, "version_hash", req.VersionHash, false, 128, false)
	lang := checkLang(&v, "language", req.Language, false)
	return lang, v.Err()
}

// respond is the hot path of a vote: decode, respond (which returns once the response is
// durable), encode. It reads nothing else.
func (h *Handler) respond(w http.ResponseWriter, r *http.Request) error {
	id, err := procedureID(r)
	if err != nil {
		return err
	}
	var req respondRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	lang, err := req.check()
	if err != nil {
		return err
	}
	resp, err := h.procs.Respond(r.Context(), actor(r), id, req.OrganizationID, concord.Answer(req.Answer), req.VersionHash, lang)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, responseOut(resp))
}

// procedureEvents streams a procedure's live updates as Server-Sent Events to whoever may
// see the procedure; the service's Get is the access check.
func (h *Handler) procedureEvents(w http.ResponseWriter, r *http.Request) error {
	id, err := procedureID(r)
	if err != nil {
		return err
	}
	if h.live == nil {
		return concord.NotFound("event stream")
	}
	if !validEventID(r.Header.Get("Last-Event-ID")) || !validEventID(r.URL.Query().Get("last_event_id")) {
		return &concord.Error{Code: httpx.EBADREQUEST, Key: "error.last_event_id", Message: "Last-Event-ID must be a decimal number"}
	}
	topic, rev, err := h.procs.Watch(r.Context(), actor(r), id, r.URL.Query().Get("stream"))
	if err != nil {
		return err
	}
	h.live.Known(topic, rev)
	h.live.ServeSSE(w, r, topic)
	return nil
}

// validEventID reports whether s is empty or a position ServeSSE can resume from.
func validEventID(s string) bool {
	if s = strings.TrimSpace(s); s == "" {
		return true
	}
	_, err := strconv.ParseUint(s, 10, 64)
	return err == nil
}

// listProcedures lists the procedures the acting person may see (the service filters),
// without the electorates' members.
func (h *Handler) listProcedures(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	documentID := q.id("document_id")
	if err := q.err(); err != nil {
		return err
	}
	ps, err := h.procs.List(r.Context(), actor(r), documentID)
	if err != nil {
		return err
	}
	now := h.clock.Now()
	out := make([]procedureDTO, len(ps))
	for i, p := range ps {
		out[i] = procedureOut(p, now)
		out[i].Electorate.OrganizationIDs = nil // lists leave out the electorate's members
	}
	return writeJSON(w, http.StatusOK, list(out))
}

// procedureCreateRequest opens a procedure. opens_at (default: now) and deadline are RFC 3339
// instants with any offset; the electorate is fixed when the procedure is opened.
type procedureCreateRequest struct {
	Question   string        `json:"question"`
	DocumentID string        `json:"document_id"`
	Rule       ruleDTO       `json:"rule"`
	Electorate electorateDTO `json:"electorate"`
	Visibility string        `json:"visibility"`
	OpensAt    string        `json:"opens_at"`
	Deadline   string        `json:"deadline"`
}

// Bounds of the rule's whole numbers, so that counting with them cannot overflow.
const (
	maxMinSignatures = 1_000_000
	maxFractionPart  = 1000
)

// procedure checks what the service takes as it comes (IDs, times, the size of numbers) and
// returns the procedure to open. Region and organization_ids count only for their kind.
func (req *procedureCreateRequest) procedure(v *concord.Validation) *concord.Procedure {
	checkID(v, "document_id", req.DocumentID, false)
	p := &concord.Procedure{Question: req.Question, DocumentID: req.DocumentID, Rule: req.Rule.rule(),
		ElectorateKind: concord.ElectorateKind(req.Electorate.Kind), Visibility: concord.ResponseVisibility(req.Visibility),
		OpensAt: parseInstant(v, "opens_at", req.OpensAt), Deadline: parseInstant(v, "deadline", req.Deadline)}
	bound := func(field string, n, max int) {
		if n > max {
			v.Add(field, "error.number", "is too large", "min", "0", "max", strconv.Itoa(max))
		}
	}
	bound("rule.min_signatures", req.Rule.MinSignatures, maxMinSignatures)
	bound("rule.numerator", req.Rule.Numerator, maxFractionPart)
	bound("rule.denominator", req.Rule.Denominator, maxFractionPart)
	switch p.ElectorateKind {
	case concord.ElectorateRegion:
		p.ElectorateRegion = req.Electorate.Region
	case concord.ElectorateList:
		for _, id := range req.Electorate.OrganizationIDs {
			if !concord.ValidID(id) {
				checkID(v, "electorate.organization_ids", id, true)
				break // one bad ID is reported, not thousands
			}
		}
		p.Electorate = slices.Clone(req.Electorate.OrganizationIDs)
	}
	return p
}

// procedureFields names the request's JSON fields for the domain's field names.
var procedureFields = map[string]string{
	"electorate_kind":   "electorate.kind",
	"electorate_region": "electorate.region",
	"electorate":        "electorate.organization_ids",
}

// fieldErrors returns the domain's validation error with the request's field names (and the
// {field} parameter following them), the unknown rule kind named in its message, and the
// fields already reported in prior (the request's own checks) left out. Other errors pass.
func (req *procedureCreateRequest) fieldErrors(err error, prior []concord.FieldError) error {
	e := concord.AsError(err)
	if e == nil || e.Code != concord.EINVALID {
		return err
	}
	out := &concord.Error{Code: e.Code, Key: e.Key, Params: e.Params, Message: e.Message, Fields: slices.Clone(prior)}
	seen := map[string]bool{}
	for _, f := range prior {
		seen[f.Field] = true
	}
	for _, f := range e.Fields {
		if name, ok := procedureFields[f.Field]; ok {
			f.Field = name
		}
		if seen[f.Field] {
			continue
		}
		params := maps.Clone(f.Params)
		if params == nil {
			params = map[string]string{}
		}
		params["field"] = f.Field
		if _, ok := params["value"]; !ok && f.Key == "error.rule" {
			params["value"] = clip(req.Rule.Kind)
		}
		f.Params = params
		out.Fields = append(out.Fields, f)
	}
	if len(out.Fields) > 0 {
		out.Message = out.Fields[0].Field + ": " + out.Fields[0].Message
	}
	return out
}

// createProcedure opens a procedure (admins and coordinators) and answers with it as GET
// /procedures/{id} shows it.
func (h *Handler) createProcedure(w http.ResponseWriter, r *http.Request) error {
	var req procedureCreateRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	var v concord.Validation
	p := req.procedure(&v)
	if err := v.Err(); err != nil {
		// Name the domain's problems too, so one answer lists every field.
		check := *p
		check.Normalize()
		if check.OpensAt.IsZero() {
			check.OpensAt = h.clock.Now()
		}
		if derr := check.Validate(); derr != nil {
			return req.fieldErrors(derr, concord.AsError(err).Fields)
		}
		return err
	}
	a := actor(r)
	err := h.procs.Open(r.Context(), a, p)
	if concord.ErrorCode(err) == concord.ENOTFOUND && p.DocumentID != "" {
		// The one thing Open looks up is the document.
		v.Add("document_id", "error.reference", "refers to no document")
		return v.Err()
	}
	if err != nil {
		return req.fieldErrors(err, nil)
	}
	view, err := h.procs.Get(r.Context(), a, p.ID)
	if err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"/procedures/"+p.ID)
	return writeJSON(w, http.StatusCreated, h.procedureDetailOut(r, view))
}

// responseHistory lists every response one organization gave, oldest first, for the
// organization's own people and staff.
func (h *Handler) responseHistory(w http.ResponseWriter, r *http.Request) error {
	id, err := procedureID(r)
	if err != nil {
		return err
	}
	q := newQuery(r)
	orgID := q.id("organization_id")
	if q.values.Get("organization_id") == "" {
		q.v.Add("organization_id", "error.missing", "is required")
	}
	if err := q.err(); err != nil {
		return err
	}
	rs, err := h.procs.History(r.Context(), actor(r), id, orgID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, list(responsesOut(rs)))
}

// listUndecided lists the organizations of the electorate that have not responded (staff).
func (h *Handler) listUndecided(w http.ResponseWriter, r *http.Request) error {
	id, err := procedureID(r)
	if err != nil {
		return err
	}
	orgs, err := h.procs.Undecided(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	out := make([]organizationDTO, len(orgs))
	for i, o := range orgs {
		out[i] = organizationOut(o)
	}
	return writeJSON(w, http.StatusOK, list(out))
}
