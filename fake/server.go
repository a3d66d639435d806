// Package fake is fakehog's HTTP face: an in-memory, stateful fake of PostHog's
// Organizations REST API (every endpoint under /api/organizations/). It routes, authenticates,
// validates and answers exactly as PostHog does, on top of the domain in package store.
//
// Use it in tests through package httptestutil, or mount it yourself:
//
//	srv, err := fake.New(fake.WithSeed(1))
//	ts := httptest.NewServer(srv)
//
// A Server is also test machinery: its Journal records every request (AssertCalled,
// Requests); AddFault and PrependReactor make chosen requests fail or answer them from Go;
// Reset, Snapshot and Restore manage the state; Clock moves time. The same controls are
// served over HTTP under /_fake/ (docs/testing.md).
package fake

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/fakehog/fakehog/fake/store"
)

// DefaultMaxBodyBytes is the largest request body accepted (larger → 413).
const DefaultMaxBodyBytes = 1 << 20

// Server is one fake PostHog instance. It is an http.Handler and safe for concurrent use.
type Server struct {
	store        *store.Store
	router       *pathRouter
	logger       *slog.Logger
	maxBodyBytes int64
	seed         uint64
	clock        *Clock
	table        []route
	apiKey       string // WithAPIKey, applied again by LoadWorld
	session      string // WithSession, applied again by LoadWorld
	journal      *Journal
	faults       *faultSet
	adminToken   string
	allowedHosts []string // WithAllowedHosts (guard.go)
	consoleToken string   // the console's token (guard.go): random, per server
	loader       ScenarioLoader
	builtins     []string    // WithScenarioNames, for the console
	memberMemo   *memberMemo // listed members' JSON (member_memo.go)

	basePath   string     // WithBasePath; "" or "/x"
	persist    *persister // WithDataDir; nil when the state lives in memory only
	replayTime time.Time  // the logged clock reading of the write being replayed
	// replayed and replayOutcome tell how the write being replayed ended (persist.go).
	replayed      bool
	replayOutcome int

	// worldMu serializes the operations that replace the whole state (Reset, LoadWorld,
	// Restore, ImportState), so each persists and installs its state in one order.
	worldMu sync.Mutex
	// importing is held by the import (PUT /_fake/snapshot) or scenario load running over
	// HTTP: one at a time (admin_limits.go).
	importing      sync.Mutex
	maxImportBytes int64    // WithMaxImportBytes
	worlds         worldSet // isolated worlds (worlds.go)

	ctl        sync.Mutex      // guards defaults, initial and worldClock
	defaults   Defaults        // the current world's credentials
	initial    *store.Snapshot // the state Reset returns to
	worldClock worldClock      // what Reset does to the clock (control.go)
}

// Defaults is what the default world holds: the owner's credentials and ids, so callers can
// print them and tests can use them.
type Defaults struct {
	OrganizationID string `json:"organization_id"`
	ProjectID      int    `json:"project_id"`
	UserEmail      string `json:"user_email"`
	UserUUID       string `json:"user_uuid"`
	APIKey         string `json:"api_key"`
	Session        string `json:"session"`
}

// Option configures New.
type Option func(*config)

type config struct {
	seed           uint64
	clock          store.Clock
	logger         *slog.Logger
	maxBodyBytes   int64
	apiKey         string
	session        string
	seedFn         func(tx *store.Tx) (Defaults, error)
	journalSize    int
	journalBody    int
	journalBytes   int
	historyLimit   int
	adminToken     string
	loader         ScenarioLoader
	dataDir        string
	worldNow       time.Time
	basePath       string
	builtins       []string
	logRequests    bool
	maxImportBytes int64
	allowedHosts   []string
}

// WithBasePath serves the API under a path prefix, as behind a reverse proxy that mounts
// PostHog at https://host/posthog: "/posthog/api/organizations/" reaches the organizations
// list, and the URLs fakehog writes (pagination's next and previous) keep the prefix.
// Requests outside the prefix get 404. The /_fake/ routes live under the prefix too.
func WithBasePath(prefix string) Option {
	return func(c *config) { c.basePath = "/" + strings.Trim(prefix, "/") }
}

// WithSeed makes every generated id and token follow from seed.
func WithSeed(seed uint64) Option { return func(c *config) { c.seed = seed } }

// WithClock sets the clock every timestamp comes from (for example a *store.ManualClock).
func WithClock(clock store.Clock) Option { return func(c *config) { c.clock = clock } }

