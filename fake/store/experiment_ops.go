package store

// Experiment writes (PostHog's ExperimentSerializer, ee/clickhouse/views/experiments.py):
// the fields and their checks, create (with the feature flag it makes or reuses), update
// (launch by start_date, conclude by end_date and conclusion, archive, soft delete by
// deleted, and the rules of a running experiment), and the list's filters.

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Messages of the experiment rules.
const (
	MsgXPEndBeforeStart     = "End date must be after start date"
	MsgXPTooManyVariants    = "Feature flag variants must be less than 21"
	MsgXPNoControl          = "Feature flag variants must contain a control variant"
	MsgXPFlagNotEligible    = "Feature flag is not eligible for experiments."
	MsgXPFlagControlFirst   = "Feature flag must have control as the first variant."
	MsgXPVariantsLocked     = "Can't update feature_flag_variants on Experiment"
	MsgXPHoldoutLocked      = "Can't update holdout on running Experiment"
	MsgXPGlobalProperties   = "Experiments do not support global filter properties"
	MsgXPSavedMetricMissing = "Saved metric does not exist"
)

// defaultExperimentVariants are the variants of an experiment's new flag when its
// parameters name none.
func defaultExperimentVariants() []any {
	return []any{
		map[string]any{"key": "control", "name": "Control Group", "rollout_percentage": 50.0},
		map[string]any{"key": "test", "name": "Test Variant", "rollout_percentage": 50.0},
	}
}

// ExperimentFields are the writable fields of an experiment, in the serializer's order.
var ExperimentFields = Fields{
	{Name: "name", Kind: String, Required: true, MaxLen: 400},
	{Name: "description", Kind: String, MaxLen: 400, Nullable: true, AllowBlank: true},
	{Name: "start_date", Kind: DateTime, Nullable: true},
	{Name: "end_date", Kind: DateTime, Nullable: true},
	{Name: "feature_flag_key", Kind: String, Required: true},
	{Name: "holdout_id", Kind: JSON, Nullable: true, Check: noSuchPK("holdout_id")},
	{Name: "parameters", Kind: JSON, Nullable: true, Check: checkExperimentParameters},
	{Name: "secondary_metrics", Kind: JSON, Nullable: true},
	{Name: "saved_metrics_ids", Kind: List, Nullable: true, Check: checkSavedMetricsIDs},
	{Name: "filters", Kind: JSON},
	{Name: "archived", Kind: Bool},
	{Name: "deleted", Kind: Bool, Nullable: true},
	{Name: "type", Kind: Choice, Choices: []any{"web", "product"}, Nullable: true, AllowBlank: true},
	{Name: "exposure_criteria", Kind: JSON, Nullable: true, Check: checkExposureCriteria},
	{Name: "metrics", Kind: JSON, Nullable: true},
	{Name: "metrics_secondary", Kind: JSON, Nullable: true},
	{Name: "stats_config", Kind: JSON, Nullable: true},
	{Name: "_create_in_folder", Kind: String, AllowBlank: true},
	{Name: "conclusion", Kind: Choice, Choices: []any{"won", "lost", "inconclusive", "stopped_early", "invalid"}, Nullable: true, AllowBlank: true},
	{Name: "conclusion_comment", Kind: String, Nullable: true, AllowBlank: true},
	{Name: "primary_metrics_ordered_uuids", Kind: JSON, Nullable: true},
	{Name: "secondary_metrics_ordered_uuids", Kind: JSON, Nullable: true},
}

// noSuchPK is a primary key related field over a family fakehog holds none of (holdouts):
// any id given does not exist.
func noSuchPK(attr string) func(v any) *Error {
	return func(v any) *Error {
		if _, ok := v.(bool); ok {
			return FieldError(attr, "incorrect_type", "Incorrect type. Expected pk value, received bool.")
		}
		return FieldError(attr, "does_not_exist", fmt.Sprintf("Invalid pk %q - object does not exist.", pyStr(v)))
	}
}

// checkExperimentParameters is validate_parameters: at most 20 variants, one of them
// "control".
func checkExperimentParameters(v any) *Error {
	variants := asList(asMap(v)["feature_flag_variants"])
	if len(variants) >= 21 {
		return FieldError("parameters", "invalid_input", MsgXPTooManyVariants)
	}
	if len(variants) > 0 {
		for _, vr := range variants {
			if asMap(vr)["key"] == "control" {
				return nil
			}
		}
		return FieldError("parameters", "invalid_input", MsgXPNoControl)
	}
	return nil
}

