package fake

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fakehog/fakehog/fake/store"
)

func TestInviteCreate(t *testing.T) {
	e := newEnv(t)
	r := e.do("POST", e.orgPath("invites/"), map[string]any{"target_email": "Test.User@Example.COM", "first_name": "Test", "level": 8, "message": "hi"}).wantStatus(t, 201)
	if r.get("target_email").String() != "test.user@example.com" || r.get("level").Int() != 8 || r.get("is_expired").Bool() ||
		r.get("created_by.email").String() != e.d.UserEmail || !r.get("emailing_attempt_made").Bool() || r.get("private_project_access").Raw != "[]" {
		t.Fatalf("invite = %s", r.Body)
	}
	// One invite per email: a second invite replaces the first.
	e.do("POST", e.orgPath("invites/"), map[string]any{"target_email": "test.user@example.com", "send_email": false}).wantStatus(t, 201)
	list := e.do("GET", e.orgPath("invites/"), nil)
	if list.get("count").Int() != 1 || list.get("results.0.level").Int() != 1 || list.get("results.0.emailing_attempt_made").Bool() {
		t.Fatalf("invites after re-invite = %s", list.Body)
	}
}

func TestInviteValidation(t *testing.T) {
	e := newEnv(t)
	org := e.d.OrganizationID
	plain := e.addMember(org, store.LevelMember, "member@example.com")
	other := e.otherOrg()
	var otherProject int
	_ = e.srv.Store().Read(func(tx *store.Tx) error { otherProject = tx.Projects(other, "")[0].ID; return nil })
	// A private project (access_control) is open to organization admins only.
	private := e.do("POST", e.orgPath("projects/"), map[string]any{"name": "Private", "access_control": true}).wantStatus(t, 201).get("id").Int()

	cases := []struct {
		name         string
		key          string
		body         map[string]any
		status       int
		code, detail string
		attr         string
	}{
		{"missing email", "", map[string]any{}, 400, "required", store.MsgRequired, "target_email"},
		{"bad email", "", map[string]any{"target_email": "nope"}, 400, "invalid_input", store.MsgInvalidEmail, "target_email"},
		{"long first name", "", map[string]any{"target_email": "a@b.co", "first_name": strings.Repeat("f", 31)}, 400, "max_length", "Ensure this field has no more than 30 characters.", "first_name"},
		{"bad level", "", map[string]any{"target_email": "a@b.co", "level": 2}, 400, "invalid_choice", `"2" is not a valid choice.`, "level"},
		{"already a member", "", map[string]any{"target_email": "MEMBER@example.com"}, 400, "invalid_input", "A user with this email address already belongs to the organization.", ""},
		{"higher level than own", plain.Key, map[string]any{"target_email": "a@b.co", "level": 8}, 403, "permission_denied", "You cannot invite a user with a higher permission level than your own.", ""},
		{"project of another org", "", map[string]any{"target_email": "a@b.co", "private_project_access": []any{map[string]any{"id": otherProject, "level": "member"}}}, 400, "invalid_input", "Project does not exist on this organization, or it is private and you do not have access to it.", "private_project_access"},
		{"private project as member", plain.Key, map[string]any{"target_email": "a@b.co", "private_project_access": []any{map[string]any{"id": private, "level": "member"}}}, 400, "invalid_input", "Project does not exist on this organization, or it is private and you do not have access to it.", "private_project_access"},
		{"bad project level", "", map[string]any{"target_email": "a@b.co", "private_project_access": []any{map[string]any{"id": e.d.ProjectID, "level": "owner"}}}, 400, "invalid_input", `The "level" field must be a valid access level.`, "private_project_access"},
		{"project access checked before membership", "", map[string]any{"target_email": "member@example.com", "private_project_access": []any{map[string]any{"id": otherProject, "level": "member"}}}, 400, "invalid_input", "Project does not exist on this organization, or it is private and you do not have access to it.", "private_project_access"},
		{"higher level beats field errors", plain.Key, map[string]any{"target_email": "nope", "level": 8}, 403, "permission_denied", "You cannot invite a user with a higher permission level than your own.", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			key := c.key
			if key == "" {
				key = e.d.APIKey
			}
			typ := "validation_error"
			if c.status == 403 {
				typ = "authentication_error"
			}
			e.do("POST", e.orgPath("invites/"), c.body, asKey(key)).wantError(t, c.status, typ, c.code, c.detail, c.attr)
		})
	}
	if n := e.do("GET", e.orgPath("invites/"), nil).get("count").Int(); n != 0 {
		t.Errorf("failed creates left %d invites", n)
	}
	// A plain member may invite at their own level, and grant any access to projects that
	// are not private; an admin may grant access to private ones.
	e.do("POST", e.orgPath("invites/"), map[string]any{"target_email": "ok@b.co"}, asKey(plain.Key)).wantStatus(t, 201)
	r := e.do("POST", e.orgPath("invites/"), map[string]any{"target_email": "granted@b.co",
		"private_project_access": []any{map[string]any{"id": e.d.ProjectID, "level": "admin"}}}, asKey(plain.Key)).wantStatus(t, 201)
	if r.get("private_project_access.0.level").String() != "admin" {
		t.Errorf("granted access = %s", r.Body)
	}
	e.do("POST", e.orgPath("invites/"), map[string]any{"target_email": "private@b.co",
		"private_project_access": []any{map[string]any{"id": private, "level": "admin"}}}).wantStatus(t, 201)
}

