package fake

// The experiment routes: the experiment view (PostHog's ExperimentSerializer), its
// handlers, duplicate, eligible_feature_flags and timeseries_results.

import (
	"fmt"
	"strconv"
	"time"

	"github.com/fakehog/fakehog/fake/store"
)

// experimentRoutes are the experiment operations, relative to a project.
func experimentRoutes(s *Server) []route {
	return underBothRoots(
		route{"GET", "experiments/", "experiment:read", 0, 0, s.listExperiments},
		route{"POST", "experiments/", "experiment:write", 0, 201, s.createExperiment},
		route{"GET", "experiments/eligible_feature_flags/", "experiment:read", 0, 0, s.eligibleExperimentFlags},
		route{"GET", "experiments/{id}/", "experiment:read", 0, 0, s.getExperiment},
		route{"PUT", "experiments/{id}/", "experiment:write", 0, 0, s.updateExperiment},
		route{"PATCH", "experiments/{id}/", "experiment:write", 0, 0, s.updateExperiment},
		route{"DELETE", "experiments/{id}/", "experiment:write", 0, 0, s.deleteExperiment},
		route{"POST", "experiments/{id}/duplicate/", "experiment:write", 0, 201, s.duplicateExperiment},
		route{"GET", "experiments/{id}/timeseries_results/", "experiment:read", 0, 0, s.experimentTimeseriesResults},
	)
}

// minimalFlagJSON is PostHog's MinimalFeatureFlagSerializer (an experiment's flag).
type minimalFlagJSON struct {
	ID                         int            `json:"id"`
	TeamID                     int            `json:"team_id"`
	Name                       string         `json:"name"`
	Key                        string         `json:"key"`
	Filters                    map[string]any `json:"filters"`
	Deleted                    bool           `json:"deleted"`
	Active                     bool           `json:"active"`
	EnsureExperienceContinuity *bool          `json:"ensure_experience_continuity"`
	HasEncryptedPayloads       *bool          `json:"has_encrypted_payloads"`
	Version                    int            `json:"version"`
	EvaluationRuntime          *string        `json:"evaluation_runtime"`
	EvaluationTags             []string       `json:"evaluation_tags"`
}

// experimentJSON is PostHog's Experiment (the fields in the serializer's order).
type experimentJSON struct {
	ID                           int              `json:"id"`
	Name                         string           `json:"name"`
	Description                  *string          `json:"description"`
	StartDate                    *string          `json:"start_date"`
	EndDate                      *string          `json:"end_date"`
	FeatureFlagKey               string           `json:"feature_flag_key"`
	FeatureFlag                  *minimalFlagJSON `json:"feature_flag"`
	Holdout                      any              `json:"holdout"`
	HoldoutID                    *int             `json:"holdout_id"`
	ExposureCohort               *int             `json:"exposure_cohort"`
	Parameters                   any              `json:"parameters"`
	SecondaryMetrics             any              `json:"secondary_metrics"`
	SavedMetrics                 []any            `json:"saved_metrics"`
	SavedMetricsIDs              []any            `json:"saved_metrics_ids"`
	Filters                      any              `json:"filters"`
	Archived                     bool             `json:"archived"`
	Deleted                      bool             `json:"deleted"`
	CreatedBy                    *userBasicJSON   `json:"created_by"`
	CreatedAt                    string           `json:"created_at"`
	UpdatedAt                    string           `json:"updated_at"`
	Type                         *string          `json:"type"`
	ExposureCriteria             any              `json:"exposure_criteria"`
	Metrics                      any              `json:"metrics"`
	MetricsSecondary             any              `json:"metrics_secondary"`
	StatsConfig                  any              `json:"stats_config"`
	Conclusion                   *string          `json:"conclusion"`
	ConclusionComment            *string          `json:"conclusion_comment"`
	PrimaryMetricsOrderedUUIDs   any              `json:"primary_metrics_ordered_uuids"`
	SecondaryMetricsOrderedUUIDs any              `json:"secondary_metrics_ordered_uuids"`
	UserAccessLevel              string           `json:"user_access_level"`
}

