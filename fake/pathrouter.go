package fake

// Path matching: gorilla/mux routers compiled once per process and shared by every server,
// split by path shape; the first registered route wins.

import (
	"context"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/gorilla/mux"
)

// pathRouter is the server's routing: an ordered list of path templates (literal segments
// and {name} segments, a variable matching one non-empty segment) and prefixes, each with
// its handler; the first registered route that matches the raw (decoded, uncleaned) path
// wins, and unmatched paths go to notFound.
//
// Matching is gorilla/mux's. Compiling its ~330 route regexps was most of the cost of
// fake.New (BENCHMARKS.md), and every server registers the very same templates in the same
// order, so the compiled routers are built once per process for that list and shared: they
// only match (their routes are named by their index here); each server dispatches the match
// to its own handlers.
type pathRouter struct {
	routes   []*pathRoute
	notFound http.Handler

	once    sync.Once
	matcher *matcher
}

// varsHandler serves a matched route; vars holds the template's variables.
type varsHandler func(w http.ResponseWriter, r *http.Request, vars map[string]string)

type pathRoute struct {
	tmpl   string // as registered (for a prefix route: the prefix)
	prefix bool
	h      varsHandler
}

func newPathRouter() *pathRouter { return &pathRouter{} }

// handle registers a template such as /api/organizations/{organization_id}/members/.
func (pr *pathRouter) handle(tmpl string, h varsHandler) {
	pr.routes = append(pr.routes, &pathRoute{tmpl: tmpl, h: h})
}

// handlePrefix registers a route for every path starting with prefix.
func (pr *pathRouter) handlePrefix(prefix string, h varsHandler) {
	pr.routes = append(pr.routes, &pathRoute{tmpl: prefix, prefix: true, h: h})
}

// matcher is the compiled routing for one route list: gorilla/mux routers, each holding —
// in registration order, so the first registered match still wins — only the routes that can
// match paths of one shape (segment count and fourth segment, the resource name in
// /api/organizations/{id}/<resource>/...). A request is matched against its shape's router
// alone: a handful of regexps instead of ~330.
type matcher struct {
	byShape map[string]*mux.Router // "n|literal" and "n|*" (any other fourth segment)
	other   *mux.Router            // paths with a segment count no template has: prefixes only

	// seen memoises the match of recently seen paths (matching depends on the path alone):
	// even a handful of gorilla/mux regexps was a fifth of a GET organization's handler
	// (BENCHMARKS.md), and clients ask for the same paths again and again. Bounded: it is
	// emptied when full, and long paths are not kept.
	seenMu sync.RWMutex
	seen   map[string]seenMatch
}

// seenMatch is a memoised match: the route's index (-1: none) and its variables, which are
// copied out, never handed out.
type seenMatch struct {
	route int
	vars  map[string]string
}

// Bounds of matcher.seen.
const (
	maxSeenPaths   = 4096
	maxSeenPathLen = 512
)

func (m *matcher) recall(path string) (seenMatch, bool) {
	m.seenMu.RLock()
	hit, ok := m.seen[path]
	m.seenMu.RUnlock()
	return hit, ok
}

func (m *matcher) remember(path string, route int, vars map[string]string) {
	if len(path) > maxSeenPathLen {
		return
	}
	m.seenMu.Lock()
	if m.seen == nil || len(m.seen) >= maxSeenPaths {
		m.seen = make(map[string]seenMatch, 64)
	}
	m.seen[path] = seenMatch{route: route, vars: maps.Clone(vars)}
	m.seenMu.Unlock()
}

// sharedMatchers holds the compiled matchers, one per distinct route list.
var sharedMatchers sync.Map // signature → *matcher

// shapeSegment is the index, in the path split at "/", of the segment whose literal value
// splits the routes: the resource name, as in "", "api", "organizations", "{id}", "<resource>"
// (it was 3, the organization id, which put every organization route of a length in one
// router).
const shapeSegment = 4

