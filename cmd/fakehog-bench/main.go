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
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
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

// config is what the flags ask for.
type config struct {
	url         string
	method      string
	body        []byte
	headers     http.Header
	concurrency int
	duration    time.Duration
	warmup      time.Duration
	rounds      int
	baseline    bool

	fakehog     bool   // start fakehog in-process
	path        string // -fakehog: path with {org}, {project}, {member}
	op          string // -fakehog: a preset operation
	members     int    // -fakehog: members to seed
	journalSize int    // -fakehog: fake.WithJournalSize
	cpuProfile  string // write a CPU profile of the target's runs

	startup string // measure this binary's start-up instead of loading a URL
	n       int    // -startup repetitions

	mix         string      // weighted preset operations (mix.go)
	maxRequests int         // stop a run after this many requests (0: none)
	org         string      // -url with -mix: placeholder values (discovered when empty)
	project     string      //
	member      string      //
	vs          string      // -mix: also load this server, alternating, and print the ratio
	vsHeaders   http.Header // headers for -vs
	vsOrg       string      // -vs placeholder values (discovered when empty)
	vsProject   string      //
	vsMember    string      //

	soak         time.Duration // run the soak (soak.go) for this long
	sample       time.Duration // soak: memory sampling interval
	soakCSV      string        // soak: write the samples here
	soakPNG      string        // soak: plot them here (needs gnuplot)
	soakChild    bool          // internal: be the soak's server process
	journalBytes int           // -fakehog, -soak: fake.WithJournalBytes
}

// preset is a named operation for -op and -mix. Its body may use {n} (a request counter
// modulo 16 in a mix; 0 for -op).
type preset struct {
	method, path, body string
	needsMember        bool
}

// status is the answer the operation expects.
func (p preset) status() int {
	if p.method == "POST" {
		return http.StatusCreated
	}
	return http.StatusOK
}

var presets = map[string]preset{
	"health":        {"GET", "/_fake/health", "", false},
	"get-org":       {"GET", "/api/organizations/{org}/", "", false},
	"list-members":  {"GET", "/api/organizations/{org}/members/?limit=100", "", false},
	"get-member":    {"GET", "/api/organizations/{org}/members/{member}/github_login/", "", true},
	"patch-member":  {"PATCH", "/api/organizations/{org}/members/{member}/", `{"level":8}`, true},
	"create-invite": {"POST", "/api/organizations/{org}/invites/", `{"target_email":"invitee{n}@example.com","level":1}`, false},
	"list-invites":  {"GET", "/api/organizations/{org}/invites/?limit=100", "", false},
	"get-project":   {"GET", "/api/organizations/{org}/projects/{project}/", "", false},
	"list-projects": {"GET", "/api/organizations/{org}/projects/?limit=100", "", false},
	"patch-project": {"PATCH", "/api/organizations/{org}/projects/{project}/", `{"name":"Renamed project {n}"}`, false},
}

