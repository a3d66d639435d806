package fake

import (
	"context"
	"io"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"gopkg.in/yaml.v3"
)

func TestCORS(t *testing.T) {
	e := newEnv(t)
	origin := header("Origin", "http://localhost:3000")
	preflight := header("Access-Control-Request-Method", "POST")

	// A preflight is answered before authentication: 200, empty body.
	r := e.sendUnchecked("OPTIONS", "/api/organizations/@current/invites/", nil, noAuth(), origin, preflight,
		header("Access-Control-Request-Headers", "authorization, content-type"))
	r.wantStatus(t, 200)
	if len(r.Body) != 0 {
		t.Errorf("preflight body %q", r.Body)
	}
	want := map[string]string{
		"Access-Control-Allow-Origin":      "http://localhost:3000",
		"Access-Control-Allow-Credentials": "true",
		"Access-Control-Allow-Methods":     "DELETE, GET, OPTIONS, PATCH, POST, PUT",
		"Access-Control-Max-Age":           "86400",
		"Vary":                             "origin",
	}
	for k, v := range want {
		if got := r.Header.Get(k); got != v {
			t.Errorf("preflight %s = %q, want %q", k, got, v)
		}
	}
	if h := r.Header.Get("Access-Control-Allow-Headers"); !strings.HasPrefix(h, "accept, authorization, content-type, user-agent, x-csrftoken, x-requested-with, traceparent") {
		t.Errorf("Access-Control-Allow-Headers = %q", h)
	}
	if e.srv.Journal().Len() != 0 {
		t.Error("a preflight reached the API")
	}

	// An actual request: the origin is echoed, with credentials; authentication as usual.
	r = e.do("GET", "/api/organizations/", nil, origin).wantStatus(t, 200)
	if r.Header.Get("Access-Control-Allow-Origin") != "http://localhost:3000" || r.Header.Get("Access-Control-Allow-Credentials") != "true" ||
		r.Header.Get("Access-Control-Allow-Methods") != "" {
		t.Errorf("GET CORS headers: %v", r.Header)
	}
	e.sendUnchecked("GET", "/api/organizations/", nil, noAuth(), origin).wantStatus(t, 401)

	// No Origin: no CORS headers but Vary; outside /api/ nothing at all.
	r = e.do("GET", "/api/organizations/", nil).wantStatus(t, 200)
	if r.Header.Get("Access-Control-Allow-Origin") != "" || r.Header.Get("Vary") != "origin" {
		t.Errorf("without Origin: %v", r.Header)
	}
	r = e.adminCall("GET", "/_fake/health", nil, origin).wantStatus(t, 200)
	if r.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Error("CORS headers on /_fake/")
	}
	// OPTIONS without Access-Control-Request-Method is not a preflight: DRF's metadata answer.
	e.sendUnchecked("OPTIONS", "/api/organizations/", nil, noAuth(), origin).wantStatus(t, 401)
}

func TestAPISchema(t *testing.T) {
	e := newEnv(t)
	r := e.sendUnchecked("GET", "/api/schema/?format=json", nil, noAuth()).wantStatus(t, 200)
	if ct := r.Header.Get("Content-Type"); ct != "application/vnd.oai.openapi+json" {
		t.Errorf("Content-Type %q", ct)
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(r.Body)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the schema is not valid OpenAPI 3: %v", err)
	}
	var got, want []string
	ids := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			got = append(got, method+" "+path)
			if ids[op.OperationID] {
				t.Errorf("operationId %s twice", op.OperationID)
			}
			ids[op.OperationID] = true
		}
	}
	for _, rt := range e.srv.routeTable() {
		want = append(want, rt.Method+" "+rt.Path)
	}
	sort.Strings(got)
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("schema operations differ from the route table:\n got %d\nwant %d", len(got), len(want))
	}
	// A documented operation is described as PostHog describes it, bodies included.
	op := doc.Paths.Find("/api/organizations/{organization_id}/members/").Get
	if op.OperationID != "members_list" || len(*op.Security) == 0 || (*op.Security)[0]["PersonalAPIKeyAuth"][0] != "organization_member:read" {
		t.Errorf("members list: %s %v", op.OperationID, op.Security)
	}
	if ref := op.Responses.Status(200).Value.Content["application/json"].Schema.Ref; ref != "#/components/schemas/PaginatedOrganizationMemberList" {
		t.Errorf("members list answers %q", ref)
	}
	if doc.Components.Schemas["OrganizationMember"] == nil {
		t.Error("the components PostHog's operations reference are missing")
	}
	// An operation PostHog serves without documenting gets a generic description.
	generic := 0
	for _, rt := range e.srv.routeTable() {
		if postHogDocs().operation(rt.Path, strings.ToLower(rt.Method)) != nil {
			continue
		}
		generic++
		gen := doc.Paths.Find(rt.Path).GetOperation(rt.Method)
		if gen == nil || gen.Security == nil || len(gen.Responses.Map()) != 1 {
			t.Errorf("undocumented %s %s: %+v", rt.Method, rt.Path, gen)
			continue
		}
		scheme := "CookieAuth"
		if rt.Scope != "" {
			scheme = "PersonalAPIKeyAuth"
		}
		if _, ok := (*gen.Security)[0][scheme]; !ok {
			t.Errorf("undocumented %s %s: security %v", rt.Method, rt.Path, *gen.Security)
		}
	}
	if generic == 0 {
		t.Error("no undocumented operation: the generic description went untested")
	}
	// YAML by default, as drf-spectacular.
	r = e.sendUnchecked("GET", "/api/schema/", nil, noAuth()).wantStatus(t, 200)
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/vnd.oai.openapi") || !strings.HasPrefix(string(r.Body), "openapi: 3.1.0\n") {
		t.Errorf("YAML schema: %q %.40q", r.Header.Get("Content-Type"), r.Body)
	}
	var y map[string]any
	if err := yaml.Unmarshal(r.Body, &y); err != nil || len(y["paths"].(map[string]any)) != len(doc.Paths.Map()) {
		t.Errorf("YAML schema: %v", err)
	}
	e.sendUnchecked("POST", "/api/schema/", nil, noAuth()).wantStatus(t, 405)
}

