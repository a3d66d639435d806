package scenarios

import (
	"encoding/json"
	"strings"
	"testing"
)

// Users' current organization and project can be set, and keys scoped to projects.
func TestCurrentAndScopedTeams(t *testing.T) {
	sc := mustParse(t, `
users:
  - ref: ada
    email: ada@example.com
    current_organization: beta
    current_project: Mobile
    personal_api_keys:
      - {value: phx_ada, scopes: ["*"]}
      - {value: phx_ada_web, scopes: ["project:read"], scoped_teams: [acme/Web]}
  - {ref: bob, email: bob@example.com, personal_api_keys: [{value: phx_bob}]}
organizations:
  - ref: acme
    name: Acme
    members: [{user: ada, level: owner}, {user: bob, level: member}]
    projects: [{name: Web}, {name: Shop}]
  - ref: beta
    name: Beta
    members: [{user: ada, level: owner}]
    projects: [{name: Site}, {name: Mobile}]
`)
	srv := mustServer(t, sc)
	me := func(key string) map[string]any {
		status, body := get(t, srv, key, "/api/users/@me/")
		if status != 200 {
			t.Fatalf("users/@me: %d %s", status, body)
		}
		var out map[string]any
		_ = json.Unmarshal(body, &out)
		return out
	}
	ada := me("phx_ada")
	if ada["organization"].(map[string]any)["name"] != "Beta" || ada["team"].(map[string]any)["name"] != "Mobile" {
		t.Fatalf("ada's current: %v / %v", ada["organization"].(map[string]any)["name"], ada["team"].(map[string]any)["name"])
	}
	if srv.Defaults().OrganizationID != ada["organization"].(map[string]any)["id"] {
		t.Error("Defaults do not follow current_organization")
	}
	bob := me("phx_bob")
	if bob["organization"].(map[string]any)["name"] != "Acme" || bob["team"].(map[string]any)["name"] != "Web" {
		t.Fatal("bob's current is not the default")
	}
	web := int(bob["team"].(map[string]any)["id"].(float64))
	status, body := get(t, srv, "phx_ada_web", "/api/personal_api_keys/@current/")
	if status != 200 || !strings.Contains(string(body), `"scoped_teams":[`+itoa(web)+`]`) {
		t.Fatalf("scoped key: %d %s", status, body)
	}
	if status, _ := get(t, srv, "phx_ada_web", "/api/projects/"+itoa(web)+"/"); status != 200 {
		t.Fatalf("scoped key on its project: %d", status)
	}
	if status, _ := get(t, srv, "phx_ada_web", "/api/projects/"+itoa(web+1)+"/"); status != 403 {
		t.Fatalf("scoped key on another project: %d", status)
	}
}

func TestCurrentAndScopedTeamsErrors(t *testing.T) {
	two := "organizations:\n  - ref: x\n    name: X\n    members: [{user: a, level: owner}]\n    projects: [{name: W}]\n  - ref: y\n    name: Y\n    members: [{user: b, level: owner}]\n"
	for _, c := range []struct{ name, user, want string }{
		{"unknown organization", "current_organization: nope", `users[0].current_organization: no organization with ref "nope"`},
		{"not a member", "current_organization: y", `users[0].current_organization: users[0] is not a member of organization "y"`},
		{"unknown project", "current_project: Zed", `users[0].current_project: no project "Zed" in the user's current organization`},
		{"key: unknown project", "personal_api_keys: [{scoped_teams: [x/Zed]}]", `users[0].personal_api_keys[0].scoped_teams[0]: organization "x" has no project "Zed"`},
		{"key: foreign project", "personal_api_keys: [{scoped_teams: [y/Default project]}]", `users[0].personal_api_keys[0].scoped_teams[0]: users[0] is not a member of organization "y"`},
		{"key: not a project ref", "personal_api_keys: [{scoped_teams: [W]}]", `users[0].personal_api_keys[0].scoped_teams[0]: no project "W": write <organization ref>/<project name>`},
	} {
		t.Run(c.name, func(t *testing.T) {
			doc := "users:\n  - {ref: a, email: a@b.co, " + c.user + "}\n  - {ref: b, email: b@b.co}\n" + two
			_, err := Parse("t.yaml", []byte(doc))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v\nwant … %s", err, c.want)
			}
		})
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }
