package store

import (
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestFormatUUIDMatchesSprintf checks the hand-written UUID formatting against the
// hex-and-Sprintf form it replaced, on random and extreme bytes.
func TestFormatUUIDMatchesSprintf(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for i := range 20_000 {
		var b [16]byte
		switch i {
		case 0: // all zero
		case 1:
			for k := range b {
				b[k] = 0xff
			}
		default:
			for k := range b {
				b[k] = byte(r.Uint32())
			}
		}
		h := hex.EncodeToString(b[:])
		want := fmt.Sprintf("%s-%s-%s-%s-%s", h[0:8], h[8:12], h[12:16], h[16:20], h[20:32])
		if got := formatUUID(&b); got != want {
			t.Fatalf("formatUUID(%x) = %q, want %q", b, got, want)
		}
	}
}
