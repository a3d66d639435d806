package fake

import (
	"github.com/fakehog/fakehog/fake/store"
)

// inviteJSON is PostHog's OrganizationInvite.
type inviteJSON struct {
	ID                   string                `json:"id"`
	TargetEmail          string                `json:"target_email"`
	FirstName            string                `json:"first_name"`
	EmailingAttemptMade  bool                  `json:"emailing_attempt_made"`
	Level                int                   `json:"level"`
	IsExpired            bool                  `json:"is_expired"`
	CreatedBy            *userBasicJSON        `json:"created_by"`
	CreatedAt            string                `json:"created_at"`
	UpdatedAt            string                `json:"updated_at"`
	Message              *string               `json:"message"`
	PrivateProjectAccess []store.ProjectAccess `json:"private_project_access"`
}

func inviteView(tx *store.Tx, inv *store.Invite) inviteJSON {
	access := inv.PrivateProjectAccess
	if access == nil {
		access = []store.ProjectAccess{}
	}
	return inviteJSON{ID: inv.ID, TargetEmail: inv.TargetEmail, FirstName: inv.FirstName, EmailingAttemptMade: inv.EmailingAttemptMade,
		Level: inv.Level, IsExpired: inv.IsExpired(tx.Now()), CreatedBy: userBasicByID(tx, inv.CreatedBy),
		CreatedAt: isoTime(inv.CreatedAt), UpdatedAt: isoTime(inv.UpdatedAt), Message: inv.Message, PrivateProjectAccess: access}
}

func (s *Server) listInvites(c *call) (any, error) {
	return paginate(c, c.tx.Invites(c.org.ID), func(inv *store.Invite) any { return inviteView(c.tx, inv) }), nil
}

func (s *Server) createInvite(c *call) (any, error) {
	vals, err := c.validate(store.InviteFields)
	if err != nil {
		return nil, err
	}
	invs, err := c.tx.CreateInvites(c.member, []store.Values{vals})
	if err != nil {
		return nil, err
	}
	return inviteView(c.tx, invs[0]), nil
}

func (s *Server) deleteInvite(c *call) (any, error) {
	if c.member.Level < store.LevelAdmin {
		return nil, store.Forbidden("Your organization access level is insufficient")
	}
	inv := c.tx.Invite(c.org.ID, c.vars["id"])
	if inv == nil {
		return nil, store.ErrNotFound()
	}
	c.tx.DeleteInvite(inv)
	return nil, nil
}

// inviteBulk creates up to 20 invites from a JSON array, all or nothing, and answers a plain
// array in request order.
func (s *Server) inviteBulk(c *call) (any, error) {
	var arr gjsonResult
	if c.body != nil {
		arr = c.body.json
	}
	if !arr.IsArray() {
		return nil, store.Invalid("This endpoint needs an array of data for bulk invite creation.")
	}
	items := arr.Array()
	if len(items) > store.MaxBulkInvites {
		return nil, store.InvalidCode("max_length", "A maximum of 20 invites can be sent in a single request.")
	}
	bodies := make([]store.Values, 0, len(items))
	for _, it := range items {
		if !it.IsObject() {
			return nil, store.Invalid("Invalid data. Expected a dictionary, but got " + store.PyTypeName(it) + ".")
		}
		v, ferr := store.InviteFields.Validate(it, store.Create)
		if ferr != nil {
			return nil, ferr
		}
		bodies = append(bodies, v)
	}
	invs, err := c.tx.CreateInvites(c.member, bodies)
	if err != nil {
		return nil, err
	}
	out := make([]inviteJSON, 0, len(invs))
	for _, inv := range invs {
		out = append(out, inviteView(c.tx, inv))
	}
	return out, nil
}

func (s *Server) inviteDelegate(c *call) (any, error) {
	vals, err := c.validateAs(store.DelegateInviteFields, store.Create)
	if err != nil {
		return nil, err
	}
	inv, err := c.tx.DelegateInvite(c.member, vals)
	if err != nil {
		return nil, err
	}
	return inviteView(c.tx, inv), nil
}
