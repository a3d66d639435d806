package fake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fakehog/fakehog/fake/store"
	"github.com/tidwall/gjson"
)

// Fault injection. Rules are data (Fault) and reactors are Go hooks (Reactor); both see a
// request after routing and before authentication and the handler, so an injected failure
// never touches the state. With no rule and no reactor the check costs one atomic load.

// Fault is a fault-injection rule: which requests it matches and what happens to them.
// The first rule that matches a request (in the order they were added) applies.
type Fault struct {
	// ID is assigned by AddFault.
	ID int

	// Method matches case-insensitively ("" or "*" = any).
	Method string
	// Path is a route template such as /api/organizations/{organization_id}/invites/ (any
	// "{...}" segment matches any variable), a concrete path, or a prefix ending in "*"
	// whose "{...}" segments match any segment, such as
	// /api/organizations/{organization_id}/projects/* ("" = any). Trailing slashes do not
	// matter. A path no route can match is refused by AddFault.
	Path string
	// OrgID matches the organization id as written in the URL ({organization_id}, or {id}
	// of /api/organizations/{id}/); "" = any.
	OrgID string
	// BodyContains matches requests whose body contains this text (form bodies are seen as
	// the JSON object they are read as).
	BodyContains string
	// Match, when set, must also return true (Go only).
	Match func(in *Incoming) bool `json:"-"`
	// Probability in (0, 1) makes the rule fire on that share of matching requests, drawn
	// from a source seeded by the server's seed; 0 (or 1) means always.
	Probability float64

	// Status answers with that status (400–599) and PostHog's error body for it (see
	// ErrorForStatus); Type, Code and Detail replace parts of that body.
	Status int
	Type   string
	Code   string
	Detail string
	// Delay holds the request that long first (then the other effects, or the real
	// handler when there are none).
	Delay time.Duration
	// RetryAfter sets the Retry-After header (seconds); alone it means a 429 throttled
	// answer, PostHog's rate limit.
	RetryAfter int
	// Drop closes the connection without answering.
	Drop bool

	// Times is how many requests the rule applies to before it removes itself; 0 means
	// until it is removed.
	Times int

	// Hits is how many requests the rule has applied to, and Remaining how many it still
	// will (0 when Times is 0: unlimited, which /_fake/faults shows as null); both are
	// filled in by Faults.
	Hits      int
	Remaining int
}

// faultJSON is Fault on the wire (/_fake/faults): delay as a Go duration string.
type faultJSON struct {
	ID           int     `json:"id"`
	Method       string  `json:"method,omitempty"`
	Path         string  `json:"path,omitempty"`
	OrgID        string  `json:"organization_id,omitempty"`
	BodyContains string  `json:"body_contains,omitempty"`
	Probability  float64 `json:"probability,omitempty"`
	Status       int     `json:"status,omitempty"`
	Type         string  `json:"type,omitempty"`
	Code         string  `json:"code,omitempty"`
	Detail       string  `json:"detail,omitempty"`
	Delay        string  `json:"delay,omitempty"`
	RetryAfter   int     `json:"retry_after,omitempty"`
	Drop         bool    `json:"drop,omitempty"`
	Times        int     `json:"times"`
	Hits         int     `json:"hits"`
	Remaining    *int    `json:"remaining"` // null: unlimited (times 0)
}

