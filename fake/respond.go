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

// rawJSON is a response body a handler encoded itself into a buffer from jsonBuffers;
// writeJSON sends it as it is and recycles the buffer.
type rawJSON struct{ buf *bytes.Buffer }

// jsonContentType is writeJSON's Content-Type, shared by every response rather than
// allocated by Header.Set for each: header values are never modified in place (Add and
// Set replace or append, and a one-element slice is never appended to in place).
var jsonContentType = []string{"application/json"}

// writeJSON is the one JSON writer: compact, no HTML escaping, as DRF renders.
func writeJSON(w http.ResponseWriter, status int, v any) {
	raw, encoded := v.(rawJSON)
	buf := raw.buf
	if !encoded {
		buf = jsonBuffers.Get().(*bytes.Buffer)
	}
	defer func() {
		// ResponseWriters copy what Write is given, so the buffer can be reused; very large
		// ones are left to the collector rather than kept alive in the pool.
		if buf.Cap() <= 64<<10 {
			buf.Reset()
			jsonBuffers.Put(buf)
		}
	}()
	var err error
	if encoded {
		// the handler encoded its body into buf already
	} else if withoutReflection(v) { // dynamic views (projects), pages of members
		var b []byte
		b, err = appendJSON(buf.AvailableBuffer(), v)
		buf.Write(b)
	} else {
		enc := json.NewEncoder(buf)
		enc.SetEscapeHTML(false)
		err = enc.Encode(v)
	}
	if err != nil {
		buf.Reset()
		buf.WriteString(`{"type":"server_error","code":"error","detail":"A server error occurred.","attr":null}`)
		status = http.StatusInternalServerError
	}
	b := bytes.TrimRight(buf.Bytes(), "\n")
	w.Header()["Content-Type"] = jsonContentType
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// isoTime renders a datetime as PostHog does: ISO 8601, UTC as "Z", microseconds when
// non-zero.
func isoTime(t time.Time) string {
	var b [27]byte
	return string(appendISOTime(b[:0], t))
}

// appendISOTime appends isoTime(t) to dst.
func appendISOTime(dst []byte, t time.Time) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		if t.Nanosecond()/1000 != 0 {
			return t.AppendFormat(dst, "2006-01-02T15:04:05.000000Z")
		}
		return t.AppendFormat(dst, "2006-01-02T15:04:05Z")
	}
	// By hand, as time.Format would for these layouts: every listed record has two or
	// three timestamps, and Format was a quarter of a page of members.
	hour, minute, sec := t.Clock()
	us := t.Nanosecond() / 1000
	var b [27]byte
	putDigits(b[0:4], year)
	b[4] = '-'
	putDigits(b[5:7], int(month))
	b[7] = '-'
	putDigits(b[8:10], day)
	b[10] = 'T'
	putDigits(b[11:13], hour)
	b[13] = ':'
	putDigits(b[14:16], minute)
	b[16] = ':'
	putDigits(b[17:19], sec)
	if us == 0 {
		b[19] = 'Z'
		return append(dst, b[:20]...)
	}
	b[19] = '.'
	putDigits(b[20:26], us)
	b[26] = 'Z'
	return append(dst, b[:]...)
}

// putDigits writes n (≥ 0) in decimal into b, zero-padded to len(b).
func putDigits(b []byte, n int) {
	for i := len(b) - 1; i >= 0; i-- {
		b[i] = byte('0' + n%10)
		n /= 10
	}
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
