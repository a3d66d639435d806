package scenarios

import (
	"regexp"
	"strings"
	"time"

	"github.com/fakehog/fakehog/fake/store"
	"gopkg.in/yaml.v3"
)

// The resource families below (roles, role external references, batch exports, plugins,
// proxy records, organization integrations, OAuth applications) are parsed and checked in
// full here — keys, types, enumerations, references — and seeded by one applier each, at
// the end of this file. An applier whose store operations this build lacks refuses a
// non-empty section with "... not yet supported by this build" instead of dropping it.

// Role is a role of an organization, with its members.
type Role struct {
	Ref       string // how the scenario refers to the role (default_role, role_external_references)
	ID        string // generated when empty
	Name      string
	Members   []string // user refs or emails; each must be a member of the organization
	CreatedBy string   // user ref or email; the organization's creator when empty
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
}

// BatchExportDestination is where a batch export writes.
type BatchExportDestination struct {
	Type   string // S3, Snowflake, Postgres, Redshift, BigQuery, Databricks, AzureBlob, Workflows, HTTP, NoOp, FileDownload
	Config map[string]any
}

// Plugin is a plugin installed by the organization.
type Plugin struct {
	Ref          string
	Name         string
	PluginType   string // local, custom, repository, source or inline; custom when empty
	URL          string
	Description  string
	Icon         string
	Tag          string
	LatestTag    string
	IsGlobal     bool
	ConfigSchema any
	Capabilities any
	PublicJobs   any
	// Source is the plugin's source files by file name (source plugins).
	Source map[string]string
}

// ProxyRecord is a managed reverse proxy record.
type ProxyRecord struct {
	ID        string // generated when empty
	Domain    string
	Status    string // waiting (default), issuing, valid, warning, erroring, deleting, timed_out
	Message   string
	CreatedBy string // user ref or email; the organization's creator when empty
}

// Integration is an organization-level integration (Vercel).
type Integration struct {
	ID            string // generated when empty
	Kind          string // vercel
	IntegrationID string
	Config        map[string]any
	CreatedBy     string // user ref or email; the organization's creator when empty
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
	batchExportModels       = []string{"events", "persons", "sessions"}
	batchExportIntervals    = []string{"hour", "day", "week", "every 5 minutes", "every 15 minutes"}
	batchExportDestinations = []string{"S3", "Snowflake", "Postgres", "Redshift", "BigQuery", "Databricks", "AzureBlob", "Workflows", "HTTP", "NoOp", "FileDownload"}
	pluginTypes             = []string{"local", "custom", "repository", "source", "inline"}
	proxyStatuses           = []string{"waiting", "issuing", "valid", "warning", "erroring", "deleting", "timed_out"}
	integrationKinds        = []string{"vercel"}
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
				err := d.object(item, ip, "a batch export", []key{
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
				}, nil)
				o.BatchExports = append(o.BatchExports, b)
				return err
			})
		}},
		{"plugins", func(v *yaml.Node, p string) error {
			return d.list(v, p, func(_ int, item *yaml.Node, ip string) error {
				var pl Plugin
				err := d.object(item, ip, "a plugin", []key{
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
					{"capabilities", d.anyValue(&pl.Capabilities)},
					{"public_jobs", d.anyValue(&pl.PublicJobs)},
					{"source", func(v *yaml.Node, p string) error {
						return d.sourceFiles(v, p, &pl.Source)
					}},
				}, nil)
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
		if prev, dup := roleNames[strings.ToLower(r.Name)]; dup {
			return c.errorf(child(rp, "name"), "there is already a role named %q in this organization%s", r.Name, c.lineOf(prev))
		}
		roleNames[strings.ToLower(r.Name)] = child(rp, "name")
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
	}
	pluginRefs := map[string]string{}
	for i, pl := range o.Plugins {
		pp := index(child(path, "plugins"), i)
		if err := c.required(pp, "name", pl.Name, 200); err != nil {
			return err
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
		if err := c.optionalUser(child(rp, "created_by"), r.CreatedBy); err != nil {
			return err
		}
	}
	for i, in := range o.Integrations {
		ip := index(child(path, "integrations"), i)
		if in.Kind == "" {
			return c.errorf(ip, "an integration needs a kind (%s)", strings.Join(integrationKinds, ", "))
		}
		if err := c.oneOf(child(ip, "kind"), in.Kind, integrationKinds, false); err != nil {
			return err
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

// notSupported is the error of a family this build cannot seed yet.
func (a *orgSeed) notSupported(section, what string) error {
	return a.errorf(child(a.path, section), "%s are not yet supported by this build", what)
}

// applyRoles seeds the organization's roles, their members and its default_role.
// TODO(lead): seed through the store's role operations once they are merged.
func applyRoles(a *orgSeed) error {
	if len(a.org.Roles) == 0 && a.org.DefaultRole == "" {
		return nil
	}
	if len(a.org.Roles) == 0 {
		return a.notSupported("default_role", "roles")
	}
	return a.notSupported("roles", "roles")
}

// applyRoleExternalReferences seeds role external references (after roles).
// TODO(lead): seed through the store's role external reference operations once merged.
func applyRoleExternalReferences(a *orgSeed) error {
	if len(a.org.RoleExternalReferences) == 0 {
		return nil
	}
	return a.notSupported("role_external_references", "role external references")
}

// applyBatchExports seeds batch exports.
// TODO(lead): seed through the store's batch export operations once merged.
func applyBatchExports(a *orgSeed) error {
	if len(a.org.BatchExports) == 0 {
		return nil
	}
	return a.notSupported("batch_exports", "batch exports")
}

// applyPlugins seeds plugins.
// TODO(lead): seed through the store's plugin operations once merged.
func applyPlugins(a *orgSeed) error {
	if len(a.org.Plugins) == 0 {
		return nil
	}
	return a.notSupported("plugins", "plugins")
}

// applyProxyRecords seeds proxy records.
// TODO(lead): seed through the store's proxy record operations once merged.
func applyProxyRecords(a *orgSeed) error {
	if len(a.org.ProxyRecords) == 0 {
		return nil
	}
	return a.notSupported("proxy_records", "proxy records")
}

// applyIntegrations seeds organization integrations.
// TODO(lead): seed through the store's integration operations once merged.
func applyIntegrations(a *orgSeed) error {
	if len(a.org.Integrations) == 0 {
		return nil
	}
	return a.notSupported("integrations", "integrations")
}

// applyOAuthApplications seeds OAuth applications.
// TODO(lead): seed through the store's OAuth application operations once merged.
func applyOAuthApplications(a *orgSeed) error {
	if len(a.org.OAuthApplications) == 0 {
		return nil
	}
	return a.notSupported("oauth_applications", "OAuth applications")
}

// familyAppliers run in this order, after members, projects, domains, invites, legal
// documents and CIMD tokens: roles need members, references need roles, batch exports may
// name integrations.
var familyAppliers = []func(a *orgSeed) error{
	applyRoles, applyRoleExternalReferences, applyIntegrations, applyBatchExports, applyPlugins,
	applyProxyRecords, applyOAuthApplications,
}
