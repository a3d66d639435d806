package fake

import (
	"fmt"
	"strings"
	"testing"

	"github.com/fakehog/fakehog/fake/store"
	"github.com/tidwall/gjson"
)

// trendsQuery is an InsightVizNode over a TrendsQuery, as clients send it.
var trendsQuery = map[string]any{"kind": "InsightVizNode", "source": map[string]any{"kind": "TrendsQuery",
	"series": []any{map[string]any{"kind": "EventsNode", "event": "$pageview", "name": "$pageview", "math": "total"}}}}

func (e *env) projectPath(root, rest string) string {
	return fmt.Sprintf("/api/%s/%d/%s", root, e.d.ProjectID, rest)
}

// TestInsightLifecycle: create (short_id of 8 letters and digits, query stored as given),
// retrieve under both roots and by ?short_id=, update, soft delete by PATCH, restore; DELETE
// is refused with 405 and no body.
func TestInsightLifecycle(t *testing.T) {
	e := newEnv(t)
	r := e.do("POST", e.projectPath("projects", "insights/"), map[string]any{"name": "Views", "query": trendsQuery, "tags": []any{" Growth", "growth", "KPI"}})
	r.wantStatus(t, 201)
	id := r.JSON.Get("id").Int()
	sid := r.JSON.Get("short_id").String()
	if len(sid) != 8 || strings.Trim(sid, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != "" {
		t.Fatalf("short_id %q", sid)
	}
	if r.JSON.Get("query.source.series.0.event").String() != "$pageview" || r.JSON.Get("tags").Raw != `["growth","kpi"]` {
		t.Fatalf("query/tags: %s", r.Body)
	}
	if !r.JSON.Get("result").IsArray() && r.JSON.Get("result").Type.String() != "Null" || r.JSON.Get("is_cached").Bool() {
		t.Fatalf("result of a never calculated insight: %s", r.JSON.Get("result").Raw)
	}
	for _, root := range []string{"projects", "environments"} {
		g := e.do("GET", e.projectPath(root, fmt.Sprintf("insights/%d/", id)), nil)
		g.wantStatus(t, 200)
		if g.JSON.Get("short_id").String() != sid {
			t.Fatalf("%s: %s", root, g.Body)
		}
	}
	l := e.do("GET", e.projectPath("projects", "insights/?short_id="+sid), nil)
	if l.JSON.Get("count").Int() != 1 || l.JSON.Get("results.0.id").Int() != id {
		t.Fatalf("by short_id: %s", l.Body)
	}
	e.do("PATCH", e.projectPath("projects", fmt.Sprintf("insights/%d/", id)), map[string]any{"name": "Renamed", "favorited": true}).wantStatus(t, 200)
	d := e.sendUnchecked("DELETE", e.projectPath("projects", fmt.Sprintf("insights/%d/", id)), nil)
	if d.Status != 405 || len(d.Body) != 0 {
		t.Fatalf("DELETE: %d %s", d.Status, d.Body)
	}
	p := e.do("PATCH", e.projectPath("projects", fmt.Sprintf("insights/%d/", id)), map[string]any{"deleted": true})
	if p.Status != 200 || !p.JSON.Get("deleted").Bool() {
		t.Fatalf("soft delete: %d %s", p.Status, p.Body)
	}
	e.do("GET", e.projectPath("projects", fmt.Sprintf("insights/%d/", id)), nil).wantError(t, 404, "invalid_request", "not_found", "Not found.", "")
	if n := e.do("GET", e.projectPath("projects", "insights/?short_id="+sid), nil).JSON.Get("count").Int(); n != 0 {
		t.Fatalf("a deleted insight is listed")
	}
	p = e.do("PATCH", e.projectPath("projects", fmt.Sprintf("insights/%d/", id)), map[string]any{"deleted": false})
	if p.Status != 200 || p.JSON.Get("deleted").Bool() || p.JSON.Get("name").String() != "Renamed" {
		t.Fatalf("restore: %d %s", p.Status, p.Body)
	}
}

// TestInsightQueryShape: the query is checked as PostHog's QuerySchemaParser does (400
// parse_error with pydantic's message); a bad query leaves nothing behind.
func TestInsightQueryShape(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		name  string
		query any
		want  string
	}{
		{"unknown kind", map[string]any{"kind": "NopeQuery"}, "Input tag 'NopeQuery' found using 'kind' does not match any of the expected tags"},
		{"no kind", map[string]any{"source": map[string]any{}}, "Unable to extract tag using discriminator 'kind'"},
		{"no source", map[string]any{"kind": "InsightVizNode"}, "InsightVizNode.source\n  Field required [type=missing"},
		{"wrong source", map[string]any{"kind": "InsightVizNode", "source": map[string]any{"kind": "HogQLQuery", "query": "select 1"}}, "Input tag 'HogQLQuery' found using 'kind'"},
		{"no series", map[string]any{"kind": "InsightVizNode", "source": map[string]any{"kind": "TrendsQuery"}}, "InsightVizNode.source.TrendsQuery.series\n  Field required"},
		{"hogql not a string", map[string]any{"kind": "HogQLQuery", "query": 5}, "HogQLQuery.query\n  Input should be a valid string"},
		{"not an object", "trends", "Input should be a valid dictionary or object to extract fields from"},
	}
	for _, tc := range cases {
		r := e.do("POST", e.projectPath("projects", "insights/"), map[string]any{"query": tc.query})
		if r.Status != 400 || r.JSON.Get("code").String() != "parse_error" || !strings.Contains(r.JSON.Get("detail").String(), tc.want) ||
			!strings.HasPrefix(r.JSON.Get("detail").String(), "1 validation error for QuerySchemaRoot\n") {
			t.Errorf("%s: %d %s", tc.name, r.Status, r.Body)
		}
	}
	for _, ok := range []any{
		map[string]any{"kind": "DataVisualizationNode", "source": map[string]any{"kind": "HogQLQuery", "query": "select count() from events"}},
		map[string]any{"kind": "HogQLQuery", "query": "select 1"},
		nil,
	} {
		e.do("POST", e.projectPath("projects", "insights/"), map[string]any{"query": ok}).wantStatus(t, 201)
	}
	if n := e.do("GET", e.projectPath("projects", "insights/"), nil).JSON.Get("count").Int(); n != 3 {
		t.Fatalf("count %d, want 3", n)
	}
}

