package store

// CIMD tokens: the records, their state and cascades, and their operations.

import (
	"net/url"
	"strings"
	"time"
)

// CIMDToken is a CIMD verification token (PostHog's CIMDVerificationToken): a partner puts
// the plaintext in its Client ID Metadata Document, and PostHog links the partner's OAuth
// app to the organization when it finds it there. Only a hash of the value is kept.
type CIMDToken struct {
	ID          string
	OrgID       string
	Label       string
	CIMDURL     *string // the metadata document URL the token is bound to; nil for tokens predating URL binding
	SecureValue string  // sha256 of the plaintext
	MaskValue   string  // first 4 + "..." + last 4
	CreatedBy   int     // user id; 0 when none
	CreatedAt   time.Time
	LastUsedAt  *time.Time
}

// CIMDTokenPrefix starts every CIMD verification token.
const CIMDTokenPrefix = "phvt_"

// cimdState holds CIMD verification tokens.
type cimdState struct {
	noHooks
	byID    map[string]*CIMDToken
	byOrg   map[string][]string // creation order
	byValue map[string]string   // secure value → id
}

func (s *cimdState) init() {
	s.byID = map[string]*CIMDToken{}
	s.byOrg = map[string][]string{}
	s.byValue = map[string]string{}
}

// dropOrg removes the organization's tokens.
func (s *cimdState) dropOrg(tx *Tx, orgID string) {
	for _, id := range s.byOrg[orgID] {
		if t := s.byID[id]; t != nil {
			delete(s.byValue, t.SecureValue)
		}
		delete(s.byID, id)
	}
	delete(s.byOrg, orgID)
}

// CIMDTokenFields are the fields of a CIMD verification token create body
// (CIMDVerificationTokenSerializer, posthog/api/cimd_verification_token.py): cimd_url is
// required, nullable on read only (validate_cimd_url refuses null) and checked as
// validate_cimd_url (posthog/api/oauth/cimd.py) checks it without its DNS lookup.
var CIMDTokenFields = Fields{
	{Name: "label", Kind: String, Required: true, MaxLen: 40},
	{Name: "cimd_url", Kind: String, Required: true, MaxLen: 2048, NullDetail: "A CIMD metadata URL is required.",
		Check: func(v any) *Error {
			if msg := CheckCIMDURL(v.(string)); msg != "" {
				return FieldError("cimd_url", "invalid", msg)
			}
			return nil
		}},
}

// CheckCIMDURL is validate_cimd_url's format check: "" when url is an HTTPS URL with a path
// and no query, fragment or user info, else PostHog's message.
func CheckCIMDURL(raw string) string {
	if !strings.HasPrefix(raw, "https://") {
		return "CIMD client_id must use HTTPS"
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "Invalid URL"
	}
	switch {
	case u.Path == "" || u.Path == "/":
		return "CIMD client_id must include a path component"
	case u.Fragment != "":
		return "CIMD client_id must not contain a fragment"
	case u.RawQuery != "":
		return "CIMD client_id must not contain query parameters"
	case u.User != nil && (u.User.Username() != "" || hasPassword(u.User)):
		return "CIMD client_id must not contain userinfo"
	}
	return ""
}

func hasPassword(u *url.Userinfo) bool {
	p, ok := u.Password()
	return ok && p != ""
}

// CIMDTokens lists an organization's tokens, newest first.
func (tx *Tx) CIMDTokens(orgID string) []*CIMDToken {
	return recordsByIDs(tx.st.ext.cimd.byID, tx.st.ext.cimd.byOrg[orgID], true)
}

// CIMDToken returns the organization's token with that id, or nil.
func (tx *Tx) CIMDToken(orgID, id string) *CIMDToken {
	t := tx.st.ext.cimd.byID[strings.ToLower(id)]
	if t == nil || t.OrgID != orgID {
		return nil
	}
	return t
}

// NewCIMDToken is the input of CreateCIMDToken.
type NewCIMDToken struct {
	ID        string // optional fixed id (a UUID)
	Label     string
	CIMDURL   *string // nil for none (a token from before URL binding)
	CreatedBy *User   // nil for none
	// Value is the plaintext (scenarios); generated ("phvt_" + 44 base57 characters) when empty.
	Value string
}

// CreateCIMDToken creates a token and returns it with its plaintext value, the only time the
// value is available. The label is trimmed, required and at most 40 characters.
func (tx *Tx) CreateCIMDToken(orgID string, in NewCIMDToken) (*CIMDToken, string, error) {
	if tx.st.orgs[orgID] == nil {
		return nil, "", NotFound(MsgOrgNotFound)
	}
	label := strings.TrimSpace(in.Label)
	if label == "" {
		return nil, "", FieldError("label", "blank", MsgBlank)
	}
	if len([]rune(label)) > 40 {
		return nil, "", FieldError("label", "max_length", MsgMaxLen(40))
	}
	s := &tx.st.ext.cimd
	value := in.Value
	if value == "" {
		value = CIMDTokenPrefix + tx.RandomToken(32)
	} else if !strings.HasPrefix(value, CIMDTokenPrefix) {
		return nil, "", Invalid("A CIMD verification token must start with " + CIMDTokenPrefix + ".")
	} else if _, taken := s.byValue[hashSecret(value)]; taken {
		return nil, "", Invalid("This CIMD verification token value is already in use.")
	}
	id := strings.ToLower(in.ID)
	if id == "" {
		id = tx.NewUUID()
	} else if !IsUUID(id) || s.byID[id] != nil {
		return nil, "", Invalid("A CIMD verification token id must be a new UUID.")
	}
	if in.CIMDURL != nil {
		if msg := CheckCIMDURL(*in.CIMDURL); msg != "" {
			return nil, "", FieldError("cimd_url", "invalid", msg)
		}
	}
	t := &CIMDToken{ID: id, OrgID: orgID, Label: label, CIMDURL: clonePtr(in.CIMDURL), SecureValue: hashSecret(value), MaskValue: MaskValue(value), CreatedAt: tx.now}
	if in.CreatedBy != nil {
		t.CreatedBy = in.CreatedBy.ID
	}
	s.byID[id] = t
	s.byOrg[orgID] = append(s.byOrg[orgID], id)
	s.byValue[t.SecureValue] = id
	tx.LogActivity(ActivityInput{OrgID: orgID, User: in.CreatedBy, Scope: "CIMDVerificationToken", ItemID: id, Activity: "created", Name: label})
	return t, value, nil
}

// DeleteCIMDToken revokes a token; actor (nil for none) is recorded in the activity log.
func (tx *Tx) DeleteCIMDToken(t *CIMDToken, actor *User) {
	s := &tx.st.ext.cimd
	delete(s.byID, t.ID)
	delete(s.byValue, t.SecureValue)
	s.byOrg[t.OrgID] = removeString(s.byOrg[t.OrgID], t.ID)
	tx.LogActivity(ActivityInput{OrgID: t.OrgID, User: actor, Scope: "CIMDVerificationToken", ItemID: t.ID, Activity: "deleted", Name: t.Label})
}

// UseCIMDToken emulates PostHog finding a token in a partner's metadata document: it returns
// the token with that plaintext value (nil when none) and sets its last_used_at to now.
func (tx *Tx) UseCIMDToken(value string) *CIMDToken {
	if !strings.HasPrefix(value, CIMDTokenPrefix) {
		return nil
	}
	t := tx.st.ext.cimd.byID[tx.st.ext.cimd.byValue[hashSecret(value)]]
	if t == nil {
		return nil
	}
	now := tx.now
	t.LastUsedAt = &now
	return t
}
