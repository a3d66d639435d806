package fake

// The request pipeline: routes grouped by path, authentication, scope, organization,
// membership and permission checks in PostHog's order, then the handler inside one store
// transaction.

import (
	"net/http"
	"sort"
	"strings"

	"github.com/fakehog/fakehog/fake/store"
)

// perm is the permission a route needs beyond authentication and its scope.
type perm int

const (
	// permMember: the caller must belong to the organization in the URL (nested routes).
	permMember perm = iota
	// permAdminWrite: as permMember, and non-safe methods need admin (8) or above
	// (PostHog's OrganizationAdminWritePermissions).
	permAdminWrite
	// permAdmin: as permMember, and every method needs admin or above.
	permAdmin
	// permUser: only an authenticated user (organization list and create).
	permUser
	// permOrgDetail: the organization detail routes: an organization the caller does not
	// belong to is 404 "Not found.", as PostHog's queryset filters it out.
	permOrgDetail
	// permSelf: the caller's own records outside any organization (/api/users/): only
	// authentication and the key's scope; keys scoped to projects or organizations pass.
	permSelf
	// permKeySelf: /api/personal_api_keys/ (PersonalApiKeySelfAccessPermission): a personal
	// API key may only retrieve itself; everything else needs a session. No scope applies.
	permKeySelf
	// permProject: /api/projects/{id}/ and /api/environments/{id}/, and everything inside a
	// project (/api/projects/{project_id}/..., routes_projects.go): the project (or
	// @current) is looked up across the caller's organizations (404 when the caller is no
	// member of its organization), then the key's policy, organization, project and scope.
	permProject
	// permCurrentOrg: the root collections /api/projects/ and /api/environments/: the
	// caller's current organization, then the key's policy, organization scoping and scope.
	permCurrentOrg
)

// route is one row of the route table (routes.go).
type route struct {
	Method string
	Path   string // template: {organization_id}, {id}, {role_id}, {user__uuid}
	// Scope is the personal API key scope the operation needs ("" = PostHog refuses
	// personal API keys there: session only).
	Scope  string
	Perm   perm
	Status int // success status; 0 = 200 (201 for POST creates, 204 for DELETE set explicitly)
	Handle func(c *call) (any, error)
}

// call is one request on its way through: who asked, for which organization, within which
// transaction.
type call struct {
	s     *Server
	w     http.ResponseWriter
	r     *http.Request
	route *route
	vars  map[string]string
	tx    *store.Tx
	user  *store.User
	key   *store.PersonalAPIKey // nil when authenticated by session
	// keyStale: the key's last_used_at is due for its hourly bump (keyStale).
	keyStale bool
	org      *store.Organization
	member   *store.Membership
	// project is the URL's project on project routes (permProject): {id} on the project's
	// own paths, {project_id} on what it holds.
	project *store.Project
	// access is the caller's access to c.project (permProject), resolved once.
	access *store.Access
	// status, when set, replaces the route's success status (a PUT that removes answers 204).
	status int
	body   *requestBody
}

// pathGroup is every route sharing one path template.
type pathGroup struct {
	path    string
	methods map[string]*route
	allow   string
}

// buildRouter registers every path of the route table once, with and without its
// trailing slash; each path dispatches on the method itself so that permission checks come
// before 405, as in PostHog.
func (s *Server) buildRouter() *pathRouter {
	groups := map[string]*pathGroup{}
	var order []string
	table := s.routeTable()
	for i := range table {
		rt := &table[i]
		g := groups[rt.Path]
		if g == nil {
			g = &pathGroup{path: rt.Path, methods: map[string]*route{}}
			groups[rt.Path] = g
			order = append(order, rt.Path)
		}
		g.methods[rt.Method] = rt
	}
	// No path cleaning: a cleaning router would answer "/x/../" with a 301 to "/" where
	// Django matches the raw path and finds no such object.
	m := newPathRouter()
	s.registerAdmin(m)
	m.handle("/api/schema", s.serveSchema)
	m.handle("/api/schema/", s.serveSchema)
	for _, p := range order {
		g := groups[p]
		methods := make([]string, 0, len(g.methods)+1)
		for meth := range g.methods {
			methods = append(methods, meth)
		}
		methods = append(methods, "OPTIONS")
		sort.Strings(methods)
		g.allow = strings.Join(methods, ", ")
		// Variables match one path segment; ids are checked by the handlers.
		tmpl := strings.TrimSuffix(p, "/")
		h := s.groupHandler(g)
		m.handle(tmpl, h)
		m.handle(tmpl+"/", h)
	}
	m.notFound = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.faults.armed.Load() != 0 && !isAdminPath(r.URL.Path) && s.intercept(w, r, "", nil, nil) {
			return
		}
		s.writeError(w, r, errEndpointNotFound)
	})
	return m
}

