package fake

import (
	"strings"

	"github.com/fakehog/fakehog/fake/store"
)

// memberJSON is PostHog's OrganizationMember.
type memberJSON struct {
	ID              string        `json:"id"`
	User            userBasicJSON `json:"user"` // a value, not a pointer: one allocation less per member listed
	Level           int           `json:"level"`
	JoinedAt        string        `json:"joined_at"`
	UpdatedAt       string        `json:"updated_at"`
	Is2FAEnabled    bool          `json:"is_2fa_enabled"`
	HasSocialAuth   bool          `json:"has_social_auth"`
	LastLogin       string        `json:"last_login"`
	SearchMatchType *string       `json:"search_match_type,omitempty"`
}

func memberView(tx *store.Tx, m *store.Membership) memberJSON {
	u := tx.User(m.UserID)
	last := m.JoinedAt
	if u.LastLogin != nil {
		last = *u.LastLogin
	}
	return memberJSON{ID: m.ID, User: *userBasic(u), Level: m.Level, JoinedAt: isoTime(m.JoinedAt), UpdatedAt: isoTime(m.UpdatedAt),
		Is2FAEnabled: u.Is2FAEnabled, HasSocialAuth: u.HasSocialAuth, LastLogin: isoTime(last)}
}

func (s *Server) listMembers(c *call) (any, error) {
	q := c.r.URL.Query()
	f := store.MemberFilter{Email: lastQueryValue(q, "email"), EmailGiven: q.Has("email"), Search: lastQueryValue(q, "search"), Ascending: lastQueryValue(q, "order") == "joined_at"}
	if len([]rune(f.Search)) > 200 {
		return nil, store.HandMade(400, map[string]any{"search": "Search query must be 200 characters or fewer."})
	}
	if ua := lastQueryValue(q, "updated_after"); ua != "" {
		t, ok := store.ParseDateTime(ua)
		if !ok {
			return nil, store.FieldError("updated_after", "invalid_input", "Enter a valid date/time.")
		}
		f.UpdatedAfter = &t
	}
	limit, offset := c.limitOffset(DefaultPageSize)
	members, count := c.tx.MembersPage(c.org.ID, f, offset, limit)
	return paginateWindow(c, members, count, func(m *store.Membership) any {
		v := memberView(c.tx, m)
		if f.Search != "" {
			t := c.tx.SearchMatchType(m, f.Search)
			v.SearchMatchType = &t
		}
		return v
	}, limit, offset), nil
}

// member resolves {user__uuid} (or @me) in the call's organization.
func (c *call) targetMember() (*store.Membership, error) {
	id := c.vars["user__uuid"]
	if id != "@me" && !store.IsUUID(id) {
		return nil, store.ErrNotFound()
	}
	m := c.tx.ResolveMember(c.org.ID, c.user, strings.ToLower(id))
	if m == nil {
		return nil, store.ErrNotFound()
	}
	return m, nil
}

func (s *Server) updateMember(c *call) (any, error) {
	target, err := c.targetMember()
	if err != nil {
		return nil, err
	}
	vals, err := c.validate(store.MemberFields)
	if err != nil {
		return nil, err
	}
	if err := c.tx.UpdateMemberLevel(c.member, target, vals.Int("level")); err != nil {
		return nil, err
	}
	return memberView(c.tx, target), nil
}

func (s *Server) deleteMember(c *call) (any, error) {
	target, err := c.targetMember()
	if err != nil {
		return nil, err
	}
	return nil, c.tx.RemoveMember(c.member, target)
}

func (s *Server) memberScopedApiKeys(c *call) (any, error) {
	target, err := c.targetMember()
	if err != nil {
		return nil, err
	}
	return c.tx.MemberScopedAPIKeys(c.org.ID, target.UserID), nil
}

// memberGithubLogin answers {"github_login": <login or null>} from the user's linked account.
func (s *Server) memberGithubLogin(c *call) (any, error) {
	target, err := c.targetMember()
	if err != nil {
		return nil, err
	}
	var login *string
	if u := c.tx.User(target.UserID); u.GithubLogin != "" {
		l := u.GithubLogin
		login = &l
	}
	return map[string]any{"github_login": login}, nil
}
