package fake

import (
	"sort"
	"strconv"
	"strings"

	"github.com/fakehog/fakehog/fake/store"
)

// Access control settings reads: GET /api/organizations/{organization_id}/projects/{id}/
// access_control_* (PostHog's AccessControlSettingsViewSetMixin, scope access_control:read).
// fakehog stores no access rules, so every subject's own rule is null, the object and property
// rule lists are empty, and what is enforced is PostHog's built-in default, or full access for
// organization admins and owners; the members and roles are the organization's own.

// accessControlResources are PostHog's ACCESS_CONTROL_RESOURCES, in its order.
var accessControlResources = []string{"action", "customer_analytics", "dashboard", "early_access_feature", "endpoint",
	"experiment", "export", "external_data_source", "warehouse_objects", "feature_flag", "insight", "llm_analytics",
	"notebook", "revenue_analytics", "session_recording", "sharing_configuration", "survey", "web_analytics",
	"activity_log", "error_tracking", "logs", "tracing"}

// objectRuleResources are the resources whose single objects take rules.
var objectRuleResources = []string{"action", "dashboard", "early_access_feature", "endpoint", "experiment",
	"external_data_source", "feature_flag", "insight", "notebook", "session_recording", "survey"}

var (
	projectLevels  = []string{"none", "member", "admin"}
	resourceLevels = []string{"none", "viewer", "editor", "manager"}
)

func acLevels(resource string) []string {
	if resource == "project" || resource == "organization" {
		return projectLevels
	}
	return resourceLevels
}

func acDefault(resource string) string {
	switch resource {
	case "project":
		return "admin"
	case "organization":
		return "member"
	case "activity_log":
		return "viewer"
	}
	return "editor"
}

func acMinimum(resource string) string {
	if resource == "action" {
		return "viewer"
	}
	return "none"
}

func acMaximum(resource string) string {
	if resource == "activity_log" {
		return "viewer"
	}
	l := acLevels(resource)
	return l[len(l)-1]
}

// acEntry is one subject's access to the project or a resource (SubjectAccessEntrySerializer)
// when no rule exists: organization admins get the highest level, everyone else the default.
func acEntry(resource string, projectID int, orgAdmin bool) map[string]any {
	level, source := acDefault(resource), "system_default"
	if orgAdmin {
		level, source = acMaximum(resource), "org_admin"
	}
	var rid any
	if resource == "project" {
		rid = strconv.Itoa(projectID)
	}
	return map[string]any{
		"access_level": nil, "effective_access_level": level,
		"inherited_access": map[string]any{"access_level": level, "source": source, "source_subject": nil,
			"source_resource": resource, "source_resource_id": rid},
		"minimum": acMinimum(resource), "maximum": acMaximum(resource),
	}
}

func acResources(projectID int, orgAdmin bool) map[string]any {
	out := make(map[string]any, len(accessControlResources))
	for _, r := range accessControlResources {
		out[r] = acEntry(r, projectID, orgAdmin)
	}
	return out
}

// acSettings is the part every settings answer shares.
func acSettings(c *call) map[string]any {
	return map[string]any{"available_project_levels": projectLevels, "available_resource_levels": resourceLevels,
		"can_edit": c.member.Level >= store.LevelAdmin}
}

func (s *Server) accessControlDefaults(c *call) (any, error) {
	p, err := c.targetProject()
	if err != nil {
		return nil, err
	}
	_ = p
	out := acSettings(c)
	levels := make(map[string]any, len(accessControlResources))
	for _, r := range accessControlResources {
		levels[r] = map[string]any{"access_level": nil, "minimum": acMinimum(r), "maximum": acMaximum(r)}
	}
	objects := make([]any, 0, len(objectRuleResources))
	for _, r := range objectRuleResources {
		objects = append(objects, map[string]any{"resource": r, "available_access_levels": acLevels(r), "minimum_access_level": acMinimum(r)})
	}
	out["project_access_level"] = acDefault("project")
	out["resource_access_levels"] = levels
	out["object_rule_resources"] = objects
	return out, nil
}

