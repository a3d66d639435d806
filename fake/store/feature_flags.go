package store

// Feature flags: the record, the family's state, lookups and the list filters. Creating,
// updating and deleting are in feature_flag_ops.go; the checks of a flag's filters in
// feature_flag_filters.go.

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// FeatureFlag is a project's feature flag (PostHog's FeatureFlag).
type FeatureFlag struct {
	ProjectRecord
	Key string
	// Name is the flag's description (PostHog keeps the field name for compatibility).
	Name string
	// Filters is the flag's release conditions as stored: groups, multivariate,
	// payloads (each a JSON text), aggregation_group_type_index, ...
	Filters        map[string]any
	Active         bool
	CreatedBy      int // user id; 0 when none
	LastModifiedBy int // user id; 0 when none
	CreatedAt      time.Time
	UpdatedAt      time.Time
	// Version counts saves: 1 on create, +1 on every update (PostHog's optimistic
	// concurrency check compares it).
	Version                    int
	EnsureExperienceContinuity *bool
	RollbackConditions         any
	PerformedRollback          *bool
	Tags                       []string // tagified, deduplicated, in the order given
	EvaluationTags             []string
	HasEnrichedAnalytics       *bool
	IsRemoteConfiguration      *bool
	HasEncryptedPayloads       *bool
	EvaluationRuntime          *string // server, client, all (or "" / nil)
	LastCalledAt               *time.Time
	// CreationContext is the product that created the flag (feature_flags, experiments,
	// surveys, ...): write-only in the API, kept for the survey family's listing rule.
	CreationContext string
}

// featureFlagState holds the feature flags of every project.
type featureFlagState struct {
	noHooks
	flags projectRecords[FeatureFlag, *FeatureFlag]
	// deleted counts each project's soft-deleted flags, so that a page of a project without
	// any is cut from its ids directly (kept by add, remove, the writes of Deleted and
	// dropProject).
	deleted map[int]int
}

func (s *featureFlagState) init() {
	s.flags.init()
	s.deleted = map[int]int{}
}

func (s *featureFlagState) dropProject(tx *Tx, projectID int) {
	s.flags.dropProject(projectID)
	delete(s.deleted, projectID)
}

// add files a new flag.
func (s *featureFlagState) add(f *FeatureFlag) {
	s.flags.add(f)
	s.deletedChanged(f, false)
}

// remove deletes a flag for good.
func (s *featureFlagState) remove(f *FeatureFlag) {
	s.flags.remove(f)
	if f.Deleted {
		if s.deleted[f.ProjectID]--; s.deleted[f.ProjectID] <= 0 {
			delete(s.deleted, f.ProjectID)
		}
	}
}

// deletedChanged records that f's Deleted is now what it is, after was.
func (s *featureFlagState) deletedChanged(f *FeatureFlag, was bool) {
	switch {
	case f.Deleted && !was:
		s.deleted[f.ProjectID]++
	case !f.Deleted && was:
		if s.deleted[f.ProjectID]--; s.deleted[f.ProjectID] <= 0 {
			delete(s.deleted, f.ProjectID)
		}
	}
}

// FeatureFlag returns the project's flag with that id, soft-deleted ones included (PostHog's
// retrieve does not hide them), or nil.
func (tx *Tx) FeatureFlag(projectID, id int) *FeatureFlag {
	return tx.st.ext.featureFlags.flags.get(projectID, id)
}

// LiveFeatureFlag returns the project's flag with that id unless it is soft-deleted.
func (tx *Tx) LiveFeatureFlag(projectID, id int) *FeatureFlag {
	return tx.st.ext.featureFlags.flags.live(projectID, id)
}

// FeatureFlagByKey returns the project's live (not soft-deleted) flag with that key, or nil.
func (tx *Tx) FeatureFlagByKey(projectID int, key string) *FeatureFlag {
	return tx.st.ext.featureFlags.flags.find(projectID, false, func(f *FeatureFlag) bool { return f.Key == key })
}

// AllFeatureFlags lists the project's flags in creation order, soft-deleted ones when
// deleted is true.
func (tx *Tx) AllFeatureFlags(projectID int, deleted bool) []*FeatureFlag {
	return tx.st.ext.featureFlags.flags.all(projectID, deleted)
}

// FeatureFlagFilter narrows FeatureFlags: PostHog's list query parameters, as given (empty
// strings filter nothing).
type FeatureFlagFilter struct {
	Search             string // key or name (or a live experiment's name) contains, ignoring case
	Active             string // "true", "false" or "STALE"; anything else is "false" as in PostHog
	Type               string // boolean, multivariant, experiment, remote_config
	CreatedByID        string // a user id
	EvaluationRuntime  string // server, client, all
	ExcludedProperties string // JSON list of keys
	Tags               string // JSON list of tag names (any of them)
	HasEvaluationTags  string // true / false
	// Hidden are flag ids left out (the survey targeting flags PostHog hides from the list).
	Hidden map[int]bool
}

