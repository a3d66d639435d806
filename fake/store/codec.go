package store

import (
	"bytes"
	"encoding"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"sort"
	"strconv"
	"unsafe"

	"github.com/tidwall/gjson"
)

// The state codec turns the whole state into canonical JSON and back, as
// {"$format": StateFormat, "state": {…}}: /_fake/snapshot
// exports and imports it, and -data-dir persistence writes it as its snapshot file.
//
// It walks the state with reflection, unexported fields included (so a field added to a
// record is carried without anyone remembering to list it), and keeps pointer identity:
// the first time a pointer is met its value is written as {"$id": n, "v": …}, later
// meetings as {"$ref": n}, so indexes that share records still share them after a round
// trip. Map keys are sorted and the walk order is fixed, so equal states give equal bytes.
// Values behind interfaces (project settings, activity details) carry their Go type when
// JSON would lose it: {"$t": "int", "v": 3}.
//
// Reading and writing unexported fields needs unsafe.Pointer (reflect refuses otherwise);
// it is confined to fieldOf below and only ever touches this package's own records.

// ExportJSON returns the whole state as canonical JSON.
func (s *Store) ExportJSON() ([]byte, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return encodeState(s.st)
}

// ImportJSON replaces the whole state with one ExportJSON produced. On any error — a shape
// the codec cannot read, or records that do not agree with each other (CheckIntegrity) —
// the store is left as it was.
func (s *Store) ImportJSON(data []byte) error {
	st, err := decodeState(data)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.st = st
	s.changed()
	s.mu.Unlock()
	return nil
}

// ExportJSON is Store.ExportJSON from inside a transaction (which already holds the lock).
func (tx *Tx) ExportJSON() ([]byte, error) { return encodeState(tx.st) }

// StateFormat is the version of the export's layout, written first in every export as
// "$format". It changes whenever the records change in a way an older or newer fakehog would
// misread; an export (or a data directory's snapshot) of another version is refused.
const StateFormat = 1

// ErrStateFormat is wrapped by the error an import of another format version returns.
var ErrStateFormat = errors.New("unsupported state format")

func encodeState(st *state) ([]byte, error) {
	e := &encoder{ids: map[ptrKey]int{}}
	fmt.Fprintf(&e.buf, `{"$format":%d,"state":`, StateFormat)
	if err := e.value(reflect.ValueOf(st).Elem()); err != nil {
		return nil, err
	}
	e.buf.WriteByte('}')
	return e.buf.Bytes(), nil
}

func decodeState(data []byte) (*state, error) {
	if !gjson.ValidBytes(data) {
		return nil, fmt.Errorf("state: not valid JSON")
	}
	doc := gjson.ParseBytes(data)
	switch v := doc.Get(`\$format`); {
	case !v.Exists():
		return nil, fmt.Errorf("state: %w: the export has no \"$format\" version (this fakehog reads version %d; exports made before versions were written are not read)", ErrStateFormat, StateFormat)
	case v.Type != gjson.Number || v.Raw != strconv.Itoa(StateFormat):
		return nil, fmt.Errorf("state: %w: the export is format version %s, this fakehog reads version %d only", ErrStateFormat, v.Raw, StateFormat)
	}
	data = []byte(doc.Get("state").Raw)
	if len(data) == 0 {
		return nil, fmt.Errorf("state: no \"state\" object")
	}
	st := &state{}
	// A family an export of this format predates keeps its zero value, which must be
	// ready to use: every family starts initialised, and the export overwrites what it has.
	st.ext.init()
	d := &decoder{ptrs: map[int64]reflect.Value{}}
	if err := d.value(gjson.ParseBytes(data), reflect.ValueOf(st).Elem(), "$"); err != nil {
		return nil, err
	}
	if st.pcg == nil {
		return nil, fmt.Errorf("state: no random source")
	}
	st.rng = rand.New(st.pcg)
	if err := checkIntegrity(st); err != nil {
		return nil, err
	}
	return st, nil
}

type ptrKey struct {
	addr uintptr
	typ  reflect.Type
}

type encoder struct {
	buf bytes.Buffer
	ids map[ptrKey]int
}

// dynamicTypes are the Go types a value behind an interface may have.
var dynamicTypes = map[string]reflect.Type{
	"int":     reflect.TypeOf(0),
	"int64":   reflect.TypeOf(int64(0)),
	"float64": reflect.TypeOf(0.0),
	"string":  reflect.TypeOf(""),
	"bool":    reflect.TypeOf(false),
	"[]any":   reflect.TypeOf([]any(nil)),
	"map":     reflect.TypeOf(map[string]any(nil)),
	"[]str":   reflect.TypeOf([]string(nil)),
	"[]int":   reflect.TypeOf([]int(nil)),
	"mapstr":  reflect.TypeOf(map[string]string(nil)),
	"number":  reflect.TypeOf(json.Number("")),
}

func dynamicName(t reflect.Type) (string, bool) {
	for name, dt := range dynamicTypes {
		if dt == t {
			return name, true
		}
	}
	return "", false
}

