package store

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// The advanced activity log: the organization-wide view of the activity log (activity.go)
// with PostHog's filters, plan lookback and field discovery.

// ActivityFilter is the filter set of the advanced activity log; zero values filter
// nothing.
type ActivityFilter struct {
	Start, End      *time.Time // inclusive bounds on created_at
	Users           []string   // user UUIDs (lowercase)
	Scopes          []string
	Activities      []string
	Clients         []string // API clients (x-posthog-client); the fake records none
	IPAddresses     []string // exact or with * wildcards; the fake records no addresses
	TeamIDs         []int
	ItemIDs         []string
	SearchText      string // case-insensitive, in the detail's JSON text
	Details         []DetailFilter
	WasImpersonated *bool
	IsSystem        *bool
	Ascending       bool // oldest first (ordering=created_at)
}

// DetailFilter is one entry of detail_filters: a dotted path into the detail ("[]" marks
// an array), an operation (exact, contains, in) and a value.
type DetailFilter struct {
	Path      string
	Operation string
	Value     any
}

// IsSystem reports whether the entry was logged by the system (no user).
func (e *ActivityEntry) IsSystem() bool { return e.UserID == 0 }

// Detail is the entry's detail as PostHog serializes it (decoded JSON: maps, slices,
// strings, float64, bool, nil).
func (e *ActivityEntry) Detail() map[string]any {
	changes := e.Changes
	if changes == nil {
		changes = []Change{}
	}
	raw, err := json.Marshal(map[string]any{"changes": changes, "name": e.Name, "short_id": nil, "trigger": nil, "type": nil})
	if err != nil {
		raw, _ = json.Marshal(map[string]any{"changes": []any{}, "name": e.Name, "short_id": nil, "trigger": nil, "type": nil})
	}
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return out
}

// ActivityLookback is the oldest time the organization's plan shows: the audit_logs
// feature's limit and unit (day, month = 30 days, year = 365 days), two months when the
// feature gives none; nil without the feature.
func ActivityLookback(o *Organization, now time.Time) *time.Time {
	f, ok := o.Feature("audit_logs")
	if !ok {
		return nil
	}
	limit, unit := 2, "months"
	if f.Limit != nil && f.Unit != "" {
		limit, unit = *f.Limit, f.Unit
	}
	days := limit * 30
	switch strings.ToLower(unit) {
	case "day", "days":
		days = limit
	case "year", "years":
		days = limit * 365
	case "month", "months":
	default: // PostHog fails on an unknown unit; the fake uses the fallback
		days = 60
	}
	t := now.Add(-time.Duration(days) * 24 * time.Hour)
	return &t
}

