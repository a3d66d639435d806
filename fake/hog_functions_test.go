package fake

import (
	"fmt"
	"strings"
	"testing"

	"github.com/fakehog/fakehog/fake/store"
)

// hogPath is the environments path of the default project's hog functions + rest.
func (e *env) hogPath(rest string) string {
	return fmt.Sprintf("/api/environments/%d/hog_functions/%s", e.d.ProjectID, rest)
}

// webhookBody is a destination from the webhook template, as the Terraform provider sends it.
func webhookBody(name string) map[string]any {
	return map[string]any{
		"type": "destination", "name": name, "description": "d", "enabled": true, "template_id": "template-webhook",
		"inputs": map[string]any{
			"url":    map[string]any{"value": "https://example.com/webhook", "templating": "hog"},
			"method": map[string]any{"value": "POST", "templating": "hog"},
			"body":   map[string]any{"value": map[string]any{"event": "{event.event}"}, "templating": "hog"},
		},
		"filters": map[string]any{"source": "events", "events": []any{map[string]any{"id": "$pageview", "type": "events"}},
			"filter_test_accounts": false, "unknown": 1},
	}
}

// TestHogFunctionLifecycle: create from a template (its code, schema and icon fill in),
// retrieve, list, update, the forbidden hard delete, soft delete and un-delete, under both
// roots.
func TestHogFunctionLifecycle(t *testing.T) {
	e := newEnv(t)
	r := e.do("POST", e.hogPath(""), webhookBody("  Hook  ")).wantStatus(t, 201)
	id := r.get("id").String()
	if !store.IsUUID(id) || r.get("name").String() != "Hook" || r.get("type").String() != "destination" ||
		!strings.HasPrefix(r.get("hog").String(), "let res := fetch(inputs.url") || r.get("icon_url").String() != "/static/posthog-icon.svg" ||
		r.get("template.id").String() != "template-webhook" || r.get("inputs_schema.#").Int() != 5 || r.get("created_by.email").String() != e.d.UserEmail {
		t.Fatalf("create: %s", r.Body)
	}
	// Inputs keep what was sent, numbered; schema keys without a value answer null; filters
	// keep the serializer's fields only.
	if r.get("inputs.url.value").String() != "https://example.com/webhook" || r.get("inputs.url.templating").String() != "hog" ||
		!r.get("inputs.url.order").Exists() || r.get("inputs.body.value.event").String() != "{event.event}" ||
		r.get("inputs.debug").Type.String() != "Null" || r.get("filters.unknown").Exists() || r.get("filters.source").String() != "events" {
		t.Fatalf("inputs/filters: %s", r.Body)
	}
	if r.get("template_id").Exists() || r.get("deleted").Exists() || r.get("status.state").Int() != 0 {
		t.Fatalf("write-only fields shown: %s", r.Body)
	}
	for _, root := range []string{"projects", "environments"} {
		g := e.do("GET", fmt.Sprintf("/api/%s/%d/hog_functions/%s/", root, e.d.ProjectID, id), nil).wantStatus(t, 200)
		if g.get("id").String() != id {
			t.Fatalf("%s: %s", root, g.Body)
		}
	}
	l := e.do("GET", e.hogPath(""), nil).wantStatus(t, 200)
	if l.get("count").Int() != 1 || l.get("results.0.id").String() != id || l.get("results.0.inputs").Exists() {
		t.Fatalf("list: %s", l.Body)
	}
	if e.do("GET", e.hogPath("?type=transformation"), nil).get("count").Int() != 0 || e.do("GET", e.hogPath("?search=hoo"), nil).get("count").Int() != 1 ||
		e.do("GET", e.hogPath("?enabled=false"), nil).get("count").Int() != 0 {
		t.Fatal("list filters")
	}
	u := e.do("PATCH", e.hogPath(id+"/"), map[string]any{"enabled": false, "hog": "return 1\n\n"}).wantStatus(t, 200)
	if u.get("enabled").Bool() || u.get("hog").String() != "return 1" || u.get("inputs.url.value").String() != "https://example.com/webhook" {
		t.Fatalf("patch: %s", u.Body)
	}
	e.do("PATCH", e.hogPath(id+"/"), map[string]any{"type": "transformation"}).
		wantError(t, 400, "validation_error", "invalid_input", "Cannot modify the type of an existing function", "type")
	del := e.do("DELETE", e.hogPath(id+"/"), nil)
	if del.Status != 405 || len(del.Body) != 0 {
		t.Fatalf("delete: %d %s", del.Status, del.Body)
	}
	e.do("PATCH", e.hogPath(id+"/"), map[string]any{"deleted": true}).wantStatus(t, 200)
	e.do("GET", e.hogPath(id+"/"), nil).wantError(t, 404, "invalid_request", "not_found", "Not found.", "")
	e.do("PATCH", e.hogPath(id+"/"), map[string]any{"name": "x"}).wantStatus(t, 404)
	if e.do("GET", e.hogPath(""), nil).get("count").Int() != 0 {
		t.Fatal("a deleted function is listed")
	}
	e.do("PATCH", e.hogPath(id+"/"), map[string]any{"deleted": false}).wantStatus(t, 200)
	e.do("GET", e.hogPath(id+"/"), nil).wantStatus(t, 200)
	e.do("GET", e.hogPath("not-a-uuid/"), nil).wantStatus(t, 404)
	e.do("GET", fmt.Sprintf("/api/environments/%d/hog_functions/%s/", e.d.ProjectID+1000, id), nil).wantStatus(t, 404)
}

