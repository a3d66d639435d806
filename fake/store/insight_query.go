package store

// An insight's query node checked for shape as PostHog's QuerySchemaParser does
// (schema.QuerySchemaRoot.model_validate, a union discriminated by "kind"): the kind must be
// one PostHog knows, wrapper nodes need a source of a kind they accept, and each node its
// required fields. Failures are the parser's 400 parse_error with pydantic's message. The
// full schema (every optional field's type) is not checked.

import (
	"fmt"
	"sort"
	"strings"
)

// queryNode describes one node kind: its required fields and, for wrapper nodes, the kinds
// its source may be.
type queryNode struct {
	required []string
	sources  []string
}

// insightSourceKinds are the queries an InsightVizNode shows.
var insightSourceKinds = []string{"TrendsQuery", "FunnelsQuery", "RetentionQuery", "PathsQuery", "StickinessQuery", "LifecycleQuery", "CalendarHeatmapQuery"}

// queryNodes are the node kinds of QuerySchemaRoot the fake knows.
var queryNodes = map[string]queryNode{
	"InsightVizNode":                {required: []string{"source"}, sources: insightSourceKinds},
	"DataVisualizationNode":         {required: []string{"source"}, sources: []string{"HogQLQuery"}},
	"DataTableNode":                 {required: []string{"source"}, sources: []string{"EventsNode", "EventsQuery", "PersonsNode", "ActorsQuery", "GroupsQuery", "HogQLQuery", "SessionsQuery", "WebOverviewQuery", "WebStatsTableQuery", "WebExternalClicksTableQuery", "WebGoalsQuery", "RevenueAnalyticsOverviewQuery", "ErrorTrackingQuery", "ExperimentFunnelsQuery", "ExperimentTrendsQuery", "TracesQuery", "MarketingAnalyticsTableQuery"}},
	"SavedInsightNode":              {required: []string{"shortId"}},
	"HogQLQuery":                    {required: []string{"query"}},
	"HogQuery":                      {},
	"HogQLMetadata":                 {required: []string{"language", "query"}},
	"HogQLAutocomplete":             {required: []string{"language", "query", "startPosition", "endPosition"}},
	"EventsNode":                    {},
	"ActionsNode":                   {required: []string{"id"}},
	"DataWarehouseNode":             {required: []string{"id", "id_field", "table_name", "timestamp_field", "distinct_id_field"}},
	"EventsQuery":                   {required: []string{"select"}},
	"PersonsNode":                   {},
	"ActorsQuery":                   {},
	"GroupsQuery":                   {required: []string{"group_type_index"}},
	"SessionsQuery":                 {required: []string{"select"}},
	"SessionsTimelineQuery":         {},
	"TrendsQuery":                   {required: []string{"series"}},
	"FunnelsQuery":                  {required: []string{"series"}},
	"RetentionQuery":                {required: []string{"retentionFilter"}},
	"PathsQuery":                    {required: []string{"pathsFilter"}},
	"StickinessQuery":               {required: []string{"series"}},
	"LifecycleQuery":                {required: []string{"series"}},
	"CalendarHeatmapQuery":          {required: []string{"series"}},
	"FunnelCorrelationQuery":        {required: []string{"source", "funnelCorrelationType"}},
	"WebOverviewQuery":              {required: []string{"properties"}},
	"WebStatsTableQuery":            {required: []string{"breakdownBy", "properties"}},
	"WebGoalsQuery":                 {required: []string{"properties"}},
	"WebExternalClicksTableQuery":   {required: []string{"properties"}},
	"RevenueAnalyticsOverviewQuery": {required: []string{"properties"}},
	"ErrorTrackingQuery":            {required: []string{"dateRange"}},
	"TracesQuery":                   {},
	"ExperimentFunnelsQuery":        {required: []string{"funnels_query"}},
	"ExperimentTrendsQuery":         {required: []string{"count_query"}},
	"ExperimentQuery":               {required: []string{"metric"}},
	"MarketingAnalyticsTableQuery":  {required: []string{"properties"}},
	"RecordingsQuery":               {},
	"DatabaseSchemaQuery":           {},
	"GroupNode":                     {required: []string{"nodes", "operator"}},
}

