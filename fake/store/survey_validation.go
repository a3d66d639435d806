package store

// The survey serializer's checks of a body (SurveySerializerCreateUpdateOnly): its fields,
// validate_questions, validate_appearance, validate_conditions, validate_schedule,
// validate_base_language, validate_translations and validate, in PostHog's order.

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/tidwall/gjson"
)

// SurveyFields are the writable fields of a survey.
var SurveyFields = Fields{
	{Name: "name", Kind: String, Required: true, MaxLen: 400},
	{Name: "description", Kind: String, AllowBlank: true},
	{Name: "type", Kind: Choice, Required: true, Choices: SurveyTypes},
	{Name: "schedule", Kind: String, Nullable: true, AllowBlank: true, MaxLen: 40, Check: checkSurveySchedule},
	{Name: "linked_flag_id", Kind: Int, Nullable: true},
	{Name: "linked_insight_id", Kind: Int, Nullable: true},
	{Name: "targeting_flag_id", Kind: Int},
	{Name: "targeting_flag_filters", Kind: JSON, Nullable: true},
	{Name: "remove_targeting_flag", Kind: Bool, Nullable: true},
	{Name: "questions", Kind: JSON, Nullable: true},
	{Name: "conditions", Kind: JSON, Nullable: true},
	{Name: "appearance", Kind: JSON, Nullable: true},
	{Name: "start_date", Kind: DateTime, Nullable: true},
	{Name: "end_date", Kind: DateTime, Nullable: true},
	{Name: "archived", Kind: Bool},
	{Name: "responses_limit", Kind: Int, Nullable: true, Min: IntP(0), Max: IntP(2147483647)},
	{Name: "iteration_count", Kind: Int, Nullable: true, Min: IntP(0), Max: IntP(500)},
	{Name: "iteration_frequency_days", Kind: Int, Nullable: true, Min: IntP(0), Max: IntP(2147483647)},
	{Name: "current_iteration", Kind: Int, Nullable: true, Min: IntP(0), Max: IntP(2147483647)},
	{Name: "current_iteration_start_date", Kind: DateTime, Nullable: true},
	{Name: "response_sampling_start_date", Kind: DateTime, Nullable: true},
	{Name: "response_sampling_interval_type", Kind: Choice, Nullable: true, AllowBlank: true, Choices: []any{"day", "week", "month"}},
	{Name: "response_sampling_interval", Kind: Int, Nullable: true, Min: IntP(0), Max: IntP(2147483647)},
	{Name: "response_sampling_limit", Kind: Int, Nullable: true, Min: IntP(0), Max: IntP(2147483647)},
	{Name: "response_sampling_daily_limits", Kind: JSON, Nullable: true},
	{Name: "enable_partial_responses", Kind: Bool, Nullable: true},
	{Name: "enable_iframe_embedding", Kind: Bool, Nullable: true},
	{Name: "base_language", Kind: String, AllowBlank: true, Nullable: true, MaxLen: 20},
	{Name: "translations", Kind: JSON, Nullable: true},
	{Name: "form_content", Kind: JSON, Nullable: true},
}

// Messages of the survey rules.
const (
	MsgSurveyNameTaken        = "There is already a survey with this name."
	MsgSurveyNameTakenOther   = "There is already another survey with this name."
	MsgSurveyFlagMissing      = "Feature Flag with this ID does not exist"
	MsgSurveyTargetingMissing = "Targeting Feature Flag with this ID does not exist"
	MsgSurveyInsightMissing   = "Insight with this ID does not exist"
	MsgSurveyFullRollout      = "Invalid operation: User targeting rolls out to everyone. If you want to roll out to everyone, delete this targeting"
	MsgSurveyShuffleBranching = "Question shuffling and question branching cannot be used together. Please disable one of these features."
)

func checkSurveySchedule(v any) *Error {
	if s, _ := v.(string); !slices.Contains([]string{"once", "recurring", "always"}, s) {
		return FieldError("schedule", "invalid_input", "Schedule must be one of: once, recurring, always")
	}
	return nil
}

var (
	reSurveyMailto   = regexp.MustCompile(`^mailto:[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\.[a-zA-Z]{2,}$`)
	reLanguageCode   = regexp.MustCompile(`^[a-z]{2,3}(-[a-z0-9]{2,8}){0,3}$`)
	rejectedLanguage = []string{"default", "original", "base"}
)

func normalizeLanguage(s string) string {
	return strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), "_", "-")
}

