package scenarios

import (
	"encoding/json"
	"regexp"
	"strings"
	"time"

	"github.com/fakehog/fakehog/fake/store"
	"github.com/tidwall/gjson"
	"gopkg.in/yaml.v3"
)

// The resource families below (roles, role external references, batch exports, plugins,
// proxy records, organization integrations, OAuth applications) are parsed and checked
// here — keys, types, enumerations, references — and seeded by one applier each, at the
// end of this file, through the store's own operations: the rules they share with the API
// (a role name's uniqueness, a destination's configuration, a plugin URL's format...) are
// the store's, and a refusal comes back positioned at the field it concerns.

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

// ---- checking ----

// checkFamilies checks the families' sections of one organization: required fields,
// lengths, enumerations, uniqueness and references (users, members, roles, projects).
func (c *orgCheck) checkFamilies() error {
	o, path := c.org, c.path
	roleRefs := map[string]string{} // ref → path
	roleNames := map[string]string{}
	for i, r := range o.Roles {
		rp := index(child(path, "roles"), i)
		if err := c.required(rp, "name", r.Name, 200); err != nil {
			return err
		}
		name := strings.ToLower(strings.TrimSpace(r.Name))
		if prev, dup := roleNames[name]; dup {
			return c.errorf(child(rp, "name"), "there is already a role named %q in this organization%s", r.Name, c.lineOf(prev))
		}
		roleNames[name] = child(rp, "name")
		if r.Ref != "" {
			if prev, dup := roleRefs[r.Ref]; dup {
				return c.errorf(child(rp, "ref"), "duplicate role ref %q%s", r.Ref, c.lineOf(prev))
			}
			roleRefs[r.Ref] = child(rp, "ref")
		}
		if err := c.checkOptionalID(rp, r.ID); err != nil {
			return err
		}
		seen := map[int]string{}
		for j, m := range r.Members {
			mp := index(child(rp, "members"), j)
			u, err := c.member(mp, m)
			if err != nil {
				return err
			}
			if prev, dup := seen[u]; dup {
				return c.errorf(mp, "%q is already a member of this role%s", m, c.lineOf(prev))
			}
			seen[u] = mp
		}
		if err := c.optionalUser(child(rp, "created_by"), r.CreatedBy); err != nil {
			return err
		}
	}
	if o.DefaultRole != "" {
		if _, ok := roleRefs[o.DefaultRole]; !ok {
			return c.errorf(child(path, "default_role"), "no role with ref %q in this organization", o.DefaultRole)
		}
	}
	for i, r := range o.RoleExternalReferences {
		rp := index(child(path, "role_external_references"), i)
		if r.Role == "" {
			return c.errorf(rp, "a role external reference needs a role (a role's ref)")
		}
		if _, ok := roleRefs[r.Role]; !ok {
			return c.errorf(child(rp, "role"), "no role with ref %q in this organization", r.Role)
		}
		for _, f := range []struct {
			name, value string
			max         int
		}{{"provider", r.Provider, 32}, {"provider_organization_id", r.ProviderOrganizationID, 255},
			{"provider_role_id", r.ProviderRoleID, 255}, {"provider_role_name", r.ProviderRoleName, 255}} {
			if err := c.required(rp, f.name, f.value, f.max); err != nil {
				return err
			}
		}
		if err := c.maxLen(child(rp, "provider_role_slug"), r.ProviderRoleSlug, 255); err != nil {
			return err
		}
		if err := c.optionalUser(child(rp, "created_by"), r.CreatedBy); err != nil {
			return err
		}
	}
	for i, b := range o.BatchExports {
		bp := index(child(path, "batch_exports"), i)
		if err := c.required(bp, "name", b.Name, 0); err != nil {
			return err
		}
		if err := c.checkOptionalID(bp, b.ID); err != nil {
			return err
		}
		if b.Project != "" && !c.hasProject(b.Project) {
			return c.errorf(child(bp, "project"), "no project named %q in this organization", b.Project)
		}
		if err := c.oneOf(child(bp, "model"), b.Model, batchExportModels, true); err != nil {
			return err
		}
		if b.Destination.Type == "" {
			return c.errorf(child(bp, "destination"), "a batch export needs a destination with a type (%s)", strings.Join(batchExportDestinations, ", "))
		}
		if err := c.oneOf(child(child(bp, "destination"), "type"), b.Destination.Type, batchExportDestinations, false); err != nil {
			return err
		}
		if b.Interval == "" {
			return c.errorf(bp, "a batch export needs an interval (%s)", strings.Join(batchExportIntervals, ", "))
		}
		if err := c.oneOf(child(bp, "interval"), b.Interval, batchExportIntervals, false); err != nil {
			return err
		}
		if b.Timezone != "" && !store.ValidTimezone(b.Timezone) {
			return c.errorf(child(bp, "timezone"), "unknown timezone %q: use an IANA name such as Europe/Berlin or UTC", b.Timezone)
		}
		if b.OffsetDay != nil && (b.Interval != "week" || *b.OffsetDay < 0 || *b.OffsetDay > 6) {
			return c.errorf(child(bp, "offset_day"), "offset_day is 0 to 6 and only for the week interval")
		}
		if b.OffsetHour != nil && ((b.Interval != "day" && b.Interval != "week") || *b.OffsetHour < 0 || *b.OffsetHour > 23) {
			return c.errorf(child(bp, "offset_hour"), "offset_hour is 0 to 23 and only for the day and week intervals")
		}
		if !b.StartAt.IsZero() && !b.EndAt.IsZero() && !b.StartAt.Before(b.EndAt) {
			return c.errorf(child(bp, "end_at"), "end_at must be after start_at")
		}
		if err := c.optionalUser(child(bp, "created_by"), b.CreatedBy); err != nil {
			return err
		}
		for j, r := range b.Runs {
			rp := index(child(bp, "runs"), j)
			if err := c.oneOf(child(rp, "status"), r.Status, store.BatchExportRunStatuses, true); err != nil {
				return err
			}
			for _, n := range []struct {
				name string
				v    *int
			}{{"records_completed", r.RecordsCompleted}, {"records_total_count", r.RecordsTotalCount}} {
				if n.v != nil && *n.v < 0 {
					return c.errorf(child(rp, n.name), "%s cannot be negative", n.name)
				}
			}
			if !r.DataIntervalStart.IsZero() && !r.DataIntervalEnd.IsZero() && !r.DataIntervalStart.Before(r.DataIntervalEnd) {
				return c.errorf(child(rp, "data_interval_end"), "data_interval_end must be after data_interval_start")
			}
		}
		for j, l := range b.Logs {
			lp := index(child(bp, "logs"), j)
			if l.Level == "" {
				return c.errorf(lp, "a log entry needs a level (%s)", strings.Join(store.BatchExportLogLevels, ", "))
			}
			if err := c.oneOf(child(lp, "level"), strings.ToUpper(l.Level), store.BatchExportLogLevels, false); err != nil {
				return err
			}
		}
	}
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
	for i, r := range o.ProxyRecords {
		rp := index(child(path, "proxy_records"), i)
		if err := c.required(rp, "domain", r.Domain, 64); err != nil {
			return err
		}
		name := strings.ToLower(strings.TrimSpace(r.Domain))
		if prev, dup := c.plan.proxyDomains[name]; dup {
			return c.errorf(child(rp, "domain"), "proxy record domain %q is already used%s", r.Domain, c.lineOf(prev))
		}
		c.plan.proxyDomains[name] = child(rp, "domain")
		if err := c.checkOptionalID(rp, r.ID); err != nil {
			return err
		}
		if err := c.oneOf(child(rp, "status"), r.Status, proxyStatuses, true); err != nil {
			return err
		}
		if !r.CertExpiresAt.IsZero() && r.Status != store.ProxyValid && r.Status != store.ProxyWarning {
			return c.errorf(child(rp, "cert_expires_at"), "only a valid or warning proxy record has a certificate")
		}
		if err := c.optionalUser(child(rp, "created_by"), r.CreatedBy); err != nil {
			return err
		}
	}
	for i, in := range o.Integrations {
		ip := index(child(path, "integrations"), i)
		if err := c.oneOf(child(ip, "kind"), in.Kind, integrationKinds, true); err != nil {
			return err
		}
		if m := in.EnvironmentMapping; m != nil {
			mp := child(ip, "environment_mapping")
			if m.Production == "" {
				return c.errorf(mp, "an environment mapping needs production (a project name)")
			}
			for _, e := range []struct{ name, project string }{{"production", m.Production}, {"preview", m.Preview}, {"development", m.Development}} {
				if e.project != "" && !c.hasProject(e.project) {
					return c.errorf(child(mp, e.name), "no project named %q in this organization", e.project)
				}
			}
		}
		if err := c.checkOptionalID(ip, in.ID); err != nil {
			return err
		}
		if err := c.optionalUser(child(ip, "created_by"), in.CreatedBy); err != nil {
			return err
		}
	}
	for i, a := range o.OAuthApplications {
		ap := index(child(path, "oauth_applications"), i)
		if err := c.required(ap, "name", a.Name, 255); err != nil {
			return err
		}
		if err := c.maxLen(child(ap, "client_id"), a.ClientID, 100); err != nil {
			return err
		}
		if err := c.checkOptionalID(ap, a.ID); err != nil {
			return err
		}
		for j, u := range a.RedirectURIs {
			if !reRedirectURI.MatchString(u) {
				return c.errorf(index(child(ap, "redirect_uris"), j), "%q is not an absolute URL without spaces", u)
			}
		}
	}
	return nil
}

