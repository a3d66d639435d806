package store

// Creating, updating and deleting surveys, with the flags they keep: the targeting flag
// (made from targeting_flag_filters, merged on later filters, deleted by
// remove_targeting_flag) and the internal targeting flag (who already answered or
// dismissed), whose active state follows the survey (launched, not stopped, not archived).

import (
	"strings"
	"time"
)

// surveyFlagKey is a new survey flag's key: "survey-targeting-" and 10 hexadecimal digits
// (PostHog draws them with nanoid), then the suffix.
func (tx *Tx) surveyFlagKey(suffix string) string {
	return "survey-targeting-" + strings.ReplaceAll(tx.NewUUID(), "-", "")[22:32] + suffix
}

// createSurveyFlag makes one of the survey's flags (filters already checked).
func (tx *Tx) createSurveyFlag(p *Project, user *User, name, suffix string, filters map[string]any, active bool) (*FeatureFlag, error) {
	return tx.CreateFeatureFlag(p.ID, Values{"key": tx.surveyFlagKey(suffix), "name": "Targeting flag for survey " + name,
		"filters": cloneJSONMap(filters), "active": active, "creation_context": "surveys"}, user)
}

// internalTargetingFilters are the internal targeting flag's filters: people who have not
// dismissed or answered this survey (iteration), and, with a wait period, who have not
// seen any survey for that many days.
func internalTargetingFilters(sv *Survey) map[string]any {
	key := sv.UUID
	if sv.IterationCount != nil && *sv.IterationCount > 0 {
		it := 1
		if sv.CurrentIteration != nil && *sv.CurrentIteration > 0 {
			it = *sv.CurrentIteration
		}
		key = sv.UUID + "/" + itoa(it)
	}
	notSet := func(k string) map[string]any {
		return map[string]any{"key": k, "value": "is_not_set", "operator": "is_not_set", "type": "person"}
	}
	base := []any{notSet("$survey_dismissed/" + key), notSet("$survey_responded/" + key)}
	wait, _ := sv.Conditions["seenSurveyWaitPeriodInDays"].(float64)
	if wait > 0 {
		group := func(last map[string]any) map[string]any {
			props := append(append([]any{}, base...), last)
			return map[string]any{"variant": "", "rollout_percentage": float64(100), "properties": props}
		}
		return map[string]any{"groups": []any{
			group(notSet("$survey_last_seen_date")),
			group(map[string]any{"key": "$survey_last_seen_date", "value": itoa(int(wait)) + "d", "operator": "is_date_before", "type": "person"}),
		}}
	}
	return map[string]any{"groups": []any{map[string]any{"variant": "", "rollout_percentage": float64(100), "properties": base}}}
}

// CreateSurvey creates a checked survey, its targeting flag (from targeting_flag_filters,
// inactive) and its internal targeting flag.
func (tx *Tx) CreateSurvey(p *Project, user *User, in SurveyInput) (*Survey, error) {
	sv := &Survey{ProjectRecord: ProjectRecord{ProjectID: p.ID}, UUID: tx.NewUUID(), CreatedAt: tx.now,
		Schedule: strP("once"), EnablePartialResponses: boolP(false), EnableIframeEmbedding: boolP(false), BaseLanguage: in.BaseLanguage}
	if user != nil {
		sv.CreatedBy = user.ID
	}
	applySurveyValues(sv, in)
	if in.TargetingFilters != nil {
		f, err := tx.createSurveyFlag(p, user, sv.Name, "", in.TargetingFilters, false)
		if err != nil {
			return nil, err
		}
		sv.TargetingFlagID = f.ID
	} else if id := in.Vals.Int("targeting_flag_id"); id != 0 {
		sv.TargetingFlagID = id
	}
	internal, err := tx.createSurveyFlag(p, user, sv.Name, "-custom", internalTargetingFilters(sv), SurveyActive(sv))
	if err != nil {
		return nil, err
	}
	sv.InternalTargetingFlagID = internal.ID
	s := &tx.st.ext.surveys
	s.recs.add(sv)
	s.byUID[sv.UUID] = sv.ID
	tx.logSurvey(p, user, sv, "created", nil)
	return sv, nil
}

