package scenarios

// A scenario organization's proxy records, organization integrations and OAuth
// applications: records, YAML decoding, checks and seeding.

import (
	"regexp"
	"strings"
	"time"

	"github.com/fakehog/fakehog/fake/store"
	"gopkg.in/yaml.v3"
)

// ProxyRecord is a managed reverse proxy record.
type ProxyRecord struct {
	ID        string // generated when empty
	Domain    string
	Status    string // waiting (default), issuing, valid, warning, erroring, deleting, timed_out
	Message   string
	CreatedBy string // user ref or email; the organization's creator when empty
	// CNAME puts the domain's emulated CNAME record in place (pointing at target_cname), so
	// a waiting record moves on when provisioning is advanced.
	CNAME bool
	// CertExpiresAt is the emulated certificate's expiry (valid and warning records only);
	// 90 days from now when zero.
	CertExpiresAt time.Time
}

// Integration is an organization-level integration (Vercel).
type Integration struct {
	ID            string // generated when empty
	Kind          string // vercel (the default)
	IntegrationID string
	Config        map[string]any
	CreatedBy     string // user ref or email; the organization's creator when empty
	// OpenInvoices makes disconnecting a marketplace installation fail (409), as billing does.
	OpenInvoices bool
	// EnvironmentMapping maps Vercel's environments to projects (connectable integrations).
	EnvironmentMapping *EnvironmentMapping
}

// EnvironmentMapping maps Vercel's environments to projects of the organization, by name.
type EnvironmentMapping struct {
	Production  string // required
	Preview     string // production's project when empty
	Development string // production's project when empty
}

// OAuthApplication is an OAuth application owned by the organization.
type OAuthApplication struct {
	ID           string // generated when empty
	Name         string
	ClientID     string // generated when empty
	RedirectURIs []string
	IsVerified   bool
}

// integrationKeys are the keys of proxy records, integrations and OAuth applications.
func (d *decoder) integrationKeys(o *Organization) []key {
	return []key{
		{"proxy_records", func(v *yaml.Node, p string) error {
			return d.list(v, p, func(_ int, item *yaml.Node, ip string) error {
				var r ProxyRecord
				err := d.object(item, ip, "a proxy record", []key{
					{"id", d.str(&r.ID)},
					{"domain", d.str(&r.Domain)},
					{"status", d.str(&r.Status)},
					{"message", d.str(&r.Message)},
					{"created_by", d.str(&r.CreatedBy)},
					{"cname", d.boolean(&r.CNAME)},
					{"cert_expires_at", d.timestamp(&r.CertExpiresAt)},
				}, nil)
				o.ProxyRecords = append(o.ProxyRecords, r)
				return err
			})
		}},
		{"integrations", func(v *yaml.Node, p string) error {
			return d.list(v, p, func(_ int, item *yaml.Node, ip string) error {
				var in Integration
				err := d.object(item, ip, "an integration", []key{
					{"id", d.str(&in.ID)},
					{"kind", d.str(&in.Kind)},
					{"integration_id", d.str(&in.IntegrationID)},
					{"config", d.mapValue(&in.Config)},
					{"created_by", d.str(&in.CreatedBy)},
					{"open_invoices", d.boolean(&in.OpenInvoices)},
					{"environment_mapping", func(v *yaml.Node, p string) error {
						in.EnvironmentMapping = &EnvironmentMapping{}
						m := in.EnvironmentMapping
						return d.object(v, p, "an environment mapping", []key{
							{"production", d.str(&m.Production)},
							{"preview", d.str(&m.Preview)},
							{"development", d.str(&m.Development)},
						}, nil)
					}},
				}, nil)
				o.Integrations = append(o.Integrations, in)
				return err
			})
		}},
		{"oauth_applications", func(v *yaml.Node, p string) error {
			return d.list(v, p, func(_ int, item *yaml.Node, ip string) error {
				var a OAuthApplication
				err := d.object(item, ip, "an OAuth application", []key{
					{"id", d.str(&a.ID)},
					{"name", d.str(&a.Name)},
					{"client_id", d.str(&a.ClientID)},
					{"redirect_uris", d.strs(&a.RedirectURIs)},
					{"is_verified", d.boolean(&a.IsVerified)},
				}, nil)
				o.OAuthApplications = append(o.OAuthApplications, a)
				return err
			})
		}},
	}
}

// checkProxyRecords checks the proxy records.
func (c *orgCheck) checkProxyRecords() error {
	o, path := c.org, c.path
	for i, r := range o.ProxyRecords {
		rp := index(child(path, "proxy_records"), i)
		if err := c.required(rp, "domain", r.Domain, 64); err != nil {
			return err
		}
		name := strings.ToLower(strings.TrimSpace(r.Domain))
		if prev, dup := c.plan.proxyDomains[name]; dup {
			return c.errorf(child(rp, "domain"), "proxy record domain %q is already used%s", r.Domain, c.lineOf(prev))
		}
		c.plan.proxyDomains[name] = child(rp, "domain")
		if err := c.checkOptionalID(rp, r.ID); err != nil {
			return err
		}
		if err := c.oneOf(child(rp, "status"), r.Status, proxyStatuses, true); err != nil {
			return err
		}
		if !r.CertExpiresAt.IsZero() && r.Status != store.ProxyValid && r.Status != store.ProxyWarning {
			return c.errorf(child(rp, "cert_expires_at"), "only a valid or warning proxy record has a certificate")
		}
		if err := c.optionalUser(child(rp, "created_by"), r.CreatedBy); err != nil {
			return err
		}
	}
	return nil
}

