// Package httptestutil starts a fakehog server for a test in one line:
//
//	srv := httptestutil.NewServer(t)
//	resp, err := srv.Client().Get(srv.URL + "/api/organizations/")
//
// The server holds the default world, is closed by t.Cleanup, and its clients already send
// the default owner's credentials. It is deterministic: the default world's seed and a clock
// standing at its now (2026-01-15T10:00:00Z) that moves only when the test moves it, so ids and
// timestamps are the same on every run; WithSystemClock makes it follow the wall clock. NewInMemory does the same without a socket: its clients
// hand requests straight to the handler.
//
// To start from another world, pass a scenario (docs/scenarios.md): a builtin or a file with
// Scenario, an inline document with ScenarioYAML, or a Go value with (*scenarios.Scenario).Option:
//
//	srv := httptestutil.NewServer(t, httptestutil.Scenario(t, "demo"))
//
// Server embeds *fake.Server, so the test controls are at hand: srv.Journal() (what was
// called), srv.AddFault and srv.PrependReactor (make calls fail), srv.Reset, srv.Snapshot and
// srv.Restore (state), srv.Clock() (time) and srv.Store() (direct access).
package httptestutil

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"runtime/debug"
	"strings"
	"sync"
	"testing"

	"github.com/fakehog/fakehog/fake"
	"github.com/fakehog/fakehog/fake/store"
	"github.com/fakehog/fakehog/scenarios"
)

// InMemoryURL is the base URL of an in-memory server. The .invalid domain never resolves,
// so a request that escapes the in-memory clients fails at once.
const InMemoryURL = "http://fakehog.invalid"

// Server is a running fakehog for one test.
type Server struct {
	// Server is the underlying fake, the one way to reach it: its methods (Journal,
	// AddFault, Reset, Clock, Store, ...) are promoted to this Server, and srv.Server is the
	// *fake.Server itself (to pass it on).
	*fake.Server

	// URL is the base URL, e.g. http://127.0.0.1:38561 (no trailing slash); InMemoryURL for
	// an in-memory server.
	URL string
	// APIKey is the default owner's personal API key (scope "*").
	APIKey string
	// Session is the default owner's session cookie value (Cookie: sessionid=...).
	Session string

	t         testing.TB
	ts        *httptest.Server // nil in memory
	transport http.RoundTripper

	mu   sync.Mutex
	keys map[string]string // "email scopes" → key value made by KeyFor
}

// NewServer starts a fakehog server listening on a loopback port for t, with the given
// options (see package fake's With... options), and closes it when the test ends.
func NewServer(t testing.TB, opts ...fake.Option) *Server {
	t.Helper()
	f := newFake(t, opts)
	ts := httptest.NewServer(f)
	t.Cleanup(ts.Close)
	return newServer(t, f, ts.URL, ts, ts.Client().Transport)
}

// NewInMemory builds a fakehog server for t that listens nowhere: its clients (Client,
// SessionClient, ClientFor, ...) call the handler in memory through an http.RoundTripper,
// which is faster and needs no port. URL is InMemoryURL. A fault that drops the connection
// makes the client's request fail with an error wrapping io.EOF.
func NewInMemory(t testing.TB, opts ...fake.Option) *Server {
	t.Helper()
	f := newFake(t, opts)
	return newServer(t, f, InMemoryURL, nil, Transport(f))
}

// Scenario returns the option that starts a server from a scenario: a builtin by name
// ("default", "demo") or a YAML file by path (see scenarios.Open). The scenario's seed,
// now (a manual clock) and world apply; the server's APIKey and Session are its
// principal's. A scenario that does not load fails the test.
func Scenario(t testing.TB, nameOrPath string) fake.Option {
	t.Helper()
	sc, err := scenarios.Open(nameOrPath)
	if err != nil {
		t.Fatalf("httptestutil: scenario: %v", err)
	}
	return sc.Option()
}

// ScenarioYAML is Scenario for a document written in the test.
func ScenarioYAML(t testing.TB, doc string) fake.Option {
	t.Helper()
	sc, err := scenarios.Parse(t.Name()+".yaml", []byte(doc))
	if err != nil {
		t.Fatalf("httptestutil: scenario: %v", err)
	}
	return sc.Option()
}

