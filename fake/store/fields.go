package store

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/gjson"
)

// Field rules are data: each resource declares its writable fields once, and Validate
// applies them to create (POST), replace (PUT) and partial update (PATCH) bodies alike, with
// Django REST Framework's messages and codes. Fields not declared are read-only or unknown
// and are ignored, as DRF ignores them.

// Kind is the type of a writable field.
type Kind int

// The field kinds, after DRF's serializer fields.
const (
	String   Kind = iota // CharField: trimmed, blank and length rules
	Int                  // IntegerField: accepts "8" and 8.0
	Bool                 // BooleanField: accepts true/"true"/1/"on"/...
	Choice               // ChoiceField: value compared as text against Choices
	Email                // EmailField
	UUID                 // UUIDField
	DateTime             // DateTimeField (ISO 8601)
	JSON                 // JSONField: any JSON value
	List                 // ListField: a JSON array
	Object               // DictField: a JSON object
)

// Field is the rule for one writable field.
type Field struct {
	Name       string
	Kind       Kind
	Required   bool // required on create and PUT
	Nullable   bool
	AllowBlank bool // strings: "" allowed
	NoTrim     bool // strings: keep surrounding white space
	MaxLen     int  // strings: 0 = no limit
	MinLen     int
	Min, Max   *int  // integers
	Choices    []any // Choice: allowed values (string or int)
	// Default is used on create when the field is absent (nil = no default).
	Default any
	// Check is an extra rule on the cleaned value (not called for null).
	Check func(v any) *Error
	// NullDetail, when set, refuses null with this detail (code invalid) instead of DRF's
	// "may not be null": a field declared allow_null whose validate_<field> refuses None.
	NullDetail string
}

// Fields is a resource's field declaration, in the order PostHog's serializer validates.
type Fields []Field

// Mode says which kind of write a body is for.
type Mode int

// The write modes.
const (
	Create  Mode = iota // POST: required fields enforced, defaults applied
	Replace             // PUT: required fields enforced, no defaults
	Patch               // PATCH: only what is present
)

// Values are a validated body: field name → cleaned value (string, int, bool, nil, or the
// decoded JSON for JSON/List/Object fields). Only fields present (or defaulted) appear.
type Values map[string]any

// Has reports whether the body set the field.
func (v Values) Has(name string) bool { _, ok := v[name]; return ok }

// Str returns a string value ("" when absent or null).
func (v Values) Str(name string) string { s, _ := v[name].(string); return s }

// Int returns an integer value (0 when absent or null).
func (v Values) Int(name string) int { i, _ := v[name].(int); return i }

// Bool returns a boolean value (false when absent or null).
func (v Values) Bool(name string) bool { b, _ := v[name].(bool); return b }

// StrPtr returns a string value, nil when null.
func (v Values) StrPtr(name string) *string {
	s, ok := v[name].(string)
	if !ok {
		return nil
	}
	return &s
}

// BoolPtr returns a boolean value, nil when null.
func (v Values) BoolPtr(name string) *bool {
	b, ok := v[name].(bool)
	if !ok {
		return nil
	}
	return &b
}

// DRF's default messages.
const (
	MsgRequired      = "This field is required."
	MsgBlank         = "This field may not be blank."
	MsgNull          = "This field may not be null."
	MsgInvalidEmail  = "Enter a valid email address."
	MsgInvalidInt    = "A valid integer is required."
	MsgInvalidBool   = "Must be a valid boolean."
	MsgInvalidString = "Not a valid string."
	MsgInvalidUUID   = "Must be a valid UUID."
	MsgInvalidDate   = "Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."
)

// MsgMaxLen is DRF's max_length message.
func MsgMaxLen(n int) string {
	return fmt.Sprintf("Ensure this field has no more than %d characters.", n)
}

// MsgInvalidChoice is DRF's invalid_choice message.
func MsgInvalidChoice(v string) string { return fmt.Sprintf("%q is not a valid choice.", v) }

// IntP returns a pointer to n (for Field.Min and Field.Max).
func IntP(n int) *int { return &n }

