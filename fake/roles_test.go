package fake

import (
	"strings"
	"testing"
	"time"

	"github.com/fakehog/fakehog/fake/store"
	"github.com/tidwall/gjson"
)

const msgInsufficient = "Your organization access level is insufficient."

// createRole creates a role over the API as the default owner and returns its id.
func createRole(t *testing.T, e *env, orgID, name string) string {
	t.Helper()
	return e.do("POST", "/api/organizations/"+orgID+"/roles/", map[string]any{"name": name}).wantStatus(t, 201).get("id").String()
}

func TestRoleCreate(t *testing.T) {
	e := newEnv(t)
	r := e.do("POST", e.orgPath("roles/"), map[string]any{"name": "  Engineers  ", "id": "x", "is_default": true, "members": []any{1}}).wantStatus(t, 201)
	id := r.get("id").String()
	if !store.IsUUID(id) || r.get("name").String() != "Engineers" || r.get("created_at").String() != "2026-01-15T10:00:00Z" ||
		r.get("created_by").Type != gjson.Null || r.get("is_default").Bool() || !r.get("members").IsArray() ||
		len(r.get("members").Array()) != 0 {
		t.Fatalf("created = %s", r.Body)
	}
	got := e.do("GET", e.orgPath("roles/"+id+"/"), nil).wantStatus(t, 200)
	if got.get("name").String() != "Engineers" || got.get("id").String() != id {
		t.Fatalf("retrieve = %s", got.Body)
	}
	// A role seeded with a creator (as a scenario may) shows it.
	var seeded string
	withWriteTx(e, func(tx *store.Tx) error {
		r, err := tx.CreateRole(e.d.OrganizationID, store.NewRole{Name: "Seeded", CreatedBy: tx.UserByEmail(e.d.UserEmail)})
		if r != nil {
			seeded = r.ID
		}
		return err
	})
	if r := e.do("GET", e.orgPath("roles/"+seeded+"/"), nil).wantStatus(t, 200); r.get("created_by.email").String() != e.d.UserEmail {
		t.Fatalf("seeded role's created_by = %s", r.get("created_by").Raw)
	}
	// Any UUID spelling finds it; the slashless path works too.
	e.do("GET", e.orgPath("roles/"+strings.ToUpper(id)), nil).wantStatus(t, 200)
	e.do("GET", e.orgPath("roles/"+strings.ReplaceAll(id, "-", "")+"/"), nil).wantStatus(t, 200)
}

func TestRoleValidation(t *testing.T) {
	e := newEnv(t)
	createRole(t, e, e.d.OrganizationID, "Engineers")
	cases := []fieldCase{
		{"missing name", map[string]any{}, "required", store.MsgRequired, "name"},
		{"blank name", map[string]any{"name": "   "}, "blank", store.MsgBlank, "name"},
		{"null name", map[string]any{"name": nil}, "null", store.MsgNull, "name"},
		{"long name", map[string]any{"name": strings.Repeat("n", 201)}, "max_length", "Ensure this field has no more than 200 characters.", "name"},
		{"object name", map[string]any{"name": map[string]any{}}, "invalid_input", store.MsgInvalidString, "name"},
		{"duplicate name", map[string]any{"name": "Engineers"}, "unique", "There is already a role with this name.", "name"},
		{"duplicate in another case", map[string]any{"name": " eNGINEERS "}, "unique", "There is already a role with this name.", "name"},
		{"not an object", "[]", "invalid_input", "Invalid data. Expected a dictionary, but got list.", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.do("POST", e.orgPath("roles/"), c.body).wantError(t, 400, "validation_error", c.code, c.detail, c.attr)
		})
	}
	if n := e.do("GET", e.orgPath("roles/"), nil).get("count").Int(); n != 1 {
		t.Fatalf("failed creates left %d roles", n)
	}
	// 200 characters is fine; the same name in another organization is fine.
	e.do("POST", e.orgPath("roles/"), map[string]any{"name": strings.Repeat("n", 200)}).wantStatus(t, 201)
	other := newFeaturelessOrg(t, e)
	createRole(t, e, other, "Engineers")
}

