package store

// Feature flag writes: the serializer's fields, create, update (PUT and PATCH, the
// optimistic-concurrency check, soft delete and restore through "deleted") and the activity
// they log.

import (
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"time"
)

// Messages of the flag rules.
const (
	MsgFlagKeyTaken     = "There is already a feature flag with this key."
	MsgFlagKeyFormat    = "Only letters, numbers, hyphens (-) & underscores (_) are allowed."
	MsgFlagKeyInUseByXP = "Feature flag with this key already exists and is used in an experiment. Please delete the experiment before deleting the flag."
)

// flagKeyFormat is the key rule PostHog's validate_key applies.
var flagKeyFormat = regexp.MustCompile(`^[a-zA-Z0-9_-]+$`)

// FlagCreationContexts are the products a flag may be created from.
var FlagCreationContexts = []any{"feature_flags", "experiments", "surveys", "early_access_features", "web_experiments", "product_tours"}

// FeatureFlagFields are the writable fields of a feature flag, in the serializer's order.
// The key's uniqueness and the filters' rules need the project and are checked by
// CreateFeatureFlag and UpdateFeatureFlag.
var FeatureFlagFields = Fields{
	{Name: "name", Kind: String, AllowBlank: true},
	{Name: "key", Kind: String, Required: true, MaxLen: 400},
	{Name: "filters", Kind: Object},
	{Name: "deleted", Kind: Bool},
	{Name: "active", Kind: Bool},
	{Name: "version", Kind: Int},
	{Name: "ensure_experience_continuity", Kind: Bool, Nullable: true},
	{Name: "rollback_conditions", Kind: JSON, Nullable: true},
	{Name: "performed_rollback", Kind: Bool, Nullable: true},
	{Name: "tags", Kind: List},
	{Name: "evaluation_tags", Kind: List},
	{Name: "analytics_dashboards", Kind: List},
	{Name: "has_enriched_analytics", Kind: Bool, Nullable: true},
	{Name: "creation_context", Kind: Choice, Choices: FlagCreationContexts},
	{Name: "is_remote_configuration", Kind: Bool, Nullable: true},
	{Name: "has_encrypted_payloads", Kind: Bool, Nullable: true},
	{Name: "evaluation_runtime", Kind: Choice, Choices: []any{"server", "client", "all"}, Nullable: true, AllowBlank: true},
	{Name: "last_called_at", Kind: DateTime, Nullable: true},
	{Name: "_create_in_folder", Kind: String, AllowBlank: true},
	{Name: "_should_create_usage_dashboard", Kind: Bool},
	// original_flag is not a serializer field: PostHog reads it from the request for the
	// concurrency check.
	{Name: "original_flag", Kind: JSON, Nullable: true},
}

// checkFlagKey is validate_key: unique among the project's live flags (except the flag
// being updated), then the format.
func (tx *Tx) checkFlagKey(projectID int, key string, self *FeatureFlag) *Error {
	if other := tx.FeatureFlagByKey(projectID, key); other != nil && other != self {
		return FieldError("key", "unique", MsgFlagKeyTaken)
	}
	if !flagKeyFormat.MatchString(key) {
		return FieldError("key", "invalid_key", MsgFlagKeyFormat)
	}
	return nil
}

// checkAnalyticsDashboards: each id must be a dashboard of the project; fakehog's flags
// know of no dashboards, so any id is one that does not exist.
func checkAnalyticsDashboards(vals Values) *Error {
	for _, v := range asList(vals["analytics_dashboards"]) {
		return FieldError("analytics_dashboards", "does_not_exist", fmt.Sprintf("Invalid pk %q - object does not exist.", pyStr(v)))
	}
	return nil
}

