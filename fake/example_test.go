package fake_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/fakehog/fakehog/fake"
	"github.com/fakehog/fakehog/fake/store"
)

// These examples mount the fake with net/http/httptest, as another project's test would
// (package httptestutil does the same in one line). send is the only helper: it makes a
// request as the default owner (Authorization: Bearer fake.DefaultAPIKey) and returns the
// status and the body.
func send(method, url, body string) (int, string) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, url, rd)
	req.Header.Set("Authorization", "Bearer "+fake.DefaultAPIKey)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(data)
}

// newFake builds a reproducible fake: seed 1 and a clock standing at 2026-01-15 10:00 UTC.
func newFake(opts ...fake.Option) (*fake.Server, *httptest.Server) {
	clock := store.NewManualClock(time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC))
	srv, err := fake.New(append([]fake.Option{fake.WithSeed(1), fake.WithClock(clock)}, opts...)...)
	if err != nil {
		panic(err)
	}
	return srv, httptest.NewServer(srv)
}

// The journal records every request: what was called, by whom, with which bodies.
func ExampleServer_Journal() {
	srv, ts := newFake()
	defer ts.Close()

	send("POST", ts.URL+"/api/organizations/@current/invites/", `{"target_email":"ada@example.com"}`)
	send("GET", ts.URL+"/api/organizations/@current/invites/?limit=10", "")

	for _, r := range srv.Journal().Requests(fake.RequestFilter{Path: "/api/organizations/{organization_id}/invites/"}) {
		fmt.Println(r.Method, r.Template, r.Query, r.Status, r.UserEmail, r.Key)
	}
	posts := srv.Journal().Requests(fake.RequestFilter{Method: "POST"})
	fmt.Println(string(posts[0].RequestBody))
	// Output:
	// POST /api/organizations/{organization_id}/invites/  201 owner@fakehog.dev phx_..._key
	// GET /api/organizations/{organization_id}/invites/ limit=10 200 owner@fakehog.dev phx_..._key
	// {"target_email":"ada@example.com"}
}

// printT stands in for the test's *testing.T.
type printT struct{}

func (printT) Helper() {}
func (printT) Errorf(format string, args ...any) {
	fmt.Println(strings.SplitN(fmt.Sprintf(format, args...), "\n", 2)[0])
}

// AssertCalled and AssertNotCalled take the test's t (anything with Helper and Errorf).
func ExampleJournal_AssertCalled() {
	srv, ts := newFake()
	defer ts.Close()
	send("POST", ts.URL+"/api/organizations/@current/invites/", `{"target_email":"ada@example.com"}`)

	var t printT // in a test: the *testing.T
	j := srv.Journal()
	j.AssertCalled(t, "POST", "/api/organizations/{organization_id}/invites/", 1)
	j.AssertNotCalled(t, "DELETE", "/api/organizations/{organization_id}/invites/{id}/")
	j.AssertCalled(t, "GET", "/api/organizations/{organization_id}/invites/", 1) // fails
	// Output:
	// fakehog: GET /api/organizations/{organization_id}/invites/ was called 0 times, want 1
}

// A fault rule makes matching requests fail before their handler runs, so the failed call
// changes nothing.
func ExampleServer_AddFault() {
	srv, ts := newFake()
	defer ts.Close()
	invites := ts.URL + "/api/organizations/@current/invites/"

	srv.AddFault(fake.Fault{Method: "POST", Path: "/api/organizations/{organization_id}/invites/", Status: 503, Times: 1})

	fmt.Println(send("POST", invites, `{"target_email":"ada@example.com"}`))
	_, list := send("GET", invites, "")
	fmt.Println(strings.Contains(list, `"count":0`))
	status, _ := send("POST", invites, `{"target_email":"ada@example.com"}`) // the rule was used up
	fmt.Println(status)
	// Output:
	// 503 {"type":"server_error","code":"service_unavailable","detail":"Service Unavailable.","attr":null}
	// true
	// 201
}

// RetryAfter alone is PostHog's rate limit: 429 with a Retry-After header.
func ExampleServer_AddFault_throttled() {
	srv, ts := newFake()
	defer ts.Close()

	srv.AddFault(fake.Fault{Path: "/api/organizations/", RetryAfter: 30, Times: 1})

	res, _ := http.Get(ts.URL + "/api/organizations/")
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	fmt.Println(res.StatusCode, res.Header.Get("Retry-After"))
	fmt.Println(string(body))
	// Output:
	// 429 30
	// {"type":"throttled_error","code":"throttled","detail":"Request was throttled. Expected available in 30 seconds.","attr":null}
}

// A reactor is a Go hook that sees requests before their handler and may answer them.
func ExampleServer_PrependReactor() {
	srv, ts := newFake()
	defer ts.Close()

	remove := srv.PrependReactor("POST", "/api/organizations/{organization_id}/invites/", func(in *fake.Incoming) (*fake.Reaction, error) {
		if strings.HasSuffix(in.Field("target_email").String(), "@competitor.example") {
			return nil, store.Invalid("We do not invite competitors.")
		}
		return nil, nil // let it through
	})
	defer remove()

	fmt.Println(send("POST", ts.URL+"/api/organizations/@current/invites/", `{"target_email":"eve@competitor.example"}`))
	status, _ := send("POST", ts.URL+"/api/organizations/@current/invites/", `{"target_email":"ada@example.com"}`)
	fmt.Println(status)
	// Output:
	// 400 {"type":"validation_error","code":"invalid_input","detail":"We do not invite competitors.","attr":null}
	// 201
}

