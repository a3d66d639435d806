package fake

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fakehog/fakehog/fake/store"
)

// Cross-cutting behaviour (BEHAVIOR.md §0): routing, authentication, scopes, bodies,
// pagination.

func TestTrailingSlashAndCurrent(t *testing.T) {
	e := newEnv(t)
	for _, p := range []string{
		"/api/organizations/", "/api/organizations",
		"/api/organizations/@current/", "/api/organizations/@current",
		e.orgPath("members/"), strings.TrimSuffix(e.orgPath("members/"), "/"),
		"/api/organizations/@current/members",
	} {
		r := e.do("GET", p, nil)
		if r.Status != 200 {
			t.Errorf("GET %s = %d, want 200: %s", p, r.Status, r.Body)
		}
	}
	r := e.do("GET", "/api/organizations/@current/", nil)
	if got := r.get("id").String(); got != e.d.OrganizationID {
		t.Errorf("@current resolved to %q, want %q", got, e.d.OrganizationID)
	}
}

func TestUnknownPathAndMethod(t *testing.T) {
	e := newEnv(t)
	e.do("GET", "/api/organizations/@current/nope/", nil).wantError(t, 404, "invalid_request", "not_found", "Endpoint not found.", "")
	e.do("GET", "/api/whatever", nil).wantError(t, 404, "invalid_request", "not_found", "Endpoint not found.", "")

	r := e.do("PUT", "/api/organizations/@current/invites/", map[string]any{})
	r.wantError(t, 405, "invalid_request", "method_not_allowed", `Method "PUT" not allowed.`, "")
	if allow := r.Header.Get("Allow"); allow != "GET, OPTIONS, POST" {
		t.Errorf("Allow = %q", allow)
	}
	// Members have no retrieve: 405 on your own organization...
	e.do("GET", e.orgPath("members/"+e.d.UserUUID+"/"), nil).wantError(t, 405, "invalid_request", "method_not_allowed", `Method "GET" not allowed.`, "")
	// ...but the permission check comes first: another organization's URL is 403.
	other := e.otherOrg()
	e.do("GET", "/api/organizations/"+other+"/members/"+e.d.UserUUID+"/", nil).wantError(t, 403, "authentication_error", "permission_denied", store.MsgNoPermission, "")
	// Unknown organization on a nested route.
	e.do("GET", "/api/organizations/00000000-0000-0000-0000-000000000000/invites/", nil).wantError(t, 404, "invalid_request", "not_found", "Organization not found.", "")
}

// otherOrg creates an organization the default owner does not belong to and returns its id.
func (e *env) otherOrg() string {
	e.t.Helper()
	stranger := e.addMember("", 0, "stranger@example.com")
	var id string
	err := e.srv.Store().Write(func(tx *store.Tx) error {
		o, err := tx.CreateOrganization(stranger.User, store.Values{"name": "Elsewhere"}, store.NewOrganization{})
		if err == nil {
			id = o.ID
		}
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return id
}

func TestAuthentication(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		name   string
		path   string
		opts   []reqOpt
		status int
		code   string
		detail string
	}{
		{"no credentials", "/api/organizations/", []reqOpt{noAuth()}, 401, "not_authenticated", "Authentication credentials were not provided."},
		{"bad header key", "/api/organizations/", []reqOpt{asKey("phx_nope")}, 401, "authentication_failed", "Personal API key found in request Authorization header is invalid."},
		{"bad query key", "/api/organizations/?personal_api_key=phx_nope", []reqOpt{noAuth()}, 401, "authentication_failed", "Personal API key found in request query string is invalid."},
		{"good query key", "/api/organizations/?personal_api_key=" + e.d.APIKey, []reqOpt{noAuth()}, 200, "", ""},
		{"session", "/api/organizations/", []reqOpt{asSession(e.d.Session)}, 200, "", ""},
		{"unknown session", "/api/organizations/", []reqOpt{asSession("nope")}, 401, "not_authenticated", "Authentication credentials were not provided."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.do("GET", c.path, nil, c.opts...)
			if c.status == 200 {
				r.wantStatus(t, 200)
				return
			}
			r.wantError(t, c.status, "authentication_error", c.code, c.detail, "")
			if !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), `Bearer resource_metadata="http://`) {
				t.Errorf("WWW-Authenticate = %q", r.Header.Get("WWW-Authenticate"))
			}
		})
	}
	// A key in the body is found after the header and before the query.
	r := e.do("POST", "/api/organizations/", map[string]any{"name": "Via body", "personal_api_key": "phx_wrong"}, noAuth())
	r.wantError(t, 401, "authentication_error", "authentication_failed", "Personal API key found in request body is invalid.", "")
	r = e.do("POST", "/api/organizations/", map[string]any{"name": "Via body", "personal_api_key": e.d.APIKey}, noAuth())
	r.wantStatus(t, 201)
}

