package fake

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"

	"github.com/fakehog/fakehog/fake/store"
)

// Handler-level benchmarks (issue #7): every request goes through Server.ServeHTTP with an
// httptest.ResponseRecorder, so they measure fakehog itself — routing, authentication, the
// store transaction, JSON — without a network. They assert statuses, never times; the
// figures and targets are in BENCHMARKS.md.
//
//	go test ./fake -run '^$' -bench . -benchmem -benchtime 1s -count 3

// benchEnv is one server under benchmark and the default owner's credentials.
type benchEnv struct {
	srv  *Server
	d    Defaults
	auth string
	body bytes.Buffer // the recorders' body buffer, reused
}

func newBenchEnv(b *testing.B, opts ...Option) *benchEnv {
	b.Helper()
	clock := store.NewManualClock(testEpoch)
	srv, err := New(append([]Option{WithSeed(1), WithClock(clock)}, opts...)...)
	if err != nil {
		b.Fatalf("New: %v", err)
	}
	d := srv.Defaults()
	return &benchEnv{srv: srv, d: d, auth: "Bearer " + d.APIKey}
}

// serve sends one request and fails the benchmark unless it answered want. Each request is
// new, as a client's would be, and so is each httptest.ResponseRecorder; the recorder's
// body buffer, though, is reused, and the request is built with http.NewRequest rather than
// httptest.NewRequest (which parses it through a 4 KiB bufio.Reader): the harness's own
// garbage — 56 KiB per page of members — would otherwise dominate the collector's work and
// hide how fakehog's own cost scales.
func (e *benchEnv) serve(b *testing.B, method, path, body string, want int) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, "http://fakehog.test"+path, rd)
	if err != nil {
		b.Fatal(err)
	}
	req.RequestURI, req.RemoteAddr = path, "192.0.2.1:1234"
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", e.auth)
	rec := httptest.NewRecorder()
	e.body.Reset()
	rec.Body = &e.body
	e.srv.ServeHTTP(rec, req)
	if rec.Code != want {
		b.Fatalf("%s %s → %d, want %d: %s", method, path, rec.Code, want, rec.Body.String())
	}
}

func (e *benchEnv) orgPath(rest string) string {
	return "/api/organizations/" + e.d.OrganizationID + "/" + rest
}

// reportCPU starts measuring the process's CPU time; the returned function reports it per
// operation as the custom metric cpu-ns/op (call it after the loop). Wall time on the
// shared 2-core machine swings by 2× with the neighbours' load; CPU time much less, so
// comparisons (scale, journal on/off) are made on it as well (BENCHMARKS.md).
func reportCPU(b *testing.B) func() {
	start := processCPU()
	return func() {
		if b.N > 0 {
			b.ReportMetric(float64(processCPU()-start)/float64(b.N), "cpu-ns/op")
		}
	}
}

