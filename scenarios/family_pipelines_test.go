package scenarios

import (
	"strings"
	"testing"

	"github.com/fakehog/fakehog/fake"
	"github.com/tidwall/gjson"
)

const pipelinesScenario = `
seed: 3
users:
  - {ref: ann, email: ann@example.com, personal_api_keys: [{value: phx_ann_key}]}
  - {ref: bob, email: bob@example.com}
organizations:
  - name: Acme
    members: [{user: ann, level: owner}, {user: bob, level: member}]
    projects:
      - name: Web
        insights:
          - name: Pageviews
            short_id: AbCd1234
            query:
              kind: InsightVizNode
              source: {kind: TrendsQuery, series: [{kind: EventsNode, event: $pageview}]}
        integrations:
          - {ref: slack, kind: slack, integration_id: T1, config: {team: {name: Acme}}, sensitive_config: {access_token: xoxb-hidden}}
        hog_functions:
          - name: To Slack
            template_id: template-slack
            enabled: true
            integrations: {slack_workspace: slack}
            inputs: {channel: {value: C1}}
          - name: Hook
            template_id: template-webhook
            inputs_schema:
              - {key: url, type: string, required: true}
              - {key: token, type: string, secret: true}
            inputs: {url: {value: "https://x.example"}, token: {value: s3cr3t-value}}
        alerts:
          - {name: Drop, insight: AbCd1234, lower: 5, subscribed_users: [bob]}
`

// TestPipelinesScenario: integrations, hog functions (secret inputs write-only) and alerts
// under a project are seeded through the store and served as the API serves them.
func TestPipelinesScenario(t *testing.T) {
	srv := mustServer(t, mustParse(t, pipelinesScenario))
	_, body := get(t, srv, "phx_ann_key", "/api/environments/@current/hog_functions/")
	list := gjson.ParseBytes(body)
	if list.Get("count").Int() != 2 {
		t.Fatalf("hog functions: %s", body)
	}
	var slackID, hookID string
	list.Get("results").ForEach(func(_, f gjson.Result) bool {
		if f.Get("name").Str == "To Slack" {
			slackID = f.Get("id").Str
		} else {
			hookID = f.Get("id").Str
		}
		return true
	})
	_, body = get(t, srv, "phx_ann_key", "/api/environments/@current/hog_functions/"+slackID+"/")
	if gjson.ParseBytes(body).Get("inputs.slack_workspace.value").Int() != 1 || gjson.ParseBytes(body).Get("inputs.channel.value").Str != "C1" {
		t.Fatalf("slack function: %s", body)
	}
	_, body = get(t, srv, "phx_ann_key", "/api/environments/@current/hog_functions/"+hookID+"/")
	if gjson.ParseBytes(body).Get("inputs.token").Raw != `{"secret":true}` || strings.Contains(string(body), "s3cr3t") {
		t.Fatalf("hook: %s", body)
	}
	_, body = get(t, srv, "phx_ann_key", "/api/environments/@current/alerts/")
	a := gjson.ParseBytes(body).Get("results.0")
	if a.Get("insight.short_id").Str != "AbCd1234" || a.Get("threshold.configuration.bounds.lower").Int() != 5 ||
		a.Get("subscribed_users.0.email").Str != "bob@example.com" || a.Get("condition.type").Str != "absolute_value" {
		t.Fatalf("alerts: %s", body)
	}
}

// TestPipelinesScenarioErrors: unknown kinds, templates, refs, insights and non-members are
// refused at their key.
func TestPipelinesScenarioErrors(t *testing.T) {
	for _, tc := range []struct{ replace, with, want string }{
		{"kind: slack", "kind: pager", `organizations[0].projects[0].integrations[0].kind: "pager" is not an integration kind`},
		{"template_id: template-slack", "template_id: template-nope", `organizations[0].projects[0].hog_functions[0].template_id: no template "template-nope"`},
		{"slack_workspace: slack", "slack_workspace: nope", `organizations[0].projects[0].hog_functions[0].integrations.slack_workspace: no integration with ref "nope"`},
		{"insight: AbCd1234", "insight: Nope", `organizations[0].projects[0].alerts[0].insight: no insight "Nope"`},
		{"subscribed_users: [bob]", "subscribed_users: [eve@example.com]", `organizations[0].projects[0].alerts[0].subscribed_users[0]: no user "eve@example.com"`},
		{"{key: url, type: string, required: true}", "{key: url, type: text}", `organizations[0].projects[0].hog_functions[1]`},
	} {
		doc := strings.Replace(pipelinesScenario, tc.replace, tc.with, 1)
		sc, err := Parse("t.yaml", []byte(doc))
		if err == nil {
			err = sc.Check()
		}
		if err == nil {
			_, err = fake.New(sc.Option())
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", tc.with, err, tc.want)
		}
	}
}
