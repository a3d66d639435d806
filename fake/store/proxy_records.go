package store

// Proxy records: the records, their statuses and certificate, the emulated DNS, state and
// operations.

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"strings"
	"time"
)

// ProxyRecord is a managed reverse proxy (PostHog's ProxyRecord): a customer domain whose
// CNAME points at PostHog, provisioned by a background workflow that the fake emulates
// (AdvanceProxyRecord, SetProxyRecordStatus).
type ProxyRecord struct {
	ID          string
	OrgID       string
	Domain      string // globally unique
	TargetCNAME string
	Status      string
	Message     *string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	CreatedBy   int // user id; 0 when none
	// CertExpiresAt is the emulated TLS certificate's expiry, set when the proxy becomes
	// valid (diagnose reads it).
	CertExpiresAt *time.Time
}

// The proxy record statuses (ProxyRecord.Status).
const (
	ProxyWaiting  = "waiting"
	ProxyIssuing  = "issuing"
	ProxyValid    = "valid"
	ProxyWarning  = "warning"
	ProxyErroring = "erroring"
	ProxyDeleting = "deleting"
	ProxyTimedOut = "timed_out"
)

// ProxyStatuses lists every proxy record status.
var ProxyStatuses = []string{ProxyWaiting, ProxyIssuing, ProxyValid, ProxyWarning, ProxyErroring, ProxyDeleting, ProxyTimedOut}

// ProxyBaseCNAME is the host every target_cname hangs off (PostHog's PROXY_BASE_CNAME).
const ProxyBaseCNAME = "proxyhog.com"

// DefaultMaxProxyRecords is the quota without a managed_reverse_proxy limit.
const DefaultMaxProxyRecords = 2

// ProxyCertValidity is how long the emulated certificate of a valid proxy lasts.
const ProxyCertValidity = 90 * 24 * time.Hour

// ProxyDiagnoseCooldown is the per-user, per-record pause between two diagnostics.
const ProxyDiagnoseCooldown = 30 * time.Second

// ProxyRecordFields are the writable fields of a proxy record (create, PUT, PATCH).
var ProxyRecordFields = Fields{
	{Name: "domain", Kind: String, Required: true, MaxLen: 64},
}

// proxyState holds managed reverse proxy records and the emulated outside world they
// depend on.
type proxyState struct {
	noHooks
	byID     map[string]*ProxyRecord
	byOrg    map[string][]string // creation order
	byDomain map[string]string   // domain → id
	// cname is the emulated DNS: domain → the target its CNAME record points at.
	cname map[string]string
	// diagnosed is when each (record, user) last ran a diagnostic, for the cooldown.
	diagnosed map[string]time.Time
}

func (s *proxyState) init() {
	s.byID = map[string]*ProxyRecord{}
	s.byOrg = map[string][]string{}
	s.byDomain = map[string]string{}
	s.cname = map[string]string{}
	s.diagnosed = map[string]time.Time{}
}

// dropOrg removes the organization's proxy records (the DNS stays: it is the outside
// world's).
func (s *proxyState) dropOrg(tx *Tx, orgID string) {
	for _, id := range s.byOrg[orgID] {
		s.forget(id)
	}
	delete(s.byOrg, orgID)
}

// forget removes a record from every index but byOrg.
func (s *proxyState) forget(id string) {
	if r := s.byID[id]; r != nil {
		delete(s.byDomain, r.Domain)
	}
	delete(s.byID, id)
	for k := range s.diagnosed {
		if strings.HasPrefix(k, id+"/") {
			delete(s.diagnosed, k)
		}
	}
}

// ProxyTargetCNAME is PostHog's generate_target_cname: the first 20 hex digits of
// sha256(organization id + domain), under ProxyBaseCNAME.
func ProxyTargetCNAME(orgID, domain string) string {
	sum := sha256.Sum256([]byte(orgID + domain))
	return hex.EncodeToString(sum[:])[:20] + "." + ProxyBaseCNAME
}

// MaxProxyRecords is the organization's quota: the managed_reverse_proxy feature's limit,
// DefaultMaxProxyRecords without one.
func MaxProxyRecords(o *Organization) int {
	if f, ok := o.Feature("managed_reverse_proxy"); ok && f.Limit != nil {
		return *f.Limit
	}
	return DefaultMaxProxyRecords
}