func TestMintKeyAndUsers(t *testing.T) {
	e := newEnv(t)
	ada := e.addMember(e.d.OrganizationID, 1, "ada@example.com")
	r := e.adminCall("POST", "/_fake/keys", map[string]any{"user": "ada@example.com", "scopes": []string{"organization:read"}, "label": "ci"}).wantStatus(t, 201)
	value := r.get("value").String()
	if !strings.HasPrefix(value, "phx_") || r.get("label").String() != "ci" || r.get("mask_value").String() == value {
		t.Fatalf("minted %s", r.Body)
	}
	e.do("GET", "/api/organizations/", nil, asKey(value)).wantStatus(t, 200)
	e.do("GET", e.orgPath("members/"), nil, asKey(value)).wantStatus(t, 403) // organization:read only
	// By uuid, with the default scope "*".
	r = e.adminCall("POST", "/_fake/keys", map[string]any{"user": ada.User.UUID}).wantStatus(t, 201)
	if r.get("scopes").String() != `["*"]` {
		t.Errorf("default scopes %s", r.get("scopes"))
	}
	for _, c := range []struct {
		name string
		body any
		attr string
	}{
		{"no user", map[string]any{}, "user"},
		{"unknown user", map[string]any{"user": "nobody@example.com"}, "user"},
		{"bad scope", map[string]any{"user": "ada@example.com", "scopes": []string{"everything"}}, "scopes"},
		{"long label", map[string]any{"user": "ada@example.com", "label": strings.Repeat("x", 41)}, "label"},
		{"unknown organization", map[string]any{"user": "ada@example.com", "scoped_organizations": []string{"nope"}}, "scoped_organizations"},
	} {
		r := e.adminCall("POST", "/_fake/keys", c.body).wantStatus(t, 400)
		if r.get("attr").String() != c.attr {
			t.Errorf("%s: %s", c.name, r.Body)
		}
	}
	r = e.adminCall("GET", "/_fake/users", nil).wantStatus(t, 200)
	if r.get("count").Int() != 2 {
		t.Fatalf("users %s", r.Body)
	}
	a := r.get(`results.#(email=="ada@example.com")`)
	if a.Get("personal_api_keys.#").Int() != 3 || a.Get("personal_api_keys.1.value").String() != value || len(a.Get("sessions").Array()) != 1 {
		t.Errorf("ada: %s", a.Raw)
	}
	owner := r.get(`results.#(email=="owner@fakehog.dev")`)
	if owner.Get("personal_api_keys.0.value").String() != e.d.APIKey || owner.Get("sessions.0").String() != e.d.Session {
		t.Errorf("owner: %s", owner.Raw)
	}
}

