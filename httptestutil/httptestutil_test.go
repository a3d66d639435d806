package httptestutil

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/fakehog/fakehog/fake"
	"github.com/fakehog/fakehog/fake/store"
	"github.com/tidwall/gjson"
)

var epoch = time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC)

// both runs a test against a listening and an in-memory server.
func both(t *testing.T, fn func(t *testing.T, srv *Server)) {
	t.Run("socket", func(t *testing.T) { fn(t, NewServer(t, fake.WithSeed(1), fake.WithClock(store.NewManualClock(epoch)))) })
	t.Run("memory", func(t *testing.T) {
		fn(t, NewInMemory(t, fake.WithSeed(1), fake.WithClock(store.NewManualClock(epoch))))
	})
}

// call sends a request and decodes the JSON answer.
func call(t *testing.T, c *http.Client, method, url, body string) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	var out map[string]any
	if len(data) > 0 {
		if err := json.Unmarshal(data, &out); err != nil {
			t.Fatalf("%s %s: body is not a JSON object: %s", method, url, data)
		}
	}
	return res.StatusCode, out
}

func TestClients(t *testing.T) {
	both(t, func(t *testing.T, srv *Server) {
		status, body := call(t, srv.Client(), "GET", srv.URL+"/api/organizations/", "")
		if status != 200 || body["count"].(float64) != 1 {
			t.Fatalf("list organizations = %d %v", status, body)
		}
		// A session-only operation: the key is refused, the session works.
		path := srv.URL + "/api/organizations/@current/members/@me/scoped_api_keys/"
		if status, body := call(t, srv.Client(), "GET", path, ""); status != 403 ||
			body["detail"] != "This action does not support personal API key access" {
			t.Errorf("key on a session-only operation = %d %v", status, body)
		}
		if status, body := call(t, srv.SessionClient(), "GET", path, ""); status != 200 {
			t.Errorf("session on a session-only operation = %d %v", status, body)
		}
		// No credentials at all.
		if status, _ := call(t, srv.ClientWithKey("phx_nope"), "GET", srv.URL+"/api/organizations/", ""); status != 401 {
			t.Errorf("bad key = %d, want 401", status)
		}
		last, _ := srv.Journal().Last()
		if last.Status != 401 || last.Template != "/api/organizations/" {
			t.Errorf("journal's last request = %+v", last)
		}
	})
}

func TestInMemoryListensNowhere(t *testing.T) {
	srv := NewInMemory(t)
	if !srv.InMemory() || srv.URL != InMemoryURL {
		t.Fatalf("URL = %q, InMemory = %v", srv.URL, srv.InMemory())
	}
	if NewServer(t).InMemory() {
		t.Error("a listening server says it is in memory")
	}
	// Pagination links carry the in-memory host and can be followed.
	d := srv.Defaults()
	for i := 0; i < 3; i++ {
		if status, body := call(t, srv.Client(), "POST", srv.URL+"/api/organizations/"+d.OrganizationID+"/invites/",
			`{"target_email":"p`+string(rune('a'+i))+`@example.com"}`); status != 201 {
			t.Fatalf("create invite = %d %v", status, body)
		}
	}
	_, page := call(t, srv.Client(), "GET", srv.URL+"/api/organizations/"+d.OrganizationID+"/invites/?limit=2", "")
	next, _ := page["next"].(string)
	if !strings.HasPrefix(next, InMemoryURL+"/") {
		t.Fatalf("next = %q", next)
	}
	if status, page := call(t, srv.Client(), "GET", next, ""); status != 200 || len(page["results"].([]any)) != 1 {
		t.Errorf("following next = %d %v", status, page)
	}
	// The journal records in-memory requests like any other.
	srv.Journal().AssertCalled(t, "POST", "/api/organizations/{organization_id}/invites/", 3)
}

