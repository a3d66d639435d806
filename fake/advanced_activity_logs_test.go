package fake

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fakehog/fakehog/fake/store"
)

// logAt records an activity entry at testEpoch minus age, by the user with that email
// ("" for the system), and puts the clock back at testEpoch.
func logAt(e *env, age time.Duration, email string, in store.ActivityInput) {
	e.t.Helper()
	e.clock.Set(testEpoch.Add(-age))
	withWriteTx(e, func(tx *store.Tx) error {
		if email != "" {
			in.User = tx.UserByEmail(email)
		}
		if in.OrgID == "" {
			in.OrgID = e.d.OrganizationID
		}
		tx.LogActivity(in)
		return nil
	})
	e.clock.Set(testEpoch)
}

// activityWorld clears the default world's log and seeds a known one: (newest first)
// Insight i2 updated by ada in the default project, Insight i1 created by the owner,
// FeatureFlag f1 updated by the owner with a changes list, an Organization update by ada,
// and a Dashboard entry 90 days old (beyond the default lookback).
func activityWorld(t *testing.T) (*env, member) {
	e := newEnv(t)
	withWriteTx(e, func(tx *store.Tx) error {
		for _, en := range tx.Activity(e.d.OrganizationID, nil) {
			en.CreatedAt = testEpoch.Add(-365 * 24 * time.Hour) // out of sight
		}
		return nil
	})
	ada := e.addMember(e.d.OrganizationID, store.LevelAdmin, "ada@example.com")
	team := e.d.ProjectID
	org := e.d.OrganizationID
	logAt(e, 90*24*time.Hour, e.d.UserEmail, store.ActivityInput{TeamID: &team, Scope: "Dashboard", ItemID: "d1", Activity: "created", Name: "Ancient"})
	logAt(e, 4*time.Hour, "ada@example.com", store.ActivityInput{Scope: "Organization", ItemID: org, Activity: "updated", Name: "Fakehog",
		Changes: []store.Change{{Type: "Organization", Action: "changed", Field: "name", Before: "Old", After: "Fakehog"}}})
	logAt(e, 3*time.Hour, e.d.UserEmail, store.ActivityInput{TeamID: &team, Scope: "FeatureFlag", ItemID: "f1", Activity: "updated", Name: "beta-flag",
		Changes: []store.Change{{Type: "FeatureFlag", Action: "changed", Field: "rollout_percentage", Before: 10, After: 50},
			{Type: "FeatureFlag", Action: "changed", Field: "active", Before: false, After: true}}})
	logAt(e, 2*time.Hour, e.d.UserEmail, store.ActivityInput{TeamID: &team, Scope: "Insight", ItemID: "i1", Activity: "created", Name: "Signups"})
	logAt(e, time.Hour, "ada@example.com", store.ActivityInput{TeamID: &team, Scope: "Insight", ItemID: "i2", Activity: "updated", Name: "Revenue"})
	return e, ada
}

// items lists the item ids of a page.
func items(r *resp) string {
	var out []string
	for _, x := range r.get("results").Array() {
		out = append(out, x.Get("item_id").String())
	}
	return strings.Join(out, " ")
}

