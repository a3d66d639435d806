package fake

import (
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/fakehog/fakehog/fake/store"
)

// The effect of access levels: what a member sees and may change of a project and of the
// objects of a registered family, under each level, and the validation of the rules.

// testNotebooks stands in for a family that registers its objects (registerAccessResource):
// notebook ids per project, with their creators.
var testNotebooks = struct {
	sync.Mutex
	byProject map[int]map[string]int
}{byProject: map[int]map[string]int{}}

var _ = registerAccessResource("notebook", "notebooks", func(_ *store.Tx, projectID int, id string) (int, bool) {
	testNotebooks.Lock()
	defer testNotebooks.Unlock()
	creator, ok := testNotebooks.byProject[projectID][id]
	return creator, ok
})

func addTestNotebook(projectID int, id string, creator int) {
	testNotebooks.Lock()
	defer testNotebooks.Unlock()
	if testNotebooks.byProject[projectID] == nil {
		testNotebooks.byProject[projectID] = map[string]int{}
	}
	testNotebooks.byProject[projectID][id] = creator
}

func membershipID(e *env, userID int) string {
	var id string
	e.srv.Store().Read(func(tx *store.Tx) error { id = tx.Membership(e.d.OrganizationID, userID).ID; return nil })
	return id
}

func TestProjectVisibilityByAccessLevel(t *testing.T) {
	e := newEnv(t)
	pid := strconv.Itoa(e.d.ProjectID)
	mia := e.addMember(e.d.OrganizationID, store.LevelMember, "mia@example.com")
	admin := e.addMember(e.d.OrganizationID, store.LevelAdmin, "ada@example.com")
	acs := "/api/projects/" + pid + "/access_controls/"
	set := func(body map[string]any) { t.Helper(); e.do("PUT", acs, body).wantStatus(t, 200) }

	// No rules: the member reads and writes the project (default admin on the project).
	e.do("PATCH", "/api/projects/"+pid+"/", map[string]any{"name": "P"}, asKey(mia.Key)).wantStatus(t, 200)

	// Default none: the project disappears for the member, everywhere; admins keep it.
	set(map[string]any{"access_level": "none"})
	for _, path := range []string{"/api/projects/" + pid + "/", "/api/environments/" + pid + "/", e.orgPath("projects/" + pid + "/")} {
		e.do("GET", path, nil, asKey(mia.Key)).wantError(t, 404, "invalid_request", "not_found", "Not found.", "")
		e.do("GET", path, nil, asKey(admin.Key)).wantStatus(t, 200)
	}
	for _, path := range []string{"/api/projects/", "/api/environments/", e.orgPath("projects/")} {
		if n := e.do("GET", path, nil, asKey(mia.Key)).wantStatus(t, 200).get("count").Int(); n != 0 {
			t.Errorf("%s lists %d projects to a member without access", path, n)
		}
		if n := e.do("GET", path, nil, asKey(admin.Key)).get("count").Int(); n != 1 {
			t.Errorf("%s lists %d projects to an admin", path, n)
		}
	}
	e.do("GET", "/api/projects/"+pid+"/notebooks/abc/access_controls/", nil, asKey(mia.Key)).wantError(t, 403, "authentication_error", "permission_denied", "You don't have access to the project.", "")

	// A member rule of "member" gives it back, read-only for the project itself.
	miaID := membershipID(e, mia.User.ID)
	set(map[string]any{"access_level": "member", "organization_member": miaID})
	r := e.do("GET", "/api/projects/"+pid+"/", nil, asKey(mia.Key)).wantStatus(t, 200)
	if r.get("user_access_level").String() != "member" || r.get("effective_membership_level").Int() != 1 {
		t.Errorf("member view: user_access_level %s, effective_membership_level %s", r.get("user_access_level"), r.get("effective_membership_level"))
	}
	e.do("PATCH", "/api/projects/"+pid+"/", map[string]any{"name": "Q"}, asKey(mia.Key)).wantError(t, 403, "authentication_error", "permission_denied", "You do not have admin access to this resource.", "")
	e.do("PUT", acs, map[string]any{"access_level": "admin", "organization_member": miaID}, asKey(mia.Key)).wantError(t, 403, "authentication_error", "permission_denied", "You do not have admin access to this resource.", "")
	if n := e.do("GET", "/api/projects/", nil, asKey(mia.Key)).get("count").Int(); n != 1 {
		t.Errorf("the member's list: %d", n)
	}
	// Project admin by rule: writes, and may edit the project's rules.
	set(map[string]any{"access_level": "admin", "organization_member": miaID})
	r = e.do("GET", acs, nil, asKey(mia.Key)).wantStatus(t, 200)
	if !r.get("user_can_edit_access_levels").Bool() || r.get("user_access_level").String() != "admin" {
		t.Errorf("project admin: %s", r.Body)
	}
	e.do("PATCH", "/api/projects/"+pid+"/", map[string]any{"name": "R"}, asKey(mia.Key)).wantStatus(t, 200)
	// A role's rule counts for its members.
	bob := e.addMember(e.d.OrganizationID, store.LevelMember, "bob@example.com")
	e.do("GET", "/api/projects/"+pid+"/", nil, asKey(bob.Key)).wantStatus(t, 404)
	role := e.do("POST", e.orgPath("roles/"), map[string]any{"name": "Readers"}).wantStatus(t, 201).get("id").String()
	e.do("POST", e.orgPath("roles/"+role+"/role_memberships/"), map[string]any{"user_uuid": bob.User.UUID}).wantStatus(t, 201)
	set(map[string]any{"access_level": "member", "role": role})
	e.do("GET", "/api/projects/"+pid+"/", nil, asKey(bob.Key)).wantStatus(t, 200)
	// Without the plan's feature, rules have no effect.
	withWriteTx(e, func(tx *store.Tx) error {
		o := tx.Org(e.d.OrganizationID)
		o.Features = []store.Feature{{Key: "organizations_projects", Name: "Projects"}}
		return nil
	})
	set(map[string]any{"access_level": "none", "role": role})
	e.do("GET", "/api/projects/"+pid+"/", nil, asKey(bob.Key)).wantStatus(t, 200)
}

