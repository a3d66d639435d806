// Command fakehog-bench is fakehog's load generator: concurrent keep-alive HTTP clients hit
// one URL, or a mix of operations, for a while and it prints requests per second, the 50th
// and 99th percentile latency and, against a bare net/http baseline or another server, the
// ratio of the two.
//
// Ways to use it:
//
//	# a mixed workload (weights: two reads per write here) on fakehog in-process, and the
//	# same mix on another server (ids discovered through its API), alternating rounds:
//	go run ./cmd/fakehog-bench -fakehog -mix get-org:2,list-members:2,patch-member:1,create-invite:1,patch-project:1 \
//	    -d 5s -rounds 3 -vs http://127.0.0.1:4010 -vs-header 'Authorization: Bearer phx_...'
//
//	# a mix against any running server (base URL; -org, -project, -member or discovery):
//	go run ./cmd/fakehog-bench -url http://127.0.0.1:8010 -header 'Authorization: Bearer phx_fakehog_default_owner_key' \
//	    -mix get-org:4,patch-project:1 -max-requests 100000
//
//	# the memory soak: fakehog in a child process, loaded with a mix, heap and RSS sampled:
//	go run ./cmd/fakehog-bench -soak 10m -max-requests 10000000 -soak-csv soak.csv -soak-png soak.png
//
//	# fakehog in-process on loopback, side by side with a bare baseline (one command):
//	go run ./cmd/fakehog-bench -fakehog -op get-org -c 32 -d 5s
//	go run ./cmd/fakehog-bench -fakehog -op list-members -members 100000
//	go run ./cmd/fakehog-bench -fakehog -method PATCH -path '/api/organizations/{org}/projects/{project}/' -body '{"name":"x"}'
//
//	# any running server, with the baseline measured in the same run:
//	go run ./cmd/fakehog-bench -url http://127.0.0.1:8010/api/organizations/ \
//	    -header 'Authorization: Bearer phx_fakehog_default_owner_key' -baseline
//
//	# any running server alone:
//	go run ./cmd/fakehog-bench -url http://127.0.0.1:8010/_fake/health
//
//	# start-up time of the built binary: exec → first 200 from /_fake/health, 10 times:
//	go build -o /tmp/fakehog ./cmd/fakehog && go run ./cmd/fakehog-bench -startup /tmp/fakehog -n 10
//
// The baseline is an in-process net/http server on loopback that answers every request
// with the status, Content-Type and body bytes the target gave to one probe request, so
// the ratio compares fakehog with the cheapest server that could produce the same bytes,
// measured by the same client in the same run. -rounds alternates target and baseline to
// spread drift on a shared machine over both.
//
// In -fakehog mode the server is fake.New(WithSeed(1)) with its default journal, its
// owner's API key is sent as the Authorization header, and the path may use {org},
// {project} and {member} (the user uuid of the seeded member in the middle of the joining
// order; -members seeds that many members first, through the store in one transaction).
//
// A run counts the requests that complete inside its measured window (after the warm-up);
// latency is measured per request from sending to the end of the response body; p50 and
// p99 use the nearest-rank method. Responses whose status differs from the probe's are
// counted as errors.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime/pprof"
	"slices"
	"time"

	"github.com/fakehog/fakehog/fake"
	"github.com/fakehog/fakehog/fake/store"
)

func main() {
	cfg, err := parseFlags(os.Args[1:], os.Stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "fakehog-bench:", err)
		os.Exit(2)
	}
	if err := run(cfg, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "fakehog-bench:", err)
		os.Exit(1)
	}
}

// startFakehog starts fakehog on loopback, seeds members, and fills the path's
// placeholders; it returns the URL to load.
func startFakehog(cfg *config) (url string, stop func(), err error) {
	base, v, stop, err := startFakehogBase(cfg)
	if err != nil {
		return "", nil, err
	}
	return base + v.fill(cfg.path), stop, nil
}

