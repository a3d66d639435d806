package fake

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tidwall/gjson"
)

// The persistence walk: every operation of the route table, with real bodies sent
// form-encoded, multipart or as JSON, through a fakehog child process on a data directory;
// then SIGKILL, a restart on the same directory, and the state export must be byte-identical.

// walkChildEnv, when set in the environment, makes TestPersistWalkChild serve a fakehog on
// the data directory it names (the parent test's child process) instead of skipping.
const walkChildEnv = "FAKEHOG_WALK_CHILD_DIR"

// TestPersistWalkChild is the child process of TestPersistenceWalkSurvivesSIGKILL (and
// TestPersistenceRacesAdminOperationsWithSIGKILL): a fakehog with a data directory (and
// testLoader for POST /_fake/scenario) on a loopback port, printing its URL, serving until killed (or
// until its parent is gone).
func TestPersistWalkChild(t *testing.T) {
	dir := os.Getenv(walkChildEnv)
	if dir == "" {
		t.Skip("the child process of TestPersistenceWalkSurvivesSIGKILL")
	}
	srv, err := New(WithSeed(7), WithDataDir(dir), WithScenarioLoader(testLoader))
	if err != nil {
		fmt.Println("ERROR", err)
		os.Exit(3)
	}
	ts := newLoopbackServer(srv)
	fmt.Println("URL=" + ts)
	// Serve until killed, or until the parent goes away (its end of stdin closes), so
	// that a parent that crashes leaves no server behind.
	_, _ = io.Copy(io.Discard, os.Stdin)
	os.Exit(0)
}

// newLoopbackServer serves h on a free loopback port and returns its base URL.
func newLoopbackServer(h http.Handler) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go func() { _ = http.Serve(ln, h) }()
	return "http://" + ln.Addr().String()
}

// walkChild is a running child fakehog.
type walkChild struct {
	cmd  *exec.Cmd
	base string
}

// startWalkChild starts the test binary as a fakehog on dir.
func startWalkChild(t *testing.T, dir string) *walkChild {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestPersistWalkChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), walkChildEnv+"="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = io.Discard
	if _, err := cmd.StdinPipe(); err != nil { // closed when this process exits
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			line := sc.Text()
			if u, ok := strings.CutPrefix(line, "URL="); ok {
				found <- u
			} else if strings.HasPrefix(line, "ERROR") {
				found <- line
			}
		}
	}()
	select {
	case u := <-found:
		if strings.HasPrefix(u, "ERROR") {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			t.Fatalf("the child fakehog did not start: %s", u)
		}
		c := &walkChild{cmd: cmd, base: u}
		t.Cleanup(c.kill)
		return c
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatal("the child fakehog did not start")
	}
	return nil
}

// kill ends the child with SIGKILL: no shutdown code runs.
func (c *walkChild) kill() {
	if c.cmd.ProcessState != nil {
		return
	}
	_ = c.cmd.Process.Signal(syscall.SIGKILL)
	_ = c.cmd.Wait()
}

// walkBody is one request body and how it is sent.
type walkBody struct {
	ct   string
	data []byte
}

// encodeWalkBody sends a flat body form-encoded (or, every third one, multipart) and any
// other as JSON.
func encodeWalkBody(body any, n int) walkBody {
	v, flat := body.(map[string]any)
	for _, x := range v {
		switch x.(type) {
		case string, bool, json.Number:
		default:
			flat = false
		}
	}
	if !flat || len(v) == 0 {
		data, _ := json.Marshal(body)
		return walkBody{"application/json", data}
	}
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if n%3 == 2 {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		_ = mw.SetBoundary(fmt.Sprintf("fakehogwalk%d", n))
		for _, k := range keys {
			_ = mw.WriteField(k, fmt.Sprint(v[k]))
		}
		_ = mw.Close()
		return walkBody{mw.FormDataContentType(), buf.Bytes()}
	}
	form := url.Values{}
	for _, k := range keys {
		form.Set(k, fmt.Sprint(v[k]))
	}
	return walkBody{"application/x-www-form-urlencoded", []byte(form.Encode())}
}

