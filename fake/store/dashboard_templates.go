package store

// The dashboard templates a dashboard can be created from (use_template): PostHog's
// DASHBOARD_TEMPLATES (posthog/helpers/dashboard_templates.py), each a list of insights laid
// out on the new dashboard. Their queries are the query-node forms of PostHog's filters.

// templateInsight is one insight of a template with its tile's place on the grid.
type templateInsight struct {
	name, description string
	query             string // the query node, JSON
	layouts           string // the tile's layouts, JSON
}

func trendsNode(series, extra string) string {
	return `{"kind":"InsightVizNode","source":{"kind":"TrendsQuery","series":[` + series + `]` + extra + `}}`
}

// dashboardTemplates are the templates by key.
var dashboardTemplates = map[string][]templateInsight{
	"DEFAULT_APP": {
		{"Daily active users (DAUs)", "Shows the number of unique users that use your app every day.",
			trendsNode(`{"kind":"EventsNode","event":"$pageview","name":"$pageview","math":"dau"}`, `,"interval":"day","dateRange":{"date_from":"-30d"},"trendsFilter":{"display":"ActionsLineGraph"}`),
			`{"sm":{"h":5,"w":6,"x":0,"y":0,"minH":5,"minW":3},"xs":{"h":5,"w":1,"x":0,"y":0,"minH":5,"minW":3}}`},
		{"Weekly active users (WAUs)", "Shows the number of unique users that use your app every week.",
			trendsNode(`{"kind":"EventsNode","event":"$pageview","name":"$pageview","math":"dau"}`, `,"interval":"week","dateRange":{"date_from":"-90d"},"trendsFilter":{"display":"ActionsLineGraph"}`),
			`{"sm":{"h":5,"w":6,"x":6,"y":0,"minH":5,"minW":3},"xs":{"h":5,"w":1,"x":0,"y":5,"minH":5,"minW":3}}`},
		{"Retention", "Weekly retention of your users.",
			`{"kind":"InsightVizNode","source":{"kind":"RetentionQuery","retentionFilter":{"period":"Week","totalIntervals":11,"retentionType":"retention_first_time","targetEntity":{"id":"$pageview","type":"events"},"returningEntity":{"id":"$pageview","type":"events"}},"dateRange":{"date_from":"-7d"}}}`,
			`{"sm":{"h":5,"w":6,"x":6,"y":5,"minH":5,"minW":3},"xs":{"h":5,"w":1,"x":0,"y":10,"minH":5,"minW":3}}`},
		{"Growth accounting", "How many of your users are new, returning, resurrecting, or dormant each week.",
			`{"kind":"InsightVizNode","source":{"kind":"LifecycleQuery","series":[{"kind":"EventsNode","event":"$pageview","name":"$pageview"}],"interval":"week","dateRange":{"date_from":"-30d"}}}`,
			`{"sm":{"h":5,"w":6,"x":0,"y":5,"minH":5,"minW":3},"xs":{"h":5,"w":1,"x":0,"y":15,"minH":5,"minW":3}}`},
		{"Referring domain (last 14 days)", "Shows the most common referring domains for your users over the past 14 days.",
			trendsNode(`{"kind":"EventsNode","event":"$pageview","name":"$pageview","math":"dau"}`, `,"interval":"day","dateRange":{"date_from":"-14d"},"breakdownFilter":{"breakdown":"$referring_domain","breakdown_type":"event"},"trendsFilter":{"display":"ActionsBarValue"}`),
			`{"sm":{"h":5,"w":6,"x":0,"y":10,"minH":5,"minW":3},"xs":{"h":5,"w":1,"x":0,"y":20,"minH":5,"minW":3}}`},
		{"Pageview funnel, by browser", "This example funnel shows how many of your users have completed 3 page views, broken down by browser.",
			`{"kind":"InsightVizNode","source":{"kind":"FunnelsQuery","series":[{"kind":"EventsNode","event":"$pageview","name":"$pageview","custom_name":"First page view"},{"kind":"EventsNode","event":"$pageview","name":"$pageview","custom_name":"Second page view"},{"kind":"EventsNode","event":"$pageview","name":"$pageview","custom_name":"Third page view"}],"dateRange":{"date_from":"-14d"},"breakdownFilter":{"breakdown":"$browser","breakdown_type":"event"},"funnelsFilter":{"funnelVizType":"steps"}}}`,
			`{"sm":{"h":5,"w":6,"x":6,"y":10,"minH":5,"minW":3},"xs":{"h":5,"w":1,"x":0,"y":25,"minH":5,"minW":3}}`},
	},
}

// applyDashboardTemplate places the template's insights on the new dashboard (each a new
// insight of the dashboard's creator).
func (tx *Tx) applyDashboardTemplate(d *Dashboard, key string) {
	s := &tx.st.ext.analytics
	for _, ti := range dashboardTemplates[key] {
		name, desc := ti.name, ti.description
		in := &Insight{ProjectRecord: ProjectRecord{ProjectID: d.ProjectID}, Name: &name, Description: &desc, Query: ti.query,
			Tags: []string{}, CreatedBy: d.CreatedBy, LastModifiedBy: d.CreatedBy, CreatedAt: tx.now, UpdatedAt: tx.now, LastModifiedAt: tx.now}
		in.ShortID = tx.newShortID(d.ProjectID)
		s.insights.add(in)
		t := tx.addInsightTile(in, d.ID)
		t.Layouts = ti.layouts
		for _, h := range insightUpdateHooks {
			h(tx, in)
		}
	}
}
