package main

import (
	"context"
	"strconv"
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
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	dir := ensureClients(t, ctx) // skips unless FAKEHOG_CLIENT_TESTS=1 and node and npm are there
	const key = "phx_demo_ada_key"
	base, _ := start(t, "-scenario", "demo")
	status, me := getWith(t, base+"/api/users/@me/", key)
	team, _ := me["team"].(map[string]any)
	if status != 200 || team == nil {
		t.Fatalf("users/@me: %d %v", status, me)
	}
	project := strconv.Itoa(int(team["id"].(float64)))
	driveClient(t, ctx, dir, "the agent toolkit's survey and definition tools", "drive_surveys.mjs", base, key, project)
}
