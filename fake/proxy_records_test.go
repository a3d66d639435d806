package fake

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/fakehog/fakehog/fake/store"
	"github.com/tidwall/gjson"
)

// seedProxy creates a proxy record directly in the store, created by the default owner.
func seedProxy(e *env, orgID string, in store.NewProxyRecord) string {
	e.t.Helper()
	var id string
	withWriteTx(e, func(tx *store.Tx) error {
		if in.CreatedBy == nil {
			in.CreatedBy = tx.UserByEmail(e.d.UserEmail)
		}
		r, err := tx.SeedProxyRecord(orgID, in)
		if err == nil {
			id = r.ID
		}
		return err
	})
	return id
}

// proxyStep runs fn on the record in a write transaction (the emulated workflow).
func proxyStep(e *env, id string, fn func(tx *store.Tx, r *store.ProxyRecord) error) {
	e.t.Helper()
	withWriteTx(e, func(tx *store.Tx) error { return fn(tx, tx.ProxyRecord(e.d.OrganizationID, id)) })
}

func wantDetail(t *testing.T, r *resp, status int, detail string) {
	t.Helper()
	r.wantStatus(t, status)
	if r.Body == nil || r.get("detail").String() != detail || len(r.JSON.Map()) != 1 {
		t.Fatalf("body = %s, want {\"detail\": %q}", r.Body, detail)
	}
}

func TestProxyRecordCreate(t *testing.T) {
	e := newEnv(t)
	org := e.d.OrganizationID
	r := e.do("POST", e.orgPath("proxy_records/"), map[string]any{"domain": "  e.example.com ", "status": "valid", "target_cname": "x", "id": "y"}).wantStatus(t, 201)
	sum := sha256.Sum256([]byte(org + "e.example.com"))
	wantCNAME := hex.EncodeToString(sum[:])[:20] + ".proxyhog.com"
	var ownerID int64
	withWriteTx(e, func(tx *store.Tx) error { ownerID = int64(tx.UserByEmail(e.d.UserEmail).ID); return nil })
	if r.get("domain").String() != "e.example.com" || r.get("target_cname").String() != wantCNAME || r.get("status").String() != "waiting" ||
		r.get("message").Type.String() != "Null" || r.get("created_by").Int() != ownerID || r.get("created_at").String() != "2026-01-15T10:00:00Z" ||
		r.get("updated_at").String() != "2026-01-15T10:00:00Z" || !store.IsUUID(r.get("id").String()) {
		t.Fatalf("created = %s", r.Body)
	}
	id := r.get("id").String()
	got := e.do("GET", e.orgPath("proxy_records/"+id+"/"), nil).wantStatus(t, 200)
	if got.get("domain").String() != "e.example.com" || got.get("target_cname").String() != wantCNAME {
		t.Fatalf("retrieve = %s", got.Body)
	}
	// The same domain in another organization gets another target.
	if store.ProxyTargetCNAME("0193f3e0-0000-7000-8000-000000000000", "e.example.com") == wantCNAME {
		t.Fatal("target_cname does not depend on the organization")
	}
}

func TestProxyRecordList(t *testing.T) {
	e := newEnv(t)
	r := e.do("GET", e.orgPath("proxy_records/"), nil).wantStatus(t, 200)
	if r.Body == nil || string(r.Body) != `{"results":[],"max_proxy_records":2}` {
		t.Fatalf("empty list = %s", r.Body)
	}
	first := e.do("POST", e.orgPath("proxy_records/"), map[string]any{"domain": "a.example.com"}).wantStatus(t, 201).get("id").String()
	e.clock.Advance(time.Second)
	second := e.do("POST", e.orgPath("proxy_records/"), map[string]any{"domain": "b.example.com"}).wantStatus(t, 201).get("id").String()
	// Another organization's records stay out.
	other := newFeaturelessOrg(t, e)
	e.do("POST", "/api/organizations/"+other+"/proxy_records/", map[string]any{"domain": "c.example.com"}).wantStatus(t, 201)
	r = e.do("GET", e.orgPath("proxy_records/?limit=1&offset=1"), nil).wantStatus(t, 200)
	if n := len(r.get("results").Array()); n != 2 || r.get("results.0.id").String() != second || r.get("results.1.id").String() != first ||
		r.get("max_proxy_records").Int() != 2 || r.get("count").Exists() || r.get("next").Exists() {
		t.Fatalf("list (not paginated, newest first) = %s", r.Body)
	}
	for _, k := range []string{"id", "domain", "target_cname", "status", "message", "created_at", "updated_at", "created_by"} {
		if !r.get("results.0." + k).Exists() {
			t.Fatalf("list item lacks %s: %s", k, r.Body)
		}
	}
}