// TestHogFunctionSecretsNeverShown: a secret input's value is never in a response, the
// journal or the console; it is kept across updates that send {"secret": true} or nothing
// for it, and replaced when a new value is sent.
func TestHogFunctionSecretsNeverShown(t *testing.T) {
	e := newEnv(t)
	const secret1, secret2 = "Bearer s3cr3t-one", "Bearer s3cr3t-two"
	body := map[string]any{
		"type": "destination", "name": "S", "hog": "fetch(inputs.url, {'headers': {'Authorization': inputs.token}})",
		"inputs_schema": []any{
			map[string]any{"key": "url", "type": "string", "required": true},
			map[string]any{"key": "token", "type": "string", "secret": true, "required": true},
		},
		"inputs": map[string]any{"url": map[string]any{"value": "https://x.example"}, "token": map[string]any{"value": secret1}},
		"mappings": []any{map[string]any{"name": "m", "inputs_schema": []any{map[string]any{"key": "k", "type": "string", "secret": true}},
			"inputs": map[string]any{"k": map[string]any{"value": secret1}}}},
	}
	r := e.do("POST", e.hogPath(""), body).wantStatus(t, 201)
	id := r.get("id").String()
	if r.get("inputs.token").Raw != `{"secret":true}` || r.get("mappings.0.inputs.k").Raw != `{"secret":true}` {
		t.Fatalf("create: %s", r.Body)
	}
	// Kept when the body sends the marker, or leaves the input out.
	e.do("PATCH", e.hogPath(id+"/"), map[string]any{"inputs": map[string]any{"url": map[string]any{"value": "https://y.example"},
		"token": map[string]any{"secret": true}}}).wantStatus(t, 200)
	e.do("PATCH", e.hogPath(id+"/"), map[string]any{"inputs": map[string]any{"url": map[string]any{"value": "https://z.example"}}}).wantStatus(t, 200)
	var stored string
	_ = e.srv.Store().Read(func(tx *store.Tx) error {
		stored = fmt.Sprint(tx.HogFunction(e.d.ProjectID, id, false).EncryptedInputs["token"])
		return nil
	})
	if !strings.Contains(stored, secret1) {
		t.Fatalf("the secret was not kept: %s", stored)
	}
	e.do("PATCH", e.hogPath(id+"/"), map[string]any{"inputs": map[string]any{"url": map[string]any{"value": "https://z.example"},
		"token": map[string]any{"value": secret2}}}).wantStatus(t, 200)
	g := e.do("GET", e.hogPath(id+"/"), nil).wantStatus(t, 200)
	if g.get("inputs.token").Raw != `{"secret":true}` || g.get("inputs.url.value").String() != "https://z.example" {
		t.Fatalf("get: %s", g.Body)
	}
	// Nowhere to be seen: responses, the journal (requests and responses), the console.
	for _, req := range e.srv.Journal().Requests(RequestFilter{}) {
		for _, s := range []string{secret1, secret2} {
			if strings.Contains(string(req.RequestBody), s) || strings.Contains(string(req.ResponseBody), s) {
				t.Fatalf("journal holds a secret: %s %s %s", req.Method, req.RequestBody, req.ResponseBody)
			}
		}
	}
	pages := []string{"/_fake/requests", "/_fake/console/journal", "/_fake/console/organizations/" + e.d.OrganizationID}
	for _, p := range pages {
		page := e.adminCall("GET", p, nil).wantStatus(t, 200)
		if strings.Contains(string(page.Body), "s3cr3t") {
			t.Fatalf("%s shows a secret", p)
		}
		if p != "/_fake/console/journal" && !strings.Contains(string(page.Body), id) {
			t.Fatalf("%s does not list the function", p)
		}
	}
	l := e.do("GET", e.hogPath(""), nil)
	if strings.Contains(string(l.Body), "s3cr3t") || strings.Contains(string(g.Body), "s3cr3t") {
		t.Fatal("a response shows a secret")
	}
}

