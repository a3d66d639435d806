package store

// Plugin operations: installing, updating, deleting, checking for updates, upgrading and
// editing the source of a plugin; plugin configs; and the seeding scenarios use.

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strconv"

	"github.com/tidwall/gjson"
)

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
