package fake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fakehog/fakehog/fake/internal/oascheck"
	"github.com/fakehog/fakehog/fake/store"
	"github.com/tidwall/gjson"
)

// The test harness: every test talks to a real fakehog over HTTP, and every JSON response
// it receives is validated against PostHog's OpenAPI reference (testdata/); a mismatch fails
// the test.

var (
	checkerOnce sync.Once
	checker     *oascheck.Checker
	checkerErr  error
)

func schemaChecker(t testing.TB) *oascheck.Checker {
	checkerOnce.Do(func() { checker, checkerErr = oascheck.Load("../testdata") })
	if checkerErr != nil {
		t.Fatalf("loading the OpenAPI reference: %v", checkerErr)
	}
	return checker
}

// schemaExempt lists operations whose reference schema is drf-spectacular's default for a
// custom action (it claims the viewset's serializer) while the real server answers a
// different, documented shape (BEHAVIOR.md). Their bodies are asserted field by field in
// their own tests instead.
var schemaExempt = map[string]string{
	"GET /api/organizations/{organization_id}/members/{user__uuid}/scoped_api_keys/":  "answers {has_keys, has_keys_active_last_week, keys} (BEHAVIOR.md §2)",
	"GET /api/organizations/{organization_id}/projects/{id}/activity/":                "answers the activity page {results,next,previous,total_count} (§5)",
	"GET /api/organizations/{organization_id}/projects/{id}/is_generating_demo_data/": "answers {is_generating_demo_data} (§5)",
	"POST /api/organizations/{id}/environments_rollback/":                             "answers 202 {success, message} (§1); only the 2025-11 schema lists it, with the viewset default",
	"GET /api/organizations/{organization_id}/proxy_records/":                         "answers the ProxyRecordListResponse object {results, max_proxy_records} (§10); the schema wraps it in an array",
}

// schemaExemptActions lists custom actions no reference file describes at all, keyed by
// method and last path segment ("GET exports_unsubscribe_configs"): the checker would match
// them to their family's {id} route. Families fill it (and schemaExempt) from their tests.
var schemaExemptActions = map[string]string{}

// statusAsDocumented maps operations whose success status BEHAVIOR.md gives differently
// from drf-spectacular's default for a custom action (200 for any POST action): the body is
// validated against the schema of the documented status.
var statusAsDocumented = map[string]map[int]int{
	"POST /api/organizations/{organization_id}/invites/delegate/": {201: 200}, // BEHAVIOR.md §3: 201 with the invite
}

// emptyErrorBodies lists the operations whose view answers some errors with DRF's
// Response(status=...): the status and no body at all.
var emptyErrorBodies = map[string]string{
	"GET /api/organizations/{organization_id}/batch_exports/test/": "400 without ?destination, 404 for a destination without a test (posthog/batch_exports/http.py test)",
	"DELETE /api/environments/{project_id}/hog_functions/{id}/":    "405 with no body (ForbidDestroyModel)",
}

// testEpoch is the harness clock's starting time.
var testEpoch = time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC)

// env is one fakehog under test with its clock and the default world's credentials.
type env struct {
	t     *testing.T
	srv   *Server
	ts    *httptest.Server
	clock *store.ManualClock
	d     Defaults
}

func newEnv(t *testing.T, opts ...Option) *env {
	t.Helper()
	clock := store.NewManualClock(testEpoch)
	srv, err := New(append([]Option{WithSeed(1), WithClock(clock)}, opts...)...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	// Answers are asserted as sent: a 302 (legal document download) is not followed.
	ts.Client().CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &env{t: t, srv: srv, ts: ts, clock: clock, d: srv.Defaults()}
}

// resp is a response as the tests see it.
type resp struct {
	Status int
	Header http.Header
	Body   []byte
	JSON   gjson.Result
}

// reqOpt changes how env.do sends a request.
type reqOpt func(*http.Request)

// asKey authenticates with a personal API key instead of the owner's.
func asKey(key string) reqOpt {
	return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+key) }
}

