package fake

import (
	"testing"

	"github.com/fakehog/fakehog/fake/store"
)

func TestInspectionReturnsCopies(t *testing.T) {
	e := newEnv(t)
	org := e.d.OrganizationID
	e.addMember(org, store.LevelAdmin, "ann@example.com")
	e.do("POST", e.orgPath("invites/"), map[string]any{"target_email": "inv@example.com"}).wantStatus(t, 201)

	o, ok := e.srv.Organization(org)
	if !ok || o.Name != "Fakehog" {
		t.Fatalf("Organization = %+v, %v", o, ok)
	}
	if _, ok := e.srv.Organization("019bc119-0000-7000-8000-000000000000"); ok {
		t.Fatal("an organization that does not exist was found")
	}
	if ms := e.srv.Members(org); len(ms) != 2 || ms[0].Level != store.LevelAdmin {
		t.Fatalf("Members = %+v", ms)
	}
	invs := e.srv.Invites(org)
	if len(invs) != 1 || invs[0].TargetEmail != "inv@example.com" {
		t.Fatalf("Invites = %+v", invs)
	}
	ps := e.srv.Projects(org)
	if len(ps) != 1 || ps[0].ID != e.d.ProjectID {
		t.Fatalf("Projects = %+v", ps)
	}
	u, ok := e.srv.User("ANN@example.com")
	if !ok || u.Email != "ann@example.com" {
		t.Fatalf("User = %+v, %v", u, ok)
	}

	// Changing the copies changes nothing in the server.
	before, _ := e.srv.ExportState()
	o.Name = "Changed"
	invs[0].TargetEmail = "changed@example.com"
	ps[0].Name = "Changed"
	if o.Features != nil && len(o.Features) > 0 {
		o.Features[0].Key = "changed"
	}
	after, _ := e.srv.ExportState()
	if string(before) != string(after) {
		t.Fatal("changing a returned copy changed the server's state")
	}
	if n := e.do("GET", "/api/organizations/@current/", nil).get("name").String(); n != "Fakehog" {
		t.Fatalf("name over the API = %q", n)
	}
}
