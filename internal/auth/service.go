package auth

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"concord"
	"concord/internal/sqldb"
)

// Service logs people in and out, keeps their sessions and API tokens, and turns a session or
// token secret into an Actor.
type Service struct {
	db        *sqldb.DB
	clock     concord.Clock
	params    PasswordParams
	byAccount *Limiter
	byAddress *Limiter

	touchMu   sync.Mutex
	touched   map[string]time.Time // token ID → last use not yet written
	flushing  bool
	lastFlush time.Time

	lookupMu sync.Mutex
	waiting  []*tokenLookup // token lookups for the next statement
	looking  bool           // a statement is running
}

// tokenLookup is one request's API token waiting to be looked up.
type tokenLookup struct {
	hash  string
	found *sqldb.TokenActor // nil: unknown or revoked
	err   error
	done  chan struct{}
}

// NewService returns an auth service. Login failures are limited to 10 per account and 50
// per address in 15 minutes.
func NewService(db *sqldb.DB, clock concord.Clock, params PasswordParams) *Service {
	now := clock.Now
	return &Service{db: db, clock: clock, params: params,
		byAccount: NewLimiter(10, 15*time.Minute, now),
		byAddress: NewLimiter(50, 15*time.Minute, now), touched: map[string]time.Time{}}
}

// PasswordParams returns the cost parameters for new password hashes.
func (s *Service) PasswordParams() PasswordParams { return s.params }

// dummyHash is checked when the login does not exist, so that a wrong login and a wrong
// password take the same time.
var dummyHash = HashPassword("not a real password", DefaultPasswordParams)

// Login checks a login and password and opens a session. It returns the session secret for
// the cookie. Wrong credentials and rate limiting are distinct errors; neither says whether
// the login exists.
func (s *Service) Login(ctx context.Context, login, password, ip, userAgent string) (secret string, p *concord.Person, err error) {
	login = concord.NormalizeLogin(login)
	if !s.byAccount.Allowed(login) || !s.byAddress.Allowed(ip) {
		return "", nil, &concord.Error{Code: concord.ERATELIMIT, Key: "error.rate_limited", Message: "too many login attempts"}
	}
	fail := func() (string, *concord.Person, error) {
		s.byAccount.Fail(login)
		s.byAddress.Fail(ip)
		return "", nil, &concord.Error{Code: concord.EUNAUTHORIZED, Key: "error.login_failed", Message: "wrong login or password"}
	}
	var hash string
	err = s.db.View(ctx, func(tx *sqldb.Tx) error {
		var err error
		if p, err = tx.GetPersonByLogin(login); err != nil {
			return err
		}
		hash, err = tx.PasswordHash(p.ID)
		return err
	})
	switch {
	case concord.ErrorCode(err) == concord.ENOTFOUND:
		_, _ = CheckPassword(dummyHash, password)
		return fail()
	case err != nil:
		return "", nil, err
	}
	if hash == "" || p.DisabledAt != nil {
		_, _ = CheckPassword(dummyHash, password)
		return fail()
	}
	if ok, err := CheckPassword(hash, password); err != nil {
		return "", nil, fmt.Errorf("check password: %w", err)
	} else if !ok {
		return fail()
	}
	s.byAccount.Reset(login)
	secret, err = s.openSession(ctx, p.ID, ip, userAgent)
	return secret, p, err
}

func (s *Service) openSession(ctx context.Context, personID, ip, userAgent string) (string, error) {
	secret := concord.NewSecret(32)
	now := s.clock.Now()
	sess := &concord.Session{ID: HashSecret(secret), PersonID: personID, CreatedAt: now, LastSeenAt: now,
		ExpiresAt: now.Add(concord.SessionTTL), UserAgent: clip(userAgent, 300), IP: ip}
	err := s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		if err := tx.InsertSession(sess); err != nil {
			return err
		}
		return tx.InsertAuditEvent(&concord.AuditEvent{ID: concord.NewID(now), At: now, PersonID: personID,
			Action: "session.login", TargetType: "session", TargetID: sess.ID[:16], IP: ip})
	})
	return secret, err
}

// OpenSession starts a session for a person who just proved who they are another way (for
// example by accepting an invitation and setting a password).
func (s *Service) OpenSession(ctx context.Context, personID, ip, userAgent string) (string, error) {
	return s.openSession(ctx, personID, ip, userAgent)
}