func presetNames() string {
	names := make([]string, 0, len(presets))
	for n := range presets {
		names = append(names, n)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

// headerList is a repeatable -header "Name: value" flag.
type headerList struct{ h http.Header }

func (l *headerList) String() string {
	if l == nil || l.h == nil {
		return ""
	}
	var parts []string
	for k, vs := range l.h {
		for _, v := range vs {
			parts = append(parts, k+": "+v)
		}
	}
	slices.Sort(parts)
	return strings.Join(parts, ", ")
}

func (l *headerList) Set(s string) error {
	name, value, ok := strings.Cut(s, ":")
	name = strings.TrimSpace(name)
	if !ok || name == "" {
		return fmt.Errorf("want \"Name: value\", got %q", s)
	}
	l.h.Add(name, strings.TrimSpace(value))
	return nil
}

// parseFlags reads the command line into a config and checks it.
func parseFlags(args []string, errOut io.Writer) (config, error) {
	cfg := config{headers: http.Header{}, vsHeaders: http.Header{}}
	fs := flag.NewFlagSet("fakehog-bench", flag.ContinueOnError)
	fs.SetOutput(errOut)
	fs.StringVar(&cfg.url, "url", "", "target URL (not with -fakehog)")
	fs.StringVar(&cfg.method, "method", "", "request method (default GET, or the preset's)")
	body := fs.String("body", "", "request body; @file reads it from a file")
	fs.Var(&headerList{cfg.headers}, "header", `request header "Name: value" (repeatable)`)
	fs.IntVar(&cfg.concurrency, "c", 32, "concurrent connections (each a keep-alive client loop)")
	fs.DurationVar(&cfg.duration, "d", 5*time.Second, "measured duration of each run")
	fs.DurationVar(&cfg.warmup, "warmup", 500*time.Millisecond, "unmeasured load before each run")
	fs.IntVar(&cfg.rounds, "rounds", 1, "runs of the target (alternating with the baseline's)")
	fs.BoolVar(&cfg.baseline, "baseline", false, "also measure a bare net/http server serving the target's response bytes (always on with -fakehog unless -baseline=false)")
	fs.BoolVar(&cfg.fakehog, "fakehog", false, "start fakehog in-process on loopback and load it")
	fs.StringVar(&cfg.path, "path", "", "with -fakehog: path to load; {org}, {project} and {member} are filled in")
	fs.StringVar(&cfg.op, "op", "", "with -fakehog: preset operation: "+presetNames())
	fs.IntVar(&cfg.members, "members", 0, "with -fakehog: seed this many members in the default organization first")
	fs.IntVar(&cfg.journalSize, "journal-size", fake.DefaultJournalSize, "with -fakehog: journal size (0 turns the journal off)")
	fs.StringVar(&cfg.cpuProfile, "cpuprofile", "", "write a CPU profile of the target's runs (client and, with -fakehog, server) to this file")
	fs.StringVar(&cfg.startup, "startup", "", "measure start-up of this fakehog binary: exec → first 200 from /_fake/health")
	fs.IntVar(&cfg.n, "n", 10, "with -startup: how many starts")
	fs.StringVar(&cfg.mix, "mix", "", `mixed workload of weighted operations, e.g. "get-org:4,list-members:2,patch-member:1,create-invite:1,patch-project:1" (with -fakehog, -url BASE or -soak); operations: `+presetNames())
	fs.IntVar(&cfg.maxRequests, "max-requests", 0, "with -mix or -soak: stop a run after this many requests (0: only -d bounds it)")
	fs.StringVar(&cfg.org, "org", "", "with -url and -mix: organization id for {org} (default: the caller's current one)")
	fs.StringVar(&cfg.project, "project", "", "with -url and -mix: project id for {project} (default: the organization's first)")
	fs.StringVar(&cfg.member, "member", "", "with -url and -mix: user uuid for {member} (default: the first member below admin)")
	fs.StringVar(&cfg.vs, "vs", "", "with -mix: base URL of another server to load with the same mix, alternating rounds; prints the ratio")
	fs.Var(&headerList{cfg.vsHeaders}, "vs-header", `with -vs: request header "Name: value" for the other server (repeatable)`)
	fs.DurationVar(&cfg.soak, "soak", 0, "run a soak this long: fakehog (default world, journal on) in a child process on loopback, loaded with -mix, its heap and RSS sampled")
	fs.DurationVar(&cfg.sample, "sample", 5*time.Second, "with -soak: memory sampling interval")
	fs.StringVar(&cfg.soakCSV, "soak-csv", "", "with -soak: write the samples to this CSV file")
	fs.StringVar(&cfg.soakPNG, "soak-png", "", "with -soak: plot the samples to this PNG file (runs gnuplot)")
	fs.IntVar(&cfg.journalBytes, "journal-bytes", fake.DefaultJournalBytes, "with -fakehog or -soak: the journal's byte bound (fake.WithJournalBytes)")
	fs.BoolVar(&cfg.soakChild, "soak-child", false, "internal: serve as the soak's server process")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	baselineSet := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "baseline" {
			baselineSet = true
		}
	})
	if strings.HasPrefix(*body, "@") {
		data, err := os.ReadFile((*body)[1:])
		if err != nil {
			return config{}, fmt.Errorf("-body: %w", err)
		}
		cfg.body = data
	} else if *body != "" {
		cfg.body = []byte(*body)
	}
	switch {
	case cfg.concurrency < 1:
		return config{}, errors.New("-c must be at least 1")
	case cfg.duration <= 0:
		return config{}, errors.New("-d must be positive")
	case cfg.warmup < 0:
		return config{}, errors.New("-warmup must not be negative")
	case cfg.rounds < 1:
		return config{}, errors.New("-rounds must be at least 1")
	case cfg.members < 0:
		return config{}, errors.New("-members must not be negative")
	}
	if cfg.soakChild {
		return cfg, nil
	}
	if cfg.soak == 0 && cfg.soakPNG != "" {
		if cfg.soakCSV == "" {
			return config{}, errors.New("-soak-png without -soak re-plots a CSV: give -soak-csv")
		}
		return cfg, nil
	}
	if cfg.soak > 0 || cfg.mix != "" {
		return checkMixFlags(cfg, baselineSet)
	}
	if cfg.startup != "" {
		if cfg.url != "" || cfg.fakehog {
			return config{}, errors.New("-startup excludes -url and -fakehog")
		}
		if cfg.n < 1 {
			return config{}, errors.New("-n must be at least 1")
		}
		return cfg, nil
	}
	if cfg.fakehog {
		if cfg.url != "" {
			return config{}, errors.New("-url and -fakehog exclude each other")
		}
		if !baselineSet {
			cfg.baseline = true
		}
		if cfg.op != "" {
			p, ok := presets[cfg.op]
			if !ok {
				return config{}, fmt.Errorf("-op %q: want one of %s", cfg.op, presetNames())
			}
			if cfg.path != "" {
				return config{}, errors.New("-op and -path exclude each other")
			}
			cfg.path = p.path
			if cfg.method == "" {
				cfg.method = p.method
			}
			if cfg.body == nil && p.body != "" {
				cfg.body = []byte(strings.ReplaceAll(p.body, "{n}", "0"))
			}
			if p.needsMember && cfg.members == 0 {
				cfg.members = 1
			}
		}
		if cfg.path == "" {
			return config{}, errors.New("-fakehog needs -op or -path")
		}
		if strings.Contains(cfg.path, "{member}") && cfg.members == 0 {
			cfg.members = 1
		}
	} else {
		if cfg.url == "" {
			return config{}, errors.New("give -url, or -fakehog to start fakehog in-process")
		}
		if cfg.op != "" || cfg.path != "" || cfg.members != 0 {
			return config{}, errors.New("-op, -path and -members need -fakehog")
		}
	}
	if cfg.method == "" {
		cfg.method = http.MethodGet
	}
	cfg.method = strings.ToUpper(cfg.method)
	if len(cfg.body) > 0 && cfg.headers.Get("Content-Type") == "" {
		cfg.headers.Set("Content-Type", "application/json")
	}
	return cfg, nil
}