// empty reports whether the filter filters nothing.
func (f FeatureFlagFilter) empty() bool {
	return f.Search == "" && f.Active == "" && f.Type == "" && f.CreatedByID == "" && f.EvaluationRuntime == "" &&
		f.ExcludedProperties == "" && f.Tags == "" && f.HasEvaluationTags == "" && len(f.Hidden) == 0
}

// FeatureFlags lists the project's live flags newest first (PostHog orders by
// -created_at), narrowed by the filter.
func (tx *Tx) FeatureFlags(projectID int, f FeatureFlagFilter) []*FeatureFlag {
	var out []*FeatureFlag
	tx.eachFlag(projectID, f, func(fl *FeatureFlag) { out = append(out, fl) })
	return out
}

// FeatureFlagsPage is FeatureFlags cut to one page: the matching flags from offset (at most
// limit of them) and how many match in all. It allocates only the page, so a page of a
// project with 10,000 flags costs about what a page of one with 100 does.
func (tx *Tx) FeatureFlagsPage(projectID int, f FeatureFlagFilter, offset, limit int) ([]*FeatureFlag, int) {
	s := &tx.st.ext.featureFlags
	if ids := s.flags.byProject[projectID]; f.empty() && s.deleted[projectID] == 0 {
		// Every flag is live: the page is ids[offset:offset+limit] counted from the newest.
		n := len(ids)
		var page []*FeatureFlag
		for i := offset; i < n && i-offset < limit; i++ {
			page = append(page, s.flags.byID[ids[n-1-i]])
		}
		return page, n
	}
	var page []*FeatureFlag
	n := 0
	tx.eachFlag(projectID, f, func(fl *FeatureFlag) {
		if n >= offset && n-offset < limit {
			page = append(page, fl)
		}
		n++
	})
	return page, n
}

// eachFlag calls fn for the project's live flags that match the filter, newest first.
func (tx *Tx) eachFlag(projectID int, f FeatureFlagFilter, fn func(*FeatureFlag)) {
	recs := &tx.st.ext.featureFlags.flags
	ids := recs.byProject[projectID]
	var excluded, tags map[string]bool
	if f.ExcludedProperties != "" {
		excluded = jsonStringSet(f.ExcludedProperties)
	}
	if f.Tags != "" {
		tags = jsonStringSet(f.Tags)
	}
	search := strings.ToLower(f.Search)
	plain := f.empty()
	for i := len(ids) - 1; i >= 0; i-- {
		fl := recs.byID[ids[i]]
		if fl.Deleted || !plain && (f.Hidden[fl.ID] || !tx.flagMatches(fl, f, search, excluded, tags)) {
			continue
		}
		fn(fl)
	}
}

func (tx *Tx) flagMatches(fl *FeatureFlag, f FeatureFlagFilter, search string, excluded, tags map[string]bool) bool {
	if f.Active != "" {
		if f.Active == "STALE" {
			if !tx.flagIsStale(fl) {
				return false
			}
		} else if fl.Active != (f.Active == "true") {
			return false
		}
	}
	if f.CreatedByID != "" && strconv.Itoa(fl.CreatedBy) != f.CreatedByID {
		return false
	}
	if search != "" && !strings.Contains(strings.ToLower(fl.Key), search) && !strings.Contains(strings.ToLower(fl.Name), search) &&
		!tx.flagExperimentNameContains(fl, search) {
		return false
	}
	switch f.Type {
	case "boolean":
		if len(flagVariants(fl.Filters)) > 0 {
			return false
		}
	case "multivariant":
		if len(flagVariants(fl.Filters)) == 0 {
			return false
		}
	case "experiment":
		if len(tx.flagExperiments(fl, true)) == 0 {
			return false
		}
	case "remote_config":
		if fl.IsRemoteConfiguration == nil || !*fl.IsRemoteConfiguration {
			return false
		}
	}
	if f.EvaluationRuntime != "" && (fl.EvaluationRuntime == nil || *fl.EvaluationRuntime != f.EvaluationRuntime) {
		return false
	}
	if excluded[fl.Key] {
		return false
	}
	if len(tags) > 0 && !anyIn(fl.Tags, tags) {
		return false
	}
	switch strings.ToLower(f.HasEvaluationTags) {
	case "":
	case "true", "1", "yes":
		if len(fl.EvaluationTags) == 0 {
			return false
		}
	default:
		if len(fl.EvaluationTags) > 0 {
			return false
		}
	}
	return true
}

// flagIsStale is the list's "STALE" filter: never called and created over 30 days ago while
// fully rolled out (or with no filters), or not called for 30 days (PostHog's two signals).
func (tx *Tx) flagIsStale(fl *FeatureFlag) bool {
	if !fl.Active {
		return false
	}
	threshold := tx.now.AddDate(0, 0, -30)
	if fl.LastCalledAt != nil {
		return fl.LastCalledAt.Before(threshold)
	}
	return fl.CreatedAt.Before(threshold) && (len(fl.Filters) == 0 || flagFullyRolledOut(fl.Filters))
}

