package fake

// PostHog's CSRF check for session-authenticated writes (csrf.go), through HTTP.

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tidwall/gjson"
)

// maskCSRF is Django's _mask_cipher_secret with a given mask: the 64-character token form of
// a secret (the test's own implementation, to check the server's unmasking).
func maskCSRF(secret, mask string) string {
	n := len(csrfAllowedChars)
	out := []byte(mask)
	for i := range secret {
		x := strings.IndexByte(csrfAllowedChars, secret[i])
		y := strings.IndexByte(csrfAllowedChars, mask[i])
		out = append(out, csrfAllowedChars[(x+y)%n])
	}
	return string(out)
}

func TestCSRFChecksSessionWrites(t *testing.T) {
	e := newEnv(t)
	s := e.d.Session
	patch := map[string]any{"first_name": "Mallory"}
	cookie := func(v string) reqOpt {
		return func(r *http.Request) { r.AddCookie(&http.Cookie{Name: CSRFCookieName, Value: v}) }
	}
	const tok = testCSRFToken
	other := strings.Repeat("Z", 32)
	masked := maskCSRF(tok, "abcdefghijklmnopqrstuvwxyzABCDEF")
	cases := []struct {
		name   string
		opts   []reqOpt
		reason string // "" passes
	}{
		{"no cookie", nil, "CSRF cookie not set."},
		{"no header", []reqOpt{cookie(tok)}, "CSRF token missing."},
		{"wrong token", []reqOpt{cookie(tok), header(CSRFHeaderName, other)}, "CSRF token from the 'X-Csrftoken' HTTP header incorrect."},
		{"short token", []reqOpt{cookie(tok), header(CSRFHeaderName, "abc")}, "CSRF token from the 'X-Csrftoken' HTTP header has incorrect length."},
		{"bad characters", []reqOpt{cookie(tok), header(CSRFHeaderName, strings.Repeat("-", 32))}, "CSRF token from the 'X-Csrftoken' HTTP header has invalid characters."},
		{"empty header", []reqOpt{cookie(tok), header(CSRFHeaderName, "")}, "CSRF token from the 'X-Csrftoken' HTTP header has incorrect length."},
		{"bad cookie", []reqOpt{cookie("short"), header(CSRFHeaderName, tok)}, "CSRF cookie has incorrect length."},
		{"bad cookie characters", []reqOpt{cookie(strings.Repeat("!", 32)), header(CSRFHeaderName, tok)}, "CSRF cookie has invalid characters."},
		{"another origin", []reqOpt{cookie(tok), header(CSRFHeaderName, tok), header("Origin", "https://evil.example")},
			"Origin checking failed - https://evil.example does not match any trusted origins."},
		{"https origin on http", []reqOpt{cookie(tok), header(CSRFHeaderName, tok), header("Origin", "https://127.0.0.1:"+e.port())},
			"Origin checking failed - https://127.0.0.1:" + e.port() + " does not match any trusted origins."},
		{"matching", []reqOpt{cookie(tok), header(CSRFHeaderName, tok)}, ""},
		{"same origin", []reqOpt{cookie(tok), header(CSRFHeaderName, tok), header("Origin", "http://127.0.0.1:"+e.port())}, ""},
		{"masked header", []reqOpt{cookie(tok), header(CSRFHeaderName, masked)}, ""},
		{"masked cookie", []reqOpt{cookie(masked), header(CSRFHeaderName, tok)}, ""},
		{"wrong masked header", []reqOpt{cookie(tok), header(CSRFHeaderName, maskCSRF(other, masked[:32]))}, "CSRF token from the 'X-Csrftoken' HTTP header incorrect."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.do("PATCH", "/api/users/@me/", patch, append([]reqOpt{asBareSession(s)}, c.opts...)...)
			if c.reason == "" {
				r.wantStatus(t, 200)
				return
			}
			r.wantError(t, 403, "authentication_error", "permission_denied", "CSRF Failed: "+c.reason, "")
		})
	}
	// The refused writes changed nothing; the accepted ones did.
	e.do("PATCH", "/api/users/@me/", map[string]any{"first_name": "Ada"}).wantStatus(t, 200)
	e.do("PATCH", "/api/users/@me/", patch, asBareSession(s)).wantStatus(t, 403)
	if got := e.do("GET", "/api/users/@me/", nil).get("first_name").String(); got != "Ada" {
		t.Fatalf("first_name after a refused write: %q", got)
	}
	// Every unsafe method is checked, on session-only routes too; safe methods are not.
	e.do("POST", e.orgPath("invites/"), map[string]any{"target_email": "x@example.com"}, asBareSession(s)).wantStatus(t, 403)
	e.do("DELETE", e.orgPath("invites/"+"00000000-0000-0000-0000-000000000000/"), nil, asBareSession(s)).wantStatus(t, 403)
	e.do("GET", e.orgPath("invites/"), nil, asBareSession(s)).wantStatus(t, 200)
	// Personal API keys are not cookies: no CSRF check, whatever else the request carries.
	e.do("PATCH", "/api/users/@me/", patch, header("Origin", "https://evil.example")).wantStatus(t, 200)
	// An unknown session is not authenticated: 401 before any CSRF check.
	e.do("PATCH", "/api/users/@me/", patch, asBareSession("nobody")).
		wantError(t, 401, "authentication_error", "not_authenticated", "Authentication credentials were not provided.", "")
}

