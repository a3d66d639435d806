package fake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/fakehog/fakehog/fake/store"
)

// Credentials over HTTP, for people and tools that act as the world's users:
//
//	GET  /_fake/users   the users with their personal API keys (values included) and sessions,
//	                    a page at a time (?limit, default 100; ?offset; ?search in email or name)
//	POST /_fake/keys    mint a key for any user: {"user": "<email or uuid>", "scopes": ["*"], "label": "..."}
//
// PostHog shows a key's value once; fakehog keeps it, so its console can reveal it.

// Credential is one user as GET /_fake/users lists them.
type Credential struct {
	ID        int          `json:"id"`
	UUID      string       `json:"uuid"`
	Email     string       `json:"email"`
	FirstName string       `json:"first_name"`
	LastName  string       `json:"last_name"`
	IsActive  bool         `json:"is_active"`
	Orgs      []string     `json:"organizations"`
	Keys      []KeyDetails `json:"personal_api_keys"`
	Sessions  []string     `json:"sessions"`
}

// KeyDetails is a personal API key with its plaintext value.
type KeyDetails struct {
	ID                  string   `json:"id"`
	Label               string   `json:"label"`
	Value               string   `json:"value"`
	MaskValue           string   `json:"mask_value"`
	Scopes              []string `json:"scopes"`
	ScopedOrganizations []string `json:"scoped_organizations"`
	ScopedTeams         []int    `json:"scoped_teams"`
	CreatedAt           string   `json:"created_at"`
}

func keyDetails(k *store.PersonalAPIKey) KeyDetails {
	return KeyDetails{ID: k.ID, Label: k.Label, Value: k.Value, MaskValue: k.MaskValue,
		Scopes: nonNil(k.Scopes), ScopedOrganizations: nonNil(k.ScopedOrganizations), ScopedTeams: nonNil(k.ScopedTeams),
		CreatedAt: isoTime(k.CreatedAt)}
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return append([]T(nil), s...)
}

// Credentials lists every user of the world with their keys and sessions, in id order. A
// world of many users is better read a page at a time (CredentialsPage).
func (s *Server) Credentials() []Credential {
	var out []Credential
	_ = s.store.Read(func(tx *store.Tx) error {
		out = credentialsOf(tx, tx.Users())
		return nil
	})
	return out
}

// CredentialQuery selects a page of users for CredentialsPage.
type CredentialQuery struct {
	Search string // in email or name, any case ("" for everyone)
	Offset int
	Limit  int // DefaultPageSize when 0 or less
}

// CredentialsPage lists one page of users (in id order) with their keys and sessions, and
// counts every user the query matches. It costs the page, not the world: the read
// transaction copies just those users out, so writes never wait behind a large world.
func (s *Server) CredentialsPage(q CredentialQuery) (page []Credential, count int) {
	if q.Limit <= 0 {
		q.Limit = DefaultPageSize
	}
	_ = s.store.Read(func(tx *store.Tx) error {
		users, n := tx.UsersPage(q.Search, max(q.Offset, 0), q.Limit)
		page, count = credentialsOf(tx, users), n
		return nil
	})
	return page, count
}

