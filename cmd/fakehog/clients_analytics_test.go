package main

import (
	"context"
	"strconv"
	"testing"
	"time"
)

// TestPostHogClientsAnalytics drives the agent toolkit's dashboard and insight tools in one
// chained walk (testdata/clients/drive_analytics.mjs): create a dashboard and an insight,
// put the insight on the dashboard, read them back by id and short_id, list, update, and
// delete both, each step using ids from earlier answers. Like TestPostHogClients it runs
// only when FAKEHOG_CLIENT_TESTS=1.
func TestPostHogClientsAnalytics(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	dir := ensureClients(t, ctx)
	base, _ := start(t)
	status, me := getWith(t, base+"/api/users/@me/", "phx_fakehog_default_owner_key")
	team, _ := me["team"].(map[string]any)
	if status != 200 || team == nil {
		t.Fatalf("users/@me: %d %v", status, me)
	}
	driveClient(t, ctx, dir, "the agent toolkit's dashboard and insight tools", "drive_analytics.mjs", base, "phx_fakehog_default_owner_key", strconv.Itoa(int(team["id"].(float64))))
}