// touchEvery bounds how often a session's last use is written: reads stay reads.
const touchEvery = 5 * time.Minute

// SessionActor returns the actor and session for a session secret. It extends the session's
// life at most every few minutes.
func (s *Service) SessionActor(ctx context.Context, secret string) (*concord.Actor, *concord.Session, error) {
	if secret == "" {
		return nil, nil, &concord.Error{Code: concord.EUNAUTHORIZED, Message: "no session"}
	}
	now := s.clock.Now()
	sess, p, ms, err := s.db.ActorBySession(ctx, HashSecret(secret), now)
	if concord.ErrorCode(err) == concord.ENOTFOUND {
		return nil, nil, &concord.Error{Code: concord.EUNAUTHORIZED, Message: "session expired or unknown"}
	}
	if err != nil {
		return nil, nil, err
	}
	actor, err := newActor(p, ms)
	if err != nil {
		return nil, nil, err
	}
	if now.Sub(sess.LastSeenAt) > touchEvery {
		if err := s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
			return tx.TouchSession(sess.ID, now, now.Add(concord.SessionTTL))
		}); err != nil {
			return nil, nil, err
		}
	}
	return actor, sess, nil
}

// TokenActor returns the actor for an API token secret ("Bearer <secret>").
func (s *Service) TokenActor(ctx context.Context, secret string) (*concord.Actor, error) {
	l := &tokenLookup{hash: HashSecret(secret), done: make(chan struct{})}
	s.lookupMu.Lock()
	s.waiting = append(s.waiting, l)
	if !s.looking {
		s.looking = true
		go s.lookupTokens()
	}
	s.lookupMu.Unlock()
	select {
	case <-l.done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if l.err != nil {
		return nil, l.err
	}
	if l.found == nil {
		return nil, &concord.Error{Code: concord.EUNAUTHORIZED, Message: "invalid or revoked token"}
	}
	// Requests with the same token share the lookup; each gets its own copy.
	p := *l.found.Person
	p.FederationRoles = slices.Clone(p.FederationRoles)
	actor, err := newActor(&p, slices.Clone(l.found.Mandates))
	if err != nil {
		return nil, err
	}
	tok := l.found.Token
	actor.Token = tok.ID
	if now := s.clock.Now(); tok.LastUsedAt == nil || now.Sub(*tok.LastUsedAt) > touchEvery {
		s.touchLater(tok.ID, now)
	}
	return actor, nil
}

// maxLookup bounds the tokens looked up by one statement.
const maxLookup = 512

// lookupTokens looks up waiting tokens, as many as have arrived, one statement at a time,
// until none wait: the group commit of the response path, applied to authentication. When a
// vote opens, a thousand delegates' requests arrive together, and on PostgreSQL one round
// trip each was most of the database's work; a lone request is looked up at once.
func (s *Service) lookupTokens() {
	for {
		s.lookupMu.Lock()
		batch := s.waiting[:min(len(s.waiting), maxLookup)]
		s.waiting = s.waiting[len(batch):]
		if len(batch) == 0 {
			s.looking, s.waiting = false, nil
			s.lookupMu.Unlock()
			return
		}
		s.lookupMu.Unlock()
		hashes, seen := make([]string, 0, len(batch)), make(map[string]bool, len(batch))
		for _, l := range batch {
			if !seen[l.hash] {
				seen[l.hash] = true
				hashes = append(hashes, l.hash)
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		found, err := s.db.ActorsByTokens(ctx, hashes, s.clock.Now())
		cancel()
		for _, l := range batch {
			l.found, l.err = found[l.hash], err
			close(l.done)
		}
	}
}

// touchLater records a token's use and writes pending uses in one background transaction
// at most every touchFlush. A vote is thousands of first uses at once: writing each on the
// request path would put a durable write in front of every response.
func (s *Service) touchLater(id string, at time.Time) {
	const touchFlush = 5 * time.Second
	s.touchMu.Lock()
	defer s.touchMu.Unlock()
	s.touched[id] = at
	if s.flushing || time.Since(s.lastFlush) < touchFlush {
		return
	}
	s.flushing = true
	go s.flushTouches()
}

func (s *Service) flushTouches() {
	s.touchMu.Lock()
	batch := s.touched
	s.touched = map[string]time.Time{}
	s.touchMu.Unlock()
	err := s.db.WithTx(context.Background(), func(tx *sqldb.Tx) error {
		for id, at := range batch {
			if err := tx.TouchAPIToken(id, at); err != nil {
				return err
			}
		}
		return nil
	})
	s.touchMu.Lock()
	defer s.touchMu.Unlock()
	if err != nil { // keep them for the next flush
		for id, at := range batch {
			if _, newer := s.touched[id]; !newer {
				s.touched[id] = at
			}
		}
	}
	s.flushing, s.lastFlush = false, time.Now()
}

// LoadActor returns the actor for a person with the mandates current now.
func (s *Service) LoadActor(ctx context.Context, personID string) (*concord.Actor, error) {
	var a *concord.Actor
	err := s.db.View(ctx, func(tx *sqldb.Tx) (err error) {
		a, err = loadActor(tx, personID, s.clock.Now())
		return err
	})
	return a, err
}

func loadActor(tx *sqldb.Tx, personID string, now time.Time) (*concord.Actor, error) {
	p, err := tx.GetPerson(personID)
	if err != nil {
		return nil, err
	}
	ms, err := tx.CurrentMandates(personID, now)
	if err != nil {
		return nil, err
	}
	return newActor(p, ms)
}

// newActor is the actor of a person with their current mandates, unless the account is
// disabled.
func newActor(p *concord.Person, ms []concord.Mandate) (*concord.Actor, error) {
	if p.DisabledAt != nil {
		return nil, &concord.Error{Code: concord.EUNAUTHORIZED, Message: "account disabled"}
	}
	return &concord.Actor{Person: p, Mandates: ms}, nil
}

// Logout ends the session with this secret.
func (s *Service) Logout(ctx context.Context, actor *concord.Actor, secret string) error {
	return s.RevokeSession(ctx, actor, HashSecret(secret))
}

// Sessions lists the actor's live sessions.
func (s *Service) Sessions(ctx context.Context, actor *concord.Actor) ([]concord.Session, error) {
	var out []concord.Session
	err := s.db.View(ctx, func(tx *sqldb.Tx) (err error) {
		out, err = tx.ListSessions(actor.PersonID(), s.clock.Now())
		return err
	})
	return out, err
}

// RevokeSession ends one of the actor's own sessions.
func (s *Service) RevokeSession(ctx context.Context, actor *concord.Actor, sessionID string) error {
	now := s.clock.Now()
	return s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		if err := tx.DeleteSession(actor.PersonID(), sessionID); err != nil {
			return err
		}
		return tx.InsertAuditEvent(&concord.AuditEvent{ID: concord.NewID(now), At: now, PersonID: actor.PersonID(),
			Action: "session.revoke", TargetType: "session", TargetID: clip(sessionID, 16)})
	})
}

// ChangePassword replaces the actor's password after checking the current one, and ends all
// their other sessions.
func (s *Service) ChangePassword(ctx context.Context, actor *concord.Actor, currentSessionID, oldPassword, newPassword string) error {
	var v concord.Validation
	concord.ValidatePassword(&v, "new_password", newPassword)
	if err := v.Err(); err != nil {
		return err
	}
	var hash string
	if err := s.db.View(ctx, func(tx *sqldb.Tx) (err error) {
		hash, err = tx.PasswordHash(actor.PersonID())
		return err
	}); err != nil {
		return err
	}
	if ok, _ := CheckPassword(hash, oldPassword); !ok {
		var v concord.Validation
		v.Add("old_password", "error.password_wrong", "is not your current password")
		return v.Err()
	}
	newHash := HashPassword(newPassword, s.params)
	now := s.clock.Now()
	return s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		if err := tx.SetPasswordHash(actor.PersonID(), newHash); err != nil {
			return err
		}
		if err := tx.DeleteOtherSessions(actor.PersonID(), currentSessionID); err != nil {
			return err
		}
		return tx.InsertAuditEvent(&concord.AuditEvent{ID: concord.NewID(now), At: now, PersonID: actor.PersonID(),
			Action: "person.password", TargetType: "person", TargetID: actor.PersonID()})
	})
}