func TestObjectAccessLevels(t *testing.T) {
	e := newEnv(t)
	pid := strconv.Itoa(e.d.ProjectID)
	mia := e.addMember(e.d.OrganizationID, store.LevelMember, "mia@example.com")
	miaID := membershipID(e, mia.User.ID)
	addTestNotebook(e.d.ProjectID, "nb1", 0)
	addTestNotebook(e.d.ProjectID, "mine", mia.User.ID)
	obj := "/api/projects/" + pid + "/notebooks/nb1/access_controls/"
	racs := "/api/projects/" + pid + "/resource_access_controls/"

	// Defaults: editor on notebooks; the member reads, but editing rules needs manager.
	r := e.do("GET", obj, nil, asKey(mia.Key)).wantStatus(t, 200)
	if r.get("user_access_level").String() != "editor" || r.get("user_can_edit_access_levels").Bool() || r.get("default_access_level").String() != "editor" {
		t.Fatalf("defaults: %s", r.Body)
	}
	e.do("PUT", obj, map[string]any{"access_level": "viewer", "organization_member": miaID}, asKey(mia.Key)).wantError(t, 403, "authentication_error", "permission_denied", "Must be manager to modify notebook permissions.", "")
	// The owner sets the object's rules; resource and resource_id come from the URL.
	r = e.do("PUT", obj, map[string]any{"access_level": "viewer", "organization_member": miaID, "resource": "dashboard"}).wantStatus(t, 200)
	if r.get("resource").String() != "notebook" || r.get("resource_id").String() != "nb1" {
		t.Fatalf("object rule: %s", r.Body)
	}
	// viewer: reads, cannot write.
	e.do("GET", obj, nil, asKey(mia.Key)).wantStatus(t, 200)
	e.do("PUT", obj, map[string]any{"access_level": "editor"}, asKey(mia.Key)).wantError(t, 403, "authentication_error", "permission_denied", "You do not have editor access to this resource.", "")
	// none: not even reads; the creator of an object keeps it; admins keep everything.
	e.do("PUT", obj, map[string]any{"access_level": "none", "organization_member": miaID}).wantStatus(t, 200)
	e.do("GET", obj, nil, asKey(mia.Key)).wantError(t, 403, "authentication_error", "permission_denied", "You do not have viewer access to this resource.", "")
	e.do("GET", obj, nil).wantStatus(t, 200)
	// The kind at none: only objects granted by rule or created by the member.
	e.do("PUT", racs, map[string]any{"access_level": "none", "resource": "notebook", "organization_member": miaID}).wantStatus(t, 200)
	mineAC := "/api/projects/" + pid + "/notebooks/mine/access_controls/"
	e.do("GET", mineAC, nil, asKey(mia.Key)).wantError(t, 403, "authentication_error", "permission_denied", "You do not have viewer access to this resource.", "")
	e.do("PUT", obj, map[string]any{"access_level": "editor", "organization_member": miaID}).wantStatus(t, 200)
	e.do("GET", obj, nil, asKey(mia.Key)).wantStatus(t, 200)
	// With some object granted, the kind passes and each object decides: the creator manages.
	mine := e.do("GET", mineAC, nil, asKey(mia.Key)).wantStatus(t, 200)
	if mine.get("user_access_level").String() != "manager" || !mine.get("user_can_edit_access_levels").Bool() {
		t.Errorf("creator: %s", mine.Body)
	}
	// Unknown objects and kinds.
	e.do("GET", "/api/projects/"+pid+"/notebooks/nope/access_controls/", nil).wantError(t, 404, "invalid_request", "not_found", "Not found.", "")
	e.do("GET", "/api/projects/"+pid+"/widgets/1/access_controls/", nil).wantStatus(t, 404)
	// The rules on the object are listed for the object only.
	if n := e.do("GET", obj, nil).get("access_controls.#").Int(); n != 1 {
		t.Errorf("object rules: %d", n)
	}
	// Deleting the object rule: 204, gone.
	e.do("PUT", obj, map[string]any{"access_level": nil, "organization_member": miaID}).wantStatus(t, 204)
	if n := e.do("GET", obj, nil).get("access_controls.#").Int(); n != 0 {
		t.Errorf("object rules after delete: %d", n)
	}
}