// ProxyRecords lists an organization's proxy records, newest first.
func (tx *Tx) ProxyRecords(orgID string) []*ProxyRecord {
	return recordsByIDs(tx.st.ext.proxies.byID, tx.st.ext.proxies.byOrg[orgID], true)
}

// ProxyRecord returns the organization's proxy record with that id, or nil.
func (tx *Tx) ProxyRecord(orgID, id string) *ProxyRecord {
	r := tx.st.ext.proxies.byID[strings.ToLower(id)]
	if r == nil || r.OrgID != orgID {
		return nil
	}
	return r
}

// checkProxyDomain enforces the database's global uniqueness of domains (PostHog answers
// 500 there; the fake answers the field error Django's unique validator would give).
func (tx *Tx) checkProxyDomain(domain, except string) *Error {
	if id, taken := tx.st.ext.proxies.byDomain[domain]; taken && id != except {
		return FieldError("domain", "unique", "proxy record with this domain already exists.")
	}
	return nil
}

// CreateProxyRecord creates a proxy record from a validated body (ProxyRecordFields),
// within the organization's quota: beyond it, PostHog's hand-made 400
// {"detail": "Maximum of N proxy records per organization."}. The record starts waiting.
func (tx *Tx) CreateProxyRecord(o *Organization, creator *User, vals Values) (*ProxyRecord, error) {
	domain := vals.Str("domain")
	if max := MaxProxyRecords(o); len(tx.st.ext.proxies.byOrg[o.ID]) >= max {
		return nil, HandMade(400, map[string]any{"detail": fmt.Sprintf("Maximum of %d proxy records per organization.", max)})
	}
	if err := tx.checkProxyDomain(domain, ""); err != nil {
		return nil, err
	}
	r := &ProxyRecord{ID: tx.NewUUID(), OrgID: o.ID, Domain: domain, TargetCNAME: ProxyTargetCNAME(o.ID, domain),
		Status: ProxyWaiting, CreatedAt: tx.now, UpdatedAt: tx.now}
	if creator != nil {
		r.CreatedBy = creator.ID
	}
	tx.insertProxyRecord(r)
	return r, nil
}

func (tx *Tx) insertProxyRecord(r *ProxyRecord) {
	s := &tx.st.ext.proxies
	s.byID[r.ID] = r
	s.byOrg[r.OrgID] = append(s.byOrg[r.OrgID], r.ID)
	s.byDomain[r.Domain] = r.ID
}

// UpdateProxyRecord applies a validated PUT or PATCH body: it changes the domain only.
// target_cname, status and message are read-only in ProxyRecordSerializer
// (posthog/api/proxy_record.py) and the viewset has no update of its own, so they keep
// their values (and no provisioning starts over).
func (tx *Tx) UpdateProxyRecord(r *ProxyRecord, vals Values) error {
	if vals.Has("domain") && vals.Str("domain") != r.Domain {
		domain := vals.Str("domain")
		if err := tx.checkProxyDomain(domain, r.ID); err != nil {
			return err
		}
		s := &tx.st.ext.proxies
		delete(s.byDomain, r.Domain)
		s.byDomain[domain] = r.ID
		r.Domain = domain
	}
	r.UpdatedAt = tx.now
	return nil
}

// DeleteProxyRecord is DELETE: a record that was never provisioned (waiting) or failed
// (erroring, timed_out) goes at once; any other starts the deletion workflow and shows
// status deleting until AdvanceProxyRecord completes it.
func (tx *Tx) DeleteProxyRecord(r *ProxyRecord) {
	switch r.Status {
	case ProxyWaiting, ProxyErroring, ProxyTimedOut:
		tx.removeProxyRecord(r)
	default:
		r.Status = ProxyDeleting
		r.UpdatedAt = tx.now
	}
}

func (tx *Tx) removeProxyRecord(r *ProxyRecord) {
	s := &tx.st.ext.proxies
	s.forget(r.ID)
	s.byOrg[r.OrgID] = removeString(s.byOrg[r.OrgID], r.ID)
}

// RetryProxyRecord is POST retry: only an erroring or timed out record goes back to
// waiting (message cleared); any other answers PostHog's hand-made 400.
func (tx *Tx) RetryProxyRecord(r *ProxyRecord) error {
	if r.Status != ProxyErroring && r.Status != ProxyTimedOut {
		return HandMade(400, map[string]any{"detail": fmt.Sprintf("Cannot retry proxy in %s state.", r.Status)})
	}
	r.Status, r.Message = ProxyWaiting, nil
	r.UpdatedAt = tx.now
	return nil
}

