package store

// HogFunctionSerializer's checks of a create or update body (posthog/api/hog_function.py,
// posthog/cdp/validation.py): the defaults its to_internal_value fills in (from the
// instance, or from the template on create), the fields in the serializer's order (the
// first error is the one reported), then validate().

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"

	"github.com/tidwall/gjson"
)

// hogFunctionWrite is a validated body, ready to apply.
type hogFunctionWrite struct {
	create      bool
	vals        Values // type, name, description, enabled, deleted, hog, icon_url, template_id, execution_order
	schema      []any
	inputs      map[string]any // secret values included
	filters     map[string]any
	masking     map[string]any
	hasMasking  bool
	mappings    []any
	hasMappings bool
}

// apply writes a validated body into the record.
func (w *hogFunctionWrite) apply(f *HogFunction) {
	v := w.vals
	if v.Has("type") {
		f.Type = v.Str("type")
	}
	if v.Has("name") {
		f.Name = v.StrPtr("name")
	}
	if v.Has("description") {
		f.Description = v.Str("description")
	}
	if v.Has("enabled") {
		f.Enabled = v.Bool("enabled")
	}
	if v.Has("deleted") {
		f.Deleted = v.Bool("deleted")
	}
	if v.Has("hog") {
		f.Hog = v.Str("hog")
	}
	if v.Has("icon_url") {
		f.IconURL = v.StrPtr("icon_url")
	}
	if w.create && v.Has("template_id") {
		f.TemplateID = v.StrPtr("template_id")
	}
	if v.Has("execution_order") {
		if n, ok := v["execution_order"].(int); ok {
			f.ExecutionOrder = IntP(n)
		} else {
			f.ExecutionOrder = nil
		}
	}
	f.InputsSchema = w.schema
	f.Inputs, f.EncryptedInputs = splitSecretInputs(w.schema, w.inputs, f.EncryptedInputs)
	f.Filters = w.filters
	if w.hasMasking {
		f.Masking = w.masking
	}
	if w.hasMappings {
		f.Mappings = w.mappings
	}
}

// hogFunctionField is one plain field's rule.
var hogFunctionFields = map[string]Field{
	"type":            {Name: "type", Kind: Choice, Choices: HogFunctionTypes, Nullable: true},
	"name":            {Name: "name", Kind: String, Nullable: true, AllowBlank: true, MaxLen: 400},
	"description":     {Name: "description", Kind: String, AllowBlank: true},
	"enabled":         {Name: "enabled", Kind: Bool},
	"deleted":         {Name: "deleted", Kind: Bool},
	"hog":             {Name: "hog", Kind: String},
	"icon_url":        {Name: "icon_url", Kind: String, Nullable: true, AllowBlank: true},
	"template_id":     {Name: "template_id", Kind: String, Nullable: true, AllowBlank: true, MaxLen: 400},
	"execution_order": {Name: "execution_order", Kind: Int, Nullable: true, Min: IntP(0), Max: IntP(32767)},
}

