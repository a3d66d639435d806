package fake

// The project routes of an organization: the project view, its handlers and the
// project's activity view.

import (
	"slices"
	"strconv"
	"strings"

	"github.com/fakehog/fakehog/fake/store"
)

// userAccessLevel is a project's user_access_level for a member of the organization at
// that level ("" for none).
func userAccessLevel(level int) string {
	switch level {
	case store.LevelMember:
		return "member"
	case store.LevelAdmin, store.LevelOwner:
		return "admin"
	}
	return ""
}

// targetProject resolves {id} (an integer or @current) in the call's organization.
func (c *call) targetProject() (*store.Project, error) {
	id := c.vars["id"]
	var pid int
	if id == "@current" {
		pid = c.user.CurrentTeamID
	} else {
		n, err := strconv.Atoi(id)
		if err != nil {
			return nil, store.ErrNotFound()
		}
		pid = n
	}
	p := c.tx.Project(c.org.ID, pid)
	if p == nil {
		return nil, store.ErrNotFound()
	}
	if err := c.checkProjectObject(p); err != nil {
		return nil, err
	}
	return p, nil
}

func (s *Server) listProjects(c *call) (any, error) {
	render := func(p *store.Project) any { return teamBasic(p) }
	search := lastQueryValue(c.r.URL.Query(), "search")
	// Projects the caller has no access to, or their key is not scoped to, are left out.
	restricted := c.member.Level < store.LevelAdmin && c.tx.OrgHasAccessControls(c.org.ID)
	scopedTeams := c.key != nil && len(c.key.ScopedTeams) > 0 && c.route.Perm == permCurrentOrg
	if strings.TrimSpace(search) != "" || restricted || scopedTeams {
		ps := slices.DeleteFunc(c.tx.Projects(c.org.ID, search), func(p *store.Project) bool {
			return (restricted && !c.projectVisible(p, c.member)) || (scopedTeams && !slices.Contains(c.key.ScopedTeams, p.ID))
		})
		return paginate(c, ps, render), nil
	}
	limit, offset := c.limitOffset(DefaultPageSize)
	projects, count := c.tx.ProjectsPage(c.org.ID, offset, limit)
	return paginateWindow(c, projects, count, render, limit, offset), nil
}

func (s *Server) createProject(c *call) (any, error) {
	vals, err := c.validate(store.ProjectFields)
	if err != nil {
		return nil, err
	}
	p, err := c.tx.CreateProject(c.org, c.user, vals)
	if err != nil {
		return nil, err
	}
	return projectView(c, p)
}

func (s *Server) getProject(c *call) (any, error) {
	p, err := c.targetProject()
	if err != nil {
		return nil, err
	}
	return projectView(c, p)
}

func (s *Server) updateProject(c *call) (any, error) {
	p, err := c.targetProject()
	if err != nil {
		return nil, err
	}
	vals, err := c.validate(store.ProjectFields)
	if err != nil {
		return nil, err
	}
	if err := c.tx.UpdateProject(p, c.member, vals, c.writeMode() == store.Replace); err != nil {
		return nil, err
	}
	return projectView(c, p)
}

func (s *Server) deleteProject(c *call) (any, error) {
	p, err := c.targetProject()
	if err != nil {
		return nil, err
	}
	return nil, c.tx.DeleteProject(p, c.member)
}

// activityView renders an activity entry in the shape of PostHog's activity endpoints.
func activityView(tx *store.Tx, e *store.ActivityEntry) map[string]any {
	var user any
	if u := tx.User(e.UserID); u != nil {
		user = map[string]any{"first_name": u.FirstName, "email": u.Email}
	}
	changes := e.Changes
	if changes == nil {
		changes = []store.Change{}
	}
	return map[string]any{
		"user": user, "activity": e.Activity, "scope": e.Scope, "item_id": e.ItemID,
		"detail":     map[string]any{"changes": changes, "name": e.Name, "short_id": nil, "trigger": nil, "type": nil},
		"created_at": isoTime(e.CreatedAt),
	}
}

