package store

// A hog function's inputs_schema and inputs, as posthog/cdp/validation.py checks them
// (InputsSchemaItemSerializer, InputsSerializer, InputsItemSerializer), and its secret
// inputs: kept apart from the others (PostHog's encrypted_inputs), never rendered, only
// marked {"secret": true}.

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// inputSchemaTypes are InputsSchemaItemSerializer's type choices.
var inputSchemaTypes = []any{"string", "number", "boolean", "dictionary", "choice", "json", "integration", "integration_field", "email"}

// inputSchemaStrings are the item's optional CharFields, in the serializer's order.
var inputSchemaStrings = []string{"label", "description", "integration", "integration_key", "requires_field", "integration_field", "requiredScopes"}

// validateInputsSchema checks a list of schema items; attr names the list in errors
// ("inputs_schema", "mappings__0__inputs_schema"). Each item keeps the serializer's
// fields only, with its defaults (required, secret, hidden: false).
func validateInputsSchema(raw any, attr string) ([]any, *Error) {
	list, ok := raw.([]any)
	if !ok {
		return nil, FieldError(attr, "not_a_list", fmt.Sprintf("Expected a list of items but got type %q.", pyTypeOf(raw)))
	}
	out := make([]any, 0, len(list))
	for i, it := range list {
		at := attr + "__" + strconv.Itoa(i)
		m, ok := it.(map[string]any)
		if !ok {
			return nil, FieldError(at, "invalid_input", fmt.Sprintf("Invalid data. Expected a dictionary, but got %s.", pyTypeOf(it)))
		}
		item := map[string]any{}
		t, ok := m["type"]
		switch {
		case !ok:
			return nil, FieldError(at+"__type", "required", MsgRequired)
		case t == nil:
			return nil, FieldError(at+"__type", "null", MsgNull)
		case !slices.Contains(inputSchemaTypes, any(pyStr(t))):
			return nil, FieldError(at+"__type", "invalid_choice", MsgInvalidChoice(pyStr(t)))
		}
		item["type"] = pyStr(t)
		key, err := schemaString(m, "key", at, true, false)
		if err != nil {
			return nil, err
		}
		item["key"] = *key
		for _, name := range inputSchemaStrings {
			s, err := schemaString(m, name, at, false, name == "label")
			if err != nil {
				return nil, err
			}
			if s != nil {
				item[name] = *s
			}
		}
		if c, ok := m["choices"]; ok {
			cl, ok := c.([]any)
			if !ok {
				return nil, FieldError(at+"__choices", "not_a_list", fmt.Sprintf("Expected a list of items but got type %q.", pyTypeOf(c)))
			}
			for j, e := range cl {
				if _, ok := e.(map[string]any); !ok {
					return nil, FieldError(at+"__choices__"+strconv.Itoa(j), "not_a_dict", fmt.Sprintf("Expected a dictionary of items but got type %q.", pyTypeOf(e)))
				}
			}
			item["choices"] = cl
		}
		for _, name := range []string{"required", "secret", "hidden", "templating"} {
			v, ok := m[name]
			if !ok {
				if name != "templating" {
					item[name] = false
				}
				continue
			}
			b, ok := pyBool(v)
			if !ok {
				return nil, FieldError(at+"__"+name, "invalid_input", MsgInvalidBool)
			}
			item[name] = b
		}
		if d, ok := m["default"]; ok {
			item["default"] = d
		}
		out = append(out, item)
	}
	return out, nil
}

// schemaString reads one CharField of a schema item (*string, nil when absent).
func schemaString(m map[string]any, name, at string, required, allowBlank bool) (*string, *Error) {
	v, ok := m[name]
	if !ok {
		if required {
			return nil, FieldError(at+"__"+name, "required", MsgRequired)
		}
		return nil, nil
	}
	if v == nil {
		return nil, FieldError(at+"__"+name, "null", MsgNull)
	}
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case int, float64:
		s = pyStr(x)
	default:
		return nil, FieldError(at+"__"+name, "invalid_input", MsgInvalidString)
	}
	s = strings.TrimSpace(s)
	if s == "" && !allowBlank {
		return nil, FieldError(at+"__"+name, "blank", MsgBlank)
	}
	return &s, nil
}

