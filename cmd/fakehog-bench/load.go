package main

// One load run: concurrent keep-alive clients against one target, their latencies and CPU
// folded into a result, the probe that checks a target answers, and the bare net/http
// baseline server.

import (
	"bytes"
	"context"
	"io"
	"math"
	"net"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"
)

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
