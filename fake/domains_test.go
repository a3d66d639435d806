package fake

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/fakehog/fakehog/fake/store"
)

// withWriteTx runs fn in a write transaction on the env's store (scenario-style seeding).
func withWriteTx(e *env, fn func(tx *store.Tx) error) {
	e.t.Helper()
	if err := e.srv.Store().Write(fn); err != nil {
		e.t.Fatalf("seeding: %v", err)
	}
}

// newFeaturelessOrg creates, over the API, an organization owned by the default user: a new Cloud
// organization has no plan features.
func newFeaturelessOrg(t *testing.T, e *env) string {
	t.Helper()
	return e.do("POST", "/api/organizations/", map[string]any{"name": "Bare"}).wantStatus(t, 201).get("id").String()
}

// seedDomain creates a domain directly in the store.
func seedDomain(e *env, orgID string, in store.NewDomain) (string, string) {
	e.t.Helper()
	var id, token string
	withWriteTx(e, func(tx *store.Tx) error {
		d, tok, err := tx.SeedDomain(orgID, in)
		if err == nil {
			id, token = d.ID, tok
		}
		return err
	})
	return id, token
}

var reChallenge = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)

func TestDomainCreate(t *testing.T) {
	e := newEnv(t)
	// Read-only and verification-gated fields are ignored on create.
	r := e.do("POST", e.orgPath("domains/"), map[string]any{"domain": "example.com", "jit_provisioning_enabled": true,
		"sso_enforcement": "google-oauth2", "verified_at": "2020-01-01T00:00:00Z", "is_verified": true,
		"verification_challenge": "mine", "scim_enabled": true, "saml_entity_id": "entity"}).wantStatus(t, 201)
	if r.get("domain").String() != "example.com" || r.get("is_verified").Bool() || r.get("verified_at").Type.String() != "Null" ||
		r.get("jit_provisioning_enabled").Bool() || r.get("sso_enforcement").String() != "" || r.get("scim_enabled").Bool() ||
		r.get("has_scim").Bool() || r.get("has_saml").Bool() || r.get("scim_base_url").Type.String() != "Null" ||
		r.get("scim_bearer_token").Type.String() != "Null" || r.get("saml_entity_id").String() != "entity" {
		t.Fatalf("created domain = %s", r.Body)
	}
	if !reChallenge.MatchString(r.get("verification_challenge").String()) {
		t.Fatalf("verification_challenge = %q, want 43 URL-safe characters", r.get("verification_challenge").String())
	}
	id := r.get("id").String()
	got := e.do("GET", e.orgPath("domains/"+id+"/"), nil).wantStatus(t, 200)
	if got.get("domain").String() != "example.com" || got.get("verification_challenge").String() != r.get("verification_challenge").String() {
		t.Fatalf("read back = %s", got.Body)
	}
	// Without the trailing slash and through @current too.
	e.do("GET", "/api/organizations/@current/domains/"+id, nil).wantStatus(t, 200)
}

