package store

import (
	"fmt"
	"testing"
)

// Activity logs and the outbox keep their newest Options.HistoryLimit entries (issue #14:
// a fake running for hours must not grow without bound).
func TestHistoryLimit(t *testing.T) {
	for _, c := range []struct {
		limit, want int
	}{{5, 5}, {-1, 12}, {0, 12}} {
		s := New(Options{Seed: 1, Clock: NewManualClock(mustTime("2026-01-15T10:00:00Z")), HistoryLimit: c.limit})
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
			for i := range 12 {
				tx.LogActivity(ActivityInput{OrgID: org.ID, User: owner, Scope: "Organization", ItemID: org.ID, Activity: fmt.Sprintf("a%d", i)})
			}
			inviter := tx.Membership(org.ID, owner.ID)
			for i := range 12 {
				if _, err := tx.CreateInvites(inviter, []Values{{"target_email": fmt.Sprintf("i%d@example.com", i), "level": LevelMember}}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		_ = s.Read(func(tx *Tx) error {
			var mine []*ActivityEntry
			for _, e := range tx.Activity(orgID, nil) { // newest first
				if e.Scope == "Organization" && e.Activity != "created" {
					mine = append(mine, e)
				}
			}
			if c.limit > 0 {
				// The log holds the organization's creation too: the newest 5 are a7..a11.
				if len(tx.Activity(orgID, nil)) != c.limit || len(mine) != c.limit || mine[0].Activity != "a11" || mine[c.limit-1].Activity != "a7" {
					t.Errorf("limit %d: activity = %d entries (%d logged here)", c.limit, len(tx.Activity(orgID, nil)), len(mine))
				}
			} else if len(mine) != c.want {
				t.Errorf("limit %d: %d activity entries kept, want %d", c.limit, len(mine), c.want)
			}
			out := tx.Outbox()
			if len(out) != c.want || out[len(out)-1].To != "i11@example.com" {
				t.Errorf("limit %d: outbox holds %d emails, want the newest %d", c.limit, len(out), c.want)
			}
			return nil
		})
	}
}