// experimentView renders an experiment; it shares the records' JSON values, so it is
// encoded inside the transaction.
func experimentView(c *call, e *store.Experiment) experimentJSON {
	v := experimentJSON{ID: e.ID, Name: e.Name, Description: e.Description, StartDate: isoTimePtr(e.StartDate),
		EndDate: isoTimePtr(e.EndDate), Parameters: e.Parameters, SecondaryMetrics: e.SecondaryMetrics, SavedMetrics: []any{},
		Filters: e.Filters, Archived: e.Archived, Deleted: e.Deleted, CreatedBy: userBasicByID(c.tx, e.CreatedBy),
		CreatedAt: isoTime(e.CreatedAt), UpdatedAt: isoTime(e.UpdatedAt), Type: e.Type, ExposureCriteria: e.ExposureCriteria,
		Metrics: e.Metrics, MetricsSecondary: e.MetricsSecondary, StatsConfig: e.StatsConfig, Conclusion: e.Conclusion,
		ConclusionComment: e.ConclusionComment, PrimaryMetricsOrderedUUIDs: e.PrimaryMetricsOrderedUUIDs,
		SecondaryMetricsOrderedUUIDs: e.SecondaryMetricsOrderedUUIDs, UserAccessLevel: objectAccessLevel(c)}
	if f := c.tx.ExperimentFlag(e); f != nil {
		v.FeatureFlagKey = f.Key
		filters := f.Filters
		if filters == nil {
			filters = map[string]any{}
		}
		v.FeatureFlag = &minimalFlagJSON{ID: f.ID, TeamID: f.ProjectID, Name: f.Name, Key: f.Key, Filters: filters,
			Deleted: f.Deleted, Active: f.Active, EnsureExperienceContinuity: f.EnsureExperienceContinuity,
			HasEncryptedPayloads: f.HasEncryptedPayloads, Version: f.Version, EvaluationRuntime: f.EvaluationRuntime,
			EvaluationTags: []string{}}
	}
	return v
}

// experiment finds the URL's live experiment in the call's project (404 otherwise).
func (c *call) experiment() (*store.Experiment, error) {
	id, err := strconv.Atoi(c.vars["id"])
	if err != nil {
		return nil, store.ErrNotFound()
	}
	return orNotFound(c.tx.Experiment(c.project.ID, id))
}

func (s *Server) listExperiments(c *call) (any, error) {
	q := c.r.URL.Query()
	f := store.ExperimentFilter{Status: lastQueryValue(q, "status"), CreatedByID: lastQueryValue(q, "created_by_id"),
		Search: lastQueryValue(q, "search")}
	if q.Has("archived") {
		a := lastQueryValue(q, "archived")
		f.Archived = &a
	}
	list := c.tx.Experiments(c.project.ID, f)
	return encodedNow(paginate(c, list, func(e *store.Experiment) any { return experimentView(c, e) }))
}

func (s *Server) createExperiment(c *call) (any, error) {
	vals, err := c.validateAs(store.ExperimentFields, store.Create)
	if err != nil {
		return nil, err
	}
	e, err := c.tx.CreateExperiment(c.project.ID, vals, c.user)
	if err != nil {
		return nil, err
	}
	return encodedNow(anyView{experimentView(c, e)})
}

func (s *Server) getExperiment(c *call) (any, error) {
	e, err := c.experiment()
	if err != nil {
		return nil, err
	}
	return encodedNow(anyView{experimentView(c, e)})
}

// updateExperiment serves PUT and PATCH: launching (start_date), concluding (end_date,
// conclusion), archiving (archived) and deleting (deleted) are all updates.
func (s *Server) updateExperiment(c *call) (any, error) {
	e, err := c.experiment()
	if err != nil {
		return nil, err
	}
	vals, err := c.validate(store.ExperimentFields)
	if err != nil {
		return nil, err
	}
	if err := c.tx.UpdateExperiment(e, vals, c.user); err != nil {
		return nil, err
	}
	return encodedNow(anyView{experimentView(c, e)})
}