func TestAccessControlValidation(t *testing.T) {
	e := newEnv(t)
	pid := strconv.Itoa(e.d.ProjectID)
	mia := e.addMember(e.d.OrganizationID, store.LevelMember, "mia@example.com")
	miaID := membershipID(e, mia.User.ID)
	role := e.do("POST", e.orgPath("roles/"), map[string]any{"name": "R"}).wantStatus(t, 201).get("id").String()
	acs := "/api/projects/" + pid + "/access_controls/"
	racs := "/api/projects/" + pid + "/resource_access_controls/"
	for _, tc := range []struct {
		path               string
		body               map[string]any
		code, detail, attr string
	}{
		{acs, map[string]any{"access_level": "viewer"}, "invalid_input", "Invalid access level. Must be one of: none, member, admin", "access_level"},
		{racs, map[string]any{"access_level": "member", "resource": "dashboard"}, "invalid_input", "Invalid access level. Must be one of: none, viewer, editor, manager", "access_level"},
		{racs, map[string]any{"access_level": "none", "resource": "action"}, "invalid_input", "Access level cannot be set below the minimum 'viewer' for action.", "access_level"},
		{racs, map[string]any{"access_level": "editor", "resource": "activity_log"}, "invalid_input", "Access level cannot be set above the maximum 'viewer' for activity_log.", "access_level"},
		{racs, map[string]any{"access_level": "editor"}, "required", "This field is required.", "resource"},
		{acs, map[string]any{"access_level": "admin", "role": role, "organization_member": miaID}, "invalid_input", "You can not scope an access control to both a member and a role.", ""},
		{acs, map[string]any{"access_level": "admin", "organization_member": "nope"}, "invalid", "Invalid organization member id. Use the 'id' field from the /api/organizations/<organization_id>/members/ endpoint.", "organization_member"},
		{acs, map[string]any{"access_level": "admin", "role": "019bc119-0000-7000-8000-000000000009"}, "does_not_exist", `Invalid pk "019bc119-0000-7000-8000-000000000009" - object does not exist.`, "role"},
		{acs, map[string]any{"access_level": "admin", "role": 5}, "incorrect_type", "Incorrect type. Expected pk value, received int.", "role"},
		{acs, map[string]any{"role": role}, "required", "This field is required.", "access_level"},
		{acs, map[string]any{"access_level": ""}, "blank", "This field may not be blank.", "access_level"},
	} {
		e.do("PUT", tc.path, tc.body).wantError(t, 400, "validation_error", tc.code, tc.detail, tc.attr)
	}
	r := e.do("PUT", racs, map[string]any{"access_level": "editor", "resource": "not_a_thing"})
	if r.Status != 400 || r.get("attr").String() != "resource" {
		t.Errorf("bad resource: %d %s", r.Status, r.Body)
	}
	// Nothing was stored; members below admin may not change project-wide rules.
	if n := e.do("GET", racs, nil).get("access_controls.#").Int(); n != 0 {
		t.Errorf("%d rules stored by failed requests", n)
	}
	e.do("PUT", racs, map[string]any{"access_level": "viewer", "resource": "dashboard"}, asKey(mia.Key)).wantError(t, 403, "authentication_error", "permission_denied", "Must be an Organization admin to modify project-wide permissions.", "")
	e.do("PUT", acs, map[string]any{"access_level": "member"}, asKey(mia.Key)).wantError(t, 403, "authentication_error", "permission_denied", "Must be admin to modify project permissions.", "")
	// Scopes: access_control:read reads, access_control:write writes.
	reader := e.addMember(e.d.OrganizationID, store.LevelOwner, "r@example.com", "access_control:read")
	e.do("GET", acs, nil, asKey(reader.Key)).wantStatus(t, 200)
	e.do("PUT", acs, map[string]any{"access_level": "member"}, asKey(reader.Key)).wantError(t, 403, "authentication_error", "permission_denied", "API key missing required scope 'access_control:write'", "")
	pr := e.addMember(e.d.OrganizationID, store.LevelOwner, "p@example.com", "project:read")
	e.do("GET", racs, nil, asKey(pr.Key)).wantError(t, 403, "authentication_error", "permission_denied", "API key missing required scope 'access_control:read'", "")
}