// AdvancedActivity lists the organization's visible activity (within the plan's lookback)
// matching f, newest first unless f.Ascending (ties broken by id).
func (tx *Tx) AdvancedActivity(o *Organization, f ActivityFilter) []*ActivityEntry {
	since := ActivityLookback(o, tx.now)
	out := tx.Activity(o.ID, func(e *ActivityEntry) bool {
		return (since == nil || !e.CreatedAt.Before(*since)) && tx.activityMatches(e, f)
	})
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if !a.CreatedAt.Equal(b.CreatedAt) {
			return a.CreatedAt.After(b.CreatedAt) != f.Ascending
		}
		return (a.ID > b.ID) != f.Ascending
	})
	return out
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// activityMatches applies every filter of f to e.
func (tx *Tx) activityMatches(e *ActivityEntry, f ActivityFilter) bool {
	if (f.Start != nil && e.CreatedAt.Before(*f.Start)) || (f.End != nil && e.CreatedAt.After(*f.End)) {
		return false
	}
	if len(f.Users) > 0 {
		u := tx.st.users[e.UserID]
		if u == nil || !containsStr(f.Users, strings.ToLower(u.UUID)) {
			return false
		}
	}
	if (len(f.Scopes) > 0 && !containsStr(f.Scopes, e.Scope)) || (len(f.Activities) > 0 && !containsStr(f.Activities, e.Activity)) ||
		(len(f.ItemIDs) > 0 && !containsStr(f.ItemIDs, e.ItemID)) {
		return false
	}
	// The fake records neither API clients nor IP addresses: those filters match nothing.
	if len(f.Clients) > 0 || len(f.IPAddresses) > 0 {
		return false
	}
	if len(f.TeamIDs) > 0 {
		found := false
		for _, id := range f.TeamIDs {
			found = found || (e.TeamID != nil && *e.TeamID == id)
		}
		if !found {
			return false
		}
	}
	if f.WasImpersonated != nil && *f.WasImpersonated {
		return false
	}
	if f.IsSystem != nil && *f.IsSystem != e.IsSystem() {
		return false
	}
	if f.SearchText == "" && len(f.Details) == 0 {
		return true
	}
	detail := e.Detail()
	if f.SearchText != "" && !strings.Contains(strings.ToLower(jsonText(detail)), strings.ToLower(f.SearchText)) {
		return false
	}
	for _, df := range f.Details {
		if !df.matches(detail) {
			return false
		}
	}
	return true
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// Detail filter limits (PostHog's validate_detail_filters).
const (
	maxDetailFilters    = 100
	maxDetailPathLength = 500
	maxArrayIndices     = 5
	maxIndexedPaths     = 125
)

// djangoLookups are the names Django would read as lookups in a JSON path; PostHog refuses
// them as path segments.
var djangoLookups = map[string]bool{}

func init() {
	for _, n := range strings.Fields(`exact iexact contains icontains in gt gte lt lte startswith istartswith endswith iendswith
		range isnull regex iregex has_key has_keys has_any_keys contained_by`) {
		djangoLookups[n] = true
	}
}

// ParseDetailFilters validates a decoded detail_filters value with PostHog's messages and
// returns its entries, ordered by path.
func ParseDetailFilters(v any) ([]DetailFilter, *Error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, Invalid("detail_filters must be an object.")
	}
	if len(m) > maxDetailFilters {
		return nil, Invalid(fmt.Sprintf("detail_filters accepts at most %d entries.", maxDetailFilters))
	}
	paths := make([]string, 0, len(m))
	for p := range m {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var out []DetailFilter
	for _, path := range paths {
		if path == "" {
			return nil, Invalid("Detail filter field paths must be non-empty strings.")
		}
		if len([]rune(path)) > maxDetailPathLength {
			return nil, Invalid(fmt.Sprintf("Detail filter field paths must be at most %d characters.", maxDetailPathLength))
		}
		cfg, ok := m[path].(map[string]any)
		if !ok {
			return nil, Invalid(fmt.Sprintf("Detail filter '%s' must be an object.", path))
		}
		op := "exact"
		if raw, present := cfg["operation"]; present {
			s, isStr := raw.(string)
			if !isStr || (s != "exact" && s != "contains" && s != "in") {
				return nil, Invalid(fmt.Sprintf("Unsupported detail filter operation '%s'. Allowed operations: contains, exact, in.", pyStr(raw)))
			}
			op = s
		}
		if strings.Contains(path, "__") {
			return nil, Invalid(fmt.Sprintf("Detail filter field path '%s' contains '__'.", path))
		}
		if math.Pow(maxArrayIndices, float64(strings.Count(path, "[]"))) > maxIndexedPaths {
			return nil, Invalid(fmt.Sprintf("Detail filter field path '%s' nests too many arrays.", path))
		}
		for _, seg := range strings.Split(strings.ReplaceAll(path, "[]", ""), ".") {
			if seg == "" {
				return nil, Invalid(fmt.Sprintf("Detail filter field path '%s' has an empty segment.", path))
			}
			if djangoLookups[seg] {
				return nil, Invalid(fmt.Sprintf("Detail filter field path '%s' uses reserved segment '%s'.", path, seg))
			}
		}
		out = append(out, DetailFilter{Path: path, Operation: op, Value: cfg["value"]})
	}
	return out, nil
}

// matches applies one detail filter (a null value filters nothing, as in PostHog).
func (df DetailFilter) matches(detail map[string]any) bool {
	if df.Value == nil {
		return true
	}
	if df.Operation == "contains" {
		base := strings.SplitN(df.Path, "[]", 2)[0]
		vals := detailValues(detail, strings.Split(base, "."))
		needle := strings.ToLower(pyStr(df.Value))
		for _, v := range vals {
			if strings.Contains(strings.ToLower(jsonText(v)), needle) {
				return true
			}
		}
		return false
	}
	var candidates []any
	if df.Operation == "in" {
		list, ok := df.Value.([]any)
		if !ok {
			list = []any{df.Value}
		}
		for _, v := range list {
			candidates = append(candidates, typeVariants(v)...)
		}
	} else {
		candidates = typeVariants(df.Value)
	}
	for _, v := range detailValues(detail, splitDetailPath(df.Path)) {
		for _, c := range candidates {
			if jsonEqual(v, c) {
				return true
			}
		}
	}
	return false
}

// splitDetailPath turns "changes[].field" into segments, "[]" standing for the first
// maxArrayIndices elements of an array.
func splitDetailPath(path string) []string {
	var segs []string
	for _, part := range strings.Split(path, ".") {
		name, arrays := part, 0
		for strings.HasSuffix(name, "[]") {
			name, arrays = strings.TrimSuffix(name, "[]"), arrays+1
		}
		segs = append(segs, name)
		for ; arrays > 0; arrays-- {
			segs = append(segs, "[]")
		}
	}
	return segs
}

// detailValues resolves a path in the detail: every value found (arrays expand on "[]";
// a numeric segment indexes an array).
func detailValues(v any, segs []string) []any {
	if len(segs) == 0 {
		return []any{v}
	}
	seg, rest := segs[0], segs[1:]
	switch x := v.(type) {
	case map[string]any:
		child, ok := x[seg]
		if !ok || seg == "[]" {
			return nil
		}
		return detailValues(child, rest)
	case []any:
		if seg == "[]" {
			var out []any
			for i := 0; i < len(x) && i < maxArrayIndices; i++ {
				out = append(out, detailValues(x[i], rest)...)
			}
			return out
		}
		if i, err := strconv.Atoi(seg); err == nil && i >= 0 && i < len(x) {
			return detailValues(x[i], rest)
		}
	}
	return nil
}

// typeVariants is PostHog's _get_type_variants: a filter value and the other JSON types it
// may have been stored as ("5" also matches 5, "true" also true, ...).
func typeVariants(v any) []any {
	out := []any{v}
	switch x := v.(type) {
	case string:
		s := strings.TrimSpace(x)
		if s == "" {
			break
		}
		if n, err := strconv.ParseInt(s, 10, 64); err == nil && strconv.FormatInt(n, 10) == s {
			out = append(out, float64(n))
		} else if f, err := strconv.ParseFloat(s, 64); err == nil {
			out = append(out, f)
		}
		switch strings.ToLower(s) {
		case "true", "1":
			out = append(out, true)
		case "false", "0":
			out = append(out, false)
		}
	case bool:
		if x {
			out = append(out, "true", "True", "1")
		} else {
			out = append(out, "false", "False", "0")
		}
	case float64:
		out = append(out, pyStr(x))
	}
	return out
}

// jsonEqual compares two decoded JSON scalars of the same type.
func jsonEqual(a, b any) bool {
	switch x := a.(type) {
	case string:
		y, ok := b.(string)
		return ok && x == y
	case float64:
		y, ok := b.(float64)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	}
	return false
}

// ActivityFilterOption is one value of an available filter (label for users only).
type ActivityFilterOption struct {
	Value string
	Label string
}

// ActivityDetailField is a discovered detail path and the JSON types seen there.
type ActivityDetailField struct {
	Name  string
	Types []string
}

// ActivityAvailableFilters is the answer of available_filters.
type ActivityAvailableFilters struct {
	Users, Scopes, Activities, Clients []ActivityFilterOption
	// DetailFields maps a scope to its detail fields ("General" holds the change fields
	// every scope shares).
	DetailFields map[string][]ActivityDetailField
}

// AdvancedActivityFilters discovers the filter values of the organization's visible
// activity: the users, scopes and activities seen, and the detail fields per scope.
func (tx *Tx) AdvancedActivityFilters(o *Organization) ActivityAvailableFilters {
	entries := tx.AdvancedActivity(o, ActivityFilter{})
	out := ActivityAvailableFilters{Users: []ActivityFilterOption{}, Scopes: []ActivityFilterOption{},
		Activities: []ActivityFilterOption{}, Clients: []ActivityFilterOption{}, DetailFields: map[string][]ActivityDetailField{}}
	seenUsers := map[int]bool{}
	scopes, activities := map[string]bool{}, map[string]bool{}
	types := map[string]map[string]map[string]bool{} // scope → path → types
	for _, e := range entries {
		if u := tx.st.users[e.UserID]; u != nil && !seenUsers[u.ID] {
			seenUsers[u.ID] = true
			label := strings.TrimSpace(u.FirstName + " " + u.LastName)
			if label == "" {
				label = u.Email
			}
			out.Users = append(out.Users, ActivityFilterOption{Value: u.UUID, Label: label})
		}
		if e.Scope != "" {
			scopes[e.Scope] = true
		}
		if e.Activity != "" {
			activities[e.Activity] = true
		}
		if types[e.Scope] == nil {
			types[e.Scope] = map[string]map[string]bool{}
		}
		collectJSONPaths(e.Detail(), "", types[e.Scope])
	}
	for _, s := range sortedKeys(scopes) {
		out.Scopes = append(out.Scopes, ActivityFilterOption{Value: s})
	}
	for _, a := range sortedKeys(activities) {
		out.Activities = append(out.Activities, ActivityFilterOption{Value: a})
	}
	for scope, paths := range types {
		var fields []ActivityDetailField
		for _, p := range sortedKeys(paths) {
			fields = append(fields, ActivityDetailField{Name: p, Types: sortedKeys(paths[p])})
		}
		out.DetailFields[scope] = fields
	}
	for _, f := range []string{"type", "action", "field", "before", "after"} {
		t := "any"
		if f == "type" || f == "action" || f == "field" {
			t = "string"
		}
		out.DetailFields["General"] = append(out.DetailFields["General"], ActivityDetailField{Name: "changes[]." + f, Types: []string{t}})
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// collectJSONPaths is PostHog's _extract_json_paths: every path in v with the JSON type
// found there; arrays contribute "path[]" for their first ten non-null items.
func collectJSONPaths(v any, prefix string, into map[string]map[string]bool) {
	add := func(path, typ string) {
		if into[path] == nil {
			into[path] = map[string]bool{}
		}
		into[path][typ] = true
	}
	switch x := v.(type) {
	case map[string]any:
		for k, child := range x {
			path := k
			if prefix != "" {
				path = prefix + "." + k
			}
			add(path, jsonTypeName(child))
			collectJSONPaths(child, path, into)
		}
	case []any:
		path := prefix + "[]"
		for i := 0; i < len(x) && i < 10; i++ {
			if x[i] == nil {
				continue
			}
			add(path, jsonTypeName(x[i]))
			collectJSONPaths(x[i], path, into)
		}
	}
}

func jsonTypeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "unknown"
}

// RequireFeature is PostHog's PremiumFeaturePermission for a view's premium_feature:
// without the plan feature, a 402 payment_required error (EnterpriseFeatureException,
// reported with type server_error).
func (tx *Tx) RequireFeature(o *Organization, key string) error {
	if _, ok := o.Feature(key); ok {
		return nil
	}
	return &Error{Status: 402, Type: "server_error", Code: "payment_required", Detail: MsgEnterpriseFeature(key, !tx.opts.SelfHosted)}
}

// RequireCloudFeature is PremiumFeaturePermission for a view's premium_feature_on_cloud (the
// organization activity log's audit_logs): on PostHog Cloud, without the plan feature, a 402
// payment_required error with PaidFeatureException's message; self-hosted, no gate.
func (tx *Tx) RequireCloudFeature(o *Organization, key string) error {
	if tx.opts.SelfHosted {
		return nil
	}
	if _, ok := o.Feature(key); ok {
		return nil
	}
	return &Error{Status: 402, Type: "server_error", Code: "payment_required", Detail: MsgPaidFeature(key)}
}

// featureName is how posthog/exceptions.py names a feature key: "audit_logs" → "Audit logs".
func featureName(key string) string {
	if key == "" {
		return "This feature"
	}
	return strings.ReplaceAll(pyCapitalize(key), "_", " ")
}

// pyCapitalize is Python's str.capitalize: the first character upper case, the rest lower.
func pyCapitalize(s string) string {
	r := []rune(strings.ToLower(s))
	if len(r) > 0 {
		r[0] = unicode.ToUpper(r[0])
	}
	return string(r)
}

// MsgPaidFeature is PaidFeatureException's message (posthog/exceptions.py).
func MsgPaidFeature(key string) string {
	return featureName(key) + " requires a paid PostHog plan. Please upgrade to access this feature."
}

// MsgEnterpriseFeature is EnterpriseFeatureException's message (posthog/exceptions.py), on
// PostHog Cloud or self-hosted.
func MsgEnterpriseFeature(key string, cloud bool) string {
	if cloud {
		return featureName(key) + " is part of the premium PostHog offering. To use it, subscribe to PostHog Cloud with a generous free tier."
	}
	return featureName(key) + " is part of the premium PostHog offering. Self-hosted licenses are no longer available for purchase. Please contact sales@posthog.com to discuss options."
}
