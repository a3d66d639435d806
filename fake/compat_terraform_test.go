package fake

import (
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/fakehog/fakehog/fake/store"
	"github.com/tidwall/gjson"
)

// Compatibility with PostHog's Terraform provider (PostHog/terraform-provider-posthog; the
// version read is named in testdata/SOURCES.md). These tests replay, with fakehog's own code,
// the request sequences the provider's organization-scoped resources and data sources make
// (create, read, update, import by id, delete, recreate) and decode every answer into types
// declared field for field as the provider declares its API types. A field fakehog answers
// with another JSON type than the provider's Go type (an object where it has a *string)
// fails here exactly as it fails in the provider. Every request also goes through the
// harness, so every answer is checked against PostHog's OpenAPI reference too.

// The provider's API types, as declared in its internal/httpclient package (json.Unmarshal
// ignores the fields it does not declare; non-pointer fields must be present and non-null
// for the provider to have a value: tfDecode checks that too).

type tfOrganization struct {
	ID   string `json:"id"`
	Slug string `json:"slug"`
	Name string `json:"name"`
}

type tfPage[T any] struct {
	Results []T     `json:"results"`
	Next    *string `json:"next,omitempty"`
}

type tfProject struct {
	ID             int64   `json:"id"`
	Name           *string `json:"name,omitempty"`
	OrganizationID *string `json:"organization,omitempty"`
	APIToken       *string `json:"api_token,omitempty"`
	Timezone       *string `json:"timezone,omitempty"`
}

type tfProjectRequest struct {
	Name     *string `json:"name,omitempty"`
	Timezone *string `json:"timezone,omitempty"`
}

type tfRole struct {
	ID        string  `json:"id"`
	Name      string  `json:"name"`
	CreatedAt *string `json:"created_at,omitempty"`
	CreatedBy *string `json:"created_by,omitempty"`
}

type tfRoleRequest struct {
	Name string `json:"name"`
}

type tfRoleMembershipUser struct {
	UUID  string  `json:"uuid"`
	Email *string `json:"email,omitempty"`
}

type tfRoleMembership struct {
	ID       string                `json:"id"`
	RoleID   string                `json:"role_id"`
	User     *tfRoleMembershipUser `json:"user,omitempty"`
	JoinedAt *string               `json:"joined_at,omitempty"`
}

type tfRoleMembershipRequest struct {
	UserUUID string `json:"user_uuid"`
}

type tfOrganizationMemberUser struct {
	UUID            string  `json:"uuid"`
	Email           *string `json:"email,omitempty"`
	FirstName       *string `json:"first_name,omitempty"`
	LastName        *string `json:"last_name,omitempty"`
	IsEmailVerified *bool   `json:"is_email_verified,omitempty"`
}

type tfOrganizationMember struct {
	ID           string                    `json:"id"`
	User         *tfOrganizationMemberUser `json:"user,omitempty"`
	Level        *int                      `json:"level,omitempty"`
	JoinedAt     *string                   `json:"joined_at,omitempty"`
	Is2FAEnabled *bool                     `json:"is_2fa_enabled,omitempty"`
}

type tfOrganizationMemberRequest struct {
	Level *int `json:"level,omitempty"`
}

type tfProxyRecord struct {
	ID          string  `json:"id"`
	Domain      string  `json:"domain"`
	TargetCNAME string  `json:"target_cname"`
	Status      string  `json:"status"`
	Message     *string `json:"message,omitempty"`
	CreatedAt   *string `json:"created_at,omitempty"`
	UpdatedAt   *string `json:"updated_at,omitempty"`
	CreatedBy   *int64  `json:"created_by,omitempty"`
}

type tfProxyRecordRequest struct {
	Domain string `json:"domain"`
}

type tfProxyRecordListResponse struct {
	MaxProxyRecords *int64          `json:"max_proxy_records,omitempty"`
	Results         []tfProxyRecord `json:"results"`
}

