package fake

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/fakehog/fakehog/fake/store"
)

// Persistence for the dev server (WithDataDir, -data-dir): the state survives restarts and
// crashes. The store is deterministic — the same writes, in the same order, at the same
// clock readings, from the same state give the same state, random ids included — so what
// is made durable is the sequence of write requests, not their effects:
//
//   - write.log holds every API request that ran in a write transaction: method, URL, the
//     headers that decide its outcome, the body exactly as it was sent (JSON, form-encoded or
//     multipart, with its Content-Type), the clock reading and the outcome it was answered
//     with (success or the error's status), appended and fsynced while
//     the transaction still holds the store's lock, before the response is sent. A request
//     that was answered is therefore on disk; one that was not is either wholly there (and
//     is replayed whole) or not at all.
//   - snapshot.json is the whole state (ExportState) with the sequence number of the last
//     write it includes, written to a temporary file, fsynced and renamed into place. After
//     every compactEvery writes, and after Reset, LoadWorld, Restore and ImportState, a new
//     snapshot is taken and the log emptied.
//
// Each log record is framed as [length uint32][crc32 uint32][JSON]; on start the log is
// read up to the first record that is short or fails its checksum (a write torn by a
// crash), cut there, and replayed on top of the snapshot. A replayed write must end as it
// ended the first time; one that does not means the directory is corrupt or was written by
// another fakehog, and the server refuses to start (naming the record and the directory)
// rather than serve a state that silently lacks an acknowledged write.
//
// snapshot.json carries dirFormat, and its state StateFormat: a directory of another
// version is refused at start, never misread.

const (
	snapshotFile = "snapshot.json"
	logFile      = "write.log"
	// dirFormat is the version of the data directory's layout (snapshot.json and the
	// records of write.log). Version 2 logs bodies as sent and each write's outcome.
	dirFormat = 2
)

// compactEvery is how many logged writes trigger a new snapshot (a variable for tests).
var compactEvery = 1000

// WithDataDir keeps the server's state in dir across restarts (see persist.go). The
// directory is created if needed; when it already holds a state, that state is served
// instead of the world the other options describe.
func WithDataDir(dir string) Option { return func(c *config) { c.dataDir = dir } }

// logRecord is one persisted write request.
type logRecord struct {
	Seq    uint64              `json:"seq"`
	Time   time.Time           `json:"time"`
	Method string              `json:"method"`
	URL    string              `json:"url"`
	Header map[string][]string `json:"header,omitempty"`
	Body   []byte              `json:"body,omitempty"`
	// Outcome is how the write ended when it was answered: 0 for success, else the status
	// of the error it was answered with. Replay must end the same way.
	Outcome int `json:"outcome"`
}

// persistedHeaders are the request headers a write's outcome can depend on.
var persistedHeaders = []string{"Authorization", "Cookie", "Content-Type", "Host", "X-Forwarded-Proto", "X-Forwarded-Host",
	"X-Csrftoken", "Origin", "Referer"} // the last three: a session's CSRF check (csrf.go)

// snapshotDoc is the content of snapshot.json.
type snapshotDoc struct {
	Format   int             `json:"format"` // dirFormat
	Seq      uint64          `json:"seq"`
	Time     time.Time       `json:"time"` // the store clock's reading when it was taken
	Defaults Defaults        `json:"defaults"`
	State    json.RawMessage `json:"state"`
}

// persister owns the data directory.
type persister struct {
	dir      string
	mu       sync.Mutex // guards the fields below; taken inside the store's write lock
	log      *os.File
	seq      uint64    // last sequence number written
	sinceSnp int       // records since the last snapshot
	failed   error     // set when a write could not be made durable: writes are refused after
	replay   bool      // replaying: records are already on disk
	lastTime time.Time // the latest clock reading the directory holds
}

// errNotDurable answers writes once the data directory has failed.
var errNotDurable = &store.Error{Status: http.StatusServiceUnavailable, Type: "server_error", Code: "error",
	Detail: "fakehog could not make this write durable in its data directory; it is serving reads only. See its log."}

