package fake

// The feature flag routes: the flag view (PostHog's FeatureFlagSerializer), its handlers,
// the flags' activity, status and bulk_keys.

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/fakehog/fakehog/fake/store"
	"github.com/tidwall/gjson"
)

// feature_flags hold access-controlled objects (access_controls.go): viewer to read, editor to write.
var _ = registerAccessResource("feature_flag", "feature_flags", accessByIntID((*store.Tx).LiveFeatureFlag, func(r *store.FeatureFlag) int { return r.CreatedBy }))

// featureFlagRoutes are the flag operations, relative to a project.
func featureFlagRoutes(s *Server) []route {
	return underBothRoots(
		route{"GET", "feature_flags/", "feature_flag:read", 0, 0, s.listFeatureFlags},
		route{"POST", "feature_flags/", "feature_flag:write", 0, 201, s.createFeatureFlag},
		route{"GET", "feature_flags/activity/", "activity_log:read", 0, 0, s.featureFlagsActivity},
		route{"POST", "feature_flags/bulk_keys/", "feature_flag:read", 0, 0, s.featureFlagBulkKeys},
		route{"GET", "feature_flags/{id}/", "feature_flag:read", 0, 0, s.getFeatureFlag},
		route{"PUT", "feature_flags/{id}/", "feature_flag:write", 0, 0, s.updateFeatureFlag},
		route{"PATCH", "feature_flags/{id}/", "feature_flag:write", 0, 0, s.updateFeatureFlag},
		route{"DELETE", "feature_flags/{id}/", "feature_flag:write", 0, 0, s.deleteFeatureFlag},
		route{"GET", "feature_flags/{id}/activity/", "activity_log:read", 0, 0, s.featureFlagActivity},
		route{"GET", "feature_flags/{id}/status/", "feature_flag:read", 0, 0, s.featureFlagStatus},
		route{"GET", "feature_flags/{id}/dependent_flags/", "feature_flag:read", 0, 0, s.featureFlagDependents},
	)
}

// featureFlagJSON is PostHog's FeatureFlag (the fields in the serializer's order).
type featureFlagJSON struct {
	ID                         int            `json:"id"`
	Name                       string         `json:"name"`
	Key                        string         `json:"key"`
	Filters                    map[string]any `json:"filters"`
	Deleted                    bool           `json:"deleted"`
	Active                     bool           `json:"active"`
	CreatedBy                  *userBasicJSON `json:"created_by"`
	CreatedAt                  string         `json:"created_at"`
	UpdatedAt                  string         `json:"updated_at"`
	Version                    int            `json:"version"`
	LastModifiedBy             *userBasicJSON `json:"last_modified_by"`
	IsSimpleFlag               bool           `json:"is_simple_flag"`
	RolloutPercentage          *int           `json:"rollout_percentage"`
	EnsureExperienceContinuity *bool          `json:"ensure_experience_continuity"`
	ExperimentSet              []int          `json:"experiment_set"`
	Surveys                    []any          `json:"surveys"`
	Features                   []any          `json:"features"`
	RollbackConditions         any            `json:"rollback_conditions"`
	PerformedRollback          *bool          `json:"performed_rollback"`
	CanEdit                    bool           `json:"can_edit"`
	Tags                       []string       `json:"tags"`
	EvaluationTags             []string       `json:"evaluation_tags"`
	UsageDashboard             *int           `json:"usage_dashboard"`
	AnalyticsDashboards        []int          `json:"analytics_dashboards"`
	HasEnrichedAnalytics       *bool          `json:"has_enriched_analytics"`
	UserAccessLevel            string         `json:"user_access_level"`
	IsRemoteConfiguration      *bool          `json:"is_remote_configuration"`
	HasEncryptedPayloads       *bool          `json:"has_encrypted_payloads"`
	Status                     string         `json:"status"`
	EvaluationRuntime          *string        `json:"evaluation_runtime"`
	LastCalledAt               *string        `json:"last_called_at"`
}

