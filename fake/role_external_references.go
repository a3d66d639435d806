package fake

func (s *Server) createRoleExternalReference(c *call) (any, error) { return nil, errNotImplemented }

func (s *Server) deleteRoleExternalReference(c *call) (any, error) { return nil, errNotImplemented }

func (s *Server) listRoleExternalReferences(c *call) (any, error) { return nil, errNotImplemented }

func (s *Server) roleExternalReferenceLookup(c *call) (any, error) { return nil, errNotImplemented }