// WithLogger sets the logger (default: discard).
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithMaxBodyBytes sets the request body limit (default DefaultMaxBodyBytes).
func WithMaxBodyBytes(n int64) Option { return func(c *config) { c.maxBodyBytes = n } }

// WithAPIKey replaces the default owner's personal API key value.
func WithAPIKey(key string) Option { return func(c *config) { c.apiKey = key } }

// WithSession replaces the default owner's session cookie value.
func WithSession(value string) Option { return func(c *config) { c.session = value } }

// WithWorld seeds the store with fn instead of the default world. fn runs in one write
// transaction and returns the credentials to report as Defaults.
func WithWorld(fn func(tx *store.Tx) (Defaults, error)) Option {
	return func(c *config) { c.seedFn = fn }
}

// WithJournalSize sets how many requests the journal keeps (default DefaultJournalSize);
// the oldest are dropped first. 0 turns the journal off.
func WithJournalSize(n int) Option { return func(c *config) { c.journalSize = max(n, 0) } }

// WithJournalBytes bounds the memory the journal's entries take (default
// DefaultJournalBytes), as Request.Cost counts it: the oldest entries go first when a new one
// would exceed it. 0 leaves only the bound in entries (WithJournalSize).
func WithJournalBytes(n int) Option { return func(c *config) { c.journalBytes = max(n, 0) } }

// WithHistoryLimit bounds the records that only ever accumulate: each organization's
// activity log and the outbox of sent emails keep their newest n entries (default
// store.DefaultHistoryLimit; a negative n keeps everything).
func WithHistoryLimit(n int) Option { return func(c *config) { c.historyLimit = n } }

// WithJournalBodyLimit sets how many bytes of each request and response body the journal
// keeps (default DefaultJournalBodyLimit); longer bodies are cut and marked truncated.
func WithJournalBodyLimit(n int) Option { return func(c *config) { c.journalBody = max(n, 0) } }

// WithAdminToken protects the /_fake/ control routes (all but /_fake/health): they then
// need "Authorization: Bearer <token>" or "X-Fakehog-Admin-Token: <token>". Without it they
// are open, which suits a fake listening on loopback.
func WithAdminToken(token string) Option { return func(c *config) { c.adminToken = token } }

// WithRequestLogging logs one line per API request through the logger (WithLogger): method,
// path, status, duration and caller, at level Info (the /_fake/ routes and the console are
// not logged).
func WithRequestLogging() Option { return func(c *config) { c.logRequests = true } }

