package fake

// Project access controls (PostHog's AccessControlViewSetMixin, ee/api/rbac/access_control.py):
// GET/PUT /api/projects/{id}/access_controls/ (the project's own rules: members, roles, the
// project default), GET/PUT .../resource_access_controls/ (rules on resource kinds), and
// GET/PUT /api/projects/{project_id}/<family>/{id}/access_controls/ for the families that
// register their objects (registerAccessResource). The effect of the rules is applied by the
// pipeline (access.go).

import (
	"strconv"
	"sync"

	"github.com/fakehog/fakehog/fake/store"
	"github.com/tidwall/gjson"
)

// accessResource is a project family whose objects take access controls: its access control
// resource (PostHog's scope_object, e.g. "dashboard"), the path segment of its routes
// ("dashboards") and how to find one of its objects.
type accessResource struct {
	Resource string
	Plural   string
	// Lookup finds the project's live object by its id as it appears in the URL, and gives
	// its creator's user id (0 when unknown; a creator always has the highest level).
	Lookup func(tx *store.Tx, projectID int, id string) (creatorID int, ok bool)
}

var (
	accessResourcesMu sync.RWMutex
	accessResources   = map[string]*accessResource{} // by Plural
)

// registerAccessResource declares that the project family served at <Plural>/{id}/ holds
// objects of access control resource `resource`: from then on the pipeline applies the
// object's access level to every route <plural>/{id}/... of the family (viewer to read,
// editor to write) and serves <plural>/{id}/access_controls/. Call it from a package-level
// var in the family's file:
//
//	var _ = registerAccessResource("dashboard", "dashboards", func(tx *store.Tx, projectID int, id string) (int, bool) {...})
//
// It returns true so that it can initialise a blank var.
func registerAccessResource(resource, plural string, lookup func(tx *store.Tx, projectID int, id string) (creatorID int, ok bool)) bool {
	accessResourcesMu.Lock()
	defer accessResourcesMu.Unlock()
	accessResources[plural] = &accessResource{Resource: resource, Plural: plural, Lookup: lookup}
	return true
}

// accessByIntID adapts a family's live lookup by integer id (a *store.Tx method such as
// (*store.Tx).Dashboard) and its creator to registerAccessResource's lookup.
func accessByIntID[T any](find func(tx *store.Tx, projectID, id int) *T, creator func(*T) int) func(*store.Tx, int, string) (int, bool) {
	return func(tx *store.Tx, projectID int, id string) (int, bool) {
		n, err := strconv.Atoi(id)
		if err != nil {
			return 0, false
		}
		r := find(tx, projectID, n)
		if r == nil {
			return 0, false
		}
		return creator(r), true
	}
}

// accessResourceFor is the family registered at the path segment, or nil.
func accessResourceFor(plural string) *accessResource {
	accessResourcesMu.RLock()
	defer accessResourcesMu.RUnlock()
	return accessResources[plural]
}

// accessControlView is AccessControlSerializer's shape (created_by is never set by the
// access_controls actions, so it is always null).
type accessControlView struct {
	AccessLevel        string  `json:"access_level"`
	Resource           string  `json:"resource"`
	ResourceID         *string `json:"resource_id"`
	OrganizationMember *string `json:"organization_member"`
	Role               *string `json:"role"`
	CreatedBy          *int    `json:"created_by"`
	CreatedAt          string  `json:"created_at"`
	UpdatedAt          string  `json:"updated_at"`
}

func acView(ac *store.AccessControl) accessControlView {
	v := accessControlView{AccessLevel: ac.AccessLevel, Resource: ac.Resource, ResourceID: ac.ResourceID,
		CreatedAt: isoTime(ac.CreatedAt), UpdatedAt: isoTime(ac.UpdatedAt)}
	if ac.MemberID != "" {
		id := ac.MemberID
		v.OrganizationMember = &id
	}
	if ac.RoleID != "" {
		id := ac.RoleID
		v.Role = &id
	}
	return v
}

// acTarget is what an access_controls route addresses: the project itself, the project's
// resource kinds, or one object of a registered family.
type acTarget struct {
	project  *store.Project
	resource string // "project" for the project and its resource kinds
	kind     *accessResource
	objectID string
	creator  int
	kinds    bool // resource_access_controls: the rules on resource kinds
}

