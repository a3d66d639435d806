package store

import (
	"fmt"
	"reflect"
	"testing"
	"time"
)

// populated returns a store holding at least one record of every core kind, with every
// optional (pointer, slice, map, interface) field of every record filled in, so that a
// clone that forgot to copy one is caught by noSharedMemory.
func populated(t *testing.T) *Store {
	t.Helper()
	s := New(Options{Seed: 7, Clock: NewManualClock(mustTime("2026-01-15T10:00:00Z"))})
	err := s.Write(func(tx *Tx) error {
		owner, err := tx.CreateUser(NewUser{Email: "owner@example.com", FirstName: "O"})
		if err != nil {
			return err
		}
		org, err := tx.CreateOrganization(owner, Values{"name": "Org"}, NewOrganization{Features: AllFeatures})
		if err != nil {
			return err
		}
		other, err := tx.CreateUser(NewUser{Email: "member@example.com"})
		if err != nil {
			return err
		}
		if _, err := tx.AddMember(org.ID, other.ID, NewMembership{Level: LevelMember, InvitedBy: owner.ID}); err != nil {
			return err
		}
		k, _, err := tx.CreatePersonalAPIKey(owner.ID, NewAPIKey{Scopes: []string{"*"}, ScopedOrganizations: []string{org.ID}, ScopedTeams: []int{1}})
		if err != nil {
			return err
		}
		tx.TouchAPIKey(k)
		if err := tx.AddSession(owner.ID, "sess"); err != nil {
			return err
		}
		inviter := tx.Membership(org.ID, owner.ID)
		if _, err := tx.CreateInvites(inviter, []Values{{"target_email": "new@example.com", "level": LevelMember, "message": "hi",
			"private_project_access": []any{}, "send_email": true, "first_name": "", "combine_pending_invites": false}}); err != nil {
			return err
		}
		tx.LogActivity(ActivityInput{OrgID: org.ID, User: owner, Scope: "Organization", ItemID: org.ID, Activity: "updated",
			Changes: []Change{{Type: "Organization", Action: "changed", Field: "name", Before: map[string]any{"a": []any{1.0}}, After: []any{"x"}}}})
		for _, p := range tx.Projects(org.ID, "") {
			tx.AddProductIntent(p, "product_analytics")
			p.Settings["nested"] = map[string]any{"list": []any{map[string]any{"k": "v"}}}
		}
		// Fill every optional field left empty, including fields added after this test.
		for _, u := range tx.st.users {
			fillRefs(reflect.ValueOf(u).Elem())
		}
		for _, k := range tx.st.keys {
			fillRefs(reflect.ValueOf(k).Elem())
		}
		for _, o := range tx.st.orgs {
			fillRefs(reflect.ValueOf(o).Elem())
		}
		for _, om := range tx.st.members {
			for _, m := range om.byUser {
				fillRefs(reflect.ValueOf(m).Elem())
			}
		}
		for _, inv := range tx.st.invites {
			fillRefs(reflect.ValueOf(inv).Elem())
		}
		for _, p := range tx.st.projects {
			fillRefs(reflect.ValueOf(p).Elem())
		}
		for _, list := range tx.st.activity {
			for _, e := range list {
				fillRefs(reflect.ValueOf(e).Elem())
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// fillRefs sets every nil pointer, slice, map and interface among v's exported fields to a
// non-empty value.
func fillRefs(v reflect.Value) {
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(time.Time{}) {
			return
		}
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				fillRefs(v.Field(i))
			}
		}
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		fillRefs(v.Elem())
	case reflect.Slice:
		if v.Len() == 0 {
			v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		}
		for i := 0; i < v.Len(); i++ {
			fillRefs(v.Index(i))
		}
	case reflect.Map:
		if v.Len() == 0 {
			v.Set(reflect.MakeMap(v.Type()))
			e := reflect.New(v.Type().Elem()).Elem()
			fillRefs(e)
			v.SetMapIndex(reflect.New(v.Type().Key()).Elem(), e)
		}
	case reflect.Interface:
		if v.IsNil() && v.CanSet() {
			v.Set(reflect.ValueOf(map[string]any{"filled": []any{1.0}}))
		}
	}
}

// noSharedMemory fails when a and b (two deep copies) share any pointer, map or slice
// backing array.
func noSharedMemory(t *testing.T, a, b reflect.Value, path string, seen map[uintptr]bool) {
	t.Helper()
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			return
		}
		if a.Pointer() == b.Pointer() {
			t.Errorf("%s: pointer shared between the state and its clone", path)
			return
		}
		if seen[a.Pointer()] {
			return
		}
		seen[a.Pointer()] = true
		noSharedMemory(t, a.Elem(), b.Elem(), path, seen)
	case reflect.Map:
		if a.IsNil() || b.IsNil() {
			return
		}
		if a.Pointer() == b.Pointer() {
			t.Errorf("%s: map shared between the state and its clone", path)
			return
		}
		it := a.MapRange()
		for it.Next() {
			bv := b.MapIndex(it.Key())
			if !bv.IsValid() {
				t.Errorf("%s[%v]: missing in the clone", path, it.Key())
				continue
			}
			noSharedMemory(t, it.Value(), bv, fmt.Sprintf("%s[%v]", path, it.Key()), seen)
		}
	case reflect.Slice:
		if a.Cap() > 0 && b.Cap() > 0 && a.Pointer() == b.Pointer() {
			t.Errorf("%s: slice shared between the state and its clone", path)
			return
		}
		for i := 0; i < a.Len() && i < b.Len(); i++ {
			noSharedMemory(t, a.Index(i), b.Index(i), fmt.Sprintf("%s[%d]", path, i), seen)
		}
	case reflect.Interface:
		if a.IsNil() || b.IsNil() {
			return
		}
		noSharedMemory(t, a.Elem(), b.Elem(), path, seen)
	case reflect.Struct:
		for i := 0; i < a.NumField(); i++ {
			noSharedMemory(t, a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name, seen)
		}
	}
}

