package fake

import (
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/fakehog/fakehog/fake/store"
	"github.com/tidwall/gjson"
)

// pluginFamilyCase is one of the five plugin route families, with source code that fits it.
type pluginFamilyCase struct {
	name  string // the route segment
	kind  store.PluginKind
	files map[string]string // code whose capabilities put a plugin in the family
}

var pluginFamilyCases = []pluginFamilyCase{
	{"plugins", store.PluginsAll, map[string]string{"index.ts": "export function processEvent(e) { return e }"}},
	{"pipeline_transformations", store.PipelineTransformations, map[string]string{"index.ts": "export function processEvent(e) { return e }"}},
	{"pipeline_destinations", store.PipelineDestinations, map[string]string{"index.ts": "export async function onEvent(e) {}"}},
	{"pipeline_frontend_apps", store.PipelineFrontendApps, map[string]string{"site.ts": "export function inject() {}"}},
	{"pipeline_import_apps", store.PipelineImportApps, map[string]string{"index.ts": "export async function runEveryHour() {}"}},
}

var reSHA = regexp.MustCompile(`^[0-9a-f]{40}$`)

// The plugin actions answer their own shapes (BEHAVIOR.md §9), not the viewset's Plugin
// that drf-spectacular claims; the pipeline_* families are checked as
// pipeline_transformations (oascheck's aliases). Their bodies are asserted below.
func init() {
	for _, family := range []string{"plugins", "pipeline_transformations"} {
		base := "/api/organizations/{parent_lookup_organization_id}/" + family + "/"
		schemaExempt["GET "+base+"{id}/check_for_updates/"] = "answers {plugin: Plugin} (§9)"
		schemaExempt["GET "+base+"{id}/source/"] = "answers {filename: source} (§9)"
		schemaExempt["PATCH "+base+"{id}/update_source/"] = "answers {filename: source} (§9)"
		schemaExempt["GET "+base+"activity/"] = "answers the activity page {results,next,previous,total_count} (§9)"
		schemaExempt["GET "+base+"repository/"] = "answers the repository's JSON array (§9)"
		schemaExempt["GET "+base+"unused/"] = "answers a plain array of plugin ids (§9)"
	}
	schemaExemptActions["GET exports_unsubscribe_configs"] = "answers a plain array of plugin configs (§9)"
}

// setPluginsLevel sets the organization's plugins_access_level, as a scenario does.
func setPluginsLevel(e *env, orgID string, level int) {
	e.t.Helper()
	withWriteTx(e, func(tx *store.Tx) error {
		tx.Org(orgID).PluginsAccessLevel = level
		return nil
	})
}

// seedPlugin creates a plugin directly in the store and returns its id.
func seedPlugin(e *env, orgID string, in store.NewPlugin) int {
	e.t.Helper()
	var id int
	withWriteTx(e, func(tx *store.Tx) error {
		p, err := tx.SeedPlugin(orgID, in)
		if err == nil {
			id = p.ID
		}
		return err
	})
	return id
}

// secondOrg creates another organization (owned by a new user) with a project.
func secondOrg(e *env, name string, level int) (orgID string, projectID int) {
	e.t.Helper()
	withWriteTx(e, func(tx *store.Tx) error {
		u, err := tx.CreateUser(store.NewUser{Email: strings.ToLower(name) + "@example.com"})
		if err != nil {
			return err
		}
		o, err := tx.CreateOrganization(u, store.Values{"name": name}, store.NewOrganization{Features: store.AllFeatures, PluginsAccessLevel: &level})
		if err != nil {
			return err
		}
		orgID, projectID = o.ID, u.CurrentTeamID
		return nil
	})
	return orgID, projectID
}

func (e *env) pluginPath(family string, rest string) string { return e.orgPath(family + "/" + rest) }

// sess answers as the default owner's session (the detail and list actions refuse keys).
func (e *env) sess() reqOpt { return asSession(e.d.Session) }

func TestPluginAccessLevels(t *testing.T) {
	for _, fam := range pluginFamilyCases {
		t.Run(fam.name, func(t *testing.T) {
			e := newEnv(t)
			id := seedPlugin(e, e.d.OrganizationID, store.NewPlugin{Name: "mine", Files: fam.files})
			one := fmt.Sprintf("%d/", id)
			reads := []struct{ method, path string }{
				{"GET", ""}, {"GET", one}, {"GET", "activity/"}, {"GET", "repository/"}, {"GET", "unused/"}, {"GET", "exports_unsubscribe_configs/"},
			}
			writes := []struct{ method, path string }{
				{"POST", ""}, {"PATCH", one}, {"DELETE", one}, {"PATCH", one + "update_source/"}, {"POST", one + "upgrade/"},
			}
			deny := func(method, path string) {
				t.Helper()
				e.do(method, e.pluginPath(fam.name, path), map[string]any{}, e.sess()).
					wantError(t, 403, "authentication_error", "permission_denied", store.MsgPluginAccessInsufficient, "")
			}
			// Level 0: nothing at all.
			setPluginsLevel(e, e.d.OrganizationID, store.PluginsAccessNone)
			for _, op := range append(reads, writes...) {
				deny(op.method, op.path)
			}
			// Level 3 (PostHog Cloud): reads only; the detail actions need the install level.
			setPluginsLevel(e, e.d.OrganizationID, store.PluginsAccessConfig)
			for _, op := range reads {
				e.do(op.method, e.pluginPath(fam.name, op.path), nil, e.sess()).wantStatus(t, 200)
			}
			for _, op := range writes {
				deny(op.method, op.path)
			}
			e.do("GET", e.pluginPath(fam.name, one+"check_for_updates/"), nil, e.sess()).
				wantError(t, 403, "authentication_error", "permission_denied", "Plugin installation is not available for the current organization!", "")
			e.do("GET", e.pluginPath(fam.name, one+"source/"), nil, e.sess()).
				wantError(t, 403, "authentication_error", "permission_denied", "Plugin source editing is not available for the current organization!", "")
			// Level 6: installs, but global plugins need the root level (9).
			setPluginsLevel(e, e.d.OrganizationID, store.PluginsAccessInstall)
			e.do("POST", e.pluginPath(fam.name, ""), map[string]any{"plugin_type": "source", "name": "g", "is_global": true}, e.sess()).
				wantError(t, 403, "authentication_error", "permission_denied", store.MsgPluginGlobalManage, "")
			e.do("PATCH", e.pluginPath(fam.name, one), map[string]any{"is_global": false}, e.sess()).
				wantError(t, 403, "authentication_error", "permission_denied", store.MsgPluginGlobalManage, "")
			e.do("GET", e.pluginPath(fam.name, one+"source/"), nil, e.sess()).wantStatus(t, 200)
			e.do("PATCH", e.pluginPath(fam.name, one), map[string]any{"description": "ok"}, e.sess()).wantStatus(t, 200)
			setPluginsLevel(e, e.d.OrganizationID, store.PluginsAccessRoot)
			r := e.do("PATCH", e.pluginPath(fam.name, one), map[string]any{"is_global": true}, e.sess()).wantStatus(t, 200)
			if !r.get("is_global").Bool() {
				t.Fatalf("is_global not set by a root organization: %s", r.Body)
			}
		})
	}
}

