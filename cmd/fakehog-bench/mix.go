package main

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tidwall/gjson"
)

// Mixed workloads (issue #14): -mix "get-org:4,patch-member:1,…" names preset operations
// with weights. Every client loop takes the next operation of one shared schedule in which
// each appears as often as its weight, so the ratio of reads to writes is exact. Paths use
// {org}, {project} and {member}; bodies may use {n}, a counter (create-invite uses it to
// rotate among 16 addresses, so the invite list stays the same size).

// mixEntry is one operation of a mix and its weight.
type mixEntry struct {
	name   string
	weight int
	preset
}

// parseMix reads "name:weight,name:weight" (a missing weight is 1).
func parseMix(spec string) ([]mixEntry, error) {
	var out []mixEntry
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, w, hasWeight := strings.Cut(part, ":")
		weight := 1
		if hasWeight {
			n, err := strconv.Atoi(w)
			if err != nil || n < 1 || n > 1000 {
				return nil, fmt.Errorf("-mix %q: weight %q: want an integer from 1 to 1000", part, w)
			}
			weight = n
		}
		p, ok := presets[name]
		if !ok {
			return nil, fmt.Errorf("-mix: unknown operation %q: want one of %s", name, presetNames())
		}
		out = append(out, mixEntry{name: name, weight: weight, preset: p})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("-mix: no operations")
	}
	return out, nil
}

// mixNeedsMember reports whether an operation of the mix addresses {member}.
func mixNeedsMember(mix []mixEntry) bool {
	return slices.ContainsFunc(mix, func(e mixEntry) bool { return strings.Contains(e.path, "{member}") })
}

// ids are the values of a mix's placeholders on one server.
type ids struct{ org, project, member string }

func (v ids) fill(s string) string {
	return strings.NewReplacer("{org}", v.org, "{project}", v.project, "{member}", v.member).Replace(s)
}

// mixTarget is a mix resolved against one server.
type mixTarget struct {
	name     string
	headers  http.Header
	ops      []mixOp
	schedule []int // indexes into ops, each repeated by its weight
}

type mixOp struct {
	name, method, url string
	body              string // may contain {n}
	wantStatus        int
}

func newMixTarget(name, base string, headers http.Header, mix []mixEntry, v ids) mixTarget {
	t := mixTarget{name: name, headers: headers}
	base = strings.TrimSuffix(base, "/")
	for _, e := range mix {
		t.ops = append(t.ops, mixOp{name: e.name, method: e.method, url: base + v.fill(e.path), body: e.body, wantStatus: e.status()})
	}
	// Interleaved rather than each operation's share back to back: a, b, a, c, a, b …
	t.schedule = interleave(mix)
	return t
}

// interleave spreads each operation's weight evenly over one cycle of the schedule.
func interleave(mix []mixEntry) []int {
	total := 0
	for _, e := range mix {
		total += e.weight
	}
	type slot struct {
		at float64
		op int
	}
	var slots []slot
	for i, e := range mix {
		for k := range e.weight {
			slots = append(slots, slot{at: (float64(k) + 0.5) / float64(e.weight), op: i})
		}
	}
	slices.SortStableFunc(slots, func(a, b slot) int {
		switch {
		case a.at < b.at:
			return -1
		case a.at > b.at:
			return 1
		}
		return 0
	})
	out := make([]int, len(slots))
	for i, s := range slots {
		out[i] = s.op
	}
	return out
}

// mixResult is one run of a mix: the totals and each operation's count and errors.
type mixResult struct {
	result
	perOp  []int
	errsOp []int
}

