package scenarios

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/fakehog/fakehog/fake"
	"github.com/fakehog/fakehog/fake/store"
)

const planCacheDoc = `seed: 5
now: 2026-01-15T10:00:00Z
users:
  - {ref: ann, email: ann@acme.test, first_name: Ann, personal_api_keys: [{value: phx_planCacheKey1}]}
  - {ref: bob, email: bob@acme.test}
organizations:
  - ref: acme
    name: Acme
    members_can_invite: true
    members: [{user: ann, level: owner}, {user: bob, level: member}]
generate: {organizations: 2, members_per_organization: 30, invites_per_organization: 3}
`

// The first World of a parsed, unchanged scenario reuses Parse's plan; it seeds exactly
// what a fresh plan seeds, and every later World plans again with the same result.
func TestWorldReusesParsePlanOnce(t *testing.T) {
	sc := mustParse(t, planCacheDoc)
	if sc.planned == nil || sc.planned.p == nil {
		t.Fatal("Parse kept no plan")
	}
	first := mustServer(t, sc)
	if sc.planned.p != nil {
		t.Fatal("the first World did not take Parse's plan")
	}
	second := mustServer(t, sc)
	fresh := mustServer(t, &Scenario{Name: sc.Name, Seed: sc.Seed, Now: sc.Now, Users: sc.Users,
		Organizations: sc.Organizations, Generate: sc.Generate, pos: sc.pos}) // never parsed: plans
	for _, srv := range []*fake.Server{second, fresh} {
		if !reflect.DeepEqual(first.Store().Snapshot(), srv.Store().Snapshot()) || first.Defaults() != srv.Defaults() {
			t.Fatal("seeding from Parse's plan differs from seeding from a fresh plan")
		}
	}
}

// A scenario changed after Parse is planned again, whatever was changed, however deep.
func TestWorldReplansAChangedScenario(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(sc *Scenario)
		check  func(t *testing.T, tx *store.Tx)
	}{
		{"user email", func(sc *Scenario) { sc.Users[1].Email = "robert@acme.test" },
			func(t *testing.T, tx *store.Tx) {
				if tx.UserByEmail("robert@acme.test") == nil || tx.UserByEmail("bob@acme.test") != nil {
					t.Error("the new email was not seeded")
				}
			}},
		{"key value in a nested slice", func(sc *Scenario) { sc.Users[0].PersonalAPIKeys[0].Value = "phx_planCacheKey2" },
			func(t *testing.T, tx *store.Tx) {
				if tx.APIKeyByValue("phx_planCacheKey2") == nil {
					t.Error("the new key value was not seeded")
				}
			}},
		{"setting in a map", func(sc *Scenario) { sc.Organizations[0].Settings["members_can_invite"] = false },
			func(t *testing.T, tx *store.Tx) {
				ann := tx.UserByEmail("ann@acme.test")
				for _, o := range tx.OrgsOfUser(ann.ID) {
					if o.Name == "Acme" && (o.MembersCanInvite == nil || *o.MembersCanInvite) {
						t.Error("the changed setting was not seeded")
					}
				}
			}},
		{"generate", func(sc *Scenario) { sc.Generate.MembersPerOrganization = 31 },
			func(t *testing.T, tx *store.Tx) {
				if tx.User(2+2*31) == nil || tx.User(2+2*31+1) != nil {
					t.Error("the generated users are not 2 × 31")
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sc := mustParse(t, planCacheDoc)
			tc.change(sc)
			srv := mustServer(t, sc)
			_ = srv.Store().Read(func(tx *store.Tx) error { tc.check(t, tx); return nil })
		})
	}
}

// A copy of a parsed Scenario does not seed from the original's plan (the plan points at
// the original), and values the fingerprint cannot hash leave World to plan again.
func TestPlanCacheRefusesWhatItCannotProve(t *testing.T) {
	sc := mustParse(t, planCacheDoc)
	cp := *sc
	if p := cp.takePlan(); p != nil {
		t.Fatal("a copy took the original's plan")
	}
	sc = mustParse(t, planCacheDoc)
	sc.Organizations[0].Settings["x"] = func() {}
	if _, ok := sc.fingerprint(); ok {
		t.Fatal("a func was fingerprinted")
	}
	if p := sc.takePlan(); p != nil {
		t.Fatal("a scenario that cannot be fingerprinted reused its plan")
	}
	// int and float64 of the same value hash differently (the plan may treat them so).
	a, b := mustParse(t, planCacheDoc), mustParse(t, planCacheDoc)
	a.Organizations[0].Settings["n"] = 1
	b.Organizations[0].Settings["n"] = 1.0
	sa, _ := a.fingerprint()
	sb, _ := b.fingerprint()
	if sa == sb {
		t.Fatal("int 1 and float64 1 have the same fingerprint")
	}
	// nil and empty differ.
	a, b = mustParse(t, planCacheDoc), mustParse(t, planCacheDoc)
	a.Users[1].Sessions, b.Users[1].Sessions = nil, []string{}
	sa, _ = a.fingerprint()
	sb, _ = b.fingerprint()
	if sa == sb {
		t.Fatal("nil and empty have the same fingerprint")
	}
}

// appendSlug (one buffer, rune-by-rune lower-casing) is the slug it replaced, which
// lower-cased the whole string first, on random strings with non-ASCII and invalid UTF-8.
func TestAppendSlugMatchesReference(t *testing.T) {
	ref := func(s, sep string) string {
		var b strings.Builder
		pending := false
		for _, r := range strings.ToLower(s) {
			if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
				if pending && b.Len() > 0 {
					b.WriteString(sep)
				}
				pending = false
				b.WriteRune(r)
			} else if r == ' ' || r == '-' {
				pending = true
			}
		}
		if b.Len() == 0 {
			return "x"
		}
		return b.String()
	}
	alphabet := []string{"a", "Z", "0", "9", " ", "-", ".", "É", "ß", "İ", "Σ", "\xff", "K", "\u212a", "_"}
	r := rand.New(rand.NewPCG(1, 2))
	for range 20_000 {
		var b strings.Builder
		for range r.IntN(12) {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		s := b.String()
		for _, sep := range []string{".", "-"} {
			if got, want := string(appendSlug([]byte("pre"), s, sep)), "pre"+ref(s, sep); got != want {
				t.Fatalf("appendSlug(%q, %q) = %q, want %q", s, sep, got, want)
			}
		}
	}
}
