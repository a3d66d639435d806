package fake

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fakehog/fakehog/fake/store"
	"github.com/tidwall/gjson"
)

// Fault injection and reactors, from Go and over /_fake/faults.

func (e *env) addFault(f Fault) int {
	e.t.Helper()
	id, err := e.srv.AddFault(f)
	if err != nil {
		e.t.Fatalf("AddFault: %v", err)
	}
	return id
}

func TestFaultLeavesStateUntouched(t *testing.T) {
	e := newEnv(t)
	e.newInvite("before@example.com")
	id := e.addFault(Fault{Method: "POST", Path: invitesTemplate, Status: 503, Times: 1})

	e.sendUnchecked("POST", e.orgPath("invites/"), map[string]any{"target_email": "new@example.com"}).
		wantError(t, 503, "server_error", "service_unavailable", "Service Unavailable.", "")
	if got := e.listInviteEmails(); len(got) != 1 || got[0] != "before@example.com" {
		t.Fatalf("invites after the injected 503 = %v", got)
	}
	// Times: 1 — the rule is used up and gone; the next call goes through.
	if f := e.srv.Faults(); len(f) != 0 {
		t.Errorf("rules left: %+v", f)
	}
	e.newInvite("new@example.com")
	j := e.srv.Journal()
	failed := j.Requests(RequestFilter{Status: 503})
	if len(failed) != 1 || failed[0].Fault != id || failed[0].UserID != 0 {
		t.Errorf("journal of the failed call = %+v", failed)
	}
	j.AssertCalled(t, "POST", invitesTemplate, 3)
}

func TestFaultErrorBodies(t *testing.T) {
	cases := []struct {
		status            int
		typ, code, detail string
	}{
		{400, "validation_error", "invalid_input", "Invalid input."},
		{401, "authentication_error", "not_authenticated", "Authentication credentials were not provided."},
		{403, "authentication_error", "permission_denied", store.MsgNoPermission},
		{404, "invalid_request", "not_found", "Not found."},
		{405, "invalid_request", "method_not_allowed", `Method "PATCH" not allowed.`},
		{409, "server_error", "conflict", "Conflict."},
		{418, "server_error", "im_a_teapot", "I'm a teapot."},
		{413, "invalid_request", "request_too_large", "Request body exceeds the maximum size of 1048576 bytes."},
		{415, "invalid_request", "unsupported_media_type", `Unsupported media type "application/json" in request.`},
		{429, "throttled_error", "throttled", "Request was throttled."},
		{500, "server_error", "error", "A server error occurred."},
		{502, "server_error", "bad_gateway", "Bad Gateway."},
		{503, "server_error", "service_unavailable", "Service Unavailable."},
		{504, "server_error", "gateway_timeout", "Gateway Timeout."},
	}
	e := newEnv(t)
	for _, c := range cases {
		t.Run(http.StatusText(c.status), func(t *testing.T) {
			e.srv.ClearFaults()
			e.addFault(Fault{Path: "/api/organizations/{id}/", Status: c.status})
			r := e.sendUnchecked("PATCH", "/api/organizations/@current/", map[string]any{"name": "x"})
			r.wantError(t, c.status, c.typ, c.code, c.detail, "")
			if c.status == 401 && !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer ") {
				t.Errorf("401 without WWW-Authenticate")
			}
			if got := ErrorForStatus(c.status); got.Status != c.status || (c.status != 405 && c.status != 415 && got.Detail != c.detail) {
				t.Errorf("ErrorForStatus(%d) = %+v", c.status, got)
			}
		})
	}
	// Nothing was renamed.
	e.srv.ClearFaults()
	if n := e.do("GET", "/api/organizations/@current/", nil).wantStatus(t, 200); n.get("name").String() != "Fakehog" {
		t.Errorf("name = %s", n.get("name"))
	}
}

func TestFaultOverridesTheBody(t *testing.T) {
	e := newEnv(t)
	e.addFault(Fault{Path: "/api/organizations/", Status: 402, Type: "server_error", Code: "payment_required", Detail: "Your plan does not allow this."})
	e.sendUnchecked("GET", "/api/organizations/", nil).wantError(t, 402, "server_error", "payment_required", "Your plan does not allow this.", "")
}