// TestInsightResults: never a made-up number. Without ?refresh= a never calculated insight
// has no results; a calculation answers empty results with the cache fields; a write with
// refresh records it, so a later read answers from the cache.
func TestInsightResults(t *testing.T) {
	e := newEnv(t)
	id := e.do("POST", e.projectPath("projects", "insights/"), map[string]any{"query": trendsQuery}).JSON.Get("id").Int()
	path := e.projectPath("projects", fmt.Sprintf("insights/%d/", id))
	r := e.do("GET", path, nil)
	if r.JSON.Get("result").Raw != "null" || r.JSON.Get("last_refresh").Raw != "null" || r.JSON.Get("is_cached").Raw != "false" {
		t.Fatalf("cache miss: %s", r.Body)
	}
	r = e.do("GET", path+"?refresh=force_blocking", nil)
	if r.JSON.Get("result").Raw != "[]" || r.JSON.Get("last_refresh").String() != "2026-01-15T10:00:00Z" ||
		r.JSON.Get("cache_target_age").String() != "2026-01-15T16:00:00Z" || r.JSON.Get("is_cached").Bool() || r.JSON.Get("timezone").String() != "UTC" {
		t.Fatalf("calculated: %s", r.Body)
	}
	if e.do("GET", path, nil).JSON.Get("result").Raw != "null" {
		t.Fatal("a GET must not write the cache")
	}
	e.do("PATCH", path+"?refresh=blocking", map[string]any{"name": "n"}).wantStatus(t, 200)
	e.clock.Advance(3600e9)
	r = e.do("GET", path, nil)
	if r.JSON.Get("result").Raw != "[]" || !r.JSON.Get("is_cached").Bool() || r.JSON.Get("last_refresh").String() != "2026-01-15T10:00:00Z" {
		t.Fatalf("cached: %s", r.Body)
	}
}

