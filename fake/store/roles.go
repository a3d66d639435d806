package store

// Roles, role memberships and role external references: records, state, cascades and
// operations.

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Role is an organization's role (PostHog's Role, products/access_control): a named group
// of members that access controls can be granted to. An organization may name one role its
// default (Organization.DefaultRoleID); new members are added to it.
type Role struct {
	ID        string
	OrgID     string
	Name      string
	CreatedAt time.Time
	CreatedBy int // user id; 0 when none
}

// RoleMembership puts an organization member in a role (PostHog's RoleMembership).
type RoleMembership struct {
	ID           string
	RoleID       string
	OrgID        string
	UserID       int
	MembershipID string // the organization membership it hangs off
	JoinedAt     time.Time
	UpdatedAt    time.Time
}

// RoleExternalReference maps a role or group of an outside provider (a GitHub team, a
// Slack channel...) to a role (PostHog's RoleExternalReference).
type RoleExternalReference struct {
	ID                     string
	OrgID                  string
	RoleID                 string
	Provider               string
	ProviderOrganizationID string
	ProviderRoleID         string
	ProviderRoleSlug       *string
	ProviderRoleName       string
	CreatedAt              time.Time
	CreatedBy              int // user id; 0 when none
}

// roleState holds roles, role memberships and role external references.
type roleState struct {
	roles       map[string]*Role
	byOrg       map[string][]string // role ids in creation order
	memberships map[string]*RoleMembership
	byRole      map[string][]string // membership ids in joining order
	refs        map[string]*RoleExternalReference
	refsByOrg   map[string][]string // reference ids in creation order
}

func (s *roleState) init() {
	s.roles = map[string]*Role{}
	s.byOrg = map[string][]string{}
	s.memberships = map[string]*RoleMembership{}
	s.byRole = map[string][]string{}
	s.refs = map[string]*RoleExternalReference{}
	s.refsByOrg = map[string][]string{}
}

// dropOrg removes the organization's roles, their memberships and external references
// (all cascade with the organization in PostHog).
func (s *roleState) dropOrg(tx *Tx, orgID string) {
	for _, id := range s.byOrg[orgID] {
		for _, mid := range s.byRole[id] {
			delete(s.memberships, mid)
		}
		delete(s.byRole, id)
		delete(s.roles, id)
	}
	delete(s.byOrg, orgID)
	for _, id := range s.refsByOrg[orgID] {
		delete(s.refs, id)
	}
	delete(s.refsByOrg, orgID)
}

// dropMember removes the user's role memberships in the organization: they hang off the
// organization membership, which cascades to them.
func (s *roleState) dropMember(tx *Tx, orgID string, userID int) {
	for _, rid := range s.byOrg[orgID] {
		for _, mid := range append([]string(nil), s.byRole[rid]...) {
			if m := s.memberships[mid]; m != nil && m.UserID == userID {
				s.removeMembership(m)
			}
		}
	}
}

// memberJoined adds a new member to the organization's default role, if it has one.
func (s *roleState) memberJoined(tx *Tx, orgID string, userID int) {
	org := tx.st.orgs[orgID]
	if org == nil || org.DefaultRoleID == nil {
		return
	}
	r := s.roles[*org.DefaultRoleID]
	if r == nil || r.OrgID != orgID || s.hasMember(r.ID, userID) {
		return
	}
	if m := tx.st.members[orgID].byUser[userID]; m != nil {
		tx.insertRoleMembership(r, m)
	}
}

func (s *roleState) hasMember(roleID string, userID int) bool {
	for _, mid := range s.byRole[roleID] {
		if s.memberships[mid].UserID == userID {
			return true
		}
	}
	return false
}

func (s *roleState) removeMembership(m *RoleMembership) {
	delete(s.memberships, m.ID)
	s.byRole[m.RoleID] = removeString(s.byRole[m.RoleID], m.ID)
}

// CanonicalUUID returns s as a lowercase, hyphenated UUID; ok is false when s is not a UUID
// in one of the spellings IsUUID accepts.
func CanonicalUUID(s string) (string, bool) {
	if !IsUUID(s) {
		return "", false
	}
	h := strings.ToLower(strings.ReplaceAll(s, "-", ""))
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32], true
}

// roleInOrg reports whether roleID is a role of the organization.
func (tx *Tx) roleInOrg(orgID, roleID string) bool { return tx.Role(orgID, roleID) != nil }

