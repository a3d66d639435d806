package main

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/fakehog/fakehog/fake"
	"github.com/tidwall/gjson"
)

// TestMain lets the test binary stand in for the fakehog binary: the kill test starts it
// again with FAKEHOG_TEST_RUN_MAIN=1, and it then runs main with the given arguments.
func TestMain(m *testing.M) {
	if os.Getenv("FAKEHOG_TEST_RUN_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

var reURL = regexp.MustCompile(`url=(http://\S+)`)

// startServer runs fakehog in a child process on dir and returns its base URL.
func startServer(t *testing.T, dir string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-addr", "127.0.0.1:0", "-data-dir", dir, "-seed", "7")
	cmd.Env = append(os.Environ(), "FAKEHOG_TEST_RUN_MAIN=1")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := reURL.FindStringSubmatch(sc.Text()); m != nil && strings.Contains(sc.Text(), "fakehog ready") {
				found <- m[1]
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
	}()
	select {
	case u := <-found:
		return cmd, u
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("fakehog did not start")
	}
	return nil, ""
}

// TestSIGKILLLosesNoAcknowledgedWrite: with -data-dir, a server killed with SIGKILL in the
// middle of a write load comes back with every write it acknowledged, and with each
// unacknowledged one either wholly there or not at all — cycle after cycle.
func TestSIGKILLLosesNoAcknowledgedWrite(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills processes")
	}
	dir := t.TempDir()
	acked := map[string]bool{}     // emails whose invite was answered 201
	attempted := map[string]bool{} // every email sent
	var mu sync.Mutex
	const cycles, workers = 3, 8
	client := &http.Client{Timeout: 10 * time.Second}
	for cycle := 0; cycle < cycles; cycle++ {
		cmd, base := startServer(t, dir)
		// Everything acknowledged before this start is there.
		assertInvites(t, client, base, acked, attempted)

		var stop atomic.Bool
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for i := 0; !stop.Load(); i++ {
					email := fmt.Sprintf("c%d-w%d-%d@kill.dev", cycle, w, i)
					mu.Lock()
					attempted[email] = true
					mu.Unlock()
					req, _ := http.NewRequest("POST", base+"/api/organizations/@current/invites/", strings.NewReader(`{"target_email":"`+email+`"}`))
					req.Header.Set("Authorization", "Bearer "+fake.DefaultAPIKey)
					req.Header.Set("Content-Type", "application/json")
					res, err := client.Do(req)
					if err != nil {
						return // the server is gone
					}
					_, _ = io.Copy(io.Discard, res.Body)
					res.Body.Close()
					if res.StatusCode == http.StatusCreated {
						mu.Lock()
						acked[email] = true
						mu.Unlock()
					}
				}
			}(w)
		}
		time.Sleep(400 * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()
		stop.Store(true)
		wg.Wait()
	}
	cmd, base := startServer(t, dir)
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	assertInvites(t, client, base, acked, attempted)
	t.Logf("kill/restart cycles: %d; writes acknowledged: %d, none lost", cycles, len(acked))
	if len(acked) == 0 {
		t.Fatal("no write was acknowledged: the load did not run")
	}
}

// assertInvites checks the server's invites against what the load saw.
func assertInvites(t *testing.T, client *http.Client, base string, acked, attempted map[string]bool) {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/api/organizations/@current/invites/?limit=100000", nil)
	req.Header.Set("Authorization", "Bearer "+fake.DefaultAPIKey)
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		t.Fatalf("list invites → %d %s", res.StatusCode, data)
	}
	have := map[string]bool{}
	for _, inv := range gjson.GetBytes(data, "results").Array() {
		email := inv.Get("target_email").String()
		if !attempted[email] || have[email] {
			t.Errorf("invite %q was never sent, or is there twice", email)
		}
		if inv.Get("id").String() == "" || inv.Get("created_at").String() == "" {
			t.Errorf("invite %q is half-applied: %s", email, inv.Raw)
		}
		have[email] = true
	}
	for email := range acked {
		if !have[email] {
			t.Errorf("acknowledged invite %q was lost", email)
		}
	}
}