// CreateFeatureFlag creates a flag in the project from a body validated by
// FeatureFlagFields (Create mode), with PostHog's defaults (active, version 1, evaluation
// runtime "all"). A soft-deleted flag of the project with the same key is removed for good
// first, unless an experiment uses it. Other families (experiments, surveys) create their
// flags through it too, setting creation_context.
func (tx *Tx) CreateFeatureFlag(projectID int, vals Values, by *User) (*FeatureFlag, error) {
	if tx.st.projects[projectID] == nil {
		return nil, NotFound(MsgNotFound)
	}
	key := vals.Str("key")
	if err := tx.checkFlagKey(projectID, key, nil); err != nil {
		return nil, err
	}
	filters := map[string]any{}
	if vals.Has("filters") {
		f, _ := vals["filters"].(map[string]any)
		checked, err := flagFilterCheck{tx: tx, projectID: projectID, key: key, create: true}.checkFilters(f)
		if err != nil {
			return nil, err
		}
		filters = checked
	}
	if err := checkAnalyticsDashboards(vals); err != nil {
		return nil, err
	}
	var stale []*FeatureFlag
	for _, old := range tx.AllFeatureFlags(projectID, true) {
		if old.Deleted && old.Key == key {
			if len(tx.flagExperiments(old, false)) > 0 {
				return nil, Invalid(MsgFlagKeyInUseByXP)
			}
			stale = append(stale, old)
		}
	}
	for _, old := range stale {
		tx.st.ext.featureFlags.flags.remove(old)
	}
	f := &FeatureFlag{ProjectRecord: ProjectRecord{ProjectID: projectID}, Key: key, Filters: filters, Active: true,
		CreatedAt: tx.now, UpdatedAt: tx.now, Version: 1, EnsureExperienceContinuity: boolP(false),
		HasEnrichedAnalytics: boolP(false), IsRemoteConfiguration: boolP(false), HasEncryptedPayloads: boolP(false),
		EvaluationRuntime: strP("all"), Tags: []string{}, EvaluationTags: []string{}, CreationContext: "feature_flags"}
	if by != nil {
		f.CreatedBy, f.LastModifiedBy = by.ID, by.ID
	}
	applyFlagValues(f, vals)
	if vals.Has("creation_context") {
		f.CreationContext = vals.Str("creation_context")
	}
	if f.Active {
		f.PerformedRollback = boolP(false)
	}
	tx.st.ext.featureFlags.flags.add(f)
	tx.logFlag(f, by, "created", nil)
	return f, nil
}

// applyFlagValues copies the plain fields of a validated body onto the flag.
func applyFlagValues(f *FeatureFlag, vals Values) {
	if vals.Has("name") {
		f.Name = vals.Str("name")
	}
	if vals.Has("active") {
		f.Active = vals.Bool("active")
	}
	if vals.Has("deleted") {
		f.Deleted = vals.Bool("deleted")
	}
	for name, dst := range map[string]**bool{"ensure_experience_continuity": &f.EnsureExperienceContinuity,
		"performed_rollback": &f.PerformedRollback, "has_enriched_analytics": &f.HasEnrichedAnalytics,
		"is_remote_configuration": &f.IsRemoteConfiguration, "has_encrypted_payloads": &f.HasEncryptedPayloads} {
		if vals.Has(name) {
			*dst = vals.BoolPtr(name)
		}
	}
	if vals.Has("rollback_conditions") {
		f.RollbackConditions = cloneJSON(vals["rollback_conditions"])
	}
	if vals.Has("evaluation_runtime") {
		f.EvaluationRuntime = vals.StrPtr("evaluation_runtime")
	}
	if vals.Has("last_called_at") {
		f.LastCalledAt = nil
		if t, ok := vals["last_called_at"].(time.Time); ok {
			f.LastCalledAt = &t
		}
	}
	if vals.Has("tags") {
		f.Tags = tagList(asList(vals["tags"]))
	}
	if vals.Has("evaluation_tags") {
		f.EvaluationTags = tagList(asList(vals["evaluation_tags"]))
	}
}

