package scenarios

import (
	"strings"
	"testing"

	"github.com/tidwall/gjson"
)

const analyticsScenario = `
seed: 3
users:
  - {ref: ann, email: ann@example.com, personal_api_keys: [{value: phx_ann_key}]}
organizations:
  - name: Acme
    members: [{user: ann, level: owner}]
    projects:
      - name: Web
        dashboards:
          - ref: main
            name: Main
            pinned: true
            tags: [kpi]
            text_tiles:
              - body: "# Welcome"
          - {ref: old, name: Old, deleted: true}
        insights:
          - name: Pageviews
            short_id: AbCd1234
            query:
              kind: InsightVizNode
              source:
                kind: TrendsQuery
                series: [{kind: EventsNode, event: $pageview, math: total}]
            dashboards: [main]
            last_refresh: 2026-01-15T09:00:00Z
          - name: SQL
            query: {kind: DataVisualizationNode, source: {kind: HogQLQuery, query: "select 1"}}
            dashboards: [main]
            favorited: true
`

// TestAnalyticsScenario: dashboards, text tiles and insights under a project are seeded
// through the store and served as the API serves them; tiles without layouts are laid out.
func TestAnalyticsScenario(t *testing.T) {
	srv := mustServer(t, mustParse(t, analyticsScenario))
	status, body := get(t, srv, "phx_ann_key", "/api/projects/@current/dashboards/")
	list := gjson.ParseBytes(body)
	if status != 200 || list.Get("count").Int() != 1 || list.Get("results.0.name").Str != "Main" || !list.Get("results.0.pinned").Bool() {
		t.Fatalf("dashboards: %d %s", status, body)
	}
	_, body = get(t, srv, "phx_ann_key", "/api/projects/@current/dashboards/"+list.Get("results.0.id").Raw+"/")
	tiles := gjson.ParseBytes(body).Get("tiles")
	if tiles.Get("#").Int() != 3 || tiles.Get("0.insight.short_id").Str != "AbCd1234" || tiles.Get("2.text.body").Str != "# Welcome" ||
		tiles.Get("1.layouts.sm.x").Int() != 6 || tiles.Get("2.layouts.sm.y").Int() != 5 || tiles.Get("0.insight.result").Raw != "[]" ||
		!tiles.Get("0.is_cached").Bool() || tiles.Get("0.last_refresh").Str != "2026-01-15T09:00:00Z" {
		t.Fatalf("tiles: %s", tiles.Raw)
	}
	_, body = get(t, srv, "phx_ann_key", "/api/projects/@current/insights/?short_id=AbCd1234")
	if gjson.ParseBytes(body).Get("results.0.name").Str != "Pageviews" {
		t.Fatalf("by short_id: %s", body)
	}
}

// TestAnalyticsScenarioErrors: a query of the wrong shape, an unknown dashboard ref and a bad
// short id are refused at their key.
func TestAnalyticsScenarioErrors(t *testing.T) {
	for _, tc := range []struct{ replace, with, want string }{
		{"kind: TrendsQuery", "kind: NopeQuery", "organizations[0].projects[0].insights[0].query: 1 validation error for QuerySchemaRoot"},
		{"dashboards: [main]\n            last", "dashboards: [nope]\n            last", `organizations[0].projects[0].insights[0].dashboards[0]: no dashboard with ref "nope" in this project`},
		{"short_id: AbCd1234", "short_id: abc", `organizations[0].projects[0].insights[0].short_id: "abc" is not a short id`},
		{"ref: old", "ref: main", `organizations[0].projects[0].dashboards[1].ref: duplicate dashboard ref "main"`},
	} {
		doc := strings.Replace(analyticsScenario, tc.replace, tc.with, 1)
		sc, err := Parse("t.yaml", []byte(doc))
		if err == nil {
			err = sc.Check()
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", tc.with, err, tc.want)
		}
	}
}
