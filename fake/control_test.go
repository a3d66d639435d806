package fake

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/fakehog/fakehog/fake/store"
	"github.com/tidwall/gjson"
)

// Test control: clock, Reset, Snapshot/Restore, LoadWorld and the /_fake/ admin routes.

// adminCall calls a /_fake/ route without the owner's API key.
func (e *env) adminCall(method, path string, body any, opts ...reqOpt) *resp {
	e.t.Helper()
	return e.sendUnchecked(method, path, body, append([]reqOpt{noAuth()}, opts...)...)
}

// newInvite creates an invite in the default organization and returns its id.
func (e *env) newInvite(email string) string {
	e.t.Helper()
	return e.do("POST", e.orgPath("invites/"), map[string]any{"target_email": email}).wantStatus(e.t, 201).get("id").String()
}

// listInviteEmails lists the default organization's invites' emails, newest first.
func (e *env) listInviteEmails() []string {
	e.t.Helper()
	var out []string
	for _, r := range e.do("GET", e.orgPath("invites/"), nil).wantStatus(e.t, 200).get("results").Array() {
		out = append(out, r.Get("target_email").String())
	}
	return out
}

func TestClockAdvanceExpiresInvitesWithoutAManualClock(t *testing.T) {
	// No WithClock: the server still has a clock that can be moved.
	srv, err := New(WithSeed(1))
	if err != nil {
		t.Fatal(err)
	}
	e := envFor(t, srv)
	e.newInvite("late@example.com")
	// The wall clock keeps running underneath, so stay clear of the exact boundary.
	before := srv.Clock().Now()
	srv.Clock().Advance(72*time.Hour - time.Minute)
	if e.do("GET", e.orgPath("invites/"), nil).get("results.0.is_expired").Bool() {
		t.Fatal("invite expired before 72h")
	}
	srv.Clock().Advance(time.Minute + time.Second)
	if !e.do("GET", e.orgPath("invites/"), nil).get("results.0.is_expired").Bool() {
		t.Fatal("invite not expired after 72h+1s")
	}
	if d := srv.Clock().Now().Sub(before); d < 72*time.Hour+time.Second || d > 73*time.Hour {
		t.Errorf("clock moved by %v", d)
	}
	// Set puts it anywhere; time then keeps flowing from there.
	at := time.Date(2030, 5, 1, 12, 0, 0, 0, time.UTC)
	srv.Clock().Set(at)
	created := e.do("POST", e.orgPath("invites/"), map[string]any{"target_email": "future@example.com"}).get("created_at").Time()
	if created.Before(at) || created.Sub(at) > time.Minute {
		t.Errorf("created_at = %v, want about %v", created, at)
	}
}

// serveOnLoopback serves srv on a loopback port until the test ends.
func serveOnLoopback(t *testing.T, srv *Server) *httptest.Server {
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return ts
}

// envFor is newEnv for a server the test built itself.
func envFor(t *testing.T, srv *Server) *env {
	t.Helper()
	e := &env{t: t, srv: srv, d: srv.Defaults()}
	e.ts = serveOnLoopback(t, srv)
	return e
}

func TestClockMovesTheManualClockGiven(t *testing.T) {
	e := newEnv(t)
	e.srv.Clock().Advance(time.Hour)
	if got := e.clock.Now(); !got.Equal(testEpoch.Add(time.Hour)) {
		t.Errorf("the test's clock reads %v after Advance, want %v", got, testEpoch.Add(time.Hour))
	}
	e.clock.Advance(time.Hour)
	if got := e.srv.Clock().Now(); !got.Equal(testEpoch.Add(2 * time.Hour)) {
		t.Errorf("the server's clock reads %v, want %v", got, testEpoch.Add(2*time.Hour))
	}
	e.srv.Clock().Set(testEpoch)
	if !e.clock.Now().Equal(testEpoch) {
		t.Errorf("Set did not move the test's clock")
	}
}

