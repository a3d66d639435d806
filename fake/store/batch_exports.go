package store

// batchExportState holds batch exports, their runs and logs.
type batchExportState struct{ noHooks }

func (s *batchExportState) init() {}
