package store

// Invites: the record, the field rules, listing, creating (bulk, delegated), deleting, and
// the emails sent (the outbox).

import (
	"strings"
	"time"

	"github.com/tidwall/gjson"
)

// InviteDaysValidity is how long an invite stays valid (PostHog's INVITE_DAYS_VALIDITY).
const InviteDaysValidity = 3

// ProjectAccess is one entry of an invite's private_project_access.
type ProjectAccess struct {
	ID    int    `json:"id"`
	Level string `json:"level"`
}

// Invite is an invitation to join an organization.
type Invite struct {
	ID                   string
	OrgID                string
	TargetEmail          string
	FirstName            string
	EmailingAttemptMade  bool
	Level                int
	CreatedBy            int // user id
	CreatedAt            time.Time
	UpdatedAt            time.Time
	Message              *string
	PrivateProjectAccess []ProjectAccess
	IsSetupDelegation    bool
}

// IsExpired reports whether the invite is older than InviteDaysValidity at now.
func (i *Invite) IsExpired(now time.Time) bool {
	return i.CreatedAt.Before(now.Add(-InviteDaysValidity * 24 * time.Hour))
}

// SentEmail is an email the fake "sent": recorded, never delivered.
type SentEmail struct {
	To       string
	Template string
	OrgID    string
	At       time.Time
}

// InviteFields are the writable fields of an invite.
var InviteFields = Fields{
	{Name: "target_email", Kind: Email, Required: true, MaxLen: 254},
	{Name: "first_name", Kind: String, MaxLen: 30, AllowBlank: true, Default: ""},
	{Name: "level", Kind: Choice, Choices: []any{LevelMember, LevelAdmin, LevelOwner}, Default: LevelMember},
	{Name: "message", Kind: String, Nullable: true, AllowBlank: true},
	{Name: "private_project_access", Kind: JSON, Nullable: true, Default: []any{}},
	{Name: "send_email", Kind: Bool, Default: true},
	{Name: "combine_pending_invites", Kind: Bool, Default: false},
}

// DelegateInviteFields are the body of invites/delegate.
var DelegateInviteFields = Fields{
	{Name: "target_email", Kind: Email, Required: true, MaxLen: 254},
	{Name: "message", Kind: String, MaxLen: 1000, AllowBlank: true},
	{Name: "step_at_delegation", Kind: String, MaxLen: 64, AllowBlank: true},
}

// MaxBulkInvites is the most invites one bulk request may carry.
const MaxBulkInvites = 20

// Invites lists an organization's invites, newest first (expired ones included).
func (tx *Tx) Invites(orgID string) []*Invite {
	return recordsByIDs(tx.st.invites, tx.st.invitesByOrg[orgID], true)
}

// InvitesPage is Invites cut to [offset, offset+limit) (limit > 0, offset ≥ 0), with the
// count of all of them; it costs the page, not the organization.
func (tx *Tx) InvitesPage(orgID string, offset, limit int) (page []*Invite, count int) {
	ids := tx.st.invitesByOrg[orgID]
	return pageOfIDs(tx.st.invites, ids, true, offset, limit), len(ids)
}

// invitesTo returns the organization's invites to email (any case), newest first.
func (tx *Tx) invitesTo(orgID, email string) []*Invite {
	ids := tx.inviteIDsByEmail(orgID, email)
	out := make([]*Invite, 0, len(ids))
	for i := len(ids) - 1; i >= 0; i-- {
		if inv := tx.st.invites[ids[i]]; inv != nil {
			out = append(out, inv)
		}
	}
	return out
}

// Invite returns the organization's invite with that id, or nil.
func (tx *Tx) Invite(orgID, id string) *Invite {
	inv := tx.st.invites[strings.ToLower(id)]
	if inv == nil || inv.OrgID != orgID {
		return nil
	}
	return inv
}

