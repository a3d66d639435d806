package fake

import (
	"strconv"
	"testing"

	"github.com/fakehog/fakehog/fake/store"
)

func TestUserMe(t *testing.T) {
	e := newEnv(t)
	r := e.do("GET", "/api/users/@me/", nil).wantStatus(t, 200)
	for path, want := range map[string]string{
		"email": e.d.UserEmail, "uuid": e.d.UserUUID, "organization.id": e.d.OrganizationID,
		"team.id": strconv.Itoa(e.d.ProjectID), "team.organization": e.d.OrganizationID,
		"organizations.0.id": e.d.OrganizationID, "organizations.0.membership_level": "15", "is_staff": "false",
	} {
		if got := r.get(path).String(); got != want {
			t.Errorf("%s = %q, want %q", path, got, want)
		}
	}
	if r.get("distinct_id").String() == "" {
		t.Error("distinct_id is empty")
	}
	// The caller's own uuid is the same user; anyone else's does not exist for them.
	e.do("GET", "/api/users/"+e.d.UserUUID+"/", nil).wantStatus(t, 200)
	other := e.addMember(e.d.OrganizationID, store.LevelMember, "mia@example.com")
	e.do("GET", "/api/users/"+other.User.UUID+"/", nil).wantError(t, 404, "invalid_request", "not_found", "Not found.", "")
	// Sessions too.
	e.do("GET", "/api/users/@me/", nil, asSession(e.d.Session)).wantStatus(t, 200)
	e.do("GET", "/api/users/@me/", nil, noAuth()).wantStatus(t, 401)
}

func TestUserScopes(t *testing.T) {
	e := newEnv(t)
	org := e.addMember(e.d.OrganizationID, store.LevelMember, "org@example.com", "organization:read")
	e.do("GET", "/api/users/@me/", nil, asKey(org.Key)).wantError(t, 403, "authentication_error", "permission_denied", "API key missing required scope 'user:read'", "")
	reader := e.addMember(e.d.OrganizationID, store.LevelMember, "reader@example.com", "user:read")
	e.do("GET", "/api/users/@me/", nil, asKey(reader.Key)).wantStatus(t, 200)
	e.do("PATCH", "/api/users/@me/", map[string]any{"first_name": "X"}, asKey(reader.Key)).wantError(t, 403, "authentication_error", "permission_denied", "API key missing required scope 'user:write'", "")
	// A key scoped to a project still reads its user (PostHog's clients rely on it).
	var scoped string
	e.srv.Store().Write(func(tx *store.Tx) error {
		_, scoped, _ = tx.CreatePersonalAPIKey(reader.User.ID, store.NewAPIKey{Scopes: []string{"user:read"}, ScopedTeams: []int{e.d.ProjectID}})
		return nil
	})
	e.do("GET", "/api/users/@me/", nil, asKey(scoped)).wantStatus(t, 200)
}

