package fake

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fakehog/fakehog/fake/store"
)

// The data directory under damage and disk failure: damaged logs, injected write
// failures, refused writes left out of the log, the world Reset returns to after a restart,
// and the directory's permissions.

// faultyFile is a data directory file whose writes or fsyncs fail on demand.
type faultyFile struct {
	diskFile
	failWrite, failSync bool
}

var errInjected = errors.New("injected: no space left on device")

func (f *faultyFile) Write(b []byte) (int, error) {
	if f.failWrite {
		n, _ := f.diskFile.Write(b[:len(b)/2]) // a short write, as a full disk gives
		return n, errInjected
	}
	return f.diskFile.Write(b)
}

func (f *faultyFile) Sync() error {
	if f.failSync {
		return errInjected
	}
	return f.diskFile.Sync()
}

// injectLogFault wraps the server's log so its writes (or fsyncs) fail.
func injectLogFault(srv *Server) *faultyFile {
	f := &faultyFile{diskFile: srv.persist.log}
	srv.persist.log = f
	return f
}

// failNewFiles makes every file the persister creates from now on fail its writes (a full
// disk for snapshots and worlds); the returned func heals it.
func failNewFiles(srv *Server) func() {
	p := srv.persist
	p.open = func(name string, flag int, perm fs.FileMode) (diskFile, error) {
		f, err := osOpen(name, flag, perm)
		if err != nil {
			return nil, err
		}
		return &faultyFile{diskFile: f, failWrite: true}, nil
	}
	return func() { p.open = osOpen }
}