// NewProxyRecord is the input of SeedProxyRecord.
type NewProxyRecord struct {
	ID        string // optional fixed id (a UUID)
	Domain    string
	Status    string // waiting when empty
	Message   string // "" for none
	CreatedBy *User  // nil for none
	// CNAME also sets the domain's emulated CNAME record to the record's target.
	CNAME bool
}

// SeedProxyRecord creates a proxy record for a scenario, in any status and without the
// plan quota (scenarios set features themselves); domains stay globally unique.
func (tx *Tx) SeedProxyRecord(orgID string, in NewProxyRecord) (*ProxyRecord, error) {
	if tx.st.orgs[orgID] == nil {
		return nil, NotFound(MsgOrgNotFound)
	}
	domain := strings.TrimSpace(in.Domain)
	if domain == "" {
		return nil, FieldError("domain", "blank", MsgBlank)
	}
	if len([]rune(domain)) > 64 {
		return nil, FieldError("domain", "max_length", MsgMaxLen(64))
	}
	if err := tx.checkProxyDomain(domain, ""); err != nil {
		return nil, err
	}
	status := in.Status
	if status == "" {
		status = ProxyWaiting
	}
	if !validProxyStatus(status) {
		return nil, FieldError("status", "invalid_choice", MsgInvalidChoice(status))
	}
	id := strings.ToLower(in.ID)
	if id == "" {
		id = tx.NewUUID()
	} else if !IsUUID(id) || tx.st.ext.proxies.byID[id] != nil {
		return nil, Invalid("A proxy record id must be a new UUID.")
	}
	r := &ProxyRecord{ID: id, OrgID: orgID, Domain: domain, TargetCNAME: ProxyTargetCNAME(orgID, domain),
		CreatedAt: tx.now, UpdatedAt: tx.now}
	if in.CreatedBy != nil {
		r.CreatedBy = in.CreatedBy.ID
	}
	tx.setProxyStatus(r, status, in.Message)
	r.UpdatedAt = tx.now
	tx.insertProxyRecord(r)
	if in.CNAME {
		tx.st.ext.proxies.cname[domain] = r.TargetCNAME
	}
	return r, nil
}

func validProxyStatus(s string) bool {
	for _, x := range ProxyStatuses {
		if x == s {
			return true
		}
	}
	return false
}

func (tx *Tx) setProxyStatus(r *ProxyRecord, status, message string) {
	r.Status = status
	r.Message = nil
	if message != "" {
		m := message
		r.Message = &m
	}
	if status == ProxyValid || status == ProxyWarning {
		if r.CertExpiresAt == nil {
			exp := tx.now.Add(ProxyCertValidity)
			r.CertExpiresAt = &exp
		}
	} else if status != ProxyDeleting {
		r.CertExpiresAt = nil
	}
}

// SetProxyRecordStatus puts a record in any status with a message ("" for none), as the
// provisioning workflow or the daily monitor would (e.g. erroring with the reason).
// Becoming valid or warning issues the emulated certificate (ProxyCertValidity from now).
func (tx *Tx) SetProxyRecordStatus(r *ProxyRecord, status, message string) error {
	if !validProxyStatus(status) {
		return FieldError("status", "invalid_choice", MsgInvalidChoice(status))
	}
	tx.setProxyStatus(r, status, message)
	r.UpdatedAt = tx.now
	return nil
}

// SetProxyCertExpiry sets the emulated certificate's expiry of a valid (or warning)
// record, e.g. to make diagnose report a certificate about to expire.
func (tx *Tx) SetProxyCertExpiry(r *ProxyRecord, at time.Time) {
	at = at.UTC()
	r.CertExpiresAt = &at
}

// SetProxyCNAME emulates the outside world's DNS: the CNAME record of domain points at
// target ("" removes it). The domain need not have a proxy record.
func (tx *Tx) SetProxyCNAME(domain, target string) {
	domain = strings.TrimSpace(domain)
	if target == "" {
		delete(tx.st.ext.proxies.cname, domain)
		return
	}
	tx.st.ext.proxies.cname[domain] = target
}

