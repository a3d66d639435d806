package fake

import (
	"fmt"
	"strings"
	"testing"

	"github.com/fakehog/fakehog/fake/store"
)

// TestProjectIntegrations: the kinds that need no OAuth dance are created, the others are
// refused; keys see GitHub integrations only; credentials are never shown or journaled.
func TestProjectIntegrations(t *testing.T) {
	e := newEnv(t)
	path := fmt.Sprintf("/api/environments/%d/integrations/", e.d.ProjectID)
	sess := asSession(e.d.Session)
	gh := e.do("POST", path, map[string]any{"kind": "github", "config": map[string]any{"installation_id": 4242}}).wantStatus(t, 201)
	if gh.get("kind").String() != "github" || gh.get("display_name").String() != "installation-4242" || gh.get("config.access_token").Exists() {
		t.Fatalf("github: %s", gh.Body)
	}
	tw := e.do("POST", path, map[string]any{"kind": "twilio", "config": map[string]any{"account_sid": "AC1", "auth_token": "tok-hidden"}}, sess).wantStatus(t, 201)
	if tw.get("display_name").String() != "ID: AC1" || strings.Contains(string(tw.Body), "tok-hidden") {
		t.Fatalf("twilio: %s", tw.Body)
	}
	em := e.do("POST", path, map[string]any{"kind": "email", "config": map[string]any{"email": "hi@example.com", "name": "Hi", "provider": "ses"}}, sess).wantStatus(t, 201)
	if em.get("config.domain").String() != "example.com" || em.get("display_name").String() != "hi@example.com" {
		t.Fatalf("email: %s", em.Body)
	}
	for _, c := range []struct {
		body               map[string]any
		code, detail, attr string
	}{
		{map[string]any{"kind": "slack", "config": map[string]any{}}, "invalid_input", "Kind not configured", ""},
		{map[string]any{"kind": "vercel"}, "invalid_input", "Kind not supported", ""},
		{map[string]any{"kind": "nope"}, "invalid_choice", `"nope" is not a valid choice.`, "kind"},
		{map[string]any{"config": map[string]any{}}, "required", store.MsgRequired, "kind"},
		{map[string]any{"kind": "github", "config": map[string]any{}}, "invalid_input", "An installation_id must be provided", ""},
		{map[string]any{"kind": "twilio", "config": map[string]any{"account_sid": "AC1"}}, "invalid_input", "Account SID and auth token must be provided", ""},
		{map[string]any{"kind": "email", "config": map[string]any{"email": "x", "name": "n", "provider": "ses"}}, "invalid_input", store.MsgInvalidEmail, "email"},
	} {
		e.do("POST", path, c.body, sess).wantError(t, 400, "validation_error", c.code, c.detail, c.attr)
	}
	// A key sees the GitHub installation only; the session sees all three.
	if n := e.do("GET", path, nil).get("count").Int(); n != 1 {
		t.Fatalf("key list: %d", n)
	}
	if n := e.do("GET", path, nil, sess).get("count").Int(); n != 3 {
		t.Fatalf("session list: %d", n)
	}
	twID := tw.get("id").String()
	e.do("GET", path+twID+"/", nil).wantStatus(t, 404)
	e.do("GET", fmt.Sprintf("/api/projects/%d/integrations/%s/", e.d.ProjectID, twID), nil, sess).wantStatus(t, 200)
	e.do("DELETE", path+twID+"/", nil, sess).wantStatus(t, 204)
	e.do("GET", path+twID+"/", nil, sess).wantStatus(t, 404)
	e.do("GET", path+"abc/", nil, sess).wantStatus(t, 404)
	for _, req := range e.srv.Journal().Requests(RequestFilter{}) {
		if strings.Contains(string(req.RequestBody), "tok-hidden") {
			t.Fatalf("journal holds a credential: %s", req.RequestBody)
		}
	}
	reader := e.addMember(e.d.OrganizationID, 1, "r@example.com", "integration:read")
	e.do("POST", path, map[string]any{"kind": "github", "config": map[string]any{"installation_id": 1}}, asKey(reader.Key)).
		wantError(t, 403, "authentication_error", "permission_denied", "API key missing required scope 'integration:write'", "")
}
