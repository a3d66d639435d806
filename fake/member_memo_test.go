package fake

// The member list's memo never answers with an old encoding: each field a member's JSON is
// made of, changed directly on the records (as a test may), changes the listing at once.

import (
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/fakehog/fakehog/fake/store"
)

func TestMemberMemoFollowsEveryField(t *testing.T) {
	later := time.Date(2026, 2, 3, 4, 5, 6, 7000, time.UTC)
	yes := true
	for _, tc := range []struct {
		name   string
		change func(m *store.Membership, u *store.User)
	}{
		{"membership id", func(m *store.Membership, u *store.User) { m.ID = "0193b4a2-0000-7000-8000-000000000001" }},
		{"level", func(m *store.Membership, u *store.User) { m.Level = store.LevelAdmin }},
		{"joined_at", func(m *store.Membership, u *store.User) { m.JoinedAt = later }},
		{"updated_at", func(m *store.Membership, u *store.User) { m.UpdatedAt = later }},
		{"user id", func(m *store.Membership, u *store.User) { u.ID += 1000 }},
		{"uuid", func(m *store.Membership, u *store.User) { u.UUID = "0193b4a2-0000-7000-8000-000000000002" }},
		{"distinct_id", func(m *store.Membership, u *store.User) { u.DistinctID = "other" }},
		{"first_name", func(m *store.Membership, u *store.User) { u.FirstName = `Zoë "Z"` }},
		{"last_name", func(m *store.Membership, u *store.User) { u.LastName = "Other" }},
		{"email", func(m *store.Membership, u *store.User) { u.Email = "other@memo.test" }},
		{"role_at_organization", func(m *store.Membership, u *store.User) { u.RoleAtOrganization = "founder" }},
		{"is_email_verified set", func(m *store.Membership, u *store.User) { u.IsEmailVerified = &yes }},
		{"is_email_verified in place", func(m *store.Membership, u *store.User) { *u.IsEmailVerified = !*u.IsEmailVerified }},
		{"is_2fa_enabled", func(m *store.Membership, u *store.User) { u.Is2FAEnabled = !u.Is2FAEnabled }},
		{"has_social_auth", func(m *store.Membership, u *store.User) { u.HasSocialAuth = !u.HasSocialAuth }},
		{"last_login set", func(m *store.Membership, u *store.User) { u.LastLogin = &later }},
		{"last_login in place", func(m *store.Membership, u *store.User) { *u.LastLogin = u.LastLogin.Add(time.Microsecond) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := &store.Membership{ID: "0193b4a2-0000-7000-8000-00000000000a", Level: store.LevelMember,
				JoinedAt: time.Date(2025, 5, 6, 7, 8, 9, 0, time.UTC), UpdatedAt: time.Date(2025, 5, 6, 7, 8, 9, 123000, time.UTC)}
			no := false
			login := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
			u := &store.User{ID: 7, UUID: "0193b4a2-0000-7000-8000-00000000000b", DistinctID: "d", FirstName: "Ann",
				LastName: "Lee", Email: "ann@memo.test", IsEmailVerified: &no, LastLogin: &login}
			memo := new(memberMemo)
			encode := func(memo *memberMemo) string {
				var dates isoDate
				b, err := memo.appendMember(nil, m, u, &dates)
				if err != nil {
					t.Fatal(err)
				}
				return string(b)
			}
			before := encode(memo)
			if again := encode(memo); again != before {
				t.Fatalf("second encoding differs:\n%s\n%s", again, before)
			}
			tc.change(m, u)
			fresh := encode(nil)
			if fresh == before {
				t.Fatalf("the change does not show in the JSON: %s", fresh)
			}
			if got := encode(memo); got != fresh {
				t.Fatalf("memo answered the old encoding:\n got  %s\n want %s", got, fresh)
			}
		})
	}
}

// Pages read while members change, from many goroutines at once, are always the page a
// memo-less encoding gives for the same records (run with -race: slots are shared).
func TestMemberMemoUnderConcurrentReadsAndWrites(t *testing.T) {
	e := newEnv(t)
	uuids := make([]string, 0, 20)
	for i := range 20 {
		uuids = append(uuids, e.addMember(e.d.OrganizationID, store.LevelMember, "m"+strconv.Itoa(i)+"@memo.test").User.UUID)
	}
	path := "/api/organizations/" + e.d.OrganizationID + "/members/?limit=100"
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 25 {
				if g == 0 {
					level := []int{store.LevelMember, store.LevelAdmin}[i%2]
					e.sendUnchecked("PATCH", "/api/organizations/"+e.d.OrganizationID+"/members/"+uuids[i%len(uuids)]+"/", map[string]any{"level": level})
					continue
				}
				r := e.sendUnchecked("GET", path, nil)
				if r.Status != 200 {
					t.Errorf("GET members: %d", r.Status)
					return
				}
			}
		}()
	}
	wg.Wait()
	// The state is settled: the served page equals the page encoded without the memo.
	got := e.sendUnchecked("GET", path, nil)
	_ = e.srv.Store().Read(func(tx *store.Tx) error {
		members, count := tx.MembersPage(e.d.OrganizationID, store.MemberFilter{}, 0, 100)
		want, err := appendMemberPage(nil, tx, nil, count, nil, nil, members, "")
		if err != nil {
			t.Fatal(err)
		}
		if string(got.Body) != string(want) {
			t.Fatalf("served page differs from a fresh encoding:\n got  %s\n want %s", got.Body, want)
		}
		return nil
	})
}
