package scenarios

// The feature flags and experiments of a scenario's projects: records, YAML decoding,
// checks and seeding. A flag or experiment is written with the API's own field names (key,
// name, filters, active, tags, ...; name, feature_flag_key, parameters, metrics,
// start_date, ...), checked with the API's field rules, and seeded through the store's
// create operations, so PostHog's rules (key format and uniqueness, filters, an
// experiment's flag) give the scenario the API's messages at the key they concern.

import (
	"github.com/fakehog/fakehog/fake/store"
	"gopkg.in/yaml.v3"
)

// FeatureFlag is a feature flag of a project.
type FeatureFlag struct {
	// Fields are the flag's API fields by name (key, name, filters, active, tags,
	// ensure_experience_continuity, evaluation_runtime, ...).
	Fields map[string]any
	// RolloutPercentage is a shorthand for filters: one condition group, no properties,
	// rolled out to this percentage.
	RolloutPercentage *int
	CreatedBy         string // user ref or email; the organization's creator when empty
}

// Experiment is an experiment of a project: its feature flag is the project's flag with
// feature_flag_key (which must be multivariate, control first) or a new one.
type Experiment struct {
	// Fields are the experiment's API fields by name (name, feature_flag_key,
	// description, type, parameters, metrics, start_date, end_date, conclusion, archived, ...).
	Fields    map[string]any
	CreatedBy string // user ref or email; the organization's creator when empty
}

// Fields a scenario does not set: the server's own bookkeeping and references to families
// fakehog does not hold.
var (
	flagScenarioFields       = scenarioFields(store.FeatureFlagFields, "version", "original_flag", "deleted", "_create_in_folder", "_should_create_usage_dashboard", "analytics_dashboards", "creation_context")
	experimentScenarioFields = scenarioFields(store.ExperimentFields, "holdout_id", "saved_metrics_ids", "deleted", "_create_in_folder")
)

func scenarioFields(fields store.Fields, exclude ...string) store.Fields {
	var out store.Fields
	for _, f := range fields {
		if !contains(exclude, f.Name) {
			out = append(out, f)
		}
	}
	return out
}

// featureFlagKeys are the keys of a project's feature_flags and experiments.
func (d *decoder) featureFlagKeys(pr *Project) []key {
	return []key{
		{"feature_flags", func(v *yaml.Node, p string) error {
			return d.list(v, p, func(_ int, item *yaml.Node, ip string) error {
				var f FeatureFlag
				err := d.object(item, ip, "a feature flag", []key{
					{"rollout_percentage", d.intPtr(&f.RolloutPercentage)},
					{"created_by", d.str(&f.CreatedBy)},
				}, d.settings(flagScenarioFields, &f.Fields))
				pr.FeatureFlags = append(pr.FeatureFlags, f)
				return err
			})
		}},
		{"experiments", func(v *yaml.Node, p string) error {
			return d.list(v, p, func(_ int, item *yaml.Node, ip string) error {
				var e Experiment
				err := d.object(item, ip, "an experiment", []key{
					{"created_by", d.str(&e.CreatedBy)},
				}, d.settings(experimentScenarioFields, &e.Fields))
				pr.Experiments = append(pr.Experiments, e)
				return err
			})
		}},
	}
}

// checkFeatureFlags checks a project's flags and experiments: the API's field rules, a key
// and name each, keys unique in the project, rollout_percentage 0 to 100 and not beside
// filters, known creators.
func (c *orgCheck) checkFeatureFlags(pp string, pr Project) error {
	keys := map[string]string{}
	for i, f := range pr.FeatureFlags {
		fp := index(child(pp, "feature_flags"), i)
		key, _ := f.Fields["key"].(string)
		if err := c.required(fp, "key", key, 400); err != nil {
			return err
		}
		if prev, dup := keys[key]; dup {
			return c.errorf(child(fp, "key"), "there is already a feature flag with key %q in this project%s", key, c.lineOf(prev))
		}
		keys[key] = child(fp, "key")
		if r := f.RolloutPercentage; r != nil {
			if *r < 0 || *r > 100 {
				return c.errorf(child(fp, "rollout_percentage"), "a rollout percentage is between 0 and 100")
			}
			if _, both := f.Fields["filters"]; both {
				return c.errorf(child(fp, "rollout_percentage"), "give either rollout_percentage or filters")
			}
		}
		if err := c.checkSettings(fp, flagScenarioFields, f.Fields, nil); err != nil {
			return err
		}
		if err := c.optionalUser(child(fp, "created_by"), f.CreatedBy); err != nil {
			return err
		}
	}
	for i, e := range pr.Experiments {
		ep := index(child(pp, "experiments"), i)
		name, _ := e.Fields["name"].(string)
		if err := c.required(ep, "name", name, 400); err != nil {
			return err
		}
		key, _ := e.Fields["feature_flag_key"].(string)
		if err := c.required(ep, "feature_flag_key", key, 400); err != nil {
			return err
		}
		if err := c.checkSettings(ep, experimentScenarioFields, e.Fields, nil); err != nil {
			return err
		}
		if err := c.optionalUser(child(ep, "created_by"), e.CreatedBy); err != nil {
			return err
		}
	}
	return nil
}

// applyFeatureFlags seeds each project's flags, then its experiments (which may reuse
// them), through the store's create operations; an experiment's later state (launched,
// concluded, archived) is its create body's, as PostHog's serializer takes it.
func applyFeatureFlags(a *orgSeed) error {
	for pi, pr := range a.org.Projects {
		pp := index(child(a.path, "projects"), pi)
		sp := a.projects[a.oi][pi]
		for i, f := range pr.FeatureFlags {
			fp := index(child(pp, "feature_flags"), i)
			vals, err := settingsValues(f.Fields, flagScenarioFields)
			if err != nil {
				return a.storeError(fp, err)
			}
			if f.RolloutPercentage != nil {
				vals["filters"] = map[string]any{"groups": []any{map[string]any{"properties": []any{},
					"rollout_percentage": float64(*f.RolloutPercentage)}}}
			} else if !vals.Has("filters") {
				vals["filters"] = map[string]any{"groups": []any{map[string]any{"properties": []any{}, "rollout_percentage": 100.0}}}
			}
			if _, err := a.tx.CreateFeatureFlag(sp.ID, vals, a.createdBy(f.CreatedBy)); err != nil {
				return a.storeError(fp, err)
			}
		}
		for i, e := range pr.Experiments {
			ep := index(child(pp, "experiments"), i)
			vals, err := settingsValues(e.Fields, experimentScenarioFields)
			if err != nil {
				return a.storeError(ep, err)
			}
			if _, err := a.tx.CreateExperiment(sp.ID, vals, a.createdBy(e.CreatedBy)); err != nil {
				err = attrOf(err, map[string]string{"Feature flag": "feature_flag_key", "date": "end_date"}, "")
				return a.storeError(ep, err)
			}
		}
	}
	return nil
}