// TestHogFunctionValidation: PostHog's messages and attrs, and nothing written on failure.
func TestHogFunctionValidation(t *testing.T) {
	e := newEnv(t)
	hook := func(over map[string]any) map[string]any {
		b := webhookBody("v")
		for k, v := range over {
			b[k] = v
		}
		return b
	}
	cases := []struct {
		name             string
		body             any
		code, detail, at string
	}{
		{"unknown template", hook(map[string]any{"template_id": "template-nope"}), "invalid_input", "No template found for id 'template-nope'", "template_id"},
		{"bad type", hook(map[string]any{"type": "webhook"}), "invalid_choice", `"webhook" is not a valid choice.`, "type"},
		{"no hog, no template", map[string]any{"type": "destination", "name": "x"}, "invalid_input", "Required.", "hog"},
		{"blank hog", map[string]any{"type": "destination", "hog": "  "}, "blank", store.MsgBlank, "hog"},
		{"hog with errors", map[string]any{"hog": "let x := fetch(inputs.url"}, "invalid_input", "Hog code has errors.", "hog"},
		{"required input", hook(map[string]any{"inputs": map[string]any{"method": map[string]any{"value": "POST"}}}), "invalid_input", store.MsgRequired, "inputs__url"},
		{"input type", hook(map[string]any{"inputs": map[string]any{"url": map[string]any{"value": 5}}}), "invalid_input", "Value must be a string.", "inputs__url"},
		{"input not an object", hook(map[string]any{"inputs": map[string]any{"url": "https://x"}}), "invalid_input", "Invalid data. Expected a dictionary, but got str.", "inputs__url"},
		{"templating", hook(map[string]any{"inputs": map[string]any{"url": map[string]any{"value": "u", "templating": "jinja"}}}), "invalid_choice", `"jinja" is not a valid choice.`, "inputs__url__templating"},
		{"schema item type", map[string]any{"hog": "return 1", "inputs_schema": []any{map[string]any{"key": "a", "type": "text"}}}, "invalid_choice", `"text" is not a valid choice.`, "inputs_schema__0__type"},
		{"schema item key", map[string]any{"hog": "return 1", "inputs_schema": []any{map[string]any{"type": "string"}}}, "required", store.MsgRequired, "inputs_schema__0__key"},
		{"filters events", hook(map[string]any{"filters": map[string]any{"events": "x"}}), "not_a_list", `Expected a list of items but got type "str".`, "filters__events"},
		{"masking ttl", hook(map[string]any{"masking": map[string]any{"ttl": 5, "hash": "{person.id}"}}), "min_value", "Ensure this value is greater than or equal to 60.", "masking__ttl"},
		{"mappings on a transformation", map[string]any{"type": "transformation", "hog": "return event", "mappings": []any{map[string]any{"name": "m"}}}, "invalid_input", "Mappings are only allowed for destinations.", "mappings"},
		{"execution order", hook(map[string]any{"execution_order": -1}), "min_value", "Ensure this value is greater than or equal to 0.", "execution_order"},
		{"not an object", []any{1}, "invalid_input", "Invalid data. Expected a dictionary, but got list.", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.do("POST", e.hogPath(""), c.body).wantError(t, 400, "validation_error", c.code, c.detail, c.at)
		})
	}
	if n := e.do("GET", e.hogPath("?type=destination,transformation"), nil).get("count").Int(); n != 0 {
		t.Fatalf("failed creates left %d functions", n)
	}
}

