package store

// pluginState holds plugins and their configs.
type pluginState struct{ noHooks }

func (s *pluginState) init() {}