// TestInsightDashboards: PATCH of the insight's dashboards adds and removes tiles (the way
// clients put an insight on a dashboard); unknown, deleted and foreign dashboards are refused.
func TestInsightDashboards(t *testing.T) {
	e := newEnv(t)
	d1 := e.do("POST", e.projectPath("projects", "dashboards/"), map[string]any{"name": "A"}).JSON.Get("id").Int()
	d2 := e.do("POST", e.projectPath("projects", "dashboards/"), map[string]any{"name": "B"}).JSON.Get("id").Int()
	r := e.do("POST", e.projectPath("projects", "insights/"), map[string]any{"query": trendsQuery, "dashboards": []any{d1}})
	id := r.JSON.Get("id").Int()
	if r.JSON.Get("dashboards").Raw != fmt.Sprintf("[%d]", d1) || r.JSON.Get("dashboard_tiles.0.dashboard_id").Int() != d1 {
		t.Fatalf("create: %s", r.Body)
	}
	path := e.projectPath("projects", fmt.Sprintf("insights/%d/", id))
	r = e.do("PATCH", path, map[string]any{"dashboards": []any{d2}})
	if r.JSON.Get("dashboards").Raw != fmt.Sprintf("[%d]", d2) {
		t.Fatalf("move: %s", r.Body)
	}
	if n := len(e.do("GET", e.projectPath("projects", fmt.Sprintf("dashboards/%d/", d1)), nil).JSON.Get("tiles").Array()); n != 0 {
		t.Fatalf("dashboard A keeps %d tiles", n)
	}
	tiles := e.do("GET", e.projectPath("projects", fmt.Sprintf("dashboards/%d/", d2)), nil).JSON.Get("tiles")
	if tiles.Get("0.insight.id").Int() != id || tiles.Get("0.text").Raw != "null" {
		t.Fatalf("dashboard B tiles: %s", tiles.Raw)
	}
	e.do("PATCH", path, map[string]any{"dashboards": []any{999}}).wantError(t, 400, "validation_error", "does_not_exist", `Invalid pk "999" - object does not exist.`, "dashboards")
	e.do("PATCH", path, map[string]any{"dashboards": 5}).wantError(t, 400, "validation_error", "not_a_list", `Expected a list of items but got type "int".`, "dashboards")
	e.do("PATCH", e.projectPath("projects", fmt.Sprintf("dashboards/%d/", d1)), map[string]any{"deleted": true}).wantStatus(t, 200)
	e.do("PATCH", path, map[string]any{"dashboards": []any{d1}}).wantError(t, 400, "validation_error", "does_not_exist", fmt.Sprintf(`Invalid pk "%d" - object does not exist.`, d1), "dashboards")
	if got := e.do("GET", path, nil).JSON.Get("dashboards").Raw; got != fmt.Sprintf("[%d]", d2) {
		t.Fatalf("a refused PATCH changed the dashboards: %s", got)
	}
	// Another project's dashboard.
	var other int
	_ = e.srv.Store().Write(func(tx *store.Tx) error {
		d, err := tx.CreateDashboard(e.d.ProjectID+1000, store.Values{"name": "x"}, emptyObject(), nil)
		if err == nil {
			other = d.ID
		}
		return err
	})
	e.do("PATCH", path, map[string]any{"dashboards": []any{other}}).wantError(t, 400, "validation_error", "invalid_input", "Dashboard not found", "")
	// Deleting the insight takes it off its dashboards.
	e.do("PATCH", path, map[string]any{"deleted": true}).wantStatus(t, 200)
	if n := len(e.do("GET", e.projectPath("projects", fmt.Sprintf("dashboards/%d/", d2)), nil).JSON.Get("tiles").Array()); n != 0 {
		t.Fatalf("a deleted insight stays on its dashboard (%d tiles)", n)
	}
}

// TestInsightScopes: insight:read reads, insight:write writes; a dashboard scope is not enough.
func TestInsightScopes(t *testing.T) {
	e := newEnv(t)
	reader := e.addMember(e.d.OrganizationID, store.LevelMember, "reader@example.com", "insight:read")
	other := e.addMember(e.d.OrganizationID, store.LevelMember, "dash@example.com", "dashboard:write")
	e.do("GET", e.projectPath("projects", "insights/"), nil, asKey(reader.Key)).wantStatus(t, 200)
	r := e.do("POST", e.projectPath("projects", "insights/"), map[string]any{"name": "x"}, asKey(reader.Key))
	r.wantError(t, 403, "authentication_error", "permission_denied", "API key missing required scope 'insight:write'", "")
	e.do("GET", e.projectPath("environments", "insights/"), nil, asKey(other.Key)).wantStatus(t, 403)
}

func emptyObject() gjson.Result { return gjson.Parse("{}") }

func init() {
	for _, root := range []string{"projects", "environments"} {
		for _, family := range []string{"insights", "dashboards"} {
			emptyErrorBodies["DELETE /api/"+root+"/{project_id}/"+family+"/{id}/"] = "ForbidDestroyModel: 405 with no body (posthog/api/forbid_destroy_model.py)"
		}
	}
}
