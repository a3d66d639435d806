package store

// Personal API keys through the API: the scope rules, the field rules and the operations
// (create, update, roll, delete).

import (
	"fmt"
	"sort"
	"strings"
)

// MaxAPIKeysPerUser is PostHog's limit of personal API keys per user.
const MaxAPIKeysPerUser = 10

// apiScopeObjectList is PostHog's API_SCOPE_OBJECTS (posthog/scopes.py), in its order.
var apiScopeObjectList = strings.Fields(`action access_control account activity_log alert annotation approvals
		batch_export batch_import batch_import_support billing business_knowledge canvas clickhouse_test_cluster_perf
		cohort comment conversation customer_analytics customer_task customer_journey customer_profile_config
		data_catalog data_catalog_approval dashboard event_filter dashboard_template dataset early_access_feature
		endpoint engineering_analytics error_tracking evaluation element event_definition experiment
		experiment_holdout experiment_saved_metric export external_data_schema external_data_source feature_flag
		file_system file_system_shortcut group health_issue heatmap hog_flow hog_function ingestion_warning insight
		insight_variable integration interactive_run internal_run legal_document link live_debugger llm_analytics
		ai_observability_clusters llm_gateway llm_playground llm_prompt llm_provider_key llm_skill logs loop
		loop_context_internal marketing_analytics mcp_builtin_agent mcp_analytics metrics notebook organization
		organization_integration organization_member person plugin product_enablement product_tour project
		property_definition query query_performance replay_scanner review_hog revenue_analytics session_recording
		session_recording_playlist sharing_configuration signal_scout signal_scout_internal signal_scout_report
		signal_scratchpad_internal stamphog streamlit_app subscription survey tagger ticket task toolbar tracing
		field_note uploaded_media usage_metric user user_interview vision_action vision_alert visual_review
		warehouse_objects warehouse_table warehouse_view web_analytics webhook wizard_session`)

// scopeObjects are the API_SCOPE_OBJECTS a key may be scoped to.
var scopeObjects = func() map[string]bool {
	out := map[string]bool{}
	for _, s := range apiScopeObjectList {
		out[s] = true
	}
	return out
}()

func checkScopes(v any) *Error {
	for _, x := range v.([]any) {
		s, ok := x.(string)
		if !ok {
			return Invalid(MsgInvalidString)
		}
		if s == "*" {
			continue
		}
		if !ValidScope(s) {
			return Invalid(fmt.Sprintf("Invalid scope: %s", s))
		}
	}
	return nil
}

func checkIntList(v any) *Error {
	for _, x := range v.([]any) {
		f, ok := x.(float64)
		if !ok || f != float64(int(f)) {
			return Invalid("A valid integer is required.")
		}
	}
	return nil
}

func checkStrList(v any) *Error {
	for _, x := range v.([]any) {
		if _, ok := x.(string); !ok {
			return Invalid(MsgInvalidString)
		}
	}
	return nil
}

// PersonalAPIKeyFields are the writable fields of PostHog's PersonalAPIKeySerializer.
var PersonalAPIKeyFields = Fields{
	{Name: "label", Kind: String, Required: true, MaxLen: 40},
	{Name: "scopes", Kind: List, Required: true, Check: checkScopes},
	{Name: "scoped_teams", Kind: List, Check: checkIntList},
	{Name: "scoped_organizations", Kind: List, Check: checkStrList},
}

// APIKeysNewestFirst lists a user's keys newest first (PostHog's order_by("-created_at")).
func (tx *Tx) APIKeysNewestFirst(userID int) []*PersonalAPIKey {
	list := tx.st.keysByUser[userID]
	out := make([]*PersonalAPIKey, 0, len(list))
	for i := len(list) - 1; i >= 0; i-- {
		out = append(out, list[i])
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].CreatedAt.After(out[j].CreatedAt) })
	return out
}

// APIKeyOfUser finds one of the user's keys by id (nil when it is not theirs or unknown).
func (tx *Tx) APIKeyOfUser(userID int, id string) *PersonalAPIKey {
	for _, k := range tx.st.keysByUser[userID] {
		if strings.EqualFold(k.ID, id) {
			return k
		}
	}
	return nil
}

