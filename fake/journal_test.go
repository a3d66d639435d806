package fake

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fakehog/fakehog/fake/store"
)

// The request journal, from Go and over /_fake/requests.

const invitesTemplate = "/api/organizations/{organization_id}/invites/"

func TestJournalRecordsEveryRequest(t *testing.T) {
	e := newEnv(t)
	e.do("POST", "/api/organizations/@current/invites/", map[string]any{"target_email": "a@example.com"}).wantStatus(t, 201)
	e.do("GET", e.orgPath("invites/")+"?limit=5&offset=0", nil).wantStatus(t, 200)
	m := e.addMember(e.d.OrganizationID, store.LevelMember, "m@example.com")
	e.do("GET", e.orgPath("members/@me/scoped_api_keys/"), nil, asSession(m.Session)).wantStatus(t, 200)
	e.do("GET", "/api/nowhere/", nil).wantStatus(t, 404)
	e.do("GET", "/api/organizations/", nil, asKey("phx_wrong")).wantStatus(t, 401)
	e.adminCall("GET", "/_fake/health", nil).wantStatus(t, 200)

	all := e.srv.Journal().Requests(RequestFilter{})
	if len(all) != 5 {
		t.Fatalf("journal holds %d requests, want 5 (admin routes are not recorded): %s", len(all), journalIDs(all))
	}
	create := all[0]
	if create.ID != 1 || create.Method != "POST" || create.Path != "/api/organizations/@current/invites/" ||
		create.Template != invitesTemplate || create.Status != 201 || !create.Time.Equal(testEpoch) {
		t.Errorf("create = %+v", create)
	}
	// @current resolves to the organization's id.
	if create.OrgID != e.d.OrganizationID {
		t.Errorf("OrgID = %q, want %q", create.OrgID, e.d.OrganizationID)
	}
	if string(create.RequestBody) != `{"target_email":"a@example.com"}` || create.RequestBodyTruncated {
		t.Errorf("request body = %q", create.RequestBody)
	}
	if !strings.Contains(string(create.ResponseBody), `"target_email":"a@example.com"`) || create.ResponseBodyTruncated {
		t.Errorf("response body = %q", create.ResponseBody)
	}
	if create.UserEmail != DefaultUserEmail || create.UserID == 0 || create.Key != store.MaskValue(DefaultAPIKey) ||
		create.KeyID == "" || create.Session {
		t.Errorf("identity = %d %q key %q (%s) session %v", create.UserID, create.UserEmail, create.Key, create.KeyID, create.Session)
	}
	if create.Duration <= 0 {
		t.Errorf("duration = %v", create.Duration)
	}
	if list := all[1]; list.Query != "limit=5&offset=0" || list.Template != invitesTemplate || list.RequestBody != nil {
		t.Errorf("list = %+v", list)
	}
	if sess := all[2]; !sess.Session || sess.Key != "" || sess.UserEmail != "m@example.com" {
		t.Errorf("session request = %+v", sess)
	}
	if nf := all[3]; nf.Template != "" || nf.Status != 404 || nf.UserEmail != "" {
		t.Errorf("unrouted request = %+v", nf)
	}
	if bad := all[4]; bad.Status != 401 || bad.UserID != 0 || bad.Key != "" {
		t.Errorf("unauthenticated request = %+v", bad)
	}
	if last, ok := e.srv.Journal().Last(); !ok || last.ID != 5 {
		t.Errorf("Last = %+v %v", last, ok)
	}
}

