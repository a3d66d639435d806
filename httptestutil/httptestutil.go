// Package httptestutil starts a fakehog server for a test in one line:
//
//	srv := httptestutil.NewServer(t)
//	resp, err := srv.Client().Get(srv.URL + "/api/organizations/")
//
// The server holds the default world, is closed by t.Cleanup, and its clients already send
// the default owner's credentials.
package httptestutil

import (
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/fakehog/fakehog/fake"
)

// Server is a running fakehog for one test.
type Server struct {
	// URL is the base URL, e.g. http://127.0.0.1:38561 (no trailing slash).
	URL string
	// APIKey is the default owner's personal API key (scope "*").
	APIKey string
	// Session is the default owner's session cookie value (Cookie: sessionid=...).
	Session string
	// Fake is the underlying server, for direct store access.
	Fake *fake.Server

	ts *httptest.Server
}

// NewServer starts a fakehog server for t with the given options (see package fake's
// With... options) and closes it when the test ends.
func NewServer(t testing.TB, opts ...fake.Option) *Server {
	t.Helper()
	f, err := fake.New(opts...)
	if err != nil {
		t.Fatalf("httptestutil: starting fakehog: %v", err)
	}
	ts := httptest.NewServer(f)
	t.Cleanup(ts.Close)
	d := f.Defaults()
	return &Server{URL: ts.URL, APIKey: d.APIKey, Session: d.Session, Fake: f, ts: ts}
}

// Client returns an *http.Client that sends the default owner's personal API key.
func (s *Server) Client() *http.Client { return s.ClientWithKey(s.APIKey) }

// ClientWithKey returns an *http.Client that sends the given personal API key.
func (s *Server) ClientWithKey(key string) *http.Client {
	return &http.Client{Transport: &bearer{key: key, next: s.ts.Client().Transport}}
}

// SessionClient returns an *http.Client that sends the default owner's session cookie, for
// the operations PostHog serves only to a logged-in session.
func (s *Server) SessionClient() *http.Client { return s.ClientWithSession(s.Session) }

// ClientWithSession returns an *http.Client that sends the given session cookie value.
func (s *Server) ClientWithSession(value string) *http.Client {
	jar, _ := cookiejar.New(nil)
	u, _ := url.Parse(s.URL)
	jar.SetCookies(u, []*http.Cookie{{Name: "sessionid", Value: value, Path: "/"}})
	return &http.Client{Jar: jar, Transport: s.ts.Client().Transport}
}

// bearer adds Authorization: Bearer <key> to every request.
type bearer struct {
	key  string
	next http.RoundTripper
}

func (b *bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r2 := r.Clone(r.Context())
	r2.Header.Set("Authorization", "Bearer "+b.key)
	return b.next.RoundTrip(r2)
}
