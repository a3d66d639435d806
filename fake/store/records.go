package store

// Listing a family's records by an index of ids.

// recordsByIDs resolves an index of ids (kept in creation order) to its records, oldest
// first or newest first: the listing every resource family needs.
func recordsByIDs[K comparable, T any](byID map[K]*T, ids []K, newestFirst bool) []*T {
	out := make([]*T, len(ids))
	for i, id := range ids {
		if newestFirst {
			out[len(ids)-1-i] = byID[id]
		} else {
			out[i] = byID[id]
		}
	}
	return out
}
