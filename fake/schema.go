package fake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/fakehog/fakehog"
)

// GET /api/schema/ serves the OpenAPI document of the operations this server serves (the
// route table, so it lists exactly those), as PostHog serves its own there (drf-spectacular):
// YAML by default (application/vnd.oai.openapi), JSON with ?format=json or an Accept header
// asking for JSON. No authentication, as there. An operation PostHog documents is described
// as PostHog's own document describes it (request and response bodies field by field, the
// components they reference); the others (those PostHog serves without documenting) get a
// generic description: path parameters, the API key scope, the success status, JSON bodies.

// postHogSchema is what PostHog's documents say: path → method → operation, and the
// components the operations reference.
type postHogSchema struct {
	ops        map[string]map[string]map[string]any
	schemas    map[string]any
	parameters map[string]any
}

// postHogDocs reads PostHog's documents once (the current one first, then the older ones for
// the operations it lacks).
var postHogDocs = sync.OnceValue(func() *postHogSchema {
	ph := &postHogSchema{ops: map[string]map[string]map[string]any{}, schemas: map[string]any{}, parameters: map[string]any{}}
	for i, data := range append(append([][]byte{fakehog.PostHogOpenAPI}, fakehog.PostHogOpenAPILegacy()...), fakehog.PostHogProjectsOpenAPI()) {
		var doc struct {
			Paths      map[string]map[string]json.RawMessage `json:"paths"`
			Components struct {
				Schemas    map[string]any `json:"schemas"`
				Parameters map[string]any `json:"parameters"`
			} `json:"components"`
		}
		if err := json.Unmarshal(data, &doc); err != nil {
			panic("fakehog: an embedded PostHog OpenAPI document does not parse: " + err.Error())
		}
		for path, item := range doc.Paths {
			for method, raw := range item {
				var op map[string]any
				if json.Unmarshal(raw, &op) != nil || op["responses"] == nil {
					continue // path-level fields, not an operation
				}
				if ph.ops[path] == nil {
					ph.ops[path] = map[string]map[string]any{}
				}
				if ph.ops[path][method] == nil {
					ph.ops[path][method] = op
				}
			}
		}
		for name, v := range doc.Components.Schemas {
			if _, ok := ph.schemas[name]; !ok {
				if m, isMap := v.(map[string]any); isMap && i > 0 {
					// The older documents carry a converter's sample values, some of which
					// their own enums refuse; PostHog's schema has none.
					delete(m, "example")
				}
				ph.schemas[name] = v
			}
		}
		for name, v := range doc.Components.Parameters {
			if _, ok := ph.parameters[name]; !ok {
				ph.parameters[name] = v
			}
		}
	}
	return ph
})

// operation is PostHog's description of an operation; a project-level path PostHog documents
// under only one of its two roots (/api/projects/{project_id}/, /api/environments/{project_id}/)
// is described as the other one is.
func (ph *postHogSchema) operation(path, method string) map[string]any {
	if op := ph.ops[path][method]; op != nil {
		return op
	}
	const projects, environments = "/api/projects/{project_id}/", "/api/environments/{project_id}/"
	if rest, ok := strings.CutPrefix(path, projects); ok {
		return ph.ops[environments+rest][method]
	}
	if rest, ok := strings.CutPrefix(path, environments); ok {
		return ph.ops[projects+rest][method]
	}
	return nil
}

// openAPIDoc builds the document for the route table.
func (s *Server) openAPIDoc() map[string]any {
	ph := postHogDocs()
	paths := map[string]any{}
	used := map[string]int{}
	table := s.routeTable()
	for i := range table {
		rt := &table[i]
		item, _ := paths[rt.Path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			if params := pathParams(rt.Path); len(params) > 0 {
				item["parameters"] = params
			}
			paths[rt.Path] = item
		}
		method := strings.ToLower(rt.Method)
		if documented := ph.operation(rt.Path, method); documented != nil {
			op := make(map[string]any, len(documented))
			for k, v := range documented {
				op[k] = v
			}
			op["operationId"] = uniqueID(used, fmt.Sprint(op["operationId"]))
			item[method] = op
			continue
		}
		op := map[string]any{"operationId": uniqueID(used, operationID(rt)), "tags": []string{tagOf(rt.Path)}}
		if rt.Scope != "" {
			op["security"] = []any{map[string]any{"PersonalAPIKeyAuth": []string{rt.Scope}}, map[string]any{"CookieAuth": []string{}}}
		} else {
			op["security"] = []any{map[string]any{"CookieAuth": []string{}}}
			op["description"] = "Session only: PostHog refuses personal API keys here."
		}
		status := rt.Status
		if status == 0 {
			status = http.StatusOK
		}
		resp := map[string]any{"description": http.StatusText(status)}
		if status != http.StatusNoContent {
			resp["content"] = map[string]any{"application/json": map[string]any{"schema": map[string]any{}}}
		}
		op["responses"] = map[string]any{fmt.Sprint(status): resp}
		if rt.Method == http.MethodPost || rt.Method == http.MethodPut || rt.Method == http.MethodPatch {
			body := map[string]any{"schema": map[string]any{"type": "object"}}
			op["requestBody"] = map[string]any{"content": map[string]any{
				"application/json": body, "application/x-www-form-urlencoded": body, "multipart/form-data": body}}
		}
		item[method] = op
	}
	servers := []any{map[string]any{"url": "/"}}
	if s.basePath != "" {
		servers = []any{map[string]any{"url": s.basePath}}
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{"title": "PostHog API (fakehog)", "version": "1.0.0",
			"description": "The operations this fakehog serves, a fake of PostHog's Organizations API."},
		"servers": servers,
		"paths":   paths,
		"components": map[string]any{
			"schemas":    ph.schemas,
			"parameters": ph.parameters,
			"securitySchemes": map[string]any{
				"PersonalAPIKeyAuth": map[string]any{"type": "http", "scheme": "bearer"},
				"CookieAuth":         map[string]any{"type": "apiKey", "in": "cookie", "name": "sessionid"},
			},
		},
	}
}

