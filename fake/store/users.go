package store

// Users, personal API keys and sessions: the records, creating them and the lookups.

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"
	"time"
)

// User is a PostHog user. Users exist independently of organizations (deleting an
// organization leaves its users).
type User struct {
	ID                 int
	UUID               string
	DistinctID         string
	FirstName          string
	LastName           string
	Email              string
	IsEmailVerified    *bool
	RoleAtOrganization string
	IsActive           bool
	Is2FAEnabled       bool
	HasSocialAuth      bool
	LastLogin          *time.Time
	GithubLogin        string // "" when the user has not linked GitHub
	DateJoined         time.Time
	// CurrentOrgID and CurrentTeamID are what @current resolves to.
	CurrentOrgID  string
	CurrentTeamID int
}

// PersonalAPIKey is a user's personal API key. Only its hash is kept once created.
type PersonalAPIKey struct {
	ID          string
	UserID      int
	Label       string
	SecureValue string // sha256 of the value
	MaskValue   string
	// Value is the plaintext, which PostHog never keeps: fakehog does, for its console
	// (a fake's credentials are not secrets worth hashing away).
	Value               string
	Scopes              []string
	ScopedOrganizations []string
	ScopedTeams         []int
	CreatedAt           time.Time
	LastUsedAt          *time.Time
	LastRolledAt        *time.Time
}

// NewUser is the input of CreateUser.
type NewUser struct {
	UUID               string // generated when empty
	Email              string
	FirstName          string
	LastName           string
	RoleAtOrganization string
	GithubLogin        string
	Is2FAEnabled       bool
	HasSocialAuth      bool
	Inactive           bool
}

// CreateUser adds a user. Emails are unique (case-insensitively).
func (tx *Tx) CreateUser(in NewUser) (*User, error) {
	email := strings.TrimSpace(in.Email)
	if email == "" || !validEmail(email) {
		return nil, FieldError("email", "invalid", MsgInvalidEmail)
	}
	if _, dup := tx.st.usersByEmail[strings.ToLower(email)]; dup {
		return nil, FieldError("email", "unique", "user with this email already exists.")
	}
	id := tx.st.nextUserID
	tx.st.nextUserID++
	uuid := in.UUID
	if uuid == "" {
		uuid = tx.NewUUID()
	}
	u := tx.newUser()
	*u = User{
		ID: id, UUID: uuid, DistinctID: tx.RandomToken(32), FirstName: in.FirstName, LastName: in.LastName,
		Email: email, IsEmailVerified: tx.newBool(true), RoleAtOrganization: in.RoleAtOrganization,
		IsActive: !in.Inactive, Is2FAEnabled: in.Is2FAEnabled, HasSocialAuth: in.HasSocialAuth,
		GithubLogin: in.GithubLogin, DateJoined: tx.now,
	}
	tx.st.users[id] = u
	tx.st.usersByUUID[uuid] = u
	tx.st.usersByEmail[strings.ToLower(email)] = u
	return tx.touch(u), nil
}

// User returns the user with that id, or nil.
func (tx *Tx) User(id int) *User { return tx.touch(tx.st.users[id]) }

// UserByUUID returns the user with that uuid, or nil.
func (tx *Tx) UserByUUID(uuid string) *User {
	return tx.touch(tx.st.usersByUUID[strings.ToLower(uuid)])
}

// UserByEmail returns the user with that email (case-insensitive), or nil.
func (tx *Tx) UserByEmail(email string) *User {
	return tx.touch(tx.st.usersByEmail[strings.ToLower(email)])
}

// NewAPIKey is the input of CreatePersonalAPIKey.
type NewAPIKey struct {
	Value               string // generated ("phx_" + 48 base57) when empty
	Label               string
	Scopes              []string
	ScopedOrganizations []string
	ScopedTeams         []int
}

