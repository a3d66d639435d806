package store

import (
	"fmt"
	"reflect"
	"testing"
	"time"
)

// TestMiscFamiliesCloneDeep checks that snapshots of proxy records, organization
// integrations and OAuth applications share nothing with the live state.
func TestMiscFamiliesCloneDeep(t *testing.T) {
	s := New(Options{Seed: 5, Clock: NewManualClock(mustTime("2026-01-15T10:00:00Z"))})
	err := s.Write(func(tx *Tx) error {
		u, err := tx.CreateUser(NewUser{Email: "o@example.com"})
		if err != nil {
			return err
		}
		org, err := tx.CreateOrganization(u, Values{"name": "O"}, NewOrganization{Features: AllFeatures})
		if err != nil {
			return err
		}
		r, err := tx.SeedProxyRecord(org.ID, NewProxyRecord{Domain: "e.example.com", Status: ProxyValid, Message: "m", CreatedBy: u, CNAME: true})
		if err != nil {
			return err
		}
		if _, err := tx.DiagnoseProxyRecord(r, u); err != nil {
			return err
		}
		i, err := tx.SeedOrgIntegration(org.ID, NewOrgIntegration{IntegrationID: "x", Config: map[string]any{"type": "connectable", "n": []any{map[string]any{"k": 1.0}}}})
		if err != nil {
			return err
		}
		fillRefs(reflect.ValueOf(i).Elem())
		if _, err := tx.SeedOAuthApplication(org.ID, NewOAuthApplication{Name: "App", RedirectURIs: []string{"https://a"}}); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for name, pair := range map[string][2]any{
		"proxies":      {&s.st.ext.proxies, func() any { return deepCopy(&s.st.ext.proxies) }()},
		"integrations": {&s.st.ext.integrations, func() any { return deepCopy(&s.st.ext.integrations) }()},
	} {
		a, b := reflect.ValueOf(pair[0]), reflect.ValueOf(pair[1])
		if !reflect.DeepEqual(a.Interface(), b.Interface()) {
			t.Errorf("%s: clone differs", name)
		}
		noSharedMemory(t, a.Elem(), b.Elem(), name, map[uintptr]bool{})
	}
	// The cooldown is part of the state: a restored snapshot forgets a later run.
	snap := s.Snapshot()
	_ = s.Write(func(tx *Tx) error {
		for _, r := range tx.st.ext.proxies.byID {
			tx.st.ext.proxies.diagnosed[r.ID+"/99"] = tx.now.Add(time.Hour)
		}
		return nil
	})
	s.Restore(snap)
	if len(s.st.ext.proxies.diagnosed) != 1 {
		t.Errorf("diagnosed after restore = %v", s.st.ext.proxies.diagnosed)
	}
}

// TestPySmallSetOrder checks the set walk against CPython's list({a, b, c}).
func TestPySmallSetOrder(t *testing.T) {
	cases := []struct{ in, want []int }{
		{[]int{999999, 2, 1000001}, []int{1000001, 2, 999999}},
		{[]int{8, 16, 0}, []int{8, 16, 0}},                           // collisions probe on
		{[]int{-1, -2, 3}, []int{3, -1, -2}},                         // hash(-1) == hash(-2) == -2
		{[]int{1 << 61, 1<<61 - 1, 5}, []int{1<<61 - 1, 1 << 61, 5}}, // modulo 2**61 - 1
		{[]int{-1 << 63, 7, 15}, []int{-1 << 63, 15, 7}},
		{[]int{12, 4, 20}, []int{20, 12, 4}},
		{[]int{3, 3, 3}, []int{3}},
	}
	for _, c := range cases {
		if got := pySmallSetOrder(c.in); fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("pySmallSetOrder(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}
