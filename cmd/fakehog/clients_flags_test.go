package main

import (
	"context"
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
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	dir := ensureClients(t, ctx) // skips unless FAKEHOG_CLIENT_TESTS=1 and node and npm are there
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
