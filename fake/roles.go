package fake

func (s *Server) createRole(c *call) (any, error) { return nil, errNotImplemented }

func (s *Server) deleteRole(c *call) (any, error) { return nil, errNotImplemented }

func (s *Server) getRole(c *call) (any, error) { return nil, errNotImplemented }

func (s *Server) listRoles(c *call) (any, error) { return nil, errNotImplemented }

func (s *Server) updateRole(c *call) (any, error) { return nil, errNotImplemented }
