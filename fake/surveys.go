package fake

// The survey routes (/api/projects/{project_id}/surveys/): the two views PostHog answers
// with (SurveySerializer for reads, SurveySerializerCreateUpdateOnly for POST and PATCH),
// the minimal flag view of the flags a survey holds, and the handlers.

import (
	"strings"

	"github.com/fakehog/fakehog/fake/store"
)

// surveys hold access-controlled objects (access_controls.go), by their UUID.
var _ = registerAccessResource("survey", "surveys", func(tx *store.Tx, projectID int, id string) (int, bool) {
	if sv := tx.Survey(projectID, id); sv != nil {
		return sv.CreatedBy, true
	}
	return 0, false
})

// surveyRoutes are the survey operations (projects only, as PostHog registers them).
func surveyRoutes(s *Server) []route {
	return underRoot(projectsRoot,
		route{"GET", "surveys/", "survey:read", 0, 0, s.listSurveys},
		route{"POST", "surveys/", "survey:write", 0, 201, s.createSurvey},
		route{"GET", "surveys/{id}/", "survey:read", 0, 0, s.getSurvey},
		route{"PUT", "surveys/{id}/", "survey:write", 0, 0, s.updateSurvey},
		route{"PATCH", "surveys/{id}/", "survey:write", 0, 0, s.updateSurvey},
		route{"DELETE", "surveys/{id}/", "survey:write", 0, 204, s.deleteSurvey},
		route{"POST", "surveys/{id}/launch/", "survey:write", 0, 0, s.launchSurvey},
		route{"POST", "surveys/{id}/stop/", "survey:write", 0, 0, s.stopSurvey},
	)
}

// minimalFlagView is PostHog's MinimalFeatureFlagSerializer (nil for no flag).
func minimalFlagView(f *store.FeatureFlag) map[string]any {
	if f == nil {
		return nil
	}
	filters := f.Filters
	if filters == nil {
		filters = map[string]any{}
	}
	return map[string]any{"id": f.ID, "team_id": f.ProjectID, "name": f.Name, "key": f.Key, "filters": filters,
		"deleted": f.Deleted, "active": f.Active, "ensure_experience_continuity": f.EnsureExperienceContinuity,
		"has_encrypted_payloads": f.HasEncryptedPayloads, "version": f.Version, "evaluation_runtime": f.EvaluationRuntime,
		"evaluation_tags": []string{}}
}

func intOrNil(n int) any {
	if n == 0 {
		return nil
	}
	return n
}

// surveyView is the survey as SurveySerializer shows it (full) or as
// SurveySerializerCreateUpdateOnly does (POST and PATCH answers: no feature_flag_keys,
// linked ids or access level).
func (c *call) surveyView(sv *store.Survey, full bool) map[string]any {
	linked := c.tx.SurveyFlag(sv, sv.LinkedFlagID)
	targeting := c.tx.SurveyFlag(sv, sv.TargetingFlagID)
	internal := c.tx.SurveyFlag(sv, sv.InternalTargetingFlagID)
	starts := make([]string, 0, len(sv.IterationStartDates))
	for _, t := range sv.IterationStartDates {
		starts = append(starts, isoTime(t))
	}
	var iterationStarts any
	if sv.IterationStartDates != nil {
		iterationStarts = starts
	}
	var questions any
	if sv.Questions != nil {
		questions = sv.Questions
	}
	var conditions, appearance, translations any
	if sv.Conditions != nil {
		conditions = sv.Conditions
	}
	if sv.Appearance != nil {
		appearance = sv.Appearance
	}
	if sv.Translations != nil {
		translations = sv.Translations
	}
	v := map[string]any{
		"id": sv.UUID, "name": sv.Name, "description": sv.Description, "type": sv.Type, "schedule": sv.Schedule,
		"linked_flag": minimalFlagView(linked), "targeting_flag": minimalFlagView(targeting),
		"internal_targeting_flag": minimalFlagView(internal), "questions": questions, "conditions": conditions,
		"appearance": appearance, "created_at": isoTime(sv.CreatedAt), "created_by": userOrNull(c, sv.CreatedBy),
		"start_date": isoTimePtr(sv.StartDate), "end_date": isoTimePtr(sv.EndDate), "archived": sv.Archived,
		"responses_limit": sv.ResponsesLimit, "iteration_count": sv.IterationCount,
		"iteration_frequency_days": sv.IterationFrequencyDays, "iteration_start_dates": iterationStarts,
		"current_iteration": sv.CurrentIteration, "current_iteration_start_date": isoTimePtr(sv.CurrentIterationStartDate),
		"response_sampling_start_date":    isoTimePtr(sv.ResponseSamplingStartDate),
		"response_sampling_interval_type": sv.ResponseSamplingIntervalType,
		"response_sampling_interval":      sv.ResponseSamplingInterval, "response_sampling_limit": sv.ResponseSamplingLimit,
		"response_sampling_daily_limits": sv.ResponseSamplingDailyLimits,
		"enable_partial_responses":       sv.EnablePartialResponses, "enable_iframe_embedding": sv.EnableIframeEmbedding,
		"base_language": sv.BaseLanguage, "translations": translations, "form_content": sv.FormContent,
	}
	if full {
		v["linked_flag_id"] = intOrNil(sv.LinkedFlagID)
		v["linked_insight_id"] = intOrNil(sv.LinkedInsightID)
		key := func(f *store.FeatureFlag) any {
			if f == nil {
				return nil
			}
			return f.Key
		}
		v["feature_flag_keys"] = []any{
			map[string]any{"key": "linked_flag_key", "value": key(linked)},
			map[string]any{"key": "targeting_flag_key", "value": key(targeting)},
			map[string]any{"key": "internal_targeting_flag_key", "value": key(internal)},
			map[string]any{"key": "internal_response_sampling_flag_key", "value": nil},
		}
		v["user_access_level"] = objectAccessLevel(c)
	}
	return v
}

