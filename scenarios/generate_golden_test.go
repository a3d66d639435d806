package scenarios

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
)

// Generated people keep their e-mail addresses from one version to the next: a large
// generation (popular names repeat thousands of times, numbered john.smith2@, 3@, ...) is
// pinned by a digest of every address, members and invitees, in order.
func TestGeneratedEmailsArePinned(t *testing.T) {
	sc, err := Parse("golden.yaml", []byte("seed: 1\ngenerate: {organizations: 2, members_per_organization: 20000, invites_per_organization: 200}\n"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := sc.plan()
	if err != nil {
		t.Fatal(err)
	}
	var all []string
	for _, u := range p.users {
		all = append(all, u.Email)
	}
	for _, o := range p.orgs {
		for _, inv := range o.Invites {
			all = append(all, inv.TargetEmail)
		}
	}
	sum := sha256.Sum256([]byte(strings.Join(all, "\n")))
	numbered := 0
	for _, e := range all {
		if strings.ContainsAny(e[:strings.IndexByte(e, '@')], "0123456789") {
			numbered++
		}
	}
	if got := hex.EncodeToString(sum[:]); got != goldenEmails || numbered < 400 {
		t.Fatalf("generated e-mails digest %s (%d numbered), want %s", got, numbered, goldenEmails)
	}
}

const goldenEmails = "6a14c8c72dc038b2043a74c99e53216bfbd5840bcd22802020fb93252380ef44"
