package fake

import (
	"fmt"
	"testing"
)

// Compatibility with PostHog's Terraform provider for insights, dashboards and dashboard
// layouts: the provider's request sequences replayed with fakehog's own code, answers decoded
// into types declared as the provider declares them (internal/httpclient insight.go,
// dashboard.go, dashboard_layout.go). See compat_terraform_test.go for the approach.

type tfInsight struct {
	ID          int64          `json:"id"`
	Name        *string        `json:"name,omitempty"`
	DerivedName *string        `json:"derived_name,omitempty"`
	Description *string        `json:"description,omitempty"`
	Query       map[string]any `json:"query,omitempty"`
	Tags        []string       `json:"tags,omitempty"`
	Dashboards  []int32        `json:"dashboards,omitempty"`
	Deleted     *bool          `json:"deleted,omitempty"`
}

type tfDashboard struct {
	ID          int64    `json:"id"`
	Name        *string  `json:"name,omitempty"`
	Description *string  `json:"description,omitempty"`
	Pinned      *bool    `json:"pinned,omitempty"`
	Tags        []string `json:"tags,omitempty"`
	Deleted     *bool    `json:"deleted,omitempty"`
}

type tfDashboardTile struct {
	ID      int64 `json:"id"`
	Insight *struct {
		ID int64 `json:"id"`
	} `json:"insight,omitempty"`
	Text *struct {
		ID   int64  `json:"id"`
		Body string `json:"body"`
	} `json:"text,omitempty"`
	Layouts         map[string]any `json:"layouts"`
	Color           *string        `json:"color,omitempty"`
	ShowDescription *bool          `json:"show_description,omitempty"`
}

type tfDashboardLayout struct {
	ID    int64             `json:"id"`
	Tiles []tfDashboardTile `json:"tiles"`
}

func (c *tfClient) projectPath(format string, args ...any) string {
	return fmt.Sprintf("/api/projects/%d/", c.e.d.ProjectID) + fmt.Sprintf(format, args...)
}

// TestTerraformInsightLifecycle: create with tags and a dashboard, read, clear the name
// with "", move to another dashboard, delete by PATCH {"deleted": true}; the next read is
// the 404 that tells the provider the insight is gone.
func TestTerraformInsightLifecycle(t *testing.T) {
	e := newEnv(t)
	c := newTFClient(t, e)
	d1 := tfDecode[tfDashboard](t, "create dashboard", c.call("POST", c.projectPath("dashboards/"), map[string]any{"name": "tf", "description": "d"}, 201).Body)
	d2 := tfDecode[tfDashboard](t, "create dashboard", c.call("POST", c.projectPath("dashboards/"), map[string]any{"name": "tf2"}, 201).Body)
	in := tfDecode[tfInsight](t, "create insight", c.call("POST", c.projectPath("insights/"), map[string]any{
		"name": "tf-insight", "derived_name": "Derived", "query": trendsQuery, "tags": []string{"a", "b"}, "dashboards": []int64{d1.ID},
	}, 201).Body)
	if *in.Name != "tf-insight" || *in.DerivedName != "Derived" || len(in.Tags) != 2 || len(in.Dashboards) != 1 || in.Dashboards[0] != int32(d1.ID) {
		t.Fatalf("created: %+v", in)
	}
	if src, _ := in.Query["source"].(map[string]any); src["kind"] != "TrendsQuery" {
		t.Fatalf("query: %v", in.Query)
	}
	path := c.projectPath("insights/%d/", in.ID)
	got := tfDecode[tfInsight](t, "read", c.call("GET", path, nil, 200).Body)
	if got.Deleted == nil || *got.Deleted {
		t.Fatalf("read: %+v", got)
	}
	got = tfDecode[tfInsight](t, "update", c.call("PATCH", path, map[string]any{"name": "", "query": trendsQuery, "dashboards": []int64{d2.ID}}, 200).Body)
	if got.Name == nil || *got.Name != "" || len(got.Dashboards) != 1 || got.Dashboards[0] != int32(d2.ID) {
		t.Fatalf("updated: %+v", got)
	}
	got = tfDecode[tfInsight](t, "delete", c.call("PATCH", path, map[string]any{"deleted": true}, 200).Body)
	if !*got.Deleted {
		t.Fatal("not deleted")
	}
	c.call("GET", path, nil, 404)
}

