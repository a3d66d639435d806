package fake

// Writing answers: the one JSON writer, pre-encoded bodies, PostHog's timestamp format, and
// the site URL links are built from.

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

// encodedNow encodes a view at once, into a buffer from jsonBuffers: inside the handler's
// transaction, so the view may share the records' memory instead of copying it.
// (Generic rather than taking a jsonAppender, so that a large view is not copied to the
// heap to become an interface value.)
func encodedNow[V jsonAppender](v V) (any, error) {
	buf := jsonBuffers.Get().(*bytes.Buffer)
	b, err := v.appendJSON(buf.AvailableBuffer())
	if err != nil {
		buf.Reset()
		jsonBuffers.Put(buf)
		return nil, err
	}
	buf.Write(b)
	return rawJSON{buf}, nil
}

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
	var d isoDate
	return d.appendTime(dst, t)
}

// isoDate is the civil date of the last day appendTime wrote: a page of members writes 300
// timestamps, many of them on the same few days, and the date of a day is the costly part
// (divisions by 146097, 36524, 1460, 365 and 153). The zero value holds no day.
type isoDate struct {
	days  uint64 // days since 1970-01-01, plus one (0: none yet)
	chars [10]byte
}

// appendTime appends isoTime(t) to dst, reusing the date when t falls on d's day.
func (d *isoDate) appendTime(dst []byte, t time.Time) []byte {
	// The civil date from the Unix day (Howard Hinnant's days-to-civil), rather than
	// t.Date and t.Clock, which each redo the conversion. Unsigned, so that every division
	// by a constant is a multiplication; times before 1970 or after 9999 take the time
	// package's path.
	sec := t.Unix()
	if sec < 0 || sec >= maxISOTimeSec {
		t = t.UTC()
		if t.Nanosecond()/1000 != 0 {
			return t.AppendFormat(dst, "2006-01-02T15:04:05.000000Z")
		}
		return t.AppendFormat(dst, "2006-01-02T15:04:05Z")
	}
	days := uint64(sec) / 86400
	rem := uint64(sec) % 86400
	if d.days != days+1 {
		d.days = days + 1
		d.setDate(days)
	}
	b := [27]byte{10: 'T', 13: ':', 16: ':'}
	copy(b[:10], d.chars[:])
	put2(b[11:13], rem/3600)
	put2(b[14:16], rem%3600/60)
	put2(b[17:19], rem%60)
	us := uint64(t.Nanosecond() / 1000)
	if us == 0 {
		b[19] = 'Z'
		return append(dst, b[:20]...)
	}
	b[19] = '.'
	put2(b[20:22], us/10000)
	put2(b[22:24], us/100%100)
	put2(b[24:26], us%100)
	b[26] = 'Z'
	return append(dst, b[:]...)
}

// setDate writes the date of the Unix day (years 1970 to 9999) as YYYY-MM-DD.
func (d *isoDate) setDate(days uint64) {
	z := days + 719468
	era := z / 146097
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	day := doy - (153*mp+2)/5 + 1
	month := mp + 3
	if mp >= 10 {
		month = mp - 9
	}
	year := yoe + era*400
	if month <= 2 {
		year++
	}
	b := &d.chars
	b[4], b[7] = '-', '-'
	put2(b[0:2], year/100)
	put2(b[2:4], year%100)
	put2(b[5:7], month)
	put2(b[8:10], day)
}

// maxISOTimeSec is 10000-01-01T00:00:00Z in Unix seconds: appendISOTime's fast path covers
// the years 1970 to 9999.
const maxISOTimeSec = 253402300800

// twoDigits holds "00" to "99" back to back.
const twoDigits = "00010203040506070809101112131415161718192021222324252627282930313233343536373839" +
	"404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"

// put2 writes n (0 to 99) as two digits into b[0:2].
func put2(b []byte, n uint64) {
	b[0], b[1] = twoDigits[2*n], twoDigits[2*n+1]
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

// anyView makes any view a jsonAppender (encoded as appendJSON encodes it), for handlers
// whose view shares a record's JSON maps and so must be encoded inside the transaction:
// encodedNow(anyView{view}).
type anyView struct{ v any }

func (a anyView) appendJSON(b []byte) ([]byte, error) { return appendJSON(b, a.v) }