func TestPluginAccessForMembersAndKeys(t *testing.T) {
	e := newEnv(t)
	// Any member may install: the organization's level is what counts.
	m := e.addMember(e.d.OrganizationID, store.LevelMember, "member@example.com")
	e.do("POST", e.orgPath("plugins/"), map[string]any{"plugin_type": "source", "name": "by a member"}, asKey(m.Key)).wantStatus(t, 201)
	// A key needs the plugin scope, and the actions refuse keys.
	k := e.addMember(e.d.OrganizationID, store.LevelOwner, "scoped@example.com", "organization:read")
	e.do("GET", e.orgPath("pipeline_destinations/"), nil, asKey(k.Key)).
		wantError(t, 403, "authentication_error", "permission_denied", "API key missing required scope 'plugin:read'", "")
	e.do("GET", e.orgPath("plugins/repository/"), nil).
		wantError(t, 403, "authentication_error", "permission_denied", "This action does not support personal API key access", "")
	// Outsiders are refused before the access level is considered.
	out := e.addMember(e.d.OrganizationID, 0, "outsider@example.com")
	e.do("GET", e.orgPath("plugins/"), nil, asKey(out.Key)).
		wantError(t, 403, "authentication_error", "permission_denied", store.MsgNoPermission, "")
}

func TestPluginCreateFromURL(t *testing.T) {
	for _, fam := range pluginFamilyCases {
		t.Run(fam.name, func(t *testing.T) {
			e := newEnv(t)
			url := "https://github.com/acme/posthog-" + fam.name + "-app"
			r := e.do("POST", e.pluginPath(fam.name, ""), map[string]any{"url": url + "?private_token=secret", "name": "ignored", "is_global": false}).wantStatus(t, 201)
			tag := r.get("tag").String()
			if r.get("plugin_type").String() != "custom" || r.get("name").String() != "posthog-"+fam.name+"-app" ||
				r.get("description").String() != "A plugin from github.com/acme/posthog-"+fam.name+"-app." ||
				r.get("url").String() != url || !reSHA.MatchString(tag) || r.get("latest_tag").String() != tag ||
				r.get("organization_id").String() != e.d.OrganizationID || r.get("organization_name").String() != "Fakehog" ||
				r.get("is_global").Bool() || r.get("hog_function_migration_available").Bool() || r.get("id").Int() < 1 {
				t.Fatalf("created = %s", r.Body)
			}
			id := r.get("id").Int()
			// The emulated code fits the family it was installed through.
			for _, other := range pluginFamilyCases {
				got := e.do("GET", e.pluginPath(other.name, fmt.Sprintf("%d/", id)), nil).Status
				want := 404
				if other.kind == store.PluginsAll || other.kind == fam.kind || fam.kind == store.PluginsAll && other.kind == store.PipelineTransformations {
					want = 200
				}
				if got != want {
					t.Errorf("GET %s/%d = %d, want %d", other.name, id, got, want)
				}
			}
			src := e.do("GET", e.pluginPath(fam.name, fmt.Sprintf("%d/source/", id)), nil, e.sess()).wantStatus(t, 200)
			if !gjson.Valid(src.get(gjsonEscape("plugin.json")).String()) || gjson.Get(src.get(gjsonEscape("plugin.json")).String(), "name").String() != "posthog-"+fam.name+"-app" {
				t.Fatalf("source = %s", src.Body)
			}
			// One plugin per URL, whatever the token, in any family.
			for _, again := range []string{url, url + "?private_token=other"} {
				e.do("POST", e.orgPath("plugins/"), map[string]any{"url": again}).
					wantError(t, 400, "validation_error", "invalid_input", `Plugin from URL "`+url+`" already installed!`, "")
			}
			// The installation is in the plugin activity.
			act := e.do("GET", e.pluginPath(fam.name, "activity/"), nil, e.sess()).wantStatus(t, 200)
			if act.get("total_count").Int() != 1 || act.get("results.0.activity").String() != "installed" ||
				act.get("results.0.scope").String() != "Plugin" || act.get("results.0.item_id").String() != fmt.Sprint(id) ||
				act.get("results.0.detail.name").String() != "posthog-"+fam.name+"-app" || act.get("results.0.user.email").String() != e.d.UserEmail {
				t.Fatalf("activity = %s", act.Body)
			}
		})
	}
}

func TestPluginCreateFromURLForms(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		url, name, tag string
	}{
		{"https://github.com/acme/pinned/commit/" + strings.Repeat("ab", 20), "pinned", strings.Repeat("ab", 20)},
		{"https://github.com/acme/released/releases/tag/v1.2.0", "released", "refs/tags/v1.2.0"},
		{"https://github.com/acme/archived/archive/v3.zip", "archived", "v3"},
		{"https://www.npmjs.com/package/@acme/posthog-npm-plugin/v/2.0.1", "posthog-npm-plugin", "2.0.1"},
		{"https://www.npmjs.com/package/latest-npm-plugin", "latest-npm-plugin", "1.0.0"},
		{"https://gitlab.com/acme/group/gitlab-plugin/-/tree/v9", "gitlab-plugin", "v9"},
	}
	for _, c := range cases {
		r := e.do("POST", e.orgPath("plugins/"), map[string]any{"url": c.url, "plugin_type": "repository"}).wantStatus(t, 201)
		if r.get("name").String() != c.name || r.get("tag").String() != c.tag || r.get("plugin_type").String() != "repository" {
			t.Errorf("%s: created = %s", c.url, r.Body)
		}
	}
	// A branch is resolved to its latest commit.
	r := e.do("POST", e.orgPath("plugins/"), map[string]any{"url": "https://github.com/acme/branchy/tree/main"}).wantStatus(t, 201)
	if !reSHA.MatchString(r.get("tag").String()) || r.get("url").String() != "https://github.com/acme/branchy/tree/main" {
		t.Errorf("branch install = %s", r.Body)
	}
}