// startFakehogBase starts fakehog (default world, journal as configured) on loopback with
// cfg.members members seeded, sets the owner's key as the Authorization header unless one
// is given, and returns its base URL and the placeholders' values.
func startFakehogBase(cfg *config) (base string, v ids, stop func(), err error) {
	srv, member, err := newFakehog(cfg)
	if err != nil {
		return "", ids{}, nil, err
	}
	d := srv.Defaults()
	if cfg.headers.Get("Authorization") == "" {
		cfg.headers.Set("Authorization", "Bearer "+d.APIKey)
	}
	base, stop, err = serveLoopback(srv)
	if err != nil {
		return "", ids{}, nil, err
	}
	return base, ids{org: d.OrganizationID, project: fmt.Sprint(d.ProjectID), member: member}, stop, nil
}

// newFakehog builds the server (default world, the journal as configured) and seeds
// cfg.members members; member is the user uuid of the one in the middle of the joining order.
func newFakehog(cfg *config) (srv *fake.Server, member string, err error) {
	srv, err = fake.New(fake.WithSeed(1), fake.WithJournalSize(cfg.journalSize), fake.WithJournalBytes(cfg.journalBytes))
	if err != nil {
		return nil, "", err
	}
	d := srv.Defaults()
	if cfg.members > 0 {
		err := srv.Store().Write(func(tx *store.Tx) error {
			for i := range cfg.members {
				u, err := tx.CreateUser(store.NewUser{Email: fmt.Sprintf("member%07d@bench.example", i), FirstName: "Bench", LastName: fmt.Sprintf("Member %d", i)})
				if err != nil {
					return err
				}
				if _, err := tx.AddMember(d.OrganizationID, u.ID, store.NewMembership{Level: store.LevelMember}); err != nil {
					return err
				}
				if i == cfg.members/2 {
					member = u.UUID
				}
			}
			return nil
		})
		if err != nil {
			return nil, "", fmt.Errorf("seeding members: %w", err)
		}
	}
	return srv, member, nil
}

func run(cfg config, out io.Writer) error {
	switch {
	case cfg.soakChild:
		return soakChild(cfg, os.Stdin, out)
	case cfg.soak > 0:
		return runSoak(cfg, out)
	case cfg.soakPNG != "":
		return plotSoak(cfg.soakCSV, cfg.soakPNG, "mix "+cfg.mix)
	case cfg.mix != "":
		return runMix(cfg, out)
	case cfg.startup != "":
		return measureStartup(cfg.startup, cfg.n, out)
	}
	url := cfg.url
	name := "target"
	if cfg.fakehog {
		u, stop, err := startFakehog(&cfg)
		if err != nil {
			return err
		}
		defer stop()
		url, name = u, "fakehog"
	}
	client := newClient(cfg.concurrency)
	p, err := probeTarget(client, cfg, url)
	if err != nil {
		return fmt.Errorf("probe %s: %w", url, err)
	}
	fmt.Fprintf(out, "%s %s → %d, %d bytes; c=%d d=%s warmup=%s rounds=%d\n", cfg.method, url, p.status, len(p.body),
		cfg.concurrency, cfg.duration, cfg.warmup, cfg.rounds)
	tgt := target{name: name, url: url, wantStatus: p.status}
	var base target
	if cfg.baseline {
		bu, stop, err := serveLoopback(baselineHandler(p))
		if err != nil {
			return err
		}
		defer stop()
		base = target{name: "baseline", url: bu + "/", wantStatus: p.status}
	}
	var tr, br result
	var ratios []float64
	var prof *os.File
	if cfg.cpuProfile != "" {
		if prof, err = os.Create(cfg.cpuProfile); err != nil {
			return err
		}
		defer prof.Close()
	}
	for round := range cfg.rounds {
		if prof != nil {
			if err := pprof.StartCPUProfile(prof); err != nil {
				return err
			}
		}
		r := load(cfg, client, tgt)
		if prof != nil {
			pprof.StopCPUProfile()
			prof = nil // one profile file holds one run: the first round's
		}
		tr = tr.merge(r)
		line := fmt.Sprintf("round %d: %s %.0f req/s", round+1, tgt.name, r.rps())
		if cfg.baseline {
			b := load(cfg, client, base)
			br = br.merge(b)
			ratios = append(ratios, r.rps()/b.rps())
			line += fmt.Sprintf(", baseline %.0f req/s, ratio %.3f", b.rps(), r.rps()/b.rps())
		}
		if cfg.rounds > 1 {
			fmt.Fprintln(out, line)
		}
	}
	fmt.Fprintf(out, "%-9s %10s %10s %10s %10s %10s %7s\n", "", "requests", "req/s", "p50", "p99", "cpu/req", "errors")
	printRow(out, tgt.name, tr)
	if cfg.baseline {
		printRow(out, "baseline", br)
		fmt.Fprintf(out, "ratio %s/baseline: %.3f (throughput)", tgt.name, tr.rps()/br.rps())
		if len(ratios) > 1 {
			slices.Sort(ratios)
			fmt.Fprintf(out, "; per round median %.3f, min %.3f, max %.3f", median(ratios), ratios[0], ratios[len(ratios)-1])
		}
		fmt.Fprintln(out)
		// Only in-process: against another process this process's CPU is the client's alone
		// for the target but client and server for the baseline, and the ratio means nothing.
		if tc, bc := tr.cpuPerRequest(), br.cpuPerRequest(); cfg.fakehog && tc > 0 && bc > 0 {
			fmt.Fprintf(out, "ratio %s/baseline: %.3f (CPU: baseline cpu/req ÷ %s cpu/req; steadier than req/s on a shared machine)\n",
				tgt.name, float64(bc)/float64(tc), tgt.name)
		}
	}
	if tr.errors > 0 {
		return fmt.Errorf("%d of %d requests failed or answered another status than %d", tr.errors, tr.requests, p.status)
	}
	return nil
}

