package fake

// JSON without reflection: maps and values appended in encoding/json's exact bytes (sorted
// keys, its escaping), and the typed views that encode themselves (pages, members, users).

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"sync"
)

// appendJSON encodes v as writeJSON's json.Encoder (SetEscapeHTML(false)) would, byte for
// byte, but without reflection for the dynamic values views are made of — maps with string
// keys (sorted, as encoding/json sorts them), []any, strings, numbers, booleans and nil.
// Anything else, and any string needing escapes, goes through encoding/json. Project views
// are such maps: encoding/json's reflection and key sorting were most of PATCH project's
// cost (BENCHMARKS.md). TestAppendJSONMatchesEncodingJSON holds it to encoding/json.
func appendJSON(b []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case jsonAppender:
		return x.appendJSON(b)
	case bool:
		return strconv.AppendBool(b, x), nil
	case string:
		return appendJSONString(b, x)
	case int:
		return strconv.AppendInt(b, int64(x), 10), nil
	case int64:
		return strconv.AppendInt(b, x, 10), nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return appendJSONSlow(b, v) // encoding/json's error
		}
		return appendJSONFloat(b, x), nil
	case []any:
		return appendJSONList(b, x, appendJSON)
	case []string: // typed slices of views (projects' available_setup_task_ids, settings)
		return appendJSONList(b, x, appendJSONString)
	case []int:
		return appendJSONList(b, x, func(b []byte, n int) ([]byte, error) { return strconv.AppendInt(b, int64(n), 10), nil })
	case []map[string]any: // projects' product_intents
		return appendJSONList(b, x, func(b []byte, m map[string]any) ([]byte, error) { return appendJSON(b, m) })
	case *string:
		return appendPtrString(b, x)
	case map[string]any:
		if x == nil {
			return append(b, "null"...), nil
		}
		keys := sortedKeys(x)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendJSONString(b, k); err != nil {
				return b, err
			}
			b = append(b, ':')
			if b, err = appendJSON(b, x[k]); err != nil {
				return b, err
			}
		}
		return append(b, '}'), nil
	}
	return appendJSONSlow(b, v)
}

// appendJSONList writes a typed slice as encoding/json does: null when nil, else its
// elements in brackets.
func appendJSONList[T any](b []byte, list []T, appendOne func([]byte, T) ([]byte, error)) ([]byte, error) {
	if list == nil {
		return append(b, "null"...), nil
	}
	b = append(b, '[')
	for i, e := range list {
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		if b, err = appendOne(b, e); err != nil {
			return b, err
		}
	}
	return append(b, ']'), nil
}

// sortedKeyLists remembers, per number of keys, the sorted keys of the last large map
// encoded: views of one kind (every project's) have the same keys, and sorting ~70 of them
// was a fifth of a PATCH project. The lists are never modified once stored.
var sortedKeyLists sync.Map // int → []string

// minCachedKeys is the size from which sortedKeys remembers a map's key list.
const minCachedKeys = 12