func TestProxyRecordLimit(t *testing.T) {
	e := newEnv(t)
	org := e.d.OrganizationID
	for _, d := range []string{"a.example.com", "b.example.com"} {
		e.do("POST", e.orgPath("proxy_records/"), map[string]any{"domain": d}).wantStatus(t, 201)
	}
	wantDetail(t, e.do("POST", e.orgPath("proxy_records/"), map[string]any{"domain": "c.example.com"}), 400, "Maximum of 2 proxy records per organization.")
	// Field errors come before the limit.
	e.do("POST", e.orgPath("proxy_records/"), map[string]any{}).wantError(t, 400, "validation_error", "required", store.MsgRequired, "domain")
	// The plan's managed_reverse_proxy limit decides.
	withWriteTx(e, func(tx *store.Tx) error {
		o := tx.Org(org)
		for i := range o.Features {
			if o.Features[i].Key == "managed_reverse_proxy" {
				o.Features[i].Limit = store.IntP(3)
			}
		}
		return nil
	})
	if n := e.do("GET", e.orgPath("proxy_records/"), nil).get("max_proxy_records").Int(); n != 3 {
		t.Fatalf("max_proxy_records = %d", n)
	}
	e.do("POST", e.orgPath("proxy_records/"), map[string]any{"domain": "c.example.com"}).wantStatus(t, 201)
	wantDetail(t, e.do("POST", e.orgPath("proxy_records/"), map[string]any{"domain": "d.example.com"}), 400, "Maximum of 3 proxy records per organization.")
	if n := len(e.do("GET", e.orgPath("proxy_records/"), nil).get("results").Array()); n != 3 {
		t.Fatalf("%d records after the refused create", n)
	}
	// Without the feature (a new organization), the default of 2 applies.
	other := newFeaturelessOrg(t, e)
	if n := e.do("GET", "/api/organizations/"+other+"/proxy_records/", nil).get("max_proxy_records").Int(); n != 2 {
		t.Fatalf("featureless max_proxy_records = %d", n)
	}
	// Deleting frees a place.
	id := e.do("GET", e.orgPath("proxy_records/"), nil).get("results.0.id").String()
	e.do("DELETE", e.orgPath("proxy_records/"+id+"/"), nil).wantStatus(t, 200)
	e.do("POST", e.orgPath("proxy_records/"), map[string]any{"domain": "d.example.com"}).wantStatus(t, 201)
}

func TestProxyRecordValidation(t *testing.T) {
	e := newEnv(t)
	cases := []fieldCase{
		{"missing", map[string]any{}, "required", store.MsgRequired, "domain"},
		{"blank", map[string]any{"domain": "  "}, "blank", store.MsgBlank, "domain"},
		{"null", map[string]any{"domain": nil}, "null", store.MsgNull, "domain"},
		{"object", map[string]any{"domain": map[string]any{}}, "invalid_input", store.MsgInvalidString, "domain"},
		{"long", map[string]any{"domain": strings.Repeat("a", 61) + ".com"}, "max_length", "Ensure this field has no more than 64 characters.", "domain"},
		{"not an object", "[1]", "invalid_input", "Invalid data. Expected a dictionary, but got list.", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.do("POST", e.orgPath("proxy_records/"), c.body).wantError(t, 400, "validation_error", c.code, c.detail, c.attr)
		})
	}
	e.do("POST", e.orgPath("proxy_records/"), map[string]any{"domain": "taken.example.com"}).wantStatus(t, 201)
	// Domains are unique across organizations.
	other := newFeaturelessOrg(t, e)
	e.do("POST", "/api/organizations/"+other+"/proxy_records/", map[string]any{"domain": "taken.example.com"}).
		wantError(t, 400, "validation_error", "unique", "proxy record with this domain already exists.", "domain")
	if n := len(e.do("GET", e.orgPath("proxy_records/"), nil).get("results").Array()); n != 1 {
		t.Fatalf("failed creates left %d records", n)
	}
	// Unknown or foreign ids.
	e.do("GET", e.orgPath("proxy_records/not-a-uuid/"), nil).wantError(t, 404, "invalid_request", "not_found", "Not found.", "")
	e.do("GET", e.orgPath("proxy_records/0193f3e0-0000-7000-8000-000000000000/"), nil).wantError(t, 404, "invalid_request", "not_found", "Not found.", "")
}

