package fake

import (
	"strings"

	"github.com/fakehog/fakehog/fake/store"
)

// Users: GET/PATCH /api/users/{uuid}/ where {uuid} is @me or the caller's own uuid (PostHog's
// UserViewSet shows a non-staff user only themselves). PATCH set_current_organization and
// set_current_team switch what @current means for this user, and for no one else.

// organizationBasicJSON is PostHog's OrganizationBasic (an entry of User.organizations).
type organizationBasicJSON struct {
	ID                           string  `json:"id"`
	Name                         string  `json:"name"`
	Slug                         string  `json:"slug"`
	LogoMediaID                  *string `json:"logo_media_id"`
	MembershipLevel              *int    `json:"membership_level"`
	MembersCanUsePersonalAPIKeys bool    `json:"members_can_use_personal_api_keys"`
}

// userView renders PostHog's UserSerializer for the user themselves. Settings fakehog does
// not model (notification settings, theme, toolbar, 2FA devices…) answer PostHog's defaults.
func userView(tx *store.Tx, u *store.User) map[string]any {
	orgs := []organizationBasicJSON{}
	for _, o := range tx.OrgsOfUser(u.ID) {
		ob := organizationBasicJSON{ID: o.ID, Name: o.Name, Slug: o.Slug, LogoMediaID: o.LogoMediaID,
			MembersCanUsePersonalAPIKeys: o.MembersCanUsePersonalAPIKeys}
		if m := tx.Membership(o.ID, u.ID); m != nil {
			lvl := m.Level
			ob.MembershipLevel = &lvl
		}
		orgs = append(orgs, ob)
	}
	var org, team any
	if o := tx.Org(u.CurrentOrgID); o != nil && tx.Membership(o.ID, u.ID) != nil {
		org = organizationView(tx, o, u)
		if p := tx.Project(o.ID, u.CurrentTeamID); p != nil {
			team = teamBasic(p)
		}
	}
	var role any
	if u.RoleAtOrganization != "" {
		role = u.RoleAtOrganization
	}
	return map[string]any{
		"date_joined": isoTime(u.DateJoined), "uuid": u.UUID, "distinct_id": u.DistinctID,
		"first_name": u.FirstName, "last_name": u.LastName, "email": u.Email, "pending_email": nil,
		"is_email_verified": u.IsEmailVerified, "notification_settings": map[string]any{}, "anonymize_data": false,
		"allow_impersonation": true, "toolbar_mode": "toolbar", "has_password": true, "id": u.ID, "is_staff": false,
		"is_impersonated": false, "is_impersonated_until": nil, "is_impersonated_read_only": false,
		"is_impersonated_reason": nil, "sensitive_session_expires_at": nil, "fresh_reauth_expires_at": nil,
		"team": team, "organization": org, "organizations": orgs,
		"events_column_config": map[string]any{"active": "DEFAULT"}, "is_2fa_enabled": u.Is2FAEnabled,
		"has_social_auth": u.HasSocialAuth, "has_sso_enforcement": false, "has_seen_product_intro_for": nil,
		"scene_personalisation": []any{}, "theme_mode": nil, "hedgehog_config": nil,
		"allow_sidebar_suggestions": nil, "shortcut_position": nil, "role_at_organization": role,
		"passkeys_enabled_for_2fa": false, "hide_mcp_hints": false, "ui_configuration": nil, "pending_invites": []any{},
	}
}

// targetUser resolves {uuid}: @me or the caller's own uuid; anyone else does not exist for
// the caller.
func (c *call) targetUser() (*store.User, error) {
	id := c.vars["uuid"]
	if id == "@me" || strings.EqualFold(id, c.user.UUID) {
		return c.user, nil
	}
	return nil, store.ErrNotFound()
}

func (s *Server) getUser(c *call) (any, error) {
	u, err := c.targetUser()
	if err != nil {
		return nil, err
	}
	return userView(c.tx, u), nil
}

// userFields are the PATCH fields fakehog models (others are accepted and ignored).
var userFields = store.Fields{
	{Name: "first_name", Kind: store.String, MaxLen: 150, AllowBlank: true},
	{Name: "last_name", Kind: store.String, MaxLen: 150, AllowBlank: true},
	{Name: "role_at_organization", Kind: store.Choice, Choices: []any{"engineering", "data", "product", "founder", "leadership", "marketing", "sales", "other"}},
	{Name: "set_current_organization", Kind: store.String},
	{Name: "set_current_team", Kind: store.String},
}

func (s *Server) updateUser(c *call) (any, error) {
	u, err := c.targetUser()
	if err != nil {
		return nil, err
	}
	vals, err := c.validateAs(userFields, store.Patch)
	if err != nil {
		return nil, err
	}
	// Validate both targets before changing anything.
	var org *store.Organization
	var team *store.Project
	if vals.Has("set_current_organization") {
		if org, err = c.tx.CheckCurrentOrganization(u, vals.Str("set_current_organization")); err != nil {
			return nil, err
		}
	}
	if vals.Has("set_current_team") {
		if team, err = c.tx.CheckCurrentTeam(u, vals.Str("set_current_team")); err != nil {
			return nil, err
		}
	}
	c.tx.SetUserNames(u, vals)
	if org != nil {
		c.tx.SetCurrentOrganization(u, org)
	}
	if team != nil {
		c.tx.SetCurrentTeam(u, team)
	}
	return userView(c.tx, u), nil
}
