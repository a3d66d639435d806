package store

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// memberWorld is an organization with 30 members, some of them inactive or bots, and
// returns the store and the organization id.
func memberWorld(t *testing.T) (*Store, string) {
	t.Helper()
	s := New(Options{Seed: 3, Clock: NewManualClock(mustTime("2026-01-15T10:00:00Z"))})
	var orgID string
	err := s.Write(func(tx *Tx) error {
		owner, err := tx.CreateUser(NewUser{Email: "owner@example.com"})
		if err != nil {
			return err
		}
		org, err := tx.CreateOrganization(owner, Values{"name": "Org"}, NewOrganization{})
		if err != nil {
			return err
		}
		orgID = org.ID
		for i := range 30 {
			email := fmt.Sprintf("m%02d@example.com", i)
			if i%7 == 3 {
				email = fmt.Sprintf("Bot%02d@PostHogBot.user", i)
			}
			u, err := tx.CreateUser(NewUser{Email: email, FirstName: fmt.Sprintf("Name%d", i%4), Inactive: i%5 == 4})
			if err != nil {
				return err
			}
			if _, err := tx.AddMember(org.ID, u.ID, NewMembership{Level: LevelMember, InvitedBy: owner.ID}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return s, orgID
}

// expectedPage is the page as the unindexed listing computes it: every member, filtered,
// then cut.
func expectedPage(tx *Tx, orgID string, f MemberFilter, offset, limit int) ([]*Membership, int) {
	all := tx.Members(orgID, f)
	if offset >= len(all) {
		return nil, len(all)
	}
	return all[offset:min(offset+limit, len(all))], len(all)
}

// checkPages compares MembersPage with the unindexed listing for many filters and windows,
// in a read transaction (where the index is used), and MemberCount with a write
// transaction's count (where it is not).
func checkPages(t *testing.T, s *Store, orgID, when string) {
	t.Helper()
	after := mustTime("2026-01-15T10:00:00Z")
	filters := []MemberFilter{{}, {Ascending: true}, {Search: "name1"}, {Search: "  "}, {Email: "M03@example.com"},
		{UpdatedAfter: &after}, {Search: "example", Ascending: true}}
	var writeCount int
	_ = s.Write(func(tx *Tx) error { writeCount = tx.MemberCount(orgID); return nil })
	_ = s.Read(func(tx *Tx) error {
		if got := tx.MemberCount(orgID); got != writeCount {
			t.Errorf("%s: MemberCount in a read = %d, in a write = %d", when, got, writeCount)
		}
		for _, f := range filters {
			for _, w := range [][2]int{{0, 100}, {0, 1}, {3, 5}, {10, 10}, {19, 100}, {20, 3}, {40, 10}} {
				got, n := tx.MembersPage(orgID, f, w[0], w[1])
				want, wantN := expectedPage(tx, orgID, f, w[0], w[1])
				if n != wantN || !slices.Equal(got, want) {
					t.Errorf("%s: filter %+v window %v: %d members (count %d), want %d (count %d)", when, f, w, len(got), n, len(want), wantN)
				}
			}
		}
		return nil
	})
}

// TestMembersPageMatchesUnindexedListing checks the index against the plain listing, and
// that every kind of change — a membership added or removed, a user's fields flipped
// directly inside a write, a restore, an import — is seen by the next read.
func TestMembersPageMatchesUnindexedListing(t *testing.T) {
	s, orgID := memberWorld(t)
	checkPages(t, s, orgID, "initial")
	snap := s.Snapshot()
	export, err := s.ExportJSON()
	if err != nil {
		t.Fatal(err)
	}

	mustWrite := func(fn func(tx *Tx) error) {
		t.Helper()
		if err := s.Write(fn); err != nil {
			t.Fatal(err)
		}
	}
	mustWrite(func(tx *Tx) error {
		u, err := tx.CreateUser(NewUser{Email: "late@example.com"})
		if err != nil {
			return err
		}
		_, err = tx.AddMember(orgID, u.ID, NewMembership{Level: LevelAdmin})
		return err
	})
	checkPages(t, s, orgID, "after a member joined")

	mustWrite(func(tx *Tx) error {
		owner := tx.UserByEmail("owner@example.com")
		return tx.RemoveMember(tx.Membership(orgID, owner.ID), tx.Membership(orgID, tx.UserByEmail("m05@example.com").ID))
	})
	checkPages(t, s, orgID, "after a member left")

	mustWrite(func(tx *Tx) error {
		tx.UserByEmail("m06@example.com").IsActive = false
		tx.UserByEmail("m08@example.com").Email = "m08@posthogbot.user"
		return nil
	})
	checkPages(t, s, orgID, "after users were changed directly")

	s.clock.(*ManualClock).Advance(time.Hour)
	mustWrite(func(tx *Tx) error {
		owner := tx.Membership(orgID, tx.UserByEmail("owner@example.com").ID)
		return tx.UpdateMemberLevel(owner, tx.Membership(orgID, tx.UserByEmail("m11@example.com").ID), LevelAdmin)
	})
	checkPages(t, s, orgID, "after a level change")

	var before int
	_ = s.Read(func(tx *Tx) error { before = tx.MemberCount(orgID); return nil })
	s.Restore(snap)
	checkPages(t, s, orgID, "after Restore")
	var restored int
	_ = s.Read(func(tx *Tx) error { restored = tx.MemberCount(orgID); return nil })
	if restored == before {
		t.Errorf("MemberCount after Restore is still %d: the index outlived the state it described", before)
	}

	mustWrite(func(tx *Tx) error {
		u, err := tx.CreateUser(NewUser{Email: "another@example.com"})
		if err != nil {
			return err
		}
		_, err = tx.AddMember(orgID, u.ID, NewMembership{Level: LevelMember})
		return err
	})
	checkPages(t, s, orgID, "before import")
	if err := s.ImportJSON(export); err != nil {
		t.Fatal(err)
	}
	checkPages(t, s, orgID, "after ImportJSON")
	var imported int
	_ = s.Read(func(tx *Tx) error { imported = tx.MemberCount(orgID); return nil })
	if imported != restored {
		t.Errorf("MemberCount after ImportJSON = %d, want the exported %d", imported, restored)
	}
}

// TestMemberIndexConcurrentReadersAndWriters runs listings from several readers while a
// writer adds members (go test -race checks the index's locking): every read sees a count
// and a page consistent with one state.
func TestMemberIndexConcurrentReadersAndWriters(t *testing.T) {
	s, orgID := memberWorld(t)
	const adds = 50
	done := make(chan struct{})
	errs := make(chan string, 16)
	for r := 0; r < 4; r++ {
		go func() {
			for {
				select {
				case <-done:
					errs <- ""
					return
				default:
				}
				msg := ""
				_ = s.Read(func(tx *Tx) error {
					page, n := tx.MembersPage(orgID, MemberFilter{}, 0, 1000)
					if len(page) != n || tx.MemberCount(orgID) != n || n != len(tx.Members(orgID, MemberFilter{})) {
						msg = fmt.Sprintf("inconsistent read: page %d, count %d", len(page), n)
					}
					return nil
				})
				if msg != "" {
					select { // never block: the writer waits for this reader's lock to go
					case errs <- msg:
					default:
					}
				}
			}
		}()
	}
	for i := range adds {
		err := s.Write(func(tx *Tx) error {
			u, err := tx.CreateUser(NewUser{Email: fmt.Sprintf("c%03d@example.com", i)})
			if err != nil {
				return err
			}
			_, err = tx.AddMember(orgID, u.ID, NewMembership{Level: LevelMember})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	close(done)
	for finished := 0; finished < 4; {
		if e := <-errs; e == "" {
			finished++
		} else {
			t.Error(e)
		}
	}
}
