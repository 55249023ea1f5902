package membership

import (
	"context"
	"encoding/json"
	"fmt"

	"concord/internal/mail"
)

// Translator renders catalog messages in one language; *i18n.Localizer satisfies it.
type Translator interface {
	T(key string, kv ...any) string
	Tag() string
}

// InvitationMailHandler returns the job handler that emails an invitation in the invitee's
// language.
func InvitationMailHandler(sender mail.Sender, localize func(lang string) Translator) func(ctx context.Context, payload []byte) error {
	return func(ctx context.Context, payload []byte) error {
		var p InvitationMail
		if err := json.Unmarshal(payload, &p); err != nil {
			return fmt.Errorf("decode invitation mail: %w", err)
		}
		tr := localize(p.Language)
		role := tr.T("role." + p.Role)
		kv := []any{"org", p.OrgName, "inviter", p.Inviter, "role", role, "link", p.Link,
			"expires", p.ExpiresAt.Format("2006-01-02 15:04 MST")}
		return sender.Send(ctx, mail.Message{
			To:      p.To,
			Subject: tr.T("mail.invitation.subject", kv...),
			Text:    tr.T("mail.invitation.body", kv...),
			Lang:    tr.Tag(),
		})
	}
}
