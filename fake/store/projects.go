package store

// Projects: the record, product intents, the field rules, the plan limit and the operations.

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// ProjectHardCap is PostHog's absolute limit of projects per organization.
const ProjectHardCap = 2000

// ProductIntent is one entry of a project's product_intents.
type ProductIntent struct {
	ProductType           string     `json:"product_type"`
	CreatedAt             time.Time  `json:"created_at"`
	OnboardingCompletedAt *time.Time `json:"onboarding_completed_at"`
	UpdatedAt             time.Time  `json:"updated_at"`
}

// Project is a PostHog project (and its passthrough team, which has the same id).
type Project struct {
	ID                   int
	UUID                 string
	OrgID                string
	Name                 string
	APIToken             string
	SecretAPIToken       *string
	SecretAPITokenBackup *string
	CreatedAt            time.Time
	UpdatedAt            time.Time
	IsDemo               bool
	IsPendingDeletion    bool
	IngestedEvent        bool
	GeneratingDemoData   bool
	ProductIntents       []ProductIntent
	// Settings holds every other writable field (ProjectFields), by its API name.
	Settings map[string]any
}

func strList(max int) func(v any) *Error {
	return func(v any) *Error {
		for _, x := range v.([]any) {
			s, ok := x.(string)
			if x != nil && !ok {
				return Invalid(MsgInvalidString)
			}
			if max > 0 && len([]rune(s)) > max {
				return Invalid(MsgMaxLen(max))
			}
		}
		return nil
	}
}

func checkTimezone(v any) *Error {
	if !timezones[v.(string)] {
		return FieldError("timezone", "invalid_choice", MsgInvalidChoice(v.(string)))
	}
	return nil
}

func checkDecimal(v any) *Error {
	var f float64
	if _, err := fmt.Sscanf(v.(string), "%g", &f); err != nil {
		return Invalid("A valid number is required.")
	}
	return nil
}

// ProjectFields are the writable fields of a project, with the defaults a new project gets.
var ProjectFields = Fields{
	{Name: "name", Kind: String, MaxLen: 200},
	{Name: "product_description", Kind: String, Nullable: true, AllowBlank: true, MaxLen: 1000},
	{Name: "app_urls", Kind: List, Default: []any{}, Check: strList(200)},
	{Name: "anonymize_ips", Kind: Bool},
	{Name: "completed_snippet_onboarding", Kind: Bool, Default: false},
	{Name: "test_account_filters", Kind: JSON, Default: []any{}},
	{Name: "test_account_filters_default_checked", Kind: Bool, Nullable: true},
	{Name: "path_cleaning_filters", Kind: JSON, Nullable: true, Default: []any{}},
	{Name: "is_demo", Kind: Bool, Default: false},
	{Name: "timezone", Kind: String, Default: "UTC", Check: checkTimezone},
	{Name: "data_attributes", Kind: JSON, Default: []any{"data-attr"}},
	{Name: "person_display_name_properties", Kind: List, Nullable: true, Check: strList(400)},
	{Name: "correlation_config", Kind: JSON, Nullable: true, Default: map[string]any{}},
	{Name: "autocapture_opt_out", Kind: Bool, Nullable: true, Default: false},
	{Name: "autocapture_exceptions_opt_in", Kind: Bool, Nullable: true},
	{Name: "autocapture_web_vitals_opt_in", Kind: Bool, Nullable: true},
	{Name: "autocapture_web_vitals_allowed_metrics", Kind: JSON, Nullable: true},
	{Name: "autocapture_exceptions_errors_to_ignore", Kind: JSON, Nullable: true},
	{Name: "capture_console_log_opt_in", Kind: Bool, Nullable: true, Default: true},
	{Name: "capture_performance_opt_in", Kind: Bool, Nullable: true, Default: true},
	{Name: "session_recording_opt_in", Kind: Bool, Default: false},
	{Name: "session_recording_sample_rate", Kind: String, Nullable: true, Check: checkDecimal},
	{Name: "session_recording_minimum_duration_milliseconds", Kind: Int, Nullable: true, Min: IntP(0), Max: IntP(30000)},
	{Name: "session_recording_linked_flag", Kind: JSON, Nullable: true},
	{Name: "session_recording_network_payload_capture_config", Kind: JSON, Nullable: true},
	{Name: "session_recording_masking_config", Kind: JSON, Nullable: true},
	{Name: "session_recording_url_trigger_config", Kind: List, Nullable: true, Default: []any{}},
	{Name: "session_recording_url_blocklist_config", Kind: List, Nullable: true, Default: []any{}},
	{Name: "session_recording_event_trigger_config", Kind: List, Nullable: true, Default: []any{}, Check: strList(0)},
	{Name: "session_recording_trigger_match_type_config", Kind: String, Nullable: true, AllowBlank: true, MaxLen: 24},
	{Name: "session_recording_trigger_groups", Kind: JSON, Nullable: true},
	{Name: "session_recording_retention_period", Kind: Choice, Choices: []any{"30d", "90d", "1y", "5y"}, Default: "30d"},
	{Name: "session_replay_config", Kind: JSON, Nullable: true},
	{Name: "survey_config", Kind: JSON, Nullable: true},
	{Name: "access_control", Kind: Bool, Default: false},
	{Name: "week_start_day", Kind: Choice, Choices: []any{0, 1}, Nullable: true},
	{Name: "primary_dashboard", Kind: Int, Nullable: true},
	{Name: "live_events_columns", Kind: List, Nullable: true, Check: strList(0)},
	{Name: "recording_domains", Kind: List, Nullable: true, Check: strList(200)},
	{Name: "inject_web_apps", Kind: Bool, Nullable: true},
	{Name: "extra_settings", Kind: JSON, Nullable: true},
	{Name: "modifiers", Kind: JSON, Nullable: true},
	{Name: "has_completed_onboarding_for", Kind: JSON, Nullable: true},
	{Name: "surveys_opt_in", Kind: Bool, Nullable: true},
	{Name: "heatmaps_opt_in", Kind: Bool, Nullable: true},
	{Name: "flags_persistence_default", Kind: Bool, Nullable: true, Default: false},
	{Name: "receive_org_level_activity_logs", Kind: Bool, Nullable: true, Default: false},
	{Name: "business_model", Kind: Choice, Choices: []any{"b2b", "b2c", "other"}, AllowBlank: true, Nullable: true},
	{Name: "conversations_enabled", Kind: Bool, Nullable: true},
	{Name: "conversations_settings", Kind: JSON, Nullable: true},
	{Name: "logs_settings", Kind: JSON, Nullable: true},
	{Name: "proactive_tasks_enabled", Kind: Bool, Nullable: true},
	{Name: "base_currency", Kind: String, MaxLen: 3, Default: "USD"},
	{Name: "cookieless_server_hash_mode", Kind: Choice, Choices: []any{0, 1, 2}, Nullable: true, Default: 0},
}

