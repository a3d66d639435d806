package fake

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fakehog/fakehog/fake/store"
)

func TestMembersList(t *testing.T) {
	e := newEnv(t)
	org := e.d.OrganizationID
	e.clock.Advance(1e9)
	e.addMember(org, store.LevelMember, "ann@example.com")
	e.clock.Advance(1e9)
	e.addMember(org, store.LevelAdmin, "bob@acme.io")
	e.addMember(org, store.LevelMember, "bot@posthogbot.user")

	r := e.do("GET", e.orgPath("members/"), nil).wantStatus(t, 200)
	if r.get("count").Int() != 3 {
		t.Fatalf("count = %d, want 3 (bots excluded): %s", r.get("count").Int(), r.Body)
	}
	if first := r.get("results.0.user.email").String(); first != "bob@acme.io" {
		t.Errorf("default order is -joined_at, first = %s", first)
	}
	r = e.do("GET", e.orgPath("members/?order=joined_at"), nil)
	if first := r.get("results.0.user.email").String(); first != e.d.UserEmail {
		t.Errorf("order=joined_at first = %s", first)
	}
	// ?email= is Django's exact match: case-sensitive, and an empty value matches no one.
	r = e.do("GET", e.orgPath("members/?email=ann@example.com"), nil)
	if r.get("count").Int() != 1 || r.get("results.0.user.email").String() != "ann@example.com" {
		t.Errorf("email filter = %s", r.Body)
	}
	for _, q := range []string{"?email=ANN@example.com", "?email=", "?email=ann"} {
		if n := e.do("GET", e.orgPath("members/"+q), nil).get("count").Int(); n != 0 {
			t.Errorf("%s matched %d members, want 0", q, n)
		}
	}
	r = e.do("GET", e.orgPath("members/?search=acme"), nil)
	if r.get("count").Int() != 1 || r.get("results.0.search_match_type").String() != "exact" {
		t.Errorf("search = %s", r.Body)
	}
	r = e.do("GET", e.orgPath("members/?search="+strings.Repeat("x", 201)), nil).wantStatus(t, 400)
	if r.get("search").String() != "Search query must be 200 characters or fewer." {
		t.Errorf("long search body = %s", r.Body)
	}
	r = e.do("GET", e.orgPath("members/?updated_after=2026-01-15T10:00:01.5Z"), nil)
	// bob and the bot joined after that instant; the bot is never listed.
	if r.get("count").Int() != 1 || r.get("results.0.user.email").String() != "bob@acme.io" {
		t.Errorf("updated_after count = %d: %s", r.get("count").Int(), r.Body)
	}
}

func TestMemberLevelRules(t *testing.T) {
	e := newEnv(t)
	org := e.d.OrganizationID
	admin := e.addMember(org, store.LevelAdmin, "admin@example.com")
	admin2 := e.addMember(org, store.LevelAdmin, "admin2@example.com")
	plain := e.addMember(org, store.LevelMember, "member@example.com")
	plain2 := e.addMember(org, store.LevelMember, "member2@example.com")
	path := func(m member) string { return e.orgPath("members/" + m.User.UUID + "/") }
	owner := e.orgPath("members/" + e.d.UserUUID + "/")

	cases := []struct {
		name   string
		by     string
		path   string
		level  any
		status int
		detail string
	}{
		{"own level", admin.Key, e.orgPath("members/@me/"), 1, 403, "You can't change your own access level."},
		{"make owner as admin", admin.Key, path(plain), 15, 403, "You can only make another member owner if you're this organization's owner."},
		{"member edits others", plain.Key, path(plain2), 1, 403, "You can only edit others if you are an admin."},
		{"admin edits owner", admin.Key, owner, 8, 403, "You can only edit others with level lower or equal to you."},
		{"invalid level", admin.Key, path(plain), 3, 400, `"3" is not a valid choice.`},
		{"admin promotes member", admin.Key, path(plain), 8, 200, ""},
		{"admin demotes admin", admin.Key, path(admin2), "1", 200, ""},
		{"owner makes owner", e.d.APIKey, path(admin), 15, 200, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.do("PATCH", c.path, map[string]any{"level": c.level}, asKey(c.by))
			switch c.status {
			case 200:
				r.wantStatus(t, 200)
				if got := r.get("level").String(); got != fmt.Sprint(c.level) {
					t.Errorf("level = %s, want %v", got, c.level)
				}
			case 400:
				r.wantError(t, 400, "validation_error", "invalid_choice", c.detail, "level")
			default:
				r.wantError(t, 403, "authentication_error", "permission_denied", c.detail, "")
			}
		})
	}
	// Unknown member → 404; not a uuid → 404.
	e.do("PATCH", e.orgPath("members/00000000-0000-0000-0000-000000000001/"), map[string]any{"level": 1}).wantStatus(t, 404)
	e.do("PATCH", e.orgPath("members/not-a-uuid/"), map[string]any{"level": 1}).wantStatus(t, 404)
}