// MarshalJSON renders the rule as /_fake/faults does ("delay": "200ms").
func (f Fault) MarshalJSON() ([]byte, error) {
	j := faultJSON{ID: f.ID, Method: f.Method, Path: f.Path, OrgID: f.OrgID, BodyContains: f.BodyContains,
		Probability: f.Probability, Status: f.Status, Type: f.Type, Code: f.Code, Detail: f.Detail,
		RetryAfter: f.RetryAfter, Drop: f.Drop, Times: f.Times, Hits: f.Hits}
	if f.Times > 0 {
		remaining := f.Remaining
		j.Remaining = &remaining
	}
	if f.Delay != 0 {
		j.Delay = f.Delay.String()
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads a rule as POST /_fake/faults takes it; unknown fields are refused.
func (f *Fault) UnmarshalJSON(data []byte) error {
	var j faultJSON
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		return jsonDecodeError(err)
	}
	var d time.Duration
	if j.Delay != "" {
		var err error
		if d, err = time.ParseDuration(j.Delay); err != nil {
			return store.FieldError("delay", "invalid", fmt.Sprintf("%q is not a duration such as \"200ms\" or \"2s\".", j.Delay))
		}
	}
	*f = Fault{Method: j.Method, Path: j.Path, OrgID: j.OrgID, BodyContains: j.BodyContains, Probability: j.Probability,
		Status: j.Status, Type: j.Type, Code: j.Code, Detail: j.Detail, Delay: d, RetryAfter: j.RetryAfter,
		Drop: j.Drop, Times: j.Times}
	return nil
}

// faultMethods are the methods a rule may name (besides "" and "*").
var faultMethods = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

// validate checks a rule before it is added: its values, and that its method and path can
// match a request some route serves (a rule that never applies is a mistake to report).
func (f *Fault) validate(table []route) error {
	switch {
	case f.Status != 0 && (f.Status < 400 || f.Status > 599):
		return store.FieldError("status", "invalid", "Ensure this value is an HTTP error status (400-599).")
	case f.Probability < 0 || f.Probability > 1:
		return store.FieldError("probability", "invalid", "Ensure this value is between 0 and 1.")
	case f.Times < 0:
		return store.FieldError("times", "invalid", "Ensure this value is greater than or equal to 0.")
	case f.RetryAfter < 0:
		return store.FieldError("retry_after", "invalid", "Ensure this value is greater than or equal to 0.")
	case f.Delay < 0:
		return store.FieldError("delay", "invalid", "Ensure this value is not negative.")
	case f.Drop && (f.Status != 0 || f.RetryAfter != 0):
		return store.Invalid("A fault that drops the connection cannot also answer with a status.")
	case f.Status == 0 && f.RetryAfter == 0 && f.Delay == 0 && !f.Drop:
		return store.Invalid("A fault needs an effect: status, delay, retry_after or drop.")
	case f.Method != "" && f.Method != "*" && !slices.Contains(faultMethods, strings.ToUpper(f.Method)):
		return store.FieldError("method", "invalid", fmt.Sprintf("%q is not an HTTP method fakehog serves (%s, or \"*\" for any).", f.Method, strings.Join(faultMethods, ", ")))
	case !canMatch(f.Path, table):
		return store.FieldError("path", "invalid", fmt.Sprintf("No route matches %q: give a route template such as "+
			"/api/organizations/{organization_id}/invites/, a path such as /api/organizations/@current/, or a prefix ending in \"*\" "+
			"such as /api/organizations/{organization_id}/projects/* (see docs/endpoints.md).", f.Path))
	}
	return nil
}

func (f *Fault) matches(in *Incoming) bool {
	return (f.Method == "" || f.Method == "*" || strings.EqualFold(f.Method, in.Method)) &&
		matchPath(f.Path, in.Path, in.Template) &&
		(f.OrgID == "" || strings.EqualFold(f.OrgID, in.OrgID)) &&
		(f.BodyContains == "" || bytes.Contains(in.Body, []byte(f.BodyContains))) &&
		(f.Match == nil || f.Match(in))
}

// Incoming is a request as fault rules and reactors see it: routed, its body read, not yet
// authenticated nor handled.
type Incoming struct {
	Method string
	Path   string
	// Template is the route's path template ("" when no route matched).
	Template string
	// OrgID is the organization id as written in the URL ("" when there is none).
	OrgID string
	// Vars are the path variables by name (organization_id, id, ...).
	Vars   map[string]string
	Query  url.Values
	Header http.Header
	// Body is the request body (form and multipart bodies as the JSON object they are read
	// as); nil when there is none.
	Body []byte
	// Request is the underlying request; its body has already been read (use Body).
	Request *http.Request
}

// Field reads a value from the JSON body with a gjson path ("level", "results.0.id").
func (in *Incoming) Field(path string) gjson.Result { return gjson.GetBytes(in.Body, path) }

// Reaction is a reactor's answer: Status (0 = 200) with Body rendered as JSON (nil = no
// body; a json.RawMessage is sent as it is) and extra Header values.
type Reaction struct {
	Status int
	Header http.Header
	Body   any
}

// Reactor is a Go hook that sees requests before their handler, like client-go's reactors.
// It returns nil, nil to let the request through; a *Reaction to answer it; or an error,
// answered as PostHog's error body (a *store.Error such as store.Forbidden("...") or
// ErrorForStatus(503); any other error is a 500). Reactors run outside the store's lock,
// so they may read or change the state through Server.Store().
type Reactor func(in *Incoming) (*Reaction, error)

// faultSet holds the rules and reactors of one server.
type faultSet struct {
	armed atomic.Int32 // rules + reactors; 0 = skip everything

	mu       sync.Mutex
	rules    []*faultRule
	reactors []*reactorEntry // newest first
	nextID   int
	rng      *rand.Rand
}

type faultRule struct {
	Fault
	remaining int
	gone      bool
}

type reactorEntry struct {
	method, path string
	fn           Reactor
	gone         bool
}

func newFaultSet(seed uint64) *faultSet {
	f := &faultSet{}
	f.rng = faultRand(seed)
	return f
}

func faultRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed^0x6661756c7473, seed)) }

