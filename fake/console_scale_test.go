package fake_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fakehog/fakehog/fake"
	"github.com/fakehog/fakehog/fake/store"
	"github.com/fakehog/fakehog/scenarios"
	"github.com/tidwall/gjson"
)

// The console and GET /_fake/users at 100,000 members (issue #23): every page is one page of
// each list, copied out of the store in a short read transaction and rendered outside it, so
// it stays small however large the world is, and writes do not wait behind a render.
//
//	go test ./fake -run '^$' -bench ConsoleAtScale -benchtime 20x

// bigWorld is one organization of 100,000 generated members (no credentials: the page sizes
// do not depend on them), 500 invites and 20 projects, next to the explicit owner.
const bigWorld = `
seed: 7
now: 2026-01-15T10:00:00Z
users:
  - email: owner@big.example
    personal_api_keys: [{value: phx_big_owner_key}]
organizations:
  - name: Big
    members: [{user: owner@big.example, level: owner}]
generate:
  organizations: 1
  members_per_organization: 100000
  invites_per_organization: 500
  projects_per_organization: 20
  credentials: false
`

// maxPageBytes is the most any console page or /_fake/users page may weigh at 100,000 members.
const maxPageBytes = 1 << 20

// bigServer loads bigWorld.
func bigServer(tb testing.TB) *fake.Server {
	tb.Helper()
	sc, err := scenarios.Parse("big.yaml", []byte(bigWorld))
	if err != nil {
		tb.Fatal(err)
	}
	srv, err := fake.New(sc.Option())
	if err != nil {
		tb.Fatal(err)
	}
	return srv
}

// get serves one request in memory and returns the status and body.
func get(tb testing.TB, h http.Handler, path string) (int, string) {
	tb.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	return rec.Code, rec.Body.String()
}

// bigOrg is the generated organization (the one with 100,000 members) and a key of its
// creating owner.
func bigOrg(tb testing.TB, srv *fake.Server) (id, key string) {
	tb.Helper()
	var owner string
	_ = srv.Store().Read(func(tx *store.Tx) error {
		for _, o := range tx.Organizations() {
			if tx.MemberCount(o.ID) >= 100_000 {
				id = o.ID
				page, _ := tx.MembersPage(o.ID, store.MemberFilter{Ascending: true}, 0, 1)
				owner = tx.User(page[0].UserID).Email
			}
		}
		return nil
	})
	if id == "" {
		tb.Fatal("no organization of 100,000 members")
	}
	k, err := srv.MintKey(fake.NewKey{User: owner})
	if err != nil {
		tb.Fatal(err)
	}
	return id, k.Value
}

// scalePages are the console pages and /_fake/users pages checked at scale.
func scalePages(org string) []string {
	o := "/_fake/console/organizations/" + org
	return []string{"/_fake/", "/_fake/console/users", "/_fake/console/users?offset=99990", "/_fake/console/users?search=owner@big",
		o, o + "?members_offset=99950", o + "?members_search=a&invites_offset=450", "/_fake/users", "/_fake/users?offset=100000&limit=100",
		"/_fake/users?search=big.example", "/_fake/console/journal", "/_fake/console/faults", "/_fake/console/clock", "/_fake/console/world"}
}