// ProjectSettingNames lists the names of ProjectFields in declaration order.
var ProjectSettingNames = func() []string {
	out := make([]string, len(ProjectFields))
	for i, f := range ProjectFields {
		out[i] = f.Name
	}
	return out
}()

// Project returns the organization's project with that id, or nil.
func (tx *Tx) Project(orgID string, id int) *Project {
	p := tx.st.projects[id]
	if p == nil || p.OrgID != orgID {
		return nil
	}
	return p
}

// ProjectByID returns any project by id, or nil.
func (tx *Tx) ProjectByID(id int) *Project { return tx.st.projects[id] }

// Projects lists an organization's projects in creation order, optionally only those
// whose name contains search (case-insensitive).
func (tx *Tx) Projects(orgID, search string) []*Project {
	ids := tx.st.projectsByOrg[orgID]
	out := make([]*Project, 0, len(ids))
	search = strings.ToLower(strings.TrimSpace(search))
	for _, id := range ids {
		p := tx.st.projects[id]
		if search != "" && !strings.Contains(strings.ToLower(p.Name), search) {
			continue
		}
		out = append(out, p)
	}
	return out
}

// ProjectsPage is Projects without a search, cut to [offset, offset+limit) (limit > 0,
// offset ≥ 0), with the count of all of them; it costs the page, not the organization.
func (tx *Tx) ProjectsPage(orgID string, offset, limit int) (page []*Project, count int) {
	ids := tx.st.projectsByOrg[orgID]
	return pageOfIDs(tx.st.projects, ids, false, offset, limit), len(ids)
}

// ProjectWrite names the request CheckProjectLimit checks.
type ProjectWrite int

// The requests CheckProjectLimit checks.
const (
	ProjectCreate  ProjectWrite = iota // a new project
	ProjectReplace                     // a PUT of an existing one
)

