package fake

func (s *Server) listOAuthApplications(c *call) (any, error) { return nil, errNotImplemented }
