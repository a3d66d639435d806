package store

import (
	"math/rand/v2"
	"reflect"
)

// Snapshot is a deep copy of a store's whole state (records, indexes, the seeded random
// source and the id counters), taken by Store.Snapshot. It shares no memory with the store
// it came from, so it stays valid however the store changes, and it can be restored any
// number of times. The clock is not part of it.
type Snapshot struct {
	st *state
}

// Snapshot returns a deep copy of the current state. It takes the read lock only for as
// long as the copy takes.
func (s *Store) Snapshot() *Snapshot {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return &Snapshot{st: s.st.clone()}
}

// Release hands over the store's state as a snapshot without copying it; the store must not
// be used afterwards. It is for a store built only to be copied elsewhere (a world loaded
// into a running server), which would otherwise be copied twice.
func (s *Store) Release() *Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.st
	s.st = nil
	s.ix.reset()
	return &Snapshot{st: st}
}

// Restore puts the store back to snap. The snapshot itself is copied, not adopted, so it
// can be restored again later. Records obtained before the call (pointers from an earlier
// transaction) belong to the replaced state and must not be used afterwards.
func (s *Store) Restore(snap *Snapshot) {
	st := snap.st.clone()
	s.mu.Lock()
	s.st = st
	s.changed()
	s.mu.Unlock()
}

// clone deep-copies the state. Records are copied by value first (so fields added later are
// carried over), then every pointer, slice and map they hold is copied too; the indexes are
// rebuilt to point at the copies.
func (st *state) clone() *state {
	c := &state{
		pcg:           clonePCG(st.pcg),
		lastMilli:     st.lastMilli,
		seq:           st.seq,
		nextUserID:    st.nextUserID,
		nextProjectID: st.nextProjectID,
	}

	c.users = make(map[int]*User, len(st.users))
	for id, u := range st.users {
		c.users[id] = u.clone()
	}
	c.usersByUUID = make(map[string]*User, len(st.usersByUUID))
	for k, u := range st.usersByUUID {
		c.usersByUUID[k] = c.users[u.ID]
	}
	c.usersByEmail = make(map[string]*User, len(st.usersByEmail))
	for k, u := range st.usersByEmail {
		c.usersByEmail[k] = c.users[u.ID]
	}

	keyCopies := make(map[*PersonalAPIKey]*PersonalAPIKey, len(st.keys))
	c.keys = make(map[string]*PersonalAPIKey, len(st.keys))
	for h, k := range st.keys {
		kc := k.clone()
		keyCopies[k] = kc
		c.keys[h] = kc
	}
	c.keysByUser = make(map[int][]*PersonalAPIKey, len(st.keysByUser))
	for uid, list := range st.keysByUser {
		out := make([]*PersonalAPIKey, len(list))
		for i, k := range list {
			if kc, ok := keyCopies[k]; ok {
				out[i] = kc
			} else {
				out[i] = k.clone()
			}
		}
		c.keysByUser[uid] = out
	}
	c.sessions = cloneMap(st.sessions)

	c.orgs = make(map[string]*Organization, len(st.orgs))
	for id, o := range st.orgs {
		c.orgs[id] = o.clone()
	}
	c.orgOrder = cloneSlice(st.orgOrder)
	c.slugs = cloneMap(st.slugs)

	c.members = make(map[string]*orgMembers, len(st.members))
	for orgID, om := range st.members {
		nm := &orgMembers{byUser: make(map[int]*Membership, len(om.byUser)), order: cloneSlice(om.order)}
		for uid, m := range om.byUser {
			mc := *m
			nm.byUser[uid] = &mc
		}
		c.members[orgID] = nm
	}

	c.invites = make(map[string]*Invite, len(st.invites))
	for id, inv := range st.invites {
		c.invites[id] = inv.clone()
	}
	c.invitesByOrg = cloneSliceMap(st.invitesByOrg)

	c.projects = make(map[int]*Project, len(st.projects))
	for id, p := range st.projects {
		c.projects[id] = p.clone()
	}
	c.projectsByOrg = cloneSliceMap(st.projectsByOrg)

	c.activity = make(map[string][]*ActivityEntry, len(st.activity))
	for orgID, list := range st.activity {
		out := make([]*ActivityEntry, len(list))
		for i, e := range list {
			out[i] = e.clone()
		}
		c.activity[orgID] = out
	}

	c.outbox = cloneSlice(st.outbox)
	c.ext = st.ext.clone()
	c.rng = rand.New(c.pcg)
	return c
}

func (u *User) clone() *User {
	c := *u
	c.IsEmailVerified = clonePtr(u.IsEmailVerified)
	c.LastLogin = clonePtr(u.LastLogin)
	return &c
}

func (k *PersonalAPIKey) clone() *PersonalAPIKey {
	c := *k
	c.Scopes = cloneSlice(k.Scopes)
	c.ScopedOrganizations = cloneSlice(k.ScopedOrganizations)
	c.ScopedTeams = cloneSlice(k.ScopedTeams)
	c.LastUsedAt = clonePtr(k.LastUsedAt)
	c.LastRolledAt = clonePtr(k.LastRolledAt)
	return &c
}

