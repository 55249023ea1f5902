package documents

import "concord"

// Action is something the documents capability lets an actor do.
type Action string

// The documents actions. Every call in this package passes through Authorize.
const (
	ActCreate       Action = "document.create"
	ActEdit         Action = "document.edit" // text, metadata, status, attachments
	ActRead         Action = "document.read" // internal or unpublished texts
	ActTranslate    Action = "translation.edit"
	ActReview       Action = "translation.review" // mark final despite glossary violations
	ActEditGlossary Action = "glossary.edit"
)

// Authorize decides who may do what with documents. doc is nil for creation, where issuerOrg
// names the organization the new text would be issued by ("" for a federation body).
//
//   - Texts of federation bodies are drafted and published by the admin, coordinators and
//     the secretariat.
//   - Texts of a member organization (greetings, statements, reports) by that organization's
//     org admins and delegates, under their mandate.
//   - Drafts are read by those who may edit them; circulated and later internal texts by
//     everyone with a federation role or a current mandate; published public texts by anyone.
//   - Translators (a translator mandate in any organization) and federation staff translate
//     what they may read. Reviewers (federation staff) may mark a translation final despite
//     glossary violations, with a reason. Staff keep the glossary.
//
// When the permission comes from a mandate, that mandate is returned for the audit event.
func Authorize(a *concord.Actor, act Action, doc *concord.Document, issuerOrg string) (concord.Mandate, error) {
	if act == ActRead && doc != nil && doc.IsPublic() {
		return concord.Mandate{}, nil
	}
	if a == nil || a.Person == nil {
		return concord.Mandate{}, &concord.Error{Code: concord.EUNAUTHORIZED, Key: "error.unauthorized", Message: "log in first"}
	}
	staff := a.IsFederation(concord.FedAdmin, concord.FedCoordinator, concord.FedSecretariat)
	if doc != nil {
		issuerOrg = doc.IssuerOrgID
	}
	editor := func() (concord.Mandate, bool) {
		if issuerOrg == "" {
			return concord.Mandate{}, staff
		}
		if a.IsFederation(concord.FedAdmin) {
			return concord.Mandate{}, true
		}
		return a.MandateFor(issuerOrg, concord.RoleOrgAdmin, concord.RoleDelegate)
	}
	member := a.IsMember()
	switch act {
	case ActCreate, ActEdit:
		if m, ok := editor(); ok {
			return m, nil
		}
	case ActRead:
		if doc != nil && doc.Status == concord.DocDraft {
			if m, ok := editor(); ok {
				return m, nil
			}
		} else if member {
			return concord.Mandate{}, nil
		}
		return concord.Mandate{}, concord.NotFound("document")
	case ActTranslate:
		if doc != nil && doc.Status == concord.DocDraft {
			if m, ok := editor(); ok {
				return m, nil
			}
			break
		}
		if staff {
			return concord.Mandate{}, nil
		}
		for _, m := range a.Mandates {
			if m.Role == concord.RoleTranslator {
				return m, nil
			}
		}
		if m, ok := editor(); ok {
			return m, nil
		}
	case ActReview, ActEditGlossary:
		if staff {
			return concord.Mandate{}, nil
		}
	}
	return concord.Mandate{}, &concord.Error{Code: concord.EFORBIDDEN, Key: "error.forbidden", Message: "not allowed: " + string(act)}
}

// Can reports whether the actor may do act on doc; templates use it to show or hide actions.
func Can(a *concord.Actor, act Action, doc *concord.Document) bool {
	_, err := Authorize(a, act, doc, "")
	return err == nil
}
