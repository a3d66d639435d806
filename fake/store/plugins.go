package store

import (
	"fmt"
	"sort"
	"strconv"
	"time"
)

// Plugins (legacy PostHog apps) and their configs: the records, their state (copy,
// cascades), the rule messages, the writable fields, the pipeline families (which plugins
// each shows), the access level check and the lookups. Operations are in
// plugin_operations.go, URLs and the emulated remotes in plugin_remotes.go, capabilities
// derived from source code in plugin_capabilities.go.

// Plugin is a legacy PostHog app (PostHog's Plugin): installed from a GitHub/GitLab/npm URL
// or written in the browser (plugin_type "source"). Its source files decide its capabilities,
// and the capabilities decide which pipeline family (transformations, destinations, frontend
// apps, import apps) shows it.
type Plugin struct {
	ID    int
	OrgID string // "" for a plugin with no organization (PostHog's inline plugins)
	// PluginType is local, custom, repository, source, inline, "" or nil.
	PluginType         *string
	IsGlobal           bool
	Name               *string
	Description        *string
	URL                *string // as installed, private token included
	Icon               *string
	ConfigSchema       any // plugin.json's "config": a list (or the legacy object form)
	Tag                *string
	LatestTag          *string
	LatestTagCheckedAt *time.Time
	// Capabilities is what PostHog's plugin server reports after loading the code:
	// {"jobs", "methods", "scheduled_tasks"}, or {} when there is no main file.
	Capabilities map[string]any
	Metrics      any
	PublicJobs   any
	// Files are the plugin's source files (PostHog's PluginSourceFile): plugin.json,
	// index.ts, frontend.tsx, site.ts...
	Files     map[string]string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// PluginConfig is a plugin enabled (or configured) in a project (PostHog's PluginConfig).
// The fake has no endpoints for them; scenarios seed them with SeedPluginConfig, and they
// decide which foreign plugins an organization sees, `unused` and
// `exports_unsubscribe_configs`.
type PluginConfig struct {
	ID          int
	PluginID    int
	TeamID      int
	Enabled     bool
	Order       int
	Config      map[string]any
	Name        *string
	Description *string
	Deleted     bool
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// PluginRemote is what the emulated outside world (GitHub, GitLab, npm, the local disk)
// serves for a plugin URL: the latest commit or version and the archive's files.
type PluginRemote struct {
	Tag   string
	Files map[string]string
}

// pluginState holds plugins, their configs, the emulated remotes and the repository listing.
type pluginState struct {
	noHooks
	nextID       int
	nextConfigID int
	byID         map[int]*Plugin
	configs      map[int]*PluginConfig
	remotes      map[string]*PluginRemote // root URL → remote
	repository   []any                    // the repository listing (JSON array)
}

func (s *pluginState) init() {
	s.nextID, s.nextConfigID = 1, 1
	s.byID = map[int]*Plugin{}
	s.configs = map[int]*PluginConfig{}
	s.remotes = map[string]*PluginRemote{}
	s.repository = cannedPluginRepository()
	for _, r := range cannedPluginRemotes() {
		s.remotes[r.url] = &PluginRemote{Tag: r.tag, Files: r.files}
	}
}

// dropOrg removes the organization's plugins (with their configs everywhere) and the
// configs of its projects, which are gone by now: both cascade in PostHog.
func (s *pluginState) dropOrg(tx *Tx, orgID string) {
	for id, p := range s.byID {
		if p.OrgID == orgID {
			delete(s.byID, id)
		}
	}
	for id, pc := range s.configs {
		if s.byID[pc.PluginID] == nil || tx.st.projects[pc.TeamID] == nil {
			delete(s.configs, id)
		}
	}
}

// Messages of the plugin rules.
const (
	MsgPluginAccessInsufficient = "Your organization's plugin access level is insufficient."
	MsgPluginManagedElsewhere   = "This plugin installation is managed by another organization"
	MsgPluginGlobalManage       = "This organization can't manage global plugins!"
	MsgPluginGlobalUninstall    = "This plugin is marked as global! Make it local before uninstallation"
	MsgPluginURL                = "Must be a GitHub/GitLab repository or a npm package URL!"
	MsgPluginNoJSON             = "Could not find plugin.json in the plugin"
	MsgPluginStatelessConfig    = "Stateless plugins cannot have a config!"
	// PluginSecretValue replaces the values of secret config fields in answers.
	PluginSecretValue = "**************** POSTHOG SECRET FIELD ****************"
)

// MsgPluginActionUnavailable is the 403 of a detail action ("installation", "source
// editing", "upgrading") for an organization below the install level.
func MsgPluginActionUnavailable(reason string) string {
	return "Plugin " + reason + " is not available for the current organization!"
}

// MsgPluginInstalled is the error for a URL some plugin is already installed from.
func MsgPluginInstalled(url string) string {
	return fmt.Sprintf("Plugin from URL %q already installed!", url)
}

// Plugin types.
const (
	PluginTypeLocal      = "local"
	PluginTypeCustom     = "custom"
	PluginTypeRepository = "repository"
	PluginTypeSource     = "source"
	PluginTypeInline     = "inline"
)

// PluginFields are the writable fields of a plugin (PostHog's PluginSerializer); url is
// read from the create body separately, as PostHog reads it from the raw data.
var PluginFields = Fields{
	{Name: "plugin_type", Kind: Choice, Choices: []any{PluginTypeLocal, PluginTypeCustom, PluginTypeRepository, PluginTypeSource, PluginTypeInline}, Nullable: true, AllowBlank: true},
	{Name: "name", Kind: String, MaxLen: 200, Nullable: true, AllowBlank: true},
	{Name: "description", Kind: String, Nullable: true, AllowBlank: true},
	{Name: "icon", Kind: String, MaxLen: 800, Nullable: true, AllowBlank: true},
	{Name: "config_schema", Kind: JSON},
	{Name: "tag", Kind: String, MaxLen: 200, Nullable: true, AllowBlank: true},
	{Name: "is_global", Kind: Bool},
	{Name: "capabilities", Kind: JSON},
	{Name: "metrics", Kind: JSON, Nullable: true},
	{Name: "public_jobs", Kind: JSON, Nullable: true},
}

// PluginKind is a family of plugin routes: plugins/ shows every plugin, each pipeline_*
// family only those whose capabilities fit it.
type PluginKind int

// The plugin families.
const (
	PluginsAll PluginKind = iota
	PipelineTransformations
	PipelineDestinations
	PipelineFrontendApps
	PipelineImportApps
)

// Admits reports whether the family shows the plugin (PostHog's Pipeline*ViewSet filters):
// transformations have processEvent; destinations onEvent or composeWebhook; frontend apps
// have neither a methods nor a scheduled_tasks key; import apps have scheduled tasks, or
// methods that are none of the three.
func (k PluginKind) Admits(p *Plugin) bool {
	methods, hasMethods := p.Capabilities["methods"]
	tasks, hasTasks := p.Capabilities["scheduled_tasks"]
	has := func(name string) bool { return jsonContains(methods, name) }
	switch k {
	case PipelineTransformations:
		return hasMethods && has("processEvent")
	case PipelineDestinations:
		return hasMethods && (has("onEvent") || has("composeWebhook"))
	case PipelineFrontendApps:
		return !hasMethods && !hasTasks
	case PipelineImportApps:
		if hasTasks {
			if l, ok := tasks.([]any); !ok || len(l) > 0 {
				return true
			}
		}
		return hasMethods && !has("onEvent") && !has("composeWebhook") && !has("processEvent")
	}
	return true
}

// jsonContains follows Postgres' jsonb @> for a string: an array holding it, or the string.
func jsonContains(v any, s string) bool {
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			if e == s {
				return true
			}
		}
	case string:
		return x == s
	}
	return false
}

