package fake

// The journal's recorder: how one request is followed through the server (status, bodies,
// template, caller, fault) and filed in the journal when it ends.

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// recorder follows one request through the server: it wraps the ResponseWriter to see the
// status and the response body, taps the request body, and collects what the pipeline
// learns on the way (template, caller, fault).
type recorder struct {
	http.ResponseWriter
	j         *Journal
	r         *http.Request
	start     time.Time // wall clock, for Duration
	entry     Request
	wroteHead bool
	filed     bool
	resp      []byte
	respMore  bool
	tap       bodyTap
	// redacted, when set, is recorded instead of the request body as sent (a body that
	// carried secrets: hog function inputs).
	redacted []byte
}

var recorderPool = sync.Pool{New: func() any { return new(recorder) }}

// begin starts recording a request that arrived at now (server clock).
func (j *Journal) begin(w http.ResponseWriter, r *http.Request, now time.Time) *recorder {
	rec := recorderPool.Get().(*recorder)
	rec.ResponseWriter, rec.j, rec.r, rec.start = w, j, r, time.Now()
	rec.entry = Request{Time: now, Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery}
	rec.resp = rec.resp[:0]
	if r.Body != nil && r.Body != http.NoBody {
		rec.tap = bodyTap{rc: r.Body, buf: rec.tap.buf[:0], limit: j.bodyLimit}
		r.Body = &rec.tap
	}
	return rec
}

// file adds the request's entry to the journal, once. It normally runs when the handler
// returns; a dropped connection files it before closing, so that the client never sees the
// outcome of a request the journal does not hold yet.
func (j *Journal) file(rec *recorder) {
	if rec.filed {
		return
	}
	rec.filed = true
	// A body the handler did not read (an unrouted path, an injected failure) is still
	// worth recording: read what the journal keeps of it (never after a hijack).
	if t := &rec.tap; t.rc != nil && !t.eof && !rec.entry.Dropped && len(t.buf) < t.limit {
		_, _ = io.CopyN(io.Discard, t, int64(t.limit-len(t.buf))+1)
	}
	e := rec.entry
	e.Duration = time.Since(rec.start)
	if !rec.wroteHead && !e.Dropped {
		e.Status = http.StatusOK // a handler that writes nothing answers 200
	}
	e.RequestBody, e.RequestBodyTruncated = cloneBytes(rec.tap.buf), rec.tap.more
	if rec.redacted != nil {
		b := rec.redacted
		e.RequestBodyTruncated = len(b) > j.bodyLimit
		if e.RequestBodyTruncated {
			b = b[:j.bodyLimit]
		}
		e.RequestBody = cloneBytes(b)
	}
	e.ResponseBody, e.ResponseBodyTruncated = rec.takeResponse(), rec.respMore
	// The logger sees the entry before the journal holds it: once held, its bodies may be
	// recycled after it is dropped.
	if j.onFile != nil {
		j.onFile(e)
	}
	if j.size > 0 {
		j.add(e)
	}
}

// finish files the entry (unless already filed) and recycles the recorder.
func (j *Journal) finish(rec *recorder) {
	j.file(rec)
	buf, resp := rec.tap.buf[:0], rec.resp[:0]
	*rec = recorder{}
	// Keep scratch buffers of a reasonable size for the next request.
	if cap(buf) <= 64<<10 {
		rec.tap.buf = buf
	}
	if cap(resp) <= 64<<10 {
		rec.resp = resp
	}
	recorderPool.Put(rec)
}

// takeResponse is the start of the response body for the entry. A body written in one go
// (writeJSON's way) was copied once, into a slice of its own size, and the entry takes
// that slice as it is instead of a second copy; the recorder then starts the next request
// without a scratch buffer. A slice much larger than what it holds is copied instead, so
// that the journal does not keep the slack: into a dropped entry's body of about that size
// when the journal has one.
func (rec *recorder) takeResponse() []byte {
	b := rec.resp
	if len(b) == 0 || !fitsBody(cap(b), len(b)) {
		if spare := rec.j.spareFor(len(b)); spare != nil {
			copy(spare, b) // into the body of an entry the journal dropped
			return spare
		}
		return cloneBytes(b)
	}
	rec.resp = nil
	return b
}