// checkSurveyLink is _validate_and_sanitize_link (without the HTML sanitizing).
func checkSurveyLink(link string) *Error {
	u, err := url.Parse(link)
	scheme := ""
	if err == nil {
		scheme = strings.ToLower(u.Scheme)
	}
	switch scheme {
	case "mailto":
		if !reSurveyMailto.MatchString(link) {
			return FieldError("questions", "invalid_input", "Invalid mailto link. Please enter a valid mailto link (e.g., mailto:example@domain.com).")
		}
	case "https":
		if u.Host == "" {
			return FieldError("questions", "invalid_input", "Invalid HTTPS URL. Please enter a valid HTTPS link.")
		}
	default:
		return FieldError("questions", "invalid_input", "Link must be a URL with one of these schemes: [https, mailto]")
	}
	return nil
}

func questionsErr(detail string) *Error { return FieldError("questions", "invalid_input", detail) }

// checkSurveyQuestions is validate_questions: a list of objects, each with a question text,
// string fields that are strings, choices that are non-blank strings, safe links, a known
// description content type, and open-question validation rules.
func checkSurveyQuestions(v any) ([]any, *Error) {
	if v == nil {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, questionsErr("Questions must be a list of objects")
	}
	out := make([]any, 0, len(list))
	for i, raw := range list {
		q, ok := raw.(map[string]any)
		if !ok {
			return nil, questionsErr("Questions must be a list of objects")
		}
		text, present := q["question"]
		if !present || text == nil || text == "" || text == false || text == float64(0) {
			return nil, questionsErr("Question text is required")
		}
		if _, ok := text.(string); !ok {
			return nil, questionsErr("Question text must be a string")
		}
		for _, f := range []string{"description", "buttonText", "lowerBoundLabel", "upperBoundLabel"} {
			if val, ok := q[f]; ok && pyTruthy(val) {
				if _, isStr := val.(string); !isStr {
					return nil, questionsErr("Question " + f + " must be a string")
				}
			}
		}
		if ch, ok := q["choices"]; ok && pyTruthy(ch) {
			choices, isList := ch.([]any)
			if !isList {
				return nil, questionsErr("Question choices must be a list of strings")
			}
			for _, c := range choices {
				s, isStr := c.(string)
				if !isStr {
					return nil, questionsErr("Question choices must be strings")
				}
				if strings.TrimSpace(s) == "" {
					return nil, questionsErr("Question choices cannot be empty")
				}
			}
		}
		if ct, ok := q["descriptionContentType"]; ok && pyTruthy(ct) && ct != "text" && ct != "html" {
			return nil, questionsErr("Question descriptionContentType must be one of ['text', 'html']")
		}
		if link, ok := q["link"]; ok && pyTruthy(link) {
			s, isStr := link.(string)
			if !isStr {
				return nil, questionsErr(fmt.Sprintf("Question %d: link must be a string", i+1))
			}
			if err := checkSurveyLink(s); err != nil {
				return nil, err
			}
		}
		if err := checkQuestionValidation(q["validation"]); err != nil {
			return nil, err
		}
		out = append(out, q)
	}
	return out, nil
}

func checkQuestionValidation(v any) *Error {
	if v == nil {
		return nil
	}
	rules, ok := v.([]any)
	if !ok {
		return questionsErr("Question validation must be a list of validation rules")
	}
	var minV, maxV *float64
	for _, r := range rules {
		rule, ok := r.(map[string]any)
		if !ok {
			return questionsErr("Each validation rule must be an object")
		}
		typ, _ := rule["type"].(string)
		if !slices.Contains([]string{"min_length", "max_length", "email"}, typ) {
			return questionsErr("Validation rule type must be one of: min_length, max_length, email")
		}
		if typ == "email" || rule["value"] == nil {
			continue
		}
		n, isNum := rule["value"].(float64)
		if !isNum || n != float64(int(n)) || n <= 0 {
			return questionsErr("Validation rule value for " + typ + " must be a positive integer")
		}
		if typ == "min_length" && minV == nil {
			minV = &n
		}
		if typ == "max_length" && maxV == nil {
			maxV = &n
		}
	}
	if minV != nil && maxV != nil && *minV > *maxV {
		return questionsErr("Minimum length cannot be greater than maximum length")
	}
	return nil
}