func TestDomainValidation(t *testing.T) {
	e := newEnv(t)
	other := e.otherOrg()
	seedDomain(e, other, store.NewDomain{Domain: "taken.com"})
	e.do("POST", e.orgPath("domains/"), map[string]any{"domain": "mine.com"}).wantStatus(t, 201)
	cases := []fieldCase{
		{"missing domain", map[string]any{}, "required", store.MsgRequired, "domain"},
		{"blank domain", map[string]any{"domain": "  "}, "blank", store.MsgBlank, "domain"},
		{"null domain", map[string]any{"domain": nil}, "null", store.MsgNull, "domain"},
		{"uppercase", map[string]any{"domain": "Example.com"}, "invalid_input", "Please enter a valid domain or subdomain name.", "domain"},
		{"no tld", map[string]any{"domain": "localhost"}, "invalid_input", "Please enter a valid domain or subdomain name.", "domain"},
		{"scheme", map[string]any{"domain": "https://example.com"}, "invalid_input", "Please enter a valid domain or subdomain name.", "domain"},
		{"leading hyphen", map[string]any{"domain": "-a.example.com"}, "invalid_input", "Please enter a valid domain or subdomain name.", "domain"},
		{"too long", map[string]any{"domain": strings.Repeat("a", 125) + ".com"}, "max_length", "Ensure this field has no more than 128 characters.", "domain"},
		{"duplicate in the organization", map[string]any{"domain": "mine.com"}, "unique", "domain with this domain already exists.", "domain"},
		{"duplicate in another organization", map[string]any{"domain": "taken.com"}, "unique", "domain with this domain already exists.", "domain"},
		{"long sso_enforcement", map[string]any{"domain": "ok.com", "sso_enforcement": strings.Repeat("s", 29)}, "max_length", "Ensure this field has no more than 28 characters.", "sso_enforcement"},
		{"bad jit", map[string]any{"domain": "ok.com", "jit_provisioning_enabled": "maybe"}, "invalid_input", store.MsgInvalidBool, "jit_provisioning_enabled"},
		{"not an object", []any{"example.com"}, "invalid_input", "Invalid data. Expected a dictionary, but got list.", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.do("POST", e.orgPath("domains/"), c.body).wantError(t, 400, "validation_error", c.code, c.detail, c.attr)
		})
	}
	// Subdomains and hyphenated labels are fine.
	e.do("POST", e.orgPath("domains/"), map[string]any{"domain": "eu.my-company.co.uk"}).wantStatus(t, 201)
	if n := e.do("GET", e.orgPath("domains/"), nil).get("count").Int(); n != 2 {
		t.Errorf("domains after failed creates = %d, want 2", n)
	}
}

func TestDomainCreateNeedsAutomaticProvisioning(t *testing.T) {
	e := newEnv(t)
	org := newFeaturelessOrg(t, e)
	path := "/api/organizations/" + org + "/domains/"
	// The body is validated before the plan is checked.
	e.do("POST", path, map[string]any{"domain": "Bad"}).wantError(t, 400, "validation_error", "invalid_input", "Please enter a valid domain or subdomain name.", "domain")
	e.do("POST", path, map[string]any{"domain": "bare.com"}).wantError(t, 403, "authentication_error", "permission_denied", "Automatic provisioning is not enabled for this organization.", "")
	if n := e.do("GET", path, nil).get("count").Int(); n != 0 {
		t.Fatalf("domains = %d after a refused create", n)
	}
	// A scenario can still seed one there (no plan check) and the name is then taken.
	seedDomain(e, org, store.NewDomain{Domain: "bare.com"})
	e.do("POST", e.orgPath("domains/"), map[string]any{"domain": "bare.com"}).wantError(t, 400, "validation_error", "unique", "domain with this domain already exists.", "domain")
}

