package fake

import (
	"bufio"
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
	"time"

	"github.com/fakehog/fakehog/fake/store"
)

// The data directory's write log (see persist.go): its records, how a write is logged
// before it runs and taken back when it is refused, and how the log is streamed and
// replayed on start.
//
// Each record is framed as [length uint32][crc32 uint32][JSON], the JSON opening with
// {"seq":. On start the log is read one record at a time (memory bounded by the largest
// record). A record that is short, fails its checksum or is not a record is damage; what
// follows it decides what it is:
//   - no valid record after it: the last append, torn by a crash before it was answered.
//     It is cut off, and the log says so (file, offset, bytes).
//   - a valid record after it: the log was damaged in the middle, and starting would lose
//     the acknowledged writes after the damage. The start is refused, naming the file and
//     the offset, and how to salvage the writes before it (cut the log there) or start
//     afresh.
//
// Sequence numbers must follow each other from the snapshot's; a gap is damage too.

// logRecord is one persisted write.
type logRecord struct {
	Seq    uint64              `json:"seq"`
	Time   time.Time           `json:"time"`
	Method string              `json:"method"` // an HTTP method, touchRecord or keyRecord
	URL    string              `json:"url"`
	Header map[string][]string `json:"header,omitempty"`
	Body   []byte              `json:"body,omitempty"`
	// Outcome is how the write ended: 0 for success (this version keeps only those),
	// else the status of the error it was answered with (format 2 logs kept refused
	// writes). Replay must end the same way.
	Outcome int `json:"outcome"`
}

const (
	// touchRecord is the Method of a logged last_used_at bump: reads bump keys too, and the
	// bump is state, so it is logged like a write (at most once an hour per key). URL is
	// the key's id.
	touchRecord = "TOUCH"
	// keyRecord is the Method of a key minted through /_fake/keys (MintKey); Body is the
	// NewKey, its defaults applied.
	keyRecord = "KEY"
)

// persistedHeaders are the request headers a write's outcome can depend on.
var persistedHeaders = []string{"Authorization", "Cookie", "Content-Type", "Host", "X-Forwarded-Proto", "X-Forwarded-Host",
	"X-Csrftoken", "Origin", "Referer"} // the last three: a session's CSRF check (csrf.go)

// frameOf frames one record.
func frameOf(rec logRecord) ([]byte, error) {
	payload, err := json.Marshal(rec)
	if err != nil {
		return nil, err
	}
	frame := make([]byte, 8, 8+len(payload))
	binary.BigEndian.PutUint32(frame[0:4], uint32(len(payload)))
	binary.BigEndian.PutUint32(frame[4:8], crc32.ChecksumIEEE(payload))
	return append(frame, payload...), nil
}

// begin appends rec as the next record and fsyncs it, before the change it describes is
// made; it returns where the record starts, for end. A failed append changes nothing: the
// log is cut back and errNotWritten returned, or, when the log's content is unknown (a
// failed fsync, a cut that failed), the directory stops taking writes (errNotDurable).
func (s *Server) begin(rec logRecord) (int64, error) {
	p := s.persist
	if err := p.failure(); err != nil {
		return 0, err
	}
	rec.Seq = p.seq + 1
	frame, err := frameOf(rec)
	if err != nil {
		return 0, err
	}
	off := p.logSize
	if _, err := p.log.Write(frame); err != nil {
		if rerr := p.rewind(off); rerr != nil {
			p.setFailed(rerr)
			s.logger.Error("the data directory's log failed; refusing writes from now on", "dir", p.dir, "err", err, "cut_err", rerr)
			return 0, errNotDurable
		}
		s.logger.Error("writing to the data directory's log failed; the write was refused and nothing changed", "dir", p.dir, "err", err)
		return 0, errNotWritten
	}
	if err := p.log.Sync(); err != nil {
		// After a failed fsync the file's content is unknown (the kernel may have dropped
		// the pages): no further write can be promised.
		_ = p.rewind(off)
		p.setFailed(err)
		s.logger.Error("the data directory's log failed; refusing writes from now on", "dir", p.dir, "err", err)
		return 0, errNotDurable
	}
	p.logSize = off + int64(len(frame))
	return off, nil
}

