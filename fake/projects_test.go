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
		wantError(t, 409, "server_error", "conflict", `There is already a project called "default PROJECT 2" in this organization. Choose a different name.`, "")
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
	// A demo project is checked against the other projects too (PremiumMultiProjectPermission
	// only adds the one-demo rule for it): the free plan's single project is taken.
	e.do("POST", "/api/organizations/"+free+"/projects/", map[string]any{"name": "Demo", "is_demo": true}).
		wantError(t, 403, "authentication_error", "permission_denied", "You have reached the maximum limit of allowed projects for your current plan. Upgrade your plan to be able to create and manage more projects.", "")
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
		wantError(t, 409, "server_error", "conflict", `There is already a project called "taken" in this organization. Choose a different name.`, "")
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

// TestProjectPlanLimits: PremiumMultiProjectPermission on create and PUT (BEHAVIOR.md §5).
func TestProjectPlanLimits(t *testing.T) {
	e := newEnv(t)
	const planLimit = "You have reached the maximum limit of allowed projects for your current plan. Upgrade your plan to be able to create and manage more projects."
	setFeature := func(orgID string, f *store.Feature) {
		withWriteTx(e, func(tx *store.Tx) error {
			o := tx.Org(orgID)
			o.Features = nil
			if f != nil {
				o.Features = []store.Feature{*f}
			}
			return nil
		})
	}
	free := e.do("POST", "/api/organizations/", map[string]any{"name": "Free"}).wantStatus(t, 201)
	freeID, only := free.get("id").String(), free.get("teams.0.id").Int()
	base := "/api/organizations/" + freeID + "/projects/"
	// PUT runs the limit too: the single project of a free organization cannot be PUT...
	e.do("PUT", base+itoa(int(only))+"/", map[string]any{"name": "Renamed"}).wantError(t, 403, "authentication_error", "permission_denied", planLimit, "")
	// ...but PATCH can.
	e.do("PATCH", base+itoa(int(only))+"/", map[string]any{"name": "Renamed"}).wantStatus(t, 200)
	// A demo project is checked against the other projects as well.
	e.do("POST", base, map[string]any{"name": "Demo", "is_demo": true}).wantError(t, 403, "authentication_error", "permission_denied", planLimit, "")
	// A numeric limit counts non-demo projects; one demo project per organization.
	two := 2
	setFeature(freeID, &store.Feature{Key: "organizations_projects", Name: "Projects", Limit: &two})
	e.do("POST", base, map[string]any{"name": "Demo", "is_demo": true}).wantStatus(t, 201)
	e.do("POST", base, map[string]any{"name": "Demo 2", "is_demo": true}).wantError(t, 403, "authentication_error", "permission_denied", planLimit, "")
	e.do("POST", base, map[string]any{"name": "Second"}).wantStatus(t, 201)
	e.do("POST", base, map[string]any{"name": "Third"}).wantError(t, 403, "authentication_error", "permission_denied", planLimit, "")
	// A limit above PostHog's hard cap is the plan's own.
	big := store.ProjectHardCap + 1
	setFeature(freeID, &store.Feature{Key: "organizations_projects", Name: "Projects", Limit: &big})
	withWriteTx(e, func(tx *store.Tx) error {
		o, u := tx.Org(freeID), tx.UserByEmail(e.d.UserEmail)
		for i := 0; i < store.ProjectHardCap-2; i++ {
			if _, err := tx.SeedProject(o, u, store.Values{"name": "Bulk " + itoa(i)}); err != nil {
				return err
			}
		}
		return nil
	})
	r := e.do("POST", base, map[string]any{"name": "Past the cap"}).wantStatus(t, 201)
	// Without a limit the hard cap stops creates, not edits.
	setFeature(freeID, &store.Feature{Key: "organizations_projects", Name: "Projects"})
	e.do("POST", base, map[string]any{"name": "One more"}).wantError(t, 403, "authentication_error", "permission_denied",
		"You have reached the maximum limit of 2000 projects per organization. Contact support if you'd like access to more projects.", "")
	e.do("PUT", base+r.get("id").String()+"/", map[string]any{"name": "Still editable"}).wantStatus(t, 200)
}

