package store

// domainState holds verified and unverified domains.
type domainState struct{ noHooks }

func (s *domainState) init() {}
