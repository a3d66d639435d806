package fake

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/fakehog/fakehog/fake/store"
)

// Hostile input, table-driven across every write operation of the route table: each case
// must get a PostHog-shaped 4xx (the harness checks the body's shape), never a 5xx, and a
// refused request must leave the state as it was.

// stateDump is the whole state as canonical JSON (ExportState): two dumps differ exactly
// when anything in the store changed, the random source's position included.
func stateDump(e *env) string {
	data, err := e.srv.ExportState()
	if err != nil {
		e.t.Fatalf("export: %v", err)
	}
	return string(data)
}

// apiDump renders everything the API lets the owner read without ids in the path — every
// list endpoint of the route table — as the organization's members see it.
func apiDump(e *env) string {
	var b strings.Builder
	for _, rt := range routes(&Server{}) {
		if rt.Method != "GET" || strings.Contains(strings.TrimPrefix(rt.Path, "/api/organizations/{organization_id}/"), "{") {
			continue
		}
		if rt.Path == "/api/organizations/{id}/" || strings.Contains(rt.Path, "/activity/") || strings.Contains(rt.Path, "activity_logs") {
			continue
		}
		r := e.do("GET", probePath(e, rt.Path), nil, asSession(e.d.Session))
		fmt.Fprintf(&b, "%s %d %s\n", rt.Path, r.Status, r.Body)
	}
	return b.String()
}

// hostileBodies are request bodies no handler may choke on. Each names the fields it abuses
// with the names PostHog's write bodies use, so every resource meets some of them.
func hostileBodies() map[string]rawBody {
	fields := []string{"name", "email", "level", "domain", "label", "target_email", "url", "user_uuid",
		"type", "interval", "destination", "timezone", "role_id", "document_type", "plugin_type", "source",
		"enabled", "model", "config", "is_default", "members_can_invite", "private_project_access", "app_urls"}
	values := map[string]string{
		"object":      `{"a":{"b":1}}`,
		"array":       `[1,[2],{"c":3}]`,
		"bool":        `true`,
		"null":        `null`,
		"number":      `1e308`,
		"huge int":    `123456789012345678901234567890`,
		"negative":    `-1`,
		"blank":       `""`,
		"10k string":  `"` + strings.Repeat("x", 10000) + `"`,
		"NUL":         `"a\u0000b"`,
		"controls":    `"\u0001\u0002\u001f\t\n"`,
		"bad unicode": `"\ud800"`,
		"traversal":   `"../../etc/passwd"`,
	}
	out := map[string]rawBody{
		"malformed JSON":  {"application/json", `{"name": `},
		"top-level list":  {"application/json", `[{"name":"x"}]`},
		"top-level str":   {"application/json", `"name"`},
		"top-level num":   {"application/json", `42`},
		"top-level null":  {"application/json", `null`},
		"deep nesting":    {"application/json", `{"name":` + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + `}`},
		"text/plain":      {"text/plain", `name=x`},
		"no content type": {"", `{"name":"x"}`},
		"xml":             {"application/xml", `<name>x</name>`},
		"bad multipart":   {"multipart/form-data; boundary=zzz", "--zzz\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nx"},
		"duplicate keys":  {"application/json", `{"name":{"x":1},"name":` + strings.Repeat("[", 3) + strings.Repeat("]", 3) + `}`},
	}
	for vname, v := range values {
		parts := make([]string, 0, len(fields))
		for _, f := range fields {
			parts = append(parts, fmt.Sprintf("%q:%s", f, v))
		}
		out["every field "+vname] = rawBody{"application/json", "{" + strings.Join(parts, ",") + "}"}
	}
	return out
}