func TestProxyRecordUpdate(t *testing.T) {
	e := newEnv(t)
	id := seedProxy(e, e.d.OrganizationID, store.NewProxyRecord{Domain: "a.example.com", Status: store.ProxyValid, CNAME: true})
	item := e.orgPath("proxy_records/" + id + "/")
	oldCNAME := e.do("GET", item, nil).get("target_cname").String()
	e.clock.Advance(time.Minute)
	// PATCH without a new domain changes nothing but updated_at; read-only fields are ignored.
	r := e.do("PATCH", item, map[string]any{"status": "erroring", "domain": "a.example.com"}).wantStatus(t, 200)
	if r.get("status").String() != "valid" || r.get("target_cname").String() != oldCNAME || r.get("updated_at").String() != "2026-01-15T10:01:00Z" {
		t.Fatalf("patch = %s", r.Body)
	}
	e.do("PATCH", item, map[string]any{}).wantStatus(t, 200)
	// A new domain changes the domain only: target_cname, status and message are read-only
	// in ProxyRecordSerializer, and nothing restarts provisioning.
	r = e.do("PATCH", item, map[string]any{"domain": "b.example.com", "target_cname": "x.example.com", "message": "m"}).wantStatus(t, 200)
	if r.get("domain").String() != "b.example.com" || r.get("status").String() != "valid" || r.get("target_cname").String() != oldCNAME ||
		r.get("message").Type != gjson.Null {
		t.Fatalf("patched domain = %s", r.Body)
	}
	// A record being deleted stays so when its domain changes.
	proxyStep(e, id, func(tx *store.Tx, r *store.ProxyRecord) error {
		return tx.SetProxyRecordStatus(r, store.ProxyDeleting, "")
	})
	r = e.do("PATCH", item, map[string]any{"domain": "d.example.com"}).wantStatus(t, 200)
	if r.get("status").String() != store.ProxyDeleting || r.get("target_cname").String() != oldCNAME {
		t.Fatalf("patched a deleting record = %s", r.Body)
	}
	// PUT needs the domain.
	e.do("PUT", item, map[string]any{}).wantError(t, 400, "validation_error", "required", store.MsgRequired, "domain")
	e.do("PUT", item, map[string]any{"domain": ""}).wantError(t, 400, "validation_error", "blank", store.MsgBlank, "domain")
	r = e.do("PUT", item, map[string]any{"domain": "c.example.com"}).wantStatus(t, 200)
	if r.get("domain").String() != "c.example.com" {
		t.Fatalf("put = %s", r.Body)
	}
	// The old domain is free again; a domain of another record is not.
	seedProxy(e, e.d.OrganizationID, store.NewProxyRecord{Domain: "a.example.com"})
	e.do("PATCH", item, map[string]any{"domain": "a.example.com"}).wantError(t, 400, "validation_error", "unique", "proxy record with this domain already exists.", "domain")
	if d := e.do("GET", item, nil).get("domain").String(); d != "c.example.com" {
		t.Fatalf("domain after a refused update = %q", d)
	}
}

