package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// The soak (issue #14): fakehog runs in a child process — the default world, the journal on
// with its default bounds, on loopback — while this process loads it with a mix for a fixed
// time (and at most -max-requests requests). The child samples its own Go heap and resident
// set every -sample and prints them; it stops by itself when its parent goes away or the
// soak's time is over by a minute, whichever comes first.

// checkMixFlags checks the flags of -mix and -soak runs.
func checkMixFlags(cfg config, baselineSet bool) (config, error) {
	if cfg.op != "" || cfg.path != "" || len(cfg.body) > 0 || cfg.method != "" || cfg.startup != "" {
		return config{}, errors.New("-mix and -soak take their operations from -mix: not with -op, -path, -body, -method or -startup")
	}
	if baselineSet && cfg.baseline {
		return config{}, errors.New("-mix has no baseline: compare with another server with -vs")
	}
	if cfg.maxRequests < 0 {
		return config{}, errors.New("-max-requests must not be negative")
	}
	if cfg.soak > 0 {
		if cfg.fakehog || cfg.url != "" || cfg.vs != "" {
			return config{}, errors.New("-soak starts its own fakehog: not with -fakehog, -url or -vs")
		}
		if cfg.sample < 100*time.Millisecond {
			return config{}, errors.New("-sample must be at least 100ms")
		}
		if cfg.mix == "" {
			cfg.mix = defaultSoakMix
		}
	} else if cfg.fakehog == (cfg.url != "") {
		return config{}, errors.New("-mix needs -fakehog or -url BASE (the server's root URL)")
	}
	if cfg.vs != "" && cfg.url != "" {
		return config{}, errors.New("-vs compares with fakehog in-process: use it with -fakehog")
	}
	if _, err := parseMix(cfg.mix); err != nil {
		return config{}, err
	}
	return cfg, nil
}

// defaultSoakMix is two reads for each write, over the main families.
const defaultSoakMix = "get-org:2,list-members:2,get-project:1,list-invites:1,patch-member:1,create-invite:1,patch-project:1"

// sample is one memory reading of the soak's server.
type sample struct {
	at                                 time.Duration
	heapInuse, heapAlloc, heapSys, rss uint64
	heapReleased, numGC                uint64
	journalLen, journalBytes           int
}

const sampleHeader = "seconds,heap_inuse_bytes,heap_alloc_bytes,heap_sys_bytes,heap_released_bytes,rss_bytes,num_gc,journal_entries,journal_bytes"

func (s sample) csv() string {
	return fmt.Sprintf("%.1f,%d,%d,%d,%d,%d,%d,%d,%d", s.at.Seconds(), s.heapInuse, s.heapAlloc, s.heapSys, s.heapReleased,
		s.rss, s.numGC, s.journalLen, s.journalBytes)
}

func parseSample(line string) (sample, error) {
	f := strings.Split(line, ",")
	if len(f) != 9 {
		return sample{}, fmt.Errorf("sample %q: want 9 fields", line)
	}
	var n [9]float64
	for i, x := range f {
		v, err := strconv.ParseFloat(x, 64)
		if err != nil {
			return sample{}, fmt.Errorf("sample %q: %w", line, err)
		}
		n[i] = v
	}
	return sample{at: time.Duration(n[0] * float64(time.Second)), heapInuse: uint64(n[1]), heapAlloc: uint64(n[2]), heapSys: uint64(n[3]),
		heapReleased: uint64(n[4]), rss: uint64(n[5]), numGC: uint64(n[6]), journalLen: int(n[7]), journalBytes: int(n[8])}, nil
}

// rssBytes is this process's resident set size (Linux; 0 elsewhere).
func rssBytes() uint64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// soakChild is the soak's server process: it prints "ready <base> <org> <project> <member>
// <api key>", then a CSV sample line every cfg.sample, until stdin closes (the parent is
// done or gone) or cfg.soak plus a minute has passed.
func soakChild(cfg config, stdin io.Reader, out io.Writer) error {
	srv, member, err := newFakehog(&cfg)
	if err != nil {
		return err
	}
	d := srv.Defaults()
	base, stop, err := serveLoopback(srv)
	if err != nil {
		return err
	}
	defer stop()
	fmt.Fprintf(out, "ready %s %s %d %s %s\n", base, d.OrganizationID, d.ProjectID, member, d.APIKey)
	done := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, stdin)
		close(done)
	}()
	deadline := time.After(cfg.soak + time.Minute)
	start := time.Now()
	tick := time.NewTicker(cfg.sample)
	defer tick.Stop()
	take := func() {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		s := sample{at: time.Since(start), heapInuse: m.HeapInuse, heapAlloc: m.HeapAlloc, heapSys: m.HeapSys, heapReleased: m.HeapReleased,
			rss: rssBytes(), numGC: uint64(m.NumGC), journalLen: srv.Journal().Len(), journalBytes: srv.Journal().Bytes()}
		fmt.Fprintln(out, s.csv())
	}
	take()
	for {
		select {
		case <-tick.C:
			take()
		case <-done:
			take()
			return nil
		case <-deadline:
			return errors.New("soak child: its time is over and its parent has not stopped it")
		}
	}
}

