package store

// domainState holds verified and unverified domains.
type domainState struct{ noHooks }

func (s *domainState) init() {}

// clone returns a deep copy.
func (s *domainState) clone() domainState { return domainState{} }
