package fake

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/fakehog/fakehog/fake/store"
)

// Compatibility with the Terraform provider's access resources (posthog_access_control,
// posthog_project_member, posthog_project_default_access and the RBAC workflow of its
// acceptance suite): the request sequences its client makes (PUT to upsert, GET the list and
// find the rule by its composite id, PUT with access_level null to delete), replayed with
// fakehog's own code and decoded into the provider's types (see compat_terraform_test.go).

type tfAccessControl struct {
	AccessLevel        *string `json:"access_level"`
	Resource           string  `json:"resource"`
	ResourceID         *string `json:"resource_id,omitempty"`
	OrganizationMember *string `json:"organization_member,omitempty"`
	Role               *string `json:"role,omitempty"`
	CreatedBy          *string `json:"created_by,omitempty"`
	CreatedAt          *string `json:"created_at,omitempty"`
	UpdatedAt          *string `json:"updated_at,omitempty"`
}

type tfAccessControlRequest struct {
	AccessLevel        *string `json:"access_level"`
	Resource           string  `json:"resource,omitempty"`
	ResourceID         *string `json:"resource_id,omitempty"`
	OrganizationMember *string `json:"organization_member,omitempty"`
	Role               *string `json:"role,omitempty"`
}

type tfAccessControlList struct {
	AccessControls          []tfAccessControl `json:"access_controls"`
	AvailableAccessLevels   []string          `json:"available_access_levels"`
	DefaultAccessLevel      string            `json:"default_access_level"`
	UserAccessLevel         string            `json:"user_access_level"`
	UserCanEditAccessLevels bool              `json:"user_can_edit_access_levels"`
}

// tfCompositeID is how the provider names a rule: project/resource[/id]/role|member/x or
// project/resource[/id]/default.
func tfCompositeID(project string, ac tfAccessControl) string {
	res := ac.Resource
	if ac.ResourceID != nil && *ac.ResourceID != "" {
		res += "/" + *ac.ResourceID
	}
	switch {
	case ac.Role != nil:
		return fmt.Sprintf("%s/%s/role/%s", project, res, *ac.Role)
	case ac.OrganizationMember != nil:
		return fmt.Sprintf("%s/%s/member/%s", project, res, *ac.OrganizationMember)
	}
	return project + "/" + res + "/default"
}

func acPtr[T any](v T) *T { return &v }

// tfPutAC is the provider's upsert; want 200 with the rule, or 204 when access_level is null.
func tfPutAC(t *testing.T, e *env, path string, req tfAccessControlRequest) tfAccessControl {
	t.Helper()
	r := e.do("PUT", path, req)
	if req.AccessLevel == nil {
		r.wantStatus(t, 204)
		return tfAccessControl{}
	}
	r.wantStatus(t, 200)
	return tfDecode[tfAccessControl](t, "PUT "+path, r.Body)
}

// tfFindAC is the provider's read: the list, then the rule with the composite id.
func tfFindAC(t *testing.T, e *env, path, project, id string) (tfAccessControl, bool) {
	t.Helper()
	list := tfDecode[tfAccessControlList](t, "GET "+path, e.do("GET", path, nil).wantStatus(t, 200).Body)
	for _, ac := range list.AccessControls {
		if tfCompositeID(project, ac) == id {
			return ac, true
		}
	}
	return tfAccessControl{}, false
}

