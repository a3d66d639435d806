package fake

// The guard in front of /_fake/ and the console (guard.go), through HTTP: DNS rebinding
// (Host), cross-site changes (Origin, Sec-Fetch-Site), the console's token, JSON bodies.

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// hostOpt sends the request with another Host header (the connection still reaches the
// test server on 127.0.0.1).
func hostOpt(host string) reqOpt { return func(r *http.Request) { r.Host = host } }

// port is the test server's port.
func (e *env) port() string {
	u, _ := url.Parse(e.ts.URL)
	return u.Port()
}

func TestGuardRefusesForeignHosts(t *testing.T) {
	e := newEnv(t)
	p := e.port()
	const detail = `Host "evil.example:%s" may not reach fakehog's control routes and console (a guard against DNS rebinding: ` +
		`they answer loopback names and addresses and the address they are reached on). To reach them by this name, ` +
		`start fakehog with -allowed-hosts evil.example (or FAKEHOG_ALLOWED_HOSTS=evil.example; in Go, fake.WithAllowedHosts). ` +
		`The PostHog API paths answer any Host.`
	for _, c := range []struct{ method, path string }{
		{"GET", "/_fake/clock"}, {"GET", "/_fake/users"}, {"POST", "/_fake/reset"}, {"GET", "/"}, {"GET", "/_fake/"},
		{"GET", "/_fake/console/users"}, {"GET", "/_fake/snapshot"}, {"GET", "/_fake/nowhere"},
	} {
		e.sendUnchecked(c.method, c.path, nil, hostOpt("evil.example:"+p)).
			wantError(t, 403, "authentication_error", "host_not_allowed", strings.ReplaceAll(detail, "%s", p), "")
	}
	// The state did not move: the reset above was refused before it ran.
	e.do("POST", e.orgPath("invites/"), map[string]any{"target_email": "kept@example.com"}).wantStatus(t, 201)
	e.sendUnchecked("POST", "/_fake/reset", nil, hostOpt("evil.example")).wantStatus(t, 403)
	if n := e.do("GET", e.orgPath("invites/"), nil).get("count").Int(); n != 1 {
		t.Fatalf("invites after a refused reset: %d", n)
	}
	// Loopback names and addresses, with or without a port, pass; so does health by any name,
	// and the PostHog API by any name (containers reach the fake by service name).
	for _, h := range []string{"localhost:" + p, "LOCALHOST", "127.0.0.1:" + p, "127.3.4.5", "[::1]:" + p, "localhost.:" + p} {
		e.sendUnchecked("GET", "/_fake/clock", nil, hostOpt(h)).wantStatus(t, 200)
	}
	e.sendUnchecked("GET", "/_fake/health", nil, hostOpt("fakehog:8010")).wantStatus(t, 200)
	e.do("GET", "/api/organizations/", nil, hostOpt("fakehog:8010")).wantStatus(t, 200)
	e.do("GET", "/api/organizations/", nil, hostOpt("evil.example")).wantStatus(t, 200)
}

func TestGuardAllowedHosts(t *testing.T) {
	e := newEnv(t, WithAllowedHosts(" Fakehog ", ".example.test"), WithAllowedHosts("pinned:9000"))
	for host, want := range map[string]int{
		"fakehog": 200, "fakehog:8010": 200, "FAKEHOG:1": 200, "example.test": 200, "a.b.example.test:80": 200,
		"pinned:9000": 200, "pinned:9001": 403, "pinned": 403, "notexample.test": 403, "fakehog.evil": 403,
	} {
		if got := e.sendUnchecked("GET", "/_fake/clock", nil, hostOpt(host)); got.Status != want {
			t.Errorf("Host %s → %d, want %d", host, got.Status, want)
		}
	}
	any := newEnv(t, WithAllowedHosts("*"))
	any.sendUnchecked("GET", "/_fake/clock", nil, hostOpt("whatever.example:1")).wantStatus(t, 200)
}

func TestGuardRefusesCrossSiteChanges(t *testing.T) {
	e := newEnv(t)
	self := "http://127.0.0.1:" + e.port()
	const tail = ". fakehog's control routes and console take changes only from the console itself or from clients that are not browsers (curl, test code)."
	cases := []struct {
		name   string
		opts   []reqOpt
		detail string
	}{
		{"another origin", []reqOpt{header("Origin", "https://evil.example")},
			"Cross-site request refused: the request comes from another origin (Origin: https://evil.example, not this server's 127.0.0.1:" + e.port() + ")" + tail},
		{"opaque origin", []reqOpt{header("Origin", "null")},
			"Cross-site request refused: the request comes from another origin (Origin: null, not this server's 127.0.0.1:" + e.port() + ")" + tail},
		{"another port of localhost", []reqOpt{header("Origin", "http://127.0.0.1:3000")},
			"Cross-site request refused: the request comes from another origin (Origin: http://127.0.0.1:3000, not this server's 127.0.0.1:" + e.port() + ")" + tail},
		{"cross-site fetch", []reqOpt{header("Sec-Fetch-Site", "cross-site")},
			"Cross-site request refused: the request comes from another site (Sec-Fetch-Site: cross-site)" + tail},
		{"same-site fetch", []reqOpt{header("Sec-Fetch-Site", "same-site"), header("Origin", self)},
			"Cross-site request refused: the request comes from another site (Sec-Fetch-Site: same-site)" + tail},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.sendUnchecked("POST", "/_fake/clock", map[string]any{"advance": "1h"}, c.opts...).
				wantError(t, 403, "authentication_error", "cross_site_request", c.detail, "")
			e.sendUnchecked("POST", "/_fake/reset", nil, c.opts...).wantStatus(t, 403)
			e.sendUnchecked("DELETE", "/_fake/faults", nil, c.opts...).wantStatus(t, 403)
		})
	}
	if !e.clock.Now().Equal(testEpoch) {
		t.Fatalf("a refused change moved the clock to %s", e.clock.Now())
	}
	// Reads are not changes: a cross-site GET is answered (its page cannot read it anyway).
	e.sendUnchecked("GET", "/_fake/clock", nil, header("Origin", "https://evil.example")).wantStatus(t, 200)
}

