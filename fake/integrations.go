package fake

// The organization integration routes: the integration view and its handlers.

import (
	"github.com/fakehog/fakehog/fake/store"
)

// orgIntegrationJSON is PostHog's OrganizationIntegration (every field read-only).
type orgIntegrationJSON struct {
	ID            string         `json:"id"`
	Kind          string         `json:"kind"`
	IntegrationID *string        `json:"integration_id"`
	Config        any            `json:"config"`
	CreatedAt     string         `json:"created_at"`
	UpdatedAt     string         `json:"updated_at"`
	CreatedBy     *userBasicJSON `json:"created_by"`
}

func orgIntegrationView(tx *store.Tx, i *store.OrgIntegration) orgIntegrationJSON {
	return orgIntegrationJSON{ID: i.ID, Kind: i.Kind, IntegrationID: i.IntegrationID, Config: i.Config,
		CreatedAt: isoTime(i.CreatedAt), UpdatedAt: isoTime(i.UpdatedAt), CreatedBy: userBasicByID(tx, i.CreatedBy)}
}

// orgIntegration finds the URL's integration in the call's organization (404 otherwise).
func (c *call) orgIntegration() (*store.OrgIntegration, error) {
	return orNotFound(c.tx.OrgIntegration(c.org.ID, c.vars["id"]))
}

func (s *Server) listIntegrations(c *call) (any, error) {
	return paginate(c, c.tx.OrgIntegrations(c.org.ID), func(i *store.OrgIntegration) any { return orgIntegrationView(c.tx, i) }), nil
}

func (s *Server) getIntegration(c *call) (any, error) {
	i, err := c.orgIntegration()
	if err != nil {
		return nil, err
	}
	return orgIntegrationView(c.tx, i), nil
}

func (s *Server) deleteIntegration(c *call) (any, error) {
	i, err := c.orgIntegration()
	if err != nil {
		return nil, err
	}
	return nil, c.tx.DeleteOrgIntegration(i)
}

// integrationEnvironmentMapping is PATCH environment-mapping: the integration is looked up
// and checked before the body is validated, as PostHog does.
func (s *Server) integrationEnvironmentMapping(c *call) (any, error) {
	i, err := c.orgIntegration()
	if err != nil {
		return nil, err
	}
	if !i.IsConnectable() {
		return nil, store.ErrNotConnectable()
	}
	vals, err := c.validateAs(store.EnvironmentMappingFields, store.Create)
	if err != nil {
		return nil, err
	}
	if err := c.tx.SetEnvironmentMapping(i, vals); err != nil {
		return nil, err
	}
	return orgIntegrationView(c.tx, i), nil
}