func TestInviteExpiryAndCombine(t *testing.T) {
	e := newEnv(t)
	e.do("POST", e.orgPath("invites/"), map[string]any{"target_email": "x@example.com", "level": 8,
		"private_project_access": []any{map[string]any{"id": e.d.ProjectID, "level": "admin"}}}).wantStatus(t, 201)
	e.clock.Advance(3*24*time.Hour - time.Second)
	if e.do("GET", e.orgPath("invites/"), nil).get("results.0.is_expired").Bool() {
		t.Fatal("invite expired before 3 days")
	}
	// combine_pending_invites keeps the highest level and merges project access.
	r := e.do("POST", e.orgPath("invites/"), map[string]any{"target_email": "x@example.com", "level": 1, "combine_pending_invites": true}).wantStatus(t, 201)
	if r.get("level").Int() != 8 || r.get("private_project_access.0.level").String() != "admin" {
		t.Fatalf("combined invite = %s", r.Body)
	}
	e.clock.Advance(3*24*time.Hour + time.Second)
	if !e.do("GET", e.orgPath("invites/"), nil).get("results.0.is_expired").Bool() {
		t.Fatal("invite not expired after 3 days")
	}
	// An expired invite is not combined.
	r = e.do("POST", e.orgPath("invites/"), map[string]any{"target_email": "x@example.com", "combine_pending_invites": true}).wantStatus(t, 201)
	if r.get("level").Int() != 1 {
		t.Fatalf("expired invite was combined: %s", r.Body)
	}
}

func TestInviteDelete(t *testing.T) {
	e := newEnv(t)
	plain := e.addMember(e.d.OrganizationID, store.LevelMember, "member@example.com")
	id := e.do("POST", e.orgPath("invites/"), map[string]any{"target_email": "x@example.com"}).wantStatus(t, 201).get("id").String()
	e.do("DELETE", e.orgPath("invites/"+id+"/"), nil, asKey(plain.Key)).wantError(t, 403, "authentication_error", "permission_denied", store.MsgAccessInsufficient, "")
	e.do("GET", e.orgPath("invites/"+id+"/"), nil).wantStatus(t, 405)
	e.do("DELETE", e.orgPath("invites/"+id+"/"), nil).wantStatus(t, 204)
	e.do("DELETE", e.orgPath("invites/"+id+"/"), nil).wantError(t, 404, "invalid_request", "not_found", "Not found.", "")
	if n := e.do("GET", e.orgPath("invites/"), nil).get("count").Int(); n != 0 {
		t.Errorf("invites after delete = %d", n)
	}
}

