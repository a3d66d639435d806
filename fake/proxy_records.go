package fake

func (s *Server) createProxyRecord(c *call) (any, error) { return nil, errNotImplemented }

func (s *Server) deleteProxyRecord(c *call) (any, error) { return nil, errNotImplemented }

func (s *Server) getProxyRecord(c *call) (any, error) { return nil, errNotImplemented }

func (s *Server) listProxyRecords(c *call) (any, error) { return nil, errNotImplemented }

func (s *Server) proxyRecordDiagnose(c *call) (any, error) { return nil, errNotImplemented }

func (s *Server) proxyRecordRetry(c *call) (any, error) { return nil, errNotImplemented }

func (s *Server) updateProxyRecord(c *call) (any, error) { return nil, errNotImplemented }
