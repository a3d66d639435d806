package store

// Experiments: the record, the family's state and lookups, and how experiments and their
// feature flags refer to each other. Creating, launching, concluding and the rules are in
// experiment_ops.go.

import (
	"strings"
	"time"
)

// Experiment is a project's experiment (PostHog's Experiment), tied to one feature flag.
type Experiment struct {
	ProjectRecord
	Name          string
	Description   *string
	StartDate     *time.Time // launched at
	EndDate       *time.Time // concluded or stopped at
	FeatureFlagID int
	HoldoutID     *int
	// The JSON fields, stored as given.
	Parameters                   any
	SecondaryMetrics             any
	Filters                      any
	Metrics                      any
	MetricsSecondary             any
	StatsConfig                  any
	ExposureCriteria             any
	PrimaryMetricsOrderedUUIDs   any
	SecondaryMetricsOrderedUUIDs any
	Archived                     bool
	Type                         *string // web, product
	Conclusion                   *string
	ConclusionComment            *string
	CreatedBy                    int // user id; 0 when none
	CreatedAt                    time.Time
	UpdatedAt                    time.Time
}

// experimentState holds the experiments of every project.
type experimentState struct {
	noHooks
	experiments projectRecords[Experiment, *Experiment]
}

func (s *experimentState) init() { s.experiments.init() }

func (s *experimentState) dropProject(tx *Tx, projectID int) { s.experiments.dropProject(projectID) }

// flagExperiments lists the ids of the experiments using the flag: the live ones when live
// is true, the soft-deleted ones otherwise.
func (tx *Tx) flagExperiments(f *FeatureFlag, live bool) []int {
	var out []int
	for _, e := range tx.st.ext.experiments.experiments.all(f.ProjectID, true) {
		if e.FeatureFlagID == f.ID && e.Deleted != live {
			out = append(out, e.ID)
		}
	}
	return out
}

// FeatureFlagExperimentIDs lists the ids of the live experiments using the flag (the flag's
// experiment_set).
func (tx *Tx) FeatureFlagExperimentIDs(f *FeatureFlag) []int { return tx.flagExperiments(f, true) }

// flagExperimentNameContains reports whether a live experiment on the flag has a name
// containing search (lowercased), for the flag list's search.
func (tx *Tx) flagExperimentNameContains(f *FeatureFlag, search string) bool {
	return tx.st.ext.experiments.experiments.find(f.ProjectID, false, func(e *Experiment) bool {
		return e.FeatureFlagID == f.ID && strings.Contains(strings.ToLower(e.Name), search)
	}) != nil
}

// flagVariantsChanged carries a flag's new variants (and aggregation) into the parameters of
// the experiments using it, as PostHog's flag serializer does after saving filters.
func (tx *Tx) flagVariantsChanged(f *FeatureFlag) {
	variants := asList(asMap(f.Filters["multivariate"])["variants"])
	if variants == nil {
		variants = []any{}
	}
	for _, e := range tx.st.ext.experiments.experiments.all(f.ProjectID, true) {
		if e.FeatureFlagID != f.ID {
			continue
		}
		params, _ := cloneJSON(e.Parameters).(map[string]any)
		if params == nil {
			params = map[string]any{}
		}
		params["feature_flag_variants"] = cloneJSON(variants)
		if agg := f.Filters["aggregation_group_type_index"]; agg != nil {
			params["aggregation_group_type_index"] = agg
		} else {
			delete(params, "aggregation_group_type_index")
		}
		e.Parameters = params
	}
}

// ExperimentNamed reports whether a live experiment of the project has that name.
func (tx *Tx) ExperimentNamed(projectID int, name string) bool {
	return tx.st.ext.experiments.experiments.find(projectID, false, func(e *Experiment) bool { return e.Name == name }) != nil
}
