// Package oascheck validates fakehog's responses against PostHog's own OpenAPI schema for the
// organizations paths (testdata/*.openapi.json). It is test machinery: the harness in package
// fake runs every response through Check, so a field with the wrong type, a missing required
// field or an undocumented success status fails the test that caused it.
package oascheck

import (
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// Files are the reference schemas, in the order they are consulted: the current schema
// first, then the older files that fill its gaps (testdata/SOURCES.md, copied from the shared
// reference), then the paths outside /api/organizations/ that fakehog serves as companions, then PostHog's
// schema for the paths inside a project.
var Files = []string{
	"organizations.openapi.json",
	"organizations.legacy-2025-11.openapi.json",
	"organizations.legacy-plugins.openapi.json",
	"companions.openapi.json",
	"projects.openapi.json",
}

// pipelineAliases are plugin-shaped families no schema describes; they answer the
// pipeline_transformations shape (docs/002), so they are checked against it.
var pipelineAliases = map[string]string{
	"pipeline_destinations":       "pipeline_transformations",
	"pipeline_frontend_apps":      "pipeline_transformations",
	"pipeline_import_apps":        "pipeline_transformations",
	"exports_unsubscribe_configs": "pipeline_transformations",
}

// Checker holds the loaded schemas and a route table built from their paths.
type Checker struct {
	routes []route
}

type route struct {
	method   string
	template string   // the path as the schema spells it
	segs     []string // template segments; "" marks a parameter
	op       *openapi3.Operation
}

// Load reads the reference files from dir.
func Load(dir string) (*Checker, error) {
	c := &Checker{}
	for _, name := range Files {
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromFile(filepath.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("oascheck: %s: %w", name, err)
		}
		// kin-openapi's own validator reads 3.1's `type: [X, "null"]` as nullable; its
		// JSON Schema 2020 mode would lose the nullability fixes below.
		allowNulls(doc)
		nullAsServed(doc)
		inputsAsServed(doc)
		untypeMethodFields(doc)
		relaxSiblingDiscriminators(doc)
		for _, tmpl := range doc.Paths.InMatchingOrder() {
			item := doc.Paths.Value(tmpl)
			for method, op := range item.Operations() {
				if c.lookup(method, tmpl) != nil {
					continue // an earlier (newer) file already describes it
				}
				c.routes = append(c.routes, route{method: method, template: tmpl, segs: segments(tmpl, true), op: op})
			}
		}
	}
	return c, nil
}

// lookup finds a route by its exact template (parameter names ignored).
func (c *Checker) lookup(method, tmpl string) *route {
	segs := segments(tmpl, true)
	for i := range c.routes {
		r := &c.routes[i]
		if r.method == method && equalSegs(r.segs, segs) {
			return r
		}
	}
	return nil
}

func equalSegs(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// segments splits a path; with template set, {param} segments become "".
func segments(p string, template bool) []string {
	parts := strings.Split(strings.Trim(p, "/"), "/")
	if template {
		for i, s := range parts {
			if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
				parts[i] = ""
			}
		}
	}
	return parts
}

// match finds the operation serving a concrete request path. Literal segments beat
// parameters, so /members/@me/ style paths still pick the most specific template.
func (c *Checker) match(method, path string) *route {
	segs := segments(path, false)
	if best := c.matchSegs(method, segs); best != nil {
		return best
	}
	if len(segs) > 3 && segs[0] == "api" {
		// PostHog serves most project-level families under both roots and documents some
		// under only one: check against the other root's description.
		if twin, ok := projectRootTwins[segs[1]]; ok {
			return c.matchSegs(method, append([]string{"api", twin}, segs[2:]...))
		}
	}
	return nil
}

// matchSegs finds the most specific operation for a split path.
func (c *Checker) matchSegs(method string, segs []string) *route {
	for i, s := range segs {
		if alias, ok := pipelineAliases[s]; ok {
			segs[i] = alias
		}
	}
	var best *route
	bestScore := -1
	for i := range c.routes {
		r := &c.routes[i]
		if r.method != method || len(r.segs) != len(segs) {
			continue
		}
		score, ok := 0, true
		for j, s := range r.segs {
			if s == "" {
				continue
			}
			if s != segs[j] {
				ok = false
				break
			}
			score++
		}
		if ok && score > bestScore {
			best, bestScore = r, score
		}
	}
	return best
}

// projectRootTwins are the two roots a project-level path is served under.
var projectRootTwins = map[string]string{"projects": "environments", "environments": "projects"}

// Operation names the schema path template that serves method and path, or "" when no
// reference file describes it.
func (c *Checker) Operation(method, path string) string {
	if r := c.match(method, path); r != nil {
		return r.template
	}
	return ""
}

// Check validates one response. checked is false when nothing was validated: the operation
// is in no reference file, the status is an error (≥400; error bodies are checked by shape
// in the harness), or the response documents no JSON body. err describes every mismatch.
func (c *Checker) Check(method, path string, status int, header http.Header, body []byte) (checked bool, err error) {
	r := c.match(method, path)
	if r == nil || status >= 400 {
		return false, nil
	}
	resp := r.op.Responses.Status(status)
	if resp == nil || resp.Value == nil {
		resp = r.op.Responses.Default()
	}
	if resp == nil || resp.Value == nil {
		if !describesBodies(r.op) {
			// drf-spectacular's placeholder ("No response body") for a custom action: the
			// schema knows neither its status nor its body; BEHAVIOR.md does.
			return false, jsonIfSaysSo(method, r.template, header, body)
		}
		return true, fmt.Errorf("%s %s: status %d is not documented (documented: %s)", method, r.template, status, strings.Join(documented(r.op), ", "))
	}
	mt := resp.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil || mt.Schema.Value == nil {
		return true, jsonIfSaysSo(method, r.template, header, body)
	}
	if ct := header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		return true, fmt.Errorf("%s %s: Content-Type %q, want application/json", method, r.template, ct)
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return true, fmt.Errorf("%s %s: body is not JSON: %v", method, r.template, err)
	}
	opts := []openapi3.SchemaValidationOption{openapi3.VisitAsResponse(), openapi3.MultiErrors(), openapi3.EnableFormatValidation()}
	if err := mt.Schema.Value.VisitJSON(v, opts...); err != nil {
		return true, fmt.Errorf("%s %s → %d: %w", method, r.template, status, err)
	}
	return true, nil
}

