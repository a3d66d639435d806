package scenarios

// Checking one organization of a scenario: its fields and settings, members, projects and
// invites, with the API's field rules, so a scenario gets the same messages as the API.

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/fakehog/fakehog/fake/store"
	"github.com/tidwall/gjson"
)

// orgCheck checks one organization.
type orgCheck struct {
	*plan
	org  *Organization
	path string
	oi   int
}

var reFeatureKey = regexp.MustCompile(`^[a-z0-9_]+$`)

func (c *orgCheck) check() error {
	o, path := c.org, c.path
	if err := c.required(path, "name", o.Name, 64); err != nil {
		return err
	}
	if o.ID != "" {
		if err := c.checkID(path, "id", o.ID); err != nil {
			return err
		}
	}
	seenFeature := map[string]string{}
	for i, f := range o.Features {
		fp := index(child(path, "features"), i)
		if !reFeatureKey.MatchString(f.Key) {
			return c.errorf(fp, "invalid feature key %q: lower-case letters, digits and _ (e.g. organizations_projects)", f.Key)
		}
		if prev, dup := seenFeature[f.Key]; dup {
			return c.errorf(fp, "duplicate feature %q%s", f.Key, c.lineOf(prev))
		}
		seenFeature[f.Key] = fp
		if f.Limit != nil && *f.Limit < 0 {
			return c.errorf(child(fp, "limit"), "a feature limit cannot be negative")
		}
	}
	if l := o.PluginsAccessLevel; l != nil && *l != 0 && *l != 3 && *l != 6 && *l != 9 {
		return c.errorf(child(path, "plugins_access_level"), "invalid plugins_access_level %d: use 0, 3, 6 or 9", *l)
	}
	if err := c.checkSettings(path, orgSettingFields, o.Settings, nil); err != nil {
		return err
	}
	if err := c.checkMembers(); err != nil {
		return err
	}
	if err := c.checkProjects(); err != nil {
		return err
	}
	if err := c.checkInvites(); err != nil {
		return err
	}
	for i, d := range o.Domains {
		dp := index(child(path, "domains"), i)
		name := strings.ToLower(strings.TrimSpace(d.Domain))
		if name == "" {
			return c.errorf(dp, "a domain needs a domain (e.g. acme.com)")
		}
		if prev, dup := c.domains[name]; dup {
			return c.errorf(child(dp, "domain"), "duplicate domain %q: already used by %s%s", d.Domain, parentPath(prev), c.lineOf(prev))
		}
		c.domains[name] = child(dp, "domain")
		if err := c.checkOptionalID(dp, d.ID); err != nil {
			return err
		}
	}
	for i, ld := range o.LegalDocuments {
		lp := index(child(path, "legal_documents"), i)
		if ld.DocumentType != store.LegalBAA && ld.DocumentType != store.LegalDPA {
			return c.errorf(child(lp, "document_type"), "document_type is BAA or DPA, found %q", ld.DocumentType)
		}
		if err := c.checkOptionalID(lp, ld.ID); err != nil {
			return err
		}
		if err := c.optionalUser(child(lp, "created_by"), ld.CreatedBy); err != nil {
			return err
		}
	}
	for i, t := range o.CIMDVerificationTokens {
		tp := index(child(path, "cimd_verification_tokens"), i)
		if err := c.required(tp, "label", strings.TrimSpace(t.Label), 40); err != nil {
			return err
		}
		if t.CIMDURL != "" {
			if msg := store.CheckCIMDURL(t.CIMDURL); msg != "" {
				return c.errorf(child(tp, "cimd_url"), "%s", msg)
			}
		}
		if t.Value != "" {
			if !strings.HasPrefix(t.Value, store.CIMDTokenPrefix) {
				return c.errorf(child(tp, "value"), "a CIMD verification token starts with %s", store.CIMDTokenPrefix)
			}
			if prev, dup := c.keyValues[t.Value]; dup {
				return c.errorf(child(tp, "value"), "duplicate token value: already used by %s%s", parentPath(prev), c.lineOf(prev))
			}
			c.keyValues[t.Value] = child(tp, "value")
		}
		if err := c.checkOptionalID(tp, t.ID); err != nil {
			return err
		}
		if err := c.optionalUser(child(tp, "created_by"), t.CreatedBy); err != nil {
			return err
		}
	}
	return c.checkFamilies()
}

