// Command fakehog runs the fake PostHog Organizations API as a local server.
//
//	go run ./cmd/fakehog                        # serves the default scenario on 127.0.0.1:8010
//	go run ./cmd/fakehog -scenario demo         # a builtin scenario, or a file: -scenario my.yaml
//	go run ./cmd/fakehog -check -scenario my.yaml   # validate a scenario file and exit
//	go run ./cmd/fakehog -print-scenario demo > my.yaml   # a builtin scenario to start from
//	go run ./cmd/fakehog -addr 127.0.0.1:0
//	go run ./cmd/fakehog -log-requests -log-format json
//	go run ./cmd/fakehog -version
//
// Flags fall back to environment variables: FAKEHOG_ADDR, FAKEHOG_SCENARIO, FAKEHOG_API_KEY,
// FAKEHOG_SESSION, FAKEHOG_SEED, FAKEHOG_ADMIN_TOKEN, FAKEHOG_DATA_DIR, FAKEHOG_MAX_IMPORT_BYTES,
// FAKEHOG_LOG_FORMAT, FAKEHOG_LOG_REQUESTS, FAKEHOG_ALLOWED_HOSTS. A flag given on the command line wins. The console is at
// http://127.0.0.1:8010/ once the server runs.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/fakehog/fakehog/fake"
	"github.com/fakehog/fakehog/fake/store"
	"github.com/fakehog/fakehog/scenarios"
)

// stdout receives -h and -version (the log goes to the writer run is given).
var stdout io.Writer = os.Stdout

// usageText opens -h.
const usageText = `fakehog: an in-memory, stateful fake of PostHog's Organizations REST API (every endpoint
under /api/organizations/), for tests and local development. It answers as PostHog does: same
paths, bodies, status codes, errors, pagination and permissions. Open the server's base URL in
a browser for its console (the world, credentials, journal, faults, clock, snapshots).

Usage:
  fakehog [flags]

Examples:
  fakehog                                   serve the default world on http://127.0.0.1:8010
  fakehog -scenario demo                    a world worth clicking through (open http://127.0.0.1:8010/)
  fakehog -print-scenario demo > my.yaml    start a scenario file from a builtin
  fakehog -scenario my.yaml -check          validate a scenario file and exit
  fakehog -data-dir ./state                 keep the state across restarts
  fakehog -log-requests -log-format json    one JSON log line per request
  curl -H "Authorization: Bearer phx_fakehog_default_owner_key" http://127.0.0.1:8010/api/organizations/

Flags (each falls back to the environment variable in brackets):
`

// usageFooter closes -h.
const usageFooter = `
Docs: https://github.com/fakehog/fakehog (README.md; docs/testing.md for the /_fake/ control
routes, docs/scenarios.md for scenario files, docs/endpoints.md for every operation).
`

// version describes this build, from the module's build information.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "fakehog (unknown version)"
	}
	v := info.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var rev, at, dirty string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = ", modified"
			}
		}
	}
	out := "fakehog " + v
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		out += " (" + rev + " " + at + dirty + ")"
	}
	return out + " " + info.GoVersion
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stderr, nil); err != nil {
		fmt.Fprintln(os.Stderr, "fakehog:", err)
		stop()
		os.Exit(1)
	}
}

// envOr returns the environment variable's value, or def when it is unset.
func envOr(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

// envBool reads a boolean environment variable as strconv.ParseBool does (1, t, T, TRUE,
// true, True, 0, f, F, FALSE, false, False); unset or empty is false, anything else an error.
func envBool(name string) (bool, error) {
	v := strings.TrimSpace(os.Getenv(name))
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("%s=%q is not a boolean: use true or false (or 1/0, t/f)", name, v)
	}
	return b, nil
}

