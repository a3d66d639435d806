package store

// Organization domains: the records (verification, SAML, SCIM), their state, SCIM request
// logs, the emulated DNS and the operations.

import (
	"encoding/json"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Domain is an organization's email domain (PostHog's OrganizationDomain): verified through
// a DNS TXT record, it carries the SSO, SAML and SCIM settings of the people whose address
// is on it.
type Domain struct {
	ID                     string
	OrgID                  string
	Domain                 string // lowercase, globally unique, immutable
	VerificationChallenge  string // the value the TXT record at _posthog-challenge.<domain> must hold
	VerifiedAt             *time.Time
	LastVerificationRetry  *time.Time
	JITProvisioningEnabled bool
	SSOEnforcement         string
	SAMLEntityID           *string
	SAMLACSURL             *string
	SAMLX509Cert           *string
	SCIMEnabled            bool
	SCIMTokenHash          string // hash of the SCIM bearer token; "" when none
	CreatedAt              time.Time
}

// IsVerified reports whether the domain's ownership has been proven.
func (d *Domain) IsVerified() bool { return d.VerifiedAt != nil }

// HasSAML reports whether all three SAML attributes are set.
func (d *Domain) HasSAML() bool {
	return domainNonEmpty(d.SAMLEntityID) && domainNonEmpty(d.SAMLACSURL) && domainNonEmpty(d.SAMLX509Cert)
}

// HasSCIM reports whether SCIM is enabled and has a bearer token.
func (d *Domain) HasSCIM() bool { return d.SCIMEnabled && d.SCIMTokenHash != "" }

func domainNonEmpty(s *string) bool { return s != nil && *s != "" }

// SCIMRequestLog is one SCIM request an identity provider made against a domain (PostHog's
// SCIMRequestLog). Nothing in the fake calls SCIM; scenarios record them with
// RecordSCIMRequest.
type SCIMRequestLog struct {
	ID               string
	DomainID         string
	RequestMethod    string
	RequestPath      string
	RequestHeaders   map[string]any
	RequestBody      any // decoded JSON or nil
	ResponseStatus   int
	ResponseBody     any // decoded JSON or nil
	IdentityProvider string
	DurationMS       *int
	CreatedAt        time.Time
}

// domainState holds verified and unverified domains, the emulated DNS and SCIM logs.
type domainState struct {
	noHooks
	byID   map[string]*Domain
	byOrg  map[string][]string // domain ids, ordered by domain name
	byName map[string]string   // domain name → id (names are unique across organizations)
	// dns is the emulated outside world: the domain names whose TXT record at
	// _posthog-challenge.<domain> holds their verification challenge.
	dns map[string]bool
	// logs are the SCIM request logs by domain id, oldest first.
	logs map[string][]*SCIMRequestLog
}

func (s *domainState) init() {
	s.byID = map[string]*Domain{}
	s.byOrg = map[string][]string{}
	s.byName = map[string]string{}
	s.dns = map[string]bool{}
	s.logs = map[string][]*SCIMRequestLog{}
}

// dropOrg removes the organization's domains and their SCIM logs (the DNS stays: it is the
// outside world's).
func (s *domainState) dropOrg(tx *Tx, orgID string) {
	for _, id := range s.byOrg[orgID] {
		if d := s.byID[id]; d != nil {
			delete(s.byName, d.Domain)
		}
		delete(s.byID, id)
		delete(s.logs, id)
	}
	delete(s.byOrg, orgID)
}

// reDomain is PostHog's DOMAIN_REGEX: lowercase labels and a TLD of two letters or more.
var reDomain = regexp.MustCompile(`^([a-z0-9]+(-[a-z0-9]+)*\.)+[a-z]{2,}$`)

// Messages of the domain rules.
const (
	MsgInvalidDomain        = "Please enter a valid domain or subdomain name."
	MsgDomainExists         = "domain with this domain already exists."
	MsgAutoProvisioningOff  = "Automatic provisioning is not enabled for this organization."
	MsgVerificationRequired = "This attribute cannot be updated until the domain is verified."
	MsgAlreadyVerified      = "This domain has already been verified."
	MsgSCIMNotAvailable     = "SCIM provisioning is not available for this organization."
	MsgSCIMFeatureMissing   = "SCIM is not available for this organization"
	MsgSCIMNotEnabled       = "SCIM is not enabled for this domain"
	MsgSCIMLogsAdminOnly    = "Only organization admins can view SCIM logs."
)

