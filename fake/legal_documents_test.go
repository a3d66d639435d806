package fake

import (
	"strings"
	"testing"

	"github.com/fakehog/fakehog/fake/store"
)

// dpaBody is a valid DPA create body. The representative's name and title and the DPA mode
// are keys older PostHog read; the newest ignores them.
func dpaBody() map[string]any {
	return map[string]any{"document_type": "DPA", "company_name": "Acme Inc.", "company_address": "1 Main St, Springfield",
		"representative_email": "Legal@Acme.com", "representative_name": "Jane Doe", "representative_title": "CEO", "dpa_mode": "pretty"}
}

func TestLegalDocumentCreate(t *testing.T) {
	e := newEnv(t)
	r := e.do("POST", e.orgPath("legal_documents/"), dpaBody()).wantStatus(t, 201)
	if r.get("document_type").String() != "DPA" || r.get("company_name").String() != "Acme Inc." ||
		r.get("representative_email").String() != "Legal@Acme.com" || r.get("status").String() != "submitted_for_signature" ||
		r.get("created_by.email").String() != e.d.UserEmail || r.get("created_by.first_name").String() != "Olive" ||
		r.get("created_at").String() != "2026-01-15T10:00:00Z" || !store.IsUUID(r.get("id").String()) {
		t.Fatalf("created = %s", r.Body)
	}
	id := r.get("id").String()
	got := e.do("GET", e.orgPath("legal_documents/"+id+"/"), nil).wantStatus(t, 200)
	if got.JSON.Raw != r.JSON.Raw {
		t.Fatalf("read back = %s, want %s", got.Body, r.Body)
	}
	// A BAA keeps its address; the default organization has the Boost add-on. Keys the newest
	// PostHog no longer reads (representative name and title, DPA mode) are ignored.
	e.clock.Advance(1000)
	baa := e.do("POST", e.orgPath("legal_documents/"), map[string]any{"document_type": "BAA", "company_name": "Acme Inc.",
		"company_address": "1 Main St", "representative_email": "legal@acme.com", "dpa_mode": "tswift",
		"representative_name": strings.Repeat("r", 300)}).wantStatus(t, 201)
	list := e.do("GET", e.orgPath("legal_documents/"), nil).wantStatus(t, 200)
	if list.get("count").Int() != 2 || list.get("results.0.id").String() != baa.get("id").String() || list.get("results.1.id").String() != id {
		t.Fatalf("list (newest first) = %s", list.Body)
	}
	withWriteTx(e, func(tx *store.Tx) error {
		d := tx.LegalDocument(e.d.OrganizationID, baa.get("id").String())
		if d.DPAMode != "" || d.CompanyAddress != "1 Main St" || d.RepresentativeName != "" {
			t.Errorf("BAA = %+v", d)
		}
		if dpa := tx.LegalDocument(e.d.OrganizationID, id); dpa.RepresentativeName != "" || dpa.DPAMode != "" || dpa.CompanyAddress != "1 Main St, Springfield" {
			t.Errorf("DPA = %+v", dpa)
		}
		return nil
	})
	// One document per type.
	e.do("POST", e.orgPath("legal_documents/"), dpaBody()).wantError(t, 400, "validation_error", "invalid_input",
		"Your organization already has a DPA. Contact support if you need a new one.", "document_type")
	e.do("POST", e.orgPath("legal_documents/"), map[string]any{"document_type": "BAA", "company_name": "X", "company_address": "Y", "representative_email": "x@x.co"}).
		wantError(t, 400, "validation_error", "invalid_input", "Your organization already has a BAA. Contact support if you need a new one.", "document_type")
	// Other methods are not served.
	e.do("PATCH", e.orgPath("legal_documents/"+id+"/"), map[string]any{}).wantError(t, 405, "invalid_request", "method_not_allowed", `Method "PATCH" not allowed.`, "")
	e.do("DELETE", e.orgPath("legal_documents/"+id+"/"), nil).wantStatus(t, 405)
}