func TestPluginCreateValidation(t *testing.T) {
	e := newEnv(t)
	cases := []fieldCase{
		{"no url", map[string]any{}, "invalid_input", store.MsgPluginURL, ""},
		{"not a repository url", map[string]any{"url": "https://example.com/acme/plugin"}, "invalid_input", store.MsgPluginURL, ""},
		{"number url", map[string]any{"url": 12}, "invalid_input", store.MsgPluginURL, ""},
		{"unknown local path", map[string]any{"url": "file:/srv/plugins/x"}, "invalid_input", "Could not load plugin.json from: /srv/plugins/x/plugin.json", ""},
		{"bad type", map[string]any{"plugin_type": "binary"}, "invalid_choice", `"binary" is not a valid choice.`, "plugin_type"},
		{"long name", map[string]any{"plugin_type": "source", "name": strings.Repeat("n", 201)}, "max_length", store.MsgMaxLen(200), "name"},
		{"long icon", map[string]any{"plugin_type": "source", "icon": strings.Repeat("i", 801)}, "max_length", store.MsgMaxLen(800), "icon"},
		{"null config_schema", map[string]any{"plugin_type": "source", "config_schema": nil}, "null", store.MsgNull, "config_schema"},
		{"null capabilities", map[string]any{"plugin_type": "source", "capabilities": nil}, "null", store.MsgNull, "capabilities"},
		{"bad is_global", map[string]any{"plugin_type": "source", "is_global": "maybe"}, "invalid_input", store.MsgInvalidBool, "is_global"},
		{"object name", map[string]any{"plugin_type": "source", "name": map[string]any{}}, "invalid_input", store.MsgInvalidString, "name"},
		{"not an object", "[1]", "invalid_input", "Invalid data. Expected a dictionary, but got list.", ""},
	}
	for _, fam := range pluginFamilyCases {
		for _, c := range cases {
			t.Run(fam.name+"/"+c.name, func(t *testing.T) {
				e.do("POST", e.pluginPath(fam.name, ""), c.body).wantError(t, 400, "validation_error", c.code, c.detail, c.attr)
			})
		}
	}
	if n := e.do("GET", e.orgPath("plugins/"), nil).get("count").Int(); n != 0 {
		t.Fatalf("%d plugins after failed creates", n)
	}
	// A scenario's local plugin installs from its emulated disk.
	withWriteTx(e, func(tx *store.Tx) error {
		return tx.SetPluginRemote("file:/srv/plugins/x", store.PluginRemote{Files: map[string]string{
			"plugin.json": `{"name": "Local thing", "config": {}}`, "index.js": "export function onEvent() {}"}})
	})
	r := e.do("POST", e.orgPath("plugins/"), map[string]any{"url": "file:/srv/plugins/x"}).wantStatus(t, 201)
	if r.get("plugin_type").String() != "local" || r.get("name").String() != "Local thing" || r.get("tag").Type != gjson.Null ||
		r.get("capabilities.methods").Raw != `["onEvent"]` {
		t.Fatalf("local install = %s", r.Body)
	}
	// A stateless plugin may not have a config.
	withWriteTx(e, func(tx *store.Tx) error {
		return tx.SetPluginRemote("https://github.com/acme/stateless", store.PluginRemote{Tag: "t1", Files: map[string]string{
			"plugin.json": `{"name": "S", "stateless": true, "config": [{"key": "k"}]}`, "index.ts": ""}})
	})
	e.do("POST", e.orgPath("plugins/"), map[string]any{"url": "https://github.com/acme/stateless"}).
		wantError(t, 400, "validation_error", "invalid_input", store.MsgPluginStatelessConfig, "")
}

func TestPluginCreateSourceAndEdit(t *testing.T) {
	e := newEnv(t)
	r := e.do("POST", e.orgPath("pipeline_transformations/"), map[string]any{"plugin_type": "source", "name": "My filter", "description": "d"}).wantStatus(t, 201)
	id := r.get("id").Int()
	if r.get("capabilities").Raw != "{}" || r.get("url").Type != gjson.Null || r.get("tag").Type != gjson.Null || r.get("plugin_type").String() != "source" {
		t.Fatalf("created = %s", r.Body)
	}
	// Without code it is a frontend app, not (yet) a transformation.
	e.do("GET", e.orgPath(fmt.Sprintf("pipeline_transformations/%d/", id)), nil).wantStatus(t, 404)
	e.do("GET", e.orgPath(fmt.Sprintf("pipeline_frontend_apps/%d/", id)), nil).wantStatus(t, 200)
	src := e.orgPath(fmt.Sprintf("plugins/%d/update_source/", id))
	// Bad input changes nothing.
	before := e.do("GET", e.orgPath(fmt.Sprintf("plugins/%d/", id)), nil).Body
	e.do("PATCH", src, map[string]any{"index.ts": "export function processEvent(e) { return e }", "plugin.json": "{nope"}, e.sess()).
		wantError(t, 400, "validation_error", "invalid_input", "Could not parse plugin.json: invalid character 'n' looking for beginning of object key string", "")
	e.do("PATCH", src, map[string]any{"index.ts": 5}, e.sess()).wantError(t, 400, "validation_error", "invalid_input", store.MsgInvalidString, "index.ts")
	e.do("PATCH", src, "[]", e.sess()).wantError(t, 400, "validation_error", "invalid_input", "Invalid data. Expected a dictionary, but got list.", "")
	if after := e.do("GET", e.orgPath(fmt.Sprintf("plugins/%d/", id)), nil).Body; string(after) != string(before) {
		t.Fatalf("failed update_source changed the plugin:\n%s\n%s", before, after)
	}
	// Code makes it a transformation; plugin.json renames it and sets its config schema.
	up := e.do("PATCH", src, map[string]any{
		"index.ts":    "export function processEvent(e) { return e }",
		"plugin.json": `{"name": "Renamed filter", "config": {"field": {"type": "string"}}}`,
	}, e.sess()).wantStatus(t, 200)
	if up.get(gjsonEscape("index.ts")).String() != "export function processEvent(e) { return e }" || len(up.JSON.Map()) != 2 {
		t.Fatalf("update_source = %s", up.Body)
	}
	p := e.do("GET", e.orgPath(fmt.Sprintf("pipeline_transformations/%d/", id)), nil).wantStatus(t, 200)
	if p.get("name").String() != "Renamed filter" || p.get("config_schema.field.type").String() != "string" ||
		p.get("capabilities").Raw != `{"jobs":[],"methods":["processEvent"],"scheduled_tasks":[]}` {
		t.Fatalf("after update_source = %s", p.Body)
	}
	e.do("GET", e.orgPath(fmt.Sprintf("pipeline_frontend_apps/%d/", id)), nil).wantStatus(t, 404)
	// null deletes a file; a site app without a main file has no capabilities.
	up = e.do("PATCH", src, map[string]any{"index.ts": nil, "site.ts": "export function inject() {}", "missing.ts": nil}, e.sess()).wantStatus(t, 200)
	if up.get(gjsonEscape("index.ts")).Exists() || up.get(gjsonEscape("missing.ts")).Exists() || !up.get(gjsonEscape("site.ts")).Exists() || !up.get(gjsonEscape("plugin.json")).Exists() {
		t.Fatalf("update_source = %s", up.Body)
	}
	got := e.do("GET", e.orgPath(fmt.Sprintf("plugins/%d/source/", id)), nil, e.sess()).wantStatus(t, 200)
	if string(got.Body) != string(up.Body) {
		t.Fatalf("source = %s, want %s", got.Body, up.Body)
	}
	e.do("GET", e.orgPath(fmt.Sprintf("pipeline_frontend_apps/%d/", id)), nil).wantStatus(t, 200)
}

