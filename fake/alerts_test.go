package fake

import (
	"fmt"
	"testing"

	"github.com/fakehog/fakehog/fake/store"
)

// trendsInsight creates an insight alerts may watch and returns its id.
func (e *env) trendsInsight(name string) int64 {
	e.t.Helper()
	return e.do("POST", fmt.Sprintf("/api/projects/%d/insights/", e.d.ProjectID), map[string]any{"name": name, "query": map[string]any{
		"kind": "InsightVizNode", "source": map[string]any{"kind": "TrendsQuery", "series": []any{map[string]any{"kind": "EventsNode", "event": "$pageview"}}},
	}}).wantStatus(e.t, 201).get("id").Int()
}

func (e *env) alertPath(rest string) string {
	return fmt.Sprintf("/api/environments/%d/alerts/%s", e.d.ProjectID, rest)
}

// alertBody is an alert as the Terraform provider sends it.
func alertBody(insight int64, users ...int) map[string]any {
	if users == nil {
		users = []int{}
	}
	return map[string]any{"name": "a", "insight": insight, "subscribed_users": users,
		"threshold": map[string]any{"configuration": map[string]any{"type": "absolute", "bounds": map[string]any{"lower": 10, "upper": 100}}},
		"condition": map[string]any{"type": "absolute_value"}, "config": map[string]any{"type": "TrendsAlertConfig", "series_index": 0},
		"calculation_interval": "daily", "skip_weekend": false}
}

// TestAlertLifecycle: create, retrieve (with checks), list by insight, update thresholds,
// subscribers, snooze, disable, delete; the insight lists its alerts.
func TestAlertLifecycle(t *testing.T) {
	e := newEnv(t)
	ins := e.trendsInsight("Pageviews")
	var owner int
	_ = e.srv.Store().Read(func(tx *store.Tx) error { owner = tx.UserByEmail(e.d.UserEmail).ID; return nil })
	r := e.do("POST", e.alertPath(""), alertBody(ins, owner)).wantStatus(t, 201)
	id := r.get("id").String()
	if !store.IsUUID(id) || r.get("insight.id").Int() != ins || r.get("subscribed_users.0.email").String() != e.d.UserEmail ||
		r.get("threshold.configuration.bounds.upper").Float() != 100 || r.get("state").String() != "Not firing" || !r.get("enabled").Bool() ||
		r.get("calculation_interval").String() != "daily" || r.get("config.series_index").Int() != 0 || r.get("checks").Exists() {
		t.Fatalf("create: %s", r.Body)
	}
	g := e.do("GET", e.alertPath(id+"/"), nil).wantStatus(t, 200)
	if !g.get("checks").IsArray() || g.get("id").String() != id {
		t.Fatalf("get: %s", g.Body)
	}
	if e.do("GET", e.alertPath(fmt.Sprintf("?insight=%d", ins)), nil).get("count").Int() != 1 ||
		e.do("GET", e.alertPath(fmt.Sprintf("?insight=%d", ins+100)), nil).get("count").Int() != 0 {
		t.Fatal("list by insight")
	}
	in := e.do("GET", fmt.Sprintf("/api/projects/%d/insights/%d/", e.d.ProjectID, ins), nil)
	if in.get("alerts.0.id").String() != id {
		t.Fatalf("insight alerts: %s", in.get("alerts").Raw)
	}
	u := e.do("PATCH", e.alertPath(id+"/"), map[string]any{"threshold": map[string]any{"configuration": map[string]any{"type": "percentage",
		"bounds": map[string]any{"upper": 0.5}}}, "subscribed_users": []int{}}).wantStatus(t, 200)
	if u.get("threshold.configuration.type").String() != "percentage" || u.get("threshold.configuration.bounds.lower").Exists() ||
		u.get("subscribed_users.#").Int() != 0 {
		t.Fatalf("patch: %s", u.Body)
	}
	sn := e.do("PATCH", e.alertPath(id+"/"), map[string]any{"snoozed_until": "2h"}).wantStatus(t, 200)
	if sn.get("state").String() != "Snoozed" || sn.get("snoozed_until").String() != "2026-01-15T12:00:00Z" {
		t.Fatalf("snooze: %s", sn.Body)
	}
	if n := e.do("GET", e.alertPath(id+"/"), nil).get("checks.#").Int(); n != 1 {
		t.Fatalf("a snooze records a check: %d", n)
	}
	d := e.do("PATCH", e.alertPath(id+"/"), map[string]any{"enabled": false, "snoozed_until": nil}).wantStatus(t, 200)
	if d.get("enabled").Bool() || d.get("state").String() != "Not firing" || d.get("snoozed_until").Type.String() != "Null" {
		t.Fatalf("disable: %s", d.Body)
	}
	e.do("DELETE", e.alertPath(id+"/"), nil).wantStatus(t, 204)
	e.do("GET", e.alertPath(id+"/"), nil).wantError(t, 404, "invalid_request", "not_found", "Not found.", "")
	e.do("GET", e.alertPath("nope/"), nil).wantStatus(t, 404)
}