// BenchmarkNewDefault is fake.New with the default world: what every test that starts a
// fake pays (target: ≤ 1 ms and ≤ 1 MiB allocated).
func BenchmarkNewDefault(b *testing.B) {
	b.ReportAllocs()
	defer reportCPU(b)()
	for b.Loop() {
		if _, err := New(WithSeed(1)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGetOrganization is GET /api/organizations/{id}/.
func BenchmarkGetOrganization(b *testing.B) {
	e := newBenchEnv(b)
	path := "/api/organizations/" + e.d.OrganizationID + "/"
	b.ReportAllocs()
	defer reportCPU(b)()
	for b.Loop() {
		e.serve(b, "GET", path, "", 200)
	}
}

// BenchmarkListMembers lists a page of 100 of an organization with 1,000 members.
func BenchmarkListMembers(b *testing.B) { benchListMembers(b, true) }

// BenchmarkListMembersUnmemoized is BenchmarkListMembers with every member encoded afresh,
// as when all of them changed since the last page: the page without the member memo.
func BenchmarkListMembersUnmemoized(b *testing.B) { benchListMembers(b, false) }

func benchListMembers(b *testing.B, memo bool) {
	e := newBenchEnv(b)
	if !memo {
		e.srv.memberMemo = nil
	}
	seedMembers(b, e, 1000)
	path := e.orgPath("members/?limit=100")
	b.ReportAllocs()
	defer reportCPU(b)()
	for b.Loop() {
		e.serve(b, "GET", path, "", 200)
	}
}

// BenchmarkGetMember reads one membership (its github_login view: the detail route itself only
// serves PATCH, PUT and DELETE).
func BenchmarkGetMember(b *testing.B) {
	e := newBenchEnv(b)
	uuids := seedMembers(b, e, 100)
	path := e.orgPath("members/" + uuids[50] + "/github_login/")
	b.ReportAllocs()
	defer reportCPU(b)()
	for b.Loop() {
		e.serve(b, "GET", path, "", 200)
	}
}

// BenchmarkPatchMember changes one member's level back and forth (each change is logged
// as activity, as PostHog does).
func BenchmarkPatchMember(b *testing.B) {
	e := newBenchEnv(b)
	uuids := seedMembers(b, e, 100)
	path := e.orgPath("members/" + uuids[50] + "/")
	b.ReportAllocs()
	defer reportCPU(b)()
	i := 0
	for b.Loop() {
		e.serve(b, "PATCH", path, levelBody(i), 200)
		i++
	}
}

func levelBody(i int) string {
	if i%2 == 0 {
		return `{"level":8}`
	}
	return `{"level":1}`
}

// BenchmarkCreateInvite creates invites for a rotating set of 16 addresses: a new invite to
// the same address replaces the old one, so the invite list stays the same size.
func BenchmarkCreateInvite(b *testing.B) {
	e := newBenchEnv(b)
	path := e.orgPath("invites/")
	bodies := rotatingInviteBodies("invitee")
	b.ReportAllocs()
	defer reportCPU(b)()
	i := 0
	for b.Loop() {
		e.serve(b, "POST", path, bodies[i%len(bodies)], 201)
		i++
	}
}

// BenchmarkPatchProject renames the default project back and forth.
func BenchmarkPatchProject(b *testing.B) {
	e := newBenchEnv(b)
	path := e.orgPath(fmt.Sprintf("projects/%d/", e.d.ProjectID))
	bodies := []string{`{"name":"Renamed A"}`, `{"name":"Renamed B"}`}
	b.ReportAllocs()
	defer reportCPU(b)()
	i := 0
	for b.Loop() {
		e.serve(b, "PATCH", path, bodies[i%2], 200)
		i++
	}
}

// seedMembers adds n members to the default organization in one write transaction, directly
// through the store, and returns their user uuids in joining order.
func seedMembers(b *testing.B, e *benchEnv, n int) []string {
	b.Helper()
	uuids := make([]string, 0, n)
	err := e.srv.Store().Write(func(tx *store.Tx) error {
		for i := range n {
			u, err := tx.CreateUser(store.NewUser{Email: fmt.Sprintf("member%07d@bench.example", i), FirstName: "Bench", LastName: fmt.Sprintf("Member %d", i)})
			if err != nil {
				return err
			}
			if _, err := tx.AddMember(e.d.OrganizationID, u.ID, store.NewMembership{Level: store.LevelMember}); err != nil {
				return err
			}
			uuids = append(uuids, u.UUID)
		}
		return nil
	})
	if err != nil {
		b.Fatalf("seeding %d members: %v", n, err)
	}
	return uuids
}

// BenchmarkMembersScale is the flat-cost check: the same operations on one organization
// with 100, 10,000 and 100,000 members (target: each ≥ 0.8× the 100-member throughput).
// The member addressed is the one in the middle of the joining order.
func BenchmarkMembersScale(b *testing.B) {
	for _, n := range []int{100, 10_000, 100_000} {
		b.Run(fmt.Sprintf("members=%d", n), func(b *testing.B) {
			e := newBenchEnv(b)
			uuids := seedMembers(b, e, n)
			target := uuids[n/2]
			b.Run("get", func(b *testing.B) {
				path := e.orgPath("members/" + target + "/github_login/")
				b.ReportAllocs()
				defer reportCPU(b)()
				for b.Loop() {
					e.serve(b, "GET", path, "", 200)
				}
			})
			b.Run("patch", func(b *testing.B) {
				path := e.orgPath("members/" + target + "/")
				b.ReportAllocs()
				defer reportCPU(b)()
				i := 0
				for b.Loop() {
					e.serve(b, "PATCH", path, levelBody(i), 200)
					i++
				}
			})
			b.Run("list_first_page", func(b *testing.B) {
				path := e.orgPath("members/?limit=100")
				b.ReportAllocs()
				defer reportCPU(b)()
				for b.Loop() {
					e.serve(b, "GET", path, "", 200)
				}
			})
			b.Run("list_middle_page", func(b *testing.B) {
				path := e.orgPath(fmt.Sprintf("members/?limit=100&offset=%d", n/2))
				b.ReportAllocs()
				defer reportCPU(b)()
				for b.Loop() {
					e.serve(b, "GET", path, "", 200)
				}
			})
			b.Run("get_organization", func(b *testing.B) {
				path := "/api/organizations/" + e.d.OrganizationID + "/"
				b.ReportAllocs()
				defer reportCPU(b)()
				for b.Loop() {
					e.serve(b, "GET", path, "", 200)
				}
			})
			// A page read right after a write: the member index is kept up to date by the
			// write (issue #14), so this costs the same at every size.
			b.Run("patch_then_list", func(b *testing.B) { patchMemberThenList(b, e, target) })
		})
	}
}

// BenchmarkMemberMemory measures the heap a member costs (user record, membership and
// their indexes): live heap after seeding 100,000 members minus live heap before, per
// member (target: ≤ 2 KiB). Reported as the custom metric B/member.
func BenchmarkMemberMemory(b *testing.B) {
	const n = 100_000
	var perMember float64
	for b.Loop() {
		e := newBenchEnv(b)
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		seedMembers(b, e, n)
		runtime.GC()
		runtime.ReadMemStats(&after)
		perMember = float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / n
		runtime.KeepAlive(e)
	}
	b.ReportMetric(perMember, "B/member")
}

// BenchmarkJournal compares the request path with the journal on (the default), off
// (WithJournalSize(0)), and on with a fault rule armed that matches nothing, so the fault
// check runs in full (target: journal and faults cost ≤ 10% of throughput).
func BenchmarkJournal(b *testing.B) {
	modes := []struct {
		name  string
		opts  []Option
		fault bool
	}{
		{"off", []Option{WithJournalSize(0)}, false},
		{"on", nil, false},
		{"on+fault", nil, true},
	}
	for _, op := range []string{"get_organization", "patch_project"} {
		for _, m := range modes {
			b.Run(op+"/journal="+m.name, func(b *testing.B) {
				e := newBenchEnv(b, m.opts...)
				if m.fault {
					if _, err := e.srv.AddFault(Fault{Method: "DELETE", Path: "/nowhere/", Status: 500}); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportAllocs()
				defer reportCPU(b)()
				switch op {
				case "get_organization":
					path := "/api/organizations/" + e.d.OrganizationID + "/"
					for b.Loop() {
						e.serve(b, "GET", path, "", 200)
					}
				case "patch_project":
					path := e.orgPath(fmt.Sprintf("projects/%d/", e.d.ProjectID))
					bodies := []string{`{"name":"Renamed A"}`, `{"name":"Renamed B"}`}
					i := 0
					for b.Loop() {
						e.serve(b, "PATCH", path, bodies[i%2], 200)
						i++
					}
				}
			})
		}
	}
}

// rotatingInviteBodies are 16 invite bodies to <prefix><i>@example.com: sent in turn, each
// new invite replaces the old one to its address, so the invite list keeps its size.
func rotatingInviteBodies(prefix string) []string {
	bodies := make([]string, 16)
	for i := range bodies {
		bodies[i] = fmt.Sprintf(`{"target_email":"%s%d@example.com","level":1}`, prefix, i)
	}
	return bodies
}

// patchMemberThenList changes one member's level, then reads the first page of 100 members,
// once per iteration.
func patchMemberThenList(b *testing.B, e *benchEnv, memberUUID string) {
	patch := e.orgPath("members/" + memberUUID + "/")
	list := e.orgPath("members/?limit=100")
	b.ReportAllocs()
	defer reportCPU(b)()
	i := 0
	for b.Loop() {
		e.serve(b, "PATCH", patch, levelBody(i), 200)
		e.serve(b, "GET", list, "", 200)
		i++
	}
}