func TestJournalFilters(t *testing.T) {
	e := newEnv(t)
	other := e.otherOrg()
	e.newInvite("a@example.com")                              // 1
	e.do("GET", e.orgPath("invites/"), nil)                   // 2
	e.clock.Advance(time.Minute)                              //
	e.do("GET", e.orgPath("invites"), nil)                    // 3 (no trailing slash)
	e.do("GET", "/api/organizations/"+other+"/invites/", nil) // 4 → 403
	e.do("POST", e.orgPath("invites/"), map[string]any{})     // 5 → 400
	e.do("GET", "/api/organizations/@current/", nil)          // 6

	j := e.srv.Journal()
	cases := []struct {
		name string
		f    RequestFilter
		want []int64
	}{
		{"all", RequestFilter{}, []int64{1, 2, 3, 4, 5, 6}},
		{"method", RequestFilter{Method: "post"}, []int64{1, 5}},
		{"template", RequestFilter{Path: invitesTemplate}, []int64{1, 2, 3, 4, 5}},
		{"template, other variable names", RequestFilter{Path: "/api/organizations/{org}/invites"}, []int64{1, 2, 3, 4, 5}},
		{"template with method", RequestFilter{Method: "GET", Path: invitesTemplate}, []int64{2, 3, 4}},
		{"concrete path, either slash", RequestFilter{Path: e.orgPath("invites/")}, []int64{1, 2, 3, 5}},
		{"prefix", RequestFilter{Path: "/api/organizations/@*"}, []int64{6}},
		{"status", RequestFilter{Status: 403}, []int64{4}},
		{"organization", RequestFilter{OrgID: other}, []int64{4}},
		{"since", RequestFilter{Since: testEpoch.Add(time.Minute)}, []int64{3, 4, 5, 6}},
		{"after id", RequestFilter{AfterID: 4}, []int64{5, 6}},
		{"org detail template", RequestFilter{Path: "/api/organizations/{id}/"}, []int64{6}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := j.Requests(c.f)
			var ids []int64
			for _, r := range got {
				ids = append(ids, r.ID)
			}
			if fmt.Sprint(ids) != fmt.Sprint(c.want) {
				t.Errorf("ids = %v, want %v", ids, c.want)
			}
		})
	}
	if n := j.Count("GET", invitesTemplate); n != 3 {
		t.Errorf("Count = %d", n)
	}
}

// recordingTB records assertion failures.
type recordingTB struct{ errors []string }

func (f *recordingTB) Helper() {}
func (f *recordingTB) Errorf(format string, args ...any) {
	f.errors = append(f.errors, fmt.Sprintf(format, args...))
}

func TestJournalAssertions(t *testing.T) {
	e := newEnv(t)
	e.newInvite("a@example.com")
	e.newInvite("b@example.com")
	j := e.srv.Journal()

	if !j.AssertCalled(t, "POST", invitesTemplate, 2) || !j.AssertCalled(t, "POST", invitesTemplate, -1) ||
		!j.AssertNotCalled(t, "DELETE", "/api/organizations/{organization_id}/invites/{id}/") ||
		!j.AssertCalled(t, "", "/api/*", 2) {
		t.Fatal("assertions that hold failed")
	}
	ft := &recordingTB{}
	if j.AssertCalled(ft, "POST", invitesTemplate, 1) {
		t.Error("AssertCalled(1) held with 2 calls")
	}
	if j.AssertCalled(ft, "GET", invitesTemplate, -1) {
		t.Error("AssertCalled(at least 1) held with no calls")
	}
	if j.AssertNotCalled(ft, "post", invitesTemplate) {
		t.Error("AssertNotCalled held with 2 calls")
	}
	if len(ft.errors) != 3 {
		t.Fatalf("errors = %q", ft.errors)
	}
	want := "fakehog: POST " + invitesTemplate + " was called 2 times, want 1\nrecorded requests:\n  #1 POST " + e.orgPath("invites/") + " → 201\n"
	if !strings.HasPrefix(ft.errors[0], want) {
		t.Errorf("message = %q\nwant prefix %q", ft.errors[0], want)
	}
	if !strings.Contains(ft.errors[1], "was called 0 times, want at least 1") {
		t.Errorf("message = %q", ft.errors[1])
	}
	j.Clear()
	if j.Len() != 0 || !j.AssertNotCalled(t, "", "") {
		t.Error("Clear kept requests")
	}
	// Ids keep counting after Clear.
	e.newInvite("c@example.com")
	if last, _ := j.Last(); last.ID != 3 {
		t.Errorf("id after Clear = %d, want 3", last.ID)
	}
	ft = &recordingTB{}
	j.Clear()
	j.AssertCalled(ft, "GET", "/x", 1)
	if len(ft.errors) != 1 || !strings.HasSuffix(ft.errors[0], "the journal is empty") {
		t.Errorf("empty journal message = %q", ft.errors)
	}
}

