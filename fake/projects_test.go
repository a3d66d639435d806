package fake

import (
	"strconv"
	"strings"
	"testing"

	"github.com/fakehog/fakehog/fake/store"
)

func TestProjectCreateAndList(t *testing.T) {
	e := newEnv(t)
	r := e.do("POST", e.orgPath("projects/"), map[string]any{"timezone": "Europe/Berlin"}).wantStatus(t, 201)
	if r.get("name").String() != "Default project 2" || r.get("timezone").String() != "Europe/Berlin" ||
		!strings.HasPrefix(r.get("api_token").String(), "phc_") || len(r.get("api_token").String()) != 48 {
		t.Fatalf("created project = %s", truncate(r.Body))
	}
	id := r.get("id").Int()
	if r.get("secret_api_token").Type != 0 /* null */ || r.get("effective_membership_level").Int() != 15 {
		t.Errorf("new project fields = %s", truncate(r.Body))
	}
	e.do("POST", e.orgPath("projects/"), map[string]any{"name": "  default PROJECT 2 "}).
		wantError(t, 409, "server_error", "conflict", `There is already a project called "default PROJECT 2" in this organization.`, "")
	e.do("POST", e.orgPath("projects/"), map[string]any{"name": "Web"}).wantStatus(t, 201)
	list := e.do("GET", e.orgPath("projects/"), nil).wantStatus(t, 200)
	if list.get("count").Int() != 3 || list.get("results.1.id").Int() != id {
		t.Fatalf("list = %s", truncate(list.Body))
	}
	if s := e.do("GET", e.orgPath("projects/?search=we"), nil); s.get("count").Int() != 1 || s.get("results.0.name").String() != "Web" {
		t.Errorf("search = %s", truncate(s.Body))
	}
	// The creator's current project is the newest.
	if got := e.do("GET", e.orgPath("projects/@current/"), nil).get("name").String(); got != "Web" {
		t.Errorf("@current project = %q", got)
	}
}

func TestProjectPermissionsAndPlanLimits(t *testing.T) {
	e := newEnv(t)
	plain := e.addMember(e.d.OrganizationID, store.LevelMember, "member@example.com")
	e.do("POST", e.orgPath("projects/"), map[string]any{"name": "X"}, asKey(plain.Key)).
		wantError(t, 403, "authentication_error", "permission_denied", "You need to be an organization admin or above to create new projects.", "")
	// Members may create when the organization allows it (the default world has the feature).
	e.do("PATCH", "/api/organizations/@current/", map[string]any{"members_can_create_projects": true}).wantStatus(t, 200)
	e.do("POST", e.orgPath("projects/"), map[string]any{"name": "X"}, asKey(plain.Key)).wantStatus(t, 201)
	e.do("POST", e.orgPath("projects/"), map[string]any{"name": "Y", "receive_org_level_activity_logs": true}, asKey(plain.Key)).
		wantError(t, 403, "authentication_error", "permission_denied", "Only organization owners and admins can modify the receive_org_level_activity_logs setting.", "")

	// An organization created over the API starts on the free plan: one project.
	free := e.do("POST", "/api/organizations/", map[string]any{"name": "Free"}).wantStatus(t, 201).get("id").String()
	e.do("POST", "/api/organizations/"+free+"/projects/", map[string]any{"name": "Second"}).
		wantError(t, 403, "authentication_error", "permission_denied", "You have reached the maximum limit of allowed projects for your current plan. Upgrade your plan to be able to create and manage more projects.", "")
	// Demo projects do not count.
	e.do("POST", "/api/organizations/"+free+"/projects/", map[string]any{"name": "Demo", "is_demo": true}).wantStatus(t, 201)
}