func TestFaultRetryAfter(t *testing.T) {
	e := newEnv(t)
	e.addFault(Fault{Path: "/api/organizations/", RetryAfter: 5, Times: 1})
	r := e.sendUnchecked("GET", "/api/organizations/", nil)
	r.wantError(t, 429, "throttled_error", "throttled", "Request was throttled. Expected available in 5 seconds.", "")
	if r.Header.Get("Retry-After") != "5" {
		t.Errorf("Retry-After = %q", r.Header.Get("Retry-After"))
	}
	e.addFault(Fault{Path: "/api/organizations/", Status: 429, RetryAfter: 1, Times: 1})
	e.sendUnchecked("GET", "/api/organizations/", nil).wantError(t, 429, "throttled_error", "throttled", "Request was throttled. Expected available in 1 second.", "")
	// Retry-After goes with other statuses too (a 503 during maintenance).
	e.addFault(Fault{Path: "/api/organizations/", Status: 503, RetryAfter: 30, Times: 1})
	r = e.sendUnchecked("GET", "/api/organizations/", nil)
	r.wantError(t, 503, "server_error", "service_unavailable", "Service Unavailable.", "")
	if r.Header.Get("Retry-After") != "30" {
		t.Errorf("Retry-After = %q", r.Header.Get("Retry-After"))
	}
	e.do("GET", "/api/organizations/", nil).wantStatus(t, 200)
}

func TestFaultDelay(t *testing.T) {
	e := newEnv(t)
	// Delay alone: the request is slow, then handled normally.
	id := e.addFault(Fault{Method: "POST", Path: invitesTemplate, Delay: 60 * time.Millisecond, Times: 1})
	start := time.Now()
	e.newInvite("slow@example.com")
	if d := time.Since(start); d < 60*time.Millisecond {
		t.Errorf("request took %v, want at least 60ms", d)
	}
	last, _ := e.srv.Journal().Last()
	if last.Fault != id || last.Duration < 60*time.Millisecond || last.Status != 201 {
		t.Errorf("journal = fault %d, %v, %d", last.Fault, last.Duration, last.Status)
	}
	// Delay and status.
	e.addFault(Fault{Path: "/api/organizations/", Delay: 30 * time.Millisecond, Status: 504, Times: 1})
	start = time.Now()
	e.sendUnchecked("GET", "/api/organizations/", nil).wantStatus(t, 504)
	if d := time.Since(start); d < 30*time.Millisecond {
		t.Errorf("request took %v", d)
	}
	// A client that gives up does not wait for the delay.
	e.addFault(Fault{Path: "/api/organizations/", Delay: 10 * time.Second, Status: 500})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", e.ts.URL+"/api/organizations/", nil)
	start = time.Now()
	_, err := e.ts.Client().Do(req)
	if err == nil || time.Since(start) > 5*time.Second {
		t.Errorf("cancelled request: err %v after %v", err, time.Since(start))
	}
}

func TestFaultDropsTheConnection(t *testing.T) {
	e := newEnv(t)
	id := e.addFault(Fault{Method: "POST", Path: invitesTemplate, Drop: true, Times: 1})
	_, err := e.ts.Client().Post(e.ts.URL+e.orgPath("invites/"), "application/json", strings.NewReader(`{"target_email":"x@example.com"}`))
	if err == nil {
		t.Fatal("the request on a dropped connection succeeded")
	}
	last, _ := e.srv.Journal().Last()
	if !last.Dropped || last.Status != 0 || last.Fault != id {
		t.Errorf("journal = %+v", last)
	}
	if got := e.listInviteEmails(); len(got) != 0 {
		t.Errorf("invites = %v", got)
	}
	// Without a socket to hijack (here a ResponseRecorder), the handler aborts instead.
	e.addFault(Fault{Path: "/api/organizations/", Drop: true, Times: 1})
	func() {
		defer func() {
			if p := recover(); p != http.ErrAbortHandler {
				t.Errorf("recovered %v, want http.ErrAbortHandler", p)
			}
		}()
		serveInProcess(t, e.srv, "GET", "/api/organizations/", "")
	}()
	if last, _ := e.srv.Journal().Last(); !last.Dropped {
		t.Errorf("aborted request not journaled as dropped: %+v", last)
	}
}