func TestAdvancedActivityLogList(t *testing.T) {
	e, ada := activityWorld(t)
	org := e.d.OrganizationID
	base := e.orgPath("advanced_activity_logs/")
	r := e.do("GET", base, nil).wantStatus(t, 200)
	if items(r) != "i2 i1 f1 "+org || r.get("count").Int() != 4 || r.get("next").Type.String() != "Null" || r.get("previous").Type.String() != "Null" {
		t.Fatalf("list = %s", r.Body)
	}
	first := r.get("results.0")
	if first.Get("user.email").String() != "ada@example.com" || first.Get("scope").String() != "Insight" || first.Get("activity").String() != "updated" ||
		first.Get("team_id").Int() != int64(e.d.ProjectID) || first.Get("organization_id").String() != org || first.Get("unread").Bool() ||
		first.Get("is_system").Bool() || first.Get("was_impersonated").Bool() || first.Get("client").Type.String() != "Null" ||
		first.Get("detail.name").String() != "Revenue" || first.Get("created_at").String() != "2026-01-15T09:00:00Z" {
		t.Fatalf("entry = %s", first.Raw)
	}
	if r.get("results.3.team_id").Type.String() != "Null" || r.get("results.3.detail.changes.0.after").String() != "Fakehog" {
		t.Fatalf("organization entry = %s", r.get("results.3").Raw)
	}
	cases := []struct{ query, want string }{
		{"scopes=Insight", "i2 i1"},
		{"scopes=Insight&scopes=FeatureFlag", "i2 i1 f1"},
		{`scopes=["Insight","Organization"]`, "i2 i1 " + org},
		{"activities=created", "i1"},
		{"users=" + ada.User.UUID, "i2 " + org},
		{"users=" + strings.ToUpper(strings.ReplaceAll(ada.User.UUID, "-", "")), "i2 " + org},
		{"item_ids=f1&item_ids=i1", "i1 f1"},
		{fmt.Sprintf("team_ids=%d", e.d.ProjectID), "i2 i1 f1"},
		{"team_ids=999", ""},
		{"start_date=2026-01-15T07:30:00Z", "i2 i1"},
		{"end_date=2026-01-15T08:00:00Z", "i1 f1 " + org},
		{"start_date=2026-01-15T07:00:00Z&end_date=2026-01-15T07:00:00Z", "f1"},
		{"search_text=REVENUE", "i2"},
		{"search_text=rollout_percentage", "f1"},
		{"search_text=", "i2 i1 f1 " + org},
		{"is_system=false", "i2 i1 f1 " + org},
		{"is_system=", "i2 i1 f1 " + org},
		{"was_impersonated=true", ""},
		{"was_impersonated=false", "i2 i1 f1 " + org},
		{"clients=web", ""},
		{"ip_addresses=203.0.113.*", ""},
		{"hogql_filter=anything", "i2 i1 f1 " + org},
		{`detail_filters={"name":{"operation":"exact","value":"Signups"}}`, "i1"},
		{`detail_filters={"name":{"value":"signups"}}`, ""},
		{`detail_filters={"name":{"operation":"contains","value":"sign"}}`, "i1"},
		{`detail_filters={"name":{"operation":"in","value":["Signups","Revenue"]}}`, "i2 i1"},
		{`detail_filters={"changes[].field":{"operation":"exact","value":"active"}}`, "f1"},
		{`detail_filters={"changes[].after":{"value":"50"}}`, "f1"},
		{`detail_filters={"changes[].after":{"value":"true"}}`, "f1"},
		{`detail_filters={"changes[].field":{"operation":"contains","value":"ROLLOUT"}}`, "f1"},
		{`detail_filters={"changes[].field":{"operation":"in","value":["name","x"]}}`, org},
		{`detail_filters={"name":{"operation":"exact","value":null}}`, "i2 i1 f1 " + org},
		{"ordering=created_at", org + " f1 i1 i2"},
		{"ordering=-created_at&scopes=Insight", "i2 i1"},
		{"unknown=1", "i2 i1 f1 " + org},
	}
	for _, c := range cases {
		t.Run(c.query, func(t *testing.T) {
			q, err := url.ParseQuery(c.query)
			if err != nil {
				t.Fatal(err)
			}
			r := e.do("GET", base+"?"+q.Encode(), nil).wantStatus(t, 200)
			if got := items(r); got != c.want {
				t.Fatalf("items = %q, want %q", got, c.want)
			}
			if r.get("count").Int() != int64(len(r.get("results").Array())) {
				t.Fatalf("count = %d for %d results", r.get("count").Int(), len(r.get("results").Array()))
			}
		})
	}
}