// reset removes every rule and reactor and re-seeds the probability source.
func (f *faultSet) reset(seed uint64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.clearLocked()
	f.rng = faultRand(seed)
}

// AddFault adds a rule and returns its id. An invalid rule is refused with a *store.Error
// naming the field.
//
//	srv.AddFault(fake.Fault{Method: "POST", Path: "/api/organizations/{organization_id}/invites/", Status: 503, Times: 1})
func (s *Server) AddFault(flt Fault) (int, error) {
	if err := flt.validate(s.routeTable()); err != nil {
		return 0, err
	}
	f := s.faults
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextID++
	flt.ID, flt.Hits, flt.Remaining = f.nextID, 0, 0
	f.rules = append(f.rules, &faultRule{Fault: flt, remaining: flt.Times})
	f.armed.Add(1)
	return flt.ID, nil
}

// Faults lists the active rules in the order they apply.
func (s *Server) Faults() []Fault {
	f := s.faults
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]Fault, 0, len(f.rules))
	for _, r := range f.rules {
		out = append(out, r.snapshot())
	}
	return out
}

func (r *faultRule) snapshot() Fault {
	c := r.Fault
	if r.Times > 0 {
		c.Remaining = r.remaining
	}
	return c
}

// RemoveFault removes one rule; it reports whether the rule existed.
func (s *Server) RemoveFault(id int) bool {
	f := s.faults
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, r := range f.rules {
		if r.ID == id {
			f.removeRule(i)
			return true
		}
	}
	return false
}

// removeRule drops rules[i]; f.mu must be held.
func (f *faultSet) removeRule(i int) {
	f.rules[i].gone = true
	f.rules = append(f.rules[:i:i], f.rules[i+1:]...)
	f.armed.Add(-1)
}

// ClearFaults removes every rule and every reactor.
func (s *Server) ClearFaults() {
	f := s.faults
	f.mu.Lock()
	defer f.mu.Unlock()
	f.clearLocked()
}

// clearLocked drops every rule and reactor (marking them gone for holders of their
// removers) and disarms the set. The caller holds f.mu.
func (f *faultSet) clearLocked() {
	for _, r := range f.rules {
		r.gone = true
	}
	for _, r := range f.reactors {
		r.gone = true
	}
	f.rules, f.reactors = nil, nil
	f.armed.Store(0)
}

// PrependReactor installs a reactor for requests matching method ("" or "*" = any) and path
// (as Fault.Path). Reactors run after the fault rules, the most recently added first; the
// first to answer wins. It returns a function that removes the reactor.
//
//	remove := srv.PrependReactor("DELETE", "/api/organizations/{id}/", func(in *fake.Incoming) (*fake.Reaction, error) {
//		return nil, store.Forbidden("Deleting organizations is disabled in this test.")
//	})
//	defer remove()
func (s *Server) PrependReactor(method, path string, fn Reactor) (remove func()) {
	f := s.faults
	e := &reactorEntry{method: method, path: path, fn: fn}
	f.mu.Lock()
	f.reactors = append([]*reactorEntry{e}, f.reactors...)
	f.armed.Add(1)
	f.mu.Unlock()
	return func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		for i, r := range f.reactors {
			if r == e {
				r.gone = true
				f.reactors = append(f.reactors[:i:i], f.reactors[i+1:]...)
				f.armed.Add(-1)
				return
			}
		}
	}
}

// pick returns the first rule that applies to the request, consuming one of its times.
// User predicates run without the lock held.
func (f *faultSet) pick(in *Incoming) (Fault, bool) {
	f.mu.Lock()
	rules := append([]*faultRule(nil), f.rules...)
	f.mu.Unlock()
	for _, r := range rules {
		if !r.matches(in) {
			continue
		}
		f.mu.Lock()
		if r.gone {
			f.mu.Unlock()
			continue
		}
		if r.Probability > 0 && r.Probability < 1 && f.rng.Float64() >= r.Probability {
			f.mu.Unlock()
			continue
		}
		r.Hits++
		if r.Times > 0 {
			r.remaining--
			if r.remaining == 0 {
				for i, x := range f.rules {
					if x == r {
						f.removeRule(i)
						break
					}
				}
			}
		}
		out := r.snapshot()
		f.mu.Unlock()
		return out, true
	}
	return Fault{}, false
}

