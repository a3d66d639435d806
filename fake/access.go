package fake

// The effect of access controls on a request (PostHog's AccessControlPermission and the
// project querysets): once permProject has resolved the project, a member with no access to
// it does not see it, and every route inside it needs the route's level on its resource kind
// (viewer to read, editor to write) and, on <family>/{id}/... of a registered family
// (registerAccessResource), on the object. Organization admins and owners pass everything.

import (
	"fmt"
	"strings"

	"github.com/fakehog/fakehog/fake/store"
)

// requiredLevel is _get_required_access_level: the read or write level of the resource's
// scale, from the route's scope (write scope → write level) or, for a route without one,
// from the method.
func requiredLevel(resource, scope, method string) string {
	levels := store.AccessLevels(resource)
	n := len(levels)
	// The project's scale ends member, admin; a resource's viewer, editor, manager.
	read, write := levels[n-2], levels[n-1]
	if resource != "project" && resource != "organization" {
		read, write = levels[n-3], levels[n-2]
	}
	if scope == "" {
		if isSafe(method) {
			return read
		}
		return write
	}
	if strings.HasSuffix(scope, ":write") {
		return write
	}
	return read
}

func errNoLevel(level string) error {
	return store.Forbidden(fmt.Sprintf("You do not have %s access to this resource.", level))
}

// projectRelative splits a project route's path after its root: the first segment and the
// second (a path variable such as {id} or {dashboard_id}, or a literal), and whether the
// path is the collection itself (<plural>/).
func projectRelative(path string) (first, second string, ok bool) {
	for _, root := range []string{projectsRoot, environmentsRoot} {
		if rest, found := strings.CutPrefix(path, root); found {
			parts := strings.Split(strings.TrimSuffix(rest, "/"), "/")
			if len(parts) > 1 {
				second = parts[1]
			}
			return parts[0], second, true
		}
	}
	return "", "", false
}

// checkInsideProject is AccessControlPermission for a route inside c.project: the project
// (at least member), the route's resource kind and, on a registered family's object, the
// object.
func (c *call) checkInsideProject() error {
	a := c.access
	if a.OrgAdmin() {
		return nil
	}
	if a.ProjectLevel() == "none" {
		return store.Forbidden("You don't have access to the project.")
	}
	if c.route == nil {
		return nil
	}
	first, second, ok := projectRelative(c.route.Path)
	if !ok {
		return nil
	}
	var kind *accessResource
	if first == "{resource_kind}" {
		kind = accessResourceFor(c.vars["resource_kind"])
	} else {
		kind = accessResourceFor(first)
	}
	resource, _, _ := strings.Cut(c.route.Scope, ":")
	if kind != nil {
		resource = kind.Resource
	}
	if resource == "" || resource == "project" || resource == "INTERNAL" {
		return nil
	}
	required := requiredLevel(resource, c.route.Scope, c.r.Method)
	if !store.AccessLevelAtLeast(resource, a.ResourceLevel(resource), required) {
		create := second == "" && c.r.Method == "POST"
		if create || !a.HasSpecificObjectAccess(resource, required) {
			return errNoLevel(required)
		}
	}
	// The object: <plural>/{var}/... with the variable naming it.
	if kind == nil || !strings.HasPrefix(second, "{") {
		return nil
	}
	id := c.vars[strings.Trim(second, "{}")]
	creator, found := kind.Lookup(c.tx, c.project.ID, id)
	if !found {
		return nil // the handler answers 404
	}
	if !store.AccessLevelAtLeast(resource, a.ObjectLevel(resource, id, creator), required) {
		return errNoLevel(required)
	}
	return nil
}

// checkProjectObject is AccessControlPermission on the project itself (its own routes, under
// /api/projects/{id}/, /api/environments/{id}/ and the organization's projects/{id}/): a
// project the member has no access to is not found; below the route's level is 403.
func (c *call) checkProjectObject(p *store.Project) error {
	a := c.accessFor(p)
	if a.OrgAdmin() {
		return nil
	}
	level := a.ProjectLevel()
	if level == "none" {
		return store.ErrNotFound()
	}
	if c.route == nil {
		return nil
	}
	required := requiredLevel("project", c.route.Scope, c.r.Method)
	if !store.AccessLevelAtLeast("project", level, required) {
		return errNoLevel(required)
	}
	return nil
}

// projectVisible reports whether the member sees the project in lists (the querysets leave
// out projects they have no access to).
func (c *call) projectVisible(p *store.Project, m *store.Membership) bool {
	if m == nil {
		return false
	}
	if m.Level >= store.LevelAdmin || !c.tx.HasAccessControls(p.ID) {
		return true
	}
	return c.tx.AccessFor(p, m).ProjectLevel() != "none"
}

// visibleObject reports whether a list shows the caller the object of a registered family
// (filter_queryset_by_access_level): families call it while listing inside c.project.
func (c *call) visibleObject(resource, id string, creator int) bool {
	if c.access == nil {
		return true
	}
	return !c.access.ObjectBlocked(resource, id, creator)
}
