// Command fakehog runs the fake PostHog Organizations API as a local server.
//
//	go run ./cmd/fakehog                 # serves the default world on 127.0.0.1:8010
//	go run ./cmd/fakehog -addr 127.0.0.1:0
//
// Flags fall back to environment variables: FAKEHOG_ADDR, FAKEHOG_API_KEY, FAKEHOG_SESSION,
// FAKEHOG_SEED, FAKEHOG_DATA_DIR. A flag given on the command line wins.
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
	"strconv"
	"syscall"
	"time"

	"github.com/fakehog/fakehog/fake"
)

func main() {
	if err := run(os.Args[1:], os.Stderr, nil); err != nil {
		fmt.Fprintln(os.Stderr, "fakehog:", err)
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

// run parses flags, starts the server and blocks until SIGINT/SIGTERM (or until ready, when
// given, is closed by the caller's test). ready receives the listening address.
func run(args []string, logOut io.Writer, ready chan<- string) error {
	fs := flag.NewFlagSet("fakehog", flag.ContinueOnError)
	fs.SetOutput(logOut)
	addr := fs.String("addr", envOr("FAKEHOG_ADDR", "127.0.0.1:8010"), "listen address (127.0.0.1:0 picks a free port) [FAKEHOG_ADDR]")
	apiKey := fs.String("api-key", envOr("FAKEHOG_API_KEY", ""), "replace the default owner's personal API key [FAKEHOG_API_KEY]")
	session := fs.String("session", envOr("FAKEHOG_SESSION", ""), "replace the default owner's session cookie value [FAKEHOG_SESSION]")
	dataDir := fs.String("data-dir", envOr("FAKEHOG_DATA_DIR", ""), "keep the state in this directory across restarts (empty: memory only) [FAKEHOG_DATA_DIR]")
	seedText := fs.String("seed", envOr("FAKEHOG_SEED", "0"), "seed for every generated id and token [FAKEHOG_SEED]")
	if err := fs.Parse(args); err != nil {
		return err
	}
	seed, err := strconv.ParseUint(*seedText, 10, 64)
	if err != nil {
		return fmt.Errorf("-seed: %q is not a whole number", *seedText)
	}
	logger := slog.New(slog.NewTextHandler(logOut, nil))
	opts := []fake.Option{fake.WithSeed(seed), fake.WithLogger(logger), fake.WithAPIKey(*apiKey), fake.WithSession(*session)}
	if *dataDir != "" {
		opts = append(opts, fake.WithDataDir(*dataDir))
	}
	srv, err := fake.New(opts...)
	if err != nil {
		return err
	}
	defer srv.Close()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	host, _, _ := net.SplitHostPort(ln.Addr().String())
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		logger.Warn("listening beyond loopback: anyone who can reach this address can use the default credentials", "addr", ln.Addr().String())
	}
	d := srv.Defaults()
	base := "http://" + ln.Addr().String()
	logger.Info("fakehog ready", "url", base, "organization", d.OrganizationID, "project", d.ProjectID,
		"user", d.UserEmail, "api_key", d.APIKey, "session", d.Session)
	logger.Info("try it", "curl", fmt.Sprintf(`curl -H "Authorization: Bearer %s" %s/api/organizations/`, d.APIKey, base))
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 120 * time.Second, MaxHeaderBytes: 64 << 10}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	if ready != nil {
		ready <- ln.Addr().String()
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sig)
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	case s := <-sig:
		logger.Info("shutting down", "signal", s.String())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return hs.Shutdown(ctx)
}
