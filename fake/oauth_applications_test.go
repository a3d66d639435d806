package fake

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fakehog/fakehog/fake/store"
)

// seedOAuthApp registers an OAuth application directly in the store.
func seedOAuthApp(e *env, orgID string, in store.NewOAuthApplication) string {
	e.t.Helper()
	var id string
	withWriteTx(e, func(tx *store.Tx) error {
		a, err := tx.SeedOAuthApplication(orgID, in)
		if err == nil {
			id = a.ID
		}
		return err
	})
	return id
}

func TestOAuthApplicationList(t *testing.T) {
	e := newEnv(t)
	if r := e.do("GET", e.orgPath("oauth_applications/"), nil).wantStatus(t, 200); r.get("count").Int() != 0 || r.get("results").Raw != "[]" {
		t.Fatalf("empty list = %s", r.Body)
	}
	first := seedOAuthApp(e, e.d.OrganizationID, store.NewOAuthApplication{Name: "Zapier", RedirectURIs: []string{"https://zapier.com/cb", "http://localhost:3000/cb"}, IsVerified: true})
	e.clock.Advance(time.Second)
	second := seedOAuthApp(e, e.d.OrganizationID, store.NewOAuthApplication{Name: "Internal tool", ClientID: "internal-client"})
	other := newFeaturelessOrg(t, e)
	seedOAuthApp(e, other, store.NewOAuthApplication{Name: "Elsewhere"})
	r := e.do("GET", e.orgPath("oauth_applications/"), nil).wantStatus(t, 200)
	if r.get("count").Int() != 2 || r.get("results.0.id").String() != second || r.get("results.1.id").String() != first {
		t.Fatalf("list (newest first) = %s", r.Body)
	}
	z := r.get("results.1")
	if z.Get("name").String() != "Zapier" || z.Get("redirect_uris_list").Raw != `["https://zapier.com/cb","http://localhost:3000/cb"]` ||
		!z.Get("is_verified").Bool() || z.Get("created").String() != "2026-01-15T10:00:00Z" || z.Get("updated").String() != "2026-01-15T10:00:00Z" ||
		!regexp.MustCompile(`^[A-Za-z0-9]{40}$`).MatchString(z.Get("client_id").String()) {
		t.Fatalf("application = %s", z.Raw)
	}
	// Generated client ids are django-oauth-toolkit's: letters and digits.
	withWriteTx(e, func(tx *store.Tx) error {
		ids := ""
		for i := 0; i < 5; i++ {
			a, err := tx.SeedOAuthApplication(other, store.NewOAuthApplication{Name: "gen"})
			if err != nil {
				return err
			}
			ids += a.ClientID
		}
		if !regexp.MustCompile(`[0-9]`).MatchString(ids) || !regexp.MustCompile(`^[A-Za-z0-9]{200}$`).MatchString(ids) {
			t.Errorf("generated client ids %q: want 40 letters and digits each", ids)
		}
		return nil
	})
	if r.get("results.0.client_id").String() != "internal-client" || r.get("results.0.redirect_uris_list").Raw != "[]" || r.get("results.0.is_verified").Bool() {
		t.Fatalf("application = %s", r.get("results.0").Raw)
	}
	r = e.do("GET", e.orgPath("oauth_applications/?limit=1&offset=1"), nil).wantStatus(t, 200)
	if r.get("results.0.id").String() != first || r.get("previous").Type.String() == "Null" || r.get("next").Type.String() != "Null" {
		t.Fatalf("page = %s", r.Body)
	}
	// Read-only: no create, no detail route.
	e.do("POST", e.orgPath("oauth_applications/"), map[string]any{"name": "x"}).wantError(t, 405, "invalid_request", "method_not_allowed", `Method "POST" not allowed.`, "")
	e.do("GET", e.orgPath("oauth_applications/"+first+"/"), nil).wantError(t, 404, "invalid_request", "not_found", "Endpoint not found.", "")
}

func TestOAuthApplicationPermissions(t *testing.T) {
	e := newEnv(t)
	org := e.d.OrganizationID
	seedOAuthApp(e, org, store.NewOAuthApplication{Name: "App"})
	m := e.addMember(org, store.LevelMember, "member@example.com")
	outsider := e.addMember("", 0, "outsider@example.com")
	noScope := e.addMember(org, store.LevelOwner, "projects@example.com", "project:read")
	if n := e.do("GET", e.orgPath("oauth_applications/"), nil, asKey(m.Key)).wantStatus(t, 200).get("count").Int(); n != 1 {
		t.Fatalf("member sees %d applications", n)
	}
	e.do("GET", e.orgPath("oauth_applications/"), nil, asSession(m.Session)).wantStatus(t, 200)
	e.do("GET", e.orgPath("oauth_applications/"), nil, asKey(outsider.Key)).wantError(t, 403, "authentication_error", "permission_denied", store.MsgNoPermission, "")
	e.do("GET", e.orgPath("oauth_applications/"), nil, asKey(noScope.Key)).wantError(t, 403, "authentication_error", "permission_denied", "API key missing required scope 'organization:read'", "")
	e.do("GET", e.orgPath("oauth_applications/"), nil, noAuth()).wantError(t, 401, "authentication_error", "not_authenticated", "Authentication credentials were not provided.", "")
}

func TestOAuthApplicationSeeding(t *testing.T) {
	e := newEnv(t)
	org := e.d.OrganizationID
	withWriteTx(e, func(tx *store.Tx) error {
		bad := []store.NewOAuthApplication{
			{Name: strings.Repeat("n", 256)},
			{Name: "x", ClientID: strings.Repeat("c", 101)},
			{Name: "x", RedirectURIs: []string{"https://a b"}},
			{Name: "x", ID: "nope"},
		}
		for _, in := range bad {
			if _, err := tx.SeedOAuthApplication(org, in); err == nil {
				t.Errorf("seeded %+v", in)
			}
		}
		if _, err := tx.SeedOAuthApplication(org, store.NewOAuthApplication{Name: "a", ClientID: "same"}); err != nil {
			return err
		}
		if _, err := tx.SeedOAuthApplication(org, store.NewOAuthApplication{Name: "b", ClientID: "same"}); err == nil {
			t.Error("a client id was reused")
		}
		return nil
	})
	snap := e.srv.Store().Snapshot()
	withWriteTx(e, func(tx *store.Tx) error {
		tx.DeleteOrganization(tx.Org(org))
		if len(tx.OAuthApplications(org)) != 0 {
			t.Error("applications survived their organization")
		}
		// The client id is free again.
		other, err := tx.CreateOrganization(tx.UserByEmail(e.d.UserEmail), store.Values{"name": "Next"}, store.NewOrganization{})
		if err != nil {
			return err
		}
		_, err = tx.SeedOAuthApplication(other.ID, store.NewOAuthApplication{Name: "c", ClientID: "same"})
		return err
	})
	e.srv.Store().Restore(snap)
	if n := e.do("GET", e.orgPath("oauth_applications/"), nil).wantStatus(t, 200).get("count").Int(); n != 1 {
		t.Fatalf("%d applications after restore", n)
	}
}