// credentialsOf copies users and their credentials out of a transaction (sessions are found
// in one walk for all of them).
func credentialsOf(tx *store.Tx, users []*store.User) []Credential {
	ids := make([]int, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	sessions := tx.SessionsOfUsers(ids)
	out := make([]Credential, 0, len(users))
	for _, u := range users {
		c := Credential{ID: u.ID, UUID: u.UUID, Email: u.Email, FirstName: u.FirstName, LastName: u.LastName,
			IsActive: u.IsActive, Orgs: []string{}, Keys: []KeyDetails{}, Sessions: nonNil(sessions[u.ID])}
		for _, o := range tx.OrgsOfUser(u.ID) {
			c.Orgs = append(c.Orgs, o.ID)
		}
		for _, k := range tx.APIKeysOfUser(u.ID) {
			c.Keys = append(c.Keys, keyDetails(k))
		}
		out = append(out, c)
	}
	return out
}

// NewKey is the body of POST /_fake/keys and the input of MintKey.
type NewKey struct {
	// User is the user's email or UUID.
	User   string   `json:"user"`
	Scopes []string `json:"scopes"` // default ["*"]
	Label  string   `json:"label"`  // default "fakehog console key"
	// ScopedOrganizations limits the key to these organization ids (none: all).
	ScopedOrganizations []string `json:"scoped_organizations"`
}

// MintKey gives a user a new personal API key (a generated value) and returns it.
func (s *Server) MintKey(in NewKey) (KeyDetails, error) {
	ref := strings.TrimSpace(in.User)
	if ref == "" {
		return KeyDetails{}, store.FieldError("user", "required", "This field is required.")
	}
	scopes := in.Scopes
	if len(scopes) == 0 {
		scopes = []string{"*"}
	}
	for _, sc := range scopes {
		if !store.ValidScope(sc) {
			hint := ` (use "*" or one of PostHog's scope objects with :read or :write).`
			if best := store.SuggestScope(sc); best != "" {
				hint = fmt.Sprintf("; did you mean %q?", best)
			}
			return KeyDetails{}, store.FieldError("scopes", "invalid", "Invalid scope: "+sc+hint)
		}
	}
	label := strings.TrimSpace(in.Label)
	if label == "" {
		label = "fakehog console key"
	}
	if len([]rune(label)) > 40 {
		return KeyDetails{}, store.FieldError("label", "max_length", "Ensure this field has no more than 40 characters.")
	}
	in = NewKey{User: ref, Scopes: scopes, Label: label, ScopedOrganizations: in.ScopedOrganizations}
	body, err := json.Marshal(in)
	if err != nil {
		return KeyDetails{}, err
	}
	// Logged as a write of its own (with a data directory), in the order of the API's.
	var out KeyDetails
	err = s.loggedWrite(logRecord{Method: keyRecord, Body: body}, func(tx *store.Tx) error {
		var err error
		out, err = mintKeyTx(tx, in)
		return err
	})
	return out, err
}

// mintKeyTx creates the key in (checked, its defaults applied) describes: MintKey's
// transaction, and its replay from a data directory's log.
func mintKeyTx(tx *store.Tx, in NewKey) (KeyDetails, error) {
	u := tx.UserByEmail(in.User)
	if u == nil {
		u = tx.UserByUUID(in.User)
	}
	if u == nil {
		return KeyDetails{}, store.FieldError("user", "does_not_exist", "No user with that email or uuid.")
	}
	for _, id := range in.ScopedOrganizations {
		if tx.Org(id) == nil {
			return KeyDetails{}, store.FieldError("scoped_organizations", "does_not_exist", "No organization "+id+".")
		}
	}
	orgs := append([]string(nil), in.ScopedOrganizations...)
	sort.Strings(orgs)
	k, _, err := tx.CreatePersonalAPIKey(u.ID, store.NewAPIKey{Label: in.Label, Scopes: in.Scopes, ScopedOrganizations: orgs})
	if err != nil {
		return KeyDetails{}, err
	}
	return keyDetails(k), nil
}

// usersPage is the answer of GET /_fake/users: a limit/offset page as the API's lists are
// (?limit, default 100; ?offset; ?search in email or name).
type usersPage struct {
	Count    int          `json:"count"`
	Next     *string      `json:"next"`
	Previous *string      `json:"previous"`
	Results  []Credential `json:"results"`
}

func (s *Server) adminUsers(r *http.Request) (int, any, error) {
	c := &call{r: r}
	limit, offset := c.limitOffset(DefaultPageSize)
	page, count := s.CredentialsPage(CredentialQuery{Search: lastQueryValue(r.URL.Query(), "search"), Offset: offset, Limit: limit})
	out := usersPage{Count: count, Results: page}
	out.Next, out.Previous = c.pageLinks(count, limit, offset)
	return http.StatusOK, out, nil
}

func (s *Server) adminMintKey(r *http.Request) (int, any, error) {
	var in NewKey
	if err := s.readAdminJSON(r, &in); err != nil {
		return 0, nil, err
	}
	k, err := s.MintKey(in)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, k, nil
}
