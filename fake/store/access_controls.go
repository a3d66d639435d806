package store

// Access controls (PostHog's ee AccessControl, ee/api/rbac/access_control.py and
// posthog/rbac/user_access_control.py): a project's rules, the upsert the access_controls
// actions make, the cascades (a member leaving, a role deleted, a project moved) and the
// resolution of a member's access level to a project, a resource kind and one object.

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// AccessControl is one rule of a project: an access level for a resource kind (ResourceID
// nil) or one object of it (ResourceID set; the project itself is resource "project" with
// its own id), granted to one organization member, to one role, or to everyone (both empty).
type AccessControl struct {
	ID         string
	ProjectID  int
	Resource   string
	ResourceID *string
	MemberID   string // organization membership id; "" when none
	// MemberUserID is the user of MemberID (kept so that the rule goes with the membership).
	MemberUserID int
	RoleID       string // "" when none
	AccessLevel  string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// accessControlState holds every project's rules in creation order (one list per project:
// the records live there only, as deepCopy requires).
type accessControlState struct {
	byProject map[int][]*AccessControl
}

func (s *accessControlState) init() { s.byProject = map[int][]*AccessControl{} }

// dropOrg has nothing to do: the organization's projects go through dropProject.
func (s *accessControlState) dropOrg(*Tx, string) {}

// dropMember removes the rules naming the leaving member (PostHog's rows cascade with the
// organization membership).
func (s *accessControlState) dropMember(tx *Tx, orgID string, userID int) {
	s.filter(orgID, tx, func(ac *AccessControl) bool { return ac.MemberID == "" || ac.MemberUserID != userID })
}

func (s *accessControlState) memberJoined(*Tx, string, int) {}

func (s *accessControlState) dropProject(_ *Tx, projectID int) { delete(s.byProject, projectID) }

// filter keeps, in every project of the organization, the rules keep accepts.
func (s *accessControlState) filter(orgID string, tx *Tx, keep func(*AccessControl) bool) {
	for _, pid := range tx.st.projectsByOrg[orgID] {
		rules := s.byProject[pid]
		if len(rules) == 0 {
			continue
		}
		kept := slices.DeleteFunc(slices.Clone(rules), func(ac *AccessControl) bool { return !keep(ac) })
		if len(kept) == 0 {
			delete(s.byProject, pid)
		} else {
			s.byProject[pid] = kept
		}
	}
}

// dropRole removes the rules granted to a deleted role (called by DeleteRole).
func (s *accessControlState) dropRole(tx *Tx, r *Role) {
	s.filter(r.OrgID, tx, func(ac *AccessControl) bool { return ac.RoleID != r.ID })
}

// projectMoved forgets the member and role rules of a project moved to another
// organization: their subjects belong to the old one.
func (s *accessControlState) projectMoved(projectID int) {
	kept := slices.DeleteFunc(slices.Clone(s.byProject[projectID]), func(ac *AccessControl) bool { return ac.MemberID != "" || ac.RoleID != "" })
	if len(kept) == 0 {
		delete(s.byProject, projectID)
	} else {
		s.byProject[projectID] = kept
	}
}

// The access levels, lowest first (ordered_access_levels).
var (
	ProjectAccessLevels  = []string{"none", "member", "admin"}
	ResourceAccessLevels = []string{"none", "viewer", "editor", "manager"}
)

// AccessLevels are the levels of a resource kind, lowest first.
func AccessLevels(resource string) []string {
	if resource == "project" || resource == "organization" {
		return ProjectAccessLevels
	}
	return ResourceAccessLevels
}

// DefaultAccessLevel is what a member has without any rule (default_access_level).
func DefaultAccessLevel(resource string) string {
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

// MinimumAccessLevel is the lowest level a rule may set (minimum_access_level).
func MinimumAccessLevel(resource string) string {
	if resource == "action" {
		return "viewer"
	}
	return "none"
}

// HighestAccessLevel is the highest level of a resource kind (highest_access_level).
func HighestAccessLevel(resource string) string {
	if resource == "activity_log" {
		return "viewer"
	}
	l := AccessLevels(resource)
	return l[len(l)-1]
}

// AccessLevelAtLeast reports whether level reaches required on the resource's scale.
func AccessLevelAtLeast(resource, level, required string) bool {
	l := AccessLevels(resource)
	return slices.Index(l, level) >= slices.Index(l, required)
}

// higherLevel is the higher of two levels of the resource ("" counts as below all).
func higherLevel(resource, a, b string) string {
	if a == "" {
		return b
	}
	if b == "" {
		return a
	}
	l := AccessLevels(resource)
	if slices.Index(l, b) > slices.Index(l, a) {
		return b
	}
	return a
}

// AccessControlResources are the resource kinds whose access is configured per project
// (ACCESS_CONTROL_RESOURCES), in PostHog's order.
var AccessControlResources = []string{"action", "customer_analytics", "dashboard", "early_access_feature", "endpoint",
	"experiment", "export", "external_data_source", "warehouse_objects", "feature_flag", "insight", "llm_analytics",
	"notebook", "revenue_analytics", "session_recording", "sharing_configuration", "survey", "web_analytics",
	"activity_log", "error_tracking", "logs", "tracing"}

// internalScopeObjects are the scope objects never granted by users (INTERNAL_API_SCOPE_OBJECTS).
var internalScopeObjects = map[string]bool{"clickhouse_test_cluster_perf": true, "interactive_run": true, "internal_run": true,
	"loop_context_internal": true, "mcp_builtin_agent": true, "signal_scout_internal": true, "signal_scout_report": true,
	"signal_scratchpad_internal": true}

// msgInvalidResource is validate_resource's message: the public scope objects as a Python tuple.
var msgInvalidResource = func() string {
	var b strings.Builder
	b.WriteString("Invalid resource. Must be one of: (")
	first := true
	for _, o := range apiScopeObjectList {
		if internalScopeObjects[o] {
			continue
		}
		if !first {
			b.WriteString(", ")
		}
		first = false
		b.WriteString("'" + o + "'")
	}
	b.WriteString(")")
	return b.String()
}()

// AccessControlsSupported reports whether the organization's plan enforces access controls
// (fakehog keys it on the advanced_permissions feature, which every organization seeded
// without a feature list has): without it rules are stored but have no effect, as in PostHog.
func AccessControlsSupported(o *Organization) bool {
	_, ok := o.Feature("advanced_permissions")
	return ok
}

// rolesSupported reports whether role rules count (the role_based_access feature).
func rolesSupported(o *Organization) bool {
	_, ok := o.Feature("role_based_access")
	return ok
}

// AccessControls lists the project's rules in creation order.
func (tx *Tx) AccessControls(projectID int) []*AccessControl {
	return tx.st.ext.access.byProject[projectID]
}

// HasAccessControls reports whether the project has any rule (the fast path of every check).
func (tx *Tx) HasAccessControls(projectID int) bool {
	return len(tx.st.ext.access.byProject[projectID]) > 0
}

// OrgHasAccessControls reports whether any project of the organization has a rule (a walk
// of the projects that have rules, usually none).
func (tx *Tx) OrgHasAccessControls(orgID string) bool {
	for pid := range tx.st.ext.access.byProject {
		if p := tx.st.projects[pid]; p != nil && p.OrgID == orgID {
			return true
		}
	}
	return false
}

// AccessControlInput is one validated PUT of an access_controls action.
type AccessControlInput struct {
	Resource    string
	ResourceID  *string
	MemberID    string
	RoleID      string
	AccessLevel *string // nil removes the rule
}

// ValidateAccessControl is AccessControlSerializer's field checks against a body already
// decoded into in: the resource, the access level on that resource's scale, the member or
// role (which must be the project's organization's), not both.
func (tx *Tx) ValidateAccessControl(p *Project, in AccessControlInput) error {
	if !scopeObjects[in.Resource] || internalScopeObjects[in.Resource] {
		return FieldError("resource", "invalid_input", msgInvalidResource)
	}
	if in.ResourceID != nil && len(*in.ResourceID) > 36 {
		return FieldError("resource_id", "max_length", MsgMaxLen(36))
	}
	if in.AccessLevel != nil && *in.AccessLevel != "" {
		lv := *in.AccessLevel
		levels := AccessLevels(in.Resource)
		i := slices.Index(levels, lv)
		if i < 0 {
			return FieldError("access_level", "invalid_input", "Invalid access level. Must be one of: "+strings.Join(levels, ", "))
		}
		if min := MinimumAccessLevel(in.Resource); i < slices.Index(levels, min) {
			return FieldError("access_level", "invalid_input", fmt.Sprintf("Access level cannot be set below the minimum '%s' for %s.", min, in.Resource))
		}
		if max := HighestAccessLevel(in.Resource); i > slices.Index(levels, max) {
			return FieldError("access_level", "invalid_input", fmt.Sprintf("Access level cannot be set above the maximum '%s' for %s.", max, in.Resource))
		}
	}
	if in.MemberID != "" {
		if tx.membershipByID(p.OrgID, in.MemberID) == nil {
			return FieldError("organization_member", "does_not_exist", fmt.Sprintf(`Invalid pk "%s" - object does not exist.`, in.MemberID))
		}
	}
	if in.RoleID != "" && tx.Role(p.OrgID, in.RoleID) == nil {
		return FieldError("role", "does_not_exist", fmt.Sprintf(`Invalid pk "%s" - object does not exist.`, in.RoleID))
	}
	if in.MemberID != "" && in.RoleID != "" {
		return Invalid("You can not scope an access control to both a member and a role.")
	}
	return nil
}

// SetAccessControl upserts the rule for (resource, resource id, member, role) of the
// project, or removes it when the level is nil (rule nil then). The input is validated
// first (ValidateAccessControl).
func (tx *Tx) SetAccessControl(p *Project, in AccessControlInput) (*AccessControl, error) {
	if err := tx.ValidateAccessControl(p, in); err != nil {
		return nil, err
	}
	if in.RoleID != "" {
		in.RoleID = tx.Role(p.OrgID, in.RoleID).ID
	}
	memberUser := 0
	if in.MemberID != "" {
		m := tx.membershipByID(p.OrgID, in.MemberID)
		in.MemberID, memberUser = m.ID, m.UserID
	}
	s := &tx.st.ext.access
	rules := s.byProject[p.ID]
	i := slices.IndexFunc(rules, func(ac *AccessControl) bool {
		return ac.Resource == in.Resource && equalStrPtr(ac.ResourceID, in.ResourceID) && ac.MemberID == in.MemberID && ac.RoleID == in.RoleID
	})
	if in.AccessLevel == nil {
		if i >= 0 {
			rules = slices.Delete(slices.Clone(rules), i, i+1)
			if len(rules) == 0 {
				delete(s.byProject, p.ID)
			} else {
				s.byProject[p.ID] = rules
			}
		}
		return nil, nil
	}
	if i >= 0 {
		ac := rules[i]
		ac.AccessLevel = *in.AccessLevel
		ac.UpdatedAt = tx.now
		return ac, nil
	}
	ac := &AccessControl{ID: tx.NewUUID(), ProjectID: p.ID, Resource: in.Resource, ResourceID: cloneStrPtr(in.ResourceID),
		MemberID: in.MemberID, MemberUserID: memberUser, RoleID: in.RoleID, AccessLevel: *in.AccessLevel, CreatedAt: tx.now, UpdatedAt: tx.now}
	s.byProject[p.ID] = append(rules, ac)
	return ac, nil
}

func equalStrPtr(a, b *string) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

func cloneStrPtr(s *string) *string {
	if s == nil {
		return nil
	}
	v := *s
	return &v
}

// membershipByID finds the organization's membership by id (any UUID spelling), or nil.
func (tx *Tx) membershipByID(orgID, id string) *Membership {
	id = canonicalID(id)
	for _, m := range tx.Members(orgID, MemberFilter{}) {
		if canonicalID(m.ID) == id {
			return m
		}
	}
	return nil
}

// memberRoleIDs lists the ids of the member's roles.
func (tx *Tx) memberRoleIDs(orgID, membershipID string) []string {
	var out []string
	rs := &tx.st.ext.roles
	for _, rid := range rs.byOrg[orgID] {
		for _, mid := range rs.byRole[rid] {
			if rm := rs.memberships[mid]; rm != nil && rm.MembershipID == membershipID {
				out = append(out, rid)
				break
			}
		}
	}
	return out
}

// Access is one member's standing in one project, for resolving levels: the rules that apply
// to them (their own, their roles', everyone's), or none at all when the member is an
// organization admin or the plan does not enforce access controls.
type Access struct {
	project  *Project
	member   *Membership
	bypass   bool // organization admin: the highest level everywhere
	enforced bool // access controls supported and the project has rules
	rules    []*AccessControl
	roles    map[string]bool
}

// AccessFor resolves the member's access to the project (m may be nil: no access).
func (tx *Tx) AccessFor(p *Project, m *Membership) *Access {
	a := &Access{project: p, member: m}
	if m == nil {
		return a
	}
	if m.Level >= LevelAdmin {
		a.bypass = true
		return a
	}
	o := tx.st.orgs[p.OrgID]
	rules := tx.st.ext.access.byProject[p.ID]
	if o == nil || len(rules) == 0 || !AccessControlsSupported(o) {
		return a
	}
	a.enforced = true
	a.roles = map[string]bool{}
	if rolesSupported(o) {
		for _, id := range tx.memberRoleIDs(o.ID, m.ID) {
			a.roles[id] = true
		}
	}
	for _, ac := range rules {
		if (ac.MemberID == "" && ac.RoleID == "") || ac.MemberID == m.ID || (ac.RoleID != "" && a.roles[ac.RoleID]) {
			a.rules = append(a.rules, ac)
		}
	}
	return a
}

// Project is the project the access was resolved for.
func (a *Access) Project() *Project { return a.project }

// Enforced reports whether rules decide the member's levels (access controls supported, the
// project has rules, the member is no organization admin).
func (a *Access) Enforced() bool { return a.enforced }

// OrgAdmin reports whether the member bypasses access controls as an organization admin.
func (a *Access) OrgAdmin() bool { return a.bypass }

// specific reports whether the rule names a member or a role.
func (ac *AccessControl) specific() bool { return ac.MemberID != "" || ac.RoleID != "" }

// objectLevel is access_level_for_object over the rules on one object: with specificOnly,
// only member and role rules count; "" when no rule applies (explicit) — the caller falls
// back to the default.
func (a *Access) objectLevel(resource, id string, specificOnly bool) string {
	level := ""
	for _, ac := range a.rules {
		if ac.Resource != resource || ac.ResourceID == nil || *ac.ResourceID != id || (specificOnly && !ac.specific()) {
			continue
		}
		level = higherLevel(resource, level, ac.AccessLevel)
	}
	return level
}

// resourceLevel is the highest rule on the resource kind itself ("" when none).
func (a *Access) resourceLevel(resource string) string {
	level := ""
	for _, ac := range a.rules {
		if ac.Resource == resource && ac.ResourceID == nil {
			level = higherLevel(resource, level, ac.AccessLevel)
		}
	}
	return level
}

// ProjectLevel is the member's level on the project: none, member or admin
// (get_user_access_level on the team).
func (a *Access) ProjectLevel() string {
	if a.member == nil {
		return "none"
	}
	if a.bypass {
		return "admin"
	}
	if !a.enforced {
		return DefaultAccessLevel("project")
	}
	id := itoa(a.project.ID)
	if l := a.objectLevel("project", id, true); l != "" {
		return l
	}
	if l := a.objectLevel("project", id, false); l != "" {
		return l
	}
	return DefaultAccessLevel("project")
}

// ExplicitProjectLevel is the level a rule gives the member on the project ("" when no rule
// does; organization admins: admin).
func (a *Access) ExplicitProjectLevel() string {
	if a.bypass {
		return "admin"
	}
	if !a.enforced {
		return ""
	}
	id := itoa(a.project.ID)
	if l := a.objectLevel("project", id, true); l != "" {
		return l
	}
	return a.objectLevel("project", id, false)
}

// ResourceLevel is the member's level on a resource kind (access_level_for_resource).
func (a *Access) ResourceLevel(resource string) string {
	if resource == "project" || resource == "organization" || resource == "plugin" {
		return DefaultAccessLevel(resource)
	}
	if a.member == nil {
		return "none"
	}
	if a.bypass {
		return HighestAccessLevel(resource)
	}
	if !a.enforced {
		return DefaultAccessLevel(resource)
	}
	if l := a.resourceLevel(resource); l != "" {
		return l
	}
	return DefaultAccessLevel(resource)
}

// HasSpecificObjectAccess reports whether a member or role rule on some object of the
// resource reaches required (has_any_specific_access_for_resource).
func (a *Access) HasSpecificObjectAccess(resource, required string) bool {
	if a.bypass {
		return true
	}
	for _, ac := range a.rules {
		if ac.Resource == resource && ac.ResourceID != nil && ac.specific() && AccessLevelAtLeast(resource, ac.AccessLevel, required) {
			return true
		}
	}
	return false
}

// ObjectLevel is the member's level on one object of a resource kind, created by creator (a
// user id, 0 when unknown): creators and organization admins have the highest level, then a
// member or role rule on the object, a rule on the resource kind, a default rule on the
// object, the default (get_user_access_level).
func (a *Access) ObjectLevel(resource, id string, creator int) string {
	if a.member == nil {
		return "none"
	}
	if a.bypass || (creator != 0 && creator == a.member.UserID) {
		return HighestAccessLevel(resource)
	}
	if !a.enforced {
		return DefaultAccessLevel(resource)
	}
	if l := a.objectLevel(resource, id, true); l != "" {
		return l
	}
	if l := a.resourceLevel(resource); l != "" {
		return l
	}
	if l := a.objectLevel(resource, id, false); l != "" {
		return l
	}
	return DefaultAccessLevel(resource)
}

// ObjectBlocked reports whether lists hide the object from the member
// (filter_queryset_by_access_level): a member or role rule of "none" and no better one, or
// only default rules, all "none"; the object's creator still sees it.
func (a *Access) ObjectBlocked(resource, id string, creator int) bool {
	if a.bypass || !a.enforced || (creator != 0 && creator == a.member.UserID) {
		return false
	}
	explicit, anyRule, allNone := false, false, true
	granted := false
	for _, ac := range a.rules {
		if ac.Resource != resource || ac.ResourceID == nil || *ac.ResourceID != id {
			continue
		}
		anyRule = true
		if ac.AccessLevel != "none" {
			allNone = false
		}
		if ac.specific() {
			explicit = true
			if ac.AccessLevel != "none" {
				granted = true
			}
		}
	}
	if explicit {
		return !granted
	}
	if anyRule && allNone {
		return true
	}
	// With no access to the kind, only objects granted by a member or role rule are listed.
	return a.ResourceLevel(resource) == "none"
}

// CanEditProjectAccess is check_can_modify_access_levels_for_object on the project: an
// organization admin, or a member a rule makes project admin.
func (a *Access) CanEditProjectAccess() bool {
	return a.ExplicitProjectLevel() == "admin"
}

// CanEditObjectAccess is check_can_modify_access_levels_for_object on an object: its
// creator, a project admin by rule, or a member a rule makes manager of it.
func (a *Access) CanEditObjectAccess(resource, id string, creator int) bool {
	if a.member == nil {
		return false
	}
	if a.bypass || (creator != 0 && creator == a.member.UserID) || a.CanEditProjectAccess() {
		return true
	}
	if !a.enforced {
		return false
	}
	l := a.objectLevel(resource, id, true)
	if l == "" {
		l = a.resourceLevel(resource)
	}
	if l == "" {
		l = a.objectLevel(resource, id, false)
	}
	return l != "" && AccessLevelAtLeast(resource, l, HighestAccessLevel(resource))
}

// EffectiveMembershipLevel is the project's effective_membership_level for the member: an
// organization admin keeps their level; a project rule makes a member admin (8) or leaves
// them member, "none" takes the project away (nil); without a rule the organization level.
func (a *Access) EffectiveMembershipLevel() *int {
	if a.member == nil {
		return nil
	}
	lv := a.member.Level
	if a.bypass || !a.enforced {
		return &lv
	}
	switch a.ExplicitProjectLevel() {
	case "none":
		return nil
	case "admin":
		lv = max(lv, LevelAdmin)
	}
	return &lv
}
