package store

// The checks of a feature flag's filters (PostHog's FeatureFlagSerializer.validate_filters):
// condition groups, property types and operators, flag dependencies and their cycles,
// multivariate variants, variant overrides and payloads.

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Messages of the filter rules.
const (
	MsgFlagNeedsGroup         = "Feature flags must have at least one condition set (group)."
	MsgFlagPersonProps        = "Filters are not valid (can only use person, cohort, and flag properties)"
	MsgFlagGroupProps         = "Filters are not valid (can only use group properties)"
	MsgFlagFlagOperator       = "Flag properties must use the 'flag_evaluates_to' operator"
	MsgFlagVariantSum         = "Invalid variant definitions: Variant rollout percentages must sum to 100."
	MsgFlagVariantOverride    = "Filters are not valid (variant override does not exist)"
	MsgFlagPayloadsDict       = "Payloads must be passed as a dictionary"
	MsgFlagPayloadJSON        = "Payload value is not valid JSON"
	MsgFlagPayloadVariantKeys = "Payload keys must match a variant key for multivariate flags"
	MsgFlagPayloadBooleanKeys = "Payload keys must be 'true' for boolean flags"
	// maxPropertyValues is MAX_PROPERTY_VALUES: the longest list a property may match.
	maxPropertyValues = 1000
)

// filterErr is a validation error on the filters field (DRF's ValidationError raised in
// validate_filters: code "invalid", which PostHog answers as "invalid_input", unless given).
func filterErr(code, detail string) *Error {
	if code == "" {
		code = "invalid_input"
	}
	return FieldError("filters", code, detail)
}

// flagFilterCheck is what checking a flag's filters needs: the project, the flag being
// updated (nil on create) and the key the flag has or will have.
type flagFilterCheck struct {
	tx        *Tx
	projectID int
	self      *FeatureFlag
	key       string
	create    bool
}

// checkFilters validates filters and returns them normalised (object payloads turned into
// JSON text, as PostHog stores them).
func (c flagFilterCheck) checkFilters(filters map[string]any) (map[string]any, *Error) {
	filters = cloneJSONMap(filters)
	groups, isList := filters["groups"].([]any)
	if filters["groups"] != nil && !isList {
		return nil, filterErr("", MsgFlagNeedsGroup)
	}
	if c.create && len(groups) == 0 {
		return nil, filterErr("", MsgFlagNeedsGroup)
	}
	var props []map[string]any
	for _, g := range groups {
		gm, ok := g.(map[string]any)
		if !ok {
			return nil, filterErr("", MsgFlagPersonProps)
		}
		if gm["properties"] != nil {
			list, ok := gm["properties"].([]any)
			if !ok {
				return nil, filterErr("", MsgFlagPersonProps)
			}
			for _, p := range list {
				pm, ok := p.(map[string]any)
				if !ok || pm["key"] == nil {
					return nil, filterErr("", MsgFlagPersonProps)
				}
				props = append(props, pm)
			}
		}
		if rp, present := gm["rollout_percentage"]; present && rp != nil {
			if _, ok := jsonNumber(rp); !ok {
				return nil, filterErr("", "Can't evaluate flag - please check release conditions")
			}
		}
	}
	agg, hasAgg := filters["aggregation_group_type_index"]
	if !hasAgg || agg == nil {
		for _, p := range props {
			if t := propType(p); t != "person" && t != "cohort" && t != "flag" {
				return nil, filterErr("", MsgFlagPersonProps)
			}
		}
		for _, p := range props {
			if propType(p) == "flag" && p["operator"] != "flag_evaluates_to" {
				return nil, filterErr("", MsgFlagFlagOperator)
			}
		}
		if err := c.checkDependencies(filters); err != nil {
			return nil, err
		}
	} else {
		for _, p := range props {
			if propType(p) != "group" || !sameJSON(p["group_type_index"], agg) {
				return nil, filterErr("", MsgFlagGroupProps)
			}
		}
	}
	variants := map[string]bool{}
	variantList := flagVariants(filters)
	if mv, ok := filters["multivariate"].(map[string]any); ok && mv["variants"] != nil {
		if _, ok := mv["variants"].([]any); !ok {
			return nil, filterErr("invalid_input", MsgFlagVariantSum)
		}
	}
	sum := 0.0
	for _, v := range variantList {
		k, _ := v["key"].(string)
		variants[k] = true
		if rp, present := v["rollout_percentage"]; present {
			n, ok := jsonNumber(rp)
			if !ok {
				return nil, filterErr("invalid_input", MsgFlagVariantSum)
			}
			sum += n
		}
	}
	if len(variantList) > 0 && sum != 100 {
		return nil, filterErr("invalid_input", MsgFlagVariantSum)
	}
	for _, g := range groups {
		gm := g.(map[string]any)
		if v := gm["variant"]; v != nil && v != "" {
			if s, ok := v.(string); !ok || !variants[s] {
				return nil, filterErr("", MsgFlagVariantOverride)
			}
		}
		for _, p := range asList(gm["properties"]) {
			if err := c.checkProperty(p.(map[string]any)); err != nil {
				return nil, err
			}
		}
	}
	return filters, checkPayloads(filters, variants)
}

