package store

import (
	"strings"
	"testing"
	"time"
)

func TestActivityFilterRules(t *testing.T) {
	s := New(Options{Seed: 3, Clock: NewManualClock(mustTime("2026-01-15T10:00:00Z"))})
	var org *Organization
	var user *User
	team := 7
	_ = s.Write(func(tx *Tx) error {
		user, _ = tx.CreateUser(NewUser{Email: "u@example.com"})
		org, _ = tx.CreateOrganization(user, Values{"name": "O"}, NewOrganization{Features: AllFeatures, NoDefaultProject: true})
		tx.LogActivity(ActivityInput{OrgID: org.ID, Scope: "Plugin", ItemID: "sys", Activity: "updated", Name: "by the system"})
		tx.LogActivity(ActivityInput{OrgID: org.ID, TeamID: &team, User: user, Scope: "FeatureFlag", ItemID: "ff", Activity: "updated", Name: "Flag",
			Changes: []Change{{Type: "FeatureFlag", Action: "changed", Field: "filters", Before: map[string]any{"groups": []any{1.0}}, After: []any{"a", "b"}}}})
		return nil
	})
	yes, no := true, false
	cases := []struct {
		name string
		f    ActivityFilter
		want string
	}{
		{"all", ActivityFilter{}, "ff sys"},
		{"system", ActivityFilter{IsSystem: &yes}, "sys"},
		{"not system", ActivityFilter{IsSystem: &no}, "ff"},
		{"impersonated", ActivityFilter{WasImpersonated: &yes}, ""},
		{"not impersonated", ActivityFilter{WasImpersonated: &no}, "ff sys"},
		{"user", ActivityFilter{Users: []string{user.UUID}}, "ff"},
		{"team", ActivityFilter{TeamIDs: []int{7}}, "ff"},
		{"ascending", ActivityFilter{Ascending: true}, "sys ff"},
		{"numeric index", ActivityFilter{Details: []DetailFilter{{Path: "changes.0.after", Operation: "contains", Value: "b"}}}, "ff"},
		{"nested object", ActivityFilter{Details: []DetailFilter{{Path: "changes[].before.groups", Operation: "contains", Value: "1"}}}, "ff"},
		{"array of arrays", ActivityFilter{Details: []DetailFilter{{Path: "changes[].after[]", Operation: "exact", Value: "b"}}}, "ff"},
		{"missing path", ActivityFilter{Details: []DetailFilter{{Path: "nope", Operation: "exact", Value: "x"}}}, ""},
		{"in with a scalar", ActivityFilter{Details: []DetailFilter{{Path: "name", Operation: "in", Value: "Flag"}}}, "ff"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_ = s.Read(func(tx *Tx) error {
				var got []string
				for _, e := range tx.AdvancedActivity(org, c.f) {
					got = append(got, e.ItemID)
				}
				if strings.Join(got, " ") != c.want {
					t.Errorf("got %v, want %q", got, c.want)
				}
				return nil
			})
		})
	}
}

func TestActivityTypeVariants(t *testing.T) {
	cases := []struct {
		value any
		match []any
		miss  []any
	}{
		{"5", []any{"5", 5.0}, []any{true, "05"}},
		{"1", []any{"1", 1.0, true}, []any{false}},
		{"false", []any{"false", false}, []any{0.0}},
		{" 2.5 ", []any{2.5, " 2.5 "}, []any{"2.5"}},
		{true, []any{true, "true", "True", "1"}, []any{1.0}},
		{3.0, []any{3.0, "3"}, []any{"3.0"}},
	}
	for _, c := range cases {
		vs := typeVariants(c.value)
		has := func(x any) bool {
			for _, v := range vs {
				if jsonEqual(v, x) {
					return true
				}
			}
			return false
		}
		for _, m := range c.match {
			if !has(m) {
				t.Errorf("variants of %#v = %#v lack %#v", c.value, vs, m)
			}
		}
		for _, m := range c.miss {
			if has(m) {
				t.Errorf("variants of %#v = %#v include %#v", c.value, vs, m)
			}
		}
	}
}

func TestActivityLookbackUnits(t *testing.T) {
	now := mustTime("2026-01-15T10:00:00Z")
	cases := []struct {
		limit *int
		unit  string
		days  int
	}{
		{nil, "", 60}, {IntP(10), "day", 10}, {IntP(10), "Days", 10}, {IntP(2), "month", 60}, {IntP(1), "years", 365}, {IntP(4), "weeks", 60},
	}
	for _, c := range cases {
		o := &Organization{Features: []Feature{{Key: "audit_logs", Limit: c.limit, Unit: c.unit}}}
		got := ActivityLookback(o, now)
		if got == nil || !got.Equal(now.Add(-time.Duration(c.days)*24*time.Hour)) {
			t.Errorf("%v %q: lookback %v, want %d days", c.limit, c.unit, got, c.days)
		}
	}
	if ActivityLookback(&Organization{}, now) != nil {
		t.Error("an organization without audit logs has a lookback")
	}
}