func TestAdvancedActivityLogLookback(t *testing.T) {
	e, _ := activityWorld(t)
	base := e.orgPath("advanced_activity_logs/")
	setAudit := func(limit *int, unit string) {
		withWriteTx(e, func(tx *store.Tx) error {
			o := tx.Org(e.d.OrganizationID)
			for i := range o.Features {
				if o.Features[i].Key == "audit_logs" {
					o.Features[i].Limit, o.Features[i].Unit = limit, unit
				}
			}
			return nil
		})
	}
	// The default lookback (two months) hides the 90-day-old entry; a year shows it.
	if got := items(e.do("GET", base+"?scopes=Dashboard", nil).wantStatus(t, 200)); got != "" {
		t.Fatalf("default lookback = %q", got)
	}
	setAudit(store.IntP(1), "year")
	if got := items(e.do("GET", base+"?scopes=Dashboard", nil).wantStatus(t, 200)); got != "d1" {
		t.Fatalf("a year back = %q", got)
	}
	// The bound is inclusive.
	setAudit(store.IntP(3), "months")
	if got := items(e.do("GET", base+"?scopes=Dashboard", nil).wantStatus(t, 200)); got != "d1" {
		t.Fatalf("three months (90 days) back = %q", got)
	}
	setAudit(store.IntP(89), "days")
	if got := items(e.do("GET", base+"?scopes=Dashboard", nil).wantStatus(t, 200)); got != "" {
		t.Fatalf("89 days back = %q", got)
	}
	// A limit without a unit falls back to two months.
	setAudit(store.IntP(5), "")
	if got := items(e.do("GET", base+"?scopes=Dashboard", nil).wantStatus(t, 200)); got != "" {
		t.Fatalf("fallback = %q", got)
	}
	// A limit of days, and start_date cannot reach further back.
	setAudit(store.IntP(0), "days")
	r := e.do("GET", base+"?start_date=2020-01-01", nil).wantStatus(t, 200)
	if items(r) != "" {
		t.Fatalf("zero days = %s", r.Body)
	}
}

// pathOf turns an absolute link into a request path.
func pathOf(t *testing.T, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil || u.Path == "" {
		t.Fatalf("bad link %q", link)
	}
	return u.RequestURI()
}

func TestAdvancedActivityLogPagination(t *testing.T) {
	e, _ := activityWorld(t)
	org := e.d.OrganizationID
	base := e.orgPath("advanced_activity_logs/")
	// Page numbers.
	r := e.do("GET", base+"?page=1&page_size=3", nil).wantStatus(t, 200)
	if items(r) != "i2 i1 f1" || r.get("count").Int() != 4 || r.get("previous").Type.String() != "Null" {
		t.Fatalf("page 1 = %s", r.Body)
	}
	next := r.get("next").String()
	if !strings.Contains(next, "page=2") || !strings.Contains(next, "page_size=3") || !strings.HasPrefix(next, "http://") {
		t.Fatalf("next = %s", next)
	}
	r = e.do("GET", pathOf(t, next), nil).wantStatus(t, 200)
	if items(r) != org || r.get("next").Type.String() != "Null" || strings.Contains(r.get("previous").String(), "page=") {
		t.Fatalf("page 2 = %s", r.Body)
	}
	e.do("GET", base+"?page=3&page_size=3", nil).wantError(t, 404, "invalid_request", "not_found", "Invalid page.", "")
	r = e.do("GET", base+"?page=3&page_size=1", nil).wantStatus(t, 200)
	if !strings.Contains(r.get("previous").String(), "page=2") {
		t.Fatalf("previous = %s", r.get("previous").String())
	}
	if r := e.do("GET", base+"?page=1&scopes=Nothing", nil).wantStatus(t, 200); r.get("count").Int() != 0 || r.get("results").Raw != "[]" {
		t.Fatalf("empty first page = %s", r.Body)
	}
	// Cursors, newest first: walk forward, then back.
	var seen []string
	path := base + "?page_size=1"
	var pages []*resp
	for i := 0; path != "" && i < 10; i++ {
		r := e.do("GET", path, nil).wantStatus(t, 200)
		pages = append(pages, r)
		seen = append(seen, items(r))
		path = ""
		if n := r.get("next"); n.Type.String() != "Null" {
			path = pathOf(t, n.String())
		}
	}
	if strings.Join(seen, " ") != "i2 i1 f1 "+org {
		t.Fatalf("cursor walk = %v", seen)
	}
	if pages[0].get("previous").Type.String() != "Null" || pages[3].get("previous").Type.String() == "Null" {
		t.Fatal("previous links are wrong")
	}
	back := e.do("GET", pathOf(t, pages[3].get("previous").String()), nil).wantStatus(t, 200)
	if items(back) != "f1" {
		t.Fatalf("previous of the last page = %s", back.Body)
	}
	// A new entry does not shift a saved cursor.
	logAt(e, 0, e.d.UserEmail, store.ActivityInput{Scope: "Insight", ItemID: "i3", Activity: "created"})
	if got := items(e.do("GET", pathOf(t, pages[1].get("next").String()), nil).wantStatus(t, 200)); got != "f1" {
		t.Fatalf("after a new entry the cursor gives %q", got)
	}
	// Oldest first with follow: the link survives the end of the stream.
	r = e.do("GET", base+"?ordering=created_at&follow=true&page_size=10", nil).wantStatus(t, 200)
	if items(r) != org+" f1 i1 i2 i3" || r.get("next").Type.String() == "Null" {
		t.Fatalf("follow = %s", r.Body)
	}
	tail := pathOf(t, r.get("next").String())
	r = e.do("GET", tail, nil).wantStatus(t, 200)
	if items(r) != "" || r.get("next").Type.String() == "Null" {
		t.Fatalf("tail = %s", r.Body)
	}
	e.clock.Advance(time.Minute)
	logAt(e, -time.Minute, e.d.UserEmail, store.ActivityInput{Scope: "Insight", ItemID: "i4", Activity: "created"})
	if got := items(e.do("GET", tail, nil).wantStatus(t, 200)); got != "i4" {
		t.Fatalf("polled tail = %q", got)
	}
	// Without follow the stream ends.
	if r := e.do("GET", base+"?ordering=created_at&page_size=10", nil); r.get("next").Type.String() != "Null" {
		t.Fatalf("no follow = %s", r.Body)
	}
	e.do("GET", base+"?cursor=bm9wZQ==", nil).wantError(t, 404, "invalid_request", "not_found", "Invalid cursor", "")
	e.do("GET", base+"?cursor=!!!", nil).wantError(t, 404, "invalid_request", "not_found", "Invalid cursor", "")
}

