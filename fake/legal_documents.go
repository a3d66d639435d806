package fake

// The legal document routes (BAA, DPA): the document view, the plan rule and the handlers.

import (
	"github.com/fakehog/fakehog/fake/store"
)

// legalDocumentJSON is PostHog's LegalDocumentDTO.
type legalDocumentJSON struct {
	ID                  string                    `json:"id"`
	DocumentType        string                    `json:"document_type"`
	CompanyName         string                    `json:"company_name"`
	RepresentativeEmail string                    `json:"representative_email"`
	Status              string                    `json:"status"`
	CreatedBy           *legalDocumentCreatorJSON `json:"created_by"`
	CreatedAt           string                    `json:"created_at"`
}

// legalDocumentCreatorJSON is PostHog's LegalDocumentCreator.
type legalDocumentCreatorJSON struct {
	FirstName string `json:"first_name"`
	Email     string `json:"email"`
}

func legalDocumentView(tx *store.Tx, d *store.LegalDocument) any {
	v := legalDocumentJSON{ID: d.ID, DocumentType: d.DocumentType, CompanyName: d.CompanyName,
		RepresentativeEmail: d.RepresentativeEmail, Status: d.Status, CreatedAt: isoTime(d.CreatedAt)}
	if d.CreatedBy != 0 {
		if u := tx.User(d.CreatedBy); u != nil {
			v.CreatedBy = &legalDocumentCreatorJSON{FirstName: u.FirstName, Email: u.Email}
		}
	}
	return v
}

// legalAvailable is PostHog's IsCloudOrDevDeployment: a self-hosted instance has no legal
// documents (404).
func (c *call) legalAvailable() error {
	if !c.tx.LegalDocumentsAvailable() {
		return store.ErrNotFound()
	}
	return nil
}

// legalDocument finds the URL's document in the call's organization (404 otherwise).
func (c *call) legalDocument() (*store.LegalDocument, error) {
	if err := c.legalAvailable(); err != nil {
		return nil, err
	}
	d := c.tx.LegalDocument(c.org.ID, c.vars["id"])
	if d == nil {
		return nil, store.ErrNotFound()
	}
	return d, nil
}

func (s *Server) listLegalDocuments(c *call) (any, error) {
	if err := c.legalAvailable(); err != nil {
		return nil, err
	}
	return paginate(c, c.tx.LegalDocuments(c.org.ID), func(d *store.LegalDocument) any { return legalDocumentView(c.tx, d) }), nil
}

func (s *Server) createLegalDocument(c *call) (any, error) {
	if err := c.legalAvailable(); err != nil {
		return nil, err
	}
	vals, err := c.validateAs(store.LegalDocumentFields, store.Create)
	if err != nil {
		return nil, err
	}
	d, err := c.tx.CreateLegalDocument(c.org.ID, store.LegalDocumentInput(vals, c.user.ID))
	if err != nil {
		return nil, err
	}
	return legalDocumentView(c.tx, d), nil
}

func (s *Server) getLegalDocument(c *call) (any, error) {
	d, err := c.legalDocument()
	if err != nil {
		return nil, err
	}
	return legalDocumentView(c.tx, d), nil
}

// legalDocumentDownload redirects (302) to the signed PDF, or answers 404 while the document
// awaits signature.
func (s *Server) legalDocumentDownload(c *call) (any, error) {
	d, err := c.legalDocument()
	if err != nil {
		return nil, err
	}
	u := c.tx.LegalDocumentDownloadURL(d)
	if u == "" {
		return nil, store.ErrNotFound()
	}
	return redirect(u), nil
}