// canonicalID is the stored spelling of an id given in any UUID spelling (the input
// lowercased when it is not a UUID, so it matches nothing).
func canonicalID(id string) string {
	if c, ok := CanonicalUUID(id); ok {
		return c
	}
	return strings.ToLower(id)
}

// Messages of the role rules.
const (
	MsgRoleNameTaken          = "There is already a role with this name."
	MsgRoleDoesNotExist       = "Role does not exist."
	MsgRoleUserDoesNotExist   = "User does not exist."
	MsgRoleUserAlreadyInRole  = "User is already part of the role."
	MsgRoleRefSlugTaken       = "A role external reference with this provider, organization, and role slug already exists."
	MsgRoleRefIDTaken         = "A role external reference with this provider, organization, and role ID already exists."
	MsgRoleRefIdentifierTaken = "A role external reference with this provider, organization, and role identifier already exists."
	MsgRoleLookupNeedsKey     = "Either provider_role_slug or provider_role_id must be provided."
)

// RoleFields are the writable fields of a role; the name's uniqueness within the
// organization is checked by CreateRole and RenameRole.
var RoleFields = Fields{
	{Name: "name", Kind: String, Required: true, MaxLen: 200},
}

// RoleMembershipFields are the fields of a role membership create body.
var RoleMembershipFields = Fields{
	{Name: "user_uuid", Kind: UUID, Required: true},
}

// Roles lists an organization's roles in creation order.
func (tx *Tx) Roles(orgID string) []*Role {
	return recordsByIDs(tx.st.ext.roles.roles, tx.st.ext.roles.byOrg[orgID], false)
}

// Role returns the organization's role with that id (any UUID spelling), or nil.
func (tx *Tx) Role(orgID, id string) *Role {
	r := tx.st.ext.roles.roles[canonicalID(id)]
	if r == nil || r.OrgID != orgID {
		return nil
	}
	return r
}

// IsDefaultRole reports whether the role is its organization's default role.
func (tx *Tx) IsDefaultRole(r *Role) bool {
	o := tx.st.orgs[r.OrgID]
	return o != nil && o.DefaultRoleID != nil && *o.DefaultRoleID == r.ID
}

// checkRoleName applies the name rules: trimmed, not blank, at most 200 characters, and
// unique in the organization case-insensitively (except is the role being renamed).
func (tx *Tx) checkRoleName(orgID, name string, except *Role) (string, *Error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", FieldError("name", "blank", MsgBlank)
	}
	if len([]rune(name)) > 200 {
		return "", FieldError("name", "max_length", MsgMaxLen(200))
	}
	for _, r := range tx.Roles(orgID) {
		if r != except && strings.EqualFold(r.Name, name) {
			return "", FieldError("name", "unique", MsgRoleNameTaken)
		}
	}
	return name, nil
}

// NewRole is the input of CreateRole.
type NewRole struct {
	ID        string // optional fixed id (a UUID)
	Name      string
	CreatedBy *User // nil for none
}

// CreateRole creates a role. Its name must be unique in the organization, ignoring case.
func (tx *Tx) CreateRole(orgID string, in NewRole) (*Role, error) {
	if tx.st.orgs[orgID] == nil {
		return nil, NotFound(MsgOrgNotFound)
	}
	name, err := tx.checkRoleName(orgID, in.Name, nil)
	if err != nil {
		return nil, err
	}
	s := &tx.st.ext.roles
	var id string
	if in.ID != "" {
		c, ok := CanonicalUUID(in.ID)
		if !ok || s.roles[c] != nil {
			return nil, Invalid("A role id must be a new UUID.")
		}
		id = c
	} else {
		id = tx.NewUUID()
	}
	r := &Role{ID: id, OrgID: orgID, Name: name, CreatedAt: tx.now}
	if in.CreatedBy != nil {
		r.CreatedBy = in.CreatedBy.ID
	}
	s.roles[id] = r
	s.byOrg[orgID] = append(s.byOrg[orgID], id)
	return r, nil
}

// RenameRole changes a role's name; renaming to the same name in another case is allowed.
func (tx *Tx) RenameRole(r *Role, name string) error {
	name, err := tx.checkRoleName(r.OrgID, name, r)
	if err != nil {
		return err
	}
	r.Name = name
	return nil
}