func TestDomainUpdate(t *testing.T) {
	e := newEnv(t)
	id := e.do("POST", e.orgPath("domains/"), map[string]any{"domain": "example.com"}).wantStatus(t, 201).get("id").String()
	path := e.orgPath("domains/" + id + "/")
	// Settings that need a verified domain.
	for _, attr := range []string{"jit_provisioning_enabled", "sso_enforcement", "scim_enabled"} {
		var v any = true
		if attr == "sso_enforcement" {
			v = "google-oauth2"
		}
		e.do("PATCH", path, map[string]any{attr: v}).wantError(t, 400, "validation_error", "verification_required", "This attribute cannot be updated until the domain is verified.", attr)
	}
	// Even a false value counts as setting it.
	e.do("PATCH", path, map[string]any{"jit_provisioning_enabled": false}).wantError(t, 400, "validation_error", "verification_required", "This attribute cannot be updated until the domain is verified.", "jit_provisioning_enabled")
	// domain is immutable, read-only fields are ignored, SAML can be set before verification.
	r := e.do("PATCH", path, map[string]any{"domain": "other.com", "verified_at": "2020-01-01T00:00:00Z", "unknown": 1,
		"saml_entity_id": "https://idp.example.com", "saml_acs_url": "https://idp.example.com/acs", "saml_x509_cert": "CERT"}).wantStatus(t, 200)
	if r.get("domain").String() != "example.com" || r.get("is_verified").Bool() || !r.get("has_saml").Bool() {
		t.Fatalf("after PATCH = %s", r.Body)
	}
	e.do("PATCH", path, map[string]any{"saml_x509_cert": nil}).wantStatus(t, 200)
	if e.do("GET", path, nil).get("has_saml").Bool() {
		t.Fatal("has_saml with a null certificate")
	}
	e.do("PATCH", path, map[string]any{"saml_acs_url": strings.Repeat("u", 513)}).wantError(t, 400, "validation_error", "max_length", "Ensure this field has no more than 512 characters.", "saml_acs_url")
	// PUT needs no field either.
	e.do("PUT", path, map[string]any{}).wantStatus(t, 200)
	e.do("PATCH", e.orgPath("domains/not-a-uuid/"), map[string]any{}).wantError(t, 404, "invalid_request", "not_found", "Not found.", "")

	// Once verified, the settings can change.
	withWriteTx(e, func(tx *store.Tx) error { tx.SetDomainDNSRecord("example.com", true); return nil })
	e.do("POST", path+"verify/", nil, asSession(e.d.Session)).wantStatus(t, 200)
	r = e.do("PATCH", path, map[string]any{"jit_provisioning_enabled": true, "sso_enforcement": "saml"}).wantStatus(t, 200)
	if !r.get("jit_provisioning_enabled").Bool() || r.get("sso_enforcement").String() != "saml" {
		t.Fatalf("verified domain after PATCH = %s", r.Body)
	}
	r = e.do("PUT", path, map[string]any{"sso_enforcement": ""}).wantStatus(t, 200)
	if r.get("sso_enforcement").String() != "" || !r.get("jit_provisioning_enabled").Bool() {
		t.Fatalf("after PUT = %s", r.Body)
	}
}

func TestDomainUpdateNeedsFeatures(t *testing.T) {
	e := newEnv(t)
	org := newFeaturelessOrg(t, e)
	id, _ := seedDomain(e, org, store.NewDomain{Domain: "bare.com", Verified: true})
	path := "/api/organizations/" + org + "/domains/" + id + "/"
	e.do("PATCH", path, map[string]any{"jit_provisioning_enabled": true}).wantError(t, 400, "validation_error", "feature_not_available", "Automatic provisioning is not enabled for this organization.", "jit_provisioning_enabled")
	e.do("PATCH", path, map[string]any{"scim_enabled": false}).wantError(t, 400, "validation_error", "feature_not_available", "SCIM provisioning is not available for this organization.", "scim_enabled")
	// Turning JIT off and SSO enforcement need no feature.
	r := e.do("PATCH", path, map[string]any{"jit_provisioning_enabled": false, "sso_enforcement": "github"}).wantStatus(t, 200)
	if r.get("sso_enforcement").String() != "github" || !r.get("is_verified").Bool() {
		t.Fatalf("after PATCH = %s", r.Body)
	}
}