// TestPluginCapabilitiesFromSource derives capabilities from code and checks which families
// show the plugin.
func TestPluginCapabilitiesFromSource(t *testing.T) {
	cases := []struct {
		name     string
		files    map[string]string
		caps     string // the capabilities JSON
		families []string
	}{
		{"processEvent", map[string]string{"index.ts": "export async function processEvent(event, meta) { return event }"},
			`{"jobs":[],"methods":["processEvent"],"scheduled_tasks":[]}`, []string{"pipeline_transformations"}},
		{"arrow const", map[string]string{"index.ts": "export const processEvent: Plugin['processEvent'] = async (e) => e\nexport const setupPlugin = () => {}"},
			`{"jobs":[],"methods":["setupPlugin","processEvent"],"scheduled_tasks":[]}`, []string{"pipeline_transformations"}},
		{"onEvent", map[string]string{"index.ts": "export async function onEvent(event) {}"},
			`{"jobs":[],"methods":["onEvent"],"scheduled_tasks":[]}`, []string{"pipeline_destinations"}},
		{"composeWebhook", map[string]string{"index.js": "export function composeWebhook(event) { return { url: 'https://example.com' } }"},
			`{"jobs":[],"methods":["composeWebhook"],"scheduled_tasks":[]}`, []string{"pipeline_destinations"}},
		{"exportEvents becomes onEvent", map[string]string{"index.ts": "export const exportEvents = async (events) => {}"},
			`{"jobs":[],"methods":["onEvent","exportEvents"],"scheduled_tasks":[]}`, []string{"pipeline_destinations"}},
		{"transformation and destination", map[string]string{"index.ts": "export function processEvent(e) { return e }\nexport function onEvent(e) {}"},
			`{"jobs":[],"methods":["onEvent","processEvent"],"scheduled_tasks":[]}`, []string{"pipeline_transformations", "pipeline_destinations"}},
		{"scheduled task", map[string]string{"index.ts": "export async function runEveryMinute(meta) {}\nexport async function runEveryDay() {}"},
			`{"jobs":[],"methods":[],"scheduled_tasks":["runEveryMinute","runEveryDay"]}`, []string{"pipeline_import_apps"}},
		{"jobs", map[string]string{"index.ts": "export const jobs: PluginJobs = {\n  syncAll: async (payload, meta) => { call({a: 1, b: 2}) },\n  'quoted-job': async () => {},\n  async retry() {},\n}\nexport function setupPlugin() {}"},
			`{"jobs":["syncAll","quoted-job","retry"],"methods":["setupPlugin"],"scheduled_tasks":[]}`, []string{"pipeline_import_apps"}},
		{"setup only", map[string]string{"index.ts": "export function setupPlugin() {}\nexport function teardownPlugin() {}"},
			`{"jobs":[],"methods":["setupPlugin","teardownPlugin"],"scheduled_tasks":[]}`, []string{"pipeline_import_apps"}},
		{"empty main file", map[string]string{"index.ts": ""},
			`{"jobs":[],"methods":[],"scheduled_tasks":[]}`, []string{"pipeline_import_apps"}},
		{"commented out", map[string]string{"index.ts": "// export function processEvent(e) {}\n/* export function onEvent() {} */\nconst url = 'https://x' // export function onEvent\nexport function getSettings() {}"},
			`{"jobs":[],"methods":["getSettings"],"scheduled_tasks":[]}`, []string{"pipeline_import_apps"}},
		{"export list", map[string]string{"index.ts": "async function handle(e) {}\nexport { handle as onEvent, setupPlugin }"},
			`{"jobs":[],"methods":["setupPlugin","onEvent"],"scheduled_tasks":[]}`, []string{"pipeline_destinations"}},
		{"commonjs", map[string]string{"index.js": "module.exports = { processEvent, runEveryHour: async () => {} }"},
			`{"jobs":[],"methods":["processEvent"],"scheduled_tasks":["runEveryHour"]}`, []string{"pipeline_transformations", "pipeline_import_apps"}},
		{"frontend app", map[string]string{"frontend.tsx": "export const scene = {}", "plugin.json": "{}"}, `{}`, []string{"pipeline_frontend_apps"}},
		{"site app", map[string]string{"site.ts": "export function inject() {}"}, `{}`, []string{"pipeline_frontend_apps"}},
	}
	e := newEnv(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			id := e.do("POST", e.orgPath("plugins/"), map[string]any{"plugin_type": "source", "name": c.name}).wantStatus(t, 201).get("id").Int()
			body := map[string]any{}
			for k, v := range c.files {
				body[k] = v
			}
			e.do("PATCH", e.orgPath(fmt.Sprintf("plugins/%d/update_source/", id)), body, e.sess()).wantStatus(t, 200)
			r := e.do("GET", e.orgPath(fmt.Sprintf("plugins/%d/", id)), nil).wantStatus(t, 200)
			if r.get("capabilities").Raw != c.caps {
				t.Errorf("capabilities = %s, want %s", r.get("capabilities").Raw, c.caps)
			}
			if got := store.PluginCapabilities(c.files); !reflect.DeepEqual(gjson.Parse(c.caps).Value(), any(got)) {
				t.Errorf("PluginCapabilities = %v, want %s", got, c.caps)
			}
			var in []string
			for _, fam := range pluginFamilyCases[1:] {
				if e.do("GET", e.pluginPath(fam.name, fmt.Sprintf("%d/", id)), nil).Status == 200 {
					in = append(in, fam.name)
				}
			}
			if !reflect.DeepEqual(in, c.families) {
				t.Errorf("shown by %v, want %v", in, c.families)
			}
		})
	}
	if store.PluginCapabilities(map[string]string{"plugin.json": "{}"}) != nil || store.PluginCapabilities(nil) != nil {
		t.Error("capabilities derived without any code")
	}
}

