package store

// The store's one deep-copy mechanism (snapshots, Restore, Copy, an update's "before"):
// deepCopy copies a value by assignment and then replaces every pointer, slice, map and
// interface it holds by a copy of its own, following a plan built once per type by
// reflection. A field added to a record is copied with it; nothing is written per record.
//
// What it assumes of the values it copies (the records and the families' states, checked by
// deepcopy_test.go): they are trees (no two places point at the same record, no cycles:
// the state's indexes that share records are rebuilt by state.clone), map keys are values,
// and structs from other packages (time.Time) are values too. Functions and channels are
// shared.

import (
	"reflect"
	"sync"
	"time"
	"unsafe"
)

// deepCopy returns a deep copy of *p: nothing it holds is shared with *p. nil gives nil.
func deepCopy[T any](p *T) *T { return copierOf[T]()(p) }

// copierOf returns deepCopy for *T with the type's plan looked up once, for the loops that
// copy many records of one type.
func copierOf[T any]() func(*T) *T {
	f := copierFor(reflect.TypeFor[T]())
	return func(p *T) *T {
		if p == nil {
			return nil
		}
		c := new(T)
		*c = *p
		if f != nil {
			f(unsafe.Pointer(c))
		}
		return c
	}
}

// copyFunc replaces what the value at p holds (p having just been copied by assignment)
// by copies of its own.
type copyFunc func(p unsafe.Pointer)

// copiers caches each type's copyFunc (nil for a type whose assignment is already deep).
var copiers sync.Map // reflect.Type → copyFunc

// copierFor returns the copyFunc of t, nil when copying a t by assignment is already deep.
func copierFor(t reflect.Type) copyFunc {
	if f, ok := copiers.Load(t); ok {
		return f.(copyFunc)
	}
	f := buildCopier(t, map[reflect.Type]*copyFunc{})
	copiers.Store(t, f)
	return f
}

// storePkg is this package's path: structs declared elsewhere are copied as values.
var storePkg = reflect.TypeFor[Store]().PkgPath()

// leafCopiers are the types the records hold most, copied without reflection (the same
// result as the general case, faster). Filled by init: CloneValue refers back to copierFor.
var leafCopiers map[reflect.Type]copyFunc

func init() {
	leafCopiers = map[reflect.Type]copyFunc{
		reflect.TypeFor[*string]():           leafPtr[string],
		reflect.TypeFor[*int]():              leafPtr[int],
		reflect.TypeFor[*bool]():             leafPtr[bool],
		reflect.TypeFor[*time.Time]():        leafPtr[time.Time],
		reflect.TypeFor[[]string]():          leafSlice[string],
		reflect.TypeFor[[]int]():             leafSlice[int],
		reflect.TypeFor[map[string]string](): leafMap[string, string],
		reflect.TypeFor[map[string]bool]():   leafMap[string, bool],
		reflect.TypeFor[map[string]any](): func(p unsafe.Pointer) {
			if m := *(*map[string]any)(p); m != nil {
				*(*map[string]any)(p) = CloneValue(m).(map[string]any)
			}
		},
		reflect.TypeFor[[]any](): func(p unsafe.Pointer) {
			if s := *(*[]any)(p); s != nil {
				*(*[]any)(p) = CloneValue(s).([]any)
			}
		},
	}
}

func leafPtr[E any](p unsafe.Pointer) { *(**E)(p) = clonePtr(*(**E)(p)) }

func leafSlice[E any](p unsafe.Pointer) { *(*[]E)(p) = cloneSlice(*(*[]E)(p)) }

func leafMap[K comparable, V any](p unsafe.Pointer) {
	if m := *(*map[K]V)(p); m != nil {
		*(*map[K]V)(p) = cloneMap(m)
	}
}

// buildCopier builds the copyFunc of t. building holds the types under construction, so a
// recursive type refers to its own copyFunc through the slot.
func buildCopier(t reflect.Type, building map[reflect.Type]*copyFunc) copyFunc {
	if f, ok := leafCopiers[t]; ok {
		return f
	}
	if slot, ok := building[t]; ok {
		return func(p unsafe.Pointer) {
			if *slot != nil {
				(*slot)(p)
			}
		}
	}
	slot := new(copyFunc)
	building[t] = slot
	*slot = buildKind(t, building)
	return *slot
}

func buildKind(t reflect.Type, building map[reflect.Type]*copyFunc) copyFunc {
	switch t.Kind() {
	case reflect.Pointer:
		et := t.Elem()
		ec := buildCopier(et, building)
		return func(p unsafe.Pointer) {
			v := reflect.NewAt(t, p).Elem()
			if v.IsNil() {
				return
			}
			n := reflect.New(et)
			n.Elem().Set(v.Elem())
			if ec != nil {
				ec(n.UnsafePointer())
			}
			v.Set(n)
		}
	case reflect.Slice:
		et := t.Elem()
		ec := buildCopier(et, building)
		size := et.Size()
		return func(p unsafe.Pointer) {
			v := reflect.NewAt(t, p).Elem()
			if v.IsNil() {
				return
			}
			n := reflect.MakeSlice(t, v.Len(), v.Len())
			reflect.Copy(n, v)
			v.Set(n)
			if ec != nil && size > 0 {
				base := v.UnsafePointer()
				for i := range v.Len() {
					ec(unsafe.Add(base, uintptr(i)*size))
				}
			}
		}
	case reflect.Array:
		ec := buildCopier(t.Elem(), building)
		if ec == nil {
			return nil
		}
		size := t.Elem().Size()
		return func(p unsafe.Pointer) {
			for i := range t.Len() {
				ec(unsafe.Add(p, uintptr(i)*size))
			}
		}
	case reflect.Map:
		kt, vt := t.Key(), t.Elem()
		vc := buildCopier(vt, building)
		return func(p unsafe.Pointer) {
			v := reflect.NewAt(t, p).Elem()
			if v.IsNil() {
				return
			}
			n := reflect.MakeMapWithSize(t, v.Len())
			if v.Len() == 0 {
				v.Set(n)
				return
			}
			k, e := reflect.New(kt).Elem(), reflect.New(vt).Elem()
			for it := v.MapRange(); it.Next(); {
				k.SetIterKey(it)
				e.SetIterValue(it)
				if vc != nil {
					vc(e.Addr().UnsafePointer())
				}
				n.SetMapIndex(k, e)
			}
			v.Set(n)
		}
	case reflect.Interface:
		return func(p unsafe.Pointer) {
			v := reflect.NewAt(t, p).Elem()
			if v.IsNil() {
				return
			}
			e := v.Elem()
			if copierFor(e.Type()) == nil {
				return // a scalar, a string or a struct of them: shared safely
			}
			v.Set(reflect.ValueOf(CloneValue(e.Interface())))
		}
	case reflect.Struct:
		if t.PkgPath() != storePkg {
			return nil
		}
		type field struct {
			off uintptr
			fn  copyFunc
		}
		var fields []field
		for i := range t.NumField() {
			sf := t.Field(i)
			if fn := buildCopier(sf.Type, building); fn != nil {
				fields = append(fields, field{sf.Offset, fn})
			}
		}
		if len(fields) == 0 {
			return nil
		}
		// Fields are reached by offset, so unexported ones are copied too.
		return func(p unsafe.Pointer) {
			for _, f := range fields {
				f.fn(unsafe.Add(p, f.off))
			}
		}
	}
	return nil // scalars, strings, functions, channels
}
