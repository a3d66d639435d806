package fake

import (
	"strconv"
	"testing"

	"github.com/fakehog/fakehog/fake/store"
)

// The request sequences PostHog's own clients make, configured as their docs say: the CLI's
// tool catalog (npm @posthog/cli 0.18.3, lib/posthog-api-cli.mjs, the same tools as PostHog's
// MCP server) with host, personal API key and project id; the agent toolkit (npm
// @posthog/agent-toolkit 0.2.4) with key and base URL. .ci/run also drives the published
// packages themselves against a running fakehog (cmd/fakehog/clients_test.go).

// cliSession is what both clients learn before their first organization call.
type cliSession struct {
	e     *env
	key   string
	orgID string
	team  int64
}

// start asks the key's scopes (GET personal_api_keys/@current, written without its trailing
// slash), then who the caller is and their current organization and project (users/@me).
func startCLISession(t *testing.T, e *env, key string) *cliSession {
	t.Helper()
	k := e.do("GET", "/api/personal_api_keys/@current", nil, asKey(key)).wantStatus(t, 200)
	for _, f := range []string{"scopes", "scoped_teams", "scoped_organizations"} {
		if !k.get(f).IsArray() {
			t.Fatalf("@current key: %s is not a list: %s", f, k.Body)
		}
	}
	if k.get("scopes.#").Int() == 0 {
		t.Fatal("@current key has no scopes: the agent toolkit would offer no tools")
	}
	me := e.do("GET", "/api/users/@me/", nil, asKey(key)).wantStatus(t, 200)
	// The agent toolkit's ApiUserSchema: distinct_id, organizations[].id, team {id, organization},
	// organization.id — all required.
	if me.get("distinct_id").String() == "" || !me.get("organizations.0.id").Exists() || me.get("team.id").Int() == 0 ||
		me.get("team.organization").String() != me.get("organization.id").String() {
		t.Fatalf("users/@me lacks what the clients read: %s", me.Body)
	}
	return &cliSession{e: e, key: key, orgID: me.get("organization.id").String(), team: me.get("team.id").Int()}
}

func (s *cliSession) get(t *testing.T, path string) *resp {
	t.Helper()
	return s.e.do("GET", path, nil, asKey(s.key)).wantStatus(t, 200)
}

func TestRealClientSequences(t *testing.T) {
	e := newEnv(t)
	second := e.do("POST", e.orgPath("projects/"), map[string]any{"name": "Second"}).wantStatus(t, 201).get("id").Int()
	e.do("POST", e.orgPath("roles/"), map[string]any{"name": "Engineers"}).wantStatus(t, 201)
	e.do("PATCH", "/api/users/@me/", map[string]any{"set_current_team": e.d.ProjectID}).wantStatus(t, 200)
	// The owner's default key (scope "*") and a narrower key such as a user would make for a
	// read-only agent.
	narrow := e.addMember(e.d.OrganizationID, store.LevelAdmin, "agent@example.com",
		"user:read", "organization:read", "organization_member:read", "project:read")
	for name, key := range map[string]string{"owner key": e.d.APIKey, "narrow key": narrow.Key} {
		t.Run(name, func(t *testing.T) {
			s := startCLISession(t, e, key)
			if s.orgID != e.d.OrganizationID {
				t.Fatalf("current organization %s, want %s", s.orgID, e.d.OrganizationID)
			}
			// organizations-list / organizations-get.
			orgs := s.get(t, "/api/organizations/")
			if orgs.get("results.0.id").String() != s.orgID || orgs.get("results.0.name").String() == "" {
				t.Fatalf("organizations: %s", orgs.Body)
			}
			// organization-get / organization-details-get: the current organization by id.
			if org := s.get(t, "/api/organizations/"+s.orgID+"/"); org.get("teams.#").Int() != 2 {
				t.Fatalf("organization: %s", org.Body)
			}
			// org-members-list, projects-get, roles-list.
			if s.get(t, "/api/organizations/"+s.orgID+"/members/").get("count").Int() < 1 {
				t.Fatal("no members")
			}
			projects := s.get(t, "/api/organizations/"+s.orgID+"/projects/")
			if projects.get("results.#").Int() != 2 || projects.get("results.0.organization").String() != s.orgID {
				t.Fatalf("projects: %s", projects.Body)
			}
			if s.get(t, "/api/organizations/"+s.orgID+"/roles/").get("results.0.name").String() != "Engineers" {
				t.Fatal("roles")
			}
			// switch-project: the CLI reads the project by id (its name and organization) ...
			p := s.get(t, "/api/projects/"+strconv.FormatInt(second, 10)+"/")
			if p.get("organization").String() != s.orgID || p.get("name").String() != "Second" {
				t.Fatalf("project: %s", p.Body)
			}
			s.get(t, "/api/projects/"+strconv.FormatInt(s.team, 10)+"/")
		})
	}
	// ... and PostHog's web app switches with PATCH users/@me (needs user:write).
	e.do("PATCH", "/api/users/@me/", map[string]any{"set_current_team": second}, asKey(narrow.Key)).wantError(t, 403, "authentication_error", "permission_denied", "API key missing required scope 'user:write'", "")
	e.do("PATCH", "/api/users/@me/", map[string]any{"set_current_team": second}).wantStatus(t, 200)
	if got := e.do("GET", "/api/projects/@current/", nil).get("id").Int(); got != second {
		t.Fatalf("owner's @current project = %d, want %d", got, second)
	}
	if got := e.do("GET", "/api/projects/@current/", nil, asKey(narrow.Key)).get("id").Int(); got != int64(e.d.ProjectID) {
		t.Fatalf("the agent's @current project moved to %d", got)
	}
}

