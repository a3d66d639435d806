package fake

import (
	"strconv"
	"testing"

	"github.com/fakehog/fakehog/fake/store"
)

func TestAccessControlReads(t *testing.T) {
	e := newEnv(t)
	m := e.addMember(e.d.OrganizationID, store.LevelMember, "mia@example.com")
	role := e.do("POST", e.orgPath("roles/"), map[string]any{"name": "Engineers"}).wantStatus(t, 201).get("id").String()
	e.do("POST", e.orgPath("roles/"+role+"/role_memberships/"), map[string]any{"user_uuid": m.User.UUID}).wantStatus(t, 201)
	base := e.orgPath("projects/" + strconv.Itoa(e.d.ProjectID) + "/access_control_")

	d := e.do("GET", base+"defaults/", nil).wantStatus(t, 200)
	if d.get("project_access_level").String() != "admin" || !d.get("can_edit").Bool() ||
		d.get("resource_access_levels.dashboard.maximum").String() != "manager" || d.get("resource_access_levels.action.minimum").String() != "viewer" {
		t.Fatalf("defaults: %s", d.Body)
	}
	if e.do("GET", base+"defaults/", nil, asKey(m.Key)).get("can_edit").Bool() {
		t.Error("a member can edit access rules")
	}

	r := e.do("GET", base+"members/", nil).wantStatus(t, 200)
	if r.get("results.#").Int() != 2 {
		t.Fatalf("members: %s", r.Body)
	}
	owner, mia := r.get("results.0"), r.get("results.1")
	if owner.Get("resources.dashboard.effective_access_level").String() != "manager" || owner.Get("project.inherited_access.source").String() != "org_admin" {
		t.Errorf("owner: %s", owner.Raw)
	}
	if mia.Get("resources.dashboard.effective_access_level").String() != "editor" || mia.Get("resources.activity_log.effective_access_level").String() != "viewer" ||
		mia.Get("role_ids.0").String() != role || mia.Get("resources.dashboard.access_level").Type.String() != "Null" {
		t.Errorf("mia: %s", mia.Raw)
	}
	one := e.do("GET", base+"members/?member_id="+mia.Get("organization_membership_id").String(), nil).wantStatus(t, 200)
	if one.get("results.#").Int() != 1 || one.get("results.0.user.email").String() != "mia@example.com" {
		t.Fatalf("one member: %s", one.Body)
	}
	roles := e.do("GET", base+"roles/", nil).wantStatus(t, 200)
	if roles.get("results.0.role_name").String() != "Engineers" || roles.get("results.0.project.effective_access_level").String() != "admin" {
		t.Fatalf("roles: %s", roles.Body)
	}
	// Rules: none stored; member and role rules need their subject.
	for _, p := range []string{"default_objects/", "default_properties/", "member_objects/?member_id=" + mia.Get("organization_membership_id").String(),
		"member_properties/?member_id=" + mia.Get("organization_membership_id").String(), "role_objects/?role_id=" + role, "role_properties/?role_id=" + role} {
		if got := e.do("GET", base+p, nil).wantStatus(t, 200).get("results").Raw; got != "[]" {
			t.Errorf("%s: results %s", p, got)
		}
	}
	e.do("GET", base+"member_objects/", nil).wantError(t, 400, "validation_error", "invalid_input", "member_id is required", "")
	e.do("GET", base+"role_properties/", nil).wantError(t, 400, "validation_error", "invalid_input", "role_id is required", "")
	e.do("GET", base+"role_objects/?role_id=019bc119-0000-7000-8000-000000000009", nil).wantError(t, 404, "invalid_request", "not_found", "Not found.", "")
	e.do("GET", base+"members/?member_id=019bc119-0000-7000-8000-000000000009", nil).wantError(t, 404, "invalid_request", "not_found", "Not found.", "")
}

func TestAccessControlReadsPermissions(t *testing.T) {
	e := newEnv(t)
	base := e.orgPath("projects/" + strconv.Itoa(e.d.ProjectID) + "/access_control_defaults/")
	_, _, outsider, reader := e.permissionCast(e.d.OrganizationID, "project:read")
	e.do("GET", base, nil, asKey(reader.Key)).wantError(t, 403, "authentication_error", "permission_denied", "API key missing required scope 'access_control:read'", "")
	ac := e.addMember(e.d.OrganizationID, store.LevelMember, "ac@example.com", "access_control:read")
	e.do("GET", base, nil, asKey(ac.Key)).wantStatus(t, 200)
	e.do("GET", base, nil, asKey(outsider.Key)).wantStatus(t, 403)
	e.do("GET", e.orgPath("projects/999999/access_control_defaults/"), nil).wantError(t, 404, "invalid_request", "not_found", "Not found.", "")
	e.do("GET", e.orgPath("projects/@current/access_control_roles/"), nil).wantStatus(t, 200)
	// An organization hiding its member list hides member details from members.
	e.srv.Store().Write(func(tx *store.Tx) error {
		tx.Org(e.d.OrganizationID).MembersCanSeeOrgMembers = false
		return nil
	})
	mid := e.do("GET", e.orgPath("members/"), nil).get("results.0.id").String()
	e.do("GET", e.orgPath("projects/"+strconv.Itoa(e.d.ProjectID)+"/access_control_member_objects/?member_id="+mid), nil, asKey(ac.Key)).wantStatus(t, 404)
	e.do("GET", e.orgPath("projects/"+strconv.Itoa(e.d.ProjectID)+"/access_control_member_objects/?member_id="+mid), nil).wantStatus(t, 200)
}
