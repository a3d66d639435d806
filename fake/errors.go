package fake

// Error answers: writeError, the only place an error body is written, and the errors the
// pipeline itself raises (405, bad keys, media types, parse errors, sizes).

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/fakehog/fakehog/fake/store"
)

// errorBody is PostHog's flattened DRF error: {"type","code","detail","attr"}.
type errorBody struct {
	Type   string  `json:"type"`
	Code   string  `json:"code"`
	Detail string  `json:"detail"`
	Attr   *string `json:"attr"`
}

// writeError is the one place error responses are written. Every handler, middleware
// and the router hand it a typed *store.Error; anything else is a bug and answers 500 with
// PostHog's server_error body.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var e *store.Error
	if !errors.As(err, &e) {
		s.logger.Error("unexpected error", "method", r.Method, "path", r.URL.Path, "err", err)
		e = errServer
	}
	if e.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer resource_metadata="%s/.well-known/oauth-protected-resource"`, siteURL(r)))
	}
	if e.Empty {
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(e.Status)
		return
	}
	if e.Body != nil {
		writeJSON(w, e.Status, e.Body)
		return
	}
	body := errorBody{Type: e.Type, Code: e.Code, Detail: e.Detail}
	if e.Attr != "" {
		attr := e.Attr
		body.Attr = &attr
	}
	writeJSON(w, e.Status, body)
}

// Errors of the HTTP layer itself.
var (
	errEndpointNotFound = store.NotFound("Endpoint not found.")
	// errServer is PostHog's answer to an unhandled exception.
	errServer           = &store.Error{Status: 500, Type: "server_error", Code: "error", Detail: "A server error occurred."}
	errNotAuthenticated = &store.Error{Status: 401, Type: "authentication_error", Code: "not_authenticated", Detail: "Authentication credentials were not provided."}
	// errNoPAKAccess is APIScopePermission's refusal of a token for an operation without
	// required scopes (posthog/permissions.py; "personal" in lower case since PostHog's newest).
	errNoPAKAccess = store.Forbidden("This action does not support personal API key access")
)

func errMethodNotAllowed(method string) *store.Error {
	return &store.Error{Status: 405, Type: "invalid_request", Code: "method_not_allowed", Detail: fmt.Sprintf("Method %q not allowed.", method)}
}

func errInvalidKey(where string) *store.Error {
	return &store.Error{Status: 401, Type: "authentication_error", Code: "authentication_failed",
		Detail: fmt.Sprintf("Personal API key found in request %s is invalid.", where)}
}

func errUnsupportedMedia(ct string) *store.Error {
	return &store.Error{Status: 415, Type: "invalid_request", Code: "unsupported_media_type", Detail: fmt.Sprintf("Unsupported media type %q in request.", ct)}
}

func errParse(detail string) *store.Error {
	return &store.Error{Status: 400, Type: "invalid_request", Code: "parse_error", Detail: detail}
}

func errTooLarge(limit int64) *store.Error {
	return &store.Error{Status: 413, Type: "invalid_request", Code: "request_too_large", Detail: fmt.Sprintf("Request body exceeds the maximum size of %d bytes.", limit)}
}

// errThrottled is DRF's 429 (the Retry-After header is set by the caller).
func errThrottled(seconds int) *store.Error {
	unit := "seconds" // DRF's ngettext
	if seconds == 1 {
		unit = "second"
	}
	return &store.Error{Status: 429, Type: "throttled_error", Code: "throttled", Detail: fmt.Sprintf("Request was throttled. Expected available in %d %s.", seconds, unit)}
}