// loadMix runs c client loops over the schedule for warmup+d, measuring the last d, and
// stops early once maxRequests (when > 0) requests have been sent in all.
func loadMix(cfg config, client *http.Client, t mixTarget) mixResult {
	var (
		mu    sync.Mutex
		total = mixResult{perOp: make([]int, len(t.ops)), errsOp: make([]int, len(t.ops))}
		wg    sync.WaitGroup
		next  atomic.Int64
	)
	start := time.Now()
	measureFrom := start.Add(cfg.warmup)
	end := measureFrom.Add(cfg.duration)
	var stoppedAt atomic.Int64 // unix nanos of the request that reached maxRequests
	for range cfg.concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mine := mixResult{perOp: make([]int, len(t.ops)), errsOp: make([]int, len(t.ops))}
			mine.latencies = make([]time.Duration, 0, 4096)
			for {
				t0 := time.Now()
				if !t0.Before(end) {
					break
				}
				n := next.Add(1)
				if cfg.maxRequests > 0 && n > int64(cfg.maxRequests) {
					stoppedAt.CompareAndSwap(0, t0.UnixNano())
					break
				}
				i := t.schedule[int(n-1)%len(t.schedule)]
				op := &t.ops[i]
				status, err := doOp(client, t.headers, op, n)
				t1 := time.Now()
				if t1.Before(measureFrom) || t1.After(end) {
					continue
				}
				mine.requests++
				mine.perOp[i]++
				mine.latencies = append(mine.latencies, t1.Sub(t0))
				if err != nil || status != op.wantStatus {
					mine.errors++
					mine.errsOp[i]++
				}
			}
			mu.Lock()
			total.requests += mine.requests
			total.errors += mine.errors
			total.latencies = append(total.latencies, mine.latencies...)
			for i := range mine.perOp {
				total.perOp[i] += mine.perOp[i]
				total.errsOp[i] += mine.errsOp[i]
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	total.elapsed = cfg.duration
	if s := stoppedAt.Load(); s != 0 && time.Unix(0, s).Before(end) {
		total.elapsed = max(time.Unix(0, s).Sub(measureFrom), time.Millisecond)
	}
	slices.Sort(total.latencies)
	return total
}

// doOp sends one operation of a mix (the n-th request) and reads the whole response.
func doOp(client *http.Client, headers http.Header, op *mixOp, n int64) (int, error) {
	var body io.Reader
	if op.body != "" {
		body = strings.NewReader(strings.ReplaceAll(op.body, "{n}", strconv.FormatInt(n%16, 10)))
	}
	req, err := http.NewRequest(op.method, op.url, body)
	if err != nil {
		return 0, err
	}
	for k, vs := range headers {
		req.Header[k] = vs
	}
	if op.body != "" && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	_, err = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode, err
}

// discoverIDs finds the placeholders' values on a running server through its API: the
// caller's current organization, its first project, and a member below owner level who is
// not the caller (PATCH member must address someone else). Values given are kept.
func discoverIDs(client *http.Client, base string, headers http.Header, v ids, needMember bool) (ids, error) {
	base = strings.TrimSuffix(base, "/")
	get := func(path string) (gjson.Result, error) {
		req, err := http.NewRequest("GET", base+path, nil)
		if err != nil {
			return gjson.Result{}, err
		}
		for k, vs := range headers {
			req.Header[k] = vs
		}
		res, err := client.Do(req)
		if err != nil {
			return gjson.Result{}, err
		}
		defer res.Body.Close()
		data, err := io.ReadAll(res.Body)
		if err != nil {
			return gjson.Result{}, err
		}
		if res.StatusCode != 200 {
			return gjson.Result{}, fmt.Errorf("GET %s → %d: %.200s", path, res.StatusCode, data)
		}
		return gjson.ParseBytes(data), nil
	}
	if v.org == "" {
		org, err := get("/api/organizations/@current/")
		if err != nil {
			return v, fmt.Errorf("finding the organization (give -org): %w", err)
		}
		v.org = org.Get("id").String()
	}
	if v.project == "" {
		ps, err := get("/api/organizations/" + v.org + "/projects/?limit=1")
		if err != nil {
			return v, fmt.Errorf("finding a project (give -project): %w", err)
		}
		v.project = ps.Get("results.0.id").String()
	}
	if v.member == "" && needMember {
		ms, err := get("/api/organizations/" + v.org + "/members/?limit=100")
		if err != nil {
			return v, fmt.Errorf("finding a member (give -member): %w", err)
		}
		for _, m := range ms.Get("results").Array() {
			if m.Get("level").Int() == 1 {
				v.member = m.Get("user.uuid").String()
				break
			}
		}
		if v.member == "" {
			return v, fmt.Errorf("no member below admin level to PATCH (give -member)")
		}
	}
	return v, nil
}

// printMix prints a mix run's table: one row per operation and the total.
func printMix(out io.Writer, t mixTarget, r mixResult) {
	fmt.Fprintf(out, "%s: %d requests, %.0f req/s, p50 %s, p99 %s, errors %d\n", t.name, r.requests, r.rps(),
		roundDur(percentile(r.latencies, 50)), roundDur(percentile(r.latencies, 99)), r.errors)
	for i, op := range t.ops {
		fmt.Fprintf(out, "  %-14s %8d requests %6d errors  (%s %s)\n", op.name, r.perOp[i], r.errsOp[i], op.method, op.url)
	}
}

// runMix loads the mix against fakehog in-process or a running server (-url), and, with
// -vs, against another server in alternating rounds, printing the ratio.
func runMix(cfg config, out io.Writer) error {
	mix, err := parseMix(cfg.mix)
	if err != nil {
		return err
	}
	client := newClient(cfg.concurrency)
	var targets []mixTarget
	if cfg.fakehog {
		if mixNeedsMember(mix) && cfg.members == 0 {
			cfg.members = 10
		}
		base, v, stop, err := startFakehogBase(&cfg)
		if err != nil {
			return err
		}
		defer stop()
		targets = append(targets, newMixTarget("fakehog", base, cfg.headers, mix, v))
	} else {
		v, err := discoverIDs(client, cfg.url, cfg.headers, ids{cfg.org, cfg.project, cfg.member}, mixNeedsMember(mix))
		if err != nil {
			return err
		}
		targets = append(targets, newMixTarget(cfg.url, cfg.url, cfg.headers, mix, v))
	}
	if cfg.vs != "" {
		v, err := discoverIDs(client, cfg.vs, cfg.vsHeaders, ids{cfg.vsOrg, cfg.vsProject, cfg.vsMember}, mixNeedsMember(mix))
		if err != nil {
			return fmt.Errorf("-vs %s: %w", cfg.vs, err)
		}
		targets = append(targets, newMixTarget(cfg.vs, cfg.vs, cfg.vsHeaders, mix, v))
	}
	fmt.Fprintf(out, "mix %s; c=%d d=%s warmup=%s rounds=%d max-requests=%d\n", cfg.mix, cfg.concurrency, cfg.duration, cfg.warmup, cfg.rounds, cfg.maxRequests)
	totals := make([]mixResult, len(targets))
	var ratios []float64
	for round := range cfg.rounds {
		var rps []float64
		for i, t := range targets {
			r := loadMix(cfg, client, t)
			if round == 0 {
				totals[i] = r
			} else {
				totals[i].result = totals[i].merge(r.result)
				for k := range r.perOp {
					totals[i].perOp[k] += r.perOp[k]
					totals[i].errsOp[k] += r.errsOp[k]
				}
			}
			rps = append(rps, r.rps())
		}
		if len(targets) == 2 {
			ratios = append(ratios, rps[0]/rps[1])
			if cfg.rounds > 1 {
				fmt.Fprintf(out, "round %d: %s %.0f req/s, %s %.0f req/s, ratio %.3f\n", round+1, targets[0].name, rps[0], targets[1].name, rps[1], rps[0]/rps[1])
			}
		}
	}
	failed := 0
	for i, t := range targets {
		printMix(out, t, totals[i])
		failed += totals[i].errors
	}
	if len(ratios) > 0 {
		slices.Sort(ratios)
		fmt.Fprintf(out, "ratio %s/%s: %.3f (throughput); per round median %.3f\n", targets[0].name, targets[1].name,
			totals[0].rps()/totals[1].rps(), median(ratios))
	}
	if failed > 0 {
		return fmt.Errorf("%d requests failed or answered another status than expected", failed)
	}
	return nil
}

// readLines sends each line r produces to fn until r ends.
func readLines(r io.Reader, fn func(string)) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		fn(sc.Text())
	}
}
