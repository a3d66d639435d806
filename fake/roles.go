package fake

// The role routes: the role view and its handlers.

import (
	"github.com/fakehog/fakehog/fake/store"
)

// roleJSON is PostHog's Role.
type roleJSON struct {
	ID        string               `json:"id"`
	Name      string               `json:"name"`
	CreatedAt string               `json:"created_at"`
	CreatedBy *userBasicJSON       `json:"created_by"`
	Members   []roleMembershipJSON `json:"members"`
	IsDefault bool                 `json:"is_default"`
}

func roleView(tx *store.Tx, r *store.Role) roleJSON {
	ms := tx.RoleMemberships(r.OrgID, r.ID)
	members := make([]roleMembershipJSON, 0, len(ms))
	for _, m := range ms {
		members = append(members, roleMembershipView(tx, m))
	}
	return roleJSON{ID: r.ID, Name: r.Name, CreatedAt: isoTime(r.CreatedAt), CreatedBy: userBasicByID(tx, r.CreatedBy),
		Members: members, IsDefault: tx.IsDefaultRole(r)}
}

// role finds the URL's role in the call's organization (404 otherwise).
func (c *call) role() (*store.Role, error) {
	return orNotFound(c.tx.Role(c.org.ID, c.vars["id"]))
}

func (s *Server) listRoles(c *call) (any, error) {
	return paginate(c, c.tx.Roles(c.org.ID), func(r *store.Role) any { return roleView(c.tx, r) }), nil
}

func (s *Server) createRole(c *call) (any, error) {
	vals, err := c.validateAs(store.RoleFields, store.Create)
	if err != nil {
		return nil, err
	}
	// PostHog's RoleSerializer declares created_by read-only and neither it nor the viewset
	// sets it: a role created over the API has no creator.
	r, err := c.tx.CreateRole(c.org.ID, store.NewRole{Name: vals.Str("name")})
	if err != nil {
		return nil, err
	}
	return roleView(c.tx, r), nil
}

func (s *Server) getRole(c *call) (any, error) {
	r, err := c.role()
	if err != nil {
		return nil, err
	}
	return roleView(c.tx, r), nil
}

// updateRole serves PUT (name required) and PATCH.
func (s *Server) updateRole(c *call) (any, error) {
	r, err := c.role()
	if err != nil {
		return nil, err
	}
	vals, err := c.validate(store.RoleFields)
	if err != nil {
		return nil, err
	}
	if vals.Has("name") {
		if err := c.tx.RenameRole(r, vals.Str("name")); err != nil {
			return nil, err
		}
	}
	return roleView(c.tx, r), nil
}

func (s *Server) deleteRole(c *call) (any, error) {
	return deleteFound(c.role, c.tx.DeleteRole)
}
