package store

// Organizations: the record, features, memberships, the field rules and the operations
// (create, update, delete).

import (
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Membership levels.
const (
	LevelMember = 1
	LevelAdmin  = 8
	LevelOwner  = 15
)

// Plugin access levels (Organization.plugins_access_level).
const (
	PluginsAccessNone    = 0
	PluginsAccessConfig  = 3
	PluginsAccessInstall = 6
	PluginsAccessRoot    = 9
)

// Feature is one entry of available_product_features. Limit nil means no limit.
type Feature struct {
	Key   string `json:"key"`
	Name  string `json:"name"`
	Limit *int   `json:"limit,omitempty"`
	Unit  string `json:"unit,omitempty"`
}

// AllFeatures is what an organization seeded without a feature list gets: every feature,
// with only PostHog's hard caps.
var AllFeatures = []Feature{
	{Key: "organizations_projects", Name: "Projects"},
	{Key: "automatic_provisioning", Name: "Automatic provisioning"},
	{Key: "managed_reverse_proxy", Name: "Managed reverse proxy"},
	{Key: "organization_invite_settings", Name: "Invite settings"},
	{Key: "organization_security_settings", Name: "Security settings"},
	{Key: "role_based_access", Name: "Role-based access"},
	{Key: "sso_enforcement", Name: "Enforce SSO login"},
	{Key: "saml", Name: "SAML SSO"},
	{Key: "scim", Name: "SCIM"},
	{Key: "social_sso", Name: "Social SSO"},
	{Key: "advanced_permissions", Name: "Advanced permissions"},
	{Key: "audit_logs", Name: "Audit logs"},
	{Key: "data_pipelines", Name: "Data pipelines"},
	{Key: "high_frequency_batch_exports", Name: "High frequency batch exports"},
	{Key: "boost", Name: "Boost add-on"},
	{Key: "tagging", Name: "Tagging"},
	{Key: "ingestion_taxonomy", Name: "Ingestion taxonomy"},
	{Key: "alerts", Name: "Alerts"},
}

// Organization is a PostHog organization.
type Organization struct {
	ID                           string
	Name                         string
	Slug                         string
	LogoMediaID                  *string
	CreatedAt                    time.Time
	UpdatedAt                    time.Time
	PluginsAccessLevel           int
	Features                     []Feature
	IsMemberJoinEmailEnabled     bool
	CustomerID                   *string
	Enforce2FA                   *bool
	MembersCanInvite             *bool
	MembersCanCreateProjects     *bool
	MembersCanUsePersonalAPIKeys bool
	MembersCanSeeOrgMembers      bool
	AllowPubliclySharedResources bool
	IsAIDataProcessingApproved   *bool
	DefaultExperimentStatsMethod *string
	DefaultAnonymizeIPs          bool
	DefaultRoleID                *string
	InstanceTag                  string
	// EnvironmentsRollbackRequested is set by POST environments_rollback.
	EnvironmentsRollbackRequested bool
	// PostHogContactName and SharedSlackChannelURL are what PostHog's welcome screen shows
	// of the organization's PostHog contact ("" for none); only scenarios set them.
	PostHogContactName    string
	SharedSlackChannelURL string
}

// Membership joins a user to an organization at a level.
type Membership struct {
	ID        string
	OrgID     string
	UserID    int
	Level     int
	JoinedAt  time.Time
	UpdatedAt time.Time
	InvitedBy int // user id of the inviter, 0 when none
}

// NewMembership is how a user joins an organization (AddMember): at Level, invited by
// InvitedBy (a user id; 0, the zero value, when nobody invited them).
type NewMembership struct {
	Level     int
	InvitedBy int
}

// Feature returns the organization's feature with that key.
func (o *Organization) Feature(key string) (Feature, bool) {
	for _, f := range o.Features {
		if f.Key == key {
			return f, true
		}
	}
	return Feature{}, false
}

// OrganizationFields are the writable fields of an organization.
var OrganizationFields = Fields{
	{Name: "name", Kind: String, Required: true, MaxLen: 64},
	{Name: "logo_media_id", Kind: UUID, Nullable: true},
	{Name: "is_member_join_email_enabled", Kind: Bool},
	{Name: "enforce_2fa", Kind: Bool, Nullable: true},
	{Name: "members_can_invite", Kind: Bool, Nullable: true},
	{Name: "members_can_create_projects", Kind: Bool, Nullable: true},
	{Name: "members_can_use_personal_api_keys", Kind: Bool},
	{Name: "members_can_see_org_members", Kind: Bool},
	{Name: "allow_publicly_shared_resources", Kind: Bool},
	{Name: "is_ai_data_processing_approved", Kind: Bool, Nullable: true},
	{Name: "default_experiment_stats_method", Kind: Choice, Choices: []any{"bayesian", "frequentist"}, AllowBlank: true, Nullable: true},
	{Name: "default_anonymize_ips", Kind: Bool},
	{Name: "default_role_id", Kind: String, Nullable: true, AllowBlank: true},
}

// Org returns the organization with that id, or nil.
func (tx *Tx) Org(id string) *Organization { return tx.st.orgs[strings.ToLower(id)] }

// Organizations lists every organization, oldest first (ties by id).
func (tx *Tx) Organizations() []*Organization {
	out := make([]*Organization, 0, len(tx.st.orgs))
	for _, o := range tx.st.orgs {
		out = append(out, o)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].CreatedAt.Equal(out[j].CreatedAt) {
			return out[i].CreatedAt.Before(out[j].CreatedAt)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// ResolveOrg turns an organization id or "@current" into the organization, for user.
func (tx *Tx) ResolveOrg(u *User, idOrCurrent string) *Organization {
	if idOrCurrent == "@current" {
		if u == nil || u.CurrentOrgID == "" {
			return nil
		}
		return tx.st.orgs[u.CurrentOrgID]
	}
	return tx.st.orgs[strings.ToLower(idOrCurrent)]
}

// Membership returns the user's membership of the organization, or nil. Inactive users
// have no effective membership.
func (tx *Tx) Membership(orgID string, userID int) *Membership {
	om := tx.st.members[orgID]
	if om == nil {
		return nil
	}
	m := om.byUser[userID]
	if m == nil {
		return nil
	}
	if u := tx.st.users[userID]; u == nil || !u.IsActive {
		return nil
	}
	return m
}

// OrgsOfUser lists the organizations the user belongs to, in creation order.
func (tx *Tx) OrgsOfUser(userID int) []*Organization {
	var out []*Organization
	for _, id := range tx.st.orgOrder {
		if tx.st.members[id].byUser[userID] != nil {
			out = append(out, tx.st.orgs[id])
		}
	}
	return out
}

// MemberCount counts active, non-bot memberships.
func (tx *Tx) MemberCount(orgID string) int {
	return len(tx.visibleMembers(orgID))
}

func isBot(u *User) bool { return strings.HasSuffix(strings.ToLower(u.Email), "@posthogbot.user") }

// NewOrganization is the input of CreateOrganization besides the validated fields.
type NewOrganization struct {
	// Features nil gives the API's starting plan (no features); use AllFeatures for all.
	Features           []Feature
	PluginsAccessLevel *int
	// NoDefaultProject skips the "Default project" bootstrap (scenarios that list projects).
	NoDefaultProject bool
	ID               string
	// PostHogContactName and SharedSlackChannelURL are the welcome screen's contact
	// (scenarios); "" for none.
	PostHogContactName, SharedSlackChannelURL string
}

// CreateOrganization bootstraps an organization as PostHog does: the organization, an
// owner membership for the creator, and a "Default project"; the creator's current
// organization and project switch to them.
func (tx *Tx) CreateOrganization(creator *User, vals Values, in NewOrganization) (*Organization, error) {
	name := vals.Str("name")
	if name == "" {
		return nil, FieldError("name", "required", MsgRequired)
	}
	if tx.opts.SelfHosted && len(tx.OrgsOfUser(creator.ID)) > 0 {
		if _, ok := tx.anyOrgFeature(creator.ID, "organizations_projects"); !ok {
			return nil, Forbidden("You must upgrade your PostHog plan to be able to create and manage multiple organizations.")
		}
	}
	level := PluginsAccessConfig
	if tx.opts.SelfHosted {
		level = PluginsAccessRoot
	}
	if in.PluginsAccessLevel != nil {
		level = *in.PluginsAccessLevel
	}
	id := strings.ToLower(in.ID)
	if id == "" {
		id = tx.NewUUID()
	} else if tx.st.orgs[id] != nil {
		return nil, Invalid("An organization with this id already exists.")
	}
	yes := true
	no := false
	bayes := "bayesian"
	o := &Organization{
		ID: id, Name: name, CreatedAt: tx.now, UpdatedAt: tx.now, PluginsAccessLevel: level,
		Features: append([]Feature{}, in.Features...), IsMemberJoinEmailEnabled: true,
		MembersCanInvite: &yes, MembersCanCreateProjects: &no, MembersCanUsePersonalAPIKeys: true,
		MembersCanSeeOrgMembers: true, AllowPubliclySharedResources: true, DefaultExperimentStatsMethod: &bayes, InstanceTag: "none",
		PostHogContactName: in.PostHogContactName, SharedSlackChannelURL: in.SharedSlackChannelURL,
	}
	if err := tx.applyOrgValues(o, vals); err != nil {
		return nil, err
	}
	o.Slug = tx.uniqueSlug(name)
	tx.st.orgs[id] = o
	tx.st.orgOrder = append(tx.st.orgOrder, id)
	tx.st.slugs[o.Slug] = id
	tx.st.members[id] = &orgMembers{byUser: map[int]*Membership{}}
	if _, err := tx.AddMember(id, creator.ID, NewMembership{Level: LevelOwner}); err != nil {
		return nil, err
	}
	creator.CurrentOrgID = id
	if !in.NoDefaultProject {
		if _, err := tx.SeedProject(o, creator, Values{"name": "Default project"}); err != nil {
			return nil, err
		}
	}
	return o, nil
}

func (tx *Tx) anyOrgFeature(userID int, key string) (Feature, bool) {
	for _, o := range tx.OrgsOfUser(userID) {
		if f, ok := o.Feature(key); ok {
			return f, true
		}
	}
	return Feature{}, false
}

// applyOrgValues sets validated organization fields. It checks before it changes anything.
func (tx *Tx) applyOrgValues(o *Organization, vals Values) error {
	if vals.Has("default_role_id") {
		if id := vals.Str("default_role_id"); id != "" && !tx.roleInOrg(o.ID, id) {
			return FieldError("default_role_id", "invalid_input", "Role does not exist.")
		}
	}
	for name, v := range vals {
		switch name {
		case "name":
			o.Name = v.(string)
		case "logo_media_id":
			o.LogoMediaID = vals.StrPtr(name)
		case "is_member_join_email_enabled":
			o.IsMemberJoinEmailEnabled = v.(bool)
		case "enforce_2fa":
			o.Enforce2FA = vals.BoolPtr(name)
		case "members_can_invite":
			o.MembersCanInvite = vals.BoolPtr(name)
		case "members_can_create_projects":
			o.MembersCanCreateProjects = vals.BoolPtr(name)
		case "members_can_use_personal_api_keys":
			o.MembersCanUsePersonalAPIKeys = v.(bool)
		case "members_can_see_org_members":
			o.MembersCanSeeOrgMembers = v.(bool)
		case "allow_publicly_shared_resources":
			o.AllowPubliclySharedResources = v.(bool)
		case "is_ai_data_processing_approved":
			o.IsAIDataProcessingApproved = vals.BoolPtr(name)
		case "default_experiment_stats_method":
			o.DefaultExperimentStatsMethod = vals.StrPtr(name)
		case "default_anonymize_ips":
			o.DefaultAnonymizeIPs = v.(bool)
		case "default_role_id":
			if s := vals.Str(name); s != "" {
				s = canonicalID(s)
				o.DefaultRoleID = &s
			} else {
				o.DefaultRoleID = nil
			}
		}
	}
	return nil
}

// UpdateOrganization applies a validated PATCH/PUT body. The caller checked admin rights.
func (tx *Tx) UpdateOrganization(o *Organization, actor *User, vals Values) error {
	before := *o
	if err := tx.applyOrgValues(o, vals); err != nil {
		return err
	}
	o.UpdatedAt = tx.now
	changes := diffChanges("Organization", map[string][2]any{
		"name":                         {before.Name, o.Name},
		"enforce_2fa":                  {before.Enforce2FA, o.Enforce2FA},
		"members_can_invite":           {before.MembersCanInvite, o.MembersCanInvite},
		"default_anonymize_ips":        {before.DefaultAnonymizeIPs, o.DefaultAnonymizeIPs},
		"is_member_join_email_enabled": {before.IsMemberJoinEmailEnabled, o.IsMemberJoinEmailEnabled},
		"default_role_id":              {before.DefaultRoleID, o.DefaultRoleID},
	})
	if len(changes) > 0 {
		tx.LogActivity(ActivityInput{OrgID: o.ID, User: actor, Scope: "Organization", ItemID: o.ID, Activity: "updated", Name: o.Name, Changes: changes})
	}
	return nil
}

// DeleteOrganization removes an organization and everything under it. Users survive; those
// whose current organization it was move to another of theirs.
func (tx *Tx) DeleteOrganization(o *Organization) {
	id := o.ID
	for _, pid := range append([]int(nil), tx.st.projectsByOrg[id]...) {
		delete(tx.st.projects, pid)
		for _, child := range tx.st.ext.all() {
			if ph, ok := child.(projectHooks); ok {
				ph.dropProject(tx, pid)
			}
		}
	}
	delete(tx.st.projectsByOrg, id)
	for _, iid := range tx.st.invitesByOrg[id] {
		delete(tx.st.invites, iid)
	}
	delete(tx.st.invitesByOrg, id)
	members := tx.st.members[id]
	delete(tx.st.members, id)
	delete(tx.st.orgs, id)
	delete(tx.st.slugs, o.Slug)
	delete(tx.st.activity, id)
	tx.orgUnindexed(id)
	tx.st.orgOrder = removeString(tx.st.orgOrder, id)
	for _, child := range tx.st.ext.all() {
		child.dropOrg(tx, id)
	}
	if members != nil {
		for uid := range members.byUser {
			if u := tx.st.users[uid]; u != nil && u.CurrentOrgID == id {
				tx.resetCurrent(u)
			}
		}
	}
}

// resetCurrent points the user's current organization and project at another of theirs.
func (tx *Tx) resetCurrent(u *User) {
	u.CurrentOrgID, u.CurrentTeamID = "", 0
	if orgs := tx.OrgsOfUser(u.ID); len(orgs) > 0 {
		u.CurrentOrgID = orgs[0].ID
		if ps := tx.st.projectsByOrg[orgs[0].ID]; len(ps) > 0 {
			u.CurrentTeamID = ps[0]
		}
	}
}

// RequestEnvironmentsRollback records a rollback request (POST environments_rollback).
// mapping is source environment id → target environment id.
func (tx *Tx) RequestEnvironmentsRollback(o *Organization, mapping map[int]int) error {
	if len(mapping) == 0 {
		return Invalid("Environment mappings are required")
	}
	var missing []int
	for src, dst := range mapping {
		for _, id := range []int{src, dst} {
			p := tx.st.projects[id]
			if p == nil || p.OrgID != o.ID {
				missing = append(missing, id)
			}
		}
	}
	if len(missing) > 0 {
		sort.Ints(missing)
		parts := make([]string, 0, len(missing))
		seen := map[int]bool{}
		for _, id := range missing {
			if !seen[id] {
				seen[id] = true
				parts = append(parts, itoa(id))
			}
		}
		return Invalid("Environments not found: {" + strings.Join(parts, ", ") + "}")
	}
	if o.EnvironmentsRollbackRequested {
		return Invalid("Environments rollback has already been requested for this organization.")
	}
	o.EnvironmentsRollbackRequested = true
	return nil
}

// slugify is Django's slugify: NFKD-decomposed and stripped to ASCII, lowercased, anything
// but letters, digits, "_", "-" and whitespace dropped, runs of "-" and whitespace turned
// into one "-", and "-" and "_" trimmed from both ends.
func slugify(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFKD.String(s) {
		if r >= utf8.RuneSelf {
			continue // encode("ascii", "ignore")
		}
		r = unicode.ToLower(r)
		switch {
		case r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if dash {
				b.WriteByte('-')
				dash = false
			}
			b.WriteRune(r)
		case r == '-' || unicode.IsSpace(r) || r >= 0x1c && r <= 0x1f: // Python's \s
			dash = true
		}
	}
	return strings.Trim(b.String(), "-_")
}

// uniqueSlug gives slugify(name)[:48], or on collision slug[:43] + "-" + 4 letters.
func (tx *Tx) uniqueSlug(name string) string {
	base := slugify(name)
	if len(base) > 48 {
		base = base[:48]
	}
	if base == "" {
		base = "organization"
	}
	slug := base
	for i := 0; i < 10 && tx.st.slugs[slug] != ""; i++ {
		b := base
		if len(b) > 43 {
			b = b[:43]
		}
		slug = b + "-" + tx.RandomLetters(4)
	}
	return slug
}