// propType is Property's type: "event" when absent or empty.
func propType(p map[string]any) string {
	if t, ok := p["type"].(string); ok && t != "" {
		return t
	}
	return "event"
}

// sameJSON compares two decoded JSON scalars (numbers by value).
func sameJSON(a, b any) bool {
	x, ok1 := jsonNumber(a)
	y, ok2 := jsonNumber(b)
	if ok1 && ok2 {
		return x == y
	}
	return a == b
}

// relativeDate is relative_date_parse_for_feature_flag_matching's form: -7d, 2w, -1y, ...
var relativeDate = regexp.MustCompile(`^-?[0-9]+[hdwmy]$`)

// stringOperators need a string value.
var stringOperators = map[string]bool{"regex": true, "icontains": true, "not_regex": true, "not_icontains": true,
	"gte": true, "lte": true, "gt": true, "lt": true}

// checkProperty applies the per-property rules: list length, cohorts that exist, dates
// that parse, string values for string operators, in/not_in for cohorts only.
func (c flagFilterCheck) checkProperty(p map[string]any) *Error {
	key := pyStr(p["key"])
	if list, ok := p["value"].([]any); ok && len(list) > maxPropertyValues {
		return filterErr("", fmt.Sprintf("Property group expressions of type %s cannot contain more than %d values.", key, maxPropertyValues))
	}
	typ := propType(p)
	op, _ := p["operator"].(string)
	if typ == "cohort" {
		// fakehog holds no cohorts: every cohort a flag names is one that does not exist.
		return filterErr("cohort_does_not_exist", fmt.Sprintf("Cohort with id %s does not exist", pyStr(p["value"])))
	}
	if op == "is_date_before" || op == "is_date_after" {
		s, _ := p["value"].(string)
		if !relativeDate.MatchString(s) && !parsesAsDate(s) {
			return filterErr("invalid_date", "Invalid date value: "+pyStr(p["value"]))
		}
	}
	if stringOperators[op] {
		if _, ok := p["value"].(string); !ok {
			return filterErr("invalid_value", fmt.Sprintf("Invalid value for operator %s: %s", op, pyStr(p["value"])))
		}
	}
	if (op == "in" || op == "not_in") && typ != "cohort" {
		return filterErr("invalid_operator", fmt.Sprintf("The '%s' operator is only valid for cohort properties, not '%s' properties.", op, typ))
	}
	return nil
}

// parsesAsDate accepts what dateutil's parser reads for the usual spellings: an ISO date
// or date-time.
func parsesAsDate(s string) bool {
	if _, ok := ParseDateTime(s); ok {
		return true
	}
	if len(s) == 10 {
		_, ok := ParseDateTime(s + "T00:00:00Z")
		return ok
	}
	return false
}

