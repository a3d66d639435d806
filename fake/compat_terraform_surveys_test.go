package fake

import (
	"encoding/json"
	"fmt"
	"testing"
)

// Compatibility with the Terraform provider's posthog_action and posthog_survey (their
// acceptance tests: action_test.go, survey_test.go): the request sequences they make —
// actions created, read, updated by PATCH (steps cleared with [], tags dropped), destroyed
// by PATCH deleted true and checked by GET; surveys created with null numeric limits and
// linked flag, cleared by PATCH with explicit nulls, unlinked from a flag, destroyed by
// DELETE and checked by a 404 — decoded as the provider decodes the answers.

type tfAction struct {
	ID      int64            `json:"id"`
	Name    *string          `json:"name,omitempty"`
	Tags    []string         `json:"tags,omitempty"`
	Steps   []map[string]any `json:"steps,omitempty"`
	Deleted *bool            `json:"deleted,omitempty"`
}

type tfSurvey struct {
	ID             string         `json:"id"`
	Name           *string        `json:"name,omitempty"`
	Schedule       *string        `json:"schedule,omitempty"`
	LinkedFlag     map[string]any `json:"linked_flag,omitempty"`
	Questions      []any          `json:"questions,omitempty"`
	ResponsesLimit *int64         `json:"responses_limit,omitempty"`
	IterationCount *int64         `json:"iteration_count,omitempty"`
}

func decodeAs[T any](t *testing.T, r *resp) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(r.Body, &v); err != nil {
		t.Fatalf("decode %T: %v: %s", v, err, r.Body)
	}
	return v
}

func TestCompatTerraformActionSequence(t *testing.T) {
	e := newEnv(t)
	name := "tf-acc-test-1"
	created := decodeAs[tfAction](t, e.do("POST", e.actionsPath(), map[string]any{"name": name, "description": "Test action description",
		"tags": []string{"analytics", "tracking"}, "post_to_slack": false,
		"steps": []map[string]any{{"event": "$pageview", "url": "https://example.com/", "url_matching": "exact"}}}).wantStatus(t, 201))
	path := fmt.Sprintf("%s%d/", e.actionsPath(), created.ID)
	got := decodeAs[tfAction](t, e.do("GET", path, nil).wantStatus(t, 200))
	if len(got.Tags) != 2 || len(got.Steps) != 1 || got.Steps[0]["url_matching"] != "exact" || *got.Deleted {
		t.Fatalf("read: %+v", got)
	}
	// Clear: steps and tags sent as empty lists.
	upd := decodeAs[tfAction](t, e.do("PATCH", path, map[string]any{"name": name, "steps": []any{}, "tags": []string{}}).wantStatus(t, 200))
	if len(upd.Steps) != 0 || len(upd.Tags) != 0 {
		t.Fatalf("cleared: %+v", upd)
	}
	// Import reads the same action by id.
	if imp := decodeAs[tfAction](t, e.do("GET", path, nil)); imp.ID != created.ID || *imp.Name != name {
		t.Fatalf("import: %+v", imp)
	}
	// Destroy, then the provider's CheckDestroy: a GET answering deleted true.
	e.do("PATCH", path, map[string]any{"deleted": true}).wantStatus(t, 200)
	if gone := decodeAs[tfAction](t, e.do("GET", path, nil).wantStatus(t, 200)); gone.Deleted == nil || !*gone.Deleted {
		t.Fatalf("destroyed action: %+v", gone)
	}
}

func TestCompatTerraformSurveySequence(t *testing.T) {
	e := newEnv(t)
	flag := e.do("POST", fmt.Sprintf("/api/projects/%d/feature_flags/", e.d.ProjectID), map[string]any{"key": "tf-survey-flag",
		"name": "Test flag for survey link", "active": true,
		"filters": map[string]any{"groups": []any{map[string]any{"properties": []any{}, "rollout_percentage": 100}}}}).wantStatus(t, 201)
	flagID := flag.JSON.Get("id").Int()
	questions := []any{map[string]any{"type": "open", "question": "How satisfied are you?"}}
	// The provider's SurveyRequest sends the nullable integers as explicit nulls.
	body := func(extra map[string]any) map[string]any {
		b := map[string]any{"name": "tf-survey-1", "type": "popover", "questions": questions, "linked_flag_id": nil,
			"linked_insight_id": nil, "responses_limit": nil, "iteration_count": nil, "iteration_frequency_days": nil,
			"response_sampling_interval": nil, "response_sampling_limit": nil}
		for k, v := range extra {
			b[k] = v
		}
		return b
	}
	created := decodeAs[tfSurvey](t, e.do("POST", e.surveysPath(), body(map[string]any{"schedule": "recurring",
		"responses_limit": 100, "iteration_count": 3, "iteration_frequency_days": 7, "linked_flag_id": flagID})).wantStatus(t, 201))
	path := e.surveysPath() + created.ID + "/"
	got := decodeAs[tfSurvey](t, e.do("GET", path, nil).wantStatus(t, 200))
	if *got.Schedule != "recurring" || *got.ResponsesLimit != 100 || *got.IterationCount != 3 || int64(got.LinkedFlag["id"].(float64)) != flagID {
		t.Fatalf("read: %+v", got)
	}
	cleared := decodeAs[tfSurvey](t, e.do("PATCH", path, body(nil)).wantStatus(t, 200))
	if cleared.ResponsesLimit != nil || cleared.IterationCount != nil || cleared.LinkedFlag != nil {
		t.Fatalf("explicit nulls clear: %+v", cleared)
	}
	if len(cleared.Questions) != 1 {
		t.Fatalf("questions: %+v", cleared.Questions)
	}
	e.do("DELETE", path, nil).wantStatus(t, 204)
	e.do("GET", path, nil).wantError(t, 404, "invalid_request", "not_found", "Not found.", "")
	// The linked flag is the user's own: it stays.
	e.do("GET", fmt.Sprintf("/api/projects/%d/feature_flags/%d/", e.d.ProjectID, flagID), nil).wantStatus(t, 200)
}
