package scenarios

import (
	"time"

	"github.com/fakehog/fakehog/fake/store"
	"gopkg.in/yaml.v3"
)

// The resource families (roles, role external references, batch exports, plugins,
// proxy records, organization integrations, OAuth applications) are parsed and checked
// — keys, types, enumerations, references — and seeded by one applier each through the
// store's own operations: the rules they share with the API (a role name's uniqueness, a
// destination's configuration, a plugin URL's format...) are the store's, and a refusal
// comes back positioned at the field it concerns. This file holds their records and their
// decoding from YAML; family_checks.go checks them, family_seeding.go seeds them.

// Role is a role of an organization, with its members.
type Role struct {
	Ref       string // how the scenario refers to the role (default_role, role_external_references)
	ID        string // generated when empty
	Name      string
	Members   []string // user refs or emails; each must be an active member of the organization
	CreatedBy string   // user ref or email; none (null, as for a role created over the API) when empty
}

// RoleExternalReference links a role to a role in an external provider (GitHub, Linear, ...).
type RoleExternalReference struct {
	Role                   string // role ref
	Provider               string
	ProviderOrganizationID string
	ProviderRoleID         string
	ProviderRoleSlug       string // optional
	ProviderRoleName       string
	CreatedBy              string // user ref or email; the organization's creator when empty
}

// BatchExport is a batch export of one of the organization's projects.
type BatchExport struct {
	ID          string // generated when empty
	Name        string
	Project     string // project name; the organization's first project when empty
	Model       string // events (default), persons or sessions
	Destination BatchExportDestination
	Interval    string // hour, day, week, every 5 minutes, every 15 minutes
	Paused      bool
	StartAt     time.Time
	EndAt       time.Time
	Timezone    string // UTC when empty
	OffsetDay   *int   // 0-6, week interval only
	OffsetHour  *int   // 0-23, day and week intervals only
	HogQLQuery  string
	Filters     any
	CreatedBy   string // user ref or email; the organization's creator when empty
	// Runs are past runs (latest_runs); the fake never runs an export itself.
	Runs []BatchExportRun
	// Logs are log entries, after the one the export's creation writes.
	Logs []BatchExportLog
}

// BatchExportDestination is where a batch export writes.
type BatchExportDestination struct {
	Type   string // S3, Snowflake, Postgres, Redshift, BigQuery, Databricks, AzureBlob, Workflows, HTTP, NoOp, FileDownload
	Config map[string]any
}

// BatchExportRun is a past run of a batch export.
type BatchExportRun struct {
	Status            string    // Completed when empty; one of store.BatchExportRunStatuses
	DataIntervalStart time.Time // none when zero
	DataIntervalEnd   time.Time // the clock's reading when zero
	RecordsCompleted  *int
	RecordsTotalCount *int
	LatestError       string
	FinishedAt        time.Time // none when zero
}

// BatchExportLog is a log entry of a batch export.
type BatchExportLog struct {
	Level      string // DEBUG, LOG, INFO, WARN or ERROR (any case)
	Message    string
	InstanceID string // the export's id when empty
}

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

// ProxyRecord is a managed reverse proxy record.
type ProxyRecord struct {
	ID        string // generated when empty
	Domain    string
	Status    string // waiting (default), issuing, valid, warning, erroring, deleting, timed_out
	Message   string
	CreatedBy string // user ref or email; the organization's creator when empty
	// CNAME puts the domain's emulated CNAME record in place (pointing at target_cname), so
	// a waiting record moves on when provisioning is advanced.
	CNAME bool
	// CertExpiresAt is the emulated certificate's expiry (valid and warning records only);
	// 90 days from now when zero.
	CertExpiresAt time.Time
}

// Integration is an organization-level integration (Vercel).
type Integration struct {
	ID            string // generated when empty
	Kind          string // vercel (the default)
	IntegrationID string
	Config        map[string]any
	CreatedBy     string // user ref or email; the organization's creator when empty
	// OpenInvoices makes disconnecting a marketplace installation fail (409), as billing does.
	OpenInvoices bool
	// EnvironmentMapping maps Vercel's environments to projects (connectable integrations).
	EnvironmentMapping *EnvironmentMapping
}