func TestClientForAnyUser(t *testing.T) {
	both(t, func(t *testing.T, srv *Server) {
		d := srv.Defaults()
		err := srv.Store().Write(func(tx *store.Tx) error {
			u, err := tx.CreateUser(store.NewUser{Email: "Mia@Example.com", FirstName: "Mia"})
			if err != nil {
				return err
			}
			_, err = tx.AddMember(d.OrganizationID, u.ID, store.NewMembership{Level: store.LevelMember})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		orgPath := srv.URL + "/api/organizations/" + d.OrganizationID
		status, body := call(t, srv.ClientFor("mia@example.com"), "GET", orgPath+"/members/", "")
		if status != 200 || body["count"].(float64) != 2 {
			t.Fatalf("members as Mia = %d %v", status, body)
		}
		last, _ := srv.Journal().Last()
		if last.UserEmail != "Mia@Example.com" || last.Key == "" || last.Session {
			t.Errorf("journal identity = %q key %q session %v", last.UserEmail, last.Key, last.Session)
		}
		// The key is made once and reused.
		if a, b := srv.KeyFor("mia@example.com"), srv.KeyFor("MIA@example.com"); a != b {
			t.Errorf("KeyFor made two keys: %s, %s", a, b)
		}
		// Scopes are the key's: a read-only key cannot invite.
		ro := srv.ClientFor("mia@example.com", "organization_member:read")
		if status, body := call(t, ro, "POST", orgPath+"/invites/", `{"target_email":"x@example.com"}`); status != 403 ||
			body["detail"] != "API key missing required scope 'organization_member:write'" {
			t.Errorf("read-only key invites = %d %v", status, body)
		}
		// Members are not admins: as PostHog, Mia may not delete the organization.
		if status, _ := call(t, ro, "GET", orgPath+"/invites/", ""); status != 200 {
			t.Errorf("read-only key lists invites = %d", status)
		}
		// A session for Mia, for session-only operations.
		status, body = call(t, srv.SessionClientFor("mia@example.com"), "GET", orgPath+"/members/@me/scoped_api_keys/", "")
		if status != 200 {
			t.Fatalf("session-only operation as Mia = %d %v", status, body)
		}
		last, _ = srv.Journal().Last()
		if last.UserEmail != "Mia@Example.com" || !last.Session || last.Key != "" {
			t.Errorf("journal identity = %q key %q session %v", last.UserEmail, last.Key, last.Session)
		}
		// After Reset Mia is gone; the owner's credentials still work.
		srv.Reset()
		if status, _ := call(t, srv.Client(), "GET", orgPath+"/members/", ""); status != 200 {
			t.Errorf("owner after Reset = %d", status)
		}
	})
}

func TestKeyForRecreatesAfterRestore(t *testing.T) {
	srv := NewInMemory(t)
	snap := srv.Snapshot()
	srv.KeyFor(fake.DefaultUserEmail)
	srv.Restore(snap) // the key is gone from the store
	k := srv.KeyFor(fake.DefaultUserEmail)
	if status, _ := call(t, srv.ClientWithKey(k), "GET", srv.URL+"/api/organizations/", ""); status != 200 {
		t.Errorf("key made again after Restore = %d, want 200", status)
	}
}

func TestDroppedConnection(t *testing.T) {
	both(t, func(t *testing.T, srv *Server) {
		if _, err := srv.AddFault(fake.Fault{Method: "POST", Path: "/api/organizations/{organization_id}/invites/", Drop: true, Times: 1}); err != nil {
			t.Fatal(err)
		}
		url := srv.URL + "/api/organizations/" + srv.Defaults().OrganizationID + "/invites/"
		_, err := srv.Client().Post(url, "application/json", strings.NewReader(`{"target_email":"a@example.com"}`))
		if err == nil {
			t.Fatal("request on a dropped connection succeeded")
		}
		if srv.InMemory() && !errors.Is(err, io.EOF) {
			t.Errorf("in-memory drop error = %v, want io.EOF", err)
		}
		last, _ := srv.Journal().Last()
		if !last.Dropped || last.Status != 0 || last.Fault == 0 {
			t.Errorf("journal entry = %+v", last)
		}
		// The rule was used up; nothing was created.
		status, body := call(t, srv.Client(), "GET", url, "")
		if status != 200 || body["count"].(float64) != 0 {
			t.Errorf("invites after the dropped create = %d %v", status, body)
		}
	})
}

func TestPromotedControls(t *testing.T) {
	both(t, func(t *testing.T, srv *Server) {
		url := srv.URL + "/api/organizations/" + srv.Defaults().OrganizationID + "/invites/"
		call(t, srv.Client(), "POST", url, `{"target_email":"a@example.com"}`)
		srv.Clock().Advance(72*time.Hour + time.Second)
		_, body := call(t, srv.Client(), "GET", url, "")
		if inv := body["results"].([]any)[0].(map[string]any); inv["is_expired"] != true {
			t.Errorf("invite after 72h+1s: is_expired = %v", inv["is_expired"])
		}
		srv.Reset()
		if _, body := call(t, srv.Client(), "GET", url, ""); body["count"].(float64) != 0 {
			t.Errorf("invites after Reset = %v", body["count"])
		}
		if n := srv.Journal().Len(); n != 1 {
			t.Errorf("journal after Reset holds %d requests, want 1 (the list since)", n)
		}
	})
}

func TestHeadInMemory(t *testing.T) {
	srv := NewInMemory(t)
	res, err := srv.Client().Head(srv.URL + "/api/organizations/")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 || len(data) != 0 {
		t.Errorf("HEAD = %d with %d body bytes", res.StatusCode, len(data))
	}
}

// A server started from a scenario holds its world, at its seed and now, and its clients
// carry the scenario principal's credentials.
func TestScenario(t *testing.T) {
	srv := NewInMemory(t, Scenario(t, "demo"))
	if srv.APIKey != "phx_demo_ada_key" || srv.Session != "demo-ada-session" {
		t.Fatalf("credentials %q %q", srv.APIKey, srv.Session)
	}
	if !srv.Clock().Now().Equal(epoch) {
		t.Fatalf("clock %v", srv.Clock().Now())
	}
	status, body := call(t, srv.Client(), "GET", srv.URL+"/api/organizations/", "")
	if status != 200 || body["count"].(float64) != 2 {
		t.Fatalf("organizations: %d %v", status, body)
	}
	status, body = call(t, srv.ClientWithKey("phx_demo_eve_key"), "GET", srv.URL+"/api/organizations/@current/", "")
	if status != 200 || body["name"] != "Hedgebox" {
		t.Fatalf("eve's current organization: %d %v", status, body["name"])
	}
	// Generated users get keys through ClientFor like any user.
	status, _ = call(t, srv.ClientFor("ben@hedgebox.io", "organization:read"), "GET", srv.URL+"/api/organizations/", "")
	if status != 200 {
		t.Fatalf("ClientFor: %d", status)
	}

	file := NewServer(t, Scenario(t, "../testdata/scenarios/example.yaml"))
	if status, body := call(t, file.Client(), "GET", file.URL+"/api/organizations/@current/", ""); status != 200 || body["name"] != "Acme" {
		t.Fatalf("example: %d %v", status, body["name"])
	}

	inline := NewInMemory(t, ScenarioYAML(t, `
users:
  - email: mia@example.com
    personal_api_keys: [{value: phx_mia}]
organizations:
  - {name: Mia's, members: [{user: mia@example.com, level: owner}], features: []}
`))
	status, body = call(t, inline.Client(), "GET", inline.URL+"/api/organizations/@current/", "")
	if status != 200 || body["name"] != "Mia's" || inline.APIKey != "phx_mia" {
		t.Fatalf("inline: %d %v", status, body)
	}
}

// A scenario that does not load fails the test that asked for it.
func TestScenarioFailsTheTest(t *testing.T) {
	for _, fn := range []func(tb testing.TB){
		func(tb testing.TB) { Scenario(tb, "nope") },
		func(tb testing.TB) { ScenarioYAML(tb, "usres: []") },
	} {
		ft := &fatalTB{TB: t}
		done := make(chan struct{})
		go func() {
			defer close(done)
			fn(ft)
		}()
		<-done
		if !ft.failed || !strings.Contains(ft.msg, "httptestutil: scenario:") {
			t.Fatalf("failed=%v msg=%q", ft.failed, ft.msg)
		}
	}
}

// fatalTB records Fatalf instead of failing the real test.
type fatalTB struct {
	testing.TB
	failed bool
	msg    string
}

func (f *fatalTB) Helper()      {}
func (f *fatalTB) Name() string { return "fatalTB" }
func (f *fatalTB) Fatalf(format string, args ...any) {
	f.failed, f.msg = true, fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func TestBasePath(t *testing.T) {
	srv := NewServer(t, fake.WithBasePath("/posthog/"))
	if !strings.HasSuffix(srv.URL, "/posthog") {
		t.Fatalf("URL = %s, want the prefix", srv.URL)
	}
	for i := 0; i < 3; i++ {
		res, err := srv.Client().Post(srv.URL+"/api/organizations/@current/invites/", "application/json",
			strings.NewReader(fmt.Sprintf(`{"target_email":"p%d@example.com"}`, i)))
		if err != nil || res.StatusCode != 201 {
			t.Fatalf("create under the prefix: %v %v", err, res.Status)
		}
		res.Body.Close()
	}
	res, err := srv.Client().Get(srv.URL + "/api/organizations/@current/invites/?limit=1")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	next := gjson.GetBytes(body, "next").String()
	if !strings.HasPrefix(next, srv.URL+"/api/organizations/") {
		t.Fatalf("next = %q, want it under %s", next, srv.URL)
	}
	// Outside the prefix: PostHog's 404.
	res, _ = srv.Client().Get(strings.TrimSuffix(srv.URL, "/posthog") + "/api/organizations/")
	if res.StatusCode != 404 {
		t.Fatalf("outside the prefix → %d, want 404", res.StatusCode)
	}
	res.Body.Close()
}

// TestDeterministicByDefault: two servers built the same way hold the same ids and
// timestamps (the default world's seed and now, as the CLI); WithSystemClock reads the
// system clock instead (and ids, time-ordered UUIDs, then follow it).
func TestDeterministicByDefault(t *testing.T) {
	created := func(srv *Server) (string, string) {
		t.Helper()
		resp, err := srv.Client().Post(srv.URL+"/api/organizations/@current/invites/", "application/json",
			strings.NewReader(`{"target_email": "ada@example.com"}`))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		return gjson.GetBytes(data, "id").String(), gjson.GetBytes(data, "created_at").String()
	}
	a, b := NewServer(t), NewInMemory(t)
	idA, atA := created(a)
	idB, atB := created(b)
	if idA != idB || atA != atB || atA != "2026-01-15T10:00:00Z" || a.Defaults().OrganizationID != b.Defaults().OrganizationID {
		t.Errorf("two default servers differ: %s %s / %s %s", idA, atA, idB, atB)
	}
	a.Clock().Advance(time.Hour)
	if _, at := created(a); at != "2026-01-15T11:00:00Z" {
		t.Errorf("after Advance: %s", at)
	}
	sys := NewServer(t, WithSystemClock())
	if sys.Clock().Now().Equal(time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC)) {
		t.Error("WithSystemClock kept the manual clock")
	}
}

// TestSessionClientPassesCSRF: a session's writes need PostHog's CSRF check (fake/csrf.go);
// SessionClient and SessionClientFor pass it with no help from the test, a bare session
// cookie does not, and the /_fake/ routes answer both kinds of server's clients.
func TestSessionClientPassesCSRF(t *testing.T) {
	both(t, func(t *testing.T, srv *Server) {
		org := srv.URL + "/api/organizations/@current/"
		for name, c := range map[string]*http.Client{"owner": srv.SessionClient(), "for": srv.SessionClientFor(srv.Defaults().UserEmail)} {
			if status, body := call(t, c, "POST", org+"invites/", `{"target_email":"`+name+`@example.com"}`); status != 201 {
				t.Errorf("%s's session write = %d %v", name, status, body)
			}
			if status, body := call(t, c, "PATCH", srv.URL+"/api/users/@me/", `{"first_name":"`+name+`"}`); status != 200 {
				t.Errorf("%s's session PATCH = %d %v", name, status, body)
			}
		}
		bare := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			r.AddCookie(&http.Cookie{Name: "sessionid", Value: srv.Session})
			return srv.SessionClient().Transport.(*csrfHeader).next.RoundTrip(r)
		})}
		if status, body := call(t, bare, "POST", org+"invites/", `{"target_email":"bare@example.com"}`); status != 403 ||
			body["detail"] != "CSRF Failed: CSRF cookie not set." {
			t.Errorf("bare session write = %d %v", status, body)
		}
		if status, body := call(t, srv.Client(), "POST", srv.URL+"/_fake/clock", `{"advance":"1h"}`); status != 200 {
			t.Errorf("/_fake/clock = %d %v", status, body)
		}
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
