package fake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"github.com/fakehog/fakehog/fake/store"
	"math"
	"math/rand/v2"
	"testing"
)

// appendJSON writes exactly what writeJSON's encoding/json encoder writes, for random
// nested values of every type a view holds, awkward strings and numbers included.
func TestAppendJSONMatchesEncodingJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	strs := []string{"", "plain", "with \"quote\"", `back\slash`, "tab\tnew\nline\r", "\b\f\x01\x1f", "<html> & co", "é ü 中",
		"\u2028\u2029", "bad \xff utf8", "emoji 🦔", "\x7f"}
	floats := []float64{0, -0.0, 1, -1, 0.5, 1e20, 1e21, 1e-6, 1e-7, 123456789.125, 3.14159, -2.5e-9, math.MaxFloat64, math.SmallestNonzeroFloat64}
	var gen func(depth int) any
	gen = func(depth int) any {
		switch k := r.IntN(12); {
		case k == 0:
			return nil
		case k == 1:
			return r.IntN(2) == 0
		case k <= 3:
			return strs[r.IntN(len(strs))]
		case k == 4:
			return r.IntN(2000) - 1000
		case k == 5:
			return int64(r.Uint64() >> 1)
		case k == 6:
			return floats[r.IntN(len(floats))]
		case k == 7:
			// typed values appendJSON writes itself, and one it leaves to encoding/json
			switch r.IntN(9) {
			case 0:
				return []string(nil)
			case 1:
				return []string{strs[r.IntN(len(strs))], strs[r.IntN(len(strs))]}
			case 2:
				return []int{r.IntN(2000) - 1000, 7}
			case 3:
				return []int{}
			case 4:
				return []map[string]any(nil)
			case 5:
				if depth < 4 {
					return []map[string]any{{strs[r.IntN(len(strs))]: gen(depth + 1)}, {}}
				}
				return []map[string]any{}
			case 6:
				return (*string)(nil)
			case 7:
				s := strs[r.IntN(len(strs))]
				return &s
			}
			return map[string]string{"typed": "map"} // encoding/json's path
		case k == 8 && depth < 4:
			n := r.IntN(4)
			l := make([]any, n)
			for i := range l {
				l[i] = gen(depth + 1)
			}
			if n == 0 && r.IntN(2) == 0 {
				return []any(nil)
			}
			return l
		case depth < 4:
			m := map[string]any{}
			for range r.IntN(6) {
				m[strs[r.IntN(len(strs))]+string(rune('a'+r.IntN(26)))] = gen(depth + 1)
			}
			return m
		}
		return "leaf"
	}
	for i := range 3000 {
		v := map[string]any{"root": gen(0), "n": i}
		if i%50 == 0 {
			v = map[string]any(nil)
		}
		wantLikeEncodingJSON(t, v)
	}
	if _, err := appendJSON(nil, map[string]any{"x": math.NaN()}); err == nil {
		t.Error("NaN encoded without error")
	}
}

// Every jsonAppender writes what encoding/json writes for it (through the struct's tags).
func TestAppendersMatchEncodingJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	strs := []string{"", "x", "ü", "a\"b", "https://h/api/?limit=1&offset=2", "<b>"}
	pick := func() string { return strs[r.IntN(len(strs))] }
	ptr := func() *string {
		if r.IntN(3) == 0 {
			return nil
		}
		s := pick()
		return &s
	}
	for i := range 2000 {
		var verified *bool
		if r.IntN(3) > 0 {
			v := r.IntN(2) == 0
			verified = &v
		}
		var hog any
		if r.IntN(2) == 0 {
			hog = map[string]any{"color": pick(), "accessories": []any{pick()}}
		}
		u := userBasicJSON{ID: r.IntN(1e6), UUID: pick(), DistinctID: pick(), FirstName: pick(), LastName: pick(), Email: pick(),
			IsEmailVerified: verified, HedgehogConfig: hog, RoleAtOrganization: ptr()}
		m := memberJSON{ID: pick(), User: u, Level: r.IntN(16), JoinedAt: pick(), UpdatedAt: pick(), Is2FAEnabled: r.IntN(2) == 0,
			HasSocialAuth: r.IntN(2) == 0, LastLogin: pick(), SearchMatchType: ptr()}
		p := page{Count: r.IntN(500), Next: ptr(), Previous: ptr(), Results: []any{m, u, map[string]any{"k": pick()}}}
		mp := memberPage{Count: r.IntN(500), Next: ptr(), Previous: ptr(), Results: []memberJSON{m, m}}
		if i%7 == 0 {
			p.Results = []any{}
			mp.Results = []memberJSON{}
		}
		if i%11 == 0 {
			mp.Results = nil
		}
		for _, v := range []jsonAppender{u, m, p, mp} {
			wantLikeEncodingJSON(t, v)
		}
	}
}

