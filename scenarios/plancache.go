package scenarios

import (
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"hash"
	"math"
	"reflect"
	"slices"
	"sync"
	"time"
)

// Parse builds the whole plan to check a scenario (generate included), and World needs the
// same plan to seed it. A Scenario is plain data a caller may change in between, so World
// may reuse Parse's plan only when the scenario is provably the same: planCache keeps the
// plan with a fingerprint of every exported field Parse read (a SHA-256 over a walk of the
// values, types included), and World takes it once — the first World whose scenario still
// has that fingerprint seeds from it and drops it, so a parsed scenario does not keep a
// large generated plan alive after it was loaded. Anything the walk cannot fingerprint
// faithfully (funcs, channels, unexported fields, maps with non-string keys, cycles) means
// no reuse: World plans again, as it always did.

// planCache is Parse's plan, waiting for the first World. Copies of a Scenario share it;
// the plan is only reused by the Scenario it was built for.
type planCache struct {
	mu  sync.Mutex
	sum [sha256.Size]byte
	p   *plan
}

// keepPlan stores p (just built from s) for the first World.
func (s *Scenario) keepPlan(p *plan) {
	if sum, ok := s.fingerprint(); ok {
		s.planned = &planCache{sum: sum, p: p}
	}
}

// takePlan returns the plan Parse built when s has not changed since, or nil. It hands the
// plan out once.
func (s *Scenario) takePlan() *plan {
	c := s.planned
	if c == nil {
		return nil
	}
	c.mu.Lock()
	p := c.p
	c.p = nil
	c.mu.Unlock()
	if p == nil || p.s != s {
		return nil
	}
	if sum, ok := s.fingerprint(); !ok || sum != c.sum {
		return nil
	}
	return p
}

// fingerprint hashes every exported field of s; ok is false when some value cannot be
// hashed faithfully.
func (s *Scenario) fingerprint() (sum [sha256.Size]byte, ok bool) {
	f := &fingerprinter{h: sha256.New()}
	if !f.value(reflect.ValueOf(s).Elem(), 0) {
		return sum, false
	}
	f.h.Sum(sum[:0])
	return sum, true
}

// fingerprinter writes an unambiguous encoding of a value (kind, type for interfaces,
// lengths before contents, nil apart from empty) to a hash.
type fingerprinter struct {
	h   hash.Hash
	buf [9]byte
}

// maxFingerprintDepth bounds the walk (values built in Go may hold cycles through any).
const maxFingerprintDepth = 64

var (
	timeType     = reflect.TypeFor[time.Time]()
	scenarioType = reflect.TypeFor[Scenario]()
)

func (f *fingerprinter) word(tag byte, n uint64) {
	f.buf[0] = tag
	binary.LittleEndian.PutUint64(f.buf[1:], n)
	f.h.Write(f.buf[:])
}

func (f *fingerprinter) str(s string) {
	f.word('s', uint64(len(s)))
	f.h.Write([]byte(s))
}

func (f *fingerprinter) value(v reflect.Value, depth int) bool {
	if depth > maxFingerprintDepth {
		return false
	}
	if v.Type() == timeType {
		b, err := v.Interface().(time.Time).MarshalBinary()
		if err != nil {
			return false
		}
		f.str(string(b))
		return true
	}
	switch v.Kind() {
	case reflect.Bool:
		n := uint64(0)
		if v.Bool() {
			n = 1
		}
		f.word('b', n)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		f.word('i', uint64(v.Int()))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		f.word('u', v.Uint())
	case reflect.Float32, reflect.Float64:
		f.word('f', math.Float64bits(v.Float()))
	case reflect.String:
		f.str(v.String())
	case reflect.Pointer:
		if v.IsNil() {
			f.word('p', 0)
			return true
		}
		f.word('p', 1)
		return f.value(v.Elem(), depth+1)
	case reflect.Interface:
		if v.IsNil() {
			f.word('n', 0)
			return true
		}
		e := v.Elem()
		f.str(e.Type().String())
		f.str(e.Type().PkgPath())
		return f.value(e, depth+1)
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			f.word('l', 0)
			return true
		}
		f.word('l', uint64(v.Len())+1)
		for i := range v.Len() {
			if !f.value(v.Index(i), depth+1) {
				return false
			}
		}
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String {
			return false
		}
		if v.IsNil() {
			f.word('m', 0)
			return true
		}
		f.word('m', uint64(v.Len())+1)
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return cmp.Compare(a.String(), b.String()) })
		for _, k := range keys {
			f.str(k.String())
			if !f.value(v.MapIndex(k), depth+1) {
				return false
			}
		}
	case reflect.Struct:
		t := v.Type()
		f.str(t.String())
		for i := range t.NumField() {
			if !t.Field(i).IsExported() {
				if t == scenarioType {
					continue // pos and planned: not the scenario's data
				}
				return false
			}
			if !f.value(v.Field(i), depth+1) {
				return false
			}
		}
	default: // funcs, channels, unsafe pointers, complex numbers
		return false
	}
	return true
}
