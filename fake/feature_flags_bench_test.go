package fake

import (
	"fmt"
	"testing"

	"github.com/fakehog/fakehog/fake/store"
)

// BenchmarkFeatureFlagsScale is the flat-cost check for flags (issue #21): a page of 100
// flags of a project holding 100 flags, then of one holding 10,000 (first page, a middle
// page, a search), target: the 10,000-flag pages within 2× the 100-flag page. It reports
// times only (BENCHMARKS.md rule: no timing assertions).
//
//	go test ./fake -run '^$' -bench FeatureFlagsScale -benchmem -count 3
func BenchmarkFeatureFlagsScale(b *testing.B) {
	for _, n := range []int{100, 10_000} {
		b.Run(fmt.Sprintf("flags=%d", n), func(b *testing.B) {
			e := newBenchEnv(b)
			seedFlags(b, e, n)
			base := fmt.Sprintf("/api/projects/%d/feature_flags/", e.d.ProjectID)
			for _, c := range []struct{ name, query string }{
				{"list_first_page", "?limit=100"},
				{"list_middle_page", fmt.Sprintf("?limit=100&offset=%d", n/2)},
				{"list_active", "?limit=100&active=true"},
			} {
				b.Run(c.name, func(b *testing.B) {
					b.ReportAllocs()
					defer reportCPU(b)()
					for b.Loop() {
						e.serve(b, "GET", base+c.query, "", 200)
					}
				})
			}
		})
	}
}

// seedFlags creates n flags (each rolled out to some percentage, one in ten multivariate)
// in the default project through the store's create operation.
func seedFlags(b *testing.B, e *benchEnv, n int) {
	b.Helper()
	err := e.srv.Store().Write(func(tx *store.Tx) error {
		owner := tx.UserByEmail(e.d.UserEmail)
		for i := range n {
			filters := map[string]any{"groups": []any{map[string]any{"properties": []any{
				map[string]any{"key": "email", "type": "person", "operator": "icontains", "value": "@example.com"}}, "rollout_percentage": float64(i % 101)}}}
			if i%10 == 0 {
				filters["multivariate"] = map[string]any{"variants": []any{
					map[string]any{"key": "control", "rollout_percentage": 50.0}, map[string]any{"key": "test", "rollout_percentage": 50.0}}}
			}
			vals := store.Values{"key": fmt.Sprintf("flag-%05d", i), "name": fmt.Sprintf("Flag %d", i), "filters": filters, "tags": []any{"bench"}}
			if _, err := tx.CreateFeatureFlag(e.d.ProjectID, vals, owner); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}
