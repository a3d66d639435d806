package fake

import (
	"fmt"
	"testing"

	"github.com/fakehog/fakehog/fake/store"
)

func init() {
	for _, root := range []string{"/api/projects/{project_id}/", "/api/environments/{project_id}/"} {
		emptyErrorBodies["DELETE "+root+"experiments/{id}/"] = "ForbidDestroyModel: 405 with no body (ee/clickhouse/views/experiments.py)"
	}
}

// experimentsPath is the default project's experiment path.
func experimentsPath(e *env, rest string) string {
	return fmt.Sprintf("/api/projects/%d/experiments/%s", e.d.ProjectID, rest)
}

func TestExperimentCreateMakesItsFlag(t *testing.T) {
	e := newEnv(t)
	r := e.do("POST", experimentsPath(e, ""), map[string]any{"name": "Checkout test", "feature_flag_key": "checkout-test",
		"metrics": []any{map[string]any{"kind": "ExperimentMetric", "metric_type": "mean", "uuid": "m1", "source": map[string]any{"kind": "EventsNode", "event": "purchase"}}}}).wantStatus(t, 201)
	if r.get("feature_flag_key").String() != "checkout-test" || r.get("feature_flag.active").Bool() || r.get("start_date").Type != 0 ||
		r.get("feature_flag.filters.multivariate.variants.#").Int() != 2 || r.get("feature_flag.filters.multivariate.variants.0.key").String() != "control" ||
		r.get("stats_config.method").String() != "bayesian" || r.get("metrics.0.fingerprint").String() == "" ||
		r.get("created_by.email").String() != e.d.UserEmail || r.get("type").String() != "product" || r.get("deleted").Bool() {
		t.Fatalf("created = %s", r.Body)
	}
	flagID := r.get("feature_flag.id").String()
	id := r.get("id").String()
	f := e.do("GET", flagsPath(e, flagID+"/"), nil).wantStatus(t, 200)
	if f.get("name").String() != "Feature Flag for Experiment Checkout test" || f.get("experiment_set.0").String() != id {
		t.Fatalf("the experiment's flag = %s", f.Body)
	}
	// Launching turns the flag on; then the variants are fixed.
	l := e.do("PATCH", experimentsPath(e, id+"/"), map[string]any{"start_date": "2026-01-15T10:00:00Z"}).wantStatus(t, 200)
	if !l.get("feature_flag.active").Bool() || l.get("start_date").String() != "2026-01-15T10:00:00Z" {
		t.Fatalf("launched = %s", l.Body)
	}
	e.do("PATCH", experimentsPath(e, id+"/"), map[string]any{"parameters": map[string]any{"feature_flag_variants": []any{
		map[string]any{"key": "control", "rollout_percentage": 100}}}}).wantError(t, 400, "validation_error", "invalid_input", store.MsgXPVariantsLocked, "")
	e.do("PATCH", experimentsPath(e, id+"/"), map[string]any{"feature_flag_key": "other"}).
		wantError(t, 400, "validation_error", "invalid_input", "Can't update keys: get_feature_flag_key on Experiment", "")
	e.do("PATCH", experimentsPath(e, id+"/"), map[string]any{"end_date": "2026-01-14T10:00:00Z", "start_date": "2026-01-15T10:00:00Z"}).
		wantError(t, 400, "validation_error", "invalid_input", store.MsgXPEndBeforeStart, "")
	// The flag cannot go while the experiment lives.
	e.do("PATCH", flagsPath(e, flagID+"/"), map[string]any{"deleted": true}).wantError(t, 400, "validation_error", "invalid_input",
		"Cannot delete a feature flag that is linked to active experiment(s) with ID(s): "+id+". Please delete the experiment(s) before deleting the flag.", "")
	// Conclude, archive.
	c := e.do("PATCH", experimentsPath(e, id+"/"), map[string]any{"end_date": "2026-01-20T10:00:00Z", "conclusion": "won", "conclusion_comment": "clear"}).wantStatus(t, 200)
	if c.get("conclusion").String() != "won" || c.get("end_date").String() != "2026-01-20T10:00:00Z" {
		t.Fatalf("concluded = %s", c.Body)
	}
	if n := e.do("GET", experimentsPath(e, "?status=complete"), nil).get("count").Int(); n != 1 {
		t.Fatalf("complete experiments: %d", n)
	}
	e.do("PATCH", experimentsPath(e, id+"/"), map[string]any{"archived": true}).wantStatus(t, 200)
	if n := e.do("GET", experimentsPath(e, ""), nil).get("count").Int(); n != 0 {
		t.Fatalf("archived experiments are listed: %d", n)
	}
	if n := e.do("GET", experimentsPath(e, "?archived=true"), nil).get("count").Int(); n != 1 {
		t.Fatalf("archived=true lists %d", n)
	}
	// DELETE is refused; deleted=true is the delete; then the flag may go, renamed.
	e.do("DELETE", experimentsPath(e, id+"/"), nil).wantStatus(t, 405)
	e.do("PATCH", experimentsPath(e, id+"/"), map[string]any{"deleted": true}).wantStatus(t, 200)
	e.do("GET", experimentsPath(e, id+"/"), nil).wantError(t, 404, "invalid_request", "not_found", "Not found.", "")
	d := e.do("PATCH", flagsPath(e, flagID+"/"), map[string]any{"deleted": true}).wantStatus(t, 200)
	if d.get("key").String() != "checkout-test:deleted:"+flagID {
		t.Fatalf("deleted flag = %s", d.Body)
	}
}

