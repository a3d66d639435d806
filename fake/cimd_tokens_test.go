package fake

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fakehog/fakehog/fake/store"
)

var reCIMDValue = regexp.MustCompile(`^phvt_[23456789A-HJ-NP-Za-km-z]{44}$`)

// partnerURL is a CIMD metadata document URL validate_cimd_url accepts.
const partnerURL = "https://partner.example.com/oauth/client.json"

func TestCIMDTokenCreate(t *testing.T) {
	e := newEnv(t)
	r := e.do("POST", e.orgPath("cimd_verification_tokens/"), map[string]any{"label": "  Production partner  ", "cimd_url": " " + partnerURL + " ", "mask_value": "x", "id": "y"}).wantStatus(t, 201)
	value := r.get("value").String()
	if !reCIMDValue.MatchString(value) {
		t.Fatalf("value = %q, want phvt_ + 44 base57 characters", value)
	}
	if r.get("label").String() != "Production partner" || r.get("mask_value").String() != value[:4]+"..."+value[len(value)-4:] ||
		r.get("created_by.email").String() != e.d.UserEmail || r.get("created_at").String() != "2026-01-15T10:00:00Z" ||
		r.get("last_used_at").Type.String() != "Null" || !store.IsUUID(r.get("id").String()) || r.get("cimd_url").String() != partnerURL {
		t.Fatalf("created = %s", r.Body)
	}
	if !strings.HasPrefix(r.get("mask_value").String(), "phvt...") {
		t.Fatalf("mask_value = %q", r.get("mask_value").String())
	}
	id := r.get("id").String()
	// The plaintext is never shown again.
	got := e.do("GET", e.orgPath("cimd_verification_tokens/"+id+"/"), nil).wantStatus(t, 200)
	if got.get("value").Exists() || got.get("mask_value").String() != r.get("mask_value").String() || got.get("label").String() != "Production partner" {
		t.Fatalf("retrieve = %s", got.Body)
	}
	list := e.do("GET", e.orgPath("cimd_verification_tokens/"), nil).wantStatus(t, 200)
	if list.get("count").Int() != 1 || list.get("results.0.value").Exists() {
		t.Fatalf("list = %s", list.Body)
	}
	// Only a hash is kept; the value still identifies the token.
	withWriteTx(e, func(tx *store.Tx) error {
		tok := tx.CIMDToken(e.d.OrganizationID, id)
		if strings.Contains(tok.SecureValue, value) || tok.SecureValue == value {
			t.Error("the plaintext is stored")
		}
		if tx.UseCIMDToken(value) != tok || tx.UseCIMDToken("phvt_wrong") != nil || tx.UseCIMDToken(strings.TrimPrefix(value, "phvt_")) != nil {
			t.Error("UseCIMDToken does not find the token by its value only")
		}
		return nil
	})
	if lu := e.do("GET", e.orgPath("cimd_verification_tokens/"+id+"/"), nil).get("last_used_at").String(); lu != "2026-01-15T10:00:00Z" {
		t.Fatalf("last_used_at = %q after use", lu)
	}
	// The creation is in the activity log.
	withWriteTx(e, func(tx *store.Tx) error {
		acts := tx.Activity(e.d.OrganizationID, func(a *store.ActivityEntry) bool { return a.Scope == "CIMDVerificationToken" })
		if len(acts) != 1 || acts[0].Activity != "created" || acts[0].ItemID != id || acts[0].Name != "Production partner" {
			t.Errorf("activity = %+v", acts)
		}
		return nil
	})
}

