package procedures

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"concord"
	"concord/internal/jobs"
	"concord/internal/mail"
	"concord/internal/sqldb"
)

// ReminderMail is the payload of a JobMail job: one email to one delegate.
type ReminderMail struct {
	To       string    `json:"to"`
	Language string    `json:"language"`
	TimeZone string    `json:"time_zone"`
	OrgName  string    `json:"org_name"`
	Question string    `json:"question"`
	Deadline time.Time `json:"deadline"`
	Link     string    `json:"link"`
}

// RemindHandler returns the JobRemind handler: every organization of the electorate that has
// not responded yet is noted as reminded (the in-app banner reads that) and each of its
// current delegates with an email address gets a reminder in their own language.
func (s *Service) RemindHandler(baseURL string) func(ctx context.Context, payload []byte) error {
	return func(ctx context.Context, payload []byte) error {
		var j procJob
		if err := json.Unmarshal(payload, &j); err != nil {
			return err
		}
		now := s.clock.Now()
		return s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
			p, err := tx.GetProcedure(j.ProcedureID)
			if err != nil {
				return err
			}
			if !p.OpenAt(now) {
				return nil
			}
			orgs, err := undecided(tx, p)
			if err != nil {
				return err
			}
			for _, o := range orgs {
				if err := tx.RecordReminder(p.ID, o.ID, now); err != nil {
					return err
				}
				people, err := tx.Delegates(o.ID, now)
				if err != nil {
					return err
				}
				for _, person := range people {
					if person.Email == "" {
						continue
					}
					if err := jobs.Enqueue(tx, now, JobMail, ReminderMail{To: person.Email, Language: person.Language,
						TimeZone: person.TimeZone, OrgName: o.NameIn(person.Language), Question: p.Question, Deadline: p.Deadline,
						Link: baseURL + "/procedures/" + p.ID}); err != nil {
						return err
					}
				}
			}
			return nil
		})
	}
}

// Translator renders catalog messages in one language; *i18n.Localizer satisfies it.
type Translator interface {
	T(key string, kv ...any) string
	DateTime(t time.Time, loc *time.Location) string
	Tag() string
}

// ReminderMailHandler returns the JobMail handler that sends one reminder.
func ReminderMailHandler(sender mail.Sender, localize func(lang string) Translator) func(ctx context.Context, payload []byte) error {
	return func(ctx context.Context, payload []byte) error {
		var m ReminderMail
		if err := json.Unmarshal(payload, &m); err != nil {
			return fmt.Errorf("decode reminder: %w", err)
		}
		tr := localize(m.Language)
		loc := (&concord.Person{TimeZone: m.TimeZone}).Location()
		kv := []any{"org", m.OrgName, "question", m.Question, "deadline", tr.DateTime(m.Deadline, loc), "link", m.Link}
		return sender.Send(ctx, mail.Message{To: m.To, Subject: tr.T("mail.reminder.subject", kv...), Text: tr.T("mail.reminder.body", kv...), Lang: tr.Tag()})
	}
}