// CheckPluginAccess is PostHog's PluginsAccessLevelPermission: reads need the config level
// (3), writes the install level (6).
func (tx *Tx) CheckPluginAccess(org *Organization, write bool) error {
	min := PluginsAccessConfig
	if write {
		min = PluginsAccessInstall
	}
	if org.PluginsAccessLevel < min {
		return Forbidden(MsgPluginAccessInsufficient)
	}
	return nil
}

// visiblePlugin reports whether the organization sees the plugin: its own, global ones, and
// those with a live config in one of its projects.
func (tx *Tx) visiblePlugin(orgID string, p *Plugin) bool {
	if p.OrgID == orgID || p.IsGlobal {
		return true
	}
	for _, pc := range tx.st.ext.plugins.configs {
		if pc.PluginID == p.ID && !pc.Deleted {
			if pr := tx.st.projects[pc.TeamID]; pr != nil && pr.OrgID == orgID {
				return true
			}
		}
	}
	return false
}

// Plugins lists the plugins the family shows the organization, by id.
func (tx *Tx) Plugins(orgID string, kind PluginKind) []*Plugin {
	var out []*Plugin
	for _, p := range tx.allPlugins() {
		if tx.visiblePlugin(orgID, p) && kind.Admits(p) {
			out = append(out, p)
		}
	}
	return out
}

