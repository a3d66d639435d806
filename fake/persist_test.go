package fake

import (
	"bytes"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

// persistedEnv starts a server on dir, as the dev server does with -data-dir.
func persistedEnv(t *testing.T, dir string) *env {
	t.Helper()
	e := newEnv(t, WithDataDir(dir))
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
