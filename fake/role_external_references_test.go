package fake

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fakehog/fakehog/fake/store"
)

// refBody is a valid role external reference create body for role.
func refBody(role string, overrides map[string]any) map[string]any {
	b := map[string]any{"provider": "github", "provider_organization_id": "PostHog", "provider_role_id": "12345",
		"provider_role_slug": "frontend-team", "provider_role_name": "Frontend Team", "role": role}
	for k, v := range overrides {
		if v == nil {
			delete(b, k)
		} else {
			b[k] = v
		}
	}
	return b
}

type nullValue struct{}

// null sends an explicit JSON null in refBody overrides (nil removes the key).
var null = nullValue{}

func (nullValue) MarshalJSON() ([]byte, error) { return []byte("null"), nil }

func TestRoleExternalReferenceCreate(t *testing.T) {
	e := newEnv(t)
	role := createRole(t, e, e.d.OrganizationID, "Frontend")
	r := e.do("POST", e.orgPath("role_external_references/"), refBody(strings.ToUpper(role), map[string]any{"id": "x", "created_at": "2020-01-01T00:00:00Z"})).wantStatus(t, 201)
	if !store.IsUUID(r.get("id").String()) || r.get("provider").String() != "github" || r.get("provider_organization_id").String() != "PostHog" ||
		r.get("provider_role_id").String() != "12345" || r.get("provider_role_slug").String() != "frontend-team" ||
		r.get("provider_role_name").String() != "Frontend Team" || r.get("role").String() != role ||
		r.get("created_at").String() != "2026-01-15T10:00:00Z" || r.get("created_by.email").String() != e.d.UserEmail {
		t.Fatalf("created = %s", r.Body)
	}
	// The slug is optional and nullable.
	r = e.do("POST", e.orgPath("role_external_references/"), refBody(role, map[string]any{"provider_role_id": "2", "provider_role_slug": nil})).wantStatus(t, 201)
	if r.get("provider_role_slug").Type.String() != "Null" {
		t.Fatalf("slug = %s", r.get("provider_role_slug").Raw)
	}
	r = e.do("POST", e.orgPath("role_external_references/"), refBody(role, map[string]any{"provider_role_id": "3", "provider_role_slug": null})).wantStatus(t, 201)
	if r.get("provider_role_slug").Type.String() != "Null" {
		t.Fatalf("slug = %s", r.get("provider_role_slug").Raw)
	}
	if n := e.do("GET", e.orgPath("role_external_references/"), nil).get("count").Int(); n != 3 {
		t.Fatalf("count = %d", n)
	}
}

