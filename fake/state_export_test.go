package fake

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/fakehog/fakehog/fake/store"
	"github.com/tidwall/gjson"
)

// TestStateExportRoundTrip: an export imported into another server gives the same export
// (canonical bytes) and the same API answers, and the random source continues in step.
func TestStateExportRoundTrip(t *testing.T) {
	a := newEnv(t)
	a.addMember(a.d.OrganizationID, store.LevelAdmin, "ann@example.com")
	a.do("POST", a.orgPath("invites/"), map[string]any{"target_email": "inv@example.com", "level": 8}).wantStatus(t, 201)
	a.do("POST", a.orgPath("projects/"), map[string]any{"name": "Second"}).wantStatus(t, 201)
	a.do("PATCH", a.orgPath("projects/"+itoa(a.d.ProjectID)+"/"), map[string]any{"app_urls": []string{"https://a.example"}, "week_start_day": 1}).wantStatus(t, 200)
	a.do("POST", a.orgPath("domains/"), map[string]any{"domain": "export.example.com"}).wantStatus(t, 201)
	a.do("POST", a.orgPath("cimd_verification_tokens/"), map[string]any{"label": "x", "cimd_url": partnerURL}).wantStatus(t, 201)

	first, err := a.srv.ExportState()
	if err != nil {
		t.Fatal(err)
	}
	again, _ := a.srv.ExportState()
	if !bytes.Equal(first, again) {
		t.Fatal("two exports of one state differ")
	}
	b := newEnv(t, WithSeed(99))
	if err := b.srv.ImportState(first); err != nil {
		t.Fatal(err)
	}
	second, err := b.srv.ExportState()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first, second) {
		t.Fatalf("export after import differs:\n%s\n%s", truncate(first), truncate(second))
	}
	for _, p := range []string{"", "members/", "invites/", "projects/", "domains/", "cimd_verification_tokens/"} {
		ra := a.do("GET", "/api/organizations/"+a.d.OrganizationID+"/"+p, nil, asSession(a.d.Session))
		rb := b.do("GET", "/api/organizations/"+a.d.OrganizationID+"/"+p, nil, asSession(a.d.Session))
		ba := strings.ReplaceAll(string(ra.Body), a.ts.URL, "")
		bb := strings.ReplaceAll(string(rb.Body), b.ts.URL, "")
		if ra.Status != rb.Status || ba != bb {
			t.Errorf("GET %s differs after import:\n%s\n%s", p, truncate([]byte(ba)), truncate([]byte(bb)))
		}
	}
	// Both continue identically: the next generated ids and tokens match.
	ia := a.do("POST", a.orgPath("invites/"), map[string]any{"target_email": "next@example.com"}).wantStatus(t, 201)
	ib := b.do("POST", "/api/organizations/"+a.d.OrganizationID+"/invites/", map[string]any{"target_email": "next@example.com"}, asKey(a.d.APIKey)).wantStatus(t, 201)
	if ia.get("id").String() != ib.get("id").String() {
		t.Errorf("the random source is not in step after import: %s vs %s", ia.get("id"), ib.get("id"))
	}
	// Shared records stay shared: a change through one index shows through the others.
	b.do("PATCH", "/api/organizations/"+a.d.OrganizationID+"/", map[string]any{"name": "Renamed"}, asKey(a.d.APIKey)).wantStatus(t, 200)
	if n := b.do("GET", "/api/organizations/", nil, asKey(a.d.APIKey)).get("results.0.name").String(); n != "Renamed" {
		t.Errorf("list shows %q after a rename through the detail route", n)
	}
}

func TestStateImportRefusesGarbage(t *testing.T) {
	e := newEnv(t)
	before, _ := e.srv.ExportState()
	for _, bad := range []string{`{`, `[]`, `{"users":{"1":{"$ref":77}}}`, `{"nextUserID":"x"}`} {
		if err := e.srv.ImportState([]byte(bad)); err == nil {
			t.Errorf("import of %s succeeded", bad)
		}
	}
	after, _ := e.srv.ExportState()
	if !bytes.Equal(before, after) {
		t.Fatal("a refused import changed the state")
	}
}

func TestSnapshotOverHTTP(t *testing.T) {
	e := newEnv(t)
	get := func() []byte {
		res, err := http.Get(e.ts.URL + "/_fake/snapshot")
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		if res.StatusCode != 200 {
			t.Fatalf("GET /_fake/snapshot → %d", res.StatusCode)
		}
		b, _ := io.ReadAll(res.Body)
		return b
	}
	saved := get()
	e.do("POST", e.orgPath("invites/"), map[string]any{"target_email": "gone@example.com"}).wantStatus(t, 201)
	req, _ := http.NewRequest("PUT", e.ts.URL+"/_fake/snapshot", bytes.NewReader(saved))
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("PUT /_fake/snapshot: %v %v", err, res.Status)
	}
	res.Body.Close()
	if !bytes.Equal(get(), saved) {
		t.Fatal("export after import differs from what was imported")
	}
	if n := e.do("GET", e.orgPath("invites/"), nil).get("count").Int(); n != 0 {
		t.Fatalf("invites after import = %d, want 0", n)
	}
	req, _ = http.NewRequest("PUT", e.ts.URL+"/_fake/snapshot", strings.NewReader(`{"orgs": 5}`))
	req.Header.Set("Content-Type", "application/json")
	res, _ = http.DefaultClient.Do(req)
	if res.StatusCode != 400 {
		t.Fatalf("garbage import → %d, want 400", res.StatusCode)
	}
	res.Body.Close()
}

// TestStateExportCarriesItsFormatVersion: every export starts with "$format"; an import of
// another version, or of none, is refused (400 over HTTP, naming the versions) and changes
// nothing.
func TestStateExportCarriesItsFormatVersion(t *testing.T) {
	e := newEnv(t)
	before, _ := e.srv.ExportState()
	if want := `{"$format":` + itoa(store.StateFormat) + `,"state":{`; !strings.HasPrefix(string(before), want) {
		t.Fatalf("export starts %.40s, want %s", before, want)
	}
	inner := gjson.GetBytes(before, "state").Raw
	for name, c := range map[string]struct{ data, detail string }{
		"newer":      {`{"$format":` + itoa(store.StateFormat+1) + `,"state":` + inner + `}`, "format version " + itoa(store.StateFormat+1)},
		"not number": {`{"$format":"1","state":` + inner + `}`, "format version"},
		"none":       {inner, `no "$format" version`},
	} {
		t.Run(name, func(t *testing.T) {
			err := e.srv.ImportState([]byte(c.data))
			if !errors.Is(err, store.ErrStateFormat) || !strings.Contains(err.Error(), c.detail) {
				t.Fatalf("import error = %v, want %q", err, c.detail)
			}
			r := e.sendUnchecked("PUT", "/_fake/snapshot", rawBody{"application/json", c.data})
			if r.Status != 400 || !strings.Contains(r.get("detail").String(), c.detail) {
				t.Fatalf("PUT /_fake/snapshot → %d %s", r.Status, r.Body)
			}
		})
	}
	after, _ := e.srv.ExportState()
	if !bytes.Equal(before, after) {
		t.Fatal("a refused import changed the state")
	}
}
