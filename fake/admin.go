package fake

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/fakehog/fakehog/fake/store"
)

// fakehog's own control routes, under /_fake/ (outside /api): JSON in and out, errors in
// PostHog's error shape, no personal API key; protected by WithAdminToken when set.
//
//	GET    /_fake/health                 {"status":"ok"} (never needs the admin token)
//	POST   /_fake/reset                  back to the world the server was built with
//	GET    /_fake/requests               the journal; filters: method, path (or template),
//	                                     status, organization_id, since (RFC 3339 time or a
//	                                     request id), limit (the most recent n)
//	DELETE /_fake/requests               empty the journal
//	GET    /_fake/faults                 the active fault rules
//	POST   /_fake/faults                 add a rule, e.g. {"method":"GET","path":"/api/organizations/","status":503,"times":1}
//	DELETE /_fake/faults                 remove every rule (and Go reactor)
//	GET    /_fake/faults/{id}            one rule
//	DELETE /_fake/faults/{id}            remove one rule
//	GET    /_fake/clock                  {"now": "..."}
//	POST   /_fake/clock                  {"advance":"72h"}, {"set":"2026-01-01T00:00:00Z"} or {"real":true}
//	POST   /_fake/scenario               load another world (needs WithScenarioLoader); the clock
//	                                     goes to its now (real time when it has none)
//	GET    /_fake/snapshot               the whole state as canonical JSON (equal states, equal bytes)
//	PUT    /_fake/snapshot               replace the whole state with such an export
//	GET    /_fake/users                  every user with their personal API keys and sessions
//	POST   /_fake/keys                   mint a key: {"user":"ada@example.com","scopes":["*"]}
//	/_fake/worlds...                     isolated worlds for parallel test workers (worlds.go)
//	GET    /  and  /_fake/               the console (HTML, console.go)

// adminFunc handles one admin operation: the status and JSON value to answer, or an error.
type adminFunc func(r *http.Request) (int, any, error)

// registerAdmin mounts the control routes.
func (s *Server) registerAdmin(m *pathRouter) {
	s.registerConsole(m)
	s.adminRoute(m, "/_fake/health", false, map[string]adminFunc{http.MethodGet: s.adminHealth})
	s.adminRoute(m, "/_fake/reset", true, map[string]adminFunc{http.MethodPost: s.adminReset})
	s.adminRoute(m, "/_fake/requests", true, map[string]adminFunc{
		http.MethodGet: s.adminRequests, http.MethodDelete: s.adminClearRequests})
	s.adminRoute(m, "/_fake/faults", true, map[string]adminFunc{
		http.MethodGet: s.adminFaults, http.MethodPost: s.adminAddFault, http.MethodDelete: s.adminClearFaults})
	s.adminRoute(m, "/_fake/faults/{id}", true, map[string]adminFunc{
		http.MethodGet: s.adminFault, http.MethodDelete: s.adminRemoveFault})
	s.adminRoute(m, "/_fake/clock", true, map[string]adminFunc{http.MethodGet: s.adminClock, http.MethodPost: s.adminSetClock})
	s.adminRoute(m, "/_fake/scenario", true, map[string]adminFunc{http.MethodPost: s.adminScenario})
	s.adminRoute(m, "/_fake/users", true, map[string]adminFunc{http.MethodGet: s.adminUsers})
	s.adminRoute(m, "/_fake/keys", true, map[string]adminFunc{http.MethodPost: s.adminMintKey})
	s.adminRoute(m, "/_fake/snapshot", true, map[string]adminFunc{http.MethodGet: s.adminExport, http.MethodPut: s.adminImport})
	s.registerWorlds(m)
	notFound := func(w http.ResponseWriter, r *http.Request, _ map[string]string) {
		s.writeError(w, r, errEndpointNotFound)
	}
	m.handlePrefix("/_fake/", notFound)
	m.handle("/_fake", notFound)
}

// adminRoute registers one admin path (with and without its trailing slash).
func (s *Server) adminRoute(m *pathRouter, path string, protected bool, methods map[string]adminFunc) {
	allow := make([]string, 0, len(methods)+1)
	for meth := range methods {
		allow = append(allow, meth)
		if meth == http.MethodGet {
			allow = append(allow, http.MethodHead)
		}
	}
	sort.Strings(allow)
	h := func(w http.ResponseWriter, r *http.Request, vars map[string]string) {
		if len(vars) > 0 {
			r = withPathVars(r, vars)
		}
		extendAdminDeadlines(w)
		if protected {
			if err := s.checkAdminToken(r); err != nil {
				s.writeError(w, r, err)
				return
			}
		}
		method := r.Method
		if method == http.MethodHead {
			method = http.MethodGet
		}
		fn := methods[method]
		if fn == nil {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			s.writeError(w, r, errMethodNotAllowed(r.Method))
			return
		}
		status, out, err := fn(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if out == nil {
			w.WriteHeader(status)
			return
		}
		writeJSON(w, status, out)
	}
	m.handle(path, h)
	m.handle(path+"/", h)
}

// checkAdminToken enforces WithAdminToken: Authorization: Bearer <token> or
// X-Fakehog-Admin-Token: <token>.
func (s *Server) checkAdminToken(r *http.Request) error {
	if s.adminToken == "" {
		return nil
	}
	got := r.Header.Get("X-Fakehog-Admin-Token")
	if got == "" {
		if v, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
			got = strings.TrimSpace(v)
		}
	}
	if got == "" {
		return errNotAuthenticated
	}
	if subtle.ConstantTimeCompare([]byte(got), []byte(s.adminToken)) != 1 {
		return &store.Error{Status: 401, Type: "authentication_error", Code: "authentication_failed", Detail: "Invalid fakehog admin token."}
	}
	return nil
}

