package api

import (
	"bytes"
	"encoding/csv"
	"maps"
	"net/http"
	"strconv"

	"concord"
	"concord/internal/documents"
	"concord/internal/procedures"
)

// signatoryDTO is one organization on a signatory list. Number is its place in the order of
// signing; 0 for a signature on an earlier version of the text (stale).
type signatoryDTO struct {
	Number         int               `json:"number"`
	OrganizationID string            `json:"organization_id"`
	Name           string            `json:"name"`
	NameLang       string            `json:"name_lang"`
	Names          map[string]string `json:"names"`
	Country        string            `json:"country"`
	SignedAt       string            `json:"signed_at"`
}

func signatoryOut(s procedures.Signatory) signatoryDTO {
	names := maps.Clone(s.Names)
	if names == nil {
		names = map[string]string{}
	}
	return signatoryDTO{Number: s.Number, OrganizationID: s.OrgID, Name: s.Name, NameLang: s.NameLang, Names: names,
		Country: s.Country, SignedAt: formatTime(s.SignedAt)}
}

func signatoriesOut(ss []procedures.Signatory) []signatoryDTO {
	out := make([]signatoryDTO, len(ss))
	for i, s := range ss {
		out[i] = signatoryOut(s)
	}
	return out
}

// signatoryListDTO is the signatory list of a signature collection as of a time. Open says
// further organizations may still sign; final that the procedure has ended (closed or past
// its deadline), so the list will not change.
type signatoryListDTO struct {
	ProcedureID string         `json:"procedure_id"`
	AsOf        string         `json:"as_of"`
	Open        bool           `json:"open"`
	Final       bool           `json:"final"`
	Signatories []signatoryDTO `json:"signatories"`
	Stale       []signatoryDTO `json:"stale"`
}

// signatories returns the list of the {id} procedure; the service decides who sees it.
func (h *Handler) signatories(r *http.Request) (*procedures.SignatoryList, error) {
	id, err := procedureID(r)
	if err != nil {
		return nil, err
	}
	return h.procs.Signatories(r.Context(), actor(r), id)
}

func (h *Handler) getSignatories(w http.ResponseWriter, r *http.Request) error {
	l, err := h.signatories(r)
	if err != nil {
		return err
	}
	p := l.Procedure
	return writeJSON(w, http.StatusOK, signatoryListDTO{ProcedureID: p.ID, AsOf: formatTime(l.AsOf), Open: l.Open,
		Final: p.ClosedAt != nil || !l.AsOf.Before(p.Deadline), Signatories: signatoriesOut(l.Signatories), Stale: signatoriesOut(l.Stale)})
}

// exportSignatoriesCSV writes the numbered signatories as CSV (RFC 4180, UTF-8): number,
// name, name_lang, name_en (the English name, else the own one), country, signed_at.
func (h *Handler) exportSignatoriesCSV(w http.ResponseWriter, r *http.Request) error {
	l, err := h.signatories(r)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	cw.UseCRLF = true
	_ = cw.Write([]string{"number", "name", "name_lang", "name_en", "country", "signed_at"})
	for _, s := range l.Signatories {
		en := (&concord.Organization{Name: s.Name, NameLang: s.NameLang, Names: s.Names}).NameIn("en")
		_ = cw.Write([]string{strconv.Itoa(s.Number), spreadsheetSafe(s.Name), s.NameLang, spreadsheetSafe(en), s.Country, formatTime(s.SignedAt)})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", documents.ContentDisposition("signatories-"+l.Procedure.ID+".csv"))
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
	return nil
}

// spreadsheetSafe keeps a spreadsheet from reading a name as a formula: a name starting with
// =, +, -, @, a tab or a carriage return gets a leading apostrophe.
func spreadsheetSafe(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r') {
		return "'" + s
	}
	return s
}