func (c *orgCheck) checkMembers() error {
	o, path := c.org, c.path
	members := make(map[int]Level, len(o.Members))
	users := make([]int, 0, len(o.Members))
	c.creators[c.oi] = -1
	for i, m := range o.Members {
		if m.User == "" {
			return c.errorf(index(child(path, "members"), i), "a member needs a user (a user's ref or email)")
		}
		u, ok := c.user(m.User)
		if !ok {
			return c.errorf(child(index(child(path, "members"), i), "user"), "no user %q: refer to a user by its ref or email", m.User)
		}
		if _, dup := members[u]; dup {
			prev := slices.Index(users, u)
			return c.errorf(child(index(child(path, "members"), i), "user"), "%q is already a member of this organization%s",
				m.User, c.lineOf(child(index(child(path, "members"), prev), "user")))
		}
		users = append(users, u)
		level := m.Level
		if level == 0 {
			level = store.LevelMember
		}
		if !validLevel(level) {
			return c.errorf(child(index(child(path, "members"), i), "level"), "invalid level %d: use member, admin or owner (or 1, 8, 15)", int(m.Level))
		}
		members[u] = level
		if level == store.LevelOwner && c.creators[c.oi] < 0 {
			c.creators[c.oi] = u
		}
	}
	if c.creators[c.oi] < 0 {
		return c.errorf(path, "an organization needs an owner: list its members with at least one level: owner")
	}
	c.members[c.oi] = members
	c.memberUsers[c.oi] = users
	return nil
}

func (c *orgCheck) checkProjects() error {
	o, path := c.org, c.path
	if len(o.Projects) == 0 {
		c.projectNames[c.oi] = []string{"Default project"}
		return nil
	}
	if len(o.Projects) > store.ProjectHardCap {
		return c.errorf(child(path, "projects"), "at most %d projects per organization", store.ProjectHardCap)
	}
	seen := map[string]string{}
	var names []string
	for i, pr := range o.Projects {
		pp := index(child(path, "projects"), i)
		name := strings.TrimSpace(pr.Name)
		if name == "" {
			// The store names it "Default project", "Default project 2", ...
			name = "Default project"
			for n := 2; seen[strings.ToLower(name)] != ""; n++ {
				name = fmt.Sprintf("Default project %d", n)
			}
		}
		if prev, dup := seen[strings.ToLower(name)]; dup {
			return c.errorf(child(pp, "name"), "there is already a project called %q in this organization%s", name, c.lineOf(prev))
		}
		seen[strings.ToLower(name)] = child(pp, "name")
		names = append(names, name)
		if pr.Timezone != "" && !store.ValidTimezone(pr.Timezone) {
			return c.errorf(child(pp, "timezone"), "unknown timezone %q: use an IANA name such as Europe/Berlin or UTC", pr.Timezone)
		}
		extra := map[string]any{"name": pr.Name}
		if pr.Timezone != "" {
			extra["timezone"] = pr.Timezone
		}
		if err := c.checkSettings(pp, store.ProjectFields, pr.Settings, extra); err != nil {
			return err
		}
		if err := c.checkProjectFamilies(pp, pr); err != nil {
			return err
		}
	}
	c.projectNames[c.oi] = names
	return nil
}

func (c *orgCheck) checkInvites() error {
	o, path := c.org, c.path
	seen := map[string]string{}
	for i, inv := range o.Invites {
		ip := index(child(path, "invites"), i)
		email := strings.ToLower(strings.TrimSpace(inv.TargetEmail))
		if email == "" {
			return c.errorf(ip, "an invite needs a target_email")
		}
		if !store.ValidEmail(email) {
			return c.errorf(child(ip, "target_email"), "%q is not a valid email address", inv.TargetEmail)
		}
		if prev, dup := seen[email]; dup {
			return c.errorf(child(ip, "target_email"), "%q is already invited to this organization%s", inv.TargetEmail, c.lineOf(prev))
		}
		seen[email] = child(ip, "target_email")
		if u, ok := c.emailIdx[email]; ok {
			if _, member := c.members[c.oi][u]; member {
				return c.errorf(child(ip, "target_email"), "%q is already a member of this organization", inv.TargetEmail)
			}
		}
		level := inv.Level
		if level == 0 {
			level = store.LevelMember
		}
		if !validLevel(level) {
			return c.errorf(child(ip, "level"), "invalid level %d: use member, admin or owner (or 1, 8, 15)", int(inv.Level))
		}
		if len([]rune(inv.FirstName)) > 30 {
			return c.errorf(child(ip, "first_name"), "an invite's first_name has at most 30 characters")
		}
		if inv.InvitedBy != "" {
			u, err := c.member(child(ip, "invited_by"), inv.InvitedBy)
			if err != nil {
				return err
			}
			if l := c.members[c.oi][u]; l < level {
				return c.errorf(child(ip, "level"), "%s cannot invite at level %s, above their own (%s)", inv.InvitedBy, level, l)
			}
		}
		for j, a := range inv.PrivateProjectAccess {
			ap := index(child(ip, "private_project_access"), j)
			if !c.hasProject(a.Project) {
				return c.errorf(child(ap, "project"), "no project named %q in this organization", a.Project)
			}
			if a.Level != "member" && a.Level != "admin" {
				return c.errorf(child(ap, "level"), "a project access level is member or admin, found %q", a.Level)
			}
		}
		if inv.Expired && !inv.CreatedAt.IsZero() {
			return c.errorf(child(ip, "expired"), "give either expired or created_at, not both")
		}
		if !inv.CreatedAt.IsZero() && !c.s.Now.IsZero() && inv.CreatedAt.After(c.s.Now) {
			return c.errorf(child(ip, "created_at"), "created_at is after the scenario's now (%s)", c.s.Now.Format("2006-01-02T15:04:05Z07:00"))
		}
	}
	return nil
}