// describesBodies reports whether any documented response of op has a JSON body.
func describesBodies(op *openapi3.Operation) bool {
	for _, ref := range op.Responses.Map() {
		if ref.Value != nil && ref.Value.Content.Get("application/json") != nil {
			return true
		}
	}
	return false
}

// jsonIfSaysSo checks a body the schema does not describe: if it claims to be JSON, it
// must parse.
func jsonIfSaysSo(method, template string, header http.Header, body []byte) error {
	if len(body) > 0 && strings.HasPrefix(header.Get("Content-Type"), "application/json") && !json.Valid(body) {
		return fmt.Errorf("%s %s: body claims to be JSON and is not", method, template)
	}
	return nil
}

func documented(op *openapi3.Operation) []string {
	var out []string
	for code := range op.Responses.Map() {
		out = append(out, code)
	}
	sort.Slice(out, func(i, j int) bool {
		a, _ := strconv.Atoi(out[i])
		b, _ := strconv.Atoi(out[j])
		return a < b
	})
	return out
}

// allowNulls makes two JSON Schema truths hold for kin-openapi's validator, which reads
// nullability from `nullable` or a "null" type only: drf-spectacular's NullEnum
// ({"enum": [null]}) accepts null, and so does an unconstrained schema ({}), which
// PostHog's schema uses for JSONField properties.
func allowNulls(doc *openapi3.T) {
	if doc.Components == nil {
		return
	}
	seen := map[*openapi3.Schema]bool{}
	var walk func(ref *openapi3.SchemaRef)
	walk = func(ref *openapi3.SchemaRef) {
		if ref == nil || ref.Value == nil || seen[ref.Value] {
			return
		}
		s := ref.Value
		seen[s] = true
		untyped := s.Type == nil || len(*s.Type) == 0
		composed := len(s.OneOf)+len(s.AnyOf)+len(s.AllOf) > 0 || s.Not != nil
		for _, e := range s.Enum {
			if e == nil {
				s.Nullable = true
			}
		}
		if untyped && !composed && len(s.Enum) == 0 && len(s.Properties) == 0 && s.Items == nil {
			s.Nullable = true
		}
		for _, p := range s.Properties {
			walk(p)
		}
		for _, list := range [][]*openapi3.SchemaRef{s.OneOf, s.AnyOf, s.AllOf} {
			for _, c := range list {
				walk(c)
			}
		}
		walk(s.Items)
		if s.AdditionalProperties.Schema != nil {
			walk(s.AdditionalProperties.Schema)
		}
	}
	for _, ref := range doc.Components.Schemas {
		walk(ref)
	}
}

