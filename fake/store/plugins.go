package store

import (
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/gjson"
)

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

// clone returns a deep copy.
func (s *pluginState) clone() pluginState {
	c := pluginState{nextID: s.nextID, nextConfigID: s.nextConfigID,
		byID: make(map[int]*Plugin, len(s.byID)), configs: make(map[int]*PluginConfig, len(s.configs)),
		remotes: make(map[string]*PluginRemote, len(s.remotes))}
	for id, p := range s.byID {
		c.byID[id] = p.clone()
	}
	for id, pc := range s.configs {
		cc := *pc
		cc.Config, _ = CloneValue(pc.Config).(map[string]any)
		cc.Name, cc.Description = clonePtr(pc.Name), clonePtr(pc.Description)
		c.configs[id] = &cc
	}
	for u, r := range s.remotes {
		c.remotes[u] = &PluginRemote{Tag: r.Tag, Files: cloneMap(r.Files)}
	}
	if s.repository != nil {
		c.repository, _ = CloneValue(s.repository).([]any)
	}
	return c
}

func (p *Plugin) clone() *Plugin {
	c := *p
	c.PluginType, c.Name, c.Description, c.URL = clonePtr(p.PluginType), clonePtr(p.Name), clonePtr(p.Description), clonePtr(p.URL)
	c.Icon, c.Tag, c.LatestTag = clonePtr(p.Icon), clonePtr(p.Tag), clonePtr(p.LatestTag)
	c.LatestTagCheckedAt = clonePtr(p.LatestTagCheckedAt)
	c.ConfigSchema = CloneValue(p.ConfigSchema)
	c.Capabilities, _ = CloneValue(p.Capabilities).(map[string]any)
	c.Metrics, c.PublicJobs = CloneValue(p.Metrics), CloneValue(p.PublicJobs)
	if p.Files != nil {
		c.Files = cloneMap(p.Files)
	}
	return &c
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

// PluginInstall is the input of InstallPlugin.
type PluginInstall struct {
	Values Values // validated PluginFields
	URL    *string
	Actor  *User
	// Kind is the family installing the plugin: an unknown URL's emulated code is made to
	// fit it, so the plugin shows up where it was installed.
	Kind PluginKind
}

// InstallPlugin is POST on a plugin family: a plugin from a URL (fetched from the emulated
// remote) or, with plugin_type "source", an empty plugin to write in the browser. Global
// plugins need the root access level.
func (tx *Tx) InstallPlugin(org *Organization, in PluginInstall) (*Plugin, error) {
	if in.Values.Bool("is_global") && org.PluginsAccessLevel < PluginsAccessRoot {
		return nil, Forbidden(MsgPluginGlobalManage)
	}
	p := &Plugin{OrgID: org.ID, Capabilities: map[string]any{}, ConfigSchema: map[string]any{}, Metrics: map[string]any{},
		PublicJobs: map[string]any{}, CreatedAt: tx.now, UpdatedAt: tx.now}
	applyPluginValues(p, in.Values)
	if in.URL != nil {
		u := *in.URL
		p.URL = &u
	}
	if p.PluginType == nil || *p.PluginType != PluginTypeSource {
		if in.URL == nil {
			return nil, Invalid(MsgPluginURL)
		}
		fetched, err := tx.fetchPlugin(*in.URL, ptrStr(p.PluginType), in.Kind)
		if err != nil {
			return nil, err
		}
		if err := tx.checkPluginURLFree(*in.URL); err != nil {
			return nil, err
		}
		fetched.applyTo(p)
		tx.keepRemote(fetched)
	} else if in.URL != nil {
		// PostHog's unique url column refuses a second source plugin on one URL too.
		if err := tx.checkPluginURLFree(*in.URL); err != nil {
			return nil, err
		}
	}
	tx.insertPlugin(p)
	tx.logPlugin(p, in.Actor, "installed")
	return p, nil
}

func (tx *Tx) insertPlugin(p *Plugin) {
	s := &tx.st.ext.plugins
	p.ID = s.nextID
	s.nextID++
	if caps := PluginCapabilities(p.Files); caps != nil {
		p.Capabilities = caps
	}
	s.byID[p.ID] = p
}

func (tx *Tx) logPlugin(p *Plugin, actor *User, activity string) {
	in := ActivityInput{OrgID: p.OrgID, User: actor, Scope: "Plugin", ItemID: strconv.Itoa(p.ID), Activity: activity, Name: ptrStr(p.Name)}
	if actor != nil && actor.CurrentTeamID != 0 {
		team := actor.CurrentTeamID
		in.TeamID = &team
	}
	tx.LogActivity(in)
}

// applyPluginValues copies validated PluginFields onto the plugin.
func applyPluginValues(p *Plugin, vals Values) {
	for name, v := range vals {
		switch name {
		case "plugin_type":
			p.PluginType = vals.StrPtr(name)
		case "name":
			p.Name = vals.StrPtr(name)
		case "description":
			p.Description = vals.StrPtr(name)
		case "icon":
			p.Icon = vals.StrPtr(name)
		case "tag":
			p.Tag = vals.StrPtr(name)
		case "config_schema":
			p.ConfigSchema = CloneValue(v)
		case "is_global":
			p.IsGlobal = vals.Bool(name)
		case "capabilities":
			if m, ok := v.(map[string]any); ok {
				p.Capabilities, _ = CloneValue(m).(map[string]any)
			} else {
				// PostHog stores a non-object as is; having no methods or
				// scheduled_tasks key, it filters exactly as {} does.
				p.Capabilities = map[string]any{}
			}
		case "metrics":
			p.Metrics = CloneValue(v)
		case "public_jobs":
			p.PublicJobs = CloneValue(v)
		}
	}
}

// UpdatePlugin is PATCH (or PUT) on a plugin with validated PluginFields. Setting is_global
// at all needs the root access level.
func (tx *Tx) UpdatePlugin(org *Organization, p *Plugin, vals Values) error {
	if vals.Has("is_global") && org.PluginsAccessLevel < PluginsAccessRoot {
		return Forbidden(MsgPluginGlobalManage)
	}
	applyPluginValues(p, vals)
	p.UpdatedAt = tx.now
	return nil
}

// DeletePlugin uninstalls a plugin with its configs; a global plugin must be made local first.
func (tx *Tx) DeletePlugin(p *Plugin, actor *User) error {
	if p.IsGlobal {
		return Invalid(MsgPluginGlobalUninstall)
	}
	s := &tx.st.ext.plugins
	delete(s.byID, p.ID)
	for id, pc := range s.configs {
		if pc.PluginID == p.ID {
			delete(s.configs, id)
		}
	}
	tx.logPlugin(p, actor, "uninstalled")
	return nil
}

// CheckPluginForUpdates records the latest tag the plugin's URL offers now (check_for_updates).
func (tx *Tx) CheckPluginForUpdates(p *Plugin) error {
	if p.URL == nil {
		return Invalid(MsgPluginURL)
	}
	u, ok := parsePluginURL(*p.URL)
	if !ok {
		return Invalid(MsgPluginURL)
	}
	latest := u.tag
	if !u.pinned {
		r, derived := tx.remoteFor(u, p.kindHint())
		if derived {
			tx.st.ext.plugins.remotes[u.root] = r
		}
		latest = r.Tag
	}
	now := tx.now
	p.LatestTag, p.LatestTagCheckedAt = &latest, &now
	return nil
}

// kindHint is the family an installed plugin fits, for generating its remote if a scenario
// dropped it.
func (p *Plugin) kindHint() PluginKind {
	for _, k := range []PluginKind{PipelineTransformations, PipelineDestinations, PipelineImportApps, PipelineFrontendApps} {
		if k.Admits(p) {
			return k
		}
	}
	return PluginsAll
}

// UpgradePlugin re-installs a URL plugin from its remote's current state (upgrade): tag,
// metadata and files. As in PostHog, the plugin's type becomes "custom". Source and local
// plugins are left as they are.
func (tx *Tx) UpgradePlugin(p *Plugin) error {
	if t := ptrStr(p.PluginType); t == PluginTypeSource || t == PluginTypeLocal {
		return nil
	}
	if p.URL == nil {
		return Invalid(MsgPluginURL)
	}
	fetched, err := tx.fetchPlugin(*p.URL, "", p.kindHint())
	if err != nil {
		return err
	}
	fetched.applyTo(p)
	tx.keepRemote(fetched)
	if caps := PluginCapabilities(p.Files); caps != nil {
		p.Capabilities = caps
	}
	p.UpdatedAt = tx.now
	return nil
}

// PluginSources is the plugin's files (GET source).
func (tx *Tx) PluginSources(p *Plugin) map[string]string {
	return cloneMap(p.Files)
}

// UpdatePluginSource applies update_source: body maps file names to their new source, null
// deleting a file. plugin.json's name and config are copied to the plugin, and the
// capabilities are derived again from the code. It answers the files after the change.
func (tx *Tx) UpdatePluginSource(p *Plugin, body gjson.Result) (map[string]string, error) {
	files := cloneMap(p.Files)
	var ferr *Error
	body.ForEach(func(k, v gjson.Result) bool {
		name := k.String()
		switch {
		case len([]rune(name)) > 200:
			ferr = FieldError(name, "max_length", MsgMaxLen(200))
		case v.Type == gjson.Null:
			delete(files, name)
		case v.Type == gjson.String:
			files[name] = v.Str
		default:
			ferr = FieldError(name, "invalid_input", MsgInvalidString)
		}
		return ferr == nil
	})
	if ferr != nil {
		return nil, ferr
	}
	var meta map[string]any
	if src, ok := files["plugin.json"]; ok && src != "" {
		if err := json.Unmarshal([]byte(src), &meta); err != nil {
			return nil, Invalid("Could not parse plugin.json: " + err.Error())
		}
	}
	changed := !reflect.DeepEqual(files, p.Files) && !(len(files) == 0 && len(p.Files) == 0)
	if name, ok := meta["name"]; ok {
		var next *string
		switch n := name.(type) {
		case string:
			next = &n
		case nil:
		default:
			data, _ := json.Marshal(n)
			s := string(data)
			next = &s
		}
		if !reflect.DeepEqual(next, p.Name) {
			p.Name, changed = next, true
		}
	}
	if cfg, ok := meta["config"]; ok && !reflect.DeepEqual(cfg, p.ConfigSchema) {
		p.ConfigSchema, changed = cfg, true
	}
	p.Files = files
	if caps := PluginCapabilities(files); caps != nil {
		p.Capabilities = caps
	}
	if changed {
		p.UpdatedAt = tx.now
	}
	return cloneMap(files), nil
}

// UnusedPluginIDs lists, by id, the plugins no project has enabled (unused). As in PostHog,
// the list spans every organization.
func (tx *Tx) UnusedPluginIDs() []int {
	used := map[int]bool{}
	for _, pc := range tx.st.ext.plugins.configs {
		if pc.Enabled {
			used[pc.PluginID] = true
		}
	}
	out := []int{}
	for _, p := range tx.allPlugins() {
		if !used[p.ID] {
			out = append(out, p.ID)
		}
	}
	return out
}

// ExportsUnsubscribeConfigs lists the organization's enabled configs a user must turn off
// to stop exporting (exports_unsubscribe_configs): all but those of global transformations
// or global apps without capabilities, and of local apps without capabilities.
func (tx *Tx) ExportsUnsubscribeConfigs(orgID string) []*PluginConfig {
	var out []*PluginConfig
	for _, pc := range tx.pluginConfigs() {
		p, team := tx.st.ext.plugins.byID[pc.PluginID], tx.st.projects[pc.TeamID]
		if !pc.Enabled || p == nil || team == nil || team.OrgID != orgID {
			continue
		}
		noCaps := len(p.Capabilities) == 0
		if p.IsGlobal && (jsonContains(p.Capabilities["methods"], "processEvent") || noCaps) || !p.IsGlobal && noCaps {
			continue
		}
		out = append(out, pc)
	}
	return out
}

func (tx *Tx) pluginConfigs() []*PluginConfig {
	out := make([]*PluginConfig, 0, len(tx.st.ext.plugins.configs))
	for _, pc := range tx.st.ext.plugins.configs {
		out = append(out, pc)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// MaskedConfig is the config as PostHog shows it: values of the schema's secret fields
// replaced by PluginSecretValue.
func (pc *PluginConfig) MaskedConfig(p *Plugin) map[string]any {
	out, _ := CloneValue(pc.Config).(map[string]any)
	if out == nil {
		out = map[string]any{}
	}
	if list, ok := p.ConfigSchema.([]any); ok {
		for _, f := range list {
			field, _ := f.(map[string]any)
			key, _ := field["key"].(string)
			if secret, _ := field["secret"].(bool); secret && pyTruthy(out[key]) {
				out[key] = PluginSecretValue
			}
		}
	}
	return out
}

// PluginActivity lists the organization's plugin and plugin config activity, newest first.
func (tx *Tx) PluginActivity(orgID string) []*ActivityEntry {
	return tx.Activity(orgID, func(e *ActivityEntry) bool { return e.Scope == "Plugin" || e.Scope == "PluginConfig" })
}

// PluginRepository is the repository listing (GET repository): PostHog fetches it from
// GitHub; the fake serves a canned catalogue a scenario can replace.
func (tx *Tx) PluginRepository() []any {
	out, _ := CloneValue(tx.st.ext.plugins.repository).([]any)
	if out == nil {
		out = []any{}
	}
	return out
}

// SetPluginRepository replaces the repository listing (any JSON array, e.g. entries
// {name, url, description, icon, maintainer, type}).
func (tx *Tx) SetPluginRepository(entries []any) {
	tx.st.ext.plugins.repository, _ = CloneValue(entries).([]any)
	if tx.st.ext.plugins.repository == nil {
		tx.st.ext.plugins.repository = []any{}
	}
}

// SetPluginRemote emulates what a plugin URL serves from now on: its latest commit or
// version (Tag) and the archive's files (plugin.json, index.ts, frontend.tsx, site.ts). The
// URL is a GitHub, GitLab or npm URL (any form PostHog accepts; the remote belongs to its
// repository or package) or a local "file:" path. A later install, check_for_updates or
// upgrade sees it.
func (tx *Tx) SetPluginRemote(url string, r PluginRemote) error {
	key := ""
	if strings.HasPrefix(url, "file:") {
		key = url
	} else if u, ok := parsePluginURL(url); ok {
		key = u.root
	} else {
		return Invalid(MsgPluginURL)
	}
	tx.st.ext.plugins.remotes[key] = &PluginRemote{Tag: r.Tag, Files: cloneMap(r.Files)}
	return nil
}

// NewPlugin is the input of SeedPlugin.
type NewPlugin struct {
	// PluginType: "" means "custom" with a URL, "source" without.
	PluginType string
	// URL installs the plugin from the emulated remote (SetPluginRemote, or one derived from
	// the URL), unless Files are given.
	URL         string
	Name        string
	Description string
	Icon        string
	Tag         string
	IsGlobal    bool
	// Files are the source files; the capabilities are derived from them.
	Files        map[string]string
	ConfigSchema any
	// Capabilities, when set, override the derived ones.
	Capabilities map[string]any
	Metrics      any
	PublicJobs   any
}

// SeedPlugin creates a plugin for a scenario, with the API's rules for URLs (format, one
// plugin per URL) but no access-level checks; orgID "" makes a plugin with no organization
// (PostHog's inline plugins, usually global).
func (tx *Tx) SeedPlugin(orgID string, in NewPlugin) (*Plugin, error) {
	if orgID != "" && tx.st.orgs[orgID] == nil {
		return nil, NotFound(MsgOrgNotFound)
	}
	typ := in.PluginType
	if typ == "" {
		typ = PluginTypeSource
		if in.URL != "" {
			typ = PluginTypeCustom
		}
	}
	p := &Plugin{OrgID: orgID, PluginType: &typ, IsGlobal: in.IsGlobal, Capabilities: map[string]any{}, ConfigSchema: map[string]any{},
		Metrics: map[string]any{}, PublicJobs: map[string]any{}, CreatedAt: tx.now, UpdatedAt: tx.now}
	if in.URL != "" {
		u := in.URL
		p.URL = &u
		var fetched *fetchedPlugin
		if in.Files == nil && typ != PluginTypeSource && typ != PluginTypeInline {
			var err error
			if fetched, err = tx.fetchPlugin(in.URL, typ, PluginsAll); err != nil {
				return nil, err
			}
		}
		if err := tx.checkPluginURLFree(in.URL); err != nil {
			return nil, err
		}
		if fetched != nil {
			fetched.applyTo(p)
			tx.keepRemote(fetched)
		}
	}
	if in.Files != nil {
		p.Files = cloneMap(in.Files)
	}
	for _, f := range []struct {
		dst **string
		v   string
	}{{&p.Name, in.Name}, {&p.Description, in.Description}, {&p.Icon, in.Icon}, {&p.Tag, in.Tag}} {
		if f.v != "" {
			v := f.v
			*f.dst = &v
		}
	}
	if in.ConfigSchema != nil {
		p.ConfigSchema = CloneValue(in.ConfigSchema)
	}
	if in.Metrics != nil {
		p.Metrics = CloneValue(in.Metrics)
	}
	if in.PublicJobs != nil {
		p.PublicJobs = CloneValue(in.PublicJobs)
	}
	tx.insertPlugin(p)
	if in.Capabilities != nil {
		p.Capabilities, _ = CloneValue(in.Capabilities).(map[string]any)
	}
	return p, nil
}

// NewPluginConfig is the input of SeedPluginConfig.
type NewPluginConfig struct {
	Enabled     bool
	Order       int
	Config      map[string]any
	Name        string
	Description string
	Deleted     bool
}

// SeedPluginConfig enables (or configures) a plugin in a project, for a scenario.
func (tx *Tx) SeedPluginConfig(pluginID, teamID int, in NewPluginConfig) (*PluginConfig, error) {
	if tx.st.ext.plugins.byID[pluginID] == nil {
		return nil, Invalid(fmt.Sprintf("Invalid pk \"%d\" - object does not exist.", pluginID))
	}
	if tx.st.projects[teamID] == nil {
		return nil, NotFound("Project not found.")
	}
	s := &tx.st.ext.plugins
	pc := &PluginConfig{ID: s.nextConfigID, PluginID: pluginID, TeamID: teamID, Enabled: in.Enabled && !in.Deleted, Order: in.Order,
		Deleted: in.Deleted, CreatedAt: tx.now, UpdatedAt: tx.now}
	pc.Config, _ = CloneValue(in.Config).(map[string]any)
	if pc.Config == nil {
		pc.Config = map[string]any{}
	}
	if in.Name != "" {
		n := in.Name
		pc.Name = &n
	}
	if in.Description != "" {
		d := in.Description
		pc.Description = &d
	}
	s.nextConfigID++
	s.configs[pc.ID] = pc
	return pc, nil
}

// checkPluginURLFree refuses a URL a plugin is already installed from (in any organization);
// the private token does not count.
func (tx *Tx) checkPluginURLFree(url string) error {
	bare, _, _ := strings.Cut(url, "?")
	for _, p := range tx.allPlugins() {
		if p.URL != nil {
			other, _, _ := strings.Cut(*p.URL, "?")
			if other == bare {
				return Invalid(MsgPluginInstalled(bare))
			}
		}
	}
	return nil
}

// fetchedPlugin is what installing from a URL takes from the remote.
type fetchedPlugin struct {
	pluginType  string
	tag         *string
	name        string
	description string
	icon        *string
	config      any
	publicJobs  any
	files       map[string]string
	// newRemote is a remote derived from the URL during the fetch, kept (keepRemote) once
	// the whole operation has succeeded.
	remoteKey string
	newRemote *PluginRemote
}

// keepRemote stores a remote the fetch derived, so that the URL serves the same code from
// now on.
func (tx *Tx) keepRemote(f *fetchedPlugin) {
	if f.newRemote != nil {
		tx.st.ext.plugins.remotes[f.remoteKey] = f.newRemote
	}
}

func (f *fetchedPlugin) applyTo(p *Plugin) {
	typ, name, desc := f.pluginType, f.name, f.description
	p.PluginType, p.Name, p.Description = &typ, &name, &desc
	p.Tag, p.LatestTag = clonePtr(f.tag), clonePtr(f.tag)
	p.Icon = clonePtr(f.icon)
	p.ConfigSchema, p.PublicJobs = CloneValue(f.config), CloneValue(f.publicJobs)
	p.Files = cloneMap(f.files)
}

// fetchPlugin emulates PostHog's update_validated_data_from_url: the URL's remote (its
// archive's plugin.json and code) at the URL's tag, or the latest one. typ is the requested
// plugin type: "repository" stays, everything else becomes "custom" ("local" for file:).
func (tx *Tx) fetchPlugin(url, typ string, kind PluginKind) (*fetchedPlugin, error) {
	f := &fetchedPlugin{}
	var remote *PluginRemote
	if strings.HasPrefix(url, "file:") {
		remote = tx.st.ext.plugins.remotes[url]
		if remote == nil || remote.Files["plugin.json"] == "" {
			return nil, Invalid("Could not load plugin.json from: " + path.Join(url[len("file:"):], "plugin.json"))
		}
		f.pluginType = PluginTypeLocal
	} else {
		u, ok := parsePluginURL(url)
		if !ok {
			return nil, Invalid(MsgPluginURL)
		}
		var derived bool
		remote, derived = tx.remoteFor(u, kind)
		if derived {
			f.remoteKey, f.newRemote = u.root, remote
		}
		tag := u.tag
		if !u.pinned {
			tag = remote.Tag
		}
		f.tag = &tag
		f.pluginType = PluginTypeCustom
		if typ == PluginTypeRepository {
			f.pluginType = PluginTypeRepository
		}
	}
	var meta map[string]any
	if err := json.Unmarshal([]byte(remote.Files["plugin.json"]), &meta); err != nil || meta == nil {
		return nil, Invalid(MsgPluginNoJSON)
	}
	f.name, _ = meta["name"].(string)
	if f.name == "" {
		f.name = pluginNameFromURL(url)
	}
	f.description, _ = meta["description"].(string)
	if icon, ok := meta["icon"].(string); ok {
		f.icon = &icon
	}
	f.config = meta["config"]
	if f.config == nil {
		f.config = []any{}
	}
	f.publicJobs = meta["publicJobs"]
	if f.publicJobs == nil {
		f.publicJobs = map[string]any{}
	}
	if stateless, _ := meta["stateless"].(bool); stateless && pyTruthy(f.config) {
		return nil, Invalid(MsgPluginStatelessConfig)
	}
	// The archive's code as PostHog keeps it: plugin.json, the main file as index.ts,
	// frontend.tsx and site.ts.
	f.files = map[string]string{"plugin.json": remote.Files["plugin.json"]}
	mainName, _ := meta["main"].(string)
	candidates := []string{"index.js", "index.ts"}
	if mainName != "" {
		candidates = []string{mainName}
	}
	for _, c := range candidates {
		if src, ok := remote.Files[c]; ok {
			f.files["index.ts"] = src
			break
		}
	}
	for _, n := range []string{"frontend.tsx", "site.ts"} {
		if src, ok := remote.Files[n]; ok {
			f.files[n] = src
		}
	}
	_, hasMain := f.files["index.ts"]
	_, hasFrontend := f.files["frontend.tsx"]
	_, hasSite := f.files["site.ts"]
	if !hasMain && !hasFrontend && !hasSite {
		return nil, Invalid(fmt.Sprintf("Could not find main file %s in plugin %s", strings.Join(candidates, " or "), f.name))
	}
	return f, nil
}

// remoteFor returns the URL's emulated remote; for a URL no scenario set up, it derives
// one (derived true; the caller keeps it): plugin.json named after the repository or
// package, and code fitting the family it is installed through (a plain transformation for
// plugins/).
func (tx *Tx) remoteFor(u pluginURL, kind PluginKind) (r *PluginRemote, derived bool) {
	if r := tx.st.ext.plugins.remotes[u.root]; r != nil {
		return r, false
	}
	sum := sha1.Sum([]byte(u.root))
	tag := hex.EncodeToString(sum[:])
	if u.kind == "npm" {
		tag = "1.0.0"
	}
	return &PluginRemote{Tag: tag, Files: emulatedPluginFiles(u.name, "A plugin from "+u.display+".", u.root, kind)}, true
}

// emulatedPluginFiles is the code of a derived remote: a minimal plugin of the family.
func emulatedPluginFiles(name, description, url string, kind PluginKind) map[string]string {
	meta := map[string]any{"name": name, "description": description, "url": url, "config": map[string]any{}}
	files := map[string]string{}
	switch kind {
	case PipelineFrontendApps:
		files["site.ts"] = "export function inject({ config, posthog }) {\n    // runs on the site\n}\n"
	case PipelineDestinations:
		meta["main"] = "index.ts"
		files["index.ts"] = "export async function onEvent(event, { config }) {\n    // send the event on\n}\n"
	case PipelineImportApps:
		meta["main"] = "index.ts"
		files["index.ts"] = "export async function runEveryHour({ config }) {\n    // import data\n}\n"
	default:
		meta["main"] = "index.ts"
		files["index.ts"] = "export async function processEvent(event, { config }) {\n    return event\n}\n"
	}
	data, _ := json.MarshalIndent(meta, "", "    ")
	files["plugin.json"] = string(data)
	return files
}

// pluginURL is a parsed plugin URL (PostHog's parse_url).
type pluginURL struct {
	kind    string // github, gitlab, npm
	root    string // the repository or package URL, without tag and token
	name    string // repository or package name
	display string // host/path, for descriptions
	tag     string // the tag the URL names
	pinned  bool   // the URL names an exact commit or version: no "latest" lookup
}

var (
	reGitHubRef     = regexp.MustCompile(`^https?://(?:www\.)?github\.com/([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+)(/(commit|tree|releases/tag)/([A-Za-z0-9_.\-]+)/?([A-Za-z0-9_.\-/]+)?)?$`)
	reGitHubArchive = regexp.MustCompile(`^https?://(?:www\.)?github\.com/([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+)(/(archive)/([A-Za-z0-9_.\-/]+)(?:\.zip|\.tar\.gz))?$`)
	reNPM           = regexp.MustCompile(`^https?://(?:www\.)?npmjs\.com/package/([@a-z0-9_-]+(/[a-z0-9_-]+)?)/?(v/([A-Za-z0-9_.-]+)/?|)$`)
	reGitLab        = regexp.MustCompile(`^https?://(?:www\.)?gitlab\.com/([A-Za-z0-9_.\-/]+)$`)
	reCommitSHA     = regexp.MustCompile(`^[a-f0-9]{40}$`)
)

// parsePluginURL parses a GitHub, npm or GitLab URL as PostHog does (a ?private_token= and
// surrounding slashes ignored).
func parsePluginURL(raw string) (pluginURL, bool) {
	s, _, _ := strings.Cut(raw, "?")
	s = strings.Trim(s, "/")
	m := reGitHubRef.FindStringSubmatch(s)
	if m == nil {
		m = reGitHubArchive.FindStringSubmatch(s)
	}
	if m != nil {
		u := pluginURL{kind: "github", root: "https://github.com/" + m[1] + "/" + m[2], name: m[2], display: "github.com/" + m[1] + "/" + m[2], tag: m[5]}
		switch ref := m[4]; {
		case ref == "commit" || ref == "archive":
			u.pinned = true
		case ref == "releases/tag":
			u.tag, u.pinned = "refs/tags/"+m[5], true
		case reCommitSHA.MatchString(u.tag):
			u.pinned = true
		}
		return u, true
	}
	if m := reNPM.FindStringSubmatch(s); m != nil {
		pkg := m[1]
		return pluginURL{kind: "npm", root: "https://www.npmjs.com/package/" + pkg, name: pkg[strings.LastIndex(pkg, "/")+1:],
			display: "npmjs.com/package/" + pkg, tag: m[4], pinned: m[4] != ""}, true
	}
	if m := reGitLab.FindStringSubmatch(s); m != nil {
		project, tag := m[1], ""
		if p, rest, ok := strings.Cut(project, "/-/"); ok {
			project = p
			if parts := strings.Split(rest, "/"); len(parts) > 1 {
				tag = parts[1]
			}
		}
		project = strings.Trim(project, "/")
		if project == "" {
			return pluginURL{}, false
		}
		return pluginURL{kind: "gitlab", root: "https://gitlab.com/" + project, name: project[strings.LastIndex(project, "/")+1:],
			display: "gitlab.com/" + project, tag: tag, pinned: tag != ""}, true
	}
	return pluginURL{}, false
}

func pluginNameFromURL(url string) string {
	if u, ok := parsePluginURL(url); ok {
		return u.name
	}
	return path.Base(strings.TrimPrefix(url, "file:"))
}

func ptrStr(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// The plugin server's view of the code: the methods, scheduled tasks and jobs it finds.
var (
	pluginMethods        = []string{"setupPlugin", "teardownPlugin", "getSettings", "onEvent", "processEvent", "composeWebhook", "exportEvents"}
	pluginScheduledTasks = []string{"runEveryMinute", "runEveryHour", "runEveryDay"}

	reBlockComment = regexp.MustCompile(`(?s)/\*.*?\*/`)
	reLineComment  = regexp.MustCompile(`(?m)(^|[^:\\])//.*$`)
	reExportFunc   = regexp.MustCompile(`\bexport\s+(?:default\s+)?(?:async\s+)?function\s*\*?\s*([A-Za-z_$][\w$]*)`)
	reExportVar    = regexp.MustCompile(`\bexport\s+(?:const|let|var)\s+([A-Za-z_$][\w$]*)`)
	reExportList   = regexp.MustCompile(`\bexport\s*\{([^}]*)\}`)
	reCJSExport    = regexp.MustCompile(`\b(?:module\.)?exports\.([A-Za-z_$][\w$]*)\s*=`)
	reCJSObject    = regexp.MustCompile(`\bmodule\.exports\s*=\s*\{`)
	reJobsObject   = regexp.MustCompile(`\bexport\s+(?:const|let|var)\s+jobs\b[^=]*=\s*\{`)
)

// PluginCapabilities derives a plugin's capabilities from its source files, as PostHog's
// plugin server reports them after loading the main file (index.ts, else index.js):
// {"jobs": [...], "methods": [...], "scheduled_tasks": [...]} from what the code exports
// (processEvent, onEvent, composeWebhook, setupPlugin..., runEveryMinute/Hour/Day, and the
// keys of an exported jobs object). Without a main file but with frontend.tsx or site.ts
// (a frontend or site app) it is {}; with no code at all it is nil: the capabilities are
// left as they were.
func PluginCapabilities(files map[string]string) map[string]any {
	main, ok := files["index.ts"]
	if !ok {
		main, ok = files["index.js"]
	}
	if !ok {
		_, front := files["frontend.tsx"]
		_, site := files["site.ts"]
		if front || site {
			return map[string]any{}
		}
		return nil
	}
	src := reLineComment.ReplaceAllString(reBlockComment.ReplaceAllString(main, ""), "$1")
	exported := map[string]bool{}
	for _, re := range []*regexp.Regexp{reExportFunc, reExportVar, reCJSExport} {
		for _, m := range re.FindAllStringSubmatch(src, -1) {
			exported[m[1]] = true
		}
	}
	for _, m := range reExportList.FindAllStringSubmatch(src, -1) {
		for _, item := range strings.Split(m[1], ",") {
			fields := strings.Fields(item)
			if len(fields) > 0 {
				exported[fields[len(fields)-1]] = true
			}
		}
	}
	var jobs []string
	for _, loc := range reCJSObject.FindAllStringIndex(src, -1) {
		for _, k := range objectKeys(src, loc[1]-1) {
			exported[k] = true
		}
	}
	if loc := reJobsObject.FindStringIndex(src); loc != nil {
		jobs = objectKeys(src, loc[1]-1)
	}
	if exported["exportEvents"] {
		exported["onEvent"] = true // the plugin server turns exportEvents into onEvent
	}
	pick := func(names []string) []any {
		out := []any{}
		for _, n := range names {
			if exported[n] {
				out = append(out, n)
			}
		}
		return out
	}
	jobList := []any{}
	for _, j := range jobs {
		jobList = append(jobList, j)
	}
	return map[string]any{"jobs": jobList, "methods": pick(pluginMethods), "scheduled_tasks": pick(pluginScheduledTasks)}
}

var reObjectKey = regexp.MustCompile(`^(?:async\s+|get\s+|set\s+)?\*?\s*(?:([A-Za-z_$][\w$]*)|"([^"]*)"|'([^']*)')`)

// objectKeys lists the top-level keys of the object literal whose "{" is at open.
func objectKeys(src string, open int) []string {
	var keys []string
	depth, start := 0, open+1
	var quote byte
	entry := func(end int) {
		m := reObjectKey.FindStringSubmatch(strings.TrimSpace(src[start:end]))
		if m == nil {
			return
		}
		for _, k := range m[1:] {
			if k != "" {
				keys = append(keys, k)
				return
			}
		}
	}
	for i := open; i < len(src); i++ {
		ch := src[i]
		if quote != 0 {
			if ch == '\\' {
				i++
			} else if ch == quote {
				quote = 0
			}
			continue
		}
		switch ch {
		case '"', '\'', '`':
			quote = ch
		case '{', '(', '[':
			depth++
		case '}', ')', ']':
			depth--
			if depth == 0 {
				entry(i)
				return keys
			}
		case ',':
			if depth == 1 {
				entry(i)
				start = i + 1
			}
		}
	}
	return keys
}

// The canned repository listing and the remotes behind it.

type cannedRemote struct {
	url   string
	tag   string
	files map[string]string
}

type cannedApp struct {
	name, repo, description, entryType string
	kind                               PluginKind
}

var cannedApps = []cannedApp{
	{"GeoIP", "posthog-plugin-geoip", "Enrich PostHog events and persons with IP location data", "", PipelineTransformations},
	{"Property Filter", "property-filter-plugin", "Set event properties to null", "", PipelineTransformations},
	{"Downsampling", "downsampling-plugin", "Reduces event volume coming into PostHog", "", PipelineTransformations},
	{"Customer.io", "customerio-plugin", "Send event data and emails into Customer.io", "data_out", PipelineDestinations},
	{"HubSpot", "hubspot-plugin", "Send contact data to HubSpot on PostHog identify events", "data_out", PipelineDestinations},
	{"Notification Bar", "notification-bar-app", "Show a notification bar for your users", "", PipelineFrontendApps},
	{"Bug Report Widget", "bug-report-app", "Ask your users for bug reports", "", PipelineFrontendApps},
	{"GitHub Release Tracker", "github-release-tracking-plugin", "Get annotations for your GitHub releases", "data_in", PipelineImportApps},
}

func cannedPluginRepository() []any {
	out := make([]any, 0, len(cannedApps))
	for _, a := range cannedApps {
		e := map[string]any{"name": a.name, "url": "https://github.com/PostHog/" + a.repo, "description": a.description,
			"icon": "https://raw.githubusercontent.com/PostHog/" + a.repo + "/main/logo.png", "maintainer": "official"}
		if a.entryType != "" {
			e["type"] = a.entryType
		}
		out = append(out, e)
	}
	return out
}

func cannedPluginRemotes() []cannedRemote {
	out := make([]cannedRemote, 0, len(cannedApps))
	for _, a := range cannedApps {
		url := "https://github.com/PostHog/" + a.repo
		sum := sha1.Sum([]byte(url))
		files := emulatedPluginFiles(a.name, a.description, url, a.kind)
		var meta map[string]any
		_ = json.Unmarshal([]byte(files["plugin.json"]), &meta)
		meta["icon"] = "https://raw.githubusercontent.com/PostHog/" + a.repo + "/main/logo.png"
		data, _ := json.MarshalIndent(meta, "", "    ")
		files["plugin.json"] = string(data)
		out = append(out, cannedRemote{url: url, tag: hex.EncodeToString(sum[:]), files: files})
	}
	return out
}