// checkSavedMetricsIDs is validate_saved_metrics_ids; fakehog holds no saved metrics, so a
// well-formed non-empty list names one that does not exist.
func checkSavedMetricsIDs(v any) *Error {
	list := asList(v)
	for _, sm := range list {
		m, ok := sm.(map[string]any)
		switch {
		case !ok:
			return FieldError("saved_metrics_ids", "invalid_input", "Saved metric must be an object")
		case m["id"] == nil && !hasKey(m, "id"):
			return FieldError("saved_metrics_ids", "invalid_input", "Saved metric must have an id")
		case hasKey(m, "metadata") && asMap(m["metadata"]) == nil:
			return FieldError("saved_metrics_ids", "invalid_input", "Metadata must be an object")
		case hasKey(m, "metadata") && !hasKey(asMap(m["metadata"]), "type"):
			return FieldError("saved_metrics_ids", "invalid_input", "Metadata must have a type key")
		}
	}
	if len(list) > 0 {
		return FieldError("saved_metrics_ids", "invalid_input", MsgXPSavedMetricMissing)
	}
	return nil
}

func hasKey(m map[string]any, k string) bool { _, ok := m[k]; return ok }

// checkExposureCriteria is validate_exposure_criteria: filterTestAccounts a boolean, and an
// exposure_config an object naming its kind.
func checkExposureCriteria(v any) *Error {
	m := asMap(v)
	if f, ok := m["filterTestAccounts"]; ok {
		if _, isBool := f.(bool); !isBool {
			return FieldError("exposure_criteria", "invalid_input", "filterTestAccounts must be a boolean")
		}
	}
	if cfg, ok := m["exposure_config"]; ok {
		c := asMap(cfg)
		if c == nil {
			return FieldError("exposure_criteria", "invalid_input", "Invalid exposure criteria")
		}
		if k, _ := c["kind"].(string); k != "ActionsNode" && k != "ExperimentEventExposureConfig" {
			return FieldError("exposure_criteria", "invalid_input", "Invalid exposure criteria")
		}
	}
	return nil
}

// checkExperimentDates is the serializer's validate(): an end after the start.
func checkExperimentDates(start, end *time.Time) *Error {
	if start != nil && end != nil && !start.Before(*end) {
		return Invalid(MsgXPEndBeforeStart)
	}
	return nil
}

func timeVal(vals Values, name string) *time.Time {
	if t, ok := vals[name].(time.Time); ok {
		return &t
	}
	return nil
}

// eligibleForExperiment is validate_existing_feature_flag_for_experiment: at least two
// variants, "control" first.
func eligibleForExperiment(f *FeatureFlag) *Error {
	variants := flagVariants(f.Filters)
	if len(variants) > 1 {
		if variants[0]["key"] != "control" {
			return Invalid(MsgXPFlagControlFirst)
		}
		return nil
	}
	return Invalid(MsgXPFlagNotEligible)
}

// EligibleExperimentFlags lists the project's live flags an experiment could reuse (the
// eligible_feature_flags action), newest first, narrowed by the flag list's filter.
func (tx *Tx) EligibleExperimentFlags(projectID int, f FeatureFlagFilter) []*FeatureFlag {
	var out []*FeatureFlag
	for _, fl := range tx.FeatureFlags(projectID, f) {
		if eligibleForExperiment(fl) == nil {
			out = append(out, fl)
		}
	}
	return out
}

