package fake

import "github.com/fakehog/fakehog/fake/store"

// Reading the state from a test: each accessor takes a read transaction and returns deep
// copies, so what a test holds never changes under it and changing it changes nothing in the
// server. For anything else, Store().Read gives the live records inside a transaction.

// Organization returns a copy of an organization's record (false when there is none).
func (s *Server) Organization(id string) (store.Organization, bool) {
	var out store.Organization
	var ok bool
	_ = s.store.Read(func(tx *store.Tx) error {
		if o := tx.Org(id); o != nil {
			out, ok = o.Copy(), true
		}
		return nil
	})
	return out, ok
}

// User returns a copy of the user with that email (false when there is none).
func (s *Server) User(email string) (store.User, bool) {
	var out store.User
	var ok bool
	_ = s.store.Read(func(tx *store.Tx) error {
		if u := tx.UserByEmail(email); u != nil {
			out, ok = u.Copy(), true
		}
		return nil
	})
	return out, ok
}

// Members returns copies of an organization's memberships as the members list shows them
// (active users, no bots), newest first.
func (s *Server) Members(orgID string) []store.Membership {
	return readCopies(s, func(tx *store.Tx) []*store.Membership { return tx.Members(orgID, store.MemberFilter{}) },
		func(m *store.Membership) store.Membership { return *m })
}

// Invites returns copies of an organization's invites, as the invites list orders them.
func (s *Server) Invites(orgID string) []store.Invite {
	return readCopies(s, func(tx *store.Tx) []*store.Invite { return tx.Invites(orgID) }, (*store.Invite).Copy)
}

// Projects returns copies of an organization's projects, in creation order.
func (s *Server) Projects(orgID string) []store.Project {
	return readCopies(s, func(tx *store.Tx) []*store.Project { return tx.Projects(orgID, "") }, (*store.Project).Copy)
}

// readCopies lists records in a read transaction and copies each with cp.
func readCopies[T any](s *Server, list func(tx *store.Tx) []*T, cp func(*T) T) []T {
	var out []T
	_ = s.store.Read(func(tx *store.Tx) error {
		items := list(tx)
		out = make([]T, 0, len(items))
		for _, it := range items {
			out = append(out, cp(it))
		}
		return nil
	})
	return out
}