// realPath fills a template with ids that exist in the world (the first item of the
// collection's list), else with probe ids.
func realPath(e *env, tmpl string) string {
	p := tmpl
	if strings.Contains(p, "{role_id}") {
		if id := e.do("GET", e.orgPath("roles/"), nil).JSON.Get("results.0.id").String(); id != "" {
			p = strings.Replace(p, "{role_id}", id, 1)
		}
	}
	if i := strings.Index(p, "{id}"); i >= 0 && strings.HasPrefix(p, "/api/organizations/{organization_id}/") {
		list := e.do("GET", probePath(e, p[:i]), nil, asSession(e.d.Session))
		if id := list.JSON.Get("results.0.id").String(); id != "" {
			p = p[:i] + id + p[i+len("{id}"):]
		} else if id := list.JSON.Get("0.id").String(); id != "" { // plain-array lists
			p = p[:i] + id + p[i+len("{id}"):]
		}
	}
	if strings.Contains(p, "{user__uuid}") {
		p = strings.Replace(p, "{user__uuid}", e.d.UserUUID, 1)
	}
	// The companions outside /api/organizations/: oneself, one's first key, the default project.
	p = strings.Replace(p, "/api/users/{uuid}/", "/api/users/"+e.d.UserUUID+"/", 1)
	if strings.HasPrefix(p, "/api/personal_api_keys/{id}/") {
		if id := e.do("GET", "/api/personal_api_keys/", nil, asSession(e.d.Session)).JSON.Get("0.id").String(); id != "" {
			p = strings.Replace(p, "{id}", id, 1)
		}
	}
	if strings.HasPrefix(p, "/api/projects/{id}/") || strings.HasPrefix(p, "/api/environments/{id}/") {
		p = strings.Replace(p, "{id}", fmt.Sprint(e.d.ProjectID), 1)
	}
	return probePath(e, p)
}

// hostileRoutes are the operations the hostile suites walk: the route table and its
// companions (users, personal API keys, projects by id), which take the same bodies and ids.
func hostileRoutes() []route {
	return append(routes(&Server{}), companions(&Server{})...)
}

func TestHostileBodiesNeverBreakWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("long: every write operation × every hostile body")
	}
	bodies := hostileBodies()
	names := make([]string, 0, len(bodies))
	for n := range bodies {
		names = append(names, n)
	}
	sort.Strings(names)
	tried := 0
	for _, rt := range hostileRoutes() {
		if rt.Method == "GET" || rt.Method == "DELETE" {
			continue
		}
		rt := rt
		t.Run(rt.Method+" "+rt.Path, func(t *testing.T) {
			e := newEnv(t)
			seedOneOfEach(e)
			path := realPath(e, rt.Path)
			before := stateDump(e)
			for _, name := range names {
				r := e.do(rt.Method, path, bodies[name], asSession(e.d.Session))
				tried++
				if r.Status >= 500 && r.Status != http.StatusNotImplemented {
					t.Errorf("%s: %d %s", name, r.Status, truncate(r.Body))
				}
				if r.Status < 400 {
					before = stateDump(e) // accepted (unknown fields ignored): the new baseline
					continue
				}
				if after := stateDump(e); after != before {
					t.Errorf("%s: refused with %d but the state changed", name, r.Status)
					before = after
				}
			}
		})
	}
	t.Logf("hostile write requests tried: %d", tried)
}