func TestFaultMatching(t *testing.T) {
	e := newEnv(t)
	other := e.otherOrg()
	cases := []struct {
		name  string
		fault Fault
		hit   []string // "METHOD path" sent, that must fail
		miss  []string // that must go through
	}{
		{"template, any variable name", Fault{Path: "/api/organizations/{org}/invites/"},
			[]string{"GET " + e.orgPath("invites/"), "GET /api/organizations/@current/invites"}, []string{"GET " + e.orgPath("members/")}},
		{"method", Fault{Method: "get", Path: invitesTemplate}, []string{"GET " + e.orgPath("invites/")}, []string{"POST " + e.orgPath("invites/bulk/")}},
		{"concrete path, either slash", Fault{Path: e.orgPath("invites")}, []string{"GET " + e.orgPath("invites/")},
			[]string{"GET /api/organizations/@current/invites/"}},
		{"prefix", Fault{Path: "/api/organizations/@current/*"}, []string{"GET /api/organizations/@current/members/"},
			[]string{"GET " + e.orgPath("members/")}},
		{"organization", Fault{OrgID: strings.ToUpper(e.d.OrganizationID)}, []string{"GET " + e.orgPath("members/"), "GET " + e.orgPath("")},
			[]string{"GET /api/organizations/" + other + "/members/", "GET /api/organizations/"}},
		{"template prefix", Fault{Path: "/api/organizations/{organization_id}/projects/*"},
			[]string{"GET " + e.orgPath("projects/"), "GET /api/organizations/@current/projects/1/", "PATCH /api/organizations/" + other + "/projects/2/"},
			[]string{"GET " + e.orgPath("members/"), "GET /api/organizations/", "GET " + e.orgPath("projects")}},
		{"template prefix, partial segment", Fault{Path: "/api/organizations/{id}/pipeline_*"},
			[]string{"GET " + e.orgPath("pipeline_destinations/"), "GET /api/organizations/@current/pipeline_frontend_apps/"},
			[]string{"GET " + e.orgPath("plugins/")}},
		{"any", Fault{}, []string{"GET /api/organizations/", "DELETE /api/nowhere/"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.srv.ClearFaults()
			c.fault.Status = 418
			e.addFault(c.fault)
			for _, s := range c.hit {
				m, p, _ := strings.Cut(s, " ")
				if r := e.sendUnchecked(m, p, nil); r.Status != 418 {
					t.Errorf("%s = %d, want the fault", s, r.Status)
				}
			}
			for _, s := range c.miss {
				m, p, _ := strings.Cut(s, " ")
				if r := e.sendUnchecked(m, p, nil); r.Status == 418 {
					t.Errorf("%s hit the fault", s)
				}
			}
		})
	}
	e.srv.ClearFaults()

	t.Run("body", func(t *testing.T) {
		e.srv.ClearFaults()
		e.addFault(Fault{Method: "POST", Path: invitesTemplate, BodyContains: "@blocked.example", Status: 400})
		e.addFault(Fault{Method: "POST", Path: invitesTemplate, Status: 409,
			Match: func(in *Incoming) bool {
				return in.Field("level").Int() == store.LevelOwner && in.OrgID == e.d.OrganizationID
			}})
		e.sendUnchecked("POST", e.orgPath("invites/"), map[string]any{"target_email": "a@blocked.example"}).wantStatus(t, 400)
		e.sendUnchecked("POST", e.orgPath("invites/"), map[string]any{"target_email": "a@ok.example", "level": 15}).wantStatus(t, 409)
		e.sendUnchecked("POST", e.orgPath("invites/"), map[string]any{"target_email": "a@ok.example", "level": 8}).wantStatus(t, 201)
		// Form bodies are matched as the JSON they are read as.
		e.sendUnchecked("POST", e.orgPath("invites/"), "target_email=b%40blocked.example",
			header("Content-Type", "application/x-www-form-urlencoded")).wantStatus(t, 400)
	})
	// Admin routes never fail.
	e.srv.ClearFaults()
	e.addFault(Fault{Status: 500})
	e.adminCall("GET", "/_fake/health", nil).wantStatus(t, 200)
	e.adminCall("GET", "/_fake/faults", nil).wantStatus(t, 200)
	e.adminCall("GET", "/_fake/nope", nil).wantStatus(t, 404)
}