// CreateToken makes an API token for the actor and returns its secret, shown once.
func (s *Service) CreateToken(ctx context.Context, actor *concord.Actor, name string) (*concord.APIToken, string, error) {
	if actor == nil || actor.Person == nil {
		return nil, "", &concord.Error{Code: concord.EUNAUTHORIZED, Message: "log in first"}
	}
	name = concord.CleanText(name)
	var v concord.Validation
	if name == "" {
		name = "API token"
	}
	if len([]rune(name)) > concord.MaxName {
		v.Add("name", "error.too_long", "is too long", "max", "200")
	}
	if !utf8.ValidString(name) || strings.IndexFunc(name, unicode.IsControl) >= 0 {
		v.Add("name", "error.control_char", "contains control characters")
	}
	if err := v.Err(); err != nil {
		return nil, "", err
	}
	now := s.clock.Now()
	secret := "cc_" + concord.NewSecret(32)
	tok := &concord.APIToken{ID: concord.NewID(now), PersonID: actor.PersonID(), Name: name, CreatedAt: now}
	err := s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		if err := tx.InsertAPIToken(tok, HashSecret(secret)); err != nil {
			return err
		}
		return tx.InsertAuditEvent(&concord.AuditEvent{ID: concord.NewID(now), At: now, PersonID: actor.PersonID(),
			Action: "token.create", TargetType: "token", TargetID: tok.ID, Changes: map[string][2]string{"name": {"", name}}})
	})
	if err != nil {
		return nil, "", err
	}
	return tok, secret, nil
}