func TestClockOverHTTP(t *testing.T) {
	e := newEnv(t)
	r := e.adminCall("GET", "/_fake/clock", nil).wantStatus(t, 200)
	if r.get("now").String() != "2026-01-15T10:00:00Z" {
		t.Fatalf("clock = %s", r.Body)
	}
	e.newInvite("a@example.com")
	r = e.adminCall("POST", "/_fake/clock", map[string]any{"advance": "72h"}).wantStatus(t, 200)
	if r.get("now").String() != "2026-01-18T10:00:00Z" {
		t.Fatalf("after advance: %s", r.Body)
	}
	if e.do("GET", e.orgPath("invites/"), nil).get("results.0.is_expired").Bool() {
		t.Fatal("expired after exactly 72h")
	}
	e.adminCall("POST", "/_fake/clock", `{"advance":"1s"}`).wantStatus(t, 200)
	if !e.do("GET", e.orgPath("invites/"), nil).get("results.0.is_expired").Bool() {
		t.Fatal("not expired after 72h+1s")
	}
	r = e.adminCall("POST", "/_fake/clock/", map[string]any{"set": "2026-01-01T00:00:00Z"}).wantStatus(t, 200)
	if r.get("now").String() != "2026-01-01T00:00:00Z" || !e.clock.Now().Equal(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("after set: %s", r.Body)
	}
	// A form content type (curl -d, an HTML form) is refused: changes are JSON (guard.go).
	e.adminCall("POST", "/_fake/clock", `{"advance":"1m"}`, header("Content-Type", "application/x-www-form-urlencoded")).wantError(t, 415,
		"invalid_request", "unsupported_media_type", `Unsupported media type "application/x-www-form-urlencoded" in request. fakehog's control routes take application/json: send Content-Type: application/json (curl --json '{...}').`, "")

	cases := []struct {
		name   string
		body   any
		status int
		typ    string
		code   string
		detail string
		attr   string
	}{
		{"neither", map[string]any{}, 400, "validation_error", "invalid_input", `Give exactly one of "advance" (a duration such as "72h"), "set" (an RFC 3339 time) or "real" (true: back to the system clock).`, ""},
		{"both", map[string]any{"advance": "1h", "set": "2026-01-01T00:00:00Z"}, 400, "validation_error", "invalid_input", `Give exactly one of "advance" (a duration such as "72h"), "set" (an RFC 3339 time) or "real" (true: back to the system clock).`, ""},
		{"bad duration", map[string]any{"advance": "3 days"}, 400, "validation_error", "invalid", `"3 days" is not a duration such as "72h" or "90s".`, "advance"},
		{"bad time", map[string]any{"set": "tomorrow"}, 400, "validation_error", "invalid", `"tomorrow" is not an RFC 3339 time such as "2026-01-01T00:00:00Z".`, "set"},
		{"no body", nil, 400, "validation_error", "invalid_input", "A JSON body is required.", ""},
		{"bad JSON", "{", 400, "invalid_request", "parse_error", "JSON parse error - unexpected end of JSON input", ""},
		{"wrong type", map[string]any{"advance": 5}, 400, "validation_error", "invalid", "Expected a string, got number.", "advance"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.adminCall("POST", "/_fake/clock", c.body).wantError(t, c.status, c.typ, c.code, c.detail, c.attr)
		})
	}
}

func TestResetGoesBackToTheWorld(t *testing.T) {
	e := newEnv(t)
	first := e.newInvite("a@example.com")
	e.do("POST", "/api/organizations/", map[string]any{"name": "Second"}).wantStatus(t, 201)
	if _, err := e.srv.AddFault(Fault{Path: "/api/organizations/@current/roles/", Status: 500}); err != nil {
		t.Fatal(err)
	}
	remove := e.srv.PrependReactor("", "/api/nothing/", func(*Incoming) (*Reaction, error) { return nil, nil })
	defer remove()

	e.srv.Reset()
	if n := e.srv.Journal().Len(); n != 0 {
		t.Errorf("journal after Reset holds %d requests", n)
	}
	if f := e.srv.Faults(); len(f) != 0 {
		t.Errorf("faults after Reset: %v", f)
	}
	if e.srv.faults.armed.Load() != 0 {
		t.Error("reactors survived Reset")
	}
	if got := e.listInviteEmails(); len(got) != 0 {
		t.Errorf("invites after Reset: %v", got)
	}
	if n := e.do("GET", "/api/organizations/", nil).get("count").Int(); n != 1 {
		t.Errorf("organizations after Reset: %d", n)
	}
	// The same operations give the same ids again.
	if again := e.newInvite("a@example.com"); again != first {
		t.Errorf("invite id after Reset = %s, want %s", again, first)
	}
	// The clock stays where it is.
	e.clock.Advance(time.Hour)
	e.srv.Reset()
	if !e.srv.Clock().Now().Equal(testEpoch.Add(time.Hour)) {
		t.Error("Reset moved the clock")
	}
}

