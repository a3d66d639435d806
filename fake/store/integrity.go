package store

// Referential integrity of a state that comes from outside: an import (PUT /_fake/snapshot,
// ImportJSON) or a data directory's files. The codec only checks that the JSON has the
// records' shape; CheckIntegrity checks that the records agree with each other — no id
// twice, no membership of a missing user, no project in a missing organization, no id
// counter behind an id it has already given — before the state replaces anything, so that
// a hand-edited or truncated export is refused with a clear error instead of serving a
// state whose next write fails or panics.
//
// Every family checks its own records: a family whose state implements integrityChecker
// (checkIntegrity(c *integrity)) is called after the core records were checked, and can
// use c.user, c.org, c.project to check its references and c.failf to report. A new family
// adds that one method beside its state; nothing else needs to know.

import (
	"fmt"
	"sort"
	"strings"
)

// integrityChecker is implemented by the families whose records refer to others.
type integrityChecker interface {
	checkIntegrity(c *integrity)
}

// integrity collects the problems found in one state.
type integrity struct {
	st       *state
	problems []string
}

// maxIntegrityProblems bounds the problems an error lists (the count says how many more).
const maxIntegrityProblems = 10

// failf records one problem.
func (c *integrity) failf(format string, args ...any) {
	c.problems = append(c.problems, fmt.Sprintf(format, args...))
}

// user reports whether user id exists.
func (c *integrity) user(id int) bool { return c.st.users[id] != nil }

// org reports whether organization id exists.
func (c *integrity) org(id string) bool { return c.st.orgs[id] != nil }

// project reports whether project id exists.
func (c *integrity) project(id int) bool { return c.st.projects[id] != nil }

// orderedOnce checks that list names each key of want exactly once and nothing else.
func orderedOnce[K comparable, V any](c *integrity, what string, list []K, want map[K]V) {
	seen := make(map[K]bool, len(list))
	for _, k := range list {
		if seen[k] {
			c.failf("%s lists %v twice", what, k)
			continue
		}
		seen[k] = true
		if _, ok := want[k]; !ok {
			c.failf("%s lists %v, which does not exist", what, k)
		}
	}
	if len(seen) != len(want) {
		c.failf("%s lists %d records, but there are %d", what, len(seen), len(want))
	}
}

// CheckIntegrity reports the first problems of the snapshot's records (nil when there are
// none). Every import path calls it before the state replaces anything.
func (sn *Snapshot) CheckIntegrity() error { return checkIntegrity(sn.st) }

// checkIntegrity checks the core records, then every family that checks its own.
func checkIntegrity(st *state) error {
	c := &integrity{st: st}
	c.checkUsers()
	c.checkOrgs()
	c.checkProjects()
	for _, h := range st.ext.all() {
		if ic, ok := h.(integrityChecker); ok {
			ic.checkIntegrity(c)
		}
	}
	if len(c.problems) == 0 {
		return nil
	}
	sort.Strings(c.problems)
	more := ""
	if n := len(c.problems) - maxIntegrityProblems; n > 0 {
		c.problems = c.problems[:maxIntegrityProblems]
		more = fmt.Sprintf("; and %d more", n)
	}
	return fmt.Errorf("state: the records do not agree with each other: %s%s", strings.Join(c.problems, "; "), more)
}

func (c *integrity) checkUsers() {
	st := c.st
	emails := map[string]int{}
	for id, u := range st.users {
		if u == nil || u.ID != id {
			c.failf("users: the record under id %d is not user %d", id, id)
			continue
		}
		if id >= st.nextUserID {
			c.failf("the next user id (%d) is not above user %d, which exists", st.nextUserID, id)
		}
		if st.usersByUUID[u.UUID] != u {
			c.failf("user %d: its uuid %s is not indexed to it (a duplicate id?)", id, u.UUID)
		}
		email := strings.ToLower(u.Email)
		if other, dup := emails[email]; dup {
			c.failf("users %d and %d have the same email %s", min(id, other), max(id, other), u.Email)
		}
		emails[email] = id
		if st.usersByEmail[email] != u {
			c.failf("user %d: its email %s is not indexed to it", id, u.Email)
		}
	}
	if len(st.usersByUUID) != len(st.users) {
		c.failf("%d users, but %d user uuids", len(st.users), len(st.usersByUUID))
	}
	if len(st.usersByEmail) != len(st.users) {
		c.failf("%d users, but %d user emails", len(st.users), len(st.usersByEmail))
	}
	for hash, k := range st.keys {
		switch {
		case k == nil:
			c.failf("personal API keys: an empty record")
		case !c.user(k.UserID):
			c.failf("personal API key %s belongs to user %d, which does not exist", k.ID, k.UserID)
		case k.Value != "" && hashSecret(k.Value) != hash:
			c.failf("personal API key %s is indexed under another value", k.ID)
		}
	}
	n := 0
	for uid, list := range st.keysByUser {
		if !c.user(uid) {
			c.failf("personal API keys are listed for user %d, which does not exist", uid)
		}
		n += len(list)
	}
	if n != len(st.keys) {
		c.failf("%d personal API keys, but %d listed by user", len(st.keys), n)
	}
	for _, uid := range sortedValues(st.sessions) {
		if !c.user(uid) {
			c.failf("a session belongs to user %d, which does not exist", uid)
		}
	}
}

