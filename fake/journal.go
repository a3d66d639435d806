package fake

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The request journal: every request outside /_fake/ is recorded, with its bodies cut at a
// size limit, in a ring bounded both in entries and in bytes, so memory stays bounded
// however long the server runs.

const (
	// DefaultJournalSize is how many requests the journal keeps by default.
	DefaultJournalSize = 10_000
	// DefaultJournalBodyLimit is how many bytes of each body the journal keeps by default.
	DefaultJournalBodyLimit = 8 << 10
	// DefaultJournalBytes is how much memory the journal's entries may take by default (as
	// Request.Cost counts it); the oldest entries go first when a new one would exceed it.
	// An entry costs about 400 bytes plus its bodies: 10,000 small requests fit; 10,000
	// pages of members, with both bodies cut at 8 KiB, would take 170 MiB without this bound.
	DefaultJournalBytes = 8 << 20
)

// requestOverhead is what one entry costs besides its strings and bodies: the Request
// value in the ring (about 300 bytes on 64-bit platforms) and the allocation headers of its
// body copies.
const requestOverhead = 320

// Cost is roughly how many bytes of memory the journal spends on the entry: its fixed part,
// its strings and its two body copies. The journal's byte bound counts it.
func (r *Request) Cost() int {
	return requestOverhead + len(r.Method) + len(r.Path) + len(r.Query) + len(r.OrgID) + len(r.UserEmail) +
		len(r.Key) + len(r.KeyID) + cap(r.RequestBody) + cap(r.ResponseBody)
}

// Request is one request as the journal recorded it. Its byte slices are shared between
// the copies the journal hands out and must not be modified.
type Request struct {
	// ID numbers requests from 1 in arrival order; it keeps counting across Clear.
	ID int64
	// Time is the server clock's reading when the request arrived.
	Time   time.Time
	Method string
	Path   string
	// Template is the route's path template, e.g. /api/organizations/{organization_id}/invites/
	// ("" when no route matched).
	Template string
	// Query is the raw query string.
	Query string
	// OrgID is the organization the request addressed: the resolved id when the caller could
	// see it, else the id as written in the URL ("" for routes without one).
	OrgID string
	// RequestBody and ResponseBody hold at most the journal's body limit; the Truncated
	// flags say whether more was sent.
	RequestBody           []byte
	RequestBodyTruncated  bool
	Status                int
	ResponseBody          []byte
	ResponseBodyTruncated bool
	// Duration is the wall-clock time the server took to answer (it includes injected
	// delays).
	Duration time.Duration
	// UserID and UserEmail identify the authenticated caller (0 and "" when none).
	UserID    int
	UserEmail string
	// Key is the masked value of the personal API key used (PostHog's mask_value, e.g.
	// "phx_...9xQe"), and KeyID its id; both "" when the request used no key.
	Key   string
	KeyID string
	// Session is true when the caller was authenticated by the session cookie.
	Session bool
	// Fault is the id of the fault rule that answered or delayed the request (0 = none);
	// Reactor is true when a reactor answered it.
	Fault   int
	Reactor bool
	// Dropped is true when the connection was closed without an answer (a drop fault).
	Dropped bool
}

// requestJSON is Request as /_fake/requests shows it.
type requestJSON struct {
	ID                    int64   `json:"id"`
	Time                  string  `json:"time"`
	Method                string  `json:"method"`
	Path                  string  `json:"path"`
	Template              string  `json:"template"`
	Query                 string  `json:"query"`
	OrgID                 string  `json:"organization_id"`
	Status                int     `json:"status"`
	DurationMS            float64 `json:"duration_ms"`
	UserID                int     `json:"user_id"`
	UserEmail             string  `json:"user_email"`
	Key                   string  `json:"key"`
	KeyID                 string  `json:"key_id"`
	Session               bool    `json:"session"`
	RequestBody           string  `json:"request_body"`
	RequestBodyTruncated  bool    `json:"request_body_truncated"`
	ResponseBody          string  `json:"response_body"`
	ResponseBodyTruncated bool    `json:"response_body_truncated"`
	Fault                 int     `json:"fault"`
	Reactor               bool    `json:"reactor"`
	Dropped               bool    `json:"dropped"`
}

