package store

import (
	"sort"
	"strings"
	"sync"
)

// Derived indexes (issue #7, kept up to date incrementally since issue #14). Listing members
// without filters (GET members/, member_count) used to walk every membership of the
// organization on every request, and every write dropped the list it had built, so a read
// after a write paid a walk over the whole organization (22.7 ms at 100,000 members). The
// indexes below are now maintained inside the write transaction that changes what they
// describe — a membership added or removed, a user whose visibility changed, an invite
// stored or deleted, a project created, renamed or moved — so a write costs what it changes
// and the next read costs its page.
//
// They belong to the Store, not to the state: snapshots, exports and state comparisons never
// see them, and Restore and ImportJSON (which replace the state) start them afresh. Each is
// built lazily per organization, the first time a transaction needs it, by one walk over the
// state; after that only writes touch it.
//
// Users: whether a member is listed depends on its user (active, not a bot). The store never
// changes User.IsActive or User.Email after creation, but tests do, directly, through the
// *User a write transaction handed out. So a write transaction notes every user it handed
// out (User, UserByUUID, UserByEmail, UserBySession, CreateUser) and, when it ends, re-checks
// their place in the member lists that are built.

// indexes is the store's derived data. Write transactions use and update it under the
// store's write lock; read transactions fill missing member lists under mu, since several
// may run at once (they never modify an existing list).
type indexes struct {
	mu      sync.Mutex
	members map[string][]*Membership // by organization: visible members in joining order
	// inviteEmails maps an organization to its invites' ids by lower-cased target email,
	// oldest first. Only write transactions keep it.
	inviteEmails map[string]map[string][]string
	// projectNames maps an organization to its projects' ids by normalised name (trimmed,
	// lower-cased). Only write transactions keep it.
	projectNames map[string]map[string][]int
	// users is every user's searchable text, by id (user_pages.go).
	users []userText
}

// reset forgets everything (the state was replaced). The store's write lock must be held.
func (ix *indexes) reset() {
	ix.members, ix.inviteEmails, ix.projectNames, ix.users = nil, nil, nil, nil
}

// visible reports whether a listing shows the user's memberships.
func visible(u *User) bool { return u != nil && u.IsActive && !isBot(u) }

// visibleMembers returns the organization's members a listing shows — active users, no
// bots — in joining order. The slice is shared with later transactions: callers must not
// modify it nor keep it past the transaction.
func (tx *Tx) visibleMembers(orgID string) []*Membership {
	ix := tx.ix
	if !tx.write {
		ix.mu.Lock()
		defer ix.mu.Unlock()
	}
	if list, ok := ix.members[orgID]; ok {
		return list
	}
	list := tx.scanVisibleMembers(orgID)
	if ix.members == nil {
		ix.members = map[string][]*Membership{}
	}
	ix.members[orgID] = list
	return list
}

func (tx *Tx) scanVisibleMembers(orgID string) []*Membership {
	om := tx.st.members[orgID]
	if om == nil {
		return nil
	}
	out := make([]*Membership, 0, len(om.order))
	for _, uid := range om.order {
		if visible(tx.st.users[uid]) {
			out = append(out, om.byUser[uid])
		}
	}
	return out
}

// memberListed keeps the organization's member list (when built) in step with m having
// joined (in) or left (!in). Members join at the end of the joining order.
func (tx *Tx) memberListed(m *Membership, in bool) {
	list, ok := tx.ix.members[m.OrgID]
	if !ok {
		return
	}
	at, found := findMember(list, m)
	switch {
	case in && !found:
		if at == len(list) {
			list = append(list, m)
		} else {
			list = append(list, nil)
			copy(list[at+1:], list[at:])
			list[at] = m
		}
	case !in && found:
		copy(list[at:], list[at+1:])
		list[len(list)-1] = nil
		list = list[:len(list)-1]
	default:
		return
	}
	tx.ix.members[m.OrgID] = list
}

// findMember finds m in a list in joining order: where it is, or where it belongs. Joining
// times are strictly increasing within an organization; a state imported with ties or out
// of order falls back to a walk.
func findMember(list []*Membership, m *Membership) (int, bool) {
	// The common case first: a member joining now, after everyone listed.
	if n := len(list); n == 0 || list[n-1].JoinedAt.Before(m.JoinedAt) {
		return n, false
	}
	at := sort.Search(len(list), func(i int) bool { return !list[i].JoinedAt.Before(m.JoinedAt) })
	for i := at; i < len(list) && list[i].JoinedAt.Equal(m.JoinedAt); i++ {
		if list[i] == m {
			return i, true
		}
	}
	for i, x := range list {
		if x == m {
			return i, true
		}
	}
	return at, false
}

// touch notes a user a write transaction handed out: its caller may change it.
func (tx *Tx) touch(u *User) *User {
	if tx.write && u != nil {
		tx.touched = append(tx.touched, u)
	}
	return u
}

// settle re-checks, when a write transaction ends, the listing of every user it handed out
// in every member list that is built.
func (tx *Tx) settle() {
	if len(tx.touched) == 0 || len(tx.ix.members) == 0 {
		return
	}
	for _, u := range tx.touched {
		want := visible(u)
		for orgID, list := range tx.ix.members {
			om := tx.st.members[orgID]
			if om == nil {
				continue
			}
			m := om.byUser[u.ID]
			if m == nil {
				continue
			}
			if _, found := findMember(list, m); found != want {
				tx.memberListed(m, want)
			}
		}
	}
	tx.touched = tx.touched[:0]
}

