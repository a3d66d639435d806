package fake

import (
	"fmt"
	"reflect"
	"testing"
)

// Compatibility with the Terraform provider's posthog_feature_flag (its acceptance tests:
// feature_flag_test.go): the request sequence it makes — create with deleted false, read,
// update by PATCH with the key, toggle active, tags, import by id, an external soft delete
// restored on apply, destroy as GET then PATCH deleted true, recreate under the same key —
// decoded into the provider's own declaration of the flag.

type tfFeatureFlag struct {
	ID                         int64          `json:"id"`
	Key                        string         `json:"key"`
	Name                       *string        `json:"name,omitempty"`
	Active                     *bool          `json:"active,omitempty"`
	Filters                    map[string]any `json:"filters,omitempty"`
	RolloutPercentage          *int32         `json:"rollout_percentage,omitempty"`
	Tags                       []string       `json:"tags,omitempty"`
	Deleted                    *bool          `json:"deleted,omitempty"`
	EnsureExperienceContinuity *bool          `json:"ensure_experience_continuity,omitempty"`
}

type tfFeatureFlagRequest struct {
	Key                        string         `json:"key"`
	Name                       *string        `json:"name,omitempty"`
	Active                     *bool          `json:"active,omitempty"`
	Filters                    map[string]any `json:"filters,omitempty"`
	Tags                       []string       `json:"tags,omitempty"`
	Deleted                    *bool          `json:"deleted,omitempty"`
	EnsureExperienceContinuity *bool          `json:"ensure_experience_continuity,omitempty"`
}

func tfBool(b bool) *bool { return &b }

// tfRollout is the provider's filters for rollout_percentage alone: one group, no properties.
func tfRollout(pct int) map[string]any {
	return map[string]any{"groups": []any{map[string]any{"properties": []any{}, "rollout_percentage": pct}}}
}

func TestTerraformFeatureFlagLifecycle(t *testing.T) {
	e := newEnv(t)
	c := newTFClient(t, e)
	list := fmt.Sprintf("/api/projects/%d/feature_flags/", e.d.ProjectID)

	req := tfFeatureFlagRequest{Key: "tf-acc-flag", Name: tfStr("Terraform flag"), Active: tfBool(true), Filters: tfRollout(50),
		Deleted: tfBool(false), EnsureExperienceContinuity: tfBool(true), Tags: []string{"terraform", "acc"}}
	created := tfDecode[tfFeatureFlag](t, "create flag", c.call("POST", list, req, 201).Body)
	if created.ID == 0 || created.Key != "tf-acc-flag" || *created.Name != "Terraform flag" || !*created.Active || *created.Deleted ||
		*created.RolloutPercentage != 50 || !*created.EnsureExperienceContinuity || !reflect.DeepEqual(created.Tags, []string{"terraform", "acc"}) {
		t.Fatalf("created = %+v", created)
	}
	one := fmt.Sprintf("%s%d/", list, created.ID)
	read := tfDecode[tfFeatureFlag](t, "read flag", c.call("GET", one, nil, 200).Body)
	if !reflect.DeepEqual(read, created) {
		t.Fatalf("read = %+v, created = %+v", read, created)
	}

	// Update: the provider PATCHes the whole plan, key and deleted false included.
	req.Name, req.Active, req.Filters, req.Tags = tfStr("Renamed"), tfBool(false), map[string]any{"groups": []any{
		map[string]any{"properties": []any{map[string]any{"key": "email", "type": "person", "operator": "icontains", "value": "@example.com"}}, "rollout_percentage": 100},
		map[string]any{"properties": []any{}, "rollout_percentage": 10}}}, []string{"acc"}
	updated := tfDecode[tfFeatureFlag](t, "update flag", c.call("PATCH", one, req, 200).Body)
	if *updated.Name != "Renamed" || *updated.Active || updated.RolloutPercentage != nil || len(updated.Filters["groups"].([]any)) != 2 ||
		!reflect.DeepEqual(updated.Tags, []string{"acc"}) {
		t.Fatalf("updated = %+v", updated)
	}

	// Import by id reads the same flag.
	imported := tfDecode[tfFeatureFlag](t, "import flag", c.call("GET", one, nil, 200).Body)
	if !reflect.DeepEqual(imported, updated) {
		t.Fatalf("imported = %+v, want %+v", imported, updated)
	}

	// Deleted outside Terraform: the read shows deleted true and the next apply restores it.
	c.call("PATCH", one, tfFeatureFlagRequest{Key: "tf-acc-flag", Deleted: tfBool(true)}, 200)
	gone := tfDecode[tfFeatureFlag](t, "read deleted flag", c.call("GET", one, nil, 200).Body)
	if !*gone.Deleted {
		t.Fatalf("externally deleted = %+v", gone)
	}
	restored := tfDecode[tfFeatureFlag](t, "restore flag", c.call("PATCH", one, req, 200).Body)
	if *restored.Deleted || restored.Key != "tf-acc-flag" {
		t.Fatalf("restored = %+v", restored)
	}

	// Destroy: GET for the key, then PATCH {key, deleted: true}.
	existing := tfDecode[tfFeatureFlag](t, "read before destroy", c.call("GET", one, nil, 200).Body)
	c.call("PATCH", one, tfFeatureFlagRequest{Key: existing.Key, Deleted: tfBool(true)}, 200)

	// Recreate under the same key: the deleted flag gives way.
	again := tfDecode[tfFeatureFlag](t, "recreate flag", c.call("POST", list, tfFeatureFlagRequest{Key: "tf-acc-flag", Filters: tfRollout(100), Deleted: tfBool(false)}, 201).Body)
	if again.ID == created.ID || *again.RolloutPercentage != 100 || *again.Name != "" {
		t.Fatalf("recreated = %+v", again)
	}
	c.call("GET", one, nil, 404)

	// A project id the key cannot reach is a 404, as for the provider's project_id override.
	c.call("GET", fmt.Sprintf("/api/projects/%d/feature_flags/%d/", e.d.ProjectID+1000, again.ID), nil, 404)
}