// walkBodies are real bodies for the write operations, by "METHOD template"; operations not
// listed are sent {} (JSON) or no body.
func walkBodies() map[string]any {
	type obj = map[string]any
	plugin := obj{"plugin_type": "source", "name": "Walk plugin", "description": "walked"}
	source := obj{"index.ts": "export function processEvent(event) { return event }"}
	s3 := obj{"type": "S3", "config": obj{"bucket_name": "walk", "region": "us-east-1",
		"prefix": "events/", "aws_access_key_id": "AKIA", "aws_secret_access_key": "secret"}}
	export := obj{"name": "Walk S3", "interval": "hour", "destination": s3}
	const o = "/api/organizations/{organization_id}/"
	return map[string]any{
		"POST /api/organizations/":                            obj{"name": "Walk Corp"},
		"PATCH /api/organizations/{id}/":                      obj{"name": "Walked", "members_can_use_personal_api_keys": true},
		"PUT /api/organizations/{id}/":                        obj{"name": "Walked again"},
		"POST /api/organizations/{id}/environments_rollback/": obj{"{project_id}": "{project_id}"},
		"POST " + o + "batch_exports/":                        export,
		"POST " + o + "batch_exports/run_test_step_new/":      export,
		"POST " + o + "batch_exports/{id}/run_test_step/":     export,
		"PATCH " + o + "batch_exports/{id}/":                  obj{"name": "Walk S3 renamed"},
		"PUT " + o + "batch_exports/{id}/":                    obj{"name": "Walk S3 put", "interval": "day", "destination": s3},
		"POST " + o + "batch_exports/{id}/backfill/":          obj{"start_at": "2026-01-01", "end_at": "2026-01-03"},
		"POST " + o + "projects/{id}/change_organization/":    obj{"organization_id": "{walk_org}"},
		"POST " + o + "cimd_verification_tokens/":             obj{"label": "walk"},
		"POST " + o + "domains/":                              obj{"domain": "walk.example.com"},
		"PATCH " + o + "domains/{id}/":                        obj{"domain": "walk.example.com"},
		"PUT " + o + "domains/{id}/":                          obj{"domain": "walk.example.com"},
		"POST " + o + "invites/":                              obj{"target_email": "walk@example.com", "level": 8, "first_name": "Walt"},
		"POST " + o + "invites/bulk/":                         []any{obj{"target_email": "bulk@example.com"}, obj{"target_email": "bulk2@example.com", "level": 1}},
		"POST " + o + "invites/delegate/":                     obj{"target_email": "delegate@example.com"},
		"POST " + o + "legal_documents/": obj{"document_type": "DPA", "company_name": "Walk Inc.",
			"company_address": "1 Walk St", "representative_email": "legal@walk.example.com", "representative_name": "Wanda",
			"representative_title": "CEO", "dpa_mode": "pretty"},
		"POST " + o + "pipeline_destinations/":                        plugin,
		"POST " + o + "pipeline_frontend_apps/":                       plugin,
		"POST " + o + "pipeline_import_apps/":                         plugin,
		"POST " + o + "pipeline_transformations/":                     plugin,
		"POST " + o + "plugins/":                                      plugin,
		"PATCH " + o + "plugins/{id}/":                                obj{"description": "patched"},
		"PATCH " + o + "plugins/{id}/update_source/":                  source,
		"PATCH " + o + "pipeline_destinations/{id}/update_source/":    obj{"index.ts": "export async function onEvent(event) {}"},
		"PATCH " + o + "pipeline_frontend_apps/{id}/update_source/":   obj{"frontend.tsx": "export function App() { return null }"},
		"PATCH " + o + "pipeline_import_apps/{id}/update_source/":     obj{"index.ts": "export async function runEveryHour() {}"},
		"PATCH " + o + "pipeline_transformations/{id}/update_source/": source,
		"POST " + o + "projects/":                                     obj{"name": "Walk project"},
		"PATCH " + o + "projects/{id}/":                               obj{"name": "Walk project renamed", "app_urls": []string{"https://walk.example.com"}},
		"PUT " + o + "projects/{id}/":                                 obj{"name": "Walk project put"},
		"PATCH " + o + "projects/{id}/add_product_intent/":            obj{"product_type": "product_analytics"},
		"PATCH " + o + "projects/{id}/complete_product_onboarding/":   obj{"product_type": "product_analytics"},
		"POST " + o + "proxy_records/":                                obj{"domain": "t.walk.example.com"},
		"PATCH " + o + "proxy_records/{id}/":                          obj{"domain": "u.walk.example.com"},
		"PUT " + o + "proxy_records/{id}/":                            obj{"domain": "v.walk.example.com"},
		"POST " + o + "roles/":                                        obj{"name": "Walkers"},
		"PATCH " + o + "roles/{id}/":                                  obj{"name": "Walkers renamed"},
		"PUT " + o + "roles/{id}/":                                    obj{"name": "Walkers put"},
		"POST " + o + "roles/{role_id}/role_memberships/":             obj{"user_uuid": "{user__uuid}"},
		"POST " + o + "role_external_references/": obj{"role": "{role_id}", "provider": "github",
			"provider_organization_id": "walk-org", "provider_role_id": "7", "provider_role_name": "Walkers"},
	}
}

