package store

// Memberships: adding members, listing and searching them, resolving @me, level changes and
// removal under PostHog's rules, and a member's scoped API keys.

import (
	"sort"
	"strings"
	"time"
)

// MemberFields are the writable fields of a membership.
var MemberFields = Fields{
	{Name: "level", Kind: Choice, Choices: []any{LevelMember, LevelAdmin, LevelOwner}, Required: false},
}

// AddMember joins a user to an organization. New members are added to the organization's
// default role, as PostHog does.
func (tx *Tx) AddMember(orgID string, userID int, in NewMembership) (*Membership, error) {
	level, invitedBy := in.Level, in.InvitedBy
	om := tx.st.members[orgID]
	u := tx.st.users[userID]
	if om == nil || u == nil {
		return nil, ErrNotFound()
	}
	if level != LevelMember && level != LevelAdmin && level != LevelOwner {
		return nil, FieldError("level", "invalid_choice", MsgInvalidChoice(itoa(level)))
	}
	if om.byUser[userID] != nil {
		return nil, Invalid("A user with this email address already belongs to the organization.")
	}
	// Joining times are strictly increasing so "-joined_at" is a total order.
	joined := tx.now
	if n := len(om.order); n > 0 {
		if last := om.byUser[om.order[n-1]].JoinedAt; !joined.After(last) {
			joined = last.Add(time.Microsecond)
		}
	}
	m := tx.newMembership()
	*m = Membership{ID: tx.NewUUID(), OrgID: orgID, UserID: userID, Level: level, JoinedAt: joined, UpdatedAt: joined, InvitedBy: invitedBy}
	om.byUser[userID] = m
	om.order = append(om.order, userID)
	if visible(u) {
		tx.memberListed(m, true)
	}
	if u.CurrentOrgID == "" {
		u.CurrentOrgID = orgID
		if ps := tx.st.projectsByOrg[orgID]; len(ps) > 0 {
			u.CurrentTeamID = ps[0]
		}
	}
	for _, child := range tx.st.ext.all() {
		child.memberJoined(tx, orgID, userID)
	}
	return m, nil
}

// MemberFilter narrows a member listing (GET members/).
type MemberFilter struct {
	Email        string     // exact and case-sensitive (Django's user__email=), when set or EmailGiven
	EmailGiven   bool       // ?email= was in the query, even empty (which matches no one)
	Search       string     // in name or email
	UpdatedAfter *time.Time // memberships updated after
	Ascending    bool       // order=joined_at
}

// Members lists an organization's members: active users, no bots, newest first unless
// Ascending.
func (tx *Tx) Members(orgID string, f MemberFilter) []*Membership {
	om := tx.st.members[orgID]
	if om == nil {
		return nil
	}
	search := strings.ToLower(strings.TrimSpace(f.Search))
	out := make([]*Membership, 0, len(om.order))
	for i := range om.order {
		idx := len(om.order) - 1 - i
		if f.Ascending {
			idx = i
		}
		m := om.byUser[om.order[idx]]
		u := tx.st.users[m.UserID]
		if u == nil || !u.IsActive || isBot(u) {
			continue
		}
		if (f.Email != "" || f.EmailGiven) && u.Email != f.Email {
			continue
		}
		if f.UpdatedAfter != nil && !m.UpdatedAt.After(*f.UpdatedAfter) {
			continue
		}
		if search != "" && !u.matches(search) {
			continue
		}
		out = append(out, m)
	}
	return out
}

// SearchMatchType says how a member matched ?search=: "exact" when the term is a
// case-insensitive substring of the name or email (the only matches the fake makes; PostHog
// also answers "similar" for fuzzy trigram matches), "" without a search.
func (tx *Tx) SearchMatchType(m *Membership, search string) string {
	if strings.TrimSpace(search) == "" {
		return ""
	}
	return "exact"
}

// ResolveMember turns a user uuid or "@me" into the membership in the organization, or nil.
func (tx *Tx) ResolveMember(orgID string, caller *User, uuidOrMe string) *Membership {
	var u *User
	if uuidOrMe == "@me" {
		u = caller
	} else {
		u = tx.UserByUUID(uuidOrMe)
	}
	if u == nil {
		return nil
	}
	return tx.Membership(orgID, u.ID)
}

