package store

// The typed *store.Error (PostHog's error body) and its constructors.

import "fmt"

// Error is a typed API error. Every failure the store or the HTTP layer reports is an
// *Error; one function in package fake turns it into PostHog's response body
// {"type","code","detail","attr"} (or Body, for the few endpoints that answer with a
// hand-made body) with Status.
type Error struct {
	Status int    // HTTP status
	Type   string // validation_error, authentication_error, invalid_request, throttled_error, server_error
	Code   string // DRF error code (required, blank, permission_denied, not_found, ...)
	Detail string // the human message
	Attr   string // field name for field errors; "" means null
	// Body, when set, replaces the standard error body (PostHog's hand-made
	// {"detail": ...} and {"error": ...} answers).
	Body map[string]any
	// Empty answers the status with no body at all (DRF's Response(status=...)).
	Empty bool
}

func (e *Error) Error() string {
	if e.Attr != "" {
		return fmt.Sprintf("%d %s %s: %s (%s)", e.Status, e.Type, e.Code, e.Detail, e.Attr)
	}
	return fmt.Sprintf("%d %s %s: %s", e.Status, e.Type, e.Code, e.Detail)
}

// FieldError is a 400 validation error on one field (attr), e.g. code "required".
func FieldError(attr, code, detail string) *Error {
	return &Error{Status: 400, Type: "validation_error", Code: code, Detail: detail, Attr: attr}
}

// Invalid is a 400 non-field validation error (DRF's ValidationError("msg"), code invalid_input).
func Invalid(detail string) *Error {
	return &Error{Status: 400, Type: "validation_error", Code: "invalid_input", Detail: detail}
}

// InvalidCode is a 400 non-field validation error with a specific code.
func InvalidCode(code, detail string) *Error {
	return &Error{Status: 400, Type: "validation_error", Code: code, Detail: detail}
}

// Forbidden is a 403 permission_denied error with the given message.
func Forbidden(detail string) *Error {
	return &Error{Status: 403, Type: "authentication_error", Code: "permission_denied", Detail: detail}
}

// NotFound is a 404 with the given message ("Not found." is DRF's default).
func NotFound(detail string) *Error {
	return &Error{Status: 404, Type: "invalid_request", Code: "not_found", Detail: detail}
}

// Conflict is PostHog's custom 409 (reported with type server_error).
func Conflict(detail string) *Error {
	return &Error{Status: 409, Type: "server_error", Code: "conflict", Detail: detail}
}

// EmptyBody is an error answered with its status and no body, as a view returning DRF's
// Response(status=...) answers (no content, no Content-Type).
func EmptyBody(status int) *Error {
	return &Error{Status: status, Empty: true}
}

// HandMade is an error answered with a non-standard body, e.g. {"detail": "..."}.
func HandMade(status int, body map[string]any) *Error {
	detail, _ := body["detail"].(string)
	if detail == "" {
		detail, _ = body["error"].(string)
	}
	return &Error{Status: status, Type: "validation_error", Code: "invalid_input", Detail: detail, Body: body}
}

// Messages PostHog answers with in more than one place.
const (
	MsgNotFound           = "Not found."
	MsgNoPermission       = "You do not have permission to perform this action."
	MsgAccessInsufficient = "Your organization access level is insufficient."
	MsgNoAdminAccess      = "You do not have admin access to this resource."
	MsgOrgNotFound        = "Organization not found."
)

// ErrNotFound is the plain 404 "Not found.".
func ErrNotFound() *Error { return NotFound(MsgNotFound) }
