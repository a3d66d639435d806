package fake

import (
	"fmt"
	"strings"
	"testing"

	"github.com/fakehog/fakehog/fake/store"
)

func init() {
	schemaExemptActions["POST launch"] = "surveys_launch is newer than the late-2025 schema: answers SurveySerializer"
	schemaExemptActions["POST stop"] = "surveys_stop is newer than the late-2025 schema: answers SurveySerializer"
}

func (e *env) surveysPath() string { return fmt.Sprintf("/api/projects/%d/surveys/", e.d.ProjectID) }

func openQuestion() []any {
	return []any{map[string]any{"type": "open", "question": "How satisfied are you?"}}
}

// TestSurveyLifecycle: create with targeting filters (a real, inactive targeting flag and an
// internal targeting flag), launch through PATCH (both flags become active), merge new
// filters, remove the targeting flag, archive, delete (the survey and its flags are gone).
func TestSurveyLifecycle(t *testing.T) {
	e := newEnv(t)
	filters := map[string]any{"groups": []any{map[string]any{"properties": []any{map[string]any{"key": "email",
		"value": "@x.dev", "operator": "icontains", "type": "person"}}, "rollout_percentage": 50}}}
	r := e.do("POST", e.surveysPath(), map[string]any{"name": "NPS", "type": "popover", "questions": openQuestion(),
		"targeting_flag_filters": filters}).wantStatus(t, 201)
	id := r.JSON.Get("id").String()
	for k, want := range map[string]string{"name": "NPS", "schedule": "once", "archived": "false", "targeting_flag.active": "false",
		"internal_targeting_flag.active": "false", "questions.0.type": "open", "created_by.email": e.d.UserEmail,
		"targeting_flag.filters.groups.0.rollout_percentage": "50", "enable_partial_responses": "false"} {
		if got := r.JSON.Get(k).String(); got != want {
			t.Errorf("%s = %s, want %s", k, got, want)
		}
	}
	if r.JSON.Get("questions.0.id").String() == "" || !store.IsUUID(r.JSON.Get("questions.0.id").String()) {
		t.Errorf("questions get ids: %s", r.JSON.Get("questions").Raw)
	}
	targeting, internal := r.JSON.Get("targeting_flag.id").Int(), r.JSON.Get("internal_targeting_flag.id").Int()
	flagPath := func(id int64) string { return fmt.Sprintf("/api/projects/%d/feature_flags/%d/", e.d.ProjectID, id) }
	e.do("GET", flagPath(targeting), nil).wantStatus(t, 200)
	// The flag list leaves the survey's flags out, as PostHog's does (they stay retrievable).
	flagList := e.do("GET", fmt.Sprintf("/api/projects/%d/feature_flags/", e.d.ProjectID), nil).wantStatus(t, 200)
	for _, f := range flagList.JSON.Get("results.#.id").Array() {
		if f.Int() == targeting || f.Int() == internal {
			t.Errorf("the flag list shows survey flag %d", f.Int())
		}
	}
	path := e.surveysPath() + id + "/"

	e.do("PATCH", path, map[string]any{"start_date": "2026-01-15T10:00:00Z"}).wantStatus(t, 200)
	got := e.do("GET", path, nil).wantStatus(t, 200)
	if !got.JSON.Get("targeting_flag.active").Bool() || !got.JSON.Get("internal_targeting_flag.active").Bool() {
		t.Fatalf("a launched survey's flags are active: %s", got.Body)
	}
	if got.JSON.Get("feature_flag_keys.1.value").String() != got.JSON.Get("targeting_flag.key").String() {
		t.Errorf("feature_flag_keys: %s", got.JSON.Get("feature_flag_keys").Raw)
	}
	e.do("PATCH", path, map[string]any{"targeting_flag_filters": map[string]any{"groups": []any{map[string]any{"properties": []any{},
		"rollout_percentage": 20}}}}).wantStatus(t, 200)
	if got := e.do("GET", flagPath(targeting), nil).JSON.Get("filters.groups.0.rollout_percentage").Int(); got != 20 {
		t.Fatalf("targeting filters are merged into the same flag: %d", got)
	}
	e.do("PATCH", path, map[string]any{"remove_targeting_flag": true}).wantStatus(t, 200)
	e.do("GET", flagPath(targeting), nil).wantStatus(t, 404)
	if got := e.do("GET", path, nil).JSON.Get("targeting_flag"); got.Type.String() != "Null" {
		t.Fatalf("targeting flag after removal: %s", got.Raw)
	}
	e.do("PATCH", path, map[string]any{"archived": true}).wantStatus(t, 200)
	if e.do("GET", flagPath(internal), nil).JSON.Get("active").Bool() {
		t.Fatal("an archived survey's internal flag is inactive")
	}
	list := e.do("GET", e.surveysPath()+"?archived=true", nil).wantStatus(t, 200)
	if list.JSON.Get("count").Int() != 1 || list.JSON.Get("results.0.id").String() != id {
		t.Fatalf("list: %s", list.Body)
	}
	e.do("DELETE", path, nil).wantStatus(t, 204)
	e.do("GET", path, nil).wantStatus(t, 404)
	e.do("GET", flagPath(internal), nil).wantStatus(t, 404)
}