type tfEnvironment struct {
	ID                         int64     `json:"id"`
	HeatmapsOptIn              *bool     `json:"heatmaps_opt_in,omitempty"`
	AutocaptureExceptionsOptIn *bool     `json:"autocapture_exceptions_opt_in,omitempty"`
	SessionRecordingOptIn      *bool     `json:"session_recording_opt_in,omitempty"`
	SurveysOptIn               *bool     `json:"surveys_opt_in,omitempty"`
	CookielessServerHashMode   *int64    `json:"cookieless_server_hash_mode,omitempty"`
	AutocaptureWebVitalsOptIn  *bool     `json:"autocapture_web_vitals_opt_in,omitempty"`
	AppURLs                    *[]string `json:"app_urls,omitempty"`
	RecordingDomains           *[]string `json:"recording_domains,omitempty"`
}

// tfClient makes the provider's calls through the harness. Like the provider's client it
// sends JSON with the owner's personal API key; unlike it, it asserts the exact status
// PostHog answers each call with.
type tfClient struct {
	t *testing.T
	e *env
	// orgs caches resolved organization identifiers, as the provider's client does.
	orgs map[string]string
}

func newTFClient(t *testing.T, e *env) *tfClient {
	return &tfClient{t: t, e: e, orgs: map[string]string{}}
}

// tfDecode decodes body into T as the provider does (encoding/json), and also requires every
// non-pointer field of T, at any depth, to be present and not null: the provider would
// otherwise carry a zero value (an empty id) into its state.
func tfDecode[T any](t *testing.T, what string, body []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("%s: the provider cannot decode the answer: %v\nbody: %s", what, err, truncate(body))
	}
	if problems := tfMissing(gjson.ParseBytes(body), reflect.TypeOf(v), ""); len(problems) > 0 {
		t.Fatalf("%s: %s\nbody: %s", what, strings.Join(problems, "; "), truncate(body))
	}
	return v
}

// tfMissing lists the non-pointer fields of typ that data (found at path at) lacks or has as
// null, walking into nested structs, pointers to structs present in data, and slices of structs.
func tfMissing(data gjson.Result, typ reflect.Type, at string) []string {
	var out []string
	switch typ.Kind() {
	case reflect.Pointer:
		if data.Exists() && data.Type != gjson.Null {
			out = append(out, tfMissing(data, typ.Elem(), at)...)
		}
	case reflect.Slice:
		for i, el := range data.Array() {
			out = append(out, tfMissing(el, typ.Elem(), fmt.Sprintf("%s[%d]", at, i))...)
		}
	case reflect.Struct:
		for i := 0; i < typ.NumField(); i++ {
			f := typ.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "" || name == "-" {
				continue
			}
			child := name
			if at != "" {
				child = at + "." + name
			}
			v := data.Get(gjson.Escape(name))
			// A map, like a pointer or a slice, takes null as nil (the provider checks its length).
			nilable := f.Type.Kind() == reflect.Pointer || f.Type.Kind() == reflect.Slice || f.Type.Kind() == reflect.Map
			if !nilable && (!v.Exists() || v.Type == gjson.Null) {
				out = append(out, fmt.Sprintf("field %s (Go type %s) is missing or null", child, f.Type))
				continue
			}
			out = append(out, tfMissing(v, f.Type, child)...)
		}
	}
	return out
}

// tfHeaders are the headers the provider's client sends with every request, bodiless GETs
// and DELETEs included.
var tfHeaders = []reqOpt{
	header("Content-Type", "application/json"),
	header("User-Agent", "posthog/terraform-provider; version: test"),
}

// call sends one request as the provider does and asserts its status.
func (c *tfClient) call(method, path string, body any, want int) *resp {
	c.t.Helper()
	r := c.e.do(method, path, body, tfHeaders...)
	if r.Status != want {
		c.t.Fatalf("%s %s: status %d, want %d; body: %s", method, path, r.Status, want, truncate(r.Body))
	}
	return r
}

// resolveOrg turns a UUID, a slug or "@current" into the organization id, as the provider's
// ResolveOrganizationID does: a UUID as is, "@current" by GET /api/organizations/@current/,
// a slug by listing every organization.
func (c *tfClient) resolveOrg(idOrSlug string) string {
	c.t.Helper()
	if tfUUID.MatchString(idOrSlug) {
		return idOrSlug
	}
	if id, ok := c.orgs[idOrSlug]; ok {
		return id
	}
	var id string
	if idOrSlug == "@current" {
		id = tfDecode[tfOrganization](c.t, "GET @current organization", c.call("GET", "/api/organizations/@current/", nil, 200).Body).ID
	} else {
		for _, o := range tfListAll[tfOrganization](c, "/api/organizations/") {
			if o.Slug == idOrSlug {
				id = o.ID
				break
			}
		}
		if id == "" {
			c.t.Fatalf("no organization with slug %q", idOrSlug)
		}
	}
	c.orgs[idOrSlug] = id
	return id
}