func TestProjectUpdateValidation(t *testing.T) {
	e := newEnv(t)
	path := e.orgPath("projects/@current/")
	cases := []struct {
		name         string
		body         map[string]any
		code, detail string
		attr         string
	}{
		{"timezone", map[string]any{"timezone": "America/I_Dont_Exist"}, "invalid_choice", `"America/I_Dont_Exist" is not a valid choice.`, "timezone"},
		{"week_start_day", map[string]any{"week_start_day": 3}, "invalid_choice", `"3" is not a valid choice.`, "week_start_day"},
		{"business_model", map[string]any{"business_model": "b2x"}, "invalid_choice", `"b2x" is not a valid choice.`, "business_model"},
		{"retention", map[string]any{"session_recording_retention_period": "2y"}, "invalid_choice", `"2y" is not a valid choice.`, "session_recording_retention_period"},
		{"name too long", map[string]any{"name": strings.Repeat("p", 201)}, "max_length", "Ensure this field has no more than 200 characters.", "name"},
		{"min duration", map[string]any{"session_recording_minimum_duration_milliseconds": 30001}, "max_value", "Ensure this value is less than or equal to 30000.", "session_recording_minimum_duration_milliseconds"},
		{"app_urls not a list", map[string]any{"app_urls": "https://x"}, "not_a_list", `Expected a list of items but got type "str".`, "app_urls"},
		{"bool", map[string]any{"anonymize_ips": "sometimes"}, "invalid_input", store.MsgInvalidBool, "anonymize_ips"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.do("PATCH", path, c.body).wantError(t, 400, "validation_error", c.code, c.detail, c.attr)
		})
	}
	r := e.do("PATCH", path, map[string]any{"timezone": "Europe/Lisbon", "week_start_day": 1, "business_model": "b2b", "anonymize_ips": "true"}).wantStatus(t, 200)
	if r.get("timezone").String() != "Europe/Lisbon" || r.get("week_start_day").Int() != 1 || !r.get("anonymize_ips").Bool() {
		t.Fatalf("patched = %s", truncate(r.Body))
	}
	// Creating a project makes it the caller's current one, so rename the default by id.
	e.do("POST", e.orgPath("projects/"), map[string]any{"name": "Taken"}).wantStatus(t, 201)
	e.do("PATCH", e.orgPath("projects/"+itoa(e.d.ProjectID)+"/"), map[string]any{"name": " taken "}).
		wantError(t, 409, "server_error", "conflict", `There is already a project called "taken" in this organization.`, "")
	e.do("PUT", e.orgPath("projects/"+itoa(e.d.ProjectID)+"/"), map[string]any{"name": "Put"}).wantStatus(t, 200)

	// Activity records every change made through the API.
	a := e.do("GET", e.orgPath("projects/"+itoa(e.d.ProjectID)+"/activity/"), nil, asSession(e.d.Session)).wantStatus(t, 200)
	found := false
	for _, it := range a.get("results").Array() {
		for _, ch := range it.Get("detail.changes").Array() {
			if ch.Get("field").String() == "timezone" && ch.Get("before").String() == "UTC" && ch.Get("after").String() == "Europe/Lisbon" {
				found = it.Get("scope").String() == "Team" && it.Get("activity").String() == "updated" && it.Get("user.email").String() == e.d.UserEmail
			}
		}
	}
	if !found || a.get("total_count").Int() < 2 {
		t.Fatalf("activity = %s", truncate(a.Body))
	}
}