// EnvironmentMapping maps Vercel's environments to projects of the organization, by name.
type EnvironmentMapping struct {
	Production  string // required
	Preview     string // production's project when empty
	Development string // production's project when empty
}

// OAuthApplication is an OAuth application owned by the organization.
type OAuthApplication struct {
	ID           string // generated when empty
	Name         string
	ClientID     string // generated when empty
	RedirectURIs []string
	IsVerified   bool
}

// Enumerations the families' fields are checked against (from PostHog's schema).
var (
	batchExportModels       = store.BatchExportModels
	batchExportIntervals    = store.BatchExportIntervals
	batchExportDestinations = store.BatchExportDestinationTypes
	pluginTypes             = []string{"local", "custom", "repository", "source", "inline"}
	proxyStatuses           = store.ProxyStatuses
	integrationKinds        = store.OrgIntegrationKinds
)

// ---- decoding ----

// familyKeys are the organization keys of the families.
func (d *decoder) familyKeys(o *Organization) []key {
	return []key{
		{"default_role", d.str(&o.DefaultRole)},
		{"roles", func(v *yaml.Node, p string) error {
			return d.list(v, p, func(_ int, item *yaml.Node, ip string) error {
				var r Role
				err := d.object(item, ip, "a role", []key{
					{"ref", d.str(&r.Ref)},
					{"id", d.str(&r.ID)},
					{"name", d.str(&r.Name)},
					{"members", d.strs(&r.Members)},
					{"created_by", d.str(&r.CreatedBy)},
				}, nil)
				o.Roles = append(o.Roles, r)
				return err
			})
		}},
		{"role_external_references", func(v *yaml.Node, p string) error {
			return d.list(v, p, func(_ int, item *yaml.Node, ip string) error {
				var r RoleExternalReference
				err := d.object(item, ip, "a role external reference", []key{
					{"role", d.str(&r.Role)},
					{"provider", d.str(&r.Provider)},
					{"provider_organization_id", d.str(&r.ProviderOrganizationID)},
					{"provider_role_id", d.str(&r.ProviderRoleID)},
					{"provider_role_slug", d.str(&r.ProviderRoleSlug)},
					{"provider_role_name", d.str(&r.ProviderRoleName)},
					{"created_by", d.str(&r.CreatedBy)},
				}, nil)
				o.RoleExternalReferences = append(o.RoleExternalReferences, r)
				return err
			})
		}},
		{"batch_exports", func(v *yaml.Node, p string) error {
			return d.list(v, p, func(_ int, item *yaml.Node, ip string) error {
				var b BatchExport
				err := d.batchExport(item, ip, &b)
				o.BatchExports = append(o.BatchExports, b)
				return err
			})
		}},
		{"plugins", func(v *yaml.Node, p string) error {
			return d.list(v, p, func(_ int, item *yaml.Node, ip string) error {
				var pl Plugin
				err := d.plugin(item, ip, &pl)
				o.Plugins = append(o.Plugins, pl)
				return err
			})
		}},
		{"proxy_records", func(v *yaml.Node, p string) error {
			return d.list(v, p, func(_ int, item *yaml.Node, ip string) error {
				var r ProxyRecord
				err := d.object(item, ip, "a proxy record", []key{
					{"id", d.str(&r.ID)},
					{"domain", d.str(&r.Domain)},
					{"status", d.str(&r.Status)},
					{"message", d.str(&r.Message)},
					{"created_by", d.str(&r.CreatedBy)},
					{"cname", d.boolean(&r.CNAME)},
					{"cert_expires_at", d.timestamp(&r.CertExpiresAt)},
				}, nil)
				o.ProxyRecords = append(o.ProxyRecords, r)
				return err
			})
		}},
		{"integrations", func(v *yaml.Node, p string) error {
			return d.list(v, p, func(_ int, item *yaml.Node, ip string) error {
				var in Integration
				err := d.object(item, ip, "an integration", []key{
					{"id", d.str(&in.ID)},
					{"kind", d.str(&in.Kind)},
					{"integration_id", d.str(&in.IntegrationID)},
					{"config", d.mapValue(&in.Config)},
					{"created_by", d.str(&in.CreatedBy)},
					{"open_invoices", d.boolean(&in.OpenInvoices)},
					{"environment_mapping", func(v *yaml.Node, p string) error {
						in.EnvironmentMapping = &EnvironmentMapping{}
						m := in.EnvironmentMapping
						return d.object(v, p, "an environment mapping", []key{
							{"production", d.str(&m.Production)},
							{"preview", d.str(&m.Preview)},
							{"development", d.str(&m.Development)},
						}, nil)
					}},
				}, nil)
				o.Integrations = append(o.Integrations, in)
				return err
			})
		}},
		{"oauth_applications", func(v *yaml.Node, p string) error {
			return d.list(v, p, func(_ int, item *yaml.Node, ip string) error {
				var a OAuthApplication
				err := d.object(item, ip, "an OAuth application", []key{
					{"id", d.str(&a.ID)},
					{"name", d.str(&a.Name)},
					{"client_id", d.str(&a.ClientID)},
					{"redirect_uris", d.strs(&a.RedirectURIs)},
					{"is_verified", d.boolean(&a.IsVerified)},
				}, nil)
				o.OAuthApplications = append(o.OAuthApplications, a)
				return err
			})
		}},
	}
}