// CheckProjectLimit is PostHog's PremiumMultiProjectPermission (posthog/api/project.py), for
// a create and for a PUT. An organization has at most one demo project, and
// a request flagged is_demo is refused while one exists. Demo projects are not counted, but
// every request, a demo one too, is checked against the other projects: without the
// organizations_projects feature an organization has one other project, with it up to the
// feature's limit, or, when the feature has no limit, up to ProjectHardCap — a cap only a
// create runs into, so an organization already past it can still be edited.
func (tx *Tx) CheckProjectLimit(o *Organization, isDemo bool, w ProjectWrite) error {
	create := w == ProjectCreate
	const planLimit = "You have reached the maximum limit of allowed projects for your current plan. Upgrade your plan to be able to create and manage more projects."
	n, demos := 0, 0
	for _, id := range tx.st.projectsByOrg[o.ID] {
		if tx.st.projects[id].IsDemo {
			demos++
		} else {
			n++
		}
	}
	if isDemo && demos > 0 {
		return Forbidden(planLimit)
	}
	f, ok := o.Feature("organizations_projects")
	switch {
	case !ok && n >= 1, ok && f.Limit != nil && n >= *f.Limit:
		return Forbidden(planLimit)
	case ok && f.Limit == nil && create && n >= ProjectHardCap:
		return Forbidden(fmt.Sprintf("You have reached the maximum limit of %d projects per organization. Contact support if you'd like access to more projects.", ProjectHardCap))
	}
	return nil
}

// checkProjectName is ProjectBackwardCompatSerializer.validate_name (posthog/api/project.py):
// a name is taken by another project of the organization with the same trimmed name, ignoring
// case, unless that project is pending deletion. except is the project being updated (0 on
// create).
func (tx *Tx) checkProjectName(orgID, name string, except int) error {
	// The organization's name index (kept by every write) instead of a walk.
	for _, id := range tx.projectIDsByName(orgID, strings.ToLower(name)) {
		if p := tx.st.projects[id]; id != except && p != nil && !p.IsPendingDeletion {
			return Conflict(MsgProjectNameTaken(name))
		}
	}
	return nil
}

// MsgProjectNameTaken is PostHog's 409 detail for a project name already in use.
func MsgProjectNameTaken(name string) string {
	return `There is already a project called "` + name + `" in this organization. Choose a different name.`
}

// CreateProject creates a project and its team for an API caller, under PostHog's
// permission and plan rules.
func (tx *Tx) CreateProject(o *Organization, creator *User, vals Values) (*Project, error) {
	return tx.createProject(o, creator, vals, true)
}

// SeedProject creates a project and its team without the API caller's permission and plan
// rules: an organization's first project, scenarios, tests.
func (tx *Tx) SeedProject(o *Organization, creator *User, vals Values) (*Project, error) {
	return tx.createProject(o, creator, vals, false)
}

// createProject creates a project; checkRules applies the API caller's rules.
func (tx *Tx) createProject(o *Organization, creator *User, vals Values, checkRules bool) (*Project, error) {
	isDemo := vals.Bool("is_demo")
	if checkRules {
		m := tx.Membership(o.ID, creator.ID)
		if m == nil {
			return nil, Forbidden(MsgNoPermission)
		}
		if !isDemo && m.Level < LevelAdmin {
			_, settings := o.Feature("organization_invite_settings")
			if !(settings && o.MembersCanCreateProjects != nil && *o.MembersCanCreateProjects) {
				return nil, Forbidden("You need to be an organization admin or above to create new projects.")
			}
		}
		// Create mode fills the default (false); only an attempt to turn it on is refused.
		if m.Level < LevelAdmin && vals.Bool("receive_org_level_activity_logs") {
			return nil, Forbidden("Only organization owners and admins can modify the receive_org_level_activity_logs setting.")
		}
		if err := tx.CheckProjectLimit(o, isDemo, ProjectCreate); err != nil {
			return nil, err
		}
	}
	name := strings.TrimSpace(vals.Str("name"))
	if name == "" {
		name = tx.defaultProjectName(o.ID)
	} else if err := tx.checkProjectName(o.ID, name, 0); err != nil {
		return nil, err
	}
	id := tx.st.nextProjectID
	tx.st.nextProjectID++
	p := &Project{
		ID: id, UUID: tx.NewUUID(), OrgID: o.ID, Name: name, APIToken: "phc_" + tx.RandomToken(32),
		CreatedAt: tx.now, UpdatedAt: tx.now, IsDemo: isDemo, ProductIntents: []ProductIntent{}, Settings: map[string]any{},
	}
	for _, f := range ProjectFields {
		if f.Default != nil {
			p.Settings[f.Name] = cloneDefault(f.Default)
		} else {
			p.Settings[f.Name] = nil
		}
	}
	p.Settings["anonymize_ips"] = o.DefaultAnonymizeIPs
	for k, v := range vals {
		if k != "name" {
			p.Settings[k] = v
		}
	}
	p.Settings["name"] = name
	tx.st.projects[id] = p
	tx.st.projectsByOrg[o.ID] = append(tx.st.projectsByOrg[o.ID], id)
	tx.projectIndexed(o.ID, id, name, true)
	creator.CurrentTeamID = id
	if creator.CurrentOrgID == "" {
		creator.CurrentOrgID = o.ID
	}
	tid := id
	tx.LogActivity(ActivityInput{OrgID: o.ID, TeamID: &tid, User: creator, Scope: "Team", ItemID: itoa(id), Activity: "created", Name: name})
	return p, nil
}