// projectACTarget resolves the project of /api/projects/{id}/(resource_)access_controls/.
func (c *call) projectACTarget(kinds bool) (*acTarget, error) {
	p, err := c.targetProject()
	if err != nil {
		return nil, err
	}
	return &acTarget{project: p, resource: "project", objectID: strconv.Itoa(p.ID), kinds: kinds}, nil
}

// objectACTarget resolves <plural>/{id}/access_controls/ (the project is c.project).
func (c *call) objectACTarget() (*acTarget, error) {
	kind := accessResourceFor(c.vars["resource_kind"])
	if kind == nil {
		return nil, errEndpointNotFound
	}
	id := c.vars["id"]
	creator, ok := kind.Lookup(c.tx, c.project.ID, id)
	if !ok {
		return nil, store.ErrNotFound()
	}
	return &acTarget{project: c.project, resource: kind.Resource, kind: kind, objectID: id, creator: creator}, nil
}

// rules lists the rules the target's GET answers.
func (t *acTarget) rules(tx *store.Tx) []accessControlView {
	out := []accessControlView{}
	for _, ac := range tx.AccessControls(t.project.ID) {
		if t.kinds {
			if ac.ResourceID != nil {
				continue
			}
		} else if ac.Resource != t.resource || ac.ResourceID == nil || *ac.ResourceID != t.objectID {
			continue
		}
		out = append(out, acView(ac))
	}
	return out
}

// accessFor is the caller's access to the project (resolved once for c.project).
func (c *call) accessFor(p *store.Project) *store.Access {
	if c.access != nil && c.access.Project() == p {
		return c.access
	}
	if c.tx == nil {
		return nil // a view rendered outside a request (tests)
	}
	return c.tx.AccessFor(p, c.member)
}

// answerACList is _get_access_controls.
func (c *call) answerACList(t *acTarget) (any, error) {
	a := c.accessFor(t.project)
	out := map[string]any{"access_controls": t.rules(c.tx)}
	var userLevel string
	var canEdit bool
	if t.kind != nil {
		userLevel = a.ObjectLevel(t.resource, t.objectID, t.creator)
		canEdit = a.CanEditObjectAccess(t.resource, t.objectID, t.creator)
	} else {
		userLevel = a.ProjectLevel()
		canEdit = a.CanEditProjectAccess()
	}
	if t.kinds {
		out["available_access_levels"] = store.ResourceAccessLevels
		out["default_access_level"] = "editor"
		out["minimum_access_level"] = "none"
		out["maximum_access_level"] = "manager"
	} else {
		out["available_access_levels"] = store.AccessLevels(t.resource)
		out["default_access_level"] = store.DefaultAccessLevel(t.resource)
		out["minimum_access_level"] = store.MinimumAccessLevel(t.resource)
		out["maximum_access_level"] = store.HighestAccessLevel(t.resource)
	}
	out["user_access_level"] = userLevel
	out["user_can_edit_access_levels"] = canEdit
	return out, nil
}

// acFields are the fields of an access_controls PUT, as AccessControlSerializer reads them.
var acFields = store.Fields{
	{Name: "access_level", Kind: store.String, Required: true, Nullable: true},
	{Name: "resource", Kind: store.String, Required: true, MaxLen: 32},
	{Name: "resource_id", Kind: store.String, Nullable: true, AllowBlank: true, MaxLen: 36},
}

// readACBody decodes a PUT body into the store's input: the project and object routes take
// the resource (and its id) from the URL, as PostHog overwrites them in the body.
func (c *call) readACBody(t *acTarget) (store.AccessControlInput, error) {
	var in store.AccessControlInput
	obj, err := c.object()
	if err != nil {
		return in, err
	}
	fields := acFields
	if !t.kinds {
		fields = acFields[:1]
	}
	vals, ferr := fields.Validate(obj, store.Create)
	if ferr != nil {
		return in, ferr
	}
	if t.kinds {
		in.Resource = vals.Str("resource")
		if v, ok := vals["resource_id"].(string); ok && v != "" {
			in.ResourceID = &v
		}
	} else {
		id := t.objectID
		in.Resource, in.ResourceID = t.resource, &id
	}
	if v, ok := vals["access_level"].(string); ok {
		in.AccessLevel = &v
	}
	for _, f := range []struct {
		name string
		dst  *string
		msg  string
	}{
		{"organization_member", &in.MemberID, "Invalid organization member id. Use the 'id' field from the /api/organizations/<organization_id>/members/ endpoint."},
		{"role", &in.RoleID, ""},
	} {
		v := obj.Get(f.name)
		if !v.Exists() || v.Type == gjson.Null {
			continue
		}
		if v.Type != gjson.String {
			return in, store.FieldError(f.name, "incorrect_type", "Incorrect type. Expected pk value, received "+store.PyTypeName(v)+".")
		}
		s := v.String()
		if _, ok := store.CanonicalUUID(s); !ok {
			msg := f.msg
			if msg == "" {
				msg = "“" + s + "” is not a valid UUID."
			}
			return in, store.FieldError(f.name, "invalid", msg)
		}
		*f.dst = s
	}
	return in, nil
}

