package fake

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tidwall/gjson"
)

// FuzzWriteBody throws arbitrary bytes, under each content type, at the create and update
// handlers. Whatever arrives, the answer is never a 5xx, and every error is PostHog's body.
// Findings go to testdata/fuzz/FuzzWriteBody and stay as regression cases.
func FuzzWriteBody(f *testing.F) {
	srv, err := New(WithSeed(1))
	if err != nil {
		f.Fatal(err)
	}
	d := srv.Defaults()
	org := "/api/organizations/" + d.OrganizationID + "/"
	targets := []struct{ method, path string }{
		{"POST", "/api/organizations/"},
		{"PATCH", "/api/organizations/@current/"},
		{"POST", org + "invites/"},
		{"POST", org + "invites/bulk/"},
		{"POST", org + "projects/"},
		{"PATCH", org + "projects/@current/"},
		{"PATCH", org + "members/@me/"},
		{"POST", org + "domains/"},
		{"POST", org + "roles/"},
		{"POST", org + "batch_exports/"},
		{"POST", org + "plugins/"},
		{"POST", org + "proxy_records/"},
		{"POST", org + "cimd_verification_tokens/"},
		{"POST", org + "legal_documents/"},
	}
	contentTypes := []string{"application/json", "application/x-www-form-urlencoded", "multipart/form-data; boundary=b", "text/plain", ""}
	for i := range targets {
		f.Add(uint8(i), uint8(0), []byte(`{"name":"x","target_email":"a@b.co","level":8}`))
	}
	f.Add(uint8(3), uint8(0), []byte(`[{"target_email":"a@b.co"},{"target_email":7}]`))
	f.Add(uint8(1), uint8(1), []byte(`name=x&name=y&is_member_join_email_enabled=on`))
	f.Add(uint8(2), uint8(2), []byte("--b\r\nContent-Disposition: form-data; name=\"target_email\"\r\n\r\nz@z.io\r\n--b--\r\n"))
	f.Fuzz(func(t *testing.T, target, ct uint8, body []byte) {
		tg := targets[int(target)%len(targets)]
		req := httptest.NewRequest(tg.method, tg.path, bytes.NewReader(body))
		if c := contentTypes[int(ct)%len(contentTypes)]; c != "" {
			req.Header.Set("Content-Type", c)
		}
		asSession(d.Session)(req)
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, req)
		if w.Code >= 500 && w.Code != http.StatusNotImplemented {
			t.Fatalf("%s %s → %d: %s", tg.method, tg.path, w.Code, w.Body.String())
		}
		if w.Code >= 400 {
			res := gjson.Parse(w.Body.String())
			if !res.IsObject() || !(res.Get("detail").Exists() || res.Get("error").Exists() || len(res.Map()) == 1) {
				t.Fatalf("%s %s → %d: not an error body: %s", tg.method, tg.path, w.Code, w.Body.String())
			}
		}
		if w.Code < 300 && w.Body.Len() > 0 && !gjson.Valid(w.Body.String()) && !strings.Contains(w.Header().Get("Content-Type"), "json") {
			t.Fatalf("success body is not JSON: %q", w.Body.String())
		}
	})
}
