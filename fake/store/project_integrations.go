package store

// A project's integrations (PostHog's Integration, posthog/api/integration.py): Slack
// workspaces, GitHub installations, email senders, ... that hog functions use. Most kinds
// are connected through an OAuth dance with the provider; the API creates only the kinds
// that need none (email, GitHub from an installation id, Twilio), with the provider's side
// emulated. Scenarios seed the others.

import (
	"slices"
	"time"

	"github.com/tidwall/gjson"
)

// Integration is one integration of a project.
type Integration struct {
	ProjectRecord
	Kind          string
	IntegrationID string // the provider's id; "" is null
	Config        map[string]any
	// SensitiveConfig holds tokens and keys: write-only, never rendered.
	SensitiveConfig map[string]any
	Errors          string
	CreatedAt       time.Time
	CreatedBy       int // user id; 0 when none
}

// IntegrationKinds are the kinds of Integration.IntegrationKind the fake knows.
var IntegrationKinds = []any{"slack", "salesforce", "hubspot", "google-pubsub", "google-cloud-storage", "google-ads",
	"google-sheets", "snapchat", "linkedin-ads", "reddit-ads", "tiktok-ads", "intercom", "email", "linear", "github",
	"gitlab", "meta-ads", "twilio", "clickup", "vercel", "databricks"}

// oauthIntegrationKinds are the kinds connected through OAuth (OauthIntegration.supported_kinds),
// with the config path of their display name.
var oauthIntegrationKinds = map[string]string{
	"slack": "team.name", "salesforce": "instance_url", "hubspot": "hub_domain", "google-ads": "email",
	"google-sheets": "email", "snapchat": "email", "linkedin-ads": "email", "reddit-ads": "email",
	"tiktok-ads": "email", "intercom": "account.app_id", "linear": "url_key", "meta-ads": "email", "clickup": "user.username",
}

// projectIntegrationState holds every project's integrations.
type projectIntegrationState struct {
	noHooks
	recs projectRecords[Integration, *Integration]
}

func (s *projectIntegrationState) init() { s.recs.init() }

// dropProject forgets the project's integrations.
func (s *projectIntegrationState) dropProject(_ *Tx, projectID int) { s.recs.dropProject(projectID) }

// DisplayName is Integration.display_name.
func (i *Integration) DisplayName() string {
	idOr := func(fallback string) string {
		if i.IntegrationID == "" {
			return fallback
		}
		return i.IntegrationID
	}
	if path, ok := oauthIntegrationKinds[i.Kind]; ok {
		if v := gjson.Get(mustJSON(i.Config), path); v.Exists() {
			return v.String()
		}
		return idOr("None")
	}
	switch i.Kind {
	case "google-pubsub", "google-cloud-storage", "databricks":
		return idOr("unknown ID")
	case "github":
		if v := gjson.Get(mustJSON(i.Config), "account.name"); v.Exists() {
			return v.String()
		}
		return idOr("None")
	case "email":
		if e, ok := i.Config["email"].(string); ok {
			return e
		}
		return idOr("None")
	}
	return "ID: " + idOr("None")
}

// ProjectIntegrations lists the project's integrations in creation order; onlyGitHub is
// what a personal API key or OAuth token sees (PostHog filters their queryset to GitHub).
func (tx *Tx) ProjectIntegrations(projectID int, onlyGitHub bool) []*Integration {
	var out []*Integration
	for _, i := range tx.st.ext.projectIntegrations.recs.all(projectID, false) {
		if !onlyGitHub || i.Kind == "github" {
			out = append(out, i)
		}
	}
	return out
}

// ProjectIntegration finds an integration of the project (nil when none, or when a key
// asks for a kind other than GitHub).
func (tx *Tx) ProjectIntegration(projectID, id int, onlyGitHub bool) *Integration {
	i := tx.st.ext.projectIntegrations.recs.live(projectID, id)
	if i == nil || (onlyGitHub && i.Kind != "github") {
		return nil
	}
	return i
}

// IntegrationFields are the serializer's writable fields.
var IntegrationFields = Fields{
	{Name: "kind", Kind: Choice, Required: true, Choices: IntegrationKinds},
	{Name: "config", Kind: JSON},
}

