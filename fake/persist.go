package fake

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/fakehog/fakehog/fake/store"
)

// Persistence for the dev server (WithDataDir, -data-dir): the state survives restarts and
// crashes. The store is deterministic — the same writes, in the same order, at the same
// clock readings, from the same state give the same state, random ids included — so what
// is made durable is the sequence of writes, not their effects. The directory holds:
//
//   - world-<n>.json: the world Reset returns to (the scenario the directory was started
//     with, or the last one loaded): its state, credentials (Defaults) and clock.
//   - snapshot.json: the state at one point of the log — the sequence number of the last
//     write it includes, the world file it belongs to, and the state itself (absent when it
//     is the world, as after a reset). Written to a temporary file, fsynced and renamed.
//   - write.log: every write since that snapshot, in the order the store ran them: API
//     requests (method, URL, the headers that decide the outcome, the body exactly as sent,
//     the clock reading), keys minted through /_fake/keys, and last_used_at bumps. Each is
//     appended and fsynced with the store's write lock held, after the request passed
//     authentication and permissions and before its handler runs; a handler that refuses
//     the request takes the record back (the log is cut where it began), so only writes
//     that changed the state stay. A record on disk is therefore whole and answered with
//     success, or the last one of the log and never answered (a crash came first).
//
// Admin operations that replace the state (reset, a scenario, an import, Restore) write
// the new world and snapshot and empty the log inside the store's write lock too, before
// the new state becomes visible (store.Adopt), so every change is recorded in the order it
// was made. A write that cannot be made durable (disk full, I/O error) is refused with 503
// and changes nothing in memory.
//
// On start the world and snapshot are loaded, then the log is streamed and replayed (see
// persist_log.go for its framing, and how damage and a torn last record are told apart).
// dirFormat is written in snapshot.json: a directory of an unknown version is refused,
// never misread.

const (
	snapshotFile = "snapshot.json"
	logFile      = "write.log"
	// worldPrefix names the world files: world-<generation>.json.
	worldPrefix = "world-"
	// dirFormat is the version of the data directory's layout. Version 3 adds the world
	// files and key records; a version 2 directory (no world file) is read and converted.
	dirFormat    = 3
	legacyFormat = 2
)

// compactEvery is how many logged writes trigger a new snapshot (a variable for tests).
var compactEvery = 1000

// WithDataDir keeps the server's state in dir across restarts (see persist.go). The
// directory is created if needed (mode 0700: it holds plaintext keys); when it already
// holds a state, that state — and the world Reset returns to — is served instead of the
// world the other options describe.
func WithDataDir(dir string) Option { return func(c *config) { c.dataDir = dir } }

// snapshotDoc is the content of snapshot.json.
type snapshotDoc struct {
	Format int       `json:"format"` // dirFormat
	Seq    uint64    `json:"seq"`
	Time   time.Time `json:"time"` // the store clock's reading when it was taken
	// World is the world file this state belongs to (format 3).
	World string `json:"world,omitempty"`
	// Defaults are the world's credentials (read from here in format 2 only).
	Defaults Defaults `json:"defaults"`
	// State is the whole state (ExportState); absent when it is the world's, as loaded.
	State json.RawMessage `json:"state,omitempty"`
}

// worldDoc is the content of a world file.
type worldDoc struct {
	Format   int             `json:"format"` // dirFormat
	Defaults Defaults        `json:"defaults"`
	Clock    worldClockDoc   `json:"clock"`
	State    json.RawMessage `json:"state"`
}

// worldClockDoc is worldClock as persisted.
type worldClockDoc struct {
	At   time.Time `json:"at,omitzero"`
	Real bool      `json:"real,omitempty"`
}

// diskFile is what the persister needs of a file; tests wrap it to inject failures.
type diskFile interface {
	io.Writer
	Sync() error
	Truncate(size int64) error
	Seek(offset int64, whence int) (int64, error)
	Close() error
}