// serveInProcess sends a request straight to the handler (no socket), for volume tests.
func serveInProcess(t *testing.T, srv *Server, method, path, body string) *httptest.ResponseRecorder {
	t.Helper()
	var req *http.Request
	if body == "" {
		req = httptest.NewRequest(method, path, nil)
	} else {
		req = httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+DefaultAPIKey)
	w := httptest.NewRecorder()
	srv.ServeHTTP(w, req)
	return w
}

func TestJournalIsBounded(t *testing.T) {
	srv, err := New(WithSeed(1), WithJournalSize(100))
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 1000; i++ {
		if w := serveInProcess(t, srv, "GET", fmt.Sprintf("/api/organizations/?n=%d", i), ""); w.Code != 200 {
			t.Fatalf("request %d = %d", i, w.Code)
		}
	}
	j := srv.Journal()
	all := j.Requests(RequestFilter{})
	if len(all) != 100 || j.Len() != 100 {
		t.Fatalf("journal holds %d requests, want 100", len(all))
	}
	// The oldest went first: 901..1000 remain, in order.
	for i, r := range all {
		if r.ID != int64(901+i) || r.Query != fmt.Sprintf("n=%d", 901+i) {
			t.Fatalf("entry %d = #%d %q, want #%d", i, r.ID, r.Query, 901+i)
		}
	}
	if last, _ := j.Last(); last.ID != 1000 {
		t.Errorf("Last = #%d", last.ID)
	}
	// The ring's memory is capped at its size, not at the next power of two.
	j.mu.Lock()
	c := cap(j.ring)
	j.mu.Unlock()
	if c != 100 {
		t.Errorf("ring capacity = %d, want 100", c)
	}
	if srv.Journal().Size() != 100 {
		t.Errorf("Size = %d", srv.Journal().Size())
	}
}

func TestJournalDefaultSize(t *testing.T) {
	e := newEnv(t)
	if e.srv.Journal().Size() != DefaultJournalSize || DefaultJournalSize != 10000 {
		t.Errorf("default size = %d", e.srv.Journal().Size())
	}
}

func TestJournalBodyLimit(t *testing.T) {
	srv, err := New(WithSeed(1), WithJournalBodyLimit(64))
	if err != nil {
		t.Fatal(err)
	}
	long := `{"target_email":"long@example.com","message":"` + strings.Repeat("x", 5000) + `"}`
	w := serveInProcess(t, srv, "POST", "/api/organizations/@current/invites/", long)
	if w.Code != 201 {
		t.Fatalf("create = %d %s", w.Code, w.Body)
	}
	// The handler still saw the whole body.
	if !strings.Contains(w.Body.String(), strings.Repeat("x", 5000)) {
		t.Fatal("the message was cut before the handler")
	}
	serveInProcess(t, srv, "POST", "/api/organizations/@current/invites/", `{"target_email":"s@example.com"}`)
	all := srv.Journal().Requests(RequestFilter{})
	big, small := all[0], all[1]
	if len(big.RequestBody) != 64 || !big.RequestBodyTruncated || string(big.RequestBody) != long[:64] {
		t.Errorf("request body = %d bytes, truncated %v", len(big.RequestBody), big.RequestBodyTruncated)
	}
	if len(big.ResponseBody) != 64 || !big.ResponseBodyTruncated || string(big.ResponseBody) != w.Body.String()[:64] {
		t.Errorf("response body = %d bytes, truncated %v", len(big.ResponseBody), big.ResponseBodyTruncated)
	}
	if string(small.RequestBody) != `{"target_email":"s@example.com"}` || small.RequestBodyTruncated {
		t.Errorf("small body = %q truncated %v", small.RequestBody, small.RequestBodyTruncated)
	}
	// Stored bodies are exactly as long as kept: no scratch capacity is retained.
	if cap(big.RequestBody) > 64 || cap(big.ResponseBody) > 64 {
		t.Errorf("stored bodies keep %d/%d bytes of capacity", cap(big.RequestBody), cap(big.ResponseBody))
	}

	// A zero limit keeps no bodies at all.
	srv, _ = New(WithSeed(1), WithJournalBodyLimit(0))
	serveInProcess(t, srv, "POST", "/api/organizations/@current/invites/", `{"target_email":"s@example.com"}`)
	if r, _ := srv.Journal().Last(); r.RequestBody != nil || !r.RequestBodyTruncated || r.ResponseBody != nil || !r.ResponseBodyTruncated {
		t.Errorf("with limit 0: %+v", r)
	}
}

