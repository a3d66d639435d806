package store

// proxyState holds managed reverse proxy records.
type proxyState struct{ noHooks }

func (s *proxyState) init() {}
