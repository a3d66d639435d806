package fake

import (
	"context"
	"fmt"
	"net/http"
	"strings"
)

// pathRouter matches request paths against route templates made of literal segments and
// {name} segments, each variable matching one non-empty segment. It replaces gorilla/mux,
// whose per-server regexp compilation was ~95% of New and whose per-request regexp scan
// over ~330 routes was ~75% of a simple GET (BENCHMARKS.md). The semantics are the ones
// fakehog relied on: the raw (decoded) URL.Path with no cleaning, the first registered
// route that matches wins, prefix routes match any path starting with their prefix, and
// unmatched paths go to notFound.
type pathRouter struct {
	routes []*pathRoute
	// bySegs holds, for each segment count, the routes that can match a path of that many
	// segments (exact routes of that length and every prefix route), in registration order.
	bySegs   map[int][]*pathRoute
	prefixes []*pathRoute // for paths longer than any template
	notFound http.Handler
}

// varsHandler serves a matched route; vars holds the template's variables.
type varsHandler func(w http.ResponseWriter, r *http.Request, vars map[string]string)

type pathRoute struct {
	tmpl   string   // as registered (for a prefix route: the prefix)
	segs   []string // template segments split on "/"; a variable segment is its name
	isVar  []bool
	nvars  int
	prefix string // non-empty: a prefix route
	h      varsHandler
}

func newPathRouter() *pathRouter { return &pathRouter{bySegs: map[int][]*pathRoute{}} }

// handle registers a template such as /api/organizations/{organization_id}/members/.
// Variables must fill whole segments.
func (pr *pathRouter) handle(tmpl string, h varsHandler) {
	segs := strings.Split(tmpl, "/")
	rt := &pathRoute{tmpl: tmpl, segs: segs, isVar: make([]bool, len(segs)), h: h}
	for i, s := range segs {
		if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
			rt.segs[i], rt.isVar[i] = s[1:len(s)-1], true
			rt.nvars++
		} else if strings.ContainsAny(s, "{}") {
			panic(fmt.Sprintf("fakehog: route template %q: a variable must fill a whole segment", tmpl))
		}
	}
	pr.add(rt)
}

// handlePrefix registers a route for every path starting with prefix.
func (pr *pathRouter) handlePrefix(prefix string, h varsHandler) {
	pr.add(&pathRoute{tmpl: prefix, prefix: prefix, h: h})
}

func (pr *pathRouter) add(rt *pathRoute) {
	pr.routes = append(pr.routes, rt)
	if rt.prefix != "" {
		for n := range pr.bySegs {
			pr.bySegs[n] = append(pr.bySegs[n], rt)
		}
		pr.prefixes = append(pr.prefixes, rt)
		return
	}
	n := len(rt.segs)
	if _, ok := pr.bySegs[n]; !ok {
		// A new length starts with the prefix routes registered before it, in order.
		var list []*pathRoute
		for _, p := range pr.routes[:len(pr.routes)-1] {
			if p.prefix != "" {
				list = append(list, p)
			}
		}
		pr.bySegs[n] = list
	}
	pr.bySegs[n] = append(pr.bySegs[n], rt)
}

// ServeHTTP dispatches to the first matching route, else to notFound.
func (pr *pathRouter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if rt, vars := pr.lookup(r.URL.Path); rt != nil {
		rt.h(w, r, vars)
		return
	}
	pr.notFound.ServeHTTP(w, r)
}

// lookup returns the first registered route matching path and its variables (nil when
// none matches).
func (pr *pathRouter) lookup(path string) (*pathRoute, map[string]string) {
	var buf [16]string
	segs := splitSegments(path, buf[:0])
	cands, ok := pr.bySegs[len(segs)]
	if !ok {
		cands = pr.prefixes
	}
	for _, rt := range cands {
		if rt.prefix != "" {
			if strings.HasPrefix(path, rt.prefix) {
				return rt, map[string]string{}
			}
			continue
		}
		if vars, ok := rt.match(segs); ok {
			return rt, vars
		}
	}
	return nil, nil
}

// match compares the path's segments with the template's (same count, checked by the
// caller) and returns the variables.
func (rt *pathRoute) match(segs []string) (map[string]string, bool) {
	for i, s := range rt.segs {
		if rt.isVar[i] {
			if segs[i] == "" {
				return nil, false
			}
		} else if segs[i] != s {
			return nil, false
		}
	}
	vars := make(map[string]string, rt.nvars)
	for i, s := range rt.segs {
		if rt.isVar[i] {
			vars[s] = segs[i]
		}
	}
	return vars, true
}

// splitSegments is strings.Split(path, "/") appending to buf (no allocation for paths of up
// to cap(buf) segments).
func splitSegments(path string, buf []string) []string {
	for {
		i := strings.IndexByte(path, '/')
		if i < 0 {
			return append(buf, path)
		}
		buf = append(buf, path[:i])
		path = path[i+1:]
	}
}

type pathVarsKey struct{}

// withPathVars attaches a matched route's variables to the request, for handlers whose
// signature only carries the request (the /_fake/ routes).
func withPathVars(r *http.Request, vars map[string]string) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), pathVarsKey{}, vars))
}

// pathVars returns the variables withPathVars attached (nil when none).
func pathVars(r *http.Request) map[string]string {
	v, _ := r.Context().Value(pathVarsKey{}).(map[string]string)
	return v
}