func TestFaultTimesOrderAndCounters(t *testing.T) {
	e := newEnv(t)
	a := e.addFault(Fault{Path: "/api/organizations/", Status: 502, Times: 2})
	b := e.addFault(Fault{Path: "/api/organizations/", Status: 503})
	got := func() int { return e.sendUnchecked("GET", "/api/organizations/", nil).Status }
	if s := []int{got(), got(), got(), got()}; s[0] != 502 || s[1] != 502 || s[2] != 503 || s[3] != 503 {
		t.Fatalf("statuses = %v, want the first rule twice, then the second", s)
	}
	faults := e.srv.Faults()
	if len(faults) != 1 || faults[0].ID != b || faults[0].Hits != 2 || faults[0].Remaining != 0 {
		t.Fatalf("rules = %+v", faults)
	}
	if e.srv.RemoveFault(a) || !e.srv.RemoveFault(b) || e.srv.RemoveFault(b) {
		t.Error("RemoveFault reported wrongly")
	}
	e.do("GET", "/api/organizations/", nil).wantStatus(t, 200)
	c := e.addFault(Fault{Path: "/api/organizations/@current/roles/", Status: 500, Times: 3})
	e.sendUnchecked("GET", "/api/organizations/@current/roles/", nil)
	if f := e.srv.Faults(); f[0].ID != c || f[0].Hits != 1 || f[0].Remaining != 2 || c <= b {
		t.Errorf("counters = %+v", f)
	}
}

func TestFaultProbabilityIsSeeded(t *testing.T) {
	outcomes := func(seed uint64) string {
		e := newEnv(t, WithSeed(seed))
		e.addFault(Fault{Path: "/api/organizations/", Status: 503, Probability: 0.3})
		var b strings.Builder
		for i := 0; i < 200; i++ {
			if serveInProcess(t, e.srv, "GET", "/api/organizations/", "").Code == 503 {
				b.WriteByte('x')
			} else {
				b.WriteByte('.')
			}
		}
		return b.String()
	}
	a, b := outcomes(1), outcomes(1)
	if a != b {
		t.Fatalf("same seed, different outcomes:\n%s\n%s", a, b)
	}
	if n := strings.Count(a, "x"); n < 35 || n > 85 {
		t.Errorf("%d of 200 requests failed with probability 0.3", n)
	}
	if outcomes(2) == a {
		t.Error("another seed gave the same outcomes")
	}
	// Reset re-seeds the source: the same rule fails the same requests again.
	e := newEnv(t)
	run := func() string {
		e.addFault(Fault{Path: "/api/organizations/", Status: 503, Probability: 0.5})
		var b strings.Builder
		for i := 0; i < 50; i++ {
			b.WriteString(http.StatusText(serveInProcess(t, e.srv, "GET", "/api/organizations/", "").Code)[:1])
		}
		return b.String()
	}
	first := run()
	e.srv.Reset()
	if again := run(); again != first {
		t.Errorf("after Reset: %s, want %s", again, first)
	}
}

func TestFaultValidation(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		name   string
		fault  Fault
		json   string
		code   string
		detail string
		attr   string
	}{
		{"no effect", Fault{Path: "/x/"}, `{"path":"/x/"}`, "invalid_input", "A fault needs an effect: status, delay, retry_after or drop.", ""},
		{"status below 400", Fault{Status: 200}, `{"status":200}`, "invalid", "Ensure this value is an HTTP error status (400-599).", "status"},
		{"status above 599", Fault{Status: 600}, `{"status":600}`, "invalid", "Ensure this value is an HTTP error status (400-599).", "status"},
		{"probability", Fault{Status: 500, Probability: 1.5}, `{"status":500,"probability":1.5}`, "invalid", "Ensure this value is between 0 and 1.", "probability"},
		{"times", Fault{Status: 500, Times: -1}, `{"status":500,"times":-1}`, "invalid", "Ensure this value is greater than or equal to 0.", "times"},
		{"retry after", Fault{RetryAfter: -1, Status: 429}, `{"status":429,"retry_after":-1}`, "invalid", "Ensure this value is greater than or equal to 0.", "retry_after"},
		{"negative delay", Fault{Delay: -time.Second}, `{"delay":"-1s"}`, "invalid", "Ensure this value is not negative.", "delay"},
		{"drop and status", Fault{Drop: true, Status: 500}, `{"drop":true,"status":500}`, "invalid_input", "A fault that drops the connection cannot also answer with a status.", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.srv.AddFault(c.fault)
			var se *store.Error
			if !errors.As(err, &se) || se.Code != c.code || se.Detail != c.detail || se.Attr != c.attr {
				t.Errorf("AddFault = %v", err)
			}
			e.adminCall("POST", "/_fake/faults", c.json).wantError(t, 400, "validation_error", c.code, c.detail, c.attr)
		})
	}
	// Wire-only errors.
	e.adminCall("POST", "/_fake/faults", `{"status":503,"retry-after":5}`).wantError(t, 400, "validation_error", "invalid", `Unknown field "retry-after".`, "retry-after")
	e.adminCall("POST", "/_fake/faults", `{"status":"503"}`).wantError(t, 400, "validation_error", "invalid", "Expected a number, got string.", "status")
	e.adminCall("POST", "/_fake/faults", `{"delay":"soon"}`).wantError(t, 400, "validation_error", "invalid", `"soon" is not a duration such as "200ms" or "2s".`, "delay")
	e.adminCall("POST", "/_fake/faults", `{"status":`).wantError(t, 400, "invalid_request", "parse_error", "JSON parse error - unexpected end of JSON input", "")
	if len(e.srv.Faults()) != 0 {
		t.Errorf("invalid rules were added: %+v", e.srv.Faults())
	}
}