// orgPath is the provider's orgPath: the resolved organization id formatted into path.
func (c *tfClient) orgPath(org, format string, args ...any) string {
	c.t.Helper()
	return fmt.Sprintf(format, append([]any{c.resolveOrg(org)}, args...)...)
}

// tfListAll follows `next` as the provider's listAll does: the path and query of the
// (absolute) URL, until next is null or empty.
func tfListAll[T any](c *tfClient, path string) []T {
	c.t.Helper()
	var all []T
	for pages := 0; path != ""; pages++ {
		if pages > 1000 {
			c.t.Fatalf("pagination of %s does not end", path)
		}
		page := tfDecode[tfPage[T]](c.t, "GET "+path, c.call("GET", path, nil, 200).Body)
		all = append(all, page.Results...)
		if page.Next == nil || *page.Next == "" {
			break
		}
		u, err := url.Parse(*page.Next)
		if err != nil {
			c.t.Fatalf("next %q: %v", *page.Next, err)
		}
		path = u.Path
		if u.RawQuery != "" {
			path += "?" + u.RawQuery
		}
	}
	return all
}

// tfMember is the provider's GetOrganizationMember: list every member, find the user's UUID;
// ok false is the provider's "not found" (a resource removed from state).
func (c *tfClient) tfMember(org, userUUID string) (tfOrganizationMember, bool) {
	c.t.Helper()
	for _, m := range tfListAll[tfOrganizationMember](c, c.orgPath(org, "/api/organizations/%s/members/")) {
		if m.User != nil && m.User.UUID == userUUID {
			return m, true
		}
	}
	return tfOrganizationMember{}, false
}

// tfUserByEmail is the posthog_user data source: list the members, match the email without
// regard to case or surrounding spaces.
func (c *tfClient) tfUserByEmail(org, email string) (tfOrganizationMember, bool) {
	c.t.Helper()
	email = strings.ToLower(strings.TrimSpace(email))
	for _, m := range tfListAll[tfOrganizationMember](c, c.orgPath(org, "/api/organizations/%s/members/")) {
		if m.User != nil && m.User.Email != nil && strings.ToLower(strings.TrimSpace(*m.User.Email)) == email {
			return m, true
		}
	}
	return tfOrganizationMember{}, false
}

// tfUUID is how the provider tells an organization id from a slug: the canonical UUID form.
var tfUUID = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func tfStr(s string) *string { return &s }

func tfInt(n int) *int { return &n }

// TestTerraformOrganizationResolution: the provider accepts an organization as a UUID, a
// slug or "@current" and resolves the last two before any organization-scoped call.
func TestTerraformOrganizationResolution(t *testing.T) {
	e := newEnv(t)
	c := newTFClient(t, e)
	if got := c.resolveOrg("@current"); got != e.d.OrganizationID {
		t.Fatalf("@current resolved to %q, want %q", got, e.d.OrganizationID)
	}
	var slug string
	for _, o := range tfListAll[tfOrganization](c, "/api/organizations/") {
		if o.ID == e.d.OrganizationID {
			slug = o.Slug
		}
	}
	if slug == "" {
		t.Fatal("the default organization is not listed with a slug")
	}
	if got := c.resolveOrg(slug); got != e.d.OrganizationID {
		t.Fatalf("slug %q resolved to %q, want %q", slug, got, e.d.OrganizationID)
	}
	// Projects addressed through each spelling are the same records.
	for _, org := range []string{e.d.OrganizationID, "@current", slug} {
		p := tfDecode[tfProject](t, "GET project", c.call("GET", c.orgPath(org, "/api/organizations/%s/projects/%d/", e.d.ProjectID), nil, 200).Body)
		if p.ID != int64(e.d.ProjectID) || p.OrganizationID == nil || *p.OrganizationID != e.d.OrganizationID {
			t.Fatalf("project via %q = %+v", org, p)
		}
	}
}