// Snapshot and Restore save and bring back the whole state; ids generated after a Restore
// repeat those generated after the Snapshot.
func ExampleServer_Snapshot() {
	srv, ts := newFake()
	defer ts.Close()
	invites := ts.URL + "/api/organizations/@current/invites/"
	var first, again, list struct {
		ID    string `json:"id"`
		Count int    `json:"count"`
	}

	snap := srv.Snapshot()
	_, body := send("POST", invites, `{"target_email":"ada@example.com"}`)
	_ = json.Unmarshal([]byte(body), &first)

	srv.Restore(snap)
	_, body = send("GET", invites, "")
	_ = json.Unmarshal([]byte(body), &list)
	_, body = send("POST", invites, `{"target_email":"ada@example.com"}`)
	_ = json.Unmarshal([]byte(body), &again)

	fmt.Println(list.Count, first.ID == again.ID)
	// Output:
	// 0 true
}

// Reset goes back to the world the server was built with, and empties the journal and the
// fault rules.
func ExampleServer_Reset() {
	srv, ts := newFake()
	defer ts.Close()
	send("POST", ts.URL+"/api/organizations/", `{"name":"Second"}`)
	srv.AddFault(fake.Fault{Path: "/api/organizations/{id}/", Status: 500})

	srv.Reset()

	_, body := send("GET", ts.URL+"/api/organizations/", "")
	var list struct {
		Count int `json:"count"`
	}
	_ = json.Unmarshal([]byte(body), &list)
	fmt.Println(list.Count, len(srv.Faults()), srv.Journal().Len())
	// Output:
	// 1 0 1
}

// The server's clock can always be moved, even when the server runs on the system clock:
// invites expire after three days.
func ExampleClock_Advance() {
	srv, ts := newFake()
	defer ts.Close()
	invites := ts.URL + "/api/organizations/@current/invites/"
	send("POST", invites, `{"target_email":"ada@example.com"}`)

	srv.Clock().Advance(72*time.Hour + time.Second)

	_, list := send("GET", invites, "")
	var page struct {
		Results []struct {
			IsExpired bool `json:"is_expired"`
		} `json:"results"`
	}
	_ = json.Unmarshal([]byte(list), &page)
	fmt.Println(srv.Clock().Now().Format(time.RFC3339), page.Results[0].IsExpired)
	// Output:
	// 2026-01-18T10:00:01Z true
}

// UseReal puts a clock built manual (or moved anywhere) back on real time; POST /_fake/clock
// {"real": true} does the same over HTTP.
func ExampleClock_UseReal() {
	srv, ts := newFake()
	defer ts.Close()
	srv.Clock().Set(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC))

	srv.Clock().UseReal()

	fmt.Println(srv.Clock().Now().Year() >= 2026)
	// Output: true
}

// LoadWorldAt seeds a world at its own now, whatever the clock read before, leaves the clock
// there, and Reset comes back to it (POST /_fake/scenario does this for scenarios).
func ExampleServer_LoadWorldAt() {
	srv, ts := newFake()
	defer ts.Close()
	srv.Clock().Set(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC))

	springNow := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	if err := srv.LoadWorldAt(fake.DefaultWorld, springNow); err != nil {
		fmt.Println(err)
		return
	}
	srv.Clock().Advance(240 * time.Hour)
	srv.Reset()

	_, org := send("GET", ts.URL+"/api/organizations/@current/", "")
	var o struct {
		Created string `json:"created_at"`
	}
	_ = json.Unmarshal([]byte(org), &o)
	fmt.Println(o.Created, srv.Clock().Now().Format(time.RFC3339))
	// Output: 2026-03-01T09:00:00Z 2026-03-01T09:00:00Z
}

// Everything above is also served over HTTP under /_fake/, for the standalone server
// (go run ./cmd/fakehog) and tests in other languages.
func Example_adminAPI() {
	_, ts := newFake(fake.WithAdminToken("s3cret"))
	defer ts.Close()
	admin := func(method, path, body string) string {
		req, _ := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
		req.Header.Set("X-Fakehog-Admin-Token", "s3cret") // or Authorization: Bearer s3cret
		if body != "" {
			req.Header.Set("Content-Type", "application/json") // changes are JSON
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		defer res.Body.Close()
		data, _ := io.ReadAll(res.Body)
		return fmt.Sprint(res.StatusCode, " ", string(data))
	}

	fmt.Println(admin("POST", "/_fake/faults", `{"method":"GET","path":"/api/organizations/","status":503,"times":1}`))
	status, _ := send("GET", ts.URL+"/api/organizations/", "")
	fmt.Println(status)
	fmt.Println(admin("POST", "/_fake/clock", `{"advance":"72h"}`))

	var journal struct {
		Count   int `json:"count"`
		Results []struct {
			Method   string `json:"method"`
			Template string `json:"template"`
			Status   int    `json:"status"`
			Fault    int    `json:"fault"`
		} `json:"results"`
	}
	res := admin("GET", "/_fake/requests?status=503", "")
	_ = json.Unmarshal([]byte(strings.TrimPrefix(res, "200 ")), &journal)
	fmt.Printf("%d request: %+v\n", journal.Count, journal.Results[0])

	fmt.Println(admin("POST", "/_fake/reset", ""))
	// Output:
	// 201 {"id":1,"method":"GET","path":"/api/organizations/","status":503,"times":1,"hits":0,"remaining":1}
	// 503
	// 200 {"now":"2026-01-18T10:00:00Z"}
	// 1 request: {Method:GET Template:/api/organizations/ Status:503 Fault:1}
	// 200 {"status":"ok"}
}
