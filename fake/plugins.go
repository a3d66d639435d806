package fake

// The plugin routes (plugins/ and the pipeline_* families): the plugin and config views,
// the family's access rule and the handlers.

import (
	"strings"

	"github.com/fakehog/fakehog/fake/store"
	"github.com/tidwall/gjson"
)

// pluginKind selects which plugins a family of routes shows: all of them (plugins/) or one
// pipeline capability (pipeline_transformations/, ...). One implementation serves all five;
// the store's PluginKind.Admits is the filter.
type pluginKind = store.PluginKind

// The plugin families.
const (
	pluginsAll              = store.PluginsAll
	pipelineTransformations = store.PipelineTransformations
	pipelineDestinations    = store.PipelineDestinations
	pipelineFrontendApps    = store.PipelineFrontendApps
	pipelineImportApps      = store.PipelineImportApps
)

// pluginFamily serves one family of plugin routes.
type pluginFamily struct{ kind pluginKind }

// pluginJSON is PostHog's PluginSerializer.
type pluginJSON struct {
	ID                            int     `json:"id"`
	PluginType                    *string `json:"plugin_type"`
	Name                          *string `json:"name"`
	Description                   *string `json:"description"`
	URL                           *string `json:"url"`
	Icon                          *string `json:"icon"`
	ConfigSchema                  any     `json:"config_schema"`
	Tag                           *string `json:"tag"`
	LatestTag                     *string `json:"latest_tag"`
	IsGlobal                      bool    `json:"is_global"`
	OrganizationID                *string `json:"organization_id"`
	OrganizationName              string  `json:"organization_name"`
	Capabilities                  any     `json:"capabilities"`
	Metrics                       any     `json:"metrics"`
	PublicJobs                    any     `json:"public_jobs"`
	HogFunctionMigrationAvailable bool    `json:"hog_function_migration_available"`
}

func pluginView(tx *store.Tx, p *store.Plugin) pluginJSON {
	v := pluginJSON{ID: p.ID, PluginType: p.PluginType, Name: p.Name, Description: p.Description, Icon: p.Icon,
		ConfigSchema: p.ConfigSchema, Tag: p.Tag, LatestTag: p.LatestTag, IsGlobal: p.IsGlobal,
		OrganizationName: tx.PluginOrganizationName(p), Capabilities: p.Capabilities, Metrics: p.Metrics, PublicJobs: p.PublicJobs}
	// The private token never leaves the server.
	if p.URL != nil && *p.URL != "" {
		u, _, _ := strings.Cut(*p.URL, "?")
		v.URL = &u
	}
	if p.OrgID != "" {
		id := p.OrgID
		v.OrganizationID = &id
	}
	if v.Capabilities == nil {
		v.Capabilities = map[string]any{}
	}
	return v
}

// pluginConfigJSON is PostHog's PluginConfigSerializer (as exports_unsubscribe_configs
// answers it: plugin_info filled, no delivery rate).
type pluginConfigJSON struct {
	ID              int            `json:"id"`
	Plugin          int            `json:"plugin"`
	Enabled         bool           `json:"enabled"`
	Order           int            `json:"order"`
	Config          map[string]any `json:"config"`
	Error           any            `json:"error"`
	TeamID          int            `json:"team_id"`
	PluginInfo      pluginJSON     `json:"plugin_info"`
	DeliveryRate24h any            `json:"delivery_rate_24h"`
	CreatedAt       string         `json:"created_at"`
	UpdatedAt       string         `json:"updated_at"`
	Name            *string        `json:"name"`
	Description     *string        `json:"description"`
	Deleted         bool           `json:"deleted"`
}

func pluginConfigView(tx *store.Tx, pc *store.PluginConfig) pluginConfigJSON {
	p := tx.PluginByID(pc.PluginID)
	v := pluginConfigJSON{ID: pc.ID, Plugin: pc.PluginID, Enabled: pc.Enabled, Order: pc.Order, Config: pc.MaskedConfig(p),
		TeamID: pc.TeamID, PluginInfo: pluginView(tx, p), CreatedAt: isoTime(pc.CreatedAt), UpdatedAt: isoTime(pc.UpdatedAt),
		Name: pc.Name, Description: pc.Description, Deleted: pc.Deleted}
	// An unset name or description falls back to the plugin's.
	if v.Name == nil || *v.Name == "" {
		v.Name = p.Name
	}
	if v.Description == nil || *v.Description == "" {
		v.Description = p.Description
	}
	return v
}

// access is PostHog's PluginsAccessLevelPermission for the call's method.
func (f pluginFamily) access(c *call) error {
	return c.tx.CheckPluginAccess(c.org, !isSafe(c.r.Method))
}

// lookup describes the call's plugin lookup.
func (f pluginFamily) lookup(c *call) store.PluginLookup {
	return store.PluginLookup{Kind: f.kind, ID: c.vars["id"], User: c.user, Write: !isSafe(c.r.Method)}
}