// ProxyCNAME is where the domain's emulated CNAME record points ("" when it has none).
func (tx *Tx) ProxyCNAME(domain string) string { return tx.st.ext.proxies.cname[domain] }

// proxyCNAMEOK reports whether the record's domain points at its target (a trailing dot
// on the record does not matter).
func (tx *Tx) proxyCNAMEOK(r *ProxyRecord) bool {
	got := strings.TrimSuffix(tx.st.ext.proxies.cname[r.Domain], ".")
	return got != "" && strings.EqualFold(got, r.TargetCNAME)
}

// AdvanceProxyRecord runs one step of the emulated provisioning workflow and returns the
// record's new status ("" once a deletion has completed and the record is gone):
//   - waiting → issuing once the domain's CNAME points at target_cname (SetProxyCNAME);
//     without it the record keeps waiting;
//   - issuing → valid (the certificate is issued for ProxyCertValidity);
//   - deleting → the record is removed;
//   - valid, warning, erroring and timed_out are final until something else happens.
func (tx *Tx) AdvanceProxyRecord(r *ProxyRecord) string {
	switch r.Status {
	case ProxyWaiting:
		if !tx.proxyCNAMEOK(r) {
			return r.Status
		}
		tx.setProxyStatus(r, ProxyIssuing, "")
	case ProxyIssuing:
		tx.setProxyStatus(r, ProxyValid, "")
	case ProxyDeleting:
		tx.removeProxyRecord(r)
		return ""
	default:
		return r.Status
	}
	r.UpdatedAt = tx.now
	return r.Status
}

// AdvanceProxyRecords runs AdvanceProxyRecord once on every record of the organization.
func (tx *Tx) AdvanceProxyRecords(orgID string) {
	for _, r := range tx.ProxyRecords(orgID) {
		tx.AdvanceProxyRecord(r)
	}
}

// ProxyDiagnosticCheck is one check of a diagnostic report.
type ProxyDiagnosticCheck struct {
	ID          string
	Name        string
	Status      string // passed, warned, failed, skipped
	Detail      string
	Remediation *ProxyRemediation
}

// ProxyRemediation is what the customer should do about a failed check.
type ProxyRemediation struct {
	Type    string // dns, config, wait, retry
	Summary string
	Records []ProxyDNSRecord
}

// ProxyDNSRecord is a DNS record the customer should add.
type ProxyDNSRecord struct{ Name, Type, Value string }

// ProxyDiagnosticReport is the answer of POST diagnose.
type ProxyDiagnosticReport struct {
	RanAt        time.Time
	Status       string  // healthy, warn, fail
	PrimaryIssue *string // check id
	NextAction   *string
	Checks       []ProxyDiagnosticCheck
}