// persister owns the data directory. Its fields are used with the store's write lock held
// (or, at start, before the server serves), except where noted.
type persister struct {
	dir string
	// open creates or opens the files the persister writes (os.OpenFile; tests inject
	// failing files here).
	open func(name string, flag int, perm fs.FileMode) (diskFile, error)

	mu       sync.Mutex // guards failed, which reads take outside the store's lock
	failed   error      // set when the directory's state is unknown: writes are refused until restart
	log      diskFile
	logSize  int64     // where the next record goes: just past the last kept one
	seq      uint64    // last sequence number kept
	sinceSnp int       // records since the last snapshot
	replay   bool      // replaying: records are already on disk
	lastTime time.Time // the latest clock reading the directory holds
	world    string    // the current world file's name
	worldGen int       // its generation
	defaults Defaults  // the current world's credentials, written in every snapshot
}

// errNotDurable answers writes once the data directory has failed for good.
var errNotDurable = &store.Error{Status: http.StatusServiceUnavailable, Type: "server_error", Code: "error",
	Detail: "fakehog could not make this write durable in its data directory; it is serving reads only. See its log."}

// errNotWritten answers a write (or admin operation) the data directory refused this time
// (disk full, an I/O error): nothing changed, and a later one may succeed.
var errNotWritten = &store.Error{Status: http.StatusServiceUnavailable, Type: "server_error", Code: "error",
	Detail: "fakehog could not write this change to its data directory (disk full or an I/O error); nothing was changed. See its log."}

func osOpen(name string, flag int, perm fs.FileMode) (diskFile, error) {
	return os.OpenFile(name, flag, perm)
}

// setFailed puts the directory in the failed state (writes refused until restart).
func (p *persister) setFailed(err error) {
	p.mu.Lock()
	if p.failed == nil {
		p.failed = err
	}
	p.mu.Unlock()
}

// failure is the error a write gets when the directory has failed for good (nil otherwise).
func (p *persister) failure() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.failed != nil {
		return errNotDurable
	}
	return nil
}

// openPersistence loads or initialises dir for s. s already holds the freshly seeded
// world; if dir has a state, it replaces it.
func (s *Server) openPersistence(dir string) error {
	if err := s.prepareDir(dir); err != nil {
		return err
	}
	p := &persister{dir: dir, open: osOpen}
	data, err := os.ReadFile(filepath.Join(dir, snapshotFile))
	switch {
	case errors.Is(err, os.ErrNotExist):
		if err := p.openLog(true); err != nil {
			return err
		}
		s.persist = p
		if err := s.commitState(nil, s.currentWorld(), true, nil); err != nil {
			return err
		}
		s.logger.Info("data directory initialised", "dir", dir)
		return nil
	case err != nil:
		return err
	}
	var doc snapshotDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("%s is unreadable (%v); %s", snapshotFile, err, startAfresh)
	}
	if doc.Format != dirFormat && doc.Format != legacyFormat {
		return fmt.Errorf("it was written by another fakehog version (directory format %d; this fakehog reads formats %d and %d); %s",
			doc.Format, legacyFormat, dirFormat, startAfresh)
	}
	if err := s.loadDirState(p, &doc); err != nil {
		return err
	}
	p.seq = doc.Seq
	p.lastTime = doc.Time
	if err := p.openLog(false); err != nil {
		return err
	}
	s.persist = p
	replayed, err := s.replayLog(p, doc.Seq)
	if err != nil {
		_ = p.log.Close()
		s.persist = nil
		return err
	}
	if doc.Format == legacyFormat {
		// The world of a format 2 directory is the state it holds at start (as it was then);
		// written as this version's world file once. Reset's clock must not go back before
		// that state's latest write.
		if !s.worldClock.at.IsZero() && p.lastTime.After(s.worldClock.at) {
			s.worldClock.at = p.lastTime
		}
		w := s.currentWorld()
		w.snap = s.store.Snapshot()
		if err := s.commitState(nil, w, true, nil); err != nil {
			return fmt.Errorf("converting the directory to format %d: %w", dirFormat, err)
		}
		s.initial = w.snap
	}
	p.removeStaleWorlds()
	s.logger.Info("state restored from the data directory", "dir", dir, "snapshot_seq", doc.Seq, "replayed_writes", replayed)
	return nil
}

