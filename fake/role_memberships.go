package fake

func (s *Server) createRoleMembership(c *call) (any, error) { return nil, errNotImplemented }

func (s *Server) deleteRoleMembership(c *call) (any, error) { return nil, errNotImplemented }

func (s *Server) getRoleMembership(c *call) (any, error) { return nil, errNotImplemented }

func (s *Server) listRoleMemberships(c *call) (any, error) { return nil, errNotImplemented }