// servedNull lists properties PostHog's schema declares non-nullable while PostHog's own
// code answers null for them, by component schema and property name, with the source.
var servedNull = map[string][]string{
	// RoleSerializer's created_by is UserBasicSerializer(read_only=True), and neither the
	// serializer nor RoleViewSet sets it (products/access_control/backend/presentation/role.py):
	// a role created over the API, or hidden from a restricted member, answers null.
	"Role": {"created_by"},
	// FeatureFlag's usage_dashboard is a ForeignKey with null=True (posthog/models/feature_flag):
	// null until a usage dashboard is made.
	"FeatureFlag": {"usage_dashboard"},
	// ExperimentSerializer's holdout is ExperimentHoldoutSerializer(read_only=True) over a
	// nullable ForeignKey: null for an experiment without a holdout.
	"Experiment": {"holdout"},
	// HogFunctionSerializer's template is HogFunctionTemplateSerializer(read_only=True) of a
	// nullable foreign key: a function made without a template answers null.
	"HogFunction":        {"template"},
	"HogFunctionMinimal": {"template"},
	// ActionSerializer's creation_context is CharField(allow_null=True) in PostHog's newest
	// source (products/actions/backend/api/action.py): null for an action made over the API.
	"Action":        {"creation_context"},
	"PatchedAction": {"creation_context"},
	// SurveySerializer's linked_flag, targeting_flag and internal_targeting_flag are
	// MinimalFeatureFlagSerializer(read_only=True) of nullable foreign keys: null without a flag.
	"Survey":                                  surveyFlagFields,
	"SurveySerializerCreateUpdateOnly":        surveyFlagFields,
	"PatchedSurveySerializerCreateUpdateOnly": surveyFlagFields,
}

// surveyFlagFields are a survey's flag fields, each null when the survey has no such flag.
var surveyFlagFields = []string{"linked_flag", "targeting_flag", "internal_targeting_flag"}

// servedShapes replaces properties whose schema drf-spectacular got wrong, by component
// schema and property name, with what PostHog's serializer answers.
var servedShapes = map[string]map[string]*openapi3.Schema{
	// FeatureFlagSerializer (posthog/api/feature_flag.py): experiment_set is a
	// SerializerMethodField answering the live experiments' ids, surveys and features answer
	// lists of serialized objects, and to_representation adds evaluation_tags (declared
	// write-only) as a list of tag names.
	"FeatureFlag": {
		"experiment_set":  openapi3.NewArraySchema().WithItems(openapi3.NewIntegerSchema()),
		"surveys":         openapi3.NewArraySchema(),
		"features":        openapi3.NewArraySchema(),
		"evaluation_tags": openapi3.NewArraySchema().WithItems(openapi3.NewStringSchema()),
	},
	// SurveySerializer's conditions is a JSONField (an object, or null), typed as a string.
	"Survey": {"conditions": openapi3.NewObjectSchema().WithNullable()},
	// PropertyDefinitionSerializer's is_seen_on_filtered_events is a computed boolean (null
	// unless the list filters by event_names), typed as a string.
	"PropertyDefinition":        {"is_seen_on_filtered_events": openapi3.NewBoolSchema().WithNullable()},
	"PatchedPropertyDefinition": {"is_seen_on_filtered_events": openapi3.NewBoolSchema().WithNullable()},
}