var reRedirectURI = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.-]*://\S+$`)

// oneOf checks that value is one of choices (empty allowed when optional).
func (c *orgCheck) oneOf(path, value string, choices []string, optional bool) error {
	if value == "" && optional {
		return nil
	}
	if contains(choices, value) {
		return nil
	}
	return c.errorf(path, "%q is not one of %s", value, strings.Join(choices, ", "))
}

// ---- seeding: one applier per family ----

// attrOf gives a store refusal without a field (a non-field error) the scenario key it
// concerns, chosen by its message; errors that name a field are left as they are.
func attrOf(err error, byMessage map[string]string, fallback string) error {
	se, ok := err.(*store.Error)
	if !ok || se.Attr != "" {
		return err
	}
	c := *se
	c.Attr = fallback
	for msg, attr := range byMessage {
		if strings.Contains(se.Detail, msg) {
			c.Attr = attr
		}
	}
	return &c
}

// apiJSON gives a free-form scenario value the form a JSON body gives it over the API
// (numbers become float64), so seeded and API-made records hold the same kinds of values.
func apiJSON(v any) any {
	if v == nil {
		return nil
	}
	data, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	return gjson.ParseBytes(data).Value()
}

func apiJSONMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out, _ := apiJSON(m).(map[string]any)
	return out
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// applyRoles seeds the organization's roles and their members (CreateRole, AddRoleMember:
// names unique ignoring case, members active members of the organization), then its
// default role (default_role_id, as PATCH on the organization sets it).
func applyRoles(a *orgSeed) error {
	a.roles = map[string]*store.Role{}
	for i, r := range a.org.Roles {
		rp := index(child(a.path, "roles"), i)
		sr, err := a.tx.CreateRole(a.sorg.ID, store.NewRole{ID: r.ID, Name: r.Name, CreatedBy: a.user(r.CreatedBy)})
		if err != nil {
			return a.storeError(rp, attrOf(err, nil, "id"))
		}
		if r.Ref != "" {
			a.roles[r.Ref] = sr
		}
		for j, m := range r.Members {
			if _, err := a.tx.AddRoleMember(a.sorg.ID, sr.ID, a.user(m).UUID); err != nil {
				return a.storeError(index(child(rp, "members"), j), err)
			}
		}
	}
	if a.org.DefaultRole != "" {
		vals := store.Values{"default_role_id": a.roles[a.org.DefaultRole].ID}
		if err := a.tx.UpdateOrganization(a.sorg, a.creator, vals); err != nil {
			return a.storeError(child(a.path, "default_role"), err)
		}
	}
	return nil
}

