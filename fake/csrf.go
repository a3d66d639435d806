package fake

// PostHog's CSRF check for browser sessions. PostHog authenticates the API with DRF's
// SessionAuthentication (posthog/auth.py), whose enforce_csrf runs Django's CsrfViewMiddleware
// checks on every unsafe request a session cookie authenticates (never on personal API keys,
// which are not cookies): a refusal is DRF's PermissionDenied, 403
// {"type":"authentication_error","code":"permission_denied","detail":"CSRF Failed: <reason>"}.
// PostHog's settings (posthog/settings/web.py, access.py): the cookie is posthog_csrftoken
// (CSRF_COOKIE_NAME), the header X-CSRFToken (Django's default CSRF_HEADER_NAME), no
// CSRF_TRUSTED_ORIGINS. Django's rules (django/middleware/csrf.py, 4.1 and later):
//
//   - GET, HEAD, OPTIONS and TRACE are never checked;
//   - an Origin header must equal scheme://Host of the request;
//   - without Origin, an HTTPS request needs a Referer on https://Host;
//   - the posthog_csrftoken cookie must be set and well formed (32 or 64 letters and digits);
//   - the token comes from a POST form's csrfmiddlewaretoken field, else the X-CSRFToken
//     header; it must be well formed and match the cookie (a 64-character token is the masked
//     form of the 32-character secret).
//
// Django keeps no server-side state for this: any well-formed secret a client holds in its
// cookie and repeats in the header passes, so a client may make up its own. PostHog sets the
// cookie when its web app's pages load (and at login); fakehog serves no app page, so it sets
// it on the answer to a session's safe request (a GET) that arrives without a valid one.

import (
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/fakehog/fakehog/fake/store"
)

const (
	// CSRFCookieName is PostHog's CSRF_COOKIE_NAME.
	CSRFCookieName = "posthog_csrftoken"
	// CSRFHeaderName is the header a session's unsafe request repeats the cookie's token in.
	CSRFHeaderName = "X-CSRFToken"
	// csrfSecretLength and csrfTokenLength are Django's CSRF_SECRET_LENGTH and
	// CSRF_TOKEN_LENGTH (a masked token: a mask followed by the secret shifted by it).
	csrfSecretLength = 32
	csrfTokenLength  = 2 * csrfSecretLength
	// csrfAllowedChars is Django's CSRF_ALLOWED_CHARS, in its order (unmasking depends on it).
	csrfAllowedChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	// csrfCookieAge is PostHog's CSRF_COOKIE_AGE (its SESSION_COOKIE_AGE: two weeks).
	csrfCookieAge = 14 * 24 * 60 * 60
)

// csrfSafe reports whether Django's CSRF check lets the method through unchecked.
func csrfSafe(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return true
	}
	return false
}

// errCSRF is DRF's answer to a failed check.
func errCSRF(reason string) *store.Error {
	return store.Forbidden("CSRF Failed: " + reason)
}

// checkCSRF is enforce_csrf for a request a session authenticated: nil when it passes.
func (c *call) checkCSRF() error {
	r := c.r
	if csrfSafe(r.Method) {
		return nil
	}
	secure := r.TLS != nil
	if origin, ok := r.Header["Origin"]; ok {
		scheme := "http"
		if secure {
			scheme = "https"
		}
		o := ""
		if len(origin) > 0 {
			o = origin[0]
		}
		if o != scheme+"://"+r.Host {
			return errCSRF(fmt.Sprintf("Origin checking failed - %s does not match any trusted origins.", o))
		}
	} else if secure {
		if err := checkReferer(r); err != nil {
			return err
		}
	}
	secret, err := csrfCookieSecret(r)
	if err != nil {
		return err
	}
	token, source := "", ""
	if r.Method == http.MethodPost && c.body != nil && isFormRequest(r) {
		if v := c.body.json.Get("csrfmiddlewaretoken"); v.Exists() {
			token, source = v.String(), "POST"
		}
	}
	if token == "" {
		vals, ok := r.Header[http.CanonicalHeaderKey(CSRFHeaderName)]
		if !ok {
			return errCSRF("CSRF token missing.")
		}
		token, source = "", "the 'X-Csrftoken' HTTP header"
		if len(vals) > 0 {
			token = vals[0]
		}
	}
	if reason := csrfFormatError(token); reason != "" {
		return errCSRF(fmt.Sprintf("CSRF token from %s %s.", source, reason))
	}
	if len(token) == csrfTokenLength {
		token = unmaskCSRF(token)
	}
	if subtle.ConstantTimeCompare([]byte(token), []byte(secret)) != 1 {
		return errCSRF(fmt.Sprintf("CSRF token from %s incorrect.", source))
	}
	return nil
}

