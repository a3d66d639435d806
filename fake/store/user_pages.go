package store

import (
	"sort"
	"strings"
	"unicode/utf8"
)

// Pages of users and their credentials, for the console and GET /_fake/users (issue #23):
// at 100,000 users a listing must cost its page, not the world, so the transaction that
// copies it out stays short and writes never wait long behind a render.

// UserCount counts every user of the world.
func (tx *Tx) UserCount() int { return len(tx.st.users) }

// APIKeyCount counts every personal API key of the world.
func (tx *Tx) APIKeyCount() int { return len(tx.st.keys) }

// SessionCount counts every session value of the world.
func (tx *Tx) SessionCount() int { return len(tx.st.sessions) }

// UsersPage lists the users in id order, cut to [offset, offset+limit) (limit > 0, offset ≥
// 0), with the count of all of them; search, when not blank, keeps the users whose email or
// name contains it (any case). User ids are handed out in order and never reused, so
// without a search the page is found by walking ids up to it, not by sorting the world.
func (tx *Tx) UsersPage(search string, offset, limit int) (page []*User, count int) {
	search = strings.ToLower(strings.TrimSpace(search))
	if search == "" && tx.denseUserIDs() {
		count = len(tx.st.users)
		for id := offset + 1; id <= count && len(page) < limit; id++ {
			if u := tx.st.users[id]; u != nil {
				page = append(page, u)
			}
		}
		return page, count
	}
	// One walk over the map (cheaper than a lookup per id), then the matches in id order.
	var found []*User
	for _, u := range tx.st.users {
		if search == "" || u.matches(search) {
			found = append(found, u)
		}
	}
	sort.Slice(found, func(i, j int) bool { return found[i].ID < found[j].ID })
	return cutPage(found, offset, limit), len(found)
}

// denseUserIDs reports whether the users' ids are 1..n (always, unless an imported state
// says otherwise).
func (tx *Tx) denseUserIDs() bool { return tx.st.nextUserID-1 == len(tx.st.users) }

// matches reports whether the user's email or name ("first last") contains search, which
// is lower-cased already (Members' ?search= and UsersPage). It allocates nothing for ASCII
// text: a search walks every user under the read lock, which must stay short.
func (u *User) matches(search string) bool {
	if containsFold(u.Email, search) || containsFold(u.FirstName, search) || containsFold(u.LastName, search) {
		return true
	}
	if !strings.Contains(search, " ") {
		return false
	}
	return containsFold(u.FirstName+" "+u.LastName, search)
}

// containsFold reports whether s contains sub (lower-case) in any case.
func containsFold(s, sub string) bool {
	if len(sub) == 0 {
		return true
	}
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return strings.Contains(strings.ToLower(s), sub)
		}
	}
	for i := 0; i+len(sub) <= len(s); i++ {
		j := 0
		for ; j < len(sub); j++ {
			c := s[i+j]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != sub[j] {
				break
			}
		}
		if j == len(sub) {
			return true
		}
	}
	return false
}

// SessionsOfUsers is SessionsOfUser for several users at once, in one walk over the
// sessions (SessionsOfUser walks them for each user).
func (tx *Tx) SessionsOfUsers(ids []int) map[int][]string {
	want := make(map[int][]string, len(ids))
	for _, id := range ids {
		want[id] = nil
	}
	for v, id := range tx.st.sessions {
		if list, ok := want[id]; ok {
			want[id] = append(list, v)
		}
	}
	for _, list := range want {
		sort.Strings(list)
	}
	return want
}
