package store

import (
	"fmt"
	"testing"
)

// TestUserSearchFollowsChanges: the kept search text (userText) never answers stale: users
// created after it was built are found, a user changed directly through the *User a write
// handed out is matched by its new fields, and a restored state starts it afresh.
func TestUserSearchFollowsChanges(t *testing.T) {
	s := New(Options{Seed: 1})
	var orgID string
	err := s.Write(func(tx *Tx) error {
		owner, err := tx.CreateUser(NewUser{Email: "owner@example.com", FirstName: "Olive", LastName: "Owner"})
		if err != nil {
			return err
		}
		o, err := tx.CreateOrganization(owner, Values{"name": "O"}, NewOrganization{})
		if err != nil {
			return err
		}
		orgID = o.ID
		for i := range 5 {
			u, err := tx.CreateUser(NewUser{Email: fmt.Sprintf("user%d@example.com", i), FirstName: "Ada", LastName: fmt.Sprintf("Num%d", i)})
			if err != nil {
				return err
			}
			if _, err := tx.AddMember(o.ID, u.ID, NewMembership{Level: LevelMember}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	search := func(term string) (users, members []string) {
		_ = s.Read(func(tx *Tx) error {
			page, _ := tx.UsersPage(term, 0, 100)
			for _, u := range page {
				users = append(users, u.Email)
			}
			ms, _ := tx.MembersPage(orgID, MemberFilter{Search: term, Ascending: true}, 0, 100)
			for _, m := range ms {
				members = append(members, tx.User(m.UserID).Email)
			}
			return nil
		})
		return users, members
	}
	snap := s.Snapshot()
	if u, m := search("ADA NUM3"); fmt.Sprint(u) != "[user3@example.com]" || fmt.Sprint(m) != "[user3@example.com]" {
		t.Fatalf("search: %v %v", u, m)
	}
	if u, _ := search("example.com"); len(u) != 6 || u[0] != "owner@example.com" {
		t.Errorf("id order: %v", u)
	}
	// A user changed directly, and one created since.
	_ = s.Write(func(tx *Tx) error {
		tx.UserByEmail("user1@example.com").FirstName = "Grace"
		_, err := tx.CreateUser(NewUser{Email: "late@example.com", FirstName: "Grace", LastName: "Late"})
		return err
	})
	if u, m := search("grace"); fmt.Sprint(u) != "[user1@example.com late@example.com]" || fmt.Sprint(m) != "[user1@example.com]" {
		t.Errorf("after changes: %v %v", u, m)
	}
	if u, _ := search("ada num1"); len(u) != 0 {
		t.Errorf("the old name still matches: %v", u)
	}
	s.Restore(snap)
	if u, _ := search("grace"); len(u) != 0 {
		t.Errorf("after restore: %v", u)
	}
	if u, _ := search("ada num1"); fmt.Sprint(u) != "[user1@example.com]" {
		t.Errorf("after restore: %v", u)
	}
}