// Organization features the domain rules consult.
const (
	FeatureAutomaticProvisioning = "automatic_provisioning"
	FeatureSCIM                  = "scim"
)

// domainSettingFields are the writable settings of a domain (create and update alike).
var domainSettingFields = Fields{
	{Name: "jit_provisioning_enabled", Kind: Bool},
	{Name: "sso_enforcement", Kind: String, MaxLen: 28, AllowBlank: true},
	{Name: "saml_entity_id", Kind: String, MaxLen: 512, Nullable: true, AllowBlank: true},
	{Name: "saml_acs_url", Kind: String, MaxLen: 512, Nullable: true, AllowBlank: true},
	{Name: "saml_x509_cert", Kind: String, Nullable: true, AllowBlank: true},
	{Name: "scim_enabled", Kind: Bool},
}

// DomainCreateFields are the fields of a domain create body. The domain is checked for
// length, uniqueness (across every organization) and format, in PostHog's order.
func (tx *Tx) DomainCreateFields() Fields {
	domain := Field{Name: "domain", Kind: String, Required: true, MaxLen: 128, Check: func(v any) *Error {
		name, _ := v.(string)
		if _, taken := tx.st.ext.domains.byName[name]; taken {
			return FieldError("domain", "unique", MsgDomainExists)
		}
		if !reDomain.MatchString(name) {
			return FieldError("domain", "invalid_input", MsgInvalidDomain)
		}
		return nil
	}}
	return append(Fields{domain}, domainSettingFields...)
}

// DomainUpdateFields are the fields of a domain update body: domain is read-only once the
// domain exists, so it is ignored.
var DomainUpdateFields = domainSettingFields

// Domains lists an organization's domains ordered by domain name.
func (tx *Tx) Domains(orgID string) []*Domain {
	return recordsByIDs(tx.st.ext.domains.byID, tx.st.ext.domains.byOrg[orgID], false)
}

// Domain returns the organization's domain with that id, or nil.
func (tx *Tx) Domain(orgID, id string) *Domain {
	d := tx.st.ext.domains.byID[strings.ToLower(id)]
	if d == nil || d.OrgID != orgID {
		return nil
	}
	return d
}

// DomainByName returns the domain with that name in any organization, or nil.
func (tx *Tx) DomainByName(name string) *Domain {
	id, ok := tx.st.ext.domains.byName[strings.ToLower(name)]
	if !ok {
		return nil
	}
	return tx.st.ext.domains.byID[id]
}

// DomainOptions is what CreateDomain adds to the API's body.
type DomainOptions struct {
	// Verifiable puts the domain's DNS TXT record in place, so a later verify succeeds.
	Verifiable bool
}

// CreateDomain creates a domain from a validated create body (DomainCreateFields) as the API
// does: unverified, with a fresh 43-character verification challenge, no SSO enforcement, no
// JIT provisioning and no SCIM (those need a verified domain; the body's values for them are
// ignored). On PostHog Cloud the organization needs the automatic_provisioning feature.
// opts.Verifiable puts the domain's DNS TXT record in place (see SetDomainDNSRecord), so a
// later verify succeeds.
func (tx *Tx) CreateDomain(orgID string, vals Values, opts DomainOptions) (*Domain, error) {
	verifiable := opts.Verifiable
	org := tx.st.orgs[orgID]
	if org == nil {
		return nil, NotFound(MsgOrgNotFound)
	}
	name := vals.Str("domain")
	if err := tx.checkNewDomainName(name); err != nil {
		return nil, err
	}
	if !tx.opts.SelfHosted {
		if _, ok := org.Feature(FeatureAutomaticProvisioning); !ok {
			return nil, Forbidden(MsgAutoProvisioningOff)
		}
	}
	d := &Domain{OrgID: orgID, Domain: name, SAMLEntityID: vals.StrPtr("saml_entity_id"),
		SAMLACSURL: vals.StrPtr("saml_acs_url"), SAMLX509Cert: vals.StrPtr("saml_x509_cert")}
	tx.insertDomain(d, "")
	if verifiable {
		tx.st.ext.domains.dns[name] = true
	}
	return d, nil
}