func TestConsoleAtScale(t *testing.T) {
	if testing.Short() {
		t.Skip("loads 100,000 members")
	}
	srv := bigServer(t)
	org, key := bigOrg(t, srv)
	var users int
	_ = srv.Store().Read(func(tx *store.Tx) error { users = tx.UserCount(); return nil })
	if users != 100_001 {
		t.Fatalf("%d users", users)
	}
	for _, p := range scalePages(org) {
		status, body := get(t, srv, p)
		if status != 200 || len(body) > maxPageBytes {
			t.Errorf("%s: %d, %d bytes", p, status, len(body))
		}
	}
	rows := func(body, sel string) int { return strings.Count(body, sel) }

	// Credentials: a page of 50 of 100,001, in id order, with links to the pages around it.
	_, body := get(t, srv, "/_fake/console/users")
	if n := rows(body, `<tr class="user`); n != 50 || !strings.Contains(body, "Users (100001)") ||
		!strings.Contains(body, `data-email="owner@big.example"`) || !strings.Contains(body, "1–50 of 100001") ||
		!strings.Contains(body, `href="?offset=50#users"`) || !strings.Contains(body, `href="?offset=100000#users"`) {
		t.Errorf("credentials page: %d rows\n%.2000s", n, body)
	}
	_, body = get(t, srv, "/_fake/console/users?offset=99990")
	if n := rows(body, `<tr class="user`); n != 11 || !strings.Contains(body, "99991–100001 of 100001") || strings.Contains(body, `rel="next"`) {
		t.Errorf("last credentials page: %d rows", n)
	}
	_, body = get(t, srv, "/_fake/console/users?search=OWNER@big")
	if n := rows(body, `<tr class="user`); n != 1 || !strings.Contains(body, `data-email="owner@big.example"`) || !strings.Contains(body, "Users (1)") {
		t.Errorf("search: %d rows", n)
	}

	// /_fake/users: limit/offset pages with absolute links, and a search.
	_, body = get(t, srv, "/_fake/users")
	j := gjson.Parse(body)
	if j.Get("count").Int() != 100_001 || len(j.Get("results").Array()) != 100 || j.Get("results.0.email").String() != "owner@big.example" ||
		j.Get("next").String() != "http://example.com/_fake/users?limit=100&offset=100" || j.Get("previous").Type != gjson.Null {
		t.Errorf("/_fake/users: count %d, %d results, next %s", j.Get("count").Int(), len(j.Get("results").Array()), j.Get("next"))
	}
	_, body = get(t, srv, "/_fake/users?offset=100000&limit=100")
	j = gjson.Parse(body)
	if len(j.Get("results").Array()) != 1 || j.Get("next").Type != gjson.Null || j.Get("results.0.id").Int() != 100_001 {
		t.Errorf("last /_fake/users page: %.300s", body)
	}
	// Every generated member shares the organization's domain; the owner does not.
	_, body = get(t, srv, "/_fake/users?search=owner%40big&limit=5")
	if j = gjson.Parse(body); j.Get("count").Int() != 1 {
		t.Errorf("search: %.300s", body)
	}

	// The organization: a page of each family, the counts of all, a search box for members.
	o := "/_fake/console/organizations/" + org
	_, body = get(t, srv, o)
	members := section(body, "members")
	if n := rows(members, "<tr>"); n != 50+1 || !strings.Contains(body, "Members (100000)") || !strings.Contains(body, "Invites (500)") ||
		!strings.Contains(members, `name="members_search"`) || !strings.Contains(members, `href="?members_offset=99950#members"`) {
		t.Errorf("organization page: %d member rows", n-1)
	}
	if n := rows(section(body, "invites"), "<tr"); n != 50+1 {
		t.Errorf("%d invite rows", n-1)
	}
	// Lists page independently: the invites' place is kept while members move.
	_, body = get(t, srv, o+"?members_offset=99950&invites_offset=450")
	if n := rows(section(body, "members"), "<tr>"); n != 50+1 || !strings.Contains(body, "99951–100000 of 100000") || !strings.Contains(body, "451–500 of 500") {
		t.Errorf("last pages: %d member rows", n-1)
	}
	if !strings.Contains(section(body, "members"), `href="?invites_offset=450&amp;members_offset=99900#members"`) {
		t.Errorf("previous members page link: %s", regexp.MustCompile(`href="[^"]*rel="prev"`).FindString(section(body, "members")))
	}
	// The oldest member (the creating owner) is the last row of the last page.
	var oldest string
	_ = srv.Store().Read(func(tx *store.Tx) error {
		page, _ := tx.MembersPage(org, store.MemberFilter{Ascending: true}, 0, 1)
		oldest = tx.User(page[0].UserID).Email
		return nil
	})
	last := section(body, "members")
	if i := strings.LastIndex(last, "<tr>"); i < 0 || !strings.Contains(last[i:], oldest) {
		t.Errorf("the oldest member %s is not last", oldest)
	}
	// A search selects among every member, then pages.
	var want int
	_ = srv.Store().Read(func(tx *store.Tx) error {
		want = len(tx.Members(org, store.MemberFilter{Search: "zz"}))
		return nil
	})
	_, body = get(t, srv, o+"?members_search=zz")
	if want == 0 || !strings.Contains(body, fmt.Sprintf("Members (%d)", want)) || rows(section(body, "members"), "<tr>") != min(want, 50)+1 {
		t.Errorf("members search: want %d", want)
	}

	// Overview: counts of the world, not lists of it.
	_, body = get(t, srv, "/_fake/")
	if !strings.Contains(body, `<div class="num">100001</div><div>users</div>`) {
		t.Errorf("overview: %.1500s", body)
	}

	// Renders and writes at once: every write lands and every page is whole (the race
	// detector watches the copies made under the read lock and the render outside it).
	var wg sync.WaitGroup
	var renders atomic.Int64
	stop := make(chan struct{})
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				status, body := get(t, srv, o)
				if status != 200 || !strings.HasSuffix(strings.TrimSpace(body), "</html>") {
					t.Errorf("render during writes: %d", status)
				}
				renders.Add(1)
			}
		}()
	}
	for i := range 20 {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("POST", "/api/organizations/"+org+"/invites/", strings.NewReader(fmt.Sprintf(`{"target_email": "w%d@big.example"}`, i)))
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/json")
		srv.ServeHTTP(rec, req)
		if rec.Code != 201 {
			t.Fatalf("invite during renders: %d %s", rec.Code, rec.Body)
		}
	}
	close(stop)
	wg.Wait()
	if _, body = get(t, srv, o); !strings.Contains(body, "Invites (520)") {
		t.Error("the writes made during renders are not all shown")
	}
}