// TestTerraformProjectLifecycle: posthog_project — create (name, optional timezone), read,
// update (PATCH), import by organization_id/id, destroy, read after destroy (404: removed
// from state), destroy again (404 tolerated), and recreate under the same name.
func TestTerraformProjectLifecycle(t *testing.T) {
	e := newEnv(t)
	c := newTFClient(t, e)
	const org = "@current"
	list := c.orgPath(org, "/api/organizations/%s/projects/")

	created := tfDecode[tfProject](t, "create project", c.call("POST", list, tfProjectRequest{Name: tfStr("tf-acc-test-1")}, 201).Body)
	if created.ID == 0 || created.Name == nil || *created.Name != "tf-acc-test-1" || created.OrganizationID == nil ||
		*created.OrganizationID != e.d.OrganizationID || created.APIToken == nil || *created.APIToken == "" ||
		created.Timezone == nil || *created.Timezone != "UTC" {
		t.Fatalf("created = %+v", created)
	}
	one := c.orgPath(org, "/api/organizations/%s/projects/%d/", created.ID)

	read := tfDecode[tfProject](t, "read project", c.call("GET", one, nil, 200).Body)
	if !reflect.DeepEqual(read, created) {
		t.Fatalf("read = %+v, created = %+v", read, created)
	}

	updated := tfDecode[tfProject](t, "update project", c.call("PATCH", one, tfProjectRequest{Name: tfStr("tf-acc-test-1-updated"), Timezone: tfStr("Europe/London")}, 200).Body)
	if updated.ID != created.ID || *updated.Name != "tf-acc-test-1-updated" || *updated.Timezone != "Europe/London" {
		t.Fatalf("updated = %+v", updated)
	}

	// Import "organization_id/id": the provider reads the project by id under that organization.
	imported := tfDecode[tfProject](t, "import project", c.call("GET", fmt.Sprintf("/api/organizations/%s/projects/%d/", e.d.OrganizationID, created.ID), nil, 200).Body)
	if !reflect.DeepEqual(imported, updated) {
		t.Fatalf("imported = %+v, want %+v", imported, updated)
	}

	// Created with a timezone.
	withTZ := tfDecode[tfProject](t, "create project with timezone", c.call("POST", list, tfProjectRequest{Name: tfStr("tf-acc-tz"), Timezone: tfStr("Europe/London")}, 201).Body)
	if *withTZ.Timezone != "Europe/London" {
		t.Fatalf("timezone = %q", *withTZ.Timezone)
	}

	// Destroy (the provider accepts any 2xx and forgets the project; it reads it no more).
	c.call("DELETE", one, nil, 204)

	// Recreate: the provider's TestProject_Recreate destroys a project, then creates one
	// with the same name.
	again := tfDecode[tfProject](t, "recreate project", c.call("POST", list, tfProjectRequest{Name: tfStr("tf-acc-test-1-updated")}, 201).Body)
	if again.ID == created.ID || *again.Name != "tf-acc-test-1-updated" {
		t.Fatalf("recreated = %+v", again)
	}
}

// TestTerraformRoleLifecycle: posthog_role and the posthog_role data source — create, read,
// update, import by organization_id/id, look up by name, destroy, recreate under the same name.
func TestTerraformRoleLifecycle(t *testing.T) {
	e := newEnv(t)
	c := newTFClient(t, e)
	org := e.d.OrganizationID
	list := c.orgPath(org, "/api/organizations/%s/roles/")

	created := tfDecode[tfRole](t, "create role", c.call("POST", list, tfRoleRequest{Name: "tf-acc-role-1"}, 201).Body)
	if !store.IsUUID(created.ID) || created.Name != "tf-acc-role-1" || created.CreatedAt == nil || *created.CreatedAt == "" {
		t.Fatalf("created = %+v", created)
	}
	// PostHog's API never sets created_by on a role it creates.
	if created.CreatedBy != nil {
		t.Fatalf("created_by = %q, want null", *created.CreatedBy)
	}
	one := c.orgPath(org, "/api/organizations/%s/roles/%s/", created.ID)

	read := tfDecode[tfRole](t, "read role", c.call("GET", one, nil, 200).Body)
	if !reflect.DeepEqual(read, created) {
		t.Fatalf("read = %+v, want %+v", read, created)
	}
	updated := tfDecode[tfRole](t, "update role", c.call("PATCH", one, tfRoleRequest{Name: "tf-acc-role-1-updated"}, 200).Body)
	if updated.ID != created.ID || updated.Name != "tf-acc-role-1-updated" {
		t.Fatalf("updated = %+v", updated)
	}
	imported := tfDecode[tfRole](t, "import role", c.call("GET", fmt.Sprintf("/api/organizations/%s/roles/%s/", org, created.ID), nil, 200).Body)
	if !reflect.DeepEqual(imported, updated) {
		t.Fatalf("imported = %+v, want %+v", imported, updated)
	}

	// The data source: every role, matched by name without regard to case or spaces.
	var found *tfRole
	for _, r := range tfListAll[tfRole](c, list) {
		if strings.EqualFold(strings.TrimSpace(r.Name), "TF-ACC-ROLE-1-UPDATED") {
			found = &r
			break
		}
	}
	if found == nil || found.ID != created.ID {
		t.Fatalf("data source found %+v", found)
	}

	c.call("DELETE", one, nil, 204)
	c.call("GET", one, nil, 404)
	c.call("DELETE", one, nil, 404)
	again := tfDecode[tfRole](t, "recreate role", c.call("POST", list, tfRoleRequest{Name: "tf-acc-role-1-updated"}, 201).Body)
	if again.ID == created.ID {
		t.Fatalf("recreated role kept id %s", again.ID)
	}
}