func (d *decoder) batchExport(n *yaml.Node, path string, b *BatchExport) error {
	return d.object(n, path, "a batch export", []key{
		{"id", d.str(&b.ID)},
		{"name", d.str(&b.Name)},
		{"project", d.str(&b.Project)},
		{"model", d.str(&b.Model)},
		{"destination", func(v *yaml.Node, p string) error {
			return d.object(v, p, "a batch export destination", []key{
				{"type", d.str(&b.Destination.Type)},
				{"config", d.mapValue(&b.Destination.Config)},
			}, nil)
		}},
		{"interval", d.str(&b.Interval)},
		{"paused", d.boolean(&b.Paused)},
		{"start_at", d.timestamp(&b.StartAt)},
		{"end_at", d.timestamp(&b.EndAt)},
		{"timezone", d.str(&b.Timezone)},
		{"offset_day", d.intPtr(&b.OffsetDay)},
		{"offset_hour", d.intPtr(&b.OffsetHour)},
		{"hogql_query", d.str(&b.HogQLQuery)},
		{"filters", d.anyValue(&b.Filters)},
		{"created_by", d.str(&b.CreatedBy)},
		{"runs", func(v *yaml.Node, p string) error {
			return d.list(v, p, func(_ int, item *yaml.Node, ip string) error {
				var r BatchExportRun
				err := d.object(item, ip, "a batch export run", []key{
					{"status", d.str(&r.Status)},
					{"data_interval_start", d.timestamp(&r.DataIntervalStart)},
					{"data_interval_end", d.timestamp(&r.DataIntervalEnd)},
					{"records_completed", d.intPtr(&r.RecordsCompleted)},
					{"records_total_count", d.intPtr(&r.RecordsTotalCount)},
					{"latest_error", d.str(&r.LatestError)},
					{"finished_at", d.timestamp(&r.FinishedAt)},
				}, nil)
				b.Runs = append(b.Runs, r)
				return err
			})
		}},
		{"logs", func(v *yaml.Node, p string) error {
			return d.list(v, p, func(_ int, item *yaml.Node, ip string) error {
				var l BatchExportLog
				err := d.object(item, ip, "a batch export log entry", []key{
					{"level", d.str(&l.Level)},
					{"message", d.str(&l.Message)},
					{"instance_id", d.str(&l.InstanceID)},
				}, nil)
				b.Logs = append(b.Logs, l)
				return err
			})
		}},
	}, nil)
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