func TestSnapshotIsADeepCopy(t *testing.T) {
	s := populated(t)
	snap := s.Snapshot()
	if !reflect.DeepEqual(s.st, snap.st) {
		t.Fatal("snapshot differs from the state it copies")
	}
	noSharedMemory(t, reflect.ValueOf(s.st), reflect.ValueOf(snap.st), "state", map[uintptr]bool{})
	// Indexes point at the same copies as the primary maps.
	for uuid, u := range snap.st.usersByUUID {
		if snap.st.users[u.ID] != u {
			t.Errorf("usersByUUID[%s] is not the clone's users entry", uuid)
		}
	}
	for uid, list := range snap.st.keysByUser {
		for _, k := range list {
			if snap.st.keys[k.SecureValue] != k {
				t.Errorf("keysByUser[%d] is not the clone's keys entry", uid)
			}
		}
	}
}

func TestRestoreGoesBackAndContinuesTheSameIDs(t *testing.T) {
	s := populated(t)
	snap := s.Snapshot()
	var first []string
	_ = s.Write(func(tx *Tx) error {
		u, _ := tx.CreateUser(NewUser{Email: "later@example.com"})
		first = []string{u.UUID, tx.NewUUID(), tx.RandomToken(32)}
		return nil
	})
	s.Restore(snap)
	_ = s.Read(func(tx *Tx) error {
		if tx.UserByEmail("later@example.com") != nil {
			t.Error("user created after the snapshot survived Restore")
		}
		return nil
	})
	// A snapshot can be restored again: the same operations give the same ids.
	for round := 0; round < 2; round++ {
		s.Restore(snap)
		_ = s.Write(func(tx *Tx) error {
			u, err := tx.CreateUser(NewUser{Email: "later@example.com"})
			if err != nil {
				t.Fatal(err)
			}
			got := []string{u.UUID, tx.NewUUID(), tx.RandomToken(32)}
			if !reflect.DeepEqual(got, first) {
				t.Errorf("round %d: ids after Restore = %v, want %v", round, got, first)
			}
			return nil
		})
	}
}

func TestSnapshotDoesNotChangeTheIDSequence(t *testing.T) {
	a, b := populated(t), populated(t)
	_ = b.Snapshot()
	var ida, idb string
	_ = a.Write(func(tx *Tx) error { ida = tx.NewUUID(); return nil })
	_ = b.Write(func(tx *Tx) error { idb = tx.NewUUID(); return nil })
	if ida != idb {
		t.Errorf("taking a snapshot changed the next id: %s vs %s", idb, ida)
	}
}

func TestCloneValue(t *testing.T) {
	in := map[string]any{"a": []any{map[string]any{"b": 1.0}}, "s": []string{"x"}, "m": map[string]int{"k": 1}, "p": &[]int{1}}
	out := CloneValue(in).(map[string]any)
	if !reflect.DeepEqual(in, out) {
		t.Fatalf("CloneValue = %v, want %v", out, in)
	}
	noSharedMemory(t, reflect.ValueOf(in), reflect.ValueOf(out), "value", map[uintptr]bool{})
}