// checkSurveyAppearance is validate_appearance.
func (tx *Tx) checkSurveyAppearance(orgID string, v any) (map[string]any, *Error) {
	if v == nil {
		return nil, nil
	}
	a, ok := v.(map[string]any)
	if !ok {
		return nil, FieldError("appearance", "invalid_input", "Appearance must be an object")
	}
	if ct, ok := a["thankYouMessageDescriptionContentType"]; ok && pyTruthy(ct) && ct != "text" && ct != "html" {
		return nil, FieldError("appearance", "invalid_input", "thankYouMessageDescriptionContentType must be one of ['text', 'html']")
	}
	if d, ok := a["surveyPopupDelaySeconds"].(float64); ok && d < 0 {
		return nil, FieldError("appearance", "invalid_input", "Survey popup delay seconds must be a positive integer")
	}
	if wl, ok := a["whiteLabel"]; ok && wl != nil {
		b, isBool := wl.(bool)
		if !isBool {
			return nil, FieldError("appearance", "invalid_input", "whiteLabel must be a boolean")
		}
		if org := tx.Org(orgID); b && org != nil {
			if _, ok := org.Feature("white_labelling"); !ok {
				return nil, FieldError("appearance", "invalid_input", "You need to upgrade to PostHog Enterprise to use white labelling")
			}
		}
	}
	return a, nil
}

// checkSurveyTranslations is validate_translations (keys already on the survey are kept
// as they are).
func checkSurveyTranslations(v any, base string, existing map[string]any) (map[string]any, *Error) {
	if v == nil {
		return nil, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, FieldError("translations", "invalid_input", "Translations must be an object")
	}
	out := map[string]any{}
	for _, key := range sortedKeys(m) {
		data, ok := m[key].(map[string]any)
		if !ok {
			return nil, FieldError("translations", "invalid_input", fmt.Sprintf("Translation for '%s' must be an object", key))
		}
		clean := map[string]any{}
		for _, f := range []string{"name", "description", "thankYouMessageHeader", "thankYouMessageDescription", "thankYouMessageCloseButtonText"} {
			if val, ok := data[f]; ok {
				if _, isStr := val.(string); !isStr {
					return nil, FieldError("translations", "invalid_input", fmt.Sprintf("Translation for '%s': '%s' must be a string", key, f))
				}
				clean[f] = val
			}
		}
		if len(clean) == 0 {
			continue
		}
		if _, old := existing[key]; old {
			out[key] = clean
			continue
		}
		norm := normalizeLanguage(key)
		ctx := "Survey translation"
		switch {
		case norm == "":
			return nil, FieldError("translations", "invalid_input", ctx+": translation language code cannot be empty.")
		case slices.Contains(rejectedLanguage, norm):
			return nil, FieldError("translations", "invalid_input", fmt.Sprintf("%s: '%s' is not a valid translation language. The untranslated text is the original — set the survey's base language instead of adding it as a translation.", ctx, key))
		case !reLanguageCode.MatchString(norm):
			return nil, FieldError("translations", "invalid_input", fmt.Sprintf("%s: '%s' is not a valid language code. Use BCP-47 codes like 'en', 'es', or 'es-MX' (not language names like 'english').", ctx, key))
		case norm == base:
			return nil, FieldError("translations", "invalid_input", fmt.Sprintf("%s: '%s' matches the survey's base language ('%s'). The original text already covers this language — translate to a different language.", ctx, key, base))
		}
		if _, dup := out[norm]; dup {
			return nil, FieldError("translations", "invalid_input", fmt.Sprintf("%s: '%s' collides with another translation for '%s'.", ctx, key, norm))
		}
		out[norm] = clean
	}
	return out, nil
}

// SurveyInput is a checked survey body.
type SurveyInput struct {
	Vals         Values
	Questions    []any
	Appearance   map[string]any
	Translations map[string]any
	BaseLanguage string
	// TargetingFilters are targeting_flag_filters when truthy (nil otherwise).
	TargetingFilters map[string]any
}

