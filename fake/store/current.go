package store

import (
	"fmt"
	"strconv"
	"strings"
)

// What @current means for a user: PostHog's user.current_organization and current_team,
// switched with PATCH /api/users/@me/ {set_current_organization, set_current_team}.

func errNoSuchObject(attr, value string) *Error {
	return FieldError(attr, "does_not_exist", fmt.Sprintf("Object with id=%s does not exist.", value))
}

// CheckCurrentOrganization resolves a set_current_organization value: an organization the
// user belongs to, else PostHog's does_not_exist error on that field.
func (tx *Tx) CheckCurrentOrganization(u *User, value string) (*Organization, error) {
	o := tx.st.orgs[strings.ToLower(strings.TrimSpace(value))]
	if o == nil || tx.Membership(o.ID, u.ID) == nil {
		return nil, errNoSuchObject("set_current_organization", value)
	}
	return o, nil
}

// CheckCurrentTeam resolves a set_current_team value: a project of an organization the
// user belongs to, else PostHog's does_not_exist error on that field.
func (tx *Tx) CheckCurrentTeam(u *User, value string) (*Project, error) {
	id, err := strconv.Atoi(strings.TrimSpace(value))
	if err != nil {
		return nil, errNoSuchObject("set_current_team", value)
	}
	p := tx.st.projects[id]
	if p == nil || tx.Membership(p.OrgID, u.ID) == nil {
		return nil, errNoSuchObject("set_current_team", value)
	}
	return p, nil
}

// SetCurrentOrganization makes o the user's current organization and its first project the
// current project (none when it has none), as PostHog's user update does.
func (tx *Tx) SetCurrentOrganization(u *User, o *Organization) {
	u.CurrentOrgID = o.ID
	u.CurrentTeamID = 0
	for _, id := range tx.st.projectsByOrg[o.ID] {
		u.CurrentTeamID = id
		break
	}
}

// SetCurrentTeam makes p the user's current project and its organization the current one.
func (tx *Tx) SetCurrentTeam(u *User, p *Project) {
	u.CurrentTeamID = p.ID
	u.CurrentOrgID = p.OrgID
}

// SetUserNames changes a user's first and last name (PATCH /api/users/@me/).
func (tx *Tx) SetUserNames(u *User, vals Values) {
	if vals.Has("first_name") {
		u.FirstName = vals.Str("first_name")
	}
	if vals.Has("last_name") {
		u.LastName = vals.Str("last_name")
	}
	if vals.Has("role_at_organization") {
		u.RoleAtOrganization = vals.Str("role_at_organization")
	}
}
