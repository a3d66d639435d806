package fake

import (
	"fmt"
	"strings"
	"testing"
)

func (e *env) dashboardPath(id int64, rest string) string {
	return e.projectPath("projects", fmt.Sprintf("dashboards/%d/%s", id, rest))
}

// TestDashboardTiles: text tiles are made by PATCHing tiles without an id, layouts are kept
// per breakpoint as given and order the tiles, a tile is deleted by {"deleted": true}, and a
// refused item (a body over 4000 characters) changes nothing.
func TestDashboardTiles(t *testing.T) {
	e := newEnv(t)
	d := e.do("POST", e.projectPath("environments", "dashboards/"), map[string]any{"name": "Ops", "tags": []any{"b", "a"}})
	d.wantStatus(t, 201)
	id := d.JSON.Get("id").Int()
	if d.JSON.Get("creation_mode").String() != "default" || d.JSON.Get("tiles").Raw != "[]" || d.JSON.Get("restriction_level").Int() != 21 {
		t.Fatalf("create: %s", d.Body)
	}
	in := e.do("POST", e.projectPath("projects", "insights/"), map[string]any{"query": trendsQuery, "dashboards": []any{id}}).JSON.Get("id").Int()
	r := e.do("PATCH", e.dashboardPath(id, ""), map[string]any{"tiles": []any{map[string]any{"text": map[string]any{"body": "# Notes"},
		"layouts": map[string]any{"sm": map[string]any{"x": 0, "y": 0, "w": 6, "h": 2}}}}})
	r.wantStatus(t, 200)
	tiles := r.JSON.Get("tiles").Array()
	if len(tiles) != 2 || tiles[0].Get("text.body").String() != "# Notes" || tiles[1].Get("insight.id").Int() != in {
		t.Fatalf("tiles: %s", r.JSON.Get("tiles").Raw)
	}
	textTile, insightTile := tiles[0].Get("id").Int(), tiles[1].Get("id").Int()
	layouts := map[string]any{"sm": map[string]any{"x": 0, "y": 0, "w": 6, "h": 5, "minW": 3, "minH": 4}, "xs": map[string]any{"x": 0, "y": 0, "w": 1, "h": 5}}
	r = e.do("PATCH", e.dashboardPath(id, ""), map[string]any{"tiles": []any{
		map[string]any{"id": insightTile, "layouts": layouts, "color": "blue", "show_description": true},
		map[string]any{"id": textTile, "layouts": map[string]any{"sm": map[string]any{"x": 0, "y": 5, "w": 6, "h": 2}}},
	}})
	tiles = r.JSON.Get("tiles").Array()
	if tiles[0].Get("id").Int() != insightTile || tiles[0].Get("layouts.sm.minW").Int() != 3 || tiles[0].Get("layouts.xs.w").Int() != 1 ||
		tiles[0].Get("color").String() != "blue" || !tiles[0].Get("show_description").Bool() || tiles[1].Get("order").Int() != 1 {
		t.Fatalf("layouts: %s", r.JSON.Get("tiles").Raw)
	}
	long := make([]byte, 4001)
	for i := range long {
		long[i] = 'x'
	}
	e.do("PATCH", e.dashboardPath(id, ""), map[string]any{"name": "changed", "tiles": []any{map[string]any{"text": map[string]any{"body": string(long)}}}}).
		wantError(t, 400, "validation_error", "max_length", "Text body cannot exceed 4000 characters", "text__body")
	r = e.do("PATCH", e.dashboardPath(id, ""), map[string]any{"tiles": []any{map[string]any{"id": textTile, "deleted": true}}})
	if n := len(r.JSON.Get("tiles").Array()); n != 1 || r.JSON.Get("name").String() != "Ops" {
		t.Fatalf("after deleting the text tile: %d tiles, %s", n, r.JSON.Get("name"))
	}
}

