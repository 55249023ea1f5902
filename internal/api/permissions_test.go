package api

import (
	"testing"

	"concord/internal/sqldb"
	"concord/internal/sqldb/sqldbtest"
)

// TestPermissionProbe has the org admin of A try every mutation on organization B, a
// delegate try an org admin's work, and others reach past their rights: each is refused and
// changes nothing. Each probe then runs against the actor's own organization as someone
// allowed to, so the refusals are about permission and not about the request.
func TestPermissionProbe(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		org := func(id string) string { return Prefix + "/organizations/" + id }
		mandate := func(holder string) string { return Prefix + "/mandates/" + w.mandates[holder] }
		type call struct {
			method, path string
			body         any
		}
		probes := []struct {
			name    string
			as      string
			refused call
			want    int   // 401, 403 or 404
			allowed *call // the same act where the actor, or the named control, may do it
			control string
		}{
			{"org admin edits another organization", "orgAdminA", call{"PATCH", org(w.orgB), map[string]any{"name": "Taken over"}}, 403,
				&call{"PATCH", org(w.orgA), map[string]any{"name": "Renamed"}}, "orgAdminA"},
			{"org admin changes another organization's status", "orgAdminA",
				call{"POST", org(w.orgB) + "/status-changes", map[string]any{"status": "suspended", "effective_on": "2026-11-28", "decided_by": "A"}}, 403,
				&call{"POST", org(w.orgB) + "/status-changes", map[string]any{"status": "suspended", "effective_on": "2026-11-28", "decided_by": "CC"}}, "coordinator"},
			{"org admin invites into another organization", "orgAdminA", call{"POST", org(w.orgB) + "/invitations", map[string]any{"role": "org_admin"}}, 403,
				&call{"POST", org(w.orgA) + "/invitations", map[string]any{"role": "org_admin"}}, "orgAdminA"},
			{"org admin gives a mandate of another organization", "orgAdminA",
				call{"POST", Prefix + "/mandates", map[string]any{"person_id": w.ids["orgAdminA"], "org_id": w.orgB, "role": "org_admin"}}, 403,
				&call{"POST", Prefix + "/mandates", map[string]any{"person_id": w.ids["outsider"], "org_id": w.orgA, "role": "delegate"}}, "orgAdminA"},
			{"org admin changes another organization's mandate", "orgAdminA", call{"PATCH", mandate("delegateB"), map[string]any{"valid_until": "2026-11-28"}}, 403,
				&call{"PATCH", mandate("delegateA"), map[string]any{"valid_until": "2027-11-28"}}, "orgAdminA"},
			{"org admin revokes another organization's mandate", "orgAdminA", call{"DELETE", mandate("orgAdminB"), nil}, 403,
				&call{"DELETE", mandate("delegateA"), nil}, "orgAdminA"},
			{"org admin reads another organization's invitations", "orgAdminA", call{"GET", org(w.orgB) + "/invitations", nil}, 403, nil, ""},
			{"org admin reads another organization's people", "orgAdminA", call{"GET", org(w.orgB) + "/people", nil}, 403, nil, ""},
			{"org admin reads another organization's mandates", "orgAdminA", call{"GET", org(w.orgB) + "/mandates", nil}, 403, nil, ""},
			{"org admin reads another organization's mandate", "orgAdminA", call{"GET", mandate("delegateB"), nil}, 403, nil, ""},
			{"org admin reads another organization's audit trail", "orgAdminA", call{"GET", Prefix + "/audit-events?org_id=" + w.orgB, nil}, 403, nil, ""},
			{"org admin sees another organization's person", "orgAdminA", call{"GET", Prefix + "/people/" + w.ids["delegateB"], nil}, 404, nil, ""},
			{"org admin adds an organization", "orgAdminA", call{"POST", Prefix + "/organizations", map[string]any{"name": "X", "name_lang": "en", "country": "DE"}}, 403,
				&call{"POST", Prefix + "/organizations", map[string]any{"name": "X", "name_lang": "en", "country": "DE"}}, "coordinator"},
			{"org admin admits an applicant", "orgAdminA",
				call{"POST", org(w.applicant) + "/status-changes", map[string]any{"status": "member", "effective_on": "2026-11-28", "decided_by": "A"}}, 403, nil, ""},
			{"org admin makes themselves admin", "orgAdminA", call{"PUT", Prefix + "/people/" + w.ids["orgAdminA"] + "/federation-roles", map[string]any{"federation_roles": []string{"admin"}}}, 403,
				&call{"PUT", Prefix + "/people/" + w.ids["orgAdminA"] + "/federation-roles", map[string]any{"federation_roles": []string{"secretariat"}}}, "admin"},
			{"delegate invites", "delegateA", call{"POST", org(w.orgA) + "/invitations", map[string]any{"role": "delegate"}}, 403, nil, ""},
			{"delegate gives a mandate", "delegateA", call{"POST", Prefix + "/mandates", map[string]any{"person_id": w.ids["outsider"], "org_id": w.orgA, "role": "delegate"}}, 403, nil, ""},
			{"delegate edits the organization", "delegateA", call{"PATCH", org(w.orgA), map[string]any{"name": "Mine"}}, 403, nil, ""},
			{"delegate promotes their own mandate", "delegateA", call{"PATCH", mandate("delegateA"), map[string]any{"role": "org_admin"}}, 403, nil, ""},
			{"delegate revokes the org admin", "delegateA", call{"DELETE", mandate("orgAdminA"), nil}, 403, nil, ""},
			{"delegate lists invitations", "delegateA", call{"GET", org(w.orgA) + "/invitations", nil}, 403, nil, ""},
			{"secretariat edits an organization", "secretariat", call{"PATCH", org(w.orgA), map[string]any{"name": "S"}}, 403, nil, ""},
			{"secretariat changes a status", "secretariat", call{"POST", org(w.orgA) + "/status-changes", map[string]any{"status": "suspended", "effective_on": "2026-11-28", "decided_by": "S"}}, 403, nil, ""},
			{"outsider reads people", "outsider", call{"GET", Prefix + "/people", nil}, 403, nil, ""},
			{"outsider reads audit events", "outsider", call{"GET", Prefix + "/audit-events", nil}, 403, nil, ""},
			{"anonymous edits", "", call{"PATCH", org(w.orgA), map[string]any{"name": "X"}}, 401, nil, ""},
			{"anonymous adds an organization", "", call{"POST", Prefix + "/organizations", map[string]any{"name": "X", "name_lang": "en", "country": "DE"}}, 401, nil, ""},
			{"anonymous revokes a mandate", "", call{"DELETE", mandate("delegateA"), nil}, 401, nil, ""},
			{"anonymous invites", "", call{"POST", org(w.orgA) + "/invitations", map[string]any{"role": "delegate"}}, 401, nil, ""},
			{"anonymous changes a status", "", call{"POST", org(w.orgA) + "/status-changes", map[string]any{"status": "suspended"}}, 401, nil, ""},
			{"anonymous reads people", "", call{"GET", org(w.orgA) + "/people", nil}, 401, nil, ""},
			{"anonymous sees an applicant", "", call{"GET", org(w.applicant), nil}, 404, nil, ""},
			{"anonymous sees an applicant's history", "", call{"GET", org(w.applicant) + "/status-changes", nil}, 404, nil, ""},
		}
		wantCode := map[int]string{401: "unauthorized", 403: "forbidden", 404: "not_found"}
		for _, p := range probes {
			t.Run(p.name, func(t *testing.T) {
				before := w.snapshot(t)
				res := w.do(t, request{Method: p.refused.method, Path: p.refused.path, As: p.as, Body: p.refused.body})
				e := apiError(t, res)
				if res.Status != p.want || e.Code != wantCode[p.want] {
					t.Errorf("got %d %s, want %d: %s", res.Status, e.Code, p.want, res.Body)
				}
				if bad := untranslated(e); len(bad) > 0 {
					t.Errorf("untranslated: %q", bad)
				}
				w.unchanged(t, before)
			})
		}
		// Controls run after every probe, since they change data.
		for _, p := range probes {
			if p.allowed == nil {
				continue
			}
			t.Run("control/"+p.name, func(t *testing.T) {
				res := w.do(t, request{Method: p.allowed.method, Path: p.allowed.path, As: p.control, Body: p.allowed.body})
				if res.Status/100 != 2 {
					t.Errorf("%s as %s: %d %s", p.allowed.method, p.control, res.Status, res.Body)
				}
			})
		}
	})
}