// DeleteRole removes a role with its memberships and external references; when it was the
// organization's default role, the organization is left without one.
func (tx *Tx) DeleteRole(r *Role) {
	tx.st.ext.access.dropRole(tx, r)
	s := &tx.st.ext.roles
	for _, mid := range s.byRole[r.ID] {
		delete(s.memberships, mid)
	}
	delete(s.byRole, r.ID)
	for _, id := range append([]string(nil), s.refsByOrg[r.OrgID]...) {
		if s.refs[id].RoleID == r.ID {
			delete(s.refs, id)
			s.refsByOrg[r.OrgID] = removeString(s.refsByOrg[r.OrgID], id)
		}
	}
	if o := tx.st.orgs[r.OrgID]; o != nil && o.DefaultRoleID != nil && *o.DefaultRoleID == r.ID {
		o.DefaultRoleID = nil
	}
	delete(s.roles, r.ID)
	s.byOrg[r.OrgID] = removeString(s.byOrg[r.OrgID], r.ID)
}

// RoleMemberships lists the memberships of the organization's role roleID (any UUID
// spelling) in joining order; a role not in the organization has none.
func (tx *Tx) RoleMemberships(orgID, roleID string) []*RoleMembership {
	r := tx.Role(orgID, roleID)
	if r == nil {
		return []*RoleMembership{}
	}
	s := &tx.st.ext.roles
	return recordsByIDs(s.memberships, s.byRole[r.ID], false)
}

// RoleMembership returns the membership id of the organization's role roleID, or nil.
func (tx *Tx) RoleMembership(orgID, roleID, id string) *RoleMembership {
	r := tx.Role(orgID, roleID)
	m := tx.st.ext.roles.memberships[canonicalID(id)]
	if r == nil || m == nil || m.RoleID != r.ID {
		return nil
	}
	return m
}

// AddRoleMember adds the organization member with that user uuid to the organization's role
// roleID, with PostHog's errors (400, non-field): the role must be the organization's, the
// user an active member of it, and not in the role yet.
func (tx *Tx) AddRoleMember(orgID, roleID, userUUID string) (*RoleMembership, error) {
	r := tx.Role(orgID, roleID)
	if r == nil {
		return nil, Invalid(MsgRoleDoesNotExist)
	}
	var m *Membership
	if id, ok := CanonicalUUID(userUUID); ok {
		if u := tx.UserByUUID(id); u != nil {
			m = tx.Membership(orgID, u.ID)
		}
	}
	if m == nil {
		return nil, Invalid(MsgRoleUserDoesNotExist)
	}
	if tx.st.ext.roles.hasMember(r.ID, m.UserID) {
		return nil, Invalid(MsgRoleUserAlreadyInRole)
	}
	return tx.insertRoleMembership(r, m), nil
}

func (tx *Tx) insertRoleMembership(r *Role, m *Membership) *RoleMembership {
	s := &tx.st.ext.roles
	rm := &RoleMembership{ID: tx.NewUUID(), RoleID: r.ID, OrgID: r.OrgID, UserID: m.UserID, MembershipID: m.ID, JoinedAt: tx.now, UpdatedAt: tx.now}
	s.memberships[rm.ID] = rm
	s.byRole[r.ID] = append(s.byRole[r.ID], rm.ID)
	return rm
}

// OrgMembershipOf returns the organization membership a role membership hangs off, also
// when its user has been deactivated (Membership hides those).
func (tx *Tx) OrgMembershipOf(m *RoleMembership) *Membership {
	if om := tx.st.members[m.OrgID]; om != nil {
		return om.byUser[m.UserID]
	}
	return nil
}

// RemoveRoleMembership takes a member out of a role.
func (tx *Tx) RemoveRoleMembership(m *RoleMembership) { tx.st.ext.roles.removeMembership(m) }

// RoleExternalReferenceFields are the fields of a role external reference create body, in
// the serializer's order. role is a primary key related field scoped to the organization,
// with DRF's and Django's messages.
func (tx *Tx) RoleExternalReferenceFields(orgID string) Fields {
	return Fields{
		{Name: "provider", Kind: String, Required: true, MaxLen: 32},
		{Name: "provider_organization_id", Kind: String, Required: true, MaxLen: 255},
		{Name: "provider_role_id", Kind: String, Required: true, MaxLen: 255},
		{Name: "provider_role_slug", Kind: String, MaxLen: 255, Nullable: true, AllowBlank: true},
		{Name: "provider_role_name", Kind: String, Required: true, MaxLen: 255},
		{Name: "role", Kind: JSON, Required: true, Check: func(v any) *Error { return tx.checkRolePK(orgID, v) }},
	}
}

