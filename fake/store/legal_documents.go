package store

// legalState holds legal documents (BAA, DPA).
type legalState struct{ noHooks }

func (s *legalState) init() {}

// clone returns a deep copy.
func (s *legalState) clone() legalState { return legalState{} }