func TestCSRFFormToken(t *testing.T) {
	e := newEnv(t)
	form := func(tok string) rawBody {
		return rawBody{"application/x-www-form-urlencoded", "target_email=form@example.com&csrfmiddlewaretoken=" + tok}
	}
	withCookie := func(r *http.Request) { r.AddCookie(&http.Cookie{Name: CSRFCookieName, Value: testCSRFToken}) }
	// A POST form's csrfmiddlewaretoken comes first; the header is the fallback.
	e.do("POST", e.orgPath("invites/"), form(strings.Repeat("Q", 32)), asBareSession(e.d.Session), withCookie, header(CSRFHeaderName, testCSRFToken)).
		wantError(t, 403, "authentication_error", "permission_denied", "CSRF Failed: CSRF token from POST incorrect.", "")
	e.do("POST", e.orgPath("invites/"), form("x"), asBareSession(e.d.Session), withCookie).
		wantError(t, 403, "authentication_error", "permission_denied", "CSRF Failed: CSRF token from POST has incorrect length.", "")
	e.do("POST", e.orgPath("invites/"), form(testCSRFToken), asBareSession(e.d.Session), withCookie).wantStatus(t, 201)
}

func TestCSRFCookieIsHandedToSessions(t *testing.T) {
	e := newEnv(t)
	csrfCookie := func(r *resp) *http.Cookie {
		for _, c := range (&http.Response{Header: r.Header}).Cookies() {
			if c.Name == CSRFCookieName {
				return c
			}
		}
		return nil
	}
	c := csrfCookie(e.do("GET", "/api/users/@me/", nil, asBareSession(e.d.Session)).wantStatus(t, 200))
	if c == nil || len(c.Value) != 32 || csrfFormatError(c.Value) != "" || c.HttpOnly || c.SameSite != http.SameSiteLaxMode ||
		c.MaxAge != 1209600 || c.Path != "/" || c.Secure {
		t.Fatalf("csrf cookie %+v", c)
	}
	// With it, the session writes.
	e.do("PATCH", "/api/users/@me/", map[string]any{"last_name": "L"}, asBareSession(e.d.Session),
		func(r *http.Request) { r.AddCookie(c) }, header(CSRFHeaderName, c.Value)).wantStatus(t, 200)
	// A session that holds a valid one, and a key, get none.
	if c := csrfCookie(e.do("GET", "/api/users/@me/", nil, asSession(e.d.Session))); c != nil {
		t.Errorf("a second cookie %+v", c)
	}
	if c := csrfCookie(e.do("GET", "/api/users/@me/", nil)); c != nil {
		t.Errorf("a key got a cookie %+v", c)
	}
}

// TestCSRFRefererOverHTTPS: without an Origin, an HTTPS request's Referer must be this
// server over https, as Django checks.
func TestCSRFRefererOverHTTPS(t *testing.T) {
	e := newEnv(t)
	ts := httptest.NewTLSServer(e.srv)
	t.Cleanup(ts.Close)
	client := ts.Client()
	host := strings.TrimPrefix(ts.URL, "https://")
	send := func(referer, origin string) (int, string) {
		req, _ := http.NewRequest("PATCH", ts.URL+"/api/users/@me/", strings.NewReader(`{"first_name":"T"}`))
		req.Header.Set("Content-Type", "application/json")
		asSession(e.d.Session)(req)
		if referer != "" {
			req.Header.Set("Referer", referer)
		}
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, gjson.GetBytes(b, "detail").String()
	}
	for _, c := range []struct {
		referer, origin string
		status          int
		detail          string
	}{
		{"", "", 403, "CSRF Failed: Referer checking failed - no Referer."},
		{"not a url", "", 403, "CSRF Failed: Referer checking failed - Referer is malformed."},
		{"http://" + host + "/", "", 403, "CSRF Failed: Referer checking failed - Referer is insecure while host is secure."},
		{"https://evil.example/x", "", 403, "CSRF Failed: Referer checking failed - https://evil.example/x does not match any trusted origins."},
		{"https://" + host + "/project/1", "", 200, ""},
		{"", "https://" + host, 200, ""}, // an Origin replaces the Referer check
		{"https://" + host + "/", "http://" + host, 403, "CSRF Failed: Origin checking failed - http://" + host + " does not match any trusted origins."},
	} {
		status, detail := send(c.referer, c.origin)
		if status != c.status || detail != c.detail {
			t.Errorf("Referer %q Origin %q → %d %q, want %d %q", c.referer, c.origin, status, detail, c.status, c.detail)
		}
	}
}

// TestUsersPreferTheSession: /api/users/ authenticates a session before a key (UserViewSet's
// own authentication_classes), so the session's CSRF check applies; elsewhere the key wins.
func TestUsersPreferTheSession(t *testing.T) {
	e := newEnv(t)
	both := func(r *http.Request) {
		r.AddCookie(&http.Cookie{Name: "sessionid", Value: e.d.Session})
		r.Header.Set("Authorization", "Bearer "+e.d.APIKey)
	}
	e.do("PATCH", "/api/users/@me/", map[string]any{"first_name": "S"}, both).
		wantError(t, 403, "authentication_error", "permission_denied", "CSRF Failed: CSRF cookie not set.", "")
	e.do("POST", e.orgPath("invites/"), map[string]any{"target_email": "k@example.com"}, both).wantStatus(t, 201)
	// With an unknown session the key authenticates, as the session authenticator steps aside.
	e.do("PATCH", "/api/users/@me/", map[string]any{"first_name": "K"}, func(r *http.Request) {
		r.AddCookie(&http.Cookie{Name: "sessionid", Value: "nobody"})
	}).wantStatus(t, 200)
}
