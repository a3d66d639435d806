package fake_test

import (
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/fakehog/fakehog/fake"
	"github.com/fakehog/fakehog/httptestutil"
	"github.com/fakehog/fakehog/scenarios"
	"github.com/tidwall/gjson"
)

// Isolated worlds for parallel test workers (issue #23): POST /_fake/worlds gives a worker
// credentials that reach only its world, with a client that sets nothing but a host and a key.

// call sends one request and returns the status and the JSON answer.
func call(t *testing.T, c *http.Client, method, url, body string, hdr ...string) (int, gjson.Result) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, gjson.ParseBytes(data)
}

// worldsServer is a server with the scenario loader, as the command builds it.
func worldsServer(t *testing.T, opts ...fake.Option) *httptestutil.Server {
	return httptestutil.NewServer(t, append([]fake.Option{fake.WithScenarioLoader(scenarios.Loader()),
		fake.WithScenarioNames(scenarios.Builtins()...)}, opts...)...)
}

func TestWorldsIsolateParallelClients(t *testing.T) {
	srv := worldsServer(t)
	plain := &http.Client{}
	newWorld := func(body string) gjson.Result {
		status, w := call(t, plain, "POST", srv.URL+"/_fake/worlds", body)
		if status != 201 {
			t.Fatalf("POST /_fake/worlds %s: %d %s", body, status, w.Raw)
		}
		return w
	}
	w1, w2 := newWorld(""), newWorld(`{}`)
	if w1.Get("id").String() != "w1" || w2.Get("id").String() != "w2" || w1.Get("base_url").String() != srv.URL ||
		w1.Get("world_url").String() != srv.URL+"/_fake/worlds/w1" || w1.Get("user_email").String() != "owner@fakehog.dev" {
		t.Fatalf("worlds: %s %s", w1.Raw, w2.Raw)
	}
	k1, k2 := w1.Get("api_key").String(), w2.Get("api_key").String()
	if !strings.HasPrefix(k1, "phx_") || k1 == k2 || k1 == srv.APIKey || w1.Get("session").String() == w2.Get("session").String() {
		t.Fatalf("credentials are not fresh: %s %s", k1, k2)
	}

	// Two workers, each with its own key, write and read at once: each sees its writes only.
	var wg sync.WaitGroup
	for i, key := range []string{k1, k2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := srv.ClientWithKey(key)
			for n := range 10 {
				status, _ := call(t, c, "POST", srv.URL+"/api/organizations/@current/invites/", fmt.Sprintf(`{"target_email": "worker%d-%d@example.com"}`, i, n))
				if status != 201 {
					t.Errorf("worker %d: invite %d", i, status)
				}
			}
			status, page := call(t, c, "GET", srv.URL+"/api/organizations/@current/invites/", "")
			if status != 200 || page.Get("count").Int() != 10 {
				t.Errorf("worker %d sees %d invites: %d", i, page.Get("count").Int(), status)
			}
			for _, e := range page.Get("results.#.target_email").Array() {
				if !strings.HasPrefix(e.String(), fmt.Sprintf("worker%d-", i)) {
					t.Errorf("worker %d sees %s", i, e)
				}
			}
		}()
	}
	wg.Wait()
	// The server's own world saw none of it.
	if _, page := call(t, srv.Client(), "GET", srv.URL+"/api/organizations/@current/invites/", ""); page.Get("count").Int() != 0 {
		t.Errorf("the main world has %d invites", page.Get("count").Int())
	}
	if n := srv.Journal().Count("POST", ""); n != 0 {
		t.Errorf("the main journal holds %d of the worlds' writes", n)
	}

	// Each world has its own journal and controls, under its world_url.
	status, reqs := call(t, plain, "GET", w1.Get("world_url").String()+"/requests?method=POST", "")
	if status != 200 || reqs.Get("count").Int() != 10 {
		t.Errorf("w1's journal: %d %d", status, reqs.Get("count").Int())
	}
	call(t, plain, "POST", w1.Get("world_url").String()+"/reset", "")
	if _, page := call(t, srv.ClientWithKey(k1), "GET", srv.URL+"/api/organizations/@current/invites/", ""); page.Get("count").Int() != 0 {
		t.Errorf("w1 after its reset: %d invites", page.Get("count").Int())
	}
	if _, page := call(t, srv.ClientWithKey(k2), "GET", srv.URL+"/api/organizations/@current/invites/", ""); page.Get("count").Int() != 10 {
		t.Errorf("w2 after w1's reset: %d invites", page.Get("count").Int())
	}
	// The key still works after the reset (it is part of the world's initial state).
	if status, _ := call(t, srv.ClientWithKey(k1), "GET", srv.URL+"/api/users/@me/", ""); status != 200 {
		t.Errorf("w1's key after reset: %d", status)
	}

	// The world's API by path, with its base URL (pagination's links keep the prefix).
	status, page := call(t, srv.ClientWithKey(k2), "GET", w2.Get("world_url").String()+"/api/organizations/@current/invites/?limit=3", "")
	if status != 200 || page.Get("next").String() != w2.Get("world_url").String()+"/api/organizations/@current/invites/?limit=3&offset=3" {
		t.Errorf("by path: %d %s", status, page.Get("next"))
	}
	if status, _ := call(t, srv.Client(), "GET", w2.Get("world_url").String()+"/api/organizations/", ""); status != 401 {
		t.Errorf("the main world's key in w2: %d", status)
	}

	// A session reaches its world too; a key minted in the world reaches it.
	status, me := call(t, plain, "GET", srv.URL+"/api/users/@me/", "", "Cookie", "sessionid="+w2.Get("session").String())
	if status != 200 || me.Get("email").String() != "owner@fakehog.dev" {
		t.Errorf("session: %d", status)
	}
	csrf := strings.Repeat("c", 32) // a session's writes carry PostHog's CSRF token (csrf.go)
	status, minted := call(t, plain, "POST", srv.URL+"/api/personal_api_keys/", `{"label": "ci", "scopes": ["*"]}`,
		"Cookie", "sessionid="+w2.Get("session").String()+"; posthog_csrftoken="+csrf, "X-CSRFToken", csrf)
	if status != 201 {
		t.Fatalf("mint in w2: %d %s", status, minted.Raw)
	}
	if _, page := call(t, srv.ClientWithKey(minted.Get("value").String()), "GET", srv.URL+"/api/organizations/@current/invites/", ""); page.Get("count").Int() != 10 {
		t.Errorf("a key minted in w2 sees %d invites", page.Get("count").Int())
	}

	// Listing and dropping.
	if _, list := call(t, plain, "GET", srv.URL+"/_fake/worlds", ""); list.Get("count").Int() != 2 || list.Get("results.1.api_key").String() != k2 {
		t.Errorf("list: %s", list.Raw)
	}
	if status, _ := call(t, plain, "DELETE", srv.URL+"/_fake/worlds/w1", ""); status != 204 {
		t.Errorf("DELETE: %d", status)
	}
	if status, _ := call(t, srv.ClientWithKey(k1), "GET", srv.URL+"/api/organizations/", ""); status != 401 {
		t.Errorf("a dropped world's key: %d", status)
	}
	if status, _ := call(t, plain, "GET", srv.URL+"/_fake/worlds/w1", ""); status != 404 {
		t.Errorf("GET a dropped world: %d", status)
	}
	if status, _ := call(t, plain, "GET", srv.URL+"/_fake/worlds/w1/requests", ""); status != 404 {
		t.Errorf("a dropped world's journal: %d", status)
	}
	if status, _ := call(t, plain, "DELETE", srv.URL+"/_fake/worlds/w1", ""); status != 404 {
		t.Errorf("DELETE twice: %d", status)
	}
}

