package store

import (
	"testing"

	"github.com/tidwall/gjson"
)

// TestFieldRules checks each kind against DRF's behaviour: what it accepts, how it cleans it,
// and the code and message of what it refuses.
func TestFieldRules(t *testing.T) {
	fields := Fields{
		{Name: "s", Kind: String, MaxLen: 5},
		{Name: "blank", Kind: String, AllowBlank: true},
		{Name: "n", Kind: Int, Min: IntP(0), Max: IntP(10)},
		{Name: "b", Kind: Bool},
		{Name: "c", Kind: Choice, Choices: []any{1, 8, 15}},
		{Name: "e", Kind: Email},
		{Name: "u", Kind: UUID},
		{Name: "null", Kind: String, Nullable: true},
		{Name: "l", Kind: List},
	}
	cases := []struct {
		body       string
		want       any // the cleaned value of the only field in body, when no error
		code, text string
	}{
		{`{"s":" abc "}`, "abc", "", ""},
		{`{"s":12}`, "12", "", ""},
		{`{"s":""}`, nil, "blank", MsgBlank},
		{`{"s":"abcdef"}`, nil, "max_length", "Ensure this field has no more than 5 characters."},
		{`{"s":true}`, nil, "invalid_input", MsgInvalidString},
		{`{"s":[1]}`, nil, "invalid_input", MsgInvalidString},
		{`{"s":null}`, nil, "null", MsgNull},
		{`{"blank":"  "}`, "", "", ""},
		{`{"n":"7"}`, 7, "", ""},
		{`{"n":7.0}`, 7, "", ""},
		{`{"n":"x"}`, nil, "invalid_input", MsgInvalidInt},
		{`{"n":true}`, nil, "invalid_input", MsgInvalidInt},
		{`{"n":11}`, nil, "max_value", "Ensure this value is less than or equal to 10."},
		{`{"n":-1}`, nil, "min_value", "Ensure this value is greater than or equal to 0."},
		{`{"b":"on"}`, true, "", ""},
		{`{"b":0}`, false, "", ""},
		{`{"b":"maybe"}`, nil, "invalid_input", MsgInvalidBool},
		{`{"c":"8"}`, 8, "", ""},
		{`{"c":3}`, nil, "invalid_choice", `"3" is not a valid choice.`},
		{`{"c":""}`, nil, "invalid_choice", `"" is not a valid choice.`},
		{`{"e":"a@b.co"}`, "a@b.co", "", ""},
		{`{"e":"a@b"}`, nil, "invalid_input", MsgInvalidEmail},
		{`{"u":"0190F2B4-1C2D-7000-8000-000000000000"}`, "0190f2b4-1c2d-7000-8000-000000000000", "", ""},
		{`{"u":"nope"}`, nil, "invalid_input", MsgInvalidUUID},
		{`{"null":null}`, nil, "", ""},
		{`{"l":"x"}`, nil, "not_a_list", `Expected a list of items but got type "str".`},
	}
	for _, c := range cases {
		t.Run(c.body, func(t *testing.T) {
			vals, err := fields.Validate(gjson.Parse(c.body), Patch)
			if c.code != "" {
				if err == nil || err.Code != c.code || err.Detail != c.text || err.Status != 400 || err.Type != "validation_error" {
					t.Fatalf("err = %v, want %s %q", err, c.code, c.text)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			for _, v := range vals {
				if v != c.want {
					t.Fatalf("cleaned = %#v, want %#v", v, c.want)
				}
			}
		})
	}
}

func TestFieldModes(t *testing.T) {
	fields := Fields{
		{Name: "name", Kind: String, Required: true},
		{Name: "level", Kind: Choice, Choices: []any{1, 8}, Default: 1},
	}
	if _, err := fields.Validate(gjson.Parse(`{}`), Create); err == nil || err.Code != "required" || err.Attr != "name" {
		t.Errorf("create without required field: %v", err)
	}
	if _, err := fields.Validate(gjson.Parse(`{"level":8}`), Replace); err == nil || err.Code != "required" {
		t.Errorf("PUT without required field: %v", err)
	}
	v, err := fields.Validate(gjson.Parse(`{}`), Patch)
	if err != nil || len(v) != 0 {
		t.Errorf("PATCH {} = %v, %v; want nothing", v, err)
	}
	v, err = fields.Validate(gjson.Parse(`{"name":"x","ignored":1}`), Create)
	if err != nil || v.Int("level") != 1 || v.Has("ignored") {
		t.Errorf("create defaults = %v, %v", v, err)
	}
	// The first error in declaration order is the one reported.
	if _, err := fields.Validate(gjson.Parse(`{"level":5}`), Create); err.Attr != "name" {
		t.Errorf("first error attr = %s, want name", err.Attr)
	}
}

func TestTokensAndIDs(t *testing.T) {
	a, b := New(Options{Seed: 7, Clock: NewManualClock(testTime)}), New(Options{Seed: 7, Clock: NewManualClock(testTime)})
	var ta, tb []string
	_ = a.Write(func(tx *Tx) error {
		ta = []string{tx.NewUUID(), tx.RandomToken(32), tx.RandomToken(35), tx.RandomURLSafe(32)}
		return nil
	})
	_ = b.Write(func(tx *Tx) error {
		tb = []string{tx.NewUUID(), tx.RandomToken(32), tx.RandomToken(35), tx.RandomURLSafe(32)}
		return nil
	})
	for i := range ta {
		if ta[i] != tb[i] {
			t.Errorf("same seed gave %q and %q", ta[i], tb[i])
		}
	}
	if !IsUUID(ta[0]) || len(ta[1]) != 44 || len(ta[2]) < 48 || len(ta[3]) != 43 {
		t.Errorf("formats: %q", ta)
	}
	for _, r := range ta[1] + ta[2] {
		if !containsRune(base57, r) {
			t.Fatalf("token has %q, not in base57", r)
		}
	}
	if MaskValue("phs_abcdefghijklmnopqrstuvwxyz") != "phs_...wxyz" || MaskValue("short") != "********" {
		t.Error("MaskValue")
	}
	// UUIDs are time-ordered.
	var u1, u2 string
	_ = a.Write(func(tx *Tx) error { u1, u2 = tx.NewUUID(), tx.NewUUID(); return nil })
	if !(u1 < u2) {
		t.Errorf("uuids not ordered: %s %s", u1, u2)
	}
}

func containsRune(s string, r rune) bool {
	for _, x := range s {
		if x == r {
			return true
		}
	}
	return false
}

var testTime = mustTime("2026-01-15T10:00:00Z")