// updateAC is _update_access_controls: validate, check who may change the rules, then set
// or (access_level null) remove the rule.
func (c *call) updateAC(t *acTarget) (any, error) {
	in, err := c.readACBody(t)
	if err != nil {
		return nil, err
	}
	if err := c.tx.ValidateAccessControl(t.project, in); err != nil {
		return nil, err
	}
	a := c.accessFor(t.project)
	if in.ResourceID != nil {
		if *in.ResourceID != t.objectID {
			return nil, store.Forbidden("Cannot modify access controls for a resource different from the URL target.")
		}
		ok := a.CanEditProjectAccess()
		if t.kind != nil {
			ok = a.CanEditObjectAccess(t.resource, t.objectID, t.creator)
		}
		if !ok {
			return nil, store.Forbidden("Must be " + store.HighestAccessLevel(in.Resource) + " to modify " + in.Resource + " permissions.")
		}
	} else if !a.CanEditProjectAccess() {
		return nil, store.Forbidden("Must be an Organization admin to modify project-wide permissions.")
	}
	ac, err := c.tx.SetAccessControl(t.project, in)
	if err != nil {
		return nil, err
	}
	if ac == nil {
		c.status = 204 // the rule removed: Response(status=204)
		return nil, nil
	}
	return acView(ac), nil
}

func (s *Server) getProjectAccessControls(c *call) (any, error) {
	t, err := c.projectACTarget(false)
	if err != nil {
		return nil, err
	}
	return c.answerACList(t)
}

func (s *Server) putProjectAccessControls(c *call) (any, error) {
	t, err := c.projectACTarget(false)
	if err != nil {
		return nil, err
	}
	return c.updateAC(t)
}

func (s *Server) getResourceAccessControls(c *call) (any, error) {
	t, err := c.projectACTarget(true)
	if err != nil {
		return nil, err
	}
	return c.answerACList(t)
}

func (s *Server) putResourceAccessControls(c *call) (any, error) {
	t, err := c.projectACTarget(true)
	if err != nil {
		return nil, err
	}
	return c.updateAC(t)
}

func (s *Server) getObjectAccessControls(c *call) (any, error) {
	t, err := c.objectACTarget()
	if err != nil {
		return nil, err
	}
	return c.answerACList(t)
}

func (s *Server) putObjectAccessControls(c *call) (any, error) {
	t, err := c.objectACTarget()
	if err != nil {
		return nil, err
	}
	return c.updateAC(t)
}

// accessControlRoutes are the access_controls actions of a project (under both roots) and
// of the objects of registered families.
func accessControlRoutes(s *Server) []route {
	var rows []route
	for _, root := range []string{"/api/projects/{id}/", "/api/environments/{id}/"} {
		rows = append(rows,
			route{"GET", root + "access_controls/", "access_control:read", permProject, 0, s.getProjectAccessControls},
			route{"PUT", root + "access_controls/", "access_control:write", permProject, 0, s.putProjectAccessControls},
			route{"GET", root + "resource_access_controls/", "access_control:read", permProject, 0, s.getResourceAccessControls},
			route{"PUT", root + "resource_access_controls/", "access_control:write", permProject, 0, s.putResourceAccessControls},
		)
	}
	return append(rows, underBothRoots(
		route{"GET", "{resource_kind}/{id}/access_controls/", "access_control:read", 0, 0, s.getObjectAccessControls},
		route{"PUT", "{resource_kind}/{id}/access_controls/", "access_control:write", 0, 0, s.putObjectAccessControls},
	)...)
}
