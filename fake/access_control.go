package fake

import (
	"sort"
	"strconv"
	"strings"

	"github.com/fakehog/fakehog/fake/store"
)

// Access control settings reads: GET /api/organizations/{organization_id}/projects/{id}/
// access_control_* and the same under /api/projects/{id}/ and /api/environments/{id}/
// (PostHog's AccessControlSettingsViewSetMixin, scope access_control:read): each member's and
// role's access to the project and every resource kind, from the project's stored rules
// (fakehog's store/access_controls.go), PostHog's built-in defaults, and full access for
// organization admins and owners; the members and roles are the organization's own.

// objectRuleResources are the resources whose single objects take rules.
var objectRuleResources = []string{"action", "dashboard", "early_access_feature", "endpoint", "experiment",
	"external_data_source", "feature_flag", "insight", "notebook", "session_recording", "survey"}

// acSubject is whose entry is computed: a member (with their roles) or a role.
type acSubject struct {
	memberID string
	roleIDs  map[string]bool
	orgAdmin bool
}

// acEntry is one subject's access to the project or a resource kind
// (SubjectAccessEntrySerializer): the subject's own rule, what they inherit (organization
// admin, the default rule, their roles' rules, or the built-in default) and the effective
// level, the higher of the two.
func acEntry(rules []*store.AccessControl, resource string, projectID int, who acSubject, roles bool) map[string]any {
	var rid any
	idStr := strconv.Itoa(projectID)
	if resource == "project" {
		rid = idStr
	}
	applies := func(ac *store.AccessControl) bool {
		if ac.Resource != resource {
			return false
		}
		if resource == "project" {
			return ac.ResourceID != nil && *ac.ResourceID == idStr
		}
		return ac.ResourceID == nil
	}
	var own any
	inherited, source, subject := store.DefaultAccessLevel(resource), "system_default", any(nil)
	ruleSource := "resource"
	if resource == "project" {
		ruleSource = "object"
	}
	for _, ac := range rules {
		if !applies(ac) {
			continue
		}
		switch {
		case ac.MemberID == "" && ac.RoleID == "":
			if source == "system_default" || store.AccessLevelAtLeast(resource, ac.AccessLevel, inherited) {
				inherited, source, subject = ac.AccessLevel, ruleSource, "default"
			}
		case ac.RoleID != "" && roles && who.roleIDs[ac.RoleID] && who.memberID != "":
			if source == "system_default" || !store.AccessLevelAtLeast(resource, inherited, ac.AccessLevel) {
				inherited, source, subject = ac.AccessLevel, ruleSource, "role"
			}
		case ac.RoleID != "" && who.memberID == "" && who.roleIDs[ac.RoleID]:
			own = ac.AccessLevel
		case ac.MemberID != "" && ac.MemberID == who.memberID:
			own = ac.AccessLevel
		}
	}
	if who.orgAdmin {
		inherited, source, subject = store.HighestAccessLevel(resource), "org_admin", nil
	}
	effective := inherited
	if l, ok := own.(string); ok && !who.orgAdmin && !store.AccessLevelAtLeast(resource, inherited, l) {
		effective = l
	}
	if l, ok := own.(string); ok && !who.orgAdmin && source == "system_default" {
		effective = l // a subject's own rule replaces the built-in default
	}
	return map[string]any{
		"access_level": own, "effective_access_level": effective,
		"inherited_access": map[string]any{"access_level": inherited, "source": source, "source_subject": subject,
			"source_resource": resource, "source_resource_id": rid},
		"minimum": store.MinimumAccessLevel(resource), "maximum": store.HighestAccessLevel(resource),
	}
}

func acResources(rules []*store.AccessControl, projectID int, who acSubject, roles bool) map[string]any {
	out := make(map[string]any, len(store.AccessControlResources))
	for _, r := range store.AccessControlResources {
		out[r] = acEntry(rules, r, projectID, who, roles)
	}
	return out
}

// acRolesCount reports whether role rules on resource kinds count in the organization
// (role_based_access).
func acRolesCount(o *store.Organization) bool {
	_, ok := o.Feature("role_based_access")
	return ok
}

// acSettings is the part every settings answer shares.
func acSettings(c *call, p *store.Project) map[string]any {
	return map[string]any{"available_project_levels": store.ProjectAccessLevels, "available_resource_levels": store.ResourceAccessLevels,
		"can_edit": c.accessFor(p).CanEditProjectAccess()}
}

