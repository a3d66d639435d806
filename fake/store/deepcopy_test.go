package store

import (
	"reflect"
	"testing"
	"time"
	"unsafe"
)

// copyKinds has a field of every kind deepCopy handles, exported and not.
type copyKinds struct {
	Str      string
	Ptr      *string
	NilPtr   *int
	Slice    []int
	EmptySl  []int
	NilSlice []int
	Map      map[string]int
	NilMap   map[string]int
	Records  map[string]*copyLeaf
	List     []*copyLeaf
	Values   []copyLeaf
	Array    [2]*int
	Any      any
	AnyTyped any
	When     time.Time
	Nested   copyLeaf
	Next     *copyKinds // recursive
	hidden   *copyLeaf
	hiddenM  map[int][]string
}

type copyLeaf struct {
	N    *int
	Tags []string
}

func TestDeepCopyCopiesEveryKind(t *testing.T) {
	n := func(i int) *int { return &i }
	s := "s"
	in := &copyKinds{Str: "x", Ptr: &s, Slice: []int{1, 2}, EmptySl: []int{}, Map: map[string]int{"a": 1},
		Records: map[string]*copyLeaf{"r": {N: n(1), Tags: []string{"t"}}},
		List:    []*copyLeaf{{N: n(2)}, nil}, Values: []copyLeaf{{N: n(3), Tags: []string{"u"}}},
		Array: [2]*int{n(4), nil}, Any: map[string]any{"k": []any{1.0, "v"}}, AnyTyped: &copyLeaf{N: n(5)},
		When: time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC), Nested: copyLeaf{N: n(6), Tags: []string{"n"}},
		Next:   &copyKinds{Ptr: &s, Slice: []int{7}, Next: &copyKinds{Str: "deepest", Map: map[string]int{}}},
		hidden: &copyLeaf{N: n(8)}, hiddenM: map[int][]string{1: {"h"}}}
	out := deepCopy(in)
	if !reflect.DeepEqual(in, out) {
		t.Fatalf("deepCopy = %+v, want %+v", out, in)
	}
	noSharedMemory(t, reflect.ValueOf(in), reflect.ValueOf(out), "copyKinds", map[uintptr]bool{})
	*out.Next.Ptr, out.Records["r"].Tags[0], *out.hidden.N = "changed", "changed", 0
	if *in.Next.Ptr != "s" || in.Records["r"].Tags[0] != "t" || *in.hidden.N != 8 {
		t.Error("changing the copy changed the original")
	}
	if deepCopy[copyKinds](nil) != nil {
		t.Error("deepCopy(nil) is not nil")
	}
}

// TestDeepCopyCopiesEveryRecordAndFamily fills every pointer, slice, map and interface of
// every family's state (the records, their indexes, exported fields or not, fields added
// later included) and requires the copy to be equal and to share nothing.
func TestDeepCopyCopiesEveryRecordAndFamily(t *testing.T) {
	var ext extensions
	fillAll(reflect.ValueOf(&ext).Elem(), 0)
	c := deepCopy(&ext)
	if !reflect.DeepEqual(&ext, c) {
		t.Fatal("the copy of the families' states differs from them")
	}
	noSharedMemory(t, reflect.ValueOf(&ext).Elem(), reflect.ValueOf(c).Elem(), "extensions", map[uintptr]bool{})
	for _, rec := range []any{&User{}, &PersonalAPIKey{}, &Organization{}, &Membership{}, &Invite{}, &Project{}, &ActivityEntry{}} {
		v := reflect.ValueOf(rec)
		fillAll(v.Elem(), 0)
		out := reflect.ValueOf(deepCopyAny(rec))
		if !reflect.DeepEqual(rec, out.Interface()) {
			t.Errorf("%T: the copy differs", rec)
		}
		noSharedMemory(t, v, out, v.Type().String(), map[uintptr]bool{})
	}
}

// deepCopyAny is deepCopy for a pointer held in an interface.
func deepCopyAny(p any) any {
	v := reflect.ValueOf(p)
	c := reflect.New(v.Type().Elem())
	c.Elem().Set(v.Elem())
	if f := copierFor(v.Type().Elem()); f != nil {
		f(c.UnsafePointer())
	}
	return c.Interface()
}

// fillAll sets every pointer, slice, map and interface below v, unexported fields
// included, to a non-empty value (one element), down to a few levels.
func fillAll(v reflect.Value, depth int) {
	if depth > 6 {
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC)))
			return
		}
		for i := range v.NumField() {
			f := v.Field(i)
			fillAll(reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem(), depth+1)
		}
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		fillAll(v.Elem(), depth+1)
	case reflect.Slice:
		if v.Len() == 0 {
			v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		}
		fillAll(v.Index(0), depth+1)
	case reflect.Map:
		if v.Len() == 0 {
			v.Set(reflect.MakeMap(v.Type()))
			k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			fillAll(k, depth+1)
			fillAll(e, depth+1)
			v.SetMapIndex(k, e)
		}
	case reflect.Interface:
		if v.IsNil() {
			v.Set(reflect.ValueOf(map[string]any{"filled": []any{1.0, map[string]any{"k": "v"}}}))
		}
	case reflect.String:
		v.SetString("s")
	case reflect.Int, reflect.Int64:
		v.SetInt(1)
	case reflect.Bool:
		v.SetBool(true)
	}
}
