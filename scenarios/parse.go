package scenarios

// Reading a scenario's YAML strictly: every key and type checked, errors with the file, line
// and column.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/fakehog/fakehog/fake/store"
	"gopkg.in/yaml.v3"
)

// Parse reads a scenario from YAML. name names it in errors (a file path, "inline", ...).
// It checks the document's structure, types, references and uniqueness and expands
// generate; rules only seeding can check (a domain's format, a BAA's plan) are reported by
// Check, or when the world is seeded. Every error is an *Error with the line and column.
func Parse(name string, data []byte) (*Scenario, error) {
	s := &Scenario{Name: name, pos: positions{file: name, at: map[string]Pos{}}}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, emptyError(name, 1, 1)
		}
		return nil, yamlSyntaxError(name, err, 1)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, &Error{File: name, Line: extra.Line, Column: extra.Column, Msg: "a scenario file holds one YAML document; remove the second \"---\""}
	} else if !errors.Is(err, io.EOF) {
		return nil, yamlSyntaxError(name, err, lastLine(&doc)+1)
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if isNull(root) {
		return nil, emptyError(name, max(root.Line, 1), max(root.Column, 1))
	}
	d := newDecoder(&s.pos, root)
	if err := d.scenario(root, s); err != nil {
		return nil, err
	}
	p, err := s.plan()
	if err != nil {
		return nil, err
	}
	s.keepPlan(p)
	return s, nil
}

// emptyError is the error of a document with nothing in it (placed at its start, or at
// its lone null).
func emptyError(name string, line, column int) *Error {
	return &Error{File: name, Line: line, Column: column, Msg: "the scenario is empty: give at least users, organizations or generate"}
}

// yamlSyntaxError turns yaml.v3's "yaml: line 3: ..." into a positioned *Error (yaml.v3
// gives no column; some of its errors give no line either, and then the error is placed at
// fallback, the line after what parsed).
func yamlSyntaxError(name string, err error, fallback int) *Error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	e := &Error{File: name, Line: fallback, Column: 1, Msg: "invalid YAML: " + msg}
	var line int
	if _, scanErr := fmt.Sscanf(msg, "line %d:", &line); scanErr == nil {
		e.Line = line
		e.Msg = "invalid YAML:" + strings.SplitN(msg, ":", 2)[1]
	}
	return e
}

// lastLine is the last line any node of n starts on.
func lastLine(n *yaml.Node) int {
	last := n.Line
	for _, c := range n.Content {
		last = max(last, lastLine(c))
	}
	return last
}

// Load reads and parses a scenario file.
func Load(path string) (*Scenario, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("scenario: %w", err)
	}
	return Parse(path, data)
}

func (d *decoder) scenario(n *yaml.Node, s *Scenario) error {
	return d.object(n, "", "a scenario", []key{
		{"seed", func(v *yaml.Node, p string) error {
			r, err := d.scalar(v, p, "!!int", "a whole number")
			if err != nil {
				return err
			}
			if err := r.Decode(&s.Seed); err != nil {
				return d.errAt(v, p, "the seed must be a whole number from 0 to 18446744073709551615, found %s", r.Value)
			}
			return nil
		}},
		{"now", d.timestamp(&s.Now)},
		{"users", func(v *yaml.Node, p string) error {
			return d.list(v, p, func(_ int, item *yaml.Node, ip string) error {
				var u User
				err := d.user(item, ip, &u)
				s.Users = append(s.Users, u)
				return err
			})
		}},
		{"organizations", func(v *yaml.Node, p string) error {
			return d.list(v, p, func(_ int, item *yaml.Node, ip string) error {
				var o Organization
				err := d.organization(item, ip, &o)
				s.Organizations = append(s.Organizations, o)
				return err
			})
		}},
		{"generate", func(v *yaml.Node, p string) error {
			g := &s.Generate
			return d.object(v, p, "generate", []key{
				{"organizations", d.integer(&g.Organizations)},
				{"members_per_organization", d.integer(&g.MembersPerOrganization)},
				{"projects_per_organization", d.integer(&g.ProjectsPerOrganization)},
				{"invites_per_organization", d.integer(&g.InvitesPerOrganization)},
				{"roles_per_organization", d.integer(&g.RolesPerOrganization)},
				{"credentials", func(v *yaml.Node, p string) error {
					on := true
					err := d.boolean(&on)(v, p)
					g.NoCredentials = !on
					return err
				}},
			}, nil)
		}},
		{"history_days", d.integer(&s.HistoryDays)},
		{"plugin_remotes", d.pluginRemotes(&s.PluginRemotes)},
		{"plugin_repository", d.pluginRepository(&s.PluginRepository)},
	}, nil)
}

