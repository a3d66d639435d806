package fake

import (
	"fmt"
	"testing"

	"github.com/fakehog/fakehog/fake/store"
)

func init() {
	schemaExempt["GET /api/projects/{project_id}/actions/"] = "ActionViewSet.list answers every action as {\"results\": [...]} without count (products/actions/backend/api/action.py)"
	emptyErrorBodies["DELETE /api/projects/{project_id}/actions/{id}/"] = "ForbidDestroyModel answers 405 with no body"
}

func (e *env) actionsPath() string { return fmt.Sprintf("/api/projects/%d/actions/", e.d.ProjectID) }

// TestActionLifecycle: create with steps and tags, list, update, soft delete through PATCH,
// DELETE refused; the soft-deleted action leaves the list but is still retrievable.
func TestActionLifecycle(t *testing.T) {
	e := newEnv(t)
	r := e.do("POST", e.actionsPath(), map[string]any{
		"name": "Signed up", "description": "d", "tags": []any{" Growth ", "growth", "Funnel"},
		"steps": []any{map[string]any{"event": "$pageview", "url": "https://x.dev/", "url_matching": "exact"}},
	})
	r.wantStatus(t, 201)
	id := r.JSON.Get("id").Int()
	for k, want := range map[string]string{"name": "Signed up", "tags": `["funnel","growth"]`, "deleted": "false",
		"steps.0.event": "$pageview", "steps.0.url_matching": "exact", "is_action": "true", "created_by.email": e.d.UserEmail,
		"team_id": fmt.Sprint(e.d.ProjectID), "post_to_slack": "false", "user_access_level": "manager"} {
		if got := r.JSON.Get(k).String(); got != want {
			t.Errorf("%s = %s, want %s", k, got, want)
		}
	}
	if !r.JSON.Get("steps.0.selector").Exists() || r.JSON.Get("steps.0.text").Type.String() != "Null" {
		t.Errorf("a step shows every field, null when absent: %s", r.JSON.Get("steps.0").Raw)
	}
	path := fmt.Sprintf("%s%d/", e.actionsPath(), id)

	list := e.do("GET", e.actionsPath(), nil).wantStatus(t, 200)
	if list.JSON.Get("results.#").Int() != 1 || list.JSON.Get("count").Exists() {
		t.Fatalf("list: %s", list.Body)
	}
	e.do("PATCH", path, map[string]any{"name": "Signed up!", "steps": []any{}, "tags": []any{}}).wantStatus(t, 200)
	got := e.do("GET", path, nil).wantStatus(t, 200)
	if got.JSON.Get("name").String() != "Signed up!" || got.JSON.Get("steps.#").Int() != 0 || got.JSON.Get("tags.#").Int() != 0 {
		t.Fatalf("after update: %s", got.Body)
	}
	e.do("DELETE", path, nil).wantStatus(t, 405)
	e.do("PATCH", path, map[string]any{"deleted": true}).wantStatus(t, 200)
	if e.do("GET", e.actionsPath(), nil).JSON.Get("results.#").Int() != 0 {
		t.Fatal("a soft-deleted action must leave the list")
	}
	if !e.do("GET", path, nil).wantStatus(t, 200).JSON.Get("deleted").Bool() {
		t.Fatal("a soft-deleted action is still retrievable, deleted true")
	}
	// Its name is free again.
	e.do("POST", e.actionsPath(), map[string]any{"name": "Signed up!"}).wantStatus(t, 201)
	var acts []string
	e.srv.Store().Read(func(tx *store.Tx) error {
		for _, a := range tx.Activity(e.d.OrganizationID, func(a *store.ActivityEntry) bool { return a.Scope == "Action" }) {
			acts = append(acts, a.Activity)
		}
		return nil
	})
	if fmt.Sprint(acts) != "[created deleted updated created]" {
		t.Errorf("activity = %v", acts)
	}
	e.do("GET", e.actionsPath()+"999/", nil).wantError(t, 404, "invalid_request", "not_found", "Not found.", "")
}

// TestActionValidation: the serializer's rules, each refused with PostHog's body and
// nothing stored.
func TestActionValidation(t *testing.T) {
	e := newEnv(t)
	first := e.do("POST", e.actionsPath(), map[string]any{"name": "Taken"}).wantStatus(t, 201).JSON.Get("id").Int()
	for _, tc := range []struct {
		body             map[string]any
		code, detail, at string
	}{
		{map[string]any{"name": "Taken"}, "unique", fmt.Sprintf("This project already has an action with this name, ID %d", first), "name"},
		{map[string]any{"name": "  "}, "blank", "This field may not be blank.", "name"},
		{map[string]any{"name": "x", "steps": "no"}, "not_a_list", `Expected a list of items but got type "str".`, "steps"},
		{map[string]any{"name": "x", "steps": []any{map[string]any{"url_matching": "fuzzy"}}}, "invalid_choice", `"fuzzy" is not a valid choice.`, "steps__0__url_matching"},
		{map[string]any{"name": "x", "steps": []any{map[string]any{}, map[string]any{"event": ""}}}, "blank", "This field may not be blank.", "steps__1__event"},
		{map[string]any{"name": "x", "steps": []any{map[string]any{"properties": []any{"p"}}}}, "not_a_dict", `Expected a dictionary of items but got type "str".`, "steps__0__properties__0"},
		{map[string]any{"name": "x", "slack_message_format": string(make([]byte, 1201))}, "max_length", "Ensure this field has no more than 1200 characters.", "slack_message_format"},
	} {
		e.do("POST", e.actionsPath(), tc.body).wantError(t, 400, "validation_error", tc.code, tc.detail, tc.at)
	}
	if n := e.do("GET", e.actionsPath(), nil).JSON.Get("results.#").Int(); n != 1 {
		t.Fatalf("refused creates stored actions: %d", n)
	}
	// A key without action:write cannot create; with action:read it lists.
	m := e.addMember(e.d.OrganizationID, store.LevelMember, "reader@x.dev", "action:read")
	e.do("GET", e.actionsPath(), nil, asKey(m.Key)).wantStatus(t, 200)
	e.do("POST", e.actionsPath(), map[string]any{"name": "y"}, asKey(m.Key)).wantStatus(t, 403)
}
