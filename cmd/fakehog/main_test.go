package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a log sink safe for the server goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// start runs the server with args until the test ends and returns its base URL and log.
func start(t *testing.T, args ...string) (string, *syncBuffer) {
	t.Helper()
	for _, env := range []string{"FAKEHOG_ADDR", "FAKEHOG_SCENARIO", "FAKEHOG_API_KEY", "FAKEHOG_SESSION", "FAKEHOG_SEED", "FAKEHOG_ADMIN_TOKEN", "FAKEHOG_LOG_FORMAT", "FAKEHOG_LOG_REQUESTS"} {
		t.Setenv(env, "")
		os.Unsetenv(env)
	}
	ctx, cancel := context.WithCancel(context.Background())
	logs := &syncBuffer{}
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- run(ctx, append([]string{"-addr", "127.0.0.1:0"}, args...), logs, ready) }()
	select {
	case addr := <-ready:
		t.Cleanup(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("run: %v", err)
			}
		})
		return "http://" + addr, logs
	case err := <-done:
		cancel()
		t.Fatalf("run: %v\n%s", err, logs)
	case <-time.After(10 * time.Second):
		t.Fatal("server did not start")
	}
	return "", nil
}

func getWith(t *testing.T, url, key string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(res.Body).Decode(&body)
	return res.StatusCode, body
}

func TestDefaultScenario(t *testing.T) {
	base, logs := start(t)
	status, body := getWith(t, base+"/api/organizations/@current/", "phx_fakehog_default_owner_key")
	if status != 200 || body["name"] != "Fakehog" {
		t.Fatalf("%d %v", status, body)
	}
	// The scenario's now, then time flows.
	if created := body["created_at"]; created != "2026-01-15T10:00:00Z" {
		t.Fatalf("created_at %v", created)
	}
	for _, want := range []string{"scenario=default", "user=owner@fakehog.dev", "api_key=phx_fakehog_default_owner_key", "session=fakehog-owner-session"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("startup log lacks %q:\n%s", want, logs)
		}
	}
}

func TestDemoScenarioAndAdminToken(t *testing.T) {
	base, logs := start(t, "-scenario", "demo", "-admin-token", "s3cret")
	if status, body := getWith(t, base+"/api/organizations/", "phx_demo_ada_key"); status != 200 || body["count"].(float64) != 2 {
		t.Fatalf("%d %v", status, body)
	}
	for _, want := range []string{"scenario=demo", "api_key=phx_demo_ada_key", "user=kim@globex.dev api_keys=phx_demo_kim_key"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("startup log lacks %q:\n%s", want, logs)
		}
	}
	if status, _ := getWith(t, base+"/_fake/clock", ""); status != 401 && status != 403 {
		t.Fatalf("control route without the admin token: %d", status)
	}
	if status, _ := getWith(t, base+"/_fake/clock", "s3cret"); status != 200 {
		t.Fatalf("control route with the admin token: %d", status)
	}
}

func TestScenarioFileFromEnvironment(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "my.yaml")
	doc := "seed: 5\nnow: 2026-02-01T00:00:00Z\nusers:\n  - {email: me@example.com, personal_api_keys: [{value: phx_me}]}\n" +
		"organizations:\n  - {name: Mine, members: [{user: me@example.com, level: owner}]}\n"
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	base, _ := start(t, "-scenario", path, "-api-key", "phx_override")
	if status, body := getWith(t, base+"/api/organizations/@current/", "phx_override"); status != 200 || body["name"] != "Mine" {
		t.Fatalf("%d %v", status, body)
	}
}

func TestCheck(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"-check", "-scenario", "../../testdata/scenarios/example.yaml"}, &out, nil); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "is valid") {
		t.Fatalf("output %q", out.String())
	}
	path := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(path, []byte("users:\n  - email: a@b.co\n    frist_name: A\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := run(context.Background(), []string{"-check", "-scenario", path}, &out, nil)
	if err == nil || err.Error() != path+`:3:5: users[0].frist_name: unknown key "frist_name" in a user; did you mean "first_name"?` {
		t.Fatalf("check: %v", err)
	}
	// Rules only seeding checks are found too.
	if err := os.WriteFile(path, []byte("users: [{email: a@b.co}]\norganizations:\n  - {name: X, members: [{user: a@b.co, level: owner}], domains: [{domain: nope}]}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	err = run(context.Background(), []string{"-check", "-scenario", path}, &out, nil)
	if err == nil || !strings.HasSuffix(err.Error(), "organizations[0].domains[0].domain: Please enter a valid domain or subdomain name.") {
		t.Fatalf("check: %v", err)
	}
	if err := run(context.Background(), []string{"-check", "-scenario", "nope"}, &out, nil); err == nil || !strings.Contains(err.Error(), `no builtin scenario "nope"`) {
		t.Fatalf("unknown builtin: %v", err)
	}
}

func TestNonLoopbackWarnsWithoutAdminToken(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	logs := &syncBuffer{}
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"-addr", "0.0.0.0:0"}, logs, ready) }()
	select {
	case <-ready:
	case err := <-done:
		t.Skipf("cannot listen on 0.0.0.0 here: %v", err)
	}
	cancel()
	<-done
	if !strings.Contains(logs.String(), "listening beyond loopback") || !strings.Contains(logs.String(), "set -admin-token or FAKEHOG_ADMIN_TOKEN") {
		t.Fatalf("no warning:\n%s", logs)
	}
}

// TestAllowedHosts: the control routes and the console refuse a Host that is neither loopback
// nor allowed, naming -allowed-hosts; the flag (and FAKEHOG_ALLOWED_HOSTS) allow more names;
// the API answers any Host.
func TestAllowedHosts(t *testing.T) {
	getHost := func(base, path, host string) (int, map[string]any) {
		req, _ := http.NewRequest(http.MethodGet, base+path, nil)
		req.Host = host
		req.Header.Set("Authorization", "Bearer phx_fakehog_default_owner_key")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var body map[string]any
		_ = json.NewDecoder(res.Body).Decode(&body)
		return res.StatusCode, body
	}
	t.Setenv("FAKEHOG_ALLOWED_HOSTS", "")
	base, _ := start(t, "-allowed-hosts", "fakehog, .example.test")
	for host, want := range map[string]int{"fakehog:8010": 200, "api.example.test": 200, "localhost": 200, "evil.example": 403} {
		if status, body := getHost(base, "/_fake/clock", host); status != want {
			t.Errorf("Host %s → %d %v, want %d", host, status, body, want)
		}
	}
	if status, body := getHost(base, "/", "evil.example"); status != 403 || !strings.Contains(body["detail"].(string), "-allowed-hosts evil.example") {
		t.Errorf("console for evil.example → %d %v", status, body)
	}
	if status, _ := getHost(base, "/api/organizations/", "evil.example"); status != 200 {
		t.Errorf("API for evil.example → %d", status)
	}
	t.Setenv("FAKEHOG_ALLOWED_HOSTS", "from-env")
	base, _ = start(t)
	if status, _ := getHost(base, "/_fake/clock", "from-env:1"); status != 200 {
		t.Errorf("FAKEHOG_ALLOWED_HOSTS: %d", status)
	}
	if status, _ := getHost(base, "/_fake/clock", "fakehog"); status != 403 {
		t.Errorf("a name the environment does not allow: %d", status)
	}
}
