package fake

import (
	"strconv"
	"strings"
	"testing"

	"github.com/fakehog/fakehog/fake/store"
)

// The root collections /api/projects/ and /api/environments/ (the caller's current
// organization), PUT on a project by id, and the project actions under both roots.

func TestRootProjectCollections(t *testing.T) {
	e := newEnv(t)
	list := e.do("GET", "/api/projects/", nil).wantStatus(t, 200)
	if list.get("count").Int() != 1 || list.get("results.0.id").Int() != int64(e.d.ProjectID) {
		t.Fatalf("list: %s", list.Body)
	}
	if envs := e.do("GET", "/api/environments/", nil).wantStatus(t, 200); envs.get("results.0.id").Int() != int64(e.d.ProjectID) {
		t.Fatalf("environments: %s", envs.Body)
	}
	// Create in the current organization, with the organization route's rules.
	r := e.do("POST", "/api/projects/", map[string]any{"name": "Root made", "timezone": "Europe/Paris"}).wantStatus(t, 201)
	if r.get("organization").String() != e.d.OrganizationID || r.get("timezone").String() != "Europe/Paris" {
		t.Fatalf("create: %s", r.Body)
	}
	id := strconv.Itoa(int(r.get("id").Int()))
	e.do("POST", "/api/projects/", map[string]any{"name": "Root made"}).wantError(t, 409, "server_error", "conflict", store.MsgProjectNameTaken("Root made"), "")
	if n := e.do("GET", e.orgPath("projects/"), nil).get("count").Int(); n != 2 {
		t.Errorf("the organization lists %d projects", n)
	}
	// PUT replaces, under both roots.
	for _, root := range []string{"/api/projects/", "/api/environments/"} {
		name := "Put via " + root
		got := e.do("PUT", root+id+"/", map[string]any{"name": name, "timezone": "UTC"}).wantStatus(t, 200)
		if got.get("name").String() != name || got.get("timezone").String() != "UTC" {
			t.Errorf("PUT %s: %s", root, got.Body)
		}
	}
	// The actions under the root.
	before := e.do("GET", "/api/projects/"+id+"/", nil).get("api_token").String()
	after := e.do("PATCH", "/api/environments/"+id+"/reset_token/", nil, asSession(e.d.Session)).wantStatus(t, 200).get("api_token").String()
	if after == before || !strings.HasPrefix(after, "phc_") {
		t.Errorf("reset_token: %s → %s", before, after)
	}
	if e.do("GET", "/api/projects/"+id+"/is_generating_demo_data/", nil, asSession(e.d.Session)).wantStatus(t, 200).get("is_generating_demo_data").Bool() {
		t.Error("is_generating_demo_data")
	}
	pi := e.do("PATCH", "/api/projects/"+id+"/add_product_intent/", map[string]any{"product_type": "feature_flags"}).wantStatus(t, 200)
	if pi.get("product_intents.0.product_type").String() != "feature_flags" {
		t.Errorf("add_product_intent: %s", pi.Body)
	}
	// Scopes: project:read lists, project:write creates.
	reader := e.addMember(e.d.OrganizationID, store.LevelOwner, "r@example.com", "project:read")
	e.do("GET", "/api/projects/", nil, asKey(reader.Key)).wantStatus(t, 200)
	e.do("POST", "/api/projects/", map[string]any{"name": "No"}, asKey(reader.Key)).wantError(t, 403, "authentication_error", "permission_denied", "API key missing required scope 'project:write'", "")
	// A member below admin cannot create (UserCanCreateProjectPermission), as on the organization route.
	m := e.addMember(e.d.OrganizationID, store.LevelMember, "m@example.com")
	e.do("POST", "/api/projects/", map[string]any{"name": "Mine"}, asKey(m.Key)).wantError(t, 403, "authentication_error", "permission_denied", "You need to be an organization admin or above to create new projects.", "")
}

// TestEveryRootProjectRouteAnswers: every operation of rootProjectRoutes, called as the owner
// on real records, is served (never 404, 405 or 5xx).
func TestEveryRootProjectRouteAnswers(t *testing.T) {
	for _, rt := range rootProjectRoutes(&Server{}) {
		if strings.Contains(rt.Path, "{resource_kind}") || strings.HasSuffix(rt.Path, "change_organization/") {
			continue // TestObjectAccessLevels; TestProjectChangeOrganization's rules
		}
		t.Run(rt.Method+" "+rt.Path, func(t *testing.T) {
			e := newEnv(t)
			p := strings.Replace(rt.Path, "{id}", strconv.Itoa(e.d.ProjectID), 1)
			var body any
			switch {
			case strings.HasSuffix(p, "access_controls/") && strings.Contains(p, "resource_"):
				body = map[string]any{"access_level": "viewer", "resource": "dashboard"}
			case strings.HasSuffix(p, "access_controls/"):
				body = map[string]any{"access_level": "member"}
			case strings.HasSuffix(p, "_product_intent/") || strings.HasSuffix(p, "_onboarding/"):
				body = map[string]any{"product_type": "web_analytics"}
			case rt.Method == "POST" && p == "/api/projects/":
				body = map[string]any{"name": "Probe"}
			case rt.Method != "GET" && rt.Method != "DELETE":
				body = map[string]any{}
			}
			if strings.Contains(p, "member_") {
				p += "?member_id=" + e.do("GET", e.orgPath("members/"), nil).get("results.0.id").String()
			}
			if strings.Contains(p, "role_") {
				p += "?role_id=" + e.do("POST", e.orgPath("roles/"), map[string]any{"name": "Probe"}).wantStatus(t, 201).get("id").String()
			}
			var opts []reqOpt
			if rt.Scope == "" {
				opts = append(opts, asSession(e.d.Session))
			}
			r := e.do(rt.Method, p, body, opts...)
			if r.Status == 404 || r.Status == 405 || r.Status >= 500 {
				t.Fatalf("%s %s → %d: %s", rt.Method, p, r.Status, truncate(r.Body))
			}
		})
	}
}