// roleIDsByMembership maps organization membership ids to the ids of their roles.
func roleIDsByMembership(tx *store.Tx, orgID string) map[string][]string {
	out := map[string][]string{}
	for _, r := range tx.Roles(orgID) {
		for _, rm := range tx.RoleMemberships(orgID, r.ID) {
			out[rm.MembershipID] = append(out[rm.MembershipID], r.ID)
		}
	}
	for _, ids := range out {
		sort.Strings(ids)
	}
	return out
}

// acMembership resolves ?member_id= (an organization membership id); an organization that
// hides its member list hides it from members who cannot edit access too.
func (c *call) acMembership(required bool) (*store.Membership, error) {
	id := strings.TrimSpace(lastQueryValue(c.r.URL.Query(), "member_id"))
	if id == "" {
		if required {
			return nil, store.Invalid("member_id is required")
		}
		return nil, nil
	}
	if !c.org.MembersCanSeeOrgMembers && c.member.Level < store.LevelAdmin {
		return nil, store.ErrNotFound()
	}
	for _, m := range c.tx.Members(c.org.ID, store.MemberFilter{}) {
		if strings.EqualFold(m.ID, id) {
			return m, nil
		}
	}
	return nil, store.ErrNotFound()
}

// acRole resolves ?role_id=.
func (c *call) acRole(required bool) (*store.Role, error) {
	id := strings.TrimSpace(lastQueryValue(c.r.URL.Query(), "role_id"))
	if id == "" {
		if required {
			return nil, store.Invalid("role_id is required")
		}
		return nil, nil
	}
	r := c.tx.Role(c.org.ID, id)
	if r == nil {
		return nil, store.ErrNotFound()
	}
	return r, nil
}

func (s *Server) accessControlMembers(c *call) (any, error) {
	p, err := c.targetProject()
	if err != nil {
		return nil, err
	}
	only, err := c.acMembership(false)
	if err != nil {
		return nil, err
	}
	roles := roleIDsByMembership(c.tx, c.org.ID)
	results := []any{}
	for _, m := range c.tx.Members(c.org.ID, store.MemberFilter{Ascending: true}) {
		if only != nil && m != only {
			continue
		}
		u := c.tx.User(m.UserID)
		admin := m.Level >= store.LevelAdmin
		ids := roles[m.ID]
		if ids == nil {
			ids = []string{}
		}
		results = append(results, map[string]any{
			"organization_membership_id": m.ID,
			"user":                       map[string]any{"uuid": u.UUID, "first_name": u.FirstName, "last_name": u.LastName, "email": u.Email},
			"organization_level":         m.Level, "role_ids": ids,
			"project": acEntry("project", p.ID, admin), "resources": acResources(p.ID, admin),
		})
	}
	out := acSettings(c)
	out["results"] = results
	return out, nil
}

func (s *Server) accessControlRoles(c *call) (any, error) {
	p, err := c.targetProject()
	if err != nil {
		return nil, err
	}
	only, err := c.acRole(false)
	if err != nil {
		return nil, err
	}
	results := []any{}
	for _, r := range c.tx.Roles(c.org.ID) {
		if only != nil && r != only {
			continue
		}
		results = append(results, map[string]any{"role_id": r.ID, "role_name": r.Name,
			"project": acEntry("project", p.ID, false), "resources": acResources(p.ID, false)})
	}
	out := acSettings(c)
	out["results"] = results
	return out, nil
}

// acRules answers a subject's object or property rules: none are stored.
func acRules(c *call, subject func() error) (any, error) {
	if _, err := c.targetProject(); err != nil {
		return nil, err
	}
	if subject != nil {
		if err := subject(); err != nil {
			return nil, err
		}
	}
	return map[string]any{"results": []any{}}, nil
}

func (s *Server) accessControlDefaultRules(c *call) (any, error) { return acRules(c, nil) }

func (s *Server) accessControlMemberRules(c *call) (any, error) {
	return acRules(c, func() error { _, err := c.acMembership(true); return err })
}

func (s *Server) accessControlRoleRules(c *call) (any, error) {
	return acRules(c, func() error { _, err := c.acRole(true); return err })
}
