package demo_test

import (
	"context"
	"testing"

	"concord"
	"concord/internal/auth"
	"concord/internal/demo"
	"concord/internal/documents"
	"concord/internal/sqldb"
	"concord/internal/sqldb/sqldbtest"
)

func TestLoad(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		clock := concord.SystemClock{}
		params := auth.PasswordParams{Memory: 64, Time: 1, Threads: 1}
		loaded, err := demo.Load(ctx, db, clock, params)
		sqldbtest.Must(t, err)
		if !loaded {
			t.Fatal("demo not loaded into an empty database")
		}
		again, err := demo.Load(ctx, db, clock, params)
		sqldbtest.Must(t, err)
		if again {
			t.Fatal("demo loaded twice")
		}
		var orgs []*concord.Organization
		sqldbtest.Must(t, db.View(ctx, func(tx *sqldb.Tx) (err error) {
			orgs, err = tx.ListOrganizations(sqldb.OrgFilter{})
			return err
		}))
		regions := map[string]bool{}
		for _, o := range orgs {
			regions[o.Region] = true
		}
		if len(orgs) != 16 || len(regions) < 4 {
			t.Errorf("%d organizations on %d continents", len(orgs), len(regions))
		}
		docs := documents.NewService(documents.Config{DB: db, Clock: clock})
		list, _, err := docs.PublicList(ctx, nil, 50, 0)
		sqldbtest.Must(t, err)
		var greeting *documents.PublicDocument
		for _, p := range list {
			if p.Document.Kind == concord.KindGreeting {
				greeting = p
			}
		}
		if len(list) != 2 || greeting == nil {
			t.Fatalf("%d public documents, greeting %v", len(list), greeting != nil)
		}
		en, ok := greeting.In("en")
		if !ok || en.Provenance != concord.ProvMachineReviewed || en.Engine != "Apertium" {
			t.Errorf("greeting in English: %+v", en)
		}
		// Every demo login works with the documented password.
		au := auth.NewService(db, clock, params)
		for _, l := range demo.Logins() {
			if _, _, err := au.Login(ctx, l.Login, demo.Password, "192.0.2."+l.Login[:1], "test"); err != nil {
				t.Errorf("demo login %s: %v", l.Login, err)
			}
		}
	})
}
