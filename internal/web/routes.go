package web

import (
	"net/http"

	"concord/internal/documents"
)

// Register adds every page of the UI to mux. This is the complete list of routes.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /static/{hash}/{file}", h.serveStatic)

	mux.Handle("GET /{$}", h.page(h.home))
	mux.Handle("GET /", h.page(h.notFoundPage)) // any other page: a translated 404
	mux.Handle("POST /language", h.page(h.setLanguage))

	// auth.go: first start, logging in and out.
	mux.Handle("GET /setup", h.page(h.setupForm))
	mux.Handle("POST /setup", h.page(h.setup))
	mux.Handle("GET /login", h.page(h.loginForm))
	mux.Handle("POST /login", h.page(h.login))
	mux.Handle("POST /logout", h.page(h.logout))

	// orgs.go: the member registry.
	mux.Handle("GET /organizations", h.page(h.orgList))
	mux.Handle("GET /organizations/new", h.page(h.orgNewForm))
	mux.Handle("POST /organizations/new", h.page(h.orgCreate))
	mux.Handle("GET /organizations/{id}", h.page(h.orgShow))
	mux.Handle("GET /organizations/{id}/edit", h.page(h.orgEditForm))
	mux.Handle("POST /organizations/{id}/edit", h.page(h.orgUpdate))
	mux.Handle("GET /organizations/{id}/status", h.page(h.statusForm))
	mux.Handle("POST /organizations/{id}/status", h.page(h.changeStatus))

	// apply.go: public membership applications.
	mux.Handle("GET /apply", h.page(h.applyForm))
	mux.Handle("POST /apply", h.page(h.apply))
	mux.Handle("GET /apply/thanks", h.page(h.applyThanks))

	// anniversaries.go
	mux.Handle("GET /anniversaries", h.page(h.anniversaries))

	// mandates.go: an organization's people, invitations and mandates.
	mux.Handle("GET /organizations/{id}/people", h.page(h.orgPeople))
	mux.Handle("GET /organizations/{id}/invite", h.page(h.inviteForm))
	mux.Handle("POST /organizations/{id}/invite", h.page(h.invite))
	mux.Handle("POST /organizations/{id}/invitations/{iid}/cancel", h.page(h.cancelInvitation))
	mux.Handle("GET /organizations/{id}/mandates/new", h.page(h.mandateNewForm))
	mux.Handle("POST /organizations/{id}/mandates/new", h.page(h.mandateCreate))
	mux.Handle("GET /organizations/{id}/mandates/{mid}/edit", h.page(h.mandateEditForm))
	mux.Handle("POST /organizations/{id}/mandates/{mid}/edit", h.page(h.mandateUpdate))
	mux.Handle("GET /organizations/{id}/mandates/{mid}/revoke", h.page(h.mandateRevokeForm))
	mux.Handle("POST /organizations/{id}/mandates/{mid}/revoke", h.page(h.mandateRevoke))

	// invitations.go: accepting an invitation link.
	mux.Handle("GET /invitations/{token}", h.page(h.invitationForm))
	mux.Handle("POST /invitations/{token}", h.page(h.acceptInvitation))

	// people.go: everyone, and federation roles.
	mux.Handle("GET /people", h.page(h.peopleList))
	mux.Handle("GET /people/{id}", h.page(h.personShow))
	mux.Handle("POST /people/{id}/roles", h.page(h.setRoles))

	// account.go: one's own profile, password, sessions and API tokens.
	mux.Handle("GET /account", h.page(h.accountForm))
	mux.Handle("POST /account", h.page(h.updateAccount))
	mux.Handle("POST /account/password", h.page(h.changePassword))
	mux.Handle("GET /account/sessions", h.page(h.sessions))
	mux.Handle("POST /account/sessions/{id}/revoke", h.page(h.revokeSession))
	mux.Handle("GET /account/tokens", h.page(h.tokens))
	mux.Handle("POST /account/tokens", h.page(h.createToken))
	mux.Handle("POST /account/tokens/{id}/revoke", h.page(h.revokeToken))

	// audit.go
	mux.Handle("GET /audit", h.page(h.auditAll))
	mux.Handle("GET /organizations/{id}/audit", h.page(h.auditOrg))

	// documents.go: texts, their versions and comparisons.
	mux.Handle("GET /documents", h.page(h.docList))
	mux.Handle("GET /documents/new", h.page(h.docNewForm))
	mux.Handle("POST /documents/new", h.pageLimit(maxTextFormBytes, h.docCreate))
	mux.Handle("GET /documents/{id}", h.page(h.docShow))
	mux.Handle("POST /documents/{id}/status", h.page(h.docStatus))
	mux.Handle("GET /documents/{id}/edit", h.page(h.docEditForm))
	mux.Handle("POST /documents/{id}/edit", h.pageLimit(maxTextFormBytes, h.docSave))
	mux.Handle("POST /documents/{id}/meta", h.page(h.docSaveMeta))
	mux.Handle("GET /documents/{id}/versions/{n}", h.page(h.docVersion))
	mux.Handle("GET /documents/{id}/diff", h.page(h.docDiff))

	// attachments.go
	mux.Handle("POST /documents/{id}/attachments", h.pageLimit(documents.MaxAttachment+uploadSlack, h.attach))
	mux.Handle("GET /documents/{id}/attachments/{aid}", h.page(h.download))

	// translate.go: the translator's editor, machine translation, XLIFF and PO.
	mux.Handle("GET /documents/{id}/translate", h.page(h.translateChoose))
	mux.Handle("GET /documents/{id}/translate/{lang}", h.page(h.translateEditor))
	mux.Handle("POST /documents/{id}/translate/{lang}", h.pageLimit(maxTextFormBytes, h.translateSave))
	mux.Handle("POST /documents/{id}/translate/{lang}/start", h.page(h.translateStart))
	mux.Handle("GET /documents/{id}/translate/{lang}/export.xlf", h.page(h.exportXLIFF))
	mux.Handle("GET /documents/{id}/translate/{lang}/export.po", h.page(h.exportPO))
	mux.Handle("POST /documents/{id}/translate/{lang}/import", h.pageLimit(maxImportBytes+uploadSlack, h.translateImport))

	// glossary.go
	mux.Handle("GET /glossary", h.page(h.glossary))
	mux.Handle("GET /glossary/new", h.page(h.termNewForm))
	mux.Handle("POST /glossary/new", h.page(h.termCreate))
	mux.Handle("GET /glossary/{id}/edit", h.page(h.termEditForm))
	mux.Handle("POST /glossary/{id}/edit", h.page(h.termUpdate))
	mux.Handle("POST /glossary/{id}/delete", h.page(h.termDelete))
	mux.Handle("POST /glossary/import", h.pageLimit(documents.MaxGlossaryCSV+uploadSlack, h.glossaryImport))
	mux.Handle("GET /glossary/export.csv", h.page(h.glossaryExport))

	// search.go: full-text search, and the machine translation engines.
	mux.Handle("GET /search", h.page(h.search))
	mux.Handle("GET /engines", h.page(h.engines))

	// procedures.go: decisions counted over organizations, and their live updates.
	mux.Handle("GET /procedures", h.page(h.procList))
	mux.Handle("GET /procedures/new", h.page(h.procNewForm))
	mux.Handle("POST /procedures/new", h.page(h.procCreate))
	mux.Handle("GET /procedures/{id}", h.page(h.procShow))
	mux.Handle("POST /procedures/{id}/respond", h.page(h.procRespond))
	mux.Handle("GET /procedures/{id}/events", h.page(h.procEvents))

	// signatories.go: the public signatory list, one page per language, and its exports.
	mux.Handle("GET /signatories/{id}", h.page(h.sigRedirect))
	mux.Handle("GET /signatories/{id}/{lang}", h.page(h.sigList))
	mux.Handle("GET /signatories/{id}/signatories.csv", h.page(h.sigCSV))
	mux.Handle("GET /signatories/{id}/signatories.json", h.page(h.sigJSON))
}
