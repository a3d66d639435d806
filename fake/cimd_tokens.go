package fake

// The CIMD token routes: the token view and its handlers.

import (
	"github.com/fakehog/fakehog/fake/store"
)

// cimdTokenJSON is PostHog's CIMDVerificationToken; Value (CIMDVerificationTokenWithValue)
// is only in the create answer.
type cimdTokenJSON struct {
	ID         string         `json:"id"`
	Label      string         `json:"label"`
	CIMDURL    *string        `json:"cimd_url"`
	MaskValue  *string        `json:"mask_value"`
	CreatedBy  *userBasicJSON `json:"created_by"`
	CreatedAt  string         `json:"created_at"`
	LastUsedAt *string        `json:"last_used_at"`
	Value      *string        `json:"value,omitempty"`
}

func cimdTokenView(tx *store.Tx, t *store.CIMDToken, value string) cimdTokenJSON {
	mask := t.MaskValue
	v := cimdTokenJSON{ID: t.ID, Label: t.Label, CIMDURL: t.CIMDURL, MaskValue: &mask, CreatedBy: userBasicByID(tx, t.CreatedBy),
		CreatedAt: isoTime(t.CreatedAt), LastUsedAt: isoTimePtr(t.LastUsedAt)}
	if value != "" {
		v.Value = &value
	}
	return v
}

// cimdToken finds the URL's token in the call's organization (404 otherwise).
func (c *call) cimdToken() (*store.CIMDToken, error) {
	return orNotFound(c.tx.CIMDToken(c.org.ID, c.vars["id"]))
}

func (s *Server) listCIMDTokens(c *call) (any, error) {
	return paginate(c, c.tx.CIMDTokens(c.org.ID), func(t *store.CIMDToken) any { return cimdTokenView(c.tx, t, "") }), nil
}

func (s *Server) createCIMDToken(c *call) (any, error) {
	vals, err := c.validateAs(store.CIMDTokenFields, store.Create)
	if err != nil {
		return nil, err
	}
	t, value, err := c.tx.CreateCIMDToken(c.org.ID, store.NewCIMDToken{Label: vals.Str("label"), CIMDURL: vals.StrPtr("cimd_url"), CreatedBy: c.user})
	if err != nil {
		return nil, err
	}
	return cimdTokenView(c.tx, t, value), nil
}

func (s *Server) getCIMDToken(c *call) (any, error) {
	t, err := c.cimdToken()
	if err != nil {
		return nil, err
	}
	return cimdTokenView(c.tx, t, ""), nil
}

func (s *Server) deleteCIMDToken(c *call) (any, error) {
	return deleteFound(c.cimdToken, func(t *store.CIMDToken) { c.tx.DeleteCIMDToken(t, c.user) })
}
