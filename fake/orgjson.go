package fake

import (
	"strconv"

	"github.com/fakehog/fakehog/fake/store"
)

// The organization view encodes itself (jsonAppender): encoding/json's reflection over its
// 28 fields, its projects and its features was ~30% of a GET organization's handler
// (BENCHMARKS.md). TestAppendersMatchEncodingJSON holds these to encoding/json.

// appendJSON encodes the organization as encoding/json encodes the struct.
func (o organizationJSON) appendJSON(b []byte) ([]byte, error) {
	var err error
	b = append(b, `{"id":`...)
	if b, err = appendJSONString(b, o.ID); err != nil {
		return b, err
	}
	b = append(b, `,"name":`...)
	if b, err = appendJSONString(b, o.Name); err != nil {
		return b, err
	}
	b = append(b, `,"slug":`...)
	if b, err = appendJSONString(b, o.Slug); err != nil {
		return b, err
	}
	b = append(b, `,"logo_media_id":`...)
	if b, err = appendPtrString(b, o.LogoMediaID); err != nil {
		return b, err
	}
	b = append(b, `,"created_at":`...)
	if b, err = appendJSONString(b, o.CreatedAt); err != nil {
		return b, err
	}
	b = append(b, `,"updated_at":`...)
	if b, err = appendJSONString(b, o.UpdatedAt); err != nil {
		return b, err
	}
	b = append(b, `,"membership_level":`...)
	b = appendPtrInt(b, o.MembershipLevel)
	b = append(b, `,"plugins_access_level":`...)
	b = strconv.AppendInt(b, int64(o.PluginsAccessLevel), 10)
	b = append(b, `,"teams":`...)
	if o.Teams == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, t := range o.Teams {
			if i > 0 {
				b = append(b, ',')
			}
			if b, err = t.appendJSON(b); err != nil {
				return b, err
			}
		}
		b = append(b, ']')
	}
	b = append(b, `,"projects":`...)
	if o.Projects == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, p := range o.Projects {
			if i > 0 {
				b = append(b, ',')
			}
			if b, err = p.appendJSON(b); err != nil {
				return b, err
			}
		}
		b = append(b, ']')
	}
	b = append(b, `,"available_product_features":`...)
	if b, err = appendFeatures(b, o.AvailableProductFeatures); err != nil {
		return b, err
	}
	b = append(b, `,"is_member_join_email_enabled":`...)
	b = strconv.AppendBool(b, o.IsMemberJoinEmailEnabled)
	b = append(b, `,"metadata":`...)
	b = append(b, `{"instance_tag":`...)
	if b, err = appendJSONString(b, o.Metadata.InstanceTag); err != nil {
		return b, err
	}
	b = append(b, '}')
	b = append(b, `,"customer_id":`...)
	if b, err = appendPtrString(b, o.CustomerID); err != nil {
		return b, err
	}
	for _, f := range [...]struct {
		name string
		v    *bool
	}{{`,"enforce_2fa":`, o.Enforce2FA}, {`,"members_can_invite":`, o.MembersCanInvite}, {`,"members_can_create_projects":`, o.MembersCanCreateProjects}} {
		b = append(b, f.name...)
		b = appendPtrBool(b, f.v)
	}
	b = append(b, `,"members_can_use_personal_api_keys":`...)
	b = strconv.AppendBool(b, o.MembersCanUsePersonalAPIKeys)
	b = append(b, `,"members_can_see_org_members":`...)
	b = strconv.AppendBool(b, o.MembersCanSeeOrgMembers)
	b = append(b, `,"allow_publicly_shared_resources":`...)
	b = strconv.AppendBool(b, o.AllowPubliclySharedResources)
	b = append(b, `,"member_count":`...)
	b = strconv.AppendInt(b, int64(o.MemberCount), 10)
	b = append(b, `,"is_ai_data_processing_approved":`...)
	b = appendPtrBool(b, o.IsAIDataProcessingApproved)
	b = append(b, `,"default_experiment_stats_method":`...)
	if b, err = appendPtrString(b, o.DefaultExperimentStatsMethod); err != nil {
		return b, err
	}
	b = append(b, `,"default_anonymize_ips":`...)
	b = strconv.AppendBool(b, o.DefaultAnonymizeIPs)
	b = append(b, `,"default_role_id":`...)
	if b, err = appendPtrString(b, o.DefaultRoleID); err != nil {
		return b, err
	}
	b = append(b, `,"is_active":`...)
	b = appendPtrBool(b, o.IsActive)
	b = append(b, `,"is_not_active_reason":`...)
	if b, err = appendPtrString(b, o.IsNotActiveReason); err != nil {
		return b, err
	}
	b = append(b, `,"is_pending_deletion":`...)
	b = appendPtrBool(b, o.IsPendingDeletion)
	return append(b, '}'), nil
}

