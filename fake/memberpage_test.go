package fake

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/fakehog/fakehog/fake/store"
)

// memberPage is the page of member views that listMembers' direct encoding
// (appendMemberPage) must equal, byte for byte.
type memberPage struct {
	Count    int          `json:"count"`
	Next     *string      `json:"next"`
	Previous *string      `json:"previous"`
	Results  []memberJSON `json:"results"`
}

// appendJSON encodes the page of members as encoding/json encodes the struct.
func (p memberPage) appendJSON(b []byte) ([]byte, error) {
	var err error
	b = append(b, `{"count":`...)
	b = strconv.AppendInt(b, int64(p.Count), 10)
	b = append(b, `,"next":`...)
	if b, err = appendPtrString(b, p.Next); err != nil {
		return b, err
	}
	b = append(b, `,"previous":`...)
	if b, err = appendPtrString(b, p.Previous); err != nil {
		return b, err
	}
	b = append(b, `,"results":`...)
	if p.Results == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, m := range p.Results {
			if i > 0 {
				b = append(b, ',')
			}
			if b, err = m.appendJSON(b); err != nil {
				return b, err
			}
		}
		b = append(b, ']')
	}
	return append(b, '}'), nil
}

// A page of members encoded straight from the records (appendMemberPage) is the page of
// views memberViews renders, encoded by memberPage's appender and by encoding/json: on
// users with awkward names, with and without roles, last logins, 2FA and social auth,
// memberships joined and updated at instants with and without microseconds, with and
// without a search.
func TestMemberPageEncodingMatchesViews(t *testing.T) {
	srv, err := New(WithSeed(2), WithClock(store.NewManualClock(time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC))))
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(6, 6))
	names := []string{"", "Ann", "ü", `a"b`, "tab\there", "<b>&", "中文", "\xff"}
	orgID := srv.Defaults().OrganizationID
	err = srv.Store().Write(func(tx *store.Tx) error {
		for i := range 60 {
			u, err := tx.CreateUser(store.NewUser{Email: "m" + strconv.Itoa(i) + "@page.test", FirstName: names[r.IntN(len(names))],
				LastName: names[r.IntN(len(names))], RoleAtOrganization: []string{"", "engineering", "founder"}[r.IntN(3)],
				Is2FAEnabled: r.IntN(2) == 0, HasSocialAuth: r.IntN(2) == 0})
			if err != nil {
				return err
			}
			if r.IntN(2) == 0 {
				ll := time.Date(2025, 3, 1, 0, 0, 0, r.IntN(2)*1000*r.IntN(1e6), time.UTC).Add(time.Duration(r.IntN(1e6)) * time.Second)
				u.LastLogin = &ll
			}
			if r.IntN(3) == 0 {
				v := r.IntN(2) == 0
				u.IsEmailVerified = &v
			}
			m, err := tx.AddMember(orgID, u.ID, store.NewMembership{Level: store.LevelMember})
			if err != nil {
				return err
			}
			m.UpdatedAt = m.UpdatedAt.Add(time.Duration(r.IntN(3)) * time.Microsecond * 7)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	link := "http://h/api/?limit=1&offset=2"
	memo := new(memberMemo)
	_ = srv.Store().Read(func(tx *store.Tx) error {
		for _, search := range []string{"", "m1"} {
			for _, offset := range []int{0, 7, 60, 100} {
				members, count := tx.MembersPage(orgID, store.MemberFilter{}, offset, 25)
				if offset >= count {
					members = nil
				}
				want := memberPage{Count: count, Next: &link, Results: memberViews(tx, members)}
				if search != "" {
					for i, m := range members {
						s := tx.SearchMatchType(m, search)
						want.Results[i].SearchMatchType = &s
					}
				}
				got, err := appendMemberPage(nil, tx, nil, count, &link, nil, members, search)
				if err != nil {
					t.Fatal(err)
				}
				// With a memo: the first page fills it, the second is copied from it.
				for pass := range 2 {
					memoized, err := appendMemberPage(nil, tx, memo, count, &link, nil, members, search)
					if err != nil {
						t.Fatal(err)
					}
					if string(memoized) != string(got) {
						t.Fatalf("search %q offset %d, memo pass %d:\n memo   %s\n direct %s", search, offset, pass, memoized, got)
					}
				}
				viaViews, _ := want.appendJSON(nil)
				var viaJSON bytes.Buffer
				enc := json.NewEncoder(&viaJSON)
				enc.SetEscapeHTML(false)
				if err := enc.Encode(want); err != nil {
					t.Fatal(err)
				}
				if string(got) != string(viaViews) || string(got) != string(bytes.TrimRight(viaJSON.Bytes(), "\n")) {
					t.Fatalf("search %q offset %d:\n direct %s\n views  %s\n json   %s", search, offset, got, viaViews, viaJSON.Bytes())
				}
			}
		}
		return nil
	})
}