// TestPluginFamilyFilters lists and addresses plugins through each family.
func TestPluginFamilyFilters(t *testing.T) {
	e := newEnv(t)
	ids := map[store.PluginKind]int{}
	for _, fam := range pluginFamilyCases[1:] {
		ids[fam.kind] = seedPlugin(e, e.d.OrganizationID, store.NewPlugin{Name: fam.name, Files: fam.files})
	}
	// Capabilities written directly (PostHog lets PATCH set them) count as well.
	weird := seedPlugin(e, e.d.OrganizationID, store.NewPlugin{Name: "tasks", Capabilities: map[string]any{"scheduled_tasks": []any{}, "methods": []any{"processEvent"}}})
	want := map[string][]int{
		"plugins":                  {ids[store.PipelineTransformations], ids[store.PipelineDestinations], ids[store.PipelineFrontendApps], ids[store.PipelineImportApps], weird},
		"pipeline_transformations": {ids[store.PipelineTransformations], weird},
		"pipeline_destinations":    {ids[store.PipelineDestinations]},
		"pipeline_frontend_apps":   {ids[store.PipelineFrontendApps]},
		"pipeline_import_apps":     {ids[store.PipelineImportApps]},
	}
	for _, fam := range pluginFamilyCases {
		r := e.do("GET", e.pluginPath(fam.name, ""), nil).wantStatus(t, 200)
		var got []int
		for _, x := range r.get("results.#.id").Array() {
			got = append(got, int(x.Int()))
		}
		if !reflect.DeepEqual(got, want[fam.name]) || r.get("count").Int() != int64(len(want[fam.name])) {
			t.Errorf("%s lists %v, want %v", fam.name, got, want[fam.name])
		}
		// Pagination is limit/offset.
		if fam.kind == store.PluginsAll {
			p := e.do("GET", e.pluginPath(fam.name, "?limit=2&offset=2"), nil).wantStatus(t, 200)
			if p.get("results.#").Int() != 2 || !strings.Contains(p.get("next").String(), "offset=4") || !strings.Contains(p.get("previous").String(), "limit=2") {
				t.Errorf("page = %s", p.Body)
			}
		}
	}
	// A plugin outside the family is not there for any detail operation.
	dest := ids[store.PipelineDestinations]
	for _, op := range []struct{ method, path string }{
		{"GET", "%d/"}, {"PATCH", "%d/"}, {"DELETE", "%d/"}, {"GET", "%d/source/"}, {"PATCH", "%d/update_source/"}, {"POST", "%d/upgrade/"}, {"GET", "%d/check_for_updates/"},
	} {
		e.do(op.method, e.orgPath("pipeline_import_apps/"+fmt.Sprintf(op.path, dest)), map[string]any{}, e.sess()).
			wantError(t, 404, "invalid_request", "not_found", store.MsgNotFound, "")
	}
	for _, bad := range []string{"999/", "abc/"} {
		e.do("GET", e.orgPath("plugins/"+bad), nil).wantError(t, 404, "invalid_request", "not_found", store.MsgNotFound, "")
	}
	e.do("DELETE", e.orgPath(fmt.Sprintf("pipeline_destinations/%d/", dest)), nil).wantStatus(t, 204)
}

func TestPluginUpdate(t *testing.T) {
	for _, fam := range pluginFamilyCases {
		t.Run(fam.name, func(t *testing.T) {
			e := newEnv(t)
			id := seedPlugin(e, e.d.OrganizationID, store.NewPlugin{Name: "before", URL: "https://github.com/acme/upd", Files: fam.files})
			path := e.pluginPath(fam.name, fmt.Sprintf("%d/", id))
			e.clock.Advance(1000)
			r := e.do("PATCH", path, map[string]any{"name": "  after  ", "description": "", "icon": nil, "metrics": map[string]any{"n": 1},
				"public_jobs": nil, "url": "https://github.com/acme/ignored", "id": 99, "organization_name": "x", "latest_tag": "y"}).wantStatus(t, 200)
			if r.get("name").String() != "after" || r.get("description").String() != "" || r.get("icon").Type != gjson.Null ||
				r.get("metrics.n").Int() != 1 || r.get("public_jobs").Type != gjson.Null || r.get("url").String() != "https://github.com/acme/upd" ||
				r.get("id").Int() != int64(id) || r.get("organization_name").String() != "Fakehog" {
				t.Fatalf("patched = %s", r.Body)
			}
			if got := e.do("GET", path, nil).wantStatus(t, 200); got.get("name").String() != "after" {
				t.Fatalf("retrieve = %s", got.Body)
			}
			for _, c := range []struct {
				body               map[string]any
				code, detail, attr string
			}{
				{map[string]any{"name": strings.Repeat("x", 201)}, "max_length", store.MsgMaxLen(200), "name"},
				{map[string]any{"tag": strings.Repeat("x", 201)}, "max_length", store.MsgMaxLen(200), "tag"},
				{map[string]any{"plugin_type": "zip"}, "invalid_choice", `"zip" is not a valid choice.`, "plugin_type"},
				{map[string]any{"config_schema": nil}, "null", store.MsgNull, "config_schema"},
				{map[string]any{"is_global": []any{}}, "invalid_input", store.MsgInvalidBool, "is_global"},
			} {
				e.do("PATCH", path, c.body).wantError(t, 400, "validation_error", c.code, c.detail, c.attr)
			}
			// Field errors come before the global-plugin rule.
			setPluginsLevel(e, e.d.OrganizationID, store.PluginsAccessInstall)
			e.do("PATCH", path, map[string]any{"is_global": true, "name": strings.Repeat("x", 201)}).
				wantError(t, 400, "validation_error", "max_length", store.MsgMaxLen(200), "name")
			if got := e.do("GET", path, nil); got.get("name").String() != "after" || got.get("is_global").Bool() {
				t.Fatalf("failed updates changed the plugin: %s", got.Body)
			}
		})
	}
}