func TestResetOverHTTP(t *testing.T) {
	e := newEnv(t)
	e.newInvite("a@example.com")
	e.adminCall("POST", "/_fake/faults", map[string]any{"path": "/api/organizations/@current/roles/", "status": 500}).wantStatus(t, 201)
	r := e.adminCall("POST", "/_fake/reset", nil).wantStatus(t, 200)
	if r.get("status").String() != "ok" {
		t.Errorf("reset = %s", r.Body)
	}
	if got := e.listInviteEmails(); len(got) != 0 {
		t.Errorf("invites after reset: %v", got)
	}
	if n := e.adminCall("GET", "/_fake/faults", nil).get("count").Int(); n != 0 {
		t.Errorf("faults after reset: %d", n)
	}
	// The journal holds the one list since the reset.
	if n := e.adminCall("GET", "/_fake/requests", nil).get("count").Int(); n != 1 {
		t.Errorf("journal after reset: %d", n)
	}
	e.adminCall("GET", "/_fake/reset", nil).wantError(t, 405, "invalid_request", "method_not_allowed", `Method "GET" not allowed.`, "")
}

func TestSnapshotRestore(t *testing.T) {
	e := newEnv(t)
	e.newInvite("kept@example.com")
	snap := e.srv.Snapshot()
	later := e.newInvite("later@example.com")
	e.do("DELETE", e.orgPath("invites/"+later+"/"), nil).wantStatus(t, 204)
	e.newInvite("other@example.com")

	for round := 0; round < 2; round++ {
		e.srv.Restore(snap)
		if got := e.listInviteEmails(); len(got) != 1 || got[0] != "kept@example.com" {
			t.Fatalf("round %d: invites after Restore = %v", round, got)
		}
		// Ids continue from the snapshot, as they did the first time.
		if id := e.newInvite("later@example.com"); id != later {
			t.Errorf("round %d: id after Restore = %s, want %s", round, id, later)
		}
	}
	// Restore leaves the journal alone.
	if e.srv.Journal().Len() == 0 {
		t.Error("Restore emptied the journal")
	}
	// Direct store access sees the restored state.
	e.srv.Restore(snap)
	_ = e.srv.Store().Read(func(tx *store.Tx) error {
		if n := len(tx.Invites(e.d.OrganizationID)); n != 1 {
			t.Errorf("store holds %d invites", n)
		}
		return nil
	})
}