func TestDomainVerify(t *testing.T) {
	e := newEnv(t)
	sess := asSession(e.d.Session)
	id := e.do("POST", e.orgPath("domains/"), map[string]any{"domain": "example.com"}).wantStatus(t, 201).get("id").String()
	path := e.orgPath("domains/" + id + "/verify/")
	// Session only.
	e.do("POST", path, nil).wantError(t, 403, "authentication_error", "permission_denied", "This action does not support personal API key access", "")
	// No DNS record: still 200, still unverified, the retry is recorded.
	r := e.do("POST", path, nil, sess).wantStatus(t, 200)
	if r.get("is_verified").Bool() || r.get("verified_at").Type.String() != "Null" || r.get("id").String() != id {
		t.Fatalf("verify without DNS = %s", r.Body)
	}
	withWriteTx(e, func(tx *store.Tx) error {
		if d := tx.Domain(e.d.OrganizationID, id); d.LastVerificationRetry == nil || !d.LastVerificationRetry.Equal(testEpoch) {
			t.Errorf("last_verification_retry = %v, want %v", d.LastVerificationRetry, testEpoch)
		}
		tx.SetDomainDNSRecord("example.com", true)
		return nil
	})
	r = e.do("POST", path, nil, sess).wantStatus(t, 200)
	if !r.get("is_verified").Bool() || r.get("verified_at").String() != "2026-01-15T10:00:00Z" {
		t.Fatalf("verify with DNS = %s", r.Body)
	}
	withWriteTx(e, func(tx *store.Tx) error {
		if d := tx.Domain(e.d.OrganizationID, id); d.LastVerificationRetry != nil {
			t.Errorf("last_verification_retry = %v after success, want nil", d.LastVerificationRetry)
		}
		return nil
	})
	e.do("POST", path, nil, sess).wantError(t, 400, "validation_error", "already_verified", "This domain has already been verified.", "")
	if !e.do("GET", e.orgPath("domains/"+id+"/"), nil).get("is_verified").Bool() {
		t.Fatal("verification not kept")
	}
	e.do("POST", e.orgPath("domains/"+absentDomainID+"/verify/"), nil, sess).wantStatus(t, 404)

	// A domain seeded as verifiable verifies at once; removing the record makes verify fail.
	var id2, id3 string
	withWriteTx(e, func(tx *store.Tx) error {
		d, err := tx.CreateDomain(e.d.OrganizationID, store.Values{"domain": "ready.com"}, store.DomainOptions{Verifiable: true})
		if err != nil {
			return err
		}
		id2 = d.ID
		d3, err := tx.CreateDomain(e.d.OrganizationID, store.Values{"domain": "gone.com"}, store.DomainOptions{Verifiable: true})
		if err != nil {
			return err
		}
		id3 = d3.ID
		tx.SetDomainDNSRecord("gone.com", false)
		return nil
	})
	if !e.do("POST", e.orgPath("domains/"+id2+"/verify/"), nil, sess).wantStatus(t, 200).get("is_verified").Bool() {
		t.Fatal("verifiable domain did not verify")
	}
	if e.do("POST", e.orgPath("domains/"+id3+"/verify/"), nil, sess).wantStatus(t, 200).get("is_verified").Bool() {
		t.Fatal("domain verified without its DNS record")
	}
}