// section cuts one section of an organization's page out of its HTML.
func section(body, id string) string {
	i := strings.Index(body, `<section id="`+id+`">`)
	if i < 0 {
		return ""
	}
	rest := body[i:]
	if j := strings.Index(rest, "</section>"); j >= 0 {
		return rest[:j]
	}
	return rest
}

// BenchmarkConsoleAtScale renders each console page and /_fake/users page at 100,000 members
// (ns/op, and the page's size as bytes/page), then measures how long API writes (a PATCH of
// the organization every 2 ms) take while another goroutine renders every page above, back
// to back: write-p50-ms, write-p99-ms and write-max-ms.
func BenchmarkConsoleAtScale(b *testing.B) {
	start := time.Now()
	srv := bigServer(b)
	b.Logf("loaded 100,000 members in %v", time.Since(start))
	org, key := bigOrg(b, srv)
	for _, p := range scalePages(org) {
		b.Run(strings.NewReplacer("/", "_", "?", "_").Replace(p), func(b *testing.B) {
			var size int
			for b.Loop() {
				status, body := get(b, srv, p)
				if status != 200 {
					b.Fatalf("%s: %d", p, status)
				}
				size = len(body)
			}
			b.ReportMetric(float64(size), "bytes/page")
		})
	}
	b.Run("write-during-render", func(b *testing.B) {
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			pages := scalePages(org)
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				get(b, srv, pages[i%len(pages)])
			}
		}()
		var waits []time.Duration
		i := 0
		for b.Loop() {
			// Writes come now and then, so they land in the middle of renders (the
			// searches' among them), not back to back before the renders got going.
			b.StopTimer()
			time.Sleep(2 * time.Millisecond)
			b.StartTimer()
			rec := httptest.NewRecorder()
			req := httptest.NewRequest("PATCH", "/api/organizations/"+org+"/", strings.NewReader(fmt.Sprintf(`{"name": "Big %d"}`, i%2)))
			req.Header.Set("Authorization", "Bearer "+key)
			req.Header.Set("Content-Type", "application/json")
			t0 := time.Now()
			srv.ServeHTTP(rec, req)
			waits = append(waits, time.Since(t0))
			if rec.Code != 200 {
				b.Fatalf("PATCH: %d %s", rec.Code, rec.Body)
			}
			i++
		}
		close(stop)
		wg.Wait()
		sort.Slice(waits, func(i, j int) bool { return waits[i] < waits[j] })
		ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
		b.ReportMetric(ms(waits[len(waits)/2]), "write-p50-ms")
		b.ReportMetric(ms(waits[len(waits)*99/100]), "write-p99-ms")
		b.ReportMetric(ms(waits[len(waits)-1]), "write-max-ms")
	})
}
