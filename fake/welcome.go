package fake

func (s *Server) welcomeCurrent(c *call) (any, error) { return nil, errNotImplemented }