// unfiltered reports whether the filter selects every visible member.
func (f MemberFilter) unfiltered() bool {
	return f.Email == "" && !f.EmailGiven && strings.TrimSpace(f.Search) == "" && f.UpdatedAfter == nil
}

// MembersPage is Members cut to the page [offset, offset+limit) (limit > 0, offset ≥ 0),
// with the count of all matching members. Without filters it costs the page, not the
// organization.
func (tx *Tx) MembersPage(orgID string, f MemberFilter, offset, limit int) (page []*Membership, count int) {
	if search := strings.ToLower(strings.TrimSpace(f.Search)); search != "" && f.Email == "" && !f.EmailGiven && f.UpdatedAfter == nil {
		return tx.searchMembersPage(orgID, search, f.Ascending, offset, limit)
	}
	if !f.unfiltered() {
		all := tx.Members(orgID, f)
		return cutPage(all, offset, limit), len(all)
	}
	vis := tx.visibleMembers(orgID)
	n := len(vis)
	if offset >= n {
		return nil, n
	}
	size := min(limit, n-offset)
	page = make([]*Membership, size)
	for k := range page {
		if f.Ascending {
			page[k] = vis[offset+k]
		} else {
			page[k] = vis[n-1-offset-k]
		}
	}
	return page, n
}

// cutPage returns list[offset : offset+limit], clamped to the list.
func cutPage[T any](list []T, offset, limit int) []T {
	if offset >= len(list) {
		return nil
	}
	return list[offset : offset+min(limit, len(list)-offset)]
}

// pageOfIDs resolves the page [offset, offset+limit) of an index of ids kept in creation
// order, newest first or oldest first, without touching the rest of the index.
func pageOfIDs[K comparable, T any](byID map[K]*T, ids []K, newestFirst bool, offset, limit int) []*T {
	n := len(ids)
	if offset >= n {
		return nil
	}
	out := make([]*T, min(limit, n-offset))
	for k := range out {
		if newestFirst {
			out[k] = byID[ids[n-1-offset-k]]
		} else {
			out[k] = byID[ids[offset+k]]
		}
	}
	return out
}

// inviteIDsByEmail returns the organization's invite ids for an email (any case), oldest
// first. A write transaction builds the organization's email index on first use and keeps
// it; a read transaction walks.
func (tx *Tx) inviteIDsByEmail(orgID, email string) []string {
	key := strings.ToLower(email)
	if byEmail, ok := tx.ix.inviteEmails[orgID]; ok && tx.write {
		return byEmail[key]
	}
	byEmail := map[string][]string{}
	for _, id := range tx.st.invitesByOrg[orgID] {
		if inv := tx.st.invites[id]; inv != nil {
			k := strings.ToLower(inv.TargetEmail)
			byEmail[k] = append(byEmail[k], id)
		}
	}
	if tx.write {
		if tx.ix.inviteEmails == nil {
			tx.ix.inviteEmails = map[string]map[string][]string{}
		}
		tx.ix.inviteEmails[orgID] = byEmail
	}
	return byEmail[key]
}

// inviteIndexed keeps the email index (when built) in step with an invite stored (in) or
// deleted (!in).
func (tx *Tx) inviteIndexed(inv *Invite, in bool) {
	byEmail, ok := tx.ix.inviteEmails[inv.OrgID]
	if !ok {
		return
	}
	k := strings.ToLower(inv.TargetEmail)
	if in {
		byEmail[k] = append(byEmail[k], inv.ID)
		return
	}
	if ids := removeString(byEmail[k], inv.ID); len(ids) > 0 {
		byEmail[k] = ids
	} else {
		delete(byEmail, k)
	}
}

// normProjectName is how project names are compared for uniqueness.
func normProjectName(name string) string { return strings.ToLower(strings.TrimSpace(name)) }

// projectIDsByName returns the ids of the organization's projects with that normalised
// name. A write transaction builds the organization's name index on first use and keeps
// it; a read transaction walks.
func (tx *Tx) projectIDsByName(orgID, norm string) []int {
	if byName, ok := tx.ix.projectNames[orgID]; ok && tx.write {
		return byName[norm]
	}
	byName := map[string][]int{}
	for _, id := range tx.st.projectsByOrg[orgID] {
		if p := tx.st.projects[id]; p != nil {
			k := normProjectName(p.Name)
			byName[k] = append(byName[k], id)
		}
	}
	if tx.write {
		if tx.ix.projectNames == nil {
			tx.ix.projectNames = map[string]map[string][]int{}
		}
		tx.ix.projectNames[orgID] = byName
	}
	return byName[norm]
}

// projectIndexed keeps the name index (when built) in step with a project of orgID named
// name appearing (in) or going (!in).
func (tx *Tx) projectIndexed(orgID string, id int, name string, in bool) {
	byName, ok := tx.ix.projectNames[orgID]
	if !ok {
		return
	}
	k := normProjectName(name)
	if in {
		byName[k] = append(byName[k], id)
		return
	}
	if ids := removeInt(byName[k], id); len(ids) > 0 {
		byName[k] = ids
	} else {
		delete(byName, k)
	}
}

// orgUnindexed drops every index of a deleted organization.
func (tx *Tx) orgUnindexed(orgID string) {
	delete(tx.ix.members, orgID)
	delete(tx.ix.inviteEmails, orgID)
	delete(tx.ix.projectNames, orgID)
}
