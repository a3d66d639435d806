package fake

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"mime/multipart"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fakehog/fakehog/fake/store"
)

// persistedEnv starts a server on dir, as the dev server does with -data-dir.
func persistedEnv(t *testing.T, dir string, opts ...Option) *env {
	t.Helper()
	e := newEnv(t, append([]Option{WithDataDir(dir)}, opts...)...)
	t.Cleanup(func() { _ = e.srv.Close() })
	return e
}

func TestPersistenceSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	a := persistedEnv(t, dir)
	for i := 0; i < 5; i++ {
		a.do("POST", a.orgPath("invites/"), map[string]any{"target_email": fmt.Sprintf("p%d@example.com", i)}).wantStatus(t, 201)
	}
	a.do("PATCH", "/api/organizations/@current/", map[string]any{"name": "Durable"}).wantStatus(t, 200)
	a.do("POST", a.orgPath("invites/"), map[string]any{"target_email": "not-an-email"}).wantStatus(t, 400)
	a.do("POST", a.orgPath("projects/"), map[string]any{"name": "Kept"}).wantStatus(t, 201)
	want, _ := a.srv.ExportState()
	a.srv.Close()

	b := persistedEnv(t, dir)
	got, _ := b.srv.ExportState()
	if !bytes.Equal(want, got) {
		t.Fatalf("state after restart differs from before")
	}
	if b.srv.Defaults() != a.srv.Defaults() {
		t.Fatalf("defaults after restart = %+v, want %+v", b.srv.Defaults(), a.srv.Defaults())
	}
	// And it goes on generating the same ids the first server would have.
	next := b.do("POST", b.orgPath("invites/"), map[string]any{"target_email": "next@example.com"}).wantStatus(t, 201)
	if next.get("id").String() == "" {
		t.Fatal("no id")
	}
}

func TestPersistenceCompactsAndToleratesATornRecord(t *testing.T) {
	old := compactEvery
	compactEvery = 4
	t.Cleanup(func() { compactEvery = old })
	dir := t.TempDir()
	a := persistedEnv(t, dir)
	for i := 0; i < 10; i++ {
		a.do("POST", a.orgPath("invites/"), map[string]any{"target_email": fmt.Sprintf("c%d@example.com", i)}).wantStatus(t, 201)
	}
	want, _ := a.srv.ExportState()
	a.srv.Close()
	if fi, err := os.Stat(filepath.Join(dir, logFile)); err != nil || fi.Size() == 0 {
		t.Fatalf("log after compaction: %v (want the 2 writes since the last snapshot)", err)
	}
	// A crash in the middle of appending leaves a partial record: it is cut, not replayed.
	f, _ := os.OpenFile(filepath.Join(dir, logFile), os.O_APPEND|os.O_WRONLY, 0)
	f.Write([]byte{0, 0, 1, 0, 9, 9, 9, 9, '{', '"'})
	f.Close()
	b := persistedEnv(t, dir)
	got, _ := b.srv.ExportState()
	if !bytes.Equal(want, got) {
		t.Fatal("state after a torn record differs")
	}
	if n := b.do("GET", b.orgPath("invites/"), nil).get("count").Int(); n != 10 {
		t.Fatalf("invites = %d, want 10", n)
	}
}

func TestPersistenceCheckpointsControlOperations(t *testing.T) {
	dir := t.TempDir()
	a := persistedEnv(t, dir)
	a.do("POST", a.orgPath("invites/"), map[string]any{"target_email": "x@example.com"}).wantStatus(t, 201)
	a.srv.Reset()
	a.srv.Close()
	b := persistedEnv(t, dir)
	if n := b.do("GET", b.orgPath("invites/"), nil).get("count").Int(); n != 0 {
		t.Fatalf("invites after a persisted reset = %d, want 0", n)
	}
}

func TestPersistenceRefusesWritesWhenTheDiskFails(t *testing.T) {
	dir := t.TempDir()
	a := persistedEnv(t, dir)
	a.srv.persist.log.Close() // the next append fails
	a.do("POST", a.orgPath("invites/"), map[string]any{"target_email": "x@example.com"}).
		wantError(t, 503, "server_error", "error", errNotDurable.Detail, "")
	a.do("GET", a.orgPath("invites/"), nil).wantStatus(t, 200)
	a.do("PATCH", "/api/organizations/@current/", map[string]any{"name": "Nope"}).wantStatus(t, 503)
}

var _ = httptest.NewRecorder

