package store

// Legal documents (BAA, DPA): records, the plan rule, state and operations.

import (
	"fmt"
	"strings"
	"time"
)

// LegalDocument is a BAA or DPA an organization asked PostHog to sign (PostHog's
// LegalDocument). The e-signature provider is emulated: a document stays
// submitted_for_signature until MarkLegalDocumentSigned.
type LegalDocument struct {
	ID                  string
	OrgID               string
	DocumentType        string // LegalBAA or LegalDPA
	CompanyName         string
	CompanyAddress      string
	RepresentativeName  string
	RepresentativeTitle string
	RepresentativeEmail string
	DPAMode             string // "pretty" or "lawyer" for a DPA, "" for a BAA
	Status              string // LegalStatusSubmitted or LegalStatusSigned
	// SignedDocumentURL is where download redirects once the document is signed.
	SignedDocumentURL string
	CreatedBy         int // user id; 0 when none
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// Legal document types and statuses.
const (
	LegalBAA             = "BAA"
	LegalDPA             = "DPA"
	LegalStatusSubmitted = "submitted_for_signature"
	LegalStatusSigned    = "signed"
)

// Messages of the legal document rules.
const (
	MsgBAANeedsAddon          = "A Boost, Scale, or Enterprise add-on is required to generate a BAA."
	MsgDPANeedsAddress        = "Company address is required for a DPA."
	MsgDPANeedsMode           = "Pick 'pretty' or 'lawyer' to submit. 'fairytale' and 'tswift' are preview-only."
	msgLegalDocumentExistsFmt = "Your organization already has a %s. Contact support if you need a new one."
)

// BAAAddonFeatures are the organization features that count as a Boost, Scale or Enterprise
// add-on, any of which allows a BAA.
var BAAAddonFeatures = []string{"boost", "scale", "enterprise"}

// legalState holds legal documents (BAA, DPA).
type legalState struct {
	noHooks
	byID  map[string]*LegalDocument
	byOrg map[string][]string // creation order
}

func (s *legalState) init() {
	s.byID = map[string]*LegalDocument{}
	s.byOrg = map[string][]string{}
}

// dropOrg removes the organization's documents.
func (s *legalState) dropOrg(tx *Tx, orgID string) {
	for _, id := range s.byOrg[orgID] {
		delete(s.byID, id)
	}
	delete(s.byOrg, orgID)
}

// LegalDocumentFields are the fields of a legal document create body, as the newest
// PostHog takes it (docs 004, the reference schema): the address is required for every
// document; representative name and title and the DPA mode are no longer read (ignored
// like any unknown key).
var LegalDocumentFields = Fields{
	{Name: "document_type", Kind: Choice, Required: true, Choices: []any{LegalBAA, LegalDPA}},
	{Name: "company_name", Kind: String, Required: true, MaxLen: 255},
	{Name: "company_address", Kind: String, Required: true, MaxLen: 512},
	{Name: "representative_email", Kind: Email, Required: true},
}

// LegalDocumentsAvailable reports whether legal documents exist on this instance: only on
// PostHog Cloud (self-hosted answers 404 to every legal document call).
func (tx *Tx) LegalDocumentsAvailable() bool { return !tx.opts.SelfHosted }

// LegalDocuments lists an organization's legal documents, newest first.
func (tx *Tx) LegalDocuments(orgID string) []*LegalDocument {
	return recordsByIDs(tx.st.ext.legal.byID, tx.st.ext.legal.byOrg[orgID], true)
}

// LegalDocument returns the organization's document with that id, or nil (also for an id
// that is not a UUID).
func (tx *Tx) LegalDocument(orgID, id string) *LegalDocument {
	d := tx.st.ext.legal.byID[strings.ToLower(id)]
	if d == nil || d.OrgID != orgID {
		return nil
	}
	return d
}

// NewLegalDocument is the input of CreateLegalDocument.
type NewLegalDocument struct {
	ID                  string // optional fixed id (a UUID)
	DocumentType        string // LegalBAA or LegalDPA
	CompanyName         string
	CompanyAddress      string
	RepresentativeName  string
	RepresentativeTitle string
	RepresentativeEmail string
	DPAMode             string
	CreatedBy           int // user id; 0 for none
	// Signed seeds the document as already signed (scenarios); SignedDocumentURL as in
	// MarkLegalDocumentSigned.
	Signed            bool
	SignedDocumentURL string
}

// LegalDocumentInput turns a validated create body (LegalDocumentFields) into the input of
// CreateLegalDocument.
func LegalDocumentInput(vals Values, createdBy int) NewLegalDocument {
	return NewLegalDocument{DocumentType: vals.Str("document_type"), CompanyName: vals.Str("company_name"),
		CompanyAddress: vals.Str("company_address"), RepresentativeEmail: vals.Str("representative_email"), CreatedBy: createdBy}
}

// CreateLegalDocument submits a BAA or DPA for signature, with PostHog's rules in its order:
// a BAA needs a Boost, Scale or Enterprise add-on (403; BAAAddonFeatures); an organization
// holds one document per type. The API requires the address of every document at the field
// level; scenario input (which has not been through LegalDocumentFields) needs it for a
// DPA, and its dpa_mode, when given, must be "pretty" or "lawyer" (older PostHog's modes; the
// newest no longer takes one).
func (tx *Tx) CreateLegalDocument(orgID string, in NewLegalDocument) (*LegalDocument, error) {
	org := tx.st.orgs[orgID]
	if org == nil {
		return nil, NotFound(MsgOrgNotFound)
	}
	// Scenario input has not been through LegalDocumentFields (the API's has).
	if in.CompanyName == "" {
		return nil, FieldError("company_name", "required", MsgRequired)
	}
	if !validEmail(in.RepresentativeEmail) {
		return nil, FieldError("representative_email", "invalid_input", MsgInvalidEmail)
	}
	switch in.DocumentType {
	case LegalBAA:
		if !orgHasAnyFeature(org, BAAAddonFeatures) {
			return nil, Forbidden(MsgBAANeedsAddon)
		}
		in.DPAMode = ""
	case LegalDPA:
		if strings.TrimSpace(in.CompanyAddress) == "" {
			return nil, FieldError("company_address", "invalid_input", MsgDPANeedsAddress)
		}
		if in.DPAMode != "" && in.DPAMode != "pretty" && in.DPAMode != "lawyer" {
			return nil, FieldError("dpa_mode", "invalid_input", MsgDPANeedsMode)
		}
	default:
		return nil, FieldError("document_type", "invalid_choice", MsgInvalidChoice(in.DocumentType))
	}
	for _, id := range tx.st.ext.legal.byOrg[orgID] {
		if tx.st.ext.legal.byID[id].DocumentType == in.DocumentType {
			return nil, FieldError("document_type", "invalid_input", fmt.Sprintf(msgLegalDocumentExistsFmt, in.DocumentType))
		}
	}
	id := strings.ToLower(in.ID)
	if id == "" {
		id = tx.NewUUID()
	} else if !IsUUID(id) || tx.st.ext.legal.byID[id] != nil {
		return nil, Invalid("A legal document id must be a new UUID.")
	}
	d := &LegalDocument{ID: id, OrgID: orgID, DocumentType: in.DocumentType, CompanyName: in.CompanyName,
		CompanyAddress: in.CompanyAddress, RepresentativeName: in.RepresentativeName,
		RepresentativeTitle: in.RepresentativeTitle, RepresentativeEmail: in.RepresentativeEmail, DPAMode: in.DPAMode,
		Status: LegalStatusSubmitted, CreatedBy: in.CreatedBy, CreatedAt: tx.now, UpdatedAt: tx.now}
	tx.st.ext.legal.byID[id] = d
	tx.st.ext.legal.byOrg[orgID] = append(tx.st.ext.legal.byOrg[orgID], id)
	if in.Signed {
		tx.MarkLegalDocumentSigned(d, in.SignedDocumentURL)
	}
	return d, nil
}

// MarkLegalDocumentSigned emulates the e-signature provider's "document completed" webhook:
// the document becomes signed and download redirects to signedURL ("" gives a deterministic
// fake signed URL, DefaultSignedDocumentURL).
func (tx *Tx) MarkLegalDocumentSigned(d *LegalDocument, signedURL string) {
	if signedURL == "" {
		signedURL = DefaultSignedDocumentURL(d)
	}
	d.Status, d.SignedDocumentURL, d.UpdatedAt = LegalStatusSigned, signedURL, tx.now
}

// DefaultSignedDocumentURL is the fake presigned URL of a signed document's PDF: derived
// from its ids only, so it is the same on every run. The host never resolves (.invalid).
func DefaultSignedDocumentURL(d *LegalDocument) string {
	sig := hashSecret(d.OrgID + "/" + d.ID)[:32]
	return "https://legal-documents.fakehog.invalid/" + d.OrgID + "/" + d.ID + ".pdf?expires_in=60&signature=" + sig
}

// LegalDocumentDownloadURL returns where download redirects: the signed PDF's URL, or "" while
// the document awaits signature (404).
func (tx *Tx) LegalDocumentDownloadURL(d *LegalDocument) string {
	if d.Status != LegalStatusSigned {
		return ""
	}
	return d.SignedDocumentURL
}

func orgHasAnyFeature(o *Organization, keys []string) bool {
	for _, k := range keys {
		if _, ok := o.Feature(k); ok {
			return true
		}
	}
	return false
}