// prepareDir creates dir (0700) or warns when an existing one is open to other users.
func (s *Server) prepareDir(dir string) error {
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return os.MkdirAll(dir, 0o700)
	case err != nil:
		return err
	case !fi.IsDir():
		return fmt.Errorf("%s is not a directory", dir)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		s.logger.Warn("the data directory is open to other users, and it holds plaintext API keys and sessions: chmod 700 it",
			"dir", dir, "mode", fmt.Sprintf("%#o", fi.Mode().Perm()))
	}
	return nil
}

// loadDirState loads the world and the snapshot's state into s.
func (s *Server) loadDirState(p *persister, doc *snapshotDoc) error {
	if doc.Format == legacyFormat {
		if err := s.store.ImportJSON(doc.State); err != nil {
			return fmt.Errorf("%s: %v; %s", snapshotFile, err, startAfresh)
		}
		s.defaults, p.defaults = doc.Defaults, doc.Defaults
		return nil
	}
	gen, ok := worldGeneration(doc.World)
	if !ok {
		return fmt.Errorf("%s names no world file (%q); %s", snapshotFile, doc.World, startAfresh)
	}
	data, err := os.ReadFile(filepath.Join(p.dir, doc.World))
	if err != nil {
		return fmt.Errorf("%s: %v; %s", doc.World, err, startAfresh)
	}
	var wd worldDoc
	if err := json.Unmarshal(data, &wd); err != nil {
		return fmt.Errorf("%s is unreadable (%v); %s", doc.World, err, startAfresh)
	}
	world, err := store.DecodeSnapshot(wd.State)
	if err != nil {
		return fmt.Errorf("%s: %v; %s", doc.World, err, startAfresh)
	}
	cur := world.Clone()
	if len(doc.State) > 0 {
		if cur, err = store.DecodeSnapshot(doc.State); err != nil {
			return fmt.Errorf("%s: %v; %s", snapshotFile, err, startAfresh)
		}
	}
	_ = s.store.Adopt(cur, nil)
	s.initial = world
	s.defaults = wd.Defaults
	s.worldClock = worldClock{at: wd.Clock.At, real: wd.Clock.Real}
	p.world, p.worldGen, p.defaults = doc.World, gen, wd.Defaults
	return nil
}

// worldGeneration reads n from "world-<n>.json".
func worldGeneration(name string) (int, bool) {
	rest, ok := strings.CutPrefix(name, worldPrefix)
	if !ok {
		return 0, false
	}
	rest, ok = strings.CutSuffix(rest, ".json")
	var n int
	if _, err := fmt.Sscanf(rest, "%d", &n); !ok || err != nil || fmt.Sprint(n) != rest {
		return 0, false
	}
	return n, true
}

// removeStaleWorlds deletes world files other than the current one (left by a crash
// between writing a new world and the snapshot that adopts it).
func (p *persister) removeStaleWorlds() {
	entries, _ := os.ReadDir(p.dir)
	for _, e := range entries {
		if _, ok := worldGeneration(e.Name()); ok && e.Name() != p.world {
			_ = os.Remove(filepath.Join(p.dir, e.Name()))
		}
	}
}

// startAfresh tells how to start afresh when a data directory cannot be served.
const startAfresh = "to start afresh, move the directory away (or delete it) and start again"

// openLog opens write.log (emptied when truncate), mode 0600.
func (p *persister) openLog(truncate bool) error {
	flags := os.O_CREATE | os.O_RDWR
	if truncate {
		flags |= os.O_TRUNC
	}
	path := filepath.Join(p.dir, logFile)
	f, err := p.open(path, flags, 0o600)
	if err != nil {
		return err
	}
	_ = os.Chmod(path, 0o600) // a log from an older fakehog may be 0644
	p.log = f
	return nil
}

// PersistedTime is the latest clock reading the data directory held when the server
// started (zero without WithDataDir or for a new directory). A dev server whose clock starts
// at a scenario's fixed now moves it here, so new records never predate restored ones.
func (s *Server) PersistedTime() time.Time {
	if s.persist == nil {
		return time.Time{}
	}
	return s.persist.lastTime
}

// closePersistence closes the log file.
func (s *Server) closePersistence() error {
	if s.persist == nil || s.persist.log == nil {
		return nil
	}
	return s.persist.log.Close()
}