// CreateExperiment creates an experiment from a body validated by ExperimentFields (Create
// mode). A live flag of the project with feature_flag_key is reused when it is eligible
// (two variants or more, "control" first; 400 otherwise); else a flag is created with the
// parameters' variants (or control/test at 50%), rolled out to 100%, active only when the
// experiment starts launched (start_date given). stats_config gets the organization's
// default method when it names none; each metric gets its fingerprint.
func (tx *Tx) CreateExperiment(projectID int, vals Values, by *User) (*Experiment, error) {
	p := tx.st.projects[projectID]
	if p == nil {
		return nil, NotFound(MsgNotFound)
	}
	start, end := timeVal(vals, "start_date"), timeVal(vals, "end_date")
	if err := checkExperimentDates(start, end); err != nil {
		return nil, err
	}
	key := vals.Str("feature_flag_key")
	params := asMap(vals["parameters"])
	flag := tx.FeatureFlagByKey(projectID, key)
	if flag != nil {
		if err := eligibleForExperiment(flag); err != nil {
			return nil, err
		}
	} else {
		variants := asList(params["feature_flag_variants"])
		if len(variants) == 0 {
			variants = defaultExperimentVariants()
		}
		fv := Values{"key": key, "name": "Feature Flag for Experiment " + vals.Str("name"), "active": start != nil,
			"creation_context": "experiments", "filters": map[string]any{
				"groups":                       []any{map[string]any{"properties": []any{}, "rollout_percentage": 100.0}},
				"multivariate":                 map[string]any{"variants": cloneJSON(variants)},
				"aggregation_group_type_index": params["aggregation_group_type_index"],
				"holdout_groups":               nil,
			}}
		if c, ok := params["ensure_experience_continuity"].(bool); ok {
			fv["ensure_experience_continuity"] = c
		}
		created, err := tx.CreateFeatureFlag(projectID, fv, by)
		if err != nil {
			return nil, err
		}
		flag = created
	}
	stats := asMap(cloneJSON(vals["stats_config"]))
	if stats == nil {
		stats = map[string]any{}
	}
	if m, _ := stats["method"].(string); m == "" {
		method := "bayesian"
		if o := tx.st.orgs[p.OrgID]; o != nil && o.DefaultExperimentStatsMethod != nil && *o.DefaultExperimentStatsMethod != "" {
			method = *o.DefaultExperimentStatsMethod
		}
		stats["method"] = method
	}
	e := &Experiment{ProjectRecord: ProjectRecord{ProjectID: projectID}, Name: vals.Str("name"), Description: strP(""),
		StartDate: start, EndDate: end, FeatureFlagID: flag.ID, Parameters: cloneJSON(vals["parameters"]),
		SecondaryMetrics: []any{}, Filters: map[string]any{}, Metrics: []any{}, MetricsSecondary: []any{}, StatsConfig: stats,
		ExposureCriteria: cloneJSON(vals["exposure_criteria"]), Type: strP("product"), CreatedAt: tx.now, UpdatedAt: tx.now}
	if by != nil {
		e.CreatedBy = by.ID
	}
	applyExperimentValues(e, vals)
	e.StatsConfig = stats
	e.Metrics = withFingerprints(e.Metrics, e)
	e.MetricsSecondary = withFingerprints(e.MetricsSecondary, e)
	tx.st.ext.experiments.experiments.add(e)
	tx.logExperiment(e, by, "created", nil)
	return e, nil
}

// applyExperimentValues copies the plain fields of a validated body onto the experiment.
func applyExperimentValues(e *Experiment, vals Values) {
	if vals.Has("name") {
		e.Name = vals.Str("name")
	}
	for name, dst := range map[string]**string{"description": &e.Description, "type": &e.Type,
		"conclusion": &e.Conclusion, "conclusion_comment": &e.ConclusionComment} {
		if vals.Has(name) {
			*dst = vals.StrPtr(name)
		}
	}
	if vals.Has("start_date") {
		e.StartDate = timeVal(vals, "start_date")
	}
	if vals.Has("end_date") {
		e.EndDate = timeVal(vals, "end_date")
	}
	if vals.Has("archived") {
		e.Archived = vals.Bool("archived")
	}
	if vals.Has("deleted") {
		e.Deleted = vals.Bool("deleted")
	}
	for name, dst := range map[string]*any{"parameters": &e.Parameters, "secondary_metrics": &e.SecondaryMetrics,
		"filters": &e.Filters, "exposure_criteria": &e.ExposureCriteria, "metrics": &e.Metrics,
		"metrics_secondary": &e.MetricsSecondary, "stats_config": &e.StatsConfig,
		"primary_metrics_ordered_uuids": &e.PrimaryMetricsOrderedUUIDs, "secondary_metrics_ordered_uuids": &e.SecondaryMetricsOrderedUUIDs} {
		if vals.Has(name) {
			*dst = cloneJSON(vals[name])
		}
	}
}

