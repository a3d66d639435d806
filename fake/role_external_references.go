package fake

// The role external reference routes (roles mapped to an identity provider's): the
// reference view, its handlers and the lookup.

import (
	"encoding/json"

	"github.com/fakehog/fakehog/fake/store"
	"github.com/tidwall/gjson"
)

// roleExternalReferenceJSON is PostHog's RoleExternalReference.
type roleExternalReferenceJSON struct {
	ID                     string         `json:"id"`
	Provider               string         `json:"provider"`
	ProviderOrganizationID string         `json:"provider_organization_id"`
	ProviderRoleID         string         `json:"provider_role_id"`
	ProviderRoleSlug       *string        `json:"provider_role_slug"`
	ProviderRoleName       string         `json:"provider_role_name"`
	Role                   string         `json:"role"`
	CreatedAt              string         `json:"created_at"`
	CreatedBy              *userBasicJSON `json:"created_by"`
}

func roleExternalReferenceView(tx *store.Tx, ref *store.RoleExternalReference) roleExternalReferenceJSON {
	return roleExternalReferenceJSON{ID: ref.ID, Provider: ref.Provider, ProviderOrganizationID: ref.ProviderOrganizationID,
		ProviderRoleID: ref.ProviderRoleID, ProviderRoleSlug: ref.ProviderRoleSlug, ProviderRoleName: ref.ProviderRoleName,
		Role: ref.RoleID, CreatedAt: isoTime(ref.CreatedAt), CreatedBy: userBasicByID(tx, ref.CreatedBy)}
}

// queryObject turns the URL's query parameters into a JSON object for field rules, as DRF
// validates request.query_params: a repeated parameter counts with its last value.
func (c *call) queryObject() gjson.Result {
	obj := map[string]string{}
	for k, vs := range c.r.URL.Query() {
		if len(vs) > 0 {
			obj[k] = vs[len(vs)-1]
		}
	}
	data, _ := json.Marshal(obj)
	return gjson.ParseBytes(data)
}

func (s *Server) listRoleExternalReferences(c *call) (any, error) {
	q := c.r.URL.Query()
	f := store.RoleExternalReferenceFilter{Provider: q.Get("provider"), ProviderOrganizationID: q.Get("provider_organization_id"), RoleID: q.Get("role_id")}
	refs := c.tx.RoleExternalReferences(c.org.ID, f)
	return paginate(c, refs, func(ref *store.RoleExternalReference) any { return roleExternalReferenceView(c.tx, ref) }), nil
}

func (s *Server) createRoleExternalReference(c *call) (any, error) {
	vals, err := c.validateAs(c.tx.RoleExternalReferenceFields(c.org.ID), store.Create)
	if err != nil {
		return nil, err
	}
	ref, err := c.tx.CreateRoleExternalReference(c.org.ID, store.NewRoleExternalReferenceFrom(vals, c.user))
	if err != nil {
		return nil, err
	}
	return roleExternalReferenceView(c.tx, ref), nil
}

func (s *Server) deleteRoleExternalReference(c *call) (any, error) {
	ref := c.tx.RoleExternalReference(c.org.ID, c.vars["id"])
	if ref == nil {
		return nil, store.ErrNotFound()
	}
	c.tx.DeleteRoleExternalReference(ref)
	return nil, nil
}

// roleExternalReferenceLookup answers {"reference": <reference or null>}.
func (s *Server) roleExternalReferenceLookup(c *call) (any, error) {
	vals, ferr := store.RoleLookupFields.Validate(c.queryObject(), store.Create)
	if ferr != nil {
		return nil, ferr
	}
	ref, err := c.tx.LookupRoleExternalReference(c.org.ID, vals.Str("provider"), vals.Str("provider_organization_id"),
		vals.Str("provider_role_slug"), vals.Str("provider_role_id"))
	if err != nil {
		return nil, err
	}
	out := map[string]any{"reference": nil}
	if ref != nil {
		out["reference"] = roleExternalReferenceView(c.tx, ref)
	}
	return out, nil
}