func TestFaultsOverHTTP(t *testing.T) {
	e := newEnv(t)
	r := e.adminCall("POST", "/_fake/faults", `{"method":"GET","path":"/api/organizations/","status":503,"times":1}`).wantStatus(t, 201)
	if r.get("id").Int() != 1 || r.get("status").Int() != 503 || r.get("times").Int() != 1 || r.get("remaining").Int() != 1 || r.get("hits").Int() != 0 {
		t.Fatalf("created rule = %s", r.Body)
	}
	e.adminCall("POST", "/_fake/faults", map[string]any{"method": "POST", "path": invitesTemplate, "delay": "200ms", "retry_after": 5}).wantStatus(t, 201)
	e.adminCall("POST", "/_fake/faults", map[string]any{"path": "/api/organizations/{id}/", "drop": true, "organization_id": e.d.OrganizationID,
		"probability": 0.5, "body_contains": "x", "type": "t", "code": "c", "detail": "d"}).wantStatus(t, 201)

	list := e.adminCall("GET", "/_fake/faults", nil).wantStatus(t, 200)
	if list.get("count").Int() != 3 || list.get("results.1.delay").String() != "200ms" || list.get("results.1.retry_after").Int() != 5 ||
		!list.get("results.2.drop").Bool() || list.get("results.2.organization_id").String() != e.d.OrganizationID {
		t.Fatalf("rules = %s", list.Body)
	}
	// Round trip: what GET shows reads back as the same rule (id and counters are ignored).
	var back Fault
	if err := json.Unmarshal([]byte(list.get("results.1").Raw), &back); err != nil ||
		back.Delay != 200*time.Millisecond || back.RetryAfter != 5 || back.Method != "POST" || back.Path != invitesTemplate || back.ID != 0 {
		t.Errorf("read back: %+v, %v", back, err)
	}

	e.sendUnchecked("GET", "/api/organizations/", nil).wantError(t, 503, "server_error", "service_unavailable", "Service Unavailable.", "")
	e.do("GET", "/api/organizations/", nil).wantStatus(t, 200)
	e.adminCall("GET", "/_fake/faults/1", nil).wantError(t, 404, "invalid_request", "not_found", "Not found.", "")
	if r := e.adminCall("GET", "/_fake/faults/2/", nil).wantStatus(t, 200); r.get("id").Int() != 2 {
		t.Errorf("rule 2 = %s", r.Body)
	}
	e.adminCall("DELETE", "/_fake/faults/2", nil).wantStatus(t, 204)
	e.adminCall("DELETE", "/_fake/faults/2", nil).wantError(t, 404, "invalid_request", "not_found", "Not found.", "")
	e.adminCall("DELETE", "/_fake/faults/abc", nil).wantError(t, 404, "invalid_request", "not_found", "Not found.", "")
	e.adminCall("DELETE", "/_fake/faults", nil).wantStatus(t, 204)
	if r := e.adminCall("GET", "/_fake/faults", nil); r.get("count").Int() != 0 || r.get("results").Raw != "[]" {
		t.Errorf("after DELETE = %s", r.Body)
	}
	// The injected failures are in the journal, with the rule that caused them.
	failed := e.adminCall("GET", "/_fake/requests?status=503", nil).wantStatus(t, 200)
	if failed.get("count").Int() != 1 || failed.get("results.0.fault").Int() != 1 {
		t.Errorf("journal = %s", failed.Body)
	}
}

