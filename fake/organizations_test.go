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
	e.do("POST", path, map[string]any{"1": p2}).wantError(t, 403, "authentication_error", "permission_denied", "This action does not support personal API key access", "")
}

// TestOrganizationCreateDefaults: the fields a new organization starts with (BEHAVIOR.md §1),
// and the bootstrap's default project, which becomes the creator's current one.
func TestOrganizationCreateDefaults(t *testing.T) {
	e := newEnv(t)
	r := e.do("POST", "/api/organizations/", map[string]any{"name": "Fresh"}).wantStatus(t, 201)
	want := map[string]string{
		"is_member_join_email_enabled":      "true",
		"members_can_invite":                "true",
		"members_can_create_projects":       "false",
		"members_can_use_personal_api_keys": "true",
		"members_can_see_org_members":       "true",
		"allow_publicly_shared_resources":   "true",
		"default_experiment_stats_method":   `"bayesian"`,
		"default_anonymize_ips":             "false",
		"enforce_2fa":                       "null",
		"logo_media_id":                     "null",
		"customer_id":                       "null",
		"default_role_id":                   "null",
		"is_ai_data_processing_approved":    "null",
		"membership_level":                  "15",
		"plugins_access_level":              "3",
		"member_count":                      "1",
		"available_product_features":        "[]",
	}
	for field, raw := range want {
		if got := r.get(field).Raw; got != raw {
			t.Errorf("%s = %s, want %s", field, got, raw)
		}
	}
	if !r.get("metadata.instance_tag").Exists() || r.get("created_at").String() != "2026-01-15T10:00:00Z" {
		t.Errorf("metadata/created_at = %s", r.Body)
	}
	team := r.get("teams.0")
	if team.Get("name").String() != "Default project" || team.Get("id").Int() != team.Get("project_id").Int() ||
		!strings.HasPrefix(team.Get("api_token").String(), "phc_") || len(team.Get("api_token").String()) != 48 {
		t.Errorf("default project = %s", team.Raw)
	}
	cur := e.do("GET", "/api/organizations/@current/projects/@current/", nil).wantStatus(t, 200)
	if cur.get("id").Int() != team.Get("id").Int() || cur.get("organization").String() != r.get("id").String() {
		t.Errorf("current project after create = %d, want %d", cur.get("id").Int(), team.Get("id").Int())
	}
	// members_can_see_org_members is writable.
	e.do("PATCH", "/api/organizations/@current/", map[string]any{"members_can_see_org_members": false}).wantStatus(t, 200)
	if e.do("GET", "/api/organizations/@current/", nil).get("members_can_see_org_members").Bool() {
		t.Error("members_can_see_org_members not saved")
	}
}

// TestOrganizationSlugs: Django's slugify(name)[:48]; a taken slug becomes slug[:43] + "-" +
// four ASCII letters.
func TestOrganizationSlugs(t *testing.T) {
	e := newEnv(t)
	cases := []struct{ name, slug string }{
		{"Hello, World!", "hello-world"},
		{"  a -- b  ", "a-b"},
		{"_under_score_", "under_score"},
		{"Tab\tand\nnewline", "tab-and-newline"},
		{"Café Crème", "cafe-creme"},
		{"ﬁve ①", "five-1"},
		{"#XXxxx", "xxxxx"},
		{strings.Repeat("abcdefghij", 6), strings.Repeat("abcdefghij", 4) + "abcdefgh"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := e.do("POST", "/api/organizations/", map[string]any{"name": c.name}).wantStatus(t, 201).get("slug").String(); got != c.slug {
				t.Errorf("slug(%q) = %q, want %q", c.name, got, c.slug)
			}
		})
	}
	long := strings.Repeat("abcdefghij", 6)
	got := e.do("POST", "/api/organizations/", map[string]any{"name": long}).wantStatus(t, 201).get("slug").String()
	prefix, suffix, _ := strings.Cut(got, "-")
	if prefix != long[:43] || len(suffix) != 4 || strings.Trim(suffix, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		t.Errorf("colliding long slug = %q", got)
	}
}

// TestOrganizationMemberCount counts active members who are not PostHog's bots.
func TestOrganizationMemberCount(t *testing.T) {
	e := newEnv(t)
	org := e.d.OrganizationID
	e.addMember(org, store.LevelMember, "one@example.com")
	gone := e.addMember(org, store.LevelMember, "gone@example.com")
	e.addMember(org, store.LevelMember, "helper@posthogbot.user")
	withWriteTx(e, func(tx *store.Tx) error { tx.User(gone.User.ID).IsActive = false; return nil })
	if got := e.do("GET", "/api/organizations/@current/", nil).get("member_count").Int(); got != 2 {
		t.Errorf("member_count = %d, want 2 (the owner and one@)", got)
	}
}

// TestOrganizationDeleteCascades: the organization's projects, invites and memberships go;
// its users stay, and those whose current organization it was move to another of theirs.
func TestOrganizationDeleteCascades(t *testing.T) {
	e := newEnv(t)
	org := e.d.OrganizationID
	admin := e.addMember(org, store.LevelAdmin, "admin@example.com")
	second := e.do("POST", "/api/organizations/", map[string]any{"name": "Second"}).wantStatus(t, 201).get("id").String()
	withWriteTx(e, func(tx *store.Tx) error {
		_, err := tx.AddMember(second, admin.User.ID, store.NewMembership{Level: store.LevelMember})
		return err
	})
	e.do("POST", e.orgPath("invites/"), map[string]any{"target_email": "pending@example.com"}).wantStatus(t, 201)
	if got := e.do("GET", "/api/organizations/@current/", nil, asKey(admin.Key)).get("id").String(); got != org {
		t.Fatalf("admin's current organization = %s, want %s", got, org)
	}
	e.do("DELETE", "/api/organizations/"+org+"/", nil).wantStatus(t, 204)
	if got := e.do("GET", "/api/organizations/@current/", nil, asKey(admin.Key)).get("id").String(); got != second {
		t.Errorf("admin's current organization after delete = %s, want %s", got, second)
	}
	if got := e.do("GET", "/api/organizations/", nil, asKey(admin.Key)).get("count").Int(); got != 1 {
		t.Errorf("admin belongs to %d organizations, want 1", got)
	}
	_ = e.srv.Store().Read(func(tx *store.Tx) error {
		if tx.ProjectByID(e.d.ProjectID) != nil || len(tx.Invites(org)) != 0 || tx.Membership(org, admin.User.ID) != nil {
			t.Error("the organization's projects, invites or memberships survived")
		}
		return nil
	})
	e.do("GET", "/api/organizations/"+org+"/members/", nil).wantError(t, 404, "invalid_request", "not_found", store.MsgOrgNotFound, "")
}

func TestOrganizationEnvironmentsRollbackOtherOrganization(t *testing.T) {
	e := newEnv(t)
	other := e.otherOrg()
	e.do("POST", "/api/organizations/"+other+"/environments_rollback/", map[string]any{"1": 2}, asSession(e.d.Session)).
		wantError(t, 404, "invalid_request", "not_found", "Not found.", "")
}