// The organization view's encoder (orgjson.go) is encoding/json's, byte for byte, on random
// views: nil and empty lists, absent and present optional fields, awkward strings, features
// with and without limit and unit, onboarding maps of every shape.
func TestOrganizationAppenderMatchesEncodingJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	strs := []string{"", "x", "ü", "a\"b", "line\nbreak", "<b>&", "2026-01-15T10:00:00.123456Z", "\xff"}
	pick := func() string { return strs[r.IntN(len(strs))] }
	ptr := func() *string {
		if r.IntN(3) == 0 {
			return nil
		}
		s := pick()
		return &s
	}
	pbool := func() *bool {
		if r.IntN(3) == 0 {
			return nil
		}
		v := r.IntN(2) == 0
		return &v
	}
	pint := func() *int {
		if r.IntN(3) == 0 {
			return nil
		}
		v := r.IntN(40) - 5
		return &v
	}
	onboarding := func() any {
		switch r.IntN(4) {
		case 0:
			return nil
		case 1:
			return map[string]any{}
		case 2:
			return map[string]any{pick(): true, "product_analytics": r.IntN(2) == 0}
		}
		return []any{pick(), 1.5, nil}
	}
	for i := range 3000 {
		o := organizationJSON{ID: pick(), Name: pick(), Slug: pick(), LogoMediaID: ptr(), CreatedAt: pick(), UpdatedAt: pick(),
			MembershipLevel: pint(), PluginsAccessLevel: r.IntN(10), IsMemberJoinEmailEnabled: r.IntN(2) == 0,
			CustomerID: ptr(), Enforce2FA: pbool(), MembersCanInvite: pbool(), MembersCanCreateProjects: pbool(),
			MembersCanUsePersonalAPIKeys: r.IntN(2) == 0, MembersCanSeeOrgMembers: r.IntN(2) == 0,
			AllowPubliclySharedResources: r.IntN(2) == 0, MemberCount: r.IntN(1e6), IsAIDataProcessingApproved: pbool(),
			DefaultExperimentStatsMethod: ptr(), DefaultAnonymizeIPs: r.IntN(2) == 0, DefaultRoleID: ptr(),
			IsActive: pbool(), IsNotActiveReason: ptr(), IsPendingDeletion: pbool()}
		if i%5 > 0 {
			o.Teams, o.Projects, o.AvailableProductFeatures = []teamBasicJSON{}, []projectRefJSON{}, []store.Feature{}
		}
		for range r.IntN(4) {
			o.Teams = append(o.Teams, teamBasicJSON{ID: r.IntN(1e5), UUID: pick(), Organization: pick(), ProjectID: r.IntN(1e5),
				APIToken: pick(), Name: pick(), CompletedSnippetOnboarding: r.IntN(2) == 0, HasCompletedOnboardingFor: onboarding(),
				IngestedEvent: r.IntN(2) == 0, IsDemo: r.IntN(2) == 0, Timezone: pick(), AccessControl: r.IntN(2) == 0})
			o.Projects = append(o.Projects, projectRefJSON{ID: r.IntN(1e5), OrganizationID: pick(), Name: pick()})
		}
		for range r.IntN(5) {
			o.AvailableProductFeatures = append(o.AvailableProductFeatures, store.Feature{Key: pick(), Name: pick(), Limit: pint(), Unit: pick()})
		}
		o.Metadata.InstanceTag = pick()
		p := page{Count: 1, Results: []any{o}}
		for _, v := range []jsonAppender{o, p} {
			wantLikeEncodingJSON(t, v)
		}
	}
}

