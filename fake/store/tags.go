package store

// Tags on the records inside a project (actions, event and property definitions, ...):
// PostHog's TaggedItemSerializerMixin. Tags are normalised (tagify: trimmed, lower case),
// de-duplicated, and only kept and shown when the organization has the "tagging" feature;
// without it a write of tags is silently ignored and every record answers "tags": [].

import (
	"fmt"
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

// Tagify is PostHog's tag normalisation (posthog/models/tag.py): trimmed, lower case.
func Tagify(tag string) string { return strings.ToLower(strings.TrimSpace(tag)) }

// normalTags tagifies tags and drops blanks and duplicates, keeping the order given.
func normalTags(tags []string) []string {
	out := []string{}
	seen := map[string]bool{}
	for _, t := range tags {
		if t = Tagify(t); t != "" && !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

// CleanTags reads a request's tags (a JSON list of strings, at attr) as PostHog stores them:
// tagified, blanks and duplicates dropped, sorted (PostHog's order is its table's; a sorted
// list keeps answers reproducible). null is no tags; anything but a list of strings is
// refused as DRF's ListField(child=CharField()) does.
func CleanTags(attr string, v any) ([]string, *Error) {
	if v == nil {
		return []string{}, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, FieldError(attr, "not_a_list", fmt.Sprintf("Expected a list of items but got type %q.", pyValueType(v)))
	}
	tags := make([]string, 0, len(list))
	for _, x := range list {
		s, ok := x.(string)
		if !ok {
			return nil, FieldError(attr, "invalid", MsgInvalidString)
		}
		tags = append(tags, s)
	}
	out := normalTags(tags)
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
