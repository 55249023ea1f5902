package demo

import (
	"context"
	"fmt"

	"concord"
	"concord/internal/auth"
	"concord/internal/documents"
	"concord/internal/mt"
	"concord/internal/procedures"
	"concord/internal/sqldb"
)

// recordedEngine replays machine translations that Apertium 3.8 produced for the demo
// texts, so the demo shows a machine-translated-then-reviewed greeting on machines without
// Apertium. Its version says so: provenance stays honest.
type recordedEngine struct{ out map[string]string }

func (e recordedEngine) Name() string { return "Apertium" }
func (e recordedEngine) Version(context.Context) (string, error) {
	return "3.8.3 (output recorded for the demo)", nil
}
func (e recordedEngine) Pairs(context.Context) ([]mt.Pair, error) {
	return []mt.Pair{{Source: "es", Target: "en"}}, nil
}
func (e recordedEngine) Translate(_ context.Context, _ mt.Pair, texts []string) ([]string, error) {
	out := make([]string, len(texts))
	for i, t := range texts {
		out[i] = e.out[t]
	}
	return out, nil
}

var greetingES = []string{
	"Queridas compañeras y queridos compañeros de la Federación Internacional de Solidaridad:",
	"En el decimoquinto aniversario de nuestra federación, el Movimiento Popular de Trabajadores de Colombia les envía un saludo fraternal.",
	"Quince años de lucha común nos han enseñado que la solidaridad no conoce fronteras.",
	"¡Viva la solidaridad internacional!",
}

// Apertium's real output (apertium -u spa-eng), then the translator's review.
var greetingMachine = []string{
	"Dear mates and wanted mates of the International Federation of Solidarity:",
	"In the fifteenth anniversary of our federation, the Popular Movement of Workers of Colombia sends them a fraternal greeting.",
	"Fifteen years of common fight have taught us that the solidarity does not know borders.",
	"It live the international solidarity!",
}

var greetingReviewed = []string{
	"Dear comrades of the International Solidarity Federation,",
	"On the fifteenth anniversary of our federation, the Popular Workers' Movement of Colombia sends you fraternal greetings.",
	"Fifteen years of common struggle have taught us that solidarity knows no borders.",
	"Long live international solidarity!",
}

const resolutionEN = `The International Solidarity Federation calls on all member organizations to make 8 March a day of struggle for the rights of working women.

We call for equal pay for equal work, for an end to violence against women, and for free childcare in every country.

Member organizations report their activities to the secretariat by 31 March, so that a joint round-up can be published in all working languages.`

var resolutionES = []string{
	"La Federación Internacional de Solidaridad llama a todas las organizaciones miembro a hacer del 8 de marzo una jornada de lucha por los derechos de las mujeres trabajadoras.",
	"Exigimos igual salario por igual trabajo, el fin de la violencia contra las mujeres y guarderías gratuitas en todos los países.",
	"Las organizaciones miembro informan de sus actividades a la secretaría antes del 31 de marzo, para que pueda publicarse un resumen común en todos los idiomas de trabajo.",
}

const letterDE = `Liebe Freundinnen und Freunde,

die Koordinierung lädt zur Sitzung des Koordinierungskomitees am 14. Februar ein. Anträge schickt ihr bitte bis zum 31. Januar an das Sekretariat.

Mit solidarischen Grüßen
das Sekretariat`

