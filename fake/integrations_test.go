package fake

import (
	"fmt"
	"testing"
	"time"

	"github.com/fakehog/fakehog/fake/store"
)

// seedIntegration creates an organization integration directly in the store, by the owner.
func seedIntegration(e *env, orgID string, in store.NewOrgIntegration) string {
	e.t.Helper()
	var id string
	withWriteTx(e, func(tx *store.Tx) error {
		if in.CreatedBy == nil {
			in.CreatedBy = tx.UserByEmail(e.d.UserEmail)
		}
		i, err := tx.SeedOrgIntegration(orgID, in)
		if err == nil {
			id = i.ID
		}
		return err
	})
	return id
}

func TestIntegrationListAndRetrieve(t *testing.T) {
	e := newEnv(t)
	if r := e.do("GET", e.orgPath("integrations/"), nil).wantStatus(t, 200); r.get("count").Int() != 0 {
		t.Fatalf("integrations exist without seeding: %s", r.Body)
	}
	first := seedIntegration(e, e.d.OrganizationID, store.NewOrgIntegration{IntegrationID: "icfg_1", Config: map[string]any{"type": "marketplace", "billing_plan_id": "free"}})
	e.clock.Advance(time.Second)
	second := seedIntegration(e, e.d.OrganizationID, store.NewOrgIntegration{Config: map[string]any{"type": "connectable"}})
	other := newFeaturelessOrg(t, e)
	foreign := seedIntegration(e, other, store.NewOrgIntegration{IntegrationID: "icfg_2"})
	r := e.do("GET", e.orgPath("integrations/"), nil).wantStatus(t, 200)
	if r.get("count").Int() != 2 || r.get("results.0.id").String() != first || r.get("results.1.id").String() != second {
		t.Fatalf("list = %s", r.Body)
	}
	if r.get("results.0.kind").String() != "vercel" || r.get("results.0.integration_id").String() != "icfg_1" ||
		r.get("results.0.config.billing_plan_id").String() != "free" || r.get("results.0.created_by.email").String() != e.d.UserEmail ||
		r.get("results.0.created_at").String() != "2026-01-15T10:00:00Z" || r.get("results.1.integration_id").Type.String() != "Null" {
		t.Fatalf("list items = %s", r.Body)
	}
	r = e.do("GET", e.orgPath("integrations/?limit=1"), nil).wantStatus(t, 200)
	if len(r.get("results").Array()) != 1 || r.get("next").Type.String() == "Null" {
		t.Fatalf("page = %s", r.Body)
	}
	e.do("GET", e.orgPath("integrations/"+second+"/"), nil).wantStatus(t, 200)
	e.do("GET", e.orgPath("integrations/"+foreign+"/"), nil).wantError(t, 404, "invalid_request", "not_found", "Not found.", "")
	e.do("GET", e.orgPath("integrations/nope/"), nil).wantError(t, 404, "invalid_request", "not_found", "Not found.", "")
	// There is no create nor update.
	e.do("POST", e.orgPath("integrations/"), map[string]any{"kind": "vercel"}).wantError(t, 405, "invalid_request", "method_not_allowed", `Method "POST" not allowed.`, "")
	e.do("PATCH", e.orgPath("integrations/"+second+"/"), map[string]any{}).wantError(t, 405, "invalid_request", "method_not_allowed", `Method "PATCH" not allowed.`, "")
}

func TestIntegrationDelete(t *testing.T) {
	e := newEnv(t)
	org := e.d.OrganizationID
	blocked := seedIntegration(e, org, store.NewOrgIntegration{IntegrationID: "icfg_1", OpenInvoices: true})
	// Unpaid invoices block deauthorizing a marketplace installation.
	e.do("DELETE", e.orgPath("integrations/"+blocked+"/"), nil).wantError(t, 409, "server_error", "open_invoices_error",
		"This integration has unpaid invoices that must be resolved before disconnecting. Please contact support@posthog.com for help.", "")
	e.do("GET", e.orgPath("integrations/"+blocked+"/"), nil).wantStatus(t, 200)
	withWriteTx(e, func(tx *store.Tx) error { tx.OrgIntegration(org, blocked).OpenInvoices = false; return nil })
	r := e.do("DELETE", e.orgPath("integrations/"+blocked+"/"), nil).wantStatus(t, 204)
	if len(r.Body) != 0 {
		t.Fatalf("delete body = %q", r.Body)
	}
	e.do("GET", e.orgPath("integrations/"+blocked+"/"), nil).wantStatus(t, 404)
	// Connectable integrations are not deauthorized at the provider.
	conn := seedIntegration(e, org, store.NewOrgIntegration{IntegrationID: "icfg_2", Config: map[string]any{"type": "connectable"}, OpenInvoices: true})
	e.do("DELETE", e.orgPath("integrations/"+conn+"/"), nil).wantStatus(t, 204)
	e.do("DELETE", e.orgPath("integrations/"+conn+"/"), nil).wantError(t, 404, "invalid_request", "not_found", "Not found.", "")
	if n := e.do("GET", e.orgPath("integrations/"), nil).get("count").Int(); n != 0 {
		t.Fatalf("count after deletes = %d", n)
	}
}