var (
	textMarshaler   = reflect.TypeOf((*encoding.TextMarshaler)(nil)).Elem()
	binaryMarshaler = reflect.TypeOf((*encoding.BinaryMarshaler)(nil)).Elem()
)

func (e *encoder) raw(v any) {
	b, _ := json.Marshal(v)
	e.buf.Write(b)
}

func (e *encoder) value(v reflect.Value) error {
	t := v.Type()
	// Types that marshal themselves (time.Time as text, rand.PCG as bytes).
	if t.Kind() == reflect.Struct {
		if reflect.PointerTo(t).Implements(textMarshaler) {
			b, err := addressable(v).Addr().Interface().(encoding.TextMarshaler).MarshalText()
			if err != nil {
				return err
			}
			e.raw(string(b))
			return nil
		}
		if reflect.PointerTo(t).Implements(binaryMarshaler) {
			b, err := addressable(v).Addr().Interface().(encoding.BinaryMarshaler).MarshalBinary()
			if err != nil {
				return err
			}
			e.raw(base64.StdEncoding.EncodeToString(b))
			return nil
		}
	}
	switch t.Kind() {
	case reflect.Bool:
		e.raw(v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		e.buf.WriteString(strconv.FormatInt(v.Int(), 10))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		e.buf.WriteString(strconv.FormatUint(v.Uint(), 10))
	case reflect.Float32, reflect.Float64:
		e.raw(v.Float())
	case reflect.String:
		e.raw(v.String())
	case reflect.Slice:
		if v.IsNil() {
			e.buf.WriteString("null")
			return nil
		}
		fallthrough
	case reflect.Array:
		e.buf.WriteByte('[')
		for i := 0; i < v.Len(); i++ {
			if i > 0 {
				e.buf.WriteByte(',')
			}
			if err := e.value(v.Index(i)); err != nil {
				return err
			}
		}
		e.buf.WriteByte(']')
	case reflect.Map:
		if v.IsNil() {
			e.buf.WriteString("null")
			return nil
		}
		keys := v.MapKeys()
		names := make([]string, len(keys))
		for i, k := range keys {
			switch k.Kind() {
			case reflect.String:
				names[i] = k.String()
			case reflect.Int, reflect.Int64, reflect.Int32:
				names[i] = strconv.FormatInt(k.Int(), 10)
			default:
				return fmt.Errorf("state codec: map key type %s", k.Type())
			}
		}
		idx := make([]int, len(keys))
		for i := range idx {
			idx[i] = i
		}
		sort.Slice(idx, func(a, b int) bool { return names[idx[a]] < names[idx[b]] })
		e.buf.WriteByte('{')
		for n, i := range idx {
			if n > 0 {
				e.buf.WriteByte(',')
			}
			e.raw(names[i])
			e.buf.WriteByte(':')
			if err := e.value(v.MapIndex(keys[i])); err != nil {
				return err
			}
		}
		e.buf.WriteByte('}')
	case reflect.Struct:
		e.buf.WriteByte('{')
		first := true
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if f.Tag.Get("codec") == "-" {
				continue
			}
			if !first {
				e.buf.WriteByte(',')
			}
			first = false
			e.raw(f.Name)
			e.buf.WriteByte(':')
			if err := e.value(fieldOf(addressable(v), i)); err != nil {
				return fmt.Errorf("%s.%s: %w", t.Name(), f.Name, err)
			}
		}
		e.buf.WriteByte('}')
	case reflect.Pointer:
		if v.IsNil() {
			e.buf.WriteString("null")
			return nil
		}
		key := ptrKey{v.Pointer(), t}
		if id, ok := e.ids[key]; ok {
			fmt.Fprintf(&e.buf, `{"$ref":%d}`, id)
			return nil
		}
		id := len(e.ids) + 1
		e.ids[key] = id
		fmt.Fprintf(&e.buf, `{"$id":%d,"v":`, id)
		if err := e.value(v.Elem()); err != nil {
			return err
		}
		e.buf.WriteByte('}')
	case reflect.Interface:
		if v.IsNil() {
			e.buf.WriteString("null")
			return nil
		}
		inner := v.Elem()
		name, ok := dynamicName(inner.Type())
		if !ok {
			return fmt.Errorf("state codec: cannot keep a %s behind an interface", inner.Type())
		}
		fmt.Fprintf(&e.buf, `{"$t":%q,"v":`, name)
		if err := e.value(inner); err != nil {
			return err
		}
		e.buf.WriteByte('}')
	default:
		return fmt.Errorf("state codec: cannot keep a %s", t)
	}
	return nil
}

type decoder struct {
	ptrs map[int64]reflect.Value
}