// reactorsFor lists the reactors matching the request, newest first.
func (f *faultSet) reactorsFor(in *Incoming) []Reactor {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Reactor
	for _, r := range f.reactors {
		if (r.method == "" || r.method == "*" || strings.EqualFold(r.method, in.Method)) && matchPath(r.path, in.Path, in.Template) {
			out = append(out, r.fn)
		}
	}
	return out
}

// intercept runs the fault rules and reactors for a routed request. It reports whether the
// request has been dealt with (answered, dropped or abandoned); false lets it through to
// the handler. Callers check s.faults.armed first, so that a server without faults pays
// nothing here.
func (s *Server) intercept(w http.ResponseWriter, r *http.Request, template string, vars map[string]string, body []byte) bool {
	in := &Incoming{Method: r.Method, Path: r.URL.Path, Template: template, Vars: vars, Query: r.URL.Query(),
		Header: r.Header, Body: body, Request: r}
	in.OrgID = urlOrgID(template, vars)
	rec := recorderOf(w)
	if flt, ok := s.faults.pick(in); ok {
		if rec != nil {
			rec.entry.Fault = flt.ID
		}
		if s.applyFault(w, r, &flt) {
			return true
		}
	}
	for _, fn := range s.faults.reactorsFor(in) {
		res, err := fn(in)
		if err == nil && res == nil {
			continue
		}
		if rec != nil {
			rec.entry.Reactor = true
		}
		if err != nil {
			s.writeError(w, r, err)
			return true
		}
		for k, vs := range res.Header {
			for _, v := range vs {
				w.Header().Add(k, v)
			}
		}
		status := res.Status
		if status == 0 {
			status = http.StatusOK
		}
		if res.Body == nil {
			w.WriteHeader(status)
		} else {
			writeJSON(w, status, res.Body)
		}
		return true
	}
	return false
}

// urlOrgID is the organization id as written in a routed URL ("" when it has none).
func urlOrgID(template string, vars map[string]string) string {
	if id, ok := vars["organization_id"]; ok {
		return id
	}
	if strings.HasPrefix(template, "/api/organizations/{id}") {
		return vars["id"]
	}
	return ""
}

// applyFault carries out a rule's effects; false means the request goes on to its handler
// (a delay-only rule).
func (s *Server) applyFault(w http.ResponseWriter, r *http.Request, f *Fault) bool {
	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return true // the client gave up; nobody is listening
		}
	}
	if f.Drop {
		dropConnection(w)
		return true
	}
	if f.Status == 0 && f.RetryAfter == 0 {
		return false
	}
	status := f.Status
	if status == 0 {
		status = http.StatusTooManyRequests
	}
	e := *faultError(status, r, s.maxBodyBytes, f.RetryAfter)
	if f.Type != "" {
		e.Type = f.Type
	}
	if f.Code != "" {
		e.Code = f.Code
	}
	if f.Detail != "" {
		e.Detail = f.Detail
	}
	if f.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(f.RetryAfter))
	}
	s.writeError(w, r, &e)
	return true
}

// dropConnection closes the client's connection without an answer: by hijacking it when
// the server allows, else by aborting the handler (net/http then resets the stream; the
// in-memory transport of httptestutil reports an error).
func dropConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			if rec := recorderOf(w); rec != nil {
				rec.j.file(rec)
			}
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

// ErrorForStatus is the error PostHog answers with a status, in its flattened DRF shape:
// DRF's own exceptions for 400 (invalid_input), 401 (not_authenticated), 403
// (permission_denied), 404 (not_found), 405, 406, 413, 415 and 429 (throttled); 500 is
// server_error "A server error occurred."; any other status is type server_error (as
// drf-exceptions-hog types custom exceptions) with the status text as code and detail,
// e.g. 503 {"type":"server_error","code":"service_unavailable","detail":"Service Unavailable."}.
// Fault rules answer with it; reactors can return it.
func ErrorForStatus(status int) *store.Error {
	return faultError(status, nil, DefaultMaxBodyBytes, 0)
}

