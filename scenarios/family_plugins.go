package scenarios

// A scenario organization's plugins (configs, source files) and the world's plugin
// repository and remotes: records, YAML decoding, checks and seeding.

import (
	"github.com/fakehog/fakehog/fake/store"
	"gopkg.in/yaml.v3"
)

// Plugin is a plugin installed by the organization.
type Plugin struct {
	Ref          string
	Name         string // required without a URL; with one, plugin.json's name when empty
	PluginType   string // local, custom, repository, source or inline; custom with a URL, source without
	URL          string
	Description  string
	Icon         string
	Tag          string
	LatestTag    string // what the URL's remote offers now (check_for_updates); needs URL
	IsGlobal     bool
	ConfigSchema any
	Capabilities map[string]any // derived from Source (or the URL's code) when nil
	PublicJobs   any
	Metrics      any
	// Source is the plugin's source files by file name.
	Source map[string]string
	// Configs enable (or configure) the plugin in the organization's projects.
	Configs []PluginConfig
}

// PluginConfig is a plugin enabled or configured in a project.
type PluginConfig struct {
	Project     string // project name; the organization's first project when empty
	Enabled     *bool  // true when nil
	Order       int
	Config      map[string]any
	Name        string
	Description string
	Deleted     bool
}

// PluginRemote is what a plugin URL serves in the emulated outside world (GitHub, GitLab,
// npm, or a local file: path): its latest commit or version and its files.
type PluginRemote struct {
	URL   string
	Tag   string
	Files map[string]string
}

// pluginKeys are the plugins key.
func (d *decoder) pluginKeys(o *Organization) []key {
	return []key{
		{"plugins", func(v *yaml.Node, p string) error {
			return d.list(v, p, func(_ int, item *yaml.Node, ip string) error {
				var pl Plugin
				err := d.plugin(item, ip, &pl)
				o.Plugins = append(o.Plugins, pl)
				return err
			})
		}},
	}
}

func (d *decoder) plugin(n *yaml.Node, path string, pl *Plugin) error {
	return d.object(n, path, "a plugin", []key{
		{"ref", d.str(&pl.Ref)},
		{"name", d.str(&pl.Name)},
		{"plugin_type", d.str(&pl.PluginType)},
		{"url", d.str(&pl.URL)},
		{"description", d.str(&pl.Description)},
		{"icon", d.str(&pl.Icon)},
		{"tag", d.str(&pl.Tag)},
		{"latest_tag", d.str(&pl.LatestTag)},
		{"is_global", d.boolean(&pl.IsGlobal)},
		{"config_schema", d.anyValue(&pl.ConfigSchema)},
		{"capabilities", d.mapValue(&pl.Capabilities)},
		{"public_jobs", d.anyValue(&pl.PublicJobs)},
		{"metrics", d.anyValue(&pl.Metrics)},
		{"source", func(v *yaml.Node, p string) error {
			return d.sourceFiles(v, p, &pl.Source)
		}},
		{"configs", func(v *yaml.Node, p string) error {
			return d.list(v, p, func(_ int, item *yaml.Node, ip string) error {
				var c PluginConfig
				err := d.object(item, ip, "a plugin config", []key{
					{"project", d.str(&c.Project)},
					{"enabled", d.boolPtr(&c.Enabled)},
					{"order", d.integer(&c.Order)},
					{"config", d.mapValue(&c.Config)},
					{"name", d.str(&c.Name)},
					{"description", d.str(&c.Description)},
					{"deleted", d.boolean(&c.Deleted)},
				}, nil)
				pl.Configs = append(pl.Configs, c)
				return err
			})
		}},
	}, nil)
}

// pluginRemotes decodes the top-level plugin_remotes.
func (d *decoder) pluginRemotes(dst *[]PluginRemote) func(*yaml.Node, string) error {
	return func(v *yaml.Node, p string) error {
		return d.list(v, p, func(_ int, item *yaml.Node, ip string) error {
			var r PluginRemote
			err := d.object(item, ip, "a plugin remote", []key{
				{"url", d.str(&r.URL)},
				{"tag", d.str(&r.Tag)},
				{"files", func(v *yaml.Node, p string) error { return d.sourceFiles(v, p, &r.Files) }},
			}, nil)
			*dst = append(*dst, r)
			return err
		})
	}
}

// pluginRepository decodes the top-level plugin_repository: a list of free-form entries.
func (d *decoder) pluginRepository(dst *[]any) func(*yaml.Node, string) error {
	return func(v *yaml.Node, p string) error {
		out := []any{}
		err := d.list(v, p, func(_ int, item *yaml.Node, ip string) error {
			e, err := d.value(item, ip)
			out = append(out, e)
			return err
		})
		*dst = out
		return err
	}
}

