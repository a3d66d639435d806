package fake

func (s *Server) batchExportBackfill(c *call) (any, error) { return nil, errNotImplemented }

func (s *Server) batchExportLogs(c *call) (any, error) { return nil, errNotImplemented }

func (s *Server) batchExportPause(c *call) (any, error) { return nil, errNotImplemented }

func (s *Server) batchExportRunTestStep(c *call) (any, error) { return nil, errNotImplemented }

func (s *Server) batchExportRunTestStepNew(c *call) (any, error) { return nil, errNotImplemented }

func (s *Server) batchExportTest(c *call) (any, error) { return nil, errNotImplemented }

func (s *Server) batchExportUnpause(c *call) (any, error) { return nil, errNotImplemented }

func (s *Server) createBatchExport(c *call) (any, error) { return nil, errNotImplemented }

func (s *Server) deleteBatchExport(c *call) (any, error) { return nil, errNotImplemented }

func (s *Server) getBatchExport(c *call) (any, error) { return nil, errNotImplemented }

func (s *Server) listBatchExports(c *call) (any, error) { return nil, errNotImplemented }

func (s *Server) updateBatchExport(c *call) (any, error) { return nil, errNotImplemented }