// defaultProjectName gives "Default project", then "Default project 2", "… 3".
func (tx *Tx) defaultProjectName(orgID string) string {
	taken := map[string]bool{}
	for _, id := range tx.st.projectsByOrg[orgID] {
		taken[strings.ToLower(tx.st.projects[id].Name)] = true
	}
	name := "Default project"
	for n := 2; taken[strings.ToLower(name)]; n++ {
		name = fmt.Sprintf("Default project %d", n)
	}
	return name
}

// UpdateProject applies a validated PATCH/PUT body and logs what changed.
func (tx *Tx) UpdateProject(p *Project, actor *Membership, vals Values, replace bool) error {
	o := tx.st.orgs[p.OrgID]
	if actor.Level < LevelAdmin && vals.Has("receive_org_level_activity_logs") {
		return Forbidden("Only organization owners and admins can modify the receive_org_level_activity_logs setting.")
	}
	if replace {
		if err := tx.CheckProjectLimit(o, vals.Bool("is_demo"), ProjectReplace); err != nil {
			return err
		}
	}
	if vals.Has("name") {
		name := strings.TrimSpace(vals.Str("name"))
		if name == "" {
			return FieldError("name", "blank", MsgBlank)
		}
		// A no-op save stays valid even where names were shared before duplicates were refused.
		if name != p.Name {
			if err := tx.checkProjectName(p.OrgID, name, p.ID); err != nil {
				return err
			}
		}
	}
	keys := make([]string, 0, len(vals))
	for k := range vals {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var changes []Change
	for _, k := range keys {
		before := p.Settings[k]
		after := vals[k]
		if k == "name" {
			before, after = p.Name, strings.TrimSpace(vals.Str("name"))
			tx.projectIndexed(p.OrgID, p.ID, p.Name, false)
			p.Name = after.(string)
			tx.projectIndexed(p.OrgID, p.ID, p.Name, true)
		}
		if !equalJSON(before, after) {
			changes = append(changes, Change{Type: "Team", Action: "changed", Field: k, Before: before, After: after})
		}
		p.Settings[k] = after
	}
	p.UpdatedAt = tx.now
	if len(changes) > 0 {
		tx.logProject(p, actor.UserID, "updated", changes)
	}
	return nil
}

func (tx *Tx) logProject(p *Project, userID int, activity string, changes []Change) {
	tid := p.ID
	tx.LogActivity(ActivityInput{OrgID: p.OrgID, TeamID: &tid, User: tx.st.users[userID], Scope: "Team", ItemID: itoa(p.ID),
		Activity: activity, Name: p.Name, Changes: changes})
}

// requireProjectAdmin is TeamMemberStrictManagementPermission.
func requireProjectAdmin(actor *Membership) error {
	if actor.Level < LevelAdmin {
		return Forbidden("You don't have sufficient permissions in the project.")
	}
	return nil
}

// DeleteProject marks a project pending deletion (PostHog deletes asynchronously).
func (tx *Tx) DeleteProject(p *Project, actor *Membership) error {
	if err := requireProjectAdmin(actor); err != nil {
		return err
	}
	if p.IsPendingDeletion {
		return Invalid("This project is already being deleted.")
	}
	p.IsPendingDeletion = true
	p.UpdatedAt = tx.now
	tx.logProject(p, actor.UserID, "deleted", nil)
	return nil
}

// ResetProjectToken gives the project a new api_token.
func (tx *Tx) ResetProjectToken(p *Project, actor *Membership) error {
	if err := requireProjectAdmin(actor); err != nil {
		return err
	}
	before := p.APIToken
	p.APIToken = "phc_" + tx.RandomToken(32)
	p.UpdatedAt = tx.now
	tx.logProject(p, actor.UserID, "updated", []Change{{Type: "Team", Action: "changed", Field: "api_token", Before: before, After: p.APIToken}})
	return nil
}

// RotateSecretToken moves the secret token to the backup and issues a new phs_ token.
func (tx *Tx) RotateSecretToken(p *Project, actor *Membership) error {
	if err := requireProjectAdmin(actor); err != nil {
		return err
	}
	var before any
	if p.SecretAPIToken != nil {
		before = MaskValue(*p.SecretAPIToken)
	}
	p.SecretAPITokenBackup = p.SecretAPIToken
	tok := "phs_" + tx.RandomToken(35)
	p.SecretAPIToken = &tok
	p.UpdatedAt = tx.now
	tx.logProject(p, actor.UserID, "updated", []Change{{Type: "Team", Action: "changed", Field: "secret_api_token", Before: before, After: MaskValue(tok)}})
	return nil
}

// DeleteSecretTokenBackup clears the backup secret token (a no-op when there is none).
func (tx *Tx) DeleteSecretTokenBackup(p *Project, actor *Membership) error {
	if err := requireProjectAdmin(actor); err != nil {
		return err
	}
	if p.SecretAPITokenBackup != nil {
		p.SecretAPITokenBackup = nil
		p.UpdatedAt = tx.now
	}
	return nil
}

// AddProductIntent records interest in a product (PATCH add_product_intent).
func (tx *Tx) AddProductIntent(p *Project, productType string) {
	for i := range p.ProductIntents {
		if p.ProductIntents[i].ProductType == productType {
			p.ProductIntents[i].UpdatedAt = tx.now
			return
		}
	}
	p.ProductIntents = append(p.ProductIntents, ProductIntent{ProductType: productType, CreatedAt: tx.now, UpdatedAt: tx.now})
	p.UpdatedAt = tx.now
}

// CompleteProductOnboarding marks onboarding for a product complete.
func (tx *Tx) CompleteProductOnboarding(p *Project, actor *Membership, productType string) {
	done, _ := p.Settings["has_completed_onboarding_for"].(map[string]any)
	next := map[string]any{}
	for k, v := range done {
		next[k] = v
	}
	next[productType] = true
	p.Settings["has_completed_onboarding_for"] = next
	tx.AddProductIntent(p, productType)
	for i := range p.ProductIntents {
		if p.ProductIntents[i].ProductType == productType && p.ProductIntents[i].OnboardingCompletedAt == nil {
			t := tx.now
			p.ProductIntents[i].OnboardingCompletedAt = &t
		}
	}
	p.UpdatedAt = tx.now
	tx.logProject(p, actor.UserID, "updated", []Change{{Type: "Team", Action: "changed", Field: "has_completed_onboarding_for", Before: done, After: next}})
}

// MoveProject moves a project to another organization; the actor must be admin of both.
func (tx *Tx) MoveProject(p *Project, actor *User, target *Organization) error {
	src := tx.Membership(p.OrgID, actor.ID)
	var dst *Membership
	if target != nil {
		dst = tx.Membership(target.ID, actor.ID)
	}
	if src == nil || dst == nil || src.Level < LevelAdmin || dst.Level < LevelAdmin {
		return Invalid("You must be an admin of both the source and target organizations to move a project.")
	}
	if target.ID == p.OrgID {
		return nil
	}
	tx.st.projectsByOrg[p.OrgID] = removeInt(tx.st.projectsByOrg[p.OrgID], p.ID)
	tx.projectIndexed(p.OrgID, p.ID, p.Name, false)
	p.OrgID = target.ID
	tx.st.ext.access.projectMoved(p.ID)
	tx.st.projectsByOrg[target.ID] = append(tx.st.projectsByOrg[target.ID], p.ID)
	tx.projectIndexed(p.OrgID, p.ID, p.Name, true)
	p.UpdatedAt = tx.now
	return nil
}

// GenerateConversationsPublicToken issues a new public token for the conversations widget.
func (tx *Tx) GenerateConversationsPublicToken(p *Project) string {
	tok := tx.RandomURLSafe(32)
	cs, _ := p.Settings["conversations_settings"].(map[string]any)
	next := map[string]any{}
	for k, v := range cs {
		next[k] = v
	}
	next["widget_public_token"] = tok
	p.Settings["conversations_settings"] = next
	p.UpdatedAt = tx.now
	return tok
}

// equalJSON compares two decoded JSON-ish values.
func equalJSON(a, b any) bool { return fmt.Sprintf("%#v", a) == fmt.Sprintf("%#v", b) }

func sortStrings(s []string) { sort.Strings(s) }
