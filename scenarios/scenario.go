// Package scenarios describes the state a fakehog server starts with: users, organizations
// and everything under them, written in YAML (docs/scenarios.md documents every key) or
// built in Go, plus bulk data generated with gofakeit. A scenario is strict — unknown keys,
// wrong types, dangling references, duplicates, invalid levels and timezones are errors
// naming the file, line and column — and reproducible: with seed and now set, every id,
// token, timestamp and generated name is the same in every run.
//
//	sc, err := scenarios.Load("my.yaml")      // or scenarios.Builtin("demo"), scenarios.Parse(name, data)
//	srv, err := fake.New(sc.Option())          // seed, clock and world in one option
//	ts := httptestutil.NewServer(t, sc.Option())
//
// Seeding goes through the store's domain operations (create user, create organization,
// add member, create project, create invites, ...), so the store's invariants hold, and it
// runs in the one write transaction that builds a new server's store: an error leaves no
// server and no partial state.
package scenarios

import (
	"time"

	"github.com/fakehog/fakehog/fake/store"
)

// Scenario is a whole starting world. The zero value is an empty world; Parse and Load fill
// one from YAML, and a Go program may build one directly.
type Scenario struct {
	// Name names the scenario in errors and logs: the file path, or the builtin's name.
	Name string
	// Seed makes every generated id, token and generate'd record reproducible.
	Seed uint64
	// Now, when not zero, is where the clock stands while the world is seeded (and, with
	// Option, where the server's manual clock starts).
	Now time.Time
	// Users are the people of the world. The first one is the world's principal: the
	// credentials fake.Defaults reports (and cmd/fakehog prints) are its.
	Users []User
	// Organizations are created in order, each by its first owner.
	Organizations []Organization
	// Generate adds gofakeit organizations, members, projects, invites and roles after the
	// explicit ones.
	Generate Generate
	// HistoryDays, when not zero, spreads the world over that many days before now, so it
	// reads as lived in: each organization is created at some point in that span, its
	// members join one after another between then and now (the first owner at creation),
	// each user's date_joined is their first joining and last_login falls between their
	// last joining and now. Drawn from the scenario's seed; other generated data is
	// unchanged by it.
	HistoryDays int
	// PluginRemotes set what plugin URLs serve (their latest tag and files) before any
	// plugin is seeded: a plugin installed from one, over the API or in the scenario, gets
	// that code.
	PluginRemotes []PluginRemote
	// PluginRepository, when not nil, replaces the canned listing of GET .../plugins/repository/.
	PluginRepository []any

	pos     positions  // where each path was in the file (empty for a scenario built in Go)
	planned *planCache // Parse's plan, for the first World (plancache.go)
}

// User is a person. Users are referred to inside the scenario by Ref, or by email.
type User struct {
	Ref                string
	UUID               string // generated when empty
	Email              string
	FirstName          string
	LastName           string
	RoleAtOrganization string // engineering, data, product, founder, leadership, marketing, sales, other or ""
	GithubLogin        string
	Is2FAEnabled       bool
	HasSocialAuth      bool
	// Inactive users exist (they keep their memberships) but cannot authenticate.
	Inactive        bool
	PersonalAPIKeys []APIKey
	// Sessions are session cookie values that log in as the user (Cookie: sessionid=<value>).
	Sessions []string
	// CurrentOrganization (an organization ref) and CurrentProject (a project name in it) are
	// what @current means for the user; by default the first organization they belong to and
	// its first project.
	CurrentOrganization string
	CurrentProject      string
}

// APIKey is a personal API key of a user.
type APIKey struct {
	// Value is the secret; generated (phx_ + 48 characters) when empty.
	Value string
	Label string // "fakehog key" when empty
	// Scopes nil means ["*"]; an empty, non-nil list is a legacy key with no scopes (which
	// PostHog lets do everything).
	Scopes []string
	// ScopedOrganizations restricts the key to these organizations, by ref.
	ScopedOrganizations []string
	// ScopedTeams restricts the key to these projects, each "<organization ref>/<project name>".
	ScopedTeams []string
}

// Organization is an organization and everything under it.
type Organization struct {
	Ref  string
	ID   string // generated when empty
	Name string
	// Features is available_product_features. nil gives every feature (store.AllFeatures);
	// an empty, non-nil list is PostHog Cloud's free plan.
	Features []store.Feature
	// PluginsAccessLevel is 0, 3, 6 or 9; nil gives 9 (root).
	PluginsAccessLevel *int
	// PostHogContact and SharedSlackChannelURL are the welcome screen's PostHog contact
	// (a name) and shared Slack channel; none when empty.
	PostHogContact, SharedSlackChannelURL string
	// Settings are the organization's other writable fields by their API name
	// (members_can_invite, enforce_2fa, default_anonymize_ips, ...).
	Settings map[string]any
	// Members join in order; the first owner creates the organization.
	Members []Member
	// Projects are created in order; none gives the "Default project".
	Projects []Project
	Invites  []Invite
	Domains  []Domain
	// LegalDocuments are BAAs and DPAs.
	LegalDocuments []LegalDocument
	// CIMDVerificationTokens are the organization's CIMD verification tokens.
	CIMDVerificationTokens []CIMDToken

	// The families below are seeded by families.go.

	// Roles are the organization's roles, with their members.
	Roles []Role
	// DefaultRole is the ref of the role new members join.
	DefaultRole            string
	RoleExternalReferences []RoleExternalReference
	BatchExports           []BatchExport
	Plugins                []Plugin
	ProxyRecords           []ProxyRecord
	Integrations           []Integration
	OAuthApplications      []OAuthApplication
	// AccessControls are the rules of the organization's projects (family_access_controls.go).
	AccessControls []AccessControl
}