func TestDomainSCIM(t *testing.T) {
	e := newEnv(t)
	sess := asSession(e.d.Session)
	id, _ := seedDomain(e, e.d.OrganizationID, store.NewDomain{Domain: "example.com", Verified: true})
	path := e.orgPath("domains/" + id + "/")
	// Regenerating needs SCIM enabled first.
	e.do("POST", path+"scim/token/", nil).wantError(t, 403, "authentication_error", "permission_denied", "This action does not support personal API key access", "")
	r := e.do("POST", path+"scim/token/", nil, sess).wantStatus(t, 400)
	if r.JSON.Raw != `{"detail":"SCIM is not enabled for this domain"}` {
		t.Fatalf("scim/token on a disabled domain = %s", r.Body)
	}
	// Enabling returns the token once.
	r = e.do("PATCH", path, map[string]any{"scim_enabled": true}).wantStatus(t, 200)
	first := r.get("scim_bearer_token").String()
	base := e.ts.URL + "/scim/v2/" + id
	if first == "" || !r.get("has_scim").Bool() || !r.get("scim_enabled").Bool() || r.get("scim_base_url").String() != base {
		t.Fatalf("after enabling SCIM = %s", r.Body)
	}
	got := e.do("GET", path, nil).wantStatus(t, 200)
	if got.get("scim_bearer_token").Type.String() != "Null" || got.get("scim_base_url").String() != base {
		t.Fatalf("read back = %s", got.Body)
	}
	// Enabling again keeps the token (none returned).
	if tok := e.do("PATCH", path, map[string]any{"scim_enabled": true}).wantStatus(t, 200).get("scim_bearer_token"); tok.Type.String() != "Null" {
		t.Fatalf("re-enabling returned a token: %s", tok.Raw)
	}
	r = e.do("POST", path+"scim/token/", nil, sess).wantStatus(t, 200)
	second := r.get("scim_bearer_token").String()
	if !r.get("scim_enabled").Bool() || r.get("scim_base_url").String() != base || second == "" || second == first {
		t.Fatalf("scim/token = %s", r.Body)
	}
	withWriteTx(e, func(tx *store.Tx) error {
		d := tx.Domain(e.d.OrganizationID, id)
		if tx.CheckSCIMToken(d, first) || !tx.CheckSCIMToken(d, second) {
			t.Error("the regenerated token did not replace the first one")
		}
		return nil
	})
	// Disabling drops the token.
	r = e.do("PATCH", path, map[string]any{"scim_enabled": false}).wantStatus(t, 200)
	if r.get("has_scim").Bool() || r.get("scim_base_url").Type.String() != "Null" {
		t.Fatalf("after disabling = %s", r.Body)
	}
	e.do("POST", path+"scim/token/", nil, sess).wantStatus(t, 400)

	// Without the scim feature.
	org := newFeaturelessOrg(t, e)
	bid, _ := seedDomain(e, org, store.NewDomain{Domain: "bare.com", Verified: true, SCIMEnabled: true})
	e.do("POST", "/api/organizations/"+org+"/domains/"+bid+"/scim/token/", nil, sess).wantError(t, 403, "authentication_error", "permission_denied", "SCIM is not available for this organization", "")
	// A member cannot regenerate (admin write).
	m := e.addMember(e.d.OrganizationID, store.LevelMember, "member@example.com")
	e.do("POST", path+"scim/token/", nil, asSession(m.Session)).wantError(t, 403, "authentication_error", "permission_denied", "Your organization access level is insufficient.", "")
	e.do("POST", e.orgPath("domains/"+bid+"/scim/token/"), nil, sess).wantError(t, 404, "invalid_request", "not_found", "Not found.", "")
}

func TestDomainSCIMSeededToken(t *testing.T) {
	e := newEnv(t)
	id, token := seedDomain(e, e.d.OrganizationID, store.NewDomain{Domain: "example.com", Verified: true, SCIMEnabled: true, SCIMToken: "scim-secret"})
	if token != "scim-secret" {
		t.Fatalf("seeded token = %q", token)
	}
	r := e.do("GET", e.orgPath("domains/"+id+"/"), nil).wantStatus(t, 200)
	if !r.get("has_scim").Bool() || r.get("scim_bearer_token").Type.String() != "Null" {
		t.Fatalf("seeded SCIM domain = %s", r.Body)
	}
	withWriteTx(e, func(tx *store.Tx) error {
		if !tx.CheckSCIMToken(tx.Domain(e.d.OrganizationID, id), "scim-secret") {
			t.Error("seeded token does not authenticate")
		}
		// Seeding keeps the API's invariants.
		if _, _, err := tx.SeedDomain(e.d.OrganizationID, store.NewDomain{Domain: "x.com", SCIMEnabled: true}); err == nil || !strings.Contains(err.Error(), "verification_required") {
			t.Errorf("SCIM on an unverified seed: err = %v", err)
		}
		if _, _, err := tx.SeedDomain(e.d.OrganizationID, store.NewDomain{Domain: "example.com"}); err == nil || !strings.Contains(err.Error(), "unique") {
			t.Errorf("duplicate seed: err = %v", err)
		}
		if _, _, err := tx.SeedDomain(e.d.OrganizationID, store.NewDomain{Domain: "UPPER.com"}); err == nil {
			t.Error("uppercase seed accepted")
		}
		return nil
	})
}

