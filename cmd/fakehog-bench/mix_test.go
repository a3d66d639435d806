package main

import (
	"io"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fakehog/fakehog/fake"
)

func TestParseMix(t *testing.T) {
	mix, err := parseMix("get-org:3, patch-member ,create-invite:2")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range mix {
		got = append(got, e.name+":"+strconv.Itoa(e.weight))
	}
	if want := []string{"get-org:3", "patch-member:1", "create-invite:2"}; !slices.Equal(got, want) {
		t.Errorf("parseMix = %v, want %v", got, want)
	}
	if !mixNeedsMember(mix) {
		t.Error("a mix with patch-member needs a member")
	}
	for _, bad := range []string{"", ",", "nope:1", "get-org:0", "get-org:x", "get-org:1001"} {
		if _, err := parseMix(bad); err == nil {
			t.Errorf("parseMix(%q) accepted", bad)
		}
	}
}

// The schedule holds each operation as often as its weight, spread over the cycle.
func TestInterleave(t *testing.T) {
	mix, _ := parseMix("get-org:4,patch-member:2,create-invite:1")
	s := interleave(mix)
	count := map[int]int{}
	for _, op := range s {
		count[op]++
	}
	if len(s) != 7 || count[0] != 4 || count[1] != 2 || count[2] != 1 {
		t.Fatalf("schedule %v", s)
	}
	// Only the heaviest operation ever follows itself.
	for i := 1; i < len(s); i++ {
		if s[i] == s[i-1] && s[i] != 0 {
			t.Errorf("schedule %v repeats operation %d", s, s[i])
		}
	}
}

func TestParseMixFlags(t *testing.T) {
	cfg, err := parseFlags([]string{"-fakehog", "-mix", "get-org:2,patch-member:1", "-max-requests", "50"}, io.Discard)
	if err != nil || cfg.mix == "" || cfg.maxRequests != 50 {
		t.Fatalf("cfg %+v, err %v", cfg, err)
	}
	cfg, err = parseFlags([]string{"-soak", "2s"}, io.Discard)
	if err != nil || cfg.mix != defaultSoakMix {
		t.Fatalf("-soak alone: mix %q, err %v", cfg.mix, err)
	}
	for _, bad := range [][]string{
		{"-mix", "get-org"}, // neither -fakehog nor -url
		{"-fakehog", "-url", "http://h/", "-mix", "get-org"}, // both
		{"-fakehog", "-mix", "get-org", "-op", "get-org"},
		{"-fakehog", "-mix", "get-org", "-baseline"},
		{"-fakehog", "-mix", "bogus"},
		{"-soak", "1s", "-fakehog"},
		{"-soak", "1s", "-sample", "1ms"},
		{"-url", "http://h/", "-mix", "get-org", "-vs", "http://other/"},
	} {
		if _, err := parseFlags(bad, io.Discard); err == nil {
			t.Errorf("parseFlags(%q) accepted", bad)
		}
	}
}

// One command loads fakehog in-process and another server with the same mix and prints
// both, per operation, and the ratio; -max-requests bounds each run.
func TestRunMixAgainstAnotherServer(t *testing.T) {
	other, err := fake.New(fake.WithSeed(2))
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(other)
	defer hs.Close()
	args := []string{"-fakehog", "-mix", "get-org:2,list-invites:1,create-invite:1,patch-project:1", "-c", "2", "-d", "2s", "-warmup", "0",
		"-max-requests", "40", "-vs", hs.URL, "-vs-header", "Authorization: Bearer " + other.Defaults().APIKey}
	cfg, err := parseFlags(args, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := run(cfg, &out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	text := out.String()
	// Each server got exactly 40 requests, in the mix's proportions (16, 8, 8, 8).
	for _, want := range []string{`fakehog: 40 requests`, hs.URL + `: 40 requests`, `get-org +16 requests +0 errors`, `create-invite +8 requests +0 errors`, `ratio fakehog/` + hs.URL} {
		if n := len(regexp.MustCompile(want).FindAllString(text, -1)); n == 0 {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	// The other server saw the invites (the rotating {n} addresses, replaced as they repeat).
	if n := len(other.Invites(other.Defaults().OrganizationID)); n != 8 {
		t.Errorf("the other server holds %d invites, want 8 (addresses invitee0..7)", n)
	}
}

func TestSampleCSVRoundTrip(t *testing.T) {
	s := sample{at: 12500 * time.Millisecond, heapInuse: 1, heapAlloc: 2, heapSys: 3, heapReleased: 4, rss: 5, numGC: 6, journalLen: 7, journalBytes: 8}
	got, err := parseSample(s.csv())
	if err != nil || got != s {
		t.Errorf("parseSample(%q) = %+v, %v", s.csv(), got, err)
	}
	if strings.Count(sampleHeader, ",") != strings.Count(s.csv(), ",") {
		t.Error("header and rows have different column counts")
	}
	if _, err := parseSample("1,2"); err == nil {
		t.Error("short line accepted")
	}
}
