package fake

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/fakehog/fakehog/fake/store"
)

func init() {
	for _, root := range []string{"/api/projects/{project_id}/", "/api/environments/{project_id}/"} {
		emptyErrorBodies["DELETE "+root+"feature_flags/{id}/"] = "ForbidDestroyModel: 405 with no body (posthog/api/forbid_destroy_model.py)"
		emptyErrorBodies["GET "+root+"feature_flags/{id}/activity/"] = "404 with no body for an unknown flag (FeatureFlagViewSet.activity)"
		schemaExempt["GET "+root+"feature_flags/{id}/status/"] = "answers {status, reason} (FeatureFlagViewSet.status)"
		schemaExempt["POST "+root+"feature_flags/bulk_keys/"] = "answers {keys, warning?} (FeatureFlagViewSet.bulk_keys)"
	}
}

// flagsPath is the default project's feature flag path under /api/projects/.
func flagsPath(e *env, rest string) string {
	return fmt.Sprintf("/api/projects/%d/feature_flags/%s", e.d.ProjectID, rest)
}

// createFlag creates a flag rolled out to pct% and returns its id.
func createFlag(t *testing.T, e *env, key string, pct int) string {
	t.Helper()
	body := map[string]any{"key": key, "filters": map[string]any{"groups": []any{map[string]any{"properties": []any{}, "rollout_percentage": pct}}}}
	return e.do("POST", flagsPath(e, ""), body).wantStatus(t, 201).get("id").String()
}

func TestFeatureFlagCreateAndRetrieve(t *testing.T) {
	e := newEnv(t)
	r := e.do("POST", flagsPath(e, ""), map[string]any{"key": "new-checkout", "name": "New checkout", "tags": []any{"Beta"},
		"filters": map[string]any{"groups": []any{map[string]any{"properties": []any{}, "rollout_percentage": 30}}, "payloads": map[string]any{"true": map[string]any{"a": 1}}}}).wantStatus(t, 201)
	if r.get("key").String() != "new-checkout" || !r.get("active").Bool() || r.get("deleted").Bool() || r.get("version").Int() != 1 ||
		r.get("created_by.email").String() != e.d.UserEmail || r.get("evaluation_runtime").String() != "all" ||
		r.get("ensure_experience_continuity").Bool() || r.get("status").String() != "ACTIVE" || r.get("tags.0").String() != "beta" ||
		r.get("rollout_percentage").Int() != 30 || !r.get("is_simple_flag").Bool() || r.get("filters.payloads.true").String() != `{"a":1}` ||
		r.get("created_at").String() != "2026-01-15T10:00:00Z" || r.get("user_access_level").String() != "manager" {
		t.Fatalf("created = %s", r.Body)
	}
	id := r.get("id").String()
	for _, root := range []string{"projects", "environments"} {
		got := e.do("GET", fmt.Sprintf("/api/%s/%d/feature_flags/%s/", root, e.d.ProjectID, id), nil).wantStatus(t, 200)
		if got.get("id").String() != id || got.get("name").String() != "New checkout" {
			t.Fatalf("%s retrieve = %s", root, got.Body)
		}
	}
	e.do("GET", "/api/projects/@current/feature_flags/"+id+"/", nil).wantStatus(t, 200)
	e.do("GET", flagsPath(e, "999/"), nil).wantError(t, 404, "invalid_request", "not_found", "Not found.", "")
	e.do("GET", flagsPath(e, "abc/"), nil).wantError(t, 404, "invalid_request", "not_found", "Not found.", "")
}