func (tx *Tx) checkNewDomainName(name string) *Error {
	if name == "" {
		return FieldError("domain", "required", MsgRequired)
	}
	if len([]rune(name)) > 128 {
		return FieldError("domain", "max_length", MsgMaxLen(128))
	}
	if _, taken := tx.st.ext.domains.byName[name]; taken {
		return FieldError("domain", "unique", MsgDomainExists)
	}
	if !reDomain.MatchString(name) {
		return FieldError("domain", "invalid_input", MsgInvalidDomain)
	}
	return nil
}

// insertDomain gives d its id (unless set), challenge and creation time and indexes it.
func (tx *Tx) insertDomain(d *Domain, id string) {
	s := &tx.st.ext.domains
	if id == "" {
		id = tx.NewUUID()
	}
	d.ID = id
	d.VerificationChallenge = tx.RandomURLSafe(32)
	d.CreatedAt = tx.now
	s.byID[d.ID] = d
	s.byName[d.Domain] = d.ID
	ids := append(s.byOrg[d.OrgID], d.ID)
	sort.SliceStable(ids, func(i, j int) bool { return s.byID[ids[i]].Domain < s.byID[ids[j]].Domain })
	s.byOrg[d.OrgID] = ids
}

// NewDomain is the input of SeedDomain.
type NewDomain struct {
	ID     string // optional fixed id (a UUID)
	Domain string
	// Verifiable puts the DNS TXT record in place, so POST verify succeeds.
	Verifiable bool
	// Verified seeds the domain as already verified (verified_at = now).
	Verified bool
	// The settings below need Verified, as they do over the API.
	JITProvisioningEnabled bool
	SSOEnforcement         string
	SCIMEnabled            bool
	// SCIMToken is the plaintext SCIM bearer token when SCIMEnabled; generated when empty.
	SCIMToken    string
	SAMLEntityID string
	SAMLACSURL   string
	SAMLX509Cert string
}

// SeedDomain creates a domain for a scenario with the API's invariants (format, global
// uniqueness, settings only on a verified domain) but without the plan check: scenarios
// set an organization's features themselves. It returns the plaintext SCIM bearer token
// ("" unless SCIMEnabled).
func (tx *Tx) SeedDomain(orgID string, in NewDomain) (*Domain, string, error) {
	if tx.st.orgs[orgID] == nil {
		return nil, "", NotFound(MsgOrgNotFound)
	}
	name := strings.TrimSpace(in.Domain)
	if err := tx.checkNewDomainName(name); err != nil {
		return nil, "", err
	}
	id := strings.ToLower(in.ID)
	if id != "" && (!IsUUID(id) || tx.st.ext.domains.byID[id] != nil) {
		return nil, "", Invalid("A domain id must be a new UUID.")
	}
	if !in.Verified {
		attrs := []string{"jit_provisioning_enabled", "sso_enforcement", "scim_enabled"}
		for i, set := range []bool{in.JITProvisioningEnabled, in.SSOEnforcement != "", in.SCIMEnabled} {
			if set {
				return nil, "", FieldError(attrs[i], "verification_required", MsgVerificationRequired)
			}
		}
	}
	if len([]rune(in.SSOEnforcement)) > 28 {
		return nil, "", FieldError("sso_enforcement", "max_length", MsgMaxLen(28))
	}
	d := &Domain{OrgID: orgID, Domain: name, JITProvisioningEnabled: in.JITProvisioningEnabled,
		SSOEnforcement: in.SSOEnforcement, SAMLEntityID: domainOptStr(in.SAMLEntityID), SAMLACSURL: domainOptStr(in.SAMLACSURL),
		SAMLX509Cert: domainOptStr(in.SAMLX509Cert)}
	tx.insertDomain(d, id)
	if in.Verified {
		now := tx.now
		d.VerifiedAt = &now
	}
	if in.Verifiable || in.Verified {
		tx.st.ext.domains.dns[name] = true
	}
	token := ""
	if in.SCIMEnabled {
		token = in.SCIMToken
		if token == "" {
			token = tx.RandomURLSafe(32)
		}
		d.SCIMEnabled, d.SCIMTokenHash = true, hashSecret(token)
	}
	return d, token, nil
}