// faultError is ErrorForStatus with what the request tells (its method for 405, its
// content type for 415) and the Retry-After seconds for 429.
func faultError(status int, r *http.Request, maxBody int64, retryAfter int) *store.Error {
	switch status {
	case 400:
		return &store.Error{Status: 400, Type: "validation_error", Code: "invalid_input", Detail: "Invalid input."}
	case 401:
		e := *errNotAuthenticated
		return &e
	case 403:
		return store.Forbidden(store.MsgNoPermission)
	case 404:
		return store.ErrNotFound()
	case 405:
		method := "GET"
		if r != nil {
			method = r.Method
		}
		return errMethodNotAllowed(method)
	case 406:
		return &store.Error{Status: 406, Type: "invalid_request", Code: "not_acceptable", Detail: "Could not satisfy the request Accept header."}
	case 413:
		return errTooLarge(maxBody)
	case 415:
		ct := ""
		if r != nil {
			ct = r.Header.Get("Content-Type")
		}
		return errUnsupportedMedia(ct) // "" when there is none, as DRF says
	case 429:
		if retryAfter > 0 {
			return throttled(retryAfter)
		}
		return &store.Error{Status: 429, Type: "throttled_error", Code: "throttled", Detail: "Request was throttled."}
	case 500:
		return &store.Error{Status: 500, Type: "server_error", Code: "error", Detail: "A server error occurred."}
	}
	// drf-exceptions-hog types every exception outside DRF's own classes server_error,
	// whatever its status (PostHog's 409 Conflict, 402, ...).
	const typ = "server_error"
	text := http.StatusText(status)
	if text == "" {
		text = "Error " + strconv.Itoa(status)
	}
	code := strings.ToLower(strings.NewReplacer(" ", "_", "-", "_", "'", "").Replace(text))
	return &store.Error{Status: status, Type: typ, Code: code, Detail: text + "."}
}

// throttled is DRF's Throttled(wait): errThrottled, with DRF's singular for one second.
func throttled(seconds int) *store.Error {
	e := errThrottled(seconds)
	if seconds == 1 {
		e.Detail = "Request was throttled. Expected available in 1 second."
	}
	return e
}

// matchPrefix reports whether path starts with prefix, where a "{...}" segment of prefix
// matches any one non-empty segment of path: /api/organizations/{organization_id}/projects/
// is a prefix of /api/organizations/@current/projects/7/. The last segment of prefix (after
// its last "/") is a plain prefix of the path's segment there.
func matchPrefix(prefix, path string) bool {
	if !strings.Contains(prefix, "{") {
		return strings.HasPrefix(path, prefix)
	}
	ps, xs := strings.Split(prefix, "/"), strings.Split(path, "/")
	if len(xs) < len(ps) {
		return false
	}
	last := len(ps) - 1
	for i, seg := range ps[:last] {
		if isVar(seg) {
			if xs[i] == "" {
				return false
			}
		} else if seg != xs[i] {
			return false
		}
	}
	if isVar(ps[last]) {
		return xs[last] != ""
	}
	return strings.HasPrefix(xs[last], ps[last])
}

// canMatch reports whether some route of table can serve a request that pattern (a fault
// rule's Path) matches, so that a rule that can never apply is refused when it is added.
func canMatch(pattern string, table []route) bool {
	switch {
	case pattern == "" || pattern == "*":
		return true
	case !strings.HasPrefix(pattern, "/"):
		return false
	}
	for _, rt := range table {
		tmpl := rt.Path
		switch {
		case strings.HasSuffix(pattern, "*"):
			if prefixFits(pattern[:len(pattern)-1], tmpl) {
				return true
			}
		case strings.Contains(pattern, "{"):
			if sameTemplate(pattern, tmpl) {
				return true
			}
		default:
			if templateServes(tmpl, pattern) {
				return true
			}
		}
	}
	return false
}

// prefixFits reports whether some path the template serves can start with prefix.
func prefixFits(prefix, tmpl string) bool {
	ps, ts := strings.Split(prefix, "/"), strings.Split(tmpl, "/")
	if len(ps) > len(ts) {
		return false
	}
	last := len(ps) - 1
	for i, seg := range ps[:last] {
		if !isVar(seg) && !isVar(ts[i]) && seg != ts[i] {
			return false
		}
	}
	return isVar(ps[last]) || isVar(ts[last]) || strings.HasPrefix(ts[last], ps[last])
}

// templateServes reports whether the template serves the concrete path (trailing slashes
// aside), a variable segment taking any non-empty segment.
func templateServes(tmpl, path string) bool {
	ts := strings.Split(strings.Trim(tmpl, "/"), "/")
	xs := strings.Split(strings.Trim(path, "/"), "/")
	if len(ts) != len(xs) {
		return false
	}
	for i, seg := range ts {
		if isVar(seg) {
			if xs[i] == "" {
				return false
			}
		} else if seg != xs[i] {
			return false
		}
	}
	return true
}
