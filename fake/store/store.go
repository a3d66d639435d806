// Package store is fakehog's domain: typed records, PostHog's rules (levels, uniqueness,
// tokens, cascades) and one lock. It knows nothing of HTTP; package fake is its HTTP face and
// package scenarios seeds it through the same operations.
//
// All access goes through a transaction: Store.Read and Store.Write run a function with the
// lock held and hand it a *Tx whose methods are the domain operations. A Write either
// completes or leaves the state untouched, because every operation validates before it
// mutates.
package store

import (
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"math/rand/v2"
	"slices"
	"sync"
	"time"
)

// Clock tells the store what time it is. Nothing in the store calls time.Now directly.
type Clock interface {
	Now() time.Time
}

// SystemClock is the wall clock.
type SystemClock struct{}

// Now returns the current wall-clock time.
func (SystemClock) Now() time.Time { return time.Now() }

// ManualClock is a clock that only moves when told to. It is safe for concurrent use.
type ManualClock struct {
	mu  sync.Mutex
	now time.Time
}

// NewManualClock returns a clock standing at t.
func NewManualClock(t time.Time) *ManualClock { return &ManualClock{now: t.UTC()} }

// Now returns the clock's current reading.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *ManualClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// Set puts the clock at t.
func (c *ManualClock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t.UTC()
	c.mu.Unlock()
}

// Options configure a new Store.
type Options struct {
	// Seed makes every generated id and token reproducible.
	Seed uint64
	// Clock supplies every timestamp; nil means the system clock.
	Clock Clock
	// Cloud makes the store behave as PostHog Cloud (the default in fakehog): new
	// organizations get plugins_access_level 3 and legal documents are available.
	SelfHosted bool
	// HistoryLimit bounds the records that only ever accumulate: each organization's
	// activity log and the outbox of sent emails keep their newest HistoryLimit entries
	// (0: DefaultHistoryLimit; negative: no bound).
	HistoryLimit int
}

// DefaultHistoryLimit is how many activity entries per organization, and sent emails, a
// store keeps by default: enough for any test's assertions, and a bound on the memory of a
// fake that runs for hours.
const DefaultHistoryLimit = 10_000

// historyLimit is Options.HistoryLimit with its default applied (0: no bound).
func (o *Options) historyLimit() int {
	switch {
	case o.HistoryLimit == 0:
		return DefaultHistoryLimit
	case o.HistoryLimit < 0:
		return 0
	}
	return o.HistoryLimit
}

// appendBounded appends v to list and drops the oldest entries beyond limit (0: none).
// Dropped entries are cleared so the backing array does not keep them alive.
func appendBounded[T any](list []T, v T, limit int) []T {
	list = append(list, v)
	if limit > 0 && len(list) > limit {
		var zero T
		drop := len(list) - limit
		for i := range drop {
			list[i] = zero
		}
		list = list[drop:]
	}
	return list
}

// Store holds the whole state of one fake PostHog instance.
type Store struct {
	mu    sync.RWMutex
	clock Clock
	opts  Options
	st    *state
	// ix is derived data (member_index.go): kept up to date by write transactions, started
	// afresh when the state is replaced. It is not part of the state, so snapshots and
	// exports never see it.
	ix indexes
}

// state is everything the store holds. It lives behind Store.mu.
type state struct {
	// pcg is the seeded source; rng draws from it. The source is kept so snapshots and
	// exports can copy its exact position (rand.PCG marshals itself).
	pcg *rand.PCG
	rng *rand.Rand `codec:"-"`
	// lastMilli and seq make UUIDs time-ordered and unique within one millisecond.
	lastMilli int64
	seq       uint16

	nextUserID    int
	nextProjectID int

	users        map[int]*User
	usersByUUID  map[string]*User
	usersByEmail map[string]*User
	keys         map[string]*PersonalAPIKey // by sha256 of the secret value
	keysByUser   map[int][]*PersonalAPIKey
	sessions     map[string]int // session value → user id

	orgs     map[string]*Organization
	orgOrder []string // creation order
	slugs    map[string]string

	members map[string]*orgMembers // by organization id

	invites      map[string]*Invite
	invitesByOrg map[string][]string // creation order

	projects      map[int]*Project
	projectsByOrg map[string][]int // creation order

	activity map[string][]*ActivityEntry // by organization id, oldest first

	outbox []SentEmail // emails "sent" (recorded, never delivered)

	ext extensions
}

// orgMembers is the ordered membership index of one organization.
type orgMembers struct {
	byUser map[int]*Membership
	order  []int // user ids in joining order
}

// New returns an empty store.
func New(opts Options) *Store {
	if opts.Clock == nil {
		opts.Clock = SystemClock{}
	}
	s := &Store{clock: opts.Clock, opts: opts}
	s.st = newState(opts.Seed)
	return s
}