func TestPluginDelete(t *testing.T) {
	for _, fam := range pluginFamilyCases {
		t.Run(fam.name, func(t *testing.T) {
			e := newEnv(t)
			id := seedPlugin(e, e.d.OrganizationID, store.NewPlugin{Name: "doomed", Files: fam.files})
			global := seedPlugin(e, e.d.OrganizationID, store.NewPlugin{Name: "everyone's", Files: fam.files, IsGlobal: true})
			withWriteTx(e, func(tx *store.Tx) error {
				_, err := tx.SeedPluginConfig(id, e.d.ProjectID, store.NewPluginConfig{Enabled: true})
				return err
			})
			e.do("DELETE", e.pluginPath(fam.name, fmt.Sprintf("%d/", global)), nil).
				wantError(t, 400, "validation_error", "invalid_input", store.MsgPluginGlobalUninstall, "")
			e.do("DELETE", e.pluginPath(fam.name, fmt.Sprintf("%d/", id)), nil).wantStatus(t, 204)
			e.do("GET", e.pluginPath(fam.name, fmt.Sprintf("%d/", id)), nil).wantStatus(t, 404)
			e.do("DELETE", e.pluginPath(fam.name, fmt.Sprintf("%d/", id)), nil).wantStatus(t, 404)
			withWriteTx(e, func(tx *store.Tx) error {
				if len(tx.ExportsUnsubscribeConfigs(e.d.OrganizationID)) != 0 || tx.PluginByID(id) != nil {
					t.Error("the plugin's configs survived it")
				}
				return nil
			})
			act := e.do("GET", e.pluginPath(fam.name, "activity/"), nil, e.sess()).wantStatus(t, 200)
			if act.get("total_count").Int() != 1 || act.get("results.0.activity").String() != "uninstalled" || act.get("results.0.detail.name").String() != "doomed" {
				t.Fatalf("activity = %s", act.Body)
			}
			// Made local, it can go.
			e.do("PATCH", e.pluginPath(fam.name, fmt.Sprintf("%d/", global)), map[string]any{"is_global": false}).wantStatus(t, 200)
			e.do("DELETE", e.pluginPath(fam.name, fmt.Sprintf("%d/", global)), nil).wantStatus(t, 204)
		})
	}
}

// TestPluginOtherOrganizations: global plugins and plugins configured in the organization's
// projects are visible, but only their own organization manages them.
func TestPluginOtherOrganizations(t *testing.T) {
	for _, fam := range pluginFamilyCases {
		t.Run(fam.name, func(t *testing.T) {
			e := newEnv(t)
			other, otherProject := secondOrg(e, "Elsewhere", store.PluginsAccessRoot)
			global := seedPlugin(e, other, store.NewPlugin{Name: "global", Files: fam.files, IsGlobal: true})
			configured := seedPlugin(e, other, store.NewPlugin{Name: "configured here", Files: fam.files})
			hidden := seedPlugin(e, other, store.NewPlugin{Name: "hidden", Files: fam.files})
			deletedConfig := seedPlugin(e, other, store.NewPlugin{Name: "config deleted", Files: fam.files})
			withWriteTx(e, func(tx *store.Tx) error {
				if _, err := tx.SeedPluginConfig(configured, e.d.ProjectID, store.NewPluginConfig{}); err != nil {
					return err
				}
				if _, err := tx.SeedPluginConfig(hidden, otherProject, store.NewPluginConfig{Enabled: true}); err != nil {
					return err
				}
				_, err := tx.SeedPluginConfig(deletedConfig, e.d.ProjectID, store.NewPluginConfig{Deleted: true})
				return err
			})
			list := e.do("GET", e.pluginPath(fam.name, ""), nil).wantStatus(t, 200)
			if ids := list.get("results.#.id").Raw; ids != fmt.Sprintf("[%d,%d]", global, configured) {
				t.Fatalf("listed %s, want [%d,%d]", ids, global, configured)
			}
			if list.get("results.0.organization_name").String() != "Elsewhere" || list.get("results.0.organization_id").String() != other {
				t.Fatalf("list = %s", list.Body)
			}
			for _, id := range []int{hidden, deletedConfig} {
				e.do("GET", e.pluginPath(fam.name, fmt.Sprintf("%d/", id)), nil).wantStatus(t, 404)
			}
			// PostHog's object permissions run before the views' own checks, in order:
			// PluginsAccessLevelPermission refuses writes to another organization's plugin, then
			// OrganizationMemberPermissions refuses a caller who is not a member of the plugin's
			// organization — except when retrieving a global plugin (dangerously_get_permissions).
			e.do("GET", e.pluginPath(fam.name, fmt.Sprintf("%d/", global)), nil).wantStatus(t, 200)
			e.do("GET", e.pluginPath(fam.name, fmt.Sprintf("%d/", configured)), nil).
				wantError(t, 403, "authentication_error", "permission_denied", store.MsgNoPermission, "")
			for _, id := range []int{global, configured} {
				one := fmt.Sprintf("%d/", id)
				for _, op := range []struct{ method, path string }{{"PATCH", one}, {"DELETE", one}, {"PATCH", one + "update_source/"}, {"POST", one + "upgrade/"}} {
					e.do(op.method, e.pluginPath(fam.name, op.path), map[string]any{}, e.sess()).
						wantError(t, 403, "authentication_error", "permission_denied", store.MsgPluginManagedElsewhere, "")
				}
				for _, action := range []string{"source/", "check_for_updates/"} {
					e.do("GET", e.pluginPath(fam.name, one+action), nil, e.sess()).
						wantError(t, 403, "authentication_error", "permission_denied", store.MsgNoPermission, "")
				}
			}
			// A member of both organizations passes the object permissions; the detail actions
			// then refuse a plugin that is not this organization's own with 404.
			withWriteTx(e, func(tx *store.Tx) error {
				_, err := tx.AddMember(other, tx.UserByEmail(e.d.UserEmail).ID, store.NewMembership{Level: store.LevelMember})
				return err
			})
			for _, id := range []int{global, configured} {
				one := fmt.Sprintf("%d/", id)
				e.do("GET", e.pluginPath(fam.name, one), nil).wantStatus(t, 200)
				for _, action := range []string{"source/", "check_for_updates/"} {
					e.do("GET", e.pluginPath(fam.name, one+action), nil, e.sess()).wantError(t, 404, "invalid_request", "not_found", store.MsgNotFound, "")
				}
				e.do("PATCH", e.pluginPath(fam.name, one), map[string]any{}).
					wantError(t, 403, "authentication_error", "permission_denied", store.MsgPluginManagedElsewhere, "")
			}
			// Deleting the other organization takes its plugins and configs along.
			withWriteTx(e, func(tx *store.Tx) error {
				tx.DeleteOrganization(tx.Org(other))
				return nil
			})
			if n := e.do("GET", e.pluginPath(fam.name, ""), nil).get("count").Int(); n != 0 {
				t.Fatalf("%d plugins left after their organization was deleted", n)
			}
			if ids := e.do("GET", e.pluginPath(fam.name, "unused/"), nil, e.sess()).Body; string(ids) != "[]" {
				t.Fatalf("unused = %s after the organization was deleted", ids)
			}
		})
	}
}