// ParseSurveyInput validates a survey body for a create (sv nil) or an update of sv, with
// every rule of the serializer, before anything is changed.
func (tx *Tx) ParseSurveyInput(p *Project, sv *Survey, body gjson.Result, mode Mode) (SurveyInput, *Error) {
	vals, err := SurveyFields.Validate(body, mode)
	if err != nil {
		return SurveyInput{}, err
	}
	in := SurveyInput{Vals: vals}
	base := "en"
	if sv != nil && sv.BaseLanguage != "" {
		base = sv.BaseLanguage
	}
	if vals.Has("base_language") {
		if b := vals.Str("base_language"); strings.TrimSpace(b) != "" {
			norm := normalizeLanguage(b)
			if slices.Contains(rejectedLanguage, norm) {
				return in, FieldError("base_language", "invalid_input", fmt.Sprintf("'%s' is not a valid language code. Use a BCP-47 code like 'en' or 'es'.", b))
			}
			if !reLanguageCode.MatchString(norm) {
				return in, FieldError("base_language", "invalid_input", fmt.Sprintf("'%s' is not a valid language code. Use BCP-47 codes like 'en', 'es', or 'es-MX'.", b))
			}
			base = norm
		} else {
			base = "en"
		}
	}
	in.BaseLanguage = base
	if vals.Has("questions") {
		if in.Questions, err = checkSurveyQuestions(vals["questions"]); err != nil {
			return in, err
		}
	}
	if vals.Has("conditions") && vals["conditions"] != nil {
		if _, ok := vals["conditions"].(map[string]any); !ok {
			return in, FieldError("conditions", "invalid_input", "Conditions must be an object")
		}
	}
	if vals.Has("appearance") {
		if in.Appearance, err = tx.checkSurveyAppearance(p.OrgID, vals["appearance"]); err != nil {
			return in, err
		}
	}
	if vals.Has("translations") {
		var existing map[string]any
		if sv != nil {
			existing = sv.Translations
		}
		if in.Translations, err = checkSurveyTranslations(vals["translations"], base, existing); err != nil {
			return in, err
		}
	}
	if err := tx.checkSurveyRefs(p, sv, &in); err != nil {
		return in, err
	}
	return in, nil
}