// checkReferer is Django's Referer check for HTTPS requests without an Origin header.
func checkReferer(r *http.Request) error {
	ref, ok := r.Header["Referer"]
	if !ok || len(ref) == 0 {
		return errCSRF("Referer checking failed - no Referer.")
	}
	u, err := url.Parse(ref[0])
	if err != nil || u.Scheme == "" || u.Host == "" {
		return errCSRF("Referer checking failed - Referer is malformed.")
	}
	if u.Scheme != "https" {
		return errCSRF("Referer checking failed - Referer is insecure while host is secure.")
	}
	if !strings.EqualFold(u.Host, r.Host) {
		return errCSRF(fmt.Sprintf("Referer checking failed - %s does not match any trusted origins.", ref[0]))
	}
	return nil
}

// csrfCookieSecret reads the secret the posthog_csrftoken cookie holds (unmasked).
func csrfCookieSecret(r *http.Request) (string, error) {
	ck, err := r.Cookie(CSRFCookieName)
	if err != nil {
		return "", errCSRF("CSRF cookie not set.")
	}
	if reason := csrfFormatError(ck.Value); reason != "" {
		return "", errCSRF("CSRF cookie " + reason + ".")
	}
	if len(ck.Value) == csrfTokenLength {
		return unmaskCSRF(ck.Value), nil
	}
	return ck.Value, nil
}

// csrfFormatError is Django's _check_token_format: "" for a well-formed token.
func csrfFormatError(token string) string {
	if len(token) != csrfSecretLength && len(token) != csrfTokenLength {
		return "has incorrect length"
	}
	for i := 0; i < len(token); i++ {
		if strings.IndexByte(csrfAllowedChars, token[i]) < 0 {
			return "has invalid characters"
		}
	}
	return ""
}

// unmaskCSRF is Django's _unmask_cipher_token: a well-formed 64-character token → its secret.
func unmaskCSRF(token string) string {
	mask, cipher := token[:csrfSecretLength], token[csrfSecretLength:]
	n := len(csrfAllowedChars)
	out := make([]byte, csrfSecretLength)
	for i := range out {
		x := strings.IndexByte(csrfAllowedChars, cipher[i])
		y := strings.IndexByte(csrfAllowedChars, mask[i])
		out[i] = csrfAllowedChars[((x-y)%n+n)%n]
	}
	return string(out)
}

// isFormRequest reports whether Django would read the body into request.POST.
func isFormRequest(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt == "application/x-www-form-urlencoded" || mt == "multipart/form-data"
}

// NewCSRFToken returns a fresh CSRF secret (32 letters and digits), as Django's
// _get_new_csrf_string makes one. It is random, not seeded: it is not part of the state.
func NewCSRFToken() string {
	out := make([]byte, 0, csrfSecretLength)
	buf := make([]byte, csrfSecretLength)
	for len(out) < csrfSecretLength {
		_, _ = rand.Read(buf)
		for _, b := range buf {
			// 248 = 4×62: bytes above it are dropped so that every character is equally likely.
			if b < 248 && len(out) < csrfSecretLength {
				out = append(out, csrfAllowedChars[int(b)%len(csrfAllowedChars)])
			}
		}
	}
	return string(out)
}

// ensureCSRFCookie gives a session that reads without a valid posthog_csrftoken cookie one,
// as loading PostHog's app does: the answer sets it (readable by scripts, SameSite=Lax, two
// weeks, Secure over TLS, as PostHog's CSRF_COOKIE_* settings have it).
func (c *call) ensureCSRFCookie() {
	if !csrfSafe(c.r.Method) {
		return
	}
	if ck, err := c.r.Cookie(CSRFCookieName); err == nil && csrfFormatError(ck.Value) == "" {
		return
	}
	http.SetCookie(c.w, &http.Cookie{Name: CSRFCookieName, Value: NewCSRFToken(), Path: "/", MaxAge: csrfCookieAge,
		SameSite: http.SameSiteLaxMode, Secure: c.r.TLS != nil})
}