func newState(seed uint64) *state {
	pcg := rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)
	st := &state{
		pcg:           pcg,
		rng:           rand.New(pcg),
		nextUserID:    1,
		nextProjectID: 1,
		users:         map[int]*User{},
		usersByUUID:   map[string]*User{},
		usersByEmail:  map[string]*User{},
		keys:          map[string]*PersonalAPIKey{},
		keysByUser:    map[int][]*PersonalAPIKey{},
		sessions:      map[string]int{},
		orgs:          map[string]*Organization{},
		slugs:         map[string]string{},
		members:       map[string]*orgMembers{},
		invites:       map[string]*Invite{},
		invitesByOrg:  map[string][]string{},
		projects:      map[int]*Project{},
		projectsByOrg: map[string][]int{},
		activity:      map[string][]*ActivityEntry{},
	}
	st.ext.init()
	return st
}

// Clock returns the store's clock.
func (s *Store) Clock() Clock { return s.clock }

// Tx is a transaction: the lock is held for as long as the function given to Read or
// Write runs. Its methods are the domain operations. A Tx must not escape that function.
type Tx struct {
	st    *state
	now   time.Time
	opts  *Options
	write bool
	ix    *indexes // the store's derived indexes
	// touched are the users a write transaction handed out: its caller may change them, so
	// their place in the member lists is re-checked when it ends.
	touched []*User
	// Slabs ReserveUsers and ReserveMembers set aside: records created in bulk are cut from
	// a few large allocations rather than one each (far fewer objects for the collector).
	userSlab   []User
	boolSlab   []bool
	memberSlab []Membership
}

// Read runs fn with the read lock held.
func (s *Store) Read(fn func(tx *Tx) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return fn(&Tx{st: s.st, now: s.clock.Now().UTC(), opts: &s.opts, ix: &s.ix})
}

// Write runs fn with the write lock held. Operations validate before they mutate, so an
// error leaves the state as it was.
func (s *Store) Write(fn func(tx *Tx) error) error {
	return s.WriteAt(s.clock.Now(), fn)
}

// WriteAt is Write with the transaction's clock reading given: replaying a persisted write
// must see the time it first ran at.
//
// A transaction that fails leaves the seeded random source and the UUID sequence where they
// were, like every other part of the state: a refused write changes nothing at all, so it
// need not be persisted, and the ids generated afterwards do not depend on it.
func (s *Store) WriteAt(now time.Time, fn func(tx *Tx) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.st
	pcg, lastMilli, seq := *st.pcg, st.lastMilli, st.seq
	tx := &Tx{st: st, now: now.UTC(), opts: &s.opts, write: true, ix: &s.ix}
	defer tx.settle() // also when fn fails: it may have changed a user it was handed
	err := fn(tx)
	if err != nil && s.st == st {
		*st.pcg, st.lastMilli, st.seq = pcg, lastMilli, seq
	}
	return err
}

// changed rebuilds the derived indexes after the state was replaced (the member lists at
// once, so the first listing after a Restore costs its page; the write-side indexes on first
// use); s.mu must be held for writing.
func (s *Store) changed() {
	s.ix.reset()
	tx := &Tx{st: s.st, opts: &s.opts, write: true, ix: &s.ix}
	for orgID := range s.st.members {
		tx.visibleMembers(orgID)
	}
}

// Now is the transaction's reading of the clock (one reading per transaction).
func (tx *Tx) Now() time.Time { return tx.now }

// NewUUID returns a time-ordered UUID (like PostHog's UUIDT) from the clock and the seeded
// source.
func (tx *Tx) NewUUID() string {
	st := tx.st
	ms := tx.now.UnixMilli()
	if ms <= st.lastMilli {
		ms = st.lastMilli
		st.seq++
	} else {
		st.lastMilli = ms
		st.seq = 0
	}
	var b [16]byte
	for i := 0; i < 6; i++ {
		b[i] = byte(ms >> (40 - 8*i))
	}
	b[6] = 0x70 | byte(st.seq>>12)&0x0f // version 7
	b[7] = byte(st.seq >> 4)
	r := st.rng.Uint64()
	b[8] = 0x80 | byte(st.seq&0x0f)<<2 | byte(r>>62) // RFC 4122 variant
	for i := 9; i < 16; i++ {
		b[i] = byte(r >> (8 * (i - 9)))
	}
	return formatUUID(&b)
}

// formatUUID writes 16 bytes in the canonical 8-4-4-4-12 form, lower-case hex, in one
// allocation.
func formatUUID(b *[16]byte) string {
	const digits = "0123456789abcdef"
	var out [36]byte
	j := 0
	for i, c := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out[j] = '-'
			j++
		}
		out[j], out[j+1] = digits[c>>4], digits[c&0x0f]
		j += 2
	}
	return string(out[:])
}

// ReserveUsers makes room for n more users, so that seeding a large world does not grow the
// user maps step by step. It changes nothing visible.
func (tx *Tx) ReserveUsers(n int) {
	st := tx.st
	if n <= 0 {
		return
	}
	st.users = grownMap(st.users, n)
	st.usersByUUID = grownMap(st.usersByUUID, n)
	st.usersByEmail = grownMap(st.usersByEmail, n)
	tx.userSlab, tx.boolSlab = make([]User, n), make([]bool, n)
}