// openPersistence loads or initialises dir for s. s already holds the freshly seeded
// world; if dir has a state, it replaces it.
func (s *Server) openPersistence(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	p := &persister{dir: dir}
	data, err := os.ReadFile(filepath.Join(dir, snapshotFile))
	switch {
	case errors.Is(err, os.ErrNotExist):
		s.persist = p
		if err := p.openLog(true); err != nil {
			return err
		}
		s.logger.Info("data directory initialised", "dir", dir)
		return s.checkpoint()
	case err != nil:
		return err
	}
	var doc snapshotDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("%s is unreadable (%v); %s", snapshotFile, err, startAfresh)
	}
	if doc.Format != dirFormat {
		return fmt.Errorf("it was written by another fakehog version (directory format %d; this fakehog reads format %d only); %s",
			doc.Format, dirFormat, startAfresh)
	}
	if err := s.store.ImportJSON(doc.State); err != nil {
		return fmt.Errorf("%s: %v; %s", snapshotFile, err, startAfresh)
	}
	s.defaults = doc.Defaults
	p.seq = doc.Seq
	p.lastTime = doc.Time
	records, good, err := readLog(filepath.Join(dir, logFile))
	if err != nil {
		return err
	}
	if err := p.openLog(false); err != nil {
		return err
	}
	if err := p.log.Truncate(good); err != nil { // cut a torn last record
		return err
	}
	if _, err := p.log.Seek(good, io.SeekStart); err != nil {
		return err
	}
	s.persist = p
	p.replay = true
	replayed := 0
	for _, rec := range records {
		if rec.Seq <= p.seq {
			continue // already in the snapshot (a crash came between snapshot and log reset)
		}
		if err := s.replayRecord(rec); err != nil {
			p.replay = false
			_ = p.log.Close()
			return fmt.Errorf("%s record %d (%s %s): %w; the directory is corrupt or was written by another fakehog version, and starting would lose that write; %s",
				logFile, rec.Seq, rec.Method, rec.URL, err, startAfresh)
		}
		p.seq = rec.Seq
		if rec.Time.After(p.lastTime) {
			p.lastTime = rec.Time
		}
		p.sinceSnp++
		replayed++
	}
	p.replay = false
	s.initial = s.store.Snapshot()
	s.logger.Info("state restored from the data directory", "dir", dir, "snapshot_seq", doc.Seq, "replayed_writes", replayed)
	return nil
}

// startAfresh tells how to start afresh when a data directory cannot be served.
const startAfresh = "to start afresh, move the directory away (or delete it) and start again"

func (p *persister) openLog(truncate bool) error {
	flags := os.O_CREATE | os.O_RDWR
	if truncate {
		flags |= os.O_TRUNC
	}
	f, err := os.OpenFile(filepath.Join(p.dir, logFile), flags, 0o644)
	if err != nil {
		return err
	}
	p.log = f
	return nil
}

// readLog reads every intact record and the offset just past the last one.
func readLog(path string) ([]logRecord, int64, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, err
	}
	var out []logRecord
	off := int64(0)
	for {
		rest := data[off:]
		if len(rest) < 8 {
			return out, off, nil
		}
		n := binary.BigEndian.Uint32(rest[0:4])
		sum := binary.BigEndian.Uint32(rest[4:8])
		if uint64(len(rest)-8) < uint64(n) || crc32.ChecksumIEEE(rest[8:8+n]) != sum {
			return out, off, nil
		}
		var rec logRecord
		if err := json.Unmarshal(rest[8:8+n], &rec); err != nil {
			return out, off, nil
		}
		out = append(out, rec)
		off += 8 + int64(n)
	}
}

// writeInStore runs a write transaction for an API request, logging it durably (when the
// server persists) before the transaction — and so the response — completes.
func (s *Server) writeInStore(r *http.Request, body *requestBody, run func(tx *store.Tx) error) error {
	p := s.persist
	if p == nil {
		return s.store.Write(run)
	}
	if p.replay {
		err := s.store.WriteAt(s.replayTime, run)
		s.replayed, s.replayOutcome = true, outcomeOf(err)
		return err
	}
	return s.store.Write(func(tx *store.Tx) error {
		p.mu.Lock()
		failed := p.failed
		p.mu.Unlock()
		if failed != nil {
			return errNotDurable
		}
		err := run(tx)
		rec := logRecord{Time: tx.Now(), Method: r.Method, URL: r.URL.RequestURI(), Header: map[string][]string{}, Outcome: outcomeOf(err)}
		for _, h := range persistedHeaders {
			if v := r.Header.Values(h); len(v) > 0 {
				rec.Header[h] = v
			}
		}
		if r.Host != "" {
			rec.Header["Host"] = []string{r.Host}
		}
		if body != nil {
			rec.Body = body.sent
		}
		if perr := s.appendRecord(tx, rec); perr != nil {
			s.logger.Error("the data directory failed; refusing writes from now on", "err", perr)
			return errNotDurable
		}
		return err
	})
}

// appendRecord makes one record durable, and compacts when the log is long. It runs inside
// the store's write lock, so records are in the order their transactions ran.
func (s *Server) appendRecord(tx *store.Tx, rec logRecord) error {
	p := s.persist
	p.mu.Lock()
	defer p.mu.Unlock()
	rec.Seq = p.seq + 1
	payload, err := json.Marshal(rec)
	if err != nil {
		p.failed = err
		return err
	}
	frame := make([]byte, 8, 8+len(payload))
	binary.BigEndian.PutUint32(frame[0:4], uint32(len(payload)))
	binary.BigEndian.PutUint32(frame[4:8], crc32.ChecksumIEEE(payload))
	frame = append(frame, payload...)
	if _, err := p.log.Write(frame); err != nil {
		p.failed = err
		return err
	}
	if err := p.log.Sync(); err != nil {
		p.failed = err
		return err
	}
	p.seq = rec.Seq
	p.sinceSnp++
	if p.sinceSnp >= compactEvery {
		state, err := tx.ExportJSON()
		if err == nil {
			err = p.writeSnapshot(s.Defaults(), state, tx.Now())
		}
		if err != nil {
			// The log still holds everything: a failed compaction loses nothing.
			s.logger.Warn("compacting the data directory failed; will retry", "err", err)
		}
	}
	return nil
}