// checkSettings runs an API's field rules over the settings (plus extra, fields with keys
// of their own), so a scenario gets the same messages as the API.
func (c *orgCheck) checkSettings(path string, fields store.Fields, settings, extra map[string]any) error {
	body := map[string]any{}
	for k, v := range settings {
		if !fieldNamed(fields, k) || (k == "name" && extra != nil) || k == "timezone" && extra != nil {
			return c.errorf(child(path, k), "unknown setting %q", k)
		}
		body[k] = v
	}
	for k, v := range extra {
		body[k] = v
	}
	if len(body) == 0 {
		return nil
	}
	parsed, err := jsonBody(body)
	if err != nil {
		return c.errorf(path, "%v", err)
	}
	// Only the fields present, in declaration order (Validate reports the first error).
	var present store.Fields
	for _, f := range fields {
		if _, ok := body[f.Name]; ok {
			present = append(present, f)
		}
	}
	if _, verr := present.Validate(parsed, store.Patch); verr != nil {
		return c.errorf(child(path, verr.Attr), "%s", verr.Detail)
	}
	return nil
}

func fieldNamed(fields store.Fields, name string) bool {
	for _, f := range fields {
		if f.Name == name {
			return true
		}
	}
	return false
}

// required checks a required string of at most max characters (0: no limit).
func (c *orgCheck) required(path, name, value string, max int) error {
	if strings.TrimSpace(value) == "" {
		return c.errorf(path, "missing %s", name)
	}
	return c.maxLen(child(path, name), value, max)
}

func (c *orgCheck) maxLen(path, value string, max int) error {
	if max > 0 && len([]rune(value)) > max {
		return c.errorf(path, "at most %d characters, found %d", max, len([]rune(value)))
	}
	return nil
}

func (c *orgCheck) checkOptionalID(path, id string) error {
	if id == "" {
		return nil
	}
	return c.checkID(path, "id", id)
}

// user resolves a user reference: a ref, or else an email (case-insensitively).
func (p *plan) user(ref string) (int, bool) {
	if i, ok := p.userIdx[ref]; ok {
		return i, true
	}
	i, ok := p.emailIdx[strings.ToLower(ref)]
	return i, ok
}

// member resolves a user reference that must be a member of the organization.
func (c *orgCheck) member(path, ref string) (int, error) {
	u, ok := c.user(ref)
	if !ok {
		return 0, c.errorf(path, "no user %q: refer to a user by its ref or email", ref)
	}
	if _, member := c.members[c.oi][u]; !member {
		return 0, c.errorf(path, "%q is not a member of this organization", ref)
	}
	return u, nil
}

func (c *orgCheck) optionalUser(path, ref string) error {
	if ref == "" {
		return nil
	}
	if _, ok := c.user(ref); !ok {
		return c.errorf(path, "no user %q: refer to a user by its ref or email", ref)
	}
	return nil
}

func (c *orgCheck) hasProject(name string) bool {
	for _, n := range c.projectNames[c.oi] {
		if strings.EqualFold(n, strings.TrimSpace(name)) {
			return true
		}
	}
	return false
}

// jsonBody encodes settings as the JSON body the API's field rules read.
func jsonBody(v map[string]any) (gjson.Result, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return gjson.Result{}, fmt.Errorf("settings must be JSON values: %w", err)
	}
	return gjson.ParseBytes(data), nil
}
