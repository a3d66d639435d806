package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestPostHogClientsSurveysAndDefinitions drives the pinned agent toolkit's survey and
// definition tools against a fakehog serving the demo world, in one chained walk
// (testdata/clients/drive_surveys.mjs): create a survey, find it in the list, get, update
// and delete (archive) it with the id from the first answer, then list the Web app's event
// definitions and the properties seen with $pageview. Like TestPostHogClients it needs node,
// npm and the npm registry, and runs only when FAKEHOG_CLIENT_TESTS=1.
func TestPostHogClientsSurveysAndDefinitions(t *testing.T) {
	if os.Getenv("FAKEHOG_CLIENT_TESTS") != "1" {
		t.Skip("set FAKEHOG_CLIENT_TESTS=1 to drive PostHog's agent toolkit against fakehog (.ci/run does)")
	}
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed: skipping the PostHog client check", tool)
		}
	}
	dir, err := filepath.Abs(filepath.Join("testdata", "clients"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	if !clientsInstalled(dir) {
		cmd := exec.CommandContext(ctx, "npm", "install", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("npm install: %v\n%s", err, out)
		}
	}
	const key = "phx_demo_ada_key"
	base, _ := start(t, "-scenario", "demo")
	status, me := getWith(t, base+"/api/users/@me/", key)
	team, _ := me["team"].(map[string]any)
	if status != 200 || team == nil {
		t.Fatalf("users/@me: %d %v", status, me)
	}
	project := strconv.Itoa(int(team["id"].(float64)))
	cmd := exec.CommandContext(ctx, "node", "drive_surveys.mjs", base, key, project)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		t.Log(line)
	}
	if err != nil {
		t.Fatalf("the agent toolkit's survey and definition tools failed against fakehog: %v", err)
	}
}