func TestPluginCheckForUpdatesAndUpgrade(t *testing.T) {
	for _, fam := range pluginFamilyCases {
		t.Run(fam.name, func(t *testing.T) {
			e := newEnv(t)
			url := "https://github.com/acme/evolving"
			withWriteTx(e, func(tx *store.Tx) error {
				files := map[string]string{"plugin.json": `{"name": "Evolving", "description": "v1", "config": {}}`}
				for k, v := range fam.files {
					files[k] = v
				}
				return tx.SetPluginRemote(url+"/tree/main", store.PluginRemote{Tag: strings.Repeat("1", 40), Files: files})
			})
			r := e.do("POST", e.pluginPath(fam.name, ""), map[string]any{"url": url, "plugin_type": "repository"}).wantStatus(t, 201)
			id := r.get("id").Int()
			if r.get("tag").String() != strings.Repeat("1", 40) || r.get("name").String() != "Evolving" || r.get("plugin_type").String() != "repository" {
				t.Fatalf("created = %s", r.Body)
			}
			one := e.pluginPath(fam.name, fmt.Sprintf("%d/", id))
			// Nothing new yet.
			c := e.do("GET", one+"check_for_updates/", nil, e.sess()).wantStatus(t, 200)
			if c.get("plugin.latest_tag").String() != strings.Repeat("1", 40) || c.get("plugin.id").Int() != id {
				t.Fatalf("check_for_updates = %s", c.Body)
			}
			// A new commit upstream: same family, new name and description.
			withWriteTx(e, func(tx *store.Tx) error {
				files := map[string]string{"plugin.json": `{"name": "Evolved", "description": "v2", "icon": "https://example.com/i.png", "config": {"k": {}}, "publicJobs": {"go": {}}}`}
				for k, v := range fam.files {
					files[k] = v + "\n// v2"
				}
				return tx.SetPluginRemote(url, store.PluginRemote{Tag: strings.Repeat("2", 40), Files: files})
			})
			c = e.do("GET", one+"check_for_updates/", nil, e.sess()).wantStatus(t, 200)
			if c.get("plugin.latest_tag").String() != strings.Repeat("2", 40) || c.get("plugin.tag").String() != strings.Repeat("1", 40) {
				t.Fatalf("check_for_updates = %s", c.Body)
			}
			if got := e.do("GET", one, nil).get("latest_tag").String(); got != strings.Repeat("2", 40) {
				t.Fatalf("latest_tag = %q after check_for_updates", got)
			}
			u := e.do("POST", one+"upgrade/", nil, e.sess()).wantStatus(t, 200)
			if u.get("tag").String() != strings.Repeat("2", 40) || u.get("latest_tag").String() != strings.Repeat("2", 40) ||
				u.get("name").String() != "Evolved" || u.get("description").String() != "v2" || u.get("icon").String() != "https://example.com/i.png" ||
				u.get("config_schema.k").Raw != "{}" || u.get("public_jobs.go").Raw != "{}" || u.get("plugin_type").String() != "custom" {
				t.Fatalf("upgrade = %s", u.Body)
			}
			src := e.do("GET", one+"source/", nil, e.sess()).wantStatus(t, 200)
			for k := range fam.files {
				if !strings.HasSuffix(src.get(gjsonEscape(k)).String(), "// v2") {
					t.Fatalf("source after upgrade = %s", src.Body)
				}
			}
		})
	}
}

func gjsonEscape(k string) string { return strings.ReplaceAll(k, ".", `\.`) }

func TestPluginCheckForUpdatesPinnedAndSource(t *testing.T) {
	e := newEnv(t)
	sha := strings.Repeat("c", 40)
	r := e.do("POST", e.orgPath("plugins/"), map[string]any{"url": "https://github.com/acme/pinned/commit/" + sha}).wantStatus(t, 201)
	withWriteTx(e, func(tx *store.Tx) error {
		return tx.SetPluginRemote("https://github.com/acme/pinned", store.PluginRemote{Tag: strings.Repeat("d", 40),
			Files: map[string]string{"plugin.json": `{"name": "pinned"}`, "index.ts": ""}})
	})
	c := e.do("GET", e.orgPath(fmt.Sprintf("plugins/%d/check_for_updates/", r.get("id").Int())), nil, e.sess()).wantStatus(t, 200)
	if c.get("plugin.latest_tag").String() != sha {
		t.Fatalf("a pinned commit has an update: %s", c.Body)
	}
	// A source plugin has nowhere to look, and upgrading leaves it alone.
	s := e.do("POST", e.orgPath("plugins/"), map[string]any{"plugin_type": "source", "name": "src"}).wantStatus(t, 201)
	e.do("GET", e.orgPath(fmt.Sprintf("plugins/%d/check_for_updates/", s.get("id").Int())), nil, e.sess()).
		wantError(t, 400, "validation_error", "invalid_input", store.MsgPluginURL, "")
	u := e.do("POST", e.orgPath(fmt.Sprintf("plugins/%d/upgrade/", s.get("id").Int())), nil, e.sess()).wantStatus(t, 200)
	if u.get("plugin_type").String() != "source" || u.get("name").String() != "src" {
		t.Fatalf("upgrade of a source plugin = %s", u.Body)
	}
}

func TestPluginRepository(t *testing.T) {
	e := newEnv(t)
	for _, fam := range pluginFamilyCases {
		r := e.do("GET", e.pluginPath(fam.name, "repository/"), nil, e.sess()).wantStatus(t, 200)
		if !r.JSON.IsArray() || r.get("#").Int() != 8 || r.get("0.name").String() != "GeoIP" ||
			r.get("0.url").String() != "https://github.com/PostHog/posthog-plugin-geoip" || r.get("3.type").String() != "data_out" {
			t.Fatalf("%s repository = %s", fam.name, r.Body)
		}
	}
	// Every catalogue entry installs into the family its kind says.
	cat := e.do("GET", e.orgPath("plugins/repository/"), nil, e.sess())
	for _, entry := range cat.JSON.Array() {
		r := e.do("POST", e.orgPath("plugins/"), map[string]any{"url": entry.Get("url").String(), "plugin_type": "repository"}).wantStatus(t, 201)
		if r.get("name").String() != entry.Get("name").String() || r.get("icon").String() != entry.Get("icon").String() {
			t.Errorf("installed %s", r.Body)
		}
	}
	counts := map[string]int64{}
	for _, fam := range pluginFamilyCases {
		counts[fam.name] = e.do("GET", e.pluginPath(fam.name, ""), nil).get("count").Int()
	}
	if !reflect.DeepEqual(counts, map[string]int64{"plugins": 8, "pipeline_transformations": 3, "pipeline_destinations": 2, "pipeline_frontend_apps": 2, "pipeline_import_apps": 1}) {
		t.Fatalf("catalogue spread = %v", counts)
	}
	// A scenario replaces the listing.
	withWriteTx(e, func(tx *store.Tx) error {
		tx.SetPluginRepository([]any{map[string]any{"name": "Only", "url": "https://github.com/acme/only"}})
		return nil
	})
	if r := e.do("GET", e.orgPath("pipeline_import_apps/repository/"), nil, e.sess()); r.get("#").Int() != 1 || r.get("0.name").String() != "Only" {
		t.Fatalf("replaced repository = %s", r.Body)
	}
}

