package fake

import (
	"strconv"
	"testing"

	"github.com/fakehog/fakehog/fake/store"
)

// The project routes outside an organization, /api/projects/{id}/ and
// /api/environments/{id}/, act on the organization's project records with the same rules.

func TestProjectByID(t *testing.T) {
	e := newEnv(t)
	pid := strconv.Itoa(e.d.ProjectID)
	for _, base := range []string{"/api/projects/", "/api/environments/"} {
		t.Run(base, func(t *testing.T) {
			nested := e.do("GET", e.orgPath("projects/"+pid+"/"), nil).wantStatus(t, 200)
			r := e.do("GET", base+pid+"/", nil).wantStatus(t, 200)
			for _, f := range []string{"id", "uuid", "organization", "name", "api_token", "timezone"} {
				if r.get(f).String() != nested.get(f).String() {
					t.Errorf("%s = %s, nested route says %s", f, r.get(f), nested.get(f))
				}
			}
			if e.do("GET", base+"@current/", nil).wantStatus(t, 200).get("id").String() != pid {
				t.Error("@current is not the caller's current project")
			}
			// A PATCH here is seen by the nested route.
			name := "Renamed via " + base
			e.do("PATCH", base+pid+"/", map[string]any{"name": name}).wantStatus(t, 200)
			if got := e.do("GET", e.orgPath("projects/"+pid+"/"), nil).get("name").String(); got != name {
				t.Errorf("nested name = %q, want %q", got, name)
			}
			// The same field rules.
			e.do("PATCH", base+pid+"/", map[string]any{"timezone": "Mars/Olympus"}).wantError(t, 400, "validation_error", "invalid_choice", `"Mars/Olympus" is not a valid choice.`, "timezone")
			for _, bad := range []string{"999999", "abc", "-1"} {
				e.do("GET", base+bad+"/", nil).wantError(t, 404, "invalid_request", "not_found", "Not found.", "")
			}
		})
	}
}

func TestProjectByIDPermissions(t *testing.T) {
	e := newEnv(t)
	pid := strconv.Itoa(e.d.ProjectID)
	m, _, outsider, reader := e.permissionCast(e.d.OrganizationID, "organization:read")
	// Not a member of the project's organization: it does not exist for them.
	e.do("GET", "/api/projects/"+pid+"/", nil, asKey(outsider.Key)).wantError(t, 404, "invalid_request", "not_found", "Not found.", "")
	// Members read; the nested route's rules apply to writes.
	e.do("GET", "/api/environments/"+pid+"/", nil, asKey(m.Key)).wantStatus(t, 200)
	e.do("PATCH", "/api/projects/"+pid+"/", map[string]any{"receive_org_level_activity_logs": true}, asKey(m.Key)).wantError(t, 403, "authentication_error", "permission_denied", "Only organization owners and admins can modify the receive_org_level_activity_logs setting.", "")
	e.do("DELETE", "/api/projects/"+pid+"/", nil, asKey(m.Key)).wantError(t, 403, "authentication_error", "permission_denied", "You don't have sufficient permissions in the project.", "")
	// Scopes: project:read to read, project:write to write.
	e.do("GET", "/api/projects/"+pid+"/", nil, asKey(reader.Key)).wantError(t, 403, "authentication_error", "permission_denied", "API key missing required scope 'project:read'", "")
	pr := e.addMember(e.d.OrganizationID, store.LevelOwner, "pr@example.com", "project:read")
	e.do("GET", "/api/projects/"+pid+"/", nil, asKey(pr.Key)).wantStatus(t, 200)
	e.do("PATCH", "/api/environments/"+pid+"/", map[string]any{"name": "x"}, asKey(pr.Key)).wantError(t, 403, "authentication_error", "permission_denied", "API key missing required scope 'project:write'", "")
	// Keys scoped to another organization.
	var scoped string
	other := e.do("POST", "/api/organizations/", map[string]any{"name": "Other"}).wantStatus(t, 201).get("id").String()
	e.srv.Store().Write(func(tx *store.Tx) error {
		_, scoped, _ = tx.CreatePersonalAPIKey(tx.UserByEmail(e.d.UserEmail).ID, store.NewAPIKey{Scopes: []string{"*"}, ScopedOrganizations: []string{other}})
		return nil
	})
	e.do("GET", "/api/projects/"+pid+"/", nil, asKey(scoped)).wantError(t, 403, "authentication_error", "permission_denied", "API key does not have access to the requested organization: ID "+e.d.OrganizationID+".", "")
	// The owner deletes (PostHog marks the project pending deletion).
	e.do("DELETE", "/api/environments/"+pid+"/", nil).wantStatus(t, 204)
	if !e.do("GET", "/api/projects/"+pid+"/", nil).get("is_pending_deletion").Bool() {
		t.Error("the deleted project is not pending deletion")
	}
	// Other methods: 405 with Allow, after authentication and lookup.
	r := e.do("POST", "/api/projects/"+pid+"/", map[string]any{})
	r.wantStatus(t, 405)
	if r.Header.Get("Allow") != "DELETE, GET, OPTIONS, PATCH, PUT" {
		t.Errorf("Allow = %q", r.Header.Get("Allow"))
	}
}