// TestTerraformRolesPaginate: the provider's role and user data sources read every page,
// following the absolute `next` link by its path and query.
func TestTerraformRolesPaginate(t *testing.T) {
	e := newEnv(t)
	c := newTFClient(t, e)
	list := c.orgPath(e.d.OrganizationID, "/api/organizations/%s/roles/")
	const n = 230
	err := e.srv.Store().Write(func(tx *store.Tx) error {
		for i := 0; i < n; i++ {
			if _, err := tx.CreateRole(e.d.OrganizationID, store.NewRole{Name: "role-" + strconv.Itoa(i)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	roles := tfListAll[tfRole](c, list)
	seen := map[string]bool{}
	for _, r := range roles {
		seen[r.ID] = true
	}
	if len(roles) != n || len(seen) != n {
		t.Fatalf("listed %d roles (%d distinct), want %d", len(roles), len(seen), n)
	}
	e.srv.Journal().AssertCalled(t, "GET", "/api/organizations/{organization_id}/roles/", 3)
}

// TestTerraformRoleMembershipLifecycle: posthog_role_membership — the user found by email
// (posthog_user), create, read, import by organization_id/role_id/id, destroy, recreate.
// Changing the role or the user replaces the membership (destroy, then create).
func TestTerraformRoleMembershipLifecycle(t *testing.T) {
	e := newEnv(t)
	c := newTFClient(t, e)
	org := e.d.OrganizationID
	e.addMember(org, store.LevelMember, "bob@example.com")

	user, ok := c.tfUserByEmail(org, "  Bob@Example.com ")
	if !ok {
		t.Fatal("posthog_user: bob@example.com not found")
	}
	role := tfDecode[tfRole](t, "create role", c.call("POST", c.orgPath(org, "/api/organizations/%s/roles/"), tfRoleRequest{Name: "tf-acc-role"}, 201).Body)
	memberships := c.orgPath(org, "/api/organizations/%s/roles/%s/role_memberships/", role.ID)

	created := tfDecode[tfRoleMembership](t, "create role membership", c.call("POST", memberships, tfRoleMembershipRequest{UserUUID: user.User.UUID}, 201).Body)
	if !store.IsUUID(created.ID) || created.RoleID != role.ID || created.User == nil || created.User.UUID != user.User.UUID ||
		created.User.Email == nil || *created.User.Email != "bob@example.com" || created.JoinedAt == nil || *created.JoinedAt == "" {
		t.Fatalf("created = %+v", created)
	}
	one := c.orgPath(org, "/api/organizations/%s/roles/%s/role_memberships/%s/", role.ID, created.ID)
	read := tfDecode[tfRoleMembership](t, "read role membership", c.call("GET", one, nil, 200).Body)
	if !reflect.DeepEqual(read, created) {
		t.Fatalf("read = %+v, want %+v", read, created)
	}
	imported := tfDecode[tfRoleMembership](t, "import role membership",
		c.call("GET", fmt.Sprintf("/api/organizations/%s/roles/%s/role_memberships/%s/", org, role.ID, created.ID), nil, 200).Body)
	if !reflect.DeepEqual(imported, created) {
		t.Fatalf("imported = %+v, want %+v", imported, created)
	}

	c.call("DELETE", one, nil, 204)
	c.call("GET", one, nil, 404)
	c.call("DELETE", one, nil, 404)
	again := tfDecode[tfRoleMembership](t, "recreate role membership", c.call("POST", memberships, tfRoleMembershipRequest{UserUUID: user.User.UUID}, 201).Body)
	if again.ID == created.ID || again.RoleID != role.ID {
		t.Fatalf("recreated = %+v", again)
	}

	// Deleting the role (the role resource is destroyed after its memberships, or out of
	// band) makes the membership's refresh a 404.
	c.call("DELETE", c.orgPath(org, "/api/organizations/%s/roles/%s/", role.ID), nil, 204)
	c.call("GET", c.orgPath(org, "/api/organizations/%s/roles/%s/role_memberships/%s/", role.ID, again.ID), nil, 404)
}

// TestTerraformOrganizationMemberLifecycle: posthog_organization_member adopts an existing
// member (found in the member list), sets its level by PATCH, reads it back from the list,
// imports by organization_id/user_uuid, and on destroy either keeps the member
// (retain_on_destroy) or removes it with DELETE; then it is gone from the list.
func TestTerraformOrganizationMemberLifecycle(t *testing.T) {
	e := newEnv(t)
	c := newTFClient(t, e)
	org := e.d.OrganizationID
	bob := e.addMember(org, store.LevelMember, "bob@example.com")
	uuid := bob.User.UUID
	one := c.orgPath(org, "/api/organizations/%s/members/%s/", uuid)

	adopted, ok := c.tfMember(org, uuid)
	if !ok || adopted.Level == nil || *adopted.Level != store.LevelMember || adopted.User.Email == nil ||
		*adopted.User.Email != "bob@example.com" || adopted.JoinedAt == nil || adopted.Is2FAEnabled == nil {
		t.Fatalf("adopted = %+v (found %v)", adopted, ok)
	}

	for _, level := range []int{store.LevelAdmin, store.LevelMember} {
		m := tfDecode[tfOrganizationMember](t, "update member level", c.call("PATCH", one, tfOrganizationMemberRequest{Level: tfInt(level)}, 200).Body)
		if m.ID != adopted.ID || m.Level == nil || *m.Level != level || m.User == nil || m.User.UUID != uuid {
			t.Fatalf("updated = %+v", m)
		}
		read, ok := c.tfMember(org, uuid)
		if !ok || *read.Level != level {
			t.Fatalf("read after update = %+v (found %v)", read, ok)
		}
	}

	// Import "organization_id/user_uuid" reads the member list of that organization.
	if m, ok := c.tfMember(org, uuid); !ok || m.ID != adopted.ID {
		t.Fatalf("import = %+v (found %v)", m, ok)
	}
	// A user who is not a member is not found: the provider refuses to adopt them.
	outsider := e.addMember("", 0, "outsider@example.com")
	if _, ok := c.tfMember(org, outsider.User.UUID); ok {
		t.Fatal("a non-member was found in the member list")
	}

	c.call("DELETE", one, nil, 204)
	if _, ok := c.tfMember(org, uuid); ok {
		t.Fatal("the removed member is still listed")
	}
	c.call("DELETE", one, nil, 404)
	c.call("PATCH", one, tfOrganizationMemberRequest{Level: tfInt(store.LevelAdmin)}, 404)
}

// TestTerraformUserDataSource: posthog_user finds a member by email and exposes the user's
// UUID, names and email verification; the organization member id is the member's id.
func TestTerraformUserDataSource(t *testing.T) {
	e := newEnv(t)
	c := newTFClient(t, e)
	org := e.d.OrganizationID
	ada := e.addMember(org, store.LevelMember, "ada@example.com")

	for _, spelling := range []string{"ada@example.com", " ADA@example.com "} {
		m, ok := c.tfUserByEmail(org, spelling)
		if !ok || m.User.UUID != ada.User.UUID || !store.IsUUID(m.ID) || m.User.FirstName == nil || *m.User.FirstName != "ada" ||
			m.User.LastName == nil || m.User.IsEmailVerified == nil {
			t.Fatalf("%q: %+v (found %v)", spelling, m, ok)
		}
	}
	if m, ok := c.tfUserByEmail(org, e.d.UserEmail); !ok || m.Level == nil || *m.Level != store.LevelOwner {
		t.Fatalf("owner: %+v (found %v)", m, ok)
	}
	if _, ok := c.tfUserByEmail(org, "nobody@example.com"); ok {
		t.Fatal("found a user who is not a member")
	}
}

// TestTerraformProxyRecordLifecycle: posthog_proxy_record — create, read, list, import by
// organization_id/id, replace (a new domain is a new record, then the old one is destroyed;
// the provider never updates a record), destroy, recreate the same domain.
func TestTerraformProxyRecordLifecycle(t *testing.T) {
	e := newEnv(t)
	c := newTFClient(t, e)
	org := e.d.OrganizationID
	list := c.orgPath(org, "/api/organizations/%s/proxy_records/")

	created := tfDecode[tfProxyRecord](t, "create proxy record", c.call("POST", list, tfProxyRecordRequest{Domain: "tf-acc-proxy-basic-1.example.com"}, 201).Body)
	if !store.IsUUID(created.ID) || created.Domain != "tf-acc-proxy-basic-1.example.com" || created.TargetCNAME == "" ||
		created.Status != "waiting" || created.CreatedAt == nil || created.UpdatedAt == nil || created.CreatedBy == nil ||
		*created.CreatedBy <= 0 {
		t.Fatalf("created = %+v", created)
	}
	one := c.orgPath(org, "/api/organizations/%s/proxy_records/%s/", created.ID)
	read := tfDecode[tfProxyRecord](t, "read proxy record", c.call("GET", one, nil, 200).Body)
	if !reflect.DeepEqual(read, created) {
		t.Fatalf("read = %+v, want %+v", read, created)
	}
	listed := tfDecode[tfProxyRecordListResponse](t, "list proxy records", c.call("GET", list, nil, 200).Body)
	if len(listed.Results) != 1 || listed.Results[0].ID != created.ID || listed.MaxProxyRecords == nil {
		t.Fatalf("listed = %+v", listed)
	}
	imported := tfDecode[tfProxyRecord](t, "import proxy record", c.call("GET", fmt.Sprintf("/api/organizations/%s/proxy_records/%s/", org, created.ID), nil, 200).Body)
	if imported.ID != created.ID || imported.Domain != created.Domain {
		t.Fatalf("imported = %+v", imported)
	}

	// Replace: create the new domain, then destroy the old record.
	replacement := tfDecode[tfProxyRecord](t, "create replacement", c.call("POST", list, tfProxyRecordRequest{Domain: "tf-acc-proxy-basic-2.example.com"}, 201).Body)
	// PostHog answers a delete with 200 {"success": true}; a record still waiting is removed
	// at once, so a refresh then gets 404 (removed from state) and a second destroy too.
	if r := c.call("DELETE", one, nil, 200); !r.get("success").Bool() {
		t.Fatalf("delete answered %s", r.Body)
	}
	c.call("GET", one, nil, 404)
	c.call("DELETE", one, nil, 404)
	c.call("DELETE", c.orgPath(org, "/api/organizations/%s/proxy_records/%s/", replacement.ID), nil, 200)

	// Recreate the first domain once its record is gone.
	again := tfDecode[tfProxyRecord](t, "recreate proxy record", c.call("POST", list, tfProxyRecordRequest{Domain: "tf-acc-proxy-basic-1.example.com"}, 201).Body)
	if again.ID == created.ID || again.Domain != created.Domain || again.Status != "waiting" {
		t.Fatalf("recreated = %+v", again)
	}
}

// TestTerraformProjectSettings: posthog_project_settings manages the settings of an existing
// project through /api/environments/{id}/ (the environment routes of the same team): create
// and update are a PATCH of the settings set in the configuration, read and import (by
// project id) a GET, destroy changes nothing.
func TestTerraformProjectSettings(t *testing.T) {
	e := newEnv(t)
	c := newTFClient(t, e)
	path := fmt.Sprintf("/api/environments/%d/", e.d.ProjectID)
	before := tfDecode[tfEnvironment](t, "read environment", c.call("GET", path, nil, 200).Body)
	if before.ID != int64(e.d.ProjectID) {
		t.Fatalf("environment id = %d, want %d", before.ID, e.d.ProjectID)
	}
	yes, no := true, false
	mode := int64(1)
	urls := []string{"https://app.example.com"}
	req := map[string]any{"heatmaps_opt_in": yes, "surveys_opt_in": yes, "session_recording_opt_in": no,
		"cookieless_server_hash_mode": mode, "app_urls": urls, "recording_domains": urls}
	after := tfDecode[tfEnvironment](t, "update environment", c.call("PATCH", path, req, 200).Body)
	if after.HeatmapsOptIn == nil || !*after.HeatmapsOptIn || after.SurveysOptIn == nil || !*after.SurveysOptIn ||
		after.SessionRecordingOptIn == nil || *after.SessionRecordingOptIn || after.CookielessServerHashMode == nil ||
		*after.CookielessServerHashMode != mode || after.AppURLs == nil || !reflect.DeepEqual(*after.AppURLs, urls) ||
		after.RecordingDomains == nil || !reflect.DeepEqual(*after.RecordingDomains, urls) {
		t.Fatalf("after update = %+v", after)
	}
	imported := tfDecode[tfEnvironment](t, "import environment", c.call("GET", path, nil, 200).Body)
	if !reflect.DeepEqual(imported, after) {
		t.Fatalf("import = %+v, want %+v", imported, after)
	}
	// The project's own route shows the same record.
	p := tfDecode[tfProject](t, "read project", c.call("GET", c.orgPath("@current", "/api/organizations/%s/projects/%d/", e.d.ProjectID), nil, 200).Body)
	if p.ID != before.ID {
		t.Fatalf("project id = %d, environment id = %d", p.ID, before.ID)
	}
	// Emptying the lists (the provider sends [] for an empty set).
	cleared := tfDecode[tfEnvironment](t, "clear lists", c.call("PATCH", path, map[string]any{"app_urls": []string{}, "recording_domains": []string{}}, 200).Body)
	if cleared.AppURLs == nil || len(*cleared.AppURLs) != 0 || cleared.RecordingDomains == nil || len(*cleared.RecordingDomains) != 0 {
		t.Fatalf("cleared = %+v", cleared)
	}
	// An unknown project: a refresh removes the settings from state.
	c.call("GET", "/api/environments/999999/", nil, 404)
}

// TestTerraformDecoderCatchesDrift: the decoding these tests rely on refuses what the
// provider cannot use — a JSON type other than the Go field's, and a missing or null value
// for a field the provider declares without a pointer — and accepts null or absent pointers.
func TestTerraformDecoderCatchesDrift(t *testing.T) {
	cases := []struct {
		name       string
		body       string
		decodeFail bool
		missing    int
	}{
		{"as the provider wants", `{"id":"r","name":"n","created_at":"2026-01-15T10:00:00Z","created_by":null}`, false, 0},
		{"pointers absent", `{"id":"r","name":"n"}`, false, 0},
		{"created_by an object", `{"id":"r","name":"n","created_by":{"id":1}}`, true, 0},
		{"name a number", `{"id":"r","name":3}`, true, 0},
		{"id null", `{"id":null,"name":"n"}`, false, 1},
		{"id and name absent", `{}`, false, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var r tfRole
			if err := json.Unmarshal([]byte(c.body), &r); (err != nil) != c.decodeFail {
				t.Fatalf("decode error = %v, want failure %v", err, c.decodeFail)
			}
			if got := tfMissing(gjson.Parse(c.body), reflect.TypeOf(r), ""); len(got) != c.missing {
				t.Fatalf("missing = %q, want %d", got, c.missing)
			}
		})
	}
	// Nested: a membership's user without its uuid, a page whose member lacks an id.
	if got := tfMissing(gjson.Parse(`{"id":"m","role_id":"r","user":{"email":"a@b.c"}}`), reflect.TypeOf(tfRoleMembership{}), ""); len(got) != 1 || !strings.Contains(got[0], "user.uuid") {
		t.Fatalf("nested = %q", got)
	}
	if got := tfMissing(gjson.Parse(`{"results":[{"id":"a"},{"user":null}]}`), reflect.TypeOf(tfPage[tfOrganizationMember]{}), ""); len(got) != 1 || !strings.Contains(got[0], "results[1].id") {
		t.Fatalf("page = %q", got)
	}
}
