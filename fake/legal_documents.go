package fake

func (s *Server) createLegalDocument(c *call) (any, error) { return nil, errNotImplemented }

func (s *Server) getLegalDocument(c *call) (any, error) { return nil, errNotImplemented }

func (s *Server) legalDocumentDownload(c *call) (any, error) { return nil, errNotImplemented }

func (s *Server) listLegalDocuments(c *call) (any, error) { return nil, errNotImplemented }
