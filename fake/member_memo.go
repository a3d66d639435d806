package fake

// The member list's memo (issue #14): each listed member's JSON kept with every value it
// was made of, so that a page whose members have not changed copies their bytes instead of
// encoding them again (a page of 100 is 51 KB, and encoding it was most of the request).
//
// It cannot go stale: a member's JSON is a function of memberFields alone, which are read
// from the records on every request and compared with the ones the memo was made of; any
// difference, however the record was changed (a write, a test setting a field directly, a
// Restore), is a miss and the member is encoded afresh. It is bounded: a fixed table of
// slots, one encoding each, chosen by the membership's address; a collision only costs an
// encoding. Read transactions run at once, so slots are swapped atomically and an encoding
// is never changed once published.

import (
	"bytes"
	"strconv"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/fakehog/fakehog/fake/store"
)

// memberMemoBits sizes the memo: 2,048 slots, at most about 1.5 MB of encodings.
const memberMemoBits = 11

// memberFields is everything a listed member's JSON (memberJSON, without search_match_type)
// is made of, read from its membership and its user.
type memberFields struct {
	id                  string
	level               int
	joinedAt, updatedAt time.Time
	lastLogin           time.Time // the user's last login, else the joining time
	userID              int
	uuid, distinctID    string
	firstName, lastName string
	email               string
	roleAtOrganization  string // "" is null
	emailVerified       int8   // -1 is null
	is2FAEnabled        bool
	hasSocialAuth       bool
}

func memberFieldsOf(m *store.Membership, u *store.User) memberFields {
	f := memberFields{id: m.ID, level: m.Level, joinedAt: m.JoinedAt, updatedAt: m.UpdatedAt, lastLogin: m.JoinedAt,
		userID: u.ID, uuid: u.UUID, distinctID: u.DistinctID, firstName: u.FirstName, lastName: u.LastName,
		email: u.Email, roleAtOrganization: u.RoleAtOrganization, emailVerified: -1,
		is2FAEnabled: u.Is2FAEnabled, hasSocialAuth: u.HasSocialAuth}
	if u.LastLogin != nil {
		f.lastLogin = *u.LastLogin
	}
	if u.IsEmailVerified != nil {
		f.emailVerified = 0
		if *u.IsEmailVerified {
			f.emailVerified = 1
		}
	}
	return f
}

// appendJSON writes the member as memberJSON encodes, up to its last field and without the
// closing brace (search_match_type may follow). Timestamps reuse the dates of their days.
func (f *memberFields) appendJSON(b []byte, dates *isoDate) ([]byte, error) {
	var err error
	b = append(b, `{"id":`...)
	if b, err = appendJSONString(b, f.id); err != nil {
		return b, err
	}
	b = append(b, `,"user":{"id":`...) // userBasicJSON
	b = appendInt(b, f.userID)
	b = append(b, `,"uuid":`...)
	if b, err = appendJSONString(b, f.uuid); err != nil {
		return b, err
	}
	b = append(b, `,"distinct_id":`...)
	if b, err = appendJSONString(b, f.distinctID); err != nil {
		return b, err
	}
	b = append(b, `,"first_name":`...)
	if b, err = appendJSONString(b, f.firstName); err != nil {
		return b, err
	}
	b = append(b, `,"last_name":`...)
	if b, err = appendJSONString(b, f.lastName); err != nil {
		return b, err
	}
	b = append(b, `,"email":`...)
	if b, err = appendJSONString(b, f.email); err != nil {
		return b, err
	}
	b = append(b, `,"is_email_verified":`...)
	switch f.emailVerified {
	case -1:
		b = append(b, "null"...)
	default:
		b = strconv.AppendBool(b, f.emailVerified == 1)
	}
	b = append(b, `,"hedgehog_config":null,"role_at_organization":`...)
	if f.roleAtOrganization == "" {
		b = append(b, "null"...)
	} else if b, err = appendJSONString(b, f.roleAtOrganization); err != nil {
		return b, err
	}
	b = append(b, `},"level":`...)
	b = appendInt(b, f.level)
	// isoTime's output is plain ASCII: appendJSONString would write it between quotes as is.
	b = append(b, `,"joined_at":"`...)
	b = dates.appendTime(b, f.joinedAt)
	b = append(b, `","updated_at":"`...)
	b = dates.appendTime(b, f.updatedAt)
	b = append(b, `","is_2fa_enabled":`...)
	b = strconv.AppendBool(b, f.is2FAEnabled)
	b = append(b, `,"has_social_auth":`...)
	b = strconv.AppendBool(b, f.hasSocialAuth)
	b = append(b, `,"last_login":"`...)
	b = dates.appendTime(b, f.lastLogin)
	return append(b, '"'), nil
}

// memberMemo holds the newest encoding of the members listed lately (see the top of the
// file). The zero value is empty and ready; a nil *memberMemo encodes every member afresh.
type memberMemo struct {
	slots [1 << memberMemoBits]atomic.Pointer[memberEncoding]
}

// memberEncoding is one member's JSON and the fields it was made of; never changed once
// stored in a slot.
type memberEncoding struct {
	fields memberFields
	json   []byte
}

// appendMember writes m (whose user is u) as memberFields.appendJSON does, copying the
// memo's bytes when they were made of the same fields.
func (mm *memberMemo) appendMember(b []byte, m *store.Membership, u *store.User, dates *isoDate) ([]byte, error) {
	f := memberFieldsOf(m, u)
	if mm == nil {
		return f.appendJSON(b, dates)
	}
	slot := &mm.slots[memberSlot(m)]
	if e := slot.Load(); e != nil && e.fields == f {
		return append(b, e.json...), nil
	}
	start := len(b)
	b, err := f.appendJSON(b, dates)
	if err != nil {
		return b, err
	}
	slot.Store(&memberEncoding{fields: f, json: bytes.Clone(b[start:])})
	return b, nil
}

// memberSlot picks m's slot from its address (Fibonacci hashing): the same membership
// lands in the same slot for as long as it lives.
func memberSlot(m *store.Membership) uint64 {
	return uint64(uintptr(unsafe.Pointer(m))) * 0x9E3779B97F4A7C15 >> (64 - memberMemoBits)
}
