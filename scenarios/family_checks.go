package scenarios

// Checking the resource families of one organization (roles, role external references,
// batch exports, plugins, proxy records, integrations, OAuth applications): required
// fields, lengths, enumerations, uniqueness and references, each error positioned.

import (
	"regexp"
	"strings"

	"github.com/fakehog/fakehog/fake/store"
)

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
