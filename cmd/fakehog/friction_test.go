package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fakehog/fakehog/scenarios"
)

// First-use friction (issue #23): what the command says and accepts.

// serveOnce runs the server with args until it is ready, then stops it, and returns its log.
func serveOnce(t *testing.T, args ...string) string {
	t.Helper()
	for _, env := range []string{"FAKEHOG_ADDR", "FAKEHOG_SCENARIO", "FAKEHOG_DATA_DIR", "FAKEHOG_LOG_REQUESTS"} {
		t.Setenv(env, "")
		os.Unsetenv(env)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logs := &syncBuffer{}
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- run(ctx, append([]string{"-addr", "127.0.0.1:0"}, args...), logs, ready) }()
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("run: %v\n%s", err, logs)
	case <-time.After(10 * time.Second):
		t.Fatal("server did not start")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run: %v", err)
	}
	return logs.String()
}

// TestDataDirSaysWhichWorld: a data directory that holds a state wins over -scenario; the
// start says so, and logs the logins of the world it serves, not the scenario's.
func TestDataDirSaysWhichWorld(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	first := serveOnce(t, "-data-dir", dir, "-scenario", "demo")
	if strings.Contains(first, "not the scenario") || !strings.Contains(first, "scenario=demo") || !strings.Contains(first, "api_key=phx_demo_ada_key") {
		t.Errorf("first start:\n%s", first)
	}
	again := serveOnce(t, "-data-dir", dir, "-scenario", "default")
	for _, want := range []string{"serving the world kept in the data directory, not the scenario", "scenario_not_loaded=default",
		"move the directory away or delete it", "api_key=phx_demo_ada_key", `msg=login user=kim@globex.dev api_keys=phx_demo_kim_key`} {
		if !strings.Contains(again, want) {
			t.Errorf("restart lacks %q:\n%s", want, again)
		}
	}
	if strings.Contains(again, "phx_fakehog_default_owner_key") || strings.Contains(again, "scenario=default") {
		t.Errorf("the restart logs the scenario it did not load:\n%s", again)
	}
}

func TestPrintScenario(t *testing.T) {
	var err error
	out := captureStdout(t, func() { err = run(context.Background(), []string{"-print-scenario", "demo"}, &bytes.Buffer{}, nil) })
	want, _ := scenarios.BuiltinSource("demo")
	if err != nil || out != string(want) || !strings.Contains(out, "phx_demo_ada_key") {
		t.Errorf("-print-scenario demo: %v %.200q", err, out)
	}
	// What it prints is a scenario that loads.
	if _, err := scenarios.Parse("printed.yaml", []byte(out)); err != nil {
		t.Errorf("the printed scenario: %v", err)
	}
	if err := run(context.Background(), []string{"-print-scenario", "nope"}, &bytes.Buffer{}, nil); err == nil || !strings.Contains(err.Error(), "builtins: default, demo") {
		t.Errorf("-print-scenario nope: %v", err)
	}
}

// TestBooleanEnvironment: boolean variables read what strconv.ParseBool reads and refuse the
// rest with the variable's name.
func TestBooleanEnvironment(t *testing.T) {
	for _, c := range []struct {
		value string
		want  bool
		ok    bool
	}{
		{"", false, true}, {"true", true, true}, {"TRUE", true, true}, {"True", true, true}, {"1", true, true}, {"t", true, true},
		{"false", false, true}, {"0", false, true}, {"F", false, true}, {" true ", true, true},
		{"yes", false, false}, {"on", false, false}, {"2", false, false}, {"tru", false, false},
	} {
		t.Setenv("FAKEHOG_LOG_REQUESTS", c.value)
		got, err := envBool("FAKEHOG_LOG_REQUESTS")
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("%q: %v, %v", c.value, got, err)
		}
		if err != nil && (!strings.Contains(err.Error(), "FAKEHOG_LOG_REQUESTS") || !strings.Contains(err.Error(), "not a boolean")) {
			t.Errorf("%q: error %v", c.value, err)
		}
	}
	t.Setenv("FAKEHOG_LOG_REQUESTS", "yes")
	if err := run(context.Background(), []string{"-addr", "127.0.0.1:0"}, &bytes.Buffer{}, nil); err == nil || !strings.Contains(err.Error(), `FAKEHOG_LOG_REQUESTS="yes" is not a boolean`) {
		t.Errorf("run with FAKEHOG_LOG_REQUESTS=yes: %v", err)
	}
}