func TestAdvancedActivityLogValidation(t *testing.T) {
	e, _ := activityWorld(t)
	base := e.orgPath("advanced_activity_logs/")
	const ipMsg = "Invalid IP address format. Use a valid IPv4/IPv6 address or a wildcard like `203.0.113.*`."
	cases := []struct{ query, code, detail, attr string }{
		{"start_date=yesterday", "invalid_input", store.MsgInvalidDate, "start_date"},
		{"end_date=2026-13-01", "invalid_input", store.MsgInvalidDate, "end_date"},
		{"users=nope", "invalid_input", store.MsgInvalidUUID, "users__0"},
		{`users=["` + "0193f3e0-0000-7000-8000-000000000000" + `", 5]`, "invalid_input", store.MsgInvalidUUID, "users__1"},
		{"scopes=", "blank", store.MsgBlank, "scopes__0"},
		{`activities=[{"a":1}]`, "invalid_input", store.MsgInvalidString, "activities__0"},
		{"ip_addresses=1.2.3.400", "invalid_input", ipMsg, "ip_addresses__0"},
		{"ip_addresses=example.com", "invalid_input", ipMsg, "ip_addresses__0"},
		{"ip_addresses=1234", "invalid_input", ipMsg, "ip_addresses__0"},
		{"team_ids=abc", "invalid_input", store.MsgInvalidInt, "team_ids__0"},
		{"detail_filters={", "invalid_input", "Value must be valid JSON.", "detail_filters"},
		{"detail_filters=[]", "invalid_input", "detail_filters must be an object.", "detail_filters"},
		{`detail_filters={"name":"x"}`, "invalid_input", "Detail filter 'name' must be an object.", "detail_filters"},
		{`detail_filters={"name":{"operation":"regex","value":"x"}}`, "invalid_input", "Unsupported detail filter operation 'regex'. Allowed operations: contains, exact, in.", "detail_filters"},
		{`detail_filters={"a__b":{"value":"x"}}`, "invalid_input", "Detail filter field path 'a__b' contains '__'.", "detail_filters"},
		{`detail_filters={"a..b":{"value":"x"}}`, "invalid_input", "Detail filter field path 'a..b' has an empty segment.", "detail_filters"},
		{`detail_filters={"name.regex":{"value":"x"}}`, "invalid_input", "Detail filter field path 'name.regex' uses reserved segment 'regex'.", "detail_filters"},
		{`detail_filters={"a[].b[].c[].d[]":{"value":"x"}}`, "invalid_input", "Detail filter field path 'a[].b[].c[].d[]' nests too many arrays.", "detail_filters"},
		{`detail_filters={"":{"value":"x"}}`, "invalid_input", "Detail filter field paths must be non-empty strings.", "detail_filters"},
		{"was_impersonated=maybe", "invalid_input", store.MsgInvalidBool, "was_impersonated"},
		{"is_system=2", "invalid_input", store.MsgInvalidBool, "is_system"},
		{"ordering=name", "invalid_choice", `"name" is not a valid choice.`, "ordering"},
		{"follow=sometimes", "invalid_input", store.MsgInvalidBool, "follow"},
		{"page=0", "min_value", "Ensure this value is greater than or equal to 1.", "page"},
		{"page=x", "invalid_input", store.MsgInvalidInt, "page"},
		{"page_size=1001", "max_value", "Ensure this value is less than or equal to 1000.", "page_size"},
		{"page_size=0", "min_value", "Ensure this value is greater than or equal to 1.", "page_size"},
		// The first field in PostHog's order is reported.
		{"page=0&start_date=x", "invalid_input", store.MsgInvalidDate, "start_date"},
	}
	for _, c := range cases {
		t.Run(c.query, func(t *testing.T) {
			q, err := url.ParseQuery(c.query)
			if err != nil {
				t.Fatal(err)
			}
			e.do("GET", base+"?"+q.Encode(), nil).wantError(t, 400, "validation_error", c.code, c.detail, c.attr)
		})
	}
}