// CreateInvites creates invites from validated bodies, all or nothing: every body is checked
// before any invite is written — first each body's level and project access, as PostHog's
// serializer validates them, then, as its create does, that no member has the email. It
// returns the invites in request order.
func (tx *Tx) CreateInvites(inviter *Membership, bodies []Values) ([]*Invite, error) {
	plans := make([]*Invite, 0, len(bodies))
	for _, v := range bodies {
		inv, err := tx.planInvite(inviter, v)
		if err != nil {
			return nil, err
		}
		plans = append(plans, inv)
	}
	for _, inv := range plans {
		if u := tx.UserByEmail(inv.TargetEmail); u != nil && tx.st.members[inviter.OrgID].byUser[u.ID] != nil {
			return nil, Invalid("A user with this email address already belongs to the organization.")
		}
	}
	for i, inv := range plans {
		tx.storeInvite(inv, bodies[i].Bool("combine_pending_invites"))
	}
	return plans, nil
}

// CanInvite is PostHog's UserCanInvitePermission: with the invite settings feature, members
// below admin may invite only when members_can_invite is set (null counts as not).
func (tx *Tx) CanInvite(inviter *Membership) error {
	org := tx.st.orgs[inviter.OrgID]
	if _, ok := org.Feature("organization_invite_settings"); !ok || inviter.Level >= LevelAdmin {
		return nil
	}
	if org.MembersCanInvite == nil || !*org.MembersCanInvite {
		return Forbidden(MsgNoPermission)
	}
	return nil
}

// CheckInviteLevel is the serializer's validate_level: no one invites above their own level.
func CheckInviteLevel(inviter *Membership, level int) error {
	if level > inviter.Level {
		return Forbidden("You cannot invite a user with a higher permission level than your own.")
	}
	return nil
}

// planInvite validates one invite body against the organization's state.
func (tx *Tx) planInvite(inviter *Membership, v Values) (*Invite, error) {
	if err := tx.CanInvite(inviter); err != nil {
		return nil, err
	}
	level := v.Int("level")
	if level == 0 {
		level = LevelMember
	}
	if err := CheckInviteLevel(inviter, level); err != nil {
		return nil, err
	}
	access, err := tx.CheckProjectAccess(inviter, v["private_project_access"])
	if err != nil {
		return nil, err
	}
	inv := &Invite{
		OrgID: inviter.OrgID, TargetEmail: strings.ToLower(v.Str("target_email")), FirstName: v.Str("first_name"), Level: level,
		CreatedBy: inviter.UserID, Message: v.StrPtr("message"), PrivateProjectAccess: access,
		EmailingAttemptMade: !v.Has("send_email") || v.Bool("send_email"),
	}
	return inv, nil
}

// CheckProjectAccess validates private_project_access (the serializer's
// validate_private_project_access): a list of {"id": <project>, "level": "member"|"admin"}
// naming projects of the organization. A private project (access_control) is open only to
// organization admins, the fake keeping no per-project memberships; other projects may be
// granted at either level by anyone who may invite.
func (tx *Tx) CheckProjectAccess(inviter *Membership, raw any) ([]ProjectAccess, error) {
	const (
		attr      = "private_project_access"
		shape     = "Each item must be an object with an integer id and a level of member or admin."
		teamError = "Project does not exist on this organization, or it is private and you do not have access to it."
	)
	if raw == nil {
		return []ProjectAccess{}, nil
	}
	list, ok := raw.([]any)
	if !ok {
		return nil, FieldError(attr, "invalid_input", "Expected a list of items but got type \""+pyType(raw)+"\".")
	}
	out := make([]ProjectAccess, 0, len(list))
	for _, item := range list {
		m, ok := item.(map[string]any)
		if !ok {
			return nil, FieldError(attr, "invalid_input", shape)
		}
		level, _ := m["level"].(string)
		if level != "member" && level != "admin" {
			return nil, FieldError(attr, "invalid_input", `The "level" field must be a valid access level.`)
		}
		idf, okID := m["id"].(float64)
		if !okID || idf != float64(int(idf)) {
			return nil, FieldError(attr, "invalid_input", shape)
		}
		p := tx.st.projects[int(idf)]
		if p == nil || p.OrgID != inviter.OrgID {
			return nil, FieldError(attr, "invalid_input", teamError)
		}
		if private, _ := p.Settings["access_control"].(bool); private && inviter.Level < LevelAdmin {
			return nil, FieldError(attr, "invalid_input", teamError)
		}
		out = append(out, ProjectAccess{ID: int(idf), Level: level})
	}
	return out, nil
}