func TestRoleExternalReferenceValidation(t *testing.T) {
	e := newEnv(t)
	role := createRole(t, e, e.d.OrganizationID, "Frontend")
	foreign := createRole(t, e, newFeaturelessOrg(t, e), "Foreign")
	e.do("POST", e.orgPath("role_external_references/"), refBody(role, nil)).wantStatus(t, 201)
	const missing = "019bc119-0000-7000-8000-000000000009"
	cases := []fieldCase{
		{"missing provider", refBody(role, map[string]any{"provider": nil}), "required", store.MsgRequired, "provider"},
		{"blank provider", refBody(role, map[string]any{"provider": " "}), "blank", store.MsgBlank, "provider"},
		{"long provider", refBody(role, map[string]any{"provider": strings.Repeat("p", 33)}), "max_length", store.MsgMaxLen(32), "provider"},
		{"missing provider organization", refBody(role, map[string]any{"provider_organization_id": nil}), "required", store.MsgRequired, "provider_organization_id"},
		{"long provider organization", refBody(role, map[string]any{"provider_organization_id": strings.Repeat("o", 256)}), "max_length", store.MsgMaxLen(255), "provider_organization_id"},
		{"missing provider role id", refBody(role, map[string]any{"provider_role_id": nil}), "required", store.MsgRequired, "provider_role_id"},
		{"null provider role id", refBody(role, map[string]any{"provider_role_id": null}), "null", store.MsgNull, "provider_role_id"},
		{"long slug", refBody(role, map[string]any{"provider_role_slug": strings.Repeat("s", 256)}), "max_length", store.MsgMaxLen(255), "provider_role_slug"},
		{"missing provider role name", refBody(role, map[string]any{"provider_role_name": nil}), "required", store.MsgRequired, "provider_role_name"},
		{"missing role", refBody(role, map[string]any{"role": nil}), "required", store.MsgRequired, "role"},
		{"null role", refBody(role, map[string]any{"role": null}), "null", store.MsgNull, "role"},
		{"blank role", refBody(role, map[string]any{"role": ""}), "null", store.MsgNull, "role"},
		{"role not a uuid", refBody(role, map[string]any{"role": "abc"}), "invalid_input", "\u201cabc\u201d is not a valid UUID.", "role"},
		{"role a list", refBody(role, map[string]any{"role": []any{"a", 1}}), "invalid_input", "\u201c['a', 1]\u201d is not a valid UUID.", "role"},
		{"role a boolean", refBody(role, map[string]any{"role": true}), "incorrect_type", "Incorrect type. Expected pk value, received bool.", "role"},
		{"role a number", refBody(role, map[string]any{"role": 5}), "does_not_exist", `Invalid pk "5" - object does not exist.`, "role"},
		{"unknown role", refBody(role, map[string]any{"role": missing}), "does_not_exist", `Invalid pk "` + missing + `" - object does not exist.`, "role"},
		{"role of another organization", refBody(role, map[string]any{"role": foreign}), "does_not_exist", `Invalid pk "` + foreign + `" - object does not exist.`, "role"},
		// Fields are checked in the serializer's order.
		{"first field first", refBody(role, map[string]any{"provider": nil, "role": "abc"}), "required", store.MsgRequired, "provider"},
		// Uniqueness within provider and provider organization (ignoring its case).
		{"same slug", refBody(role, map[string]any{"provider_role_id": "other", "provider_organization_id": "posthog", "provider_role_slug": "FRONTEND-TEAM"}),
			"invalid_input", "A role external reference with this provider, organization, and role slug already exists.", ""},
		{"same role id", refBody(role, map[string]any{"provider_role_slug": "other"}),
			"invalid_input", "A role external reference with this provider, organization, and role ID already exists.", ""},
		{"slug checked before id", refBody(role, nil),
			"invalid_input", "A role external reference with this provider, organization, and role slug already exists.", ""},
		{"not an object", "[]", "invalid_input", "Invalid data. Expected a dictionary, but got list.", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.do("POST", e.orgPath("role_external_references/"), c.body).wantError(t, 400, "validation_error", c.code, c.detail, c.attr)
		})
	}
	if n := e.do("GET", e.orgPath("role_external_references/"), nil).get("count").Int(); n != 1 {
		t.Fatalf("failed creates left %d references", n)
	}
	// Another provider, or another provider organization, is another namespace; the role id
	// check ignores case.
	e.do("POST", e.orgPath("role_external_references/"), refBody(role, map[string]any{"provider": "GitHub"})).wantStatus(t, 201)
	e.do("POST", e.orgPath("role_external_references/"), refBody(role, map[string]any{"provider_organization_id": "other"})).wantStatus(t, 201)
	withID := refBody(role, map[string]any{"provider": "linear", "provider_role_id": "abc-DEF", "provider_role_slug": nil})
	e.do("POST", e.orgPath("role_external_references/"), withID).wantStatus(t, 201)
	e.do("POST", e.orgPath("role_external_references/"), refBody(role, map[string]any{"provider": "linear", "provider_role_id": "ABC-def", "provider_role_slug": nil})).
		wantError(t, 400, "validation_error", "invalid_input", "A role external reference with this provider, organization, and role ID already exists.", "")
	// Null slugs never collide; blank slugs collide on the database constraint.
	e.do("POST", e.orgPath("role_external_references/"), refBody(role, map[string]any{"provider": "linear", "provider_role_id": "2", "provider_role_slug": nil})).wantStatus(t, 201)
	e.do("POST", e.orgPath("role_external_references/"), refBody(role, map[string]any{"provider": "linear", "provider_role_id": "3", "provider_role_slug": ""})).wantStatus(t, 201)
	e.do("POST", e.orgPath("role_external_references/"), refBody(role, map[string]any{"provider": "linear", "provider_role_id": "4", "provider_role_slug": "  "})).
		wantError(t, 400, "validation_error", "invalid_input", "A role external reference with this provider, organization, and role identifier already exists.", "")
	// Another organization has its own namespace.
	foreignOrg := e.do("GET", "/api/organizations/", nil).get("results.1.id").String()
	e.do("POST", "/api/organizations/"+foreignOrg+"/role_external_references/", refBody(foreign, nil)).wantStatus(t, 201)
}