// seedOneOfEach gives the default organization one record of every family through the
// store's seeding operations (the ones scenarios use), so {id} routes act on something real:
// an invite, a domain, a role with a member and an external reference, a CIMD token, a proxy
// record, a plugin of each pipeline capability, a batch export, a legal document, an
// organization integration and an OAuth application.
func seedOneOfEach(e *env) {
	e.t.Helper()
	org := e.d.OrganizationID
	err := e.srv.Store().Write(func(tx *store.Tx) error {
		owner := tx.UserByEmail(e.d.UserEmail)
		if _, err := tx.CreateInvites(tx.Membership(org, owner.ID), []store.Values{{"target_email": "seed@example.com", "level": 1}}); err != nil {
			return fmt.Errorf("invite: %w", err)
		}
		if _, _, err := tx.SeedDomain(org, store.NewDomain{Domain: "seed.example.com"}); err != nil {
			return fmt.Errorf("domain: %w", err)
		}
		role, err := tx.CreateRole(org, store.NewRole{Name: "Seed role", CreatedBy: owner})
		if err != nil {
			return fmt.Errorf("role: %w", err)
		}
		if _, err := tx.AddRoleMember(org, role.ID, owner.UUID); err != nil {
			return fmt.Errorf("role member: %w", err)
		}
		if _, err := tx.CreateRoleExternalReference(org, store.NewRoleExternalReference{RoleID: role.ID, Provider: "github",
			ProviderOrganizationID: "seed-org", ProviderRoleID: "42", ProviderRoleName: "Seeders", CreatedBy: owner}); err != nil {
			return fmt.Errorf("role reference: %w", err)
		}
		if _, _, err := tx.CreateCIMDToken(org, store.NewCIMDToken{Label: "seed", CreatedBy: owner}); err != nil {
			return fmt.Errorf("cimd token: %w", err)
		}
		if _, err := tx.SeedProxyRecord(org, store.NewProxyRecord{Domain: "t.seed.example.com", CreatedBy: owner}); err != nil {
			return fmt.Errorf("proxy record: %w", err)
		}
		for name, files := range map[string]map[string]string{
			"Seed transformation": {"index.ts": "export function processEvent(event) { return event }"},
			"Seed destination":    {"index.ts": "export async function onEvent(event) {}"},
			"Seed frontend app":   {"frontend.tsx": "export function inject() {}"},
			"Seed import app":     {"index.ts": "export function runEveryHour() {}"},
		} {
			if _, err := tx.SeedPlugin(org, store.NewPlugin{PluginType: "source", Name: name, Files: files}); err != nil {
				return fmt.Errorf("plugin %s: %w", name, err)
			}
		}
		if _, err := tx.CreateBatchExport(org, store.NewBatchExport{CreatedBy: owner, Name: "Seed export", Interval: "hour",
			Destination: store.NewBatchExportDestination{Type: "HTTP", Config: map[string]any{"url": "https://us.i.posthog.com/batch/", "token": "phc_seed"}}}); err != nil {
			return fmt.Errorf("batch export: %w", err)
		}
		if _, err := tx.CreateLegalDocument(org, store.NewLegalDocument{DocumentType: store.LegalDPA, CompanyName: "Seed Inc",
			CompanyAddress: "1 Main St", RepresentativeEmail: "legal@example.com", DPAMode: "lawyer", Signed: true,
			SignedDocumentURL: "https://files.example.com/dpa.pdf"}); err != nil {
			return fmt.Errorf("legal document: %w", err)
		}
		if _, err := tx.SeedOrgIntegration(org, store.NewOrgIntegration{Kind: "vercel", IntegrationID: "icfg_seed",
			Config: map[string]any{"type": "connectable"}, CreatedBy: owner}); err != nil {
			return fmt.Errorf("integration: %w", err)
		}
		if _, err := tx.SeedOAuthApplication(org, store.NewOAuthApplication{Name: "Seed app", RedirectURIs: []string{"https://app.example.com/cb"}}); err != nil {
			return fmt.Errorf("oauth application: %w", err)
		}
		return nil
	})
	if err != nil {
		e.t.Fatalf("seedOneOfEach: %v", err)
	}
}