func TestMemberRemoval(t *testing.T) {
	e := newEnv(t)
	org := e.d.OrganizationID
	admin := e.addMember(org, store.LevelAdmin, "admin@example.com")
	plain := e.addMember(org, store.LevelMember, "member@example.com")
	leaver := e.addMember(org, store.LevelMember, "leaver@example.com")

	e.do("DELETE", e.orgPath("members/"+admin.User.UUID+"/"), nil, asKey(plain.Key)).
		wantError(t, 403, "authentication_error", "permission_denied", "You can only edit others if you are an admin.", "")
	e.do("DELETE", e.orgPath("members/"+e.d.UserUUID+"/"), nil).
		wantError(t, 400, "validation_error", "invalid_input", "Cannot leave the organization as its owner!", "")
	e.do("DELETE", e.orgPath("members/@me/"), nil, asKey(leaver.Key)).wantStatus(t, 204)
	e.do("DELETE", e.orgPath("members/"+plain.User.UUID+"/"), nil, asKey(admin.Key)).wantStatus(t, 204)
	r := e.do("GET", e.orgPath("members/"), nil)
	if r.get("count").Int() != 2 {
		t.Fatalf("members after removals = %s", r.Body)
	}
	// The removed member lost access.
	e.do("GET", e.orgPath("members/"), nil, asKey(plain.Key)).wantError(t, 403, "authentication_error", "permission_denied", store.MsgNoPermission, "")
}

func TestMemberScopedAPIKeysAndGithubLogin(t *testing.T) {
	e := newEnv(t)
	r := e.do("GET", e.orgPath("members/"+e.d.UserUUID+"/scoped_api_keys/"), nil, asSession(e.d.Session)).wantStatus(t, 200)
	if !r.get("has_keys").Bool() || r.get("keys.0.name").String() != "fakehog default key" {
		t.Fatalf("scoped_api_keys = %s", r.Body)
	}
	// The key used above was touched, so it counts as active last week.
	if !r.get("has_keys_active_last_week").Exists() {
		t.Error("has_keys_active_last_week missing")
	}
	e.do("GET", e.orgPath("members/"+e.d.UserUUID+"/scoped_api_keys/"), nil).
		wantError(t, 403, "authentication_error", "permission_denied", "This action does not support personal API key access", "")

	_ = e.srv.Store().Write(func(tx *store.Tx) error { tx.UserByEmail(e.d.UserEmail).GithubLogin = "olive-gh"; return nil })
	r = e.do("GET", e.orgPath("members/@me/github_login/"), nil).wantStatus(t, 200)
	if r.get("github_login").String() != "olive-gh" {
		t.Errorf("github_login = %s", r.Body)
	}
}

// TestMembersListVisibility: inactive users are not listed, and an unknown ?order= falls back
// to -joined_at.
func TestMembersListVisibility(t *testing.T) {
	e := newEnv(t)
	org := e.d.OrganizationID
	e.clock.Advance(1e9)
	e.addMember(org, store.LevelMember, "first@example.com")
	e.clock.Advance(1e9)
	gone := e.addMember(org, store.LevelMember, "gone@example.com")
	withWriteTx(e, func(tx *store.Tx) error { tx.User(gone.User.ID).IsActive = false; return nil })
	for _, q := range []string{"", "?order=-joined_at", "?order=bogus", "?order=level"} {
		r := e.do("GET", e.orgPath("members/"+q), nil).wantStatus(t, 200)
		if r.get("count").Int() != 2 || r.get("results.0.user.email").String() != "first@example.com" {
			t.Errorf("members%s = %s", q, truncate(r.Body))
		}
	}
	r := e.do("GET", e.orgPath("members/?order=joined_at"), nil)
	if r.get("results.0.user.email").String() != e.d.UserEmail {
		t.Errorf("order=joined_at = %s", truncate(r.Body))
	}
}

// TestMemberOwnerRules: owners may demote other owners but nobody can remove an owner, not
// even another owner; a PATCH without a level is no level change, even on oneself.
func TestMemberOwnerRules(t *testing.T) {
	e := newEnv(t)
	org := e.d.OrganizationID
	second := e.addMember(org, store.LevelOwner, "second@example.com")
	admin := e.addMember(org, store.LevelAdmin, "admin@example.com")
	secondPath := e.orgPath("members/" + second.User.UUID + "/")

	e.do("DELETE", secondPath, nil).wantError(t, 400, "validation_error", "invalid_input", "Cannot leave the organization as its owner!", "")
	e.do("DELETE", e.orgPath("members/@me/"), nil, asKey(second.Key)).wantError(t, 400, "validation_error", "invalid_input", "Cannot leave the organization as its owner!", "")
	e.do("DELETE", secondPath, nil, asKey(admin.Key)).wantError(t, 403, "authentication_error", "permission_denied", "You can only edit others with level lower or equal to you.", "")
	// Changing one's own level, even to the same one, is refused; a body without a level is not.
	e.do("PATCH", e.orgPath("members/@me/"), map[string]any{"level": 8}, asKey(admin.Key)).
		wantError(t, 403, "authentication_error", "permission_denied", "You can't change your own access level.", "")
	r := e.do("PATCH", e.orgPath("members/@me/"), map[string]any{"joined_at": "2020-01-01T00:00:00Z", "id": "x"}, asKey(admin.Key)).wantStatus(t, 200)
	if r.get("level").Int() != 8 || r.get("joined_at").String() == "2020-01-01T00:00:00Z" {
		t.Errorf("read-only fields were written: %s", r.Body)
	}
	// An owner demotes another owner, who can then leave.
	r = e.do("PATCH", secondPath, map[string]any{"level": 1}).wantStatus(t, 200)
	if r.get("level").Int() != 1 || r.get("user.uuid").String() != second.User.UUID {
		t.Fatalf("demoted = %s", r.Body)
	}
	e.do("DELETE", e.orgPath("members/@me/"), nil, asKey(second.Key)).wantStatus(t, 204)
}

