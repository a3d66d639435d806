package store

// legalState holds legal documents (BAA, DPA).
type legalState struct{ noHooks }

func (s *legalState) init() {}