// checkSurveyRefs is the serializer's validate: the flags and insight it names, the linked
// flag's variant, the name's uniqueness, targeting that would reach everyone, response
// sampling, shuffling with branching, external survey limits and the base language.
func (tx *Tx) checkSurveyRefs(p *Project, sv *Survey, in *SurveyInput) *Error {
	vals := in.Vals
	var linked *FeatureFlag
	if id := vals.Int("linked_flag_id"); id != 0 {
		if linked = tx.FeatureFlag(p.ID, id); linked == nil {
			return Invalid(MsgSurveyFlagMissing)
		}
	}
	if id := vals.Int("targeting_flag_id"); id != 0 && tx.FeatureFlag(p.ID, id) == nil {
		return Invalid(MsgSurveyTargetingMissing)
	}
	if vals.Int("linked_insight_id") != 0 {
		// fakehog's projects hold no insights this survey could point at yet.
		return Invalid(MsgSurveyInsightMissing)
	}
	conditions, _ := vals["conditions"].(map[string]any)
	if variant, _ := conditions["linkedFlagVariant"].(string); variant != "" {
		switch {
		case linked != nil && variant != "any":
			keys := flagVariantKeys(linked)
			if !slices.Contains(keys, variant) {
				if len(keys) > 0 {
					return Invalid(fmt.Sprintf("Feature flag variant '%s' does not exist. Available variants: %s", variant, strings.Join(keys, ", ")))
				}
				return Invalid(fmt.Sprintf("Feature flag variant '%s' specified but the linked feature flag has no variants", variant))
			}
		case vals.Int("linked_flag_id") == 0:
			return Invalid("linkedFlagVariant can only be used when a linked_flag_id is specified")
		}
	}
	if sv == nil {
		if vals.Has("name") && tx.surveyByName(p.ID, vals.Str("name")) != nil {
			return InvalidCode("unique", MsgSurveyNameTaken)
		}
	} else if vals.Has("name") && vals.Str("name") != sv.Name {
		if other := tx.surveyByName(p.ID, vals.Str("name")); other != nil && other != sv {
			return InvalidCode("unique", MsgSurveyNameTakenOther)
		}
	}
	if tf := vals["targeting_flag_filters"]; pyTruthy(tf) {
		filters, ok := tf.(map[string]any)
		if !ok {
			return FieldError("targeting_flag_filters", "invalid_input", "Targeting flag filters must be an object")
		}
		groups, _ := filters["groups"].([]any)
		for _, g := range groups {
			gm, _ := g.(map[string]any)
			props, _ := gm["properties"].([]any)
			rollout, has := gm["rollout_percentage"]
			if (!has || rollout == nil || rollout == float64(100) || rollout == 100) && len(props) == 0 {
				return Invalid(MsgSurveyFullRollout)
			}
		}
		in.TargetingFilters = filters
	}
	if t, ok := vals["response_sampling_start_date"].(time.Time); ok {
		today := tx.now.UTC().Truncate(24 * time.Hour)
		if t.Before(today) {
			return FieldError("response_sampling_start_date", "invalid_input", fmt.Sprintf("Response sampling start date must be today or a future date in UTC. Got %s when current time is %s",
				pyDateTime(t), pyDateTime(today)))
		}
	}
	interval, hasInterval := vals["response_sampling_interval"].(int)
	if hasInterval && interval <= 0 {
		return FieldError("response_sampling_interval", "invalid_input", "Response sampling interval must be greater than 0.")
	}
	if limit, ok := vals["response_sampling_limit"].(int); ok && limit > 0 && hasInterval && interval > 0 && vals["response_sampling_start_date"] == nil {
		return FieldError("response_sampling_start_date", "invalid_input", "Response sampling start date should be set if response_sampling_start_date is not zero.")
	}
	appearance := map[string]any{}
	if sv != nil {
		for k, v := range sv.Appearance {
			appearance[k] = v
		}
	}
	for k, v := range in.Appearance {
		appearance[k] = v
	}
	questions := in.Questions
	if !vals.Has("questions") && sv != nil {
		questions = sv.Questions
	}
	if pyTruthy(appearance["shuffleQuestions"]) {
		for _, q := range questions {
			if qm, _ := q.(map[string]any); qm["branching"] != nil {
				return Invalid(MsgSurveyShuffleBranching)
			}
		}
	}
	if vals.Str("type") == "external_survey" {
		for _, f := range []string{"linked_flag_id", "targeting_flag_filters"} {
			if vals[f] != nil {
				return FieldError(f, "invalid_input", f+" is not allowed for external surveys")
			}
		}
		var bad []string
		for _, f := range []string{"url", "urlMatchType", "selector", "seenSurveyWaitPeriodInDays", "linkedFlagVariant", "deviceTypes", "deviceTypesMatchType"} {
			if v, ok := conditions[f]; ok && v != nil {
				bad = append(bad, f)
			}
		}
		for _, f := range []string{"actions", "events"} {
			if m, ok := conditions[f].(map[string]any); ok && pyTruthy(m["values"]) {
				bad = append(bad, f)
			}
		}
		if len(bad) > 0 {
			return FieldError("conditions", "invalid_input", "The following condition fields are not allowed for external surveys: "+strings.Join(bad, ", "))
		}
		if d, ok := in.Appearance["surveyPopupDelaySeconds"]; ok && d != nil {
			return FieldError("appearance", "invalid_input", "surveyPopupDelaySeconds is not allowed for external surveys")
		}
	}
	if b := vals.Str("base_language"); b != "" && !vals.Has("translations") && sv != nil {
		for k := range sv.Translations {
			if normalizeLanguage(k) == normalizeLanguage(b) {
				return FieldError("base_language", "invalid_input", fmt.Sprintf("'%s' already exists as a translation key on this survey. Remove the translation first, or pick a different base language.", b))
			}
		}
	}
	if sv != nil {
		if n, ok := vals["iteration_count"].(int); ok && sv.CurrentIteration != nil && *sv.CurrentIteration > n && n > 0 {
			return Invalid(fmt.Sprintf("Cannot change survey recurrence to %d, should be at least %d", n, *sv.CurrentIteration))
		}
	}
	if in.TargetingFilters != nil {
		// The flag the filters make (or update) must pass the flag serializer's rules.
		if _, err := (flagFilterCheck{tx: tx, projectID: p.ID, key: "survey-targeting", create: true}).checkFilters(cloneJSONMap(in.TargetingFilters)); err != nil {
			return err
		}
	}
	return nil
}

// flagVariantKeys are a flag's multivariate variant keys.
func flagVariantKeys(f *FeatureFlag) []string {
	var out []string
	mv, _ := f.Filters["multivariate"].(map[string]any)
	vs, _ := mv["variants"].([]any)
	for _, v := range vs {
		if m, ok := v.(map[string]any); ok {
			if k, ok := m["key"].(string); ok {
				out = append(out, k)
			}
		}
	}
	return out
}

// pyDateTime renders a UTC time as Python's str(datetime) with its zone.
func pyDateTime(t time.Time) string {
	s := t.UTC().Format("2006-01-02 15:04:05")
	if us := t.Nanosecond() / 1000; us != 0 {
		s += fmt.Sprintf(".%06d", us)
	}
	return s + "+00:00"
}