func TestConsolePages(t *testing.T) {
	e := newEnv(t)
	for _, p := range []string{"/", "/_fake/", "/_fake/console/users", "/_fake/console/journal", "/_fake/console/faults",
		"/_fake/console/clock", "/_fake/console/world", "/_fake/console/organizations/" + e.d.OrganizationID} {
		r := e.adminCall("GET", p, nil).wantStatus(t, 200)
		if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") || !strings.Contains(string(r.Body), "</html>") {
			t.Errorf("%s: %q %.80q", p, r.Header.Get("Content-Type"), r.Body)
		}
	}
	e.adminCall("GET", "/_fake/console/organizations/nope", nil).wantError(t, 404, "invalid_request", "not_found", "Not found.", "")
	e.adminCall("POST", "/_fake/", nil).wantStatus(t, 405)
	r := e.adminCall("GET", "/_fake/console/assets/console.js", nil).wantStatus(t, 200)
	if r.Header.Get("Content-Type") != "text/javascript; charset=utf-8" {
		t.Errorf("js %q", r.Header.Get("Content-Type"))
	}
	e.adminCall("GET", "/_fake/console/assets/layout.html", nil).wantStatus(t, 404)
	e.adminCall("GET", "/_fake/console/assets/nope.css", nil).wantStatus(t, 404)
	r = e.adminCall("GET", "/_fake/console/snapshot.json", nil).wantStatus(t, 200)
	if !strings.Contains(r.Header.Get("Content-Disposition"), "attachment") || !r.JSON.IsObject() {
		t.Errorf("snapshot download %v", r.Header)
	}
	// Pages are not journaled.
	if e.srv.Journal().Len() != 0 {
		t.Errorf("console pages were journaled: %d", e.srv.Journal().Len())
	}
}

// htmlGet sends a GET with no credentials but the given headers (the console's login page
// is HTML, not an API error body).
func (e *env) htmlGet(path string, hdr ...string) (int, string) {
	e.t.Helper()
	req, _ := http.NewRequest("GET", e.ts.URL+path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := e.ts.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(data)
}

func TestConsoleAdminToken(t *testing.T) {
	e := newEnv(t, WithAdminToken("s3cret"))
	for _, p := range []string{"/", "/_fake/console/users", "/_fake/console/snapshot.json", "/_fake/console/users?token=wrong"} {
		status, body := e.htmlGet(p)
		if status != 401 || strings.Contains(body, e.d.APIKey) || !strings.Contains(body, `name="token"`) {
			t.Errorf("%s without the token: %d %.200s", p, status, body)
		}
	}
	r := e.adminCall("GET", "/_fake/console/users?token=s3cret&x=1", nil).wantStatus(t, 303)
	if loc := r.Header.Get("Location"); loc != "/_fake/console/users?x=1" {
		t.Errorf("Location %q", loc)
	}
	var cookie string
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == consoleCookie {
			cookie = c.Value
			if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode {
				t.Errorf("cookie %+v", c)
			}
		}
	}
	r = e.adminCall("GET", "/_fake/console/users", nil, header("Cookie", consoleCookie+"="+cookie)).wantStatus(t, 200)
	if !strings.Contains(string(r.Body), e.d.APIKey) {
		t.Error("the credentials page does not list the owner's key")
	}
	e.adminCall("GET", "/_fake/", nil, header("X-Fakehog-Admin-Token", "s3cret")).wantStatus(t, 200)
	// The cookie opens pages only: the JSON control routes still need the header.
	e.adminCall("POST", "/_fake/reset", nil, header("Cookie", consoleCookie+"="+cookie)).wantStatus(t, 401)
	e.adminCall("GET", "/_fake/console/assets/console.css", nil).wantStatus(t, 200)
}

// TestConsoleUnderBasePath: behind a path prefix the console's links, assets and schema
// server keep the prefix.
func TestConsoleUnderBasePath(t *testing.T) {
	e := newEnv(t, WithBasePath("/posthog"))
	status, body := e.htmlGet("/posthog/_fake/")
	if status != 200 || !strings.Contains(body, `href="/posthog/_fake/console/assets/console.css"`) ||
		!strings.Contains(body, `<meta name="fakehog-base" content="/posthog">`) ||
		!strings.Contains(body, `href="/posthog/_fake/console/organizations/`+e.d.OrganizationID+`"`) {
		t.Errorf("%d %.600s", status, body)
	}
	if status, _ := e.htmlGet("/posthog/_fake/console/assets/console.js"); status != 200 {
		t.Errorf("assets: %d", status)
	}
	if status, body := e.htmlGet("/posthog/api/schema/?format=json"); status != 200 || !strings.Contains(body, `"servers":[{"url":"/posthog"}]`) {
		t.Errorf("schema: %d %.200s", status, body)
	}
	if status, _ := e.htmlGet("/_fake/"); status != 404 {
		t.Errorf("outside the prefix: %d", status)
	}
}