// applyRoleExternalReferences seeds role external references (after roles), with the
// store's uniqueness rules per provider and provider organization.
func applyRoleExternalReferences(a *orgSeed) error {
	for i, r := range a.org.RoleExternalReferences {
		in := store.NewRoleExternalReference{RoleID: a.roles[r.Role].ID, Provider: r.Provider,
			ProviderOrganizationID: r.ProviderOrganizationID, ProviderRoleID: r.ProviderRoleID,
			ProviderRoleSlug: strPtr(r.ProviderRoleSlug), ProviderRoleName: r.ProviderRoleName, CreatedBy: a.createdBy(r.CreatedBy)}
		if _, err := a.tx.CreateRoleExternalReference(a.sorg.ID, in); err != nil {
			err = attrOf(err, map[string]string{store.MsgRoleRefIDTaken: "provider_role_id"}, "provider_role_slug")
			return a.storeError(index(child(a.path, "role_external_references"), i), err)
		}
	}
	return nil
}

// batchExportAttrs place the batch export rules' non-field refusals.
var batchExportAttrs = map[string]string{
	store.MsgHighFrequencyDisabled: "interval",
	store.MsgWorkflowsDisabled:     "destination.type",
	store.MsgHTTPEventsOnly:        "model",
	store.MsgBatchExportNoProject:  "project",
	"project is not in":            "project",
}

