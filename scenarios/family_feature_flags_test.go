package scenarios

import (
	"errors"
	"fmt"
	"testing"

	"github.com/tidwall/gjson"
)

const flagHead = head + "    projects:\n      - name: Web\n"

// The flags' and experiments' mistakes, with their messages and positions: the scenario's
// own checks at Parse, the API's rules (through the store) at Check.
func TestFeatureFlagScenarioErrors(t *testing.T) {
	cases := []struct {
		name, doc string
		seed      bool
		want      string
	}{
		{"unknown flag key", flagHead + "        feature_flags: [{key: k, rollout: 5}]\n", false,
			`t.yaml:9:34: organizations[0].projects[0].feature_flags[0].rollout: unknown key "rollout" in a feature flag (known keys: active, created_by, ensure_experience_continuity, evaluation_runtime, evaluation_tags, filters, has_encrypted_payloads, has_enriched_analytics, is_remote_configuration, key, last_called_at, name, performed_rollback, rollback_conditions, rollout_percentage, tags)`},
		{"flag without key", flagHead + "        feature_flags: [{name: n}]\n", false,
			`t.yaml:9:25: organizations[0].projects[0].feature_flags[0]: missing key`},
		{"duplicate flag key", flagHead + "        feature_flags: [{key: k}, {key: k}]\n", false,
			`t.yaml:9:41: organizations[0].projects[0].feature_flags[1].key: there is already a feature flag with key "k" in this project (line 9)`},
		{"rollout range", flagHead + "        feature_flags: [{key: k, rollout_percentage: 150}]\n", false,
			`t.yaml:9:54: organizations[0].projects[0].feature_flags[0].rollout_percentage: a rollout percentage is between 0 and 100`},
		{"flag field type", flagHead + "        feature_flags: [{key: k, active: maybe}]\n", false,
			`t.yaml:9:42: organizations[0].projects[0].feature_flags[0].active: expected true or false, found a string`},
		{"experiment without flag key", flagHead + "        experiments: [{name: E}]\n", false,
			`t.yaml:9:23: organizations[0].projects[0].experiments[0]: missing feature_flag_key`},
		{"flag key format", flagHead + "        feature_flags: [{key: 'a b'}]\n", true,
			`t.yaml:9:31: organizations[0].projects[0].feature_flags[0].key: Only letters, numbers, hyphens (-) & underscores (_) are allowed.`},
		{"flag filters", flagHead + "        feature_flags: [{key: k, filters: {groups: [{properties: [{key: '$browser', value: x}]}]}}]\n", true,
			`t.yaml:9:43: organizations[0].projects[0].feature_flags[0].filters: Filters are not valid (can only use person, cohort, and flag properties)`},
		{"experiment on a boolean flag", flagHead + "        feature_flags: [{key: k}]\n        experiments: [{name: E, feature_flag_key: k}]\n", true,
			`t.yaml:10:51: organizations[0].projects[0].experiments[0].feature_flag_key: Feature flag is not eligible for experiments.`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sc, err := Parse("t.yaml", []byte(tc.doc))
			if tc.seed {
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				err = sc.Check()
			}
			var se *Error
			if err == nil || !errors.As(err, &se) || err.Error() != tc.want {
				t.Fatalf("error\n got %v\nwant %s", err, tc.want)
			}
		})
	}
}

// A project's flags and experiments are served as the scenario gives them.
func TestFeatureFlagScenarioSeeds(t *testing.T) {
	doc := "users:\n  - {email: a@b.co, ref: a, personal_api_keys: [{value: phx_flags_key}]}\n  - {email: c@d.co, ref: c}\n" +
		"organizations:\n  - name: X\n    members: [{user: a, level: owner}, {user: c}]\n    projects:\n      - name: Web\n" +
		"        feature_flags:\n" +
		"          - {key: half, name: Half, rollout_percentage: 50, tags: [beta], created_by: c}\n" +
		"          - key: mv\n            active: false\n            filters:\n              groups: [{rollout_percentage: 100}]\n" +
		"              multivariate: {variants: [{key: control, rollout_percentage: 50}, {key: test, rollout_percentage: 50}]}\n" +
		"        experiments:\n" +
		"          - {name: Reuse, feature_flag_key: mv, start_date: 2026-01-10T00:00:00Z, metrics: [{kind: ExperimentMetric, metric_type: mean, source: {kind: EventsNode, event: buy}}]}\n" +
		"          - {name: Fresh, feature_flag_key: fresh, end_date: 2026-01-12T00:00:00Z, start_date: 2026-01-01T00:00:00Z, conclusion: won, archived: true}\n"
	sc := mustParse(t, doc)
	srv := mustServer(t, sc)
	_, me := get(t, srv, "phx_flags_key", "/api/users/@me/")
	project := gjson.GetBytes(me, "team.id").Int()
	read := func(path string) gjson.Result {
		t.Helper()
		status, body := get(t, srv, "phx_flags_key", fmt.Sprintf("/api/projects/%d/%s", project, path))
		if status != 200 {
			t.Fatalf("GET %s: %d %s", path, status, body)
		}
		return gjson.ParseBytes(body)
	}
	flags := read("feature_flags/")
	if flags.Get("count").Int() != 3 {
		t.Fatalf("flags: %s", flags.Raw)
	}
	half := flags.Get(`results.#(key=="half")`)
	if half.Get("rollout_percentage").Int() != 50 || half.Get("tags.0").Str != "beta" || half.Get("created_by.email").Str != "c@d.co" || !half.Get("active").Bool() {
		t.Fatalf("half: %s", half.Raw)
	}
	xps := read("experiments/?archived=true")
	if xps.Get("count").Int() != 1 || xps.Get("results.0.conclusion").Str != "won" || !xps.Get("results.0.feature_flag.active").Bool() {
		t.Fatalf("archived experiments: %s", xps.Raw)
	}
	reuse := read("experiments/").Get("results.0")
	if reuse.Get("name").Str != "Reuse" || reuse.Get("feature_flag.key").Str != "mv" || reuse.Get("metrics.0.fingerprint").Str == "" {
		t.Fatalf("reuse: %s", reuse.Raw)
	}
}