func exportOf(t *testing.T, srv *Server) []byte {
	t.Helper()
	data, err := srv.ExportState()
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func logSize(t *testing.T, dir string) int64 {
	t.Helper()
	fi, err := os.Stat(filepath.Join(dir, logFile))
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// TestPersistenceRefusesAWriteItCannotLog: a write whose log append fails (a short write,
// disk full) is refused with a 503 in PostHog's error shape and changes nothing — not the
// records, not the random source — and the next write, once the disk has room, succeeds
// and survives a restart.
func TestPersistenceRefusesAWriteItCannotLog(t *testing.T) {
	dir := t.TempDir()
	a := persistedEnv(t, dir)
	a.do("POST", a.orgPath("invites/"), map[string]any{"target_email": "before@example.com"}).wantStatus(t, 201)
	before := exportOf(t, a.srv)
	f := injectLogFault(a.srv)
	f.failWrite = true
	a.sendUnchecked("POST", a.orgPath("invites/"), map[string]any{"target_email": "lost@example.com"}).
		wantError(t, 503, "server_error", "error", errNotWritten.Detail, "")
	a.sendUnchecked("PATCH", "/api/organizations/@current/", map[string]any{"name": "Nope"}).wantStatus(t, 503)
	if !bytes.Equal(before, exportOf(t, a.srv)) {
		t.Fatal("a write refused for the disk changed the state")
	}
	f.failWrite = false
	a.do("POST", a.orgPath("invites/"), map[string]any{"target_email": "after@example.com"}).wantStatus(t, 201)
	want := exportOf(t, a.srv)
	a.srv.Close()
	b := persistedEnv(t, dir)
	if !bytes.Equal(want, exportOf(t, b.srv)) {
		t.Fatal("the state after restart differs")
	}
}

// TestPersistenceStopsWritesAfterAFailedSync: after a failed fsync the log's content is
// unknown, so that write and every later one is refused (503), reads still served.
func TestPersistenceStopsWritesAfterAFailedSync(t *testing.T) {
	dir := t.TempDir()
	a := persistedEnv(t, dir)
	before := exportOf(t, a.srv)
	f := injectLogFault(a.srv)
	f.failSync = true
	a.sendUnchecked("POST", a.orgPath("invites/"), map[string]any{"target_email": "x@example.com"}).
		wantError(t, 503, "server_error", "error", errNotDurable.Detail, "")
	f.failSync = false
	a.sendUnchecked("POST", a.orgPath("invites/"), map[string]any{"target_email": "y@example.com"}).
		wantError(t, 503, "server_error", "error", errNotDurable.Detail, "")
	a.sendUnchecked("POST", "/_fake/keys", map[string]any{"user": a.d.UserEmail}).wantStatus(t, 503)
	a.sendUnchecked("POST", "/_fake/reset", nil).wantStatus(t, 503)
	a.do("GET", a.orgPath("invites/"), nil).wantStatus(t, 200)
	if !bytes.Equal(before, exportOf(t, a.srv)) {
		t.Fatal("refused writes changed the state")
	}
}

// TestPersistenceAdminOperationsChangeNothingWhenTheDiskFails: reset, a scenario, an
// import and a minted key that cannot be written to the data directory are refused with a
// 503 in PostHog's error shape, and the state (memory and directory) stays as it was.
func TestPersistenceAdminOperationsChangeNothingWhenTheDiskFails(t *testing.T) {
	dir := t.TempDir()
	a := persistedEnv(t, dir, WithScenarioLoader(testLoader))
	clean := a.sendUnchecked("GET", "/_fake/snapshot", nil).wantStatus(t, 200).Body
	a.do("POST", a.orgPath("invites/"), map[string]any{"target_email": "kept@example.com"}).wantStatus(t, 201)
	before := exportOf(t, a.srv)
	heal := failNewFiles(a.srv)
	for _, op := range []struct{ method, path, body string }{
		{"POST", "/_fake/reset", ""},
		{"POST", "/_fake/scenario", `{"name":"test"}`},
		{"PUT", "/_fake/snapshot", string(clean)},
	} {
		var body any
		if op.body != "" {
			body = rawBody{"application/json", op.body}
		}
		a.sendUnchecked(op.method, op.path, body).wantError(t, 503, "server_error", "error", errNotWritten.Detail, "")
		if !bytes.Equal(before, exportOf(t, a.srv)) {
			t.Fatalf("%s %s refused for the disk changed the state", op.method, op.path)
		}
	}
	heal()
	f := injectLogFault(a.srv)
	f.failWrite = true
	a.sendUnchecked("POST", "/_fake/keys", map[string]any{"user": a.d.UserEmail}).wantError(t, 503, "server_error", "error", errNotWritten.Detail, "")
	if !bytes.Equal(before, exportOf(t, a.srv)) {
		t.Fatal("a key refused for the disk was minted")
	}
	f.failWrite = false
	a.srv.Close()
	b := persistedEnv(t, dir)
	if !bytes.Equal(before, exportOf(t, b.srv)) {
		t.Fatal("the directory does not hold the state the refused operations left")
	}
}

// TestPersistenceLogsOnlyWritesThatChangedSomething: unauthenticated, forbidden and
// invalid requests leave the log as it was; a successful write grows it.
func TestPersistenceLogsOnlyWritesThatChangedSomething(t *testing.T) {
	dir := t.TempDir()
	a := persistedEnv(t, dir)
	a.do("GET", a.orgPath("invites/"), nil).wantStatus(t, 200) // the key's last_used_at bump is logged
	size := logSize(t, dir)
	big := strings.Repeat("x", 60<<10)
	a.do("POST", a.orgPath("invites/"), map[string]any{"target_email": "x@example.com", "message": big}, noAuth()).wantStatus(t, 401)
	a.do("POST", a.orgPath("invites/"), map[string]any{"target_email": "x@example.com"}, asKey("phx_not_a_key")).wantStatus(t, 401)
	a.do("POST", a.orgPath("invites/"), map[string]any{"target_email": "not-an-email", "message": big}).wantStatus(t, 400)
	a.do("DELETE", a.orgPath("invites/00000000-0000-0000-0000-000000000000/"), nil).wantStatus(t, 404)
	if got := logSize(t, dir); got != size {
		t.Fatalf("refused requests grew the log from %d to %d bytes", size, got)
	}
	a.do("POST", a.orgPath("invites/"), map[string]any{"target_email": "ok@example.com"}).wantStatus(t, 201)
	if got := logSize(t, dir); got <= size {
		t.Fatal("a successful write was not logged")
	}
	want := exportOf(t, a.srv)
	a.srv.Close()
	b := persistedEnv(t, dir)
	if !bytes.Equal(want, exportOf(t, b.srv)) {
		t.Fatal("the state after restart differs")
	}
}

// writeInvites starts a server on dir, makes n invites and returns the export and the
// offsets where each record of the log starts.
func writeInvites(t *testing.T, dir string, n int) ([]byte, []int64) {
	t.Helper()
	a := persistedEnv(t, dir)
	for i := 0; i < n; i++ {
		a.do("POST", a.orgPath("invites/"), map[string]any{"target_email": fmt.Sprintf("d%d@example.com", i)}).wantStatus(t, 201)
	}
	want := exportOf(t, a.srv)
	a.srv.Close()
	lr, err := openLogReader(filepath.Join(dir, logFile))
	if err != nil {
		t.Fatal(err)
	}
	defer lr.close()
	var offs []int64
	for {
		e, err := lr.next()
		if err != nil {
			break
		}
		if e.rec.Method != touchRecord {
			offs = append(offs, e.off)
		}
	}
	if len(offs) != n {
		t.Fatalf("log holds %d records, want %d", len(offs), n)
	}
	return want, offs
}

// TestPersistenceRefusesALogDamagedInTheMiddle: a flipped byte or a cut record followed by
// valid records stops the start, naming the file, the offset and how to salvage or start
// afresh; a torn last record is dropped (and logged); salvaging as told works.
func TestPersistenceRefusesALogDamagedInTheMiddle(t *testing.T) {
	damage := map[string]func(data []byte, offs []int64) []byte{
		"flipped byte": func(data []byte, offs []int64) []byte {
			data[offs[2]+20] ^= 0x40
			return data
		},
		"flipped length": func(data []byte, offs []int64) []byte {
			data[offs[2]] ^= 0x01
			return data
		},
		"cut record followed by valid ones": func(data []byte, offs []int64) []byte {
			return append(append([]byte(nil), data[:offs[2]+30]...), data[offs[3]:]...)
		},
	}
	for name, change := range damage {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			_, offs := writeInvites(t, dir, 5)
			path := filepath.Join(dir, logFile)
			data, _ := os.ReadFile(path)
			_ = os.WriteFile(path, change(data, offs), 0o600)
			_, err := New(WithSeed(1), WithDataDir(dir))
			if err == nil {
				t.Fatal("a server started on a log damaged in the middle")
			}
			at := fmt.Sprintf("damaged at offset %d", offs[2])
			for _, want := range []string{path, at, fmt.Sprintf("truncate -s %d %s", offs[2], path), "start afresh"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
			// Salvage as told: the writes before the damage are served.
			_ = os.Truncate(path, offs[2])
			b := persistedEnv(t, dir)
			if n := b.do("GET", b.orgPath("invites/"), nil).get("count").Int(); n != 2 {
				t.Fatalf("invites after salvage = %d, want 2", n)
			}
		})
	}
	t.Run("torn last record", func(t *testing.T) {
		for _, cut := range []int64{3, 10, 40} {
			dir := t.TempDir()
			_, offs := writeInvites(t, dir, 3)
			path := filepath.Join(dir, logFile)
			_ = os.Truncate(path, offs[2]+cut)
			var logged bytes.Buffer
			clock := store.NewManualClock(testEpoch)
			srv, err := New(WithSeed(1), WithClock(clock), WithDataDir(dir), WithLogger(slog.New(slog.NewTextHandler(&logged, nil))))
			if err != nil {
				t.Fatalf("cut at +%d: %v", cut, err)
			}
			if !strings.Contains(logged.String(), "dropped a torn last record") || !strings.Contains(logged.String(), fmt.Sprintf("offset=%d", offs[2])) {
				t.Errorf("cut at +%d: the log does not say the torn record was dropped: %s", cut, logged.String())
			}
			n := 0
			_ = srv.Store().Read(func(tx *store.Tx) error { n = len(tx.Invites(srv.Defaults().OrganizationID)); return nil })
			srv.Close()
			if n != 2 {
				t.Fatalf("cut at +%d: invites = %d, want 2", cut, n)
			}
			if fi, _ := os.Stat(path); fi.Size() != offs[2] {
				t.Fatalf("cut at +%d: the torn record was not cut off the log (%d bytes, want %d)", cut, fi.Size(), offs[2])
			}
		}
	})
}

// TestPersistenceDropsALastRecordRefusedOnReplay: a record logged before its handler ran
// and left there by a crash (the handler then refused it) is the log's last; replay drops
// it and starts.
func TestPersistenceDropsALastRecordRefusedOnReplay(t *testing.T) {
	dir := t.TempDir()
	want, _ := writeInvites(t, dir, 2)
	path := filepath.Join(dir, logFile)
	records := readLogRecords(t, dir)
	bad := records[len(records)-1]
	bad.Seq++
	bad.Body = []byte(`{"target_email":"not-an-email"}`)
	frame, err := frameOf(bad)
	if err != nil {
		t.Fatal(err)
	}
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	_, _ = f.Write(frame)
	f.Close()
	b := persistedEnv(t, dir)
	if !bytes.Equal(want, exportOf(t, b.srv)) {
		t.Fatal("the state differs after dropping the refused last record")
	}
}

// TestPersistenceResetAfterRestartReturnsToTheWorld: after a restart, Reset goes back to
// the world the directory was started with (or the scenario loaded last), not to the state
// at restart.
func TestPersistenceResetAfterRestartReturnsToTheWorld(t *testing.T) {
	dir := t.TempDir()
	a := persistedEnv(t, dir)
	world := exportOf(t, a.srv)
	a.do("POST", a.orgPath("invites/"), map[string]any{"target_email": "gone@example.com"}).wantStatus(t, 201)
	a.srv.Close()
	b := persistedEnv(t, dir)
	b.sendUnchecked("POST", "/_fake/reset", nil).wantStatus(t, 200)
	if !bytes.Equal(world, exportOf(t, b.srv)) {
		t.Fatal("reset after a restart did not return to the world")
	}
	b.srv.Close()

	// A scenario loaded becomes the world, across restarts too.
	c := persistedEnv(t, dir, WithScenarioLoader(testLoader))
	c.sendUnchecked("POST", "/_fake/scenario", rawBody{"application/json", `{"name":"test"}`}).wantStatus(t, 200)
	loaded := exportOf(t, c.srv)
	c.do("POST", "/api/organizations/@current/invites/", map[string]any{"target_email": "gone@example.com"}).wantStatus(t, 201)
	c.srv.Close()
	d := persistedEnv(t, dir)
	d.sendUnchecked("POST", "/_fake/reset", nil).wantStatus(t, 200)
	if !bytes.Equal(loaded, exportOf(t, d.srv)) {
		t.Fatal("reset after a restart did not return to the scenario loaded")
	}
	if d.srv.Defaults() != c.srv.Defaults() {
		t.Fatalf("defaults after restart = %+v, want the scenario's %+v", d.srv.Defaults(), c.srv.Defaults())
	}
}

// testLoader loads a world of its own for POST /_fake/scenario: the default world seeded an
// hour later, its random source moved on.
func testLoader(json.RawMessage) (World, time.Time, error) {
	return func(tx *store.Tx) (Defaults, error) {
		d, err := DefaultWorld(tx)
		tx.Float64()
		return d, err
	}, testEpoch.Add(time.Hour), nil
}

// TestPersistenceDirectoryPermissions: the directory is created 0700 and its files 0600
// (they hold plaintext keys); an existing directory open to others is warned about.
func TestPersistenceDirectoryPermissions(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	a := persistedEnv(t, dir)
	a.do("POST", a.orgPath("invites/"), map[string]any{"target_email": "p@example.com"}).wantStatus(t, 201)
	a.srv.Reset()
	a.srv.Close()
	if fi, _ := os.Stat(dir); fi.Mode().Perm() != 0o700 {
		t.Errorf("directory mode %#o, want 0700", fi.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		fi, _ := e.Info()
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %#o, want 0600", e.Name(), fi.Mode().Perm())
		}
	}
	if len(entries) != 3 {
		t.Errorf("the directory holds %d files, want snapshot, log and one world", len(entries))
	}
	_ = os.Chmod(dir, 0o755)
	var logged bytes.Buffer
	srv, err := New(WithSeed(1), WithDataDir(dir), WithLogger(slog.New(slog.NewTextHandler(&logged, nil))))
	if err != nil {
		t.Fatal(err)
	}
	srv.Close()
	if !strings.Contains(logged.String(), "open to other users") || !strings.Contains(logged.String(), "chmod 700") {
		t.Errorf("no warning about a directory open to others: %s", logged.String())
	}
}

// TestPersistenceReadsAFormat2Directory: a directory of the previous layout (the state in
// snapshot.json, no world file) starts, replays its log, and is converted: its world is
// the state it held at start.
func TestPersistenceReadsAFormat2Directory(t *testing.T) {
	dir := t.TempDir()
	a := persistedEnv(t, dir)
	a.do("POST", a.orgPath("invites/"), map[string]any{"target_email": "old@example.com"}).wantStatus(t, 201)
	want := exportOf(t, a.srv)
	world, _ := a.srv.persist.world, a.srv.Close()
	data, _ := os.ReadFile(filepath.Join(dir, world))
	var wd worldDoc
	if err := json.Unmarshal(data, &wd); err != nil {
		t.Fatal(err)
	}
	data, _ = os.ReadFile(filepath.Join(dir, snapshotFile))
	var doc snapshotDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	doc.Format, doc.World, doc.State = legacyFormat, "", wd.State
	data, _ = json.Marshal(doc)
	_ = os.WriteFile(filepath.Join(dir, snapshotFile), data, 0o600)
	_ = os.Remove(filepath.Join(dir, world))

	b := persistedEnv(t, dir)
	if !bytes.Equal(want, exportOf(t, b.srv)) {
		t.Fatal("the state of a format 2 directory was not restored")
	}
	data, _ = os.ReadFile(filepath.Join(dir, snapshotFile))
	if err := json.Unmarshal(data, &doc); err != nil || doc.Format != dirFormat || doc.World == "" {
		t.Fatalf("the directory was not converted: format %d, world %q (%v)", doc.Format, doc.World, err)
	}
	b.do("POST", b.orgPath("invites/"), map[string]any{"target_email": "new@example.com"}).wantStatus(t, 201)
	b.sendUnchecked("POST", "/_fake/reset", nil).wantStatus(t, 200)
	if !bytes.Equal(want, exportOf(t, b.srv)) {
		t.Fatal("reset did not return to the state the format 2 directory held at start")
	}
}
