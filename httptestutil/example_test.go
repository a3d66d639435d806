package httptestutil_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fakehog/fakehog/fake"
	"github.com/fakehog/fakehog/fake/store"
	"github.com/fakehog/fakehog/httptestutil"
)

// exampleT stands in for the *testing.T of a real test: in your tests, pass t.
type exampleT struct {
	testing.TB
	cleanups []func()
}

func (t *exampleT) Helper()          {}
func (t *exampleT) Name() string     { return "example" }
func (t *exampleT) Cleanup(f func()) { t.cleanups = append(t.cleanups, f) }
func (t *exampleT) Errorf(format string, args ...any) {
	fmt.Printf("test error: "+format+"\n", args...)
}
func (t *exampleT) Fatalf(format string, args ...any) { panic(fmt.Sprintf(format, args...)) }

// finish runs the cleanups, as the testing package does when a test ends.
func (t *exampleT) finish() {
	for i := len(t.cleanups) - 1; i >= 0; i-- {
		t.cleanups[i]()
	}
}

// getJSON decodes the answer to a GET into v and returns the status.
func getJSON(c *http.Client, url string, v any) int {
	res, err := c.Get(url)
	if err != nil {
		panic(err)
	}
	defer res.Body.Close()
	_ = json.NewDecoder(res.Body).Decode(v)
	return res.StatusCode
}

// One line starts a fake PostHog; its Client already sends the owner's personal API key.
func ExampleNewServer() {
	t := &exampleT{} // your test's t
	defer t.finish()

	srv := httptestutil.NewServer(t)

	var orgs struct {
		Count   int `json:"count"`
		Results []struct {
			Name string `json:"name"`
		} `json:"results"`
	}
	status := getJSON(srv.Client(), srv.URL+"/api/organizations/", &orgs)
	fmt.Println(status, orgs.Count, orgs.Results[0].Name)
	// Output:
	// 200 1 Fakehog
}

// NewInMemory listens nowhere: its clients hand requests to the handler in memory.
func ExampleNewInMemory() {
	t := &exampleT{}
	defer t.finish()

	srv := httptestutil.NewInMemory(t, fake.WithSeed(42))

	var me struct {
		Name string `json:"name"`
	}
	status := getJSON(srv.Client(), srv.URL+"/api/organizations/@current/", &me)
	fmt.Println(srv.URL, status, me.Name)
	// Output:
	// http://fakehog.invalid 200 Fakehog
}

// SessionClient logs in as the owner, for the operations PostHog serves only to sessions;
// ClientFor acts as any user of the world.
func ExampleServer_ClientFor() {
	t := &exampleT{}
	defer t.finish()
	srv := httptestutil.NewInMemory(t)
	orgID := srv.Defaults().OrganizationID

	// Seed a member straight into the store.
	_ = srv.Store().Write(func(tx *store.Tx) error {
		u, err := tx.CreateUser(store.NewUser{Email: "mia@example.com", FirstName: "Mia"})
		if err != nil {
			return err
		}
		_, err = tx.AddMember(orgID, u.ID, store.NewMembership{Level: store.LevelMember})
		return err
	})

	mia := srv.ClientFor("mia@example.com") // a personal API key made for Mia, scope "*"
	res, _ := mia.Post(srv.URL+"/api/organizations/"+orgID+"/invites/", "application/json",
		strings.NewReader(`{"target_email":"boss@example.com","level":15}`))
	res.Body.Close()
	fmt.Println("Mia invites an owner:", res.StatusCode)

	keys := srv.URL + "/api/organizations/" + orgID + "/members/@me/scoped_api_keys/"
	var out map[string]any
	fmt.Println("owner's key:", getJSON(srv.Client(), keys, &out))
	fmt.Println("owner's session:", getJSON(srv.SessionClient(), keys, &out))
	fmt.Println("Mia's session:", getJSON(srv.SessionClientFor("mia@example.com"), keys, &out))
	// Output:
	// Mia invites an owner: 403
	// owner's key: 403
	// owner's session: 200
	// Mia's session: 200
}