// The organization's console page lists its projects' access controls.
func TestConsoleAccessControls(t *testing.T) {
	e := newEnv(t)
	pid := strconv.Itoa(e.d.ProjectID)
	role := e.do("POST", e.orgPath("roles/"), map[string]any{"name": "Support crew"}).wantStatus(t, 201).get("id").String()
	e.do("PUT", "/api/projects/"+pid+"/resource_access_controls/", map[string]any{"access_level": "viewer", "resource": "dashboard", "role": role}).wantStatus(t, 200)
	page := string(e.adminCall("GET", "/_fake/console/organizations/"+e.d.OrganizationID, nil).wantStatus(t, 200).Body)
	for _, want := range []string{"Access controls", "role Support crew", "dashboard", "viewer", "/api/projects/" + pid + "/access_controls/"} {
		if !strings.Contains(page, want) {
			t.Errorf("the organization page lacks %q", want)
		}
	}
}

// Access controls live in the store: a restart on the data directory keeps them, and the
// state export carries them.
func TestAccessControlsPersist(t *testing.T) {
	dir := t.TempDir()
	a := persistedEnv(t, dir)
	pid := strconv.Itoa(a.d.ProjectID)
	role := a.do("POST", a.orgPath("roles/"), map[string]any{"name": "Kept"}).wantStatus(t, 201).get("id").String()
	a.do("PUT", "/api/projects/"+pid+"/access_controls/", map[string]any{"access_level": "member", "role": role}).wantStatus(t, 200)
	a.do("PUT", "/api/projects/"+pid+"/resource_access_controls/", map[string]any{"access_level": "viewer", "resource": "insight"}).wantStatus(t, 200)
	want, _ := a.srv.ExportState()
	if !strings.Contains(string(want), `"insight"`) {
		t.Fatal("the export does not carry the rules")
	}
	a.srv.Close()
	b := persistedEnv(t, dir)
	got, _ := b.srv.ExportState()
	if string(want) != string(got) {
		t.Fatal("state after restart differs from before")
	}
	for _, path := range []string{"access_controls/", "resource_access_controls/"} {
		if n := b.do("GET", "/api/projects/"+pid+"/"+path, nil).get("access_controls.#").Int(); n != 1 {
			t.Errorf("%s after restart: %d rules, want 1", path, n)
		}
	}
}
