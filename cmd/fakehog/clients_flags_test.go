package main

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestPostHogToolkitFlagsAndExperiments walks the pinned agent toolkit's feature flag and
// experiment tools against a fakehog (testdata/clients/drive_flags.mjs): create, list, get,
// update and delete, each call with the ids and keys of the answers before it. Like
// TestPostHogClients it needs node, npm and the registry, so it runs only when
// FAKEHOG_CLIENT_TESTS=1.
func TestPostHogToolkitFlagsAndExperiments(t *testing.T) {
	if os.Getenv("FAKEHOG_CLIENT_TESTS") != "1" {
		t.Skip("set FAKEHOG_CLIENT_TESTS=1 to drive PostHog's agent toolkit's flag and experiment tools against fakehog")
	}
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed: skipping the agent toolkit's flag and experiment walk", tool)
		}
	}
	dir := ensureClients(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	base, _ := start(t)
	cmd := exec.CommandContext(ctx, "node", "drive_flags.mjs", base, "phx_fakehog_default_owner_key")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		t.Log(line)
	}
	if err != nil {
		t.Fatalf("the agent toolkit's flag and experiment tools failed against fakehog: %v", err)
	}
}