func TestRoleExternalReferenceList(t *testing.T) {
	e := newEnv(t)
	a := createRole(t, e, e.d.OrganizationID, "A")
	b := createRole(t, e, e.d.OrganizationID, "B")
	create := func(role string, o map[string]any) string {
		t.Helper()
		e.clock.Advance(time.Second)
		return e.do("POST", e.orgPath("role_external_references/"), refBody(role, o)).wantStatus(t, 201).get("id").String()
	}
	slack := create(a, map[string]any{"provider": "slack", "provider_organization_id": "T1", "provider_role_id": "C1", "provider_role_slug": "eng"})
	ghNull := create(b, map[string]any{"provider_role_id": "3", "provider_role_slug": nil})
	ghZ := create(a, map[string]any{"provider_role_id": "1", "provider_role_slug": "zeta"})
	ghA := create(b, map[string]any{"provider_role_id": "2", "provider_role_slug": "alpha"})
	ghOther := create(a, map[string]any{"provider_organization_id": "Acme", "provider_role_id": "9", "provider_role_slug": "x"})
	foreignOrg := newFeaturelessOrg(t, e)
	e.do("POST", "/api/organizations/"+foreignOrg+"/role_external_references/", refBody(createRole(t, e, foreignOrg, "F"), nil)).wantStatus(t, 201)
	ids := func(path string) []string {
		t.Helper()
		r := e.do("GET", e.orgPath(path), nil).wantStatus(t, 200)
		var out []string
		for _, x := range r.get("results.#.id").Array() {
			out = append(out, x.String())
		}
		if int(r.get("count").Int()) != len(out) {
			t.Fatalf("count %d, %d results", r.get("count").Int(), len(out))
		}
		return out
	}
	check := func(path string, want ...string) {
		t.Helper()
		if got := ids(path); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s = %v, want %v", path, got, want)
		}
	}
	// Ordered by provider, provider organization id, slug (none last).
	check("role_external_references/", ghOther, ghA, ghZ, ghNull, slack)
	check("role_external_references/?provider=github", ghOther, ghA, ghZ, ghNull)
	check("role_external_references/?provider=GitHub")
	check("role_external_references/?provider_organization_id=posthog", ghA, ghZ, ghNull)
	check("role_external_references/?role_id="+b, ghA, ghNull)
	check("role_external_references/?role_id="+strings.ToUpper(a)+"&provider=slack", slack)
	check("role_external_references/?role_id=nope")
	check("role_external_references/?provider=", ghOther, ghA, ghZ, ghNull, slack)
	r := e.do("GET", e.orgPath("role_external_references/?limit=2&offset=2"), nil).wantStatus(t, 200)
	if r.get("count").Int() != 5 || r.get("results.0.id").String() != ghZ || r.get("next").Type.String() == "Null" {
		t.Fatalf("page = %s", r.Body)
	}
}