func TestProxyRecordLifecycle(t *testing.T) {
	e := newEnv(t)
	id := e.do("POST", e.orgPath("proxy_records/"), map[string]any{"domain": "e.example.com"}).wantStatus(t, 201).get("id").String()
	item := e.orgPath("proxy_records/" + id + "/")
	status := func() string { return e.do("GET", item, nil).get("status").String() }
	// Without the CNAME record the workflow keeps waiting.
	proxyStep(e, id, func(tx *store.Tx, r *store.ProxyRecord) error {
		if s := tx.AdvanceProxyRecord(r); s != store.ProxyWaiting {
			t.Errorf("advance without DNS = %s", s)
		}
		tx.SetProxyCNAME("e.example.com", r.TargetCNAME+".")
		return nil
	})
	proxyStep(e, id, func(tx *store.Tx, r *store.ProxyRecord) error { tx.AdvanceProxyRecord(r); return nil })
	if s := status(); s != "issuing" {
		t.Fatalf("status = %s, want issuing", s)
	}
	proxyStep(e, id, func(tx *store.Tx, r *store.ProxyRecord) error { tx.AdvanceProxyRecords(e.d.OrganizationID); return nil })
	if s := status(); s != "valid" {
		t.Fatalf("status = %s, want valid", s)
	}
	// Retry is only for failed records.
	wantDetail(t, e.do("POST", item+"retry/", nil, asSession(e.d.Session)), 400, "Cannot retry proxy in valid state.")
	proxyStep(e, id, func(tx *store.Tx, r *store.ProxyRecord) error {
		return tx.SetProxyRecordStatus(r, store.ProxyErroring, "Certificate issuance failed.")
	})
	if r := e.do("GET", item, nil); r.get("status").String() != "erroring" || r.get("message").String() != "Certificate issuance failed." {
		t.Fatalf("erroring = %s", r.Body)
	}
	r := e.do("POST", item+"retry/", nil, asSession(e.d.Session)).wantStatus(t, 200)
	if r.get("status").String() != "waiting" || r.get("message").Type.String() != "Null" {
		t.Fatalf("retry = %s", r.Body)
	}
	proxyStep(e, id, func(tx *store.Tx, r *store.ProxyRecord) error {
		if err := tx.SetProxyRecordStatus(r, "bogus", ""); err == nil {
			t.Error("an unknown status was accepted")
		}
		return tx.SetProxyRecordStatus(r, store.ProxyTimedOut, "")
	})
	e.do("POST", item+"retry/", nil, asSession(e.d.Session)).wantStatus(t, 200)
	// Deleting a live proxy starts the deletion workflow; completing it removes the record.
	proxyStep(e, id, func(tx *store.Tx, r *store.ProxyRecord) error {
		return tx.SetProxyRecordStatus(r, store.ProxyValid, "")
	})
	r = e.do("DELETE", item, nil).wantStatus(t, 200)
	if string(r.Body) != `{"success":true}` {
		t.Fatalf("delete body = %s", r.Body)
	}
	if s := status(); s != "deleting" {
		t.Fatalf("status after deleting a valid proxy = %s", s)
	}
	wantDetail(t, e.do("POST", item+"retry/", nil, asSession(e.d.Session)), 400, "Cannot retry proxy in deleting state.")
	proxyStep(e, id, func(tx *store.Tx, r *store.ProxyRecord) error {
		if s := tx.AdvanceProxyRecord(r); s != "" {
			t.Errorf("advance of a deleting record = %q", s)
		}
		return nil
	})
	e.do("GET", item, nil).wantError(t, 404, "invalid_request", "not_found", "Not found.", "")
	// Waiting, erroring and timed out records go at once.
	for _, st := range []string{store.ProxyWaiting, store.ProxyErroring, store.ProxyTimedOut} {
		id := seedProxy(e, e.d.OrganizationID, store.NewProxyRecord{Domain: st + ".example.com", Status: st})
		e.do("DELETE", e.orgPath("proxy_records/"+id+"/"), nil).wantStatus(t, 200)
		e.do("GET", e.orgPath("proxy_records/"+id+"/"), nil).wantStatus(t, 404)
	}
	e.do("DELETE", item, nil).wantError(t, 404, "invalid_request", "not_found", "Not found.", "")
}

