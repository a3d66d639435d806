package scenarios

// Seeding the resource families: one applier per family, through the store's own
// operations, with a store refusal turned into an error positioned at the field it
// concerns.

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/fakehog/fakehog/fake/store"
	"github.com/tidwall/gjson"
)

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