// asSession authenticates with a session cookie instead of a key, as a browser of PostHog's
// app does: with the posthog_csrftoken cookie and, on unsafe methods, the X-CSRFToken header
// repeating it (csrf.go). asBareSession sends the session cookie alone.
func asSession(value string) reqOpt {
	return func(r *http.Request) {
		asBareSession(value)(r)
		r.AddCookie(&http.Cookie{Name: CSRFCookieName, Value: testCSRFToken})
		if !csrfSafe(r.Method) {
			r.Header.Set(CSRFHeaderName, testCSRFToken)
		}
	}
}

// asBareSession authenticates with the session cookie only (no CSRF cookie or header).
func asBareSession(value string) reqOpt {
	return func(r *http.Request) {
		r.Header.Del("Authorization")
		r.AddCookie(&http.Cookie{Name: "sessionid", Value: value})
	}
}

// testCSRFToken is the CSRF secret asSession holds (any 32 letters and digits pass).
const testCSRFToken = "fakehogTestCsrfToken0123456789ab"

// noAuth sends no credentials.
func noAuth() reqOpt { return func(r *http.Request) { r.Header.Del("Authorization") } }

// header sets a request header.
func header(k, v string) reqOpt { return func(r *http.Request) { r.Header.Set(k, v) } }

// rawBody is a body sent as is with the given content type.
type rawBody struct {
	ContentType string
	Data        string
}

// do sends a request as the default owner (by API key) unless opts say otherwise. body is
// marshalled to JSON unless it is a rawBody or nil.
func (e *env) do(method, path string, body any, opts ...reqOpt) *resp {
	e.t.Helper()
	return e.send(method, path, body, true, opts...)
}

// sendUnchecked is do without the OpenAPI check (error bodies are still checked for their
// shape): for fakehog's own /_fake/ routes and for injected failures, which PostHog's
// reference does not describe.
func (e *env) sendUnchecked(method, path string, body any, opts ...reqOpt) *resp {
	e.t.Helper()
	return e.send(method, path, body, false, opts...)
}