// withFingerprints gives each metric object its fingerprint: a digest of the metric's
// definition with the experiment's start, stats config and exposure criteria, which change
// what its results mean (PostHog's compute_metric_fingerprint).
func withFingerprints(metrics any, e *Experiment) any {
	list, ok := metrics.([]any)
	if !ok {
		return metrics
	}
	out := make([]any, len(list))
	for i, m := range list {
		mm, ok := m.(map[string]any)
		if !ok {
			out[i] = m
			continue
		}
		c := asMap(cloneJSON(mm))
		delete(c, "fingerprint")
		var start any
		if e.StartDate != nil {
			start = e.StartDate.UTC().Format(time.RFC3339)
		}
		b, _ := json.Marshal([]any{c, start, e.StatsConfig, e.ExposureCriteria})
		sum := sha256.Sum256(b)
		c["fingerprint"] = hex.EncodeToString(sum[:])
		out[i] = c
	}
	return out
}

// experimentUpdatable are the fields an update may set (the serializer's expected_keys,
// spelled as the API spells them).
var experimentUpdatable = map[string]bool{"name": true, "description": true, "start_date": true, "end_date": true,
	"filters": true, "parameters": true, "archived": true, "deleted": true, "secondary_metrics": true, "holdout_id": true,
	"exposure_criteria": true, "metrics": true, "metrics_secondary": true, "stats_config": true, "conclusion": true,
	"conclusion_comment": true, "primary_metrics_ordered_uuids": true, "secondary_metrics_ordered_uuids": true,
	"saved_metrics_ids": true}

// IsDraft reports whether the experiment has not been launched.
func (e *Experiment) IsDraft() bool { return e.StartDate == nil }

// UpdateExperiment applies a body validated by ExperimentFields (Replace or Patch mode):
// fields other than the updatable ones are refused ("Can't update keys: ..."), as is another
// flag key; once launched, the variants and holdout are fixed; a draft's parameters rewrite
// its flag's variants; launching a draft (start_date) turns its flag on. Metrics get their
// fingerprints again. deleted: true soft-deletes it, archived: true archives it.
func (tx *Tx) UpdateExperiment(e *Experiment, vals Values, by *User) error {
	flag := tx.st.ext.featureFlags.flags.get(e.ProjectID, e.FeatureFlagID)
	var extra []string
	for name := range vals {
		if experimentUpdatable[name] {
			continue
		}
		if name == "feature_flag_key" && flag != nil && vals.Str(name) == flag.Key {
			continue
		}
		if name == "feature_flag_key" {
			name = "get_feature_flag_key"
		}
		extra = append(extra, name)
	}
	if len(extra) > 0 {
		sort.Strings(extra)
		return Invalid(fmt.Sprintf("Can't update keys: %s on Experiment", strings.Join(extra, ", ")))
	}
	start, end := e.StartDate, e.EndDate
	if vals.Has("start_date") {
		start = timeVal(vals, "start_date")
	}
	if vals.Has("end_date") {
		end = timeVal(vals, "end_date")
	}
	if vals.Has("start_date") || vals.Has("end_date") {
		if err := checkExperimentDates(timeVal(vals, "start_date"), timeVal(vals, "end_date")); err != nil {
			return err
		}
	}
	params := asMap(vals["parameters"])
	if !e.IsDraft() && flag != nil {
		if given, ok := params["feature_flag_variants"]; ok {
			current := flagVariants(flag.Filters)
			list := asList(given)
			if len(list) != len(current) {
				return Invalid(MsgXPVariantsLocked)
			}
			for _, v := range list {
				n := 0
				for _, c := range current {
					if c["key"] == asMap(v)["key"] {
						n++
					}
				}
				if n != 1 {
					return Invalid(MsgXPVariantsLocked)
				}
			}
		}
	}
	if len(asList(asMap(vals["filters"])["properties"])) > 0 {
		return Invalid(MsgXPGlobalProperties)
	}
	// A draft's parameters rewrite its flag's variants and aggregation.
	var flagFilters map[string]any
	if e.IsDraft() && len(params) > 0 && flag != nil {
		variants := asList(params["feature_flag_variants"])
		if len(variants) == 0 {
			variants = defaultExperimentVariants()
		}
		flagFilters = cloneJSONMap(flag.Filters)
		if flagFilters["groups"] == nil {
			flagFilters["groups"] = []any{}
		}
		flagFilters["multivariate"] = map[string]any{"variants": cloneJSON(variants)}
		flagFilters["aggregation_group_type_index"] = params["aggregation_group_type_index"]
		flagFilters["holdout_groups"] = nil
		if _, err := (flagFilterCheck{tx: tx, projectID: flag.ProjectID, self: flag, key: flag.Key}).checkFilters(flagFilters); err != nil {
			return err
		}
	}
	// Everything is checked: apply.
	if flagFilters != nil {
		if err := tx.UpdateFeatureFlag(flag, Values{"filters": flagFilters}, Patch, by); err != nil {
			return err
		}
	}
	wasDraft := e.IsDraft()
	before := *e
	applyExperimentValues(e, vals)
	e.StartDate, e.EndDate = start, end
	e.Metrics = withFingerprints(e.Metrics, e)
	e.MetricsSecondary = withFingerprints(e.MetricsSecondary, e)
	e.UpdatedAt = tx.now
	if wasDraft && e.StartDate != nil && flag != nil && !flag.Active {
		fb := *flag
		flag.Active = true
		flag.PerformedRollback = boolP(false)
		flag.UpdatedAt = tx.now
		tx.logFlag(flag, by, "updated", &fb)
	}
	activity := "updated"
	if before.Deleted != e.Deleted && e.Deleted {
		activity = "deleted"
	}
	tx.logExperiment(e, by, activity, &before)
	return nil
}