// TestHogFunctionTransformationOrder: transformations are numbered in creation order,
// rearrange/ renumbers them (session only), and an unknown id changes nothing.
func TestHogFunctionTransformationOrder(t *testing.T) {
	e := newEnv(t)
	var ids []string
	for i := range 3 {
		r := e.do("POST", e.hogPath(""), map[string]any{"type": "transformation", "name": fmt.Sprint("t", i), "template_id": "template-blank-transformation", "enabled": true}).wantStatus(t, 201)
		if r.get("execution_order").Int() != int64(i+1) || r.get("hog").String() == "" {
			t.Fatalf("create %d: %s", i, r.Body)
		}
		ids = append(ids, r.get("id").String())
	}
	path := e.hogPath("rearrange/")
	orders := map[string]any{"orders": map[string]any{ids[0]: 3, ids[2]: 1}}
	e.do("PATCH", path, orders).wantError(t, 403, "authentication_error", "permission_denied", "This action does not support personal API key access", "")
	e.do("PATCH", path, map[string]any{"orders": map[string]any{}}, asSession(e.d.Session)).wantError(t, 400, "validation_error", "invalid_input", "No orders provided", "")
	bad := "0190f2a4-0000-7000-8000-000000000000"
	e.do("PATCH", path, map[string]any{"orders": map[string]any{ids[0]: 9, bad: 1}}, asSession(e.d.Session)).
		wantError(t, 400, "validation_error", "invalid_input", "HogFunction with id "+bad+" does not exist", "")
	r := e.do("PATCH", path, orders, asSession(e.d.Session)).wantStatus(t, 200)
	if r.get("#").Int() != 3 || r.get("0.id").String() != ids[2] || r.get("2.id").String() != ids[0] {
		t.Fatalf("rearrange: %s", r.Body)
	}
	l := e.do("GET", e.hogPath("?type=transformation"), nil)
	if l.get("results.0.id").String() != ids[2] || l.get("results.0.execution_order").Int() != 1 {
		t.Fatalf("list order: %s", l.Body)
	}
}

// TestHogFunctionScopes: hog_function:read lists and reads, writing needs hog_function:write.
func TestHogFunctionScopes(t *testing.T) {
	e := newEnv(t)
	reader := e.addMember(e.d.OrganizationID, 1, "reader@example.com", "hog_function:read")
	e.do("GET", e.hogPath(""), nil, asKey(reader.Key)).wantStatus(t, 200)
	e.do("POST", e.hogPath(""), webhookBody("x"), asKey(reader.Key)).
		wantError(t, 403, "authentication_error", "permission_denied", "API key missing required scope 'hog_function:write'", "")
	other := e.addMember(e.d.OrganizationID, 1, "other@example.com", "feature_flag:read")
	e.do("GET", e.hogPath(""), nil, asKey(other.Key)).
		wantError(t, 403, "authentication_error", "permission_denied", "API key missing required scope 'hog_function:read'", "")
	t2 := e.do("GET", fmt.Sprintf("/api/projects/%d/hog_function_templates/?types=destination,transformation", e.d.ProjectID), nil).wantStatus(t, 200)
	if t2.get("count").Int() != 3 || e.do("GET", fmt.Sprintf("/api/projects/%d/hog_function_templates/template-slack/", e.d.ProjectID), nil).get("code").String() == "" {
		t.Fatalf("templates: %s", t2.Body)
	}
}
