package fake

import (
	"strings"
	"testing"
	"time"

	"github.com/fakehog/fakehog/fake/store"
)

func TestRoleMembershipCreate(t *testing.T) {
	e := newEnv(t)
	org := e.d.OrganizationID
	m := e.addMember(org, store.LevelAdmin, "admin@example.com")
	id := createRole(t, e, org, "Engineers")
	e.clock.Advance(time.Minute)
	// The uuid is accepted in any spelling; unknown fields are ignored.
	r := e.do("POST", e.orgPath("roles/"+id+"/role_memberships/"), map[string]any{"user_uuid": strings.ToUpper(m.User.UUID), "role_id": "x", "id": "y"}).wantStatus(t, 201)
	mid := r.get("id").String()
	if !store.IsUUID(mid) || r.get("role_id").String() != id || r.get("user.uuid").String() != m.User.UUID ||
		r.get("user.email").String() != "admin@example.com" || r.get("organization_member.user.uuid").String() != m.User.UUID ||
		r.get("organization_member.level").Int() != store.LevelAdmin || r.get("joined_at").String() != "2026-01-15T10:01:00Z" ||
		r.get("updated_at").String() != "2026-01-15T10:01:00Z" || r.get("user_uuid").Exists() {
		t.Fatalf("created = %s", r.Body)
	}
	got := e.do("GET", e.orgPath("roles/"+id+"/role_memberships/"+mid+"/"), nil).wantStatus(t, 200)
	if got.get("id").String() != mid || got.get("user.uuid").String() != m.User.UUID {
		t.Fatalf("retrieve = %s", got.Body)
	}
	// The role shows its member.
	role := e.do("GET", e.orgPath("roles/"+id+"/"), nil)
	if len(role.get("members").Array()) != 1 || role.get("members.0.id").String() != mid || role.get("members.0.role_id").String() != id {
		t.Fatalf("role members = %s", role.get("members").Raw)
	}
	// A user may be in several roles.
	other := createRole(t, e, org, "Designers")
	e.do("POST", e.orgPath("roles/"+other+"/role_memberships/"), map[string]any{"user_uuid": m.User.UUID}).wantStatus(t, 201)
}

func TestRoleMembershipValidation(t *testing.T) {
	e := newEnv(t)
	org := e.d.OrganizationID
	m := e.addMember(org, store.LevelMember, "member@example.com")
	outsider := e.addMember("", 0, "outsider@example.com")
	inactive := e.addMember(org, store.LevelMember, "gone@example.com")
	withWriteTx(e, func(tx *store.Tx) error { tx.User(inactive.User.ID).IsActive = false; return nil })
	id := createRole(t, e, org, "Engineers")
	foreignOrg := newFeaturelessOrg(t, e)
	foreign := createRole(t, e, foreignOrg, "Foreign")
	e.do("POST", e.orgPath("roles/"+id+"/role_memberships/"), map[string]any{"user_uuid": m.User.UUID}).wantStatus(t, 201)
	path := e.orgPath("roles/" + id + "/role_memberships/")
	cases := []struct {
		name               string
		path               string
		body               any
		code, detail, attr string
	}{
		{"missing user_uuid", path, map[string]any{}, "required", store.MsgRequired, "user_uuid"},
		{"null user_uuid", path, map[string]any{"user_uuid": nil}, "null", store.MsgNull, "user_uuid"},
		{"not a uuid", path, map[string]any{"user_uuid": "abc"}, "invalid_input", store.MsgInvalidUUID, "user_uuid"},
		{"unknown user", path, map[string]any{"user_uuid": "019bc119-0000-7000-8000-00000000abcd"}, "invalid_input", "User does not exist.", ""},
		{"not a member", path, map[string]any{"user_uuid": outsider.User.UUID}, "invalid_input", "User does not exist.", ""},
		{"inactive member", path, map[string]any{"user_uuid": inactive.User.UUID}, "invalid_input", "User does not exist.", ""},
		{"already in the role", path, map[string]any{"user_uuid": m.User.UUID}, "invalid_input", "User is already part of the role.", ""},
		{"role of another organization", e.orgPath("roles/" + foreign + "/role_memberships/"), map[string]any{"user_uuid": m.User.UUID}, "invalid_input", "Role does not exist.", ""},
		{"unknown role", e.orgPath("roles/019bc119-0000-7000-8000-000000000009/role_memberships/"), map[string]any{"user_uuid": m.User.UUID}, "invalid_input", "Role does not exist.", ""},
		{"role id not a uuid", e.orgPath("roles/nope/role_memberships/"), map[string]any{"user_uuid": m.User.UUID}, "invalid_input", "Role does not exist.", ""},
		// The body is checked before the role.
		{"body before role", e.orgPath("roles/nope/role_memberships/"), map[string]any{}, "required", store.MsgRequired, "user_uuid"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.do("POST", c.path, c.body).wantError(t, 400, "validation_error", c.code, c.detail, c.attr)
		})
	}
	if n := e.do("GET", path, nil).get("count").Int(); n != 1 {
		t.Fatalf("failed creates left %d memberships", n)
	}
	if n := e.do("GET", "/api/organizations/"+foreignOrg+"/roles/"+foreign+"/role_memberships/", nil).get("count").Int(); n != 0 {
		t.Fatalf("the foreign role got %d memberships", n)
	}
}