// percentile returns the nearest-rank p-th percentile (0 < p ≤ 100) of sorted latencies:
// the smallest value with at least p% of the values at or below it. It returns 0 for no
// values.
func percentile(sorted []time.Duration, p float64) time.Duration {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(n)))
	rank = max(1, min(rank, n))
	return sorted[rank-1]
}

// result is one measured run.
type result struct {
	requests  int
	errors    int // transport errors and unexpected statuses
	elapsed   time.Duration
	cpu       time.Duration   // this process's CPU time during the window (0: unknown)
	latencies []time.Duration // sorted
}

// cpuPerRequest is the process CPU time per completed request (0 when unknown).
func (r result) cpuPerRequest() time.Duration {
	if r.requests == 0 || r.cpu <= 0 {
		return 0
	}
	return r.cpu / time.Duration(r.requests)
}

func (r result) rps() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(r.requests) / r.elapsed.Seconds()
}

// merge adds another run of the same target.
func (r result) merge(o result) result {
	lat := append(append([]time.Duration{}, r.latencies...), o.latencies...)
	slices.Sort(lat)
	return result{requests: r.requests + o.requests, errors: r.errors + o.errors, elapsed: r.elapsed + o.elapsed,
		cpu: r.cpu + o.cpu, latencies: lat}
}