func TestProxyRecordDiagnose(t *testing.T) {
	e := newEnv(t)
	id := e.do("POST", e.orgPath("proxy_records/"), map[string]any{"domain": "e.example.com"}).wantStatus(t, 201).get("id").String()
	path := e.orgPath("proxy_records/" + id + "/diagnose/")
	target := store.ProxyTargetCNAME(e.d.OrganizationID, "e.example.com")
	checkIDs := func(r *resp) string {
		var ids []string
		for _, c := range r.get("checks").Array() {
			ids = append(ids, c.Get("id").String()+":"+c.Get("status").String())
		}
		return strings.Join(ids, " ")
	}
	// No CNAME yet.
	r := e.do("POST", path, nil, asSession(e.d.Session)).wantStatus(t, 200)
	if got := checkIDs(r); got != "cname:failed live_event:skipped cloudflare:skipped caa:passed http_challenge:skipped cert_expiry:skipped" {
		t.Fatalf("checks = %s", got)
	}
	if r.get("summary.status").String() != "fail" || r.get("summary.primary_issue").String() != "cname" ||
		r.get("summary.next_action").String() != "Add the CNAME record below for `e.example.com`." ||
		r.get("checks.0.remediation.records.0.value").String() != target || r.get("checks.0.remediation.type").String() != "dns" ||
		r.get("ran_at").String() != "2026-01-15T10:00:00Z" || r.get("checks.1.remediation").Type.String() != "Null" {
		t.Fatalf("report = %s", r.Body)
	}
	// One run per user and record every 30 seconds.
	wantDetail(t, e.do("POST", path, nil, asSession(e.d.Session)), 429, "A diagnostic was just run for this proxy. Please wait a few seconds before trying again.")
	admin := e.addMember(e.d.OrganizationID, store.LevelAdmin, "admin@example.com")
	e.do("POST", path, nil, asSession(admin.Session)).wantStatus(t, 200)
	e.clock.Advance(30 * time.Second)
	// A CNAME pointing elsewhere.
	withWriteTx(e, func(tx *store.Tx) error { tx.SetProxyCNAME("e.example.com", "elsewhere.example.net"); return nil })
	r = e.do("POST", path, nil, asSession(e.d.Session)).wantStatus(t, 200)
	if r.get("checks.0.detail").String() != "`e.example.com` is pointing to `elsewhere.example.net` instead of the expected target. Update the CNAME record below at your DNS provider." {
		t.Fatalf("mismatch = %s", r.Body)
	}
	// DNS right, proxy not serving yet.
	e.clock.Advance(30 * time.Second)
	withWriteTx(e, func(tx *store.Tx) error { tx.SetProxyCNAME("e.example.com", target); return nil })
	r = e.do("POST", path, nil, asSession(e.d.Session)).wantStatus(t, 200)
	if checkIDs(r) != "cname:passed live_event:failed cloudflare:skipped caa:passed http_challenge:skipped cert_expiry:skipped" ||
		r.get("summary.primary_issue").String() != "live_event" || r.get("summary.next_action").String() != "TLS connection to `e.example.com` failed." {
		t.Fatalf("not serving = %s", r.Body)
	}
	// Healthy once valid.
	e.clock.Advance(30 * time.Second)
	proxyStep(e, id, func(tx *store.Tx, r *store.ProxyRecord) error {
		tx.AdvanceProxyRecord(r)
		tx.AdvanceProxyRecord(r)
		return nil
	})
	r = e.do("POST", path, nil, asSession(e.d.Session)).wantStatus(t, 200)
	if checkIDs(r) != "cname:passed live_event:passed cert_expiry:passed" || r.get("summary.status").String() != "healthy" ||
		r.get("summary.primary_issue").Type.String() != "Null" || r.get("checks.2.detail").String() != "Certificate is valid for 90 more days." {
		t.Fatalf("healthy = %s", r.Body)
	}
	// A certificate about to expire is a warning.
	e.clock.Advance(30 * time.Second)
	proxyStep(e, id, func(tx *store.Tx, r *store.ProxyRecord) error {
		tx.SetProxyCertExpiry(r, tx.Now().Add(5*24*time.Hour+time.Hour))
		return nil
	})
	r = e.do("POST", path, nil, asSession(e.d.Session)).wantStatus(t, 200)
	if r.get("summary.status").String() != "warn" || r.get("summary.primary_issue").String() != "cert_expiry" ||
		r.get("checks.2.detail").String() != "The TLS certificate for `e.example.com` expires in 5 days and isn't being renewed. Hit Retry to start a fresh issuance." {
		t.Fatalf("expiring = %s", r.Body)
	}
}

