package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// clientVersions are the published PostHog clients the test drives (testdata/clients/package.json).
var clientVersions = map[string]string{"@posthog/cli": "0.18.3", "@posthog/agent-toolkit": "0.2.4"}

// TestPostHogClients installs PostHog's CLI and agent toolkit from npm (pinned, into the
// gitignored testdata/clients/node_modules) and drives them against a fakehog started as
// `go run ./cmd/fakehog` would (default world), configured as their docs say: the CLI's tool
// catalog with host, personal API key and project id, the agent toolkit with key and base
// URL. It lists organizations, gets the current one, lists members, projects and roles, and
// switches project. It needs node, npm and the npm registry, so it runs only when
// FAKEHOG_CLIENT_TESTS=1 (.ci/run sets it).
func TestPostHogClients(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	dir := ensureClients(t, ctx)
	base, _ := start(t)
	status, me := getWith(t, base+"/api/users/@me/", "phx_fakehog_default_owner_key")
	team, _ := me["team"].(map[string]any)
	if status != 200 || team == nil {
		t.Fatalf("users/@me: %d %v", status, me)
	}
	project := strconv.Itoa(int(team["id"].(float64)))
	driveClient(t, ctx, dir, "PostHog's clients", "drive.mjs", base, "phx_fakehog_default_owner_key", project)
}

// ensureClients skips unless FAKEHOG_CLIENT_TESTS=1 and node and npm are there, installs the
// pinned clients when they are not, and returns their directory.
func ensureClients(t *testing.T, ctx context.Context) string {
	t.Helper()
	if os.Getenv("FAKEHOG_CLIENT_TESTS") != "1" {
		t.Skip("set FAKEHOG_CLIENT_TESTS=1 to install PostHog's CLI and agent toolkit from npm and drive them against fakehog (.ci/run does)")
	}
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed: skipping the PostHog client check (install Node.js 18+ to run it)", tool)
		}
	}
	dir, err := filepath.Abs(filepath.Join("testdata", "clients"))
	if err != nil {
		t.Fatal(err)
	}
	if !clientsInstalled(dir) {
		// --ignore-scripts: the CLI's postinstall downloads a prebuilt binary from GitHub
		// releases; drive.mjs runs the package's JavaScript tool catalog instead.
		cmd := exec.CommandContext(ctx, "npm", "install", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("npm install: %v\n%s", err, out)
		}
		if !clientsInstalled(dir) {
			t.Fatalf("npm install did not install %v", clientVersions)
		}
	}
	return dir
}

// clientsInstalled reports whether node_modules holds the pinned versions.
func clientsInstalled(dir string) bool {
	for name, version := range clientVersions {
		data, err := os.ReadFile(filepath.Join(dir, "node_modules", name, "package.json"))
		if err != nil {
			return false
		}
		var pkg struct{ Version string }
		if json.Unmarshal(data, &pkg) != nil || pkg.Version != version {
			return false
		}
	}
	return true
}

// driveClient runs one of testdata/clients' node scripts (a chained walk of a client's tools)
// with args, logs what it printed, and fails the test, naming what was driven, when it fails.
func driveClient(t *testing.T, ctx context.Context, dir, what, script string, args ...string) {
	t.Helper()
	cmd := exec.CommandContext(ctx, "node", append([]string{script}, args...)...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		t.Log(line)
	}
	if err != nil {
		t.Fatalf("%s failed against fakehog: %v", what, err)
	}
}
