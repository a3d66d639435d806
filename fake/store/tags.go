package store

// Tags on the records inside a project (actions, event and property definitions, ...):
// PostHog's TaggedItemSerializerMixin. Tags are normalised (tagify: trimmed, lower case),
// de-duplicated, and only kept and shown when the organization has the "tagging" feature;
// without it a write of tags is silently ignored and every record answers "tags": [].

import (
	"sort"
	"strings"
)

// FeatureTagging is PostHog's AvailableFeature.TAGGING.
const FeatureTagging = "tagging"

// TaggingAvailable reports whether the organization may set and see tags.
func (tx *Tx) TaggingAvailable(orgID string) bool {
	o := tx.Org(orgID)
	if o == nil {
		return false
	}
	_, ok := o.Feature(FeatureTagging)
	return ok
}

// CleanTags reads a request's "tags" (a JSON list) as PostHog stores them: each tagify'd,
// duplicates dropped, sorted (PostHog's order is its table's; a sorted list keeps answers
// reproducible). A value that is not a list of strings is refused as DRF's ListField does.
func CleanTags(attr string, v any) ([]string, *Error) {
	list, ok := v.([]any)
	if !ok {
		return nil, FieldError(attr, "not_a_list", "Expected a list of items but got type \""+pyKind(v)+"\".")
	}
	seen := map[string]bool{}
	out := []string{}
	for _, x := range list {
		s, ok := x.(string)
		if !ok {
			// tagify calls str.strip: anything but a string is a server error in PostHog;
			// answer the ListField's refusal instead.
			return nil, FieldError(attr, "invalid_input", MsgInvalidString)
		}
		s = strings.ToLower(strings.TrimSpace(s))
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out, nil
}

// pyKind names a decoded JSON value's Python type.
func pyKind(v any) string {
	switch v.(type) {
	case nil:
		return "NoneType"
	case string:
		return "str"
	case bool:
		return "bool"
	case float64:
		return "float"
	case []any:
		return "list"
	case map[string]any:
		return "dict"
	}
	return "str"
}