// TestProjectMemberRules: members edit projects (not admin-only fields), create demo
// projects without members_can_create_projects, and cannot run admin actions.
func TestProjectMemberRules(t *testing.T) {
	e := newEnv(t)
	plain := e.addMember(e.d.OrganizationID, store.LevelMember, "member@example.com")
	path := e.orgPath("projects/" + itoa(e.d.ProjectID) + "/")
	r := e.do("PATCH", path, map[string]any{"timezone": "Asia/Tokyo"}, asKey(plain.Key)).wantStatus(t, 200)
	if r.get("timezone").String() != "Asia/Tokyo" || r.get("effective_membership_level").Int() != 1 {
		t.Errorf("member patch = %s", truncate(r.Body))
	}
	e.do("PATCH", path, map[string]any{"receive_org_level_activity_logs": false}, asKey(plain.Key)).
		wantError(t, 403, "authentication_error", "permission_denied", "Only organization owners and admins can modify the receive_org_level_activity_logs setting.", "")
	e.do("POST", e.orgPath("projects/"), map[string]any{"name": "Demo", "is_demo": true}, asKey(plain.Key)).wantStatus(t, 201)
	e.do("PATCH", path+"rotate_secret_token/", nil, asSession(plain.Session)).
		wantError(t, 403, "authentication_error", "permission_denied", "You don't have sufficient permissions in the project.", "")
}

// TestProjectCreateShape: a new project's id is its project_id, its api_token phc_ + 44
// base57, week_start_day unset, anonymize_ips the organization's default; read-only fields in
// a body are ignored.
func TestProjectCreateShape(t *testing.T) {
	e := newEnv(t)
	e.do("PATCH", "/api/organizations/@current/", map[string]any{"default_anonymize_ips": true}).wantStatus(t, 200)
	r := e.do("POST", e.orgPath("projects/"), map[string]any{"name": "Shaped", "api_token": "phc_mine", "id": 7777,
		"organization": e.otherOrg(), "is_pending_deletion": true, "ingested_event": true}).wantStatus(t, 201)
	id := r.get("id").Int()
	if r.get("project_id").Int() != id || id == 7777 || r.get("week_start_day").Raw != "null" || !r.get("anonymize_ips").Bool() ||
		r.get("api_token").String() == "phc_mine" || r.get("organization").String() != e.d.OrganizationID ||
		r.get("is_pending_deletion").Bool() || r.get("ingested_event").Bool() || r.get("timezone").String() != "UTC" {
		t.Fatalf("created = %s", truncate(r.Body))
	}
	tok := r.get("api_token").String()
	if len(tok) != 48 || strings.Trim(tok[4:], "23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz") != "" {
		t.Errorf("api_token = %q", tok)
	}
	p := e.do("PATCH", e.orgPath("projects/"+itoa(int(id))+"/"), map[string]any{"api_token": "phc_mine", "uuid": "x", "secret_api_token": "phs_mine"}).wantStatus(t, 200)
	if p.get("api_token").String() != tok || p.get("secret_api_token").Raw != "null" {
		t.Errorf("read-only fields were written: %s", truncate(p.Body))
	}
}