func TestRoleExternalReferenceDelete(t *testing.T) {
	e := newEnv(t)
	role := createRole(t, e, e.d.OrganizationID, "A")
	id := e.do("POST", e.orgPath("role_external_references/"), refBody(role, nil)).wantStatus(t, 201).get("id").String()
	foreignOrg := newFeaturelessOrg(t, e)
	foreignID := e.do("POST", "/api/organizations/"+foreignOrg+"/role_external_references/", refBody(createRole(t, e, foreignOrg, "F"), nil)).wantStatus(t, 201).get("id").String()
	e.do("DELETE", e.orgPath("role_external_references/"+foreignID+"/"), nil).wantError(t, 404, "invalid_request", "not_found", "Not found.", "")
	e.do("DELETE", e.orgPath("role_external_references/nope/"), nil).wantError(t, 404, "invalid_request", "not_found", "Not found.", "")
	// No retrieve, no update.
	for _, m := range []string{"GET", "PATCH", "PUT"} {
		e.do(m, e.orgPath("role_external_references/"+id+"/"), map[string]any{}).wantError(t, 405, "invalid_request", "method_not_allowed", `Method "`+m+`" not allowed.`, "")
	}
	if r := e.do("DELETE", e.orgPath("role_external_references/"+id+"/"), nil).wantStatus(t, 204); len(r.Body) != 0 {
		t.Fatalf("delete body = %q", r.Body)
	}
	e.do("DELETE", e.orgPath("role_external_references/"+id+"/"), nil).wantStatus(t, 404)
	if n := e.do("GET", e.orgPath("role_external_references/"), nil).get("count").Int(); n != 0 {
		t.Fatalf("count after delete = %d", n)
	}
	// The identifiers are free again.
	e.do("POST", e.orgPath("role_external_references/"), refBody(role, nil)).wantStatus(t, 201)
	if n := e.do("GET", "/api/organizations/"+foreignOrg+"/role_external_references/", nil).get("count").Int(); n != 1 {
		t.Fatalf("the other organization's reference went: %d", n)
	}
}

func TestRoleExternalReferenceLookup(t *testing.T) {
	e := newEnv(t)
	role := createRole(t, e, e.d.OrganizationID, "A")
	id := e.do("POST", e.orgPath("role_external_references/"), refBody(role, nil)).wantStatus(t, 201).get("id").String()
	foreignOrg := newFeaturelessOrg(t, e)
	e.do("POST", "/api/organizations/"+foreignOrg+"/role_external_references/", refBody(createRole(t, e, foreignOrg, "F"), map[string]any{"provider_role_id": "777"})).wantStatus(t, 201)
	lookup := func(q url.Values) *resp {
		t.Helper()
		return e.do("GET", e.orgPath("role_external_references/lookup/?"+q.Encode()), nil, asSession(e.d.Session))
	}
	q := func(kv ...string) url.Values {
		v := url.Values{}
		for i := 0; i < len(kv); i += 2 {
			v.Add(kv[i], kv[i+1])
		}
		return v
	}
	found := []url.Values{
		q("provider", "github", "provider_organization_id", "posthog", "provider_role_slug", "FRONTEND-team"),
		q("provider", "github", "provider_organization_id", "POSTHOG", "provider_role_id", "12345"),
		q("provider", "github", "provider_organization_id", "PostHog", "provider_role_slug", "nope", "provider_role_id", "12345"),
		q("provider", " github ", "provider_organization_id", "PostHog", "provider_role_slug", " frontend-team "),
	}
	for _, v := range found {
		r := lookup(v).wantStatus(t, 200)
		if r.get("reference.id").String() != id || r.get("reference.role").String() != role || r.get("reference.created_by.email").String() != e.d.UserEmail {
			t.Fatalf("lookup %s = %s", v.Encode(), r.Body)
		}
	}
	notFound := []url.Values{
		q("provider", "GitHub", "provider_organization_id", "PostHog", "provider_role_id", "12345"),
		q("provider", "github", "provider_organization_id", "Other", "provider_role_id", "12345"),
		q("provider", "github", "provider_organization_id", "PostHog", "provider_role_slug", "backend"),
		// Another organization's reference is not found here.
		q("provider", "github", "provider_organization_id", "PostHog", "provider_role_id", "777"),
	}
	for _, v := range notFound {
		r := lookup(v).wantStatus(t, 200)
		if r.get("reference").Type.String() != "Null" || !r.get("reference").Exists() {
			t.Fatalf("lookup %s = %s", v.Encode(), r.Body)
		}
	}
	errs := []struct {
		q                  url.Values
		code, detail, attr string
	}{
		{q(), "required", store.MsgRequired, "provider"},
		{q("provider", "github"), "required", store.MsgRequired, "provider_organization_id"},
		{q("provider", "", "provider_organization_id", "x", "provider_role_id", "1"), "blank", store.MsgBlank, "provider"},
		{q("provider", "github", "provider_organization_id", "x"), "invalid_input", "Either provider_role_slug or provider_role_id must be provided.", ""},
		{q("provider", "github", "provider_organization_id", "x", "provider_role_slug", "", "provider_role_id", "1"), "blank", store.MsgBlank, "provider_role_slug"},
	}
	for _, c := range errs {
		lookup(c.q).wantError(t, 400, "validation_error", c.code, c.detail, c.attr)
	}
	// A repeated parameter counts with its last value, as Django's QueryDict has it.
	if r := lookup(q("provider", "slack", "provider", "github", "provider_organization_id", "posthog", "provider_role_id", "12345")).wantStatus(t, 200); r.get("reference.id").String() != id {
		t.Fatalf("repeated parameter lookup = %s", r.Body)
	}
	// Session only: personal API keys are refused; any member may look up.
	e.do("GET", e.orgPath("role_external_references/lookup/?"+found[0].Encode()), nil).
		wantError(t, 403, "authentication_error", "permission_denied", "This action does not support personal API key access", "")
	m := e.addMember(e.d.OrganizationID, store.LevelMember, "member@example.com")
	if r := e.do("GET", e.orgPath("role_external_references/lookup/?"+found[0].Encode()), nil, asSession(m.Session)).wantStatus(t, 200); r.get("reference.id").String() != id {
		t.Fatalf("member lookup = %s", r.Body)
	}
}