func TestProxyRecordPermissions(t *testing.T) {
	e := newEnv(t)
	org := e.d.OrganizationID
	m, admin, outsider, reader := e.permissionCast(org, "organization:read")
	id := seedProxy(e, org, store.NewProxyRecord{Domain: "e.example.com", Status: store.ProxyErroring})
	item := e.orgPath("proxy_records/" + id + "/")
	const insufficient = "Your organization access level is insufficient."
	// Members read, admins write.
	e.do("GET", e.orgPath("proxy_records/"), nil, asKey(m.Key)).wantStatus(t, 200)
	e.do("GET", item, nil, asKey(m.Key)).wantStatus(t, 200)
	e.do("POST", e.orgPath("proxy_records/"), map[string]any{"domain": "x.example.com"}, asKey(m.Key)).wantError(t, 403, "authentication_error", "permission_denied", insufficient, "")
	e.do("PATCH", item, map[string]any{"domain": "x.example.com"}, asKey(m.Key)).wantError(t, 403, "authentication_error", "permission_denied", insufficient, "")
	e.do("DELETE", item, nil, asKey(m.Key)).wantError(t, 403, "authentication_error", "permission_denied", insufficient, "")
	e.do("POST", item+"retry/", nil, asSession(m.Session)).wantError(t, 403, "authentication_error", "permission_denied", insufficient, "")
	e.do("POST", item+"diagnose/", nil, asSession(m.Session)).wantError(t, 403, "authentication_error", "permission_denied", insufficient, "")
	e.do("GET", item, nil, asKey(outsider.Key)).wantError(t, 403, "authentication_error", "permission_denied", store.MsgNoPermission, "")
	// Scopes; retry and diagnose refuse personal API keys with scopes (legacy keys, with
	// none, may do everything).
	e.do("GET", item, nil, asKey(reader.Key)).wantStatus(t, 200)
	e.do("POST", e.orgPath("proxy_records/"), map[string]any{"domain": "x.example.com"}, asKey(reader.Key)).
		wantError(t, 403, "authentication_error", "permission_denied", "API key missing required scope 'organization:write'", "")
	for _, action := range []string{"retry/", "diagnose/"} {
		e.do("POST", item+action, nil, asKey(e.d.APIKey)).wantError(t, 403, "authentication_error", "permission_denied", "This action does not support personal API key access", "")
	}
	e.do("POST", item+"retry/", nil, asSession(admin.Session)).wantStatus(t, 200)
	e.do("DELETE", item, nil, asKey(admin.Key)).wantStatus(t, 200)
}

