package fake

// The invite routes: the invite view and its handlers (bulk create, delete).

import (
	"errors"
	"strconv"

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
	limit, offset := c.limitOffset(DefaultPageSize)
	invs, count := c.tx.InvitesPage(c.org.ID, offset, limit)
	return paginateWindow(c, invs, count, func(inv *store.Invite) any { return inviteView(c.tx, inv) }, limit, offset), nil
}

func (s *Server) createInvite(c *call) (any, error) {
	if err := c.tx.CanInvite(c.member); err != nil {
		return nil, err
	}
	obj, err := c.object()
	if err != nil {
		return nil, err
	}
	vals, err := c.validateInvite(obj)
	if err != nil {
		return nil, err
	}
	invs, err := c.tx.CreateInvites(c.member, []store.Values{vals})
	if err != nil {
		return nil, err
	}
	return inviteView(c.tx, invs[0]), nil
}

// inviteLevelField is the invite's level rule alone, to apply validate_level even when
// other fields fail.
var inviteLevelField = store.Fields{store.InviteFields[inviteFieldOrder("level")]}

// validateInvite validates one invite body as PostHog's serializer does: a level above the
// inviter's own is refused (403) whatever else is wrong, as validate_level raises
// PermissionDenied while field errors are collected; otherwise the first field error in
// field order, private_project_access's own checks taking their place in it.
func (c *call) validateInvite(obj gjsonResult) (store.Values, error) {
	vals, ferr := store.InviteFields.Validate(obj, store.Create)
	if lv, lerr := inviteLevelField.Validate(obj, store.Create); lerr == nil && obj.Get("level").Exists() {
		if err := store.CheckInviteLevel(c.member, lv.Int("level")); err != nil {
			return nil, err
		}
	}
	_, aerr := c.tx.CheckProjectAccess(c.member, obj.Get("private_project_access").Value())
	if ferr != nil && (aerr == nil || inviteFieldOrder(ferr.Attr) < inviteFieldOrder("private_project_access")) {
		return nil, ferr
	}
	if aerr != nil {
		return nil, aerr
	}
	return vals, nil
}

// inviteFieldOrder is a field's position in the invite serializer.
func inviteFieldOrder(name string) int {
	for i, f := range store.InviteFields {
		if f.Name == name {
			return i
		}
	}
	return -1
}

func (s *Server) deleteInvite(c *call) (any, error) {
	if c.member.Level < store.LevelAdmin {
		return nil, store.Forbidden(store.MsgAccessInsufficient) // OrganizationAdminWritePermissions
	}
	inv := c.tx.Invite(c.org.ID, c.vars["id"])
	if inv == nil {
		return nil, store.ErrNotFound()
	}
	c.tx.DeleteInvite(inv)
	return nil, nil
}

// inviteBulk creates up to 20 invites from a JSON array, all or nothing, and answers a plain
// array in request order. Every item is validated before any is created; a validation error
// names its item as PostHog's error formatter flattens a list serializer's errors
// ("__1__target_email"), while a level above the inviter's stops the batch with 403 at once.
func (s *Server) inviteBulk(c *call) (any, error) {
	if err := c.tx.CanInvite(c.member); err != nil {
		return nil, err
	}
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
	var first *store.Error
	for i, it := range items {
		var err error
		var v store.Values
		if !it.IsObject() {
			err = store.Invalid("Invalid data. Expected a dictionary, but got " + store.PyTypeName(it) + ".")
		} else {
			v, err = c.validateInvite(it)
		}
		var e *store.Error
		if errors.As(err, &e) && e.Status != 400 {
			return nil, err
		}
		if err != nil {
			if first == nil {
				first = bulkItemError(i, e)
			}
			continue
		}
		bodies = append(bodies, v)
	}
	if first != nil {
		return nil, first
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

// bulkItemError is a validation error of the index-th item as drf-exceptions-hog names it:
// the list's errors sit under the key "", so attr is "__<index>__<field>" (non-field errors
// under DRF's "non_field_errors").
func bulkItemError(index int, e *store.Error) *store.Error {
	attr := e.Attr
	if attr == "" {
		attr = "non_field_errors"
	}
	out := *e
	out.Attr = "__" + strconv.Itoa(index) + "__" + attr
	return &out
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
