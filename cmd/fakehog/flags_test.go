package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// captureStdout runs fn with stdout going to a buffer.
func captureStdout(t *testing.T, fn func()) string {
	t.Helper()
	var buf bytes.Buffer
	old := stdout
	stdout = &buf
	defer func() { stdout = old }()
	fn()
	return buf.String()
}

func TestHelp(t *testing.T) {
	for _, arg := range []string{"-h", "-help", "--help"} {
		var logs bytes.Buffer
		var err error
		out := captureStdout(t, func() { err = run(context.Background(), []string{arg}, &logs, nil) })
		if err != nil {
			t.Fatalf("%s: %v (exit 1)", arg, err)
		}
		for _, want := range []string{"in-memory, stateful fake of PostHog", "Examples:", "-scenario demo", "-log-format", "-log-requests", "-version", "Docs:", "docs/testing.md"} {
			if !strings.Contains(out, want) {
				t.Errorf("%s: the help lacks %q:\n%s", arg, want, out)
			}
		}
	}
}

func TestVersion(t *testing.T) {
	var err error
	out := captureStdout(t, func() { err = run(context.Background(), []string{"-version"}, &bytes.Buffer{}, nil) })
	if err != nil || !strings.HasPrefix(out, "fakehog ") || !strings.Contains(out, "go1.") {
		t.Errorf("-version: %q %v", out, err)
	}
}

func TestLogFormatAndRequests(t *testing.T) {
	var logs bytes.Buffer
	if err := run(context.Background(), []string{"-log-format", "xml"}, &logs, nil); err == nil || !strings.Contains(err.Error(), "neither text nor json") {
		t.Errorf("-log-format xml: %v", err)
	}
	base, log := start(t, "-log-format", "json", "-log-requests")
	if status, _ := getWith(t, base+"/api/organizations/", "phx_fakehog_default_owner_key"); status != 200 {
		t.Fatalf("status %d", status)
	}
	getWith(t, base+"/_fake/health", "")
	deadline := time.Now().Add(5 * time.Second)
	var line map[string]any
	for line == nil && time.Now().Before(deadline) {
		for _, l := range strings.Split(strings.TrimSpace(log.String()), "\n") {
			var m map[string]any
			if err := json.Unmarshal([]byte(l), &m); err != nil {
				t.Fatalf("not a JSON log line: %q", l)
			}
			if m["msg"] == "request" {
				line = m
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	if line == nil {
		t.Fatalf("no request line in:\n%s", log)
	}
	if line["method"] != "GET" || line["path"] != "/api/organizations/" || line["status"] != "200" ||
		!strings.HasPrefix(line["caller"].(string), "owner@fakehog.dev (key ") || line["duration_ms"] == nil {
		t.Errorf("request line %v", line)
	}
	if strings.Count(log.String(), `"msg":"request"`) != 1 {
		t.Errorf("the control route was logged:\n%s", log)
	}
}