// The journal answers "was it called, how often, with what".
func ExampleServer_Journal() {
	t := &exampleT{}
	defer t.finish()
	srv := httptestutil.NewInMemory(t)

	res, _ := srv.Client().Post(srv.URL+"/api/organizations/@current/invites/", "application/json",
		strings.NewReader(`{"target_email":"ada@example.com"}`))
	res.Body.Close()

	srv.Journal().AssertCalled(t, "POST", "/api/organizations/{organization_id}/invites/", 1)
	srv.Journal().AssertNotCalled(t, "DELETE", "/api/organizations/{organization_id}/invites/{id}/")
	last, _ := srv.Journal().Last()
	fmt.Println(last.Status, last.UserEmail, string(last.RequestBody))
	// Output:
	// 201 owner@fakehog.dev {"target_email":"ada@example.com"}
}

// Faults make the code under test meet PostHog's failures: here one 503, then success.
func ExampleServer_AddFault() {
	t := &exampleT{}
	defer t.finish()
	srv := httptestutil.NewInMemory(t)
	invites := srv.URL + "/api/organizations/@current/invites/"

	srv.AddFault(fake.Fault{Method: "POST", Path: "/api/organizations/{organization_id}/invites/", Status: 503, Times: 1})

	// The code under test retries once.
	for attempt := 1; attempt <= 2; attempt++ {
		res, _ := srv.Client().Post(invites, "application/json", strings.NewReader(`{"target_email":"ada@example.com"}`))
		res.Body.Close()
		fmt.Println("attempt", attempt, res.StatusCode)
		if res.StatusCode < 500 {
			break
		}
	}
	var list struct {
		Count int `json:"count"`
	}
	getJSON(srv.Client(), invites, &list)
	fmt.Println("invites:", list.Count)
	// Output:
	// attempt 1 503
	// attempt 2 201
	// invites: 1
}

// The clock moves on demand; invites expire after three days.
func ExampleServer_Clock() {
	t := &exampleT{}
	defer t.finish()
	srv := httptestutil.NewInMemory(t)
	invites := srv.URL + "/api/organizations/@current/invites/"
	res, _ := srv.Client().Post(invites, "application/json", strings.NewReader(`{"target_email":"ada@example.com"}`))
	res.Body.Close()

	srv.Clock().Advance(72*time.Hour + time.Second)

	var list struct {
		Results []struct {
			IsExpired bool `json:"is_expired"`
		} `json:"results"`
	}
	getJSON(srv.Client(), invites, &list)
	fmt.Println(list.Results[0].IsExpired)
	// Output:
	// true
}

// Reset brings back the starting world between subtests sharing one server.
func ExampleServer_Reset() {
	t := &exampleT{}
	defer t.finish()
	srv := httptestutil.NewInMemory(t)
	count := func() int {
		var list struct {
			Count int `json:"count"`
		}
		getJSON(srv.Client(), srv.URL+"/api/organizations/", &list)
		return list.Count
	}

	res, _ := srv.Client().Post(srv.URL+"/api/organizations/", "application/json", strings.NewReader(`{"name":"Second"}`))
	res.Body.Close()
	fmt.Println(count())
	srv.Reset()
	fmt.Println(count())
	// Output:
	// 2
	// 1
}

// A test can start from a builtin scenario, a file, or a document written in the test; the
// clients then act as the scenario's first user.
func ExampleScenarioYAML() {
	t := &exampleT{} // your test's t
	defer t.finish()

	srv := httptestutil.NewInMemory(t, httptestutil.ScenarioYAML(t, `
seed: 1
now: 2026-01-15T10:00:00Z
users:
  - {ref: mia, email: mia@example.com, personal_api_keys: [{value: phx_mia}]}
  - {ref: noa, email: noa@example.com}
organizations:
  - name: Rocket
    members: [{user: mia, level: owner}, {user: noa, level: admin}]
    projects: [{name: Web, timezone: Europe/Berlin}, {name: iOS}]
`))

	var members struct {
		Count int `json:"count"`
	}
	getJSON(srv.Client(), srv.URL+"/api/organizations/@current/members/", &members)
	fmt.Println(srv.APIKey, members.Count)
	// Output: phx_mia 2
}
