package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestMaxImportBytes: -max-import-bytes (FAKEHOG_MAX_IMPORT_BYTES) bounds PUT
// /_fake/snapshot, and a value that is not a positive number stops the start.
func TestMaxImportBytes(t *testing.T) {
	t.Setenv("FAKEHOG_MAX_IMPORT_BYTES", "not used: the flag wins")
	base, _ := start(t, "-max-import-bytes", "100")
	req, _ := http.NewRequest(http.MethodPut, base+"/_fake/snapshot", strings.NewReader(`{"$format":1,"state":{"x":"`+strings.Repeat("a", 200)+`"}}`))
	req.Header.Set("Content-Type", "application/json") // the control routes take JSON only
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 413 || !strings.Contains(string(body), "limited to 100 bytes") {
		t.Fatalf("PUT /_fake/snapshot over the limit → %d %s", res.StatusCode, body)
	}
	for _, bad := range []string{"0", "-5", "lots"} {
		err := run(context.Background(), []string{"-addr", "127.0.0.1:0", "-max-import-bytes", bad}, io.Discard, nil)
		if err == nil || !strings.Contains(err.Error(), "-max-import-bytes") {
			t.Errorf("-max-import-bytes %s: %v", bad, err)
		}
	}
}