func TestRoleMembershipListRetrieveDelete(t *testing.T) {
	e := newEnv(t)
	org := e.d.OrganizationID
	id := createRole(t, e, org, "Engineers")
	other := createRole(t, e, org, "Designers")
	var uuids, mids []string
	for _, email := range []string{"a@example.com", "b@example.com", "c@example.com"} {
		u := e.addMember(org, store.LevelMember, email).User.UUID
		uuids = append(uuids, u)
		mids = append(mids, e.do("POST", e.orgPath("roles/"+id+"/role_memberships/"), map[string]any{"user_uuid": u}).wantStatus(t, 201).get("id").String())
		e.clock.Advance(time.Second)
	}
	otherMid := e.do("POST", e.orgPath("roles/"+other+"/role_memberships/"), map[string]any{"user_uuid": uuids[0]}).wantStatus(t, 201).get("id").String()
	r := e.do("GET", e.orgPath("roles/"+id+"/role_memberships/"), nil).wantStatus(t, 200)
	if r.get("count").Int() != 3 || r.get("results.0.user.uuid").String() != uuids[0] || r.get("results.2.user.uuid").String() != uuids[2] {
		t.Fatalf("list (joining order) = %s", r.Body)
	}
	r = e.do("GET", e.orgPath("roles/"+id+"/role_memberships/?limit=1&offset=2"), nil).wantStatus(t, 200)
	if r.get("results.0.id").String() != mids[2] || r.get("next").Type.String() != "Null" {
		t.Fatalf("page = %s", r.Body)
	}
	// Roles that are not this organization's have no memberships to list.
	foreignOrg := newFeaturelessOrg(t, e)
	foreign := createRole(t, e, foreignOrg, "Foreign")
	for _, role := range []string{foreign, "019bc119-0000-7000-8000-000000000009", "nope"} {
		if r := e.do("GET", e.orgPath("roles/"+role+"/role_memberships/"), nil).wantStatus(t, 200); r.get("count").Int() != 0 {
			t.Fatalf("list of %s = %s", role, r.Body)
		}
	}
	// A membership is only found under its own role.
	e.do("GET", e.orgPath("roles/"+other+"/role_memberships/"+mids[0]+"/"), nil).wantError(t, 404, "invalid_request", "not_found", "Not found.", "")
	e.do("DELETE", e.orgPath("roles/"+other+"/role_memberships/"+mids[0]+"/"), nil).wantError(t, 404, "invalid_request", "not_found", "Not found.", "")
	e.do("GET", e.orgPath("roles/"+id+"/role_memberships/nope/"), nil).wantError(t, 404, "invalid_request", "not_found", "Not found.", "")
	e.do("GET", "/api/organizations/"+foreignOrg+"/roles/"+id+"/role_memberships/"+mids[0]+"/", nil).wantError(t, 404, "invalid_request", "not_found", "Not found.", "")
	// No update.
	for _, m := range []string{"PATCH", "PUT"} {
		e.do(m, e.orgPath("roles/"+id+"/role_memberships/"+mids[0]+"/"), map[string]any{}).wantError(t, 405, "invalid_request", "method_not_allowed", `Method "`+m+`" not allowed.`, "")
	}
	if r := e.do("DELETE", e.orgPath("roles/"+id+"/role_memberships/"+mids[1]+"/"), nil).wantStatus(t, 204); len(r.Body) != 0 {
		t.Fatalf("delete body = %q", r.Body)
	}
	e.do("GET", e.orgPath("roles/"+id+"/role_memberships/"+mids[1]+"/"), nil).wantStatus(t, 404)
	if n := e.do("GET", e.orgPath("roles/"+id+"/role_memberships/"), nil).get("count").Int(); n != 2 {
		t.Fatalf("count after delete = %d", n)
	}
	// The user can be added again; the other role's membership is untouched.
	e.do("POST", e.orgPath("roles/"+id+"/role_memberships/"), map[string]any{"user_uuid": uuids[1]}).wantStatus(t, 201)
	e.do("GET", e.orgPath("roles/"+other+"/role_memberships/"+otherMid+"/"), nil).wantStatus(t, 200)
}

