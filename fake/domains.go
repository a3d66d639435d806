package fake

func (s *Server) createDomain(c *call) (any, error) { return nil, errNotImplemented }

func (s *Server) deleteDomain(c *call) (any, error) { return nil, errNotImplemented }

func (s *Server) domainScimLogs(c *call) (any, error) { return nil, errNotImplemented }

func (s *Server) domainScimToken(c *call) (any, error) { return nil, errNotImplemented }

func (s *Server) domainVerify(c *call) (any, error) { return nil, errNotImplemented }

func (s *Server) getDomain(c *call) (any, error) { return nil, errNotImplemented }

func (s *Server) listDomains(c *call) (any, error) { return nil, errNotImplemented }

func (s *Server) updateDomain(c *call) (any, error) { return nil, errNotImplemented }
