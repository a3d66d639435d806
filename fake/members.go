package fake

// Organization members over HTTP: their JSON view, the member list (encoded straight from the
// records), level changes, removal, scoped API keys and GitHub login.

import (
	"bytes"
	"strconv"
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
	return memberViews(tx, []*store.Membership{m})[0]
}

// memberViews renders members as memberView does, with a few allocations per page rather
// than several per member: the three timestamps of every member are cut from one string,
// and the roles live in one slice.
func memberViews(tx *store.Tx, ms []*store.Membership) []memberJSON {
	out := make([]memberJSON, len(ms))
	roles := make([]string, len(ms))
	ends := make([]int, 3*len(ms))
	times := make([]byte, 0, 3*27*len(ms))
	for i, m := range ms {
		u := tx.User(m.UserID)
		last := m.JoinedAt
		if u.LastLogin != nil {
			last = *u.LastLogin
		}
		times = appendISOTime(times, m.JoinedAt)
		ends[3*i] = len(times)
		times = appendISOTime(times, m.UpdatedAt)
		ends[3*i+1] = len(times)
		times = appendISOTime(times, last)
		ends[3*i+2] = len(times)
		v := &out[i]
		*v = memberJSON{ID: m.ID, Level: m.Level, Is2FAEnabled: u.Is2FAEnabled, HasSocialAuth: u.HasSocialAuth,
			User: userBasicJSON{ID: u.ID, UUID: u.UUID, DistinctID: u.DistinctID, FirstName: u.FirstName, LastName: u.LastName,
				Email: u.Email, IsEmailVerified: u.IsEmailVerified}}
		if u.RoleAtOrganization != "" {
			roles[i] = u.RoleAtOrganization
			v.User.RoleAtOrganization = &roles[i]
		}
	}
	all, start := string(times), 0
	for i := range out {
		out[i].JoinedAt, start = all[start:ends[3*i]], ends[3*i]
		out[i].UpdatedAt, start = all[start:ends[3*i+1]], ends[3*i+1]
		out[i].LastLogin, start = all[start:ends[3*i+2]], ends[3*i+2]
	}
	return out
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
	if offset >= count {
		members = nil
	}
	next, previous := c.pageLinks(count, limit, offset)
	// Encoded here, inside the read transaction, from the records themselves: no view per
	// member, no copy of the page (BENCHMARKS.md).
	buf := jsonBuffers.Get().(*bytes.Buffer)
	b, err := appendMemberPage(buf.AvailableBuffer(), c.tx, s.memberMemo, count, next, previous, members, f.Search)
	if err != nil {
		jsonBuffers.Put(buf)
		return nil, err
	}
	buf.Write(b)
	return rawJSON{buf}, nil
}

// appendMemberPage encodes a page of members straight from the records, byte for byte as
// a page struct {count, next, previous, results []memberJSON} of memberViews (with
// search_match_type when search is given) encodes (TestMemberPageEncodingMatchesViews).
// Members whose fields have not changed since memo last encoded them are copied from it
// (member_memo.go); a nil memo encodes every member.
func appendMemberPage(b []byte, tx *store.Tx, memo *memberMemo, count int, next, previous *string, members []*store.Membership, search string) ([]byte, error) {
	var err error
	b = append(b, `{"count":`...)
	b = strconv.AppendInt(b, int64(count), 10)
	b = append(b, `,"next":`...)
	if b, err = appendPtrString(b, next); err != nil {
		return b, err
	}
	b = append(b, `,"previous":`...)
	if b, err = appendPtrString(b, previous); err != nil {
		return b, err
	}
	b = append(b, `,"results":[`...)
	var dates isoDate
	for i, m := range members {
		if i > 0 {
			b = append(b, ',')
		}
		if b, err = memo.appendMember(b, m, tx.User(m.UserID), &dates); err != nil {
			return b, err
		}
		if search != "" {
			b = append(b, `,"search_match_type":`...)
			if b, err = appendJSONString(b, tx.SearchMatchType(m, search)); err != nil {
				return b, err
			}
		}
		b = append(b, '}')
	}
	return append(b, "]}"...), nil
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