func (e *env) send(method, path string, body any, schema bool, opts ...reqOpt) *resp {
	e.t.Helper()
	var rd io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case rawBody:
		rd, ct = strings.NewReader(b.Data), b.ContentType
	case string:
		rd, ct = strings.NewReader(b), "application/json"
	default:
		data, err := json.Marshal(b)
		if err != nil {
			e.t.Fatalf("marshal: %v", err)
		}
		rd, ct = bytes.NewReader(data), "application/json"
	}
	req, err := http.NewRequest(method, e.ts.URL+path, rd)
	if err != nil {
		e.t.Fatalf("request: %v", err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	req.Header.Set("Authorization", "Bearer "+e.d.APIKey)
	for _, o := range opts {
		o(req)
	}
	res, err := e.ts.Client().Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	r := &resp{Status: res.StatusCode, Header: res.Header, Body: data, JSON: gjson.ParseBytes(data)}
	if schema {
		e.checkSchema(method, req.URL.Path, r)
	} else if r.Status >= 400 {
		e.checkErrorShape(method, path, r)
	}
	return r
}

// checkSchema validates a response against the OpenAPI reference and the error shape.
func (e *env) checkSchema(method, path string, r *resp) {
	e.t.Helper()
	c := schemaChecker(e.t)
	if r.Status >= 400 {
		e.checkErrorShape(method, path, r)
	}
	if _, skip := schemaExempt[method+" "+c.Operation(method, path)]; skip {
		return
	}
	if _, skip := schemaExemptActions[method+" "+lastSegment(path)]; skip {
		return
	}
	status := r.Status
	if m, ok := statusAsDocumented[method+" "+c.Operation(method, path)]; ok && m[status] != 0 {
		status = m[status]
	}
	if _, err := c.Check(method, path, status, r.Header, r.Body); err != nil {
		e.t.Errorf("response does not match the OpenAPI reference: %v\nbody: %s", err, truncate(r.Body))
	}
}

// checkErrorShape asserts every error body is PostHog's {type, code, detail, attr}, or one
// of the hand-made bodies some endpoints answer with ({"detail": ...}, {"error": ...}).
func (e *env) checkErrorShape(method, path string, r *resp) {
	e.t.Helper()
	if _, ok := emptyErrorBodies[method+" "+schemaChecker(e.t).Operation(method, path)]; ok && len(r.Body) == 0 {
		return
	}
	if !r.JSON.IsObject() {
		e.t.Errorf("%s %s → %d: error body is not a JSON object: %s", method, path, r.Status, truncate(r.Body))
		return
	}
	keys := map[string]bool{}
	r.JSON.ForEach(func(k, _ gjson.Result) bool { keys[k.String()] = true; return true })
	if len(keys) == 4 && keys["type"] && keys["code"] && keys["detail"] && keys["attr"] {
		return
	}
	if len(keys) == 1 {
		return // hand-made body such as {"detail": "..."}
	}
	e.t.Errorf("%s %s → %d: unexpected error body: %s", method, path, r.Status, truncate(r.Body))
}

// lastSegment is the last segment of a URL path.
func lastSegment(p string) string {
	p = strings.TrimSuffix(p, "/")
	return p[strings.LastIndex(p, "/")+1:]
}

func truncate(b []byte) string {
	if len(b) > 2000 {
		return string(b[:2000]) + "…"
	}
	return string(b)
}

// wantStatus fails the test unless the status is code.
func (r *resp) wantStatus(t *testing.T, code int) *resp {
	t.Helper()
	if r.Status != code {
		t.Fatalf("status = %d, want %d; body: %s", r.Status, code, truncate(r.Body))
	}
	return r
}

// wantError asserts status and PostHog's error body; attr "" means null.
func (r *resp) wantError(t *testing.T, status int, typ, code, detail, attr string) {
	t.Helper()
	r.wantStatus(t, status)
	got := fmt.Sprintf("%s|%s|%s|%s", r.JSON.Get("type").String(), r.JSON.Get("code").String(), r.JSON.Get("detail").String(), r.JSON.Get("attr").String())
	want := fmt.Sprintf("%s|%s|%s|%s", typ, code, detail, attr)
	if got != want {
		t.Fatalf("error = %s\nwant    %s", got, want)
	}
	if attr == "" && r.JSON.Get("attr").Type != gjson.Null {
		t.Fatalf("attr = %s, want null", r.JSON.Get("attr").Raw)
	}
}

// get reads a field of the response body.
func (r *resp) get(path string) gjson.Result { return r.JSON.Get(path) }

// member is a user the test added to an organization, with a personal API key and a session.
type member struct {
	User    *store.User
	Key     string
	Session string
}

// addMember creates a user with a personal API key (scopes; none = legacy all-access) and a
// session, and joins them to the organization at level (0 = not joined).
func (e *env) addMember(orgID string, level int, email string, scopes ...string) member {
	e.t.Helper()
	var m member
	err := e.srv.Store().Write(func(tx *store.Tx) error {
		u, err := tx.CreateUser(store.NewUser{Email: email, FirstName: strings.Split(email, "@")[0]})
		if err != nil {
			return err
		}
		if level != 0 {
			if _, err := tx.AddMember(orgID, u.ID, store.NewMembership{Level: level}); err != nil {
				return err
			}
		}
		_, key, err := tx.CreatePersonalAPIKey(u.ID, store.NewAPIKey{Scopes: scopes, Label: "key of " + email})
		if err != nil {
			return err
		}
		sess := "session-" + email
		if err := tx.AddSession(u.ID, sess); err != nil {
			return err
		}
		m = member{User: u, Key: key, Session: sess}
		return nil
	})
	if err != nil {
		e.t.Fatalf("addMember: %v", err)
	}
	return m
}

// orgPath is /api/organizations/<default org>/ + rest.
func (e *env) orgPath(rest string) string {
	return "/api/organizations/" + e.d.OrganizationID + "/" + rest
}

// fieldCase is one row of a validation table: a request body and the 400 validation error
// (code, detail, attr) PostHog answers it with.
type fieldCase struct {
	name               string
	body               any
	code, detail, attr string
}

// permissionCast adds the people a permission test needs to the organization: a member, an
// admin, a user of no organization, and an owner whose key has only readScope.
func (e *env) permissionCast(orgID, readScope string) (m, admin, outsider, reader member) {
	e.t.Helper()
	return e.addMember(orgID, store.LevelMember, "member@example.com"),
		e.addMember(orgID, store.LevelAdmin, "admin@example.com"),
		e.addMember("", 0, "outsider@example.com"),
		e.addMember(orgID, store.LevelOwner, "reader@example.com", readScope)
}
