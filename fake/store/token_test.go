package store

import (
	"math/big"
	"math/rand/v2"
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