// Experiment returns the project's experiment with that id unless it is soft-deleted
// (PostHog's queryset excludes deleted experiments everywhere).
func (tx *Tx) Experiment(projectID, id int) *Experiment {
	return tx.st.ext.experiments.experiments.live(projectID, id)
}

// ExperimentFlag returns the experiment's feature flag (nil if it is gone).
func (tx *Tx) ExperimentFlag(e *Experiment) *FeatureFlag {
	return tx.st.ext.featureFlags.flags.get(e.ProjectID, e.FeatureFlagID)
}

// ExperimentFilter narrows Experiments: PostHog's list query parameters.
type ExperimentFilter struct {
	Status      string  // draft, running, complete, all (any case; others filter nothing)
	CreatedByID string  // a user id
	Archived    *string // "true" lists archived ones; nil lists the unarchived
	Search      string  // name contains, ignoring case
}

// Experiments lists the project's live experiments newest first, narrowed by the filter.
func (tx *Tx) Experiments(projectID int, f ExperimentFilter) []*Experiment {
	all := tx.st.ext.experiments.experiments.all(projectID, false)
	search := strings.ToLower(f.Search)
	out := make([]*Experiment, 0, len(all))
	for i := len(all) - 1; i >= 0; i-- {
		e := all[i]
		switch strings.ToLower(f.Status) {
		case "draft":
			if e.StartDate != nil {
				continue
			}
		case "running":
			if e.StartDate == nil || e.EndDate != nil {
				continue
			}
		case "complete":
			if e.EndDate == nil {
				continue
			}
		}
		if f.CreatedByID != "" && itoa(e.CreatedBy) != f.CreatedByID {
			continue
		}
		archived := false
		if f.Archived != nil {
			archived = strings.ToLower(*f.Archived) == "true"
		}
		if e.Archived != archived {
			continue
		}
		if search != "" && !strings.Contains(strings.ToLower(e.Name), search) {
			continue
		}
		out = append(out, e)
	}
	return out
}

// logExperiment records the experiment's activity (scope Experiment, named by its name).
func (tx *Tx) logExperiment(e *Experiment, by *User, activity string, before *Experiment) {
	p := tx.st.projects[e.ProjectID]
	if p == nil {
		return
	}
	var changes []Change
	if before != nil {
		changes = diffChanges("Experiment", map[string][2]any{
			"name": {before.Name, e.Name}, "description": {before.Description, e.Description},
			"start_date": {before.StartDate, e.StartDate}, "end_date": {before.EndDate, e.EndDate},
			"parameters": {before.Parameters, e.Parameters}, "metrics": {before.Metrics, e.Metrics},
			"metrics_secondary": {before.MetricsSecondary, e.MetricsSecondary}, "archived": {before.Archived, e.Archived},
			"deleted": {before.Deleted, e.Deleted}, "conclusion": {before.Conclusion, e.Conclusion},
			"conclusion_comment": {before.ConclusionComment, e.ConclusionComment}, "stats_config": {before.StatsConfig, e.StatsConfig},
			"exposure_criteria": {before.ExposureCriteria, e.ExposureCriteria}, "filters": {before.Filters, e.Filters},
		})
	}
	team := p.ID
	tx.LogActivity(ActivityInput{OrgID: p.OrgID, TeamID: &team, User: by, Scope: "Experiment", ItemID: itoa(e.ID),
		Activity: activity, Name: e.Name, Changes: changes})
}