// run parses flags, starts the server and serves until ctx is done (SIGINT/SIGTERM in
// main). ready, when given, receives the listening address once the server is up.
func run(ctx context.Context, args []string, logOut io.Writer, ready chan<- string) error {
	fs := flag.NewFlagSet("fakehog", flag.ContinueOnError)
	fs.SetOutput(logOut)
	addr := fs.String("addr", envOr("FAKEHOG_ADDR", "127.0.0.1:8010"), "listen address (127.0.0.1:0 picks a free port) [FAKEHOG_ADDR]")
	scenario := fs.String("scenario", envOr("FAKEHOG_SCENARIO", "default"),
		"the world to serve: a builtin ("+strings.Join(scenarios.Builtins(), ", ")+") or a YAML file [FAKEHOG_SCENARIO]")
	check := fs.Bool("check", false, "validate the scenario, print the first error with its line and column, and exit (0 when valid)")
	apiKey := fs.String("api-key", envOr("FAKEHOG_API_KEY", ""), "replace the scenario principal's personal API key [FAKEHOG_API_KEY]")
	session := fs.String("session", envOr("FAKEHOG_SESSION", ""), "replace the scenario principal's session cookie value [FAKEHOG_SESSION]")
	seedText := fs.String("seed", envOr("FAKEHOG_SEED", ""), "seed for every generated id and token (default: the scenario's seed) [FAKEHOG_SEED]")
	adminToken := fs.String("admin-token", envOr("FAKEHOG_ADMIN_TOKEN", ""), "require this bearer token on the /_fake/ control routes and the console [FAKEHOG_ADMIN_TOKEN]")
	allowedHosts := fs.String("allowed-hosts", envOr("FAKEHOG_ALLOWED_HOSTS", ""),
		"more Host names the /_fake/ control routes and the console answer to, comma-separated: a name, name:port, .domain (and its subdomains) or * (any); "+
			"loopback and the address a request arrives on always are [FAKEHOG_ALLOWED_HOSTS]")
	dataDir := fs.String("data-dir", envOr("FAKEHOG_DATA_DIR", ""), "keep the state in this directory across restarts (empty: memory only) [FAKEHOG_DATA_DIR]")
	maxImport := fs.String("max-import-bytes", envOr("FAKEHOG_MAX_IMPORT_BYTES", strconv.Itoa(fake.DefaultMaxImportBytes)),
		"the largest state export PUT /_fake/snapshot accepts, in bytes [FAKEHOG_MAX_IMPORT_BYTES]")
	logFormat := fs.String("log-format", envOr("FAKEHOG_LOG_FORMAT", "text"), "log as text (key=value) or json [FAKEHOG_LOG_FORMAT]")
	logRequestsEnv, err := envBool("FAKEHOG_LOG_REQUESTS")
	if err != nil {
		return err
	}
	logRequests := fs.Bool("log-requests", logRequestsEnv,
		"log one line per API request: method, path, status, duration, caller [FAKEHOG_LOG_REQUESTS=true]")
	printScenario := fs.String("print-scenario", "", "print the builtin scenario with this name ("+strings.Join(scenarios.Builtins(), ", ")+") as YAML and exit, to start a scenario file from")
	showVersion := fs.Bool("version", false, "print the version and exit")
	fs.Usage = func() {
		fmt.Fprint(stdout, usageText)
		fs.SetOutput(stdout)
		fs.PrintDefaults()
		fs.SetOutput(logOut)
		fmt.Fprint(stdout, usageFooter)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if *showVersion {
		fmt.Fprintln(stdout, version())
		return nil
	}
	if *printScenario != "" {
		src, err := scenarios.BuiltinSource(*printScenario)
		if err != nil {
			return err
		}
		_, err = stdout.Write(src)
		return err
	}
	var handler slog.Handler
	switch *logFormat {
	case "text":
		handler = slog.NewTextHandler(logOut, nil)
	case "json":
		handler = slog.NewJSONHandler(logOut, nil)
	default:
		return fmt.Errorf("-log-format: %q is neither text nor json", *logFormat)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (flags only; see -h)", fs.Arg(0))
	}
	sc, err := scenarios.Open(*scenario)
	if err != nil {
		return err
	}
	if *check {
		if err := sc.Check(); err != nil {
			return err
		}
		fmt.Fprintf(logOut, "scenario %s is valid\n", sc.Name)
		return nil
	}
	seed := sc.Seed
	if *seedText != "" {
		if seed, err = strconv.ParseUint(*seedText, 10, 64); err != nil {
			return fmt.Errorf("-seed: %q is not a whole number", *seedText)
		}
	}
	maxImportBytes, err := strconv.ParseInt(*maxImport, 10, 64)
	if err != nil || maxImportBytes <= 0 {
		return fmt.Errorf("-max-import-bytes: %q is not a positive whole number of bytes", *maxImport)
	}
	logger := slog.New(handler)
	opts := []fake.Option{fake.WithMaxImportBytes(maxImportBytes), fake.WithSeed(seed), fake.WithWorld(sc.World()), fake.WithLogger(logger),
		fake.WithAPIKey(*apiKey), fake.WithSession(*session), fake.WithAdminToken(*adminToken),
		fake.WithAllowedHosts(strings.Split(*allowedHosts, ",")...),
		fake.WithScenarioLoader(scenarios.Loader()), fake.WithScenarioNames(scenarios.Builtins()...)}
	if *logRequests {
		opts = append(opts, fake.WithRequestLogging())
	}
	var clock *startingClock
	if !sc.Now.IsZero() {
		// Seed at the scenario's now exactly, then let time flow on from there.
		clock = &startingClock{at: sc.Now}
		opts = append(opts, fake.WithClock(clock), fake.WithWorldNow(sc.Now)) // Reset comes back to now
	}
	if *dataDir != "" {
		opts = append(opts, fake.WithDataDir(*dataDir))
	}
	srv, err := fake.New(opts...)
	if err != nil {
		return err
	}
	defer srv.Close()
	if clock != nil {
		// A restored data directory has lived past the scenario's now: go on from its last
		// write, so new records never predate old ones.
		if last := srv.PersistedTime(); last.After(clock.at) {
			clock.at = last
		}
		clock.start()
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	host, _, _ := net.SplitHostPort(ln.Addr().String())
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		logger.Warn("listening beyond loopback: anyone who can reach this address can use the scenario's credentials", "addr", ln.Addr().String())
		if *adminToken == "" {
			logger.Warn("the /_fake/ control routes (reset, scenario, clock, faults) are open to them too: set -admin-token or FAKEHOG_ADMIN_TOKEN")
		}
	}
	d := srv.Defaults()
	base := "http://" + ln.Addr().String()
	worldKey, world, loginMsg, logins := "scenario", sc.Name, "scenario login", sc.Logins()
	if restored := *dataDir != "" && !srv.PersistedTime().IsZero(); restored {
		// The directory's world is served, not the scenario's: say so, and log the logins
		// the served world holds.
		worldKey, world, loginMsg, logins = "world", "the data directory's", "login", servedLogins(srv)
		logger.Warn("serving the world kept in the data directory, not the scenario", "dir", *dataDir, "scenario_not_loaded", sc.Name,
			"why", "the directory already holds a state, which wins over -scenario; to start from the scenario, move the directory away or delete it")
	}
	logger.Info("fakehog ready", "url", base, "console", base+"/", worldKey, world, "organization", d.OrganizationID, "project", d.ProjectID,
		"user", d.UserEmail, "api_key", d.APIKey, "session", d.Session)
	for _, l := range logins {
		if l.Email == d.UserEmail {
			continue
		}
		logger.Info(loginMsg, "user", l.Email, "api_keys", strings.Join(l.APIKeys, ","), "sessions", strings.Join(l.Sessions, ","))
	}
	// Generated users (as many as the scenario asks for) are summed up, not listed.
	generated := 0
	_ = srv.Store().Read(func(tx *store.Tx) error {
		for _, u := range tx.Users() {
			if keys := tx.APIKeysOfUser(u.ID); len(keys) > 0 && strings.HasPrefix(keys[0].Value, "phx_gen_") {
				generated++
			}
		}
		return nil
	})
	if generated > 0 {
		logger.Info("generated users have keys and sessions too", "users", generated, "list", base+"/_fake/console/users")
	}
	if d.APIKey != "" {
		logger.Info("try it", "curl", fmt.Sprintf(`curl -H "Authorization: Bearer %s" %s/api/organizations/`, d.APIKey, base))
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 120 * time.Second, MaxHeaderBytes: 64 << 10}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	if ready != nil {
		ready <- ln.Addr().String()
	}
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	case <-ctx.Done():
		logger.Info("shutting down")
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return hs.Shutdown(sctx)
}

// maxLoggedLogins bounds the logins logged at start for a restored world.
const maxLoggedLogins = 20

// servedLogins are the users of the world the server holds who have a key or a session
// (generated users, which are summed up apart, left out), up to maxLoggedLogins.
func servedLogins(srv *fake.Server) []scenarios.Login {
	var out []scenarios.Login
	_ = srv.Store().Read(func(tx *store.Tx) error {
		var users []*store.User
		for _, u := range tx.Users() {
			if keys := tx.APIKeysOfUser(u.ID); len(keys) == 0 || !strings.HasPrefix(keys[0].Value, "phx_gen_") {
				users = append(users, u)
			}
		}
		ids := make([]int, len(users))
		for i, u := range users {
			ids[i] = u.ID
		}
		sessions := tx.SessionsOfUsers(ids)
		for _, u := range users {
			l := scenarios.Login{Email: u.Email, Sessions: sessions[u.ID]}
			for _, k := range tx.APIKeysOfUser(u.ID) {
				if k.Value != "" {
					l.APIKeys = append(l.APIKeys, k.Value)
				}
			}
			if len(l.APIKeys) > 0 || len(l.Sessions) > 0 {
				out = append(out, l)
			}
			if len(out) == maxLoggedLogins {
				break
			}
		}
		return nil
	})
	return out
}

// startingClock stands still at a scenario's now while the world is seeded (so seeding is
// reproducible), then runs forward from there with the wall clock once started.
type startingClock struct {
	at      time.Time
	started atomic.Pointer[time.Time] // wall-clock reading at start
}

// Now returns the scenario's now, plus the time elapsed since start.
func (c *startingClock) Now() time.Time {
	if s := c.started.Load(); s != nil {
		return c.at.Add(time.Since(*s))
	}
	return c.at
}

func (c *startingClock) start() {
	t := time.Now()
	c.started.Store(&t)
}
