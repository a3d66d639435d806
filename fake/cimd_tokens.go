package fake

func (s *Server) createCIMDToken(c *call) (any, error) { return nil, errNotImplemented }

func (s *Server) deleteCIMDToken(c *call) (any, error) { return nil, errNotImplemented }

func (s *Server) getCIMDToken(c *call) (any, error) { return nil, errNotImplemented }

func (s *Server) listCIMDTokens(c *call) (any, error) { return nil, errNotImplemented }