// featureFlagView renders a flag for the caller. It reads the flag's JSON maps, so it is
// encoded inside the transaction (encodedNow).
func featureFlagView(c *call, f *store.FeatureFlag) featureFlagJSON {
	status, _ := c.tx.FeatureFlagStatus(f)
	var lastCalled *string
	if f.LastCalledAt != nil {
		s := isoTime(*f.LastCalledAt)
		lastCalled = &s
	}
	filters := f.Filters
	if filters == nil {
		filters = map[string]any{}
	}
	return featureFlagJSON{ID: f.ID, Name: f.Name, Key: f.Key, Filters: filters, Deleted: f.Deleted, Active: f.Active,
		CreatedBy: userBasicByID(c.tx, f.CreatedBy), CreatedAt: isoTime(f.CreatedAt), UpdatedAt: isoTime(f.UpdatedAt),
		Version: f.Version, LastModifiedBy: userBasicByID(c.tx, f.LastModifiedBy), IsSimpleFlag: store.IsSimpleFeatureFlag(f),
		RolloutPercentage: store.FeatureFlagRollout(f), EnsureExperienceContinuity: f.EnsureExperienceContinuity,
		ExperimentSet: orEmpty(c.tx.FeatureFlagExperimentIDs(f)), Surveys: []any{}, Features: []any{},
		RollbackConditions: f.RollbackConditions, PerformedRollback: f.PerformedRollback, CanEdit: true,
		Tags: f.Tags, EvaluationTags: []string{}, AnalyticsDashboards: []int{}, HasEnrichedAnalytics: f.HasEnrichedAnalytics,
		UserAccessLevel: objectAccessLevel(c), IsRemoteConfiguration: f.IsRemoteConfiguration,
		HasEncryptedPayloads: f.HasEncryptedPayloads, Status: strings.ToUpper(status), EvaluationRuntime: f.EvaluationRuntime,
		LastCalledAt: lastCalled}
}

// objectAccessLevel is the user_access_level PostHog gives an object of a project without
// access controls of its own: "manager" for organization admins, "editor" for members.
func objectAccessLevel(c *call) string {
	if c.member != nil && c.member.Level >= store.LevelAdmin {
		return "manager"
	}
	return "editor"
}

func orEmpty[T any](l []T) []T {
	if l == nil {
		return []T{}
	}
	return l
}

// featureFlag finds the URL's flag in the call's project, soft-deleted ones included as
// PostHog's retrieve finds them (404 otherwise).
func (c *call) featureFlag() (*store.FeatureFlag, error) {
	id, err := strconv.Atoi(c.vars["id"])
	if err != nil {
		return nil, store.ErrNotFound()
	}
	return orNotFound(c.tx.FeatureFlag(c.project.ID, id))
}

// featureFlagFilter reads the list's query parameters.
func featureFlagFilter(q url.Values) store.FeatureFlagFilter {
	return store.FeatureFlagFilter{Search: lastQueryValue(q, "search"), Active: lastQueryValue(q, "active"),
		Type: lastQueryValue(q, "type"), CreatedByID: lastQueryValue(q, "created_by_id"),
		EvaluationRuntime: lastQueryValue(q, "evaluation_runtime"), ExcludedProperties: lastQueryValue(q, "excluded_properties"),
		Tags: lastQueryValue(q, "tags"), HasEvaluationTags: lastQueryValue(q, "has_evaluation_tags")}
}

func (s *Server) listFeatureFlags(c *call) (any, error) {
	limit, offset := c.limitOffset(DefaultPageSize)
	f := featureFlagFilter(c.r.URL.Query())
	// PostHog's list leaves out the flags surveys target with: their survey manages them.
	if hidden := c.tx.SurveyFlagIDs(c.project.ID); len(hidden) > 0 {
		f.Hidden = hidden
	}
	flags, total := c.tx.FeatureFlagsPage(c.project.ID, f, offset, limit)
	return encodedNow(paginateWindow(c, flags, total, func(f *store.FeatureFlag) any { return featureFlagView(c, f) }, limit, offset))
}

func (s *Server) createFeatureFlag(c *call) (any, error) {
	vals, err := c.validateAs(store.FeatureFlagFields, store.Create)
	if err != nil {
		return nil, err
	}
	f, err := c.tx.CreateFeatureFlag(c.project.ID, vals, c.user)
	if err != nil {
		return nil, err
	}
	return encodedNow(featureFlagView(c, f))
}

func (s *Server) getFeatureFlag(c *call) (any, error) {
	f, err := c.featureFlag()
	if err != nil {
		return nil, err
	}
	return encodedNow(featureFlagView(c, f))
}

// updateFeatureFlag serves PUT (key required) and PATCH; {"deleted": true} is how PostHog's
// clients delete a flag.
func (s *Server) updateFeatureFlag(c *call) (any, error) {
	f, err := c.featureFlag()
	if err != nil {
		return nil, err
	}
	vals, err := c.validate(store.FeatureFlagFields)
	if err != nil {
		return nil, err
	}
	if err := c.tx.UpdateFeatureFlag(f, vals, c.writeMode(), c.user); err != nil {
		return nil, err
	}
	return encodedNow(featureFlagView(c, f))
}

// deleteFeatureFlag is PostHog's ForbidDestroyModel: 405 with no body, whatever the id (the
// view never looks the flag up).
func (s *Server) deleteFeatureFlag(c *call) (any, error) {
	return nil, store.EmptyBody(405)
}

// projectScopeActivity lists the project's activity of one scope (and item, when item is not
// ""), newest first, in PostHog's page/limit activity body.
func projectScopeActivity(c *call, scope, item string) (any, error) {
	pid := c.project.ID
	entries := c.tx.Activity(c.project.OrgID, func(e *store.ActivityEntry) bool {
		return e.Scope == scope && e.TeamID != nil && *e.TeamID == pid && (item == "" || e.ItemID == item)
	})
	return paginateActivity(c, entries, func(e *store.ActivityEntry) any { return activityView(c.tx, e) }), nil
}