// checkKeyScoping is the serializer's validate_scoped_teams / validate_scoped_organizations:
// the user must belong to every organization and project the key is scoped to.
func (tx *Tx) checkKeyScoping(u *User, vals Values) ([]int, []string, bool, bool, error) {
	var teams []int
	var orgs []string
	hasTeams, hasOrgs := vals.Has("scoped_teams"), vals.Has("scoped_organizations")
	if list, ok := vals["scoped_teams"].([]any); ok {
		for _, x := range list {
			id := int(x.(float64))
			p := tx.st.projects[id]
			if p == nil || tx.Membership(p.OrgID, u.ID) == nil {
				return nil, nil, false, false, FieldError("scoped_teams", "invalid", "You must be a member of all teams that you are scoping the key to.")
			}
			teams = append(teams, id)
		}
	}
	if list, ok := vals["scoped_organizations"].([]any); ok {
		for _, x := range list {
			s := x.(string)
			canon, ok := CanonicalUUID(s)
			if !ok {
				return nil, nil, false, false, FieldError("scoped_organizations", "invalid", "Invalid organization UUID")
			}
			o := tx.st.orgs[canon]
			if o == nil || tx.Membership(o.ID, u.ID) == nil {
				return nil, nil, false, false, FieldError("scoped_organizations", "invalid", "You must be a member of all organizations that you are scoping the key to.")
			}
			orgs = append(orgs, s)
		}
	}
	return teams, orgs, hasTeams, hasOrgs, nil
}

func keyStrings(list []any) []string {
	out := make([]string, 0, len(list))
	for _, x := range list {
		out = append(out, x.(string))
	}
	return out
}

// CreateOwnAPIKey is POST /api/personal_api_keys/: a key for the calling user from validated
// fields, refused past MaxAPIKeysPerUser. It returns the key and its value (shown once).
func (tx *Tx) CreateOwnAPIKey(u *User, vals Values) (*PersonalAPIKey, string, error) {
	teams, orgs, _, _, err := tx.checkKeyScoping(u, vals)
	if err != nil {
		return nil, "", err
	}
	if len(tx.st.keysByUser[u.ID]) >= MaxAPIKeysPerUser {
		return nil, "", Invalid(fmt.Sprintf("You can only have %d personal API keys. Remove an existing key before creating a new one.", MaxAPIKeysPerUser))
	}
	scopes, _ := vals["scopes"].([]any)
	return tx.CreatePersonalAPIKey(u.ID, NewAPIKey{Label: vals.Str("label"), Scopes: keyStrings(scopes), ScopedTeams: teams, ScopedOrganizations: orgs})
}

// UpdateAPIKey applies a validated PATCH/PUT body to one of the user's keys.
func (tx *Tx) UpdateAPIKey(u *User, k *PersonalAPIKey, vals Values) error {
	teams, orgs, hasTeams, hasOrgs, err := tx.checkKeyScoping(u, vals)
	if err != nil {
		return err
	}
	if vals.Has("label") {
		k.Label = vals.Str("label")
	}
	if scopes, ok := vals["scopes"].([]any); ok {
		k.Scopes = keyStrings(scopes)
	}
	if hasTeams {
		k.ScopedTeams = teams
	}
	if hasOrgs {
		k.ScopedOrganizations = orgs
	}
	return nil
}

// DeleteAPIKey removes a key: it no longer authenticates.
func (tx *Tx) DeleteAPIKey(k *PersonalAPIKey) {
	delete(tx.st.keys, k.SecureValue)
	list := tx.st.keysByUser[k.UserID]
	out := list[:0:0]
	for _, x := range list {
		if x != k {
			out = append(out, x)
		}
	}
	tx.st.keysByUser[k.UserID] = out
}

// RollAPIKey gives a key a new value (returned, shown once); the old value stops working.
func (tx *Tx) RollAPIKey(k *PersonalAPIKey) string {
	value := "phx_" + tx.RandomToken(35)
	delete(tx.st.keys, k.SecureValue)
	k.SecureValue = hashSecret(value)
	k.MaskValue = MaskValue(value)
	t := tx.now
	k.LastRolledAt = &t
	tx.st.keys[k.SecureValue] = k
	return value
}