// uniqueID returns id, or id with a number when an operation already has it.
func uniqueID(used map[string]int, id string) string {
	if used[id] == 0 {
		used[id] = 1
		return id
	}
	// PostHog's own ids end in _2, _3...: skip the suffixes already taken.
	for n := used[id] + 1; ; n++ {
		if c := fmt.Sprintf("%s_%d", id, n); used[c] == 0 {
			used[id], used[c] = n, 1
			return c
		}
	}
}

// pathParams declares a template's {variables}.
func pathParams(path string) []any {
	var out []any
	for _, seg := range strings.Split(path, "/") {
		if isVar(seg) {
			out = append(out, map[string]any{"name": strings.Trim(seg, "{}"), "in": "path", "required": true,
				"schema": map[string]any{"type": "string"}})
		}
	}
	return out
}

// tagOf is the resource a path belongs to: its first literal segment after the organization.
func tagOf(path string) string {
	segs := literalSegments(path)
	if len(segs) >= 3 {
		return segs[2]
	}
	return segs[len(segs)-1]
}

// literalSegments are a template's segments that are not variables.
func literalSegments(path string) []string {
	var out []string
	for _, seg := range strings.Split(strings.Trim(path, "/"), "/") {
		if seg != "" && !isVar(seg) {
			out = append(out, seg)
		}
	}
	return out
}

// operationID names an operation as drf-spectacular does: the resource, any action, and the
// verb (list/retrieve for reads of a collection or an item, create, update, partial_update,
// destroy).
func operationID(rt *route) string {
	segs := strings.Split(strings.Trim(rt.Path, "/"), "/")
	lits := literalSegments(rt.Path)
	name := strings.Join(lits[min(2, len(lits)-1):], "_")
	if len(lits) > 2 && lits[1] == "organizations" {
		name = strings.Join(lits[2:], "_")
	}
	item := isVar(segs[len(segs)-1])
	var verb string
	switch rt.Method {
	case http.MethodGet:
		// A collection (a resource right after an id, or the organizations themselves) is
		// listed; an item or an action is retrieved.
		verb = "retrieve"
		if !item && (len(segs) == 2 || isVar(segs[len(segs)-2])) {
			verb = "list"
		}
	case http.MethodPost:
		verb = "create"
	case http.MethodPut:
		verb = "update"
	case http.MethodPatch:
		verb = "partial_update"
	case http.MethodDelete:
		verb = "destroy"
	default:
		verb = strings.ToLower(rt.Method)
	}
	return strings.NewReplacer("-", "_", ".", "_").Replace(name + "_" + verb)
}

// serveSchema answers GET /api/schema/.
func (s *Server) serveSchema(w http.ResponseWriter, r *http.Request, _ map[string]string) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		s.writeError(w, r, errMethodNotAllowed(r.Method))
		return
	}
	doc := s.openAPIDoc()
	format := r.URL.Query().Get("format")
	accept := r.Header.Get("Accept")
	if format == "json" || (format == "" && strings.Contains(accept, "json")) {
		out, err := json.Marshal(doc)
		if err != nil {
			s.writeError(w, r, errServer)
			return
		}
		w.Header().Set("Content-Type", "application/vnd.oai.openapi+json")
		w.WriteHeader(http.StatusOK)
		if r.Method != http.MethodHead {
			_, _ = w.Write(out)
		}
		return
	}
	out, err := yaml.Marshal(sortedYAML(doc))
	if err != nil {
		s.writeError(w, r, errServer)
		return
	}
	w.Header().Set("Content-Type", "application/vnd.oai.openapi; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(out)
	}
}

// sortedYAML turns maps into yaml nodes with sorted keys ("openapi" and "info" first), so the
// YAML is stable and reads in the usual order.
func sortedYAML(v any) any {
	switch t := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		rank := map[string]int{"openapi": -3, "info": -2, "servers": -1}
		sort.Slice(keys, func(i, j int) bool {
			if rank[keys[i]] != rank[keys[j]] {
				return rank[keys[i]] < rank[keys[j]]
			}
			return keys[i] < keys[j]
		})
		n := &yaml.Node{Kind: yaml.MappingNode}
		for _, k := range keys {
			var val yaml.Node
			_ = val.Encode(sortedYAML(t[k]))
			n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: k}, &val)
		}
		return n
	case []any:
		out := make([]any, len(t))
		for i := range t {
			out[i] = sortedYAML(t[i])
		}
		return out
	}
	return v
}