func TestScopes(t *testing.T) {
	e := newEnv(t)
	org := e.d.OrganizationID
	readOnly := e.addMember(org, store.LevelAdmin, "reader@example.com", "organization:read", "organization_member:read")
	writer := e.addMember(org, store.LevelAdmin, "writer@example.com", "organization_member:write")
	legacy := e.addMember(org, store.LevelAdmin, "legacy@example.com")
	cases := []struct {
		name, method, path string
		body               any
		key                string
		status             int
		detail             string
	}{
		{"read scope reads", "GET", "/api/organizations/@current/", nil, readOnly.Key, 200, ""},
		{"read scope cannot write", "PATCH", "/api/organizations/@current/", map[string]any{"name": "x"}, readOnly.Key, 403, "API key missing required scope 'organization:write'"},
		{"missing object", "GET", "/api/organizations/@current/projects/", nil, readOnly.Key, 403, "API key missing required scope 'project:read'"},
		{"write implies read", "GET", "/api/organizations/@current/invites/", nil, writer.Key, 200, ""},
		{"legacy key allows all", "GET", "/api/organizations/@current/projects/", nil, legacy.Key, 200, ""},
		{"session-only refuses keys", "GET", "/api/organizations/@current/welcome/current/", nil, e.d.APIKey, 403, "This action does not support personal API key access"},
		{"session-only refuses star keys on token reset", "PATCH", "/api/organizations/@current/projects/@current/reset_token/", nil, e.d.APIKey, 403, "This action does not support personal API key access"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.do(c.method, c.path, c.body, asKey(c.key))
			if c.status == 200 {
				r.wantStatus(t, 200)
				return
			}
			r.wantError(t, c.status, "authentication_error", "permission_denied", c.detail, "")
		})
	}
}