func TestInviteBulk(t *testing.T) {
	e := newEnv(t)
	plain := e.addMember(e.d.OrganizationID, store.LevelMember, "member@example.com")
	path := e.orgPath("invites/bulk/")
	e.do("POST", path, map[string]any{"target_email": "a@b.co"}).wantError(t, 400, "validation_error", "invalid_input", "This endpoint needs an array of data for bulk invite creation.", "")
	many := make([]any, 21)
	for i := range many {
		many[i] = map[string]any{"target_email": fmt.Sprintf("u%d@example.com", i)}
	}
	e.do("POST", path, many).wantError(t, 400, "validation_error", "max_length", "A maximum of 20 invites can be sent in a single request.", "")
	// All or nothing: one bad item, nothing created.
	e.do("POST", path, []any{map[string]any{"target_email": "good@example.com"}, map[string]any{"target_email": "bad"}}).
		wantError(t, 400, "validation_error", "invalid_input", store.MsgInvalidEmail, "__1__target_email")
	e.do("POST", path, []any{map[string]any{"target_email": "good@example.com"}, map[string]any{"target_email": "boss@example.com", "level": 8}}, asKey(plain.Key)).
		wantError(t, 403, "authentication_error", "permission_denied", "You cannot invite a user with a higher permission level than your own.", "")
	if n := e.do("GET", e.orgPath("invites/"), nil).get("count").Int(); n != 0 {
		t.Fatalf("a failed bulk left %d invites", n)
	}
	r := e.do("POST", path, many[:20]).wantStatus(t, 201)
	if !r.JSON.IsArray() || len(r.JSON.Array()) != 20 || r.get("0.target_email").String() != "u0@example.com" || r.get("19.target_email").String() != "u19@example.com" {
		t.Fatalf("bulk answer = %s", truncate(r.Body))
	}
	if n := e.do("GET", e.orgPath("invites/"), nil).get("count").Int(); n != 20 {
		t.Errorf("invites after bulk = %d", n)
	}
}

func TestInviteDelegate(t *testing.T) {
	e := newEnv(t)
	path := e.orgPath("invites/delegate/")
	e.do("POST", path, map[string]any{}).wantError(t, 400, "validation_error", "required", store.MsgRequired, "target_email")
	e.do("POST", path, map[string]any{"target_email": "x@example.com", "message": strings.Repeat("m", 1001)}).
		wantError(t, 400, "validation_error", "max_length", "Ensure this field has no more than 1000 characters.", "message")
	r := e.do("POST", path, map[string]any{"target_email": "Setup@Example.com", "message": "please", "step_at_delegation": "install"}).wantStatus(t, 201)
	if r.get("level").Int() != 8 || r.get("target_email").String() != "setup@example.com" {
		t.Fatalf("delegate = %s", r.Body)
	}
	r = e.do("POST", path, map[string]any{"target_email": "setup@example.com"})
	r.wantError(t, 400, "validation_error", "existing_invite", "A setup delegation invite has already been sent to this email address.", "")
}

// TestInviteBulkItemErrors: a bulk request's validation errors name their item as
// drf-exceptions-hog flattens a list serializer's errors; a higher level anywhere stops the
// batch with 403 even after an invalid item; an existing member is the create's own error.
func TestInviteBulkItemErrors(t *testing.T) {
	e := newEnv(t)
	plain := e.addMember(e.d.OrganizationID, store.LevelMember, "member@example.com")
	path := e.orgPath("invites/bulk/")
	ok := map[string]any{"target_email": "ok@example.com"}
	cases := []struct {
		name               string
		body               []any
		code, detail, attr string
	}{
		{"first item", []any{map[string]any{"target_email": ""}, ok}, "blank", store.MsgBlank, "__0__target_email"},
		{"not an object", []any{ok, "x@example.com"}, "invalid_input", "Invalid data. Expected a dictionary, but got str.", "__1__non_field_errors"},
		{"project access", []any{ok, ok, map[string]any{"target_email": "p@example.com", "private_project_access": []any{map[string]any{"id": 999, "level": "member"}}}},
			"invalid_input", "Project does not exist on this organization, or it is private and you do not have access to it.", "__2__private_project_access"},
		{"the first failing item wins", []any{ok, map[string]any{"target_email": "a@example.com", "level": 2}, map[string]any{}}, "invalid_choice", `"2" is not a valid choice.`, "__1__level"},
		{"existing member", []any{ok, map[string]any{"target_email": "MEMBER@example.com"}}, "invalid_input", "A user with this email address already belongs to the organization.", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.do("POST", path, c.body).wantError(t, 400, "validation_error", c.code, c.detail, c.attr)
		})
	}
	e.do("POST", path, []any{map[string]any{"target_email": "bad"}, map[string]any{"target_email": "boss@example.com", "level": 8}}, asKey(plain.Key)).
		wantError(t, 403, "authentication_error", "permission_denied", "You cannot invite a user with a higher permission level than your own.", "")
	if n := e.do("GET", e.orgPath("invites/"), nil).get("count").Int(); n != 0 {
		t.Fatalf("failed bulks left %d invites", n)
	}
	r := e.do("POST", path, []any{}).wantStatus(t, 201)
	if r.JSON.Raw != "[]" {
		t.Errorf("empty bulk = %s", r.Body)
	}
}

