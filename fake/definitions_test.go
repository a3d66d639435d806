package fake

import (
	"fmt"
	"testing"

	"github.com/fakehog/fakehog/fake/store"
)

func init() {
}

// seedDefinitions gives the default project a few events and properties.
func (e *env) seedDefinitions() (pageview, upload, fileSize string) {
	e.t.Helper()
	err := e.srv.Store().Write(func(tx *store.Tx) error {
		p := tx.ProjectByID(e.d.ProjectID)
		pv, err := tx.SeedEventDefinition(p, store.NewEventDefinition{Name: "$pageview", Properties: []string{"$current_url"}})
		if err != nil {
			return err
		}
		up, err := tx.SeedEventDefinition(p, store.NewEventDefinition{Name: "file uploaded", Tags: []string{"core"}, Properties: []string{"file_size"}})
		if err != nil {
			return err
		}
		pageview, upload = pv.UUID, up.UUID
		for _, in := range []store.NewPropertyDefinition{{Name: "$current_url", PropertyType: "String"},
			{Name: "file_size", PropertyType: "Numeric"}, {Name: "plan", PropertyType: "String"},
			{Name: "email", Type: store.PropertyTypePerson, PropertyType: "String"}, {Name: "distinct_id"}} {
			d, err := tx.SeedPropertyDefinition(p, in)
			if err != nil {
				return err
			}
			if in.Name == "file_size" {
				fileSize = d.UUID
			}
		}
		return nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return
}

func names(r *resp) string {
	var out []string
	for _, n := range r.JSON.Get("results.#.name").Array() {
		out = append(out, n.String())
	}
	return fmt.Sprint(out)
}

// TestEventDefinitions: list with PostHog's filters, retrieve, the enterprise update
// (verified stamps who, hidden unverifies), delete.
func TestEventDefinitions(t *testing.T) {
	e := newEnv(t)
	pageview, upload, _ := e.seedDefinitions()
	base := fmt.Sprintf("/api/projects/%d/event_definitions/", e.d.ProjectID)
	for query, want := range map[string]string{
		"":                                   "[$pageview file uploaded]",
		"?search=UPLO":                       "[file uploaded]",
		"?event_type=event_custom":           "[file uploaded]",
		"?event_type=event_posthog":          "[$pageview]",
		`?excluded_properties=["$pageview"]`: "[file uploaded]",
		"?names=$pageview":                   "[$pageview]",
		`?tags=["core"]`:                     "[file uploaded]",
		"?ordering=-name":                    "[file uploaded $pageview]",
		"?limit=1&offset=1":                  "[file uploaded]",
	} {
		if got := names(e.do("GET", base+query, nil).wantStatus(t, 200)); got != want {
			t.Errorf("GET %s → %s, want %s", query, got, want)
		}
	}
	e.do("GET", base+"?event_type=bogus", nil).wantError(t, 400, "validation_error", "invalid_input",
		"Not a valid event type. Use one of: event, event_custom, event_posthog.", "event_type")
	e.do("GET", base+"?limit=0", nil).wantError(t, 400, "validation_error", "min_value", "Ensure this value is greater than or equal to 1.", "limit")

	path := base + upload + "/"
	r := e.do("PATCH", path, map[string]any{"description": "Uploads", "verified": true, "tags": []any{"Core", "files"}}).wantStatus(t, 200)
	if r.JSON.Get("verified_by.email").String() != e.d.UserEmail || r.JSON.Get("tags").Raw != `["core","files"]` || r.JSON.Get("description").String() != "Uploads" {
		t.Fatalf("after verify: %s", r.Body)
	}
	r = e.do("PATCH", path, map[string]any{"hidden": true}).wantStatus(t, 200)
	if r.JSON.Get("verified").Bool() || r.JSON.Get("verified_by").Type.String() != "Null" {
		t.Fatalf("hiding unverifies: %s", r.Body)
	}
	e.do("PATCH", path, map[string]any{"hidden": true, "verified": true}).wantError(t, 400, "validation_error", "invalid_input", store.MsgHiddenAndVerified, "")
	if got := names(e.do("GET", base+"?exclude_hidden=true", nil)); got != "[$pageview]" {
		t.Errorf("exclude_hidden: %s", got)
	}
	e.do("GET", base+pageview+"/", nil).wantStatus(t, 200)
	e.do("DELETE", path, nil).wantStatus(t, 204)
	e.do("GET", path, nil).wantStatus(t, 404)
	e.do("GET", base+"not-a-uuid/", nil).wantStatus(t, 404)
}

// TestPropertyDefinitions: list filters (type, event_names, exclude_core_properties,
// is_numerical, properties, excluded_properties, hidden names), update and its enterprise gate.
func TestPropertyDefinitions(t *testing.T) {
	e := newEnv(t)
	_, _, fileSize := e.seedDefinitions()
	base := fmt.Sprintf("/api/projects/%d/property_definitions/", e.d.ProjectID)
	for query, want := range map[string]string{
		"":                                 "[$current_url file_size plan]",
		"?type=person":                     "[email]",
		"?exclude_core_properties=true":    "[file_size plan]",
		"?is_numerical=true":               "[file_size]",
		"?properties=plan,email":           "[plan]",
		`?excluded_properties=["plan"]`:    "[$current_url file_size]",
		"?search=size":                     "[file_size]",
		`?event_names=["file%20uploaded"]`: "[file_size $current_url plan]",
		`?event_names=["file%20uploaded"]&filter_by_event_names=true`: "[file_size]",
	} {
		if got := names(e.do("GET", base+query, nil).wantStatus(t, 200)); got != want {
			t.Errorf("GET %s → %s, want %s", query, got, want)
		}
	}
	seen := e.do("GET", base+`?event_names=["file%20uploaded"]`, nil)
	if seen.JSON.Get("results.0.is_seen_on_filtered_events").Raw != "true" || seen.JSON.Get("results.1.is_seen_on_filtered_events").Raw != "false" {
		t.Errorf("is_seen_on_filtered_events: %s", seen.Body)
	}
	e.do("GET", base+"?type=cohort", nil).wantError(t, 400, "validation_error", "invalid_choice", `"cohort" is not a valid choice.`, "type")
	path := base + fileSize + "/"
	r := e.do("PATCH", path, map[string]any{"property_type": "String", "description": "size"}).wantStatus(t, 200)
	if r.JSON.Get("is_numerical").Bool() || r.JSON.Get("property_type").String() != "String" {
		t.Fatalf("property_type sets is_numerical: %s", r.Body)
	}
	e.do("PATCH", path, map[string]any{"property_type": "Text"}).wantError(t, 400, "validation_error", "invalid_choice", `"Text" is not a valid choice.`, "property_type")
	// Without the ingestion taxonomy feature PostHog's open-source serializer refuses updates.
	e.srv.Store().Write(func(tx *store.Tx) error {
		o := tx.Org(e.d.OrganizationID)
		var kept []store.Feature
		for _, f := range o.Features {
			if f.Key != store.FeatureIngestionTaxonomy {
				kept = append(kept, f)
			}
		}
		o.Features = kept
		return nil
	})
	e.do("PATCH", path, map[string]any{"description": "x"}).wantError(t, 402, "server_error", "payment_required",
		"This feature is part of the premium PostHog offering. To use it, subscribe to PostHog Cloud with a generous free tier.", "")
	if e.do("GET", path, nil).JSON.Get("description").Exists() {
		t.Error("the open-source view has no description")
	}
	e.do("DELETE", path, nil).wantStatus(t, 204)
	e.do("GET", path, nil).wantStatus(t, 404)
}