// checkPayloads: a dictionary; each value JSON (objects are stored as their JSON text,
// strings must parse); keys are variant keys, or only "true" for a boolean flag.
func checkPayloads(filters map[string]any, variants map[string]bool) *Error {
	raw, present := filters["payloads"]
	if !present || raw == nil {
		return nil
	}
	payloads, ok := raw.(map[string]any)
	if !ok {
		return filterErr("", MsgFlagPayloadsDict)
	}
	for k, v := range payloads {
		switch x := v.(type) {
		case map[string]any:
			b, _ := json.Marshal(x)
			payloads[k] = string(b)
		case string:
			if !json.Valid([]byte(x)) {
				return filterErr("", MsgFlagPayloadJSON)
			}
		}
	}
	if filters["multivariate"] != nil && len(asMap(filters["multivariate"])) > 0 {
		for k := range payloads {
			if !variants[k] {
				return filterErr("", MsgFlagPayloadVariantKeys)
			}
		}
	} else if len(payloads) > 1 {
		return filterErr("", MsgFlagPayloadBooleanKeys)
	} else {
		for k := range payloads {
			if k != "true" {
				return filterErr("", MsgFlagPayloadBooleanKeys)
			}
		}
	}
	return nil
}

func asMap(v any) map[string]any { m, _ := v.(map[string]any); return m }

// flagDependencyIDs lists the ids named by the flag-type properties of filters, as text.
func flagDependencyRefs(filters map[string]any) []any {
	var out []any
	for _, g := range asList(filters["groups"]) {
		for _, p := range asList(asMap(g)["properties"]) {
			pm := asMap(p)
			if pm != nil && pm["type"] == "flag" && pm["key"] != nil && pm["key"] != "" {
				out = append(out, pm["key"])
			}
		}
	}
	return out
}

// dependencyKeys resolves flag references (ids) to the keys of live, active flags of the
// project, with PostHog's messages for the others.
func (c flagFilterCheck) dependencyKeys(filters map[string]any) ([]string, *Error) {
	var keys []string
	for _, ref := range flagDependencyRefs(filters) {
		text := pyStr(ref)
		id, err := strconv.Atoi(strings.TrimSpace(text))
		if f, isNum := ref.(float64); isNum {
			id, err = int(f), nil
		}
		if err != nil {
			return nil, filterErr("", fmt.Sprintf("Flag dependencies must reference flag IDs (integers), not flag keys. Invalid reference: '%s'", text))
		}
		dep := c.tx.LiveFeatureFlag(c.projectID, id)
		if dep == nil {
			return nil, filterErr("", fmt.Sprintf("Flag dependency references non-existent flag with ID %d", id))
		}
		if !dep.Active {
			return nil, filterErr("", fmt.Sprintf("Cannot create dependency on disabled flag '%s' (ID: %d). Flag dependencies must reference active flags only.", dep.Key, id))
		}
		keys = append(keys, dep.Key)
	}
	return keys, nil
}

// checkDependencies refuses a flag that depends on itself or closes a cycle of
// dependencies (PostHog's _check_flag_circular_dependencies).
func (c flagFilterCheck) checkDependencies(filters map[string]any) *Error {
	if c.key == "" {
		return nil
	}
	deps, err := c.dependencyKeys(filters)
	if err != nil || len(deps) == 0 {
		return err
	}
	for _, d := range deps {
		if d == c.key {
			return filterErr("", fmt.Sprintf("Feature flag '%s' cannot depend on itself", c.key))
		}
	}
	var visit func(key string, path []string) *Error
	visit = func(key string, path []string) *Error {
		for i, p := range path {
			if p == key {
				cycle := append(append([]string{}, path[i:]...), key)
				return filterErr("", "Circular dependency detected: "+strings.Join(cycle, " → "))
			}
		}
		f := c.tx.FeatureFlagByKey(c.projectID, key)
		if f == nil {
			return nil
		}
		next, err := c.dependencyKeys(f.Filters)
		if err != nil {
			return err
		}
		for _, n := range next {
			if err := visit(n, append(append([]string{}, path...), key)); err != nil {
				return err
			}
		}
		return nil
	}
	for _, d := range deps {
		if err := visit(d, []string{c.key}); err != nil {
			return err
		}
	}
	return nil
}

// cloneJSONMap copies a decoded JSON object deeply, so normalising it never touches the
// caller's value.
func cloneJSONMap(m map[string]any) map[string]any {
	c, _ := cloneJSON(m).(map[string]any)
	if c == nil {
		c = map[string]any{}
	}
	return c
}

func cloneJSON(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = cloneJSON(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = cloneJSON(e)
		}
		return out
	}
	return v
}
