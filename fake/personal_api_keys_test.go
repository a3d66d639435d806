package fake

import (
	"strconv"
	"strings"
	"testing"

	"github.com/fakehog/fakehog/fake/store"
)

func TestPersonalAPIKeyCurrent(t *testing.T) {
	e := newEnv(t)
	r := e.do("GET", "/api/personal_api_keys/@current/", nil).wantStatus(t, 200)
	if r.get("scopes").Raw != `["*"]` || r.get("value").Type.String() != "Null" || !strings.HasPrefix(r.get("mask_value").String(), "phx_") {
		t.Fatalf("@current: %s", r.Body)
	}
	m := e.addMember(e.d.OrganizationID, store.LevelMember, "mia@example.com", "organization:read", "project:read")
	r = e.do("GET", "/api/personal_api_keys/@current", nil, asKey(m.Key)).wantStatus(t, 200)
	if r.get("scopes").Raw != `["organization:read","project:read"]` || r.get("user_id").Int() != int64(m.User.ID) {
		t.Fatalf("mia's @current: %s", r.Body)
	}
	// A key reads itself by id too, never another key of the same user.
	self := r.get("id").String()
	e.do("GET", "/api/personal_api_keys/"+self+"/", nil, asKey(m.Key)).wantStatus(t, 200)
	var other string
	e.srv.Store().Write(func(tx *store.Tx) error {
		k, _, _ := tx.CreatePersonalAPIKey(m.User.ID, store.NewAPIKey{Label: "second"})
		other = k.ID
		return nil
	})
	e.do("GET", "/api/personal_api_keys/"+other+"/", nil, asKey(m.Key)).wantError(t, 403, "authentication_error", "permission_denied", "This action does not support personal API key access", "")
	// With a session there is no calling key.
	e.do("GET", "/api/personal_api_keys/@current/", nil, asSession(m.Session)).wantError(t, 404, "invalid_request", "not_found", "Not found.", "")
	e.do("GET", "/api/personal_api_keys/"+other+"/", nil, asSession(m.Session)).wantStatus(t, 200)
	// Someone else's key does not exist for this user.
	e.do("GET", "/api/personal_api_keys/"+self+"/", nil, asSession(e.d.Session)).wantStatus(t, 404)
}

// TestPersonalAPIKeyKeyAccess: with a personal API key, everything but retrieving itself is
// refused (PersonalApiKeySelfAccessPermission), scopes or not.
func TestPersonalAPIKeyKeyAccess(t *testing.T) {
	e := newEnv(t)
	self := e.do("GET", "/api/personal_api_keys/@current/", nil).get("id").String()
	for _, c := range []struct{ method, path string }{
		{"GET", "/api/personal_api_keys/"}, {"POST", "/api/personal_api_keys/"},
		{"PATCH", "/api/personal_api_keys/@current/"}, {"PUT", "/api/personal_api_keys/" + self + "/"},
		{"DELETE", "/api/personal_api_keys/@current/"}, {"POST", "/api/personal_api_keys/@current/roll/"},
	} {
		e.do(c.method, c.path, map[string]any{"label": "x", "scopes": []string{"*"}}).wantError(t, 403, "authentication_error", "permission_denied", "This action does not support personal API key access", "")
	}
	e.do("GET", "/api/personal_api_keys/@current/", nil).wantStatus(t, 200)
}

func TestPersonalAPIKeyLifecycle(t *testing.T) {
	e := newEnv(t)
	sess := asSession(e.d.Session)
	r := e.do("POST", "/api/personal_api_keys/", map[string]any{"label": "ci", "scopes": []string{"organization:read"}, "scoped_organizations": []string{e.d.OrganizationID}}, sess).wantStatus(t, 201)
	value, id := r.get("value").String(), r.get("id").String()
	if !strings.HasPrefix(value, "phx_") || r.get("mask_value").String() != store.MaskValue(value) {
		t.Fatalf("created: %s", r.Body)
	}
	// The new key authenticates at once, within its scopes.
	e.do("GET", "/api/organizations/", nil, asKey(value)).wantStatus(t, 200)
	e.do("GET", e.orgPath("projects/"), nil, asKey(value)).wantError(t, 403, "authentication_error", "permission_denied", "API key missing required scope 'project:read'", "")
	// The value is shown once: never by list or retrieve.
	list := e.do("GET", "/api/personal_api_keys/", nil, sess).wantStatus(t, 200)
	if list.get("#").Int() != 2 || list.get("0.id").String() != id || list.get("0.value").Type.String() != "Null" {
		t.Fatalf("list (newest first): %s", list.Body)
	}
	if e.do("GET", "/api/personal_api_keys/"+id+"/", nil, sess).get("value").Type.String() != "Null" {
		t.Fatal("retrieve shows the value")
	}
	// Update label and scopes.
	r = e.do("PATCH", "/api/personal_api_keys/"+id+"/", map[string]any{"label": "ci2", "scopes": []string{"organization:read", "project:read"}}, sess).wantStatus(t, 200)
	if r.get("label").String() != "ci2" || r.get("scopes.#").Int() != 2 {
		t.Fatalf("patched: %s", r.Body)
	}
	e.do("GET", e.orgPath("projects/"), nil, asKey(value)).wantStatus(t, 200)
	// Roll: a new value, the old one stops working.
	r = e.do("POST", "/api/personal_api_keys/"+id+"/roll/", nil, sess).wantStatus(t, 200)
	rolled := r.get("value").String()
	if rolled == "" || rolled == value || r.get("last_rolled_at").String() == "" {
		t.Fatalf("rolled: %s", r.Body)
	}
	e.do("GET", "/api/organizations/", nil, asKey(value)).wantStatus(t, 401)
	e.do("GET", "/api/organizations/", nil, asKey(rolled)).wantStatus(t, 200)
	// Delete: the key no longer authenticates.
	e.do("DELETE", "/api/personal_api_keys/"+id+"/", nil, sess).wantStatus(t, 204)
	e.do("GET", "/api/organizations/", nil, asKey(rolled)).wantStatus(t, 401)
	e.do("GET", "/api/personal_api_keys/"+id+"/", nil, sess).wantStatus(t, 404)
}

