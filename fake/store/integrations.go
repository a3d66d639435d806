package store

// Organization integrations and OAuth applications: records, state and operations.

import (
	"fmt"
	"strings"
	"time"
)

// OrgIntegration is an organization-level integration (PostHog's OrganizationIntegration),
// e.g. a Vercel marketplace installation. The API never creates one (installation flows
// do); scenarios seed them with SeedOrgIntegration.
type OrgIntegration struct {
	ID            string
	OrgID         string
	Kind          string  // "vercel"
	IntegrationID *string // the provider's installation id
	Config        map[string]any
	CreatedAt     time.Time
	UpdatedAt     time.Time
	CreatedBy     int // user id; 0 when none
	// OpenInvoices emulates the billing service refusing to deauthorize a marketplace
	// installation that has unpaid invoices: deleting it answers 409.
	OpenInvoices bool
}

// IsConnectable reports whether the integration was connected from PostHog (config.type
// "connectable") rather than installed from the provider's marketplace.
func (i *OrgIntegration) IsConnectable() bool {
	t, _ := i.Config["type"].(string)
	return t == "connectable"
}

// OAuthApplication is an OAuth application owned by an organization, as listed by
// GET oauth_applications/ (read-only over the API).
type OAuthApplication struct {
	ID           string
	OrgID        string
	Name         string
	ClientID     string
	RedirectURIs string // space-separated, as PostHog stores them
	IsVerified   bool
	Created      time.Time
	Updated      time.Time
}

// RedirectURIList is the redirect URIs as a list (redirect_uris_list).
func (a *OAuthApplication) RedirectURIList() []string { return strings.Fields(a.RedirectURIs) }

// OrgIntegrationKinds are the kinds PostHog knows (OrganizationIntegration.Kind).
var OrgIntegrationKinds = []string{"vercel"}

// integrationState holds organization integrations and OAuth applications.
type integrationState struct {
	noHooks
	byID      map[string]*OrgIntegration
	byOrg     map[string][]string // creation order
	apps      map[string]*OAuthApplication
	appsByOrg map[string][]string // creation order
	clientIDs map[string]string   // client id → app id
}

func (s *integrationState) init() {
	s.byID = map[string]*OrgIntegration{}
	s.byOrg = map[string][]string{}
	s.apps = map[string]*OAuthApplication{}
	s.appsByOrg = map[string][]string{}
	s.clientIDs = map[string]string{}
}

// dropOrg removes the organization's integrations and OAuth applications.
func (s *integrationState) dropOrg(tx *Tx, orgID string) {
	for _, id := range s.byOrg[orgID] {
		delete(s.byID, id)
	}
	delete(s.byOrg, orgID)
	for _, id := range s.appsByOrg[orgID] {
		if a := s.apps[id]; a != nil {
			delete(s.clientIDs, a.ClientID)
		}
		delete(s.apps, id)
	}
	delete(s.appsByOrg, orgID)
}

// OrgIntegrations lists an organization's integrations in creation order (PostHog's
// queryset has no ordering; the fake keeps it stable).
func (tx *Tx) OrgIntegrations(orgID string) []*OrgIntegration {
	return recordsByIDs(tx.st.ext.integrations.byID, tx.st.ext.integrations.byOrg[orgID], false)
}

// OrgIntegration returns the organization's integration with that id, or nil.
func (tx *Tx) OrgIntegration(orgID, id string) *OrgIntegration {
	i := tx.st.ext.integrations.byID[strings.ToLower(id)]
	if i == nil || i.OrgID != orgID {
		return nil
	}
	return i
}

// NewOrgIntegration is the input of SeedOrgIntegration.
type NewOrgIntegration struct {
	ID            string // optional fixed id (a UUID)
	Kind          string // "vercel" when empty
	IntegrationID string // "" for none
	// Config is the integration's config; {"type": "connectable"} makes it connectable
	// (environment mapping), anything else is a marketplace installation.
	Config       map[string]any
	CreatedBy    *User // nil for none
	OpenInvoices bool
}