// storeInvite writes a planned invite: earlier invites for the same email go (so there is
// at most one per email), optionally folding their level and project access into it.
func (tx *Tx) storeInvite(inv *Invite, combine bool) {
	for _, old := range tx.invitesTo(inv.OrgID, inv.TargetEmail) {
		if combine && !old.IsExpired(tx.now) {
			if old.Level > inv.Level {
				inv.Level = old.Level
			}
			inv.PrivateProjectAccess = mergeAccess(inv.PrivateProjectAccess, old.PrivateProjectAccess)
		}
		tx.deleteInvite(old)
	}
	inv.ID = tx.NewUUID()
	inv.CreatedAt, inv.UpdatedAt = tx.now, tx.now
	tx.st.invites[inv.ID] = inv
	tx.st.invitesByOrg[inv.OrgID] = append(tx.st.invitesByOrg[inv.OrgID], inv.ID)
	tx.inviteIndexed(inv, true)
	if inv.EmailingAttemptMade {
		template := "invite"
		if inv.IsSetupDelegation {
			template = "setup_delegation"
		}
		tx.st.outbox = appendBounded(tx.st.outbox, SentEmail{To: inv.TargetEmail, Template: template, OrgID: inv.OrgID, At: tx.now}, tx.opts.historyLimit())
	}
}

func mergeAccess(a, b []ProjectAccess) []ProjectAccess {
	rank := map[string]int{"member": 1, "admin": 2}
	out := append([]ProjectAccess{}, a...)
	for _, x := range b {
		found := false
		for i := range out {
			if out[i].ID == x.ID {
				found = true
				if rank[x.Level] > rank[out[i].Level] {
					out[i].Level = x.Level
				}
			}
		}
		if !found {
			out = append(out, x)
		}
	}
	return out
}

// DelegateInvite creates the admin-level setup-delegation invite of invites/delegate.
func (tx *Tx) DelegateInvite(inviter *Membership, v Values) (*Invite, error) {
	email := strings.ToLower(v.Str("target_email"))
	if u := tx.UserByEmail(email); u != nil && tx.st.members[inviter.OrgID].byUser[u.ID] != nil {
		return nil, Invalid("A user with this email address already belongs to the organization.")
	}
	for _, old := range tx.invitesTo(inviter.OrgID, email) {
		if old.IsSetupDelegation && !old.IsExpired(tx.now) {
			return nil, InvalidCode("existing_invite", "A setup delegation invite has already been sent to this email address.")
		}
	}
	var msg *string
	if m := v.Str("message"); m != "" {
		msg = &m
	}
	inv := &Invite{OrgID: inviter.OrgID, TargetEmail: email, Level: LevelAdmin, CreatedBy: inviter.UserID,
		Message: msg, PrivateProjectAccess: []ProjectAccess{}, IsSetupDelegation: true, EmailingAttemptMade: true}
	tx.storeInvite(inv, false)
	return inv, nil
}

// DeleteInvite removes an invite.
func (tx *Tx) DeleteInvite(inv *Invite) { tx.deleteInvite(inv) }

func (tx *Tx) deleteInvite(inv *Invite) {
	delete(tx.st.invites, inv.ID)
	tx.st.invitesByOrg[inv.OrgID] = removeLastString(tx.st.invitesByOrg[inv.OrgID], inv.ID)
	tx.inviteIndexed(inv, false)
}

// Outbox lists the emails the fake has "sent", oldest first (the newest
// Options.HistoryLimit of them).
func (tx *Tx) Outbox() []SentEmail { return append([]SentEmail(nil), tx.st.outbox...) }

// ValidateInviteBody validates one invite body (a JSON object) for create.
func ValidateInviteBody(body gjson.Result) (Values, *Error) {
	return InviteFields.Validate(body, Create)
}

func pyType(v any) string {
	switch v.(type) {
	case string:
		return "str"
	case float64:
		return "float"
	case bool:
		return "bool"
	case map[string]any:
		return "dict"
	case []any:
		return "list"
	}
	return "NoneType"
}