func cloneBytes(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return bytes.Clone(b)
}

// abort notes how a request that panicked ended: http.ErrAbortHandler is a dropped
// connection, anything else a 500 as net/http would answer.
func (rec *recorder) abort(p any) {
	if err, ok := p.(error); ok && errors.Is(err, http.ErrAbortHandler) {
		rec.entry.Dropped = true
		rec.entry.Status = 0
		return
	}
	if !rec.wroteHead {
		rec.wroteHead = true
		rec.entry.Status = http.StatusInternalServerError
	}
}

// redactRequest makes the journal record body instead of the request body as sent.
func (rec *recorder) redactRequest(body []byte) { rec.redacted = body }

// identify notes the caller, as the pipeline found it (inside the request's transaction).
func (rec *recorder) identify(c *call) {
	if c.user != nil {
		rec.entry.UserID, rec.entry.UserEmail = c.user.ID, c.user.Email
		rec.entry.Session = c.key == nil
	}
	if c.key != nil {
		rec.entry.Key, rec.entry.KeyID = c.key.MaskValue, c.key.ID
	}
	if c.org != nil {
		rec.entry.OrgID = c.org.ID
	}
}

// recorderOf returns the journal's recorder wrapping w, or nil.
func recorderOf(w http.ResponseWriter) *recorder {
	for {
		switch v := w.(type) {
		case *recorder:
			return v
		case interface{ Unwrap() http.ResponseWriter }:
			w = v.Unwrap()
		default:
			return nil
		}
	}
}

// WriteHeader records the status.
func (rec *recorder) WriteHeader(code int) {
	if !rec.wroteHead {
		rec.wroteHead = true
		rec.entry.Status = code
	}
	rec.ResponseWriter.WriteHeader(code)
}

// Write keeps the start of the body, up to the journal's limit.
func (rec *recorder) Write(p []byte) (int, error) {
	if !rec.wroteHead {
		rec.WriteHeader(http.StatusOK)
	}
	if room := rec.j.bodyLimit - len(rec.resp); room > 0 {
		if need := min(room, len(p)); len(rec.resp) == 0 && cap(rec.resp) < need {
			// No scratch buffer (the last entry took it): keep this write in a body the
			// journal dropped, when it has one of about this size.
			if b := rec.j.spareFor(need); b != nil {
				rec.resp = b[:0]
			}
		}
		rec.resp = append(rec.resp, p[:min(room, len(p))]...)
		if len(p) > room {
			rec.respMore = true
		}
	} else if len(p) > 0 {
		rec.respMore = true
	}
	return rec.ResponseWriter.Write(p)
}

// Flush passes through to the underlying writer.
func (rec *recorder) Flush() {
	if f, ok := rec.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Hijack passes through to the underlying writer (used by drop faults) and marks the
// request dropped.
func (rec *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := rec.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("fakehog: the response writer cannot be hijacked")
	}
	conn, rw, err := hj.Hijack()
	if err == nil {
		rec.entry.Dropped = true
		rec.entry.Status = 0
		rec.wroteHead = true
	}
	return conn, rw, err
}

// Unwrap gives http.ResponseController the underlying writer.
func (rec *recorder) Unwrap() http.ResponseWriter { return rec.ResponseWriter }

// bodyTap keeps the first limit bytes of a request body as the handler reads it.
type bodyTap struct {
	rc    io.ReadCloser
	buf   []byte
	limit int
	more  bool
	eof   bool
}

func (b *bodyTap) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if err == io.EOF {
		b.eof = true
	}
	if n > 0 {
		room := b.limit - len(b.buf)
		if room > 0 {
			b.buf = append(b.buf, p[:min(room, n)]...)
		}
		if n > room {
			b.more = true
		}
	}
	return n, err
}

func (b *bodyTap) Close() error { return b.rc.Close() }
