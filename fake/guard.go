package fake

// The guard in front of fakehog's own routes — /_fake/ and the console at / — against web
// pages: a developer's browser can reach a fake listening on loopback, and so can any page it
// opens. Before any of those routes runs (ServeHTTP calls guardAdmin), a request is refused
// with 403 in PostHog's error shape when:
//
//   - its Host is not loopback (localhost, 127.0.0.0/8, [::1]), nor the address the request
//     arrived on, nor a name given with WithAllowedHosts (-allowed-hosts): DNS rebinding, a
//     page of another site whose name now points at 127.0.0.1, reaches the fake under that
//     other name;
//   - it changes something (any method but GET, HEAD, OPTIONS, TRACE) and its Sec-Fetch-Site
//     says another site, or its Origin is not this server: a page of another site posting
//     here;
//   - it changes something from a browser (it carries Origin or Sec-Fetch-Site) without the
//     console's token (X-Fakehog-Console-Token, which only the console's pages hold) or the
//     admin token.
//
// And a change must send its body as JSON (YAML too for POST /_fake/scenario), else 415: a
// plain HTML form cannot. /_fake/health is exempt (health checks reach it by any name). The
// PostHog API paths are not guarded here: they answer any Host, as PostHog does, and protect
// browser sessions with PostHog's own CSRF check (csrf.go).
//
// Requests that did not arrive through a network connection (a handler called directly,
// httptestutil's in-memory transport) carry no local address and skip the Host check: no
// browser can send them.

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/fakehog/fakehog/fake/store"
)

// ConsoleTokenHeader carries the console's token: the console's pages hand it to their
// scripts, which send it with every change they make.
const ConsoleTokenHeader = "X-Fakehog-Console-Token"

// WithAllowedHosts adds names the /_fake/ routes and the console answer to, besides loopback
// and the address a request arrives on (as cmd/fakehog's -allowed-hosts does): a name
// ("fakehog", matched with any port), a name with a port ("fakehog:8010", matched exactly),
// a leading dot for a domain and its subdomains (".example.test"), or "*" for any Host (the
// DNS rebinding guard off). The PostHog API paths answer any Host regardless. Options add up.
func WithAllowedHosts(hosts ...string) Option {
	return func(c *config) {
		for _, h := range hosts {
			if h = strings.ToLower(strings.TrimSpace(h)); h != "" {
				c.allowedHosts = append(c.allowedHosts, h)
			}
		}
	}
}

// guardAdmin applies the guard to a request for /_fake/ or the console; it answers the
// request itself and reports false when the request is refused.
func (s *Server) guardAdmin(w http.ResponseWriter, r *http.Request) bool {
	p := r.URL.Path
	if p == "/_fake/health" || p == "/_fake/health/" {
		return true
	}
	err := s.checkHost(r)
	if err == nil && !csrfSafe(r.Method) {
		if err = checkSameSite(r); err == nil {
			if err = s.checkConsoleToken(r); err == nil {
				err = checkAdminMedia(r, p)
			}
		}
	}
	if err != nil {
		w.Header().Set("Cache-Control", "no-store")
		s.writeError(w, r, err)
		return false
	}
	return true
}

// checkHost is the DNS rebinding guard.
func (s *Server) checkHost(r *http.Request) error {
	local, fromNetwork := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if !fromNetwork || r.Host == "" {
		return nil // not from a browser: no network connection, or no Host at all (HTTP/1.0)
	}
	hostport := strings.ToLower(r.Host)
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.Trim(host, "[]"), ".")
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil {
		if ip.IsLoopback() {
			return nil
		}
		if ta, ok := local.(*net.TCPAddr); ok && ta.IP.Equal(ip) {
			return nil // the address the server was reached on
		}
	}
	for _, a := range s.allowedHosts {
		switch {
		case a == "*", a == host, a == hostport:
			return nil
		case strings.HasPrefix(a, ".") && (host == a[1:] || strings.HasSuffix(host, a)):
			return nil
		}
	}
	return &store.Error{Status: http.StatusForbidden, Type: "authentication_error", Code: "host_not_allowed",
		Detail: fmt.Sprintf("Host %q may not reach fakehog's control routes and console (a guard against DNS rebinding: "+
			"they answer loopback names and addresses and the address they are reached on). To reach them by this name, "+
			"start fakehog with -allowed-hosts %s (or FAKEHOG_ALLOWED_HOSTS=%s; in Go, fake.WithAllowedHosts). "+
			"The PostHog API paths answer any Host.", r.Host, host, host)}
}

