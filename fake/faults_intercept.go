package fake

// Where faults and reactors act: before a request touches the store, intercept offers it to
// the reactors (PrependReactor) and then to the fault rules; applyFault answers as the rule
// says (an error in PostHog's shape, a delay, a dropped connection).

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/fakehog/fakehog/fake/store"
	"github.com/tidwall/gjson"
)

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
