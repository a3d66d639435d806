package fake

// The action routes (/api/projects/{project_id}/actions/): the action view and its
// handlers. PostHog's ActionViewSet lists without pagination ({"results": [...]}), hides
// soft-deleted actions from the list only, and forbids DELETE (ForbidDestroyModel: 405
// without a body); clients delete with PATCH {"deleted": true}.

import (
	"strconv"

	"github.com/fakehog/fakehog/fake/store"
)

// actions hold access-controlled objects (access_controls.go): viewer to read, editor to write.
var _ = registerAccessResource("action", "actions", accessByIntID((*store.Tx).Action, func(r *store.Action) int { return r.CreatedBy }))

// actionRoutes are the action operations (projects only: PostHog registers them on the
// projects router).
func actionRoutes(s *Server) []route {
	return underRoot(projectsRoot,
		route{"GET", "actions/", "action:read", 0, 0, s.listActions},
		route{"POST", "actions/", "action:write", 0, 201, s.createAction},
		route{"GET", "actions/{id}/", "action:read", 0, 0, s.getAction},
		route{"PUT", "actions/{id}/", "action:write", 0, 0, s.updateAction},
		route{"PATCH", "actions/{id}/", "action:write", 0, 0, s.updateAction},
		route{"DELETE", "actions/{id}/", "action:write", 0, 0, s.deleteAction},
	)
}

// actionJSON is PostHog's Action.
type actionJSON struct {
	ID                 int              `json:"id"`
	Name               *string          `json:"name"`
	Description        string           `json:"description"`
	Tags               []string         `json:"tags"`
	PostToSlack        bool             `json:"post_to_slack"`
	SlackMessageFormat string           `json:"slack_message_format"`
	Steps              []map[string]any `json:"steps"`
	CreatedAt          string           `json:"created_at"`
	CreatedBy          *userBasicJSON   `json:"created_by"`
	Deleted            bool             `json:"deleted"`
	IsCalculating      bool             `json:"is_calculating"`
	LastCalculatedAt   string           `json:"last_calculated_at"`
	TeamID             int              `json:"team_id"`
	IsAction           bool             `json:"is_action"`
	BytecodeError      *string          `json:"bytecode_error"`
	PinnedAt           *string          `json:"pinned_at"`
	CreationContext    *string          `json:"creation_context"`
	UserAccessLevel    string           `json:"user_access_level"`
}

func (c *call) actionView(a *store.Action) actionJSON {
	steps := make([]map[string]any, 0, len(a.Steps))
	for _, st := range a.Steps {
		steps = append(steps, actionStepView(st))
	}
	tags := []string{}
	if c.tx.TaggingAvailable(c.project.OrgID) {
		tags = append(tags, a.Tags...)
	}
	return actionJSON{ID: a.ID, Name: a.Name, Description: a.Description, Tags: tags, PostToSlack: a.PostToSlack,
		SlackMessageFormat: a.SlackMessageFormat, Steps: steps, CreatedAt: isoTime(a.CreatedAt),
		CreatedBy: userBasicByID(c.tx, a.CreatedBy), Deleted: a.Deleted, LastCalculatedAt: isoTime(a.LastCalculatedAt),
		TeamID: a.ProjectID, IsAction: true, PinnedAt: isoTimePtr(a.PinnedAt), UserAccessLevel: objectAccessLevel(c)}
}

// actionStepView shows every step field, null when the step has none.
func actionStepView(st map[string]any) map[string]any {
	out := make(map[string]any, len(store.ActionStepKeys))
	for _, k := range store.ActionStepKeys {
		out[k] = st[k]
	}
	// selector_regex is the regular expression PostHog's query engine matches a selector's
	// elements chain with; fakehog has no events to match, and shows none.
	out["selector_regex"] = nil
	return out
}

// action finds the URL's action in the project (404 otherwise).
func (c *call) action() (*store.Action, error) {
	id, err := strconv.Atoi(c.vars["id"])
	if err != nil {
		return nil, store.ErrNotFound()
	}
	return orNotFound(c.tx.Action(c.project.ID, id))
}

// listActions answers every live action at once, as PostHog's list override does.
func (s *Server) listActions(c *call) (any, error) {
	actions := c.tx.Actions(c.project.ID)
	results := make([]any, 0, len(actions))
	for _, a := range actions {
		results = append(results, c.actionView(a))
	}
	return encodedNow(anyView{map[string]any{"results": results}})
}

func (s *Server) createAction(c *call) (any, error) {
	body, err := c.object()
	if err != nil {
		return nil, err
	}
	in, verr := c.tx.ParseActionInput(c.project.OrgID, body, store.Create)
	if verr != nil {
		return nil, verr
	}
	a, verr := c.tx.CreateAction(c.project, c.user, in)
	if verr != nil {
		return nil, verr
	}
	return encodedNow(anyView{c.actionView(a)})
}

func (s *Server) getAction(c *call) (any, error) {
	a, err := c.action()
	if err != nil {
		return nil, err
	}
	return encodedNow(anyView{c.actionView(a)})
}

// updateAction serves PUT and PATCH alike (no field of an action is required).
func (s *Server) updateAction(c *call) (any, error) {
	a, body, err := foundWithBody(c, c.action)
	if err != nil {
		return nil, err
	}
	in, verr := c.tx.ParseActionInput(c.project.OrgID, body, c.writeMode())
	if verr != nil {
		return nil, verr
	}
	if verr := c.tx.UpdateAction(c.project, c.user, a, in); verr != nil {
		return nil, verr
	}
	return encodedNow(anyView{c.actionView(a)})
}

// deleteAction answers as ForbidDestroyModel does: 405 without a body, whatever the id
// (the object is never looked up).
func (s *Server) deleteAction(c *call) (any, error) {
	return nil, &store.Error{Status: 405, Type: "invalid_request", Code: "method_not_allowed", Empty: true}
}