func TestRoleExternalReferencePermissions(t *testing.T) {
	e := newEnv(t)
	org := e.d.OrganizationID
	m, admin, outsider, reader := e.permissionCast(org, "organization:read")
	role := createRole(t, e, org, "A")
	list := e.orgPath("role_external_references/")
	r := e.do("POST", list, refBody(role, nil), asKey(admin.Key)).wantStatus(t, 201)
	if r.get("created_by.email").String() != "admin@example.com" {
		t.Fatalf("created_by = %s", r.get("created_by").Raw)
	}
	item := list + r.get("id").String() + "/"
	body := refBody(role, map[string]any{"provider_role_id": "2", "provider_role_slug": "two"})
	e.do("GET", list, nil, asKey(m.Key)).wantStatus(t, 200)
	e.do("GET", list, nil, asKey(reader.Key)).wantStatus(t, 200)
	e.do("POST", list, body, asKey(m.Key)).wantError(t, 403, "authentication_error", "permission_denied", msgInsufficient, "")
	e.do("DELETE", item, nil, asSession(m.Session)).wantError(t, 403, "authentication_error", "permission_denied", msgInsufficient, "")
	e.do("POST", list, body, asKey(reader.Key)).wantError(t, 403, "authentication_error", "permission_denied", "API key missing required scope 'organization:write'", "")
	e.do("GET", list, nil, asKey(outsider.Key)).wantError(t, 403, "authentication_error", "permission_denied", store.MsgNoPermission, "")
	e.do("DELETE", item, nil, asKey(outsider.Key)).wantError(t, 403, "authentication_error", "permission_denied", store.MsgNoPermission, "")
	if n := e.do("GET", list, nil).get("count").Int(); n != 1 {
		t.Fatalf("refused writes changed the references: %d", n)
	}
	e.do("POST", list, body, asSession(admin.Session)).wantStatus(t, 201)
	e.do("DELETE", item, nil, asKey(admin.Key)).wantStatus(t, 204)
}