// SeedOrgIntegration creates an organization integration, as an installation flow would.
func (tx *Tx) SeedOrgIntegration(orgID string, in NewOrgIntegration) (*OrgIntegration, error) {
	if tx.st.orgs[orgID] == nil {
		return nil, NotFound(MsgOrgNotFound)
	}
	kind := in.Kind
	if kind == "" {
		kind = "vercel"
	}
	known := false
	for _, k := range OrgIntegrationKinds {
		known = known || k == kind
	}
	if !known {
		return nil, FieldError("kind", "invalid_choice", MsgInvalidChoice(kind))
	}
	s := &tx.st.ext.integrations
	if in.IntegrationID != "" {
		for _, other := range s.byID {
			if other.Kind == kind && other.IntegrationID != nil && *other.IntegrationID == in.IntegrationID {
				return nil, Invalid("An integration of this kind with this integration id already exists.")
			}
		}
	}
	id := strings.ToLower(in.ID)
	if id == "" {
		id = tx.NewUUID()
	} else if !IsUUID(id) || s.byID[id] != nil {
		return nil, Invalid("An integration id must be a new UUID.")
	}
	cfg, _ := CloneValue(in.Config).(map[string]any)
	if cfg == nil {
		cfg = map[string]any{}
	}
	i := &OrgIntegration{ID: id, OrgID: orgID, Kind: kind, Config: cfg, CreatedAt: tx.now, UpdatedAt: tx.now, OpenInvoices: in.OpenInvoices}
	if in.IntegrationID != "" {
		v := in.IntegrationID
		i.IntegrationID = &v
	}
	if in.CreatedBy != nil {
		i.CreatedBy = in.CreatedBy.ID
	}
	s.byID[id] = i
	s.byOrg[orgID] = append(s.byOrg[orgID], id)
	return i, nil
}

// DeleteOrgIntegration disconnects an integration. A marketplace installation with an
// integration id is deauthorized at the provider first, which billing refuses while
// invoices are open: PostHog's 409 open_invoices_error, and nothing is deleted.
func (tx *Tx) DeleteOrgIntegration(i *OrgIntegration) error {
	if !i.IsConnectable() && i.IntegrationID != nil && i.OpenInvoices {
		return &Error{Status: 409, Type: "server_error", Code: "open_invoices_error",
			Detail: "This integration has unpaid invoices that must be resolved before disconnecting. Please contact support@posthog.com for help."}
	}
	s := &tx.st.ext.integrations
	delete(s.byID, i.ID)
	s.byOrg[i.OrgID] = removeString(s.byOrg[i.OrgID], i.ID)
	return nil
}

// EnvironmentMappingFields are the body of PATCH integrations/{id}/environment-mapping/.
var EnvironmentMappingFields = Fields{
	{Name: "production", Kind: Int, Required: true},
	{Name: "preview", Kind: Int},
	{Name: "development", Kind: Int},
}

// ErrNotConnectable is PostHog's hand-made 400 for an environment mapping on a
// marketplace installation.
func ErrNotConnectable() *Error {
	return HandMade(400, map[string]any{"detail": "Environment mapping is only supported for connectable integrations."})
}

// SetEnvironmentMapping maps Vercel's environments to projects of the organization:
// only for connectable integrations, every project must belong to the organization
// (PostHog's hand-made 400s, naming the first bad id in the order PostHog walks the set
// {production, preview, development}), and preview and development default to production. The
// mapping is stored in config.environment_mapping; PostHog saves only the config, so
// updated_at does not move.
func (tx *Tx) SetEnvironmentMapping(i *OrgIntegration, vals Values) error {
	if !i.IsConnectable() {
		return ErrNotConnectable()
	}
	prod := vals.Int("production")
	preview, dev := prod, prod
	if vals.Has("preview") {
		preview = vals.Int("preview")
	}
	if vals.Has("development") {
		dev = vals.Int("development")
	}
	for _, id := range pySmallSetOrder([]int{prod, preview, dev}) {
		if tx.Project(i.OrgID, id) == nil {
			return HandMade(400, map[string]any{"detail": fmt.Sprintf("Project %d does not belong to this organization.", id)})
		}
	}
	i.Config["environment_mapping"] = map[string]any{"production": prod, "preview": preview, "development": dev}
	return nil
}

