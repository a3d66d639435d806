package fake

// The default world (an owner, an organization with every feature, its key and session)
// and the credential overrides.

import (
	"github.com/fakehog/fakehog/fake/store"
)

// The default world's fixed credentials. They are documented in the README; use
// -api-key / -session (or WithAPIKey / WithSession) to change them.
const (
	DefaultAPIKey    = "phx_fakehog_default_owner_key"
	DefaultSession   = "fakehog-owner-session"
	DefaultUserEmail = "owner@fakehog.dev"
)

// DefaultWorld seeds the default scenario: one organization ("Fakehog") with every feature,
// its owner (owner@fakehog.dev) holding a personal API key with scope "*" and a session, and
// its "Default project".
func DefaultWorld(tx *store.Tx) (Defaults, error) {
	u, err := tx.CreateUser(store.NewUser{Email: DefaultUserEmail, FirstName: "Olive", LastName: "Owner"})
	if err != nil {
		return Defaults{}, err
	}
	root := store.PluginsAccessRoot
	org, err := tx.CreateOrganization(u, store.Values{"name": "Fakehog"}, store.NewOrganization{Features: store.AllFeatures, PluginsAccessLevel: &root})
	if err != nil {
		return Defaults{}, err
	}
	if _, _, err := tx.CreatePersonalAPIKey(u.ID, store.NewAPIKey{Value: DefaultAPIKey, Label: "fakehog default key", Scopes: []string{"*"}}); err != nil {
		return Defaults{}, err
	}
	if err := tx.AddSession(u.ID, DefaultSession); err != nil {
		return Defaults{}, err
	}
	return Defaults{OrganizationID: org.ID, ProjectID: u.CurrentTeamID, UserEmail: u.Email, UserUUID: u.UUID,
		APIKey: DefaultAPIKey, Session: DefaultSession}, nil
}

// applyCredentialOverrides replaces the default owner's key and session values.
func applyCredentialOverrides(tx *store.Tx, d *Defaults, apiKey, session string) error {
	if apiKey != "" && apiKey != d.APIKey {
		k := tx.APIKeyByValue(d.APIKey)
		if k == nil {
			return store.Invalid("the world has no default API key to replace")
		}
		if err := tx.ReplaceAPIKeyValue(k, apiKey); err != nil {
			return err
		}
		d.APIKey = apiKey
	}
	if session != "" && session != d.Session {
		u := tx.UserBySession(d.Session)
		if u == nil {
			return store.Invalid("the world has no default session to replace")
		}
		tx.RemoveSession(d.Session)
		if err := tx.AddSession(u.ID, session); err != nil {
			return err
		}
		d.Session = session
	}
	return nil
}