func TestProjectDeleteAndTokens(t *testing.T) {
	e := newEnv(t)
	plain := e.addMember(e.d.OrganizationID, store.LevelMember, "member@example.com")
	pid := itoa(e.d.ProjectID)
	base := e.orgPath("projects/" + pid + "/")
	before := e.do("GET", base, nil).get("api_token").String()

	e.do("PATCH", base+"reset_token/", nil, asSession(plain.Session)).wantError(t, 403, "authentication_error", "permission_denied", "You don't have sufficient permissions in the project.", "")
	r := e.do("PATCH", base+"reset_token/", nil, asSession(e.d.Session)).wantStatus(t, 200)
	if after := r.get("api_token").String(); after == before || !strings.HasPrefix(after, "phc_") {
		t.Fatalf("reset_token kept %q", after)
	}
	r = e.do("PATCH", base+"rotate_secret_token/", nil, asSession(e.d.Session)).wantStatus(t, 200)
	first := r.get("secret_api_token").String()
	if !strings.HasPrefix(first, "phs_") || r.get("secret_api_token_backup").Type != 0 {
		t.Fatalf("first rotation = %s", truncate(r.Body))
	}
	r = e.do("PATCH", base+"rotate_secret_token/", nil, asSession(e.d.Session)).wantStatus(t, 200)
	if r.get("secret_api_token_backup").String() != first || r.get("secret_api_token").String() == first {
		t.Fatalf("second rotation = %s", truncate(r.Body))
	}
	r = e.do("PATCH", base+"delete_secret_token_backup/", nil, asSession(e.d.Session)).wantStatus(t, 200)
	if r.get("secret_api_token_backup").Type != 0 {
		t.Fatalf("backup not deleted: %s", truncate(r.Body))
	}
	g := e.do("GET", base+"is_generating_demo_data/", nil, asSession(e.d.Session)).wantStatus(t, 200)
	if g.Body == nil || g.get("is_generating_demo_data").Bool() {
		t.Errorf("is_generating_demo_data = %s", g.Body)
	}

	e.do("DELETE", base, nil, asKey(plain.Key)).wantError(t, 403, "authentication_error", "permission_denied", "You don't have sufficient permissions in the project.", "")
	e.do("DELETE", base, nil).wantStatus(t, 204)
	if !e.do("GET", base, nil).get("is_pending_deletion").Bool() {
		t.Error("deleted project should be pending deletion")
	}
	e.do("DELETE", base, nil).wantError(t, 400, "validation_error", "invalid_input", "This project is already being deleted.", "")
	e.do("GET", e.orgPath("projects/999/"), nil).wantError(t, 404, "invalid_request", "not_found", "Not found.", "")
	e.do("GET", e.orgPath("projects/abc/"), nil).wantStatus(t, 404)
}

func TestProjectIntentsAndMoves(t *testing.T) {
	e := newEnv(t)
	base := e.orgPath("projects/" + itoa(e.d.ProjectID) + "/")
	e.do("PATCH", base+"complete_product_onboarding/", map[string]any{}, asSession(e.d.Session)).wantStatus(t, 400)
	r := e.do("PATCH", base+"add_product_intent/", map[string]any{"product_type": "session_replay"}).wantStatus(t, 200)
	if r.get("product_intents.0.product_type").String() != "session_replay" {
		t.Fatalf("intent = %s", truncate(r.Body))
	}
	r = e.do("PATCH", base+"complete_product_onboarding/", map[string]any{"product_type": "session_replay"}).wantStatus(t, 200)
	if !r.get("has_completed_onboarding_for.session_replay").Bool() || r.get("product_intents.0.onboarding_completed_at").Type == 0 {
		t.Fatalf("onboarding = %s", truncate(r.Body))
	}
	tok := e.do("POST", base+"generate_conversations_public_token/", nil, asSession(e.d.Session)).wantStatus(t, 200)
	if tok.get("conversations_settings.widget_public_token").String() == "" {
		t.Errorf("conversations token missing: %s", truncate(tok.Body))
	}
	// change_organization needs admin of both organizations.
	other := e.otherOrg()
	e.do("POST", base+"change_organization/", map[string]any{"organization_id": other}, asSession(e.d.Session)).
		wantError(t, 400, "validation_error", "invalid_input", "You must be an admin of both the source and target organizations to move a project.", "")
	mine := e.do("POST", "/api/organizations/", map[string]any{"name": "Mine"}).wantStatus(t, 201).get("id").String()
	e.do("POST", base+"change_organization/", map[string]any{"organization_id": mine}, asSession(e.d.Session)).wantStatus(t, 200)
	e.do("GET", base, nil).wantStatus(t, 404)
	e.do("GET", "/api/organizations/"+mine+"/projects/"+itoa(e.d.ProjectID)+"/", nil).wantStatus(t, 200)
}

func itoa(n int) string { return strconv.Itoa(n) }