// TestMemberRemovalMovesCurrentOrganization: a removed member whose current organization it
// was moves to another of theirs, or to none.
func TestMemberRemovalMovesCurrentOrganization(t *testing.T) {
	e := newEnv(t)
	org := e.d.OrganizationID
	both := e.addMember(org, store.LevelMember, "both@example.com")
	only := e.addMember(org, store.LevelMember, "only@example.com")
	other := e.otherOrg()
	withWriteTx(e, func(tx *store.Tx) error {
		_, err := tx.AddMember(other, both.User.ID, store.NewMembership{Level: store.LevelMember})
		return err
	})
	e.do("DELETE", e.orgPath("members/"+both.User.UUID+"/"), nil).wantStatus(t, 204)
	e.do("DELETE", e.orgPath("members/@me/"), nil, asKey(only.Key)).wantStatus(t, 204)
	if got := e.do("GET", "/api/organizations/@current/", nil, asKey(both.Key)).get("id").String(); got != other {
		t.Errorf("current organization after removal = %q, want %q", got, other)
	}
	e.do("GET", "/api/organizations/@current/", nil, asKey(only.Key)).wantError(t, 404, "invalid_request", "not_found", "Current organization not found.", "")
}

// TestMemberScopedAPIKeysCounting: scoped_api_keys counts the member's keys scoped to the
// organization, to one of its projects, or not scoped at all, and nothing else.
func TestMemberScopedAPIKeysCounting(t *testing.T) {
	e := newEnv(t)
	org := e.d.OrganizationID
	m := e.addMember(org, store.LevelMember, "keys@example.com") // its key: unscoped, "key of keys@example.com"
	other := e.otherOrg()
	withWriteTx(e, func(tx *store.Tx) error {
		for _, k := range []store.NewAPIKey{
			{Label: "org", Scopes: []string{"*"}, ScopedOrganizations: []string{org}},
			{Label: "project", Scopes: []string{"*"}, ScopedTeams: []int{e.d.ProjectID}},
			{Label: "elsewhere", Scopes: []string{"*"}, ScopedOrganizations: []string{other}},
		} {
			if _, _, err := tx.CreatePersonalAPIKey(m.User.ID, k); err != nil {
				return err
			}
		}
		return nil
	})
	r := e.do("GET", e.orgPath("members/"+m.User.UUID+"/scoped_api_keys/"), nil, asSession(e.d.Session)).wantStatus(t, 200)
	var names []string
	for _, k := range r.get("keys").Array() {
		names = append(names, k.Get("name").String())
	}
	if got := strings.Join(names, ","); got != "key of keys@example.com,org,project" || !r.get("has_keys").Bool() || r.get("has_keys_active_last_week").Bool() {
		t.Fatalf("scoped_api_keys = %s", r.Body)
	}
	// Using a key makes it active this week; eight days later it is not any more.
	e.do("GET", e.orgPath("members/"), nil, asKey(m.Key)).wantStatus(t, 200)
	if !e.do("GET", e.orgPath("members/"+m.User.UUID+"/scoped_api_keys/"), nil, asSession(e.d.Session)).get("has_keys_active_last_week").Bool() {
		t.Error("a key used now is not active last week")
	}
	e.clock.Advance(8 * 24 * time.Hour)
	if e.do("GET", e.orgPath("members/"+m.User.UUID+"/scoped_api_keys/"), nil, asSession(e.d.Session)).get("has_keys_active_last_week").Bool() {
		t.Error("a key last used eight days ago is active last week")
	}
	// A member without keys.
	var uuid string
	withWriteTx(e, func(tx *store.Tx) error {
		u, err := tx.CreateUser(store.NewUser{Email: "nokeys@example.com"})
		if err != nil {
			return err
		}
		uuid = u.UUID
		_, err = tx.AddMember(org, u.ID, store.NewMembership{Level: store.LevelMember})
		return err
	})
	r = e.do("GET", e.orgPath("members/"+uuid+"/scoped_api_keys/"), nil, asSession(e.d.Session)).wantStatus(t, 200)
	if r.get("has_keys").Bool() || r.get("keys").Raw != "[]" {
		t.Errorf("no keys = %s", r.Body)
	}
}
