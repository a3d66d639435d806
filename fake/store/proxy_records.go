package store

// proxyState holds managed reverse proxy records.
type proxyState struct{ noHooks }

func (s *proxyState) init() {}

// clone returns a deep copy.
func (s *proxyState) clone() proxyState { return proxyState{} }