// TestProjectNamesAndPendingDeletion: a project pending deletion does not hold its name
// (ProjectBackwardCompatSerializer.validate_name excludes is_pending_deletion), so a deleted
// project can be recreated under its name, as PostHog's Terraform provider does; a live one
// still holds it, ignoring case and surrounding spaces.
func TestProjectNamesAndPendingDeletion(t *testing.T) {
	e := newEnv(t)
	id := e.do("POST", e.orgPath("projects/"), map[string]any{"name": "Doomed"}).wantStatus(t, 201).get("id").Int()
	e.do("DELETE", e.orgPath("projects/"+itoa(int(id))+"/"), nil).wantStatus(t, 204)
	again := e.do("POST", e.orgPath("projects/"), map[string]any{"name": "Doomed"}).wantStatus(t, 201)
	if again.get("name").String() != "Doomed" || again.get("id").Int() == id {
		t.Fatalf("recreated = %s", truncate(again.Body))
	}
	e.do("POST", e.orgPath("projects/"), map[string]any{"name": " doomed "}).
		wantError(t, 409, "server_error", "conflict", `There is already a project called "doomed" in this organization. Choose a different name.`, "")
	// Renaming to a name only a project pending deletion has is allowed too.
	other := e.do("POST", e.orgPath("projects/"), map[string]any{"name": "Gone"}).wantStatus(t, 201).get("id").Int()
	e.do("DELETE", e.orgPath("projects/"+itoa(int(other))+"/"), nil).wantStatus(t, 204)
	e.do("PATCH", e.orgPath("projects/"+itoa(int(again.get("id").Int()))+"/"), map[string]any{"name": "gone"}).wantStatus(t, 200)
	// A no-op save keeps a name shared from before duplicates were refused.
	withWriteTx(e, func(tx *store.Tx) error {
		for _, p := range tx.Projects(e.d.OrganizationID, "") {
			if p.ID == e.d.ProjectID {
				p.Name = "gone"
			}
		}
		return nil
	})
	e.do("PATCH", e.orgPath("projects/"+itoa(e.d.ProjectID)+"/"), map[string]any{"name": "gone"}).wantStatus(t, 200)
	e.do("PATCH", e.orgPath("projects/"+itoa(e.d.ProjectID)+"/"), map[string]any{"name": "GONE"}).
		wantError(t, 409, "server_error", "conflict", `There is already a project called "GONE" in this organization. Choose a different name.`, "")
}

// TestProjectTokenActivity: reset_token logs the api_token change in clear, rotate_secret_token
// logs masked values (first 4 + "..." + last 4); secret tokens are phs_ + 48 (rarely 49)
// base57.
func TestProjectTokenActivity(t *testing.T) {
	e := newEnv(t)
	base := e.orgPath("projects/" + itoa(e.d.ProjectID) + "/")
	before := e.do("GET", base, nil).get("api_token").String()
	after := e.do("PATCH", base+"reset_token/", nil, asSession(e.d.Session)).wantStatus(t, 200).get("api_token").String()
	first := e.do("PATCH", base+"rotate_secret_token/", nil, asSession(e.d.Session)).wantStatus(t, 200).get("secret_api_token").String()
	second := e.do("PATCH", base+"rotate_secret_token/", nil, asSession(e.d.Session)).wantStatus(t, 200).get("secret_api_token").String()
	for _, s := range []string{first, second} {
		if !strings.HasPrefix(s, "phs_") || len(s) < 52 || len(s) > 53 {
			t.Errorf("secret token = %q", s)
		}
	}
	a := e.do("GET", base+"activity/", nil, asSession(e.d.Session)).wantStatus(t, 200)
	got := map[string]bool{}
	for _, it := range a.get("results").Array() {
		for _, ch := range it.Get("detail.changes").Array() {
			got[ch.Get("field").String()+" "+ch.Get("before").Raw+" → "+ch.Get("after").Raw] = true
		}
	}
	mask := func(v string) string { return `"` + v[:4] + "..." + v[len(v)-4:] + `"` }
	for _, want := range []string{
		`api_token "` + before + `" → "` + after + `"`,
		"secret_api_token null → " + mask(first),
		"secret_api_token " + mask(first) + " → " + mask(second),
	} {
		if !got[want] {
			t.Errorf("activity lacks %s; has %v", want, got)
		}
	}
}

func TestProjectCompleteOnboardingWithoutProductType(t *testing.T) {
	e := newEnv(t)
	r := e.do("PATCH", e.orgPath("projects/"+itoa(e.d.ProjectID)+"/complete_product_onboarding/"), map[string]any{}, asSession(e.d.Session)).wantStatus(t, 400)
	if string(r.Body) != `{"error":"product_type is required"}` {
		t.Errorf("body = %s", r.Body)
	}
}
