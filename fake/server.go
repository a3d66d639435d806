// Package fake is fakehog's HTTP face: an in-memory, stateful fake of PostHog's
// Organizations REST API (every endpoint under /api/organizations/). It routes, authenticates,
// validates and answers exactly as PostHog does, on top of the domain in package store.
//
// Use it in tests through package httptestutil, or mount it yourself:
//
//	srv, err := fake.New(fake.WithSeed(1))
//	ts := httptest.NewServer(srv)
package fake

import (
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/fakehog/fakehog/fake/store"
	"github.com/gorilla/mux"
)

// DefaultMaxBodyBytes is the largest request body accepted (larger → 413).
const DefaultMaxBodyBytes = 1 << 20

// Server is one fake PostHog instance. It is an http.Handler and safe for concurrent use.
type Server struct {
	store        *store.Store
	router       *mux.Router
	logger       *slog.Logger
	maxBodyBytes int64
	seed         uint64
	clock        store.Clock
	defaults     Defaults
	table        []route
}

// Defaults is what the default world holds: the owner's credentials and ids, so callers can
// print them and tests can use them.
type Defaults struct {
	OrganizationID string
	ProjectID      int
	UserEmail      string
	UserUUID       string
	APIKey         string
	Session        string
}

// Option configures New.
type Option func(*config)

type config struct {
	seed         uint64
	clock        store.Clock
	logger       *slog.Logger
	maxBodyBytes int64
	apiKey       string
	session      string
	seedFn       func(tx *store.Tx) (Defaults, error)
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

// New builds a server holding the default world (or the one WithWorld seeds).
func New(opts ...Option) (*Server, error) {
	cfg := config{maxBodyBytes: DefaultMaxBodyBytes}
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
	s := &Server{
		store:        store.New(store.Options{Seed: cfg.seed, Clock: cfg.clock}),
		logger:       cfg.logger,
		maxBodyBytes: cfg.maxBodyBytes,
		seed:         cfg.seed,
		clock:        cfg.clock,
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
	s.router = s.buildRouter()
	return s, nil
}

// ServeHTTP answers one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.router.ServeHTTP(w, r)
}

// Store gives direct access to the domain, for test setup and assertions.
func (s *Server) Store() *store.Store { return s.store }

// Defaults returns the default world's credentials and ids.
func (s *Server) Defaults() Defaults { return s.defaults }

// now reads the server clock.
func (s *Server) now() time.Time { return s.clock.Now() }