func TestLoadWorldAndScenarioRoute(t *testing.T) {
	small := func(tx *store.Tx) (Defaults, error) {
		u, err := tx.CreateUser(store.NewUser{Email: "solo@example.com"})
		if err != nil {
			return Defaults{}, err
		}
		org, err := tx.CreateOrganization(u, store.Values{"name": "Solo"}, store.NewOrganization{})
		if err != nil {
			return Defaults{}, err
		}
		if _, _, err := tx.CreatePersonalAPIKey(u.ID, store.NewAPIKey{Value: "phx_solo_key_0123456789", Scopes: []string{"*"}}); err != nil {
			return Defaults{}, err
		}
		return Defaults{OrganizationID: org.ID, UserEmail: u.Email, UserUUID: u.UUID, APIKey: "phx_solo_key_0123456789"}, nil
	}
	var asked string
	loader := func(spec json.RawMessage) (World, time.Time, error) {
		asked = string(spec)
		switch gjson.GetBytes(spec, "name").String() {
		case "solo":
			return small, time.Time{}, nil
		case "broken":
			return func(*store.Tx) (Defaults, error) { return Defaults{}, store.Invalid("broken scenario") }, time.Time{}, nil
		}
		return nil, time.Time{}, errors.New("unknown scenario")
	}

	t.Run("without a loader", func(t *testing.T) {
		e := newEnv(t)
		e.adminCall("POST", "/_fake/scenario", map[string]any{"name": "solo"}).wantError(t, 501, "server_error", "not_implemented",
			"This fakehog cannot load scenarios (it was built without a scenario loader).", "")
	})
	t.Run("over HTTP", func(t *testing.T) {
		e := newEnv(t, WithScenarioLoader(loader))
		e.adminCall("POST", "/_fake/scenario", map[string]any{"name": "nope"}).wantError(t, 400, "validation_error", "invalid_input", "unknown scenario", "")
		e.adminCall("POST", "/_fake/scenario", map[string]any{"name": "broken"}).wantError(t, 400, "validation_error", "invalid_input", "broken scenario", "")
		// Failed loads changed nothing.
		e.do("GET", "/api/organizations/", nil).wantStatus(t, 200)
		r := e.adminCall("POST", "/_fake/scenario", map[string]any{"name": "solo"}).wantStatus(t, 200)
		if asked != `{"name":"solo"}` || r.get("user_email").String() != "solo@example.com" || r.get("api_key").String() != "phx_solo_key_0123456789" {
			t.Fatalf("scenario answer = %s (spec %s)", r.Body, asked)
		}
		if e.srv.Defaults().UserEmail != "solo@example.com" {
			t.Errorf("Defaults = %+v", e.srv.Defaults())
		}
		// The old owner is gone; the scenario's key works.
		e.do("GET", "/api/organizations/", nil).wantStatus(t, 401)
		solo := asKey("phx_solo_key_0123456789")
		if n := e.do("GET", "/api/organizations/", nil, solo).get("results.0.name").String(); n != "Solo" {
			t.Errorf("organization = %q", n)
		}
		// Reset now returns to the loaded world.
		e.do("POST", "/api/organizations/", map[string]any{"name": "Extra"}, solo).wantStatus(t, 201)
		e.srv.Reset()
		if n := e.do("GET", "/api/organizations/", nil, solo).get("count").Int(); n != 1 {
			t.Errorf("organizations after Reset = %d", n)
		}
	})
	t.Run("Go", func(t *testing.T) {
		e := newEnv(t)
		if err := e.srv.LoadWorld(func(*store.Tx) (Defaults, error) { return Defaults{}, errors.New("boom") }); err == nil {
			t.Fatal("a failing world loaded")
		}
		e.do("GET", "/api/organizations/", nil).wantStatus(t, 200)
		if err := e.srv.LoadWorld(small); err != nil {
			t.Fatal(err)
		}
		e.do("GET", "/api/organizations/", nil, asKey("phx_solo_key_0123456789")).wantStatus(t, 200)
	})
	t.Run("credential overrides apply again", func(t *testing.T) {
		e := newEnv(t, WithAPIKey("phx_custom_key_for_tests"))
		if err := e.srv.LoadWorld(DefaultWorld); err != nil {
			t.Fatal(err)
		}
		e.do("GET", "/api/organizations/", nil, asKey("phx_custom_key_for_tests")).wantStatus(t, 200)
	})
}

func TestAdminToken(t *testing.T) {
	e := newEnv(t, WithAdminToken("s3cret"))
	// Health stays open (for liveness probes).
	e.adminCall("GET", "/_fake/health", nil).wantStatus(t, 200)
	e.adminCall("GET", "/_fake/requests", nil).wantError(t, 401, "authentication_error", "not_authenticated", "Authentication credentials were not provided.", "")
	e.adminCall("POST", "/_fake/reset", nil, asKey("wrong")).wantError(t, 401, "authentication_error", "authentication_failed", "Invalid fakehog admin token.", "")
	// The owner's personal API key is not an admin token.
	e.sendUnchecked("GET", "/_fake/clock", nil).wantError(t, 401, "authentication_error", "authentication_failed", "Invalid fakehog admin token.", "")
	e.adminCall("GET", "/_fake/requests", nil, asKey("s3cret")).wantStatus(t, 200)
	e.adminCall("GET", "/_fake/clock", nil, header("X-Fakehog-Admin-Token", "s3cret")).wantStatus(t, 200)
	// The API itself is unaffected.
	e.do("GET", "/api/organizations/", nil).wantStatus(t, 200)
}

