package store

// batchExportState holds batch exports, their runs and logs.
type batchExportState struct{ noHooks }

func (s *batchExportState) init() {}

// clone returns a deep copy.
func (s *batchExportState) clone() batchExportState { return batchExportState{} }