// FeatureFlagStatus is PostHog's FeatureFlagStatusChecker: DELETED, STALE (fully rolled out
// and 30 days old) or ACTIVE, with the reason it gives.
func (tx *Tx) FeatureFlagStatus(fl *FeatureFlag) (status, reason string) {
	if fl.Deleted {
		return "deleted", "Flag has been deleted"
	}
	if fl.Active && fl.CreatedAt.Before(tx.now.AddDate(0, 0, -30)) {
		if variants := flagVariants(fl.Filters); len(variants) > 0 {
			if ok, key := multivariateFullyRolledOut(fl.Filters); ok {
				return "stale", `This flag will always use the variant "` + key + `"`
			}
		} else if len(fl.Filters) == 0 || flagFullyRolledOut(fl.Filters) {
			return "stale", `This boolean flag will always evaluate to "true"`
		}
	}
	return "active", "Flag is not fully rolled out and may still be active"
}

// flagFullyRolledOut: some group at 100% with no properties (a boolean flag's rule).
func flagFullyRolledOut(filters map[string]any) bool {
	for _, g := range asList(filters["groups"]) {
		if groupFullyRolledOut(g) {
			return true
		}
	}
	return false
}

func groupFullyRolledOut(g any) bool {
	m, _ := g.(map[string]any)
	n, ok := jsonNumber(m["rollout_percentage"])
	return ok && n == 100 && len(asList(m["properties"])) == 0
}

// multivariateFullyRolledOut: a group at 100% with no properties, and a variant at 100% or
// that group's variant override.
func multivariateFullyRolledOut(filters map[string]any) (bool, string) {
	variantKey, override := "", ""
	haveVariant, haveOverride, groupOut := false, false, false
	for _, v := range flagVariants(filters) {
		if n, ok := jsonNumber(v["rollout_percentage"]); ok && n == 100 {
			variantKey, _ = v["key"].(string)
			haveVariant = true
			break
		}
	}
	for _, g := range asList(filters["groups"]) {
		if groupFullyRolledOut(g) {
			groupOut = true
			if o, ok := g.(map[string]any)["variant"].(string); ok && !haveOverride {
				override, haveOverride = o, true
			}
		}
	}
	key := variantKey
	if haveOverride {
		key = override
	}
	return groupOut && (haveOverride || haveVariant), key
}

// flagVariants returns filters.multivariate.variants (objects only).
func flagVariants(filters map[string]any) []map[string]any {
	mv, _ := filters["multivariate"].(map[string]any)
	var out []map[string]any
	for _, v := range asList(mv["variants"]) {
		if m, ok := v.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// FeatureFlagVariants returns the flag's multivariate variants as stored.
func FeatureFlagVariants(fl *FeatureFlag) []map[string]any { return flagVariants(fl.Filters) }

// FeatureFlagRollout is the legacy rollout_percentage column PostHog still serves for old
// flags; the first group's percentage for a flag with one group and no properties.
func FeatureFlagRollout(fl *FeatureFlag) *int {
	groups := asList(fl.Filters["groups"])
	if len(groups) != 1 {
		return nil
	}
	g, _ := groups[0].(map[string]any)
	if n, ok := jsonNumber(g["rollout_percentage"]); ok && len(asList(g["properties"])) == 0 {
		i := int(n)
		return &i
	}
	return nil
}

// IsSimpleFeatureFlag is PostHog's is_simple_flag: one group, no properties, no
// multivariate and not aggregated by groups.
func IsSimpleFeatureFlag(fl *FeatureFlag) bool {
	groups := asList(fl.Filters["groups"])
	if len(groups) != 1 || len(flagVariants(fl.Filters)) > 0 || fl.Filters["aggregation_group_type_index"] != nil {
		return false
	}
	g, _ := groups[0].(map[string]any)
	return len(asList(g["properties"])) == 0
}

func asList(v any) []any { l, _ := v.([]any); return l }

// jsonNumber reads a decoded JSON number (float64, int or json.Number).
func jsonNumber(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int:
		return float64(x), true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	}
	return 0, false
}

// jsonStringSet reads a JSON list of strings (a query parameter) as a set; nil when the
// text is no such list (PostHog ignores the filter then).
func jsonStringSet(raw string) map[string]bool {
	var list []any
	if json.Unmarshal([]byte(raw), &list) != nil {
		return nil
	}
	out := map[string]bool{}
	for _, v := range list {
		if s, ok := v.(string); ok {
			out[s] = true
		}
	}
	return out
}

func anyIn(list []string, set map[string]bool) bool {
	for _, s := range list {
		if set[s] {
			return true
		}
	}
	return false
}

// tagList is a flag's tags as given (already checked to be a list), normalised in order.
func tagList(tags []any) []string {
	strs := make([]string, len(tags))
	for i, t := range tags {
		strs[i] = pyStr(t)
	}
	return normalTags(strs)
}