func domainOptStr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// UpdateDomain applies a validated update body (DomainUpdateFields). JIT provisioning, SSO
// enforcement and SCIM need a verified domain (400 verification_required); enabling JIT
// needs the automatic_provisioning feature and touching SCIM the scim feature (400
// feature_not_available). Enabling SCIM generates a bearer token, returned in plaintext this
// once; disabling it drops the token.
func (tx *Tx) UpdateDomain(d *Domain, vals Values) (scimToken string, err error) {
	org := tx.st.orgs[d.OrgID]
	if d.VerifiedAt == nil {
		for _, attr := range []string{"jit_provisioning_enabled", "sso_enforcement", "scim_enabled"} {
			if vals.Has(attr) {
				return "", FieldError(attr, "verification_required", MsgVerificationRequired)
			}
		}
	}
	if vals.Bool("jit_provisioning_enabled") {
		if _, ok := org.Feature(FeatureAutomaticProvisioning); !ok {
			return "", FieldError("jit_provisioning_enabled", "feature_not_available", MsgAutoProvisioningOff)
		}
	}
	if vals.Has("scim_enabled") {
		if _, ok := org.Feature(FeatureSCIM); !ok {
			return "", FieldError("scim_enabled", "feature_not_available", MsgSCIMNotAvailable)
		}
	}
	if vals.Has("scim_enabled") {
		switch on := vals.Bool("scim_enabled"); {
		case on && !d.SCIMEnabled:
			scimToken = tx.RandomURLSafe(32)
			d.SCIMEnabled, d.SCIMTokenHash = true, hashSecret(scimToken)
		case !on && d.SCIMEnabled:
			d.SCIMEnabled, d.SCIMTokenHash = false, ""
		}
	}
	if vals.Has("jit_provisioning_enabled") {
		d.JITProvisioningEnabled = vals.Bool("jit_provisioning_enabled")
	}
	if vals.Has("sso_enforcement") {
		d.SSOEnforcement = vals.Str("sso_enforcement")
	}
	for name, dst := range map[string]**string{"saml_entity_id": &d.SAMLEntityID, "saml_acs_url": &d.SAMLACSURL, "saml_x509_cert": &d.SAMLX509Cert} {
		if vals.Has(name) {
			*dst = vals.StrPtr(name)
		}
	}
	return scimToken, nil
}

// SetDomainDNSRecord emulates the outside world's DNS: present says whether the TXT record at
// _posthog-challenge.<domain> holds the domain's verification challenge. The domain need
// not exist yet; the record outlives the domain, as real DNS would.
func (tx *Tx) SetDomainDNSRecord(domain string, present bool) {
	domain = strings.ToLower(strings.TrimSpace(domain))
	if present {
		tx.st.ext.domains.dns[domain] = true
	} else {
		delete(tx.st.ext.domains.dns, domain)
	}
}

// DomainDNSRecord reports whether the domain's verification TXT record is in place.
func (tx *Tx) DomainDNSRecord(domain string) bool {
	return tx.st.ext.domains.dns[strings.ToLower(strings.TrimSpace(domain))]
}

// VerifyDomain attempts the DNS verification of POST verify: with the TXT record in place
// (SetDomainDNSRecord) the domain becomes verified now; otherwise it stays unverified and
// last_verification_retry records the attempt. An already verified domain is a 400.
func (tx *Tx) VerifyDomain(d *Domain) error {
	if d.VerifiedAt != nil {
		return InvalidCode("already_verified", MsgAlreadyVerified)
	}
	now := tx.now
	if tx.st.ext.domains.dns[d.Domain] {
		d.VerifiedAt, d.LastVerificationRetry = &now, nil
	} else {
		d.LastVerificationRetry = &now
	}
	return nil
}

// RegenerateSCIMToken replaces the domain's SCIM bearer token and returns the new plaintext
// (POST scim/token). The organization needs the scim feature (403) and the domain SCIM
// enabled (400 {"detail": ...}).
func (tx *Tx) RegenerateSCIMToken(d *Domain) (string, error) {
	if _, ok := tx.st.orgs[d.OrgID].Feature(FeatureSCIM); !ok {
		return "", Forbidden(MsgSCIMFeatureMissing)
	}
	if !d.SCIMEnabled {
		return "", HandMade(400, map[string]any{"detail": MsgSCIMNotEnabled})
	}
	token := tx.RandomURLSafe(32)
	d.SCIMTokenHash = hashSecret(token)
	return token, nil
}

// CheckSCIMToken reports whether token is the domain's current SCIM bearer token (what an
// identity provider would authenticate with).
func (tx *Tx) CheckSCIMToken(d *Domain, token string) bool {
	return d.HasSCIM() && hashSecret(token) == d.SCIMTokenHash
}