// MarshalJSON renders the request as /_fake/requests does: bodies as strings, the time in
// RFC 3339 and the duration in milliseconds.
func (r Request) MarshalJSON() ([]byte, error) {
	return json.Marshal(requestJSON{
		ID: r.ID, Time: r.Time.UTC().Format(time.RFC3339Nano), Method: r.Method, Path: r.Path, Template: r.Template,
		Query: r.Query, OrgID: r.OrgID, Status: r.Status, DurationMS: float64(r.Duration) / float64(time.Millisecond),
		UserID: r.UserID, UserEmail: r.UserEmail, Key: r.Key, KeyID: r.KeyID, Session: r.Session,
		RequestBody: string(r.RequestBody), RequestBodyTruncated: r.RequestBodyTruncated,
		ResponseBody: string(r.ResponseBody), ResponseBodyTruncated: r.ResponseBodyTruncated,
		Fault: r.Fault, Reactor: r.Reactor, Dropped: r.Dropped,
	})
}

// RequestFilter selects journal entries; zero fields match everything.
type RequestFilter struct {
	// Method matches case-insensitively.
	Method string
	// Path is a route template (any "{...}" segment matches any variable), a concrete path,
	// or a prefix ending in "*"; trailing slashes do not matter.
	Path string
	// Status matches the response status exactly.
	Status int
	// OrgID matches the organization the request addressed.
	OrgID string
	// Since keeps requests that arrived at or after this server-clock time.
	Since time.Time
	// AfterID keeps requests with an ID above it (IDs are in arrival order).
	AfterID int64
}

func (f *RequestFilter) match(r *Request) bool {
	return (f.Method == "" || strings.EqualFold(f.Method, r.Method)) &&
		matchPath(f.Path, r.Path, r.Template) &&
		(f.Status == 0 || f.Status == r.Status) &&
		(f.OrgID == "" || strings.EqualFold(f.OrgID, r.OrgID)) &&
		(f.Since.IsZero() || !r.Time.Before(f.Since)) &&
		r.ID > f.AfterID
}

// Journal records the requests a server answered, oldest first, keeping the most recent
// ones up to its size in entries and its bound in bytes. It is safe for concurrent use.
type Journal struct {
	size      int
	bodyLimit int
	maxBytes  int // bound on the entries' Cost (0: none)

	mu    sync.Mutex
	ring  []Request // circular; grows up to size
	head  int       // the oldest entry
	n     int       // entries held
	bytes int       // their Cost
	seq   int64
	// spare holds response bodies of dropped entries, for new entries of about their size
	// (spareFor): under load the journal is full, every request drops one, and
	// copying each response for the journal was most of what a request allocated. No one
	// else holds them: Requests and Last hand out copies.
	spare [][]byte

	// onFile, when set (WithRequestLogging), sees every request as it is filed.
	onFile func(Request)
}

func newJournal(size, bodyLimit, maxBytes int) *Journal {
	return &Journal{size: size, bodyLimit: bodyLimit, maxBytes: maxBytes}
}

// Journal returns the server's request journal.
func (s *Server) Journal() *Journal { return s.journal }

// Size is the most requests the journal keeps (0: the journal is off).
func (j *Journal) Size() int { return j.size }

// MaxBytes is the bound on the memory its entries take, as Request.Cost counts it (0: no
// bound besides Size).
func (j *Journal) MaxBytes() int { return j.maxBytes }

// Len is how many requests the journal holds now.
func (j *Journal) Len() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.n
}

// Bytes is the memory the held entries take, as Request.Cost counts it.
func (j *Journal) Bytes() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.bytes
}

// Clear forgets every recorded request (IDs keep counting).
func (j *Journal) Clear() {
	j.mu.Lock()
	j.ring, j.head, j.n, j.bytes, j.spare = nil, 0, 0, 0, nil
	j.mu.Unlock()
}

// Requests returns the recorded requests the filter selects, oldest first.
func (j *Journal) Requests(f RequestFilter) []Request {
	j.mu.Lock()
	defer j.mu.Unlock()
	var out []Request
	j.each(func(r *Request) {
		if f.match(r) {
			out = append(out, r.detached())
		}
	})
	return out
}