func TestFeatureFlagValidation(t *testing.T) {
	e := newEnv(t)
	createFlag(t, e, "taken", 100)
	g := []any{map[string]any{"properties": []any{}}}
	cases := []fieldCase{
		{"missing key", map[string]any{"filters": map[string]any{"groups": g}}, "required", store.MsgRequired, "key"},
		{"blank key", map[string]any{"key": "", "filters": map[string]any{"groups": g}}, "blank", store.MsgBlank, "key"},
		{"key format", map[string]any{"key": "has space", "filters": map[string]any{"groups": g}}, "invalid_key", store.MsgFlagKeyFormat, "key"},
		{"key taken", map[string]any{"key": "taken", "filters": map[string]any{"groups": g}}, "unique", store.MsgFlagKeyTaken, "key"},
		{"filters not a dict", map[string]any{"key": "k", "filters": []any{}}, "not_a_dict", `Expected a dictionary of items but got type "list".`, "filters"},
		{"no groups", map[string]any{"key": "k", "filters": map[string]any{"groups": []any{}}}, "invalid_input", store.MsgFlagNeedsGroup, "filters"},
		{"variants", map[string]any{"key": "k", "filters": map[string]any{"groups": g, "multivariate": map[string]any{"variants": []any{
			map[string]any{"key": "a", "rollout_percentage": 60}, map[string]any{"key": "b", "rollout_percentage": 60}}}}}, "invalid_input", store.MsgFlagVariantSum, "filters"},
		{"bad runtime", map[string]any{"key": "k", "filters": map[string]any{"groups": g}, "evaluation_runtime": "edge"}, "invalid_choice", `"edge" is not a valid choice.`, "evaluation_runtime"},
		{"dashboards", map[string]any{"key": "k", "filters": map[string]any{"groups": g}, "analytics_dashboards": []any{5}}, "does_not_exist", `Invalid pk "5" - object does not exist.`, "analytics_dashboards"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.do("POST", flagsPath(e, ""), c.body).wantError(t, 400, "validation_error", c.code, c.detail, c.attr)
		})
	}
	if n := e.do("GET", flagsPath(e, ""), nil).get("count").Int(); n != 1 {
		t.Fatalf("failed creates left %d flags", n)
	}
}

func TestFeatureFlagUpdateAndSoftDelete(t *testing.T) {
	e := newEnv(t)
	id := createFlag(t, e, "f1", 50)
	r := e.do("PATCH", flagsPath(e, id+"/"), map[string]any{"name": "renamed", "active": false}).wantStatus(t, 200)
	if r.get("name").String() != "renamed" || r.get("active").Bool() || r.get("version").Int() != 2 || r.get("rollout_percentage").Int() != 50 {
		t.Fatalf("patched = %s", r.Body)
	}
	// PUT needs the key.
	e.do("PUT", flagsPath(e, id+"/"), map[string]any{"name": "x"}).wantError(t, 400, "validation_error", "required", store.MsgRequired, "key")
	e.do("PUT", flagsPath(e, id+"/"), map[string]any{"key": "f1-renamed", "filters": map[string]any{"groups": []any{map[string]any{"rollout_percentage": 100}}}}).wantStatus(t, 200)
	// The concurrency check: a stale version with original_flag is a 409.
	e.do("PATCH", flagsPath(e, id+"/"), map[string]any{"name": "mine", "version": 1, "original_flag": map[string]any{"name": ""}}).
		wantError(t, 409, "server_error", "conflict", "The feature flag was updated by "+e.d.UserEmail+" since you started editing it. Please refresh and try again.", "")
	// DELETE is refused as PostHog refuses it; PATCH deleted=true is the delete.
	e.do("DELETE", flagsPath(e, id+"/"), nil).wantStatus(t, 405)
	d := e.do("PATCH", flagsPath(e, id+"/"), map[string]any{"key": "f1-renamed", "deleted": true}).wantStatus(t, 200)
	if !d.get("deleted").Bool() || d.get("status").String() != "DELETED" {
		t.Fatalf("deleted = %s", d.Body)
	}
	if n := e.do("GET", flagsPath(e, ""), nil).get("count").Int(); n != 0 {
		t.Fatalf("the list shows %d flags after the delete", n)
	}
	e.do("GET", flagsPath(e, id+"/"), nil).wantStatus(t, 200)
	// The key is free again; the deleted row goes.
	createFlag(t, e, "f1-renamed", 10)
	e.do("GET", flagsPath(e, id+"/"), nil).wantStatus(t, 404)
	// Activity: created, updated, deleted, newest first.
	act := e.do("GET", flagsPath(e, "activity/"), nil).wantStatus(t, 200)
	if act.get("total_count").Int() != 5 || act.get("results.0.activity").String() != "created" || act.get("results.1.activity").String() != "deleted" {
		t.Fatalf("activity = %s", act.Body)
	}
	e.do("GET", flagsPath(e, "12345/activity/"), nil).wantStatus(t, 404)
}

