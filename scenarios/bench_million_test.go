//go:build unix

package scenarios

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/fakehog/fakehog/fake"
	"github.com/fakehog/fakehog/fake/store"
)

// BenchmarkLoadMillionMembers is issue #14's scale target: one organization of 1,000,000
// generated members loads (parse, generate, seed, swap into a running server) in under
// 10 s, and a page of 100 members answers in under 5 ms at the handler level. It reports
// the load's time, the live heap per member and the cost of a page (the first one after
// the load and the steady ones). The generated users get no key and session each
// (credentials: false, as a world this size would be written); FAKEHOG_BENCH_CREDENTIALS=1
// gives them theirs, to measure what they cost. Run it alone, it needs about 1 GB:
//
//	go test ./scenarios -run '^$' -bench LoadMillionMembers -benchtime 1x
func BenchmarkLoadMillionMembers(b *testing.B) {
	n := 1_000_000
	if s := os.Getenv("FAKEHOG_BENCH_MEMBERS"); s != "" { // a smaller run, for profiles
		n, _ = strconv.Atoi(s)
	}
	credentials := os.Getenv("FAKEHOG_BENCH_CREDENTIALS") == "1"
	doc := []byte(fmt.Sprintf("seed: 1\nnow: 2026-01-15T10:00:00Z\ngenerate:\n  organizations: 1\n  members_per_organization: %d\n  credentials: %t\n", n, credentials))
	for b.Loop() {
		srv, err := fake.New(fake.WithClock(store.NewManualClock(testNow)))
		if err != nil {
			b.Fatal(err)
		}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		start, cpu0 := time.Now(), processCPU()
		sc, err := Parse("million", doc)
		if err != nil {
			b.Fatal(err)
		}
		if err := srv.LoadWorld(sc.World()); err != nil {
			b.Fatal(err)
		}
		load, loadCPU := time.Since(start), processCPU()-cpu0
		runtime.GC()
		runtime.ReadMemStats(&after)
		// Generated users have no credentials: give the principal a session.
		d := srv.Defaults()
		err = srv.Store().Write(func(tx *store.Tx) error { return tx.AddSession(tx.UserByEmail(d.UserEmail).ID, "bench-session") })
		if err != nil {
			b.Fatal(err)
		}
		page := func() time.Duration {
			req := httptest.NewRequest("GET", "/api/organizations/"+d.OrganizationID+"/members/?limit=100", nil)
			req.AddCookie(&http.Cookie{Name: "sessionid", Value: "bench-session"})
			rec := httptest.NewRecorder()
			t0 := time.Now()
			srv.ServeHTTP(rec, req)
			took := time.Since(t0)
			if rec.Code != http.StatusOK {
				b.Fatalf("page → %d: %s", rec.Code, rec.Body)
			}
			return took
		}
		first := page()
		second := page()
		const pages = 200
		var steady time.Duration
		for range pages {
			steady += page()
		}
		b.ReportMetric(load.Seconds(), "load-s")
		b.ReportMetric(loadCPU.Seconds(), "load-cpu-s")
		b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/float64(n), "B/member")
		b.ReportMetric(float64(first.Microseconds())/1000, "first-page-ms")
		b.ReportMetric(float64(second.Microseconds())/1000, "second-page-ms")
		b.ReportMetric(float64(steady.Microseconds())/1000/pages, "page-ms")
		runtime.KeepAlive(srv)
	}
}

// processCPU is the CPU time (user + system, all threads) this process has used: on the
// shared machine, a steadier measure of the load than wall time.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
