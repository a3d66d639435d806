package fake

import (
	"strings"
	"testing"

	"github.com/fakehog/fakehog/fake/store"
)

// TestOrgScopedKeyNeverCrossesOrganizations walks every operation of every resource family
// with a key scoped to one organization, aimed at another organization the key's user also
// belongs to (as owner): every call is refused with 403, and the other organization's state
// is exactly as before.
func TestOrgScopedKeyNeverCrossesOrganizations(t *testing.T) {
	e := newEnv(t)
	seedOneOfEach(e)
	other := e.do("POST", "/api/organizations/", map[string]any{"name": "Elsewhere"}).wantStatus(t, 201).get("id").String()
	var key string
	err := e.srv.Store().Write(func(tx *store.Tx) error {
		u := tx.UserByEmail(e.d.UserEmail)
		_, k, err := tx.CreatePersonalAPIKey(u.ID, store.NewAPIKey{Label: "scoped", Scopes: []string{"*"}, ScopedOrganizations: []string{e.d.OrganizationID}})
		key = k
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// The other organization, seen by its owner's session before the walk.
	otherEnv := *e
	otherEnv.d.OrganizationID = other
	before := apiDump(&otherEnv)

	walked := 0
	for _, rt := range routes(&Server{}) {
		if rt.Path == "/api/organizations/" {
			continue // the list: filtered, checked below
		}
		p := strings.NewReplacer("{organization_id}", other, "{id}", other).Replace(rt.Path)
		if !strings.HasPrefix(rt.Path, "/api/organizations/{id}/") {
			p = strings.NewReplacer("{organization_id}", other).Replace(rt.Path)
			p = strings.NewReplacer("{id}", "019bc119-0000-7000-8000-000000000000", "{role_id}", "019bc119-0000-7000-8000-000000000001",
				"{user__uuid}", e.d.UserUUID).Replace(p)
		}
		var body any
		if rt.Method != "GET" && rt.Method != "DELETE" {
			body = map[string]any{"name": "hijack", "target_email": "hijack@example.com", "domain": "hijack.example.com", "label": "hijack"}
		}
		r := e.do(rt.Method, p, body, asKey(key))
		walked++
		if r.Status != 403 {
			t.Errorf("%s %s with a key scoped elsewhere → %d %s", rt.Method, p, r.Status, truncate(r.Body))
		}
	}
	if after := apiDump(&otherEnv); after != before {
		t.Error("the other organization's state changed")
	}
	list := e.do("GET", "/api/organizations/", nil, asKey(key)).wantStatus(t, 200)
	if list.get("count").Int() != 1 || list.get("results.0.id").String() != e.d.OrganizationID {
		t.Errorf("the scoped key lists %s", list.Body)
	}
	t.Logf("operations walked with an org-scoped key: %d", walked)
}

// TestOrgScopedKeyMaySwitchCurrentOrganizationAnywhere settles what PostHog does when a key
// scoped to one organization sets the user's current organization to another: it lets it.
// APIScopePermission.check_team_and_org_permissions returns early for scope_object "user"
// ("The /api/users/@me/ endpoint is exempt from team and org scoping", posthog/permissions.py),
// and UserSerializer.validate_set_current_organization checks membership only
// (posthog/api/user.py). The key still cannot reach the other organization's resources.
func TestOrgScopedKeyMaySwitchCurrentOrganizationAnywhere(t *testing.T) {
	e := newEnv(t)
	other := e.do("POST", "/api/organizations/", map[string]any{"name": "Elsewhere"}).wantStatus(t, 201).get("id").String()
	foreign := e.do("POST", "/api/organizations/", map[string]any{"name": "Not mine"}, asKey(e.addMember(e.d.OrganizationID, store.LevelMember, "f@example.com").Key)).
		wantStatus(t, 201).get("id").String()
	key := func(scopes ...string) string {
		var v string
		err := e.srv.Store().Write(func(tx *store.Tx) error {
			u := tx.UserByEmail(e.d.UserEmail)
			_, k, err := tx.CreatePersonalAPIKey(u.ID, store.NewAPIKey{Label: "scoped", Scopes: scopes, ScopedOrganizations: []string{e.d.OrganizationID}})
			v = k
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	k := key("user:write")
	r := e.do("PATCH", "/api/users/@me/", map[string]any{"set_current_organization": other}, asKey(k)).wantStatus(t, 200)
	if got := r.get("organization.id").String(); got != other {
		t.Fatalf("organization after the switch: %s, want %s", got, other)
	}
	if got := e.do("GET", "/api/users/@me/", nil).get("organization.id").String(); got != other {
		t.Fatalf("the user's current organization is %s, want %s", got, other)
	}
	// The switch does not widen the key: @current now names an organization outside its scope.
	e.do("GET", "/api/organizations/@current/", nil, asKey(key("organization:read"))).
		wantError(t, 403, "authentication_error", "permission_denied", "API key does not have access to the requested organization: ID "+other+".", "")
	// Membership still decides, and the scope still applies.
	e.do("PATCH", "/api/users/@me/", map[string]any{"set_current_organization": foreign}, asKey(k)).
		wantError(t, 400, "validation_error", "does_not_exist", "Object with id="+foreign+" does not exist.", "set_current_organization")
	e.do("PATCH", "/api/users/@me/", map[string]any{"set_current_organization": e.d.OrganizationID}, asKey(key("user:read"))).
		wantError(t, 403, "authentication_error", "permission_denied", "API key missing required scope 'user:write'", "")
}

// TestMintKeyRefusesUnknownScopes: POST /_fake/keys refuses a scope PostHog does not know,
// with the nearest valid one when it is a typo, and mints nothing.
func TestMintKeyRefusesUnknownScopes(t *testing.T) {
	e := newEnv(t)
	before := len(e.srv.Credentials()[0].Keys)
	for _, c := range []struct {
		scopes []string
		detail string
	}{
		{[]string{"organizaton:read"}, `Invalid scope: organizaton:read; did you mean "organization:read"?`},
		{[]string{"project:read", "feature_flags:write"}, `Invalid scope: feature_flags:write; did you mean "feature_flag:write"?`},
		{[]string{"project:wirte"}, `Invalid scope: project:wirte; did you mean "project:write"?`},
		{[]string{"nothing_like_it:read"}, `Invalid scope: nothing_like_it:read (use "*" or one of PostHog's scope objects with :read or :write).`},
		{[]string{"**"}, `Invalid scope: ** (use "*" or one of PostHog's scope objects with :read or :write).`},
	} {
		e.adminCall("POST", "/_fake/keys", map[string]any{"user": e.d.UserEmail, "scopes": c.scopes}).
			wantError(t, 400, "validation_error", "invalid", c.detail, "scopes")
	}
	if n := len(e.srv.Credentials()[0].Keys); n != before {
		t.Fatalf("keys after refused mints: %d, want %d", n, before)
	}
	r := e.adminCall("POST", "/_fake/keys", map[string]any{"user": e.d.UserEmail, "scopes": []string{"organization:read", "feature_flag:write"}}).wantStatus(t, 201)
	e.do("GET", "/api/organizations/", nil, asKey(r.get("value").String())).wantStatus(t, 200)
}