func (d *decoder) user(n *yaml.Node, path string, u *User) error {
	active := true
	err := d.object(n, path, "a user", []key{
		{"ref", d.str(&u.Ref)},
		{"uuid", d.str(&u.UUID)},
		{"email", d.str(&u.Email)},
		{"first_name", d.str(&u.FirstName)},
		{"last_name", d.str(&u.LastName)},
		{"role_at_organization", d.str(&u.RoleAtOrganization)},
		{"github_login", d.str(&u.GithubLogin)},
		{"is_2fa_enabled", d.boolean(&u.Is2FAEnabled)},
		{"has_social_auth", d.boolean(&u.HasSocialAuth)},
		{"is_active", d.boolean(&active)},
		{"personal_api_keys", func(v *yaml.Node, p string) error {
			return d.list(v, p, func(_ int, item *yaml.Node, ip string) error {
				var k APIKey
				err := d.object(item, ip, "a personal API key", []key{
					{"value", d.str(&k.Value)},
					{"label", d.str(&k.Label)},
					{"scopes", d.strs(&k.Scopes)},
					{"scoped_organizations", d.strs(&k.ScopedOrganizations)},
					{"scoped_teams", d.strs(&k.ScopedTeams)},
				}, nil)
				u.PersonalAPIKeys = append(u.PersonalAPIKeys, k)
				return err
			})
		}},
		{"sessions", d.strs(&u.Sessions)},
		{"current_organization", d.str(&u.CurrentOrganization)},
		{"current_project", d.str(&u.CurrentProject)},
	}, nil)
	u.Inactive = !active
	if err == nil && !d.has(n, "email") {
		return d.errAt(n, path, "a user needs an email")
	}
	return err
}