func TestCIMDTokenValidation(t *testing.T) {
	e := newEnv(t)
	cases := []fieldCase{
		{"missing label", map[string]any{}, "required", store.MsgRequired, "label"},
		{"blank label", map[string]any{"label": ""}, "blank", store.MsgBlank, "label"},
		{"whitespace label", map[string]any{"label": " \t "}, "blank", store.MsgBlank, "label"},
		{"null label", map[string]any{"label": nil}, "null", store.MsgNull, "label"},
		{"long label", map[string]any{"label": strings.Repeat("l", 41)}, "max_length", "Ensure this field has no more than 40 characters.", "label"},
		{"object label", map[string]any{"label": map[string]any{}}, "invalid_input", store.MsgInvalidString, "label"},
		{"not an object", "[]", "invalid_input", "Invalid data. Expected a dictionary, but got list.", ""},
		// cimd_url is required on create (PostHog's test_invalid_payload_rejected) and checked
		// as validate_cimd_url checks it (posthog/api/oauth/cimd.py).
		{"missing cimd_url", map[string]any{"label": "l"}, "required", store.MsgRequired, "cimd_url"},
		{"null cimd_url", map[string]any{"label": "l", "cimd_url": nil}, "invalid", "A CIMD metadata URL is required.", "cimd_url"},
		{"blank cimd_url", map[string]any{"label": "l", "cimd_url": " "}, "blank", store.MsgBlank, "cimd_url"},
		{"long cimd_url", map[string]any{"label": "l", "cimd_url": "https://a.example.com/" + strings.Repeat("p", 2048)}, "max_length", "Ensure this field has no more than 2048 characters.", "cimd_url"},
		{"http cimd_url", map[string]any{"label": "l", "cimd_url": "http://partner.example.com/c.json"}, "invalid", "CIMD client_id must use HTTPS", "cimd_url"},
		{"no path", map[string]any{"label": "l", "cimd_url": "https://partner.example.com/"}, "invalid", "CIMD client_id must include a path component", "cimd_url"},
		{"no path at all", map[string]any{"label": "l", "cimd_url": "https://partner.example.com"}, "invalid", "CIMD client_id must include a path component", "cimd_url"},
		{"fragment", map[string]any{"label": "l", "cimd_url": "https://partner.example.com/c.json#x"}, "invalid", "CIMD client_id must not contain a fragment", "cimd_url"},
		{"query", map[string]any{"label": "l", "cimd_url": "https://partner.example.com/c.json?v=1"}, "invalid", "CIMD client_id must not contain query parameters", "cimd_url"},
		{"userinfo", map[string]any{"label": "l", "cimd_url": "https://me:pw@partner.example.com/c.json"}, "invalid", "CIMD client_id must not contain userinfo", "cimd_url"},
		{"label first", map[string]any{"cimd_url": "http://x"}, "required", store.MsgRequired, "label"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.do("POST", e.orgPath("cimd_verification_tokens/"), c.body).wantError(t, 400, "validation_error", c.code, c.detail, c.attr)
		})
	}
	if n := e.do("GET", e.orgPath("cimd_verification_tokens/"), nil).get("count").Int(); n != 0 {
		t.Fatalf("failed creates left %d tokens", n)
	}
	// 40 characters (after trimming) is fine.
	e.do("POST", e.orgPath("cimd_verification_tokens/"), map[string]any{"label": " " + strings.Repeat("l", 40) + " ", "cimd_url": partnerURL}).wantStatus(t, 201)
}

func TestCIMDTokenListAndDelete(t *testing.T) {
	e := newEnv(t)
	var ids []string
	for _, label := range []string{"first", "second", "third"} {
		ids = append(ids, e.do("POST", e.orgPath("cimd_verification_tokens/"), map[string]any{"label": label, "cimd_url": partnerURL}).wantStatus(t, 201).get("id").String())
		e.clock.Advance(time.Second)
	}
	// Another organization's tokens stay out of this list.
	other := newFeaturelessOrg(t, e)
	otherID := e.do("POST", "/api/organizations/"+other+"/cimd_verification_tokens/", map[string]any{"label": "elsewhere", "cimd_url": partnerURL}).wantStatus(t, 201).get("id").String()
	r := e.do("GET", e.orgPath("cimd_verification_tokens/"), nil).wantStatus(t, 200)
	if r.get("count").Int() != 3 || r.get("results.0.label").String() != "third" || r.get("results.2.label").String() != "first" {
		t.Fatalf("list (newest first) = %s", r.Body)
	}
	r = e.do("GET", e.orgPath("cimd_verification_tokens/?limit=1&offset=1"), nil).wantStatus(t, 200)
	if r.get("results.0.label").String() != "second" || r.get("next").Type.String() == "Null" || r.get("previous").Type.String() == "Null" {
		t.Fatalf("page = %s", r.Body)
	}
	e.do("GET", e.orgPath("cimd_verification_tokens/"+otherID+"/"), nil).wantError(t, 404, "invalid_request", "not_found", "Not found.", "")
	e.do("DELETE", e.orgPath("cimd_verification_tokens/"+otherID+"/"), nil).wantError(t, 404, "invalid_request", "not_found", "Not found.", "")
	// No update.
	for _, m := range []string{"PATCH", "PUT"} {
		e.do(m, e.orgPath("cimd_verification_tokens/"+ids[0]+"/"), map[string]any{"label": "x", "cimd_url": partnerURL}).wantError(t, 405, "invalid_request", "method_not_allowed", `Method "`+m+`" not allowed.`, "")
	}
	r = e.do("DELETE", e.orgPath("cimd_verification_tokens/"+ids[1]+"/"), nil).wantStatus(t, 204)
	if len(r.Body) != 0 {
		t.Fatalf("delete body = %q", r.Body)
	}
	e.do("GET", e.orgPath("cimd_verification_tokens/"+ids[1]+"/"), nil).wantError(t, 404, "invalid_request", "not_found", "Not found.", "")
	e.do("DELETE", e.orgPath("cimd_verification_tokens/"+ids[1]+"/"), nil).wantStatus(t, 404)
	if n := e.do("GET", e.orgPath("cimd_verification_tokens/"), nil).get("count").Int(); n != 2 {
		t.Fatalf("count after delete = %d", n)
	}
	// Deleting the organization removes its tokens.
	withWriteTx(e, func(tx *store.Tx) error {
		tx.DeleteOrganization(tx.Org(other))
		if tx.CIMDTokens(other) == nil || len(tx.CIMDTokens(other)) != 0 {
			t.Error("tokens survived their organization")
		}
		return nil
	})
}

