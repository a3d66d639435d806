package fake

// The organization domain routes (verification, SAML, SCIM): the domain view and its
// handlers.

import (
	"math"
	"strconv"
	"strings"

	"github.com/fakehog/fakehog/fake/store"
)

// domainJSON is PostHog's OrganizationDomain.
type domainJSON struct {
	ID                     string  `json:"id"`
	Domain                 string  `json:"domain"`
	IsVerified             bool    `json:"is_verified"`
	VerifiedAt             *string `json:"verified_at"`
	VerificationChallenge  string  `json:"verification_challenge"`
	JITProvisioningEnabled bool    `json:"jit_provisioning_enabled"`
	SSOEnforcement         string  `json:"sso_enforcement"`
	HasSAML                bool    `json:"has_saml"`
	SAMLEntityID           *string `json:"saml_entity_id"`
	SAMLACSURL             *string `json:"saml_acs_url"`
	SAMLX509Cert           *string `json:"saml_x509_cert"`
	HasSCIM                bool    `json:"has_scim"`
	SCIMEnabled            bool    `json:"scim_enabled"`
	SCIMBaseURL            *string `json:"scim_base_url"`
	// SCIMBearerToken is the plaintext token only in the answer to the update that enabled
	// SCIM; null everywhere else.
	SCIMBearerToken *string `json:"scim_bearer_token"`
}

func domainView(c *call, d *store.Domain, scimToken string) domainJSON {
	v := domainJSON{ID: d.ID, Domain: d.Domain, IsVerified: d.IsVerified(), VerifiedAt: isoTimePtr(d.VerifiedAt),
		VerificationChallenge: d.VerificationChallenge, JITProvisioningEnabled: d.JITProvisioningEnabled,
		SSOEnforcement: d.SSOEnforcement, HasSAML: d.HasSAML(), SAMLEntityID: d.SAMLEntityID, SAMLACSURL: d.SAMLACSURL,
		SAMLX509Cert: d.SAMLX509Cert, HasSCIM: d.HasSCIM(), SCIMEnabled: d.SCIMEnabled}
	if d.HasSCIM() {
		u := scimBaseURL(c, d)
		v.SCIMBaseURL = &u
	}
	if scimToken != "" {
		v.SCIMBearerToken = &scimToken
	}
	return v
}

// scimBaseURL is PostHog's get_scim_base_url: SITE_URL/scim/v2/<domain id>.
func scimBaseURL(c *call, d *store.Domain) string { return siteURL(c.r) + "/scim/v2/" + d.ID }

// domain finds the URL's domain in the call's organization (404 otherwise).
func (c *call) domain() (*store.Domain, error) {
	return orNotFound(c.tx.Domain(c.org.ID, c.vars["id"]))
}

func (s *Server) listDomains(c *call) (any, error) {
	return paginate(c, c.tx.Domains(c.org.ID), func(d *store.Domain) any { return domainView(c, d, "") }), nil
}

func (s *Server) createDomain(c *call) (any, error) {
	vals, err := c.validate(c.tx.DomainCreateFields())
	if err != nil {
		return nil, err
	}
	d, err := c.tx.CreateDomain(c.org.ID, vals, store.DomainOptions{})
	if err != nil {
		return nil, err
	}
	return domainView(c, d, ""), nil
}

func (s *Server) getDomain(c *call) (any, error) {
	d, err := c.domain()
	if err != nil {
		return nil, err
	}
	return domainView(c, d, ""), nil
}

// updateDomain serves PUT and PATCH alike: no field is required once the domain exists.
func (s *Server) updateDomain(c *call) (any, error) {
	d, err := c.domain()
	if err != nil {
		return nil, err
	}
	vals, err := c.validate(store.DomainUpdateFields)
	if err != nil {
		return nil, err
	}
	token, err := c.tx.UpdateDomain(d, vals)
	if err != nil {
		return nil, err
	}
	return domainView(c, d, token), nil
}

func (s *Server) deleteDomain(c *call) (any, error) {
	return deleteFound(c.domain, c.tx.DeleteDomain)
}

// domainVerify always answers 200 with the domain; is_verified tells whether the emulated
// DNS record was in place.
func (s *Server) domainVerify(c *call) (any, error) {
	d, err := c.domain()
	if err != nil {
		return nil, err
	}
	if err := c.tx.VerifyDomain(d); err != nil {
		return nil, err
	}
	return domainView(c, d, ""), nil
}

// scimTokenJSON is the answer of POST scim/token (the reference declares no body).
type scimTokenJSON struct {
	SCIMEnabled     bool   `json:"scim_enabled"`
	SCIMBaseURL     string `json:"scim_base_url"`
	SCIMBearerToken string `json:"scim_bearer_token"`
}

