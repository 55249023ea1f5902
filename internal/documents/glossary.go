package documents

import (
	"context"
	"encoding/csv"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"

	"concord"
	"concord/internal/sqldb"
)

// Glossary returns every term. Anyone who may translate reads it; members read it too.
func (s *Service) Glossary(ctx context.Context, a *concord.Actor) ([]concord.GlossaryTerm, error) {
	if a == nil || a.Person == nil {
		return nil, &concord.Error{Code: concord.EUNAUTHORIZED, Key: "error.unauthorized", Message: "log in first"}
	}
	var out []concord.GlossaryTerm
	err := s.db.View(ctx, func(tx *sqldb.Tx) (err error) {
		out, err = tx.ListGlossaryTerms()
		return err
	})
	return out, err
}

// PutTerm creates (empty ID) or replaces a glossary term.
func (s *Service) PutTerm(ctx context.Context, a *concord.Actor, t *concord.GlossaryTerm) error {
	m, err := Authorize(a, ActEditGlossary, nil, "")
	if err != nil {
		return err
	}
	normalizeTerm(t)
	if err := t.Validate(); err != nil {
		return err
	}
	now := s.clock.Now()
	action := "glossary.update"
	if t.ID == "" {
		t.ID, action = concord.NewID(now), "glossary.create"
	}
	return s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		if action == "glossary.update" {
			if err := tx.GlossaryTermExists(t.ID); err != nil {
				return err
			}
		}
		if err := tx.PutGlossaryTerm(t, now); err != nil {
			return err
		}
		return audit(tx, now, a, m, "", action, "glossary_term", t.ID, map[string][2]string{"concept": {"", t.Concept}})
	})
}

// DeleteTerm removes a glossary term.
func (s *Service) DeleteTerm(ctx context.Context, a *concord.Actor, id string) error {
	m, err := Authorize(a, ActEditGlossary, nil, "")
	if err != nil {
		return err
	}
	now := s.clock.Now()
	return s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		if err := tx.DeleteGlossaryTerm(id); err != nil {
			return err
		}
		return audit(tx, now, a, m, "", "glossary.delete", "glossary_term", id, nil)
	})
}

func normalizeTerm(t *concord.GlossaryTerm) {
	t.Concept, t.Note = concord.CleanText(t.Concept), concord.CleanText(t.Note)
	clean := func(m map[string][]string) map[string][]string {
		out := map[string][]string{}
		for lang, ws := range m {
			lang = strings.TrimSpace(lang)
			for _, w := range ws {
				if w = concord.CleanText(w); w != "" && !slices.Contains(out[lang], w) {
					out[lang] = append(out[lang], w)
				}
			}
		}
		return out
	}
	t.Adopted, t.Forbidden = clean(t.Adopted), clean(t.Forbidden)
}

// CheckText lists glossary violations in a text of language lang (for drafting editors).
func (s *Service) CheckText(ctx context.Context, a *concord.Actor, lang, text string) ([]concord.GlossaryViolation, error) {
	terms, err := s.Glossary(ctx, a)
	if err != nil {
		return nil, err
	}
	return concord.CheckText(terms, lang, text), nil
}

// The glossary CSV has one row per term and language:
//
//	concept,note,lang,adopted,forbidden
//	day of struggle,Fixed term of the 2019 conference,es,jornada de lucha,lucha libre|día de lucha libre
//
// Several wordings in one cell are separated by "|". Rows of one concept are merged.
var csvHeader = []string{"concept", "note", "lang", "adopted", "forbidden"}

// MaxGlossaryCSV is the largest glossary file accepted.
const MaxGlossaryCSV = 4 << 20