func TestDomainSCIMLogs(t *testing.T) {
	e := newEnv(t)
	sess := asSession(e.d.Session)
	id, _ := seedDomain(e, e.d.OrganizationID, store.NewDomain{Domain: "example.com", Verified: true, SCIMEnabled: true})
	path := e.orgPath("domains/" + id + "/scim/logs/")
	e.do("GET", path, nil).wantError(t, 403, "authentication_error", "permission_denied", "This action does not support personal API key access", "")
	r := e.do("GET", path, nil, sess).wantStatus(t, 200)
	if r.JSON.Raw != `{"count":0,"next":null,"previous":null,"results":[]}` {
		t.Fatalf("empty logs = %s", r.Body)
	}
	e.do("GET", path+"?page=2", nil, sess).wantError(t, 404, "invalid_request", "not_found", "Invalid page.", "")

	withWriteTx(e, func(tx *store.Tx) error {
		d := tx.Domain(e.d.OrganizationID, id)
		for i := 0; i < 25; i++ {
			status := 200
			if i%5 == 0 {
				status = 404
			}
			ms := i
			tx.RecordSCIMRequest(d, store.SCIMRequest{Method: "post", Path: fmt.Sprintf("/scim/v2/%s/Users/%d", id, i),
				Headers: map[string]any{"User-Agent": "Okta"}, Body: map[string]any{"userName": "j***e@example.com"},
				ResponseStatus: status, IdentityProvider: "okta", DurationMS: &ms})
		}
		return nil
	})
	r = e.do("GET", path, nil, sess).wantStatus(t, 200)
	if r.get("count").Int() != 25 || len(r.get("results").Array()) != 20 || r.get("previous").Type.String() != "Null" ||
		r.get("next").String() != e.ts.URL+path+"?page=2" {
		t.Fatalf("page 1 = count %d, %d results, next %s, previous %s", r.get("count").Int(), len(r.get("results").Array()), r.get("next").Raw, r.get("previous").Raw)
	}
	first := r.get("results.0")
	if first.Get("request_path").String() != fmt.Sprintf("/scim/v2/%s/Users/24", id) || first.Get("request_method").String() != "POST" ||
		first.Get("identity_provider").String() != "okta" || first.Get("duration_ms").Int() != 24 || first.Get("request_headers.User-Agent").String() != "Okta" {
		t.Fatalf("newest log = %s", first.Raw)
	}
	r = e.do("GET", path+"?page=2", nil, sess).wantStatus(t, 200)
	if len(r.get("results").Array()) != 5 || r.get("next").Type.String() != "Null" || r.get("previous").String() != e.ts.URL+path {
		t.Fatalf("page 2 = %s", r.Body)
	}
	if n := len(e.do("GET", path+"?page_size=500", nil, sess).get("results").Array()); n != 25 {
		t.Fatalf("page_size=500 gave %d results", n)
	}
	if n := len(e.do("GET", path+"?page_size=abc&page=last", nil, sess).get("results").Array()); n != 5 {
		t.Fatalf("last page gave %d results", n)
	}
	for q, want := range map[string]int{"status_min=400": 5, "status_max=299": 20, "status_min=200&status_max=200": 20, "status_min=x": 25,
		"search=Users/1": 11, "search=jane@example.com": 25, "search=nobody": 0, "after=2026-01-15T10:00:00Z": 25, "before=2026-01-14": 0} {
		if n := e.do("GET", path+"?page_size=100&"+q, nil, sess).wantStatus(t, 200).get("count").Int(); n != int64(want) {
			t.Errorf("?%s count = %d, want %d", q, n, want)
		}
	}
	// Admins only, checked inside the action.
	m := e.addMember(e.d.OrganizationID, store.LevelMember, "member@example.com")
	e.do("GET", path, nil, asSession(m.Session)).wantError(t, 403, "authentication_error", "permission_denied", "Only organization admins can view SCIM logs.", "")
	e.do("GET", e.orgPath("domains/"+absentDomainID+"/scim/logs/"), nil, sess).wantError(t, 404, "invalid_request", "not_found", "Not found.", "")
}