// detached is a copy of the entry whose bodies are its own: the journal recycles the
// bodies of the entries it drops.
func (r *Request) detached() Request {
	c := *r
	c.RequestBody, c.ResponseBody = cloneBytes(r.RequestBody), cloneBytes(r.ResponseBody)
	return c
}

// maxSpareBodies bounds the journal's spare bodies; minSpareBody is the smallest worth
// keeping.
const (
	maxSpareBodies = 16
	minSpareBody   = 512
)

// fitsBody reports whether a slice of that capacity may hold an entry's body of n bytes:
// at most a quarter more. The byte bound counts capacities, so slack is not kept; a copy of
// n bytes of its own has up to a fifth more, the allocator's size classes being that far
// apart.
func fitsBody(capacity, n int) bool { return capacity >= n && capacity-n <= n/4 }

// spareFor returns a slice of length n that no entry uses any longer (fitsBody), or nil.
func (j *Journal) spareFor(n int) []byte {
	if n < minSpareBody {
		return nil
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	for k := len(j.spare) - 1; k >= 0; k-- {
		if b := j.spare[k]; fitsBody(cap(b), n) {
			last := len(j.spare) - 1
			j.spare[k], j.spare[last] = j.spare[last], nil
			j.spare = j.spare[:last]
			return b[:n]
		}
	}
	return nil
}

// keepSpare keeps a dropped entry's body for reuse, replacing an older spare when there
// are enough (so that the spares follow the sizes being answered). j.mu must be held.
func (j *Journal) keepSpare(b []byte) {
	switch {
	case cap(b) < minSpareBody:
	case len(j.spare) < maxSpareBodies:
		j.spare = append(j.spare, b)
	default:
		j.spare[j.seq%maxSpareBodies] = b
	}
}

// Last returns the most recent request, if any.
func (j *Journal) Last() (Request, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.n == 0 {
		return Request{}, false
	}
	return j.ring[(j.head+j.n-1)%len(j.ring)].detached(), true
}

// Count returns how many recorded requests have the method ("" = any) and path (a
// template, a concrete path or a prefix ending in "*", as in RequestFilter).
func (j *Journal) Count(method, path string) int {
	f := RequestFilter{Method: method, Path: path}
	n := 0
	j.mu.Lock()
	j.each(func(r *Request) {
		if f.match(r) {
			n++
		}
	})
	j.mu.Unlock()
	return n
}

// TB is the part of testing.TB the assertions use.
type TB interface {
	Helper()
	Errorf(format string, args ...any)
}

// AssertCalled reports a test error unless exactly times requests matched method and path
// (times < 0: at least one). path is a route template, a concrete path or a prefix ending
// in "*". It returns whether the assertion held.
//
//	srv.Journal().AssertCalled(t, "POST", "/api/organizations/{organization_id}/invites/", 1)
func (j *Journal) AssertCalled(t TB, method, path string, times int) bool {
	t.Helper()
	n := j.Count(method, path)
	if (times < 0 && n > 0) || n == times {
		return true
	}
	want := fmt.Sprint(times)
	if times < 0 {
		want = "at least 1"
	}
	t.Errorf("fakehog: %s %s was called %d times, want %s\n%s", orAny(method), path, n, want, j.describe())
	return false
}

// AssertNotCalled reports a test error if any request matched method and path.
func (j *Journal) AssertNotCalled(t TB, method, path string) bool {
	t.Helper()
	n := j.Count(method, path)
	if n == 0 {
		return true
	}
	t.Errorf("fakehog: %s %s was called %d times, want none\n%s", orAny(method), path, n, j.describe())
	return false
}

func orAny(method string) string {
	if method == "" {
		return "any method"
	}
	return strings.ToUpper(method)
}

// describe lists the last recorded requests for a failure message.
func (j *Journal) describe() string {
	const show = 20
	all := j.Requests(RequestFilter{})
	if len(all) == 0 {
		return "the journal is empty"
	}
	var b strings.Builder
	if len(all) > show {
		fmt.Fprintf(&b, "last %d of %d recorded requests:\n", show, len(all))
		all = all[len(all)-show:]
	} else {
		b.WriteString("recorded requests:\n")
	}
	for _, r := range all {
		fmt.Fprintf(&b, "  #%d %s %s → %d\n", r.ID, r.Method, r.Path, r.Status)
	}
	return b.String()
}

// each calls fn on every entry, oldest first. j.mu must be held.
func (j *Journal) each(fn func(*Request)) {
	for k := range j.n {
		fn(&j.ring[(j.head+k)%len(j.ring)])
	}
}

// add appends an entry, dropping the oldest ones while the journal is over its size or its
// byte bound (an entry larger than the whole bound is still kept, alone). The ring's backing
// array never grows beyond size.
func (j *Journal) add(r Request) {
	cost := r.Cost()
	j.mu.Lock()
	defer j.mu.Unlock()
	j.seq++
	r.ID = j.seq
	for j.n > 0 && (j.n >= j.size || (j.maxBytes > 0 && j.bytes+cost > j.maxBytes)) {
		old := &j.ring[j.head]
		j.bytes -= old.Cost()
		j.keepSpare(old.ResponseBody)
		*old = Request{} // let its bodies go
		j.head = (j.head + 1) % len(j.ring)
		j.n--
	}
	if j.n == len(j.ring) {
		grown := make([]Request, min(max(2*len(j.ring), 16), j.size))
		for k := range j.n {
			grown[k] = j.ring[(j.head+k)%len(j.ring)]
		}
		j.ring, j.head = grown, 0
	}
	j.ring[(j.head+j.n)%len(j.ring)] = r
	j.n++
	j.bytes += cost
}

// matchPath reports whether a request (its concrete path and route template) matches
// pattern: "" or "*" match all; a pattern ending in "*" is a prefix of the path, its "{...}"
// segments matching any segment (matchPrefix); a pattern
// with "{...}" segments is compared with the template, any variable matching any variable;
// anything else is compared with the path. Trailing slashes are ignored.
func matchPath(pattern, path, template string) bool {
	switch {
	case pattern == "" || pattern == "*":
		return true
	case strings.HasSuffix(pattern, "*"):
		return matchPrefix(pattern[:len(pattern)-1], path)
	case strings.Contains(pattern, "{"):
		return template != "" && sameTemplate(pattern, template)
	}
	return strings.TrimSuffix(pattern, "/") == strings.TrimSuffix(path, "/")
}

// sameTemplate compares two path templates segment by segment; "{...}" segments match each
// other whatever the variable's name.
func sameTemplate(a, b string) bool {
	a, b = strings.Trim(a, "/"), strings.Trim(b, "/")
	for {
		sa, restA, moreA := strings.Cut(a, "/")
		sb, restB, moreB := strings.Cut(b, "/")
		if isVar(sa) != isVar(sb) || (!isVar(sa) && sa != sb) {
			return false
		}
		if !moreA || !moreB {
			return moreA == moreB
		}
		a, b = restA, restB
	}
}

func isVar(seg string) bool {
	return len(seg) > 1 && seg[0] == '{' && seg[len(seg)-1] == '}'
}

// logRequest is WithRequestLogging's line for one request.
func (s *Server) logRequest(r Request) {
	caller := "anonymous"
	switch {
	case r.UserEmail != "" && r.Session:
		caller = r.UserEmail + " (session)"
	case r.UserEmail != "" && r.Key != "":
		caller = r.UserEmail + " (key " + r.Key + ")"
	case r.UserEmail != "":
		caller = r.UserEmail
	}
	status := strconv.Itoa(r.Status)
	if r.Dropped {
		status = "dropped"
	}
	path := r.Path
	if r.Query != "" {
		path += "?" + r.Query
	}
	attrs := []any{"method", r.Method, "path", path, "status", status,
		"duration_ms", float64(r.Duration.Microseconds()) / 1000, "caller", caller}
	if r.Fault != 0 {
		attrs = append(attrs, "fault", r.Fault)
	}
	s.logger.Info("request", attrs...)
}