func TestProxyRecordSeedingAndSnapshot(t *testing.T) {
	e := newEnv(t)
	org := e.d.OrganizationID
	withWriteTx(e, func(tx *store.Tx) error {
		for _, in := range []store.NewProxyRecord{{Domain: " "}, {Domain: "x.example.com", Status: "nope"}, {Domain: "y.example.com", ID: "bad"}} {
			if _, err := tx.SeedProxyRecord(org, in); err == nil {
				t.Errorf("seeded %+v", in)
			}
		}
		if _, err := tx.SeedProxyRecord("0193f3e0-0000-7000-8000-000000000000", store.NewProxyRecord{Domain: "z.example.com"}); err == nil {
			t.Error("seeded into a missing organization")
		}
		return nil
	})
	// Seeding ignores the quota and sets the status and DNS.
	for i, st := range []string{store.ProxyValid, store.ProxyWarning, store.ProxyIssuing} {
		seedProxy(e, org, store.NewProxyRecord{Domain: string(rune('a'+i)) + ".example.com", Status: st, Message: "m", CNAME: true})
	}
	r := e.do("GET", e.orgPath("proxy_records/"), nil).wantStatus(t, 200)
	if len(r.get("results").Array()) != 3 || r.get("results.0.status").String() != "issuing" || r.get("results.0.message").String() != "m" {
		t.Fatalf("seeded = %s", r.Body)
	}
	snap := e.srv.Store().Snapshot()
	id := r.get("results.0.id").String()
	e.do("DELETE", e.orgPath("proxy_records/"+id+"/"), nil).wantStatus(t, 200)
	withWriteTx(e, func(tx *store.Tx) error { tx.SetProxyCNAME("a.example.com", ""); return nil })
	e.srv.Store().Restore(snap)
	if s := e.do("GET", e.orgPath("proxy_records/"+id+"/"), nil).wantStatus(t, 200).get("status").String(); s != "issuing" {
		t.Fatalf("restored status = %s", s)
	}
	withWriteTx(e, func(tx *store.Tx) error {
		if tx.ProxyCNAME("a.example.com") == "" {
			t.Error("DNS change survived the restore")
		}
		// Deleting the organization removes its records and frees their domains.
		tx.DeleteOrganization(tx.Org(org))
		if len(tx.ProxyRecords(org)) != 0 {
			t.Error("records survived their organization")
		}
		other, err := tx.CreateOrganization(tx.UserByEmail(e.d.UserEmail), store.Values{"name": "Next"}, store.NewOrganization{})
		if err != nil {
			return err
		}
		if _, err := tx.SeedProxyRecord(other.ID, store.NewProxyRecord{Domain: "a.example.com"}); err != nil {
			t.Errorf("domain of a deleted organization still taken: %v", err)
		}
		return nil
	})
}

// TestProxyRecordStatusRules: for every status, whether retry is allowed (erroring and
// timed_out only) and whether DELETE removes the record at once (waiting, erroring,
// timed_out) or starts the deletion workflow (status deleting); both answer 200.
func TestProxyRecordStatusRules(t *testing.T) {
	cases := []struct {
		status      string
		canRetry    bool
		deletedNow  bool
		afterDelete string
	}{
		{store.ProxyWaiting, false, true, ""},
		{store.ProxyIssuing, false, false, store.ProxyDeleting},
		{store.ProxyValid, false, false, store.ProxyDeleting},
		{store.ProxyWarning, false, false, store.ProxyDeleting},
		{store.ProxyErroring, true, true, ""},
		{store.ProxyDeleting, false, false, store.ProxyDeleting},
		{store.ProxyTimedOut, true, true, ""},
	}
	for _, c := range cases {
		t.Run(c.status, func(t *testing.T) {
			e := newEnv(t)
			sess := asSession(e.d.Session)
			id := seedProxy(e, e.d.OrganizationID, store.NewProxyRecord{Domain: "p.example.com", Status: c.status, Message: "why"})
			item := e.orgPath("proxy_records/" + id + "/")
			if c.canRetry {
				r := e.do("POST", item+"retry/", nil, sess).wantStatus(t, 200)
				if r.get("status").String() != store.ProxyWaiting || r.get("message").Type != gjson.Null {
					t.Fatalf("retry = %s", r.Body)
				}
				proxyStep(e, id, func(tx *store.Tx, r *store.ProxyRecord) error { return tx.SetProxyRecordStatus(r, c.status, "why") })
			} else {
				wantDetail(t, e.do("POST", item+"retry/", nil, sess), 400, "Cannot retry proxy in "+c.status+" state.")
				if r := e.do("GET", item, nil); r.get("status").String() != c.status || r.get("message").String() != "why" {
					t.Fatalf("a refused retry changed the record: %s", r.Body)
				}
			}
			if r := e.do("DELETE", item, nil).wantStatus(t, 200); string(r.Body) != `{"success":true}` {
				t.Fatalf("delete = %s", r.Body)
			}
			if c.deletedNow {
				e.do("GET", item, nil).wantError(t, 404, "invalid_request", "not_found", "Not found.", "")
				return
			}
			if s := e.do("GET", item, nil).wantStatus(t, 200).get("status").String(); s != c.afterDelete {
				t.Fatalf("status after delete = %s, want %s", s, c.afterDelete)
			}
		})
	}
}