// UpdateSurvey applies a checked PATCH (or PUT): targeting flag removed, replaced or
// merged, fields set, then the flags' active state synced to the survey's.
func (tx *Tx) UpdateSurvey(p *Project, user *User, sv *Survey, in SurveyInput) error {
	before := *sv
	var changes []Change
	// Flags first: the only write here that can still be refused is a flag's (its filters
	// were checked with the body), and nothing of the survey has changed yet.
	targeting := tx.SurveyFlag(sv, sv.TargetingFlagID)
	if in.TargetingFilters != nil {
		if targeting != nil && !in.Vals.Bool("remove_targeting_flag") {
			merged := cloneJSONMap(targeting.Filters)
			for k, v := range in.TargetingFilters {
				merged[k] = v
			}
			if err := tx.UpdateFeatureFlag(targeting, Values{"filters": merged}, Patch, user); err != nil {
				return err
			}
			changes = append(changes, Change{Type: "Survey", Action: "changed", Field: "targeting_flag_filters",
				Before: before.targetingFilters(tx), After: in.TargetingFilters})
		} else {
			f, err := tx.createSurveyFlag(p, user, sv.Name, "", in.TargetingFilters, sv.StartDate != nil)
			if err != nil {
				return err
			}
			if targeting != nil {
				tx.removeSurveyFlag(targeting)
				changes = append(changes, Change{Type: "Survey", Action: "deleted", Field: "targeting_flag", Before: targeting.Key})
			}
			sv.TargetingFlagID = f.ID
			changes = append(changes, Change{Type: "Survey", Action: "created", Field: "targeting_flag_filters", After: in.TargetingFilters})
		}
	} else if in.Vals.Bool("remove_targeting_flag") && targeting != nil {
		tx.removeSurveyFlag(targeting)
		sv.TargetingFlagID = 0
		changes = append(changes, Change{Type: "Survey", Action: "deleted", Field: "targeting_flag", Before: targeting.Key})
	}
	if id := in.Vals.Int("targeting_flag_id"); id != 0 && in.TargetingFilters == nil {
		sv.TargetingFlagID = id
	}
	if in.Vals.Has("iteration_count") && in.Vals["iteration_count"] != nil && !in.Vals.Has("iteration_frequency_days") {
		sv.IterationFrequencyDays = nil // PostHog sets both from the body together
	}
	applySurveyValues(sv, in)
	// A stopped survey reopened after its recurring schedule ended restarts from now.
	if before.EndDate != nil && sv.EndDate == nil && sv.IterationCount != nil && *sv.IterationCount > 0 &&
		sv.IterationFrequencyDays != nil && *sv.IterationFrequencyDays > 0 && sv.StartDate != nil &&
		sv.StartDate.Add(time.Duration(*sv.IterationCount**sv.IterationFrequencyDays)*24*time.Hour).Before(tx.now) {
		now := tx.now
		sv.StartDate, sv.CurrentIteration, sv.CurrentIterationStartDate = &now, nil, nil
	}
	active := SurveyActive(sv)
	if f := tx.SurveyFlag(sv, sv.TargetingFlagID); f != nil && f.Active != active {
		if err := tx.UpdateFeatureFlag(f, Values{"active": active}, Patch, user); err != nil {
			return err
		}
	}
	if f := tx.SurveyFlag(sv, sv.InternalTargetingFlagID); f != nil {
		merged := cloneJSONMap(f.Filters)
		for k, v := range internalTargetingFilters(sv) {
			merged[k] = v
		}
		if err := tx.UpdateFeatureFlag(f, Values{"filters": merged, "active": active}, Patch, user); err != nil {
			return err
		}
	}
	changes = append(changes, surveyChanges(&before, sv)...)
	tx.logSurvey(p, user, sv, "updated", changes)
	return nil
}

