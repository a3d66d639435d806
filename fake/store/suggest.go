package store

// Did-you-mean: the one implementation behind every "did you mean ...?" fakehog writes (a
// scenario's unknown key, an unknown scope given to /_fake/keys).

import (
	"sort"
	"strings"
)

// Closest returns the name in names nearest to name, when it is at most two edits away (a
// typo); "" when none is.
func Closest(name string, names []string) string {
	best, bestDist := "", 3
	for _, k := range names {
		if dist := EditDistance(name, k); dist < bestDist {
			best, bestDist = k, dist
		}
	}
	return best
}

// EditDistance is the Levenshtein distance between a and b.
func EditDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// ValidScope reports whether s is a personal API key scope PostHog accepts: "*" or one of
// its scope objects (API_SCOPE_OBJECTS) with :read or :write.
func ValidScope(s string) bool {
	if s == "*" {
		return true
	}
	obj, action, found := strings.Cut(s, ":")
	return found && scopeObjects[obj] && (action == "read" || action == "write")
}

// allScopes lists every valid scope but "*", sorted, for suggestions.
var allScopes = func() []string {
	out := make([]string, 0, 2*len(scopeObjects))
	for obj := range scopeObjects {
		out = append(out, obj+":read", obj+":write")
	}
	sort.Strings(out)
	return out
}()

// SuggestScope returns the valid scope nearest to an invalid one ("" when none is close).
func SuggestScope(s string) string { return Closest(s, allScopes) }
