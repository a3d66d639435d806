package fake

// Organizations over HTTP: their JSON view and the list, create, retrieve, update, delete and
// environments-rollback handlers.

import (
	"strconv"

	"github.com/fakehog/fakehog/fake/store"
)

// organizationJSON is PostHog's Organization.
type organizationJSON struct {
	ID                           string           `json:"id"`
	Name                         string           `json:"name"`
	Slug                         string           `json:"slug"`
	LogoMediaID                  *string          `json:"logo_media_id"`
	CreatedAt                    string           `json:"created_at"`
	UpdatedAt                    string           `json:"updated_at"`
	MembershipLevel              *int             `json:"membership_level"`
	PluginsAccessLevel           int              `json:"plugins_access_level"`
	Teams                        []teamBasicJSON  `json:"teams"`
	Projects                     []projectRefJSON `json:"projects"`
	AvailableProductFeatures     []store.Feature  `json:"available_product_features"`
	IsMemberJoinEmailEnabled     bool             `json:"is_member_join_email_enabled"`
	Metadata                     orgMetadataJSON  `json:"metadata"`
	CustomerID                   *string          `json:"customer_id"`
	Enforce2FA                   *bool            `json:"enforce_2fa"`
	MembersCanInvite             *bool            `json:"members_can_invite"`
	MembersCanCreateProjects     *bool            `json:"members_can_create_projects"`
	MembersCanUsePersonalAPIKeys bool             `json:"members_can_use_personal_api_keys"`
	MembersCanSeeOrgMembers      bool             `json:"members_can_see_org_members"`
	AllowPubliclySharedResources bool             `json:"allow_publicly_shared_resources"`
	MemberCount                  int              `json:"member_count"`
	IsAIDataProcessingApproved   *bool            `json:"is_ai_data_processing_approved"`
	DefaultExperimentStatsMethod *string          `json:"default_experiment_stats_method"`
	DefaultAnonymizeIPs          bool             `json:"default_anonymize_ips"`
	DefaultRoleID                *string          `json:"default_role_id"`
	IsActive                     *bool            `json:"is_active"`
	IsNotActiveReason            *string          `json:"is_not_active_reason"`
	IsPendingDeletion            *bool            `json:"is_pending_deletion"`
}

// orgMetadataJSON is Organization.metadata (a struct rather than a map: one allocation
// less per organization rendered, the same bytes).
type orgMetadataJSON struct {
	InstanceTag string `json:"instance_tag"`
}

// projectRefJSON is an entry of Organization.projects.
type projectRefJSON struct {
	ID             int    `json:"id"`
	OrganizationID string `json:"organization_id"`
	Name           string `json:"name"`
}

// viewTrue and viewFalse are what read-only views point their constant *bool fields at.
var viewTrue, viewFalse = true, false

// organizationView renders an organization as the user sees it.
func organizationView(tx *store.Tx, o *store.Organization, user *store.User) organizationJSON {
	return orgView(tx, o, user, true)
}

