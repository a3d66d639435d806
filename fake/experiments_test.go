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

// Flags and experiments survive an export and an import (the state codec behind
// -data-dir and /_fake/snapshot): the same answers, the same ids next.
func TestFlagsAndExperimentsExportRoundTrip(t *testing.T) {
	a := newEnv(t)
	createFlag(t, a, "kept", 30)
	gone := createFlag(t, a, "gone", 10)
	a.do("PATCH", flagsPath(a, gone+"/"), map[string]any{"deleted": true}).wantStatus(t, 200)
	a.do("POST", flagsPath(a, ""), map[string]any{"key": "payload", "tags": []any{"x"}, "filters": map[string]any{"groups": []any{map[string]any{"rollout_percentage": 12.5}},
		"payloads": map[string]any{"true": map[string]any{"n": 1.5, "list": []any{true, nil}}}}}).wantStatus(t, 201)
	x := a.do("POST", experimentsPath(a, ""), map[string]any{"name": "Round trip", "feature_flag_key": "rt", "start_date": "2026-01-10T00:00:00Z",
		"metrics": []any{map[string]any{"kind": "ExperimentMetric", "metric_type": "mean", "source": map[string]any{"event": "e"}}}}).wantStatus(t, 201)
	first, err := a.srv.ExportState()
	if err != nil {
		t.Fatal(err)
	}
	b := newEnv(t, WithSeed(99))
	if err := b.srv.ImportState(first); err != nil {
		t.Fatal(err)
	}
	second, _ := b.srv.ExportState()
	if string(first) != string(second) {
		t.Fatal("export after import differs")
	}
	for _, p := range []string{flagsPath(a, ""), flagsPath(a, gone+"/"), experimentsPath(a, ""), experimentsPath(a, x.get("id").String()+"/"), flagsPath(a, "activity/")} {
		ra, rb := a.do("GET", p, nil), b.do("GET", p, nil, asKey(a.d.APIKey))
		if ra.Status != 200 || string(ra.Body) != string(rb.Body) {
			t.Errorf("GET %s differs after import:\n%s\n%s", p, truncate(ra.Body), truncate(rb.Body))
		}
	}
	fa, fb := createFlag(t, a, "next", 1), b.do("POST", flagsPath(a, ""), map[string]any{"key": "next", "filters": map[string]any{"groups": []any{map[string]any{}}}}, asKey(a.d.APIKey)).get("id").String()
	if fa != fb {
		t.Errorf("the next flag id differs after import: %s vs %s", fa, fb)
	}
	// The count of deleted flags came along: the list still leaves "gone" out.
	if n := b.do("GET", flagsPath(a, ""), nil, asKey(a.d.APIKey)).get("count").Int(); n != 4 {
		t.Errorf("imported list counts %d flags", n)
	}
}

// Odd bodies for flags and experiments (each field given every JSON type and malformed
// filters) never get a 5xx; the harness checks every error's shape.
func TestFlagAndExperimentOddBodies(t *testing.T) {
	e := newEnv(t)
	flag := createFlag(t, e, "odd", 50)
	x := e.do("POST", experimentsPath(e, ""), map[string]any{"name": "odd", "feature_flag_key": "odd-xp"}).wantStatus(t, 201).get("id").String()
	odd := []any{nil, true, 7, -1.5, "s", "", []any{}, []any{nil}, map[string]any{}, map[string]any{"groups": "x"},
		map[string]any{"groups": []any{7}}, map[string]any{"groups": []any{map[string]any{"properties": "p"}}},
		map[string]any{"groups": []any{map[string]any{"properties": []any{7}}}},
		map[string]any{"groups": []any{map[string]any{"properties": []any{map[string]any{"key": []any{}, "type": 5, "operator": 9, "value": map[string]any{}}}}}},
		map[string]any{"groups": []any{map[string]any{"rollout_percentage": "x", "variant": 3}}, "multivariate": "m", "payloads": []any{1}},
		map[string]any{"groups": []any{map[string]any{}}, "multivariate": map[string]any{"variants": []any{"a", map[string]any{"key": 5, "rollout_percentage": "x"}}}},
		map[string]any{"groups": []any{map[string]any{}}, "aggregation_group_type_index": "x", "payloads": map[string]any{"true": 5}},
		map[string]any{"groups": []any{map[string]any{"properties": []any{map[string]any{"key": "1", "type": "flag", "operator": "flag_evaluates_to", "value": true}}}}},
	}
	for _, field := range []string{"filters", "key", "name", "tags", "active", "evaluation_runtime", "rollback_conditions", "version", "original_flag"} {
		for _, v := range odd {
			for _, req := range []struct{ method, path string }{{"POST", flagsPath(e, "")}, {"PATCH", flagsPath(e, flag+"/")}, {"PUT", flagsPath(e, flag+"/")}} {
				body := map[string]any{"key": "odd-new", field: v}
				if r := e.do(req.method, req.path, body); r.Status >= 500 {
					t.Fatalf("%s %s %s=%v: %d %s", req.method, req.path, field, v, r.Status, r.Body)
				}
			}
		}
	}
	for _, field := range []string{"parameters", "metrics", "exposure_criteria", "saved_metrics_ids", "holdout_id", "start_date", "end_date", "filters", "stats_config", "conclusion", "type"} {
		for _, v := range odd {
			for _, req := range []struct{ method, path string }{{"POST", experimentsPath(e, "")}, {"PATCH", experimentsPath(e, x+"/")}} {
				body := map[string]any{"name": "n", "feature_flag_key": "odd-xp2", field: v}
				if req.method == "PATCH" {
					body = map[string]any{field: v}
				}
				if r := e.do(req.method, req.path, body); r.Status >= 500 {
					t.Fatalf("%s %s %s=%v: %d %s", req.method, req.path, field, v, r.Status, r.Body)
				}
			}
		}
	}
}
