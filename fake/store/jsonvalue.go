package store

// Decoding of free-form JSON values (a destination's config, a filter): numbers kept as
// Python would see them, objects as map[string]any.

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
)

func anyStrings(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// DecodeJSONValue decodes one JSON value keeping numbers exact (json.Number), as PostHog's
// messages print them the way Python does; nil for null or bad JSON.
func DecodeJSONValue(raw string) any {
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil
	}
	return v
}

// decodeJSONObject decodes an object keeping numbers exact (json.Number), so that 5 and
// 5.0 stay an int and a float as in Python.
func decodeJSONObject(raw string) map[string]any {
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || m == nil {
		return map[string]any{}
	}
	return m
}

// normalizeJSON turns json.Number into int (integers) or float64, at every depth.
func normalizeJSON(v any) any {
	switch x := v.(type) {
	case json.Number:
		if n, err := strconv.ParseInt(x.String(), 10, 64); err == nil && n >= math.MinInt && n <= math.MaxInt {
			return int(n)
		}
		f, _ := x.Float64()
		return f
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = normalizeJSON(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalizeJSON(e)
		}
		return out
	}
	return v
}