func TestFeatureFlagListFilters(t *testing.T) {
	e := newEnv(t)
	a := createFlag(t, e, "alpha", 100)
	createFlag(t, e, "beta-feature", 20)
	e.do("POST", flagsPath(e, ""), map[string]any{"key": "multi", "tags": []any{"exp"}, "filters": map[string]any{"groups": []any{map[string]any{}},
		"multivariate": map[string]any{"variants": []any{map[string]any{"key": "control", "rollout_percentage": 50}, map[string]any{"key": "test", "rollout_percentage": 50}}}}}).wantStatus(t, 201)
	e.do("PATCH", flagsPath(e, a+"/"), map[string]any{"active": false}).wantStatus(t, 200)
	cases := map[string][]string{
		"":                               {"multi", "beta-feature", "alpha"},
		"?search=ALP":                    {"alpha"},
		"?active=false":                  {"alpha"},
		"?active=true":                   {"multi", "beta-feature"},
		"?type=multivariant":             {"multi"},
		"?type=boolean":                  {"beta-feature", "alpha"},
		`?tags=["exp"]`:                  {"multi"},
		`?excluded_properties=["multi"]`: {"beta-feature", "alpha"},
		"?evaluation_runtime=server":     {},
		"?limit=1&offset=1":              {"beta-feature"},
	}
	for q, want := range cases {
		r := e.do("GET", flagsPath(e, q), nil).wantStatus(t, 200)
		var got []string
		for _, k := range r.get("results.#.key").Array() {
			got = append(got, k.String())
		}
		if fmt.Sprint(got) != fmt.Sprint(want) && !(len(got) == 0 && len(want) == 0) {
			t.Errorf("%s: got %v, want %v", q, got, want)
		}
	}
	if r := e.do("GET", flagsPath(e, "?limit=1&offset=1"), nil); r.get("count").Int() != 3 || r.get("next").String() == "" || r.get("previous").String() == "" {
		t.Fatalf("page = %s", r.Body)
	}
	// bulk_keys maps ids to keys, ignoring what is not an id.
	bk := e.do("POST", flagsPath(e, "bulk_keys/"), map[string]any{"ids": []any{a, 999, "x"}}).wantStatus(t, 200)
	if bk.get("keys."+a).String() != "alpha" || bk.get("warning").String() != "Invalid flag IDs ignored: ['x']" {
		t.Fatalf("bulk_keys = %s", bk.Body)
	}
	st := e.do("GET", flagsPath(e, a+"/status/"), nil).wantStatus(t, 200)
	if st.get("status").String() != "active" {
		t.Fatalf("status = %s", st.Body)
	}
}

func TestFeatureFlagScopes(t *testing.T) {
	e := newEnv(t)
	id := createFlag(t, e, "scoped", 100)
	reader := e.addMember(e.d.OrganizationID, store.LevelMember, "reader@example.com", "feature_flag:read")
	e.do("GET", flagsPath(e, id+"/"), nil, asKey(reader.Key)).wantStatus(t, 200)
	e.do("PATCH", flagsPath(e, id+"/"), map[string]any{"name": "x"}, asKey(reader.Key)).
		wantError(t, 403, "authentication_error", "permission_denied", "API key missing required scope 'feature_flag:write'", "")
	outsider := e.addMember(newFeaturelessOrg(t, e), store.LevelOwner, "out@example.com")
	e.do("GET", flagsPath(e, id+"/"), nil, asKey(outsider.Key)).wantStatus(t, 404)
	_ = strconv.Itoa
}
