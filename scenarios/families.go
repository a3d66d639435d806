package scenarios

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/fakehog/fakehog/fake/store"
	"github.com/tidwall/gjson"
)

// The resource families (roles, role external references, batch exports, plugins,
// proxy records, organization integrations, OAuth applications) are parsed and checked
// — keys, types, enumerations, references — and seeded by one applier each through the
// store's own operations: the rules they share with the API (a role name's uniqueness, a
// destination's configuration, a plugin URL's format...) are the store's, and a refusal
// comes back positioned at the field it concerns. Each family or group has its own file
// (family_roles.go, family_batch_exports.go, family_plugins.go, family_integrations.go:
// records, decoding, checks, seeding); this file joins them in their order and holds the
// helpers they share.

// Enumerations the families' fields are checked against (from PostHog's schema).
var (
	batchExportModels       = store.BatchExportModels
	batchExportIntervals    = store.BatchExportIntervals
	batchExportDestinations = store.BatchExportDestinationTypes
	pluginTypes             = []string{"local", "custom", "repository", "source", "inline"}
	proxyStatuses           = store.ProxyStatuses
	integrationKinds        = store.OrgIntegrationKinds
)

// familyKeys are the organization keys of the families, in the order they are decoded.
func (d *decoder) familyKeys(o *Organization) []key {
	var keys []key
	for _, group := range [][]key{d.roleKeys(o), d.batchExportKeys(o), d.pluginKeys(o), d.integrationKeys(o), d.accessControlKeys(o)} {
		keys = append(keys, group...)
	}
	return keys
}

// projectFamilyKeys are the keys of the families inside a project, in the order they are
// decoded.
func (d *decoder) projectFamilyKeys(pr *Project) []key {
	var keys []key
	for _, group := range [][]key{d.featureFlagKeys(pr), d.taxonomyKeys(pr), d.analyticsKeys(pr), d.pipelineKeys(pr)} {
		keys = append(keys, group...)
	}
	return keys
}

// checkProjectFamilies checks the families inside one project (at pp).
func (c *orgCheck) checkProjectFamilies(pp string, pr Project) error {
	for _, check := range []func(string, Project) error{c.checkFeatureFlags, c.checkTaxonomy} {
		if err := check(pp, pr); err != nil {
			return err
		}
	}
	return nil
}

// checkFamilies checks the families' sections of one organization: required fields,
// lengths, enumerations, uniqueness and references (users, members, roles, projects). The
// first error, in this order, is the one reported.
func (c *orgCheck) checkFamilies() error {
	for _, check := range []func() error{c.checkRoles, c.checkBatchExports, c.checkPlugins,
		c.checkProxyRecords, c.checkIntegrations, c.checkOAuthApplications, c.checkAnalytics, c.checkPipelines, c.checkAccessControls} {
		if err := check(); err != nil {
			return err
		}
	}
	return nil
}

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

// familyAppliers run in this order, after members, projects, domains, invites, legal
// documents and CIMD tokens: roles need members, references need roles.
var familyAppliers = []func(a *orgSeed) error{
	applyRoles, applyRoleExternalReferences, applyIntegrations, applyBatchExports, applyPlugins,
	applyProxyRecords, applyOAuthApplications, applyFeatureFlags, applyTaxonomy, applyAnalytics, applyPipelines, applyAccessControls,
}