// walkPhase orders the walk: creations first, then reads and changes, then deletions, then
// moving a project to the organization the walk created, and deleting the organization last.
func walkPhase(rt route) int {
	switch {
	case rt.Method == "DELETE" && rt.Path == "/api/organizations/{id}/":
		return 5
	case strings.HasSuffix(rt.Path, "/change_organization/"):
		return 4 // moves a project away: after everything else done to projects
	case rt.Method == "DELETE":
		return 3
	case rt.Path == "/api/organizations/{organization_id}/role_external_references/":
		return 2 // needs a role
	case rt.Method == "POST" && !strings.Contains(strings.TrimPrefix(rt.Path, "/api/organizations/{organization_id}/"), "{"):
		return 0
	case rt.Method == "GET":
		return 1
	}
	return 2
}

func TestPersistenceWalkSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills processes")
	}
	dir := t.TempDir()
	child := startWalkChild(t, dir)
	client := &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	do := func(method, path string, b walkBody) (int, []byte) {
		t.Helper()
		req, err := http.NewRequest(method, child.base+path, bytes.NewReader(b.data))
		if err != nil {
			t.Fatal(err)
		}
		if b.ct != "" {
			req.Header.Set("Content-Type", b.ct)
		}
		// The session reaches every operation (some are session-only); the key is used
		// for the rest, so both kinds of credentials are logged and replayed.
		asSession(DefaultSession)(req)
		res, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer res.Body.Close()
		data, _ := io.ReadAll(res.Body)
		return res.StatusCode, data
	}
	_, me := do("GET", "/api/organizations/@current/", walkBody{})
	org := gjson.GetBytes(me, "id").String()
	_, members := do("GET", "/api/organizations/"+org+"/members/", walkBody{})
	userUUID := gjson.GetBytes(members, "results.0.user.uuid").String()
	if org == "" || userUUID == "" {
		t.Fatalf("no organization or user in the default world: %s %s", me, members)
	}
	created := map[string]string{} // collection path → id of the record the walk created there
	firstID := func(list string) string {
		if id, ok := created[list]; ok {
			return id
		}
		_, out := do("GET", list, walkBody{})
		if id := gjson.GetBytes(out, "results.0.id").String(); id != "" {
			return id
		}
		return gjson.GetBytes(out, "0.id").String()
	}
	// fill replaces a template's variables with records that exist now.
	fill := func(tmpl string) string {
		p := strings.ReplaceAll(tmpl, "{organization_id}", org)
		p = strings.ReplaceAll(p, "{user__uuid}", userUUID)
		if strings.HasPrefix(p, "/api/organizations/{id}/") {
			p = strings.Replace(p, "{id}", org, 1)
		}
		if strings.Contains(p, "{role_id}") {
			p = strings.Replace(p, "{role_id}", firstID("/api/organizations/"+org+"/roles/"), 1)
		}
		if i := strings.Index(p, "{id}"); i >= 0 {
			p = p[:i] + firstID(p[:i]) + p[i+len("{id}"):]
		}
		return p
	}
	table := routes(&Server{})
	sort.SliceStable(table, func(i, j int) bool {
		pi, pj := walkPhase(table[i]), walkPhase(table[j])
		if pi == 3 && pj == 3 { // nested records go before their parents
			return len(table[i].Path) > len(table[j].Path)
		}
		return pi < pj
	})
	bodies := walkBodies()
	seen := map[string]bool{}
	byEncoding := map[string]int{} // successful writes by content type
	var succeeded, writes int
	setUp := false
	for n, rt := range table {
		if walkPhase(rt) > 0 && !setUp {
			// A pipeline family shows a plugin once its source has the family's functions
			// (PostHog's filters): give the plugins created there their sources.
			setUp = true
			for _, fs := range [][2]string{
				{"pipeline_transformations", "export function processEvent(event) { return event }"},
				{"pipeline_destinations", "export async function onEvent(event) {}"},
				{"pipeline_import_apps", "export async function runEveryHour() {}"},
			} {
				family, src := fs[0], fs[1]
				id := created["/api/organizations/"+org+"/"+family+"/"]
				path := "/api/organizations/" + org + "/plugins/" + id + "/update_source/"
				if status, out := do("PATCH", path, encodeWalkBody(map[string]any{"index.ts": src}, 0)); status != 200 {
					t.Fatalf("PATCH %s → %d %s", path, status, out)
				}
			}
		}
		key := rt.Method + " " + rt.Path
		seen[key] = true
		var b walkBody
		if rt.Method != "GET" && rt.Method != "DELETE" {
			v := bodies[key]
			if v == nil {
				v = map[string]any{}
			}
			raw, _ := json.Marshal(v)
			raw = []byte(strings.NewReplacer(
				"{user__uuid}", userUUID,
				"{role_id}", firstID("/api/organizations/"+org+"/roles/"),
				"{project_id}", gjson.GetBytes(me, "teams.0.id").Raw,
				"{walk_org}", created["/api/organizations/"],
			).Replace(string(raw)))
			var filled any
			dec := json.NewDecoder(bytes.NewReader(raw))
			dec.UseNumber()
			if err := dec.Decode(&filled); err != nil {
				t.Fatal(err)
			}
			b = encodeWalkBody(filled, n)
		}
		path := fill(rt.Path)
		status, out := do(rt.Method, path, b)
		if status >= 500 {
			t.Errorf("%s → %d %s", key, status, out)
		}
		if rt.Method == "DELETE" && status < 300 {
			for list, id := range created {
				if strings.HasPrefix(path, list+id+"/") {
					delete(created, list) // gone: later operations take a record that exists
				}
			}
		}
		if rt.Method == "POST" && status == 201 && !strings.Contains(path, "{") {
			if id := gjson.GetBytes(out, "id").String(); id != "" {
				if _, ok := created[path]; !ok {
					created[path] = id
				}
			}
		}
		if rt.Method != "GET" {
			writes++
			if status < 300 {
				succeeded++
				ct, _, _ := strings.Cut(b.ct, ";")
				byEncoding[ct]++
			} else {
				t.Logf("%s → %d %s", key, status, truncate(out))
			}
		}
	}
	if len(seen) != 159 {
		t.Fatalf("walked %d operations, want 159", len(seen))
	}
	t.Logf("walked %d operations; %d of %d writes succeeded; successful writes by body: %v", len(seen), succeeded, writes, byEncoding)
	// The writes that cannot succeed here: the organization-scoped activity log export
	// (unsupported in PostHog too), a SCIM token (needs a verified SAML domain), the two
	// integration writes (integrations are not created through this API), retrying a proxy
	// record that is not erroring, and the owner leaving the organization.
	if succeeded < 75 || byEncoding["application/x-www-form-urlencoded"] < 10 || byEncoding["multipart/form-data"] < 5 || byEncoding["application/json"] < 10 {
		t.Errorf("the walk must change the state through every kind of body: %d of %d writes succeeded, %v", succeeded, writes, byEncoding)
	}
	_, before := do("GET", "/_fake/snapshot", walkBody{})
	if !gjson.ValidBytes(before) || len(before) < 1000 {
		t.Fatalf("no state export: %s", truncate(before))
	}
	child.kill()
	child = startWalkChild(t, dir)
	_, after := do("GET", "/_fake/snapshot", walkBody{})
	if !bytes.Equal(before, after) {
		t.Fatalf("the state after SIGKILL and restart differs from the state before (%d vs %d bytes)", len(before), len(after))
	}
}