func TestWorldsFromScenarios(t *testing.T) {
	srv := worldsServer(t)
	plain := &http.Client{}
	status, w := call(t, plain, "POST", srv.URL+"/_fake/worlds", `{"name": "demo"}`)
	if status != 201 || w.Get("user_email").String() != "ada@hedgebox.io" || w.Get("api_key").String() == "phx_demo_ada_key" {
		t.Fatalf("demo world: %d %s", status, w.Raw)
	}
	if _, orgs := call(t, srv.ClientWithKey(w.Get("api_key").String()), "GET", srv.URL+"/api/organizations/", ""); orgs.Get("count").Int() < 2 {
		t.Errorf("the demo world's organizations: %s", orgs.Raw)
	}
	// The world's clock stands at the scenario's now.
	if _, c := call(t, plain, "GET", w.Get("world_url").String()+"/clock", ""); !strings.HasPrefix(c.Get("now").String(), "2026-") {
		t.Errorf("clock %s", c.Raw)
	}
	status, w = call(t, plain, "POST", srv.URL+"/_fake/worlds", `{"yaml": "users:\n  - email: zed@example.com\norganizations:\n  - name: Tiny\n    members: [{user: zed@example.com, level: owner}]\n", "seed": 5}`)
	if status != 201 || w.Get("user_email").String() != "zed@example.com" || w.Get("api_key").String() == "" {
		t.Fatalf("yaml world: %d %s", status, w.Raw)
	}
	for _, c := range []struct{ body, attr string }{
		{`{"name": "nope"}`, "name"},
		{`{"seed": "x"}`, "seed"},
		{`{"yaml": "users: [{emial: x}]"}`, "yaml"},
		{`[1]`, ""},
	} {
		status, e := call(t, plain, "POST", srv.URL+"/_fake/worlds", c.body)
		if status != 400 || e.Get("attr").String() != c.attr || e.Get("type").String() != "validation_error" {
			t.Errorf("%s: %d %s", c.body, status, e.Raw)
		}
	}
	if _, list := call(t, plain, "GET", srv.URL+"/_fake/worlds", ""); list.Get("count").Int() != 2 {
		t.Errorf("refused worlds were added: %s", list.Raw)
	}
	// The admin token guards the worlds' routes, not their API.
	tok := worldsServer(t, fake.WithAdminToken("s3cret"))
	if status, _ := call(t, plain, "POST", tok.URL+"/_fake/worlds", ""); status != 401 {
		t.Errorf("without the token: %d", status)
	}
	status, w = call(t, plain, "POST", tok.URL+"/_fake/worlds", "", "X-Fakehog-Admin-Token", "s3cret")
	if status != 201 {
		t.Fatalf("with the token: %d", status)
	}
	if status, _ := call(t, plain, "GET", w.Get("world_url").String()+"/requests", ""); status != 401 {
		t.Errorf("a world's controls without the token: %d", status)
	}
	if status, _ := call(t, tok.ClientWithKey(w.Get("api_key").String()), "GET", tok.URL+"/api/organizations/", ""); status != 200 {
		t.Errorf("a world's API: %d", status)
	}
}

// BenchmarkIdleWorld creates default worlds and reports the heap each one keeps while idle
// (heap-bytes/world).
//
//	go test ./fake -run '^$' -bench IdleWorld -benchtime 200x
func BenchmarkIdleWorld(b *testing.B) {
	srv, err := fake.New()
	if err != nil {
		b.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	n := 0
	for b.Loop() {
		if _, err := srv.NewWorld(nil, nil); err != nil {
			b.Fatal(err)
		}
		n++
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(n), "heap-bytes/world")
	runtime.KeepAlive(srv)
}