func (o *Organization) clone() *Organization {
	c := *o
	c.LogoMediaID = clonePtr(o.LogoMediaID)
	c.CustomerID = clonePtr(o.CustomerID)
	c.Enforce2FA = clonePtr(o.Enforce2FA)
	c.MembersCanInvite = clonePtr(o.MembersCanInvite)
	c.MembersCanCreateProjects = clonePtr(o.MembersCanCreateProjects)
	c.IsAIDataProcessingApproved = clonePtr(o.IsAIDataProcessingApproved)
	c.DefaultExperimentStatsMethod = clonePtr(o.DefaultExperimentStatsMethod)
	c.DefaultRoleID = clonePtr(o.DefaultRoleID)
	if o.Features != nil {
		c.Features = make([]Feature, len(o.Features))
		for i, f := range o.Features {
			f.Limit = clonePtr(f.Limit)
			c.Features[i] = f
		}
	}
	return &c
}

func (i *Invite) clone() *Invite {
	c := *i
	c.Message = clonePtr(i.Message)
	c.PrivateProjectAccess = cloneSlice(i.PrivateProjectAccess)
	return &c
}

func (p *Project) clone() *Project {
	c := *p
	c.SecretAPIToken = clonePtr(p.SecretAPIToken)
	c.SecretAPITokenBackup = clonePtr(p.SecretAPITokenBackup)
	if p.ProductIntents != nil {
		c.ProductIntents = make([]ProductIntent, len(p.ProductIntents))
		for i, pi := range p.ProductIntents {
			pi.OnboardingCompletedAt = clonePtr(pi.OnboardingCompletedAt)
			c.ProductIntents[i] = pi
		}
	}
	if p.Settings != nil {
		c.Settings = make(map[string]any, len(p.Settings))
		for k, v := range p.Settings {
			c.Settings[k] = CloneValue(v)
		}
	}
	return &c
}

func (e *ActivityEntry) clone() *ActivityEntry {
	c := *e
	c.TeamID = clonePtr(e.TeamID)
	if e.Changes != nil {
		c.Changes = make([]Change, len(e.Changes))
		for i, ch := range e.Changes {
			ch.Before = CloneValue(ch.Before)
			ch.After = CloneValue(ch.After)
			c.Changes[i] = ch
		}
	}
	return &c
}

// CloneValue deep-copies a JSON-like value (maps, slices, pointers and scalars), for the
// clone functions of resource families that keep free-form values.
func CloneValue(v any) any {
	switch x := v.(type) {
	case nil, string, bool, int, int64, float64:
		return v
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = CloneValue(e)
		}
		return m
	case []any:
		s := make([]any, len(x))
		for i, e := range x {
			s[i] = CloneValue(e)
		}
		return s
	}
	return cloneReflect(reflect.ValueOf(v)).Interface()
}

// cloneReflect deep-copies slices, maps, pointers and arrays of any other type; other
// values (scalars, structs of scalars) are copied as they are.
func cloneReflect(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		out := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := 0; i < v.Len(); i++ {
			out.Index(i).Set(cloneReflect(v.Index(i)))
		}
		return out
	case reflect.Map:
		if v.IsNil() {
			return v
		}
		out := reflect.MakeMapWithSize(v.Type(), v.Len())
		it := v.MapRange()
		for it.Next() {
			out.SetMapIndex(it.Key(), cloneReflect(it.Value()))
		}
		return out
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		out := reflect.New(v.Type().Elem())
		out.Elem().Set(cloneReflect(v.Elem()))
		return out
	case reflect.Interface:
		if v.IsNil() {
			return v
		}
		out := reflect.New(v.Type()).Elem()
		out.Set(reflect.ValueOf(CloneValue(v.Elem().Interface())))
		return out
	}
	return v
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	c := *p
	return &c
}

func cloneSlice[T any](s []T) []T {
	if s == nil {
		return nil
	}
	return append(make([]T, 0, len(s)), s...)
}

func cloneMap[K comparable, V any](m map[K]V) map[K]V {
	out := make(map[K]V, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func cloneSliceMap[K comparable, V any](m map[K][]V) map[K][]V {
	out := make(map[K][]V, len(m))
	for k, v := range m {
		out[k] = cloneSlice(v)
	}
	return out
}

// clonePCG copies a random source at its current position.
func clonePCG(p *rand.PCG) *rand.PCG {
	c := *p
	return &c
}

// Copy returns a deep copy of the user (nothing shared with the store).
func (u *User) Copy() User { return *u.clone() }

// Copy returns a deep copy of the organization (nothing shared with the store).
func (o *Organization) Copy() Organization { return *o.clone() }

// Copy returns a deep copy of the invite (nothing shared with the store).
func (i *Invite) Copy() Invite { return *i.clone() }

// Copy returns a deep copy of the project (nothing shared with the store).
func (p *Project) Copy() Project { return *p.clone() }
