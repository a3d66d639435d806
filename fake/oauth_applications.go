package fake

// The organization's OAuth application routes: the application view and its handlers.

import (
	"github.com/fakehog/fakehog/fake/store"
)

// oauthApplicationJSON is PostHog's OrganizationOAuthApplication.
type oauthApplicationJSON struct {
	ID               string   `json:"id"`
	Name             string   `json:"name"`
	ClientID         string   `json:"client_id"`
	RedirectURIsList []string `json:"redirect_uris_list"`
	IsVerified       bool     `json:"is_verified"`
	Created          string   `json:"created"`
	Updated          string   `json:"updated"`
}

func oauthApplicationView(a *store.OAuthApplication) oauthApplicationJSON {
	uris := a.RedirectURIList()
	if uris == nil {
		uris = []string{}
	}
	return oauthApplicationJSON{ID: a.ID, Name: a.Name, ClientID: a.ClientID, RedirectURIsList: uris, IsVerified: a.IsVerified,
		Created: isoTime(a.Created), Updated: isoTime(a.Updated)}
}

func (s *Server) listOAuthApplications(c *call) (any, error) {
	return paginate(c, c.tx.OAuthApplications(c.org.ID), func(a *store.OAuthApplication) any { return oauthApplicationView(a) }), nil
}