// loadDocuments adds the demo texts: a published resolution with a human Spanish
// translation, a jubilee greeting machine-translated into English and reviewed, a
// circulating circular letter, a draft statement, and the glossary.
func loadDocuments(ctx context.Context, db *sqldb.DB, au *auth.Service, clock concord.Clock) error {
	actor := func(login string) (*concord.Actor, error) {
		var id string
		if err := db.View(ctx, func(tx *sqldb.Tx) error {
			p, err := tx.GetPersonByLogin(login)
			if err != nil {
				return err
			}
			id = p.ID
			return nil
		}); err != nil {
			return nil, fmt.Errorf("demo person %s: %w", login, err)
		}
		return au.LoadActor(ctx, id)
	}
	recorded := recordedEngine{out: map[string]string{}}
	for i, s := range greetingES {
		recorded.out[s] = greetingMachine[i]
	}
	docs := documents.NewService(documents.Config{DB: db, Clock: clock, Engines: []mt.Engine{recorded}})
	sec, err := actor("secretariat")
	if err != nil {
		return err
	}
	admin, err := actor("admin")
	if err != nil {
		return err
	}
	for _, t := range []concord.GlossaryTerm{
		{Concept: "day of struggle", Note: "The federation's fixed term (World Conference 2019). Never 'wrestling day'.",
			Adopted:   map[string][]string{"en": {"day of struggle"}, "es": {"jornada de lucha"}, "de": {"Kampftag"}, "fr": {"journée de lutte"}, "ru": {"день борьбы"}, "tr": {"mücadele günü"}},
			Forbidden: map[string][]string{"en": {"wrestling day"}, "es": {"lucha libre", "día de lucha libre"}, "de": {"Ringkampftag"}}},
		{Concept: "member organization", Note: "Gender-neutral; never 'member party' (not all members are parties).",
			Adopted:   map[string][]string{"en": {"member organization"}, "es": {"organización miembro"}, "de": {"Mitgliedsorganisation"}},
			Forbidden: map[string][]string{"en": {"member party"}, "de": {"Mitgliedspartei"}}},
	} {
		if err := docs.PutTerm(ctx, admin, &t); err != nil {
			return fmt.Errorf("demo glossary: %w", err)
		}
	}

	res, err := docs.Create(ctx, sec, documents.NewDocument{Kind: concord.KindResolution, Visibility: concord.VisibilityPublic,
		IssuerBody: "Coordinating Committee", SourceLang: "en", Title: "8 March: a day of struggle for working women", Body: resolutionEN})
	if err != nil {
		return fmt.Errorf("demo resolution: %w", err)
	}
	for _, st := range []concord.DocStatus{concord.DocCirculating, concord.DocAdopted, concord.DocPublished} {
		if _, err := docs.ChangeStatus(ctx, sec, res.ID, st); err != nil {
			return err
		}
	}
	sofia, err := actor("sofia")
	if err != nil {
		return err
	}
	tr, err := docs.StartTranslation(ctx, sofia, res.ID, "es")
	if err != nil {
		return err
	}
	var edits []documents.SegmentEdit
	for i, sg := range tr.Segments {
		edits = append(edits, documents.SegmentEdit{SegmentID: sg.SegmentID, Target: resolutionES[i], Reviewed: true})
	}
	if _, err := docs.SaveSegments(ctx, sofia, res.ID, "es", "8 de marzo: jornada de lucha de las mujeres trabajadoras", edits); err != nil {
		return err
	}
	if _, err := docs.MarkFinal(ctx, sofia, res.ID, "es", ""); err != nil {
		return fmt.Errorf("demo Spanish translation: %w", err)
	}

	camila, err := actor("camila")
	if err != nil {
		return err
	}
	var orgID string
	for _, m := range camila.Mandates {
		orgID = m.OrgID
	}
	greet, err := docs.Create(ctx, camila, documents.NewDocument{Kind: concord.KindGreeting, Visibility: concord.VisibilityPublic,
		IssuerOrgID: orgID, SourceLang: "es", Occasion: "15 años de la Federación Internacional de Solidaridad",
		Recipient: "Federación Internacional de Solidaridad", Title: "Saludo por el 15º aniversario",
		Body: greetingES[0] + "\n\n" + greetingES[1] + "\n\n" + greetingES[2] + "\n\n" + greetingES[3]})
	if err != nil {
		return fmt.Errorf("demo greeting: %w", err)
	}
	if _, err := docs.ChangeStatus(ctx, camila, greet.ID, concord.DocPublished); err != nil {
		return err
	}
	if _, err := docs.MachineTranslate(ctx, sofia, greet.ID, "en", "", nil); err != nil {
		return fmt.Errorf("demo machine translation: %w", err)
	}
	gt, err := docs.StartTranslation(ctx, sofia, greet.ID, "en")
	if err != nil {
		return err
	}
	edits = nil
	for i, sg := range gt.Segments {
		edits = append(edits, documents.SegmentEdit{SegmentID: sg.SegmentID, Target: greetingReviewed[i], Reviewed: true})
	}
	if _, err := docs.SaveSegments(ctx, sofia, greet.ID, "en", "Greeting on the 15th anniversary", edits); err != nil {
		return err
	}
	if _, err := docs.MarkFinal(ctx, sofia, greet.ID, "en", ""); err != nil {
		return fmt.Errorf("demo greeting translation: %w", err)
	}

	letter, err := docs.Create(ctx, sec, documents.NewDocument{Kind: concord.KindCircularLetter, Visibility: concord.VisibilityInternal,
		IssuerBody: "Secretariat", SourceLang: "de", Title: "Einladung zur Sitzung des Koordinierungskomitees", Body: letterDE})
	if err != nil {
		return fmt.Errorf("demo circular letter: %w", err)
	}
	if _, err := docs.ChangeStatus(ctx, sec, letter.ID, concord.DocCirculating); err != nil {
		return err
	}
	_, err = docs.Create(ctx, sec, documents.NewDocument{Kind: concord.KindStatement, Visibility: concord.VisibilityPublic,
		IssuerBody: "Coordinating Committee", SourceLang: "en", Title: "Solidarity with the striking dockers (draft)",
		Body: "The federation stands with the dockers on strike.\n\nWe call on every member organization to send messages of solidarity."})
	if err != nil {
		return err
	}
	return loadProcedure(ctx, db, docs, clock, actor)
}

