package store

import (
	"errors"
	"strings"
	"testing"
)

// integrityWorld is a small consistent state: an owner, a member, an organization with its
// default project, an invite, a key, a session and a role with a member.
func integrityWorld(t *testing.T) *Store {
	t.Helper()
	s := New(Options{Seed: 3, Clock: NewManualClock(mustTime("2026-01-15T10:00:00Z"))})
	err := s.Write(func(tx *Tx) error {
		owner, err := tx.CreateUser(NewUser{Email: "owner@example.com"})
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
		if _, _, err := tx.CreatePersonalAPIKey(owner.ID, NewAPIKey{Scopes: []string{"*"}}); err != nil {
			return err
		}
		if err := tx.AddSession(other.ID, "sess"); err != nil {
			return err
		}
		_, err = tx.CreateInvites(tx.Membership(org.ID, owner.ID), []Values{{"target_email": "new@example.com", "level": LevelMember,
			"message": "", "private_project_access": []any{}, "send_email": false, "first_name": "", "combine_pending_invites": false}})
		if err != nil {
			return err
		}
		s.st.ext.roles.roles["r1"] = &Role{ID: "r1", OrgID: org.ID, Name: "R"}
		s.st.ext.roles.memberships["m1"] = &RoleMembership{ID: "m1", RoleID: "r1", OrgID: org.ID, UserID: other.ID}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestImportChecksIntegrity: an export whose records do not agree with each other is
// refused by every import path (DecodeSnapshot, ImportJSON) with an error naming the
// problem, and the store is left as it was.
func TestImportChecksIntegrity(t *testing.T) {
	clean, err := integrityWorld(t).ExportJSON()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := DecodeSnapshot(clean); err != nil {
		t.Fatalf("a consistent export is refused: %v", err)
	}
	cases := map[string]struct {
		damage func(st *state)
		want   string
	}{
		"member of a missing user": {func(st *state) {
			for id := range st.users {
				if st.users[id].Email == "member@example.com" {
					delete(st.usersByUUID, st.users[id].UUID)
					delete(st.usersByEmail, "member@example.com")
					delete(st.users, id)
				}
			}
		}, "points at user 2, which does not exist"},
		"project in a missing organization": {func(st *state) {
			for _, p := range st.projects {
				p.OrgID = "0190a000-0000-7000-8000-000000000000"
			}
		}, "is in organization 0190a000-0000-7000-8000-000000000000, which does not exist"},
		"user counter behind":    {func(st *state) { st.nextUserID = 2 }, "the next user id (2) is not above user 2"},
		"project counter behind": {func(st *state) { st.nextProjectID = 1 }, "the next project id (1) is not above project 1"},
		"duplicate user uuid": {func(st *state) {
			st.users[2].UUID = st.users[1].UUID
		}, "is not indexed to it (a duplicate id?)"},
		"duplicate email":           {func(st *state) { st.users[2].Email = "OWNER@example.com" }, "users 1 and 2 have the same email"},
		"organization listed twice": {func(st *state) { st.orgOrder = append(st.orgOrder, st.orgOrder[0]) }, "the organization order lists"},
		"invite in a missing organization": {func(st *state) {
			for _, inv := range st.invites {
				inv.OrgID = "nope"
			}
		}, "is in organization nope, which does not exist"},
		"key of a missing user": {func(st *state) {
			for _, k := range st.keys {
				k.UserID = 99
			}
		}, "belongs to user 99, which does not exist"},
		"session of a missing user": {func(st *state) { st.sessions["sess"] = 42 }, "a session belongs to user 42"},
		"role member of a missing user (a family's own check)": {func(st *state) {
			st.ext.roles.memberships["m1"].UserID = 77
		}, "role membership m1 points at user 77, which does not exist"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			src := integrityWorld(t)
			tc.damage(src.st)
			data, err := src.ExportJSON()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := DecodeSnapshot(data); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("DecodeSnapshot: %v, want an error saying %q", err, tc.want)
			}
			dst := integrityWorld(t)
			before, _ := dst.ExportJSON()
			if err := dst.ImportJSON(data); err == nil || !strings.Contains(err.Error(), "do not agree") {
				t.Fatalf("ImportJSON: %v", err)
			}
			if after, _ := dst.ExportJSON(); string(after) != string(before) {
				t.Fatal("a refused import changed the store")
			}
		})
	}
}

// TestFailedWriteLeavesTheRandomSource: a write transaction that fails leaves the random
// source and the UUID sequence where they were, so the ids after it are those it would
// have had without it.
func TestFailedWriteLeavesTheRandomSource(t *testing.T) {
	a, b := integrityWorld(t), integrityWorld(t)
	_ = a.Write(func(tx *Tx) error {
		tx.NewUUID()
		tx.RandomToken(32)
		return errors.New("refused")
	})
	ids := func(s *Store) (out []string) {
		_ = s.Write(func(tx *Tx) error {
			out = []string{tx.NewUUID(), tx.RandomToken(32)}
			return nil
		})
		return out
	}
	if got, want := ids(a), ids(b); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("ids after a failed write = %v, want %v", got, want)
	}
}
