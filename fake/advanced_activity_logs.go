package fake

func (s *Server) advancedActivityLogAvailableFilters(c *call) (any, error) {
	return nil, errNotImplemented
}

func (s *Server) advancedActivityLogExport(c *call) (any, error) { return nil, errNotImplemented }

func (s *Server) listAdvancedActivityLogs(c *call) (any, error) { return nil, errNotImplemented }