func TestJournalOff(t *testing.T) {
	srv, _ := New(WithSeed(1), WithJournalSize(0))
	if w := serveInProcess(t, srv, "GET", "/api/organizations/", ""); w.Code != 200 {
		t.Fatalf("status = %d", w.Code)
	}
	if srv.Journal().Len() != 0 {
		t.Error("a journal of size 0 recorded")
	}
	// Faults still apply without a journal.
	if _, err := srv.AddFault(Fault{Path: "/api/organizations/", Status: 503}); err != nil {
		t.Fatal(err)
	}
	if w := serveInProcess(t, srv, "GET", "/api/organizations/", ""); w.Code != 503 {
		t.Errorf("fault without a journal = %d", w.Code)
	}
}

func TestJournalConcurrent(t *testing.T) {
	srv, _ := New(WithSeed(1), WithJournalSize(50))
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 25; i++ {
				serveInProcess(t, srv, "GET", "/api/organizations/", "")
				srv.Journal().Requests(RequestFilter{Method: "GET"})
			}
		}()
	}
	wg.Wait()
	all := srv.Journal().Requests(RequestFilter{})
	if len(all) != 50 || all[49].ID != 200 {
		t.Errorf("journal holds %d, last #%d", len(all), all[len(all)-1].ID)
	}
	for i := 1; i < len(all); i++ {
		if all[i].ID != all[i-1].ID+1 {
			t.Fatalf("ids out of order: %s", journalIDs(all))
		}
	}
}

func TestJournalOverHTTP(t *testing.T) {
	e := newEnv(t)
	other := e.otherOrg()
	e.newInvite("a@example.com")
	e.do("GET", e.orgPath("invites/"), nil)
	e.do("GET", "/api/organizations/"+other+"/invites/", nil)
	e.clock.Advance(time.Hour)
	e.do("GET", "/api/organizations/", nil)

	r := e.adminCall("GET", "/_fake/requests", nil).wantStatus(t, 200)
	if r.get("count").Int() != 4 {
		t.Fatalf("requests = %s", r.Body)
	}
	first := r.get("results.0")
	if first.Get("id").Int() != 1 || first.Get("method").String() != "POST" || first.Get("template").String() != invitesTemplate ||
		first.Get("status").Int() != 201 || first.Get("user_email").String() != DefaultUserEmail ||
		first.Get("key").String() != store.MaskValue(DefaultAPIKey) || first.Get("session").Bool() ||
		first.Get("request_body").String() != `{"target_email":"a@example.com"}` || first.Get("time").String() != "2026-01-15T10:00:00Z" ||
		first.Get("organization_id").String() != e.d.OrganizationID || !first.Get("duration_ms").Exists() {
		t.Errorf("first = %s", first.Raw)
	}
	count := func(query string) int64 {
		t.Helper()
		return e.adminCall("GET", "/_fake/requests?"+query, nil).wantStatus(t, 200).get("count").Int()
	}
	for query, want := range map[string]int64{
		"method=GET":                              3,
		"template=" + invitesTemplate:             3,
		"path=" + invitesTemplate:                 3,
		"path=" + e.orgPath("invites"):            2,
		"path=/api/*&method=get":                  3,
		"status=403":                              1,
		"organization_id=" + other:                1,
		"since=2":                                 2,
		"since=2026-01-15T10:30:00Z":              1,
		"method=GET&status=200":                   2,
		"limit=1":                                 1,
		"limit=0":                                 0,
		"method=GET&template=/api/organizations/": 1,
	} {
		if got := count(query); got != want {
			t.Errorf("%s: count = %d, want %d", query, got, want)
		}
	}
	if id := e.adminCall("GET", "/_fake/requests?limit=1", nil).get("results.0.id").Int(); id != 4 {
		t.Errorf("limit keeps the most recent: #%d", id)
	}
	e.adminCall("GET", "/_fake/requests?status=x", nil).wantError(t, 400, "validation_error", "invalid", store.MsgInvalidInt, "status")
	e.adminCall("GET", "/_fake/requests?since=yesterday", nil).wantError(t, 400, "validation_error", "invalid", "Enter an RFC 3339 time or a request id.", "since")
	e.adminCall("GET", "/_fake/requests?limit=-1", nil).wantError(t, 400, "validation_error", "invalid", store.MsgInvalidInt, "limit")

	e.adminCall("DELETE", "/_fake/requests/", nil).wantStatus(t, 204)
	r = e.adminCall("GET", "/_fake/requests", nil).wantStatus(t, 200)
	if r.get("count").Int() != 0 || r.get("results").Raw != "[]" {
		t.Errorf("after DELETE: %s", r.Body)
	}
}