func TestPersonalAPIKeyValidation(t *testing.T) {
	e := newEnv(t)
	sess := asSession(e.d.Session)
	stranger := e.addMember("", 0, "stranger@example.com")
	foreignOrg := e.do("POST", "/api/organizations/", map[string]any{"name": "Theirs"}, asKey(stranger.Key)).wantStatus(t, 201).get("id").String()
	foreignTeam := e.do("GET", "/api/users/@me/", nil, asKey(stranger.Key)).get("team.id").Int()
	ok := func(extra map[string]any) map[string]any {
		b := map[string]any{"label": "k", "scopes": []string{"*"}}
		for k, v := range extra {
			b[k] = v
		}
		return b
	}
	for _, tc := range []fieldCase{
		{"no label", map[string]any{"scopes": []string{"*"}}, "required", "This field is required.", "label"},
		{"no scopes", map[string]any{"label": "k"}, "required", "This field is required.", "scopes"},
		{"label too long", ok(map[string]any{"label": strings.Repeat("a", 41)}), "max_length", "Ensure this field has no more than 40 characters.", "label"},
		{"unknown object", ok(map[string]any{"scopes": []string{"nope:read"}}), "invalid_input", "Invalid scope: nope:read", "scopes"},
		{"unknown action", ok(map[string]any{"scopes": []string{"project:delete"}}), "invalid_input", "Invalid scope: project:delete", "scopes"},
		{"foreign team", ok(map[string]any{"scoped_teams": []int{int(foreignTeam)}}), "invalid", "You must be a member of all teams that you are scoping the key to.", "scoped_teams"},
		{"unknown team", ok(map[string]any{"scoped_teams": []int{99999}}), "invalid", "You must be a member of all teams that you are scoping the key to.", "scoped_teams"},
		{"foreign organization", ok(map[string]any{"scoped_organizations": []string{foreignOrg}}), "invalid", "You must be a member of all organizations that you are scoping the key to.", "scoped_organizations"},
		{"not a uuid", ok(map[string]any{"scoped_organizations": []string{"nope"}}), "invalid", "Invalid organization UUID", "scoped_organizations"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.do("POST", "/api/personal_api_keys/", tc.body, sess).wantError(t, 400, "validation_error", tc.code, tc.detail, tc.attr)
		})
	}
	if n := e.do("GET", "/api/personal_api_keys/", nil, sess).get("#").Int(); n != 1 {
		t.Fatalf("refused creates left %d keys", n)
	}
	// At most ten keys per user.
	for i := 1; i < store.MaxAPIKeysPerUser; i++ {
		e.do("POST", "/api/personal_api_keys/", ok(map[string]any{"label": "k" + strconv.Itoa(i)}), sess).wantStatus(t, 201)
	}
	e.do("POST", "/api/personal_api_keys/", ok(nil), sess).wantError(t, 400, "validation_error", "invalid_input", "You can only have 10 personal API keys. Remove an existing key before creating a new one.", "")
}

// TestPersonalAPIKeyScopedToTeam: a key scoped to a project reaches that project by id and
// no other, and no organization endpoint.
func TestPersonalAPIKeyScopedToTeam(t *testing.T) {
	e := newEnv(t)
	sess := asSession(e.d.Session)
	other := e.do("POST", e.orgPath("projects/"), map[string]any{"name": "Other"}).wantStatus(t, 201).get("id").Int()
	value := e.do("POST", "/api/personal_api_keys/", map[string]any{"label": "team", "scopes": []string{"project:read", "organization:read"}, "scoped_teams": []int{e.d.ProjectID}}, sess).wantStatus(t, 201).get("value").String()
	e.do("GET", "/api/projects/"+strconv.Itoa(e.d.ProjectID)+"/", nil, asKey(value)).wantStatus(t, 200)
	e.do("GET", "/api/environments/"+strconv.Itoa(e.d.ProjectID)+"/", nil, asKey(value)).wantStatus(t, 200)
	e.do("GET", "/api/projects/"+strconv.FormatInt(other, 10)+"/", nil, asKey(value)).wantError(t, 403, "authentication_error", "permission_denied", "API key does not have access to the requested project: ID "+strconv.FormatInt(other, 10)+".", "")
	e.do("GET", "/api/organizations/", nil, asKey(value)).wantError(t, 403, "authentication_error", "permission_denied", "API keys with scoped projects are only supported on project-based endpoints.", "")
	cur := e.do("GET", "/api/personal_api_keys/@current/", nil, asKey(value)).wantStatus(t, 200)
	if cur.get("scoped_teams").Raw != "["+strconv.Itoa(e.d.ProjectID)+"]" {
		t.Fatalf("scoped_teams: %s", cur.Body)
	}
}