// UpdateFeatureFlag applies a body validated by FeatureFlagFields (Replace or Patch mode) to
// a flag, as PostHog's serializer does: the key's rules, the filters' rules (a PATCH whose
// filters have no "groups" keeps the current filters), "deleted": true refused while a live
// experiment uses the flag or another flag depends on it (a flag whose experiments are all
// deleted gets its key renamed "<key>:deleted:<id>"), disabling refused while others depend
// on it, enabling refused while it depends on disabled flags, then the version check: a
// body with a "version" other than the current one and an "original_flag" whose changed
// fields were changed by someone else is a 409. The version goes up by one.
func (tx *Tx) UpdateFeatureFlag(f *FeatureFlag, vals Values, mode Mode, by *User) error {
	key := f.Key
	if vals.Has("key") {
		key = vals.Str("key")
		if err := tx.checkFlagKey(f.ProjectID, key, f); err != nil {
			return err
		}
	}
	filters := f.Filters
	filtersChanged := false
	if vals.Has("filters") {
		given, _ := vals["filters"].(map[string]any)
		if _, hasGroups := given["groups"]; hasGroups || mode != Patch {
			checked, err := flagFilterCheck{tx: tx, projectID: f.ProjectID, self: f, key: f.Key}.checkFilters(given)
			if err != nil {
				return err
			}
			filters, filtersChanged = checked, true
		}
	}
	if err := checkAnalyticsDashboards(vals); err != nil {
		return err
	}
	if vals.Has("deleted") && vals.Bool("deleted") && !f.Deleted {
		if ids := tx.flagExperiments(f, true); len(ids) > 0 {
			return Invalid(fmt.Sprintf("Cannot delete a feature flag that is linked to active experiment(s) with ID(s): %s. Please delete the experiment(s) before deleting the flag.", joinInts(ids)))
		}
		if deps := tx.dependentFlags(f); len(deps) > 0 {
			return Invalid(fmt.Sprintf("Cannot delete this feature flag because other flags depend on it: %s. Please update or delete the dependent flags first.", flagNames(deps)))
		}
		if len(tx.flagExperiments(f, false)) > 0 {
			key = fmt.Sprintf("%s:deleted:%d", f.Key, f.ID)
		}
	}
	if vals.Has("active") {
		if !vals.Bool("active") && f.Active {
			if deps := tx.dependentFlags(f); len(deps) > 0 {
				return Invalid(fmt.Sprintf("Cannot disable this feature flag because other flags depend on it: %s. Please update or disable the dependent flags first.", flagNames(deps)))
			}
		}
		if vals.Bool("active") && !f.Active {
			if deps := tx.disabledDependencies(f); len(deps) > 0 {
				return Invalid(fmt.Sprintf("Cannot enable this feature flag because it depends on disabled flags: %s. Please enable the dependency flags first.", flagNames(deps)))
			}
		}
	}
	if v, ok := vals["version"].(int); ok && v != f.Version {
		if tx.flagConflicts(f, vals, key, filters) {
			who := "another user"
			if u := tx.st.users[f.LastModifiedBy]; u != nil {
				who = u.Email
			}
			return Conflict(fmt.Sprintf("The feature flag was updated by %s since you started editing it. Please refresh and try again.", who))
		}
	}
	before := *f
	before.Filters = cloneJSONMap(f.Filters)
	applyFlagValues(f, vals)
	f.Key = key
	if filtersChanged {
		f.Filters = filters
	}
	if vals.Has("active") && vals.Bool("active") {
		f.PerformedRollback = boolP(false)
	}
	f.Version++
	f.UpdatedAt = tx.now
	if by != nil {
		f.LastModifiedBy = by.ID
	}
	if filtersChanged {
		tx.flagVariantsChanged(f)
	}
	activity := "updated"
	if before.Deleted != f.Deleted {
		activity = map[bool]string{true: "deleted", false: "restored"}[f.Deleted]
	}
	tx.logFlag(f, by, activity, &before)
	return nil
}

// DeleteFeatureFlag soft-deletes a flag as the API's PATCH {"deleted": true} does (with
// its rules: not while a live experiment or another flag depends on it).
func (tx *Tx) DeleteFeatureFlag(f *FeatureFlag, by *User) error {
	return tx.UpdateFeatureFlag(f, Values{"deleted": true}, Patch, by)
}

// flagConflicts is _get_conflicting_changes: the fields the body changes relative to
// original_flag that someone else has changed since (none without original_flag).
func (tx *Tx) flagConflicts(f *FeatureFlag, vals Values, key string, filters map[string]any) bool {
	orig, _ := vals["original_flag"].(map[string]any)
	if len(orig) == 0 {
		return false
	}
	current := map[string]any{"key": f.Key, "name": f.Name, "filters": f.Filters, "active": f.Active, "deleted": f.Deleted,
		"ensure_experience_continuity": derefBool(f.EnsureExperienceContinuity)}
	intended := map[string]any{"key": key, "filters": filters}
	for _, n := range []string{"name", "active", "deleted", "ensure_experience_continuity"} {
		if vals.Has(n) {
			intended[n] = vals[n]
		}
	}
	for field, want := range intended {
		if !vals.Has(field) {
			continue
		}
		o, inOrig := orig[field]
		if !inOrig || jsonSame(want, o) {
			continue
		}
		if !jsonSame(o, current[field]) && !jsonSame(want, current[field]) {
			return true
		}
	}
	return false
}

