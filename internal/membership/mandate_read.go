package membership

import (
	"context"

	"concord"
	"concord/internal/sqldb"
)

// Mandate returns one mandate, revoked or not. Its holder may read it, and so may whoever may
// see its organization's private data; anyone else logged in is refused (like UpdateMandate
// and RevokeMandate, which the JSON API's PATCH merges over this).
func (s *Service) Mandate(ctx context.Context, a *concord.Actor, id string) (*concord.Mandate, error) {
	if a == nil || a.Person == nil {
		return nil, &concord.Error{Code: concord.EUNAUTHORIZED, Key: "error.unauthorized", Message: "log in first"}
	}
	var m *concord.Mandate
	err := s.db.View(ctx, func(tx *sqldb.Tx) (err error) {
		m, err = tx.GetMandate(id)
		return err
	})
	if err != nil {
		return nil, err
	}
	if m.PersonID != a.PersonID() {
		if _, err := Authorize(a, ActViewPrivate, m.OrgID); err != nil {
			return nil, err
		}
	}
	return m, nil
}