// sourceFiles decodes a plugin's source: file name → text.
func (d *decoder) sourceFiles(n *yaml.Node, path string, dst *map[string]string) error {
	r := resolve(n)
	if r.Kind != yaml.MappingNode {
		return d.errAt(n, path, "expected a mapping of file name to source text, found %s", describe(n))
	}
	ps, err := d.pairs(r, path)
	if err != nil {
		return err
	}
	*dst = map[string]string{}
	for _, p := range ps {
		var text string
		fp := child(path, p.k.Value)
		d.mark(p.v, fp)
		if err := d.str(&text)(p.v, fp); err != nil {
			return err
		}
		(*dst)[p.k.Value] = text
	}
	return nil
}

// checkPlugins checks the plugins and their configs.
func (c *orgCheck) checkPlugins() error {
	o, path := c.org, c.path
	pluginRefs := map[string]string{}
	for i, pl := range o.Plugins {
		pp := index(child(path, "plugins"), i)
		if pl.URL == "" {
			if err := c.required(pp, "name", pl.Name, 200); err != nil {
				return err
			}
		} else if err := c.maxLen(child(pp, "name"), pl.Name, 200); err != nil {
			return err
		}
		if pl.LatestTag != "" && pl.URL == "" {
			return c.errorf(child(pp, "latest_tag"), "latest_tag is what the plugin's url offers now: give the url too")
		}
		for j, pc := range pl.Configs {
			cp := index(child(pp, "configs"), j)
			if pc.Project != "" && !c.hasProject(pc.Project) {
				return c.errorf(child(cp, "project"), "no project named %q in this organization", pc.Project)
			}
		}
		if pl.Ref != "" {
			if prev, dup := pluginRefs[pl.Ref]; dup {
				return c.errorf(child(pp, "ref"), "duplicate plugin ref %q%s", pl.Ref, c.lineOf(prev))
			}
			pluginRefs[pl.Ref] = child(pp, "ref")
		}
		if err := c.oneOf(child(pp, "plugin_type"), pl.PluginType, pluginTypes, true); err != nil {
			return err
		}
	}
	return nil
}

// applyPlugins seeds plugins (SeedPlugin: a URL installs the code its emulated remote
// serves, with the API's URL rules), their latest tag as check_for_updates finds it, and
// their configs in the organization's projects.
func applyPlugins(a *orgSeed) error {
	for i, pl := range a.org.Plugins {
		pp := index(child(a.path, "plugins"), i)
		in := store.NewPlugin{PluginType: pl.PluginType, URL: pl.URL, Name: pl.Name, Description: pl.Description, Icon: pl.Icon,
			Tag: pl.Tag, IsGlobal: pl.IsGlobal, Files: pl.Source, ConfigSchema: apiJSON(pl.ConfigSchema),
			Capabilities: apiJSONMap(pl.Capabilities), Metrics: apiJSON(pl.Metrics), PublicJobs: apiJSON(pl.PublicJobs)}
		p, err := a.tx.SeedPlugin(a.sorg.ID, in)
		if err != nil {
			return a.storeError(pp, attrOf(err, nil, "url"))
		}
		if pl.LatestTag != "" {
			// The remote offers latest_tag now; checking for updates records it.
			if err := a.tx.SetPluginRemote(pl.URL, store.PluginRemote{Tag: pl.LatestTag, Files: p.Files}); err != nil {
				return a.storeError(pp, attrOf(err, nil, "url"))
			}
			if err := a.tx.CheckPluginForUpdates(p); err != nil {
				return a.storeError(pp, attrOf(err, nil, "url"))
			}
			if p.LatestTag == nil || *p.LatestTag != pl.LatestTag {
				return a.errorf(child(pp, "latest_tag"), "the url names a fixed commit or version, which is its latest tag: leave latest_tag out")
			}
		}
		for j, c := range pl.Configs {
			in := store.NewPluginConfig{Enabled: c.Enabled == nil || *c.Enabled, Order: c.Order, Config: apiJSONMap(c.Config),
				Name: c.Name, Description: c.Description, Deleted: c.Deleted}
			if _, err := a.tx.SeedPluginConfig(p.ID, a.project(c.Project).ID, in); err != nil {
				return a.storeError(index(child(pp, "configs"), j), err)
			}
		}
	}
	return nil
}

// seedPluginWorld sets up what plugin URLs serve and the repository listing, before any
// organization installs plugins.
func (sd *seeder) seedPluginWorld() error {
	for i, r := range sd.s.PluginRemotes {
		if err := sd.tx.SetPluginRemote(r.URL, store.PluginRemote{Tag: r.Tag, Files: r.Files}); err != nil {
			return sd.storeError(index("plugin_remotes", i), attrOf(err, nil, "url"))
		}
	}
	if sd.s.PluginRepository != nil {
		entries, _ := apiJSON(sd.s.PluginRepository).([]any)
		sd.tx.SetPluginRepository(entries)
	}
	return nil
}
