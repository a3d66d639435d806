package fake

// The proxy record routes (managed reverse proxies): the record view and its handlers.

import (
	"github.com/fakehog/fakehog/fake/store"
)

// proxyRecordJSON is PostHog's ProxyRecord.
type proxyRecordJSON struct {
	ID          string  `json:"id"`
	Domain      string  `json:"domain"`
	TargetCNAME string  `json:"target_cname"`
	Status      string  `json:"status"`
	Message     *string `json:"message"`
	CreatedAt   string  `json:"created_at"`
	UpdatedAt   string  `json:"updated_at"`
	CreatedBy   *int    `json:"created_by"`
}

func proxyRecordView(r *store.ProxyRecord) proxyRecordJSON {
	v := proxyRecordJSON{ID: r.ID, Domain: r.Domain, TargetCNAME: r.TargetCNAME, Status: r.Status, Message: r.Message,
		CreatedAt: isoTime(r.CreatedAt), UpdatedAt: isoTime(r.UpdatedAt)}
	if r.CreatedBy != 0 {
		id := r.CreatedBy
		v.CreatedBy = &id
	}
	return v
}

// proxyRecordListJSON is ProxyRecordListResponse: the list is not paginated.
type proxyRecordListJSON struct {
	Results         []proxyRecordJSON `json:"results"`
	MaxProxyRecords int               `json:"max_proxy_records"`
}

// proxyRecord finds the URL's record in the call's organization (404 otherwise).
func (c *call) proxyRecord() (*store.ProxyRecord, error) {
	return orNotFound(c.tx.ProxyRecord(c.org.ID, c.vars["id"]))
}

func (s *Server) listProxyRecords(c *call) (any, error) {
	out := proxyRecordListJSON{Results: []proxyRecordJSON{}, MaxProxyRecords: store.MaxProxyRecords(c.org)}
	for _, r := range c.tx.ProxyRecords(c.org.ID) {
		out.Results = append(out.Results, proxyRecordView(r))
	}
	return out, nil
}

func (s *Server) createProxyRecord(c *call) (any, error) {
	vals, err := c.validateAs(store.ProxyRecordFields, store.Create)
	if err != nil {
		return nil, err
	}
	r, err := c.tx.CreateProxyRecord(c.org, c.user, vals)
	if err != nil {
		return nil, err
	}
	return proxyRecordView(r), nil
}

func (s *Server) getProxyRecord(c *call) (any, error) {
	r, err := c.proxyRecord()
	if err != nil {
		return nil, err
	}
	return proxyRecordView(r), nil
}

// updateProxyRecord is PUT and PATCH (the 2025-11 ModelViewSet).
func (s *Server) updateProxyRecord(c *call) (any, error) {
	r, err := c.proxyRecord()
	if err != nil {
		return nil, err
	}
	vals, err := c.validate(store.ProxyRecordFields)
	if err != nil {
		return nil, err
	}
	if err := c.tx.UpdateProxyRecord(r, vals); err != nil {
		return nil, err
	}
	return proxyRecordView(r), nil
}

func (s *Server) deleteProxyRecord(c *call) (any, error) {
	r, err := c.proxyRecord()
	if err != nil {
		return nil, err
	}
	c.tx.DeleteProxyRecord(r)
	return map[string]bool{"success": true}, nil
}

func (s *Server) proxyRecordRetry(c *call) (any, error) {
	r, err := c.proxyRecord()
	if err != nil {
		return nil, err
	}
	if err := c.tx.RetryProxyRecord(r); err != nil {
		return nil, err
	}
	return proxyRecordView(r), nil
}

// The DiagnosticReport shapes.
type (
	diagnosticReportJSON struct {
		RanAt   string                `json:"ran_at"`
		Summary diagnosticSummaryJSON `json:"summary"`
		Checks  []diagnosticCheckJSON `json:"checks"`
	}
	diagnosticSummaryJSON struct {
		Status       string  `json:"status"`
		PrimaryIssue *string `json:"primary_issue"`
		NextAction   *string `json:"next_action"`
	}
	diagnosticCheckJSON struct {
		ID          string               `json:"id"`
		Name        string               `json:"name"`
		Status      string               `json:"status"`
		Detail      string               `json:"detail"`
		Remediation *diagnosticRemedJSON `json:"remediation"`
	}
	diagnosticRemedJSON struct {
		Type    string              `json:"type"`
		Summary string              `json:"summary"`
		Records []diagnosticDNSJSON `json:"records"`
	}
	diagnosticDNSJSON struct {
		Name  string `json:"name"`
		Type  string `json:"type"`
		Value string `json:"value"`
	}
)

func (s *Server) proxyRecordDiagnose(c *call) (any, error) {
	r, err := c.proxyRecord()
	if err != nil {
		return nil, err
	}
	rep, err := c.tx.DiagnoseProxyRecord(r, c.user)
	if err != nil {
		return nil, err
	}
	out := diagnosticReportJSON{RanAt: isoTime(rep.RanAt), Checks: []diagnosticCheckJSON{},
		Summary: diagnosticSummaryJSON{Status: rep.Status, PrimaryIssue: rep.PrimaryIssue, NextAction: rep.NextAction}}
	for _, ch := range rep.Checks {
		cj := diagnosticCheckJSON{ID: ch.ID, Name: ch.Name, Status: ch.Status, Detail: ch.Detail}
		if ch.Remediation != nil {
			rj := &diagnosticRemedJSON{Type: ch.Remediation.Type, Summary: ch.Remediation.Summary, Records: []diagnosticDNSJSON{}}
			for _, rec := range ch.Remediation.Records {
				rj.Records = append(rj.Records, diagnosticDNSJSON{Name: rec.Name, Type: rec.Type, Value: rec.Value})
			}
			cj.Remediation = rj
		}
		out.Checks = append(out.Checks, cj)
	}
	return out, nil
}