func TestKeyScopedToOrganizations(t *testing.T) {
	e := newEnv(t)
	other := e.otherOrg()
	// The owner joins the other organization too, then holds a key scoped to it only.
	var key string
	err := e.srv.Store().Write(func(tx *store.Tx) error {
		u := tx.UserByEmail(e.d.UserEmail)
		if _, err := tx.AddMember(other, u.ID, store.NewMembership{Level: store.LevelMember}); err != nil {
			return err
		}
		_, v, err := tx.CreatePersonalAPIKey(u.ID, store.NewAPIKey{Scopes: []string{"*"}, ScopedOrganizations: []string{other}})
		key = v
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	r := e.do("GET", "/api/organizations/", nil, asKey(key)).wantStatus(t, 200)
	if r.get("count").Int() != 1 || r.get("results.0.id").String() != other {
		t.Fatalf("scoped list = %s", r.Body)
	}
	e.do("GET", e.orgPath("members/"), nil, asKey(key)).wantError(t, 403, "authentication_error", "permission_denied",
		"API key does not have access to the requested organization: ID "+e.d.OrganizationID+".", "")
	e.do("GET", "/api/organizations/"+other+"/members/", nil, asKey(key)).wantStatus(t, 200)
}

func TestRequestBodies(t *testing.T) {
	e := newEnv(t)
	path := "/api/organizations/@current/invites/"
	// Form-encoded and multipart bodies are accepted, as DRF's default parsers do.
	e.do("POST", path, rawBody{"application/x-www-form-urlencoded", "target_email=form@example.com&level=8"}).wantStatus(t, 201)
	r := e.do("POST", path, rawBody{"multipart/form-data; boundary=XX", "--XX\r\nContent-Disposition: form-data; name=\"target_email\"\r\n\r\nmulti@example.com\r\n--XX--\r\n"})
	r.wantStatus(t, 201)
	if r.get("target_email").String() != "multi@example.com" {
		t.Errorf("multipart body not read: %s", r.Body)
	}
	e.do("POST", path, rawBody{"text/plain", "target_email=x@example.com"}).wantError(t, 415, "invalid_request", "unsupported_media_type", `Unsupported media type "text/plain" in request.`, "")
	r = e.do("POST", path, rawBody{"application/json", `{"target_email": `})
	r.wantStatus(t, 400)
	if r.get("code").String() != "parse_error" || !strings.HasPrefix(r.get("detail").String(), "JSON parse error - ") {
		t.Errorf("parse error body = %s", r.Body)
	}
	e.do("POST", path, `["a"]`).wantError(t, 400, "validation_error", "invalid_input", "Invalid data. Expected a dictionary, but got list.", "")
	// Unknown and read-only fields are ignored.
	r = e.do("POST", path, map[string]any{"target_email": "ro@example.com", "id": "nope", "is_expired": true, "bogus": 1}).wantStatus(t, 201)
	if r.get("id").String() == "nope" || r.get("is_expired").Bool() {
		t.Errorf("read-only fields were applied: %s", r.Body)
	}
	// Oversized bodies are refused before anything else.
	small := newEnv(t, WithMaxBodyBytes(64))
	small.do("POST", path, map[string]any{"target_email": strings.Repeat("a", 100) + "@example.com"}).wantStatus(t, http.StatusRequestEntityTooLarge)
}

func TestPagination(t *testing.T) {
	e := newEnv(t)
	for i := 0; i < 5; i++ {
		e.do("POST", e.orgPath("invites/"), map[string]any{"target_email": string(rune('a'+i)) + "@example.com"}).wantStatus(t, 201)
	}
	base := e.ts.URL + e.orgPath("invites/")
	cases := []struct {
		query          string
		n              int
		next, previous string
	}{
		{"", 5, "", ""},
		{"?limit=2", 2, base + "?limit=2&offset=2", ""},
		{"?limit=2&offset=2", 2, base + "?limit=2&offset=4", base + "?limit=2"},
		{"?limit=2&offset=3", 2, "", base + "?limit=2&offset=1"},
		{"?limit=2&offset=4&x=y", 1, "", base + "?limit=2&offset=2&x=y"},
		{"?limit=0", 5, "", ""},
		{"?limit=abc&offset=-3", 5, "", ""},
		{"?offset=10", 0, "", base + "?limit=100"},
	}
	for _, c := range cases {
		t.Run(c.query, func(t *testing.T) {
			r := e.do("GET", e.orgPath("invites/")+c.query, nil).wantStatus(t, 200)
			if r.get("count").Int() != 5 || len(r.get("results").Array()) != c.n {
				t.Fatalf("count/results = %d/%d, want 5/%d", r.get("count").Int(), len(r.get("results").Array()), c.n)
			}
			if got := r.get("next").String(); got != c.next {
				t.Errorf("next = %q, want %q", got, c.next)
			}
			if got := r.get("previous").String(); got != c.previous {
				t.Errorf("previous = %q, want %q", got, c.previous)
			}
		})
	}
}

// TestKeyCheckOrder follows APIScopePermission's order for a key with scopes: a session-only
// operation is refused first, then the organization is looked up (404), then the
// organization's key policy, the key's project and organization scoping, the key's scopes,
// and only then membership (BEHAVIOR.md §0.3, §0.4). Legacy keys (no scopes) skip the scope
// checks, session-only operations included.
func TestKeyCheckOrder(t *testing.T) {
	e := newEnv(t)
	org := e.d.OrganizationID
	other := e.otherOrg()
	plain := e.addMember(org, store.LevelMember, "plain@example.com", "organization:read")
	legacy := e.addMember(org, store.LevelMember, "legacy@example.com")
	outsider := e.addMember("", 0, "outsider@example.com", "organization:read")
	var scopedElsewhere, teamScoped string
	err := e.srv.Store().Write(func(tx *store.Tx) error {
		u := tx.UserByEmail(e.d.UserEmail)
		if _, err := tx.AddMember(other, u.ID, store.NewMembership{Level: store.LevelOwner}); err != nil {
			return err
		}
		var err error
		_, scopedElsewhere, err = tx.CreatePersonalAPIKey(u.ID, store.NewAPIKey{Scopes: []string{"organization:read"}, ScopedOrganizations: []string{other}})
		if err != nil {
			return err
		}
		_, teamScoped, err = tx.CreatePersonalAPIKey(u.ID, store.NewAPIKey{Scopes: []string{"organization:read"}, ScopedTeams: []int{e.d.ProjectID}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	const (
		nowhere     = "/api/organizations/00000000-0000-0000-0000-000000000000/members/"
		noPAK       = "This action does not support personal API key access"
		projectOnly = "API keys with scoped projects are only supported on project-based endpoints."
	)
	cases := []struct {
		name, method, path, key string
		status                  int
		detail                  string
	}{
		{"session-only before the organization", "GET", "/api/organizations/00000000-0000-0000-0000-000000000000/members/@me/scoped_api_keys/", plain.Key, 403, noPAK},
		{"unknown organization before the scope", "GET", nowhere, plain.Key, 404, store.MsgOrgNotFound},
		{"organization scoping before the scope", "GET", e.orgPath("members/"), scopedElsewhere, 403, "API key does not have access to the requested organization: ID " + org + "."},
		{"project scoping before the scope", "GET", e.orgPath("members/"), teamScoped, 403, projectOnly},
		{"project scoping on the organization list", "GET", "/api/organizations/", teamScoped, 403, projectOnly},
		{"scope before membership", "GET", "/api/organizations/" + other + "/members/", outsider.Key, 403, "API key missing required scope 'organization_member:read'"},
		{"membership once the scope is there", "GET", "/api/organizations/" + other + "/", outsider.Key, 404, "Not found."},
		{"legacy key on a session-only operation", "GET", e.orgPath("members/@me/scoped_api_keys/"), legacy.Key, 200, ""},
		{"legacy key on a write", "POST", e.orgPath("invites/"), legacy.Key, 201, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var body any
			if c.method == "POST" {
				body = map[string]any{"target_email": "new@example.com"}
			}
			r := e.do(c.method, c.path, body, asKey(c.key))
			switch c.status {
			case 200, 201:
				r.wantStatus(t, c.status)
			case 404:
				r.wantError(t, 404, "invalid_request", "not_found", c.detail, "")
			default:
				r.wantError(t, c.status, "authentication_error", "permission_denied", c.detail, "")
			}
		})
	}

	// members_can_use_personal_api_keys=false (with the security feature) refuses the keys of
	// members below admin before their scopes are looked at; admins and sessions carry on.
	e.do("PATCH", "/api/organizations/@current/", map[string]any{"members_can_use_personal_api_keys": false}).wantStatus(t, 200)
	name := e.do("GET", "/api/organizations/@current/", nil).get("name").String()
	policy := "Organization '" + name + "' does not allow using personal API keys. Contact an admin to enable personal API keys for this organization."
	e.do("GET", e.orgPath("members/"), nil, asKey(plain.Key)).wantError(t, 403, "authentication_error", "permission_denied", policy, "")
	e.do("GET", e.orgPath("members/"), nil, asKey(legacy.Key)).wantError(t, 403, "authentication_error", "permission_denied", policy, "")
	e.do("GET", "/api/organizations/@current/", nil, asKey(plain.Key)).wantError(t, 403, "authentication_error", "permission_denied", policy, "")
	e.do("GET", e.orgPath("members/"), nil, asSession(plain.Session)).wantStatus(t, 200)
	e.do("GET", e.orgPath("members/"), nil).wantStatus(t, 200)
}

func TestKeyLookupPrecedenceAndActiveUsers(t *testing.T) {
	e := newEnv(t)
	gone := e.addMember(e.d.OrganizationID, store.LevelMember, "gone@example.com")
	// The header is looked at first: a bad header key is not rescued by a good query key,
	// and a good header key is not spoiled by a bad one in the query.
	e.do("GET", "/api/organizations/?personal_api_key="+e.d.APIKey, nil, asKey("phx_nope")).
		wantError(t, 401, "authentication_error", "authentication_failed", "Personal API key found in request Authorization header is invalid.", "")
	e.do("GET", "/api/organizations/?personal_api_key=phx_nope", nil).wantStatus(t, 200)
	// The body comes before the query.
	e.do("POST", "/api/organizations/?personal_api_key="+e.d.APIKey, map[string]any{"name": "x", "personal_api_key": "phx_nope"}, noAuth()).
		wantError(t, 401, "authentication_error", "authentication_failed", "Personal API key found in request body is invalid.", "")
	// Only the keys and sessions of active users count.
	e.do("GET", e.orgPath("members/"), nil, asKey(gone.Key)).wantStatus(t, 200)
	withWriteTx(e, func(tx *store.Tx) error { tx.User(gone.User.ID).IsActive = false; return nil })
	e.do("GET", e.orgPath("members/"), nil, asKey(gone.Key)).
		wantError(t, 401, "authentication_error", "authentication_failed", "Personal API key found in request Authorization header is invalid.", "")
	e.do("GET", e.orgPath("members/"), nil, asSession(gone.Session)).
		wantError(t, 401, "authentication_error", "not_authenticated", "Authentication credentials were not provided.", "")
}

// TestKeyLastUsedAtHourly: a key's last_used_at moves at most once an hour (§0.2), as
// members/{uuid}/scoped_api_keys shows it.
func TestKeyLastUsedAtHourly(t *testing.T) {
	e := newEnv(t)
	m := e.addMember(e.d.OrganizationID, store.LevelMember, "user@example.com")
	lastUsed := func() string {
		t.Helper()
		r := e.do("GET", e.orgPath("members/@me/scoped_api_keys/"), nil, asSession(m.Session)).wantStatus(t, 200)
		return r.get("keys.0.last_used_at").String()
	}
	if got := lastUsed(); got != "" {
		t.Fatalf("unused key last_used_at = %q", got)
	}
	e.do("GET", e.orgPath("members/"), nil, asKey(m.Key)).wantStatus(t, 200)
	if got := lastUsed(); got != "2026-01-15T10:00:00Z" {
		t.Fatalf("last_used_at after first use = %q", got)
	}
	e.clock.Advance(59 * time.Minute)
	e.do("GET", e.orgPath("members/"), nil, asKey(m.Key)).wantStatus(t, 200)
	if got := lastUsed(); got != "2026-01-15T10:00:00Z" {
		t.Fatalf("last_used_at moved within the hour: %q", got)
	}
	e.clock.Advance(time.Minute)
	e.do("GET", e.orgPath("members/"), nil, asKey(m.Key)).wantStatus(t, 200)
	if got := lastUsed(); got != "2026-01-15T11:00:00Z" {
		t.Fatalf("last_used_at after an hour = %q", got)
	}
}

func TestCurrentOrganizationMissing(t *testing.T) {
	e := newEnv(t)
	loner := e.addMember("", 0, "loner@example.com")
	for _, p := range []string{"/api/organizations/@current/members/", "/api/organizations/@current/projects/", "/api/organizations/@current/invites/"} {
		e.do("GET", p, nil, asKey(loner.Key)).wantError(t, 404, "invalid_request", "not_found", store.MsgOrgNotFound, "")
	}
	e.do("GET", "/api/organizations/@current/", nil, asKey(loner.Key)).wantError(t, 404, "invalid_request", "not_found", "Current organization not found.", "")
}

func TestWriteWithoutContentType(t *testing.T) {
	e := newEnv(t)
	e.do("POST", e.orgPath("invites/"), rawBody{"", `{"target_email": "x@example.com"}`}).
		wantError(t, 415, "invalid_request", "unsupported_media_type", `Unsupported media type "" in request.`, "")
	// Without a body there is nothing to parse.
	e.do("POST", e.orgPath("invites/"), nil).wantError(t, 400, "validation_error", "required", store.MsgRequired, "target_email")
}

// TestTimestamps: datetimes are ISO 8601 in UTC with "Z", microseconds only when non-zero
// (§0.9).
func TestTimestamps(t *testing.T) {
	e := newEnv(t)
	r := e.do("POST", e.orgPath("invites/"), map[string]any{"target_email": "a@example.com"}).wantStatus(t, 201)
	if got := r.get("created_at").String(); got != "2026-01-15T10:00:00Z" {
		t.Errorf("whole second = %q", got)
	}
	e.clock.Advance(1500*time.Millisecond + 250*time.Nanosecond)
	r = e.do("POST", e.orgPath("invites/"), map[string]any{"target_email": "b@example.com"}).wantStatus(t, 201)
	if got := r.get("created_at").String(); got != "2026-01-15T10:00:01.500000Z" {
		t.Errorf("fraction = %q", got)
	}
}

// TestPaginationHasNoMaximum: PAGE_SIZE is 100 but a larger ?limit is honoured; a repeated
// parameter counts by its last value, as Django's QueryDict reads it.
func TestPaginationHasNoMaximum(t *testing.T) {
	e := newEnv(t)
	withWriteTx(e, func(tx *store.Tx) error {
		inviter := tx.Membership(e.d.OrganizationID, tx.UserByEmail(e.d.UserEmail).ID)
		for i := 0; i < 120; i++ {
			if _, err := tx.CreateInvites(inviter, []store.Values{{"target_email": "u" + itoa(i) + "@example.com"}}); err != nil {
				return err
			}
		}
		return nil
	})
	r := e.do("GET", e.orgPath("invites/"), nil).wantStatus(t, 200)
	if len(r.get("results").Array()) != 100 || r.get("next").String() != e.ts.URL+e.orgPath("invites/")+"?limit=100&offset=100" {
		t.Errorf("default page: %d results, next %s", len(r.get("results").Array()), r.get("next").String())
	}
	r = e.do("GET", e.orgPath("invites/?limit=500"), nil).wantStatus(t, 200)
	if len(r.get("results").Array()) != 120 || r.get("next").Raw != "null" {
		t.Errorf("limit=500: %d results, next %s", len(r.get("results").Array()), r.get("next").Raw)
	}
	r = e.do("GET", e.orgPath("invites/?limit=1&offset=0&limit=3&offset=6"), nil).wantStatus(t, 200)
	if len(r.get("results").Array()) != 3 || r.get("next").String() != e.ts.URL+e.orgPath("invites/")+"?limit=3&offset=9" {
		t.Errorf("repeated parameters: %d results, next %s", len(r.get("results").Array()), r.get("next").String())
	}
	m := e.do("GET", e.orgPath("members/?order=joined_at&order=-joined_at&email=nobody@example.com&email="+e.d.UserEmail), nil).wantStatus(t, 200)
	if m.get("count").Int() != 1 {
		t.Errorf("members with repeated parameters = %s", m.Body)
	}
}
