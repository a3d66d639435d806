package fake

// Request bodies: JSON, form and multipart read once, checked (depth, duplicate keys, size)
// and normalised to JSON for the handlers (c.object(), c.validate(fields)).

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"

	"github.com/fakehog/fakehog/fake/store"
	"github.com/tidwall/gjson"
)

// requestBody is a request's body, read once and normalised to JSON: form-encoded and
// multipart bodies become a JSON object of strings (the last value of a repeated key wins, as
// Django's QueryDict does), so one set of field rules validates them all.
type requestBody struct {
	raw  []byte
	json gjson.Result
	// sent is the body exactly as it arrived (whatever its content type): what the data
	// directory logs, so that a replay reads it as the first run did.
	sent []byte
}

// noBody is the body of a request without one.
var noBody = &requestBody{}

// readBody reads and parses the body. write says the operation is a write, where content
// types other than JSON, form and multipart are refused (415) and bad JSON is a 400.
func (s *Server) readBody(r *http.Request, write bool) (*requestBody, error) {
	if r.Body == nil || r.Body == http.NoBody {
		// net/http gives every GET http.NoBody: nothing to read (io.ReadAll would still
		// allocate its buffer), and the empty body is shared (no one writes to a body).
		return noBody, nil
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, s.maxBodyBytes+1))
	if err != nil {
		return nil, errParse("Could not read the request body.")
	}
	if int64(len(data)) > s.maxBodyBytes {
		return nil, errTooLarge(s.maxBodyBytes)
	}
	if len(strings.TrimSpace(string(data))) == 0 {
		return noBody, nil
	}
	ct := r.Header.Get("Content-Type")
	mt, params, _ := mime.ParseMediaType(ct)
	switch {
	case mt == "application/json" || strings.HasSuffix(mt, "+json") || (mt == "" && !write):
		if !gjson.ValidBytes(data) {
			if !write {
				return &requestBody{}, nil
			}
			return nil, errParse("JSON parse error - " + jsonErrorText(data))
		}
		if jsonDepth(data) > maxJSONDepth {
			return nil, errParse(fmt.Sprintf("JSON parse error - nesting deeper than %d levels", maxJSONDepth))
		}
		return &requestBody{raw: data, json: gjson.ParseBytes(lastKeyWins(data)), sent: data}, nil
	case mt == "application/x-www-form-urlencoded":
		vals, err := url.ParseQuery(string(data))
		if err != nil {
			return nil, errParse("Form parse error - " + err.Error())
		}
		b := formBody(vals)
		b.sent = data
		return b, nil
	case mt == "multipart/form-data":
		mr := multipart.NewReader(strings.NewReader(string(data)), params["boundary"])
		form, err := mr.ReadForm(s.maxBodyBytes)
		if err != nil {
			return nil, errParse("Multipart form parse error - " + err.Error())
		}
		defer func() { _ = form.RemoveAll() }()
		b := formBody(form.Value)
		b.sent = data
		return b, nil
	}
	if !write {
		return &requestBody{}, nil
	}
	// DRF names the request's content type as sent: "" when there is none.
	return nil, errUnsupportedMedia(ct)
}

// maxJSONDepth bounds how deeply a request body may nest; no PostHog field comes close.
const maxJSONDepth = 64

// jsonDepth is the deepest nesting of arrays and objects in valid JSON data.
func jsonDepth(data []byte) int {
	depth, deepest, inString, escaped := 0, 0, false, false
	for _, b := range data {
		switch {
		case inString:
			if escaped {
				escaped = false
			} else if b == '\\' {
				escaped = true
			} else if b == '"' {
				inString = false
			}
		case b == '"':
			inString = true
		case b == '{' || b == '[':
			depth++
			deepest = max(deepest, depth)
		case b == '}' || b == ']':
			depth--
		}
	}
	return deepest
}

// lastKeyWins rewrites an object with repeated keys so that the last value of each wins, as
// Python's json module (and so PostHog) reads it; gjson would see the first.
func lastKeyWins(data []byte) []byte {
	res := gjson.ParseBytes(data)
	if !res.IsObject() || !hasDuplicateKeys(res) {
		return data
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return data
	}
	out, err := json.Marshal(v)
	if err != nil {
		return data
	}
	return out
}

// hasDuplicateKeys reports whether any object in res repeats a key.
func hasDuplicateKeys(res gjson.Result) bool {
	dup := false
	var walk func(r gjson.Result)
	walk = func(r gjson.Result) {
		if dup {
			return
		}
		if r.IsObject() {
			seen := map[string]bool{}
			r.ForEach(func(k, v gjson.Result) bool {
				if seen[k.String()] {
					dup = true
					return false
				}
				seen[k.String()] = true
				walk(v)
				return !dup
			})
		} else if r.IsArray() {
			r.ForEach(func(_, v gjson.Result) bool { walk(v); return !dup })
		}
	}
	walk(res)
	return dup
}

func formBody(vals map[string][]string) *requestBody {
	obj := make(map[string]string, len(vals))
	for k, v := range vals {
		if len(v) > 0 {
			obj[k] = v[len(v)-1]
		}
	}
	data, _ := json.Marshal(obj)
	return &requestBody{raw: data, json: gjson.ParseBytes(data)}
}

// jsonErrorText describes why data is not JSON, roughly as Python's json module would.
func jsonErrorText(data []byte) string {
	var v any
	err := json.Unmarshal(data, &v)
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return se.Error()
	}
	if err != nil {
		return err.Error()
	}
	return "Invalid JSON"
}

// object returns the body as a JSON object; an absent body is an empty object, any other
// top-level type is DRF's "Invalid data" error.
func (c *call) object() (gjson.Result, error) {
	if c.body == nil || len(c.body.raw) == 0 {
		return gjson.Parse("{}"), nil
	}
	j := c.body.json
	if !j.IsObject() {
		return j, store.Invalid("Invalid data. Expected a dictionary, but got " + store.PyTypeName(j) + ".")
	}
	return j, nil
}

// writeMode is the field-rule mode of the call's method.
func (c *call) writeMode() store.Mode {
	switch c.r.Method {
	case http.MethodPut:
		return store.Replace
	case http.MethodPatch:
		return store.Patch
	}
	return store.Create
}

// validate reads the body as an object and applies the fields' rules for the call's method.
func (c *call) validate(fields store.Fields) (store.Values, error) {
	return c.validateAs(fields, c.writeMode())
}

// validateAs is validate with an explicit mode.
func (c *call) validateAs(fields store.Fields, mode store.Mode) (store.Values, error) {
	obj, err := c.object()
	if err != nil {
		return nil, err
	}
	v, ferr := fields.Validate(obj, mode)
	if ferr != nil {
		return nil, ferr
	}
	return v, nil
}