func TestLegalDocumentValidation(t *testing.T) {
	e := newEnv(t)
	with := func(changes map[string]any) map[string]any {
		b := dpaBody()
		for k, v := range changes {
			if v == nil {
				delete(b, k)
			} else {
				b[k] = v
			}
		}
		return b
	}
	cases := []struct {
		name               string
		body               map[string]any
		code, detail, attr string
	}{
		{"missing type", with(map[string]any{"document_type": nil}), "required", store.MsgRequired, "document_type"},
		{"unknown type", with(map[string]any{"document_type": "NDA"}), "invalid_choice", `"NDA" is not a valid choice.`, "document_type"},
		{"lowercase type", with(map[string]any{"document_type": "dpa"}), "invalid_choice", `"dpa" is not a valid choice.`, "document_type"},
		{"missing company", with(map[string]any{"company_name": nil}), "required", store.MsgRequired, "company_name"},
		{"blank company", with(map[string]any{"company_name": " "}), "blank", store.MsgBlank, "company_name"},
		{"long company", with(map[string]any{"company_name": strings.Repeat("c", 256)}), "max_length", "Ensure this field has no more than 255 characters.", "company_name"},
		{"long address", with(map[string]any{"company_address": strings.Repeat("a", 513)}), "max_length", "Ensure this field has no more than 512 characters.", "company_address"},
		{"missing email", with(map[string]any{"representative_email": nil}), "required", store.MsgRequired, "representative_email"},
		{"bad email", with(map[string]any{"representative_email": "legal"}), "invalid_input", store.MsgInvalidEmail, "representative_email"},
		// The newest PostHog requires the address of every document.
		{"missing address", with(map[string]any{"company_address": nil}), "required", store.MsgRequired, "company_address"},
		{"blank address", with(map[string]any{"company_address": "  "}), "blank", store.MsgBlank, "company_address"},
		{"null address", with(map[string]any{"company_address": null}), "null", store.MsgNull, "company_address"},
		{"BAA without address", with(map[string]any{"document_type": "BAA", "company_address": nil}), "required", store.MsgRequired, "company_address"},
		{"address before email", with(map[string]any{"company_address": nil, "representative_email": "legal"}), "required", store.MsgRequired, "company_address"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.do("POST", e.orgPath("legal_documents/"), c.body).wantError(t, 400, "validation_error", c.code, c.detail, c.attr)
		})
	}
	if n := e.do("GET", e.orgPath("legal_documents/"), nil).get("count").Int(); n != 0 {
		t.Fatalf("failed creates left %d documents", n)
	}
	// No DPA mode, and a preview one, are both fine: the newest PostHog no longer reads it.
	e.do("POST", e.orgPath("legal_documents/"), with(map[string]any{"dpa_mode": nil, "representative_name": nil, "representative_title": nil})).wantStatus(t, 201)
	other := newFeaturelessOrg(t, e)
	e.do("POST", "/api/organizations/"+other+"/legal_documents/", with(map[string]any{"dpa_mode": "fairytale"})).wantStatus(t, 201)
}

func TestLegalDocumentBAAAddon(t *testing.T) {
	e := newEnv(t)
	org := newFeaturelessOrg(t, e)
	path := "/api/organizations/" + org + "/legal_documents/"
	baa := map[string]any{"document_type": "BAA", "company_name": "Acme", "company_address": "1 Main St", "representative_email": "a@acme.com"}
	e.do("POST", path, baa).wantError(t, 403, "authentication_error", "permission_denied", "A Boost, Scale, or Enterprise add-on is required to generate a BAA.", "")
	// The field rules come first.
	e.do("POST", path, map[string]any{"document_type": "BAA"}).wantError(t, 400, "validation_error", "required", store.MsgRequired, "company_name")
	// A DPA needs no add-on.
	e.do("POST", path, dpaBody()).wantStatus(t, 201)
	for _, addon := range []string{"scale", "enterprise"} {
		t.Run(addon, func(t *testing.T) {
			org := newFeaturelessOrg(t, e)
			withWriteTx(e, func(tx *store.Tx) error {
				o := tx.Org(org)
				o.Features = append(o.Features, store.Feature{Key: addon, Name: addon})
				return nil
			})
			e.do("POST", "/api/organizations/"+org+"/legal_documents/", baa).wantStatus(t, 201)
		})
	}
}