// median of sorted values.
func median(sorted []float64) float64 {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}

func printRow(out io.Writer, name string, r result) {
	fmt.Fprintf(out, "%-9s %10d %10.0f %10s %10s %10s %7d\n", name, r.requests, r.rps(),
		roundDur(percentile(r.latencies, 50)), roundDur(percentile(r.latencies, 99)), roundDur(r.cpuPerRequest()), r.errors)
}

// roundDur keeps three significant figures or so, for display.
func roundDur(d time.Duration) time.Duration {
	switch {
	case d >= 100*time.Millisecond:
		return d.Round(time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond)
	default:
		return d.Round(time.Microsecond)
	}
}

// measureStartup execs the binary n times on a free loopback port and reports how long each
// took from exec to the first 200 answer of /_fake/health (polled every 200µs).
func measureStartup(bin string, n int, out io.Writer) error {
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	var times []float64 // milliseconds
	for i := range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		addr := ln.Addr().String()
		ln.Close()
		cmd := exec.Command(bin, "-addr", addr)
		start := time.Now()
		if err := cmd.Start(); err != nil {
			return err
		}
		var took time.Duration
		for {
			res, err := client.Get("http://" + addr + "/_fake/health")
			if err == nil {
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode == http.StatusOK {
					took = time.Since(start)
					break
				}
			}
			if time.Since(start) > 10*time.Second {
				_ = cmd.Process.Kill()
				_ = cmd.Wait()
				return fmt.Errorf("%s did not answer /_fake/health within 10s", bin)
			}
			time.Sleep(200 * time.Microsecond)
		}
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		times = append(times, float64(took.Microseconds())/1000)
		fmt.Fprintf(out, "start %d: %.1f ms\n", i+1, times[len(times)-1])
	}
	slices.Sort(times)
	fmt.Fprintf(out, "exec → first 200 from /_fake/health over %d starts: min %.1f ms, median %.1f ms, max %.1f ms\n",
		n, times[0], median(times), times[len(times)-1])
	return nil
}
