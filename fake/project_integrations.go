package fake

// A project's integrations (/api/environments/{project_id}/integrations/, and the same under
// /api/projects/): the view and its handlers. Personal API keys see GitHub integrations
// only, as PostHog filters their queryset.

import (
	"encoding/json"
	"strconv"

	"github.com/tidwall/gjson"

	"github.com/fakehog/fakehog/fake/store"
)

// projectIntegrationRoutes are the integration operations inside a project.
func projectIntegrationRoutes(s *Server) []route {
	return underBothRoots(
		route{"GET", "integrations/", "integration:read", 0, 0, s.listProjectIntegrations},
		route{"POST", "integrations/", "integration:write", 0, 201, s.createProjectIntegration},
		route{"GET", "integrations/{id}/", "integration:read", 0, 0, s.getProjectIntegration},
		route{"DELETE", "integrations/{id}/", "integration:write", 0, 204, s.deleteProjectIntegration},
	)
}

// integrationJSON is IntegrationSerializer; the sensitive config is never shown.
type integrationJSON struct {
	ID          int            `json:"id"`
	Kind        string         `json:"kind"`
	Config      any            `json:"config"`
	CreatedAt   string         `json:"created_at"`
	CreatedBy   *userBasicJSON `json:"created_by"`
	Errors      string         `json:"errors"`
	DisplayName string         `json:"display_name"`
}

func integrationView(tx *store.Tx, i *store.Integration) integrationJSON {
	return integrationJSON{ID: i.ID, Kind: i.Kind, Config: store.CloneValue(i.Config), CreatedAt: isoTime(i.CreatedAt),
		CreatedBy: userBasicByID(tx, i.CreatedBy), Errors: i.Errors, DisplayName: i.DisplayName()}
}

// projectIntegration finds the URL's integration (404 otherwise, or for a key asking for
// a kind other than GitHub).
func (c *call) projectIntegration() (*store.Integration, error) {
	id, err := strconv.Atoi(c.vars["id"])
	if err != nil {
		return nil, store.ErrNotFound()
	}
	return orNotFound(c.tx.ProjectIntegration(c.project.ID, id, c.key != nil))
}

func (s *Server) listProjectIntegrations(c *call) (any, error) {
	return paginate(c, c.tx.ProjectIntegrations(c.project.ID, c.key != nil), func(i *store.Integration) any { return integrationView(c.tx, i) }), nil
}

func (s *Server) getProjectIntegration(c *call) (any, error) {
	i, err := c.projectIntegration()
	if err != nil {
		return nil, err
	}
	return integrationView(c.tx, i), nil
}

func (s *Server) createProjectIntegration(c *call) (any, error) {
	if body, err := c.object(); err == nil {
		c.redactIntegrationSecrets(body)
	}
	vals, err := c.validate(store.IntegrationFields)
	if err != nil {
		return nil, err
	}
	i, ferr := c.tx.CreateIntegration(c.project, c.user, vals)
	if ferr != nil {
		return nil, ferr
	}
	return integrationView(c.tx, i), nil
}

func (s *Server) deleteProjectIntegration(c *call) (any, error) {
	i, err := c.projectIntegration()
	if err != nil {
		return nil, err
	}
	c.tx.DeleteIntegration(i)
	return nil, nil
}

// integrationSecretKeys are the config keys of a create body that carry credentials.
var integrationSecretKeys = []string{"auth_token", "client_secret", "project_access_token"}

// redactIntegrationSecrets makes the journal record a create body with its credentials
// masked.
func (c *call) redactIntegrationSecrets(body gjson.Result) {
	data, ok := store.DecodeJSONValue(body.Raw).(map[string]any)
	cfg, _ := data["config"].(map[string]any)
	if !ok || cfg == nil {
		return
	}
	changed := false
	for _, k := range integrationSecretKeys {
		if _, has := cfg[k]; has {
			cfg[k] = "********"
			changed = true
		}
	}
	if rec := recorderOf(c.w); changed && rec != nil {
		b, _ := json.Marshal(data)
		rec.redactRequest(b)
	}
}
