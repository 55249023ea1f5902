package api

import "net/http"

// Prefix is the path under which every API route lives.
const Prefix = "/api/v1"

// Route is one endpoint of the API. openapi.json documents exactly these routes, with the
// same paths; a test checks both directions.
type Route struct {
	Method string // GET, POST, PUT, PATCH or DELETE
	Path   string // http.ServeMux path pattern, e.g. /api/v1/organizations/{id}
	Public bool   // reachable without a bearer token
	handle func(*Handler, http.ResponseWriter, *http.Request) error
}

// Pattern returns the route's http.ServeMux pattern, "METHOD /path".
func (rt Route) Pattern() string { return rt.Method + " " + rt.Path }

// Routes returns every route of the API, in the order of the OpenAPI document.
func Routes() []Route {
	const (
		get, post, put, patch, del = http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete
		public, token              = true, false
	)
	return []Route{
		{get, Prefix + "/openapi.json", public, (*Handler).openAPI},

		{get, Prefix + "/me", token, (*Handler).getMe},
		{patch, Prefix + "/me", token, (*Handler).patchMe},

		{get, Prefix + "/organizations", public, (*Handler).listOrganizations},
		{post, Prefix + "/organizations", token, (*Handler).createOrganization},
		{get, Prefix + "/organizations/{id}", public, (*Handler).getOrganization},
		{patch, Prefix + "/organizations/{id}", token, (*Handler).patchOrganization},
		{get, Prefix + "/organizations/{id}/status-changes", public, (*Handler).listStatusChanges},
		{post, Prefix + "/organizations/{id}/status-changes", token, (*Handler).createStatusChange},
		{post, Prefix + "/applications", public, (*Handler).apply},
		{get, Prefix + "/anniversaries", public, (*Handler).listAnniversaries},

		{get, Prefix + "/organizations/{id}/people", token, (*Handler).listOrgPeople},
		{get, Prefix + "/people", token, (*Handler).listPeople},
		{get, Prefix + "/people/{id}", token, (*Handler).getPerson},
		{put, Prefix + "/people/{id}/federation-roles", token, (*Handler).putFederationRoles},

		{get, Prefix + "/organizations/{id}/invitations", token, (*Handler).listInvitations},
		{post, Prefix + "/organizations/{id}/invitations", token, (*Handler).createInvitation},
		{del, Prefix + "/invitations/{id}", token, (*Handler).cancelInvitation},

		{get, Prefix + "/organizations/{id}/mandates", token, (*Handler).listOrgMandates},
		{post, Prefix + "/mandates", token, (*Handler).createMandate},
		{get, Prefix + "/mandates/{id}", token, (*Handler).getMandate},
		{patch, Prefix + "/mandates/{id}", token, (*Handler).patchMandate},
		{del, Prefix + "/mandates/{id}", token, (*Handler).revokeMandate},

		{get, Prefix + "/audit-events", token, (*Handler).listAuditEvents},

		{get, Prefix + "/tokens", token, (*Handler).listTokens},
		{post, Prefix + "/tokens", token, (*Handler).createToken},
		{del, Prefix + "/tokens/{id}", token, (*Handler).revokeToken},

		{get, Prefix + "/documents", public, (*Handler).listDocuments},
		{post, Prefix + "/documents", token, (*Handler).createDocument},
		{get, Prefix + "/documents/{id}", public, (*Handler).getDocument},
		{patch, Prefix + "/documents/{id}", token, (*Handler).patchDocument},
		{put, Prefix + "/documents/{id}/text", token, (*Handler).putDocumentText},
		{post, Prefix + "/documents/{id}/status", token, (*Handler).changeDocumentStatus},
		{get, Prefix + "/documents/{id}/versions", public, (*Handler).listVersions},
		{get, Prefix + "/documents/{id}/versions/{n}", public, (*Handler).getVersion},
		{get, Prefix + "/documents/{id}/diff", public, (*Handler).diffVersions},

		{get, Prefix + "/documents/{id}/attachments", public, (*Handler).listAttachments},
		{post, Prefix + "/documents/{id}/attachments", token, (*Handler).createAttachment},
		{get, Prefix + "/documents/{id}/attachments/{aid}", public, (*Handler).getAttachment},

		{get, Prefix + "/documents/{id}/translations", public, (*Handler).listTranslations},
		{get, Prefix + "/documents/{id}/translations/{lang}", public, (*Handler).getTranslation},
		{post, Prefix + "/documents/{id}/translations/{lang}", token, (*Handler).startTranslation},
		{patch, Prefix + "/documents/{id}/translations/{lang}", token, (*Handler).patchTranslation},
		{post, Prefix + "/documents/{id}/translations/{lang}/machine", token, (*Handler).machineTranslate},
		{get, Prefix + "/documents/{id}/translations/{lang}/suggestions", token, (*Handler).listSuggestions},
		{post, Prefix + "/documents/{id}/translations/{lang}/final", token, (*Handler).markFinal},
		{get, Prefix + "/documents/{id}/translations/{lang}/xliff", token, (*Handler).exportXLIFF},
		{put, Prefix + "/documents/{id}/translations/{lang}/xliff", token, (*Handler).importXLIFF},
		{get, Prefix + "/documents/{id}/translations/{lang}/po", token, (*Handler).exportPO},
		{put, Prefix + "/documents/{id}/translations/{lang}/po", token, (*Handler).importPO},

		{get, Prefix + "/glossary", token, (*Handler).listGlossary},
		{post, Prefix + "/glossary", token, (*Handler).createGlossaryTerm},
		{put, Prefix + "/glossary/{id}", token, (*Handler).putGlossaryTerm},
		{del, Prefix + "/glossary/{id}", token, (*Handler).deleteGlossaryTerm},
		{get, Prefix + "/glossary.csv", token, (*Handler).exportGlossaryCSV},
		{put, Prefix + "/glossary.csv", token, (*Handler).importGlossaryCSV},
		{post, Prefix + "/glossary/check", token, (*Handler).checkGlossary},

		{get, Prefix + "/procedures", public, (*Handler).listProcedures},
		{post, Prefix + "/procedures", token, (*Handler).createProcedure},
		{get, Prefix + "/procedures/{id}", public, (*Handler).getProcedure},
		{post, Prefix + "/procedures/{id}/responses", token, (*Handler).respond},
		{get, Prefix + "/procedures/{id}/responses/history", token, (*Handler).responseHistory},
		{get, Prefix + "/procedures/{id}/undecided", token, (*Handler).listUndecided},
		{get, Prefix + "/procedures/{id}/signatories", public, (*Handler).getSignatories},
		{get, Prefix + "/procedures/{id}/signatories.csv", public, (*Handler).exportSignatoriesCSV},
		{get, Prefix + "/procedures/{id}/events", public, (*Handler).procedureEvents},

		{get, Prefix + "/search", public, (*Handler).search},
		{get, Prefix + "/engines", token, (*Handler).listEngines},
	}
}