// ExportGlossaryCSV writes the glossary as CSV.
func (s *Service) ExportGlossaryCSV(ctx context.Context, a *concord.Actor, w io.Writer) error {
	terms, err := s.Glossary(ctx, a)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	for _, t := range terms {
		for _, l := range t.Languages() {
			if err := cw.Write([]string{t.Concept, t.Note, l, strings.Join(t.Adopted[l], "|"), strings.Join(t.Forbidden[l], "|")}); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// ParseGlossaryCSV reads glossary terms from CSV. It is strict: a malformed file, a wrong
// header or an invalid term is an error naming the line, and nothing is returned.
func ParseGlossaryCSV(r io.Reader) ([]concord.GlossaryTerm, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxGlossaryCSV+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxGlossaryCSV {
		return nil, &concord.Error{Code: concord.EINVALID, Key: "error.file_too_large", Message: "file too large"}
	}
	data = []byte(strings.TrimPrefix(string(data), "\ufeff")) // spreadsheet programs add a BOM
	cr := csv.NewReader(strings.NewReader(string(data)))
	cr.FieldsPerRecord = len(csvHeader)
	bad := func(line int, msg string) error {
		return &concord.Error{Code: concord.EINVALID, Key: "error.csv_malformed", Message: msg,
			Params: map[string]string{"line": strconv.Itoa(line)}}
	}
	head, err := cr.Read()
	if err != nil {
		return nil, bad(1, "missing or malformed header")
	}
	for i := range csvHeader {
		if strings.ToLower(strings.TrimSpace(head[i])) != csvHeader[i] {
			return nil, bad(1, "header must be "+strings.Join(csvHeader, ","))
		}
	}
	var terms []concord.GlossaryTerm
	index := map[string]int{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
			}
			return nil, bad(line, "malformed CSV row")
		}
		line, _ := cr.FieldPos(0)
		concept := concord.CleanText(rec[0])
		i, ok := index[strings.ToLower(concept)]
		if !ok {
			i = len(terms)
			index[strings.ToLower(concept)] = i
			terms = append(terms, concord.GlossaryTerm{Concept: concept, Note: rec[1], Adopted: map[string][]string{}, Forbidden: map[string][]string{}})
		}
		lang := strings.TrimSpace(rec[2])
		split := func(cell string) []string {
			var out []string
			for _, w := range strings.Split(cell, "|") {
				if w = strings.TrimSpace(w); w != "" {
					out = append(out, w)
				}
			}
			return out
		}
		terms[i].Adopted[lang] = append(terms[i].Adopted[lang], split(rec[3])...)
		terms[i].Forbidden[lang] = append(terms[i].Forbidden[lang], split(rec[4])...)
		if terms[i].Note == "" {
			terms[i].Note = rec[1]
		}
		normalizeTerm(&terms[i])
		if err := terms[i].Validate(); err != nil {
			if e := concord.AsError(err); e != nil {
				e.Params = map[string]string{"line": strconv.Itoa(line)}
				e.Message = "line " + strconv.Itoa(line) + ": " + e.Message
			}
			return nil, err
		}
	}
	return terms, nil
}

// ImportGlossaryCSV merges terms from CSV into the glossary in one transaction: a term with
// the same concept is replaced, others are added. It returns how many terms were written.
func (s *Service) ImportGlossaryCSV(ctx context.Context, a *concord.Actor, r io.Reader) (int, error) {
	m, err := Authorize(a, ActEditGlossary, nil, "")
	if err != nil {
		return 0, err
	}
	terms, err := ParseGlossaryCSV(r)
	if err != nil {
		return 0, err
	}
	now := s.clock.Now()
	err = s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		existing, err := tx.ListGlossaryTerms()
		if err != nil {
			return err
		}
		ids := map[string]string{}
		for _, t := range existing {
			ids[strings.ToLower(t.Concept)] = t.ID
		}
		for i := range terms {
			t := &terms[i]
			if t.ID = ids[strings.ToLower(t.Concept)]; t.ID == "" {
				t.ID = concord.NewID(now)
			}
			if err := tx.PutGlossaryTerm(t, now); err != nil {
				return err
			}
		}
		return audit(tx, now, a, m, "", "glossary.import", "glossary", "", map[string][2]string{"terms": {"", strconv.Itoa(len(terms))}})
	})
	return len(terms), err
}