func TestRoleMembershipPermissions(t *testing.T) {
	e := newEnv(t)
	org := e.d.OrganizationID
	m, admin, outsider, reader := e.permissionCast(org, "organization:read")
	id := createRole(t, e, org, "Engineers")
	list := e.orgPath("roles/" + id + "/role_memberships/")
	mid := e.do("POST", list, map[string]any{"user_uuid": m.User.UUID}, asKey(admin.Key)).wantStatus(t, 201).get("id").String()
	item := list + mid + "/"
	// Members read.
	e.do("GET", list, nil, asKey(m.Key)).wantStatus(t, 200)
	e.do("GET", item, nil, asSession(m.Session)).wantStatus(t, 200)
	e.do("GET", item, nil, asKey(reader.Key)).wantStatus(t, 200)
	// Writes need admin, the organization:write scope and membership.
	body := map[string]any{"user_uuid": admin.User.UUID}
	e.do("POST", list, body, asKey(m.Key)).wantError(t, 403, "authentication_error", "permission_denied", msgInsufficient, "")
	e.do("DELETE", item, nil, asKey(m.Key)).wantError(t, 403, "authentication_error", "permission_denied", msgInsufficient, "")
	e.do("POST", list, body, asKey(reader.Key)).wantError(t, 403, "authentication_error", "permission_denied", "API key missing required scope 'organization:write'", "")
	e.do("DELETE", item, nil, asKey(reader.Key)).wantError(t, 403, "authentication_error", "permission_denied", "API key missing required scope 'organization:write'", "")
	for _, c := range []struct {
		method, path string
		body         any
	}{{"GET", list, nil}, {"GET", item, nil}, {"POST", list, body}, {"DELETE", item, nil}} {
		e.do(c.method, c.path, c.body, asKey(outsider.Key)).wantError(t, 403, "authentication_error", "permission_denied", store.MsgNoPermission, "")
	}
	if n := e.do("GET", list, nil).get("count").Int(); n != 1 {
		t.Fatalf("refused writes changed the memberships: %d", n)
	}
	// Admins write, by key or session.
	e.do("POST", list, body, asSession(admin.Session)).wantStatus(t, 201)
	e.do("DELETE", item, nil, asKey(admin.Key)).wantStatus(t, 204)
}

func TestRoleMembershipGoesWithTheMember(t *testing.T) {
	e := newEnv(t)
	org := e.d.OrganizationID
	leaver := e.addMember(org, store.LevelMember, "leaver@example.com")
	removed := e.addMember(org, store.LevelMember, "removed@example.com")
	stays := e.addMember(org, store.LevelMember, "stays@example.com")
	// The leaver also belongs to another organization, where their role membership stays.
	otherOrg := newFeaturelessOrg(t, e)
	withWriteTx(e, func(tx *store.Tx) error {
		_, err := tx.AddMember(otherOrg, leaver.User.ID, store.NewMembership{Level: store.LevelMember})
		return err
	})
	otherRole := createRole(t, e, otherOrg, "Elsewhere")
	e.do("POST", "/api/organizations/"+otherOrg+"/roles/"+otherRole+"/role_memberships/", map[string]any{"user_uuid": leaver.User.UUID}).wantStatus(t, 201)
	a, b := createRole(t, e, org, "A"), createRole(t, e, org, "B")
	for _, role := range []string{a, b} {
		for _, u := range []member{leaver, removed, stays} {
			e.do("POST", e.orgPath("roles/"+role+"/role_memberships/"), map[string]any{"user_uuid": u.User.UUID}).wantStatus(t, 201)
		}
	}
	// Leaving, and being removed by an admin, both take the user out of every role.
	e.do("DELETE", e.orgPath("members/@me/"), nil, asKey(leaver.Key)).wantStatus(t, 204)
	e.do("DELETE", e.orgPath("members/"+removed.User.UUID+"/"), nil).wantStatus(t, 204)
	for _, role := range []string{a, b} {
		r := e.do("GET", e.orgPath("roles/"+role+"/role_memberships/"), nil).wantStatus(t, 200)
		if r.get("count").Int() != 1 || r.get("results.0.user.uuid").String() != stays.User.UUID {
			t.Fatalf("memberships of %s after the members left = %s", role, r.Body)
		}
		if n := len(e.do("GET", e.orgPath("roles/"+role+"/"), nil).get("members").Array()); n != 1 {
			t.Fatalf("role %s lists %d members", role, n)
		}
	}
	if n := e.do("GET", "/api/organizations/"+otherOrg+"/roles/"+otherRole+"/role_memberships/", nil).get("count").Int(); n != 1 {
		t.Fatalf("the membership in the other organization went too: %d", n)
	}
	// Rejoining does not restore them.
	withWriteTx(e, func(tx *store.Tx) error {
		_, err := tx.AddMember(org, removed.User.ID, store.NewMembership{Level: store.LevelMember})
		return err
	})
	if n := e.do("GET", e.orgPath("roles/"+a+"/role_memberships/"), nil).get("count").Int(); n != 1 {
		t.Fatalf("rejoining restored role memberships: %d", n)
	}
	// A deactivated member's role membership stays, with its organization member.
	withWriteTx(e, func(tx *store.Tx) error { tx.User(stays.User.ID).IsActive = false; return nil })
	r := e.do("GET", e.orgPath("roles/"+a+"/role_memberships/"), nil).wantStatus(t, 200)
	if r.get("count").Int() != 1 || r.get("results.0.organization_member.user.uuid").String() != stays.User.UUID {
		t.Fatalf("deactivated member's membership = %s", r.Body)
	}
}