func (s *Server) projectActivity(c *call) (any, error) {
	p, err := c.targetProject()
	if err != nil {
		return nil, err
	}
	item := strconv.Itoa(p.ID)
	entries := c.tx.Activity(c.org.ID, func(e *store.ActivityEntry) bool { return e.Scope == "Team" && e.ItemID == item })
	return paginateActivity(c, entries, func(e *store.ActivityEntry) any { return activityView(c.tx, e) }), nil
}

func (s *Server) projectIsGeneratingDemoData(c *call) (any, error) {
	p, err := c.targetProject()
	if err != nil {
		return nil, err
	}
	return map[string]bool{"is_generating_demo_data": p.GeneratingDemoData}, nil
}

// projectTokenAction runs one of the admin-only token actions and answers the project.
func (c *call) projectTokenAction(act func(p *store.Project, m *store.Membership) error) (any, error) {
	p, err := c.targetProject()
	if err != nil {
		return nil, err
	}
	if err := act(p, c.member); err != nil {
		return nil, err
	}
	return projectView(c, p)
}

func (s *Server) projectResetToken(c *call) (any, error) {
	return c.projectTokenAction(c.tx.ResetProjectToken)
}

func (s *Server) projectRotateSecretToken(c *call) (any, error) {
	return c.projectTokenAction(c.tx.RotateSecretToken)
}

func (s *Server) projectDeleteSecretTokenBackup(c *call) (any, error) {
	return c.projectTokenAction(c.tx.DeleteSecretTokenBackup)
}

// productTypeFields is the body of add_product_intent and complete_product_onboarding.
var productTypeFields = store.Fields{
	{Name: "product_type", Kind: store.String, Required: true, MaxLen: 200},
	{Name: "intent_context", Kind: store.String, AllowBlank: true, Nullable: true},
}

func (s *Server) projectAddProductIntent(c *call) (any, error) {
	p, err := c.targetProject()
	if err != nil {
		return nil, err
	}
	vals, err := c.validateAs(productTypeFields, store.Create)
	if err != nil {
		return nil, err
	}
	c.tx.AddProductIntent(p, vals.Str("product_type"))
	return projectView(c, p)
}

func (s *Server) projectCompleteProductOnboarding(c *call) (any, error) {
	p, err := c.targetProject()
	if err != nil {
		return nil, err
	}
	obj, err := c.object()
	if err != nil {
		return nil, err
	}
	pt := strings.TrimSpace(obj.Get("product_type").String())
	if pt == "" {
		return nil, store.HandMade(400, map[string]any{"error": "product_type is required"})
	}
	c.tx.CompleteProductOnboarding(p, c.member, pt)
	return projectView(c, p)
}

func (s *Server) projectChangeOrganization(c *call) (any, error) {
	p, err := c.targetProject()
	if err != nil {
		return nil, err
	}
	vals, err := c.validateAs(store.Fields{{Name: "organization_id", Kind: store.UUID, Required: true}}, store.Create)
	if err != nil {
		return nil, err
	}
	if err := c.tx.MoveProject(p, c.user, c.tx.Org(vals.Str("organization_id"))); err != nil {
		return nil, err
	}
	return projectView(c, p)
}

func (s *Server) projectGenerateConversationsPublicToken(c *call) (any, error) {
	p, err := c.targetProject()
	if err != nil {
		return nil, err
	}
	if c.member.Level < store.LevelAdmin {
		return nil, store.Forbidden("You don't have sufficient permissions in the project.")
	}
	c.tx.GenerateConversationsPublicToken(p)
	return projectView(c, p)
}

// environmentView is the project as /api/environments/{id}/ answers it (PostHog's
// TeamSerializer: the project's fields plus the environment's own project_id, which for
// fakehog's one environment per project is the project's id, as projectView has it).
func environmentView(c *call, p *store.Project) (any, error) {
	return projectView(c, p)
}

func (s *Server) getEnvironment(c *call) (any, error) {
	p, err := c.targetProject()
	if err != nil {
		return nil, err
	}
	return environmentView(c, p)
}

func (s *Server) updateEnvironment(c *call) (any, error) {
	if _, err := s.updateProject(c); err != nil {
		return nil, err
	}
	p, err := c.targetProject()
	if err != nil {
		return nil, err
	}
	return environmentView(c, p)
}
