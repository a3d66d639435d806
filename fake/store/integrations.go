package store

// integrationState holds organization integrations and OAuth applications.
type integrationState struct{ noHooks }

func (s *integrationState) init() {}

// clone returns a deep copy.
func (s *integrationState) clone() integrationState { return integrationState{} }