// orgView is organizationView; copyFeatures false shares the record's feature list, for a
// view encoded before its transaction ends (encodedNow).
func orgView(tx *store.Tx, o *store.Organization, user *store.User, copyFeatures bool) organizationJSON {
	features := o.Features
	if copyFeatures || features == nil {
		features = append([]store.Feature{}, o.Features...)
	}
	out := organizationJSON{
		ID: o.ID, Name: o.Name, Slug: o.Slug, LogoMediaID: o.LogoMediaID, CreatedAt: isoTime(o.CreatedAt), UpdatedAt: isoTime(o.UpdatedAt),
		PluginsAccessLevel:       o.PluginsAccessLevel,
		AvailableProductFeatures: features, IsMemberJoinEmailEnabled: o.IsMemberJoinEmailEnabled,
		Metadata: orgMetadataJSON{InstanceTag: o.InstanceTag}, CustomerID: o.CustomerID, Enforce2FA: o.Enforce2FA,
		MembersCanInvite: o.MembersCanInvite, MembersCanCreateProjects: o.MembersCanCreateProjects,
		MembersCanUsePersonalAPIKeys: o.MembersCanUsePersonalAPIKeys, MembersCanSeeOrgMembers: o.MembersCanSeeOrgMembers,
		AllowPubliclySharedResources: o.AllowPubliclySharedResources,
		MemberCount:                  tx.MemberCount(o.ID), IsAIDataProcessingApproved: o.IsAIDataProcessingApproved,
		DefaultExperimentStatsMethod: o.DefaultExperimentStatsMethod, DefaultAnonymizeIPs: o.DefaultAnonymizeIPs,
		DefaultRoleID: o.DefaultRoleID,
	}
	// Views are read-only once built: every organization can point at the same constants.
	out.IsActive, out.IsPendingDeletion = &viewTrue, &viewFalse
	if m := tx.Membership(o.ID, user.ID); m != nil {
		lvl := m.Level
		out.MembershipLevel = &lvl
	}
	projects := tx.Projects(o.ID, "")
	out.Teams, out.Projects = make([]teamBasicJSON, 0, len(projects)), make([]projectRefJSON, 0, len(projects))
	for _, p := range projects {
		out.Teams = append(out.Teams, teamBasic(p))
		out.Projects = append(out.Projects, projectRefJSON{ID: p.ID, OrganizationID: o.ID, Name: p.Name})
	}
	return out
}

func (s *Server) listOrganizations(c *call) (any, error) {
	var orgs []*store.Organization
	for _, o := range c.tx.OrgsOfUser(c.user.ID) {
		if c.keyReaches(o.ID) {
			orgs = append(orgs, o)
		}
	}
	if len(orgs) == 0 {
		return nil, store.NotFound("You need to belong to an organization.")
	}
	return paginate(c, orgs, func(o *store.Organization) any { return organizationView(c.tx, o, c.user) }), nil
}

func (s *Server) createOrganization(c *call) (any, error) {
	vals, err := c.validate(store.OrganizationFields)
	if err != nil {
		return nil, err
	}
	o, err := c.tx.CreateOrganization(c.user, vals, store.NewOrganization{})
	if err != nil {
		return nil, err
	}
	return organizationView(c.tx, o, c.user), nil
}

func (s *Server) getOrganization(c *call) (any, error) {
	return encodedNow(orgView(c.tx, c.org, c.user, false))
}

func (s *Server) updateOrganization(c *call) (any, error) {
	if err := c.requireAdmin(); err != nil {
		return nil, err
	}
	vals, err := c.validate(store.OrganizationFields)
	if err != nil {
		return nil, err
	}
	if err := c.tx.UpdateOrganization(c.org, c.user, vals); err != nil {
		return nil, err
	}
	return organizationView(c.tx, c.org, c.user), nil
}

func (s *Server) deleteOrganization(c *call) (any, error) {
	switch {
	case c.member.Level < store.LevelAdmin:
		return nil, store.Forbidden(store.MsgNoAdminAccess)
	case c.member.Level < store.LevelOwner:
		return nil, store.Forbidden(store.MsgAccessInsufficient)
	}
	c.tx.DeleteOrganization(c.org)
	return nil, nil
}

// organizationEnvironmentsRollback takes {"<source env id>": <target env id>, ...}.
func (s *Server) organizationEnvironmentsRollback(c *call) (any, error) {
	if c.member.Level < store.LevelAdmin {
		return nil, store.Forbidden(store.MsgNoAdminAccess)
	}
	obj, err := c.object()
	if err != nil {
		return nil, err
	}
	mapping := map[int]int{}
	var bad error
	obj.ForEach(func(k, v gjsonResult) bool {
		src, err1 := strconv.Atoi(k.String())
		dst, ok := intValue(v)
		if err1 != nil || !ok {
			bad = store.Invalid("Environment IDs must be integers.")
			return false
		}
		mapping[src] = dst
		return true
	})
	if bad != nil {
		return nil, bad
	}
	if err := c.tx.RequestEnvironmentsRollback(c.org, mapping); err != nil {
		return nil, err
	}
	return map[string]any{"success": true, "message": "Migration started"}, nil
}
