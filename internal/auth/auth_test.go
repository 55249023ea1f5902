package auth_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"concord"
	"concord/internal/auth"
	"concord/internal/sqldb"
	"concord/internal/sqldb/sqldbtest"
)

var fast = auth.PasswordParams{Memory: 64, Time: 1, Threads: 1}

func TestPasswordHash(t *testing.T) {
	t.Parallel()
	h := auth.HashPassword("correct horse battery", fast)
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("hash format: %s", h)
	}
	for pw, want := range map[string]bool{"correct horse battery": true, "correct horse batterY": false, "": false} {
		if ok, err := auth.CheckPassword(h, pw); err != nil || ok != want {
			t.Errorf("%q: %v %v", pw, ok, err)
		}
	}
	for _, bad := range []string{"", "$bcrypt$x", "$argon2id$v=19$m=99999999,t=1,p=1$AAAA$AAAA", "$argon2id$v=19$m=64,t=1,p=1$!!$AAAA"} {
		if _, err := auth.CheckPassword(bad, "x"); err == nil {
			t.Errorf("malformed hash %q accepted", bad)
		}
	}
}

type clock struct{ t time.Time }

func (c *clock) Now() time.Time { return c.t }

func TestLimiterWindow(t *testing.T) {
	t.Parallel()
	c := &clock{time.Unix(0, 0)}
	l := auth.NewLimiter(3, time.Minute, c.Now)
	for i := 0; i < 3; i++ {
		if !l.Allowed("k") {
			t.Fatalf("refused after %d failures", i)
		}
		l.Fail("k")
	}
	if l.Allowed("k") {
		t.Fatal("allowed after 3 failures")
	}
	c.t = c.t.Add(61 * time.Second)
	if !l.Allowed("k") {
		t.Fatal("still refused after the window")
	}
}

func TestLoginSessionsAndTokens(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		c := &clock{time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)}
		s := auth.NewService(db, c, fast)
		p := &concord.Person{Login: "Alice", DisplayName: "Alice"}
		sqldbtest.Must(t, s.CreateFirstAdmin(ctx, p, "a long enough password"))
		if err := s.CreateFirstAdmin(ctx, &concord.Person{Login: "bob"}, "a long enough password"); concord.ErrorCode(err) != concord.ECONFLICT {
			t.Fatalf("second first admin: %v", err)
		}
		if _, _, err := s.Login(ctx, "alice", "wrong password!", "192.0.2.1", "test"); concord.ErrorCode(err) != concord.EUNAUTHORIZED {
			t.Fatalf("wrong password: %v", err)
		}
		if _, _, err := s.Login(ctx, "nobody", "wrong password!", "192.0.2.1", "test"); concord.ErrorCode(err) != concord.EUNAUTHORIZED {
			t.Fatalf("unknown login: %v", err)
		}
		secret, _, err := s.Login(ctx, " ALICE ", "a long enough password", "192.0.2.1", "test")
		sqldbtest.Must(t, err)
		actor, sess, err := s.SessionActor(ctx, secret)
		sqldbtest.Must(t, err)
		if actor.Person.Login != "alice" || !actor.IsFederation(concord.FedAdmin) {
			t.Fatalf("actor %+v", actor.Person)
		}
		tok, tokSecret, err := s.CreateToken(ctx, actor, "script")
		sqldbtest.Must(t, err)
		if _, err := s.TokenActor(ctx, tokSecret); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.CreateToken(ctx, actor, "bad\x00name"); concord.ErrorCode(err) != concord.EINVALID {
			t.Errorf("control character in token name: %v", err)
		}
		sqldbtest.Must(t, s.RevokeToken(ctx, actor, tok.ID))
		if _, err := s.TokenActor(ctx, tokSecret); concord.ErrorCode(err) != concord.EUNAUTHORIZED {
			t.Errorf("revoked token still works: %v", err)
		}
		// A password change ends the other sessions but keeps this one.
		other, _, err := s.Login(ctx, "alice", "a long enough password", "192.0.2.2", "phone")
		sqldbtest.Must(t, err)
		sqldbtest.Must(t, s.ChangePassword(ctx, actor, sess.ID, "a long enough password", "another long password"))
		if _, _, err := s.SessionActor(ctx, other); concord.ErrorCode(err) != concord.EUNAUTHORIZED {
			t.Errorf("other session survived a password change: %v", err)
		}
		if _, _, err := s.SessionActor(ctx, secret); err != nil {
			t.Errorf("current session ended by a password change: %v", err)
		}
		sqldbtest.Must(t, s.Logout(ctx, actor, secret))
		if _, _, err := s.SessionActor(ctx, secret); concord.ErrorCode(err) != concord.EUNAUTHORIZED {
			t.Errorf("session alive after logout: %v", err)
		}
		// Sessions expire.
		secret, _, err = s.Login(ctx, "alice", "another long password", "192.0.2.1", "test")
		sqldbtest.Must(t, err)
		c.t = c.t.Add(concord.SessionTTL + time.Minute)
		if _, _, err := s.SessionActor(ctx, secret); concord.ErrorCode(err) != concord.EUNAUTHORIZED {
			t.Errorf("expired session accepted: %v", err)
		}
	})
}

