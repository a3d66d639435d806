package fake

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fakehog/fakehog/fake/store"
)

// TestImportSizeLimit: PUT /_fake/snapshot over WithMaxImportBytes is refused with 413,
// naming the limit and the flag that raises it, and changes nothing.
func TestImportSizeLimit(t *testing.T) {
	e := newEnv(t, WithMaxImportBytes(1000))
	before := exportOf(t, e.srv)
	r := e.sendUnchecked("PUT", "/_fake/snapshot", rawBody{"application/json", `{"$format":1,"state":{"x":"` + strings.Repeat("a", 2000) + `"}}`})
	r.wantStatus(t, 413)
	if d := r.get("detail").String(); !strings.Contains(d, "1000 bytes") || !strings.Contains(d, "-max-import-bytes") {
		t.Fatalf("detail %q does not name the limit and the flag", d)
	}
	if string(before) != string(exportOf(t, e.srv)) {
		t.Fatal("a refused import changed the state")
	}
}

// TestOneImportAtATime: while an import or scenario load runs, another is refused with 409
// in PostHog's error shape; once it is done, the next one runs.
func TestOneImportAtATime(t *testing.T) {
	e := newEnv(t, WithScenarioLoader(testLoader))
	export := e.sendUnchecked("GET", "/_fake/snapshot", nil).wantStatus(t, 200).Body
	e.srv.importing.Lock() // an import in progress
	e.sendUnchecked("PUT", "/_fake/snapshot", rawBody{"application/json", string(export)}).
		wantError(t, 409, "server_error", "conflict", errImportBusy.Detail, "")
	e.sendUnchecked("POST", "/_fake/scenario", rawBody{"application/json", `{"name":"x"}`}).
		wantError(t, 409, "server_error", "conflict", errImportBusy.Detail, "")
	e.srv.importing.Unlock()
	e.sendUnchecked("PUT", "/_fake/snapshot", rawBody{"application/json", string(export)}).wantStatus(t, 200)
}

// TestImportRefusesABrokenState: an export whose records do not agree is refused with
// 400 and the problem named.
func TestImportRefusesABrokenState(t *testing.T) {
	e := newEnv(t)
	var doc map[string]any
	if err := json.Unmarshal(exportOf(t, e.srv), &doc); err != nil {
		t.Fatal(err)
	}
	doc["state"].(map[string]any)["nextUserID"] = 1
	data, _ := json.Marshal(doc)
	r := e.sendUnchecked("PUT", "/_fake/snapshot", rawBody{"application/json", string(data)})
	r.wantStatus(t, 400)
	if d := r.get("detail").String(); !strings.Contains(d, "the next user id (1) is not above user 1") {
		t.Fatalf("detail %q does not name the problem", d)
	}
}

// TestLongAdminOperationsOutliveTheWriteTimeout: an admin operation that takes longer than
// the server's write timeout (a huge world) is still answered.
func TestLongAdminOperationsOutliveTheWriteTimeout(t *testing.T) {
	slow := func(spec json.RawMessage) (World, time.Time, error) {
		return func(tx *store.Tx) (Defaults, error) {
			time.Sleep(300 * time.Millisecond) // a world that takes a while to build
			return DefaultWorld(tx)
		}, testEpoch, nil
	}
	srv, err := New(WithSeed(1), WithClock(store.NewManualClock(testEpoch)), WithScenarioLoader(slow))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: srv, WriteTimeout: 50 * time.Millisecond}
	go func() { _ = hs.Serve(ln) }()
	t.Cleanup(func() { _ = hs.Close() })
	res, err := http.Post("http://"+ln.Addr().String()+"/_fake/scenario", "application/json", strings.NewReader(`{"name":"slow"}`))
	if err != nil {
		t.Fatalf("the scenario load was cut: %v", err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != 200 || !strings.Contains(string(body), `"api_key"`) {
		t.Fatalf("scenario load → %d %s (%v)", res.StatusCode, body, err)
	}
}