// checkRolePK is DRF's PrimaryKeyRelatedField over a UUID primary key: "" counts as null,
// booleans are the wrong type, values Django cannot read as a UUID are invalid, and an id
// that is no role of the organization does not exist.
func (tx *Tx) checkRolePK(orgID string, v any) *Error {
	notFound := func(text string) *Error {
		return FieldError("role", "does_not_exist", fmt.Sprintf("Invalid pk %q - object does not exist.", text))
	}
	invalid := func(text string) *Error {
		return FieldError("role", "invalid_input", "\u201c"+text+"\u201d is not a valid UUID.")
	}
	switch x := v.(type) {
	case string:
		if x == "" {
			return FieldError("role", "null", MsgNull)
		}
		if !IsUUID(x) {
			return invalid(x)
		}
		if tx.Role(orgID, x) == nil {
			return notFound(x)
		}
		return nil
	case bool:
		return FieldError("role", "incorrect_type", "Incorrect type. Expected pk value, received bool.")
	case float64:
		// Django reads a non-negative integer as the UUID's 128-bit value.
		if x >= 0 && x == math.Trunc(x) && x < math.Exp2(128) {
			return notFound(strconv.FormatFloat(x, 'f', -1, 64))
		}
		return invalid(pyRepr(x))
	}
	return invalid(pyRepr(v))
}

// NewRoleExternalReference is the input of CreateRoleExternalReference.
type NewRoleExternalReference struct {
	RoleID                 string
	Provider               string
	ProviderOrganizationID string
	ProviderRoleID         string
	ProviderRoleSlug       *string // nil for none
	ProviderRoleName       string
	CreatedBy              *User // nil for none
}

// NewRoleExternalReferenceFrom reads a body validated by RoleExternalReferenceFields.
func NewRoleExternalReferenceFrom(vals Values, createdBy *User) NewRoleExternalReference {
	role, _ := vals["role"].(string)
	return NewRoleExternalReference{RoleID: role, Provider: vals.Str("provider"), ProviderOrganizationID: vals.Str("provider_organization_id"),
		ProviderRoleID: vals.Str("provider_role_id"), ProviderRoleSlug: vals.StrPtr("provider_role_slug"),
		ProviderRoleName: vals.Str("provider_role_name"), CreatedBy: createdBy}
}

// sameProviderOrg reports whether ref is under the provider (exactly) and provider
// organization (ignoring case).
func (ref *RoleExternalReference) sameProviderOrg(provider, providerOrgID string) bool {
	return ref.Provider == provider && strings.EqualFold(ref.ProviderOrganizationID, providerOrgID)
}

// CreateRoleExternalReference maps an outside role to a role of the organization. Within
// one provider and provider organization (ignoring its case), role slugs and role ids are
// unique ignoring case (400, non-field); two blank slugs collide on the database
// constraint, which PostHog reports with its generic "role identifier" message.
func (tx *Tx) CreateRoleExternalReference(orgID string, in NewRoleExternalReference) (*RoleExternalReference, error) {
	if tx.st.orgs[orgID] == nil {
		return nil, NotFound(MsgOrgNotFound)
	}
	required := []struct{ attr, v string }{{"provider", in.Provider}, {"provider_organization_id", in.ProviderOrganizationID},
		{"provider_role_id", in.ProviderRoleID}, {"provider_role_name", in.ProviderRoleName}}
	for _, f := range required {
		if strings.TrimSpace(f.v) == "" {
			return nil, FieldError(f.attr, "blank", MsgBlank)
		}
	}
	r := tx.Role(orgID, in.RoleID)
	if r == nil {
		return nil, FieldError("role", "does_not_exist", fmt.Sprintf("Invalid pk %q - object does not exist.", in.RoleID))
	}
	s := &tx.st.ext.roles
	var existing []*RoleExternalReference
	for _, id := range s.refsByOrg[orgID] {
		if ref := s.refs[id]; ref.sameProviderOrg(in.Provider, in.ProviderOrganizationID) {
			existing = append(existing, ref)
		}
	}
	slug := ""
	if in.ProviderRoleSlug != nil {
		slug = *in.ProviderRoleSlug
	}
	if slug != "" {
		for _, ref := range existing {
			if ref.ProviderRoleSlug != nil && strings.EqualFold(*ref.ProviderRoleSlug, slug) {
				return nil, Invalid(MsgRoleRefSlugTaken)
			}
		}
	}
	for _, ref := range existing {
		if strings.EqualFold(ref.ProviderRoleID, in.ProviderRoleID) {
			return nil, Invalid(MsgRoleRefIDTaken)
		}
	}
	if in.ProviderRoleSlug != nil && slug == "" {
		for _, ref := range existing {
			if ref.ProviderRoleSlug != nil && *ref.ProviderRoleSlug == "" {
				return nil, Invalid(MsgRoleRefIdentifierTaken)
			}
		}
	}
	ref := &RoleExternalReference{ID: tx.NewUUID(), OrgID: orgID, RoleID: r.ID, Provider: in.Provider,
		ProviderOrganizationID: in.ProviderOrganizationID, ProviderRoleID: in.ProviderRoleID,
		ProviderRoleSlug: clonePtr(in.ProviderRoleSlug), ProviderRoleName: in.ProviderRoleName, CreatedAt: tx.now}
	if in.CreatedBy != nil {
		ref.CreatedBy = in.CreatedBy.ID
	}
	s.refs[ref.ID] = ref
	s.refsByOrg[orgID] = append(s.refsByOrg[orgID], ref.ID)
	return ref, nil
}

