package store

import (
	"testing"

	"github.com/tidwall/gjson"
)

// flagWorld is a store with one organization and its project, and the owner.
func flagWorld(t *testing.T) (*Store, int, *User) {
	t.Helper()
	s := New(Options{Seed: 7, Clock: NewManualClock(mustTime("2026-01-15T10:00:00Z"))})
	var pid int
	var owner *User
	err := s.Write(func(tx *Tx) error {
		u, err := tx.CreateUser(NewUser{Email: "owner@example.com"})
		if err != nil {
			return err
		}
		owner = u
		org, err := tx.CreateOrganization(u, Values{"name": "Org"}, NewOrganization{Features: AllFeatures})
		if err != nil {
			return err
		}
		p, err := tx.CreateProject(org, u, Values{"name": "P"})
		if err != nil {
			return err
		}
		pid = p.ID
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return s, pid, owner
}

// flagBody validates a JSON body as the HTTP layer does.
func flagBody(t *testing.T, body string, mode Mode) Values {
	t.Helper()
	vals, err := FeatureFlagFields.Validate(gjson.Parse(body), mode)
	if err != nil {
		t.Fatalf("%s: %v", body, err)
	}
	return vals
}

// TestFeatureFlagCreateRules: PostHog's key and filters rules, each with its code and
// message, and nothing created when one fails.
func TestFeatureFlagCreateRules(t *testing.T) {
	const group = `"groups":[{"properties":[],"rollout_percentage":50}]`
	cases := []struct {
		name, body, code, detail string
	}{
		{"key format", `{"key":"a b","filters":{` + group + `}}`, "invalid_key", MsgFlagKeyFormat},
		{"no group", `{"key":"k","filters":{"groups":[]}}`, "invalid_input", MsgFlagNeedsGroup},
		{"event property", `{"key":"k","filters":{"groups":[{"properties":[{"key":"$browser","value":"x"}]}]}}`, "invalid_input", MsgFlagPersonProps},
		{"group property without aggregation", `{"key":"k","filters":{"groups":[{"properties":[{"key":"x","value":"y","type":"group","group_type_index":0}]}]}}`, "invalid_input", MsgFlagPersonProps},
		{"person property with aggregation", `{"key":"k","filters":{"aggregation_group_type_index":0,"groups":[{"properties":[{"key":"x","value":"y","type":"person"}]}]}}`, "invalid_input", MsgFlagGroupProps},
		{"variants sum", `{"key":"k","filters":{` + group + `,"multivariate":{"variants":[{"key":"a","rollout_percentage":50},{"key":"b","rollout_percentage":40}]}}}`, "invalid_input", MsgFlagVariantSum},
		{"variant override", `{"key":"k","filters":{"groups":[{"properties":[],"variant":"zzz"}],"multivariate":{"variants":[{"key":"a","rollout_percentage":100}]}}}`, "invalid_input", MsgFlagVariantOverride},
		{"boolean payload key", `{"key":"k","filters":{` + group + `,"payloads":{"false":"1"}}}`, "invalid_input", MsgFlagPayloadBooleanKeys},
		{"variant payload key", `{"key":"k","filters":{` + group + `,"multivariate":{"variants":[{"key":"a","rollout_percentage":100}]},"payloads":{"b":"1"}}}`, "invalid_input", MsgFlagPayloadVariantKeys},
		{"payload json", `{"key":"k","filters":{` + group + `,"payloads":{"true":"{nope"}}}`, "invalid_input", MsgFlagPayloadJSON},
		{"payloads list", `{"key":"k","filters":{` + group + `,"payloads":[1]}}`, "invalid_input", MsgFlagPayloadsDict},
		{"icontains needs text", `{"key":"k","filters":{"groups":[{"properties":[{"key":"email","type":"person","operator":"icontains","value":5}]}]}}`, "invalid_value", "Invalid value for operator icontains: 5"},
		{"in for person", `{"key":"k","filters":{"groups":[{"properties":[{"key":"email","type":"person","operator":"in","value":"x"}]}]}}`, "invalid_operator", "The 'in' operator is only valid for cohort properties, not 'person' properties."},
		{"bad date", `{"key":"k","filters":{"groups":[{"properties":[{"key":"d","type":"person","operator":"is_date_before","value":"soon"}]}]}}`, "invalid_date", "Invalid date value: soon"},
		{"cohort", `{"key":"k","filters":{"groups":[{"properties":[{"key":"id","type":"cohort","value":4}]}]}}`, "cohort_does_not_exist", "Cohort with id 4 does not exist"},
		{"flag operator", `{"key":"k","filters":{"groups":[{"properties":[{"key":"1","type":"flag","operator":"exact","value":true}]}]}}`, "invalid_input", MsgFlagFlagOperator},
		{"flag by key", `{"key":"k","filters":{"groups":[{"properties":[{"key":"other","type":"flag","operator":"flag_evaluates_to","value":true}]}]}}`, "invalid_input", "Flag dependencies must reference flag IDs (integers), not flag keys. Invalid reference: 'other'"},
		{"missing flag", `{"key":"k","filters":{"groups":[{"properties":[{"key":"99","type":"flag","operator":"flag_evaluates_to","value":true}]}]}}`, "invalid_input", "Flag dependency references non-existent flag with ID 99"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, pid, owner := flagWorld(t)
			err := s.Write(func(tx *Tx) error {
				_, err := tx.CreateFeatureFlag(pid, flagBody(t, c.body, Create), owner)
				return err
			})
			e, ok := err.(*Error)
			if !ok || e.Status != 400 || e.Code != c.code || e.Detail != c.detail {
				t.Fatalf("got %v, want 400 %s %q", err, c.code, c.detail)
			}
			s.Read(func(tx *Tx) error {
				if n := len(tx.AllFeatureFlags(pid, true)); n != 0 {
					t.Fatalf("%d flags after a refused create", n)
				}
				return nil
			})
		})
	}
}

// TestFeatureFlagLifecycle: defaults, key uniqueness among live flags, soft delete frees the
// key (the deleted row is replaced), the version goes up, the 409 of the concurrency check,
// object payloads stored as JSON text, dependencies refused on delete and disable.
func TestFeatureFlagLifecycle(t *testing.T) {
	s, pid, owner := flagWorld(t)
	err := s.Write(func(tx *Tx) error {
		a, err := tx.CreateFeatureFlag(pid, flagBody(t, `{"key":"a","filters":{"groups":[{"properties":[],"rollout_percentage":100}],"payloads":{"true":{"x":1}}},"tags":["Beta"," beta","x"]}`, Create), owner)
		if err != nil {
			return err
		}
		if !a.Active || a.Version != 1 || *a.EvaluationRuntime != "all" || a.CreatedBy != owner.ID || len(a.Tags) != 2 || a.Tags[0] != "beta" {
			t.Fatalf("defaults: %+v", a)
		}
		if p := asMap(a.Filters["payloads"])["true"]; p != `{"x":1}` {
			t.Fatalf("payload stored as %#v", p)
		}
		if _, err := tx.CreateFeatureFlag(pid, flagBody(t, `{"key":"a","filters":{"groups":[{}]}}`, Create), owner); err == nil || err.(*Error).Code != "unique" {
			t.Fatalf("duplicate key: %v", err)
		}
		b, err := tx.CreateFeatureFlag(pid, flagBody(t, `{"key":"b","filters":{"groups":[{"properties":[{"key":"`+itoa(a.ID)+`","type":"flag","operator":"flag_evaluates_to","value":true}]}]}}`, Create), owner)
		if err != nil {
			return err
		}
		if err := tx.DeleteFeatureFlag(a, owner); err == nil || a.Deleted {
			t.Fatalf("deleting a flag another depends on: %v", err)
		}
		if err := tx.UpdateFeatureFlag(a, Values{"active": false}, Patch, owner); err == nil {
			t.Fatal("disabling a flag another depends on must fail")
		}
		// a depends on b, which depends on a: a cycle.
		cyc := flagBody(t, `{"filters":{"groups":[{"properties":[{"key":"`+itoa(b.ID)+`","type":"flag","operator":"flag_evaluates_to","value":true}]}]}}`, Patch)
		if err := tx.UpdateFeatureFlag(a, cyc, Patch, owner); err == nil || err.(*Error).Detail != "Circular dependency detected: a → b → a" {
			t.Fatalf("cycle: %v", err)
		}
		if err := tx.DeleteFeatureFlag(b, owner); err != nil || !b.Deleted || b.Version != 2 {
			t.Fatalf("soft delete: %v %+v", err, b)
		}
		if tx.FeatureFlag(pid, b.ID) == nil || tx.LiveFeatureFlag(pid, b.ID) != nil {
			t.Fatal("a soft-deleted flag stays retrievable but not live")
		}
		nb, err := tx.CreateFeatureFlag(pid, flagBody(t, `{"key":"b","filters":{"groups":[{}]}}`, Create), owner)
		if err != nil || nb.ID == b.ID || tx.FeatureFlag(pid, b.ID) != nil {
			t.Fatalf("re-creating a deleted key replaces it: %v", err)
		}
		// Concurrency: someone else renamed a since version 1.
		if err := tx.UpdateFeatureFlag(a, Values{"name": "by other"}, Patch, owner); err != nil {
			return err
		}
		stale := flagBody(t, `{"name":"mine","version":1,"original_flag":{"name":""}}`, Patch)
		if err := tx.UpdateFeatureFlag(a, stale, Patch, owner); err == nil || err.(*Error).Status != 409 {
			t.Fatalf("conflict: %v", err)
		}
		if err := tx.UpdateFeatureFlag(a, flagBody(t, `{"name":"mine","version":1}`, Patch), Patch, owner); err != nil || a.Name != "mine" || a.Version != 3 {
			t.Fatalf("no original_flag, no conflict: %v %+v", err, a)
		}
		// A PATCH whose filters lack groups keeps the filters.
		if err := tx.UpdateFeatureFlag(a, flagBody(t, `{"filters":{"payloads":{}}}`, Patch), Patch, owner); err != nil || len(asList(a.Filters["groups"])) != 1 {
			t.Fatalf("patch without groups: %v %+v", err, a.Filters)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Read(func(tx *Tx) error {
		if got := tx.FeatureFlags(pid, FeatureFlagFilter{Search: "A"}); len(got) != 1 || got[0].Key != "a" {
			t.Fatalf("search: %v", got)
		}
		if got := tx.FeatureFlags(pid, FeatureFlagFilter{Tags: `["x"]`}); len(got) != 1 {
			t.Fatalf("tags: %v", got)
		}
		if got := tx.FeatureFlags(pid, FeatureFlagFilter{Active: "false"}); len(got) != 0 {
			t.Fatalf("active=false: %v", got)
		}
		return nil
	})
}