// sortedKeys returns m's keys in order. A remembered list of the same length is reused when
// every key of it is in m (same length, all present: the same set).
func sortedKeys(m map[string]any) []string {
	if len(m) >= minCachedKeys {
		if v, ok := sortedKeyLists.Load(len(m)); ok {
			keys := v.([]string)
			same := true
			for _, k := range keys {
				if _, ok := m[k]; !ok {
					same = false
					break
				}
			}
			if same {
				return keys
			}
		}
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if len(m) >= minCachedKeys {
		sortedKeyLists.Store(len(m), keys)
	}
	return keys
}

// appendJSONString writes plain printable ASCII as is and leaves anything else to
// encoding/json (control characters, quotes, backslashes, non-ASCII and invalid UTF-8 all
// have their own rules there).
func appendJSONString(b []byte, s string) ([]byte, error) {
	if !plainJSON(s) {
		return appendJSONSlow(b, s)
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"'), nil
}

// Byte masks for plainJSON's eight-bytes-at-a-time test.
const (
	lows  = 0x0101010101010101
	highs = 0x8080808080808080
)

// plainJSON reports whether every byte of s is one appendJSONString writes as it is
// (plainJSONByte), eight bytes at a time: a page of members checks some 50 KB of strings.
// Each test below is exact for "some byte of the word": a borrow or a carry can only
// flag a byte above one that is flagged already.
func plainJSON(s string) bool {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		w := s[i : i+8]
		x := uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
			uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
		q, bs := x^('"'*lows), x^('\\'*lows) // zero bytes where the quotes and backslashes are
		control := (x - 0x20*lows) &^ x      // a byte below 0x20
		nonASCII := x | (x + lows)           // a byte from 0x7f (DEL) up
		quote := (q - lows) &^ q
		backslash := (bs - lows) &^ bs
		if (control|nonASCII|quote|backslash)&highs != 0 {
			return false
		}
	}
	for ; i < len(s); i++ {
		if !plainJSONByte[s[i]] {
			return false
		}
	}
	return true
}

// plainJSONByte marks the bytes appendJSONString writes as they are: printable ASCII but
// the quote and the backslash.
var plainJSONByte = func() (t [256]bool) {
	for c := 0x20; c < 0x7f; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// appendJSONFloat is encoding/json's float64 format: the shortest representation, in
// exponent form below 1e-6 and from 1e21, with a one-digit negative exponent written
// without its zero.
func appendJSONFloat(b []byte, f float64) []byte {
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// appendJSONSlow encodes v with encoding/json, as writeJSON's encoder does.
func appendJSONSlow(b []byte, v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return b, err
	}
	return append(b, bytes.TrimRight(buf.Bytes(), "\n")...), nil
}

// withoutReflection reports whether appendJSON encodes v with no help from encoding/json
// for its records: a map, a jsonAppender, or a page whose results all are.
func withoutReflection(v any) bool {
	switch x := v.(type) {
	case map[string]any:
		return true
	case page:
		for _, r := range x.Results {
			switch r.(type) {
			case map[string]any, jsonAppender:
			default:
				return false
			}
		}
		return true
	case jsonAppender:
		return true
	}
	return false
}

// jsonAppender is a view that encodes itself as encoding/json would encode it (field order,
// omitempty and all); appendJSON uses it instead of reflection. Each implementation is held
// to encoding/json by TestAppendersMatchEncodingJSON.
type jsonAppender interface {
	appendJSON(b []byte) ([]byte, error)
}

// appendPtrString writes a *string field's value.
func appendPtrString(b []byte, s *string) ([]byte, error) {
	if s == nil {
		return append(b, "null"...), nil
	}
	return appendJSONString(b, *s)
}

// appendJSON encodes the page as encoding/json encodes the struct.
func (p page) appendJSON(b []byte) ([]byte, error) {
	var err error
	b = append(b, `{"count":`...)
	b = strconv.AppendInt(b, int64(p.Count), 10)
	b = append(b, `,"next":`...)
	if b, err = appendPtrString(b, p.Next); err != nil {
		return b, err
	}
	b = append(b, `,"previous":`...)
	if b, err = appendPtrString(b, p.Previous); err != nil {
		return b, err
	}
	b = append(b, `,"results":`...)
	if b, err = appendJSON(b, p.Results); err != nil {
		return b, err
	}
	return append(b, '}'), nil
}

// appendJSON encodes the member as encoding/json encodes the struct.
func (m memberJSON) appendJSON(b []byte) ([]byte, error) {
	var err error
	b = append(b, `{"id":`...)
	if b, err = appendJSONString(b, m.ID); err != nil {
		return b, err
	}
	b = append(b, `,"user":`...)
	if b, err = m.User.appendJSON(b); err != nil {
		return b, err
	}
	b = append(b, `,"level":`...)
	b = strconv.AppendInt(b, int64(m.Level), 10)
	for _, f := range [...]struct{ name, v string }{{`,"joined_at":`, m.JoinedAt}, {`,"updated_at":`, m.UpdatedAt}} {
		b = append(b, f.name...)
		if b, err = appendJSONString(b, f.v); err != nil {
			return b, err
		}
	}
	b = append(b, `,"is_2fa_enabled":`...)
	b = strconv.AppendBool(b, m.Is2FAEnabled)
	b = append(b, `,"has_social_auth":`...)
	b = strconv.AppendBool(b, m.HasSocialAuth)
	b = append(b, `,"last_login":`...)
	if b, err = appendJSONString(b, m.LastLogin); err != nil {
		return b, err
	}
	if m.SearchMatchType != nil {
		b = append(b, `,"search_match_type":`...)
		if b, err = appendJSONString(b, *m.SearchMatchType); err != nil {
			return b, err
		}
	}
	return append(b, '}'), nil
}

// appendJSON encodes the user as encoding/json encodes the struct.
func (u userBasicJSON) appendJSON(b []byte) ([]byte, error) {
	var err error
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, int64(u.ID), 10)
	for _, f := range [...]struct{ name, v string }{{`,"uuid":`, u.UUID}, {`,"distinct_id":`, u.DistinctID},
		{`,"first_name":`, u.FirstName}, {`,"last_name":`, u.LastName}, {`,"email":`, u.Email}} {
		b = append(b, f.name...)
		if b, err = appendJSONString(b, f.v); err != nil {
			return b, err
		}
	}
	b = append(b, `,"is_email_verified":`...)
	if u.IsEmailVerified == nil {
		b = append(b, "null"...)
	} else {
		b = strconv.AppendBool(b, *u.IsEmailVerified)
	}
	b = append(b, `,"hedgehog_config":`...)
	if b, err = appendJSON(b, u.HedgehogConfig); err != nil {
		return b, err
	}
	b = append(b, `,"role_at_organization":`...)
	if b, err = appendPtrString(b, u.RoleAtOrganization); err != nil {
		return b, err
	}
	return append(b, '}'), nil
}

// appendInt appends n in decimal, as strconv.AppendInt(b, int64(n), 10) does, with the
// numbers below 10,000 (user ids, levels) written straight from twoDigits.
func appendInt(b []byte, n int) []byte {
	switch {
	case n < 0 || n >= 10000:
		return strconv.AppendInt(b, int64(n), 10)
	case n < 10:
		return append(b, byte('0'+n))
	case n < 100:
		return append(b, twoDigits[2*n], twoDigits[2*n+1])
	case n < 1000:
		lo := n % 100
		return append(b, byte('0'+n/100), twoDigits[2*lo], twoDigits[2*lo+1])
	default:
		hi, lo := n/100, n%100
		return append(b, twoDigits[2*hi], twoDigits[2*hi+1], twoDigits[2*lo], twoDigits[2*lo+1])
	}
}

// jsonField is one member of an object appendFields writes.
type jsonField struct {
	name string
	v    any
}

// appendFields writes an object with the fields in their order, as encoding/json writes a
// struct with those json names: a view that lists its fields this way encodes itself
// without reflection. Optional values may be given as *bool, *int, *string or a pointer
// to a jsonAppender view (nil → null).
func appendFields(b []byte, fields []jsonField) ([]byte, error) {
	var err error
	b = append(b, '{')
	for i, f := range fields {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = append(b, f.name...)
		b = append(b, '"', ':')
		switch x := f.v.(type) {
		case *bool:
			b = appendPtrBool(b, x)
		case *int:
			b = appendPtrInt(b, x)
		case *userBasicJSON:
			if x == nil {
				b = append(b, "null"...)
			} else if b, err = x.appendJSON(b); err != nil {
				return b, err
			}
		default:
			if b, err = appendJSON(b, f.v); err != nil {
				return b, err
			}
		}
	}
	return append(b, '}'), nil
}