// survey finds the URL's survey in the project (404 otherwise).
func (c *call) survey() (*store.Survey, error) {
	return orNotFound(c.tx.Survey(c.project.ID, c.vars["id"]))
}

// listSurveys answers the project's surveys newest first; ?search matches name and
// description (case-insensitive), ?archived and ?type filter.
func (s *Server) listSurveys(c *call) (any, error) {
	q := c.r.URL.Query()
	search := strings.ToLower(strings.TrimSpace(lastQueryValue(q, "search")))
	if len(search) > 1000 {
		return nil, store.FieldError("search", "invalid_input", "Search query must be 1000 characters or fewer.")
	}
	archived, typ := lastQueryValue(q, "archived"), lastQueryValue(q, "type")
	var out []*store.Survey
	for _, sv := range c.tx.Surveys(c.project.ID) {
		switch {
		case search != "" && !strings.Contains(strings.ToLower(sv.Name), search) && !strings.Contains(strings.ToLower(sv.Description), search),
			archived != "" && strings.EqualFold(archived, "true") != sv.Archived,
			typ != "" && sv.Type != typ:
			continue
		}
		out = append(out, sv)
	}
	return encodedNow(paginate(c, out, func(sv *store.Survey) any { return c.surveyView(sv, true) }))
}

func (s *Server) createSurvey(c *call) (any, error) {
	body, err := c.object()
	if err != nil {
		return nil, err
	}
	in, verr := c.tx.ParseSurveyInput(c.project, nil, body, store.Create)
	if verr != nil {
		return nil, verr
	}
	sv, err := c.tx.CreateSurvey(c.project, c.user, in)
	if err != nil {
		return nil, err
	}
	return encodedNow(anyView{c.surveyView(sv, false)})
}

func (s *Server) getSurvey(c *call) (any, error) {
	sv, err := c.survey()
	if err != nil {
		return nil, err
	}
	return encodedNow(anyView{c.surveyView(sv, true)})
}

// updateSurvey serves PATCH (SurveySerializerCreateUpdateOnly) and PUT. PostHog's PUT runs
// SurveySerializer, whose dotted-source linked ids make DRF raise on save (a 500); fakehog
// answers it as a full update with that serializer's view instead.
func (s *Server) updateSurvey(c *call) (any, error) {
	sv, body, err := foundWithBody(c, c.survey)
	if err != nil {
		return nil, err
	}
	in, verr := c.tx.ParseSurveyInput(c.project, sv, body, c.writeMode())
	if verr != nil {
		return nil, verr
	}
	if err := c.tx.UpdateSurvey(c.project, c.user, sv, in); err != nil {
		return nil, err
	}
	return encodedNow(anyView{c.surveyView(sv, c.r.Method == "PUT")})
}

func (s *Server) deleteSurvey(c *call) (any, error) {
	return deleteFound(c.survey, func(sv *store.Survey) { c.tx.DeleteSurvey(c.project, c.user, sv) })
}

func (s *Server) launchSurvey(c *call) (any, error) {
	return s.surveyAction(c, c.tx.LaunchSurvey)
}

func (s *Server) stopSurvey(c *call) (any, error) {
	return s.surveyAction(c, c.tx.StopSurvey)
}

// surveyAction runs launch or stop and answers the survey as SurveySerializer shows it.
func (s *Server) surveyAction(c *call, act func(*store.Project, *store.User, *store.Survey) error) (any, error) {
	sv, err := c.survey()
	if err != nil {
		return nil, err
	}
	if err := act(c.project, c.user, sv); err != nil {
		return nil, err
	}
	return encodedNow(anyView{c.surveyView(sv, true)})
}