// Deterministic is the option NewServer and NewInMemory start from: the default world's seed
// and a manual clock standing at its now (2026-01-15T10:00:00Z), as `go run ./cmd/fakehog`
// seeds it, so ids, tokens and timestamps are the same on every run. The clock moves only when
// the test moves it (srv.Clock().Advance); WithSystemClock lets it follow the wall clock.
func Deterministic() fake.Option {
	sc, err := scenarios.Open("default")
	if err != nil {
		panic("httptestutil: the default scenario does not load: " + err.Error())
	}
	return combine(fake.WithSeed(sc.Seed), fake.WithClock(store.NewManualClock(sc.Now)))
}

// WithSystemClock makes the server read the system clock (timestamps then differ between
// runs; ids and tokens still follow the seed).
func WithSystemClock() fake.Option { return fake.WithClock(store.SystemClock{}) }

// combine folds options into one (fake.Option's parameter type is unexported, so it is named
// here only through inference).
func combine[O ~func(C), C any](opts ...O) O {
	return func(c C) {
		for _, o := range opts {
			o(c)
		}
	}
}

func newFake(t testing.TB, opts []fake.Option) *fake.Server {
	t.Helper()
	f, err := fake.New(append([]fake.Option{Deterministic()}, opts...)...)
	if err != nil {
		t.Fatalf("httptestutil: starting fakehog: %v", err)
	}
	return f
}

func newServer(t testing.TB, f *fake.Server, base string, ts *httptest.Server, tr http.RoundTripper) *Server {
	d := f.Defaults()
	return &Server{Server: f, URL: base + f.BasePath(), APIKey: d.APIKey, Session: d.Session, t: t, ts: ts, transport: tr,
		keys: map[string]string{}}
}

// Transport returns an http.RoundTripper that serves every request with h in memory,
// whatever the request's host. A handler that aborts (http.ErrAbortHandler, as a dropped
// connection does) or panics makes RoundTrip return an error instead.
func Transport(h http.Handler) http.RoundTripper { return &memTransport{h: h} }

type memTransport struct{ h http.Handler }

// errDropped is what a client sees when the server closes the connection unanswered.
var errDropped = fmt.Errorf("fakehog in-memory transport: connection closed without a response: %w", io.EOF)

func (m *memTransport) RoundTrip(req *http.Request) (res *http.Response, err error) {
	if req.Body != nil {
		defer req.Body.Close()
	}
	// Build the request as a server would receive it.
	sreq := req.Clone(req.Context())
	sreq.RequestURI = req.URL.RequestURI()
	u, perr := url.ParseRequestURI(sreq.RequestURI)
	if perr != nil {
		return nil, perr
	}
	sreq.URL = u
	if sreq.Host == "" {
		sreq.Host = req.URL.Host
	}
	sreq.RemoteAddr = "192.0.2.1:1234"
	sreq.Proto, sreq.ProtoMajor, sreq.ProtoMinor = "HTTP/1.1", 1, 1
	if sreq.Body == nil {
		sreq.Body = http.NoBody
	}
	rec := httptest.NewRecorder()
	defer func() {
		if p := recover(); p != nil {
			res = nil
			if e, ok := p.(error); ok && errors.Is(e, http.ErrAbortHandler) {
				err = errDropped
				return
			}
			err = fmt.Errorf("fakehog in-memory transport: handler panicked: %v\n%s", p, debug.Stack())
		}
	}()
	m.h.ServeHTTP(rec, sreq)
	res = rec.Result()
	res.Request = req
	if req.Method == http.MethodHead {
		res.Body = io.NopCloser(bytes.NewReader(nil))
	}
	return res, nil
}

// InMemory reports whether the server listens nowhere (built by NewInMemory).
func (s *Server) InMemory() bool { return s.ts == nil }

// Client returns an *http.Client that sends the default owner's personal API key.
func (s *Server) Client() *http.Client { return s.ClientWithKey(s.APIKey) }

// ClientWithKey returns an *http.Client that sends the given personal API key.
func (s *Server) ClientWithKey(key string) *http.Client {
	return &http.Client{Transport: &bearer{key: key, next: s.transport}}
}

// SessionClient returns an *http.Client that sends the default owner's session cookie, for
// the operations PostHog serves only to a logged-in session. It passes PostHog's CSRF check
// as PostHog's web app does: it holds a posthog_csrftoken cookie and repeats it in the
// X-CSRFToken header of every request but GET, HEAD, OPTIONS and TRACE.
func (s *Server) SessionClient() *http.Client { return s.ClientWithSession(s.Session) }

