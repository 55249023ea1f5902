package documents_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"concord"
	"concord/internal/documents"
	"concord/internal/sqldb"
	"concord/internal/sqldb/sqldbtest"
)

// words is a small multilingual vocabulary for generated texts.
var words = strings.Fields(`federation solidarity struggle workers women peace climate strike union congress resolution
	call greeting statement report statute conference delegates organizations jubilee anniversary march
	solidaridad lucha trabajadores mujeres paz huelga congreso Solidarität Kampftag Arbeiterinnen Frieden Streik
	solidarité lutte travailleurs paix grève солидарность борьба рабочие мир забастовка dayanışma mücadele işçiler
	همبستگی مبارزه کارگران تضامن نضال العمال`)

// text draws n words: one in six from the common vocabulary above, the others from 20,000
// rarer made-up words, so that a search for a rare word matches a small share of texts, as
// names and specific terms do in real archives.
func text(r *rand.Rand, n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(' ')
		}
		if r.IntN(6) == 0 {
			b.WriteString(words[r.IntN(len(words))])
		} else {
			fmt.Fprintf(&b, "w%05d", r.IntN(20000))
		}
	}
	return b.String()
}

// seedDocuments inserts n published public documents (each with a ~120-word body and its
// search entry) through the store, in batches.
func seedDocuments(b *testing.B, db *sqldb.DB, n int) {
	b.Helper()
	r := rand.New(rand.NewPCG(7, 7))
	now := time.Now().UTC()
	for done := 0; done < n; {
		batch := min(5000, n-done)
		err := db.WithTx(context.Background(), func(tx *sqldb.Tx) error {
			for i := 0; i < batch; i++ {
				title, body := text(r, 6), text(r, 120)
				d := &concord.Document{ID: concord.NewID(now), Kind: concord.KindStatement, Status: concord.DocPublished,
					Visibility: concord.VisibilityPublic, IssuerBody: "Coordinating Committee", SourceLang: "en",
					CreatedAt: now, UpdatedAt: now, PublishedAt: &now}
				v := &concord.Version{ID: concord.NewID(now), DocumentID: d.ID, Number: 1, Title: title, Body: body,
					Hash: concord.VersionHash(title, body), CreatedAt: now}
				if err := tx.InsertDocument(d, v, "<p>"+body+"</p>"); err != nil {
					return err
				}
				if err := tx.PutSearchEntry(d.ID, "en", title, body); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		done += batch
	}
}

// BenchmarkSearch measures a visitor's full-text search (visibility filtered, 20 results) at
// 10,000 and 100,000 documents: "rare" queries name a specific term (about 0.6% of texts
// contain it), "common" ones two frequent words (most texts match; ranking dominates).
// PostgreSQL too when CONCORD_TEST_POSTGRES is set.
//
//	go test -run '^$' -bench BenchmarkSearch -benchtime 50x ./internal/documents/
func BenchmarkSearch(b *testing.B) {
	dbs := map[string]func(testing.TB) *sqldb.DB{"sqlite": sqldbtest.OpenSQLite}
	if sqldbtest.PostgresURL() != "" {
		dbs["postgres"] = sqldbtest.OpenPostgres
	}
	for name, open := range dbs {
		for _, n := range []int{10_000, 100_000} {
			b.Run(fmt.Sprintf("%s/%d", name, n), func(b *testing.B) {
				db := open(b)
				seedDocuments(b, db, n)
				svc := documents.NewService(documents.Config{DB: db, Clock: concord.SystemClock{}})
				ctx := context.Background()
				for kind, queries := range map[string][]string{
					"rare":   {"w00042", "w12345", "w07777", "w19999", "w03003"},
					"common": {"solidarity strike", "lucha mujeres", "Kampftag Frieden", "همبستگی کارگران", "борьба мир"},
				} {
					b.Run(kind, func(b *testing.B) {
						for i := 0; b.Loop(); i++ {
							hits, err := svc.Search(ctx, nil, queries[i%len(queries)], "", documents.ListFilter{Limit: 20})
							if err != nil {
								b.Fatal(err)
							}
							if len(hits) == 0 {
								b.Fatal("no hits")
							}
						}
					})
				}
			})
		}
	}
}