func TestAdminRoutes(t *testing.T) {
	e := newEnv(t)
	r := e.adminCall("GET", "/_fake/health", nil).wantStatus(t, 200)
	if r.get("status").String() != "ok" {
		t.Errorf("health = %s", r.Body)
	}
	e.adminCall("HEAD", "/_fake/health/", nil).wantStatus(t, 200)
	e.adminCall("GET", "/_fake/nope", nil).wantError(t, 404, "invalid_request", "not_found", "Endpoint not found.", "")
	e.adminCall("GET", "/_fake", nil).wantError(t, 404, "invalid_request", "not_found", "Endpoint not found.", "")
	r = e.adminCall("PUT", "/_fake/faults", nil)
	r.wantError(t, 405, "invalid_request", "method_not_allowed", `Method "PUT" not allowed.`, "")
	if allow := r.Header.Get("Allow"); allow != "DELETE, GET, HEAD, POST" {
		t.Errorf("Allow = %q", allow)
	}
	// Admin requests are not journaled and answer JSON.
	if e.srv.Journal().Len() != 0 {
		t.Errorf("admin requests were journaled: %v", e.srv.Journal().Requests(RequestFilter{}))
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
}

// journalIDs is a compact rendering of journal ids for failure messages.
func journalIDs(rs []Request) string {
	var b strings.Builder
	for _, r := range rs {
		fmt.Fprintf(&b, "%d ", r.ID)
	}
	return b.String()
}

// TestLoadingAWorldSetsTheClock: a world loaded with its now is seeded at that now whatever
// the clock read before, the clock then reads it, and Reset comes back to it; one without
// a now puts the clock on real time, and Reset does so again.
func TestLoadingAWorldSetsTheClock(t *testing.T) {
	worldNow := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	var seededAt time.Time
	world := func(tx *store.Tx) (Defaults, error) {
		seededAt = tx.Now()
		return DefaultWorld(tx)
	}
	loader := func(spec json.RawMessage) (World, time.Time, error) {
		if gjson.GetBytes(spec, "name").String() == "timeless" {
			return world, time.Time{}, nil
		}
		return world, worldNow, nil
	}
	e := newEnv(t, WithScenarioLoader(loader))
	clockNow := func() time.Time {
		t.Helper()
		v, err := time.Parse(time.RFC3339Nano, e.adminCall("GET", "/_fake/clock", nil).wantStatus(t, 200).get("now").String())
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	// Whatever the clock did before: far behind the world's now, or far ahead.
	for _, before := range []string{`{"set":"2020-01-01T00:00:00Z"}`, `{"set":"2031-01-01T00:00:00Z"}`} {
		e.adminCall("POST", "/_fake/clock", before).wantStatus(t, 200)
		e.adminCall("POST", "/_fake/scenario", `{"name":"timed"}`).wantStatus(t, 200)
		if !seededAt.Equal(worldNow) || !clockNow().Equal(worldNow) {
			t.Fatalf("after %s: seeded at %s, clock %s; want %s", before, seededAt, clockNow(), worldNow)
		}
	}
	e.adminCall("POST", "/_fake/clock", `{"advance":"240h"}`).wantStatus(t, 200)
	e.adminCall("POST", "/_fake/reset", nil).wantStatus(t, 200)
	if !clockNow().Equal(worldNow) {
		t.Errorf("clock after reset = %s, want the world's now %s", clockNow(), worldNow)
	}
	// A world with no now: real time, now and after reset.
	e.adminCall("POST", "/_fake/clock", `{"set":"2020-01-01T00:00:00Z"}`).wantStatus(t, 200)
	e.adminCall("POST", "/_fake/scenario", `{"name":"timeless"}`).wantStatus(t, 200)
	real := func(at time.Time) bool { return at.Year() >= 2025 && at.Year() != 2031 } // the system clock, not a set reading
	if !real(seededAt) || !real(clockNow()) {
		t.Fatalf("a world without now: seeded at %s, clock %s; want real time", seededAt, clockNow())
	}
	e.adminCall("POST", "/_fake/clock", `{"set":"2031-01-01T00:00:00Z"}`).wantStatus(t, 200)
	e.srv.Reset()
	if !real(e.srv.Clock().Now()) {
		t.Errorf("clock after reset = %s, want real time", e.srv.Clock().Now())
	}
	// LoadWorld (no now) leaves the clock alone, and so does Reset afterwards.
	e.srv.Clock().Set(worldNow.Add(time.Hour))
	if err := e.srv.LoadWorld(world); err != nil {
		t.Fatal(err)
	}
	e.srv.Reset()
	if got := e.srv.Clock().Now(); got.Before(worldNow.Add(time.Hour)) || got.After(worldNow.Add(2*time.Hour)) {
		t.Errorf("clock after LoadWorld and Reset = %s, want it left at %s", got, worldNow.Add(time.Hour))
	}
}

// TestClockBackToRealTime: {"real": true} and Clock.UseReal leave a manual clock, or a
// moved one, for the system clock; Advance and Set still move it afterwards.
func TestClockBackToRealTime(t *testing.T) {
	e := newEnv(t) // a manual clock at testEpoch (2026-01-15)
	e.adminCall("POST", "/_fake/clock", `{"set":"2020-01-01T00:00:00Z"}`).wantStatus(t, 200)
	before := store.SystemClock{}.Now()
	r := e.adminCall("POST", "/_fake/clock", `{"real":true}`).wantStatus(t, 200)
	got, _ := time.Parse(time.RFC3339Nano, r.get("now").String())
	if got.Before(before.Truncate(time.Second)) || got.After(store.SystemClock{}.Now()) || got.Nanosecond() != 0 {
		t.Fatalf("after real: %s, want the system clock's reading (about %s)", got, before)
	}
	e.srv.Clock().Advance(48 * time.Hour)
	if d := e.srv.Clock().Now().Sub(store.SystemClock{}.Now()); d < 47*time.Hour || d > 49*time.Hour {
		t.Errorf("Advance after real: %s ahead of the system clock, want 48h", d)
	}
	e.srv.Clock().UseReal()
	if d := e.srv.Clock().Now().Sub(store.SystemClock{}.Now()); d > time.Minute || d < -time.Minute {
		t.Errorf("UseReal: %s away from the system clock", d)
	}
	e.adminCall("POST", "/_fake/clock", `{"real":false}`).wantError(t, 400, "validation_error", "invalid",
		`Only "real": true (back to the system clock) means something; to stop time, use "set".`, "real")
	e.adminCall("POST", "/_fake/clock", `{"real":true,"advance":"1h"}`).wantError(t, 400, "validation_error", "invalid_input",
		`Give exactly one of "advance" (a duration such as "72h"), "set" (an RFC 3339 time) or "real" (true: back to the system clock).`, "")
}

// TestScenarioLoadIsLogged: each world loaded through /_fake/scenario is logged with its
// credentials, as the server logs its first world at start.
func TestScenarioLoadIsLogged(t *testing.T) {
	var buf bytes.Buffer
	loader := func(json.RawMessage) (World, time.Time, error) { return DefaultWorld, testEpoch, nil }
	e := newEnv(t, WithScenarioLoader(loader), WithLogger(slog.New(slog.NewTextHandler(&buf, nil))))
	e.adminCall("POST", "/_fake/scenario", `{"name":"default"}`).wantStatus(t, 200)
	line := buf.String()
	for _, want := range []string{"scenario loaded", "api_key=" + DefaultAPIKey, "session=" + DefaultSession, "user=" + DefaultUserEmail,
		"organization=" + e.srv.Defaults().OrganizationID, "clock=2026-01-15T10:00:00Z"} {
		if !strings.Contains(line, want) {
			t.Errorf("log %q lacks %q", line, want)
		}
	}
}

// TestResetReturnsToTheStartingWorldsNow: with WithWorldNow, Reset puts the clock back to
// the reading the starting world lives at.
func TestResetReturnsToTheStartingWorldsNow(t *testing.T) {
	e := newEnv(t, WithWorldNow(testEpoch))
	e.srv.Clock().Set(time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC))
	e.adminCall("POST", "/_fake/reset", nil).wantStatus(t, 200)
	if got := e.srv.Clock().Now(); !got.Equal(testEpoch) {
		t.Fatalf("clock after reset = %s, want %s", got, testEpoch)
	}
}