func (tx *Tx) allPlugins() []*Plugin {
	out := make([]*Plugin, 0, len(tx.st.ext.plugins.byID))
	for _, p := range tx.st.ext.plugins.byID {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// PluginByID returns the plugin with that id in any organization, or nil.
func (tx *Tx) PluginByID(id int) *Plugin { return tx.st.ext.plugins.byID[id] }

// PluginLookup is how a plugin route looks its plugin up (PluginViewSet's get_object).
type PluginLookup struct {
	Kind  PluginKind
	ID    string // the URL's id
	User  *User  // the caller
	Write bool   // an unsafe method
	// Retrieve is GET on the plugin itself: PostHog's dangerously_get_permissions drops the
	// organization-membership check there for a global plugin.
	Retrieve bool
}

// FindPlugin is PostHog's get_object for a plugin route (posthog/api/plugin.py): the
// family's visible plugin with that id (404 otherwise), then the object permissions in
// PostHog's order: PluginsAccessLevelPermission refuses a write to another organization's
// plugin (403 "managed by another organization"), then OrganizationMemberPermissions
// refuses a caller who is not a member of the plugin's organization (403, DRF's message) —
// except when retrieving a global plugin.
func (tx *Tx) FindPlugin(org *Organization, q PluginLookup) (*Plugin, error) {
	n, err := strconv.Atoi(q.ID)
	p := tx.st.ext.plugins.byID[n]
	if err != nil || p == nil || !tx.visiblePlugin(org.ID, p) || !q.Kind.Admits(p) {
		return nil, ErrNotFound()
	}
	if p.OrgID == org.ID {
		return p, nil
	}
	if q.Write {
		return nil, Forbidden(MsgPluginManagedElsewhere)
	}
	if q.Retrieve && p.IsGlobal {
		return p, nil
	}
	if q.User == nil || p.OrgID == "" || tx.Membership(p.OrgID, q.User.ID) == nil {
		return nil, Forbidden(MsgNoPermission)
	}
	return p, nil
}

// FindOwnPlugin is FindPlugin for the detail actions (check_for_updates, source,
// update_source, upgrade): the plugin must be the organization's own (404 otherwise), and
// the organization must be allowed to install plugins (403 naming the action's reason).
func (tx *Tx) FindOwnPlugin(org *Organization, q PluginLookup, reason string) (*Plugin, error) {
	q.Retrieve = false
	p, err := tx.FindPlugin(org, q)
	if err != nil {
		return nil, err
	}
	if p.OrgID != org.ID {
		return nil, ErrNotFound()
	}
	if org.PluginsAccessLevel < PluginsAccessInstall {
		return nil, Forbidden(MsgPluginActionUnavailable(reason))
	}
	return p, nil
}

// PluginOrganizationName is the plugin's organization_name ("posthog-inline" without one).
func (tx *Tx) PluginOrganizationName(p *Plugin) string {
	if o := tx.st.orgs[p.OrgID]; o != nil {
		return o.Name
	}
	return "posthog-inline"
}