// appendJSON encodes the project reference as encoding/json encodes the struct.
func (p projectRefJSON) appendJSON(b []byte) ([]byte, error) {
	var err error
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, int64(p.ID), 10)
	b = append(b, `,"organization_id":`...)
	if b, err = appendJSONString(b, p.OrganizationID); err != nil {
		return b, err
	}
	b = append(b, `,"name":`...)
	if b, err = appendJSONString(b, p.Name); err != nil {
		return b, err
	}
	return append(b, '}'), nil
}

// appendJSON encodes the team as encoding/json encodes the struct.
func (t teamBasicJSON) appendJSON(b []byte) ([]byte, error) {
	var err error
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, int64(t.ID), 10)
	for _, f := range [...]struct{ name, v string }{{`,"uuid":`, t.UUID}, {`,"organization":`, t.Organization}} {
		b = append(b, f.name...)
		if b, err = appendJSONString(b, f.v); err != nil {
			return b, err
		}
	}
	b = append(b, `,"project_id":`...)
	b = strconv.AppendInt(b, int64(t.ProjectID), 10)
	for _, f := range [...]struct{ name, v string }{{`,"api_token":`, t.APIToken}, {`,"name":`, t.Name}} {
		b = append(b, f.name...)
		if b, err = appendJSONString(b, f.v); err != nil {
			return b, err
		}
	}
	b = append(b, `,"completed_snippet_onboarding":`...)
	b = strconv.AppendBool(b, t.CompletedSnippetOnboarding)
	b = append(b, `,"has_completed_onboarding_for":`...)
	if b, err = appendJSON(b, t.HasCompletedOnboardingFor); err != nil {
		return b, err
	}
	b = append(b, `,"ingested_event":`...)
	b = strconv.AppendBool(b, t.IngestedEvent)
	b = append(b, `,"is_demo":`...)
	b = strconv.AppendBool(b, t.IsDemo)
	b = append(b, `,"timezone":`...)
	if b, err = appendJSONString(b, t.Timezone); err != nil {
		return b, err
	}
	b = append(b, `,"access_control":`...)
	b = strconv.AppendBool(b, t.AccessControl)
	return append(b, '}'), nil
}

// appendFeatures encodes a list of store.Feature as encoding/json does (limit and unit
// are omitempty).
func appendFeatures(b []byte, fs []store.Feature) ([]byte, error) {
	if fs == nil {
		return append(b, "null"...), nil
	}
	var err error
	b = append(b, '[')
	for i, f := range fs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"key":`...)
		if b, err = appendJSONString(b, f.Key); err != nil {
			return b, err
		}
		b = append(b, `,"name":`...)
		if b, err = appendJSONString(b, f.Name); err != nil {
			return b, err
		}
		if f.Limit != nil {
			b = append(b, `,"limit":`...)
			b = strconv.AppendInt(b, int64(*f.Limit), 10)
		}
		if f.Unit != "" {
			b = append(b, `,"unit":`...)
			if b, err = appendJSONString(b, f.Unit); err != nil {
				return b, err
			}
		}
		b = append(b, '}')
	}
	return append(b, ']'), nil
}

// appendPtrBool writes a *bool field's value.
func appendPtrBool(b []byte, v *bool) []byte {
	if v == nil {
		return append(b, "null"...)
	}
	return strconv.AppendBool(b, *v)
}

// appendPtrInt writes a *int field's value.
func appendPtrInt(b []byte, v *int) []byte {
	if v == nil {
		return append(b, "null"...)
	}
	return strconv.AppendInt(b, int64(*v), 10)
}
