package store

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// The invite and project indexes are kept up to date by writes (issue #14); these tests
// compare what they answer with a walk over the state after each kind of change.

// checkInviteIndex compares, for every email of the organization's invites and a few
// others, the indexed lookup with a walk, and InvitesPage with Invites.
func checkInviteIndex(t *testing.T, s *Store, orgID, when string) {
	t.Helper()
	err := s.Write(func(tx *Tx) error {
		all := tx.Invites(orgID)
		emails := []string{"nobody@example.com", "A@EXAMPLE.COM"}
		for _, inv := range all {
			emails = append(emails, inv.TargetEmail, strings.ToUpper(inv.TargetEmail))
		}
		for _, e := range emails {
			var want []*Invite
			for _, inv := range all {
				if strings.EqualFold(inv.TargetEmail, e) {
					want = append(want, inv)
				}
			}
			if got := tx.invitesTo(orgID, e); !slices.Equal(got, want) {
				t.Errorf("%s: invitesTo(%q) = %d invites, a walk finds %d", when, e, len(got), len(want))
			}
		}
		for _, w := range [][2]int{{0, 100}, {0, 1}, {1, 2}, {2, 100}, {len(all), 10}, {len(all) + 5, 1}} {
			page, n := tx.InvitesPage(orgID, w[0], w[1])
			if n != len(all) || !slices.Equal(page, cutPage(all, w[0], w[1])) {
				t.Errorf("%s: InvitesPage(%d, %d) differs from Invites cut", when, w[0], w[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestInviteIndexFollowsWrites(t *testing.T) {
	s, orgID := memberWorld(t)
	invite := func(email string, combine bool) {
		t.Helper()
		err := s.Write(func(tx *Tx) error {
			owner := tx.Membership(orgID, tx.UserByEmail("owner@example.com").ID)
			_, err := tx.CreateInvites(owner, []Values{{"target_email": email, "level": LevelMember, "combine_pending_invites": combine}})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	checkInviteIndex(t, s, orgID, "empty")
	for i := range 6 {
		invite(fmt.Sprintf("i%d@example.com", i%4), i == 5)
	}
	checkInviteIndex(t, s, orgID, "after creates and replacements")
	// The replaced invites are gone: one per email.
	if err := s.Read(func(tx *Tx) error {
		if n := len(tx.Invites(orgID)); n != 4 {
			t.Errorf("invites after replacing two = %d, want 4", n)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	snap := s.Snapshot()
	_ = s.Write(func(tx *Tx) error {
		tx.DeleteInvite(tx.Invites(orgID)[1])
		return nil
	})
	checkInviteIndex(t, s, orgID, "after a delete")
	s.Restore(snap)
	checkInviteIndex(t, s, orgID, "after Restore")
	invite("i1@example.com", false)
	checkInviteIndex(t, s, orgID, "after a replacement following Restore")
	export, err := s.ExportJSON()
	if err != nil {
		t.Fatal(err)
	}
	invite("late@example.com", false)
	if err := s.ImportJSON(export); err != nil {
		t.Fatal(err)
	}
	checkInviteIndex(t, s, orgID, "after ImportJSON")
	invite("late@example.com", false)
	checkInviteIndex(t, s, orgID, "after an invite following ImportJSON")
}

func TestProjectNameIndexFollowsWrites(t *testing.T) {
	s, orgID := memberWorld(t)
	var otherID string
	var ids []int
	write := func(fn func(tx *Tx) error) error { return s.Write(fn) }
	err := write(func(tx *Tx) error {
		owner := tx.UserByEmail("owner@example.com")
		o := tx.Org(orgID)
		for _, name := range []string{"Alpha", " Beta ", "Gamma"} {
			p, err := tx.SeedProject(o, owner, Values{"name": name})
			if err != nil {
				return err
			}
			ids = append(ids, p.ID)
		}
		other, err := tx.CreateOrganization(owner, Values{"name": "Other"}, NewOrganization{})
		otherID = other.ID
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// conflict reports whether naming a project of org (except one) name is refused.
	conflict := func(org, name string, except int) bool {
		var err error
		_ = s.Write(func(tx *Tx) error { err = tx.checkProjectName(org, name, except); return nil })
		var se *Error
		return errors.As(err, &se) && se.Status == 409
	}
	rename := func(id int, name string) error {
		return write(func(tx *Tx) error {
			p := tx.ProjectByID(id)
			return tx.UpdateProject(p, tx.Membership(p.OrgID, tx.UserByEmail("owner@example.com").ID), Values{"name": name}, false)
		})
	}
	cases := []struct {
		step string
		do   func() error
		org  string
		name string
		want bool
	}{
		{"created", nil, orgID, "alpha", true},
		{"created, trimmed", nil, orgID, "beta", true},
		{"unknown", nil, orgID, "Delta", false},
		{"renamed away", func() error { return rename(ids[0], "Delta") }, orgID, "Alpha", false},
		{"renamed to", nil, orgID, "DELTA", true},
		{"rename onto another refused", func() error {
			if err := rename(ids[1], "delta"); err == nil {
				return errors.New("renaming onto an existing name succeeded")
			}
			return nil
		}, orgID, "Beta", true},
		{"moved out", func() error {
			return write(func(tx *Tx) error {
				return tx.MoveProject(tx.ProjectByID(ids[2]), tx.UserByEmail("owner@example.com"), tx.Org(otherID))
			})
		}, orgID, "Gamma", false},
		{"moved in", nil, otherID, "gamma", true},
		{"restored", func() error {
			snap := s.Snapshot()
			if err := rename(ids[1], "Epsilon"); err != nil {
				return err
			}
			s.Restore(snap)
			return nil
		}, orgID, "Beta", true},
		{"restored, not the undone rename", nil, orgID, "Epsilon", false},
	}
	for _, c := range cases {
		if c.do != nil {
			if err := c.do(); err != nil {
				t.Fatalf("%s: %v", c.step, err)
			}
		}
		if got := conflict(c.org, c.name, 0); got != c.want {
			t.Errorf("%s: name %q taken = %v, want %v", c.step, c.name, got, c.want)
		}
	}
}
