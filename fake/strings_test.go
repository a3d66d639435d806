package fake

import (
	"fmt"
	"strings"
	"testing"

	"github.com/fakehog/fakehog/fake/store"
)

// TestStringsPostHogRefuses: every string field (DRF's CharField and EmailField) refuses a
// NUL character and a lone UTF-16 surrogate, after its length rules and before its own
// checks, with DRF's codes and messages; a refused write changes nothing. A lone surrogate
// arrives as a JSON "\ud800" escape, which Go's decoders turn into U+FFFD, so the rule reads
// the escape itself.
func TestStringsPostHogRefuses(t *testing.T) {
	// Each family's write, with %s where the tainted JSON string's content goes.
	writes := []struct {
		name, method, path, body, attr string
		count                          string // GET path whose "count" must not change ("" = none)
	}{
		{"organization name", "PATCH", "", `{"name": "%s"}`, "name", ""},
		{"role name", "POST", "roles/", `{"name": "%s"}`, "name", "roles/"},
		{"project name", "POST", "projects/", `{"name": "%s"}`, "name", "projects/"},
		{"invite email", "POST", "invites/", `{"target_email": "%s@example.com"}`, "target_email", "invites/"},
		{"invite first name", "POST", "invites/", `{"target_email": "ada@example.com", "first_name": "%s"}`, "first_name", "invites/"},
		{"proxy record domain", "POST", "proxy_records/", `{"domain": "%s.example.com"}`, "domain", ""},
		{"CIMD token label", "POST", "cimd_verification_tokens/", `{"label": "%s", "cimd_url": "https://p.example.com/c.json"}`, "label", "cimd_verification_tokens/"},
		{"CIMD token URL", "POST", "cimd_verification_tokens/", `{"label": "l", "cimd_url": "https://p.example.com/%s"}`, "cimd_url", "cimd_verification_tokens/"},
		{"domain", "POST", "domains/", `{"domain": "%s.example.com"}`, "domain", "domains/"},
	}
	taints := []struct {
		name, text, code, detail string
	}{
		{"NUL", `a\u0000b`, "null_characters_not_allowed", store.MsgNullCharacters},
		{"lone high surrogate", `a\ud800b`, "surrogate_characters_not_allowed", "Surrogate characters are not allowed: U+D800."},
		{"lone low surrogate", `\udfffz`, "surrogate_characters_not_allowed", "Surrogate characters are not allowed: U+DFFF."},
		{"reversed pair", `x\ude00\ud83d`, "surrogate_characters_not_allowed", "Surrogate characters are not allowed: U+DE00."},
		{"high then another escape", `x\udbff\u0041`, "surrogate_characters_not_allowed", "Surrogate characters are not allowed: U+DBFF."},
		{"both, NUL first", `\ud800\u0000`, "null_characters_not_allowed", store.MsgNullCharacters},
	}
	e := newEnv(t)
	for _, w := range writes {
		for _, tt := range taints {
			t.Run(w.name+"/"+tt.name, func(t *testing.T) {
				before := ""
				if w.count != "" {
					before = e.do("GET", e.orgPath(w.count), nil).get("count").Raw
				}
				name := e.do("GET", e.orgPath(""), nil).get("name").String()
				e.do(w.method, e.orgPath(w.path), fmt.Sprintf(w.body, tt.text)).
					wantError(t, 400, "validation_error", tt.code, tt.detail, w.attr)
				if w.count != "" {
					if after := e.do("GET", e.orgPath(w.count), nil).get("count").Raw; after != before {
						t.Fatalf("a refused write changed the count: %s → %s", before, after)
					}
				}
				if got := e.do("GET", e.orgPath(""), nil).get("name").String(); got != name {
					t.Fatalf("organization name changed to %q", got)
				}
			})
		}
	}
	// Escaped backslashes are not escapes, a valid pair is one character, and the length
	// rule comes first.
	for _, ok := range []string{`\\ud800`, `\ud83d\ude00`, `\\\\u0000`, "\uFFFD"} {
		e.do("POST", e.orgPath("roles/"), fmt.Sprintf(`{"name": "fine %s"}`, ok)).wantStatus(t, 201)
	}
	if r := e.do("POST", e.orgPath("roles/"), `{"name": "emoji \ud83d\ude00"}`).wantStatus(t, 201); r.get("name").String() != "emoji 😀" {
		t.Fatalf("name = %q", r.get("name").String())
	}
	e.do("POST", e.orgPath("roles/"), `{"name": "`+strings.Repeat("r", 200)+`\u0000"}`).
		wantError(t, 400, "validation_error", "max_length", store.MsgMaxLen(200), "name")
	// Form bodies and PATCH go through the same rule.
	e.do("PATCH", e.orgPath(""), rawBody{"application/x-www-form-urlencoded", "name=a%00b"}).
		wantError(t, 400, "validation_error", "null_characters_not_allowed", store.MsgNullCharacters, "name")
	role := e.do("POST", e.orgPath("roles/"), `{"name": "Kept"}`).wantStatus(t, 201).get("id").String()
	e.do("PATCH", e.orgPath("roles/"+role+"/"), `{"name": "K\ud800"}`).
		wantError(t, 400, "validation_error", "surrogate_characters_not_allowed", "Surrogate characters are not allowed: U+D800.", "name")
	if n := e.do("GET", e.orgPath("roles/"+role+"/"), nil).get("name").String(); n != "Kept" {
		t.Fatalf("refused PATCH changed the role's name to %q", n)
	}
}