// DiagnoseProxyRecord is POST diagnose for user: at most one run per user and record every
// ProxyDiagnoseCooldown (otherwise PostHog's hand-made 429), then PostHog's checks (legacy
// certificate path) against the emulated world: the CNAME record (SetProxyCNAME), a live
// event probe that succeeds while the proxy is valid or warning, no CAA records, and the
// emulated certificate's expiry.
func (tx *Tx) DiagnoseProxyRecord(r *ProxyRecord, user *User) (*ProxyDiagnosticReport, error) {
	key := fmt.Sprintf("%s/%d", r.ID, user.ID)
	s := &tx.st.ext.proxies
	if last, ok := s.diagnosed[key]; ok && tx.now.Before(last.Add(ProxyDiagnoseCooldown)) {
		return nil, HandMade(429, map[string]any{"detail": "A diagnostic was just run for this proxy. Please wait a few seconds before trying again."})
	}
	s.diagnosed[key] = tx.now
	d := "`" + r.Domain + "`"
	skip := func(id, name, detail string) ProxyDiagnosticCheck {
		return ProxyDiagnosticCheck{ID: id, Name: name, Status: "skipped", Detail: detail}
	}
	var checks []ProxyDiagnosticCheck
	cname := ProxyDiagnosticCheck{ID: "cname", Name: "DNS CNAME", Status: "passed", Detail: d + " is correctly configured."}
	records := []ProxyDNSRecord{{Name: r.Domain, Type: "CNAME", Value: r.TargetCNAME}}
	if actual := s.cname[r.Domain]; actual == "" {
		cname = ProxyDiagnosticCheck{ID: "cname", Name: "DNS CNAME", Status: "failed",
			Detail:      d + " doesn't have a CNAME DNS record yet. Add the record below at your DNS provider.",
			Remediation: &ProxyRemediation{Type: "dns", Summary: "Add the CNAME record below for " + d + ".", Records: records}}
	} else if !tx.proxyCNAMEOK(r) {
		cname = ProxyDiagnosticCheck{ID: "cname", Name: "DNS CNAME", Status: "failed",
			Detail:      d + " is pointing to `" + actual + "` instead of the expected target. Update the CNAME record below at your DNS provider.",
			Remediation: &ProxyRemediation{Type: "dns", Summary: "Update the CNAME record for " + d + " to the value below.", Records: records}}
	}
	checks = append(checks, cname)
	serving := r.Status == ProxyValid || r.Status == ProxyWarning
	live := skip("live_event", "Live event probe", "Skipped — DNS isn't pointing at the proxy yet.")
	if cname.Status == "passed" {
		if serving {
			live = ProxyDiagnosticCheck{ID: "live_event", Name: "Live event probe", Status: "passed", Detail: "Sent a test event to " + d + " successfully."}
		} else {
			live = ProxyDiagnosticCheck{ID: "live_event", Name: "Live event probe", Status: "failed", Detail: "TLS connection to " + d + " failed."}
		}
	}
	checks = append(checks, live)
	if live.Status == "passed" {
		checks = append(checks, tx.proxyCertCheck(r))
	} else {
		checks = append(checks,
			skip("cloudflare", "Certificate provider", "Skipped — this proxy uses the legacy certificate path."),
			ProxyDiagnosticCheck{ID: "caa", Name: "CAA records", Status: "passed", Detail: "No CAA records found in the DNS chain — issuance is unrestricted."},
			skip("http_challenge", "HTTP-01 challenge", "Skipped — not applicable for this proxy."),
			skip("cert_expiry", "Certificate expiry", "Skipped — proxy isn't serving traffic yet."))
	}
	rep := &ProxyDiagnosticReport{RanAt: tx.now, Status: "healthy", Checks: checks}
	rep.summarize()
	return rep, nil
}

func (tx *Tx) proxyCertCheck(r *ProxyRecord) ProxyDiagnosticCheck {
	exp := tx.now.Add(ProxyCertValidity)
	if r.CertExpiresAt != nil {
		exp = *r.CertExpiresAt
	}
	days := int(math.Floor(exp.Sub(tx.now).Hours() / 24)) // Python's timedelta.days floors
	if days < 14 {
		return ProxyDiagnosticCheck{ID: "cert_expiry", Name: "Certificate expiry", Status: "failed",
			Detail:      fmt.Sprintf("The TLS certificate for `%s` expires in %d days and isn't being renewed. Hit Retry to start a fresh issuance.", r.Domain, days),
			Remediation: &ProxyRemediation{Type: "config", Summary: "The certificate isn't auto-renewing — contact support."}}
	}
	return ProxyDiagnosticCheck{ID: "cert_expiry", Name: "Certificate expiry", Status: "passed", Detail: fmt.Sprintf("Certificate is valid for %d more days.", days)}
}

// summarize is PostHog's _build_summary: healthy when the live probe passes (warn on a
// failing certificate), else the first failed or warned check in priority order.
func (rep *ProxyDiagnosticReport) summarize() {
	byID := map[string]*ProxyDiagnosticCheck{}
	for i := range rep.Checks {
		byID[rep.Checks[i].ID] = &rep.Checks[i]
	}
	if live := byID["live_event"]; live != nil && live.Status == "passed" {
		if cert := byID["cert_expiry"]; cert != nil && cert.Status == "failed" {
			issue, next := "cert_expiry", cert.Detail
			rep.Status, rep.PrimaryIssue, rep.NextAction = "warn", &issue, &next
		}
		return
	}
	for _, id := range []string{"cname", "caa", "http_challenge", "cloudflare", "live_event", "cert_expiry"} {
		c := byID[id]
		if c == nil || (c.Status != "failed" && c.Status != "warned") {
			continue
		}
		next := c.Detail
		if c.Remediation != nil {
			next = c.Remediation.Summary
		}
		issue := id
		rep.Status, rep.PrimaryIssue, rep.NextAction = "warn", &issue, &next
		if c.Status == "failed" {
			rep.Status = "fail"
		}
		return
	}
}
