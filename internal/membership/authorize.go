package membership

import "concord"

// Action is something the membership capability lets an actor do.
type Action string

// The membership actions. Every mutation in this package passes through Authorize.
const (
	ActCreateOrg      Action = "organization.create"
	ActEditOrg        Action = "organization.update"
	ActChangeStatus   Action = "organization.status"
	ActViewPrivate    Action = "organization.view_private" // contact email, applicants, people
	ActManagePeople   Action = "people.manage"             // invite, mandates
	ActManageRoles    Action = "person.federation_roles"
	ActEditPerson     Action = "person.update"
	ActReadAuditAll   Action = "audit.read"
	ActReadAuditOrg   Action = "audit.read_org"
	ActEditFederation Action = "federation.update"
)

// Authorize is the one place that decides who may do what in the member registry. orgID is
// the organization acted on ("" when none). When the permission comes from a mandate, that
// mandate is returned so the audit event can name it; federation roles return a zero Mandate.
//
//   - admin: everything.
//   - coordinator: keeps the registry (create, edit, status) and sees private fields.
//   - secretariat: sees private fields and reads the audit log.
//   - org admin (mandate): edits their own organization's profile, invites and manages its
//     people and mandates, reads its audit trail. Never another organization's.
//   - delegate / translator (mandate): sees their own organization's private fields.
func Authorize(a *concord.Actor, act Action, orgID string) (concord.Mandate, error) {
	if a == nil || a.Person == nil {
		return concord.Mandate{}, &concord.Error{Code: concord.EUNAUTHORIZED, Key: "error.unauthorized", Message: "log in first"}
	}
	if a.IsFederation(concord.FedAdmin) {
		return concord.Mandate{}, nil
	}
	switch act {
	case ActCreateOrg, ActChangeStatus:
		if a.IsFederation(concord.FedCoordinator) {
			return concord.Mandate{}, nil
		}
	case ActEditOrg:
		if a.IsFederation(concord.FedCoordinator) {
			return concord.Mandate{}, nil
		}
		if m, ok := a.MandateFor(orgID, concord.RoleOrgAdmin); ok && orgID != "" {
			return m, nil
		}
	case ActViewPrivate:
		if a.IsFederation(concord.FedCoordinator, concord.FedSecretariat) {
			return concord.Mandate{}, nil
		}
		if m, ok := a.MandateFor(orgID, concord.Roles()...); ok && orgID != "" {
			return m, nil
		}
	case ActManagePeople, ActReadAuditOrg:
		if m, ok := a.MandateFor(orgID, concord.RoleOrgAdmin); ok && orgID != "" {
			return m, nil
		}
		if act == ActReadAuditOrg && a.IsFederation(concord.FedSecretariat) {
			return concord.Mandate{}, nil
		}
	case ActReadAuditAll:
		if a.IsFederation(concord.FedSecretariat) {
			return concord.Mandate{}, nil
		}
	case ActEditPerson:
		// orgID carries the person ID here: people edit their own profile.
		if a.Person.ID == orgID {
			return concord.Mandate{}, nil
		}
	case ActManageRoles, ActEditFederation:
		// admin only
	}
	return concord.Mandate{}, &concord.Error{Code: concord.EFORBIDDEN, Key: "error.forbidden", Message: "not allowed: " + string(act)}
}

// Can reports whether the actor may do act on orgID; templates use it to show or hide links.
func Can(a *concord.Actor, act Action, orgID string) bool {
	_, err := Authorize(a, act, orgID)
	return err == nil
}