// Level is a membership level: store.LevelMember (1), LevelAdmin (8) or LevelOwner (15).
// In YAML it is written member, admin, owner or 1, 8, 15.
type Level int

// String returns the level's name.
func (l Level) String() string {
	switch l {
	case store.LevelMember:
		return "member"
	case store.LevelAdmin:
		return "admin"
	case store.LevelOwner:
		return "owner"
	}
	return "invalid"
}

// levelByName maps the written forms of a level to it.
var levelByName = map[string]Level{
	"member": store.LevelMember, "admin": store.LevelAdmin, "owner": store.LevelOwner,
	"1": store.LevelMember, "8": store.LevelAdmin, "15": store.LevelOwner,
}

func validLevel(l Level) bool {
	return l == store.LevelMember || l == store.LevelAdmin || l == store.LevelOwner
}

// Member is a user's membership of an organization.
type Member struct {
	User  string // user ref or email
	Level Level
}

// Project is a project of an organization.
type Project struct {
	Name     string
	Timezone string // "UTC" when empty
	// Settings are the project's other writable fields by their API name (is_demo,
	// anonymize_ips, app_urls, ...).
	Settings map[string]any
	// What the project holds (family_feature_flags.go, ...).
	FeatureFlags []FeatureFlag
	Experiments  []Experiment
	// family_taxonomy.go
	EventDefinitions    []EventDefinition
	PropertyDefinitions []PropertyDefinition
	Actions             []Action
	Surveys             []Survey
	// Dashboards and Insights are the project's analytics (family_analytics.go).
	Dashboards []Dashboard
	Insights   []Insight
	// Integrations, HogFunctions and Alerts are its pipelines and alerts (family_pipelines.go).
	Integrations []ProjectIntegration
	HogFunctions []HogFunction
	Alerts       []InsightAlert
}

// Invite is a pending (or expired) invitation to join an organization.
type Invite struct {
	TargetEmail string
	FirstName   string
	Level       Level  // member when zero
	Message     string // none when empty
	// InvitedBy is the inviting member (ref or email); the organization's creator when empty.
	InvitedBy            string
	PrivateProjectAccess []ProjectAccess
	// SendEmail false records no email in the outbox (emailing_attempt_made false).
	SendEmail *bool
	// Expired backdates the invite past its validity; CreatedAt sets its creation time.
	Expired   bool
	CreatedAt time.Time
}

// ProjectAccess gives an invitee access to a private project.
type ProjectAccess struct {
	Project string // project name within the organization
	Level   string // member or admin
}

// Domain is an organization's email domain.
type Domain struct {
	ID     string // generated when empty
	Domain string
	// Verified seeds the domain as verified. Verifiable emulates the DNS TXT record being in
	// place, so a later POST verify succeeds.
	Verified   bool
	Verifiable bool
	// The settings below need Verified, as they do over the API.
	JITProvisioningEnabled bool
	SSOEnforcement         string
	SCIMEnabled            bool
	SCIMToken              string // SCIM bearer token; generated when empty and SCIMEnabled
	SAMLEntityID           string
	SAMLACSURL             string
	SAMLX509Cert           string
}

// LegalDocument is a BAA or DPA submitted for signature (or already signed).
type LegalDocument struct {
	ID                  string
	DocumentType        string // BAA or DPA
	CompanyName         string
	CompanyAddress      string
	RepresentativeName  string
	RepresentativeTitle string
	RepresentativeEmail string
	DPAMode             string // pretty or lawyer (DPA only)
	CreatedBy           string // user ref or email; none when empty
	Signed              bool
	SignedDocumentURL   string
}

// CIMDToken is a CIMD verification token.
type CIMDToken struct {
	ID        string
	Label     string
	Value     string // phvt_...; generated when empty
	CIMDURL   string // the metadata document URL it is bound to; none (a token from before URL binding) when empty
	CreatedBy string // user ref or email; none when empty
}

// Generate asks for gofakeit data, reproducible under the scenario's seed.
type Generate struct {
	Organizations           int
	MembersPerOrganization  int // including the owner who creates it
	ProjectsPerOrganization int // 0 gives the "Default project"
	InvitesPerOrganization  int
	// RolesPerOrganization roles in each, their members drawn from its generated members.
	RolesPerOrganization int
	// NoCredentials leaves generated users without the personal API key and session each
	// otherwise gets (YAML: credentials: false). A key and a session cost about 1 KB and a
	// few microseconds per user, which a world of a million members may not want to pay.
	NoCredentials bool
}

// Limits of generate, so a typo cannot ask for a world that takes minutes to build. A
// million members (in one organization or spread over several) load in a few seconds
// (BENCHMARKS.md); MaxGeneratedMembersTotal bounds organizations × members_per_organization.
const (
	MaxGeneratedOrganizations = 200
	MaxGeneratedMembers       = 1_000_000
	MaxGeneratedMembersTotal  = 1_000_000
	MaxGeneratedProjects      = 100
	MaxGeneratedInvites       = 500
	MaxGeneratedRoles         = 50
	// MaxHistoryDays bounds history_days (ten years).
	MaxHistoryDays = 3650
)
