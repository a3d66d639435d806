package main

// The command line: the configuration, the named presets and the flags that fill them.

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/fakehog/fakehog/fake"
)

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