// checkSameSite refuses a change a page of another site sends: its Sec-Fetch-Site (sent by
// every current browser) or else its Origin says so.
func checkSameSite(r *http.Request) error {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		return errCrossSite(fmt.Sprintf("the request comes from another site (Sec-Fetch-Site: %s)", site))
	}
	if origin, ok := r.Header["Origin"]; ok {
		o := ""
		if len(origin) > 0 {
			o = origin[0]
		}
		u, err := url.Parse(o)
		if o == "null" || err != nil || u.Host == "" || !strings.EqualFold(u.Host, r.Host) {
			return errCrossSite(fmt.Sprintf("the request comes from another origin (Origin: %s, not this server's %s)", o, r.Host))
		}
	}
	return nil
}

func errCrossSite(why string) *store.Error {
	return &store.Error{Status: http.StatusForbidden, Type: "authentication_error", Code: "cross_site_request",
		Detail: "Cross-site request refused: " + why + ". fakehog's control routes and console take changes only from " +
			"the console itself or from clients that are not browsers (curl, test code)."}
}

// checkConsoleToken requires a change a browser sends (it carries Origin or Sec-Fetch-Site)
// to hold the console's token, or the admin token.
func (s *Server) checkConsoleToken(r *http.Request) error {
	if r.Header.Get("Origin") == "" && r.Header.Get("Sec-Fetch-Site") == "" {
		return nil
	}
	got := r.Header.Get(ConsoleTokenHeader)
	if got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(s.consoleToken)) == 1 {
		return nil
	}
	if s.adminToken != "" && s.checkAdminToken(r) == nil {
		return nil
	}
	return &store.Error{Status: http.StatusForbidden, Type: "authentication_error", Code: "console_token_missing",
		Detail: "A change a browser sends to fakehog's control routes must come from fakehog's console, which sends " +
			ConsoleTokenHeader + " (reload the console page if fakehog was restarted)."}
}

// checkAdminMedia refuses a change whose body is not declared as JSON (or YAML, for the
// scenario route): 415, as DRF answers an unsupported media type, with what to send.
func checkAdminMedia(r *http.Request, path string) error {
	ct := r.Header.Get("Content-Type")
	if ct == "" && (r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0) {
		return nil // no body (POST /_fake/reset, DELETE ...)
	}
	mt, _, _ := mime.ParseMediaType(ct)
	if mt == "application/json" || strings.HasSuffix(mt, "+json") || (isScenarioPath(path) && isYAMLMedia(mt)) {
		return nil
	}
	want := "application/json"
	if isScenarioPath(path) {
		want += " (or application/yaml for a scenario document)"
	}
	return &store.Error{Status: http.StatusUnsupportedMediaType, Type: "invalid_request", Code: "unsupported_media_type",
		Detail: fmt.Sprintf("Unsupported media type %q in request. fakehog's control routes take %s: "+
			"send Content-Type: application/json (curl --json '{...}').", ct, want)}
}

func isScenarioPath(p string) bool { return p == "/_fake/scenario" || p == "/_fake/scenario/" }

// isYAMLMedia reports whether a media type names YAML (RFC 9512 and the older spellings).
func isYAMLMedia(mt string) bool {
	switch mt {
	case "application/yaml", "text/yaml", "application/x-yaml", "text/x-yaml":
		return true
	}
	return false
}

// readScenarioSpec reads the body of POST /_fake/scenario: JSON ({"name": ...} or
// {"yaml": ...}), or a scenario document sent as YAML, read as {"yaml": <the body>}.
func (s *Server) readScenarioSpec(r *http.Request) (json.RawMessage, error) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if !isYAMLMedia(mt) {
		var spec json.RawMessage
		err := s.readAdminJSON(r, &spec)
		return spec, err
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, s.maxBodyBytes+1))
	if err != nil {
		return nil, errParse("Could not read the request body.")
	}
	if int64(len(data)) > s.maxBodyBytes {
		return nil, errTooLarge(s.maxBodyBytes)
	}
	if strings.TrimSpace(string(data)) == "" {
		return nil, store.Invalid("A scenario document is required.")
	}
	return json.Marshal(map[string]string{"yaml": string(data)})
}
