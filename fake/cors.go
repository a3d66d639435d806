package fake

import (
	"net/http"
	"net/url"
	"strings"
)

// CORS as PostHog answers it: django-cors-headers with CORS_ORIGIN_ALLOW_ALL and
// CORS_ALLOW_CREDENTIALS (posthog/settings/access.py), CORS_URLS_REGEX and CORS_ALLOW_HEADERS
// (posthog/settings/web.py). Every origin is allowed and echoed back with credentials; a
// preflight (OPTIONS with Access-Control-Request-Method) is answered 200 with an empty body by
// the middleware, before authentication and routing.

// corsURLs is PostHog's CORS_URLS_REGEX (the parts that concern paths fakehog could serve).
// corsEnabled says the same without a regexp match per request (TestCORSPathsMatchRegex).
const corsURLs = `^(/api/(?:early_access_features|surveys|web_experiments)|/api/)`

// corsAllowHeaders is django-cors-headers' default_headers followed by PostHog's
// CORS_ALLOWED_TRACING_HEADERS, in that order.
const corsAllowHeaders = "accept, authorization, content-type, user-agent, x-csrftoken, x-requested-with, " +
	"traceparent, request-id, request-context, x-amzn-trace-id, x-cloud-trace-context, Sentry-Trace, Baggage, " +
	"x-highlight-request, x-datadome-clientid, x-posthog-token, x-b3-sampled, x-b3-spanid, x-b3-traceid, " +
	"x-b3-parentspanid, b3"

// varyOrigin is the Vary header every CORS answer carries, shared rather than allocated
// per request, as jsonContentType is (a full slice is never appended to in place).
var varyOrigin = []string{"origin"}

// corsAllowMethods is django-cors-headers' default_methods.
const corsAllowMethods = "DELETE, GET, OPTIONS, PATCH, POST, PUT"

// corsEnabled reports whether CORS_URLS_REGEX's group is "/api/" for the path: the path is
// under /api/ but not under one of the three public APIs the regex names first.
func corsEnabled(path string) bool {
	rest, ok := strings.CutPrefix(path, "/api/")
	if !ok {
		return false
	}
	for _, public := range [...]string{"early_access_features", "surveys", "web_experiments"} {
		if strings.HasPrefix(rest, public) {
			return false
		}
	}
	return true
}

// cors adds the CORS headers to w for a request to path, and answers a preflight (reporting
// true) as the middleware does.
func cors(w http.ResponseWriter, r *http.Request, path string) bool {
	if !corsEnabled(path) {
		return false
	}
	h := w.Header()
	if vary, ok := h["Vary"]; ok {
		h["Vary"] = append(vary, "origin")
	} else {
		h["Vary"] = varyOrigin
	}
	preflight := r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
	origin := r.Header.Get("Origin")
	if origin != "" {
		if _, err := url.Parse(origin); err == nil {
			h.Set("Access-Control-Allow-Origin", origin)
			h.Set("Access-Control-Allow-Credentials", "true")
			if r.Method == http.MethodOptions {
				h.Set("Access-Control-Allow-Headers", corsAllowHeaders)
				h.Set("Access-Control-Allow-Methods", corsAllowMethods)
				h.Set("Access-Control-Max-Age", "86400")
			}
		}
	}
	if !preflight {
		return false
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
	return true
}