// target is what one run loads.
type target struct {
	name       string
	url        string
	wantStatus int
}

// load runs c client loops against t for warmup+d and measures the last d.
func load(cfg config, client *http.Client, t target) result {
	var (
		mu    sync.Mutex
		total result
		wg    sync.WaitGroup
	)
	start := time.Now()
	measureFrom := start.Add(cfg.warmup)
	end := measureFrom.Add(cfg.duration)
	// The process's CPU time over the measured window: client and, in -fakehog mode, the
	// server too — the same for the target and the baseline, so their ratio stands.
	cpuDone := make(chan time.Duration, 1)
	go func() {
		time.Sleep(time.Until(measureFrom))
		c0, ok0 := processCPU()
		time.Sleep(time.Until(end))
		c1, ok1 := processCPU()
		if !ok0 || !ok1 {
			c0, c1 = 0, 0
		}
		cpuDone <- time.Duration(c1 - c0)
	}()
	for range cfg.concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine result
			mine.latencies = make([]time.Duration, 0, 4096)
			for {
				t0 := time.Now()
				if !t0.Before(end) {
					break
				}
				status, err := do(client, cfg, t.url)
				t1 := time.Now()
				if t1.Before(measureFrom) || t1.After(end) {
					continue // finished during the warm-up, or after the window closed
				}
				mine.requests++
				mine.latencies = append(mine.latencies, t1.Sub(t0))
				if err != nil || status != t.wantStatus {
					mine.errors++
				}
			}
			mu.Lock()
			total.requests += mine.requests
			total.errors += mine.errors
			total.latencies = append(total.latencies, mine.latencies...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	total.elapsed = cfg.duration
	total.cpu = <-cpuDone
	slices.Sort(total.latencies)
	return total
}

// do sends one request and reads the whole response.
func do(client *http.Client, cfg config, url string) (int, error) {
	var body io.Reader
	if len(cfg.body) > 0 {
		body = bytes.NewReader(cfg.body)
	}
	req, err := http.NewRequest(cfg.method, url, body)
	if err != nil {
		return 0, err
	}
	for k, vs := range cfg.headers {
		req.Header[k] = vs
	}
	res, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	_, err = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode, err
}

// probe is the target's answer to one request: what the baseline serves back.
type probe struct {
	status      int
	contentType string
	body        []byte
	sized       bool // the target sent Content-Length (else the body was chunked)
}

func probeTarget(client *http.Client, cfg config, url string) (probe, error) {
	var body io.Reader
	if len(cfg.body) > 0 {
		body = bytes.NewReader(cfg.body)
	}
	req, err := http.NewRequest(cfg.method, url, body)
	if err != nil {
		return probe{}, err
	}
	for k, vs := range cfg.headers {
		req.Header[k] = vs
	}
	res, err := client.Do(req)
	if err != nil {
		return probe{}, err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		return probe{}, err
	}
	return probe{status: res.StatusCode, contentType: res.Header.Get("Content-Type"), body: data, sized: res.ContentLength >= 0}, nil
}

// serveLoopback serves h on a free loopback port until the returned stop is called.
func serveLoopback(h http.Handler) (base string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	stop = func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = hs.Shutdown(ctx)
	}
	return "http://" + ln.Addr().String(), stop, nil
}

// baselineHandler answers every request with the probe's bytes, framed as the target
// framed them (Content-Length or chunked), reading the request body first as any real
// handler must.
func baselineHandler(p probe) http.Handler {
	length := strconv.Itoa(len(p.body))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if p.contentType != "" {
			w.Header().Set("Content-Type", p.contentType)
		}
		if p.sized {
			w.Header().Set("Content-Length", length)
		}
		w.WriteHeader(p.status)
		_, _ = w.Write(p.body)
	})
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
				if _, err := tx.AddMember(d.OrganizationID, u.ID, store.LevelMember, 0); err != nil {
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

func newClient(concurrency int) *http.Client {
	tr := &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        concurrency,
		MaxIdleConnsPerHost: concurrency,
		MaxConnsPerHost:     concurrency,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
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