func (d *decoder) organization(n *yaml.Node, path string, o *Organization) error {
	keys := []key{
		{"ref", d.str(&o.Ref)},
		{"id", d.str(&o.ID)},
		{"name", d.str(&o.Name)},
		{"features", func(v *yaml.Node, p string) error {
			o.Features = []store.Feature{}
			return d.list(v, p, func(_ int, item *yaml.Node, ip string) error {
				f, err := d.feature(item, ip)
				o.Features = append(o.Features, f)
				return err
			})
		}},
		{"plugins_access_level", func(v *yaml.Node, p string) error {
			r := resolve(v)
			if r.Kind == yaml.ScalarNode && (r.Tag == "!!str" || r.Tag == "!!int") {
				if l, ok := pluginLevels[r.Value]; ok {
					o.PluginsAccessLevel = &l
					return nil
				}
			}
			return d.errAt(v, p, "invalid plugins_access_level %s: use 0, 3, 6 or 9 (or none, config, install, root)", shown(r))
		}},
		{"posthog_contact", d.str(&o.PostHogContact)},
		{"shared_slack_channel_url", d.str(&o.SharedSlackChannelURL)},
		{"members", func(v *yaml.Node, p string) error {
			return d.list(v, p, func(_ int, item *yaml.Node, ip string) error {
				var m Member
				err := d.object(item, ip, "a member", []key{
					{"user", d.str(&m.User)},
					{"level", d.level(&m.Level)},
				}, nil)
				o.Members = append(o.Members, m)
				if err == nil && !d.has(item, "user") {
					return d.errAt(item, ip, "a member needs a user (a user's ref or email)")
				}
				return err
			})
		}},
		{"projects", func(v *yaml.Node, p string) error {
			return d.list(v, p, func(_ int, item *yaml.Node, ip string) error {
				var pr Project
				err := d.object(item, ip, "a project", append([]key{
					{"name", d.str(&pr.Name)},
					{"timezone", d.str(&pr.Timezone)},
				}, append(d.analyticsKeys(&pr), d.pipelineKeys(&pr)...)...), d.settings(store.ProjectFields, &pr.Settings, "name", "timezone"))
				o.Projects = append(o.Projects, pr)
				return err
			})
		}},
		{"invites", func(v *yaml.Node, p string) error {
			return d.list(v, p, func(_ int, item *yaml.Node, ip string) error {
				var inv Invite
				err := d.invite(item, ip, &inv)
				o.Invites = append(o.Invites, inv)
				return err
			})
		}},
		{"domains", func(v *yaml.Node, p string) error {
			return d.list(v, p, func(_ int, item *yaml.Node, ip string) error {
				var dm Domain
				err := d.object(item, ip, "a domain", []key{
					{"id", d.str(&dm.ID)},
					{"domain", d.str(&dm.Domain)},
					{"verified", d.boolean(&dm.Verified)},
					{"verifiable", d.boolean(&dm.Verifiable)},
					{"jit_provisioning_enabled", d.boolean(&dm.JITProvisioningEnabled)},
					{"sso_enforcement", d.str(&dm.SSOEnforcement)},
					{"scim_enabled", d.boolean(&dm.SCIMEnabled)},
					{"scim_token", d.str(&dm.SCIMToken)},
					{"saml_entity_id", d.str(&dm.SAMLEntityID)},
					{"saml_acs_url", d.str(&dm.SAMLACSURL)},
					{"saml_x509_cert", d.str(&dm.SAMLX509Cert)},
				}, nil)
				o.Domains = append(o.Domains, dm)
				return err
			})
		}},
		{"legal_documents", func(v *yaml.Node, p string) error {
			return d.list(v, p, func(_ int, item *yaml.Node, ip string) error {
				var ld LegalDocument
				err := d.object(item, ip, "a legal document", []key{
					{"id", d.str(&ld.ID)},
					{"document_type", d.str(&ld.DocumentType)},
					{"company_name", d.str(&ld.CompanyName)},
					{"company_address", d.str(&ld.CompanyAddress)},
					{"representative_name", d.str(&ld.RepresentativeName)},
					{"representative_title", d.str(&ld.RepresentativeTitle)},
					{"representative_email", d.str(&ld.RepresentativeEmail)},
					{"dpa_mode", d.str(&ld.DPAMode)},
					{"created_by", d.str(&ld.CreatedBy)},
					{"signed", d.boolean(&ld.Signed)},
					{"signed_document_url", d.str(&ld.SignedDocumentURL)},
				}, nil)
				o.LegalDocuments = append(o.LegalDocuments, ld)
				return err
			})
		}},
		{"cimd_verification_tokens", func(v *yaml.Node, p string) error {
			return d.list(v, p, func(_ int, item *yaml.Node, ip string) error {
				var t CIMDToken
				err := d.object(item, ip, "a CIMD verification token", []key{
					{"id", d.str(&t.ID)},
					{"label", d.str(&t.Label)},
					{"value", d.str(&t.Value)},
					{"cimd_url", d.str(&t.CIMDURL)},
					{"created_by", d.str(&t.CreatedBy)},
				}, nil)
				o.CIMDVerificationTokens = append(o.CIMDVerificationTokens, t)
				return err
			})
		}},
	}
	keys = append(keys, d.familyKeys(o)...)
	return d.object(n, path, "an organization", keys, d.settings(orgSettingFields, &o.Settings))
}

// pluginLevels are the written forms of plugins_access_level.
var pluginLevels = map[string]int{
	"0": store.PluginsAccessNone, "3": store.PluginsAccessConfig, "6": store.PluginsAccessInstall, "9": store.PluginsAccessRoot,
	"none": store.PluginsAccessNone, "config": store.PluginsAccessConfig, "install": store.PluginsAccessInstall, "root": store.PluginsAccessRoot,
}

// shown quotes a scalar's text for messages, or describes a non-scalar.
func shown(n *yaml.Node) string {
	if n.Kind == yaml.ScalarNode && n.Tag != "!!null" {
		return fmt.Sprintf("%q", n.Value)
	}
	return describe(n)
}

// feature decodes one entry of features: a key (organizations_projects) or a mapping
// {key, name, limit, unit}.
func (d *decoder) feature(n *yaml.Node, path string) (store.Feature, error) {
	var f store.Feature
	if r := resolve(n); r.Kind == yaml.ScalarNode {
		err := d.str(&f.Key)(n, path)
		return f, err
	}
	err := d.object(n, path, "a feature", []key{
		{"key", d.str(&f.Key)},
		{"name", d.str(&f.Name)},
		{"limit", d.intPtr(&f.Limit)},
		{"unit", d.str(&f.Unit)},
	}, nil)
	if err == nil && !d.has(n, "key") {
		return f, d.errAt(n, path, "a feature needs a key (e.g. organizations_projects)")
	}
	return f, err
}