func isVarSegment(s string) bool { return strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") }

// compiled returns the shared matcher for this router's route list, building it on first use.
func (pr *pathRouter) compiled() *matcher {
	pr.once.Do(func() {
		var sig strings.Builder
		for _, rt := range pr.routes {
			if rt.prefix {
				sig.WriteString("prefix:")
			}
			sig.WriteString(rt.tmpl)
			sig.WriteByte('\n')
		}
		if m, ok := sharedMatchers.Load(sig.String()); ok {
			pr.matcher = m.(*matcher)
			return
		}
		m := &matcher{byShape: map[string]*mux.Router{}}
		// The shapes: every (segment count, literal fourth segment) a template has, and a
		// wildcard per segment count.
		shapes := map[string]func(rt *pathRoute, segs []string) bool{}
		for _, rt := range pr.routes {
			if rt.prefix {
				continue
			}
			segs := strings.Split(rt.tmpl, "/")
			n := len(segs)
			lit := ""
			if n > shapeSegment {
				lit = segs[shapeSegment]
			}
			if !isVarSegment(lit) {
				key := strconv.Itoa(n) + "|" + lit
				shapes[key] = func(o *pathRoute, os []string) bool {
					return len(os) == n && (len(os) <= shapeSegment || os[shapeSegment] == lit || isVarSegment(os[shapeSegment]))
				}
			}
			shapes[strconv.Itoa(n)+"|*"] = func(o *pathRoute, os []string) bool {
				return len(os) == n && len(os) > shapeSegment && isVarSegment(os[shapeSegment])
			}
		}
		for key, fits := range shapes {
			m.byShape[key] = pr.gorilla(func(rt *pathRoute) bool { return rt.prefix || fits(rt, strings.Split(rt.tmpl, "/")) })
		}
		m.other = pr.gorilla(func(rt *pathRoute) bool { return rt.prefix })
		actual, _ := sharedMatchers.LoadOrStore(sig.String(), m)
		pr.matcher = actual.(*matcher)
	})
	return pr.matcher
}

// gorilla compiles the routes keep selects, in registration order, named by their index.
func (pr *pathRouter) gorilla(keep func(*pathRoute) bool) *mux.Router {
	// No path cleaning: gorilla/mux would answer "/x/../" with a 301 to "/" where Django
	// matches the raw path and finds no such object.
	m := mux.NewRouter().SkipClean(true)
	for i, rt := range pr.routes {
		if !keep(rt) {
			continue
		}
		name := strconv.Itoa(i)
		if rt.prefix {
			m.PathPrefix(rt.tmpl).Name(name)
		} else {
			m.Path(rt.tmpl).Name(name)
		}
	}
	return m
}

// routerFor picks the gorilla router for a path's shape.
func (m *matcher) routerFor(path string) *mux.Router {
	n := strings.Count(path, "/") + 1
	lit := ""
	if n > shapeSegment {
		rest := path
		for i := 0; i < shapeSegment; i++ {
			rest = rest[strings.IndexByte(rest, '/')+1:]
		}
		if j := strings.IndexByte(rest, '/'); j >= 0 {
			rest = rest[:j]
		}
		lit = rest
	}
	prefix := strconv.Itoa(n) + "|"
	if r, ok := m.byShape[prefix+lit]; ok {
		return r
	}
	if r, ok := m.byShape[prefix+"*"]; ok {
		return r
	}
	return m.other
}

// ServeHTTP dispatches to the first matching route, else to notFound.
func (pr *pathRouter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if rt, vars := pr.match(r); rt != nil {
		rt.h(w, r, vars)
		return
	}
	pr.notFound.ServeHTTP(w, r)
}

// lookup returns the first registered route matching path and its variables (nil when
// none matches).
func (pr *pathRouter) lookup(path string) (*pathRoute, map[string]string) {
	return pr.match(&http.Request{Method: http.MethodGet, URL: &url.URL{Path: path}})
}

func (pr *pathRouter) match(r *http.Request) (*pathRoute, map[string]string) {
	mt := pr.compiled()
	path := r.URL.Path
	if hit, ok := mt.recall(path); ok {
		if hit.route < 0 {
			return nil, nil
		}
		return pr.routes[hit.route], maps.Clone(hit.vars)
	}
	var m mux.RouteMatch
	if !mt.routerFor(path).Match(r, &m) || m.Route == nil {
		mt.remember(path, -1, nil)
		return nil, nil
	}
	i, err := strconv.Atoi(m.Route.GetName())
	if err != nil || i < 0 || i >= len(pr.routes) {
		return nil, nil
	}
	vars := m.Vars
	if vars == nil {
		vars = map[string]string{}
	}
	mt.remember(path, i, vars)
	return pr.routes[i], vars
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