// New builds a server holding the default world (or the one WithWorld seeds).
func New(opts ...Option) (*Server, error) {
	cfg := config{maxImportBytes: DefaultMaxImportBytes, maxBodyBytes: DefaultMaxBodyBytes, journalSize: DefaultJournalSize, journalBody: DefaultJournalBodyLimit, journalBytes: DefaultJournalBytes}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.clock == nil {
		cfg.clock = store.SystemClock{}
	}
	if cfg.logger == nil {
		cfg.logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.seedFn == nil {
		cfg.seedFn = DefaultWorld
	}
	clock := newClock(cfg.clock)
	s := &Server{
		store:          store.New(store.Options{Seed: cfg.seed, Clock: clock, HistoryLimit: cfg.historyLimit}),
		logger:         cfg.logger,
		maxBodyBytes:   cfg.maxBodyBytes,
		maxImportBytes: cfg.maxImportBytes,
		seed:           cfg.seed,
		clock:          clock,
		apiKey:         cfg.apiKey,
		session:        cfg.session,
		journal:        newJournal(cfg.journalSize, cfg.journalBody, cfg.journalBytes),
		faults:         newFaultSet(cfg.seed),
		adminToken:     cfg.adminToken,
		allowedHosts:   cfg.allowedHosts,
		consoleToken:   NewCSRFToken(),
		loader:         cfg.loader,
		builtins:       cfg.builtins,
		basePath:       strings.TrimSuffix(cfg.basePath, "/"),
		memberMemo:     new(memberMemo),
	}
	if cfg.logRequests {
		s.journal.onFile = s.logRequest
	}
	err := s.store.Write(func(tx *store.Tx) error {
		d, err := cfg.seedFn(tx)
		if err != nil {
			return err
		}
		if err := applyCredentialOverrides(tx, &d, cfg.apiKey, cfg.session); err != nil {
			return err
		}
		s.defaults = d
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.initial = s.store.Snapshot()
	s.router = s.buildRouter()
	if !cfg.worldNow.IsZero() {
		s.worldClock = worldClock{at: cfg.worldNow}
	}
	if cfg.dataDir != "" {
		if err := s.openPersistence(cfg.dataDir); err != nil {
			return nil, fmt.Errorf("data directory %s: %w", cfg.dataDir, err)
		}
	}
	return s, nil
}

// BasePath is the prefix WithBasePath set ("" when none).
func (s *Server) BasePath() string { return s.basePath }

// Close releases what the server holds open (the data directory's log). A server without
// WithDataDir holds nothing; Close is then a no-op.
func (s *Server) Close() error { return s.closePersistence() }

// ServeHTTP answers one request. Requests outside /_fake/ are recorded in the journal.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.basePath != "" {
		rest, ok := strings.CutPrefix(r.URL.Path, s.basePath)
		if !ok || (rest != "" && rest[0] != '/') {
			s.writeError(w, r, errEndpointNotFound)
			return
		}
		r2 := r.Clone(context.WithValue(r.Context(), basePathKey{}, s.basePath))
		r2.URL.Path = rest
		r2.URL.RawPath = ""
		r = r2
	}
	if s.worlds.count.Load() > 0 && s.serveWorld(w, r) {
		return // an isolated world's request (worlds.go)
	}
	if cors(w, r, r.URL.Path) {
		return // a preflight, answered before authentication as django-cors-headers does
	}
	if isAdminPath(r.URL.Path) && !s.guardAdmin(w, r) {
		return // refused: another Host, another site, or not JSON (guard.go)
	}
	if (s.journal.size == 0 && s.journal.onFile == nil) || isAdminPath(r.URL.Path) {
		s.serveRecovering(w, r)
		return
	}
	rec := s.journal.begin(w, r, s.clock.Now())
	defer func() {
		if p := recover(); p != nil {
			rec.abort(p)
			s.journal.finish(rec)
			panic(p)
		}
	}()
	s.serveRecovering(rec, r)
	s.journal.finish(rec)
}

// basePathKey carries WithBasePath's prefix to the code that writes absolute URLs.
type basePathKey struct{}

// serveRecovering runs the router and turns a panic — a fakehog bug — into PostHog's own
// answer to an unhandled exception (500 server_error), logged with its stack, instead of a
// dropped connection. http.ErrAbortHandler (a fault asking to drop the connection) passes.
func (s *Server) serveRecovering(w http.ResponseWriter, r *http.Request) {
	tw := &trackingWriter{ResponseWriter: w}
	defer func() {
		p := recover()
		if p == nil {
			return
		}
		if p == http.ErrAbortHandler {
			panic(p)
		}
		s.logger.Error("panic while serving a request", "method", r.Method, "path", r.URL.Path,
			"panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		if !tw.wrote {
			s.writeError(tw, r, errServer)
		}
	}()
	s.router.ServeHTTP(tw, r)
}

// trackingWriter remembers whether the response has started, so a recovered panic only
// writes an error body when nothing was sent yet.
type trackingWriter struct {
	http.ResponseWriter
	wrote bool
}

func (w *trackingWriter) WriteHeader(code int) { w.wrote = true; w.ResponseWriter.WriteHeader(code) }

func (w *trackingWriter) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController and the journal's recorderOf reach the writer below.
func (w *trackingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// isAdminPath reports whether the path is one of fakehog's own control routes or the
// console's front page (or its icon), which are neither journaled nor subject to faults.
func isAdminPath(p string) bool {
	return strings.HasPrefix(p, "/_fake/") || p == "/_fake" || p == "/" || p == "/favicon.ico"
}

// Store gives direct access to the domain, for test setup and assertions.
func (s *Server) Store() *store.Store { return s.store }

// Defaults returns the default world's credentials and ids.
func (s *Server) Defaults() Defaults {
	s.ctl.Lock()
	defer s.ctl.Unlock()
	return s.defaults
}

// now reads the server clock.
func (s *Server) now() time.Time { return s.clock.Now() }

// Hijack passes through (drop faults take the connection over).
func (w *trackingWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := w.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("fakehog: the connection cannot be hijacked")
	}
	w.wrote = true
	return hj.Hijack()
}

// Flush passes through.
func (w *trackingWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