// readAdminJSON decodes the request body into v (the guard, guard.go, has made sure a body
// is declared as JSON).
func (s *Server) readAdminJSON(r *http.Request, v any) error {
	data, err := io.ReadAll(io.LimitReader(r.Body, s.maxBodyBytes+1))
	if err != nil {
		return errParse("Could not read the request body.")
	}
	if int64(len(data)) > s.maxBodyBytes {
		return errTooLarge(s.maxBodyBytes)
	}
	if strings.TrimSpace(string(data)) == "" {
		return store.Invalid("A JSON body is required.")
	}
	if !json.Valid(data) {
		return errParse("JSON parse error - " + jsonErrorText(data))
	}
	if raw, ok := v.(*json.RawMessage); ok {
		*raw = data
		return nil
	}
	if err := json.Unmarshal(data, v); err != nil {
		return jsonDecodeError(err)
	}
	return nil
}

// jsonDecodeError turns an encoding/json error into PostHog's error shape, naming the field.
func jsonDecodeError(err error) *store.Error {
	var e *store.Error
	if errors.As(err, &e) {
		return e
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return store.FieldError(te.Field, "invalid", fmt.Sprintf("Expected %s, got %s.", jsonKind(te.Type.Kind()), te.Value))
	}
	if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name := strings.Trim(f, `"`)
		return store.FieldError(name, "invalid", fmt.Sprintf("Unknown field %q.", name))
	}
	return store.Invalid("Invalid body: " + strings.TrimPrefix(err.Error(), "json: "))
}

// jsonKind names a Go kind as JSON would ("a string", "a number", ...).
func jsonKind(k reflect.Kind) string {
	switch k {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return "a number"
}

func (s *Server) adminHealth(*http.Request) (int, any, error) {
	return http.StatusOK, map[string]string{"status": "ok"}, nil
}

func (s *Server) adminReset(*http.Request) (int, any, error) {
	if err := s.reset(); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]string{"status": "ok"}, nil
}

// requestsPage is the answer of GET /_fake/requests.
type requestsPage struct {
	Count   int       `json:"count"`
	Results []Request `json:"results"`
}

func (s *Server) adminRequests(r *http.Request) (int, any, error) {
	q := r.URL.Query()
	f := RequestFilter{Method: q.Get("method"), Path: q.Get("path"), OrgID: q.Get("organization_id")}
	if f.Path == "" {
		f.Path = q.Get("template")
	}
	if v := q.Get("status"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return 0, nil, store.FieldError("status", "invalid", store.MsgInvalidInt)
		}
		f.Status = n
	}
	if v := q.Get("since"); v != "" {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			f.AfterID = id
		} else if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
			f.Since = t
		} else {
			return 0, nil, store.FieldError("since", "invalid", "Enter an RFC 3339 time or a request id.")
		}
	}
	out := s.journal.Requests(f)
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return 0, nil, store.FieldError("limit", "invalid", store.MsgInvalidInt)
		}
		if n < len(out) {
			out = out[len(out)-n:]
		}
	}
	if out == nil {
		out = []Request{}
	}
	return http.StatusOK, requestsPage{Count: len(out), Results: out}, nil
}

func (s *Server) adminClearRequests(*http.Request) (int, any, error) {
	s.journal.Clear()
	return http.StatusNoContent, nil, nil
}

// faultsPage is the answer of GET /_fake/faults.
type faultsPage struct {
	Count   int     `json:"count"`
	Results []Fault `json:"results"`
}

func (s *Server) adminFaults(*http.Request) (int, any, error) {
	all := s.Faults()
	return http.StatusOK, faultsPage{Count: len(all), Results: all}, nil
}

func (s *Server) adminAddFault(r *http.Request) (int, any, error) {
	var f Fault
	if err := s.readAdminJSON(r, &f); err != nil {
		return 0, nil, err
	}
	id, err := s.AddFault(f)
	if err != nil {
		return 0, nil, err
	}
	got, _ := s.fault(id)
	return http.StatusCreated, got, nil
}

func (s *Server) adminClearFaults(*http.Request) (int, any, error) {
	s.ClearFaults()
	return http.StatusNoContent, nil, nil
}

// fault returns the active rule with that id.
func (s *Server) fault(id int) (Fault, bool) {
	for _, f := range s.Faults() {
		if f.ID == id {
			return f, true
		}
	}
	return Fault{}, false
}

