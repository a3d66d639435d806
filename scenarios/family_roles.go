package scenarios

// The roles group of a scenario's organization (roles, the default role, role external
// references): records, YAML decoding, checks and seeding.

import (
	"strings"

	"github.com/fakehog/fakehog/fake/store"
	"gopkg.in/yaml.v3"
)

// Role is a role of an organization, with its members.
type Role struct {
	Ref       string // how the scenario refers to the role (default_role, role_external_references)
	ID        string // generated when empty
	Name      string
	Members   []string // user refs or emails; each must be an active member of the organization
	CreatedBy string   // user ref or email; none (null, as for a role created over the API) when empty
}

// RoleExternalReference links a role to a role in an external provider (GitHub, Linear, ...).
type RoleExternalReference struct {
	Role                   string // role ref
	Provider               string
	ProviderOrganizationID string
	ProviderRoleID         string
	ProviderRoleSlug       string // optional
	ProviderRoleName       string
	CreatedBy              string // user ref or email; the organization's creator when empty
}

// roleKeys are the keys of the roles group (default_role, roles, role_external_references).
func (d *decoder) roleKeys(o *Organization) []key {
	return []key{
		{"default_role", d.str(&o.DefaultRole)},
		{"roles", func(v *yaml.Node, p string) error {
			return d.list(v, p, func(_ int, item *yaml.Node, ip string) error {
				var r Role
				err := d.object(item, ip, "a role", []key{
					{"ref", d.str(&r.Ref)},
					{"id", d.str(&r.ID)},
					{"name", d.str(&r.Name)},
					{"members", d.strs(&r.Members)},
					{"created_by", d.str(&r.CreatedBy)},
				}, nil)
				o.Roles = append(o.Roles, r)
				return err
			})
		}},
		{"role_external_references", func(v *yaml.Node, p string) error {
			return d.list(v, p, func(_ int, item *yaml.Node, ip string) error {
				var r RoleExternalReference
				err := d.object(item, ip, "a role external reference", []key{
					{"role", d.str(&r.Role)},
					{"provider", d.str(&r.Provider)},
					{"provider_organization_id", d.str(&r.ProviderOrganizationID)},
					{"provider_role_id", d.str(&r.ProviderRoleID)},
					{"provider_role_slug", d.str(&r.ProviderRoleSlug)},
					{"provider_role_name", d.str(&r.ProviderRoleName)},
					{"created_by", d.str(&r.CreatedBy)},
				}, nil)
				o.RoleExternalReferences = append(o.RoleExternalReferences, r)
				return err
			})
		}},
	}
}

// checkRoles checks the roles, the default role (a role's ref) and the role external references.
func (c *orgCheck) checkRoles() error {
	o, path := c.org, c.path
	roleRefs := map[string]string{} // ref → path
	roleNames := map[string]string{}
	for i, r := range o.Roles {
		rp := index(child(path, "roles"), i)
		if err := c.required(rp, "name", r.Name, 200); err != nil {
			return err
		}
		name := strings.ToLower(strings.TrimSpace(r.Name))
		if prev, dup := roleNames[name]; dup {
			return c.errorf(child(rp, "name"), "there is already a role named %q in this organization%s", r.Name, c.lineOf(prev))
		}
		roleNames[name] = child(rp, "name")
		if r.Ref != "" {
			if prev, dup := roleRefs[r.Ref]; dup {
				return c.errorf(child(rp, "ref"), "duplicate role ref %q%s", r.Ref, c.lineOf(prev))
			}
			roleRefs[r.Ref] = child(rp, "ref")
		}
		if err := c.checkOptionalID(rp, r.ID); err != nil {
			return err
		}
		seen := map[int]string{}
		for j, m := range r.Members {
			mp := index(child(rp, "members"), j)
			u, err := c.member(mp, m)
			if err != nil {
				return err
			}
			if prev, dup := seen[u]; dup {
				return c.errorf(mp, "%q is already a member of this role%s", m, c.lineOf(prev))
			}
			seen[u] = mp
		}
		if err := c.optionalUser(child(rp, "created_by"), r.CreatedBy); err != nil {
			return err
		}
	}
	if o.DefaultRole != "" {
		if _, ok := roleRefs[o.DefaultRole]; !ok {
			return c.errorf(child(path, "default_role"), "no role with ref %q in this organization", o.DefaultRole)
		}
	}
	for i, r := range o.RoleExternalReferences {
		rp := index(child(path, "role_external_references"), i)
		if r.Role == "" {
			return c.errorf(rp, "a role external reference needs a role (a role's ref)")
		}
		if _, ok := roleRefs[r.Role]; !ok {
			return c.errorf(child(rp, "role"), "no role with ref %q in this organization", r.Role)
		}
		for _, f := range []struct {
			name, value string
			max         int
		}{{"provider", r.Provider, 32}, {"provider_organization_id", r.ProviderOrganizationID, 255},
			{"provider_role_id", r.ProviderRoleID, 255}, {"provider_role_name", r.ProviderRoleName, 255}} {
			if err := c.required(rp, f.name, f.value, f.max); err != nil {
				return err
			}
		}
		if err := c.maxLen(child(rp, "provider_role_slug"), r.ProviderRoleSlug, 255); err != nil {
			return err
		}
		if err := c.optionalUser(child(rp, "created_by"), r.CreatedBy); err != nil {
			return err
		}
	}
	return nil
}

// applyRoles seeds the organization's roles and their members (CreateRole, AddRoleMember:
// names unique ignoring case, members active members of the organization), then its
// default role (default_role_id, as PATCH on the organization sets it).
func applyRoles(a *orgSeed) error {
	a.roles = map[string]*store.Role{}
	for i, r := range a.org.Roles {
		rp := index(child(a.path, "roles"), i)
		sr, err := a.tx.CreateRole(a.sorg.ID, store.NewRole{ID: r.ID, Name: r.Name, CreatedBy: a.user(r.CreatedBy)})
		if err != nil {
			return a.storeError(rp, attrOf(err, nil, "id"))
		}
		if r.Ref != "" {
			a.roles[r.Ref] = sr
		}
		for j, m := range r.Members {
			if _, err := a.tx.AddRoleMember(a.sorg.ID, sr.ID, a.user(m).UUID); err != nil {
				return a.storeError(index(child(rp, "members"), j), err)
			}
		}
	}
	if a.org.DefaultRole != "" {
		vals := store.Values{"default_role_id": a.roles[a.org.DefaultRole].ID}
		if err := a.tx.UpdateOrganization(a.sorg, a.creator, vals); err != nil {
			return a.storeError(child(a.path, "default_role"), err)
		}
	}
	return nil
}

// applyRoleExternalReferences seeds role external references (after roles), with the
// store's uniqueness rules per provider and provider organization.
func applyRoleExternalReferences(a *orgSeed) error {
	for i, r := range a.org.RoleExternalReferences {
		in := store.NewRoleExternalReference{RoleID: a.roles[r.Role].ID, Provider: r.Provider,
			ProviderOrganizationID: r.ProviderOrganizationID, ProviderRoleID: r.ProviderRoleID,
			ProviderRoleSlug: strPtr(r.ProviderRoleSlug), ProviderRoleName: r.ProviderRoleName, CreatedBy: a.createdBy(r.CreatedBy)}
		if _, err := a.tx.CreateRoleExternalReference(a.sorg.ID, in); err != nil {
			err = attrOf(err, map[string]string{store.MsgRoleRefIDTaken: "provider_role_id"}, "provider_role_slug")
			return a.storeError(index(child(a.path, "role_external_references"), i), err)
		}
	}
	return nil
}