// checkIntegrations checks the organization integrations.
func (c *orgCheck) checkIntegrations() error {
	o, path := c.org, c.path
	for i, in := range o.Integrations {
		ip := index(child(path, "integrations"), i)
		if err := c.oneOf(child(ip, "kind"), in.Kind, integrationKinds, true); err != nil {
			return err
		}
		if m := in.EnvironmentMapping; m != nil {
			mp := child(ip, "environment_mapping")
			if m.Production == "" {
				return c.errorf(mp, "an environment mapping needs production (a project name)")
			}
			for _, e := range []struct{ name, project string }{{"production", m.Production}, {"preview", m.Preview}, {"development", m.Development}} {
				if e.project != "" && !c.hasProject(e.project) {
					return c.errorf(child(mp, e.name), "no project named %q in this organization", e.project)
				}
			}
		}
		if err := c.checkOptionalID(ip, in.ID); err != nil {
			return err
		}
		if err := c.optionalUser(child(ip, "created_by"), in.CreatedBy); err != nil {
			return err
		}
	}
	return nil
}

// checkOAuthApplications checks the OAuth applications.
func (c *orgCheck) checkOAuthApplications() error {
	o, path := c.org, c.path
	for i, a := range o.OAuthApplications {
		ap := index(child(path, "oauth_applications"), i)
		if err := c.required(ap, "name", a.Name, 255); err != nil {
			return err
		}
		if err := c.maxLen(child(ap, "client_id"), a.ClientID, 100); err != nil {
			return err
		}
		if err := c.checkOptionalID(ap, a.ID); err != nil {
			return err
		}
		for j, u := range a.RedirectURIs {
			if !reRedirectURI.MatchString(u) {
				return c.errorf(index(child(ap, "redirect_uris"), j), "%q is not an absolute URL without spaces", u)
			}
		}
	}
	return nil
}

var reRedirectURI = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.-]*://\S+$`)

// applyProxyRecords seeds proxy records in their statuses (SeedProxyRecord: domains
// globally unique, no plan quota), with their DNS record and certificate expiry.
func applyProxyRecords(a *orgSeed) error {
	for i, r := range a.org.ProxyRecords {
		rp := index(child(a.path, "proxy_records"), i)
		sr, err := a.tx.SeedProxyRecord(a.sorg.ID, store.NewProxyRecord{ID: r.ID, Domain: r.Domain, Status: r.Status,
			Message: r.Message, CreatedBy: a.createdBy(r.CreatedBy), CNAME: r.CNAME})
		if err != nil {
			return a.storeError(rp, attrOf(err, nil, "id"))
		}
		if !r.CertExpiresAt.IsZero() {
			a.tx.SetProxyCertExpiry(sr, r.CertExpiresAt)
		}
	}
	return nil
}

// applyIntegrations seeds organization integrations (SeedOrgIntegration, as an
// installation flow would), then their environment mapping with the API's rules.
func applyIntegrations(a *orgSeed) error {
	for i, in := range a.org.Integrations {
		ip := index(child(a.path, "integrations"), i)
		si, err := a.tx.SeedOrgIntegration(a.sorg.ID, store.NewOrgIntegration{ID: in.ID, Kind: in.Kind, IntegrationID: in.IntegrationID,
			Config: apiJSONMap(in.Config), CreatedBy: a.createdBy(in.CreatedBy), OpenInvoices: in.OpenInvoices})
		if err != nil {
			return a.storeError(ip, attrOf(err, map[string]string{"integration id already": "integration_id"}, "id"))
		}
		if m := in.EnvironmentMapping; m != nil {
			vals := store.Values{"production": a.project(m.Production).ID}
			if m.Preview != "" {
				vals["preview"] = a.project(m.Preview).ID
			}
			if m.Development != "" {
				vals["development"] = a.project(m.Development).ID
			}
			if err := a.tx.SetEnvironmentMapping(si, vals); err != nil {
				return a.storeError(child(ip, "environment_mapping"), err)
			}
		}
	}
	return nil
}

// applyOAuthApplications seeds OAuth applications (client ids unique across the world).
func applyOAuthApplications(a *orgSeed) error {
	for i, app := range a.org.OAuthApplications {
		_, err := a.tx.SeedOAuthApplication(a.sorg.ID, store.NewOAuthApplication{ID: app.ID, Name: app.Name, ClientID: app.ClientID,
			RedirectURIs: app.RedirectURIs, IsVerified: app.IsVerified})
		if err != nil {
			return a.storeError(index(child(a.path, "oauth_applications"), i), attrOf(err, nil, "id"))
		}
	}
	return nil
}