// loadProcedure circulates a call for the 1 May day of action and opens a public signature
// collection on it that three organizations have signed, so signing and the live signatory
// list can be tried at once.
func loadProcedure(ctx context.Context, db *sqldb.DB, docs *documents.Service, clock concord.Clock, actor func(string) (*concord.Actor, error)) error {
	coord, err := actor("coordinator")
	if err != nil {
		return err
	}
	call, err := docs.Create(ctx, coord, documents.NewDocument{Kind: concord.KindCall, Visibility: concord.VisibilityPublic,
		IssuerBody: "Coordinating Committee", SourceLang: "en", Title: "Call for a joint day of action on 1 May",
		Body: "On 1 May the member organizations of the International Solidarity Federation act together in every country.\n\nWe call for rallies, strikes where possible, and messages of solidarity across borders."})
	if err != nil {
		return fmt.Errorf("demo call: %w", err)
	}
	if _, err := docs.ChangeStatus(ctx, coord, call.ID, concord.DocCirculating); err != nil {
		return err
	}
	procs := procedures.NewService(procedures.Config{DB: db, Clock: clock})
	defer procs.Close()
	p := &concord.Procedure{DocumentID: call.ID, Question: "Sign the call for a joint day of action on 1 May",
		Rule:           concord.Rule{Kind: concord.RuleSignatures, MinSignaturesPercent: 50},
		ElectorateKind: concord.ElectorateMembers, Visibility: concord.ResponsesPublic, Deadline: clock.Now().AddDate(0, 0, 30)}
	if err := procs.Open(ctx, coord, p); err != nil {
		return fmt.Errorf("demo procedure: %w", err)
	}
	for _, login := range []string{"lena", "karim", "moussa"} {
		d, err := actor(login)
		if err != nil {
			return err
		}
		if _, err := procs.Respond(ctx, d, p.ID, d.Mandates[0].OrgID, concord.AnswerSign, "", d.Person.Language); err != nil {
			return fmt.Errorf("demo signature of %s: %w", login, err)
		}
	}
	return nil
}