// TestUserSetCurrent: set_current_organization and set_current_team change what @current
// means for that user, and for no one else.
func TestUserSetCurrent(t *testing.T) {
	e := newEnv(t)
	mia := e.addMember(e.d.OrganizationID, store.LevelAdmin, "mia@example.com")
	org2 := e.do("POST", "/api/organizations/", map[string]any{"name": "Second"}).wantStatus(t, 201).get("id").String()
	// Creating an organization makes it the creator's current one.
	if got := e.do("GET", "/api/organizations/@current/", nil).get("id").String(); got != org2 {
		t.Fatalf("@current after create = %s, want %s", got, org2)
	}
	p2 := e.do("GET", "/api/users/@me/", nil).get("team.id").Int()
	if p2 == 0 || int(p2) == e.d.ProjectID {
		t.Fatalf("current team after create = %d", p2)
	}
	r := e.do("PATCH", "/api/users/@me/", map[string]any{"set_current_organization": e.d.OrganizationID}).wantStatus(t, 200)
	if r.get("organization.id").String() != e.d.OrganizationID || r.get("team.id").Int() != int64(e.d.ProjectID) {
		t.Fatalf("after switch: organization %s team %d", r.get("organization.id"), r.get("team.id").Int())
	}
	if got := e.do("GET", "/api/organizations/@current/", nil).get("id").String(); got != e.d.OrganizationID {
		t.Fatalf("@current = %s, want %s", got, e.d.OrganizationID)
	}
	// set_current_team moves the organization along with the project (an integer is accepted).
	r = e.do("PATCH", "/api/users/@me/", map[string]any{"set_current_team": p2}).wantStatus(t, 200)
	if r.get("organization.id").String() != org2 || r.get("team.id").Int() != p2 {
		t.Fatalf("after set_current_team: organization %s team %d", r.get("organization.id"), r.get("team.id").Int())
	}
	if got := e.do("GET", "/api/projects/@current/", nil).get("id").Int(); got != p2 {
		t.Fatalf("/api/projects/@current/ = %d, want %d", got, p2)
	}
	// Mia's @current never moved.
	if got := e.do("GET", "/api/organizations/@current/", nil, asKey(mia.Key)).get("id").String(); got != e.d.OrganizationID {
		t.Fatalf("mia's @current = %s, want %s", got, e.d.OrganizationID)
	}
	if got := e.do("GET", "/api/users/@me/", nil, asKey(mia.Key)).get("team.id").Int(); got != int64(e.d.ProjectID) {
		t.Fatalf("mia's team = %d", got)
	}
	// Names change; read-only fields are ignored.
	r = e.do("PATCH", "/api/users/@me/", map[string]any{"first_name": "Ada", "last_name": "L", "is_staff": true, "email": "x@example.com"}).wantStatus(t, 200)
	if r.get("first_name").String() != "Ada" || r.get("last_name").String() != "L" || r.get("is_staff").Bool() || r.get("email").String() != e.d.UserEmail {
		t.Fatalf("patched user: %s", r.Body)
	}
}

func TestUserSetCurrentRefused(t *testing.T) {
	e := newEnv(t)
	stranger := e.addMember("", 0, "stranger@example.com")
	foreignOrg := e.do("POST", "/api/organizations/", map[string]any{"name": "Theirs"}, asKey(stranger.Key)).wantStatus(t, 201).get("id").String()
	foreignTeam := e.do("GET", "/api/users/@me/", nil, asKey(stranger.Key)).get("team.id").String()
	for _, tc := range []fieldCase{
		{"unknown organization", map[string]any{"set_current_organization": "019bc119-0000-7000-8000-00000000beef"}, "does_not_exist", "Object with id=019bc119-0000-7000-8000-00000000beef does not exist.", "set_current_organization"},
		{"not a member", map[string]any{"set_current_organization": foreignOrg}, "does_not_exist", "Object with id=" + foreignOrg + " does not exist.", "set_current_organization"},
		{"not a uuid", map[string]any{"set_current_organization": "nope"}, "does_not_exist", "Object with id=nope does not exist.", "set_current_organization"},
		{"unknown team", map[string]any{"set_current_team": 999999}, "does_not_exist", "Object with id=999999 does not exist.", "set_current_team"},
		{"foreign team", map[string]any{"set_current_team": foreignTeam}, "does_not_exist", "Object with id=" + foreignTeam + " does not exist.", "set_current_team"},
		{"team not a number", map[string]any{"set_current_team": "abc"}, "does_not_exist", "Object with id=abc does not exist.", "set_current_team"},
		{"first name too long", map[string]any{"first_name": string(make([]byte, 151))}, "max_length", "Ensure this field has no more than 150 characters.", "first_name"},
		{"valid org, bad team", map[string]any{"set_current_organization": e.d.OrganizationID, "set_current_team": "abc"}, "does_not_exist", "Object with id=abc does not exist.", "set_current_team"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := e.do("GET", "/api/users/@me/", nil)
			e.do("PATCH", "/api/users/@me/", tc.body).wantError(t, 400, "validation_error", tc.code, tc.detail, tc.attr)
			after := e.do("GET", "/api/users/@me/", nil)
			if before.get("team.id").Int() != after.get("team.id").Int() || before.get("first_name").String() != after.get("first_name").String() {
				t.Fatal("a refused PATCH changed the user")
			}
		})
	}
}