// validateHogFunction checks a body for a new function (f nil) or an update of f.
func (tx *Tx) validateHogFunction(projectID int, f *HogFunction, body gjson.Result, mode Mode) (*hogFunctionWrite, *Error) {
	data, ok := normalizeJSON(DecodeJSONValue(body.Raw)).(map[string]any)
	if !ok {
		return nil, Invalid(fmt.Sprintf("Invalid data. Expected a dictionary, but got %s.", pyTypeOf(normalizeJSON(DecodeJSONValue(body.Raw)))))
	}
	create := f == nil
	// to_internal_value: what the instance (or, on create, the template) fills in.
	if _, ok := data["type"]; !ok {
		data["type"] = "destination"
		if f != nil {
			data["type"] = nilIfEmpty(f.Type)
		}
	}
	if f != nil {
		data["template_id"] = nil
		if f.TemplateID != nil {
			data["template_id"] = *f.TemplateID
		}
	}
	if _, ok := data["inputs_schema"]; !ok {
		data["inputs_schema"] = []any{}
		if f != nil {
			data["inputs_schema"] = CloneValue(f.InputsSchema)
		}
	}
	if _, ok := data["inputs"]; !ok {
		data["inputs"] = map[string]any{}
		if f != nil {
			data["inputs"] = CloneValue(f.Inputs)
		}
	}
	filters, ok := data["filters"]
	if !ok && f != nil {
		filters = CloneValue(f.Filters)
	}
	if !pyTruthy(filters) {
		filters = map[string]any{}
	}
	data["filters"] = filters
	var template *HogFunctionTemplate
	if tid := data["template_id"]; pyTruthy(tid) {
		if template = HogFunctionTemplateByID(pyStr(tid)); template == nil {
			return nil, FieldError("template_id", "invalid_input", fmt.Sprintf("No template found for id '%s'", pyStr(tid)))
		}
	}
	if create {
		for key, empty := range map[string]any{"inputs_schema": []any{}, "inputs": map[string]any{}, "mappings": nil} {
			if !pyTruthy(data[key]) {
				data[key] = empty
			}
		}
		if template != nil {
			for key, v := range map[string]any{"hog": template.Code, "inputs_schema": CloneValue(template.InputsSchema),
				"icon_url": template.IconURL, "description": template.Description, "name": template.Name} {
				if !pyTruthy(data[key]) {
					data[key] = v
				}
			}
		}
	}
	raw, _ := json.Marshal(data)
	doc := gjson.ParseBytes(raw)
	w := &hogFunctionWrite{create: create, vals: Values{}}
	plain := func(name string) *Error {
		r := doc.Get(gjsonKey(name))
		if !r.Exists() {
			return nil
		}
		fd := hogFunctionFields[name]
		v, err := fd.clean(r)
		if err != nil {
			return err
		}
		w.vals[name] = v
		return nil
	}
	hogType, _ := data["type"].(string)
	for _, step := range []func() *Error{
		func() *Error {
			if err := plain("type"); err != nil {
				return err
			}
			if mode != Create && f != nil && w.vals.Str("type") != f.Type {
				return FieldError("type", "invalid_input", "Cannot modify the type of an existing function")
			}
			return nil
		},
		func() *Error { return plain("name") },
		func() *Error { return plain("description") },
		func() *Error { return plain("enabled") },
		func() *Error { return plain("deleted") },
		func() *Error { return plain("hog") },
		func() (err *Error) {
			w.schema, err = validateInputsSchema(data["inputs_schema"], "inputs_schema")
			return err
		},
		func() (err *Error) {
			var secrets map[string]any
			if f != nil {
				secrets = f.EncryptedInputs
			}
			w.inputs, err = validateInputs(w.schema, data["inputs"], secrets, "inputs")
			return err
		},
		func() (err *Error) {
			w.filters, err = validateHogFilters(data["filters"], "filters")
			return err
		},
		func() (err *Error) {
			m, ok := data["masking"]
			if !ok {
				return nil
			}
			w.hasMasking = true
			w.masking, err = validateMasking(m)
			return err
		},
		func() (err *Error) {
			m, ok := data["mappings"]
			if !ok {
				return nil
			}
			w.hasMappings = true
			w.mappings, err = validateMappings(m)
			return err
		},
		func() *Error { return plain("icon_url") },
		func() *Error { return plain("template_id") },
		func() *Error { return plain("execution_order") },
	} {
		if err := step(); err != nil {
			return nil, err
		}
	}
	// validate()
	if hogType == "transformation" && w.vals.Bool("enabled") && (create || !f.Enabled) {
		n := 0
		for _, h := range tx.st.ext.hogFunctions.recs.all(projectID, false) {
			if h.Type == "transformation" && h.Enabled {
				n++
			}
		}
		if n >= maxTransformationsTeam {
			return nil, FieldError("type", "invalid_input", fmt.Sprintf("Maximum of %d enabled transformation functions allowed per team. "+
				"Please contact support if you need this limit increased, or disable some existing transformations.", maxTransformationsTeam))
		}
	}
	if w.hasMappings && w.mappings != nil {
		delete(w.filters, "events")
		delete(w.filters, "actions")
		if hogType != "site_destination" && hogType != "destination" {
			return nil, FieldError("mappings", "invalid_input", "Mappings are only allowed for destinations.")
		}
	}
	if w.vals.Has("hog") {
		code := w.vals.Str("hog")
		if len(code) > maxHogCodeBytes {
			return nil, FieldError("hog", "invalid_input", fmt.Sprintf("HOG code exceeds maximum size of %dKB. "+
				"Please simplify your code or contact support if you need this limit increased.", maxHogCodeBytes/1024))
		}
		if slices.Contains(hogFunctionTypesWithJS, hogType) {
			if !hogParses(code) {
				return nil, FieldError("hog", "invalid_input", "Error in TypeScript code")
			}
		} else if !hogParses(code) {
			return nil, FieldError("hog", "invalid_input", "Hog code has errors.")
		}
	}
	if create && w.vals.Str("hog") == "" {
		return nil, FieldError("hog", "invalid_input", "Required.")
	}
	return w, nil
}

// nilIfEmpty is nil for "" (a null type), the text otherwise.
func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// validateHogFilters is HogFunctionFiltersSerializer: its declared fields only (source
// defaults to "events"); the bytecode PostHog compiles from them is not produced.
func validateHogFilters(raw any, attr string) (map[string]any, *Error) {
	m, ok := raw.(map[string]any)
	if !ok {
		return nil, FieldError(attr, "invalid_input", fmt.Sprintf("Invalid data. Expected a dictionary, but got %s.", pyTypeOf(raw)))
	}
	out := map[string]any{"source": "events"}
	if s, ok := m["source"]; ok {
		if s != "events" && s != "person-updates" {
			return nil, FieldError(attr+"__source", "invalid_choice", MsgInvalidChoice(pyStr(s)))
		}
		out["source"] = s
	}
	for _, name := range []string{"actions", "events", "properties"} {
		v, ok := m[name]
		if !ok {
			continue
		}
		list, ok := v.([]any)
		if !ok {
			return nil, FieldError(attr+"__"+name, "not_a_list", fmt.Sprintf("Expected a list of items but got type %q.", pyTypeOf(v)))
		}
		for i, e := range list {
			if _, ok := e.(map[string]any); !ok {
				return nil, FieldError(attr+"__"+name+"__"+strconv.Itoa(i), "not_a_dict", fmt.Sprintf("Expected a dictionary of items but got type %q.", pyTypeOf(e)))
			}
		}
		out[name] = list
	}
	if v, ok := m["filter_test_accounts"]; ok {
		b, ok := pyBool(v)
		if !ok {
			return nil, FieldError(attr+"__filter_test_accounts", "invalid_input", MsgInvalidBool)
		}
		out["filter_test_accounts"] = b
	}
	return out, nil
}

