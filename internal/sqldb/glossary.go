package sqldb

import (
	"time"

	"concord"
)

// PutGlossaryTerm inserts or replaces a glossary term with all its wordings.
func (tx *Tx) PutGlossaryTerm(t *concord.GlossaryTerm, now time.Time) error {
	if _, err := tx.exec(`INSERT INTO glossary_terms (id, concept, note, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET concept = excluded.concept, note = excluded.note, updated_at = excluded.updated_at`,
		t.ID, t.Concept, t.Note, now, now); err != nil {
		return err
	}
	if _, err := tx.exec(`DELETE FROM glossary_wordings WHERE term_id = ?`, t.ID); err != nil {
		return err
	}
	for kind, byLang := range map[string]map[string][]string{"adopted": t.Adopted, "forbidden": t.Forbidden} {
		for lang, ws := range byLang {
			for i, w := range ws {
				if _, err := tx.exec(`INSERT INTO glossary_wordings (term_id, lang, kind, wording, position) VALUES (?, ?, ?, ?, ?)`,
					t.ID, lang, kind, w, i); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// GlossaryTermExists returns not found unless a term with id exists.
func (tx *Tx) GlossaryTermExists(id string) error {
	var n int
	if err := tx.queryRow(`SELECT count(*) FROM glossary_terms WHERE id = ?`, id).Scan(&n); err != nil {
		return tx.scanErr(err, "glossary term")
	}
	if n == 0 {
		return notFound("glossary term")
	}
	return nil
}

// DeleteGlossaryTerm removes a term and its wordings.
func (tx *Tx) DeleteGlossaryTerm(id string) error {
	res, err := tx.exec(`DELETE FROM glossary_terms WHERE id = ?`, id)
	return mustAffect(res, err, "glossary term")
}

// ListGlossaryTerms returns every glossary term with its wordings, by concept.
func (tx *Tx) ListGlossaryTerms() ([]concord.GlossaryTerm, error) {
	rows, err := tx.query(`SELECT id, concept, note FROM glossary_terms ORDER BY concept, id`)
	if err != nil {
		return nil, err
	}
	var terms []concord.GlossaryTerm
	index := map[string]int{}
	for rows.Next() {
		t := concord.GlossaryTerm{Adopted: map[string][]string{}, Forbidden: map[string][]string{}}
		if err := rows.Scan(&t.ID, &t.Concept, &t.Note); err != nil {
			rows.Close()
			return nil, tx.scanErr(err, "glossary term")
		}
		index[t.ID] = len(terms)
		terms = append(terms, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, tx.scanErr(err, "glossary term")
	}
	rows, err = tx.query(`SELECT term_id, lang, kind, wording FROM glossary_wordings ORDER BY term_id, lang, kind, position`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, lang, kind, w string
		if err := rows.Scan(&id, &lang, &kind, &w); err != nil {
			return nil, tx.scanErr(err, "glossary wording")
		}
		i, ok := index[id]
		if !ok {
			continue
		}
		if kind == "adopted" {
			terms[i].Adopted[lang] = append(terms[i].Adopted[lang], w)
		} else {
			terms[i].Forbidden[lang] = append(terms[i].Forbidden[lang], w)
		}
	}
	return terms, tx.scanErr(rows.Err(), "glossary wording")
}
