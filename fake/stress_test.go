package fake

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/fakehog/fakehog/fake/store"
)

// TestConcurrentStress runs hundreds of goroutines creating, patching, deleting and listing
// across organizations at once (run it under -race), then checks the invariants a real
// database would keep.
func TestConcurrentStress(t *testing.T) {
	const workers, opsPerWorker, orgCount = 200, 15, 4
	e := newEnv(t)
	orgs := []string{e.d.OrganizationID}
	for i := 1; i < orgCount; i++ {
		orgs = append(orgs, e.do("POST", "/api/organizations/", map[string]any{"name": fmt.Sprintf("Stress %d", i)}).wantStatus(t, 201).get("id").String())
	}
	// One admin per organization besides the owner, acting with their own key.
	admins := make([]member, len(orgs))
	for i, org := range orgs {
		admins[i] = e.addMember(org, store.LevelAdmin, fmt.Sprintf("admin%d@stress.dev", i))
	}
	var ops, serverErrors atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			for i := 0; i < opsPerWorker; i++ {
				oi := rng.IntN(len(orgs))
				org, key := orgs[oi], admins[oi].Key
				base := "/api/organizations/" + org + "/"
				var r *resp
				switch rng.IntN(6) {
				case 0:
					r = e.do("POST", base+"invites/", map[string]any{"target_email": fmt.Sprintf("w%d-%d@stress.dev", w, i)}, asKey(key))
				case 1:
					list := e.do("GET", base+"invites/?limit=5", nil, asKey(key))
					if id := list.get("results.0.id").String(); id != "" {
						r = e.do("DELETE", base+"invites/"+id+"/", nil, asKey(key)) // may race another delete: 404 is fine
					} else {
						r = list
					}
				case 2:
					r = e.do("PATCH", base, map[string]any{"name": fmt.Sprintf("Org %d by %d", oi, w)}, asKey(key))
				case 3:
					r = e.do("POST", base+"projects/", map[string]any{"name": fmt.Sprintf("p-%d-%d", w, i), "is_demo": true}, asKey(key))
				case 4:
					r = e.do("GET", base+"members/", nil, asKey(key))
				default:
					r = e.do("GET", base+"projects/?limit=3&offset=1", nil, asKey(key))
				}
				ops.Add(1)
				if r.Status >= 500 {
					serverErrors.Add(1)
				}
			}
		}(w)
	}
	wg.Wait()
	if n := serverErrors.Load(); n != 0 {
		t.Fatalf("%d requests answered 5xx", n)
	}
	t.Logf("concurrent operations: %d from %d goroutines", ops.Load(), workers)

	seen := map[string]bool{}
	for _, org := range orgs {
		base := "/api/organizations/" + org + "/"
		for _, coll := range []string{"members/", "invites/", "projects/"} {
			full := e.do("GET", base+coll+"?limit=10000", nil).wantStatus(t, 200)
			count := int(full.get("count").Int())
			results := full.get("results").Array()
			if count != len(results) {
				t.Errorf("%s%s: count %d but %d results", base, coll, count, len(results))
			}
			// Paging while nothing changes neither skips nor repeats a record.
			var paged []string
			for off := 0; off < count; off += 7 {
				for _, it := range e.do("GET", fmt.Sprintf("%s%s?limit=7&offset=%d", base, coll, off), nil).get("results").Array() {
					paged = append(paged, it.Get("id").String())
				}
			}
			if len(paged) != len(results) {
				t.Errorf("%s%s: paging saw %d records, the full list %d", base, coll, len(paged), len(results))
			}
			for i, it := range results {
				id := it.Get("id").String()
				if i < len(paged) && paged[i] != id {
					t.Errorf("%s%s: page order differs at %d", base, coll, i)
					break
				}
				if coll != "members/" {
					key := coll + id
					if seen[key] {
						t.Errorf("%s id %s appears twice", coll, id)
					}
					seen[key] = true
				}
			}
		}
	}
	// Every organization keeps an owner; every membership points at a user and an org.
	err := e.srv.Store().Read(func(tx *store.Tx) error {
		for _, org := range orgs {
			owners := 0
			for _, m := range tx.Members(org, store.MemberFilter{}) {
				if tx.User(m.UserID) == nil {
					t.Errorf("membership %s points at a missing user", m.ID)
				}
				if m.Level == store.LevelOwner {
					owners++
				}
			}
			if owners == 0 {
				t.Errorf("organization %s has no owner", org)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
