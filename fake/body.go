package fake

import (
	"encoding/json"
	"errors"
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
}

// readBody reads and parses the body. write says the operation is a write, where content
// types other than JSON, form and multipart are refused (415) and bad JSON is a 400.
func (s *Server) readBody(r *http.Request, write bool) (*requestBody, error) {
	if r.Body == nil {
		return &requestBody{}, nil
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, s.maxBodyBytes+1))
	if err != nil {
		return nil, errParse("Could not read the request body.")
	}
	if int64(len(data)) > s.maxBodyBytes {
		return nil, errTooLarge(s.maxBodyBytes)
	}
	if len(strings.TrimSpace(string(data))) == 0 {
		return &requestBody{}, nil
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
		return &requestBody{raw: data, json: gjson.ParseBytes(data)}, nil
	case mt == "application/x-www-form-urlencoded":
		vals, err := url.ParseQuery(string(data))
		if err != nil {
			return nil, errParse("Form parse error - " + err.Error())
		}
		return formBody(vals), nil
	case mt == "multipart/form-data":
		mr := multipart.NewReader(strings.NewReader(string(data)), params["boundary"])
		form, err := mr.ReadForm(s.maxBodyBytes)
		if err != nil {
			return nil, errParse("Multipart form parse error - " + err.Error())
		}
		defer func() { _ = form.RemoveAll() }()
		return formBody(form.Value), nil
	}
	if !write {
		return &requestBody{}, nil
	}
	if ct == "" {
		ct = "None"
	}
	return nil, errUnsupportedMedia(ct)
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