// ReserveMembers makes room for n more members in organization orgID (when it exists). It
// changes nothing visible.
func (tx *Tx) ReserveMembers(orgID string, n int) {
	om := tx.st.members[orgID]
	if om == nil || n <= 0 {
		return
	}
	om.byUser = grownMap(om.byUser, n)
	om.order = slices.Grow(om.order, n)
	tx.memberSlab = make([]Membership, n)
	if list, ok := tx.ix.members[orgID]; ok {
		tx.ix.members[orgID] = slices.Grow(list, n)
	}
}

// newUser is a new, zero User: from the reserved slab when there is one.
func (tx *Tx) newUser() *User {
	if len(tx.userSlab) == 0 {
		return new(User)
	}
	u := &tx.userSlab[0]
	tx.userSlab = tx.userSlab[1:]
	return u
}

// newBool is a new *bool holding v: from the reserved slab when there is one.
func (tx *Tx) newBool(v bool) *bool {
	if len(tx.boolSlab) == 0 {
		return &v
	}
	p := &tx.boolSlab[0]
	tx.boolSlab = tx.boolSlab[1:]
	*p = v
	return p
}

// newMembership is a new, zero Membership: from the reserved slab when there is one.
func (tx *Tx) newMembership() *Membership {
	if len(tx.memberSlab) == 0 {
		return new(Membership)
	}
	m := &tx.memberSlab[0]
	tx.memberSlab = tx.memberSlab[1:]
	return m
}

// grownMap returns m, or a copy of it sized for n more entries.
func grownMap[K comparable, V any](m map[K]V, n int) map[K]V {
	c := make(map[K]V, len(m)+n)
	maps.Copy(c, m)
	return c
}

// base57 is PostHog's token alphabet: base62 without 0, 1, O, I and l.
const base57 = "23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

// RandomToken mirrors posthog.models.utils.generate_random_token(nbytes): nbytes*8 random
// bits with the top bit set, in base57 (32 bytes → 44 characters, 35 → 48).
func (tx *Tx) RandomToken(nbytes int) string {
	// The number, big-endian in 32-bit words (leading zero bytes pad it to whole words).
	pad := (4 - nbytes%4) % 4
	var wordBuf [16]uint32 // on the stack for tokens up to 64 bytes
	var words []uint32
	if n := (nbytes + pad) / 4; n <= len(wordBuf) {
		words = wordBuf[:n]
	} else {
		words = make([]uint32, n)
	}
	for i := range nbytes {
		b := byte(tx.st.rng.Uint32())
		if i == 0 {
			b |= 0x80
		}
		k := i + pad
		words[k/4] |= uint32(b) << (8 * (3 - k%4))
	}
	// Repeated division by 57, in place: words[start:] is the quotient so far, without
	// leading zeros.
	var outBuf [96]byte
	out := outBuf[:0] // log(256)/log(57) < 1.372: 64 bytes make at most 88 digits
	if need := nbytes*11/8 + 2; need > len(outBuf) {
		out = make([]byte, 0, need)
	}
	for start := 0; start < len(words); {
		var rem uint64
		for i := start; i < len(words); i++ {
			acc := rem<<32 | uint64(words[i])
			words[i] = uint32(acc / 57)
			rem = acc % 57
		}
		out = append(out, base57[rem])
		for start < len(words) && words[start] == 0 {
			start++
		}
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return string(out)
}

// RandomLetters returns n random ASCII letters (PostHog's slug collision suffix).
func (tx *Tx) RandomLetters(n int) string {
	const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	b := make([]byte, n)
	for i := range b {
		b[i] = letters[tx.st.rng.IntN(len(letters))]
	}
	return string(b)
}

// RandomURLSafe mirrors secrets.token_urlsafe(nbytes) (32 bytes → 43 characters).
func (tx *Tx) RandomURLSafe(nbytes int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	n := (nbytes*8 + 5) / 6
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[tx.st.rng.IntN(64)]
	}
	return string(b)
}

// Float64 returns a seeded random number in [0, 1).
func (tx *Tx) Float64() float64 { return tx.st.rng.Float64() }

// MaskValue is PostHog's mask_key_value: first 4 + "..." + last 4, "********" when short.
func MaskValue(v string) string {
	if len(v) < 16 {
		return "********"
	}
	return v[:4] + "..." + v[len(v)-4:]
}

// hashSecret is how secrets are kept: only a hash is stored, as PostHog does.
func hashSecret(v string) string {
	sum := sha256.Sum256([]byte(v))
	return hex.EncodeToString(sum[:])
}

// removeLastString removes the last occurrence of v from list, in place. Records removed
// are usually recent ones, so it looks from the end.
func removeLastString(list []string, v string) []string {
	for i := len(list) - 1; i >= 0; i-- {
		if list[i] == v {
			copy(list[i:], list[i+1:])
			list[len(list)-1] = ""
			return list[:len(list)-1]
		}
	}
	return list
}

// removeString returns list without the first occurrence of v.
func removeString(list []string, v string) []string {
	for i, x := range list {
		if x == v {
			return append(list[:i:i], list[i+1:]...)
		}
	}
	return list
}

func removeInt(list []int, v int) []int {
	for i, x := range list {
		if x == v {
			return append(list[:i:i], list[i+1:]...)
		}
	}
	return list
}