func (d *decoder) value(j gjson.Result, v reflect.Value, at string) error {
	t := v.Type()
	bad := func(want string) error { return fmt.Errorf("state: %s: want %s, got %s", at, want, j.Raw) }
	if t.Kind() == reflect.Struct {
		if reflect.PointerTo(t).Implements(textMarshaler) {
			if j.Type != gjson.String {
				return bad("a string")
			}
			return v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(j.Str))
		}
		if reflect.PointerTo(t).Implements(binaryMarshaler) {
			b, err := base64.StdEncoding.DecodeString(j.Str)
			if err != nil || j.Type != gjson.String {
				return bad("base64 bytes")
			}
			return v.Addr().Interface().(encoding.BinaryUnmarshaler).UnmarshalBinary(b)
		}
	}
	switch t.Kind() {
	case reflect.Bool:
		if !j.IsBool() {
			return bad("a boolean")
		}
		v.SetBool(j.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(j.Raw, 10, 64)
		if err != nil || v.OverflowInt(n) {
			return bad("an integer")
		}
		v.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, err := strconv.ParseUint(j.Raw, 10, 64)
		if err != nil || v.OverflowUint(n) {
			return bad("an unsigned integer")
		}
		v.SetUint(n)
	case reflect.Float32, reflect.Float64:
		if j.Type != gjson.Number {
			return bad("a number")
		}
		v.SetFloat(j.Num)
	case reflect.String:
		if j.Type != gjson.String {
			return bad("a string")
		}
		v.SetString(j.Str)
	case reflect.Slice, reflect.Array:
		if j.Type == gjson.Null && t.Kind() == reflect.Slice {
			v.SetZero()
			return nil
		}
		if !j.IsArray() {
			return bad("an array")
		}
		items := j.Array()
		if t.Kind() == reflect.Slice {
			v.Set(reflect.MakeSlice(t, len(items), len(items)))
		} else if len(items) != v.Len() {
			return bad(fmt.Sprintf("%d items", v.Len()))
		}
		for i, it := range items {
			if err := d.value(it, v.Index(i), at+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
		}
	case reflect.Map:
		if j.Type == gjson.Null {
			v.SetZero()
			return nil
		}
		if !j.IsObject() {
			return bad("an object")
		}
		m := reflect.MakeMap(t)
		var err error
		j.ForEach(func(k, item gjson.Result) bool {
			key := reflect.New(t.Key()).Elem()
			switch t.Key().Kind() {
			case reflect.String:
				key.SetString(k.Str)
			case reflect.Int, reflect.Int64, reflect.Int32:
				n, perr := strconv.ParseInt(k.Str, 10, 64)
				if perr != nil {
					err = bad("integer keys")
					return false
				}
				key.SetInt(n)
			default:
				err = fmt.Errorf("state: %s: map key type %s", at, t.Key())
				return false
			}
			elem := reflect.New(t.Elem()).Elem()
			if err = d.value(item, elem, at+"."+k.Str); err != nil {
				return false
			}
			m.SetMapIndex(key, elem)
			return true
		})
		if err != nil {
			return err
		}
		v.Set(m)
	case reflect.Struct:
		if !j.IsObject() {
			return bad("an object")
		}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if f.Tag.Get("codec") == "-" {
				continue
			}
			fj := j.Get(gjsonEscape(f.Name))
			if !fj.Exists() {
				continue // a field added since the export: keep its zero value
			}
			if err := d.value(fj, fieldOf(v, i), at+"."+f.Name); err != nil {
				return err
			}
		}
	case reflect.Pointer:
		if j.Type == gjson.Null {
			v.SetZero()
			return nil
		}
		if ref := j.Get(`\$ref`); ref.Exists() {
			p, ok := d.ptrs[ref.Int()]
			if !ok || p.Type() != t {
				return bad("a known $ref")
			}
			v.Set(p)
			return nil
		}
		id := j.Get(`\$id`)
		if !id.Exists() {
			return bad(`{"$id", "v"}`)
		}
		p := reflect.New(t.Elem())
		d.ptrs[id.Int()] = p
		v.Set(p)
		return d.value(j.Get("v"), p.Elem(), at)
	case reflect.Interface:
		if j.Type == gjson.Null {
			v.SetZero()
			return nil
		}
		dt, ok := dynamicTypes[j.Get(`\$t`).Str]
		if !ok {
			return bad(`{"$t", "v"} with a known type`)
		}
		inner := reflect.New(dt).Elem()
		if err := d.value(j.Get("v"), inner, at); err != nil {
			return err
		}
		v.Set(inner)
	default:
		return fmt.Errorf("state: %s: cannot hold a %s", at, t)
	}
	return nil
}

// addressable returns v itself when it is addressable, else an addressable copy.
func addressable(v reflect.Value) reflect.Value {
	if v.CanAddr() {
		return v
	}
	c := reflect.New(v.Type()).Elem()
	c.Set(v)
	return c
}

// fieldOf returns field i of the addressable struct v, readable and settable even when
// unexported.
func fieldOf(v reflect.Value, i int) reflect.Value {
	f := v.Field(i)
	return reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem()
}

func gjsonEscape(s string) string {
	var b bytes.Buffer
	for _, r := range s {
		if r == '.' || r == '*' || r == '?' || r == '|' || r == '#' || r == '@' || r == '\\' {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
