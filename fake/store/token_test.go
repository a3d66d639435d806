package store

import (
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"
)

// RandomToken's in-place base-57 conversion agrees with math/big's for every length used.
func TestRandomTokenIsBase57OfItsBytes(t *testing.T) {
	for _, nbytes := range []int{1, 2, 16, 32, 35} {
		for seed := range uint64(200) {
			st := &state{rng: rand.New(rand.NewPCG(seed, 1))}
			tx := &Tx{st: st}
			got := tx.RandomToken(nbytes)
			// The same draws, converted with math/big.
			ref := rand.New(rand.NewPCG(seed, 1))
			buf := make([]byte, nbytes)
			for i := range buf {
				buf[i] = byte(ref.Uint32())
			}
			buf[0] |= 0x80
			n := new(big.Int).SetBytes(buf)
			var want []byte
			for mod, b57 := new(big.Int), big.NewInt(57); n.Sign() > 0; {
				n.DivMod(n, b57, mod)
				want = append([]byte{base57[mod.Int64()]}, want...)
			}
			if got != string(want) {
				t.Fatalf("RandomToken(%d) seed %d = %q, want %q", nbytes, seed, got, want)
			}
		}
	}
}

// validEmail accepts exactly what reEmail matches, on awkward addresses and on random ones
// drawn from the characters that matter.
func TestValidEmailMatchesRegexp(t *testing.T) {
	cases := []string{"", "@", "a@b", "a@b.c", "a@b.co", "a@-b.co", "a@b-.co", "a@b.-co", "a@b..co", "a..b@c.co", ".a@b.co",
		"a.@b.co", "a@b.co.", "a@@b.co", "a@b@c.co", "a b@c.co", "é@b.co", "a@b.c\u00e9", "a@1.23", "!#$%&'*+/=?^_`{|}~-@x.yz",
		"a@" + strings.Repeat("x", 63) + ".com", "a@" + strings.Repeat("x", 64) + ".com", "a@b." + strings.Repeat("c", 64),
		strings.Repeat("a", 240) + "@example.com", strings.Repeat("a", 250) + "@b.co", "a\n@b.co", "a@b.co\n", "\xff@b.co"}
	r := rand.New(rand.NewPCG(1, 2))
	const alphabet = "aZ09.-@_+é \xff"
	for range 20000 {
		b := []byte{}
		for range 1 + r.IntN(12) {
			b = append(b, alphabet[r.IntN(len(alphabet))])
		}
		cases = append(cases, string(b))
	}
	for _, s := range cases {
		if got, want := validEmail(s), len(s) <= 254 && reEmail.MatchString(s); got != want {
			t.Errorf("validEmail(%q) = %v, the regexp says %v", s, got, want)
		}
	}
}