// TestDashboardDuplicateDeleteRestore: use_dashboard copies the tiles (the same insights),
// soft delete hides the dashboard and its tiles, deleted: false restores them, move_tile
// moves a tile, DELETE is 405.
func TestDashboardDuplicateDeleteRestore(t *testing.T) {
	e := newEnv(t)
	src := e.do("POST", e.projectPath("projects", "dashboards/"), map[string]any{"name": "Src", "filters": map[string]any{"date_from": "-7d"}}).JSON.Get("id").Int()
	in := e.do("POST", e.projectPath("projects", "insights/"), map[string]any{"query": trendsQuery, "dashboards": []any{src}}).JSON.Get("id").Int()
	dup := e.do("POST", e.projectPath("projects", "dashboards/"), map[string]any{"name": "Copy", "use_dashboard": src})
	dup.wantStatus(t, 201)
	if dup.JSON.Get("creation_mode").String() != "duplicate" || dup.JSON.Get("tiles.0.insight.id").Int() != in || dup.JSON.Get("filters.date_from").String() != "-7d" {
		t.Fatalf("duplicate: %s", dup.Body)
	}
	dupID := dup.JSON.Get("id").Int()
	ins := e.do("GET", e.projectPath("projects", fmt.Sprintf("insights/%d/", in)), nil)
	if ins.JSON.Get("dashboards").Raw != fmt.Sprintf("[%d,%d]", src, dupID) {
		t.Fatalf("insight dashboards: %s", ins.JSON.Get("dashboards").Raw)
	}
	e.do("POST", e.projectPath("projects", "dashboards/"), map[string]any{"use_dashboard": 999}).wantError(t, 400, "validation_error", "invalid", "Invalid value provided", "use_dashboard")
	e.do("POST", e.projectPath("projects", "dashboards/"), map[string]any{"use_dashboard": src, "use_template": "DEFAULT_APP"}).
		wantError(t, 400, "validation_error", "invalid_input", "`use_dashboard` and `use_template` cannot be used together", "")
	d := e.sendUnchecked("DELETE", e.dashboardPath(dupID, ""), nil)
	if d.Status != 405 || len(d.Body) != 0 {
		t.Fatalf("DELETE: %d", d.Status)
	}
	e.do("PATCH", e.dashboardPath(dupID, ""), map[string]any{"deleted": true}).wantStatus(t, 200)
	e.do("GET", e.dashboardPath(dupID, ""), nil).wantStatus(t, 404)
	if got := e.do("GET", e.projectPath("projects", fmt.Sprintf("insights/%d/", in)), nil).JSON.Get("dashboards").Raw; got != fmt.Sprintf("[%d]", src) {
		t.Fatalf("after deleting the copy: %s", got)
	}
	if n := e.do("GET", e.projectPath("projects", "dashboards/"), nil).JSON.Get("count").Int(); n != 1 {
		t.Fatalf("list count %d", n)
	}
	r := e.do("PATCH", e.dashboardPath(dupID, ""), map[string]any{"deleted": false})
	if r.Status != 200 || len(r.JSON.Get("tiles").Array()) != 1 {
		t.Fatalf("restore: %d %s", r.Status, r.Body)
	}
	tile := r.JSON.Get("tiles.0.id").Int()
	third := e.do("POST", e.projectPath("projects", "dashboards/"), map[string]any{"name": "Third"}).JSON.Get("id").Int()
	r = e.do("PATCH", e.dashboardPath(dupID, "move_tile/"), map[string]any{"tile": map[string]any{"id": tile}, "toDashboard": third})
	if r.Status != 200 || len(r.JSON.Get("tiles").Array()) != 0 {
		t.Fatalf("move_tile: %d %s", r.Status, r.Body)
	}
	if got := e.do("GET", e.dashboardPath(third, ""), nil).JSON.Get("tiles.0.id").Int(); got != tile {
		t.Fatalf("moved tile not on the destination")
	}
	e.do("PATCH", e.dashboardPath(dupID, "move_tile/"), map[string]any{"tile": map[string]any{"id": tile}, "toDashboard": third}).wantStatus(t, 404)
}

// TestDashboardListOrderAndScopes: pinned first, then by name; dashboard:read lists,
// writing needs dashboard:write.
func TestDashboardListOrderAndScopes(t *testing.T) {
	e := newEnv(t)
	for _, b := range []map[string]any{{"name": "b"}, {"name": "a"}, {"name": "z", "pinned": true}} {
		e.do("POST", e.projectPath("projects", "dashboards/"), b).wantStatus(t, 201)
	}
	r := e.do("GET", e.projectPath("projects", "dashboards/"), nil)
	var names []string
	for _, d := range r.JSON.Get("results").Array() {
		names = append(names, d.Get("name").String())
	}
	if fmt.Sprint(names) != "[z a b]" || r.JSON.Get("results.0.tiles").Exists() {
		t.Fatalf("order %v", names)
	}
	reader := e.addMember(e.d.OrganizationID, 1, "r@example.com", "dashboard:read")
	e.do("GET", e.projectPath("projects", "dashboards/"), nil, asKey(reader.Key)).wantStatus(t, 200)
	e.do("POST", e.projectPath("projects", "dashboards/"), map[string]any{"name": "x"}, asKey(reader.Key)).
		wantError(t, 403, "authentication_error", "permission_denied", "API key missing required scope 'dashboard:write'", "")
}

