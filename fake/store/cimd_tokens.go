package store

// cimdState holds CIMD verification tokens.
type cimdState struct{ noHooks }

func (s *cimdState) init() {}