func TestLegalDocumentPermissions(t *testing.T) {
	e := newEnv(t)
	org := e.d.OrganizationID
	m, admin, outsider, reader := e.permissionCast(org, "legal_document:read")
	id := e.do("POST", e.orgPath("legal_documents/"), dpaBody(), asKey(admin.Key)).wantStatus(t, 201).get("id").String()
	const insufficient = "Your organization access level is insufficient."
	// Every method needs admin, reads included.
	for _, c := range []struct{ method, path string }{
		{"GET", "legal_documents/"}, {"POST", "legal_documents/"}, {"GET", "legal_documents/" + id + "/"},
	} {
		e.do(c.method, e.orgPath(c.path), dpaBody(), asKey(m.Key)).wantError(t, 403, "authentication_error", "permission_denied", insufficient, "")
		e.do(c.method, e.orgPath(c.path), dpaBody(), asKey(outsider.Key)).wantError(t, 403, "authentication_error", "permission_denied", store.MsgNoPermission, "")
	}
	e.do("GET", e.orgPath("legal_documents/"+id+"/download/"), nil, asSession(m.Session)).wantError(t, 403, "authentication_error", "permission_denied", insufficient, "")
	e.do("GET", e.orgPath("legal_documents/"), nil, asKey(admin.Key)).wantStatus(t, 200)
	// Scopes.
	e.do("GET", e.orgPath("legal_documents/"+id+"/"), nil, asKey(reader.Key)).wantStatus(t, 200)
	e.do("POST", e.orgPath("legal_documents/"), dpaBody(), asKey(reader.Key)).wantError(t, 403, "authentication_error", "permission_denied", "API key missing required scope 'legal_document:write'", "")
	// Download is session only.
	e.do("GET", e.orgPath("legal_documents/"+id+"/download/"), nil).wantError(t, 403, "authentication_error", "permission_denied", "This action does not support personal API key access", "")
	// Another organization's document is not found here.
	other := newFeaturelessOrg(t, e)
	oid := e.do("POST", "/api/organizations/"+other+"/legal_documents/", dpaBody()).wantStatus(t, 201).get("id").String()
	e.do("GET", e.orgPath("legal_documents/"+oid+"/"), nil).wantError(t, 404, "invalid_request", "not_found", "Not found.", "")
	e.do("GET", e.orgPath("legal_documents/not-a-uuid/"), nil).wantError(t, 404, "invalid_request", "not_found", "Not found.", "")
	if n := e.do("GET", e.orgPath("legal_documents/"), nil).get("count").Int(); n != 1 {
		t.Fatalf("list shows %d documents, want only this organization's", n)
	}
}

func TestLegalDocumentDownload(t *testing.T) {
	e := newEnv(t)
	sess := asSession(e.d.Session)
	id := e.do("POST", e.orgPath("legal_documents/"), dpaBody()).wantStatus(t, 201).get("id").String()
	path := e.orgPath("legal_documents/" + id + "/download/")
	// Awaiting signature: 404.
	e.do("GET", path, nil, sess).wantError(t, 404, "invalid_request", "not_found", "Not found.", "")
	e.do("GET", e.orgPath("legal_documents/nope/download/"), nil, sess).wantStatus(t, 404)
	// The e-signature provider completes it.
	var want string
	withWriteTx(e, func(tx *store.Tx) error {
		d := tx.LegalDocument(e.d.OrganizationID, id)
		tx.MarkLegalDocumentSigned(d, "")
		want = store.DefaultSignedDocumentURL(d)
		return nil
	})
	r := e.do("GET", path, nil, sess).wantStatus(t, 302)
	if loc := r.Header.Get("Location"); loc != want || !strings.Contains(loc, id) {
		t.Fatalf("Location = %q, want %q", loc, want)
	}
	// Deterministic: the same again.
	if loc := e.do("GET", path, nil, sess).Header.Get("Location"); loc != want {
		t.Fatalf("second Location = %q", loc)
	}
	if s := e.do("GET", e.orgPath("legal_documents/"+id+"/"), nil).get("status").String(); s != "signed" {
		t.Fatalf("status = %q after signing", s)
	}

	// Seeded as signed, with a URL of the scenario's choosing.
	org := newFeaturelessOrg(t, e)
	var seeded string
	withWriteTx(e, func(tx *store.Tx) error {
		d, err := tx.CreateLegalDocument(org, store.NewLegalDocument{DocumentType: store.LegalDPA, CompanyName: "Acme",
			CompanyAddress: "1 Main St", RepresentativeEmail: "a@acme.com", DPAMode: "lawyer", Signed: true,
			SignedDocumentURL: "https://files.example.com/dpa.pdf"})
		if err == nil {
			seeded = d.ID
		}
		// The seeding path keeps the rules.
		if _, err := tx.CreateLegalDocument(org, store.NewLegalDocument{DocumentType: store.LegalBAA, CompanyName: "Acme", RepresentativeEmail: "a@acme.com"}); err == nil {
			t.Error("BAA seeded without an add-on")
		}
		return err
	})
	r = e.do("GET", "/api/organizations/"+org+"/legal_documents/"+seeded+"/download/", nil, sess).wantStatus(t, 302)
	if loc := r.Header.Get("Location"); loc != "https://files.example.com/dpa.pdf" {
		t.Fatalf("seeded Location = %q", loc)
	}
	if r := e.do("GET", "/api/organizations/"+org+"/legal_documents/"+seeded+"/", nil).wantStatus(t, 200); r.get("status").String() != "signed" || r.get("created_by").Type.String() != "Null" {
		t.Fatalf("seeded document = %s", r.Body)
	}
	// Deleting the organization removes its documents.
	withWriteTx(e, func(tx *store.Tx) error {
		tx.DeleteOrganization(tx.Org(org))
		if len(tx.LegalDocuments(org)) != 0 || tx.LegalDocument(org, seeded) != nil {
			t.Error("documents survived their organization")
		}
		return nil
	})
}