func (s *Server) accessControlDefaults(c *call) (any, error) {
	p, err := c.targetProject()
	if err != nil {
		return nil, err
	}
	out := acSettings(c, p)
	projectLevel, saved := store.DefaultAccessLevel("project"), map[string]string{}
	for _, ac := range c.tx.AccessControls(p.ID) {
		if ac.MemberID != "" || ac.RoleID != "" {
			continue
		}
		if ac.Resource == "project" {
			projectLevel = ac.AccessLevel
		} else if ac.ResourceID == nil {
			saved[ac.Resource] = ac.AccessLevel
		}
	}
	levels := make(map[string]any, len(store.AccessControlResources))
	for _, r := range store.AccessControlResources {
		var l any
		if v, ok := saved[r]; ok {
			l = v
		}
		levels[r] = map[string]any{"access_level": l, "minimum": store.MinimumAccessLevel(r), "maximum": store.HighestAccessLevel(r)}
	}
	objects := make([]any, 0, len(objectRuleResources))
	for _, r := range objectRuleResources {
		objects = append(objects, map[string]any{"resource": r, "available_access_levels": store.AccessLevels(r), "minimum_access_level": store.MinimumAccessLevel(r)})
	}
	out["project_access_level"] = projectLevel
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
	rules := c.tx.AccessControls(p.ID)
	rolesCount := acRolesCount(c.org)
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
		who := acSubject{memberID: m.ID, roleIDs: map[string]bool{}, orgAdmin: admin}
		for _, id := range ids {
			who.roleIDs[id] = true
		}
		results = append(results, map[string]any{
			"organization_membership_id": m.ID,
			"user":                       map[string]any{"uuid": u.UUID, "first_name": u.FirstName, "last_name": u.LastName, "email": u.Email},
			"organization_level":         m.Level, "role_ids": ids,
			// Project-level role rules always count (PostHog does not gate them on the plan).
			"project": acEntry(rules, "project", p.ID, who, true), "resources": acResources(rules, p.ID, who, rolesCount),
		})
	}
	out := acSettings(c, p)
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
	rules := c.tx.AccessControls(p.ID)
	results := []any{}
	for _, r := range c.tx.Roles(c.org.ID) {
		if only != nil && r != only {
			continue
		}
		who := acSubject{roleIDs: map[string]bool{r.ID: true}}
		results = append(results, map[string]any{"role_id": r.ID, "role_name": r.Name,
			"project": acEntry(rules, "project", p.ID, who, true), "resources": acResources(rules, p.ID, who, acRolesCount(c.org))})
	}
	out := acSettings(c, p)
	out["results"] = results
	return out, nil
}

// acRules answers a subject's object rules (the rules on single objects whose subject keep
// accepts); property rules are not stored (properties take none here).
func acRules(c *call, objects bool, keep func(ac *store.AccessControl) bool) (any, error) {
	p, err := c.targetProject()
	if err != nil {
		return nil, err
	}
	if keep == nil {
		return nil, nil // the subject was not found (the caller answered)
	}
	results := []any{}
	if objects {
		for _, ac := range c.tx.AccessControls(p.ID) {
			if ac.ResourceID == nil || ac.Resource == "project" || !keep(ac) {
				continue
			}
			results = append(results, map[string]any{"access_level": ac.AccessLevel, "name": *ac.ResourceID,
				"resource": ac.Resource, "resource_id": *ac.ResourceID, "short_id": nil})
		}
	}
	return map[string]any{"results": results}, nil
}

func defaultRule(ac *store.AccessControl) bool { return ac.MemberID == "" && ac.RoleID == "" }

func (s *Server) accessControlDefaultRules(c *call) (any, error) {
	return acRules(c, strings.HasSuffix(c.route.Path, "_objects/"), defaultRule)
}

func (s *Server) accessControlMemberRules(c *call) (any, error) {
	if _, err := c.targetProject(); err != nil {
		return nil, err
	}
	m, err := c.acMembership(true)
	if err != nil {
		return nil, err
	}
	return acRules(c, strings.HasSuffix(c.route.Path, "_objects/"), func(ac *store.AccessControl) bool { return ac.MemberID == m.ID })
}

func (s *Server) accessControlRoleRules(c *call) (any, error) {
	if _, err := c.targetProject(); err != nil {
		return nil, err
	}
	r, err := c.acRole(true)
	if err != nil {
		return nil, err
	}
	return acRules(c, strings.HasSuffix(c.route.Path, "_objects/"), func(ac *store.AccessControl) bool { return ac.RoleID == r.ID })
}
