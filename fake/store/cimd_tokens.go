package store

// cimdState holds CIMD verification tokens.
type cimdState struct{ noHooks }

func (s *cimdState) init() {}

// clone returns a deep copy.
func (s *cimdState) clone() cimdState { return cimdState{} }