func TestReactors(t *testing.T) {
	e := newEnv(t)
	var seen atomic.Int32
	// An observer that lets everything through.
	removeObserver := e.srv.PrependReactor("", "", func(in *Incoming) (*Reaction, error) {
		seen.Add(1)
		return nil, nil
	})
	// A reactor that answers with an error, reading the state on the way (no lock is held).
	e.srv.PrependReactor("DELETE", "/api/organizations/{id}/", func(in *Incoming) (*Reaction, error) {
		var name string
		_ = e.srv.Store().Read(func(tx *store.Tx) error { name = tx.Org(in.OrgID).Name; return nil })
		return nil, store.Forbidden("Deleting " + name + " is disabled in this test.")
	})
	// A reactor that answers with a body of its own.
	e.srv.PrependReactor("POST", invitesTemplate, func(in *Incoming) (*Reaction, error) {
		if in.Field("target_email").String() != "canned@example.com" {
			return nil, nil
		}
		return &Reaction{Status: 201, Header: http.Header{"X-Canned": {"yes"}}, Body: json.RawMessage(`{"id":"canned"}`)}, nil
	})

	e.sendUnchecked("DELETE", e.orgPath(""), nil).wantError(t, 403, "authentication_error", "permission_denied", "Deleting Fakehog is disabled in this test.", "")
	r := e.sendUnchecked("POST", e.orgPath("invites/"), map[string]any{"target_email": "canned@example.com"}).wantStatus(t, 201)
	if string(r.Body) != `{"id":"canned"}` || r.Header.Get("X-Canned") != "yes" {
		t.Errorf("canned answer = %s %v", r.Body, r.Header)
	}
	e.newInvite("real@example.com")
	if got := e.listInviteEmails(); len(got) != 1 || got[0] != "real@example.com" {
		t.Errorf("invites = %v (the canned one must not exist)", got)
	}
	e.do("GET", "/api/organizations/@current/", nil).wantStatus(t, 200)
	if seen.Load() != 3 { // the real invite and the two GETs; the others were answered first
		t.Errorf("observer saw %d requests", seen.Load())
	}
	if n := len(e.srv.Journal().Requests(RequestFilter{})); n != 5 {
		t.Errorf("journal holds %d", n)
	}
	var reacted int
	for _, r := range e.srv.Journal().Requests(RequestFilter{}) {
		if r.Reactor {
			reacted++
		}
	}
	if reacted != 2 {
		t.Errorf("%d requests marked as answered by a reactor", reacted)
	}
	// Fault rules come before reactors.
	e.addFault(Fault{Method: "DELETE", Path: "/api/organizations/{id}/", Status: 500, Times: 1})
	e.sendUnchecked("DELETE", e.orgPath(""), nil).wantStatus(t, 500)
	// Other errors are 500s; nil, nil everywhere lets the request through.
	remove := e.srv.PrependReactor("GET", "/api/organizations/", func(*Incoming) (*Reaction, error) { return nil, errors.New("boom") })
	e.sendUnchecked("GET", "/api/organizations/", nil).wantError(t, 500, "server_error", "error", "A server error occurred.", "")
	remove()
	remove() // twice is harmless
	removeObserver()
	before := seen.Load()
	e.do("GET", "/api/organizations/", nil).wantStatus(t, 200)
	if seen.Load() != before {
		t.Error("a removed reactor still ran")
	}
	e.srv.ClearFaults()
	e.do("DELETE", e.orgPath(""), nil).wantStatus(t, 204)
}