// writeSnapshot replaces snapshot.json atomically, then empties the log. Callers hold p.mu.
func (p *persister) writeSnapshot(d Defaults, state []byte, now time.Time) error {
	doc, err := json.Marshal(snapshotDoc{Format: dirFormat, Seq: p.seq, Time: now, Defaults: d, State: state})
	if err != nil {
		return err
	}
	tmp := filepath.Join(p.dir, snapshotFile+".tmp")
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, bytes.NewReader(doc)); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(p.dir, snapshotFile)); err != nil {
		return err
	}
	if err := syncDir(p.dir); err != nil {
		return err
	}
	// The snapshot holds every record up to p.seq; a crash before the log is emptied only
	// leaves records that replay skips by their sequence numbers.
	if err := p.log.Truncate(0); err != nil {
		return err
	}
	if _, err := p.log.Seek(0, io.SeekStart); err != nil {
		return err
	}
	p.sinceSnp = 0
	return p.log.Sync()
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// checkpoint writes a snapshot of the current state now (after Reset, LoadWorld, Restore,
// ImportState: changes that are not API writes and so are not in the log).
func (s *Server) checkpoint() error {
	p := s.persist
	if p == nil {
		return nil
	}
	d := s.Defaults()
	return s.store.Write(func(tx *store.Tx) error {
		state, err := tx.ExportJSON()
		if err != nil {
			return err
		}
		p.mu.Lock()
		defer p.mu.Unlock()
		if err := p.writeSnapshot(d, state, tx.Now()); err != nil {
			p.failed = err
			s.logger.Error("the data directory failed; refusing writes from now on", "err", err)
			return err
		}
		return nil
	})
}

// touchRecord is the Method of a logged last_used_at bump: reads bump keys too, and the
// bump is state, so it is logged like a write (at most once an hour per key).
const touchRecord = "TOUCH"

// persistedTouch bumps a key's last_used_at, durably when the server persists.
func (s *Server) persistedTouch(keyID string) {
	touch := func(tx *store.Tx) {
		if k := tx.APIKeyByID(keyID); k != nil {
			tx.TouchAPIKey(k)
		}
	}
	if s.persist == nil {
		_ = s.store.Write(func(tx *store.Tx) error { touch(tx); return nil })
		return
	}
	_ = s.store.Write(func(tx *store.Tx) error {
		touch(tx)
		return s.appendRecord(tx, logRecord{Time: tx.Now(), Method: touchRecord, URL: keyID})
	})
}

// outcomeOf is a write's outcome as logged: 0 for success, else its error's status.
func outcomeOf(err error) int {
	if err == nil {
		return 0
	}
	var e *store.Error
	if errors.As(err, &e) {
		return e.Status
	}
	return http.StatusInternalServerError
}

// outcomeText describes an outcome for the error a failed replay returns.
func outcomeText(o int) string {
	if o == 0 {
		return "success"
	}
	return fmt.Sprintf("error %d", o)
}

// replayRecord runs a logged request again, at its logged time, through the same pipeline
// (without journal or faults), and checks that it ends as it ended the first time.
func (s *Server) replayRecord(rec logRecord) error {
	if rec.Method == touchRecord {
		return s.store.WriteAt(rec.Time, func(tx *store.Tx) error {
			// A key gone by then (deleted by the request that used it) was not bumped the
			// first time either.
			if k := tx.APIKeyByID(rec.URL); k != nil {
				tx.TouchAPIKey(k)
			}
			return nil
		})
	}
	req, err := http.NewRequest(rec.Method, rec.URL, bytes.NewReader(rec.Body))
	if err != nil {
		return fmt.Errorf("unreadable: %w", err)
	}
	for k, v := range rec.Header {
		req.Header[k] = v
	}
	if h := req.Header.Get("Host"); h != "" {
		req.Host = h
	}
	req.RequestURI = rec.URL
	s.replayTime = rec.Time
	s.replayed, s.replayOutcome = false, 0
	s.serveRecovering(discardWriter{header: http.Header{}}, req)
	switch {
	case !s.replayed:
		return fmt.Errorf("it was answered with %s when it was made, but on replay it never reached the store", outcomeText(rec.Outcome))
	case s.replayOutcome != rec.Outcome:
		return fmt.Errorf("it was answered with %s when it was made, but with %s on replay", outcomeText(rec.Outcome), outcomeText(s.replayOutcome))
	}
	return nil
}

// discardWriter is a ResponseWriter that keeps nothing.
type discardWriter struct{ header http.Header }

func (w discardWriter) Header() http.Header         { return w.header }
func (w discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w discardWriter) WriteHeader(int)             {}

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
