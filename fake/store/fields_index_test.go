package store

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/tidwall/gjson"
)

// validateByGet is Validate as it was before it indexed the body's keys: one gjson Get per
// field. The reference for TestValidateIndexedMatchesGet.
func validateByGet(fs Fields, body gjson.Result, mode Mode) (Values, *Error) {
	out := Values{}
	for i := range fs {
		f := &fs[i]
		raw := body.Get(gjsonKey(f.Name))
		if !raw.Exists() {
			if mode != Patch && f.Required {
				return nil, FieldError(f.Name, "required", MsgRequired)
			}
			if mode == Create && f.Default != nil {
				out[f.Name] = cloneDefault(f.Default)
			}
			continue
		}
		v, err := f.clean(raw)
		if err != nil {
			return nil, err
		}
		out[f.Name] = v
	}
	return out, nil
}

// Validate with an indexed body gives what one Get per field gave, on random bodies made of
// the project fields' names (duplicated, escaped, spaced out, unknown, invalid values) and
// on bodies that are not objects.
func TestValidateIndexedMatchesGet(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 11))
	fs := ProjectFields
	if len(fs) < minIndexedFields {
		t.Fatalf("ProjectFields has %d fields: the index is not used", len(fs))
	}
	values := []string{`null`, `true`, `"x"`, `""`, `1`, `-3`, `1.5`, `"UTC"`, `"Europe/Paris"`, `[]`, `["a"]`, `{}`,
		`{"k":1}`, `"  padded "`, `"https://a.test"`, `"\u0041"`, `0`, `99999999999999999999`}
	escape := func(name string) string {
		if r.IntN(4) > 0 || name == "" {
			return name
		}
		return fmt.Sprintf(`\u%04x`, name[0]) + name[1:]
	}
	for i := range 20_000 {
		var b strings.Builder
		b.WriteString("{")
		for j := range r.IntN(6) {
			if j > 0 {
				b.WriteString(",")
			}
			name := fs[r.IntN(len(fs))].Name
			switch r.IntN(8) {
			case 0:
				name = "unknown_" + name
			case 1:
				name += ".x"
			}
			fmt.Fprintf(&b, "%s\"%s\" : %s", strings.Repeat(" ", r.IntN(2)), escape(name), values[r.IntN(len(values))])
		}
		b.WriteString("}")
		doc := b.String()
		switch i % 50 {
		case 0:
			doc = `[1,2]`
		case 1:
			doc = `"str"`
		case 2:
			doc = `{"name":1`
		}
		body := gjson.Parse(doc)
		for _, mode := range []Mode{Create, Patch, Replace} {
			got, gotErr := fs.Validate(body, mode)
			want, wantErr := validateByGet(fs, body, mode)
			if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(gotErr, wantErr) {
				t.Fatalf("%s (mode %v):\n got %v %v\nwant %v %v", doc, mode, got, gotErr, want, wantErr)
			}
		}
	}
}