// Large maps reuse a remembered sorted key list only when their key set is the same: maps
// of one length with overlapping, equal and different keys, interleaved, all encode as
// encoding/json encodes them.
func TestSortedKeyListsFollowKeySets(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	names := make([]string, 40)
	for i := range names {
		names[i] = fmt.Sprintf("k%02d_%c", r.IntN(100), 'a'+rune(i%26))
	}
	for i := range 3000 {
		n := minCachedKeys + r.IntN(3)
		m := map[string]any{}
		for len(m) < n {
			m[names[r.IntN(len(names)-i%20)]] = r.IntN(10)
		}
		wantLikeEncodingJSON(t, m)
	}
}

// plainJSON's word-at-a-time test agrees with the byte table for every byte value at every
// position of strings shorter and longer than a word, and appendJSONString then writes what
// encoding/json writes.
func TestPlainJSONMatchesByteTable(t *testing.T) {
	byTable := func(s string) bool {
		for i := 0; i < len(s); i++ {
			if !plainJSONByte[s[i]] {
				return false
			}
		}
		return true
	}
	check := func(s string) {
		t.Helper()
		if got, want := plainJSON(s), byTable(s); got != want {
			t.Fatalf("plainJSON(%q) = %v, want %v", s, got, want)
		}
		got, err := appendJSONString(nil, s)
		if err != nil {
			t.Fatalf("appendJSONString(%q): %v", s, err)
		}
		if want := encodingJSON(t, s); !bytes.Equal(got, want) {
			t.Fatalf("appendJSONString(%q) = %s, want %s", s, got, want)
		}
	}
	for n := 1; n <= 17; n++ {
		for pos := 0; pos < n; pos++ {
			for c := 0; c < 256; c++ {
				b := bytes.Repeat([]byte{'a'}, n)
				b[pos] = byte(c)
				check(string(b))
				if pos > 0 { // next to a byte of the other kind
					b[pos-1] = byte(255 - c)
					check(string(b))
				}
			}
		}
	}
	rng := rand.New(rand.NewPCG(14, 3))
	for range 20000 {
		b := make([]byte, rng.IntN(40))
		for i := range b {
			b[i] = byte(0x1c + rng.IntN(0x66)) // mostly printable, a few controls and DEL/high bytes
		}
		check(string(b))
	}
}

// appendInt writes what strconv writes, around every boundary of its fast paths.
func TestAppendIntMatchesStrconv(t *testing.T) {
	ns := []int{math.MinInt, -10000, -1, math.MaxInt}
	for n := 0; n <= 12000; n++ {
		ns = append(ns, n)
	}
	for _, n := range ns {
		if got, want := string(appendInt([]byte("x"), n)), "x"+fmt.Sprint(n); got != want {
			t.Fatalf("appendInt(%d) = %q, want %q", n, got, want)
		}
	}
}

// encodingJSON is what encoding/json writes for v (HTML left unescaped, no trailing
// newline): the reference every appender here is held to.
func encodingJSON(t *testing.T, v any) []byte {
	t.Helper()
	var want bytes.Buffer
	enc := json.NewEncoder(&want)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimRight(want.Bytes(), "\n")
}

// wantLikeEncodingJSON fails unless appendJSON writes v exactly as encoding/json does.
func wantLikeEncodingJSON(t *testing.T, v any) {
	t.Helper()
	want := encodingJSON(t, v)
	got, err := appendJSON(nil, v)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("%T: appendJSON = %s (%v)\nencoding/json %s", v, got, err, want)
	}
}