func (c *integrity) checkOrgs() {
	st := c.st
	for id, o := range st.orgs {
		if o == nil || o.ID != id {
			c.failf("organizations: the record under id %s is not organization %s", id, id)
		}
	}
	orderedOnce(c, "the organization order", st.orgOrder, st.orgs)
	for slug, id := range st.slugs {
		if o := st.orgs[id]; o == nil || o.Slug != slug {
			c.failf("slug %q points at organization %s, which does not have it", slug, id)
		}
	}
	for orgID, om := range st.members {
		if !c.org(orgID) {
			c.failf("members are listed for organization %s, which does not exist", orgID)
			continue
		}
		if om == nil {
			c.failf("organization %s: an empty member list", orgID)
			continue
		}
		for uid, m := range om.byUser {
			switch {
			case m == nil || m.UserID != uid || m.OrgID != orgID:
				c.failf("organization %s: the membership under user %d is not theirs", orgID, uid)
			case !c.user(uid):
				c.failf("organization %s: member %s points at user %d, which does not exist", orgID, m.ID, uid)
			}
		}
		orderedOnce(c, "organization "+orgID+"'s member order", om.order, om.byUser)
	}
	for id, inv := range st.invites {
		switch {
		case inv == nil || inv.ID != id:
			c.failf("invites: the record under id %s is not invite %s", id, id)
		case !c.org(inv.OrgID):
			c.failf("invite %s is in organization %s, which does not exist", id, inv.OrgID)
		}
	}
	n := 0
	for orgID, list := range st.invitesByOrg {
		n += len(list)
		for _, id := range list {
			if inv := st.invites[id]; inv == nil || inv.OrgID != orgID {
				c.failf("organization %s lists invite %s, which is not one of its invites", orgID, id)
			}
		}
	}
	if n != len(st.invites) {
		c.failf("%d invites, but %d listed by organization", len(st.invites), n)
	}
}

func (c *integrity) checkProjects() {
	st := c.st
	uuids := map[string]int{}
	for id, p := range st.projects {
		if p == nil || p.ID != id {
			c.failf("projects: the record under id %d is not project %d", id, id)
			continue
		}
		if id >= st.nextProjectID {
			c.failf("the next project id (%d) is not above project %d, which exists", st.nextProjectID, id)
		}
		if !c.org(p.OrgID) {
			c.failf("project %d is in organization %s, which does not exist", id, p.OrgID)
		}
		if other, dup := uuids[p.UUID]; dup {
			c.failf("projects %d and %d have the same uuid %s", min(id, other), max(id, other), p.UUID)
		}
		uuids[p.UUID] = id
	}
	n := 0
	for orgID, list := range st.projectsByOrg {
		n += len(list)
		for _, id := range list {
			if p := st.projects[id]; p == nil || p.OrgID != orgID {
				c.failf("organization %s lists project %d, which is not one of its projects", orgID, id)
			}
		}
	}
	if n != len(st.projects) {
		c.failf("%d projects, but %d listed by organization", len(st.projects), n)
	}
}

// sortedValues returns m's values in order (so problems are reported in a stable order).
func sortedValues[K comparable](m map[K]int) []int {
	out := make([]int, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	sort.Ints(out)
	return out
}

// checkIntegrity: roles belong to existing organizations, and role memberships to
// existing roles and users.
func (s *roleState) checkIntegrity(c *integrity) {
	for id, r := range s.roles {
		switch {
		case r == nil || r.ID != id:
			c.failf("roles: the record under id %s is not role %s", id, id)
		case !c.org(r.OrgID):
			c.failf("role %s is in organization %s, which does not exist", id, r.OrgID)
		}
	}
	for id, m := range s.memberships {
		switch {
		case m == nil || m.ID != id:
			c.failf("role memberships: the record under id %s is not membership %s", id, id)
		case s.roles[m.RoleID] == nil:
			c.failf("role membership %s is in role %s, which does not exist", id, m.RoleID)
		case !c.user(m.UserID):
			c.failf("role membership %s points at user %d, which does not exist", id, m.UserID)
		}
	}
}