// absentDomainID is a well-formed id no record has.
const absentDomainID = "019bc16d-2c00-7000-8000-000000000000"

func TestDomainListOrderAndPagination(t *testing.T) {
	e := newEnv(t)
	for _, d := range []string{"zeta.com", "alpha.com", "mid.com"} {
		e.do("POST", e.orgPath("domains/"), map[string]any{"domain": d}).wantStatus(t, 201)
	}
	seedDomain(e, e.otherOrg(), store.NewDomain{Domain: "beta.com"})
	r := e.do("GET", e.orgPath("domains/"), nil).wantStatus(t, 200)
	var names []string
	for _, x := range r.get("results").Array() {
		names = append(names, x.Get("domain").String())
	}
	if r.get("count").Int() != 3 || strings.Join(names, ",") != "alpha.com,mid.com,zeta.com" {
		t.Fatalf("list = %v (count %d)", names, r.get("count").Int())
	}
	r = e.do("GET", e.orgPath("domains/?limit=2"), nil).wantStatus(t, 200)
	if len(r.get("results").Array()) != 2 || !strings.HasSuffix(r.get("next").String(), "limit=2&offset=2") {
		t.Fatalf("limit=2 = %s", r.Body)
	}
}

func TestDomainPermissions(t *testing.T) {
	e := newEnv(t)
	org := e.d.OrganizationID
	m := e.addMember(org, store.LevelMember, "member@example.com")
	admin := e.addMember(org, store.LevelAdmin, "admin@example.com")
	stranger := e.addMember("", 0, "outsider@example.com")
	readOnly := e.addMember(org, store.LevelAdmin, "reader@example.com", "organization:read")
	id := e.do("POST", e.orgPath("domains/"), map[string]any{"domain": "example.com"}).wantStatus(t, 201).get("id").String()
	item := e.orgPath("domains/" + id + "/")
	const insufficient = "Your organization access level is insufficient."
	// Members read.
	e.do("GET", e.orgPath("domains/"), nil, asKey(m.Key)).wantStatus(t, 200)
	e.do("GET", item, nil, asKey(m.Key)).wantStatus(t, 200)
	// Writes need admin.
	e.do("POST", e.orgPath("domains/"), map[string]any{"domain": "m.com"}, asKey(m.Key)).wantError(t, 403, "authentication_error", "permission_denied", insufficient, "")
	e.do("PATCH", item, map[string]any{}, asKey(m.Key)).wantError(t, 403, "authentication_error", "permission_denied", insufficient, "")
	e.do("PUT", item, map[string]any{}, asKey(m.Key)).wantError(t, 403, "authentication_error", "permission_denied", insufficient, "")
	e.do("DELETE", item, nil, asKey(m.Key)).wantError(t, 403, "authentication_error", "permission_denied", insufficient, "")
	e.do("POST", item+"verify/", nil, asSession(m.Session)).wantError(t, 403, "authentication_error", "permission_denied", insufficient, "")
	e.do("POST", e.orgPath("domains/"), map[string]any{"domain": "admin.com"}, asKey(admin.Key)).wantStatus(t, 201)
	e.do("POST", item+"verify/", nil, asSession(admin.Session)).wantStatus(t, 200)
	// Scopes.
	e.do("GET", item, nil, asKey(readOnly.Key)).wantStatus(t, 200)
	e.do("PATCH", item, map[string]any{}, asKey(readOnly.Key)).wantError(t, 403, "authentication_error", "permission_denied", "API key missing required scope 'organization:write'", "")
	// Non-members.
	e.do("GET", e.orgPath("domains/"), nil, asKey(stranger.Key)).wantError(t, 403, "authentication_error", "permission_denied", store.MsgNoPermission, "")
	e.do("GET", item, nil, asKey(stranger.Key)).wantError(t, 403, "authentication_error", "permission_denied", store.MsgNoPermission, "")
	// Another organization's domain through our URL is not found.
	other := e.otherOrg()
	oid, _ := seedDomain(e, other, store.NewDomain{Domain: "other.com"})
	e.do("GET", e.orgPath("domains/"+oid+"/"), nil).wantError(t, 404, "invalid_request", "not_found", "Not found.", "")
	e.do("GET", "/api/organizations/@current/domains/"+oid+"/", nil).wantError(t, 404, "invalid_request", "not_found", "Not found.", "")
	e.do("DELETE", e.orgPath("domains/"+oid+"/"), nil).wantError(t, 404, "invalid_request", "not_found", "Not found.", "")
	e.do("GET", "/api/organizations/"+other+"/domains/"+oid+"/", nil).wantError(t, 403, "authentication_error", "permission_denied", store.MsgNoPermission, "")
	// No such method.
	e.do("POST", item, map[string]any{}).wantError(t, 405, "invalid_request", "method_not_allowed", `Method "POST" not allowed.`, "")
}