func TestIntegrationEnvironmentMapping(t *testing.T) {
	e := newEnv(t)
	org := e.d.OrganizationID
	prod := e.d.ProjectID
	staging := e.do("POST", e.orgPath("projects/"), map[string]any{"name": "Staging"}).wantStatus(t, 201).get("id").Int()
	other := newFeaturelessOrg(t, e)
	foreignProject := e.do("GET", "/api/organizations/"+other+"/projects/", nil).get("results.0.id").Int()
	conn := seedIntegration(e, org, store.NewOrgIntegration{IntegrationID: "icfg_1", Config: map[string]any{"type": "connectable", "keep": "me"}})
	market := seedIntegration(e, org, store.NewOrgIntegration{IntegrationID: "icfg_2"})
	path := e.orgPath("integrations/" + conn + "/environment-mapping/")
	sess := asSession(e.d.Session)
	e.clock.Advance(time.Minute)

	// Marketplace installations cannot be mapped, whatever the body.
	wantDetail(t, e.do("PATCH", e.orgPath("integrations/"+market+"/environment-mapping/"), map[string]any{}, sess), 400,
		"Environment mapping is only supported for connectable integrations.")
	cases := []fieldCase{
		{"missing production", map[string]any{"preview": prod}, "required", store.MsgRequired, "production"},
		{"null production", map[string]any{"production": nil}, "null", store.MsgNull, "production"},
		{"text production", map[string]any{"production": "prod"}, "invalid_input", store.MsgInvalidInt, "production"},
		{"text preview", map[string]any{"production": prod, "preview": "x"}, "invalid_input", store.MsgInvalidInt, "preview"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.do("PATCH", path, c.body, sess).wantError(t, 400, "validation_error", c.code, c.detail, c.attr)
		})
	}
	wantDetail(t, e.do("PATCH", path, map[string]any{"production": prod, "development": foreignProject}, sess), 400,
		fmt.Sprintf("Project %d does not belong to this organization.", foreignProject))
	wantDetail(t, e.do("PATCH", path, map[string]any{"production": 999999}, sess), 400, "Project 999999 does not belong to this organization.")
	// With several bad ids, the first in PostHog's walk of the Python set {production,
	// preview, development} is named: 1000001 (slot 1) before 999999 (slot 7).
	wantDetail(t, e.do("PATCH", path, map[string]any{"production": 999999, "preview": prod, "development": 1000001}, sess), 400,
		"Project 1000001 does not belong to this organization.")
	if r := e.do("GET", e.orgPath("integrations/"+conn+"/"), nil); r.get("config.environment_mapping").Exists() {
		t.Fatalf("a refused mapping was stored: %s", r.Body)
	}
	// Preview and development default to production.
	r := e.do("PATCH", path, map[string]any{"production": prod}, sess).wantStatus(t, 200)
	m := r.get("config.environment_mapping")
	if len(m.Map()) != 3 || m.Get("production").Int() != int64(prod) || m.Get("preview").Int() != int64(prod) || m.Get("development").Int() != int64(prod) || r.get("config.keep").String() != "me" || r.get("config.type").String() != "connectable" {
		t.Fatalf("mapping = %s", r.Body)
	}
	// PostHog saves only the config: updated_at stays.
	if r.get("updated_at").String() != "2026-01-15T10:00:00Z" {
		t.Fatalf("updated_at = %s", r.get("updated_at").String())
	}
	r = e.do("PATCH", path, map[string]any{"production": fmt.Sprint(prod), "preview": staging, "development": staging}, sess).wantStatus(t, 200)
	if r.get("config.environment_mapping.preview").Int() != staging || r.get("config.environment_mapping.production").Int() != int64(prod) {
		t.Fatalf("mapping = %s", r.Body)
	}
	if got := e.do("GET", e.orgPath("integrations/"+conn+"/"), nil).get("config.environment_mapping.development").Int(); got != staging {
		t.Fatalf("stored development = %d", got)
	}
	// Session only.
	e.do("PATCH", path, map[string]any{"production": prod}).wantError(t, 403, "authentication_error", "permission_denied", "This action does not support personal API key access", "")
	e.do("PATCH", e.orgPath("integrations/"+org+"/environment-mapping/"), map[string]any{"production": prod}, sess).wantStatus(t, 404)
}

