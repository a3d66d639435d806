package fake

import (
	"github.com/fakehog/fakehog/fake/store"
)

// Personal API keys: /api/personal_api_keys/ (PostHog's PersonalAPIKeyViewSet). The caller's
// own keys only; with a personal API key the only action is retrieving that same key
// (@current or its id), everything else needs a session. The plain value is answered once,
// by create and roll; a new or rolled value authenticates the next request.

// personalAPIKeyJSON is PostHog's PersonalAPIKeySerializer.
type personalAPIKeyJSON struct {
	ID                  string   `json:"id"`
	Label               string   `json:"label"`
	Value               *string  `json:"value"`
	MaskValue           string   `json:"mask_value"`
	CreatedAt           string   `json:"created_at"`
	LastUsedAt          *string  `json:"last_used_at"`
	UserID              int      `json:"user_id"`
	Scopes              []string `json:"scopes"`
	ScopedTeams         []int    `json:"scoped_teams"`
	ScopedOrganizations []string `json:"scoped_organizations"`
	LastRolledAt        *string  `json:"last_rolled_at"`
}

func personalAPIKeyView(k *store.PersonalAPIKey, value string) personalAPIKeyJSON {
	out := personalAPIKeyJSON{ID: k.ID, Label: k.Label, MaskValue: k.MaskValue, CreatedAt: isoTime(k.CreatedAt),
		LastUsedAt: isoTimePtr(k.LastUsedAt), UserID: k.UserID, Scopes: append([]string{}, k.Scopes...),
		ScopedTeams: append([]int{}, k.ScopedTeams...), ScopedOrganizations: append([]string{}, k.ScopedOrganizations...),
		LastRolledAt: isoTimePtr(k.LastRolledAt)}
	if len(out.Scopes) == 0 {
		out.Scopes = []string{"*"} // legacy keys: PostHog's to_representation
	}
	if value != "" {
		out.Value = &value
	}
	return out
}

// targetKey resolves {id}: @current is the calling key (404 with a session), else one of
// the caller's keys; a key may retrieve only itself.
func (c *call) targetKey() (*store.PersonalAPIKey, error) {
	id := c.vars["id"]
	var k *store.PersonalAPIKey
	if id == "@current" {
		k = c.key
	} else {
		k = c.tx.APIKeyOfUser(c.user.ID, id)
	}
	if k == nil {
		return nil, store.ErrNotFound()
	}
	if c.key != nil && k != c.key {
		return nil, errNoPAKAccess
	}
	return k, nil
}

func (s *Server) listPersonalAPIKeys(c *call) (any, error) {
	out := []personalAPIKeyJSON{}
	for _, k := range c.tx.APIKeysNewestFirst(c.user.ID) {
		out = append(out, personalAPIKeyView(k, ""))
	}
	return out, nil
}

func (s *Server) createPersonalAPIKey(c *call) (any, error) {
	vals, err := c.validateAs(store.PersonalAPIKeyFields, store.Create)
	if err != nil {
		return nil, err
	}
	k, value, err := c.tx.CreateOwnAPIKey(c.user, vals)
	if err != nil {
		return nil, err
	}
	return personalAPIKeyView(k, value), nil
}

func (s *Server) getPersonalAPIKey(c *call) (any, error) {
	k, err := c.targetKey()
	if err != nil {
		return nil, err
	}
	return personalAPIKeyView(k, ""), nil
}

func (s *Server) updatePersonalAPIKey(c *call) (any, error) {
	k, err := c.targetKey()
	if err != nil {
		return nil, err
	}
	vals, err := c.validate(store.PersonalAPIKeyFields)
	if err != nil {
		return nil, err
	}
	if err := c.tx.UpdateAPIKey(c.user, k, vals); err != nil {
		return nil, err
	}
	return personalAPIKeyView(k, ""), nil
}

func (s *Server) deletePersonalAPIKey(c *call) (any, error) {
	return deleteFound(c.targetKey, c.tx.DeleteAPIKey)
}

func (s *Server) rollPersonalAPIKey(c *call) (any, error) {
	k, err := c.targetKey()
	if err != nil {
		return nil, err
	}
	return personalAPIKeyView(k, c.tx.RollAPIKey(k)), nil
}
