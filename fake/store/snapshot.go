package store

// Snapshots: Snapshot, Release and Restore, the state's copy (records through deepCopy,
// the indexes that share them rebuilt) and the copy helpers.

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

// Clone returns a deep copy of the snapshot (to hand to Adopt while keeping the original).
func (sn *Snapshot) Clone() *Snapshot { return &Snapshot{st: sn.st.clone()} }

// ExportJSON is the snapshot as Store.ExportJSON would export it once restored.
func (sn *Snapshot) ExportJSON() ([]byte, error) { return encodeState(sn.st) }

// DecodeSnapshot reads an ExportJSON export into a snapshot without touching any store:
// the format version, the records' shape and their integrity (CheckIntegrity) are checked.
func DecodeSnapshot(data []byte) (*Snapshot, error) {
	st, err := decodeState(data)
	if err != nil {
		return nil, err
	}
	return &Snapshot{st: st}, nil
}

// Adopt makes sn the store's state, without copying it: sn is handed over and must not be
// used afterwards (Clone it first to keep it). commit, when given, runs first with the
// write lock held; if it fails the state is left as it was and its error returned. It is
// how a state change that is not a transaction (a reset, an import) is made durable in the
// same step as it becomes visible, ordered with every write transaction.
func (s *Store) Adopt(sn *Snapshot, commit func() error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if commit != nil {
		if err := commit(); err != nil {
			return err
		}
	}
	s.st = sn.st
	sn.st = nil
	s.changed()
	return nil
}

// clone deep-copies the state: every record through deepCopy (deepcopy.go), the families'
// states whole; the indexes that share records (users by UUID and email, keys by user) are
// rebuilt to point at the copies.
func (st *state) clone() *state {
	copyUser, copyKey, copyOrg := copierOf[User](), copierOf[PersonalAPIKey](), copierOf[Organization]()
	copyMembership, copyInvite := copierOf[Membership](), copierOf[Invite]()
	copyProject, copyEntry := copierOf[Project](), copierOf[ActivityEntry]()
	c := &state{
		pcg:           clonePCG(st.pcg),
		lastMilli:     st.lastMilli,
		seq:           st.seq,
		nextUserID:    st.nextUserID,
		nextProjectID: st.nextProjectID,
	}

	c.users = make(map[int]*User, len(st.users))
	for id, u := range st.users {
		c.users[id] = copyUser(u)
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
		kc := copyKey(k)
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
				out[i] = copyKey(k)
			}
		}
		c.keysByUser[uid] = out
	}
	c.sessions = cloneMap(st.sessions)

	c.orgs = make(map[string]*Organization, len(st.orgs))
	for id, o := range st.orgs {
		c.orgs[id] = copyOrg(o)
	}
	c.orgOrder = cloneSlice(st.orgOrder)
	c.slugs = cloneMap(st.slugs)

	c.members = make(map[string]*orgMembers, len(st.members))
	for orgID, om := range st.members {
		nm := &orgMembers{byUser: make(map[int]*Membership, len(om.byUser)), order: cloneSlice(om.order)}
		for uid, m := range om.byUser {
			nm.byUser[uid] = copyMembership(m)
		}
		c.members[orgID] = nm
	}

	c.invites = make(map[string]*Invite, len(st.invites))
	for id, inv := range st.invites {
		c.invites[id] = copyInvite(inv)
	}
	c.invitesByOrg = cloneSliceMap(st.invitesByOrg)

	c.projects = make(map[int]*Project, len(st.projects))
	for id, p := range st.projects {
		c.projects[id] = copyProject(p)
	}
	c.projectsByOrg = cloneSliceMap(st.projectsByOrg)

	c.activity = make(map[string][]*ActivityEntry, len(st.activity))
	for orgID, list := range st.activity {
		out := make([]*ActivityEntry, len(list))
		for i, e := range list {
			out[i] = copyEntry(e)
		}
		c.activity[orgID] = out
	}

	c.outbox = cloneSlice(st.outbox)
	c.ext = *deepCopy(&st.ext)
	c.rng = rand.New(c.pcg)
	return c
}

// CloneValue deep-copies a JSON-like value (maps, slices, pointers and scalars), for the
// records and the values handlers keep (free-form JSON: settings, configs, filters).
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
	c := reflect.New(reflect.TypeOf(v)).Elem()
	c.Set(reflect.ValueOf(v))
	if f := copierFor(c.Type()); f != nil {
		f(c.Addr().UnsafePointer())
	}
	return c.Interface()
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
func (u *User) Copy() User { return *deepCopy(u) }

// Copy returns a deep copy of the organization (nothing shared with the store).
func (o *Organization) Copy() Organization { return *deepCopy(o) }

// Copy returns a deep copy of the invite (nothing shared with the store).
func (i *Invite) Copy() Invite { return *deepCopy(i) }

// Copy returns a deep copy of the project (nothing shared with the store).
func (p *Project) Copy() Project { return *deepCopy(p) }