// end settles the record begun at off once its change has run: kept when it succeeded
// (and the log compacted when long), taken back when it was refused. A record that could
// not be taken back is the last of the log, and replay drops it when it is refused again.
func (s *Server) end(tx *store.Tx, off int64, err error) {
	p := s.persist
	if err != nil {
		if rerr := p.rewind(off); rerr != nil {
			p.setFailed(rerr)
			s.logger.Error("taking a refused write back from the data directory's log failed; refusing writes from now on", "dir", p.dir, "err", rerr)
		}
		return
	}
	p.seq++
	p.sinceSnp++
	s.compact(tx)
}

// rewind cuts the log at off; the next record goes there.
func (p *persister) rewind(off int64) error {
	if err := p.log.Truncate(off); err != nil {
		return err
	}
	if _, err := p.log.Seek(off, io.SeekStart); err != nil {
		return err
	}
	p.logSize = off
	return nil
}

// runLogged runs fn, the change the record begun at off describes, and settles the
// record; a panic takes it back.
func (s *Server) runLogged(tx *store.Tx, off int64, fn func(tx *store.Tx) error) error {
	settled := false
	defer func() {
		if !settled {
			s.end(tx, off, errServer)
		}
	}()
	err := fn(tx)
	settled = true
	s.end(tx, off, err)
	return err
}

// loggedWrite runs fn in a write transaction recorded as rec (Time set here), for writes
// that are not API requests (touches, minted keys).
func (s *Server) loggedWrite(rec logRecord, fn func(tx *store.Tx) error) error {
	p := s.persist
	if p == nil || p.replay {
		return s.store.Write(fn)
	}
	return s.store.Write(func(tx *store.Tx) error {
		rec.Time = tx.Now()
		off, err := s.begin(rec)
		if err != nil {
			return err
		}
		return s.runLogged(tx, off, fn)
	})
}

// noLog is the logging step of a transaction that is not persisted.
func noLog() error { return nil }

// writeInStore runs a write transaction for an API request. run calls its second argument
// once the request passed authentication and permissions, right before the handler: with a
// data directory, that is where the request is logged, so refused requests before it are
// never written, and the handler's refusal takes the record back.
func (s *Server) writeInStore(r *http.Request, body *requestBody, run func(tx *store.Tx, logged func() error) error) error {
	p := s.persist
	if p == nil {
		return s.store.Write(func(tx *store.Tx) error { return run(tx, noLog) })
	}
	if p.replay {
		err := s.store.WriteAt(s.replayTime, func(tx *store.Tx) error { return run(tx, noLog) })
		s.replayed, s.replayOutcome = true, outcomeOf(err)
		return err
	}
	return s.store.Write(func(tx *store.Tx) error {
		begun, settled, off := false, false, int64(0)
		defer func() {
			if begun && !settled { // the handler panicked
				s.end(tx, off, errServer)
			}
		}()
		err := run(tx, func() error {
			rec := logRecord{Time: tx.Now(), Method: r.Method, URL: r.URL.RequestURI(), Header: map[string][]string{}}
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
			o, err := s.begin(rec)
			if err != nil {
				return err
			}
			begun, off = true, o
			return nil
		})
		settled = true
		if begun {
			s.end(tx, off, err)
		}
		return err
	})
}