func TestTerraformProjectMemberAndDefaultAccess(t *testing.T) {
	e := newEnv(t)
	// The RBAC workflow: a new project, roles, a restrictive default, roles granted access.
	pid := strconv.Itoa(int(e.do("POST", e.orgPath("projects/"), map[string]any{"name": "tf-rbac-project"}).wantStatus(t, 201).get("id").Int()))
	roles := map[string]string{}
	for _, n := range []string{"engineering", "product", "support"} {
		roles[n] = e.do("POST", e.orgPath("roles/"), map[string]any{"name": "tf-" + n}).wantStatus(t, 201).get("id").String()
	}
	acs := "/api/projects/" + pid + "/access_controls/"

	// posthog_project_default_access: PUT, then read back the list.
	tfPutAC(t, e, acs, tfAccessControlRequest{AccessLevel: acPtr("none")})
	list := tfDecode[tfAccessControlList](t, "default", e.do("GET", acs, nil).wantStatus(t, 200).Body)
	if len(list.AccessControls) != 1 || *list.AccessControls[0].AccessLevel != "none" || list.DefaultAccessLevel != "admin" ||
		list.AccessControls[0].Role != nil || list.AccessControls[0].OrganizationMember != nil || *list.AccessControls[0].ResourceID != pid {
		t.Fatalf("default access: %+v", list)
	}
	if !list.UserCanEditAccessLevels || list.UserAccessLevel != "admin" {
		t.Errorf("the owner: %+v", list)
	}

	// posthog_project_member with roles.
	for n, level := range map[string]string{"engineering": "admin", "product": "member", "support": "member"} {
		got := tfPutAC(t, e, acs, tfAccessControlRequest{AccessLevel: acPtr(level), Role: acPtr(roles[n])})
		if *got.AccessLevel != level || *got.Role != roles[n] || got.CreatedAt == nil || got.Resource != "project" {
			t.Fatalf("member %s: %+v", n, got)
		}
		if ac, ok := tfFindAC(t, e, acs, pid, pid+"/project/"+pid+"/role/"+roles[n]); !ok || *ac.AccessLevel != level {
			t.Fatalf("read back %s: %+v %v", n, ac, ok)
		}
	}
	// posthog_access_control at the resource-kind level for roles.
	racs := "/api/projects/" + pid + "/resource_access_controls/"
	for _, rule := range []struct{ resource, role, level string }{
		{"feature_flag", "engineering", "editor"}, {"feature_flag", "product", "viewer"}, {"feature_flag", "support", "none"},
		{"dashboard", "engineering", "viewer"}, {"experiment", "product", "editor"}, {"session_recording", "support", "none"},
	} {
		got := tfPutAC(t, e, racs, tfAccessControlRequest{AccessLevel: acPtr(rule.level), Resource: rule.resource, Role: acPtr(roles[rule.role])})
		id := tfCompositeID(pid, got)
		if id != pid+"/"+rule.resource+"/role/"+roles[rule.role] || *got.AccessLevel != rule.level {
			t.Fatalf("%+v: %s %+v", rule, id, got)
		}
		if _, ok := tfFindAC(t, e, racs, pid, id); !ok {
			t.Fatalf("%s not listed", id)
		}
	}
	// Updates are in place: same rule, new level (the upsert keeps one row).
	tfPutAC(t, e, acs, tfAccessControlRequest{AccessLevel: acPtr("member")})
	tfPutAC(t, e, acs, tfAccessControlRequest{AccessLevel: acPtr("member"), Role: acPtr(roles["engineering"])})
	tfPutAC(t, e, racs, tfAccessControlRequest{AccessLevel: acPtr("viewer"), Resource: "feature_flag", Role: acPtr(roles["engineering"])})
	if n := e.do("GET", acs, nil).get("access_controls.#").Int(); n != 4 {
		t.Errorf("project rules = %d, want 4", n)
	}
	if ac, _ := tfFindAC(t, e, racs, pid, pid+"/feature_flag/role/"+roles["engineering"]); *ac.AccessLevel != "viewer" {
		t.Errorf("feature flags for engineering: %s", *ac.AccessLevel)
	}
	// The settings reads see the rules.
	ms := e.do("GET", "/api/projects/"+pid+"/access_control_defaults/", nil).wantStatus(t, 200)
	if ms.get("project_access_level").String() != "member" {
		t.Errorf("defaults: %s", ms.Body)
	}
	rs := e.do("GET", e.orgPath("projects/"+pid+"/access_control_roles/?role_id="+roles["product"]), nil).wantStatus(t, 200)
	if rs.get("results.0.project.access_level").String() != "member" || rs.get("results.0.resources.experiment.access_level").String() != "editor" {
		t.Errorf("roles: %s", rs.Body)
	}

	// Delete: PUT with access_level null (204), the rule is gone and the read finds nothing.
	tfPutAC(t, e, acs, tfAccessControlRequest{Role: acPtr(roles["support"])})
	if _, ok := tfFindAC(t, e, acs, pid, pid+"/project/"+pid+"/role/"+roles["support"]); ok {
		t.Error("the deleted project member is still listed")
	}
	tfPutAC(t, e, racs, tfAccessControlRequest{Resource: "dashboard", Role: acPtr(roles["engineering"])})
	// A role deleted takes its rules along.
	e.do("DELETE", e.orgPath("roles/"+roles["product"]+"/"), nil).wantStatus(t, 204)
	if _, ok := tfFindAC(t, e, racs, pid, pid+"/experiment/role/"+roles["product"]); ok {
		t.Error("a deleted role's rule is still listed")
	}
	// Destroying the default access sets it to none; the project deleted keeps answering.
	tfPutAC(t, e, acs, tfAccessControlRequest{AccessLevel: acPtr("none")})
	e.do("DELETE", e.orgPath("projects/"+pid+"/"), nil).wantStatus(t, 204)
	if ac, ok := tfFindAC(t, e, acs, pid, pid+"/project/"+pid+"/default"); !ok || *ac.AccessLevel != "none" {
		t.Errorf("after destroy: %+v %v", ac, ok)
	}
}

func TestTerraformAccessControlMember(t *testing.T) {
	e := newEnv(t)
	pid := strconv.Itoa(e.d.ProjectID)
	m := e.addMember(e.d.OrganizationID, store.LevelMember, "tester@example.com")
	var mid string
	e.srv.Store().Read(func(tx *store.Tx) error { mid = tx.Membership(e.d.OrganizationID, m.User.ID).ID; return nil })
	racs := "/api/projects/" + pid + "/resource_access_controls/"
	got := tfPutAC(t, e, racs, tfAccessControlRequest{AccessLevel: acPtr("editor"), Resource: "dashboard", OrganizationMember: acPtr(mid)})
	if *got.OrganizationMember != mid || got.Role != nil || got.ResourceID != nil {
		t.Fatalf("%+v", got)
	}
	// posthog_project_member for the organization member, and its import by composite id.
	acs := "/api/projects/" + pid + "/access_controls/"
	tfPutAC(t, e, acs, tfAccessControlRequest{AccessLevel: acPtr("member"), OrganizationMember: acPtr(mid)})
	if ac, ok := tfFindAC(t, e, acs, pid, pid+"/project/"+pid+"/member/"+mid); !ok || *ac.AccessLevel != "member" {
		t.Fatalf("project member: %+v", ac)
	}
	// The project default at the resource-kind level (no role, no member).
	got = tfPutAC(t, e, racs, tfAccessControlRequest{AccessLevel: acPtr("viewer"), Resource: "survey"})
	if tfCompositeID(pid, got) != pid+"/survey/default" {
		t.Fatalf("default: %+v", got)
	}
	// The member leaving the organization takes their rules along.
	e.do("DELETE", e.orgPath("members/"+m.User.UUID+"/"), nil).wantStatus(t, 204)
	if n := e.do("GET", racs, nil).get("access_controls.#").Int(); n != 1 {
		t.Errorf("rules after the member left: %d, want 1", n)
	}
}