func TestMatchPathDoesNotAllocate(t *testing.T) {
	n := testing.AllocsPerRun(100, func() {
		matchPath("/api/organizations/{org}/invites/", "/api/organizations/x/invites", invitesTemplate)
		matchPath("/api/organizations/x/invites/", "/api/organizations/x/invites", invitesTemplate)
		matchPath("/api/*", "/api/organizations/x/invites", invitesTemplate)
	})
	if n != 0 {
		t.Errorf("matchPath allocates %.0f times", n)
	}
	for _, c := range []struct {
		pattern, path, template string
		want                    bool
	}{
		{"", "/a/", "", true},
		{"/api/organizations/{id}/", "/api/organizations/x/", "/api/organizations/{id}/", true},
		{"/api/organizations/{id}/", "/api/organizations/x/invites/", invitesTemplate, false},
		{"/api/organizations/{organization_id}/invites/{id}/", "/api/organizations/x/invites/bulk/", "/api/organizations/{organization_id}/invites/bulk/", false},
		{"/api/organizations/{o}/invites/", "/x", "", false},
		{"/api/organizations/x/invites", "/api/organizations/x/invites/", invitesTemplate, true},
		{"/api/organizations/x/invites", "/api/organizations/x/invites/bulk/", "", false},
	} {
		if got := matchPath(c.pattern, c.path, c.template); got != c.want {
			t.Errorf("matchPath(%q, %q, %q) = %v", c.pattern, c.path, c.template, got)
		}
	}
}

func TestNoFaultsNoExtraAllocations(t *testing.T) {
	// A request through a server with no faults allocates no more than with a rule that
	// never matches removed again: the check is one atomic load.
	if raceEnabled() {
		t.Skip("allocation counts are not exact under the race detector (sync.Pool drops items)")
	}
	srv, _ := New(WithSeed(1), WithJournalSize(0))
	req := httptest.NewRequest("GET", "/api/organizations/", nil)
	req.Header.Set("Authorization", "Bearer "+DefaultAPIKey)
	run := func() float64 {
		return testing.AllocsPerRun(50, func() { srv.ServeHTTP(httptest.NewRecorder(), req) })
	}
	base := run()
	id, _ := srv.AddFault(Fault{Path: "/api/organizations/@current/roles/", Status: 500})
	armed := run()
	srv.RemoveFault(id)
	after := run()
	if after != base || armed <= base {
		t.Errorf("allocations: no faults %.0f, with a rule %.0f, after removing it %.0f", base, armed, after)
	}
}

// raceEnabled reports whether the test binary was built with -race.
func raceEnabled() bool {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range bi.Settings {
		if s.Key == "-race" {
			return s.Value == "true"
		}
	}
	return false
}

func TestJournalKeepsUnreadBodies(t *testing.T) {
	srv, _ := New(WithSeed(1), WithJournalBodyLimit(10))
	serveInProcess(t, srv, "POST", "/api/nowhere/", `{"a":1}`)
	serveInProcess(t, srv, "POST", "/api/nowhere/", `{"a":"0123456789"}`)
	all := srv.Journal().Requests(RequestFilter{})
	if string(all[0].RequestBody) != `{"a":1}` || all[0].RequestBodyTruncated || all[0].Status != 404 {
		t.Errorf("unread body = %q truncated %v", all[0].RequestBody, all[0].RequestBodyTruncated)
	}
	if string(all[1].RequestBody) != `{"a":"0123` || !all[1].RequestBodyTruncated {
		t.Errorf("unread long body = %q truncated %v", all[1].RequestBody, all[1].RequestBodyTruncated)
	}
}