// persistedTouch bumps a key's last_used_at, durably when the server persists.
func (s *Server) persistedTouch(keyID string) {
	_ = s.loggedWrite(logRecord{Method: touchRecord, URL: keyID}, func(tx *store.Tx) error {
		if k := tx.APIKeyByID(keyID); k != nil {
			tx.TouchAPIKey(k)
		}
		return nil
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

// replayMismatch is a logged write that did not end on replay as it ended when made.
type replayMismatch struct {
	reached      bool // it reached the store
	logged, got  int  // outcomes
	refusedAfter bool // logged as a success, refused on replay
}

func (m *replayMismatch) Error() string {
	if !m.reached {
		return fmt.Sprintf("it was answered with %s when it was made, but on replay it never reached the store", outcomeText(m.logged))
	}
	return fmt.Sprintf("it was answered with %s when it was made, but with %s on replay", outcomeText(m.logged), outcomeText(m.got))
}

// replayRecord runs a logged write again, at its logged time, through the same pipeline
// (without journal or faults), and checks that it ends as it ended the first time.
func (s *Server) replayRecord(rec *logRecord) error {
	switch rec.Method {
	case touchRecord:
		return s.store.WriteAt(rec.Time, func(tx *store.Tx) error {
			// A key gone by then (deleted by the request that used it) was not bumped the
			// first time either.
			if k := tx.APIKeyByID(rec.URL); k != nil {
				tx.TouchAPIKey(k)
			}
			return nil
		})
	case keyRecord:
		var in NewKey
		if err := json.Unmarshal(rec.Body, &in); err != nil {
			return fmt.Errorf("unreadable: %w", err)
		}
		err := s.store.WriteAt(rec.Time, func(tx *store.Tx) error {
			_, err := mintKeyTx(tx, in)
			return err
		})
		if got := outcomeOf(err); got != rec.Outcome {
			return &replayMismatch{reached: true, logged: rec.Outcome, got: got, refusedAfter: rec.Outcome == 0}
		}
		return nil
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
		return &replayMismatch{logged: rec.Outcome}
	case s.replayOutcome != rec.Outcome:
		return &replayMismatch{reached: true, logged: rec.Outcome, got: s.replayOutcome, refusedAfter: rec.Outcome == 0}
	}
	return nil
}

// discardWriter is a ResponseWriter that keeps nothing.
type discardWriter struct{ header http.Header }

func (w discardWriter) Header() http.Header         { return w.header }
func (w discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w discardWriter) WriteHeader(int)             {}

// replayLog streams write.log and replays every record after seq, then leaves the log
// open for appends just past the last record kept. It returns how many were replayed.
func (s *Server) replayLog(p *persister, seq uint64) (int, error) {
	path := filepath.Join(p.dir, logFile)
	lr, err := openLogReader(path)
	if err != nil {
		return 0, err
	}
	defer lr.close()
	p.replay = true
	defer func() { p.replay = false }()
	replayed := 0
	keep := int64(0) // where the records kept end
	cur, err := lr.next()
	for err == nil {
		nxt, nerr := lr.next()
		if nerr != nil && nerr != io.EOF {
			return replayed, nerr
		}
		rec := &cur.rec
		switch {
		case rec.Seq <= p.seq:
			// Already in the snapshot (a crash came between a snapshot and emptying the log).
		case rec.Seq != p.seq+1:
			return replayed, lr.damaged(cur.off, fmt.Sprintf("record %d follows record %d (a record is missing)", rec.Seq, p.seq))
		default:
			if rerr := s.replayRecord(rec); rerr != nil {
				var m *replayMismatch
				if nerr == io.EOF && errors.As(rerr, &m) && m.refusedAfter {
					// The last record, logged before its handler ran, and refused: the
					// server stopped before it could take it back, so it was never answered.
					s.logger.Warn("dropped the last record of the write log: it was written before its request ran, the server stopped before answering, and the request is refused on replay",
						"file", path, "offset", cur.off, "record", rec.Seq, "request", rec.Method+" "+rec.URL)
					cur.end = cur.off
					break
				}
				return replayed, fmt.Errorf("%s record %d (%s %s) at offset %d: %w; the directory is corrupt or was written by another fakehog version, and starting would lose that write; %s",
					logFile, rec.Seq, rec.Method, rec.URL, cur.off, rerr, startAfresh)
			}
			p.seq = rec.Seq
			if t := rec.Time; t.After(p.lastTime) {
				p.lastTime = t
			}
			p.sinceSnp++
			replayed++
		}
		keep = cur.end
		cur, err = nxt, nerr
	}
	if lr.torn > 0 {
		s.logger.Warn("dropped a torn last record from the write log (an append cut by a crash before it was answered)",
			"file", path, "offset", keep, "bytes", lr.torn)
	}
	if err := p.rewind(keep); err != nil {
		return replayed, err
	}
	return replayed, nil
}

// logEntry is one record read from the log, with where it starts and ends.
type logEntry struct {
	rec      logRecord
	off, end int64
}

// logReader streams write.log's records.
type logReader struct {
	path string
	f    *os.File // nil when there is no log
	r    *bufio.Reader
	off  int64 // where the next record starts
	size int64
	torn int64 // bytes of a torn last record left out
}

func openLogReader(path string) (*logReader, error) {
	lr := &logReader{path: path}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return lr, nil
	}
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	lr.f, lr.r, lr.size = f, bufio.NewReaderSize(f, 64<<10), fi.Size()
	return lr, nil
}

func (lr *logReader) close() {
	if lr.f != nil {
		lr.f.Close()
	}
}

// next reads the next record: io.EOF at the end of the log (a torn last record is left
// out and counted in torn); damage followed by valid records is an error.
func (lr *logReader) next() (logEntry, error) {
	if lr.f == nil || lr.off == lr.size {
		return logEntry{}, io.EOF
	}
	off := lr.off
	bad := func(why string) (logEntry, error) {
		if lr.validAfter(off) {
			return logEntry{}, lr.damaged(off, why)
		}
		lr.torn = lr.size - off
		lr.off = lr.size
		return logEntry{}, io.EOF
	}
	if lr.size-off < 8 {
		return bad("a record's header is cut short")
	}
	var hdr [8]byte
	if _, err := io.ReadFull(lr.r, hdr[:]); err != nil {
		return logEntry{}, err
	}
	n := int64(binary.BigEndian.Uint32(hdr[0:4]))
	if n > lr.size-off-8 {
		return bad(fmt.Sprintf("a record of %d bytes runs past the end of the file", n))
	}
	payload := make([]byte, n)
	if _, err := io.ReadFull(lr.r, payload); err != nil {
		return logEntry{}, err
	}
	if crc32.ChecksumIEEE(payload) != binary.BigEndian.Uint32(hdr[4:8]) {
		return bad("a record fails its checksum")
	}
	var e logEntry
	if err := json.Unmarshal(payload, &e.rec); err != nil {
		return bad("a record is not readable (" + err.Error() + ")")
	}
	e.off, e.end = off, off+8+n
	lr.off = e.end
	return e, nil
}

// recordStart is how every record's JSON opens.
var recordStart = []byte(`{"seq":`)

// validAfter reports whether a whole, valid record starts anywhere after off (so the
// damage at off is not a torn last append). It reads the rest of the file in chunks.
func (lr *logReader) validAfter(off int64) bool {
	const chunk = 1 << 20
	buf := make([]byte, chunk+len(recordStart))
	for pos := off + 1; pos < lr.size; pos += chunk {
		n, _ := lr.f.ReadAt(buf, pos)
		data := buf[:n]
		for i := 0; ; {
			j := bytes.Index(data[i:], recordStart)
			if j < 0 {
				break
			}
			start := pos + int64(i+j) - 8 // the frame's header
			if start > off && lr.validFrameAt(start) {
				return true
			}
			i += j + 1
		}
	}
	return false
}

// validFrameAt reports whether a whole record with a good checksum starts at off.
func (lr *logReader) validFrameAt(off int64) bool {
	var hdr [8]byte
	if _, err := lr.f.ReadAt(hdr[:], off); err != nil {
		return false
	}
	n := int64(binary.BigEndian.Uint32(hdr[0:4]))
	if n > lr.size-off-8 {
		return false
	}
	payload := make([]byte, n)
	if _, err := lr.f.ReadAt(payload, off+8); err != nil {
		return false
	}
	var rec logRecord
	return crc32.ChecksumIEEE(payload) == binary.BigEndian.Uint32(hdr[4:8]) && json.Unmarshal(payload, &rec) == nil
}

// damaged is the error that refuses to start on a log damaged at off.
func (lr *logReader) damaged(off int64, why string) error {
	return fmt.Errorf("%s is damaged at offset %d: %s, and valid records follow, so starting would lose acknowledged writes. "+
		"To salvage the writes before the damage (losing those after it), cut the log there: truncate -s %d %s; %s",
		lr.path, off, why, off, lr.path, startAfresh)
}