// TestSurveyValidation: the serializer's checks, each refused with PostHog's body and nothing
// created (no survey, no flag).
func TestSurveyValidation(t *testing.T) {
	e := newEnv(t)
	e.do("POST", e.surveysPath(), map[string]any{"name": "Taken", "type": "popover"}).wantStatus(t, 201)
	flags := func() int64 {
		return e.do("GET", fmt.Sprintf("/api/projects/%d/feature_flags/", e.d.ProjectID), nil).JSON.Get("count").Int()
	}
	before := flags()
	q := func(extra map[string]any) []any {
		m := map[string]any{"type": "single_choice", "question": "Pick"}
		for k, v := range extra {
			m[k] = v
		}
		return []any{m}
	}
	for _, tc := range []struct {
		body             map[string]any
		code, detail, at string
	}{
		{map[string]any{"type": "popover"}, "required", "This field is required.", "name"},
		{map[string]any{"name": "x", "type": "modal"}, "invalid_choice", `"modal" is not a valid choice.`, "type"},
		{map[string]any{"name": "Taken", "type": "popover"}, "unique", "There is already a survey with this name.", ""},
		{map[string]any{"name": "x", "type": "popover", "schedule": "weekly"}, "invalid_input", "Schedule must be one of: once, recurring, always", "schedule"},
		{map[string]any{"name": "x", "type": "popover", "questions": "q"}, "invalid_input", "Questions must be a list of objects", "questions"},
		{map[string]any{"name": "x", "type": "popover", "questions": []any{map[string]any{"type": "open"}}}, "invalid_input", "Question text is required", "questions"},
		{map[string]any{"name": "x", "type": "popover", "questions": q(map[string]any{"choices": []any{"a", " "}})}, "invalid_input", "Question choices cannot be empty", "questions"},
		{map[string]any{"name": "x", "type": "popover", "questions": q(map[string]any{"choices": []any{"a", 2}})}, "invalid_input", "Question choices must be strings", "questions"},
		{map[string]any{"name": "x", "type": "popover", "questions": []any{map[string]any{"type": "link", "question": "Go", "link": "http://x.dev"}}}, "invalid_input", "Link must be a URL with one of these schemes: [https, mailto]", "questions"},
		{map[string]any{"name": "x", "type": "popover", "appearance": map[string]any{"shuffleQuestions": true},
			"questions": []any{map[string]any{"type": "rating", "question": "Rate", "branching": map[string]any{"type": "end"}}}}, "invalid_input", store.MsgSurveyShuffleBranching, ""},
		{map[string]any{"name": "x", "type": "popover", "targeting_flag_filters": map[string]any{"groups": []any{map[string]any{"properties": []any{}, "rollout_percentage": 100}}}}, "invalid_input", store.MsgSurveyFullRollout, ""},
		{map[string]any{"name": "x", "type": "popover", "linked_flag_id": 9999}, "invalid_input", "Feature Flag with this ID does not exist", ""},
		{map[string]any{"name": "x", "type": "popover", "iteration_count": 501}, "max_value", "Ensure this value is less than or equal to 500.", "iteration_count"},
		{map[string]any{"name": "x", "type": "external_survey", "linked_flag_id": nil, "conditions": map[string]any{"url": "a"}}, "invalid_input", "The following condition fields are not allowed for external surveys: url", "conditions"},
		{map[string]any{"name": "x", "type": "popover", "translations": map[string]any{"en": map[string]any{"name": "X"}}}, "invalid_input",
			"Survey translation: 'en' matches the survey's base language ('en'). The original text already covers this language — translate to a different language.", "translations"},
	} {
		e.do("POST", e.surveysPath(), tc.body).wantError(t, 400, "validation_error", tc.code, tc.detail, tc.at)
	}
	if n := e.do("GET", e.surveysPath(), nil).JSON.Get("count").Int(); n != 1 {
		t.Fatalf("refused creates stored surveys: %d", n)
	}
	if after := flags(); after != before {
		t.Fatalf("refused creates made flags: %d → %d", before, after)
	}
	m := e.addMember(e.d.OrganizationID, store.LevelMember, "reader@x.dev", "survey:read")
	e.do("GET", e.surveysPath(), nil, asKey(m.Key)).wantStatus(t, 200)
	e.do("POST", e.surveysPath(), map[string]any{"name": "y", "type": "api"}, asKey(m.Key)).wantStatus(t, 403)
}

// The organization's console page lists its projects' actions, surveys and event definitions.
func TestConsoleListsActionsSurveysAndEvents(t *testing.T) {
	e := newEnv(t)
	e.do("POST", fmt.Sprintf("/api/projects/%d/actions/", e.d.ProjectID), map[string]any{"name": "Console action",
		"steps": []any{map[string]any{"event": "$pageview"}}}).wantStatus(t, 201)
	e.do("POST", e.surveysPath(), map[string]any{"name": "Console survey", "type": "popover", "questions": openQuestion()}).wantStatus(t, 201)
	page := string(e.adminCall("GET", "/_fake/console/organizations/"+e.d.OrganizationID, nil).wantStatus(t, 200).Body)
	for _, want := range []string{"Actions (1)", "Console action", "Surveys (1)", "Console survey", "draft",
		fmt.Sprintf("/api/projects/%d/actions/1/", e.d.ProjectID)} {
		if !strings.Contains(page, want) {
			t.Errorf("the organization page lacks %q", want)
		}
	}
}