func (sv *Survey) targetingFilters(tx *Tx) any {
	if f := tx.SurveyFlag(sv, sv.TargetingFlagID); f != nil {
		return f.Filters
	}
	return nil
}

// removeSurveyFlag deletes a survey's flag for good, as PostHog's flag.delete() does (not the
// soft delete of the flag API), through the flags' own remove (which keeps their per-project
// count of soft-deleted flags).
func (tx *Tx) removeSurveyFlag(f *FeatureFlag) {
	tx.st.ext.featureFlags.remove(f)
}

// DeleteSurvey deletes the survey and its targeting and internal targeting flags.
func (tx *Tx) DeleteSurvey(p *Project, user *User, sv *Survey) {
	for _, id := range []int{sv.TargetingFlagID, sv.InternalTargetingFlagID} {
		if f := tx.SurveyFlag(sv, id); f != nil {
			tx.removeSurveyFlag(f)
		}
	}
	s := &tx.st.ext.surveys
	s.recs.remove(sv)
	delete(s.byUID, sv.UUID)
	tx.logSurvey(p, user, sv, "deleted", nil)
}

// LaunchSurvey sets start_date to now (no-op when already launched).
func (tx *Tx) LaunchSurvey(p *Project, user *User, sv *Survey) error {
	if sv.Archived {
		return Invalid("Cannot launch an archived survey. Unarchive it first.")
	}
	if sv.EndDate != nil && !sv.EndDate.After(tx.now) {
		return Invalid("Cannot launch a survey with end_date in the past. Extend the end_date first.")
	}
	if sv.StartDate != nil && !sv.StartDate.After(tx.now) {
		return nil
	}
	prev := sv.StartDate
	now := tx.now
	sv.StartDate = &now
	tx.logSurvey(p, user, sv, "launched", []Change{{Type: "Survey", Action: "changed", Field: "start_date", Before: prev, After: now}})
	return nil
}

// StopSurvey sets end_date to now (no-op when already stopped).
func (tx *Tx) StopSurvey(p *Project, user *User, sv *Survey) error {
	if sv.Archived {
		return Invalid("Cannot stop an archived survey. Unarchive it first if needed.")
	}
	if sv.EndDate != nil && !sv.EndDate.After(tx.now) {
		return nil
	}
	prev := sv.EndDate
	now := tx.now
	sv.EndDate = &now
	tx.logSurvey(p, user, sv, "stopped", []Change{{Type: "Survey", Action: "changed", Field: "end_date", Before: prev, After: now}})
	return nil
}