// CreatePersonalAPIKey gives a user a personal API key and returns the key and its
// plaintext value (the only time the value is available).
func (tx *Tx) CreatePersonalAPIKey(userID int, in NewAPIKey) (*PersonalAPIKey, string, error) {
	if tx.st.users[userID] == nil {
		return nil, "", ErrNotFound()
	}
	value := in.Value
	if value == "" {
		value = "phx_" + tx.RandomToken(35)
	}
	h := hashSecret(value)
	if _, dup := tx.st.keys[h]; dup {
		return nil, "", Invalid("A personal API key with this value already exists.")
	}
	label := in.Label
	if label == "" {
		label = "fakehog key"
	}
	k := &PersonalAPIKey{
		ID: tx.NewUUID(), UserID: userID, Label: label, SecureValue: h, MaskValue: MaskValue(value), Value: value,
		Scopes: append([]string(nil), in.Scopes...), ScopedOrganizations: append([]string(nil), in.ScopedOrganizations...),
		ScopedTeams: append([]int(nil), in.ScopedTeams...), CreatedAt: tx.now,
	}
	tx.st.keys[h] = k
	tx.st.keysByUser[userID] = append(tx.st.keysByUser[userID], k)
	return k, value, nil
}

// APIKeyByValue finds a personal API key by its plaintext value, or nil.
func (tx *Tx) APIKeyByValue(value string) *PersonalAPIKey {
	// Every request with a key comes here: the hex digest stays on the stack (a map index
	// by string(bytes) does not allocate).
	sum := sha256.Sum256([]byte(value))
	var h [2 * sha256.Size]byte
	hex.Encode(h[:], sum[:])
	return tx.st.keys[string(h[:])]
}

// APIKeyByID finds a personal API key by its id (nil when none).
func (tx *Tx) APIKeyByID(id string) *PersonalAPIKey {
	for _, k := range tx.st.keys {
		if k.ID == id {
			return k
		}
	}
	return nil
}

// APIKeysOfUser lists a user's personal API keys in creation order.
func (tx *Tx) APIKeysOfUser(userID int) []*PersonalAPIKey { return tx.st.keysByUser[userID] }

// TouchAPIKey bumps last_used_at, at most once an hour as PostHog does.
func (tx *Tx) TouchAPIKey(k *PersonalAPIKey) {
	if k.LastUsedAt == nil || tx.now.Sub(*k.LastUsedAt) >= time.Hour {
		t := tx.now
		k.LastUsedAt = &t
	}
}

// AddSession makes value a session cookie (sessionid) that authenticates as the user.
func (tx *Tx) AddSession(userID int, value string) error {
	if tx.st.users[userID] == nil {
		return ErrNotFound()
	}
	if value == "" {
		return Invalid("A session value may not be blank.")
	}
	tx.st.sessions[value] = userID
	return nil
}

// SessionsOfUser lists the session values that authenticate as the user, sorted.
func (tx *Tx) SessionsOfUser(userID int) []string {
	var out []string
	for v, id := range tx.st.sessions {
		if id == userID {
			out = append(out, v)
		}
	}
	sort.Strings(out)
	return out
}

// Users lists every user, in id order.
func (tx *Tx) Users() []*User {
	out := make([]*User, 0, len(tx.st.users))
	for _, u := range tx.st.users {
		out = append(out, u)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// RemoveSession forgets a session value.
func (tx *Tx) RemoveSession(value string) { delete(tx.st.sessions, value) }

// UserBySession returns the active user holding that session, or nil.
func (tx *Tx) UserBySession(value string) *User {
	id, ok := tx.st.sessions[value]
	if !ok {
		return nil
	}
	u := tx.st.users[id]
	if u == nil || !u.IsActive {
		return nil
	}
	return tx.touch(u)
}

// ReplaceAPIKeyValue changes the secret of an existing key (used by -api-key).
func (tx *Tx) ReplaceAPIKeyValue(k *PersonalAPIKey, value string) error {
	h := hashSecret(value)
	if other, dup := tx.st.keys[h]; dup && other != k {
		return Invalid("A personal API key with this value already exists.")
	}
	delete(tx.st.keys, k.SecureValue)
	k.SecureValue = h
	k.MaskValue = MaskValue(value)
	k.Value = value
	tx.st.keys[h] = k
	return nil
}
