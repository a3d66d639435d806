package store

import (
	"strings"
	"sync"
)

// The member listing index. Listing members without filters (GET members/, member_count)
// used to walk every membership of the organization on every request — two map lookups and
// a bot check per member, 25 ms for GET organization and 50–80 ms for a page of members at
// 100,000 members (BENCHMARKS.md). Read transactions now share, per organization, the list
// of members a listing shows, built once and kept until the next write transaction: a write
// may change anything (tests even flip User fields directly), so any write retires it.
// Write transactions never use it and scan as before.

// memberIndex caches visible member lists per organization. It belongs to the Store, not
// to the state, so snapshots, exports and state comparisons never see it. Store.changed
// empties it under the write lock (every write transaction, Restore, ImportJSON); read
// transactions fill it under its own mutex, since several may run at once.
type memberIndex struct {
	mu    sync.Mutex
	byOrg map[string][]*Membership // visible members in joining order; nil when empty
}

// visibleMembers returns the organization's members a listing shows — active users, no
// bots — in joining order. The slice may be shared: callers must not modify it.
func (tx *Tx) visibleMembers(orgID string) []*Membership {
	if tx.write {
		return tx.scanVisibleMembers(orgID)
	}
	idx := tx.ix
	idx.mu.Lock()
	defer idx.mu.Unlock()
	if idx.byOrg == nil {
		idx.byOrg = map[string][]*Membership{}
	}
	if list, ok := idx.byOrg[orgID]; ok {
		return list
	}
	list := tx.scanVisibleMembers(orgID)
	idx.byOrg[orgID] = list
	return list
}

func (tx *Tx) scanVisibleMembers(orgID string) []*Membership {
	om := tx.st.members[orgID]
	if om == nil {
		return nil
	}
	out := make([]*Membership, 0, len(om.order))
	for _, uid := range om.order {
		if u := tx.st.users[uid]; u != nil && u.IsActive && !isBot(u) {
			out = append(out, om.byUser[uid])
		}
	}
	return out
}

// unfiltered reports whether the filter selects every visible member.
func (f MemberFilter) unfiltered() bool {
	return f.Email == "" && !f.EmailGiven && strings.TrimSpace(f.Search) == "" && f.UpdatedAfter == nil
}

// MembersPage is Members cut to the page [offset, offset+limit) (limit > 0, offset ≥ 0),
// with the count of all matching members. Without filters, in a read transaction, it costs
// the page, not the organization.
func (tx *Tx) MembersPage(orgID string, f MemberFilter, offset, limit int) (page []*Membership, count int) {
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