// applySurveyValues sets the survey's fields the body gave.
func applySurveyValues(sv *Survey, in SurveyInput) {
	v := in.Vals
	if v.Has("name") {
		sv.Name = v.Str("name")
	}
	if v.Has("description") {
		sv.Description = v.Str("description")
	}
	if v.Has("type") {
		sv.Type = v.Str("type")
	}
	if v.Has("schedule") {
		sv.Schedule = v.StrPtr("schedule")
	}
	if v.Has("linked_flag_id") {
		sv.LinkedFlagID = v.Int("linked_flag_id")
	}
	if v.Has("linked_insight_id") {
		sv.LinkedInsightID = v.Int("linked_insight_id")
	}
	if v.Has("questions") {
		sv.Questions = in.Questions
	}
	if v.Has("conditions") {
		sv.Conditions, _ = v["conditions"].(map[string]any)
	}
	if v.Has("appearance") {
		sv.Appearance = in.Appearance
	}
	for name, dst := range map[string]**time.Time{"start_date": &sv.StartDate, "end_date": &sv.EndDate,
		"current_iteration_start_date": &sv.CurrentIterationStartDate, "response_sampling_start_date": &sv.ResponseSamplingStartDate} {
		if v.Has(name) {
			*dst = nil
			if t, ok := v[name].(time.Time); ok {
				*dst = &t
			}
		}
	}
	if v.Has("archived") {
		sv.Archived = v.Bool("archived")
	}
	for name, dst := range map[string]**int{"responses_limit": &sv.ResponsesLimit, "iteration_count": &sv.IterationCount,
		"iteration_frequency_days": &sv.IterationFrequencyDays, "current_iteration": &sv.CurrentIteration,
		"response_sampling_interval": &sv.ResponseSamplingInterval, "response_sampling_limit": &sv.ResponseSamplingLimit} {
		if v.Has(name) {
			*dst = nil
			if n, ok := v[name].(int); ok {
				*dst = &n
			}
		}
	}
	if v.Has("response_sampling_interval_type") {
		sv.ResponseSamplingIntervalType = v.StrPtr("response_sampling_interval_type")
	}
	if v.Has("response_sampling_daily_limits") {
		sv.ResponseSamplingDailyLimits = v["response_sampling_daily_limits"]
	}
	if v.Has("enable_partial_responses") {
		sv.EnablePartialResponses = v.BoolPtr("enable_partial_responses")
	}
	if v.Has("enable_iframe_embedding") {
		sv.EnableIframeEmbedding = v.BoolPtr("enable_iframe_embedding")
	}
	if v.Has("base_language") {
		sv.BaseLanguage = in.BaseLanguage
	}
	if v.Has("translations") {
		sv.Translations = in.Translations
	}
	if v.Has("form_content") {
		sv.FormContent = v["form_content"]
	}
	// The model's save fills the iteration start dates of a launched recurring survey.
	sv.IterationStartDates = nil
	if sv.StartDate != nil && sv.IterationCount != nil && sv.IterationFrequencyDays != nil {
		for i := 0; i < *sv.IterationCount; i++ {
			sv.IterationStartDates = append(sv.IterationStartDates, sv.StartDate.Add(time.Duration(i**sv.IterationFrequencyDays)*24*time.Hour))
		}
	}
	ensureQuestionIDs(sv)
}

// ensureQuestionIDs gives every question without an id a stable one (ensure_question_ids):
// derived from the survey and the question's place, so answers are reproducible.
func ensureQuestionIDs(sv *Survey) {
	for i, q := range sv.Questions {
		if m, ok := q.(map[string]any); ok {
			if id, _ := m["id"].(string); id == "" {
				m["id"] = questionUUID(sv.UUID, i)
			}
		}
	}
}

// questionUUID derives a question id from the survey's UUID and the question's index.
func questionUUID(survey string, i int) string {
	h := strings.ReplaceAll(survey, "-", "")
	tail := []byte(h[20:])
	for j := range tail {
		tail[j] = "0123456789abcdef"[(strings.IndexByte("0123456789abcdef", tail[j])+i+1+j)%16]
	}
	h = h[:20] + string(tail)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

func surveyChanges(before, after *Survey) []Change {
	return diffChanges("Survey", map[string][2]any{
		"name": {before.Name, after.Name}, "description": {before.Description, after.Description},
		"type": {before.Type, after.Type}, "schedule": {before.Schedule, after.Schedule},
		"questions": {before.Questions, after.Questions}, "conditions": {before.Conditions, after.Conditions},
		"appearance": {before.Appearance, after.Appearance}, "start_date": {before.StartDate, after.StartDate},
		"end_date": {before.EndDate, after.EndDate}, "archived": {before.Archived, after.Archived},
		"responses_limit": {before.ResponsesLimit, after.ResponsesLimit}, "linked_flag_id": {before.LinkedFlagID, after.LinkedFlagID},
		"iteration_count":          {before.IterationCount, after.IterationCount},
		"iteration_frequency_days": {before.IterationFrequencyDays, after.IterationFrequencyDays},
		"enable_partial_responses": {before.EnablePartialResponses, after.EnablePartialResponses},
	})
}

func (tx *Tx) logSurvey(p *Project, user *User, sv *Survey, activity string, changes []Change) {
	team := p.ID
	tx.LogActivity(ActivityInput{OrgID: p.OrgID, TeamID: &team, User: user, Scope: "Survey", ItemID: sv.UUID,
		Activity: activity, Name: sv.Name, Changes: changes})
}