// Validate checks body (a JSON object) against the fields and returns the cleaned values,
// or the first error in declaration order, as PostHog reports only the first.
func (fs Fields) Validate(body gjson.Result, mode Mode) (Values, *Error) {
	out := Values{}
	// A long field list reads the body's keys once (the first of duplicate keys wins, as
	// with gjson's Get) rather than searching the body once per field: PATCH project has
	// ~70 fields (BENCHMARKS.md).
	var byKey map[string]gjson.Result
	if len(fs) >= minIndexedFields && body.IsObject() {
		byKey = map[string]gjson.Result{}
		body.ForEach(func(k, v gjson.Result) bool {
			if _, dup := byKey[k.String()]; !dup {
				byKey[k.String()] = v
			}
			return true
		})
	}
	for i := range fs {
		f := &fs[i]
		var raw gjson.Result
		if byKey != nil {
			raw = byKey[f.Name]
		} else {
			raw = body.Get(gjsonKey(f.Name))
		}
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

// minIndexedFields is the length of a field list from which Validate indexes the body's
// keys.
const minIndexedFields = 8

// CleanValue validates one value against the field's rule (used for nested input).
func (f *Field) CleanValue(raw gjson.Result) (any, *Error) { return f.clean(raw) }

func (f *Field) clean(raw gjson.Result) (any, *Error) {
	if raw.Type == gjson.Null {
		if f.NullDetail != "" {
			return nil, FieldError(f.Name, "invalid", f.NullDetail)
		}
		if f.Nullable {
			return nil, nil
		}
		return nil, FieldError(f.Name, "null", MsgNull)
	}
	var v any
	switch f.Kind {
	case String, Email:
		s, err := f.cleanString(raw)
		if err != nil {
			return nil, err
		}
		if f.Kind == Email && !(s == "" && f.AllowBlank) && !validEmail(s) {
			return nil, FieldError(f.Name, "invalid_input", MsgInvalidEmail)
		}
		v = s
	case Int:
		n, ok := parseDRFInt(raw)
		if !ok {
			return nil, FieldError(f.Name, "invalid_input", MsgInvalidInt)
		}
		if f.Min != nil && n < *f.Min {
			return nil, FieldError(f.Name, "min_value", fmt.Sprintf("Ensure this value is greater than or equal to %d.", *f.Min))
		}
		if f.Max != nil && n > *f.Max {
			return nil, FieldError(f.Name, "max_value", fmt.Sprintf("Ensure this value is less than or equal to %d.", *f.Max))
		}
		v = n
	case Bool:
		b, ok := parseDRFBool(raw)
		if !ok {
			return nil, FieldError(f.Name, "invalid_input", MsgInvalidBool)
		}
		v = b
	case Choice:
		text := raw.String()
		if raw.Type == gjson.JSON || raw.Type == gjson.True || raw.Type == gjson.False {
			text = raw.Raw
			if raw.Type == gjson.True {
				text = "True"
			} else if raw.Type == gjson.False {
				text = "False"
			}
		}
		if text == "" && f.AllowBlank {
			v = ""
			break
		}
		found := false
		for _, c := range f.Choices {
			if fmt.Sprint(c) == text {
				v, found = c, true
				break
			}
		}
		if !found {
			return nil, FieldError(f.Name, "invalid_choice", MsgInvalidChoice(text))
		}
	case UUID:
		if raw.Type != gjson.String || !IsUUID(raw.Str) {
			return nil, FieldError(f.Name, "invalid_input", MsgInvalidUUID)
		}
		v = strings.ToLower(raw.Str)
	case DateTime:
		if raw.Type != gjson.String {
			return nil, FieldError(f.Name, "invalid_input", MsgInvalidDate)
		}
		t, ok := ParseDateTime(raw.Str)
		if !ok {
			return nil, FieldError(f.Name, "invalid_input", MsgInvalidDate)
		}
		v = t
	case JSON:
		v = raw.Value()
	case List:
		if !raw.IsArray() {
			return nil, FieldError(f.Name, "not_a_list", fmt.Sprintf("Expected a list of items but got type %q.", pyTypeName(raw)))
		}
		v = raw.Value()
	case Object:
		if !raw.IsObject() {
			return nil, FieldError(f.Name, "not_a_dict", fmt.Sprintf("Expected a dictionary of items but got type %q.", pyTypeName(raw)))
		}
		v = raw.Value()
	}
	if f.Check != nil {
		if err := f.Check(v); err != nil {
			if err.Attr == "" && err.Status == 400 && err.Body == nil {
				err.Attr = f.Name
			}
			return nil, err
		}
	}
	return v, nil
}

func (f *Field) cleanString(raw gjson.Result) (string, *Error) {
	var s string
	switch raw.Type {
	case gjson.String:
		s = raw.Str
	case gjson.Number:
		s = raw.Raw // DRF's CharField accepts numbers and keeps their text
	default:
		return "", FieldError(f.Name, "invalid_input", MsgInvalidString)
	}
	if !f.NoTrim {
		s = strings.TrimSpace(s)
	}
	if s == "" {
		if f.AllowBlank {
			return "", nil
		}
		return "", FieldError(f.Name, "blank", MsgBlank)
	}
	if f.MaxLen > 0 && len([]rune(s)) > f.MaxLen {
		return "", FieldError(f.Name, "max_length", MsgMaxLen(f.MaxLen))
	}
	if f.MinLen > 0 && len([]rune(s)) < f.MinLen {
		return "", FieldError(f.Name, "min_length", fmt.Sprintf("Ensure this field has at least %d characters.", f.MinLen))
	}
	raw0 := ""
	if raw.Type == gjson.String {
		raw0 = raw.Raw
	}
	if code, detail := ProhibitedCharacters(s, raw0); code != "" {
		return "", FieldError(f.Name, code, detail)
	}
	return s, nil
}

// MsgNullCharacters is ProhibitNullCharactersValidator's message.
const MsgNullCharacters = "Null characters are not allowed."

// MsgSurrogateCharacters is ProhibitSurrogateCharactersValidator's message for a code point.
func MsgSurrogateCharacters(r rune) string {
	return fmt.Sprintf("Surrogate characters are not allowed: U+%X.", r)
}

// ProhibitedCharacters applies the two validators every DRF CharField (and so EmailField)
// runs after its length checks: a NUL character is refused (code
// null_characters_not_allowed), then a lone UTF-16 surrogate (code
// surrogate_characters_not_allowed, naming the first). s is the decoded text; rawJSON is
// the JSON string literal it came from ("" when none), where a lone surrogate can only be
// seen: Python's json keeps an unpaired "\ud800" escape as a surrogate code point, while
// Go's decoders (gjson's, encoding/json's) turn it into U+FFFD. It returns "" when the text
// is acceptable.
func ProhibitedCharacters(s, rawJSON string) (code, detail string) {
	if strings.IndexByte(s, 0) >= 0 {
		return "null_characters_not_allowed", MsgNullCharacters
	}
	if r, ok := firstLoneSurrogate(rawJSON); ok {
		return "surrogate_characters_not_allowed", MsgSurrogateCharacters(r)
	}
	return "", ""
}

// firstLoneSurrogate scans a JSON string literal's escapes as Python's json does: a high
// surrogate escape directly followed by a low surrogate escape is one character; any other
// surrogate escape is a lone surrogate, and the first is returned.
func firstLoneSurrogate(lit string) (rune, bool) {
	for i := 0; i < len(lit); i++ {
		if lit[i] != '\\' || i+1 >= len(lit) {
			continue
		}
		if lit[i+1] != 'u' {
			i++ // an escaped character: \\, \", \n, ...
			continue
		}
		r, ok := hex4(lit, i+2)
		if !ok {
			i++
			continue
		}
		i += 5 // at the last hex digit
		switch {
		case r >= 0xD800 && r <= 0xDBFF:
			if i+6 < len(lit) && lit[i+1] == '\\' && lit[i+2] == 'u' {
				if lo, ok := hex4(lit, i+3); ok && lo >= 0xDC00 && lo <= 0xDFFF {
					i += 6
					continue
				}
			}
			return r, true
		case r >= 0xDC00 && r <= 0xDFFF:
			return r, true
		}
	}
	return 0, false
}

// hex4 reads four hexadecimal digits at lit[at:].
func hex4(lit string, at int) (rune, bool) {
	if at+4 > len(lit) {
		return 0, false
	}
	n, err := strconv.ParseUint(lit[at:at+4], 16, 32)
	if err != nil {
		return 0, false
	}
	return rune(n), true
}

// gjsonEscaper escapes gjson's path syntax. Built once: building a Replacer for every field
// of every validated body was over half the CPU of PATCH project (BENCHMARKS.md).
var gjsonEscaper = strings.NewReplacer(".", `\.`, "*", `\*`, "?", `\?`, "|", `\|`, "#", `\#`, "@", `\@`)

// gjsonKey escapes a field name for a gjson path (names are plain, but be safe).
func gjsonKey(name string) string {
	if !strings.ContainsAny(name, ".*?|#@") {
		return name
	}
	return gjsonEscaper.Replace(name)
}

func cloneDefault(v any) any {
	switch d := v.(type) {
	case []any:
		return append([]any{}, d...)
	case map[string]any:
		m := make(map[string]any, len(d))
		for k, x := range d {
			m[k] = x
		}
		return m
	}
	return v
}

var reDecimalZeros = regexp.MustCompile(`\.0*\s*$`)

// parseDRFInt follows IntegerField: numbers and numeric strings, "8.0" allowed.
func parseDRFInt(raw gjson.Result) (int, bool) {
	var s string
	switch raw.Type {
	case gjson.Number:
		s = raw.Raw
	case gjson.String:
		s = strings.TrimSpace(raw.Str)
	default:
		return 0, false
	}
	if len(s) > 1000 {
		return 0, false
	}
	s = reDecimalZeros.ReplaceAllString(s, "")
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, false
	}
	return n, true
}

// parseDRFBool follows BooleanField's TRUE_VALUES and FALSE_VALUES.
func parseDRFBool(raw gjson.Result) (bool, bool) {
	switch raw.Type {
	case gjson.True:
		return true, true
	case gjson.False:
		return false, true
	case gjson.Number:
		switch raw.Raw {
		case "1":
			return true, true
		case "0":
			return false, true
		}
	case gjson.String:
		switch raw.Str {
		case "t", "T", "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON", "1":
			return true, true
		case "f", "F", "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF", "0":
			return false, true
		}
	}
	return false, false
}

// pyTypeName names a JSON value's type as Python would after json.loads.
func pyTypeName(raw gjson.Result) string {
	switch raw.Type {
	case gjson.String:
		return "str"
	case gjson.Number:
		if strings.ContainsAny(raw.Raw, ".eE") {
			return "float"
		}
		return "int"
	case gjson.True, gjson.False:
		return "bool"
	case gjson.Null:
		return "NoneType"
	}
	if raw.IsArray() {
		return "list"
	}
	return "dict"
}

// PyTypeName names a JSON value's type as Python would ("list", "dict", "str", ...).
func PyTypeName(raw gjson.Result) string { return pyTypeName(raw) }

var reEmail = regexp.MustCompile(`^[A-Za-z0-9!#$%&'*+/=?^_` + "`" + `{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_` + "`" + `{|}~-]+)*@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9-]{2,63}$`)

// validEmail approximates Django's EmailValidator: it accepts exactly what reEmail matches
// (TestValidEmailMatchesRegexp), by hand, since scenarios check a million addresses.
func validEmail(s string) bool {
	if len(s) > 254 {
		return false
	}
	local, domain, ok := strings.Cut(s, "@")
	if !ok || !dotAtom(local) {
		return false
	}
	// Labels ending in a dot (alphanumerics and hyphens, 1-63, no hyphen at either end),
	// then a last label of 2-63 alphanumerics or hyphens.
	labels := strings.Split(domain, ".")
	if len(labels) < 2 {
		return false
	}
	for i, l := range labels {
		last := i == len(labels)-1
		if len(l) > 63 || (last && len(l) < 2) || (!last && (len(l) == 0 || l[0] == '-' || l[len(l)-1] == '-')) {
			return false
		}
		for j := 0; j < len(l); j++ {
			if c := l[j]; !isAlnum(c) && c != '-' {
				return false
			}
		}
	}
	return true
}

// dotAtom reports whether s is one or more runs of RFC 5322 atext separated by single dots.
func dotAtom(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.':
			if s[i-1] == '.' {
				return false
			}
		case isAlnum(c) || strings.IndexByte("!#$%&'*+/=?^_`{|}~-", c) >= 0:
		default:
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// ValidEmail reports whether s is an address Django's EmailValidator accepts.
func ValidEmail(s string) bool { return validEmail(s) }

var reUUID = regexp.MustCompile(`^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$`)

// IsUUID reports whether s is a UUID in any of the spellings Python's uuid.UUID accepts
// with or without hyphens.
func IsUUID(s string) bool { return reUUID.MatchString(s) }

// ParseDateTime parses an ISO 8601 date-time as DRF does (a missing zone means UTC).
func ParseDateTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	layouts := []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04", "2006-01-02T15:04Z07:00",
		"2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999", "2006-01-02"}
	for _, l := range layouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// ValidTimezone reports whether PostHog accepts tz as a project time zone.
func ValidTimezone(tz string) bool { return timezones[tz] }