// deleteExperiment is ForbidDestroyModel: 405 with no body; PATCH deleted=true deletes.
func (s *Server) deleteExperiment(c *call) (any, error) {
	return nil, store.EmptyBody(405)
}

// duplicateExperiment copies an experiment as a new draft named "<name> (Copy)" (then
// " (Copy) 1", ...), on the same flag unless the body names another feature_flag_key.
func (s *Server) duplicateExperiment(c *call) (any, error) {
	src, body, err := foundWithBody(c, c.experiment)
	if err != nil {
		return nil, err
	}
	key := ""
	if f := c.tx.ExperimentFlag(src); f != nil {
		key = f.Key
	}
	if k := body.Get("feature_flag_key"); k.Exists() {
		key = k.String()
	}
	base := src.Name + " (Copy)"
	name := base
	for n := 1; c.tx.ExperimentNamed(c.project.ID, name); n++ {
		name = fmt.Sprintf("%s %d", base, n)
	}
	vals := store.Values{"name": name, "description": derefString(src.Description), "type": derefString(src.Type),
		"parameters": src.Parameters, "filters": src.Filters, "metrics": src.Metrics, "metrics_secondary": src.MetricsSecondary,
		"stats_config": src.StatsConfig, "exposure_criteria": src.ExposureCriteria, "feature_flag_key": key,
		"primary_metrics_ordered_uuids": src.PrimaryMetricsOrderedUUIDs, "secondary_metrics_ordered_uuids": src.SecondaryMetricsOrderedUUIDs}
	e, err := c.tx.CreateExperiment(c.project.ID, vals, c.user)
	if err != nil {
		return nil, err
	}
	return encodedNow(anyView{experimentView(c, e)})
}

func derefString(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

// eligibleExperimentFlags lists the flags an experiment could reuse (multivariate, control
// first), filtered like the flag list, 20 to a page by default.
func (s *Server) eligibleExperimentFlags(c *call) (any, error) {
	flags := c.tx.EligibleExperimentFlags(c.project.ID, featureFlagFilter(c.r.URL.Query()))
	limit, offset := c.limitOffset(20)
	return encodedNow(paginateWith(c, flags, func(f *store.FeatureFlag) any { return featureFlagView(c, f) }, limit, offset))
}

// experimentTimeseriesResults answers the metric's daily results from the start date to the
// end date (or today): fakehog computes none, so every day is null and the status is
// "pending", as PostHog answers before its first calculation.
func (s *Server) experimentTimeseriesResults(c *call) (any, error) {
	e, err := c.experiment()
	if err != nil {
		return nil, err
	}
	q := c.r.URL.Query()
	metric := lastQueryValue(q, "metric_uuid")
	if metric == "" {
		return nil, store.Invalid("metric_uuid query parameter is required")
	}
	if lastQueryValue(q, "fingerprint") == "" {
		return nil, store.Invalid("fingerprint query parameter is required")
	}
	if e.StartDate == nil {
		return nil, store.Invalid("Experiment has not been started yet")
	}
	// The days run from the start's date to the end's (or today's), in UTC as PostHog's
	// server reads them.
	day := func(t time.Time) time.Time {
		y, m, d := t.UTC().Date()
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	}
	first, last := day(*e.StartDate), day(c.tx.Now())
	if e.EndDate != nil {
		last = day(*e.EndDate)
	}
	series := map[string]any{}
	for d := first; !d.After(last); d = d.AddDate(0, 0, 1) {
		series[d.Format("2006-01-02")] = nil
	}
	return map[string]any{"experiment_id": e.ID, "metric_uuid": metric, "status": "pending", "timeseries": series,
		"errors": nil, "computed_at": nil, "created_at": isoTime(e.CreatedAt), "updated_at": isoTime(e.UpdatedAt)}, nil
}