func TestExperimentReusesAnEligibleFlag(t *testing.T) {
	e := newEnv(t)
	createFlag(t, e, "boolean-flag", 100)
	e.do("POST", experimentsPath(e, ""), map[string]any{"name": "x", "feature_flag_key": "boolean-flag"}).
		wantError(t, 400, "validation_error", "invalid_input", store.MsgXPFlagNotEligible, "")
	variants := func(first string) map[string]any {
		return map[string]any{"key": "mv-" + first, "filters": map[string]any{"groups": []any{map[string]any{"rollout_percentage": 100}},
			"multivariate": map[string]any{"variants": []any{map[string]any{"key": first, "rollout_percentage": 50}, map[string]any{"key": "z", "rollout_percentage": 50}}}}}
	}
	e.do("POST", flagsPath(e, ""), variants("a")).wantStatus(t, 201)
	ok := e.do("POST", flagsPath(e, ""), variants("control")).wantStatus(t, 201)
	e.do("POST", experimentsPath(e, ""), map[string]any{"name": "x", "feature_flag_key": "mv-a"}).
		wantError(t, 400, "validation_error", "invalid_input", store.MsgXPFlagControlFirst, "")
	el := e.do("GET", experimentsPath(e, "eligible_feature_flags/"), nil).wantStatus(t, 200)
	if el.get("count").Int() != 1 || el.get("results.0.key").String() != "mv-control" {
		t.Fatalf("eligible = %s", el.Body)
	}
	r := e.do("POST", experimentsPath(e, ""), map[string]any{"name": "reuse", "feature_flag_key": "mv-control"}).wantStatus(t, 201)
	if r.get("feature_flag.id").String() != ok.get("id").String() {
		t.Fatalf("did not reuse the flag: %s", r.Body)
	}
	// Parameters are checked; a draft's parameters rewrite its flag's variants.
	e.do("POST", experimentsPath(e, ""), map[string]any{"name": "y", "feature_flag_key": "new-one", "parameters": map[string]any{
		"feature_flag_variants": []any{map[string]any{"key": "a", "rollout_percentage": 100}}}}).
		wantError(t, 400, "validation_error", "invalid_input", store.MsgXPNoControl, "parameters")
	d := e.do("POST", experimentsPath(e, ""), map[string]any{"name": "y", "feature_flag_key": "new-one"}).wantStatus(t, 201)
	u := e.do("PATCH", experimentsPath(e, d.get("id").String()+"/"), map[string]any{"parameters": map[string]any{"feature_flag_variants": []any{
		map[string]any{"key": "control", "rollout_percentage": 34}, map[string]any{"key": "b", "rollout_percentage": 33}, map[string]any{"key": "c", "rollout_percentage": 33}}}}).wantStatus(t, 200)
	if u.get("feature_flag.filters.multivariate.variants.#").Int() != 3 || u.get("feature_flag.version").Int() != 2 {
		t.Fatalf("draft variants = %s", u.Body)
	}
	// Duplicate: a new draft on the same flag.
	dup := e.do("POST", experimentsPath(e, d.get("id").String()+"/duplicate/"), map[string]any{}).wantStatus(t, 201)
	if dup.get("name").String() != "y (Copy)" || dup.get("feature_flag.id").String() != u.get("feature_flag.id").String() {
		t.Fatalf("duplicate = %s", dup.Body)
	}
}

func TestExperimentTimeseriesResults(t *testing.T) {
	e := newEnv(t)
	r := e.do("POST", experimentsPath(e, ""), map[string]any{"name": "ts", "feature_flag_key": "ts"}).wantStatus(t, 201)
	id := r.get("id").String()
	e.do("GET", experimentsPath(e, id+"/timeseries_results/"), nil).wantError(t, 400, "validation_error", "invalid_input", "metric_uuid query parameter is required", "")
	e.do("GET", experimentsPath(e, id+"/timeseries_results/?metric_uuid=m&fingerprint=f"), nil).
		wantError(t, 400, "validation_error", "invalid_input", "Experiment has not been started yet", "")
	e.do("PATCH", experimentsPath(e, id+"/"), map[string]any{"start_date": "2026-01-13T08:00:00Z"}).wantStatus(t, 200)
	ts := e.do("GET", experimentsPath(e, id+"/timeseries_results/?metric_uuid=m&fingerprint=f"), nil).wantStatus(t, 200)
	if ts.get("status").String() != "pending" || len(ts.get("timeseries").Map()) != 3 || ts.get("timeseries.2026-01-15").Type != 0 ||
		ts.get("errors").Type != 0 || ts.get("metric_uuid").String() != "m" {
		t.Fatalf("timeseries = %s", ts.Body)
	}
}

func TestExperimentScopes(t *testing.T) {
	e := newEnv(t)
	r := e.do("POST", experimentsPath(e, ""), map[string]any{"name": "s", "feature_flag_key": "s"}).wantStatus(t, 201)
	flagsOnly := e.addMember(e.d.OrganizationID, store.LevelMember, "flags@example.com", "feature_flag:write")
	e.do("GET", experimentsPath(e, r.get("id").String()+"/"), nil, asKey(flagsOnly.Key)).
		wantError(t, 403, "authentication_error", "permission_denied", "API key missing required scope 'experiment:read'", "")
	e.do("GET", fmt.Sprintf("/api/environments/%d/experiments/%s/", e.d.ProjectID, r.get("id").String()), nil).wantStatus(t, 200)
}