func TestPluginUnusedAndExportsUnsubscribeConfigs(t *testing.T) {
	e := newEnv(t)
	secret := []any{map[string]any{"key": "apiKey", "secret": true}, map[string]any{"key": "host"}}
	dest := seedPlugin(e, e.d.OrganizationID, store.NewPlugin{Name: "Dest", Description: "sends", Files: pluginFamilyCases[2].files, ConfigSchema: secret})
	localApp := seedPlugin(e, e.d.OrganizationID, store.NewPlugin{Name: "Site", Files: pluginFamilyCases[3].files})
	globalTransform := seedPlugin(e, e.d.OrganizationID, store.NewPlugin{Name: "GT", Files: pluginFamilyCases[1].files, IsGlobal: true})
	globalDest := seedPlugin(e, e.d.OrganizationID, store.NewPlugin{Name: "GD", Files: pluginFamilyCases[2].files, IsGlobal: true})
	unusedID := seedPlugin(e, e.d.OrganizationID, store.NewPlugin{Name: "Idle", Files: pluginFamilyCases[4].files})
	disabled := seedPlugin(e, e.d.OrganizationID, store.NewPlugin{Name: "Disabled", Files: pluginFamilyCases[2].files})
	var destConfig int
	withWriteTx(e, func(tx *store.Tx) error {
		pc, err := tx.SeedPluginConfig(dest, e.d.ProjectID, store.NewPluginConfig{Enabled: true, Order: 2, Config: map[string]any{"apiKey": "s3cret", "host": "h"}})
		if err != nil {
			return err
		}
		destConfig = pc.ID
		for _, id := range []int{localApp, globalTransform, globalDest} {
			if _, err := tx.SeedPluginConfig(id, e.d.ProjectID, store.NewPluginConfig{Enabled: true, Name: "named"}); err != nil {
				return err
			}
		}
		_, err = tx.SeedPluginConfig(disabled, e.d.ProjectID, store.NewPluginConfig{})
		return err
	})
	for _, fam := range pluginFamilyCases {
		u := e.do("GET", e.pluginPath(fam.name, "unused/"), nil, e.sess()).wantStatus(t, 200)
		if want := fmt.Sprintf("[%d,%d]", unusedID, disabled); string(u.Body) != want {
			t.Fatalf("%s unused = %s, want %s", fam.name, u.Body, want)
		}
		x := e.do("GET", e.pluginPath(fam.name, "exports_unsubscribe_configs/"), nil, e.sess()).wantStatus(t, 200)
		if !x.JSON.IsArray() || x.get("#").Int() != 2 {
			t.Fatalf("%s exports_unsubscribe_configs = %s", fam.name, x.Body)
		}
		c := x.get("0")
		if c.Get("id").Int() != int64(destConfig) || c.Get("plugin").Int() != int64(dest) || !c.Get("enabled").Bool() || c.Get("order").Int() != 2 ||
			c.Get("config.apiKey").String() != store.PluginSecretValue || c.Get("config.host").String() != "h" || c.Get("team_id").Int() != int64(e.d.ProjectID) ||
			c.Get("name").String() != "Dest" || c.Get("description").String() != "sends" || c.Get("plugin_info.id").Int() != int64(dest) ||
			c.Get("error").Type != gjson.Null || c.Get("delivery_rate_24h").Type != gjson.Null || c.Get("deleted").Bool() ||
			c.Get("created_at").String() != "2026-01-15T10:00:00Z" {
			t.Fatalf("config = %s", c.Raw)
		}
		if x.get("1.plugin").Int() != int64(globalDest) || x.get("1.name").String() != "named" {
			t.Fatalf("second config = %s", x.get("1").Raw)
		}
	}
	// The secret is kept, only hidden.
	withWriteTx(e, func(tx *store.Tx) error {
		if got := tx.ExportsUnsubscribeConfigs(e.d.OrganizationID)[0].Config["apiKey"]; got != "s3cret" {
			t.Errorf("stored secret = %v", got)
		}
		return nil
	})
}

func TestPluginActivityPages(t *testing.T) {
	e := newEnv(t)
	for i := 0; i < 3; i++ {
		e.do("POST", e.orgPath("plugins/"), map[string]any{"plugin_type": "source", "name": fmt.Sprintf("p%d", i)}).wantStatus(t, 201)
		e.clock.Advance(1e9)
	}
	r := e.do("GET", e.orgPath("pipeline_destinations/activity/?limit=2&page=2"), nil, e.sess()).wantStatus(t, 200)
	if r.get("total_count").Int() != 3 || r.get("results.#").Int() != 1 || r.get("results.0.detail.name").String() != "p0" ||
		r.get("next").Type != gjson.Null || !strings.Contains(r.get("previous").String(), "page=1") {
		t.Fatalf("activity page = %s", r.Body)
	}
	first := e.do("GET", e.orgPath("plugins/activity/?limit=2"), nil, e.sess()).wantStatus(t, 200)
	if first.get("results.0.detail.name").String() != "p2" || !strings.Contains(first.get("next").String(), "page=2") || first.get("previous").Type != gjson.Null {
		t.Fatalf("first activity page = %s", first.Body)
	}
}

// TestPluginStateIsDeepCopied: a snapshot shares no plugin state with the live store.
func TestPluginStateIsDeepCopied(t *testing.T) {
	e := newEnv(t)
	id := seedPlugin(e, e.d.OrganizationID, store.NewPlugin{Name: "snap", Files: pluginFamilyCases[1].files, ConfigSchema: map[string]any{"k": map[string]any{"type": "string"}}})
	snap := e.srv.Store().Snapshot()
	e.do("PATCH", e.orgPath(fmt.Sprintf("plugins/%d/update_source/", id)), map[string]any{"index.ts": "export function onEvent() {}"}, e.sess()).wantStatus(t, 200)
	e.do("PATCH", e.orgPath(fmt.Sprintf("plugins/%d/", id)), map[string]any{"name": "changed"}).wantStatus(t, 200)
	e.srv.Store().Restore(snap)
	r := e.do("GET", e.orgPath(fmt.Sprintf("pipeline_transformations/%d/", id)), nil).wantStatus(t, 200)
	if r.get("name").String() != "snap" || r.get("config_schema.k.type").String() != "string" {
		t.Fatalf("restored = %s", r.Body)
	}
}