func TestDomainDelete(t *testing.T) {
	e := newEnv(t)
	id := e.do("POST", e.orgPath("domains/"), map[string]any{"domain": "example.com"}).wantStatus(t, 201).get("id").String()
	r := e.do("DELETE", e.orgPath("domains/"+id+"/"), nil).wantStatus(t, 204)
	if len(r.Body) != 0 {
		t.Fatalf("delete body = %q", r.Body)
	}
	e.do("GET", e.orgPath("domains/"+id+"/"), nil).wantError(t, 404, "invalid_request", "not_found", "Not found.", "")
	e.do("DELETE", e.orgPath("domains/"+id+"/"), nil).wantStatus(t, 404)
	// The name is free again, with a new challenge.
	e.do("POST", e.orgPath("domains/"), map[string]any{"domain": "example.com"}).wantStatus(t, 201)

	// Deleting an organization frees its domain names.
	org := e.otherOrg()
	seedDomain(e, org, store.NewDomain{Domain: "gone.com"})
	withWriteTx(e, func(tx *store.Tx) error { tx.DeleteOrganization(tx.Org(org)); return nil })
	e.do("POST", e.orgPath("domains/"), map[string]any{"domain": "gone.com"}).wantStatus(t, 201)
}

func TestDomainSnapshotRestore(t *testing.T) {
	e := newEnv(t)
	id := e.do("POST", e.orgPath("domains/"), map[string]any{"domain": "example.com"}).wantStatus(t, 201).get("id").String()
	withWriteTx(e, func(tx *store.Tx) error {
		tx.RecordSCIMRequest(tx.Domain(e.d.OrganizationID, id), store.SCIMRequest{Method: "GET", Path: "/scim/v2/x/Users",
			Headers: map[string]any{"a": "b"}, Body: map[string]any{"x": []any{1.0}}, ResponseStatus: 200})
		return nil
	})
	snap := e.srv.Store().Snapshot()
	withWriteTx(e, func(tx *store.Tx) error {
		d := tx.Domain(e.d.OrganizationID, id)
		tx.SetDomainDNSRecord("example.com", true)
		if err := tx.VerifyDomain(d); err != nil {
			return err
		}
		tx.SCIMLogs(d, store.SCIMLogFilter{})[0].RequestHeaders["a"] = "changed"
		return nil
	})
	e.do("DELETE", e.orgPath("domains/"+id+"/"), nil).wantStatus(t, 204)
	e.srv.Store().Restore(snap)
	r := e.do("GET", e.orgPath("domains/"+id+"/"), nil).wantStatus(t, 200)
	if r.get("is_verified").Bool() {
		t.Fatal("verification survived the restore")
	}
	logs := e.do("GET", e.orgPath("domains/"+id+"/scim/logs/"), nil, asSession(e.d.Session)).wantStatus(t, 200)
	if logs.get("results.0.request_headers.a").String() != "b" {
		t.Fatalf("restored log = %s", logs.Body)
	}
	withWriteTx(e, func(tx *store.Tx) error {
		if tx.DomainDNSRecord("example.com") {
			t.Error("DNS record survived the restore")
		}
		return nil
	})
}