func TestAdvancedActivityLogAvailableFilters(t *testing.T) {
	e, ada := activityWorld(t)
	r := e.do("GET", e.orgPath("advanced_activity_logs/available_filters/"), nil).wantStatus(t, 200)
	users := r.get("static_filters.users").Raw
	want := fmt.Sprintf(`[{"label":"ada","value":"%s"},{"label":"Olive Owner","value":"%s"}]`, ada.User.UUID, e.d.UserUUID)
	if users != want {
		t.Fatalf("users = %s\nwant    %s", users, want)
	}
	if r.get("static_filters.scopes").Raw != `[{"value":"FeatureFlag"},{"value":"Insight"},{"value":"Organization"}]` ||
		r.get("static_filters.activities").Raw != `[{"value":"created"},{"value":"updated"}]` || r.get("static_filters.clients").Raw != "[]" {
		t.Fatalf("static filters = %s", r.get("static_filters").Raw)
	}
	ff := map[string]string{}
	for _, f := range r.get("detail_fields.FeatureFlag.fields").Array() {
		ff[f.Get("name").String()] = f.Get("types").Raw
	}
	for name, types := range map[string]string{"name": `["string"]`, "changes": `["array"]`, "changes[]": `["object"]`,
		"changes[].after": `["boolean","number"]`, "short_id": `["null"]`} {
		if ff[name] != types {
			t.Errorf("FeatureFlag field %s = %s, want %s (all: %v)", name, ff[name], types, ff)
		}
	}
	if _, ok := ff["changes[].field"]; !ok {
		t.Errorf("FeatureFlag fields lack changes[].field: %v", ff)
	}
	// Insight entries have no changes: the list is empty, so it has no item paths.
	if r.get(`detail_fields.Insight.fields.#(name=="changes[]")`).Exists() {
		t.Errorf("Insight fields = %s", r.get("detail_fields.Insight").Raw)
	}
	if r.get("detail_fields.General").Raw != `{"fields":[{"name":"changes[].type","types":["string"]},{"name":"changes[].action","types":["string"]},{"name":"changes[].field","types":["string"]},{"name":"changes[].before","types":["any"]},{"name":"changes[].after","types":["any"]}]}` {
		t.Fatalf("General = %s", r.get("detail_fields.General").Raw)
	}
	// Entries beyond the lookback are not offered.
	if r.get(`static_filters.scopes.#(value=="Dashboard")`).Exists() {
		t.Fatal("a scope beyond the lookback is offered")
	}
}