// TestAlertValidation: PostHog's messages, and nothing written on failure.
func TestAlertValidation(t *testing.T) {
	e := newEnv(t)
	ins := e.trendsInsight("T")
	funnel := e.do("POST", fmt.Sprintf("/api/projects/%d/insights/", e.d.ProjectID), map[string]any{"query": map[string]any{
		"kind": "InsightVizNode", "source": map[string]any{"kind": "FunnelsQuery", "series": []any{}}}}).wantStatus(t, 201).get("id").Int()
	outsider := e.addMember("", 0, "outsider@example.com")
	with := func(k string, v any) map[string]any { b := alertBody(ins); b[k] = v; return b }
	without := func(k string) map[string]any { b := alertBody(ins); delete(b, k); return b }
	cases := []struct {
		name             string
		body             map[string]any
		code, detail, at string
	}{
		{"no insight", without("insight"), "required", store.MsgRequired, "insight"},
		{"unknown insight", with("insight", 99999), "does_not_exist", `Invalid pk "99999" - object does not exist.`, "insight"},
		{"unsupported insight", with("insight", funnel), "invalid_input", "Alerts are not supported for this insight.", "insight"},
		{"no subscribers", without("subscribed_users"), "required", store.MsgRequired, "subscribed_users"},
		{"unknown user", with("subscribed_users", []int{424242}), "does_not_exist", `Invalid pk "424242" - object does not exist.`, "subscribed_users"},
		{"outsider", with("subscribed_users", []int{outsider.User.ID}), "invalid_input", "User does not belong to the same organization as the alert's team.", "subscribed_users"},
		{"no threshold", without("threshold"), "required", store.MsgRequired, "threshold"},
		{"bounds reversed", with("threshold", map[string]any{"configuration": map[string]any{"type": "absolute", "bounds": map[string]any{"lower": 5, "upper": 1}}}),
			"invalid_input", "Lower threshold must be less than upper threshold", "threshold"},
		{"interval", with("calculation_interval", "yearly"), "invalid_choice", `"yearly" is not a valid choice.`, "calculation_interval"},
		{"snooze type", with("snoozed_until", 5), "invalid_input", "snoozed_until has to be passed in string format", "snoozed_until"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.do("POST", e.alertPath(""), c.body).wantError(t, 400, "validation_error", c.code, c.detail, c.at)
		})
	}
	if n := e.do("GET", e.alertPath(""), nil).get("count").Int(); n != 0 {
		t.Fatalf("failed creates left %d alerts", n)
	}
	reader := e.addMember(e.d.OrganizationID, 1, "reader@example.com", "alert:read")
	e.do("GET", e.alertPath(""), nil, asKey(reader.Key)).wantStatus(t, 200)
	e.do("POST", e.alertPath(""), alertBody(ins), asKey(reader.Key)).
		wantError(t, 403, "authentication_error", "permission_denied", "API key missing required scope 'alert:write'", "")
}

// TestAlertPlanLimit: an organization without the alerts feature keeps two alerts a
// project, as PostHog's free tier.
func TestAlertPlanLimit(t *testing.T) {
	e := newEnv(t)
	ins := e.trendsInsight("T")
	_ = e.srv.Store().Write(func(tx *store.Tx) error {
		org := tx.Org(e.d.OrganizationID)
		var kept []store.Feature
		for _, f := range org.Features {
			if f.Key != "alerts" {
				kept = append(kept, f)
			}
		}
		org.Features = kept
		return nil
	})
	e.do("POST", e.alertPath(""), alertBody(ins)).wantStatus(t, 201)
	e.do("POST", e.alertPath(""), alertBody(ins)).wantStatus(t, 201)
	e.do("POST", e.alertPath(""), alertBody(ins)).wantError(t, 400, "validation_error", "invalid_input", "Your plan is limited to 2 alerts", "alert")
}