func (s *Server) featureFlagsActivity(c *call) (any, error) {
	return projectScopeActivity(c, "FeatureFlag", "")
}

// featureFlagActivity answers a flag's activity; an id that is no flag of the project is a
// 404 with no body, as PostHog's view answers.
func (s *Server) featureFlagActivity(c *call) (any, error) {
	f, err := c.featureFlag()
	if err != nil {
		return nil, store.EmptyBody(404)
	}
	return projectScopeActivity(c, "FeatureFlag", strconv.Itoa(f.ID))
}

// featureFlagStatus is PostHog's status action: {"status", "reason"}.
func (s *Server) featureFlagStatus(c *call) (any, error) {
	f, err := c.featureFlag()
	if err != nil {
		return nil, err
	}
	status, reason := c.tx.FeatureFlagStatus(f)
	return map[string]any{"status": status, "reason": reason}, nil
}

// featureFlagDependents is PostHog's dependent_flags action: the live, active flags whose
// conditions name this one, as [{id, key, name}] (name falls back to the key), by key.
func (s *Server) featureFlagDependents(c *call) (any, error) {
	f, err := c.featureFlag()
	if err != nil {
		return nil, err
	}
	out := []any{}
	for _, d := range c.tx.FeatureFlagDependents(f) {
		name := d.Name
		if name == "" {
			name = d.Key
		}
		out = append(out, map[string]any{"id": d.ID, "key": d.Key, "name": name})
	}
	return out, nil
}

// featureFlagBulkKeys maps flag ids (integers or digit strings) to the keys of the
// project's live flags: {"keys": {...}}, with a warning naming the ids it ignored, and 400
// {"error"} when no id was usable.
func (s *Server) featureFlagBulkKeys(c *call) (any, error) {
	body, err := c.object()
	if err != nil {
		return nil, err
	}
	ids := body.Get("ids")
	if !ids.IsArray() || len(ids.Array()) == 0 {
		return map[string]any{"keys": map[string]any{}}, nil
	}
	var valid []int
	var invalid []any
	for _, v := range ids.Array() {
		switch {
		case v.Type == gjson.Number && v.Num == float64(int(v.Num)):
			valid = append(valid, int(v.Num))
		case v.Type == gjson.String && v.Str != "" && strings.Trim(v.Str, "0123456789") == "":
			n, _ := strconv.Atoi(v.Str)
			valid = append(valid, n)
		default:
			invalid = append(invalid, v.Value())
		}
	}
	if len(valid) == 0 {
		return nil, store.HandMade(400, map[string]any{"error": "Invalid flag IDs provided"})
	}
	keys := map[string]any{}
	for _, id := range valid {
		if f := c.tx.LiveFeatureFlag(c.project.ID, id); f != nil {
			keys[strconv.Itoa(id)] = f.Key
		}
	}
	out := map[string]any{"keys": keys}
	if len(invalid) > 0 {
		out["warning"] = "Invalid flag IDs ignored: " + store.PyRepr(invalid)
	}
	return out, nil
}

// appendJSON encodes the flag as encoding/json encodes the struct (a page of flags is
// encoded without reflection; TestFeatureFlagJSONMatchesEncodingJSON holds it to it).
func (v featureFlagJSON) appendJSON(b []byte) ([]byte, error) {
	return appendFields(b, []jsonField{{"id", v.ID}, {"name", v.Name}, {"key", v.Key}, {"filters", v.Filters},
		{"deleted", v.Deleted}, {"active", v.Active}, {"created_by", v.CreatedBy}, {"created_at", v.CreatedAt},
		{"updated_at", v.UpdatedAt}, {"version", v.Version}, {"last_modified_by", v.LastModifiedBy},
		{"is_simple_flag", v.IsSimpleFlag}, {"rollout_percentage", v.RolloutPercentage},
		{"ensure_experience_continuity", v.EnsureExperienceContinuity}, {"experiment_set", v.ExperimentSet},
		{"surveys", v.Surveys}, {"features", v.Features}, {"rollback_conditions", v.RollbackConditions},
		{"performed_rollback", v.PerformedRollback}, {"can_edit", v.CanEdit}, {"tags", v.Tags},
		{"evaluation_tags", v.EvaluationTags}, {"usage_dashboard", v.UsageDashboard},
		{"analytics_dashboards", v.AnalyticsDashboards}, {"has_enriched_analytics", v.HasEnrichedAnalytics},
		{"user_access_level", v.UserAccessLevel}, {"is_remote_configuration", v.IsRemoteConfiguration},
		{"has_encrypted_payloads", v.HasEncryptedPayloads}, {"status", v.Status}, {"evaluation_runtime", v.EvaluationRuntime},
		{"last_called_at", v.LastCalledAt}})
}
