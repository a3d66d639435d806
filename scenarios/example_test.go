package scenarios_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/fakehog/fakehog/fake"
	"github.com/fakehog/fakehog/fake/store"
	"github.com/fakehog/fakehog/scenarios"
)

// get sends a GET with a personal API key to a handler and returns the body.
func get(h *fake.Server, key, path string) string {
	req := httptest.NewRequest("GET", "http://fakehog.test"+path, nil)
	req.Header.Set("Authorization", "Bearer "+key)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	body, _ := io.ReadAll(rec.Body)
	return string(body)
}

// A scenario written in YAML becomes a server's world: its first user is the principal,
// whose credentials the server reports as Defaults.
func ExampleParse() {
	sc, err := scenarios.Parse("rocket.yaml", []byte(`
seed: 1
now: 2026-01-15T10:00:00Z
users:
  - {ref: mia, email: mia@example.com, personal_api_keys: [{value: phx_mia}]}
  - {ref: noa, email: noa@example.com}
organizations:
  - name: Rocket
    members: [{user: mia, level: owner}, {user: noa, level: admin}]
    projects: [{name: Web, timezone: Europe/Berlin}]
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	srv, err := fake.New(sc.Option())
	if err != nil {
		fmt.Println(err)
		return
	}
	d := srv.Defaults()
	var members struct {
		Count int `json:"count"`
	}
	_ = json.Unmarshal([]byte(get(srv, d.APIKey, "/api/organizations/@current/members/")), &members)
	fmt.Println(d.UserEmail, d.APIKey, members.Count, srv.Clock().Now().Format("2006-01-02"))
	// Output: mia@example.com phx_mia 2 2026-01-15
}

// Every mistake is an error naming the file, line and column, the path of the value and
// what is wrong; errors.As gives the positioned *scenarios.Error.
func ExampleParse_error() {
	_, err := scenarios.Parse("my.yaml", []byte("users:\n  - email: ada@example.com\n    frist_name: Ada\n"))
	fmt.Println(err)
	var se *scenarios.Error
	if errors.As(err, &se) {
		fmt.Println(se.Line, se.Column, se.Path)
	}
	// Output:
	// my.yaml:3:5: users[0].frist_name: unknown key "frist_name" in a user; did you mean "first_name"?
	// 3 5 users[0].frist_name
}

// The builtin scenarios are served by `go run ./cmd/fakehog -scenario <name>`; from Go they
// are one call away.
func ExampleBuiltin() {
	fmt.Println(scenarios.Builtins())
	sc, err := scenarios.Builtin("demo")
	if err != nil {
		fmt.Println(err)
		return
	}
	srv, err := fake.New(sc.Option())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(srv.Defaults().UserEmail, srv.Defaults().APIKey)
	// Output:
	// [default demo]
	// ada@hedgebox.io phx_demo_ada_key
}

// Check finds what only seeding can (here a domain's format) without a server.
func ExampleScenario_Check() {
	sc, err := scenarios.Parse("my.yaml", []byte(`
users: [{ref: ada, email: ada@example.com}]
organizations:
  - name: Acme
    members: [{user: ada, level: owner}]
    domains: [{domain: not a domain}]
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(sc.Check())
	// Output: my.yaml:6:24: organizations[0].domains[0].domain: Please enter a valid domain or subdomain name.
}

// Loader lets POST /_fake/scenario load another world into a running server; the world is
// seeded at the scenario's now, and the clock is left there.
func ExampleLoader() {
	srv, err := fake.New(fake.WithScenarioLoader(scenarios.Loader()), fake.WithClock(store.NewManualClock(
		mustTime("2020-01-01T00:00:00Z"))))
	if err != nil {
		fmt.Println(err)
		return
	}
	req := httptest.NewRequest("POST", "http://fakehog.test/_fake/scenario", strings.NewReader(`{"name": "demo"}`))
	req.Header.Set("Content-Type", "application/json") // or application/yaml with a document
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	fmt.Println(rec.Code, srv.Defaults().APIKey, srv.Clock().Now().Format("2006-01-02T15:04:05Z07:00"))
	// Output: 200 phx_demo_ada_key 2026-01-15T10:00:00Z
}

// mustTime parses an RFC 3339 time.
func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}