// plugin finds the URL's plugin in the family (get_object); retrieve is GET on the plugin
// itself.
func (f pluginFamily) plugin(c *call, retrieve bool) (*store.Plugin, error) {
	if err := f.access(c); err != nil {
		return nil, err
	}
	q := f.lookup(c)
	q.Retrieve = retrieve
	return c.tx.FindPlugin(c.org, q)
}

// ownPlugin finds the URL's plugin for a detail action (get_plugin_with_permissions).
func (f pluginFamily) ownPlugin(c *call, reason string) (*store.Plugin, error) {
	if err := f.access(c); err != nil {
		return nil, err
	}
	return c.tx.FindOwnPlugin(c.org, f.lookup(c), reason)
}

func (f pluginFamily) list(c *call) (any, error) {
	if err := f.access(c); err != nil {
		return nil, err
	}
	return paginate(c, c.tx.Plugins(c.org.ID, f.kind), func(p *store.Plugin) any { return pluginView(c.tx, p) }), nil
}

func (f pluginFamily) create(c *call) (any, error) {
	if err := f.access(c); err != nil {
		return nil, err
	}
	vals, err := c.validate(store.PluginFields)
	if err != nil {
		return nil, err
	}
	obj, _ := c.object()
	in := store.PluginInstall{Values: vals, Actor: c.user, Kind: f.kind}
	if u := obj.Get("url"); u.Exists() && u.Type != gjson.Null {
		s := u.String()
		if u.Type != gjson.String {
			s = u.Raw
		}
		in.URL = &s
	}
	p, err := c.tx.InstallPlugin(c.org, in)
	if err != nil {
		return nil, err
	}
	return pluginView(c.tx, p), nil
}

func (f pluginFamily) get(c *call) (any, error) {
	p, err := f.plugin(c, true)
	if err != nil {
		return nil, err
	}
	return pluginView(c.tx, p), nil
}

func (f pluginFamily) update(c *call) (any, error) {
	p, err := f.plugin(c, false)
	if err != nil {
		return nil, err
	}
	vals, err := c.validate(store.PluginFields)
	if err != nil {
		return nil, err
	}
	if err := c.tx.UpdatePlugin(c.org, p, vals); err != nil {
		return nil, err
	}
	return pluginView(c.tx, p), nil
}

func (f pluginFamily) delete(c *call) (any, error) {
	p, err := f.plugin(c, false)
	if err != nil {
		return nil, err
	}
	return nil, c.tx.DeletePlugin(p, c.user)
}

func (f pluginFamily) checkForUpdates(c *call) (any, error) {
	p, err := f.ownPlugin(c, "installation")
	if err != nil {
		return nil, err
	}
	if err := c.tx.CheckPluginForUpdates(p); err != nil {
		return nil, err
	}
	return map[string]any{"plugin": pluginView(c.tx, p)}, nil
}

func (f pluginFamily) source(c *call) (any, error) {
	p, err := f.ownPlugin(c, "source editing")
	if err != nil {
		return nil, err
	}
	return c.tx.PluginSources(p), nil
}

func (f pluginFamily) updateSource(c *call) (any, error) {
	p, err := f.ownPlugin(c, "source editing")
	if err != nil {
		return nil, err
	}
	obj, err := c.object()
	if err != nil {
		return nil, err
	}
	return c.tx.UpdatePluginSource(p, obj)
}

func (f pluginFamily) upgrade(c *call) (any, error) {
	p, err := f.ownPlugin(c, "upgrading")
	if err != nil {
		return nil, err
	}
	if err := c.tx.UpgradePlugin(p); err != nil {
		return nil, err
	}
	return pluginView(c.tx, p), nil
}

func (f pluginFamily) activity(c *call) (any, error) {
	if err := f.access(c); err != nil {
		return nil, err
	}
	return paginateActivity(c, c.tx.PluginActivity(c.org.ID), func(e *store.ActivityEntry) any { return activityView(c.tx, e) }), nil
}

func (f pluginFamily) repository(c *call) (any, error) {
	if err := f.access(c); err != nil {
		return nil, err
	}
	return c.tx.PluginRepository(), nil
}

func (f pluginFamily) unused(c *call) (any, error) {
	if err := f.access(c); err != nil {
		return nil, err
	}
	return c.tx.UnusedPluginIDs(), nil
}

func (f pluginFamily) exportsUnsubscribeConfigs(c *call) (any, error) {
	if err := f.access(c); err != nil {
		return nil, err
	}
	out := []pluginConfigJSON{}
	for _, pc := range c.tx.ExportsUnsubscribeConfigs(c.org.ID) {
		out = append(out, pluginConfigView(c.tx, pc))
	}
	return out, nil
}