// TestConsoleListsDashboardsAndInsights: the organization page lists every project's
// dashboards and insights, each with its API path.
func TestConsoleListsDashboardsAndInsights(t *testing.T) {
	e := newEnv(t)
	d := e.do("POST", e.projectPath("projects", "dashboards/"), map[string]any{"name": "Ops board"}).JSON.Get("id").Int()
	sid := e.do("POST", e.projectPath("projects", "insights/"), map[string]any{"name": "Signups <b>", "query": trendsQuery, "dashboards": []any{d}}).JSON.Get("short_id").String()
	page := string(e.adminCall("GET", "/_fake/console/organizations/"+e.d.OrganizationID, nil).wantStatus(t, 200).Body)
	for _, want := range []string{`id="dashboards"`, "Ops board", `id="insights"`, sid, "Signups &lt;b&gt;", "InsightVizNode › TrendsQuery",
		fmt.Sprintf("/api/projects/%d/dashboards/%d/", e.d.ProjectID, d)} {
		if !strings.Contains(page, want) {
			t.Errorf("the organization page lacks %q", want)
		}
	}
}

// TestDashboardFields: restriction_level is 21 or 37 (37 is the old permissions: "v1"),
// names are trimmed, null descriptions refused, tags normalised.
func TestDashboardFields(t *testing.T) {
	e := newEnv(t)
	r := e.do("POST", e.projectPath("projects", "dashboards/"), map[string]any{"name": "  Board ", "tags": []any{"B", " a", "b"}})
	id := r.JSON.Get("id").Int()
	if r.JSON.Get("name").String() != "Board" || r.JSON.Get("tags").Raw != `["a","b"]` || r.JSON.Get("access_control_version").String() != "v2" {
		t.Fatalf("create: %s", r.Body)
	}
	r = e.do("PATCH", e.dashboardPath(id, ""), map[string]any{"restriction_level": 37})
	if r.JSON.Get("restriction_level").Int() != 37 || r.JSON.Get("access_control_version").String() != "v1" {
		t.Fatalf("restriction: %s", r.Body)
	}
	e.do("PATCH", e.dashboardPath(id, ""), map[string]any{"restriction_level": 5}).wantError(t, 400, "validation_error", "invalid_choice", `"5" is not a valid choice.`, "restriction_level")
	e.do("PATCH", e.dashboardPath(id, ""), map[string]any{"description": nil}).wantError(t, 400, "validation_error", "null", "This field may not be null.", "description")
	e.do("PATCH", e.dashboardPath(id, ""), map[string]any{"filters": []any{1}}).wantError(t, 400, "validation_error", "invalid_input", "Filters must be a dictionary", "")
}

// TestDashboardFromTemplate: use_template DEFAULT_APP makes PostHog's six default insights,
// laid out; an unknown template is refused and leaves nothing behind.
func TestDashboardFromTemplate(t *testing.T) {
	e := newEnv(t)
	e.do("POST", e.projectPath("projects", "dashboards/"), map[string]any{"name": "x", "use_template": "NOPE"}).
		wantError(t, 400, "validation_error", "invalid", "Invalid template provided: NOPE", "use_template")
	r := e.do("POST", e.projectPath("projects", "dashboards/"), map[string]any{"name": "App", "use_template": "DEFAULT_APP"})
	r.wantStatus(t, 201)
	tiles := r.JSON.Get("tiles")
	if r.JSON.Get("creation_mode").String() != "template" || tiles.Get("#").Int() != 6 ||
		tiles.Get("0.insight.name").String() != "Daily active users (DAUs)" || tiles.Get("1.layouts.sm.x").Int() != 6 {
		t.Fatalf("template: %s", tiles.Raw)
	}
	if n := e.do("GET", e.projectPath("projects", "insights/"), nil).JSON.Get("count").Int(); n != 6 {
		t.Fatalf("%d insights, want 6", n)
	}
	if n := e.do("GET", e.projectPath("projects", "dashboards/"), nil).JSON.Get("count").Int(); n != 1 {
		t.Fatalf("%d dashboards, want 1", n)
	}
}
