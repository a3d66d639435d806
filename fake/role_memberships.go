package fake

// The role membership routes: the membership view and its handlers.

import (
	"github.com/fakehog/fakehog/fake/store"
)

// roleMembershipJSON is PostHog's RoleMembership (user_uuid is write-only).
type roleMembershipJSON struct {
	ID                 string         `json:"id"`
	RoleID             string         `json:"role_id"`
	OrganizationMember *memberJSON    `json:"organization_member"`
	User               *userBasicJSON `json:"user"`
	JoinedAt           string         `json:"joined_at"`
	UpdatedAt          string         `json:"updated_at"`
}

func roleMembershipView(tx *store.Tx, m *store.RoleMembership) roleMembershipJSON {
	v := roleMembershipJSON{ID: m.ID, RoleID: m.RoleID, User: userBasicByID(tx, m.UserID),
		JoinedAt: isoTime(m.JoinedAt), UpdatedAt: isoTime(m.UpdatedAt)}
	if om := tx.OrgMembershipOf(m); om != nil {
		mv := memberView(tx, om)
		v.OrganizationMember = &mv
	}
	return v
}

// roleMembership finds the URL's membership of the URL's role in the call's organization
// (404 otherwise).
func (c *call) roleMembership() (*store.RoleMembership, error) {
	return orNotFound(c.tx.RoleMembership(c.org.ID, c.vars["role_id"], c.vars["id"]))
}

// listRoleMemberships lists the role's members; a role that is not the organization's
// simply has none (PostHog filters, it does not look the role up).
func (s *Server) listRoleMemberships(c *call) (any, error) {
	ms := c.tx.RoleMemberships(c.org.ID, c.vars["role_id"])
	return paginate(c, ms, func(m *store.RoleMembership) any { return roleMembershipView(c.tx, m) }), nil
}

func (s *Server) createRoleMembership(c *call) (any, error) {
	vals, err := c.validateAs(store.RoleMembershipFields, store.Create)
	if err != nil {
		return nil, err
	}
	m, err := c.tx.AddRoleMember(c.org.ID, c.vars["role_id"], vals.Str("user_uuid"))
	if err != nil {
		return nil, err
	}
	return roleMembershipView(c.tx, m), nil
}

func (s *Server) getRoleMembership(c *call) (any, error) {
	m, err := c.roleMembership()
	if err != nil {
		return nil, err
	}
	return roleMembershipView(c.tx, m), nil
}

func (s *Server) deleteRoleMembership(c *call) (any, error) {
	return deleteFound(c.roleMembership, c.tx.RemoveRoleMembership)
}
