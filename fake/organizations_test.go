package fake

import (
	"strings"
	"testing"

	"github.com/fakehog/fakehog/fake/store"
)

func TestOrganizationCreate(t *testing.T) {
	e := newEnv(t)
	r := e.do("POST", "/api/organizations/", map[string]any{"name": "Acme Corp", "plugins_access_level": 9, "slug": "ignored"}).wantStatus(t, 201)
	id := r.get("id").String()
	if r.get("slug").String() != "acme-corp" || r.get("membership_level").Int() != 15 || r.get("plugins_access_level").Int() != 3 {
		t.Fatalf("created org = %s", r.Body)
	}
	if r.get("member_count").Int() != 1 || r.get("teams.#").Int() != 1 || r.get("teams.0.name").String() != "Default project" {
		t.Fatalf("bootstrap (owner membership + default project) missing: %s", r.Body)
	}
	// The creator's current organization switched to it.
	if got := e.do("GET", "/api/organizations/@current/", nil).get("id").String(); got != id {
		t.Errorf("@current = %s, want the new org %s", got, id)
	}
	// Slug collision: the same name gets a suffix.
	r2 := e.do("POST", "/api/organizations/", map[string]any{"name": "Acme Corp"}).wantStatus(t, 201)
	slug := r2.get("slug").String()
	if !strings.HasPrefix(slug, "acme-corp-") || len(slug) != len("acme-corp-")+4 {
		t.Errorf("collision slug = %q", slug)
	}
	if e.do("GET", "/api/organizations/", nil).get("count").Int() != 3 {
		t.Error("list should show the three organizations the owner belongs to")
	}
}

func TestOrganizationValidation(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		name   string
		body   any
		code   string
		detail string
	}{
		{"missing name", map[string]any{}, "required", store.MsgRequired},
		{"blank name", map[string]any{"name": "   "}, "blank", store.MsgBlank},
		{"null name", map[string]any{"name": nil}, "null", store.MsgNull},
		{"long name", map[string]any{"name": strings.Repeat("n", 65)}, "max_length", "Ensure this field has no more than 64 characters."},
		{"object name", map[string]any{"name": map[string]any{}}, "invalid_input", store.MsgInvalidString},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.do("POST", "/api/organizations/", c.body).wantError(t, 400, "validation_error", c.code, c.detail, "name")
		})
	}
	e.do("PATCH", "/api/organizations/@current/", map[string]any{"default_experiment_stats_method": "magic"}).
		wantError(t, 400, "validation_error", "invalid_choice", `"magic" is not a valid choice.`, "default_experiment_stats_method")
	e.do("PATCH", "/api/organizations/@current/", map[string]any{"enforce_2fa": "maybe"}).
		wantError(t, 400, "validation_error", "invalid_input", store.MsgInvalidBool, "enforce_2fa")
	// Nothing was half-applied.
	if got := e.do("GET", "/api/organizations/", nil).get("count").Int(); got != 1 {
		t.Errorf("organizations = %d, want 1", got)
	}
}

func TestOrganizationUpdateAndPermissions(t *testing.T) {
	e := newEnv(t)
	org := e.d.OrganizationID
	admin := e.addMember(org, store.LevelAdmin, "admin@example.com")
	plain := e.addMember(org, store.LevelMember, "member@example.com")

	r := e.do("PATCH", "/api/organizations/@current/", map[string]any{"name": "Renamed", "enforce_2fa": true, "plugins_access_level": 0}, asKey(admin.Key)).wantStatus(t, 200)
	if r.get("name").String() != "Renamed" || !r.get("enforce_2fa").Bool() || r.get("plugins_access_level").Int() != 9 {
		t.Fatalf("patch = %s", r.Body)
	}
	e.do("PATCH", "/api/organizations/@current/", map[string]any{"name": "Nope"}, asKey(plain.Key)).
		wantError(t, 403, "authentication_error", "permission_denied", store.MsgAccessInsufficient, "")
	e.do("PUT", "/api/organizations/@current/", map[string]any{"enforce_2fa": false}, asKey(admin.Key)).
		wantError(t, 400, "validation_error", "required", store.MsgRequired, "name")
	e.do("PUT", "/api/organizations/@current/", map[string]any{"name": "Put name"}, asKey(admin.Key)).wantStatus(t, 200)
	if got := e.do("GET", "/api/organizations/@current/", nil).get("name").String(); got != "Put name" {
		t.Errorf("name after PUT = %q", got)
	}
	// Another organization is invisible.
	other := e.otherOrg()
	e.do("GET", "/api/organizations/"+other+"/", nil).wantError(t, 404, "invalid_request", "not_found", "Not found.", "")
	e.do("PATCH", "/api/organizations/"+other+"/", map[string]any{"name": "x"}).wantError(t, 404, "invalid_request", "not_found", "Not found.", "")

	// Delete: member, admin, then owner.
	e.do("DELETE", "/api/organizations/@current/", nil, asKey(plain.Key)).wantError(t, 403, "authentication_error", "permission_denied", store.MsgNoAdminAccess, "")
	e.do("DELETE", "/api/organizations/@current/", nil, asKey(admin.Key)).wantError(t, 403, "authentication_error", "permission_denied", store.MsgAccessInsufficient, "")
	e.do("DELETE", "/api/organizations/"+org+"/", nil).wantStatus(t, 204)
	e.do("GET", "/api/organizations/", nil).wantError(t, 404, "invalid_request", "not_found", "You need to belong to an organization.", "")
	e.do("GET", "/api/organizations/@current/", nil).wantError(t, 404, "invalid_request", "not_found", "Current organization not found.", "")
	// Users survive the organization.
	e.do("GET", "/api/organizations/", nil, asKey(admin.Key)).wantError(t, 404, "invalid_request", "not_found", "You need to belong to an organization.", "")
}

func TestOrganizationEnvironmentsRollback(t *testing.T) {
	e := newEnv(t)
	plain := e.addMember(e.d.OrganizationID, store.LevelMember, "member@example.com")
	p2 := e.do("POST", e.orgPath("projects/"), map[string]any{"name": "Second"}).wantStatus(t, 201).get("id").Int()
	path := e.orgPath("environments_rollback/")
	path = "/api/organizations/" + e.d.OrganizationID + "/environments_rollback/"
	e.do("POST", path, map[string]any{}, asSession(e.d.Session)).wantError(t, 400, "validation_error", "invalid_input", "Environment mappings are required", "")
	e.do("POST", path, map[string]any{"999999": 888888}, asSession(e.d.Session)).wantError(t, 400, "validation_error", "invalid_input", "Environments not found: {888888, 999999}", "")
	e.do("POST", path, map[string]any{"1": p2}, asSession(plain.Session)).wantError(t, 403, "authentication_error", "permission_denied", store.MsgNoAdminAccess, "")
	r := e.do("POST", path, map[string]any{"1": p2}, asSession(e.d.Session)).wantStatus(t, 202)
	if !r.get("success").Bool() || r.get("message").String() != "Migration started" {
		t.Fatalf("rollback = %s", r.Body)
	}
	e.do("POST", path, map[string]any{"1": p2}, asSession(e.d.Session)).wantError(t, 400, "validation_error", "invalid_input", "Environments rollback has already been requested for this organization.", "")
	e.do("POST", path, map[string]any{"1": p2}).wantError(t, 403, "authentication_error", "permission_denied", "This action does not support Personal API Key access", "")
}