func TestLoginRateLimit(t *testing.T) {
	t.Parallel()
	db := sqldbtest.OpenSQLite(t)
	ctx := context.Background()
	s := auth.NewService(db, &clock{time.Now()}, fast)
	sqldbtest.Must(t, s.CreateFirstAdmin(ctx, &concord.Person{Login: "alice"}, "a long enough password"))
	for i := 0; i < 10; i++ {
		_, _, _ = s.Login(ctx, "alice", "wrong", "192.0.2.9", "x")
	}
	if _, _, err := s.Login(ctx, "alice", "a long enough password", "192.0.2.10", "x"); concord.ErrorCode(err) != concord.ERATELIMIT {
		t.Fatalf("11th attempt on the account: %v, want rate limited", err)
	}
}

// TestConcurrentTokenLookups: requests that arrive together are looked up in one statement;
// each must still get its own token's person, and unknown or revoked tokens none.
func TestConcurrentTokenLookups(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
		s := auth.NewService(db, &clock{now}, fast)
		type holder struct{ secret, personID, tokenID string }
		var holders []holder
		sqldbtest.Must(t, db.WithTx(ctx, func(tx *sqldb.Tx) error {
			for i := range 60 {
				p := &concord.Person{ID: concord.NewID(now), Login: fmt.Sprintf("p%02d", i), DisplayName: "P", CreatedAt: now}
				if err := tx.InsertPerson(p, ""); err != nil {
					return err
				}
				h := holder{secret: fmt.Sprintf("secret-%02d", i), personID: p.ID, tokenID: concord.NewID(now)}
				if err := tx.InsertAPIToken(&concord.APIToken{ID: h.tokenID, PersonID: p.ID, Name: "t", CreatedAt: now}, auth.HashSecret(h.secret)); err != nil {
					return err
				}
				if i == 59 { // revoked: must not authenticate
					if err := tx.RevokeAPIToken(p.ID, h.tokenID, now); err != nil {
						return err
					}
					h.personID = ""
				}
				holders = append(holders, h)
			}
			return nil
		}))
		holders = append(holders, holder{secret: "nobody's secret"})
		var wg sync.WaitGroup
		errs := make(chan string, 3*len(holders))
		for range 3 { // each token three times at once
			for _, h := range holders {
				wg.Go(func() {
					a, err := s.TokenActor(ctx, h.secret)
					switch {
					case h.personID == "" && concord.ErrorCode(err) != concord.EUNAUTHORIZED:
						errs <- fmt.Sprintf("%s: err = %v, want unauthorized", h.secret, err)
					case h.personID != "" && err != nil:
						errs <- fmt.Sprintf("%s: %v", h.secret, err)
					case h.personID != "" && (a.PersonID() != h.personID || a.Token != h.tokenID):
						errs <- fmt.Sprintf("%s: person %s token %s, want %s %s", h.secret, a.PersonID(), a.Token, h.personID, h.tokenID)
					}
				})
			}
		}
		wg.Wait()
		close(errs)
		for e := range errs {
			t.Error(e)
		}
	})
}