// queryKinds lists the known kinds, sorted (pydantic's message names the expected tags).
func queryKinds() []string {
	out := make([]string, 0, len(queryNodes))
	for k := range queryNodes {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// queryError is the parser's error: ParseError(detail=str(pydantic's ValidationError)).
func queryError(loc, msg, typ string, input any) *Error {
	var b strings.Builder
	b.WriteString("1 validation error for QuerySchemaRoot\n")
	if loc != "" {
		b.WriteString(loc + "\n")
	}
	fmt.Fprintf(&b, "  %s [type=%s, input_value=%s, input_type=%s]", msg, typ, truncRepr(input), pyTypeOf(input))
	return &Error{Status: 400, Type: "invalid_request", Code: "parse_error", Detail: b.String()}
}

// truncRepr is pydantic's input_value: the repr, cut in the middle beyond 50 characters.
func truncRepr(v any) string {
	r := []rune(pyRepr(v))
	if len(r) <= 50 {
		return string(r)
	}
	return string(r[:24]) + "..." + string(r[len(r)-24:])
}

// CheckInsightQuery checks a query node (decoded JSON) as PostHog's QuerySchemaParser does.
// null and empty values are not checked (the parser only looks at a truthy query).
func CheckInsightQuery(q any) *Error {
	if !pyTruthy(q) {
		return nil
	}
	return checkQueryNode(q, "", nil)
}

// checkQueryNode checks one node at loc (pydantic's dotted location); allowed, when set,
// limits the kinds a wrapper's source may be.
func checkQueryNode(v any, loc string, allowed []string) *Error {
	m, ok := v.(map[string]any)
	if !ok {
		return queryError(loc, "Input should be a valid dictionary or object to extract fields from", "model_attributes_type", v)
	}
	kind, ok := m["kind"].(string)
	if !ok {
		return queryError(loc, "Unable to extract tag using discriminator 'kind'", "union_tag_not_found", v)
	}
	node, known := queryNodes[kind]
	expected := queryKinds()
	if allowed != nil {
		expected = allowed
		known = known && containsString(allowed, kind)
	}
	if !known {
		tags := make([]string, len(expected))
		for i, k := range expected {
			tags[i] = "'" + k + "'"
		}
		return queryError(loc, fmt.Sprintf("Input tag '%s' found using 'kind' does not match any of the expected tags: %s", kind, strings.Join(tags, ", ")), "union_tag_invalid", v)
	}
	here := kind
	if loc != "" {
		here = loc + "." + kind
	}
	for _, f := range node.required {
		if _, ok := m[f]; !ok {
			return queryError(here+"."+f, "Field required", "missing", v)
		}
	}
	if node.sources != nil {
		if err := checkQueryNode(m["source"], here+".source", node.sources); err != nil {
			return err
		}
	}
	switch kind {
	case "HogQLQuery":
		if _, ok := m["query"].(string); !ok {
			return queryError(here+".query", "Input should be a valid string", "string_type", m["query"])
		}
	case "TrendsQuery", "FunnelsQuery", "StickinessQuery", "LifecycleQuery", "CalendarHeatmapQuery":
		series, ok := m["series"].([]any)
		if !ok {
			return queryError(here+".series", "Input should be a valid list", "list_type", m["series"])
		}
		for i, s := range series {
			if err := checkQueryNode(s, fmt.Sprintf("%s.series.%d", here, i), []string{"EventsNode", "ActionsNode", "DataWarehouseNode", "GroupNode"}); err != nil {
				return err
			}
		}
	}
	return nil
}

func containsString(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