// TestTerraformDashboardLayout replays the layout resource: GET the dashboard, PATCH the
// declared tiles (the insight's by tile id with layouts, color "" and show_description
// null; a new text tile without id), read back; then destroy: text tiles deleted, insight
// tiles' layouts cleared with {}.
func TestTerraformDashboardLayout(t *testing.T) {
	e := newEnv(t)
	c := newTFClient(t, e)
	d := tfDecode[tfDashboard](t, "create dashboard", c.call("POST", c.projectPath("dashboards/"), map[string]any{"name": "layout"}, 201).Body)
	in := tfDecode[tfInsight](t, "create insight", c.call("POST", c.projectPath("insights/"), map[string]any{"query": trendsQuery, "dashboards": []int64{d.ID}}, 201).Body)
	dpath := c.projectPath("dashboards/%d/", d.ID)
	before := tfDecode[tfDashboardLayout](t, "read layout", c.call("GET", dpath, nil, 200).Body)
	if len(before.Tiles) != 1 || before.Tiles[0].Insight == nil || before.Tiles[0].Insight.ID != in.ID {
		t.Fatalf("tiles before: %+v", before.Tiles)
	}
	layouts := map[string]any{"sm": map[string]any{"x": 0, "y": 0, "w": 6, "h": 5}, "xs": map[string]any{"x": 0, "y": 0, "w": 1, "h": 5}}
	text := map[string]any{"sm": map[string]any{"x": 6, "y": 0, "w": 6, "h": 5}}
	after := tfDecode[tfDashboardLayout](t, "apply layout", c.call("PATCH", dpath, map[string]any{"tiles": []any{
		map[string]any{"id": before.Tiles[0].ID, "layouts": layouts, "color": "", "show_description": nil},
		map[string]any{"layouts": text, "color": "", "show_description": nil, "text": map[string]any{"body": "hello"}},
	}}, 200).Body)
	if len(after.Tiles) != 2 || after.ID != d.ID {
		t.Fatalf("tiles after: %+v", after.Tiles)
	}
	var textTile int64
	for _, tile := range after.Tiles {
		switch {
		case tile.Insight != nil:
			if fmt.Sprint(tile.Layouts) != fmt.Sprint(map[string]any{"sm": map[string]any{"h": 5.0, "w": 6.0, "x": 0.0, "y": 0.0}, "xs": map[string]any{"h": 5.0, "w": 1.0, "x": 0.0, "y": 0.0}}) ||
				tile.Color == nil || *tile.Color != "" || tile.ShowDescription != nil {
				t.Fatalf("insight tile: %+v", tile)
			}
		case tile.Text != nil:
			textTile = tile.ID
			if tile.Text.Body != "hello" || tile.Layouts["sm"].(map[string]any)["x"] != 6.0 {
				t.Fatalf("text tile: %+v", tile)
			}
		}
	}
	// Change the text in place (the tile id is known from state), then destroy.
	after = tfDecode[tfDashboardLayout](t, "update text", c.call("PATCH", dpath, map[string]any{"tiles": []any{
		map[string]any{"id": textTile, "text": map[string]any{"body": "changed"}, "color": "white"},
	}}, 200).Body)
	for _, tile := range after.Tiles {
		if tile.ID == textTile && (tile.Text.Body != "changed" || *tile.Color != "white") {
			t.Fatalf("text tile not updated in place: %+v", tile)
		}
	}
	gone := tfDecode[tfDashboardLayout](t, "destroy layout", c.call("PATCH", dpath, map[string]any{"tiles": []any{
		map[string]any{"id": textTile, "deleted": true},
		map[string]any{"id": before.Tiles[0].ID, "layouts": map[string]any{}},
	}}, 200).Body)
	if len(gone.Tiles) != 1 || len(gone.Tiles[0].Layouts) != 0 {
		t.Fatalf("after destroy: %+v", gone.Tiles)
	}
}
