package store

// Surveys (PostHog's Survey, products/surveys): records, state and lookups. A survey holds
// real feature flags of its project: the targeting flag made from targeting_flag_filters
// (removed with remove_targeting_flag), the internal targeting flag PostHog makes for every
// survey (who has already answered or dismissed it), and a linked flag it only points at.
// The rules of a body are in survey_validation.go, the writes in survey_lifecycle.go.

import (
	"slices"
	"time"
)

// Survey is one survey of a project, addressed by UUID.
type Survey struct {
	ProjectRecord
	UUID                         string
	Name                         string
	Description                  string
	Type                         string
	Schedule                     *string
	LinkedFlagID                 int // 0 when none
	LinkedInsightID              int
	TargetingFlagID              int
	InternalTargetingFlagID      int
	Questions                    []any // nil when none
	Conditions                   map[string]any
	Appearance                   map[string]any
	CreatedAt                    time.Time
	CreatedBy                    int
	StartDate                    *time.Time
	EndDate                      *time.Time
	Archived                     bool
	ResponsesLimit               *int
	IterationCount               *int
	IterationFrequencyDays       *int
	IterationStartDates          []time.Time
	CurrentIteration             *int
	CurrentIterationStartDate    *time.Time
	ResponseSamplingStartDate    *time.Time
	ResponseSamplingIntervalType *string
	ResponseSamplingInterval     *int
	ResponseSamplingLimit        *int
	ResponseSamplingDailyLimits  any
	EnablePartialResponses       *bool
	EnableIframeEmbedding        *bool
	BaseLanguage                 string
	Translations                 map[string]any
	FormContent                  any
}

// surveyState holds every project's surveys (hard-deleted, as PostHog deletes them).
type surveyState struct {
	noHooks
	recs  projectRecords[Survey, *Survey]
	byUID map[string]int // uuid → id
}

func (s *surveyState) init() {
	s.recs.init()
	s.byUID = map[string]int{}
}

func (s *surveyState) dropProject(_ *Tx, projectID int) {
	for _, sv := range s.recs.all(projectID, true) {
		delete(s.byUID, sv.UUID)
	}
	s.recs.dropProject(projectID)
}

// SurveyTypes are a survey's type choices.
var SurveyTypes = []any{"popover", "widget", "external_survey", "api"}

// Surveys lists the project's surveys newest first, as the list orders them without a
// search.
func (tx *Tx) Surveys(projectID int) []*Survey {
	out := tx.st.ext.surveys.recs.all(projectID, false)
	slices.Reverse(out)
	return out
}

// Survey finds the project's survey by UUID (any spelling), or nil.
func (tx *Tx) Survey(projectID int, id string) *Survey {
	s := &tx.st.ext.surveys
	return s.recs.get(projectID, s.byUID[canonicalID(id)])
}

// surveyByName finds the project's survey with exactly that name.
func (tx *Tx) surveyByName(projectID int, name string) *Survey {
	for _, sv := range tx.st.ext.surveys.recs.all(projectID, false) {
		if sv.Name == name {
			return sv
		}
	}
	return nil
}

// SurveyFlagIDs are the ids of the flags surveys made for themselves (targeting and
// internal targeting flags), which PostHog leaves out of the flag list.
func (tx *Tx) SurveyFlagIDs(projectID int) map[int]bool {
	out := map[int]bool{}
	for _, sv := range tx.st.ext.surveys.recs.all(projectID, false) {
		for _, id := range []int{sv.TargetingFlagID, sv.InternalTargetingFlagID} {
			if id != 0 {
				out[id] = true
			}
		}
	}
	return out
}

// SurveyFlag is one of the survey's flags by id (nil when 0 or gone).
func (tx *Tx) SurveyFlag(sv *Survey, id int) *FeatureFlag {
	if id == 0 {
		return nil
	}
	return tx.FeatureFlag(sv.ProjectID, id)
}

// SurveyActive is PostHog's _should_survey_flags_be_active: launched, not stopped, not
// archived.
func SurveyActive(sv *Survey) bool {
	return sv.StartDate != nil && sv.EndDate == nil && !sv.Archived
}