// RoleExternalReferenceFilter narrows RoleExternalReferences; empty fields filter nothing.
type RoleExternalReferenceFilter struct {
	Provider               string // exact
	ProviderOrganizationID string // ignoring case
	RoleID                 string // any UUID spelling; not a UUID matches nothing
}

// RoleExternalReferences lists the organization's references ordered by provider,
// provider organization id and provider role slug (no slug last), then creation.
func (tx *Tx) RoleExternalReferences(orgID string, f RoleExternalReferenceFilter) []*RoleExternalReference {
	s := &tx.st.ext.roles
	out := []*RoleExternalReference{}
	roleID := ""
	if f.RoleID != "" {
		c, ok := CanonicalUUID(f.RoleID)
		if !ok {
			return out
		}
		roleID = c
	}
	for _, id := range s.refsByOrg[orgID] {
		ref := s.refs[id]
		if f.Provider != "" && ref.Provider != f.Provider ||
			f.ProviderOrganizationID != "" && !strings.EqualFold(ref.ProviderOrganizationID, f.ProviderOrganizationID) ||
			roleID != "" && ref.RoleID != roleID {
			continue
		}
		out = append(out, ref)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Provider != b.Provider {
			return a.Provider < b.Provider
		}
		if a.ProviderOrganizationID != b.ProviderOrganizationID {
			return a.ProviderOrganizationID < b.ProviderOrganizationID
		}
		switch {
		case a.ProviderRoleSlug == nil || b.ProviderRoleSlug == nil:
			return a.ProviderRoleSlug != nil && b.ProviderRoleSlug == nil // nulls last, as Postgres
		default:
			return *a.ProviderRoleSlug < *b.ProviderRoleSlug
		}
	})
	return out
}

// RoleExternalReference returns the organization's reference with that id, or nil.
func (tx *Tx) RoleExternalReference(orgID, id string) *RoleExternalReference {
	ref := tx.st.ext.roles.refs[canonicalID(id)]
	if ref == nil || ref.OrgID != orgID {
		return nil
	}
	return ref
}

// DeleteRoleExternalReference removes a reference.
func (tx *Tx) DeleteRoleExternalReference(ref *RoleExternalReference) {
	s := &tx.st.ext.roles
	delete(s.refs, ref.ID)
	s.refsByOrg[ref.OrgID] = removeString(s.refsByOrg[ref.OrgID], ref.ID)
}

// RoleLookupFields are the query parameters of role_external_references/lookup.
var RoleLookupFields = Fields{
	{Name: "provider", Kind: String, Required: true},
	{Name: "provider_organization_id", Kind: String, Required: true},
	{Name: "provider_role_slug", Kind: String},
	{Name: "provider_role_id", Kind: String},
}

// LookupRoleExternalReference finds the organization's first reference (in creation order)
// under the provider and provider organization (ignoring case) whose slug or role id matches,
// ignoring case; nil when none. At least one of slug and roleID is needed (400).
func (tx *Tx) LookupRoleExternalReference(orgID, provider, providerOrgID, slug, roleID string) (*RoleExternalReference, error) {
	if slug == "" && roleID == "" {
		return nil, Invalid(MsgRoleLookupNeedsKey)
	}
	s := &tx.st.ext.roles
	for _, id := range s.refsByOrg[orgID] {
		ref := s.refs[id]
		if !ref.sameProviderOrg(provider, providerOrgID) {
			continue
		}
		if slug != "" && ref.ProviderRoleSlug != nil && strings.EqualFold(*ref.ProviderRoleSlug, slug) ||
			roleID != "" && strings.EqualFold(ref.ProviderRoleID, roleID) {
			return ref, nil
		}
	}
	return nil, nil
}