// nullAsServed marks the servedNull properties nullable and puts the servedShapes in
// place.
func nullAsServed(doc *openapi3.T) {
	if doc.Components == nil {
		return
	}
	for name, props := range servedShapes {
		if ref := doc.Components.Schemas[name]; ref != nil && ref.Value != nil {
			for p, shape := range props {
				ref.Value.Properties[p] = openapi3.NewSchemaRef("", shape)
			}
		}
	}
	for name, props := range servedNull {
		ref := doc.Components.Schemas[name]
		if ref == nil || ref.Value == nil {
			continue
		}
		for _, p := range props {
			if prop := ref.Value.Properties[p]; prop != nil && prop.Value != nil {
				prop.Value.Nullable = true
			}
		}
	}
}

// inputsAsServed describes a hog function's inputs as PostHog serves them: drf-spectacular
// reads InputsItemSerializer's AnyInputField as a string and lists the read-only bytecode,
// order and transpiled as required, while InputsItemSerializer.to_representation drops the
// None ones, a value is any JSON (an object for a JSON input, a boolean, a number), and
// move_secret_inputs answers null for a key of the schema without a value.
func inputsAsServed(doc *openapi3.T) {
	if doc.Components == nil {
		return
	}
	ref := doc.Components.Schemas["InputsItem"]
	if ref == nil || ref.Value == nil {
		return
	}
	ref.Value.Required = nil
	ref.Value.Nullable = true
	if v := ref.Value.Properties["value"]; v != nil {
		ref.Value.Properties["value"] = &openapi3.SchemaRef{Value: &openapi3.Schema{Nullable: true}}
	}
}

// methodFields lists properties that are SerializerMethodFields without a type hint, which
// drf-spectacular renders as `type: string` while PostHog answers any JSON value (an
// insight's results are a list or null, is_cached a boolean, alerts a list), by component
// schema (posthog/api/insight.py InsightSerializer).
var methodFields = map[string][]string{
	"Insight":        insightMethodFields,
	"PatchedInsight": insightMethodFields,
}

var insightMethodFields = []string{"result", "hasMore", "columns", "last_refresh", "cache_target_age",
	"next_allowed_client_refresh", "is_cached", "query_status", "hogql", "types", "alerts", "last_viewed_at", "timezone"}

// untypeMethodFields makes the methodFields properties accept any value.
func untypeMethodFields(doc *openapi3.T) {
	if doc.Components == nil {
		return
	}
	for name, props := range methodFields {
		ref := doc.Components.Schemas[name]
		if ref == nil || ref.Value == nil {
			continue
		}
		for _, p := range props {
			if prop := ref.Value.Properties[p]; prop != nil && prop.Value != nil {
				prop.Value.Type, prop.Value.Nullable = nil, true
			}
		}
	}
}

// relaxSiblingDiscriminators: drf-spectacular renders a PolymorphicProxySerializer keyed by a
// sibling field (BatchExportDestination.config, keyed by destination.type) as a oneOf whose
// discriminator property none of its alternatives declares, which no real instance can
// satisfy; such a schema is read as "an object".
func relaxSiblingDiscriminators(doc *openapi3.T) {
	if doc.Components == nil {
		return
	}
	for _, ref := range doc.Components.Schemas {
		s := ref.Value
		if s == nil || s.Discriminator == nil || len(s.OneOf) == 0 {
			continue
		}
		declared := false
		for _, alt := range s.OneOf {
			if alt.Value != nil && alt.Value.Properties[s.Discriminator.PropertyName] != nil {
				declared = true
			}
		}
		if !declared {
			s.OneOf, s.Discriminator = nil, nil
			s.Type = &openapi3.Types{openapi3.TypeObject}
		}
	}
}