// validateInputs checks inputs against a schema as InputsSerializer does: it walks the
// schema (not the inputs, so keys outside it are dropped), takes a secret input's stored
// value when the body sends {"secret": true} or nothing for it, checks each value's type,
// and numbers the inputs in the order their templates depend on each other.
func validateInputs(schema []any, raw any, existingSecrets map[string]any, attr string) (map[string]any, *Error) {
	data, ok := raw.(map[string]any)
	if !ok {
		return nil, FieldError(attr, "not_a_dict", fmt.Sprintf("Expected a dictionary of items but got type %q.", pyTypeOf(raw)))
	}
	result := map[string]any{}
	var keys []string
	deps := map[string][]string{}
	for _, it := range schema {
		sc := it.(map[string]any)
		key := pyStr(sc["key"])
		value := data[key]
		if !pyTruthy(value) {
			value = map[string]any{}
		}
		if secret, _ := sc["secret"].(bool); secret && len(existingSecrets) > 0 {
			vm, _ := value.(map[string]any)
			if isSecret, _ := vm["secret"].(bool); isSecret || (vm != nil && len(vm) == 0) {
				value = existingSecrets[key]
				if value == nil {
					value = map[string]any{}
				}
			}
		}
		item, used, err := validateInputItem(sc, value, attr+"__"+key)
		if err != nil {
			return nil, err
		}
		if item == nil {
			continue // no value given, and none required
		}
		result[key] = item
		keys = append(keys, key)
		deps[key] = used
	}
	for i, key := range topoSortInputs(keys, deps) {
		result[key].(map[string]any)["order"] = i
	}
	return result, nil
}

// validateInputItem is InputsItemSerializer: value (anything), templating (hog or liquid),
// the type checks of the schema item. It returns nil when the item has no value, and the
// inputs its templates use.
func validateInputItem(sc map[string]any, raw any, attr string) (map[string]any, []string, *Error) {
	m, ok := raw.(map[string]any)
	if !ok {
		return nil, nil, FieldError(attr, "invalid_input", fmt.Sprintf("Invalid data. Expected a dictionary, but got %s.", pyTypeOf(raw)))
	}
	item := map[string]any{}
	if t, ok := m["templating"]; ok {
		if s, isStr := t.(string); !isStr || (s != "hog" && s != "liquid") {
			return nil, nil, FieldError(attr+"__templating", "invalid_choice", MsgInvalidChoice(pyStr(t)))
		}
		item["templating"] = t
	}
	value, has := m["value"]
	if required, _ := sc["required"].(bool); required && (value == nil || value == "") {
		return nil, nil, FieldError(attr, "invalid_input", MsgRequired)
	}
	if !has {
		return nil, nil, nil
	}
	if value != nil {
		item["value"] = value
	}
	if !pyTruthy(value) {
		return item, nil, nil
	}
	itemType := pyStr(sc["type"])
	var msg string
	switch itemType {
	case "string":
		if _, ok := value.(string); !ok {
			msg = "Value must be a string."
		}
	case "number":
		switch value.(type) {
		case int, float64, bool: // Python's bool is an int
		default:
			msg = "Value must be a number."
		}
	case "boolean":
		if _, ok := value.(bool); !ok {
			msg = "Value must be a boolean."
		}
	case "dictionary":
		if _, ok := value.(map[string]any); !ok {
			msg = "Value must be a dictionary."
		}
	case "integration":
		switch value.(type) {
		case int, bool:
		default:
			msg = "Value must be an Integration ID."
		}
	case "email":
		em, ok := value.(map[string]any)
		if !ok {
			msg = "Value must be an email object."
			break
		}
		for _, k := range []string{"from", "to", "subject"} {
			if !pyTruthy(em[k]) {
				msg = fmt.Sprintf("Missing value for '%s'.", k)
				break
			}
		}
		if msg == "" && !pyTruthy(em["text"]) && !pyTruthy(em["html"]) {
			msg = "Either 'text' or 'html' is required."
		}
	}
	if msg != "" {
		return nil, nil, FieldError(attr, "invalid_input", msg)
	}
	var used []string
	if templ, ok := sc["templating"].(bool); (!ok || templ) && item["templating"] != "liquid" &&
		slices.Contains([]string{"string", "dictionary", "json", "email"}, itemType) {
		used = inputsUsed(value, nil)
	}
	return item, used, nil
}

