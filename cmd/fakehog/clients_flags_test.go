package main

import (
	"context"
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
	driveClient(t, ctx, dir, "the agent toolkit's flag and experiment tools", "drive_flags.mjs", base, "phx_fakehog_default_owner_key")
}