// TestCurrentFollowsSetCurrentOrganization: @current follows set_current_organization for
// the user who set it and no one else.
func TestCurrentFollowsSetCurrentOrganization(t *testing.T) {
	e := newEnv(t)
	ada := e.addMember(e.d.OrganizationID, store.LevelAdmin, "ada@example.com")
	bob := e.addMember(e.d.OrganizationID, store.LevelMember, "bob@example.com")
	other := e.do("POST", "/api/organizations/", map[string]any{"name": "Ada's"}, asKey(ada.Key)).wantStatus(t, 201).get("id").String()
	e.do("POST", "/api/organizations/"+other+"/invites/", map[string]any{"target_email": "x@example.com"}, asKey(ada.Key)).wantStatus(t, 201)
	for who, k := range map[string]string{"ada": ada.Key, "bob": bob.Key, "owner": e.d.APIKey} {
		want := e.d.OrganizationID
		if who == "ada" {
			want = other // creating an organization made it hers
		}
		if got := e.do("GET", "/api/organizations/@current/", nil, asKey(k)).get("id").String(); got != want {
			t.Fatalf("%s's @current = %s, want %s", who, got, want)
		}
	}
	e.do("PATCH", "/api/users/@me/", map[string]any{"set_current_organization": e.d.OrganizationID}, asKey(ada.Key)).wantStatus(t, 200)
	if got := e.do("GET", "/api/organizations/@current/members/", nil, asKey(ada.Key)).get("count").Int(); got != 3 {
		t.Fatalf("ada's @current members = %d, want 3", got)
	}
	e.do("PATCH", "/api/users/@me/", map[string]any{"set_current_organization": other}, asKey(ada.Key)).wantStatus(t, 200)
	if got := e.do("GET", "/api/organizations/@current/invites/", nil, asKey(ada.Key)).get("count").Int(); got != 1 {
		t.Fatalf("ada's @current invites = %d, want 1", got)
	}
	// Bob and the owner stay where they were.
	for _, k := range []string{bob.Key, e.d.APIKey} {
		if got := e.do("GET", "/api/organizations/@current/", nil, asKey(k)).get("id").String(); got != e.d.OrganizationID {
			t.Fatalf("@current moved for another user: %s", got)
		}
	}
	// Bob cannot switch to an organization he is not in.
	e.do("PATCH", "/api/users/@me/", map[string]any{"set_current_organization": other}, asKey(bob.Key)).wantError(t, 400, "validation_error", "does_not_exist", "Object with id="+other+" does not exist.", "set_current_organization")
}
