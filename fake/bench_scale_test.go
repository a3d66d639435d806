package fake

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/fakehog/fakehog/fake/store"
)

// Write-then-read at scale (issue #14): a write to one record followed by the first page of
// 100 of its family, on an organization holding n records of that family. Test suites
// alternate writes and listings all the time, so this pair must cost the same at 100 and at
// 100,000 records (target: within 1.5×). Figures in BENCHMARKS.md.
//
//	go test ./fake -run '^$' -bench 'WriteThenRead' -benchmem -benchtime 2000x

// scaleSizes are the family sizes the scale benchmarks run at.
var scaleSizes = []int{100, 10_000, 100_000}

// BenchmarkWriteThenRead is PATCH a member then a page of members, create an invite then a
// page of invites, PATCH a project then a page of projects, at each size.
func BenchmarkWriteThenRead(b *testing.B) {
	for _, n := range scaleSizes {
		b.Run(fmt.Sprintf("members/n=%d", n), func(b *testing.B) {
			e := newBenchEnv(b)
			uuids := seedMembers(b, e, n)
			patchMemberThenList(b, e, uuids[n/2])
		})
		b.Run(fmt.Sprintf("invites/n=%d", n), func(b *testing.B) {
			e := newBenchEnv(b)
			seedInvites(b, e, n)
			create := e.orgPath("invites/")
			list := e.orgPath("invites/?limit=100")
			bodies := rotatingInviteBodies("rotating")
			b.ReportAllocs()
			defer reportCPU(b)()
			i := 0
			for b.Loop() {
				e.serve(b, "POST", create, bodies[i%len(bodies)], 201)
				e.serve(b, "GET", list, "", 200)
				i++
			}
		})
		b.Run(fmt.Sprintf("projects/n=%d", n), func(b *testing.B) {
			e := newBenchEnv(b)
			seedProjects(b, e, n)
			patch := e.orgPath("projects/" + strconv.Itoa(e.d.ProjectID) + "/")
			list := e.orgPath("projects/?limit=100")
			bodies := []string{`{"name":"Renamed A"}`, `{"name":"Renamed B"}`}
			b.ReportAllocs()
			defer reportCPU(b)()
			i := 0
			for b.Loop() {
				e.serve(b, "PATCH", patch, bodies[i%2], 200)
				e.serve(b, "GET", list, "", 200)
				i++
			}
		})
	}
}

// seedInvites creates n invites in the default organization, directly through the store, in
// one write transaction.
func seedInvites(b *testing.B, e *benchEnv, n int) {
	b.Helper()
	err := e.srv.Store().Write(func(tx *store.Tx) error {
		owner := tx.Membership(e.d.OrganizationID, tx.UserByUUID(e.d.UserUUID).ID)
		for i := range n {
			v := store.Values{"target_email": fmt.Sprintf("seeded%07d@bench.example", i), "level": store.LevelMember, "send_email": false}
			if _, err := tx.CreateInvites(owner, []store.Values{v}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatalf("seeding %d invites: %v", n, err)
	}
}

// seedProjects creates n-1 projects next to the default one (without the plan's limit), in
// one write transaction.
func seedProjects(b *testing.B, e *benchEnv, n int) {
	b.Helper()
	err := e.srv.Store().Write(func(tx *store.Tx) error {
		o := tx.Org(e.d.OrganizationID)
		u := tx.UserByUUID(e.d.UserUUID)
		for i := range n - 1 {
			if _, err := tx.SeedProject(o, u, store.Values{"name": fmt.Sprintf("Seeded project %07d", i)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatalf("seeding %d projects: %v", n, err)
	}
}