// runSoak starts the child, loads it with the mix for cfg.soak, collects the samples and
// reports them (CSV, optional PNG through gnuplot, a summary).
func runSoak(cfg config, out io.Writer) error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	mix, err := parseMix(cfg.mix)
	if err != nil {
		return err
	}
	members := cfg.members
	if members == 0 && mixNeedsMember(mix) {
		members = 10
	}
	cmd := exec.Command(exe, "-soak-child", "-soak", cfg.soak.String(), "-sample", cfg.sample.String(),
		"-members", strconv.Itoa(members), "-journal-size", strconv.Itoa(cfg.journalSize), "-journal-bytes", strconv.Itoa(cfg.journalBytes))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	lines := bufio.NewScanner(stdout)
	if !lines.Scan() {
		return errors.New("soak: the server process did not start")
	}
	var base, org, project, member, key string
	if _, err := fmt.Sscan(strings.TrimPrefix(lines.Text(), "ready "), &base, &org, &project, &member, &key); err != nil && member != "" {
		return fmt.Errorf("soak: the server process said %q", lines.Text())
	}
	samples := make(chan sample, 1024)
	go func() {
		defer close(samples)
		for lines.Scan() {
			if s, err := parseSample(lines.Text()); err == nil {
				samples <- s
			}
		}
	}()
	headers := cfg.headers.Clone()
	headers.Set("Authorization", "Bearer "+key)
	t := newMixTarget("fakehog (child process)", base, headers, mix, ids{org: org, project: project, member: member})
	fmt.Fprintf(out, "soak: mix %s for %s, c=%d, max-requests=%d, sampling every %s\n", cfg.mix, cfg.soak, cfg.concurrency, cfg.maxRequests, cfg.sample)
	lc := cfg
	lc.warmup, lc.duration = 0, cfg.soak
	r := loadMix(lc, newClient(cfg.concurrency), t)
	stdin.Close() // the child takes a last sample and exits
	var all []sample
	for s := range samples {
		all = append(all, s)
	}
	_ = cmd.Wait()
	printMix(out, t, r)
	if len(all) == 0 {
		return errors.New("soak: no samples")
	}
	if cfg.soakCSV != "" {
		var b strings.Builder
		b.WriteString(sampleHeader + "\n")
		for _, s := range all {
			b.WriteString(s.csv() + "\n")
		}
		if err := os.WriteFile(cfg.soakCSV, []byte(b.String()), 0o644); err != nil {
			return err
		}
		if cfg.soakPNG != "" {
			if err := plotSoak(cfg.soakCSV, cfg.soakPNG, "mix "+cfg.mix); err != nil {
				fmt.Fprintln(out, "soak: no plot:", err)
			}
		}
	}
	summarizeSoak(out, all)
	if r.errors > 0 {
		return fmt.Errorf("%d of %d requests failed", r.errors, r.requests)
	}
	return nil
}

// summarizeSoak prints the memory at a few points and the maxima of each half.
func summarizeSoak(out io.Writer, all []sample) {
	mb := func(b uint64) string { return fmt.Sprintf("%.1f", float64(b)/(1<<20)) }
	fmt.Fprintf(out, "%9s %10s %10s %10s %9s %12s\n", "t", "heap inuse", "heap alloc", "RSS", "journal", "journal MiB")
	step := max(len(all)/10, 1)
	for i := 0; i < len(all); i += step {
		s := all[i]
		fmt.Fprintf(out, "%8.0fs %10s %10s %10s %9d %12s\n", s.at.Seconds(), mb(s.heapInuse), mb(s.heapAlloc), mb(s.rss), s.journalLen, mb(uint64(s.journalBytes)))
	}
	last := all[len(all)-1]
	fmt.Fprintf(out, "%8.0fs %10s %10s %10s %9d %12s (last)\n", last.at.Seconds(), mb(last.heapInuse), mb(last.heapAlloc), mb(last.rss), last.journalLen, mb(uint64(last.journalBytes)))
	half := len(all) / 2
	maxOf := func(ss []sample, f func(sample) uint64) uint64 {
		var m uint64
		for _, s := range ss {
			m = max(m, f(s))
		}
		return m
	}
	rss := func(s sample) uint64 { return s.rss }
	heap := func(s sample) uint64 { return s.heapInuse }
	fmt.Fprintf(out, "max RSS: first half %s MiB, second half %s MiB; max heap in use: %s, %s MiB\n",
		mb(maxOf(all[:half], rss)), mb(maxOf(all[half:], rss)), mb(maxOf(all[:half], heap)), mb(maxOf(all[half:], heap)))
}

// plotSoak draws heap in use and RSS over time with gnuplot.
// It needs gnuplot (Debian: gnuplot-nox); -soak-csv with -soak-png and no -soak re-plots a
// CSV written earlier.
func plotSoak(csv, png, mix string) error {
	gp, err := exec.LookPath("gnuplot")
	if err != nil {
		return err
	}
	script := fmt.Sprintf(`set terminal pngcairo size 900,480 noenhanced
set output %q
set datafile separator ","
set key center right
set title "fakehog soak: heap and RSS of the server process\n%s" font ",9"
set xlabel "seconds"
set ylabel "MiB"
set yrange [0:*]
set grid
plot %q skip 1 using 1:($6/1048576) with lines lw 2 title "RSS", \
     %q skip 1 using 1:($2/1048576) with lines lw 2 title "heap in use", \
     %q skip 1 using 1:($9/1048576) with lines lw 1 title "journal (Cost)", \
     64 with lines dt 2 lc rgb "red" title "64 MiB target"
`, png, mix, csv, csv, csv)
	cmd := exec.Command(gp)
	cmd.Stdin = strings.NewReader(script)
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("gnuplot: %v: %s", err, b)
	}
	return nil
}