func TestCIMDTokenPermissions(t *testing.T) {
	e := newEnv(t)
	org := e.d.OrganizationID
	m, admin, outsider, reader := e.permissionCast(org, "organization:read")
	id := e.do("POST", e.orgPath("cimd_verification_tokens/"), map[string]any{"label": "by admin", "cimd_url": partnerURL}, asKey(admin.Key)).wantStatus(t, 201).get("id").String()
	item := e.orgPath("cimd_verification_tokens/" + id + "/")
	const insufficient = "Your organization access level is insufficient."
	// Members read, admins write.
	e.do("GET", e.orgPath("cimd_verification_tokens/"), nil, asKey(m.Key)).wantStatus(t, 200)
	if r := e.do("GET", item, nil, asKey(m.Key)).wantStatus(t, 200); r.get("created_by.email").String() != "admin@example.com" {
		t.Fatalf("created_by = %s", r.get("created_by").Raw)
	}
	e.do("POST", e.orgPath("cimd_verification_tokens/"), map[string]any{"label": "x", "cimd_url": partnerURL}, asKey(m.Key)).wantError(t, 403, "authentication_error", "permission_denied", insufficient, "")
	e.do("DELETE", item, nil, asKey(m.Key)).wantError(t, 403, "authentication_error", "permission_denied", insufficient, "")
	e.do("POST", e.orgPath("cimd_verification_tokens/"), map[string]any{"label": "x", "cimd_url": partnerURL}, asSession(m.Session)).wantError(t, 403, "authentication_error", "permission_denied", insufficient, "")
	// Non-members.
	e.do("GET", e.orgPath("cimd_verification_tokens/"), nil, asKey(outsider.Key)).wantError(t, 403, "authentication_error", "permission_denied", store.MsgNoPermission, "")
	e.do("GET", item, nil, asKey(outsider.Key)).wantError(t, 403, "authentication_error", "permission_denied", store.MsgNoPermission, "")
	// Scopes.
	e.do("GET", item, nil, asKey(reader.Key)).wantStatus(t, 200)
	e.do("DELETE", item, nil, asKey(reader.Key)).wantError(t, 403, "authentication_error", "permission_denied", "API key missing required scope 'organization:write'", "")
	// Sessions work as well.
	e.do("DELETE", item, nil, asSession(admin.Session)).wantStatus(t, 204)
}

func TestCIMDTokenSeeding(t *testing.T) {
	e := newEnv(t)
	const value = "phvt_scenario_partner_token_value"
	var id string
	withWriteTx(e, func(tx *store.Tx) error {
		// The reference declares created_by non-null, so seed with a creator (nil is allowed:
		// PostHog answers null once the creator is gone).
		tok, plain, err := tx.CreateCIMDToken(e.d.OrganizationID, store.NewCIMDToken{Label: "Seeded", Value: value, CreatedBy: tx.UserByEmail(e.d.UserEmail)})
		if err != nil {
			return err
		}
		if plain != value {
			t.Errorf("plaintext = %q", plain)
		}
		id = tok.ID
		if _, _, err := tx.CreateCIMDToken(e.d.OrganizationID, store.NewCIMDToken{Label: "Again", Value: value}); err == nil {
			t.Error("a token value was reused")
		}
		if _, _, err := tx.CreateCIMDToken(e.d.OrganizationID, store.NewCIMDToken{Label: "Bad", Value: "nope"}); err == nil {
			t.Error("a value without the phvt_ prefix was accepted")
		}
		if _, _, err := tx.CreateCIMDToken(e.d.OrganizationID, store.NewCIMDToken{Label: "  "}); err == nil {
			t.Error("a blank label was accepted")
		}
		return nil
	})
	r := e.do("GET", e.orgPath("cimd_verification_tokens/"+id+"/"), nil).wantStatus(t, 200)
	if r.get("mask_value").String() != "phvt...alue" || r.get("created_by.email").String() != e.d.UserEmail {
		t.Fatalf("seeded token = %s", r.Body)
	}
}