// TestFaultRulesThatCanNeverMatchAreRefused: a method or path no route serves is a mistake
// (a typo would otherwise silently do nothing): 400 naming the field, from Go and over HTTP.
func TestFaultRulesThatCanNeverMatchAreRefused(t *testing.T) {
	e := newEnv(t)
	refused := []struct {
		fault Fault
		json  string
		attr  string
	}{
		{Fault{Path: "/api/organisations/", Status: 500}, `{"path":"/api/organisations/","status":500}`, "path"},
		{Fault{Path: "/api/organizations/{organization_id}/nothing/", Status: 500}, `{"path":"/api/organizations/{organization_id}/nothing/","status":500}`, "path"},
		{Fault{Path: "/api/organizations/{organization_id}/nothing/*", Status: 500}, `{"path":"/api/organizations/{organization_id}/nothing/*","status":500}`, "path"},
		{Fault{Path: "/api/organizations/@current/invites/x/y/z/", Status: 500}, `{"path":"/api/organizations/@current/invites/x/y/z/","status":500}`, "path"},
		{Fault{Path: "api/organizations/", Status: 500}, `{"path":"api/organizations/","status":500}`, "path"},
		{Fault{Path: "/_fake/reset", Status: 500}, `{"path":"/_fake/reset","status":500}`, "path"},
		{Fault{Method: "FETCH", Status: 500}, `{"method":"FETCH","status":500}`, "method"},
	}
	for _, c := range refused {
		_, err := e.srv.AddFault(c.fault)
		var se *store.Error
		if !errors.As(err, &se) || se.Status != 400 || se.Code != "invalid" || se.Attr != c.attr {
			t.Errorf("AddFault(%+v) = %v, want 400 naming %q", c.fault, err, c.attr)
		}
		r := e.adminCall("POST", "/_fake/faults", c.json)
		if r.Status != 400 || r.get("attr").String() != c.attr || r.get("type").String() != "validation_error" {
			t.Errorf("POST /_fake/faults %s → %d %s", c.json, r.Status, r.Body)
		}
	}
	if n := len(e.srv.Faults()); n != 0 {
		t.Fatalf("%d refused rules were added", n)
	}
	for _, path := range []string{"", "*", "/api/*", "/api/organizations/", "/api/organizations/@current/invites",
		"/api/organizations/{id}/", "/api/organizations/{organization_id}/projects/*", "/api/organizations/{x}/pipeline_*",
		"/api/organizations/" + e.d.OrganizationID + "/roles/"} {
		if _, err := e.srv.AddFault(Fault{Path: path, Method: "get", Status: 500}); err != nil {
			t.Errorf("AddFault(path %q) = %v", path, err)
		}
	}
}

// TestFaultRemainingOfAnUnlimitedRuleIsNull: over HTTP, remaining is null for a rule
// without times (unlimited), a count for one with.
func TestFaultRemainingOfAnUnlimitedRuleIsNull(t *testing.T) {
	e := newEnv(t)
	unlimited := e.adminCall("POST", "/_fake/faults", `{"path":"/api/organizations/","status":503}`).wantStatus(t, 201)
	if v := unlimited.get("remaining"); v.Type != gjson.Null || !v.Exists() {
		t.Errorf("remaining of an unlimited rule = %s", v.Raw)
	}
	limited := e.adminCall("POST", "/_fake/faults", `{"path":"/api/organizations/","status":503,"times":2}`).wantStatus(t, 201)
	if v := limited.get("remaining"); v.Raw != "2" {
		t.Errorf("remaining of a rule for 2 requests = %s", v.Raw)
	}
	list := e.adminCall("GET", "/_fake/faults", nil).wantStatus(t, 200)
	if list.get("results.0.remaining").Type != gjson.Null || list.get("results.1.remaining").Raw != "2" {
		t.Errorf("list = %s", list.Body)
	}
}

// TestFaultIDsAreNotReusedAcrossReset: after Reset (or ClearFaults) new rules get new ids,
// so an id a test kept can never name another rule.
func TestFaultIDsAreNotReusedAcrossReset(t *testing.T) {
	e := newEnv(t)
	first := e.addFault(Fault{Path: "/api/organizations/", Status: 503})
	e.srv.Reset()
	second := e.addFault(Fault{Path: "/api/organizations/", Status: 503})
	e.adminCall("POST", "/_fake/reset", nil).wantStatus(t, 200)
	third := e.adminCall("POST", "/_fake/faults", `{"status":500}`).wantStatus(t, 201).get("id").Int()
	if !(first < second && int64(second) < third) {
		t.Errorf("ids %d, %d, %d: reused across reset", first, second, third)
	}
	e.adminCall("GET", "/_fake/faults/"+itoa(first), nil).wantStatus(t, 404)
}