// validateMasking is HogFunctionMaskingSerializer (null allowed).
func validateMasking(raw any) (map[string]any, *Error) {
	if raw == nil {
		return nil, nil
	}
	m, ok := raw.(map[string]any)
	if !ok {
		return nil, FieldError("masking", "invalid_input", fmt.Sprintf("Invalid data. Expected a dictionary, but got %s.", pyTypeOf(raw)))
	}
	doc := gjson.Parse(mustJSON(m))
	out := map[string]any{}
	for _, fd := range []Field{
		{Name: "ttl", Kind: Int, Required: true, Min: IntP(60), Max: IntP(60 * 60 * 24)},
		{Name: "threshold", Kind: Int, Nullable: true},
		{Name: "hash", Kind: String, Required: true},
	} {
		r := doc.Get(fd.Name)
		if !r.Exists() {
			if fd.Required {
				return nil, FieldError("masking__"+fd.Name, "required", MsgRequired)
			}
			continue
		}
		v, err := fd.clean(r)
		if err != nil {
			err.Attr = "masking__" + fd.Name
			return nil, err
		}
		out[fd.Name] = v
	}
	return out, nil
}

// validateMappings is the list of MappingsSerializer (null allowed): each mapping's inputs
// are checked against its own inputs_schema.
func validateMappings(raw any) ([]any, *Error) {
	if raw == nil {
		return nil, nil
	}
	list, ok := raw.([]any)
	if !ok {
		return nil, FieldError("mappings", "not_a_list", fmt.Sprintf("Expected a list of items but got type %q.", pyTypeOf(raw)))
	}
	out := make([]any, 0, len(list))
	for i, e := range list {
		at := "mappings__" + strconv.Itoa(i)
		m, ok := e.(map[string]any)
		if !ok {
			return nil, FieldError(at, "invalid_input", fmt.Sprintf("Invalid data. Expected a dictionary, but got %s.", pyTypeOf(e)))
		}
		mp := map[string]any{}
		if _, ok := m["name"]; ok {
			s, err := schemaString(m, "name", at, false, false)
			if err != nil {
				return nil, err
			}
			mp["name"] = *s
		}
		var schema []any
		if s, ok := m["inputs_schema"]; ok {
			var err *Error
			if schema, err = validateInputsSchema(s, at+"__inputs_schema"); err != nil {
				return nil, err
			}
			mp["inputs_schema"] = schema
		}
		if in, ok := m["inputs"]; ok {
			if _, has := m["inputs_schema"]; !has {
				return nil, FieldError(at+"__inputs", "invalid_input", "Missing inputs_schema.")
			}
			inputs, err := validateInputs(schema, in, nil, at+"__inputs")
			if err != nil {
				return nil, err
			}
			mp["inputs"] = inputs
		}
		if fl, ok := m["filters"]; ok {
			filters, err := validateHogFilters(fl, at+"__filters")
			if err != nil {
				return nil, err
			}
			mp["filters"] = filters
		}
		out = append(out, mp)
	}
	return out, nil
}

// mustJSON encodes a decoded JSON value back to text.
func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// hogParses is the fake's stand-in for compiling Hog (or transpiling TypeScript): the code
// must close its strings, comments and brackets, each with its own kind.
func hogParses(code string) bool {
	var stack []byte
	closer := map[byte]byte{')': '(', ']': '[', '}': '{'}
	for i := 0; i < len(code); i++ {
		c := code[i]
		switch {
		case c == '/' && i+1 < len(code) && code[i+1] == '/':
			for i < len(code) && code[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(code) && code[i+1] == '*':
			end := -1
			for j := i + 2; j+1 < len(code); j++ {
				if code[j] == '*' && code[j+1] == '/' {
					end = j + 1
					break
				}
			}
			if end < 0 {
				return false
			}
			i = end
		case c == '\'' || c == '"' || c == '`':
			j := i + 1
			for ; j < len(code) && code[j] != c; j++ {
				if code[j] == '\\' {
					j++
				}
			}
			if j >= len(code) {
				return false
			}
			i = j
		case c == '(' || c == '[' || c == '{':
			stack = append(stack, c)
		case c == ')' || c == ']' || c == '}':
			if len(stack) == 0 || stack[len(stack)-1] != closer[c] {
				return false
			}
			stack = stack[:len(stack)-1]
		}
	}
	return len(stack) == 0
}