func (s *Server) domainScimToken(c *call) (any, error) {
	d, err := c.domain()
	if err != nil {
		return nil, err
	}
	token, err := c.tx.RegenerateSCIMToken(d)
	if err != nil {
		return nil, err
	}
	return scimTokenJSON{SCIMEnabled: true, SCIMBaseURL: scimBaseURL(c, d), SCIMBearerToken: token}, nil
}

// scimLogJSON is PostHog's SCIMRequestLog.
type scimLogJSON struct {
	ID               string         `json:"id"`
	RequestMethod    string         `json:"request_method"`
	RequestPath      string         `json:"request_path"`
	RequestHeaders   map[string]any `json:"request_headers"`
	RequestBody      any            `json:"request_body"`
	ResponseStatus   int            `json:"response_status"`
	ResponseBody     any            `json:"response_body"`
	IdentityProvider string         `json:"identity_provider"`
	DurationMS       *int           `json:"duration_ms"`
	CreatedAt        string         `json:"created_at"`
}

func scimLogView(l *store.SCIMRequestLog) any {
	return scimLogJSON{ID: l.ID, RequestMethod: l.RequestMethod, RequestPath: l.RequestPath, RequestHeaders: l.RequestHeaders,
		RequestBody: l.RequestBody, ResponseStatus: l.ResponseStatus, ResponseBody: l.ResponseBody,
		IdentityProvider: l.IdentityProvider, DurationMS: l.DurationMS, CreatedAt: isoTime(l.CreatedAt)}
}

// domainScimLogs lists a domain's SCIM request logs, newest first, 20 per page (page_size up
// to 100). PostHog checks the admin level inside the action, before looking the domain up.
func (s *Server) domainScimLogs(c *call) (any, error) {
	if c.member.Level < store.LevelAdmin {
		return nil, store.Forbidden(store.MsgSCIMLogsAdminOnly)
	}
	d, err := c.domain()
	if err != nil {
		return nil, err
	}
	q := c.r.URL.Query()
	var f store.SCIMLogFilter
	f.StatusMin, f.StatusMax = scimFilterNumber(q.Get("status_min"), true), scimFilterNumber(q.Get("status_max"), false)
	f.Search = q.Get("search")
	if t, ok := store.ParseDateTime(q.Get("after")); ok && q.Get("after") != "" {
		f.After = &t
	}
	if t, ok := store.ParseDateTime(q.Get("before")); ok && q.Get("before") != "" {
		f.Before = &t
	}
	return paginatePageNumber(c, c.tx.SCIMLogs(d, f), scimLogView, 20, 100)
}

// scimFilterNumber reads a django-filter NumberFilter bound; an invalid one filters nothing. A
// fractional bound is rounded inwards (up for a minimum), as statuses are integers.
func scimFilterNumber(s string, isMin bool) *int {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return nil
	}
	if isMin {
		f = math.Ceil(f)
	} else {
		f = math.Floor(f)
	}
	n := int(f)
	return &n
}

// numberPage is DRF's PageNumberPagination body.
type numberPage struct {
	Count    int     `json:"count"`
	Next     *string `json:"next"`
	Previous *string `json:"previous"`
	Results  []any   `json:"results"`
}

// paginatePageNumber is DRF's PageNumberPagination with ?page (from 1, or "last") and
// ?page_size (invalid or non-positive → size, capped at max). A page out of range is 404
// "Invalid page.".
// TODO(shared): fold into pagination.go if another resource needs it.
func paginatePageNumber[T any](c *call, items []T, render func(T) any, size, max int) (numberPage, error) {
	q := c.r.URL.Query()
	if v := strings.TrimSpace(q.Get("page_size")); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n > 0 {
			size = min(n, max)
		}
	}
	pages := (len(items) + size - 1) / size
	if pages == 0 {
		pages = 1 // an empty first page is allowed
	}
	pg := 1
	if v := q.Get("page"); v != "" {
		if v == "last" {
			pg = pages
		} else {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > pages {
				return numberPage{}, store.NotFound("Invalid page.")
			}
			pg = n
		}
	}
	out := numberPage{Count: len(items), Results: []any{}}
	for i := (pg - 1) * size; i < len(items) && i < pg*size; i++ {
		out.Results = append(out.Results, render(items[i]))
	}
	if pg < pages {
		out.Next = c.pageURL(map[string]int{"page": pg + 1})
	}
	if pg > 1 {
		prev := pg - 1
		if prev == 1 {
			prev = -1 // page 1 drops the parameter
		}
		out.Previous = c.pageURL(map[string]int{"page": prev})
	}
	return out, nil
}
