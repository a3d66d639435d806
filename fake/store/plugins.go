package store

// pluginState holds plugins and their configs.
type pluginState struct{ noHooks }

func (s *pluginState) init() {}

// clone returns a deep copy.
func (s *pluginState) clone() pluginState { return pluginState{} }
