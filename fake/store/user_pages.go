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
	if texts := tx.userTexts(); texts != nil && search != "" {
		for i := range texts {
			if texts[i].matches(search) {
				if count >= offset && count-offset < limit {
					page = append(page, texts[i].u)
				}
				count++
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

// searchMembersPage is MembersPage for a search (lower-cased) alone: the organization's
// visible members, newest first unless ascending, whose user matches, cut to the page.
func (tx *Tx) searchMembersPage(orgID, search string, ascending bool, offset, limit int) (page []*Membership, count int) {
	vis := tx.visibleMembers(orgID)
	texts := tx.userTexts()
	for i := range vis {
		m := vis[len(vis)-1-i]
		if ascending {
			m = vis[i]
		}
		var ok bool
		if id := m.UserID; id >= 1 && id <= len(texts) {
			ok = texts[id-1].matches(search)
		} else if u := tx.st.users[id]; u != nil {
			ok = u.matches(search)
		}
		if !ok {
			continue
		}
		if count >= offset && count-offset < limit {
			page = append(page, m)
		}
		count++
	}
	return page, count
}

// userText is a user's searchable text, kept in the store's indexes so that a search over
// 100,000 users scans one string each instead of looking every user up: the lower-cased
// email and name, and the fields they were made of, so a user changed since (tests change
// the *User they are handed) is matched from its fields instead.
type userText struct {
	u                  *User
	email, first, last string
	text               string // lower(email) + "\n" + lower(first + " " + last)
}

func newUserText(u *User) userText {
	return userText{u: u, email: u.Email, first: u.FirstName, last: u.LastName,
		text: strings.ToLower(u.Email) + "\n" + strings.ToLower(u.FirstName+" "+u.LastName)}
}

// matches is u.matches(search), from the kept text while the user is unchanged.
func (t *userText) matches(search string) bool {
	u := t.u
	if u.Email != t.email || u.FirstName != t.first || u.LastName != t.last || strings.Contains(search, "\n") {
		return u.matches(search)
	}
	return strings.Contains(t.text, search)
}

// userTexts returns every user's searchable text by id (index id-1), extended to the users
// created since it was last used; nil when the ids are not 1..n. The slice is shared with
// later transactions: callers must not modify it nor keep it past the transaction.
func (tx *Tx) userTexts() []userText {
	if !tx.denseUserIDs() {
		return nil
	}
	ix := tx.ix
	if !tx.write {
		ix.mu.Lock()
		defer ix.mu.Unlock()
	}
	n := len(tx.st.users)
	if len(ix.users) > n || (len(ix.users) > 0 && ix.users[len(ix.users)-1].u != tx.st.users[len(ix.users)]) {
		ix.users = nil // not this state's users: start afresh
	}
	for id := len(ix.users) + 1; id <= n; id++ {
		ix.users = append(ix.users, newUserText(tx.st.users[id]))
	}
	return ix.users[:n]
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