func (s *Server) adminFault(r *http.Request) (int, any, error) {
	id, err := strconv.Atoi(pathVars(r)["id"])
	if err != nil {
		return 0, nil, store.ErrNotFound()
	}
	f, ok := s.fault(id)
	if !ok {
		return 0, nil, store.ErrNotFound()
	}
	return http.StatusOK, f, nil
}

func (s *Server) adminRemoveFault(r *http.Request) (int, any, error) {
	id, err := strconv.Atoi(pathVars(r)["id"])
	if err != nil || !s.RemoveFault(id) {
		return 0, nil, store.ErrNotFound()
	}
	return http.StatusNoContent, nil, nil
}

// clockView is the answer of the clock routes.
type clockView struct {
	Now string `json:"now"`
}

// clockView shows the clock as RFC 3339 to the second, the one format the API and the
// console show it in.
func (s *Server) clockView() clockView {
	return clockView{Now: s.clock.Now().UTC().Format(time.RFC3339)}
}

func (s *Server) adminClock(*http.Request) (int, any, error) {
	return http.StatusOK, s.clockView(), nil
}

// clockChange is the body of POST /_fake/clock.
type clockChange struct {
	Advance *string `json:"advance"`
	Set     *string `json:"set"`
	Real    *bool   `json:"real"`
}

func (s *Server) adminSetClock(r *http.Request) (int, any, error) {
	var in clockChange
	if err := s.readAdminJSON(r, &in); err != nil {
		return 0, nil, err
	}
	given := 0
	for _, set := range []bool{in.Advance != nil, in.Set != nil, in.Real != nil} {
		if set {
			given++
		}
	}
	switch {
	case given != 1:
		return 0, nil, store.Invalid(`Give exactly one of "advance" (a duration such as "72h"), "set" (an RFC 3339 time) or "real" (true: back to the system clock).`)
	case in.Real != nil:
		if !*in.Real {
			return 0, nil, store.FieldError("real", "invalid", `Only "real": true (back to the system clock) means something; to stop time, use "set".`)
		}
		s.clock.UseReal()
	case in.Advance != nil:
		d, err := time.ParseDuration(*in.Advance)
		if err != nil {
			return 0, nil, store.FieldError("advance", "invalid", fmt.Sprintf("%q is not a duration such as \"72h\" or \"90s\".", *in.Advance))
		}
		s.clock.Advance(d)
	default:
		t, err := time.Parse(time.RFC3339Nano, *in.Set)
		if err != nil {
			return 0, nil, store.FieldError("set", "invalid", fmt.Sprintf("%q is not an RFC 3339 time such as \"2026-01-01T00:00:00Z\".", *in.Set))
		}
		s.clock.Set(t)
	}
	return http.StatusOK, s.clockView(), nil
}

// errNoLoader answers POST /_fake/scenario on a server built without WithScenarioLoader.
var errNoLoader = &store.Error{Status: 501, Type: "server_error", Code: "not_implemented",
	Detail: "This fakehog cannot load scenarios (it was built without a scenario loader)."}

func (s *Server) adminScenario(r *http.Request) (int, any, error) {
	if s.loader == nil {
		return 0, nil, errNoLoader
	}
	release, err := s.beginImport()
	if err != nil {
		return 0, nil, err
	}
	defer release()
	spec, err := s.readScenarioSpec(r) // JSON, or a YAML document (guard.go)
	if err != nil {
		return 0, nil, err
	}
	world, now, err := s.loader(spec)
	if err == nil {
		err = s.LoadWorldAt(world, now)
	}
	if err != nil {
		var e *store.Error
		if errors.As(err, &e) {
			return 0, nil, e
		}
		return 0, nil, store.Invalid(err.Error())
	}
	d := s.Defaults()
	// As at start: whoever loaded it can read how to sign in from the log.
	s.logger.Info("scenario loaded", "organization", d.OrganizationID, "project", d.ProjectID, "user", d.UserEmail,
		"api_key", d.APIKey, "session", d.Session, "clock", s.clock.Now().UTC().Format(time.RFC3339))
	return http.StatusOK, d, nil
}

func (s *Server) adminExport(*http.Request) (int, any, error) {
	data, err := s.ExportState()
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, json.RawMessage(data), nil
}

func (s *Server) adminImport(r *http.Request) (int, any, error) {
	limit := s.maxImportBytes
	if r.ContentLength > limit {
		return 0, nil, errImportTooLarge(limit)
	}
	release, err := s.beginImport()
	if err != nil {
		return 0, nil, err
	}
	defer release()
	data, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return 0, nil, errParse("Could not read the request body.")
	}
	if int64(len(data)) > limit {
		return 0, nil, errImportTooLarge(limit)
	}
	if err := s.ImportState(data); err != nil {
		var e *store.Error
		if errors.As(err, &e) {
			return 0, nil, e // the data directory could not record it
		}
		return 0, nil, store.Invalid(err.Error())
	}
	return http.StatusOK, map[string]string{"status": "ok"}, nil
}
