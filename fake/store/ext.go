package store

// The resource families beyond the core (roles, domains, batch exports, ...) keep their
// state in extensions, one field each, defined in their own files. Each reacts to the core's
// lifecycle events through hooks, so cascades live with the resource they concern.

// hooks are a resource family's reactions to core events.
type hooks interface {
	init()
	// dropOrg removes everything the family holds for a deleted organization.
	dropOrg(tx *Tx, orgID string)
	// dropMember reacts to a user leaving (or being removed from) an organization.
	dropMember(tx *Tx, orgID string, userID int)
	// memberJoined reacts to a user joining an organization.
	memberJoined(tx *Tx, orgID string, userID int)
}

// projectHooks is implemented by the families that live inside projects (feature flags,
// dashboards, ...): dropProject removes what a project holds when the project goes with its
// organization (a project "deleted" over the API is only pending deletion, as in PostHog,
// and keeps its records).
type projectHooks interface {
	dropProject(tx *Tx, projectID int)
}

// A family's state is copied for snapshots by deepCopy (deepcopy.go), whole: it must stay a
// tree of values (records held in one place, indexes by id), which deepcopy_test.go checks.

// noHooks is embedded by families that ignore some events.
type noHooks struct{}

func (noHooks) dropOrg(*Tx, string)           {}
func (noHooks) dropMember(*Tx, string, int)   {}
func (noHooks) memberJoined(*Tx, string, int) {}

// extensions holds every resource family's state.
type extensions struct {
	roles        roleState        // roles.go
	domains      domainState      // domains.go
	batchExports batchExportState // batch_exports.go
	plugins      pluginState      // plugins.go
	proxies      proxyState       // proxy_records.go
	integrations integrationState // integrations.go (organization integrations, OAuth applications)
	cimd         cimdState        // cimd_tokens.go
	legal        legalState       // legal_documents.go
	analytics    analyticsState   // insights.go, dashboards.go, dashboard_tiles.go
	featureFlags featureFlagState // feature_flags.go
	experiments  experimentState  // experiments.go
	actions      actionState      // actions.go
	definitions  definitionState  // definitions.go (event and property definitions)
	surveys      surveyState      // surveys.go
	hogFunctions hogFunctionState // hog_functions.go
	// projectIntegrations: project_integrations.go (integrations inside a project)
	projectIntegrations projectIntegrationState
	alerts              alertState // alerts.go

	access accessControlState // access_controls.go
}

func (e *extensions) all() []hooks {
	return []hooks{&e.roles, &e.domains, &e.batchExports, &e.plugins, &e.proxies, &e.integrations, &e.cimd, &e.legal,
		&e.featureFlags, &e.experiments, &e.actions, &e.definitions, &e.surveys, &e.analytics,
		&e.hogFunctions, &e.projectIntegrations, &e.alerts, &e.access}
}

func (e *extensions) init() {
	for _, h := range e.all() {
		h.init()
	}
}