// TestInviteMembersCanInvite: with the invite settings feature, members below admin may
// invite only while members_can_invite is true (null counts as false); the check is a
// permission, so it comes before the body is looked at.
func TestInviteMembersCanInvite(t *testing.T) {
	e := newEnv(t)
	plain := e.addMember(e.d.OrganizationID, store.LevelMember, "member@example.com")
	admin := e.addMember(e.d.OrganizationID, store.LevelAdmin, "admin@example.com")
	for _, setting := range []any{false, nil} {
		e.do("PATCH", "/api/organizations/@current/", map[string]any{"members_can_invite": setting}).wantStatus(t, 200)
		e.do("POST", e.orgPath("invites/"), map[string]any{"target_email": "not an email"}, asKey(plain.Key)).
			wantError(t, 403, "authentication_error", "permission_denied", store.MsgNoPermission, "")
		e.do("POST", e.orgPath("invites/bulk/"), map[string]any{}, asKey(plain.Key)).
			wantError(t, 403, "authentication_error", "permission_denied", store.MsgNoPermission, "")
		e.do("POST", e.orgPath("invites/"), map[string]any{"target_email": "by-admin@example.com"}, asKey(admin.Key)).wantStatus(t, 201)
		e.do("GET", e.orgPath("invites/"), nil, asKey(plain.Key)).wantStatus(t, 200)
	}
	e.do("PATCH", "/api/organizations/@current/", map[string]any{"members_can_invite": true}).wantStatus(t, 200)
	e.do("POST", e.orgPath("invites/"), map[string]any{"target_email": "by-member@example.com"}, asKey(plain.Key)).wantStatus(t, 201)

	// Without the feature the setting is ignored.
	free := e.do("POST", "/api/organizations/", map[string]any{"name": "Free"}).wantStatus(t, 201).get("id").String()
	withWriteTx(e, func(tx *store.Tx) error {
		no := false
		tx.Org(free).MembersCanInvite = &no
		_, err := tx.AddMember(free, plain.User.ID, store.NewMembership{Level: store.LevelMember})
		return err
	})
	e.do("POST", "/api/organizations/"+free+"/invites/", map[string]any{"target_email": "x@example.com"}, asKey(plain.Key)).wantStatus(t, 201)
}

// TestInviteListAndDefaults: invites list newest first, expired ones included; a bare
// invite gets PostHog's defaults.
func TestInviteListAndDefaults(t *testing.T) {
	e := newEnv(t)
	r := e.do("POST", e.orgPath("invites/"), map[string]any{"target_email": "old@example.com"}).wantStatus(t, 201)
	for field, raw := range map[string]string{"first_name": `""`, "level": "1", "message": "null", "private_project_access": "[]", "is_expired": "false"} {
		if got := r.get(field).Raw; got != raw {
			t.Errorf("%s = %s, want %s", field, got, raw)
		}
	}
	e.clock.Advance(4 * 24 * time.Hour)
	e.do("POST", e.orgPath("invites/"), map[string]any{"target_email": "new@example.com"}).wantStatus(t, 201)
	list := e.do("GET", e.orgPath("invites/"), nil).wantStatus(t, 200)
	if list.get("count").Int() != 2 || list.get("results.0.target_email").String() != "new@example.com" ||
		!list.get("results.1.is_expired").Bool() || list.get("results.0.is_expired").Bool() {
		t.Errorf("invites = %s", truncate(list.Body))
	}
}