func TestRoleUpdate(t *testing.T) {
	e := newEnv(t)
	id := createRole(t, e, e.d.OrganizationID, "Engineers")
	createRole(t, e, e.d.OrganizationID, "Designers")
	item := e.orgPath("roles/" + id + "/")
	// Renaming to itself in another case is allowed.
	if r := e.do("PATCH", item, map[string]any{"name": "ENGINEERS"}).wantStatus(t, 200); r.get("name").String() != "ENGINEERS" {
		t.Fatalf("patch = %s", r.Body)
	}
	e.do("PATCH", item, map[string]any{"name": "designers"}).wantError(t, 400, "validation_error", "unique", "There is already a role with this name.", "name")
	e.do("PATCH", item, map[string]any{"name": ""}).wantError(t, 400, "validation_error", "blank", store.MsgBlank, "name")
	// PATCH without a name changes nothing; read-only fields are ignored.
	if r := e.do("PATCH", item, map[string]any{"is_default": true, "created_at": "2020-01-01T00:00:00Z"}).wantStatus(t, 200); r.get("name").String() != "ENGINEERS" ||
		r.get("is_default").Bool() || r.get("created_at").String() != "2026-01-15T10:00:00Z" {
		t.Fatalf("patch with read-only fields = %s", r.Body)
	}
	// PUT needs the name.
	e.do("PUT", item, map[string]any{}).wantError(t, 400, "validation_error", "required", store.MsgRequired, "name")
	if r := e.do("PUT", item, map[string]any{"name": "Platform"}).wantStatus(t, 200); r.get("name").String() != "Platform" || r.get("id").String() != id {
		t.Fatalf("put = %s", r.Body)
	}
	if got := e.do("GET", item, nil).get("name").String(); got != "Platform" {
		t.Fatalf("name after PUT = %q", got)
	}
}

func TestRoleListAndDelete(t *testing.T) {
	e := newEnv(t)
	var ids []string
	for _, name := range []string{"first", "second", "third"} {
		ids = append(ids, createRole(t, e, e.d.OrganizationID, name))
		e.clock.Advance(time.Second)
	}
	other := newFeaturelessOrg(t, e)
	otherID := createRole(t, e, other, "elsewhere")
	r := e.do("GET", e.orgPath("roles/"), nil).wantStatus(t, 200)
	if r.get("count").Int() != 3 || r.get("results.0.name").String() != "first" || r.get("results.2.name").String() != "third" {
		t.Fatalf("list (creation order) = %s", r.Body)
	}
	r = e.do("GET", e.orgPath("roles/?limit=1&offset=1"), nil).wantStatus(t, 200)
	if r.get("results.0.name").String() != "second" || r.get("next").Type.String() == "Null" || r.get("previous").Type.String() == "Null" {
		t.Fatalf("page = %s", r.Body)
	}
	// Another organization's role is not found here, whatever the method.
	for _, m := range []string{"GET", "PATCH", "PUT", "DELETE"} {
		e.do(m, e.orgPath("roles/"+otherID+"/"), map[string]any{"name": "x"}).wantError(t, 404, "invalid_request", "not_found", "Not found.", "")
	}
	e.do("GET", e.orgPath("roles/not-a-uuid/"), nil).wantError(t, 404, "invalid_request", "not_found", "Not found.", "")
	if r := e.do("DELETE", e.orgPath("roles/"+ids[1]+"/"), nil).wantStatus(t, 204); len(r.Body) != 0 {
		t.Fatalf("delete body = %q", r.Body)
	}
	e.do("GET", e.orgPath("roles/"+ids[1]+"/"), nil).wantError(t, 404, "invalid_request", "not_found", "Not found.", "")
	e.do("DELETE", e.orgPath("roles/"+ids[1]+"/"), nil).wantStatus(t, 404)
	if n := e.do("GET", e.orgPath("roles/"), nil).get("count").Int(); n != 2 {
		t.Fatalf("count after delete = %d", n)
	}
	// The freed name can be used again.
	createRole(t, e, e.d.OrganizationID, "SECOND")
	// Deleting the organization removes its roles.
	withWriteTx(e, func(tx *store.Tx) error {
		tx.DeleteOrganization(tx.Org(other))
		if len(tx.Roles(other)) != 0 || tx.Role(other, otherID) != nil {
			t.Error("roles survived their organization")
		}
		return nil
	})
}