// DeleteDomain removes a domain and its SCIM logs.
func (tx *Tx) DeleteDomain(d *Domain) {
	s := &tx.st.ext.domains
	delete(s.byID, d.ID)
	delete(s.byName, d.Domain)
	delete(s.logs, d.ID)
	s.byOrg[d.OrgID] = removeString(s.byOrg[d.OrgID], d.ID)
}

// SCIMRequest is the input of RecordSCIMRequest.
type SCIMRequest struct {
	Method           string // GET, POST, PUT, PATCH, DELETE
	Path             string // e.g. /scim/v2/<domain id>/Users
	Headers          map[string]any
	Body             any // decoded JSON or nil
	ResponseStatus   int
	ResponseBody     any
	IdentityProvider string // okta, entra_id, google, onelogin, other ("other" when empty)
	DurationMS       *int
}

// RecordSCIMRequest adds a SCIM request log to a domain, as PostHog records each request an
// identity provider makes (scenarios use it; the fake serves no SCIM API).
func (tx *Tx) RecordSCIMRequest(d *Domain, in SCIMRequest) *SCIMRequestLog {
	idp := in.IdentityProvider
	if idp == "" {
		idp = "other"
	}
	headers, _ := CloneValue(in.Headers).(map[string]any)
	if headers == nil {
		headers = map[string]any{}
	}
	l := &SCIMRequestLog{ID: tx.NewUUID(), DomainID: d.ID, RequestMethod: strings.ToUpper(in.Method), RequestPath: in.Path,
		RequestHeaders: headers, RequestBody: CloneValue(in.Body), ResponseStatus: in.ResponseStatus,
		ResponseBody: CloneValue(in.ResponseBody), IdentityProvider: idp, CreatedAt: tx.now}
	if in.DurationMS != nil {
		n := *in.DurationMS
		l.DurationMS = &n
	}
	tx.st.ext.domains.logs[d.ID] = append(tx.st.ext.domains.logs[d.ID], l)
	return l
}

// SCIMLogFilter narrows SCIMLogs (PostHog's SCIMRequestLogFilter); zero values filter
// nothing.
type SCIMLogFilter struct {
	StatusMin, StatusMax *int
	Search               string // in the path or the body, also in its masked form
	After, Before        *time.Time
}

// SCIMLogs lists a domain's SCIM request logs newest first.
func (tx *Tx) SCIMLogs(d *Domain, f SCIMLogFilter) []*SCIMRequestLog {
	all := tx.st.ext.domains.logs[d.ID]
	out := make([]*SCIMRequestLog, 0, len(all))
	for i := len(all) - 1; i >= 0; i-- {
		l := all[i]
		if f.StatusMin != nil && l.ResponseStatus < *f.StatusMin || f.StatusMax != nil && l.ResponseStatus > *f.StatusMax {
			continue
		}
		if f.After != nil && l.CreatedAt.Before(*f.After) || f.Before != nil && l.CreatedAt.After(*f.Before) {
			continue
		}
		if f.Search != "" && !scimLogMatches(l, f.Search) {
			continue
		}
		out = append(out, l)
	}
	return out
}

// scimLogMatches is PostHog's search: the value (or its masked form, since logs keep PII
// masked) inside the path or the body, case-insensitively.
func scimLogMatches(l *SCIMRequestLog, value string) bool {
	body := ""
	if l.RequestBody != nil {
		b, _ := json.Marshal(l.RequestBody)
		body = string(b)
	}
	needles := []string{value}
	if masked := maskSCIMValue(value); masked != value {
		needles = append(needles, masked)
	}
	for _, n := range needles {
		n = strings.ToLower(n)
		if strings.Contains(strings.ToLower(l.RequestPath), n) || strings.Contains(strings.ToLower(body), n) {
			return true
		}
	}
	return false
}

// maskSCIMValue is PostHog's mask_email / mask_string ("a***b", "a***b@example.com").
func maskSCIMValue(v string) string {
	mask := func(s string) string {
		if len(s) <= 2 {
			return strings.Repeat("*", len(s))
		}
		return s[:1] + "***" + s[len(s)-1:]
	}
	if at := strings.LastIndex(v, "@"); at >= 0 && strings.Contains(v[at+1:], ".") {
		return mask(v[:at]) + v[at:]
	}
	return mask(v)
}
