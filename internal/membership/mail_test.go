package membership_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"concord"
	"concord/internal/i18n"
	"concord/internal/jobs"
	"concord/internal/mail"
	"concord/internal/mailtest"
	"concord/internal/membership"
	"concord/internal/sqldb"
	"concord/internal/sqldb/sqldbtest"
)

// TestInvitationEmail sends an invitation through the durable job queue to a real SMTP
// server (mailpit on loopback) and reads it back, in the invitee's language.
func TestInvitationEmail(t *testing.T) {
	t.Parallel()
	smtp := mailtest.Start(t)
	bundle := i18n.MustLoad()
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		sender, err := mail.NewSMTPSender(mail.SMTPConfig{Host: smtp.SMTPHost, Port: smtp.SMTPPort, From: "concord@example.org", TLS: mail.TLSNone})
		sqldbtest.Must(t, err)
		worker := jobs.NewWorker(db, fixedClock{now}, slog.New(slog.DiscardHandler))
		worker.Register(membership.JobInvitationMail, membership.InvitationMailHandler(sender, func(lang string) membership.Translator {
			return bundle.Localizer(lang)
		}))
		to := "shirin-" + db.Dialect() + "@example.org"
		link, err := w.members.Invite(ctx, w.actors["orgAdminA"], &concord.Invitation{OrgID: w.orgA.ID, Role: concord.RoleDelegate,
			Email: to, Language: "fa"})
		sqldbtest.Must(t, err)
		ran, err := worker.RunOnce(ctx)
		sqldbtest.Must(t, err)
		if !ran {
			t.Fatal("no job was queued for the invitation email")
		}
		msg := smtp.WaitFor(t, to, 10*time.Second)
		fa := bundle.Localizer("fa")
		wantSubject := fa.T("mail.invitation.subject", "org", w.orgA.Name, "inviter", "orgAdminA", "role", fa.T("role.delegate"))
		if msg.Subject != wantSubject {
			t.Errorf("subject %q, want %q", msg.Subject, wantSubject)
		}
		if !strings.Contains(msg.Text, link) {
			t.Errorf("body lacks the invitation link %s:\n%s", link, msg.Text)
		}
		if got := msg.Headers["Content-Language"]; len(got) == 0 || got[0] != "fa" {
			t.Errorf("Content-Language %v, want fa", got)
		}
		// The secret link is not kept in the job table once sent.
		pending, done, failed, err := jobCounts(db)
		sqldbtest.Must(t, err)
		if pending != 0 || done != 1 || failed != 0 {
			t.Errorf("jobs pending=%d done=%d failed=%d", pending, done, failed)
		}
	})
}

func jobCounts(db *sqldb.DB) (pending, done, failed int, err error) {
	err = db.View(context.Background(), func(tx *sqldb.Tx) (err error) {
		pending, done, failed, err = tx.JobCounts()
		return err
	})
	return
}