func TestRolePermissions(t *testing.T) {
	e := newEnv(t)
	org := e.d.OrganizationID
	m, admin, outsider, reader := e.permissionCast(org, "organization:read")
	other := e.addMember(org, store.LevelOwner, "other@example.com", "project:write")
	id := e.do("POST", e.orgPath("roles/"), map[string]any{"name": "by admin"}, asKey(admin.Key)).wantStatus(t, 201).get("id").String()
	item := e.orgPath("roles/" + id + "/")
	// Members read.
	e.do("GET", e.orgPath("roles/"), nil, asKey(m.Key)).wantStatus(t, 200)
	// PostHog never sets a role's creator over the API.
	if r := e.do("GET", item, nil, asKey(m.Key)).wantStatus(t, 200); r.get("created_by").Type != gjson.Null {
		t.Fatalf("created_by = %s", r.get("created_by").Raw)
	}
	// Only admins and owners write.
	for _, c := range []struct {
		method, path string
		body         any
	}{{"POST", e.orgPath("roles/"), map[string]any{"name": "x"}}, {"PATCH", item, map[string]any{"name": "x"}},
		{"PUT", item, map[string]any{"name": "x"}}, {"DELETE", item, nil}} {
		e.do(c.method, c.path, c.body, asKey(m.Key)).wantError(t, 403, "authentication_error", "permission_denied", msgInsufficient, "")
		e.do(c.method, c.path, c.body, asSession(m.Session)).wantError(t, 403, "authentication_error", "permission_denied", msgInsufficient, "")
		e.do(c.method, c.path, c.body, asKey(outsider.Key)).wantError(t, 403, "authentication_error", "permission_denied", store.MsgNoPermission, "")
		e.do(c.method, c.path, c.body, asKey(reader.Key)).wantError(t, 403, "authentication_error", "permission_denied", "API key missing required scope 'organization:write'", "")
	}
	if n := e.do("GET", item, nil).get("name").String(); n != "by admin" {
		t.Fatalf("refused writes changed the role: %q", n)
	}
	// Non-members, and keys without the organization scope, cannot read.
	e.do("GET", e.orgPath("roles/"), nil, asKey(outsider.Key)).wantError(t, 403, "authentication_error", "permission_denied", store.MsgNoPermission, "")
	e.do("GET", item, nil, asKey(other.Key)).wantError(t, 403, "authentication_error", "permission_denied", "API key missing required scope 'organization:read'", "")
	e.do("GET", item, nil, asKey(reader.Key)).wantStatus(t, 200)
	// Admins rename and delete, by key or session.
	e.do("PATCH", item, map[string]any{"name": "renamed"}, asSession(admin.Session)).wantStatus(t, 200)
	e.do("DELETE", item, nil, asKey(admin.Key)).wantStatus(t, 204)
}

func TestRoleIsDefault(t *testing.T) {
	e := newEnv(t)
	org := e.d.OrganizationID
	id := createRole(t, e, org, "Default")
	otherRole := createRole(t, e, org, "Other")
	// PATCH on the organization sets the default, in any UUID spelling.
	r := e.do("PATCH", "/api/organizations/"+org+"/", map[string]any{"default_role_id": strings.ToUpper(id)}).wantStatus(t, 200)
	if r.get("default_role_id").String() != id {
		t.Fatalf("default_role_id = %s", r.get("default_role_id").Raw)
	}
	if !e.do("GET", e.orgPath("roles/"+id+"/"), nil).get("is_default").Bool() || e.do("GET", e.orgPath("roles/"+otherRole+"/"), nil).get("is_default").Bool() {
		t.Fatal("is_default does not follow the organization's default_role_id")
	}
	list := e.do("GET", e.orgPath("roles/"), nil)
	if !list.get("results.0.is_default").Bool() || list.get("results.1.is_default").Bool() {
		t.Fatalf("list = %s", list.Body)
	}
	// A role of another organization, or none at all, cannot be the default.
	foreign := createRole(t, e, newFeaturelessOrg(t, e), "Foreign")
	for _, bad := range []string{foreign, "019bc119-0000-7000-8000-000000000009", "nope"} {
		e.do("PATCH", "/api/organizations/"+org+"/", map[string]any{"default_role_id": bad}).wantError(t, 400, "validation_error", "invalid_input", "Role does not exist.", "default_role_id")
	}
	if got := e.do("GET", "/api/organizations/"+org+"/", nil).get("default_role_id").String(); got != id {
		t.Fatalf("refused PATCH changed default_role_id to %q", got)
	}
	// null clears it.
	e.do("PATCH", "/api/organizations/"+org+"/", map[string]any{"default_role_id": nil}).wantStatus(t, 200)
	if e.do("GET", e.orgPath("roles/"+id+"/"), nil).get("is_default").Bool() {
		t.Fatal("is_default still true after clearing default_role_id")
	}
	// Deleting the default role clears the organization's default.
	e.do("PATCH", "/api/organizations/"+org+"/", map[string]any{"default_role_id": otherRole}).wantStatus(t, 200)
	e.do("DELETE", e.orgPath("roles/"+otherRole+"/"), nil).wantStatus(t, 204)
	if o := e.do("GET", "/api/organizations/"+org+"/", nil).get("default_role_id"); o.Type.String() != "Null" {
		t.Fatalf("default_role_id after deleting the role = %s", o.Raw)
	}
	if e.do("GET", e.orgPath("roles/"+id+"/"), nil).get("is_default").Bool() {
		t.Fatal("another role became the default")
	}
}