// TestPersistenceReplaysEveryContentType: writes sent form-encoded, multipart and as JSON
// are all there after a restart (the log keeps the body as sent, with its content type).
func TestPersistenceReplaysEveryContentType(t *testing.T) {
	dir := t.TempDir()
	a := persistedEnv(t, dir)
	var mp bytes.Buffer
	mw := multipart.NewWriter(&mp)
	_ = mw.WriteField("target_email", "multipart@example.com")
	_ = mw.WriteField("level", "8")
	_ = mw.Close()
	bodies := []rawBody{
		{"application/x-www-form-urlencoded", "target_email=form%40example.com&level=1"},
		{mw.FormDataContentType(), mp.String()},
		{"application/json", `{"target_email":"json@example.com"}`},
		{"application/json; charset=utf-8", `{"target_email":"charset@example.com"}`},
	}
	for _, b := range bodies {
		a.do("POST", a.orgPath("invites/"), b).wantStatus(t, 201)
	}
	a.do("PATCH", "/api/organizations/@current/", rawBody{"application/x-www-form-urlencoded", "name=Formed"}).wantStatus(t, 200)
	a.do("POST", a.orgPath("invites/"), rawBody{"application/x-www-form-urlencoded", "target_email=not-an-email"}).wantStatus(t, 400)
	want, _ := a.srv.ExportState()
	a.srv.Close()

	b := persistedEnv(t, dir)
	got, _ := b.srv.ExportState()
	if !bytes.Equal(want, got) {
		t.Fatal("state after restart differs from before")
	}
	if n := b.do("GET", b.orgPath("invites/"), nil).get("count").Int(); n != 4 {
		t.Fatalf("invites after restart = %d, want 4", n)
	}
	if name := b.do("GET", "/api/organizations/@current/", nil).get("name").String(); name != "Formed" {
		t.Fatalf("name after restart = %q", name)
	}
}

// rewriteLog applies change to every request record of dir's write log, re-framing them.
func rewriteLog(t *testing.T, dir string, change func(*logRecord)) {
	t.Helper()
	records := readLogRecords(t, dir)
	if len(records) == 0 {
		t.Fatal("log: no records")
	}
	var out []byte
	for _, rec := range records {
		if rec.Method != touchRecord {
			change(&rec)
		}
		payload, _ := json.Marshal(rec)
		frame := make([]byte, 8, 8+len(payload))
		binary.BigEndian.PutUint32(frame[0:4], uint32(len(payload)))
		binary.BigEndian.PutUint32(frame[4:8], crc32.ChecksumIEEE(payload))
		out = append(out, append(frame, payload...)...)
	}
	if err := os.WriteFile(filepath.Join(dir, logFile), out, 0o644); err != nil {
		t.Fatal(err)
	}
}

// readLogRecords reads every record of dir's write log.
func readLogRecords(t *testing.T, dir string) []logRecord {
	t.Helper()
	lr, err := openLogReader(filepath.Join(dir, logFile))
	if err != nil {
		t.Fatal(err)
	}
	defer lr.close()
	var out []logRecord
	for {
		e, err := lr.next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, e.rec)
	}
}

// TestPersistenceRefusesAReplayThatDiffers: a logged write that does not end on replay as
// it ended when it was answered stops the server from starting, with an error naming the
// record, the directory and how to start afresh — never a silent loss.
func TestPersistenceRefusesAReplayThatDiffers(t *testing.T) {
	cases := map[string]func(*logRecord){
		"body no longer valid":     func(r *logRecord) { r.Body = []byte(`{"target_email":"not-an-email"}`) },
		"answered otherwise":       func(r *logRecord) { r.Outcome = 400 },
		"refused before the store": func(r *logRecord) { r.Header["Content-Type"] = []string{"text/plain"} },
	}
	for name, change := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			a := persistedEnv(t, dir)
			a.do("POST", a.orgPath("invites/"), map[string]any{"target_email": "kept@example.com"}).wantStatus(t, 201)
			a.srv.Close()
			rewriteLog(t, dir, change)
			_, err := New(WithSeed(1), WithDataDir(dir))
			if err == nil {
				t.Fatal("a server started on a log whose replay differs")
			}
			for _, want := range []string{dir, "write.log record 1 (POST /api/organizations/", "start afresh"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not name %q", err, want)
				}
			}
		})
	}
}

// TestPersistenceRefusesAnotherVersion: a data directory of another format version (or one
// from before versions) is refused with an error saying so, never misread.
func TestPersistenceRefusesAnotherVersion(t *testing.T) {
	for name, tc := range map[string]struct {
		world  bool // the change is to the world file, not snapshot.json
		change func(map[string]any)
	}{
		"older directory": {false, func(doc map[string]any) { delete(doc, "format") }},
		"newer directory": {false, func(doc map[string]any) { doc["format"] = dirFormat + 1 }},
		"newer state":     {true, func(doc map[string]any) { doc["state"].(map[string]any)["$format"] = store.StateFormat + 1 }},
		"state of no version": {true, func(doc map[string]any) {
			doc["state"] = doc["state"].(map[string]any)["state"]
		}},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			a := persistedEnv(t, dir)
			a.srv.Close()
			path := filepath.Join(dir, snapshotFile)
			if tc.world {
				path = filepath.Join(dir, a.srv.persist.world)
			}
			data, _ := os.ReadFile(path)
			var doc map[string]any
			if err := json.Unmarshal(data, &doc); err != nil {
				t.Fatal(err)
			}
			tc.change(doc)
			data, _ = json.Marshal(doc)
			_ = os.WriteFile(path, data, 0o600)
			_, err := New(WithSeed(1), WithDataDir(dir))
			if err == nil {
				t.Fatal("a server started on a directory of another version")
			}
			if !strings.Contains(err.Error(), dir) || !strings.Contains(err.Error(), "version") || !strings.Contains(err.Error(), "start afresh") {
				t.Errorf("error %q does not name the directory, the version and what to do", err)
			}
		})
	}
}