// checkEditOther is PostHog's object permission for changing or removing someone else
// (rules 4-6 of validate_update).
func checkEditOther(requester, target *Membership) error {
	if requester.UserID == target.UserID {
		return nil
	}
	if requester.Level < LevelAdmin {
		return Forbidden("You can only edit others if you are an admin.")
	}
	if target.Level > requester.Level {
		return Forbidden("You can only edit others with level lower or equal to you.")
	}
	if requester.OrgID != target.OrgID {
		return Forbidden("You both need to belong to the same organization.")
	}
	return nil
}

// UpdateMemberLevel changes a membership's level following PostHog's rules, in its order.
// newLevel 0 means the body set no level (PUT/PATCH without one).
func (tx *Tx) UpdateMemberLevel(requester, target *Membership, newLevel int) error {
	if err := checkEditOther(requester, target); err != nil {
		return err
	}
	if newLevel != 0 {
		switch {
		case requester.UserID == target.UserID:
			return Forbidden("You can't change your own access level.")
		case newLevel == LevelOwner && requester.Level != LevelOwner:
			return Forbidden("You can only make another member owner if you're this organization's owner.")
		case newLevel > requester.Level:
			return Forbidden("You can only change access level of others to lower or equal to your current one.")
		}
	}
	if newLevel != 0 && newLevel != target.Level {
		before := target.Level
		target.Level = newLevel
		target.UpdatedAt = tx.now
		u := tx.st.users[target.UserID]
		tx.LogActivity(ActivityInput{OrgID: target.OrgID, User: tx.st.users[requester.UserID], Scope: "OrganizationMembership",
			ItemID: target.ID, Activity: "updated", Name: u.Email,
			Changes: []Change{{Type: "OrganizationMembership", Action: "changed", Field: "level", Before: before, After: newLevel}}})
	} else {
		target.UpdatedAt = tx.now
	}
	return nil
}

// RemoveMember removes a membership (someone else's, or leaving). Owners cannot be removed
// until demoted.
func (tx *Tx) RemoveMember(requester, target *Membership) error {
	if err := checkEditOther(requester, target); err != nil {
		return err
	}
	if target.Level == LevelOwner {
		return Invalid("Cannot leave the organization as its owner!")
	}
	tx.dropMembership(target)
	return nil
}

func (tx *Tx) dropMembership(m *Membership) {
	om := tx.st.members[m.OrgID]
	delete(om.byUser, m.UserID)
	om.order = removeInt(om.order, m.UserID)
	tx.memberListed(m, false)
	for _, child := range tx.st.ext.all() {
		child.dropMember(tx, m.OrgID, m.UserID)
	}
	if u := tx.st.users[m.UserID]; u != nil && u.CurrentOrgID == m.OrgID {
		tx.resetCurrent(u)
	}
}

// ScopedAPIKeys is the answer of members/{uuid}/scoped_api_keys.
type ScopedAPIKeys struct {
	HasKeys               bool           `json:"has_keys"`
	HasKeysActiveLastWeek bool           `json:"has_keys_active_last_week"`
	Keys                  []ScopedKeyRef `json:"keys"`
}

// ScopedKeyRef names one key in ScopedAPIKeys.
type ScopedKeyRef struct {
	Name       string     `json:"name"`
	LastUsedAt *time.Time `json:"last_used_at"`
}

// MemberScopedAPIKeys lists the member's keys that can reach the organization: scoped to
// it, to one of its projects, or not scoped at all.
func (tx *Tx) MemberScopedAPIKeys(orgID string, userID int) ScopedAPIKeys {
	out := ScopedAPIKeys{Keys: []ScopedKeyRef{}}
	weekAgo := tx.now.Add(-7 * 24 * time.Hour)
	for _, k := range tx.st.keysByUser[userID] {
		if !tx.keyReachesOrg(k, orgID) {
			continue
		}
		out.HasKeys = true
		if k.LastUsedAt != nil && k.LastUsedAt.After(weekAgo) {
			out.HasKeysActiveLastWeek = true
		}
		out.Keys = append(out.Keys, ScopedKeyRef{Name: k.Label, LastUsedAt: k.LastUsedAt})
	}
	sort.SliceStable(out.Keys, func(i, j int) bool { return out.Keys[i].Name < out.Keys[j].Name })
	return out
}

func (tx *Tx) keyReachesOrg(k *PersonalAPIKey, orgID string) bool {
	if len(k.ScopedOrganizations) == 0 && len(k.ScopedTeams) == 0 {
		return true
	}
	for _, o := range k.ScopedOrganizations {
		if strings.EqualFold(o, orgID) {
			return true
		}
	}
	for _, t := range k.ScopedTeams {
		if p := tx.st.projects[t]; p != nil && p.OrgID == orgID {
			return true
		}
	}
	return false
}