// CreateIntegration is IntegrationSerializer.create for the kinds that need no OAuth dance;
// the provider's answers are emulated (the installation, the account, the verification).
func (tx *Tx) CreateIntegration(p *Project, user *User, vals Values) (*Integration, *Error) {
	kind := vals.Str("kind")
	cfg, _ := normalizeJSON(vals["config"]).(map[string]any)
	i := &Integration{ProjectRecord: ProjectRecord{ProjectID: p.ID}, Kind: kind, Config: map[string]any{},
		SensitiveConfig: map[string]any{}, CreatedAt: tx.now}
	if user != nil {
		i.CreatedBy = user.ID
	}
	switch {
	case kind == "email":
		doc := gjson.Parse(mustJSON(cfg))
		out := Values{}
		for _, fd := range []Field{
			{Name: "email", Kind: Email, Required: true},
			{Name: "name", Kind: String, Required: true},
			{Name: "provider", Kind: Choice, Required: true, Choices: []any{"ses", "mailjet"}},
		} {
			r := doc.Get(fd.Name)
			if !r.Exists() {
				return nil, FieldError(fd.Name, "required", MsgRequired)
			}
			v, err := fd.clean(r)
			if err != nil {
				return nil, err
			}
			out[fd.Name] = v
		}
		email := out.Str("email")
		domain := email[len(email)-len(emailDomain(email)):]
		i.IntegrationID = email
		i.Config = map[string]any{"email": email, "name": out.Str("name"), "domain": domain, "mail_from_subdomain": "feedback",
			"provider": out.Str("provider"), "verified": false}
	case kind == "github":
		inst := cfg["installation_id"]
		if !pyTruthy(inst) {
			return nil, InvalidCode("invalid_input", "An installation_id must be provided")
		}
		id := pyStr(inst)
		i.IntegrationID = id
		i.Config = map[string]any{"installation_id": id, "account": map[string]any{"type": "Organization", "name": "installation-" + id},
			"repository_selection": "all", "expires_in": 3600, "refreshed_at": int(tx.now.Unix())}
		i.SensitiveConfig = map[string]any{"access_token": "ghs_" + tx.RandomURLSafe(24)}
	case kind == "twilio":
		sid, token := cfg["account_sid"], cfg["auth_token"]
		if !pyTruthy(sid) || !pyTruthy(token) {
			return nil, InvalidCode("invalid_input", "Account SID and auth token must be provided")
		}
		i.IntegrationID = pyStr(sid)
		i.Config = map[string]any{"account_sid": pyStr(sid)}
		i.SensitiveConfig = map[string]any{"auth_token": pyStr(token)}
	case oauthIntegrationKinds[kind] != "":
		return nil, InvalidCode("invalid_input", "Kind not configured")
	default:
		return nil, InvalidCode("invalid_input", "Kind not supported")
	}
	for _, other := range tx.st.ext.projectIntegrations.recs.all(p.ID, false) {
		if other.Kind == i.Kind && other.IntegrationID == i.IntegrationID {
			// PostHog updates the existing row (update_or_create on team, kind, integration_id).
			other.Config, other.SensitiveConfig, other.Errors = i.Config, i.SensitiveConfig, ""
			return other, nil
		}
	}
	tx.st.ext.projectIntegrations.recs.add(i)
	return i, nil
}

// emailDomain is the part of an address after its last @.
func emailDomain(email string) string {
	for k := len(email) - 1; k >= 0; k-- {
		if email[k] == '@' {
			return email[k+1:]
		}
	}
	return ""
}

// DeleteIntegration removes an integration for good.
func (tx *Tx) DeleteIntegration(i *Integration) { tx.st.ext.projectIntegrations.recs.remove(i) }

// NewIntegration is the input of SeedIntegration.
type NewIntegration struct {
	Kind            string
	IntegrationID   string
	Config          map[string]any
	SensitiveConfig map[string]any
	CreatedBy       *User
}

// SeedIntegration connects an integration of any kind, as its OAuth flow would.
func (tx *Tx) SeedIntegration(projectID int, in NewIntegration) (*Integration, *Error) {
	if tx.st.projects[projectID] == nil {
		return nil, NotFound("Project not found.")
	}
	if !slices.Contains(IntegrationKinds, any(in.Kind)) {
		return nil, FieldError("kind", "invalid_choice", MsgInvalidChoice(in.Kind))
	}
	cfg, _ := CloneValue(in.Config).(map[string]any)
	if cfg == nil {
		cfg = map[string]any{}
	}
	sens, _ := CloneValue(in.SensitiveConfig).(map[string]any)
	if sens == nil {
		sens = map[string]any{}
	}
	i := &Integration{ProjectRecord: ProjectRecord{ProjectID: projectID}, Kind: in.Kind, IntegrationID: in.IntegrationID,
		Config: cfg, SensitiveConfig: sens, CreatedAt: tx.now}
	if in.CreatedBy != nil {
		i.CreatedBy = in.CreatedBy.ID
	}
	tx.st.ext.projectIntegrations.recs.add(i)
	return i, nil
}
