package store

import (
	"reflect"
	"testing"
)

// populatedRoles returns a store with two organizations holding roles, role memberships
// and external references (with and without a slug).
func populatedRoles(t *testing.T) (*Store, [2]string) {
	t.Helper()
	s := New(Options{Seed: 7, Clock: NewManualClock(mustTime("2026-01-15T10:00:00Z"))})
	var orgs [2]string
	err := s.Write(func(tx *Tx) error {
		owner, err := tx.CreateUser(NewUser{Email: "owner@example.com"})
		if err != nil {
			return err
		}
		member, err := tx.CreateUser(NewUser{Email: "member@example.com"})
		if err != nil {
			return err
		}
		for i := range orgs {
			org, err := tx.CreateOrganization(owner, Values{"name": "Org"}, NewOrganization{Features: AllFeatures})
			if err != nil {
				return err
			}
			orgs[i] = org.ID
			if _, err := tx.AddMember(org.ID, member.ID, NewMembership{Level: LevelMember, InvitedBy: owner.ID}); err != nil {
				return err
			}
			r, err := tx.CreateRole(org.ID, NewRole{Name: "Engineers", CreatedBy: owner})
			if err != nil {
				return err
			}
			for _, u := range []*User{owner, member} {
				if _, err := tx.AddRoleMember(org.ID, r.ID, u.UUID); err != nil {
					return err
				}
			}
			slug := "eng"
			for i, sl := range []*string{&slug, nil} {
				if _, err := tx.CreateRoleExternalReference(org.ID, NewRoleExternalReference{RoleID: r.ID, Provider: "github",
					ProviderOrganizationID: "posthog", ProviderRoleID: itoa(i), ProviderRoleSlug: sl, ProviderRoleName: "Eng", CreatedBy: owner}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return s, orgs
}

func TestRoleStateCloneIsDeep(t *testing.T) {
	s, _ := populatedRoles(t)
	orig := &s.st.ext.roles
	c := *deepCopy(orig)
	if !reflect.DeepEqual(*orig, c) {
		t.Fatal("clone differs from the state it copies")
	}
	noSharedMemory(t, reflect.ValueOf(orig).Elem(), reflect.ValueOf(&c).Elem(), "roles", map[uintptr]bool{})
	// Changing the copy leaves the original alone.
	for _, ref := range c.refs {
		if ref.ProviderRoleSlug != nil {
			*ref.ProviderRoleSlug = "changed"
		}
	}
	for _, r := range c.roles {
		r.Name = "changed"
	}
	for _, ref := range orig.refs {
		if ref.ProviderRoleSlug != nil && *ref.ProviderRoleSlug == "changed" {
			t.Error("a slug is shared with the clone")
		}
	}
	for _, r := range orig.roles {
		if r.Name == "changed" {
			t.Error("a role is shared with the clone")
		}
	}
	// A store snapshot carries the roles too.
	snap := s.Snapshot()
	if !reflect.DeepEqual(snap.st.ext.roles, s.st.ext.roles) {
		t.Error("snapshot lost roles")
	}
}

func TestRoleStateDropOrgLeavesOthers(t *testing.T) {
	s, orgs := populatedRoles(t)
	_ = s.Write(func(tx *Tx) error {
		tx.DeleteOrganization(tx.Org(orgs[0]))
		rs := &tx.st.ext.roles
		if len(rs.roles) != 1 || len(rs.memberships) != 2 || len(rs.refs) != 2 || len(rs.byRole) != 1 || len(rs.byOrg) != 1 || len(rs.refsByOrg) != 1 {
			t.Errorf("after deleting one organization: %d roles, %d memberships, %d references, indexes %d/%d/%d",
				len(rs.roles), len(rs.memberships), len(rs.refs), len(rs.byRole), len(rs.byOrg), len(rs.refsByOrg))
		}
		for _, r := range rs.roles {
			if r.OrgID != orgs[1] {
				t.Errorf("role %s of the deleted organization survived", r.ID)
			}
		}
		return nil
	})
}

func TestRoleStateDropMemberOnlyInThatOrg(t *testing.T) {
	s, orgs := populatedRoles(t)
	_ = s.Write(func(tx *Tx) error {
		member := tx.UserByEmail("member@example.com")
		owner := tx.Membership(orgs[0], tx.UserByEmail("owner@example.com").ID)
		if err := tx.RemoveMember(owner, tx.Membership(orgs[0], member.ID)); err != nil {
			return err
		}
		for i, org := range orgs {
			r := tx.Roles(org)[0]
			want := []int{1, 2}[i]
			if got := len(tx.RoleMemberships(org, r.ID)); got != want {
				t.Errorf("org %d: %d role memberships, want %d", i, got, want)
			}
		}
		if n := len(tx.st.ext.roles.memberships); n != 3 {
			t.Errorf("%d memberships kept, want 3", n)
		}
		return nil
	})
}

func TestCanonicalUUID(t *testing.T) {
	for in, want := range map[string]string{
		"019BC119-0000-7000-8000-00000000ABCD": "019bc119-0000-7000-8000-00000000abcd",
		"019bc11900007000800000000000abcd":     "019bc119-0000-7000-8000-00000000abcd",
		"019bc119-0000-7000-8000-00000000abcd": "019bc119-0000-7000-8000-00000000abcd",
	} {
		if got, ok := CanonicalUUID(in); !ok || got != want {
			t.Errorf("CanonicalUUID(%q) = %q, %v", in, got, ok)
		}
	}
	for _, in := range []string{"", "nope", "019bc119-0000-7000-8000-00000000abc"} {
		if _, ok := CanonicalUUID(in); ok {
			t.Errorf("CanonicalUUID(%q) accepted", in)
		}
	}
}

func TestRoleSeedingRules(t *testing.T) {
	s, orgs := populatedRoles(t)
	_ = s.Write(func(tx *Tx) error {
		r := tx.Roles(orgs[0])[0]
		if _, err := tx.CreateRole(orgs[0], NewRole{Name: "ENGINEERS"}); err == nil {
			t.Error("a duplicate name was accepted")
		}
		if _, err := tx.CreateRole(orgs[0], NewRole{Name: "x", ID: r.ID}); err == nil {
			t.Error("a taken id was accepted")
		}
		fixed, err := tx.CreateRole(orgs[0], NewRole{Name: "Fixed", ID: "019BC11900007000800000000000ABCD"})
		if err != nil || fixed.ID != "019bc119-0000-7000-8000-00000000abcd" || tx.Role(orgs[0], "019bc119-0000-7000-8000-00000000ABCD") != fixed {
			t.Errorf("fixed id role = %+v, %v", fixed, err)
		}
		if tx.Role(orgs[1], fixed.ID) != nil {
			t.Error("a role is found in another organization")
		}
		if _, err := tx.CreateRoleExternalReference(orgs[0], NewRoleExternalReference{RoleID: r.ID, Provider: "github", ProviderOrganizationID: "x", ProviderRoleID: "1"}); err == nil {
			t.Error("a reference without a name was accepted")
		}
		if _, err := tx.CreateRoleExternalReference(orgs[0], NewRoleExternalReference{RoleID: tx.Roles(orgs[1])[0].ID, Provider: "github",
			ProviderOrganizationID: "x", ProviderRoleID: "1", ProviderRoleName: "n"}); err == nil {
			t.Error("a reference to another organization's role was accepted")
		}
		return nil
	})
}

func TestPyRepr(t *testing.T) {
	for _, c := range []struct {
		in   any
		want string
	}{
		{map[string]any{"b": []any{1.0, "x"}, "a": nil}, "{'a': None, 'b': [1, 'x']}"},
		{true, "True"}, {1.5, "1.5"}, {"it's", `"it's"`}, {`'"`, `'\'"'`},
	} {
		if got := pyRepr(c.in); got != c.want {
			t.Errorf("pyRepr(%v) = %q, want %q", c.in, got, c.want)
		}
	}
}