// reInputRef finds inputs.<name> inside a template's {...} parts.
var reInputRef = regexp.MustCompile(`\binputs\.([A-Za-z_$][\w$]*)`)

// inputsUsed collects the inputs a value's string templates refer to.
func inputsUsed(v any, acc []string) []string {
	switch x := v.(type) {
	case string:
		for _, m := range reInputRef.FindAllStringSubmatch(x, -1) {
			if !slices.Contains(acc, m[1]) {
				acc = append(acc, m[1])
			}
		}
	case map[string]any:
		for _, k := range sortedKeys(x) {
			acc = inputsUsed(x[k], acc)
		}
	case []any:
		for _, e := range x {
			acc = inputsUsed(e, acc)
		}
	}
	return acc
}

// topoSortInputs is validation.py's topological_sort (Kahn's algorithm, queue in key
// order); a cycle leaves its keys in schema order at the end rather than failing the write.
func topoSortInputs(keys []string, deps map[string][]string) []string {
	inDegree := map[string]int{}
	for _, k := range keys {
		for _, d := range deps[k] {
			if d != k && slices.Contains(keys, d) {
				inDegree[k]++
			}
		}
	}
	var queue, out []string
	for _, k := range keys {
		if inDegree[k] == 0 {
			queue = append(queue, k)
		}
	}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		out = append(out, cur)
		for _, k := range keys {
			if k != cur && slices.Contains(deps[k], cur) {
				inDegree[k]--
				if inDegree[k] == 0 {
					queue = append(queue, k)
				}
			}
		}
	}
	for _, k := range keys {
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

// splitSecretInputs is the model's move_secret_inputs: every non-secret key of the schema
// goes to inputs (nil when it has no value), every secret one to the encrypted inputs (its
// new value, or the one stored before).
func splitSecretInputs(schema []any, inputs, encrypted map[string]any) (plain, secret map[string]any) {
	plain, secret = map[string]any{}, map[string]any{}
	for _, it := range schema {
		sc := it.(map[string]any)
		key := pyStr(sc["key"])
		if isSecret, _ := sc["secret"].(bool); !isSecret {
			plain[key] = inputs[key]
			continue
		}
		if v := inputs[key]; pyTruthy(v) {
			secret[key] = v
		} else {
			secret[key] = encrypted[key]
		}
	}
	return plain, secret
}

// RenderInputs is the inputs as the API shows them: the plain inputs, and {"secret": true}
// for every secret input of the schema that holds a value (HogFunctionSerializer's
// to_representation). Secret values never leave the store through it.
func RenderInputs(schema []any, plain, secret map[string]any) map[string]any {
	out := make(map[string]any, len(plain)+len(secret))
	for k, v := range plain {
		out[k] = CloneValue(v)
	}
	for _, it := range schema {
		sc, _ := it.(map[string]any)
		key := pyStr(sc["key"])
		if isSecret, _ := sc["secret"].(bool); isSecret {
			delete(out, key)
			if pyTruthy(secret[key]) || pyTruthy(plain[key]) {
				out[key] = map[string]any{"secret": true}
			}
		}
	}
	return out
}

// SecretInputKeys lists the keys a schema (a decoded inputs_schema) marks secret.
func SecretInputKeys(schema any) []string {
	list, _ := schema.([]any)
	var out []string
	for _, it := range list {
		sc, _ := it.(map[string]any)
		if isSecret, _ := sc["secret"].(bool); isSecret {
			if k, ok := sc["key"].(string); ok {
				out = append(out, k)
			}
		}
	}
	return out
}

// pyBool reads a DRF BooleanField value from decoded JSON.
func pyBool(v any) (bool, bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case int:
		if x == 0 || x == 1 {
			return x == 1, true
		}
	case float64:
		if x == 0 || x == 1 {
			return x == 1, true
		}
	case string:
		switch x {
		case "true", "True", "TRUE", "1", "yes", "on", "y", "t":
			return true, true
		case "false", "False", "FALSE", "0", "no", "off", "n", "f":
			return false, true
		}
	}
	return false, false
}
