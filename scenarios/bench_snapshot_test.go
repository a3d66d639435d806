//go:build unix

package scenarios

import (
	"fmt"
	"testing"

	"github.com/fakehog/fakehog/fake"
	"github.com/fakehog/fakehog/fake/store"
)

// BenchmarkSnapshot measures Server.Snapshot and Server.Restore (the store's deep copy) on
// the lived-in demo world (every resource family) and on one organization of 10,000
// generated members. Besides the wall time it reports the process's CPU time per operation
// (cpu-ns/op, which the neighbours' load on a shared machine moves much less):
//
//	go test ./scenarios -run '^$' -bench Snapshot -benchmem -count 6
func BenchmarkSnapshot(b *testing.B) {
	worlds := []struct {
		name string
		sc   func() (*Scenario, error)
	}{
		{"demo", func() (*Scenario, error) { return Builtin("demo") }},
		{"members=10000", func() (*Scenario, error) {
			return Parse("members", []byte("seed: 1\nnow: 2026-01-15T10:00:00Z\ngenerate:\n  organizations: 1\n  members_per_organization: 10000\n"))
		}},
	}
	for _, w := range worlds {
		b.Run(w.name, func(b *testing.B) {
			sc, err := w.sc()
			if err != nil {
				b.Fatal(err)
			}
			srv, err := fake.New(fake.WithClock(store.NewManualClock(testNow)))
			if err != nil {
				b.Fatal(err)
			}
			if err := srv.LoadWorld(sc.World()); err != nil {
				b.Fatal(fmt.Errorf("loading %s: %w", w.name, err))
			}
			b.Run("snapshot", func(b *testing.B) {
				b.ReportAllocs()
				cpu0 := processCPU()
				for b.Loop() {
					if srv.Snapshot() == nil {
						b.Fatal("no snapshot")
					}
				}
				b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
			})
			b.Run("restore", func(b *testing.B) {
				snap := srv.Snapshot()
				b.ReportAllocs()
				cpu0 := processCPU()
				for b.Loop() {
					srv.Restore(snap)
				}
				b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
			})
		})
	}
}