func TestGuardConsoleToken(t *testing.T) {
	e := newEnv(t)
	self := "http://127.0.0.1:" + e.port()
	page := e.sendUnchecked("GET", "/_fake/console/clock", nil).wantStatus(t, 200)
	m := regexp.MustCompile(`<meta name="fakehog-console-token" content="([A-Za-z0-9]{32})">`).FindSubmatch(page.Body)
	if m == nil {
		t.Fatalf("the console page holds no token:\n%.600s", page.Body)
	}
	token := string(m[1])
	if page.Header.Get("X-Frame-Options") != "DENY" || !strings.Contains(page.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Errorf("the console may be framed: %v", page.Header)
	}
	// A same-origin browser request (the console's own script) carries the token.
	sameOrigin := []reqOpt{header("Origin", self), header("Sec-Fetch-Site", "same-origin")}
	e.sendUnchecked("POST", "/_fake/clock", map[string]any{"advance": "1h"}, sameOrigin...).
		wantError(t, 403, "authentication_error", "console_token_missing", "A change a browser sends to fakehog's control routes must come from fakehog's console, which sends X-Fakehog-Console-Token (reload the console page if fakehog was restarted).", "")
	e.sendUnchecked("POST", "/_fake/clock", map[string]any{"advance": "1h"}, append(sameOrigin, header(ConsoleTokenHeader, "x"+token[1:]))...).wantStatus(t, 403)
	e.sendUnchecked("POST", "/_fake/clock", map[string]any{"advance": "1h"}, append(sameOrigin, header(ConsoleTokenHeader, token))...).wantStatus(t, 200)
	// Another server has another token.
	other := newEnv(t)
	other.sendUnchecked("POST", "/_fake/reset", nil, header("Origin", "http://127.0.0.1:"+other.port()), header(ConsoleTokenHeader, token)).wantStatus(t, 403)
	// Clients that are not browsers (no Origin, no Sec-Fetch-Site) need no token.
	e.sendUnchecked("POST", "/_fake/clock", map[string]any{"advance": "1h"}).wantStatus(t, 200)
	// With an admin token, a browser request holding it passes too.
	a := newEnv(t, WithAdminToken("s3cret"))
	a.sendUnchecked("POST", "/_fake/reset", nil, header("Origin", "http://127.0.0.1:"+a.port()), header("X-Fakehog-Admin-Token", "s3cret")).wantStatus(t, 200)
}

func TestGuardChangesAreJSON(t *testing.T) {
	e := newEnv(t)
	msg := func(ct string) string {
		return `Unsupported media type "` + ct + `" in request. fakehog's control routes take application/json: send Content-Type: application/json (curl --json '{...}').`
	}
	for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/yaml"} {
		e.sendUnchecked("POST", "/_fake/clock", rawBody{ct, `{"advance":"1h"}`}).
			wantError(t, 415, "invalid_request", "unsupported_media_type", msg(ct), "")
	}
	e.sendUnchecked("POST", "/_fake/faults", rawBody{"", `{"status":503}`}).wantError(t, 415, "invalid_request", "unsupported_media_type", msg(""), "")
	e.sendUnchecked("PUT", "/_fake/snapshot", rawBody{"text/plain", `{}`}).wantStatus(t, 415)
	if !e.clock.Now().Equal(testEpoch) || len(e.srv.Faults()) != 0 {
		t.Fatal("a refused body changed something")
	}
	// JSON (with parameters, or a +json type) passes; so does a change without a body.
	e.sendUnchecked("POST", "/_fake/clock", rawBody{"application/json; charset=utf-8", `{"advance":"1h"}`}).wantStatus(t, 200)
	e.sendUnchecked("POST", "/_fake/clock", rawBody{"application/merge-patch+json", `{"advance":"1h"}`}).wantStatus(t, 200)
	e.sendUnchecked("POST", "/_fake/reset", nil).wantStatus(t, 200)
	e.sendUnchecked("DELETE", "/_fake/requests", nil).wantStatus(t, 204)
	// The scenario route names YAML as well (it has no loader here: 501 once past the guard).
	e.sendUnchecked("POST", "/_fake/scenario", rawBody{"text/plain", "name: x"}).wantError(t, 415, "invalid_request", "unsupported_media_type",
		`Unsupported media type "text/plain" in request. fakehog's control routes take application/json (or application/yaml for a scenario document): send Content-Type: application/json (curl --json '{...}').`, "")
	e.sendUnchecked("POST", "/_fake/scenario", rawBody{"application/yaml", "name: x"}).wantStatus(t, 501)
}