func TestAdvancedActivityLogPermissions(t *testing.T) {
	e, ada := activityWorld(t)
	org := e.d.OrganizationID
	m := e.addMember(org, store.LevelMember, "member@example.com")
	outsider := e.addMember("", 0, "outsider@example.com")
	reader := e.addMember(org, store.LevelOwner, "reader@example.com", "activity_log:read")
	orgOnly := e.addMember(org, store.LevelOwner, "orgonly@example.com", "organization:read")
	const onlyAdmins = "Only organization admins and owners can view organization-wide activity logs."
	for _, p := range []string{"advanced_activity_logs/", "advanced_activity_logs/available_filters/"} {
		e.do("GET", e.orgPath(p), nil, asKey(m.Key)).wantError(t, 403, "authentication_error", "permission_denied", onlyAdmins, "")
		e.do("GET", e.orgPath(p), nil, asSession(m.Session)).wantError(t, 403, "authentication_error", "permission_denied", onlyAdmins, "")
		e.do("GET", e.orgPath(p), nil, asKey(outsider.Key)).wantError(t, 403, "authentication_error", "permission_denied", store.MsgNoPermission, "")
		e.do("GET", e.orgPath(p), nil, asKey(orgOnly.Key)).wantError(t, 403, "authentication_error", "permission_denied", "API key missing required scope 'activity_log:read'", "")
		e.do("GET", e.orgPath(p), nil, asKey(reader.Key)).wantStatus(t, 200)
		e.do("GET", e.orgPath(p), nil, asKey(ada.Key)).wantStatus(t, 200)
	}
	// A plan without audit logs pays first.
	bare := newFeaturelessOrg(t, e)
	// PremiumFeaturePermission with premium_feature_on_cloud: PaidFeatureException("audit_logs").
	const premium = "Audit logs requires a paid PostHog plan. Please upgrade to access this feature."
	e.do("GET", "/api/organizations/"+bare+"/advanced_activity_logs/", nil).wantError(t, 402, "server_error", "payment_required", premium, "")
	e.do("GET", "/api/organizations/"+bare+"/advanced_activity_logs/available_filters/", nil).wantError(t, 402, "server_error", "payment_required", premium, "")
	// Export: session only, same permissions, then PostHog's refusal for the organization endpoint.
	export := e.orgPath("advanced_activity_logs/export/")
	body := map[string]any{"format": "csv", "filters": map[string]any{}}
	// A key with scopes is refused (a legacy key, with none, may do everything).
	e.do("POST", export, body, asKey(e.d.APIKey)).wantError(t, 403, "authentication_error", "permission_denied", "This action does not support personal API key access", "")
	e.do("POST", export, body, asSession(m.Session)).wantError(t, 403, "authentication_error", "permission_denied", onlyAdmins, "")
	r := e.do("POST", export, body, asSession(ada.Session)).wantStatus(t, 400)
	if string(r.Body) != `{"error":"Export is not yet supported on the organization-scoped activity logs endpoint."}` {
		t.Fatalf("export = %s", r.Body)
	}
	e.do("POST", "/api/organizations/"+bare+"/advanced_activity_logs/export/", body, asSession(e.d.Session)).wantError(t, 402, "server_error", "payment_required", premium, "")
	// Another organization's activity never shows.
	logAt(e, time.Minute, e.d.UserEmail, store.ActivityInput{OrgID: bare, Scope: "Insight", ItemID: "elsewhere", Activity: "created"})
	if strings.Contains(items(e.do("GET", e.orgPath("advanced_activity_logs/"), nil).wantStatus(t, 200)), "elsewhere") {
		t.Fatal("another organization's entry is listed")
	}
}