// Tokens lists the actor's live API tokens.
func (s *Service) Tokens(ctx context.Context, actor *concord.Actor) ([]concord.APIToken, error) {
	var out []concord.APIToken
	err := s.db.View(ctx, func(tx *sqldb.Tx) (err error) {
		out, err = tx.ListAPITokens(actor.PersonID())
		return err
	})
	return out, err
}

// RevokeToken revokes one of the actor's API tokens.
func (s *Service) RevokeToken(ctx context.Context, actor *concord.Actor, id string) error {
	now := s.clock.Now()
	return s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		if err := tx.RevokeAPIToken(actor.PersonID(), id, now); err != nil {
			return err
		}
		return tx.InsertAuditEvent(&concord.AuditEvent{ID: concord.NewID(now), At: now, PersonID: actor.PersonID(),
			Action: "token.revoke", TargetType: "token", TargetID: id})
	})
}

// SetupNeeded reports whether no federation admin exists yet (first start).
func (s *Service) SetupNeeded(ctx context.Context) (bool, error) {
	var n int
	err := s.db.View(ctx, func(tx *sqldb.Tx) (err error) {
		n, err = tx.CountFederationRole(concord.FedAdmin)
		return err
	})
	return n == 0, err
}

// CreateFirstAdmin makes the first federation admin. It refuses once any admin exists, so the
// setup page and command work exactly once. The check and the insert share one write
// transaction, which both databases serialize for this table.
func (s *Service) CreateFirstAdmin(ctx context.Context, p *concord.Person, password string) error {
	p.Normalize()
	if p.DisplayName == "" {
		p.DisplayName = p.Login
	}
	p.FederationRoles = []concord.FederationRole{concord.FedAdmin}
	var v concord.Validation
	concord.ValidatePassword(&v, "password", password)
	if err := v.Err(); err != nil {
		return err
	}
	if err := p.Validate(); err != nil {
		return err
	}
	hash := HashPassword(password, s.params)
	now := s.clock.Now()
	p.ID, p.CreatedAt = concord.NewID(now), now
	return s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		if err := tx.LockSetup(); err != nil {
			return err
		}
		n, err := tx.CountFederationRole(concord.FedAdmin)
		if err != nil {
			return err
		}
		if n > 0 {
			return &concord.Error{Code: concord.ECONFLICT, Key: "error.setup_done", Message: "an admin already exists"}
		}
		if err := tx.InsertPerson(p, hash); err != nil {
			return err
		}
		return tx.InsertAuditEvent(&concord.AuditEvent{ID: concord.NewID(now), At: now, PersonID: p.ID,
			Action: "person.create_admin", TargetType: "person", TargetID: p.ID, Changes: map[string][2]string{"login": {"", p.Login}}})
	})
}

func clip(s string, n int) string {
	if len(s) > n {
		return strings.ToValidUTF8(s[:n], "")
	}
	return s
}
