package fake

import (
	"strings"
	"testing"

	"github.com/fakehog/fakehog/fake/store"
)

// TestOrgScopedKeyNeverCrossesOrganizations walks every operation of every resource family
// with a key scoped to one organization, aimed at another organization the key's user also
// belongs to (as owner): every call is refused with 403, and the other organization's state
// is exactly as before.
func TestOrgScopedKeyNeverCrossesOrganizations(t *testing.T) {
	e := newEnv(t)
	seedOneOfEach(e)
	other := e.do("POST", "/api/organizations/", map[string]any{"name": "Elsewhere"}).wantStatus(t, 201).get("id").String()
	var key string
	err := e.srv.Store().Write(func(tx *store.Tx) error {
		u := tx.UserByEmail(e.d.UserEmail)
		_, k, err := tx.CreatePersonalAPIKey(u.ID, store.NewAPIKey{Label: "scoped", Scopes: []string{"*"}, ScopedOrganizations: []string{e.d.OrganizationID}})
		key = k
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// The other organization, seen by its owner's session before the walk.
	otherEnv := *e
	otherEnv.d.OrganizationID = other
	before := apiDump(&otherEnv)

	walked := 0
	for _, rt := range routes(&Server{}) {
		if rt.Path == "/api/organizations/" {
			continue // the list: filtered, checked below
		}
		p := strings.NewReplacer("{organization_id}", other, "{id}", other).Replace(rt.Path)
		if !strings.HasPrefix(rt.Path, "/api/organizations/{id}/") {
			p = strings.NewReplacer("{organization_id}", other).Replace(rt.Path)
			p = strings.NewReplacer("{id}", "019bc119-0000-7000-8000-000000000000", "{role_id}", "019bc119-0000-7000-8000-000000000001",
				"{user__uuid}", e.d.UserUUID).Replace(p)
		}
		var body any
		if rt.Method != "GET" && rt.Method != "DELETE" {
			body = map[string]any{"name": "hijack", "target_email": "hijack@example.com", "domain": "hijack.example.com", "label": "hijack"}
		}
		r := e.do(rt.Method, p, body, asKey(key))
		walked++
		if r.Status != 403 {
			t.Errorf("%s %s with a key scoped elsewhere → %d %s", rt.Method, p, r.Status, truncate(r.Body))
		}
	}
	if after := apiDump(&otherEnv); after != before {
		t.Error("the other organization's state changed")
	}
	list := e.do("GET", "/api/organizations/", nil, asKey(key)).wantStatus(t, 200)
	if list.get("count").Int() != 1 || list.get("results.0.id").String() != e.d.OrganizationID {
		t.Errorf("the scoped key lists %s", list.Body)
	}
	t.Logf("operations walked with an org-scoped key: %d", walked)
}