// ClientWithSession returns an *http.Client that sends the given session cookie value, with
// the CSRF cookie and header SessionClient sends. Its Jar holds both cookies: set another
// posthog_csrftoken there (or remove it) to test the CSRF check itself.
func (s *Server) ClientWithSession(value string) *http.Client {
	jar, _ := cookiejar.New(nil)
	u, _ := url.Parse(s.URL)
	jar.SetCookies(u, []*http.Cookie{{Name: "sessionid", Value: value, Path: "/"},
		{Name: fake.CSRFCookieName, Value: fake.NewCSRFToken(), Path: "/"}})
	return &http.Client{Jar: jar, Transport: &csrfHeader{jar: jar, next: s.transport}}
}

// csrfHeader repeats the jar's posthog_csrftoken cookie in the X-CSRFToken header of unsafe
// requests, as PostHog's web app does (fake/csrf.go).
type csrfHeader struct {
	jar  http.CookieJar
	next http.RoundTripper
}

func (c *csrfHeader) RoundTrip(r *http.Request) (*http.Response, error) {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return c.next.RoundTrip(r)
	}
	if r.Header.Get(fake.CSRFHeaderName) != "" {
		return c.next.RoundTrip(r) // the test sends its own
	}
	for _, ck := range c.jar.Cookies(r.URL) {
		if ck.Name == fake.CSRFCookieName {
			r2 := r.Clone(r.Context())
			r2.Header.Set(fake.CSRFHeaderName, ck.Value)
			return c.next.RoundTrip(r2)
		}
	}
	return c.next.RoundTrip(r)
}

// ClientFor returns an *http.Client that acts as the user with that email (any user of the
// world, e.g. one a scenario seeded or one the test created through Store()), with a
// personal API key made for it by KeyFor. Scopes default to "*".
func (s *Server) ClientFor(email string, scopes ...string) *http.Client {
	s.t.Helper()
	return s.ClientWithKey(s.KeyFor(email, scopes...))
}

// SessionClientFor returns an *http.Client logged in as the user with that email (a
// session made for it by SessionFor), for session-only operations.
func (s *Server) SessionClientFor(email string) *http.Client {
	s.t.Helper()
	return s.ClientWithSession(s.SessionFor(email))
}

// KeyFor returns a personal API key value of the user with that email, with the given
// scopes ("*" when none). Keys are kept hashed, so a user's existing keys cannot be read
// back: the first call creates one (labelled "httptestutil") and later calls reuse it while
// it exists (after Reset or Restore it is made again). Creating it draws ids from the seeded
// source, like any other record. An unknown email fails the test.
func (s *Server) KeyFor(email string, scopes ...string) string {
	s.t.Helper()
	if len(scopes) == 0 {
		scopes = []string{"*"}
	}
	cacheKey := strings.ToLower(email) + " " + strings.Join(scopes, ",")
	s.mu.Lock()
	defer s.mu.Unlock()
	var value string
	err := s.Store().Write(func(tx *store.Tx) error {
		u := tx.UserByEmail(email)
		if u == nil {
			return fmt.Errorf("no user with email %q", email)
		}
		if v, ok := s.keys[cacheKey]; ok {
			if k := tx.APIKeyByValue(v); k != nil && k.UserID == u.ID {
				value = v
				return nil
			}
		}
		_, v, err := tx.CreatePersonalAPIKey(u.ID, store.NewAPIKey{Label: "httptestutil", Scopes: scopes})
		value = v
		return err
	})
	if err != nil {
		s.t.Fatalf("httptestutil: KeyFor(%q): %v", email, err)
	}
	s.keys[cacheKey] = value
	return value
}

// SessionFor returns a session cookie value that logs in as the user with that email,
// creating it when needed ("httptestutil-" + the user's uuid). An unknown email fails the
// test.
func (s *Server) SessionFor(email string) string {
	s.t.Helper()
	var value string
	err := s.Store().Write(func(tx *store.Tx) error {
		u := tx.UserByEmail(email)
		if u == nil {
			return fmt.Errorf("no user with email %q", email)
		}
		value = "httptestutil-" + u.UUID
		if got := tx.UserBySession(value); got != nil && got.ID == u.ID {
			return nil
		}
		return tx.AddSession(u.ID, value)
	})
	if err != nil {
		s.t.Fatalf("httptestutil: SessionFor(%q): %v", email, err)
	}
	return value
}

// bearer adds Authorization: Bearer <key> to every request.
type bearer struct {
	key  string
	next http.RoundTripper
}

func (b *bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r2 := r.Clone(r.Context())
	r2.Header.Set("Authorization", "Bearer "+b.key)
	return b.next.RoundTrip(r2)
}