func TestIntegrationPermissions(t *testing.T) {
	e := newEnv(t)
	org := e.d.OrganizationID
	m := e.addMember(org, store.LevelMember, "member@example.com")
	admin := e.addMember(org, store.LevelAdmin, "admin@example.com")
	outsider := e.addMember("", 0, "outsider@example.com")
	orgReader := e.addMember(org, store.LevelOwner, "orgreader@example.com", "organization:read", "organization:write")
	reader := e.addMember(org, store.LevelOwner, "reader@example.com", "organization_integration:read")
	id := seedIntegration(e, org, store.NewOrgIntegration{Config: map[string]any{"type": "connectable"}})
	item := e.orgPath("integrations/" + id + "/")
	const insufficient = "Your organization access level is insufficient."
	e.do("GET", e.orgPath("integrations/"), nil, asKey(m.Key)).wantStatus(t, 200)
	e.do("GET", item, nil, asKey(m.Key)).wantStatus(t, 200)
	e.do("DELETE", item, nil, asKey(m.Key)).wantError(t, 403, "authentication_error", "permission_denied", insufficient, "")
	e.do("PATCH", item+"environment-mapping/", map[string]any{"production": e.d.ProjectID}, asSession(m.Session)).
		wantError(t, 403, "authentication_error", "permission_denied", insufficient, "")
	e.do("GET", item, nil, asKey(outsider.Key)).wantError(t, 403, "authentication_error", "permission_denied", store.MsgNoPermission, "")
	// The scope is organization_integration, not organization.
	e.do("GET", item, nil, asKey(orgReader.Key)).wantError(t, 403, "authentication_error", "permission_denied", "API key missing required scope 'organization_integration:read'", "")
	e.do("GET", item, nil, asKey(reader.Key)).wantStatus(t, 200)
	e.do("DELETE", item, nil, asKey(reader.Key)).wantError(t, 403, "authentication_error", "permission_denied", "API key missing required scope 'organization_integration:write'", "")
	e.do("PATCH", item+"environment-mapping/", map[string]any{"production": e.d.ProjectID}, asSession(admin.Session)).wantStatus(t, 200)
	e.do("DELETE", item, nil, asKey(admin.Key)).wantStatus(t, 204)
}

func TestIntegrationSeeding(t *testing.T) {
	e := newEnv(t)
	org := e.d.OrganizationID
	withWriteTx(e, func(tx *store.Tx) error {
		if _, err := tx.SeedOrgIntegration(org, store.NewOrgIntegration{Kind: "slack"}); err == nil {
			t.Error("an unknown kind was seeded")
		}
		if _, err := tx.SeedOrgIntegration(org, store.NewOrgIntegration{ID: "nope"}); err == nil {
			t.Error("a bad id was seeded")
		}
		if _, err := tx.SeedOrgIntegration(org, store.NewOrgIntegration{IntegrationID: "dup"}); err != nil {
			return err
		}
		if _, err := tx.SeedOrgIntegration(org, store.NewOrgIntegration{IntegrationID: "dup"}); err == nil {
			t.Error("an installation was seeded twice")
		}
		return nil
	})
	// The seeded config is copied: changing the caller's map changes nothing.
	cfg := map[string]any{"type": "connectable"}
	id := seedIntegration(e, org, store.NewOrgIntegration{Config: cfg})
	cfg["type"] = "changed"
	if got := e.do("GET", e.orgPath("integrations/"+id+"/"), nil).get("config.type").String(); got != "connectable" {
		t.Fatalf("config.type = %q", got)
	}
	snap := e.srv.Store().Snapshot()
	e.do("PATCH", e.orgPath("integrations/"+id+"/environment-mapping/"), map[string]any{"production": e.d.ProjectID}, asSession(e.d.Session)).wantStatus(t, 200)
	e.srv.Store().Restore(snap)
	if e.do("GET", e.orgPath("integrations/"+id+"/"), nil).get("config.environment_mapping").Exists() {
		t.Fatal("the mapping survived the restore")
	}
	withWriteTx(e, func(tx *store.Tx) error {
		tx.DeleteOrganization(tx.Org(org))
		if len(tx.OrgIntegrations(org)) != 0 {
			t.Error("integrations survived their organization")
		}
		return nil
	})
}
