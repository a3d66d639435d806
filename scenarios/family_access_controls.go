package scenarios

// The access controls of a scenario's organization's projects (who may see and change a
// project, a resource kind or one object): records, YAML decoding, checks and seeding.

import (
	"strconv"

	"github.com/fakehog/fakehog/fake/store"
	"gopkg.in/yaml.v3"
)

// AccessControl is one rule of a project (PUT .../access_controls/ over the API): an access
// level for the project, a resource kind or one object, granted to a member, a role, or
// everyone (neither).
type AccessControl struct {
	Project     string // project name; the organization's first project when empty
	Resource    string // "project" (the project itself) when empty; else a resource kind (feature_flag, dashboard, ...)
	ResourceID  string // one object of the resource kind; none when empty
	Member      string // user ref or email of a member of the organization
	Role        string // role ref
	AccessLevel string // none, member, admin for the project; none, viewer, editor, manager for a kind
}

// accessControlKeys are the keys of the access controls group.
func (d *decoder) accessControlKeys(o *Organization) []key {
	return []key{
		{"access_controls", func(v *yaml.Node, p string) error {
			return d.list(v, p, func(_ int, item *yaml.Node, ip string) error {
				var r AccessControl
				err := d.object(item, ip, "an access control", []key{
					{"project", d.str(&r.Project)},
					{"resource", d.str(&r.Resource)},
					{"resource_id", d.str(&r.ResourceID)},
					{"member", d.str(&r.Member)},
					{"role", d.str(&r.Role)},
					{"access_level", d.str(&r.AccessLevel)},
				}, nil)
				o.AccessControls = append(o.AccessControls, r)
				return err
			})
		}},
	}
}

// checkAccessControls checks each rule's project, member, role and level (on the resource's
// scale), and that a rule names at most one subject.
func (c *orgCheck) checkAccessControls() error {
	roleRefs := map[string]bool{}
	for _, r := range c.org.Roles {
		roleRefs[r.Ref] = r.Ref != ""
	}
	for i, r := range c.org.AccessControls {
		rp := index(child(c.path, "access_controls"), i)
		if r.Project != "" && !c.hasProject(r.Project) {
			return c.errorf(child(rp, "project"), "no project named %q in this organization", r.Project)
		}
		if r.Member != "" {
			if _, err := c.member(child(rp, "member"), r.Member); err != nil {
				return err
			}
		}
		if r.Role != "" && !roleRefs[r.Role] {
			return c.errorf(child(rp, "role"), "no role with ref %q in this organization", r.Role)
		}
		if r.Member != "" && r.Role != "" {
			return c.errorf(rp, "an access control names a member or a role, not both")
		}
		if r.AccessLevel == "" {
			return c.errorf(rp, "an access control needs an access_level")
		}
		resource := r.Resource
		if resource == "" {
			resource = "project"
		}
		if err := c.oneOf(child(rp, "access_level"), r.AccessLevel, store.AccessLevels(resource), false); err != nil {
			return err
		}
	}
	return nil
}

// applyAccessControls seeds the rules (after roles) through the store's upsert, which
// checks the resource and the level's bounds as the API does.
func applyAccessControls(a *orgSeed) error {
	for i, r := range a.org.AccessControls {
		rp := index(child(a.path, "access_controls"), i)
		p := a.project(r.Project)
		if p == nil {
			return a.errorf(rp, "the organization has no project for this access control")
		}
		level := r.AccessLevel
		in := store.AccessControlInput{Resource: r.Resource, AccessLevel: &level}
		if r.Resource == "" || r.Resource == "project" {
			id := strconv.Itoa(p.ID)
			in.Resource, in.ResourceID = "project", &id
		} else if r.ResourceID != "" {
			id := r.ResourceID
			in.ResourceID = &id
		}
		if r.Member != "" {
			m := a.membership(r.Member)
			if m == nil {
				return a.errorf(child(rp, "member"), "%q is not an active member of this organization", r.Member)
			}
			in.MemberID = m.ID
		}
		if r.Role != "" {
			in.RoleID = a.roles[r.Role].ID
		}
		if _, err := a.tx.SetAccessControl(p, in); err != nil {
			return a.storeError(rp, err)
		}
	}
	return nil
}
