package fake

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sync"
	"time"
)

// jsonBuffers recycles writeJSON's buffers: growing a fresh one for every response was a
// quarter of the bytes a GET organization allocated (BENCHMARKS.md).
var jsonBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// writeJSON is the one JSON writer: compact, no HTML escaping, as DRF renders.
func writeJSON(w http.ResponseWriter, status int, v any) {
	buf := jsonBuffers.Get().(*bytes.Buffer)
	defer func() {
		// ResponseWriters copy what Write is given, so the buffer can be reused; very large
		// ones are left to the collector rather than kept alive in the pool.
		if buf.Cap() <= 64<<10 {
			buf.Reset()
			jsonBuffers.Put(buf)
		}
	}()
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		buf.Reset()
		buf.WriteString(`{"type":"server_error","code":"error","detail":"A server error occurred.","attr":null}`)
		status = http.StatusInternalServerError
	}
	b := bytes.TrimRight(buf.Bytes(), "\n")
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// isoTime renders a datetime as PostHog does: ISO 8601, UTC as "Z", microseconds when
// non-zero.
func isoTime(t time.Time) string {
	t = t.UTC()
	if t.Nanosecond()/1000 != 0 {
		return t.Format("2006-01-02T15:04:05.000000Z")
	}
	return t.Format("2006-01-02T15:04:05Z")
}

// isoTimePtr is isoTime for optional times (nil stays null).
func isoTimePtr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := isoTime(*t)
	return &s
}

// siteURL is the scheme and host the request came in on.
func siteURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	base, _ := r.Context().Value(basePathKey{}).(string)
	return scheme + "://" + r.Host + base
}
