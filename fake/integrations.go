package fake

func (s *Server) deleteIntegration(c *call) (any, error) { return nil, errNotImplemented }

func (s *Server) getIntegration(c *call) (any, error) { return nil, errNotImplemented }

func (s *Server) integrationEnvironmentMapping(c *call) (any, error) { return nil, errNotImplemented }

func (s *Server) listIntegrations(c *call) (any, error) { return nil, errNotImplemented }