// jsonSame compares decoded JSON values, numbers by value.
func jsonSame(a, b any) bool {
	if x, ok := jsonNumber(a); ok {
		y, ok := jsonNumber(b)
		return ok && x == y
	}
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			if w, ok := y[k]; !ok || !jsonSame(v, w) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !jsonSame(x[i], y[i]) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a, b)
}

// dependentFlags are the project's live, active flags (other than f) whose conditions name
// f, ordered by key.
func (tx *Tx) dependentFlags(f *FeatureFlag) []*FeatureFlag {
	var out []*FeatureFlag
	id := itoa(f.ID)
	for _, o := range tx.AllFeatureFlags(f.ProjectID, false) {
		if o == f || !o.Active {
			continue
		}
		for _, ref := range flagDependencyRefs(o.Filters) {
			if pyStr(ref) == id {
				out = append(out, o)
				break
			}
		}
	}
	sortFlagsByKey(out)
	return out
}

// disabledDependencies are the live, disabled flags f's conditions name, ordered by key.
func (tx *Tx) disabledDependencies(f *FeatureFlag) []*FeatureFlag {
	var out []*FeatureFlag
	for _, ref := range flagDependencyRefs(f.Filters) {
		var id int
		if _, err := fmt.Sscan(pyStr(ref), &id); err != nil {
			continue
		}
		if d := tx.LiveFeatureFlag(f.ProjectID, id); d != nil && !d.Active {
			out = append(out, d)
		}
	}
	sortFlagsByKey(out)
	return out
}

func sortFlagsByKey(l []*FeatureFlag) {
	for i := 1; i < len(l); i++ {
		for j := i; j > 0 && l[j].Key < l[j-1].Key; j-- {
			l[j], l[j-1] = l[j-1], l[j]
		}
	}
}

// flagNames names up to five flags "key (ID: n)", then how many more.
func flagNames(l []*FeatureFlag) string {
	var names []string
	for i, f := range l {
		if i == 5 {
			names = append(names, fmt.Sprintf("and %d more", len(l)-5))
			break
		}
		names = append(names, fmt.Sprintf("%s (ID: %d)", f.Key, f.ID))
	}
	return strings.Join(names, ", ")
}

func joinInts(ids []int) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = itoa(id)
	}
	return strings.Join(s, ", ")
}

// logFlag records the flag's activity (scope FeatureFlag, named by its key), with the
// changed fields on an update.
func (tx *Tx) logFlag(f *FeatureFlag, by *User, activity string, before *FeatureFlag) {
	p := tx.st.projects[f.ProjectID]
	if p == nil {
		return
	}
	var changes []Change
	if before != nil {
		changes = diffChanges("FeatureFlag", map[string][2]any{
			"key": {before.Key, f.Key}, "name": {before.Name, f.Name}, "filters": {before.Filters, f.Filters},
			"active": {before.Active, f.Active}, "deleted": {before.Deleted, f.Deleted},
			"ensure_experience_continuity": {before.EnsureExperienceContinuity, f.EnsureExperienceContinuity},
			"rollback_conditions":          {before.RollbackConditions, f.RollbackConditions},
			"performed_rollback":           {before.PerformedRollback, f.PerformedRollback},
			"evaluation_runtime":           {before.EvaluationRuntime, f.EvaluationRuntime},
			"is_remote_configuration":      {before.IsRemoteConfiguration, f.IsRemoteConfiguration},
			"has_encrypted_payloads":       {before.HasEncryptedPayloads, f.HasEncryptedPayloads},
			"tags":                         {before.Tags, f.Tags},
		})
	}
	team := p.ID
	tx.LogActivity(ActivityInput{OrgID: p.OrgID, TeamID: &team, User: by, Scope: "FeatureFlag", ItemID: itoa(f.ID),
		Activity: activity, Name: f.Key, Changes: changes})
}

func boolP(b bool) *bool    { return &b }
func strP(s string) *string { return &s }
func derefBool(b *bool) any { return deref(b) }