func (d *decoder) invite(n *yaml.Node, path string, inv *Invite) error {
	return d.object(n, path, "an invite", []key{
		{"target_email", d.str(&inv.TargetEmail)},
		{"first_name", d.str(&inv.FirstName)},
		{"level", d.level(&inv.Level)},
		{"message", d.str(&inv.Message)},
		{"invited_by", d.str(&inv.InvitedBy)},
		{"private_project_access", func(v *yaml.Node, p string) error {
			return d.list(v, p, func(_ int, item *yaml.Node, ip string) error {
				var a ProjectAccess
				err := d.object(item, ip, "a private project access", []key{
					{"project", d.str(&a.Project)},
					{"level", d.str(&a.Level)},
				}, nil)
				inv.PrivateProjectAccess = append(inv.PrivateProjectAccess, a)
				return err
			})
		}},
		{"send_email", d.boolPtr(&inv.SendEmail)},
		{"expired", d.boolean(&inv.Expired)},
		{"created_at", d.timestamp(&inv.CreatedAt)},
	}, nil)
}

// orgSettingFields are the organization fields a scenario sets by their API name (name and
// default_role_id have keys of their own).
var orgSettingFields = func() store.Fields {
	var out store.Fields
	for _, f := range store.OrganizationFields {
		if f.Name != "name" && f.Name != "default_role_id" {
			out = append(out, f)
		}
	}
	return out
}()

// settings takes the keys of an open-ended mapping that name one of fields (except the
// excluded ones), checking the YAML type against the field's kind; the field rules
// themselves are applied when the scenario is planned.
func (d *decoder) settings(fields store.Fields, dst *map[string]any, exclude ...string) *openKeys {
	var names []string
	for _, f := range fields {
		if !contains(exclude, f.Name) {
			names = append(names, f.Name)
		}
	}
	return &openKeys{names: names, take: func(k, v *yaml.Node, path string) (bool, error) {
		name := k.Value
		for _, x := range exclude {
			if name == x {
				return false, nil
			}
		}
		var f *store.Field
		for i := range fields {
			if fields[i].Name == name {
				f = &fields[i]
				break
			}
		}
		if f == nil {
			return false, nil
		}
		d.mark(v, path)
		if want := yamlKindFor(f, resolve(v)); want != "" {
			return true, d.errAt(v, path, "expected %s, found %s", want, describe(v))
		}
		val, err := d.value(v, path)
		if err != nil {
			return true, err
		}
		if *dst == nil {
			*dst = map[string]any{}
		}
		(*dst)[name] = val
		return true, nil
	}}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// yamlKindFor says what YAML type a field needs when n is not of it ("" when it is).
func yamlKindFor(f *store.Field, n *yaml.Node) string {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		if f.Nullable {
			return ""
		}
		return "a value (this field cannot be null)"
	}
	isScalar := func(tags ...string) bool {
		if n.Kind != yaml.ScalarNode {
			return false
		}
		for _, t := range tags {
			if n.Tag == t {
				return true
			}
		}
		return false
	}
	switch f.Kind {
	case store.Bool:
		if !isScalar("!!bool") {
			return "true or false"
		}
	case store.Int:
		if !isScalar("!!int") {
			return "a whole number"
		}
	case store.String, store.Email, store.UUID:
		if !isScalar("!!str") {
			return "a string"
		}
	case store.DateTime:
		if !isScalar("!!str", "!!timestamp") {
			return "a time"
		}
	case store.Choice:
		if _, ints := f.Choices[0].(int); ints {
			if !isScalar("!!int") {
				return "one of " + choicesText(f.Choices)
			}
		} else if !isScalar("!!str") {
			return "one of " + choicesText(f.Choices)
		}
	case store.List:
		if n.Kind != yaml.SequenceNode {
			return "a list"
		}
	case store.Object:
		if n.Kind != yaml.MappingNode {
			return "a mapping"
		}
	}
	return ""
}

func choicesText(choices []any) string {
	parts := make([]string, len(choices))
	for i, c := range choices {
		parts[i] = fmt.Sprint(c)
	}
	return strings.Join(parts, ", ")
}