func TestRoleDefaultAddsNewMembers(t *testing.T) {
	e := newEnv(t)
	org := e.d.OrganizationID
	id := createRole(t, e, org, "Everyone")
	// Members who joined before the default was set are not added.
	e.addMember(org, store.LevelMember, "before@example.com")
	e.do("PATCH", "/api/organizations/"+org+"/", map[string]any{"default_role_id": id}).wantStatus(t, 200)
	after := e.addMember(org, store.LevelMember, "after@example.com")
	r := e.do("GET", e.orgPath("roles/"+id+"/role_memberships/"), nil).wantStatus(t, 200)
	if r.get("count").Int() != 1 || r.get("results.0.user.uuid").String() != after.User.UUID {
		t.Fatalf("default role memberships = %s", r.Body)
	}
	role := e.do("GET", e.orgPath("roles/"+id+"/"), nil)
	if len(role.get("members").Array()) != 1 || role.get("members.0.user.email").String() != "after@example.com" ||
		role.get("members.0.organization_member.user.uuid").String() != after.User.UUID {
		t.Fatalf("role members = %s", role.get("members").Raw)
	}
}

func TestRoleDeleteCascades(t *testing.T) {
	e := newEnv(t)
	org := e.d.OrganizationID
	m := e.addMember(org, store.LevelMember, "member@example.com")
	id := createRole(t, e, org, "Doomed")
	keep := createRole(t, e, org, "Kept")
	mid := e.do("POST", e.orgPath("roles/"+id+"/role_memberships/"), map[string]any{"user_uuid": m.User.UUID}).wantStatus(t, 201).get("id").String()
	e.do("POST", e.orgPath("roles/"+keep+"/role_memberships/"), map[string]any{"user_uuid": m.User.UUID}).wantStatus(t, 201)
	refID := e.do("POST", e.orgPath("role_external_references/"), map[string]any{"provider": "github", "provider_organization_id": "posthog",
		"provider_role_id": "1", "provider_role_name": "Team", "role": id}).wantStatus(t, 201).get("id").String()
	e.do("PATCH", "/api/organizations/"+org+"/", map[string]any{"default_role_id": id}).wantStatus(t, 200)
	e.do("DELETE", e.orgPath("roles/"+id+"/"), nil).wantStatus(t, 204)
	// Memberships and external references go with the role; the other role keeps its own.
	e.do("GET", e.orgPath("roles/"+id+"/role_memberships/"+mid+"/"), nil).wantError(t, 404, "invalid_request", "not_found", "Not found.", "")
	if n := e.do("GET", e.orgPath("roles/"+id+"/role_memberships/"), nil).get("count").Int(); n != 0 {
		t.Fatalf("memberships of a deleted role: %d", n)
	}
	if n := e.do("GET", e.orgPath("roles/"+keep+"/role_memberships/"), nil).get("count").Int(); n != 1 {
		t.Fatalf("memberships of the kept role: %d", n)
	}
	e.do("DELETE", e.orgPath("role_external_references/"+refID+"/"), nil).wantStatus(t, 404)
	withWriteTx(e, func(tx *store.Tx) error {
		if tx.Org(org).DefaultRoleID != nil {
			t.Error("default role survived")
		}
		return nil
	})
}