// TestHostilePathIDs: ids that are not ids — malformed UUIDs, integers that overflow,
// encoded slashes, traversal, NUL — get a 4xx from every operation that takes one.
func TestHostilePathIDs(t *testing.T) {
	ids := []string{"not-a-uuid", "99999999999999999999999", "-1", "0", "..%2F..%2Fetc%2Fpasswd", "%2e%2e", "%00",
		"019bc119-0000-7000-8000-00000000000Z", "%F0%9F%A6%94", strings.Repeat("a", 3000)}
	e := newEnv(t)
	tried := 0
	for _, rt := range hostileRoutes() {
		if !strings.Contains(rt.Path, "{id}") && !strings.Contains(rt.Path, "{role_id}") && !strings.Contains(rt.Path, "{user__uuid}") && !strings.Contains(rt.Path, "{uuid}") {
			continue
		}
		for _, id := range ids {
			p := strings.NewReplacer("{id}", id, "{role_id}", id, "{user__uuid}", id, "{uuid}", id, "{organization_id}", e.d.OrganizationID).Replace(rt.Path)
			var body any
			if rt.Method != "GET" && rt.Method != "DELETE" {
				body = map[string]any{}
			}
			r := e.do(rt.Method, p, body, asSession(e.d.Session))
			tried++
			if r.Status >= 500 && r.Status != http.StatusNotImplemented {
				t.Errorf("%s %s: %d %s", rt.Method, p, r.Status, truncate(r.Body))
			}
			if r.Status < 400 && rt.Method != "GET" {
				t.Errorf("%s %s: accepted a hostile id (%d)", rt.Method, p, r.Status)
			}
		}
	}
	t.Logf("hostile path ids tried: %d", tried)
}

// TestBodyLimits: the body size limit answers 413 with PostHog's body; nesting is bounded.
func TestBodyLimits(t *testing.T) {
	e := newEnv(t, WithMaxBodyBytes(1024))
	e.do("PATCH", "/api/organizations/@current/", rawBody{"application/json", `{"name":"` + strings.Repeat("x", 2000) + `"}`}).
		wantError(t, 413, "invalid_request", "request_too_large", "Request body exceeds the maximum size of 1024 bytes.", "")
	e.do("PATCH", "/api/organizations/@current/", rawBody{"application/json", `{"name":` + strings.Repeat("[", 65) + strings.Repeat("]", 65) + `}`}).
		wantError(t, 400, "invalid_request", "parse_error", "JSON parse error - nesting deeper than 64 levels", "")
	// Repeated keys: the last one wins, as Python's json module reads them.
	r := e.do("PATCH", "/api/organizations/@current/", rawBody{"application/json", `{"name":"First","name":"Last"}`}).wantStatus(t, 200)
	if r.get("name").String() != "Last" {
		t.Fatalf("name = %q, want the last of the repeated keys", r.get("name").String())
	}
}

// TestPanicAnswersServerError: a panic inside the request path (a fakehog bug) is answered
// with PostHog's 500 body and logged, the server keeps serving, and the store is unlocked.
func TestPanicAnswersServerError(t *testing.T) {
	e := newEnv(t)
	remove := e.srv.PrependReactor("GET", "/api/organizations/{id}/", func(*Incoming) (*Reaction, error) {
		panic("boom")
	})
	e.do("GET", "/api/organizations/@current/", nil).
		wantError(t, 500, "server_error", "error", "A server error occurred.", "")
	remove()
	e.do("GET", "/api/organizations/@current/", nil).wantStatus(t, 200)
	if err := e.srv.Store().Write(func(*store.Tx) error { return nil }); err != nil {
		t.Fatal(err)
	}
}

// TestHostileQueryParameters: every list answers odd limits and offsets — huge, negative,
// not numbers — without a 5xx.
func TestHostileQueryParameters(t *testing.T) {
	e := newEnv(t)
	seedOneOfEach(e)
	queries := []string{"limit=9223372036854775807&offset=1", "limit=1&offset=9223372036854775807",
		"limit=-5&offset=-5", "limit=abc&offset=1e9", "limit=0", "limit=1&offset=1&limit=2",
		"page=999999999999999999999", "search=%00%ff", "order=-id,;drop", "email=" + strings.Repeat("a", 5000)}
	tried := 0
	for _, rt := range hostileRoutes() {
		if rt.Method != "GET" {
			continue
		}
		for _, q := range queries {
			p := realPath(e, rt.Path) + "?" + q
			r := e.do("GET", p, nil, asSession(e.d.Session))
			tried++
			if r.Status >= 500 {
				t.Errorf("GET %s: %d %s", p, r.Status, truncate(r.Body))
			}
		}
	}
	t.Logf("hostile query strings tried: %d", tried)
}