// routeTable returns the table built once per server.
func (s *Server) routeTable() []route {
	if s.table == nil {
		s.table = append(append(append(routes(s), companions(s)...), rootProjectRoutes(s)...), projectResources(s)...)
	}
	return s.table
}

func isSafe(method string) bool {
	return method == http.MethodGet || method == http.MethodHead || method == http.MethodOptions
}

// groupHandler runs the pipeline for one path: body → faults and reactors (faults.go) →
// authentication → scope → organization → membership → permission → method → handler,
// inside one store transaction. The journal's recorder (journal.go), when it wraps w, learns
// the route template and the caller on the way.
func (s *Server) groupHandler(g *pathGroup) varsHandler {
	return func(w http.ResponseWriter, r *http.Request, vars map[string]string) {
		method := r.Method
		if method == http.MethodHead {
			method = http.MethodGet
		}
		rt := g.methods[method]
		c := &call{s: s, w: w, r: r, route: rt, vars: vars}
		rec := recorderOf(w)
		if rec != nil {
			rec.entry.Template = g.path
			rec.entry.OrgID = urlOrgID(g.path, c.vars)
		}
		body, err := s.readBody(r, rt != nil && !isSafe(method))
		// Faults and reactors come before everything the real server would do (even a
		// body it would refuse), as a failure in front of it would.
		if s.faults.armed.Load() != 0 {
			var raw []byte
			if body != nil {
				raw = body.raw
			}
			if s.intercept(w, r, g.path, c.vars, raw) {
				return
			}
		}
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		c.body = body
		var status int
		var out any
		// logged is where a persisted write is logged: after every check that can refuse
		// the request before its handler (persist_log.go).
		run := func(tx *store.Tx, logged func() error) error {
			c.tx = tx
			err := c.authorize(g)
			if c.key != nil {
				c.keyStale = keyStale(c.key, tx.Now())
			}
			if rec != nil {
				rec.identify(c)
			}
			if err != nil {
				return err
			}
			if rt == nil {
				if r.Method == http.MethodOptions {
					status, out = 200, optionsBody(g)
					return nil
				}
				w.Header().Set("Allow", g.allow)
				return errMethodNotAllowed(r.Method)
			}
			if err := logged(); err != nil {
				return err
			}
			res, err := rt.Handle(c)
			if err != nil {
				return err
			}
			status, out = c.successStatus(), res
			return nil
		}
		if rt != nil && isSafe(method) && !rt.writesOnRead() {
			err = s.store.Read(func(tx *store.Tx) error { return run(tx, noLog) })
		} else {
			err = s.writeInStore(r, body, run)
		}
		if c.key != nil && c.keyStale {
			s.touchKey(c.key)
		}
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if status == http.StatusNoContent || out == nil && status != http.StatusOK {
			w.WriteHeader(status)
			return
		}
		if rd, ok := out.(redirect); ok {
			http.Redirect(w, r, string(rd), http.StatusFound)
			return
		}
		writeJSON(w, status, out)
	}
}

// redirect is a handler result answered with 302 to the URL.
type redirect string

// writesOnRead lists GET operations that change state (PostHog's check_for_updates records
// the latest tag).
func (rt *route) writesOnRead() bool { return strings.HasSuffix(rt.Path, "/check_for_updates/") }

func (c *call) successStatus() int {
	if c.status != 0 {
		return c.status
	}
	if c.route.Status != 0 {
		return c.route.Status
	}
	return http.StatusOK
}

// optionsBody is DRF's metadata answer to OPTIONS.
func optionsBody(g *pathGroup) map[string]any {
	return map[string]any{"name": "fakehog", "description": "", "renders": []string{"application/json"},
		"parses": []string{"application/json", "application/x-www-form-urlencoded", "multipart/form-data"}}
}
