package main

import (
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

func TestPercentileNearestRank(t *testing.T) {
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = ms(i + 1) // 1ms … 100ms
	}
	cases := []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"empty", nil, 50, 0},
		{"one value", []time.Duration{ms(7)}, 99, ms(7)},
		{"p50 of 1..100", hundred, 50, ms(50)},
		{"p99 of 1..100", hundred, 99, ms(99)},
		{"p100 is the max", hundred, 100, ms(100)},
		{"tiny p is the min", hundred, 0.001, ms(1)},
		{"p0 clamps to the min", hundred, 0, ms(1)},
		// Nearest rank: ceil(0.5*4) = 2nd value; ceil(0.99*4) = 4th.
		{"p50 of four", []time.Duration{ms(1), ms(2), ms(3), ms(4)}, 50, ms(2)},
		{"p99 of four", []time.Duration{ms(1), ms(2), ms(3), ms(4)}, 99, ms(4)},
		{"p50 of three", []time.Duration{ms(1), ms(2), ms(3)}, 50, ms(2)},
		{"p99 of 1000 skips the top 10", seq(1000), 99, ms(990)},
	}
	for _, c := range cases {
		if got := percentile(c.sorted, c.p); got != c.want {
			t.Errorf("%s: percentile(p=%v) = %v, want %v", c.name, c.p, got, c.want)
		}
	}
}

func TestMedian(t *testing.T) {
	for _, c := range []struct {
		in   []float64
		want float64
	}{{nil, 0}, {[]float64{3}, 3}, {[]float64{1, 2, 10}, 2}, {[]float64{1, 2, 3, 10}, 2.5}} {
		if got := median(c.in); got != c.want {
			t.Errorf("median(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}

func seq(n int) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = ms(i + 1)
	}
	return out
}

func TestParseFlags(t *testing.T) {
	body := filepath.Join(t.TempDir(), "body.json")
	if err := os.WriteFile(body, []byte(`{"name":"from file"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Run("defaults against a URL", func(t *testing.T) {
		cfg, err := parseFlags([]string{"-url", "http://127.0.0.1:1/x"}, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.concurrency != 32 || cfg.duration != 5*time.Second || cfg.method != "GET" || cfg.baseline || cfg.rounds != 1 {
			t.Errorf("defaults: %+v", cfg)
		}
	})
	t.Run("headers, method, body file", func(t *testing.T) {
		cfg, err := parseFlags([]string{"-url", "http://h/", "-method", "patch", "-header", "Authorization: Bearer k",
			"-header", "X-A:1", "-header", "X-A: 2", "-body", "@" + body, "-c", "4", "-d", "250ms", "-baseline"}, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.method != "PATCH" || cfg.concurrency != 4 || cfg.duration != 250*time.Millisecond || !cfg.baseline {
			t.Errorf("cfg: %+v", cfg)
		}
		if got := cfg.headers.Get("Authorization"); got != "Bearer k" {
			t.Errorf("Authorization = %q", got)
		}
		if got := cfg.headers.Values("X-A"); len(got) != 2 || got[0] != "1" || got[1] != "2" {
			t.Errorf("X-A = %q", got)
		}
		if string(cfg.body) != `{"name":"from file"}` || cfg.headers.Get("Content-Type") != "application/json" {
			t.Errorf("body %q, content type %q", cfg.body, cfg.headers.Get("Content-Type"))
		}
	})
	t.Run("startup", func(t *testing.T) {
		cfg, err := parseFlags([]string{"-startup", "/tmp/fakehog", "-n", "3"}, io.Discard)
		if err != nil || cfg.startup != "/tmp/fakehog" || cfg.n != 3 {
			t.Errorf("cfg %+v, err %v", cfg, err)
		}
	})
	t.Run("fakehog preset turns the baseline on and fills the method and body", func(t *testing.T) {
		cfg, err := parseFlags([]string{"-fakehog", "-op", "patch-member"}, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if !cfg.baseline || cfg.method != "PATCH" || string(cfg.body) != `{"level":8}` || cfg.members != 1 ||
			cfg.path != "/api/organizations/{org}/members/{member}/" {
			t.Errorf("cfg: %+v", cfg)
		}
		cfg, err = parseFlags([]string{"-fakehog", "-op", "get-org", "-baseline=false", "-journal-size", "0"}, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.baseline || cfg.journalSize != 0 {
			t.Errorf("-baseline=false / -journal-size 0 ignored: %+v", cfg)
		}
	})
	for _, bad := range []struct {
		args []string
		want string
	}{
		{nil, "give -url"},
		{[]string{"-url", "http://h/", "-c", "0"}, "-c must be at least 1"},
		{[]string{"-url", "http://h/", "-d", "0s"}, "-d must be positive"},
		{[]string{"-url", "http://h/", "-rounds", "0"}, "-rounds"},
		{[]string{"-url", "http://h/", "-header", "no colon"}, "Name: value"},
		{[]string{"-url", "http://h/", "-op", "get-org"}, "need -fakehog"},
		{[]string{"-fakehog"}, "needs -op or -path"},
		{[]string{"-fakehog", "-op", "nope"}, "want one of"},
		{[]string{"-fakehog", "-url", "http://h/", "-op", "get-org"}, "exclude each other"},
		{[]string{"-url", "http://h/", "extra"}, "unexpected arguments"},
		{[]string{"-url", "http://h/", "-body", "@/does/not/exist"}, "-body"},
		{[]string{"-startup", "/bin/fakehog", "-url", "http://h/"}, "-startup excludes"},
		{[]string{"-startup", "/bin/fakehog", "-n", "0"}, "-n must be at least 1"},
	} {
		_, err := parseFlags(bad.args, io.Discard)
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%q: error %v, want one containing %q", bad.args, err, bad.want)
		}
	}
}

// TestRunAgainstFakehogAndBaseline runs the whole tool briefly (no timing is asserted):
// both servers answer, nothing fails, and the report has its rows and the ratio.
func TestRunAgainstFakehogAndBaseline(t *testing.T) {
	cfg, err := parseFlags([]string{"-fakehog", "-op", "create-invite", "-c", "2", "-d", "100ms", "-warmup", "10ms", "-rounds", "2"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := run(cfg, &out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	for _, want := range []string{"→ 201", "fakehog ", "baseline ", "ratio fakehog/baseline:", "round 2:"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}

// TestBaselineServesTheProbedBytes: the baseline answers with the target's status, type
// and body, whatever it is asked.
func TestBaselineServesTheProbedBytes(t *testing.T) {
	for _, sized := range []bool{true, false} {
		h := baselineHandler(probe{status: 201, contentType: "application/json", body: []byte(`{"id":1}`), sized: sized})
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", "/anything", strings.NewReader(`{"x":1}`)))
		if rec.Code != 201 || rec.Header().Get("Content-Type") != "application/json" || rec.Body.String() != `{"id":1}` {
			t.Errorf("baseline answered %d %q %q", rec.Code, rec.Header().Get("Content-Type"), rec.Body.String())
		}
		if got := rec.Header().Get("Content-Length"); (got == "8") != sized {
			t.Errorf("sized=%v: Content-Length %q", sized, got)
		}
	}
}