// applyBatchExports seeds batch exports through the API's create rules (destination
// configuration, intervals behind features, offsets), then their runs and log entries.
func applyBatchExports(a *orgSeed) error {
	for i, b := range a.org.BatchExports {
		bp := index(child(a.path, "batch_exports"), i)
		in := store.NewBatchExport{ID: b.ID, TeamID: a.project(b.Project).ID, CreatedBy: a.createdBy(b.CreatedBy),
			Name: b.Name, Destination: store.NewBatchExportDestination{Type: b.Destination.Type, Config: b.Destination.Config},
			Interval: b.Interval, Paused: b.Paused, Filters: b.Filters, OffsetDay: b.OffsetDay, OffsetHour: b.OffsetHour,
			Model: strPtr(b.Model), HogQLQuery: strPtr(b.HogQLQuery), Timezone: strPtr(b.Timezone),
			StartAt: timePtr(b.StartAt), EndAt: timePtr(b.EndAt)}
		e, err := a.tx.CreateBatchExport(a.sorg.ID, in)
		if err != nil {
			// The destination's own refusals are about its configuration.
			if se, ok := err.(*store.Error); ok && (se.Attr == "destination" || se.Attr == "destination__non_field_errors") {
				c := *se
				c.Attr = "destination__config"
				err = &c
			}
			return a.storeError(bp, attrOf(err, batchExportAttrs, "id"))
		}
		for j, r := range b.Runs {
			run := store.NewBatchExportRun{Status: r.Status, DataIntervalStart: timePtr(r.DataIntervalStart),
				DataIntervalEnd: r.DataIntervalEnd, RecordsCompleted: r.RecordsCompleted, RecordsTotalCount: r.RecordsTotalCount,
				LatestError: strPtr(r.LatestError), FinishedAt: timePtr(r.FinishedAt)}
			if _, err := a.tx.AddBatchExportRun(e, run); err != nil {
				return a.storeError(index(child(bp, "runs"), j), attrOf(err, nil, "status"))
			}
		}
		for j, l := range b.Logs {
			if err := a.tx.AddBatchExportLog(e, l.Level, l.Message, l.InstanceID); err != nil {
				return a.storeError(index(child(bp, "logs"), j), attrOf(err, nil, "level"))
			}
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

// applyProxyRecords seeds proxy records in their statuses (SeedProxyRecord: domains
// globally unique, no plan quota), with their DNS record and certificate expiry.
func applyProxyRecords(a *orgSeed) error {
	for i, r := range a.org.ProxyRecords {
		rp := index(child(a.path, "proxy_records"), i)
		sr, err := a.tx.SeedProxyRecord(a.sorg.ID, store.NewProxyRecord{ID: r.ID, Domain: r.Domain, Status: r.Status,
			Message: r.Message, CreatedBy: a.createdBy(r.CreatedBy), CNAME: r.CNAME})
		if err != nil {
			return a.storeError(rp, attrOf(err, nil, "id"))
		}
		if !r.CertExpiresAt.IsZero() {
			a.tx.SetProxyCertExpiry(sr, r.CertExpiresAt)
		}
	}
	return nil
}

// applyIntegrations seeds organization integrations (SeedOrgIntegration, as an
// installation flow would), then their environment mapping with the API's rules.
func applyIntegrations(a *orgSeed) error {
	for i, in := range a.org.Integrations {
		ip := index(child(a.path, "integrations"), i)
		si, err := a.tx.SeedOrgIntegration(a.sorg.ID, store.NewOrgIntegration{ID: in.ID, Kind: in.Kind, IntegrationID: in.IntegrationID,
			Config: apiJSONMap(in.Config), CreatedBy: a.createdBy(in.CreatedBy), OpenInvoices: in.OpenInvoices})
		if err != nil {
			return a.storeError(ip, attrOf(err, map[string]string{"integration id already": "integration_id"}, "id"))
		}
		if m := in.EnvironmentMapping; m != nil {
			vals := store.Values{"production": a.project(m.Production).ID}
			if m.Preview != "" {
				vals["preview"] = a.project(m.Preview).ID
			}
			if m.Development != "" {
				vals["development"] = a.project(m.Development).ID
			}
			if err := a.tx.SetEnvironmentMapping(si, vals); err != nil {
				return a.storeError(child(ip, "environment_mapping"), err)
			}
		}
	}
	return nil
}

// applyOAuthApplications seeds OAuth applications (client ids unique across the world).
func applyOAuthApplications(a *orgSeed) error {
	for i, app := range a.org.OAuthApplications {
		_, err := a.tx.SeedOAuthApplication(a.sorg.ID, store.NewOAuthApplication{ID: app.ID, Name: app.Name, ClientID: app.ClientID,
			RedirectURIs: app.RedirectURIs, IsVerified: app.IsVerified})
		if err != nil {
			return a.storeError(index(child(a.path, "oauth_applications"), i), attrOf(err, nil, "id"))
		}
	}
	return nil
}

// familyAppliers run in this order, after members, projects, domains, invites, legal
// documents and CIMD tokens: roles need members, references need roles.
var familyAppliers = []func(a *orgSeed) error{
	applyRoles, applyRoleExternalReferences, applyIntegrations, applyBatchExports, applyPlugins,
	applyProxyRecords, applyOAuthApplications,
}