// OAuthApplications lists an organization's OAuth applications, newest first.
func (tx *Tx) OAuthApplications(orgID string) []*OAuthApplication {
	return recordsByIDs(tx.st.ext.integrations.apps, tx.st.ext.integrations.appsByOrg[orgID], true)
}

// NewOAuthApplication is the input of SeedOAuthApplication.
type NewOAuthApplication struct {
	ID           string // optional fixed id (a UUID)
	Name         string
	ClientID     string // generated (40 letters and digits) when empty; unique
	RedirectURIs []string
	IsVerified   bool
}

// SeedOAuthApplication registers an OAuth application owned by the organization.
func (tx *Tx) SeedOAuthApplication(orgID string, in NewOAuthApplication) (*OAuthApplication, error) {
	if tx.st.orgs[orgID] == nil {
		return nil, NotFound(MsgOrgNotFound)
	}
	s := &tx.st.ext.integrations
	name := strings.TrimSpace(in.Name)
	if len([]rune(name)) > 255 {
		return nil, FieldError("name", "max_length", MsgMaxLen(255))
	}
	clientID := in.ClientID
	if clientID == "" {
		clientID = tx.randomClientID()
	}
	if len(clientID) > 100 {
		return nil, FieldError("client_id", "max_length", MsgMaxLen(100))
	}
	if _, taken := s.clientIDs[clientID]; taken {
		return nil, FieldError("client_id", "unique", "application with this client id already exists.")
	}
	for _, u := range in.RedirectURIs {
		if u == "" || strings.ContainsAny(u, " \t\n") {
			return nil, FieldError("redirect_uris", "invalid_input", fmt.Sprintf("Invalid redirect URI %q.", u))
		}
	}
	id := strings.ToLower(in.ID)
	if id == "" {
		id = tx.NewUUID()
	} else if !IsUUID(id) || s.apps[id] != nil {
		return nil, Invalid("An OAuth application id must be a new UUID.")
	}
	a := &OAuthApplication{ID: id, OrgID: orgID, Name: name, ClientID: clientID, RedirectURIs: strings.Join(in.RedirectURIs, " "),
		IsVerified: in.IsVerified, Created: tx.now, Updated: tx.now}
	s.apps[id] = a
	s.appsByOrg[orgID] = append(s.appsByOrg[orgID], id)
	s.clientIDs[clientID] = id
	return a, nil
}

// clientIDAlphabet is oauthlib's UNICODE_ASCII_CHARACTER_SET, which django-oauth-toolkit's
// ClientIdGenerator draws client ids from.
const clientIDAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// randomClientID is django-oauth-toolkit's generated client id: 40 letters and digits.
func (tx *Tx) randomClientID() string {
	b := make([]byte, 40)
	for i := range b {
		b[i] = clientIDAlphabet[tx.st.rng.IntN(len(clientIDAlphabet))]
	}
	return string(b)
}

// pySmallSetOrder returns the distinct ints in the order CPython iterates the set literal
// {xs[0], xs[1], ...} (at most four items, so the 8-slot table never grows): each goes to
// slot hash & 7, probing (i*5 + 1 + perturb) & 7 with perturb >>= 5 on a collision.
func pySmallSetOrder(xs []int) []int {
	const mask = 7
	var slots [mask + 1]*int
	for _, x := range xs {
		h := uint64(pyIntHash(x))
		i, perturb := h&mask, h
		for slots[i] != nil && *slots[i] != x {
			perturb >>= 5
			i = (i*5 + 1 + perturb) & mask
		}
		if slots[i] == nil {
			v := x
			slots[i] = &v
		}
	}
	out := make([]int, 0, len(xs))
	for _, p := range slots {
		if p != nil {
			out = append(out, *p)
		}
	}
	return out
}

// pyIntHash is CPython's hash of an int: its value modulo 2**61 - 1, keeping the sign, with
// -1 (reserved for errors) becoming -2.
func pyIntHash(n int) int64 {
	const modulus = 1<<61 - 1
	neg := n < 0
	u := uint64(n)
	if neg {
		u = -u
	}
	h := int64(u % modulus)
	if neg {
		h = -h
	}
	if h == -1 {
		h = -2
	}
	return h
}
