package fake_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/fakehog/fakehog/fake"
	"github.com/fakehog/fakehog/httptestutil"
	"github.com/fakehog/fakehog/scenarios"
)

// The console in a real browser: headless Chromium (Debian's chromium package) driven over
// the DevTools protocol. .ci/run installs Chromium and sets FAKEHOG_REQUIRE_BROWSER=1, so in
// CI a missing browser fails these tests; elsewhere they skip with a message.

// findChromium returns the browser to drive, or "" when there is none.
func findChromium() string {
	if p := os.Getenv("FAKEHOG_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// browser starts a fresh headless Chromium for the test (a new profile directory; no
// network beyond loopback is needed) and returns its context.
func browser(t *testing.T, width, height int) context.Context {
	t.Helper()
	path := findChromium()
	if path == "" {
		if os.Getenv("FAKEHOG_REQUIRE_BROWSER") != "" {
			t.Fatal("FAKEHOG_REQUIRE_BROWSER is set but no Chromium was found (apt-get install -y chromium)")
		}
		t.Skip("no Chromium found: install Debian's chromium package (or set FAKEHOG_CHROMIUM) to run the console's browser tests")
	}
	profile, err := os.MkdirTemp("", "fakehog-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// Chromium's helpers may still write for a moment after it stops.
		for range 50 {
			if os.RemoveAll(profile) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(width, height),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(width), int64(height))); err != nil {
		t.Fatalf("starting Chromium (%s): %v", path, err)
	}
	return ctx
}

// do runs browser steps, bounded so that a wrong page fails the test instead of hanging it.
// Right after a navigation the browser may still be replacing the document under the steps
// ("No node with given id", "Cannot find context"): they are then run again, a few times.
func do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		c, cancel := context.WithTimeout(ctx, 30*time.Second)
		err = chromedp.Do(c, steps...)
		cancel()
		if err == nil || !strings.Contains(err.Error(), "-32000") {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		t.Fatalf("browser (at %s): %v", loc, err)
	}
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(c, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

// waitFor waits until the expression is true in the page. A click that navigates replaces
// the page's JavaScript context under a running poll; the poll is then started again.
func waitFor(t *testing.T, ctx context.Context, expr string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	var err error
	for time.Now().Before(deadline) {
		c, cancel := context.WithTimeout(ctx, time.Until(deadline)+time.Second)
		_, err = chromedp.Run(c, chromedp.Poll[bool](expr, chromedp.WithPollingInterval(50*time.Millisecond),
			chromedp.WithPollingTimeout(time.Until(deadline))))
		cancel()
		if err == nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	body, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText.slice(0, 2000) : ""`))
	t.Fatalf("waiting for %s: %v\npage text:\n%s", expr, err, body)
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	return eval[string](t, ctx, `(document.querySelector(`+jsString(sel)+`) || {innerText: "<missing `+strings.ReplaceAll(sel, `"`, `'`)+`>"}).innerText`)
}

func jsString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}

// demoServer serves the demo world (its seed and its clock, standing at its now).
func demoServer(t *testing.T, opts ...fake.Option) *httptestutil.Server {
	t.Helper()
	sc, err := scenarios.Open("demo")
	if err != nil {
		t.Fatal(err)
	}
	return httptestutil.NewServer(t, append([]fake.Option{sc.Option(), fake.WithScenarioLoader(scenarios.Loader()),
		fake.WithScenarioNames(scenarios.Builtins()...)}, opts...)...)
}

// TestConsoleBrowserWorld loads the console, follows its links to an organization and to the
// credentials, shows a record's JSON as the API answers it, reveals a key, and takes the
// screenshot of the demo world (written to docs/console.png with FAKEHOG_SCREENSHOT=path).
func TestConsoleBrowserWorld(t *testing.T) {
	srv := demoServer(t)
	ctx := browser(t, 1280, 860)

	do(t, ctx, chromedp.Navigate(srv.URL+"/"))
	waitFor(t, ctx, `document.querySelectorAll("table.orgs tbody tr").length === 6`)
	if got := eval[string](t, ctx, `document.title`); got != "World · fakehog" {
		t.Errorf("title %q", got)
	}
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatalf("the screenshot is not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 1280 || b.Dy() != 860 {
		t.Errorf("screenshot is %dx%d, want 1280x860", b.Dx(), b.Dy())
	}
	if out := os.Getenv("FAKEHOG_SCREENSHOT"); out != "" {
		if err := os.WriteFile(out, shot, 0o644); err != nil {
			t.Fatal(err)
		}
	} else if err := os.WriteFile(filepath.Join(t.TempDir(), "console.png"), shot, 0o644); err != nil {
		t.Fatal(err)
	}

	// Follow the link to Hedgebox: its members, invites and projects.
	do(t, ctx, chromedp.Click(chromedp.JSPath(`Array.from(document.querySelectorAll("a.org-link")).filter(a => a.textContent === "Hedgebox")`)))
	waitFor(t, ctx, `document.querySelector("h1") && document.querySelector("h1").innerText === "Hedgebox"`)
	if n := eval[int](t, ctx, `document.querySelectorAll("#members tbody tr").length`); n < 3 {
		t.Errorf("Hedgebox shows %d members", n)
	}
	if got := eval[string](t, ctx, `document.querySelector("#actas-select").selectedOptions[0].textContent`); !strings.HasPrefix(got, "ada@hedgebox.io (owner") {
		t.Errorf("act as: %q", got)
	}
	// A record's JSON, as the API answers it.
	do(t, ctx, chromedp.Click(chromedp.CSS(`#projects tbody tr .show-json`)))
	waitFor(t, ctx, `document.querySelector("#json-out").innerText.includes("→ 200")`)
	if got := text(t, ctx, "#json-out"); !strings.Contains(got, `"api_token"`) {
		t.Errorf("project JSON: %.300s", got)
	}
	if srv.Journal().Count("GET", "/api/organizations/{organization_id}/projects/{id}/") != 1 {
		t.Error("the JSON button did not call the API")
	}
	// Act as Ben, whose key may read the organization but not its batch exports.
	do(t, ctx, chromedp.SetValue(chromedp.CSS(`#actas-select`), "phx_demo_ben_readonly_key"))
	eval[bool](t, ctx, `document.querySelector("#actas-select").dispatchEvent(new Event("change")) || true`)
	do(t, ctx, chromedp.Click(chromedp.CSS(`#batch-exports .show-json`)))
	waitFor(t, ctx, `document.querySelector("#json-out").innerText.includes("/batch_exports/ → ")`)
	if got := text(t, ctx, "#json-out"); !strings.Contains(got, "→ 403") {
		t.Errorf("as Ben: %.300s", got)
	}
	if last, _ := srv.Journal().Last(); last.UserEmail != "ben@hedgebox.io" {
		t.Errorf("the JSON button acted as %s", last.UserEmail)
	}

	// Credentials: every user is listed; a key is masked until revealed.
	do(t, ctx, chromedp.Click(chromedp.JSPath(`Array.from(document.querySelectorAll("header nav a")).filter(a => a.textContent === "Credentials")`)))
	waitFor(t, ctx, `document.title === "Credentials · fakehog"`)
	// The first page of 50, and the count of them all.
	users := len(srv.Credentials())
	if n := eval[int](t, ctx, `document.querySelectorAll("table.users tbody tr").length`); n != min(users, 50) {
		t.Errorf("%d users listed, want %d", n, min(users, 50))
	}
	if got := text(t, ctx, "#users h2"); got != fmt.Sprintf("Users (%d)", users) {
		t.Errorf("users heading %q", got)
	}
	// Ben is found by the search box.
	do(t, ctx, chromedp.SetValue(chromedp.CSS(`#users form.search input[type=search]`), "ben@"),
		chromedp.Submit(chromedp.CSS(`#users form.search`)))
	waitFor(t, ctx, `document.querySelectorAll("table.users tbody tr").length === 1`)
	row := `document.querySelector('tr[data-email="ben@hedgebox.io"]')`
	if got := eval[string](t, ctx, row+`.querySelector(".key code").innerText`); got == "phx_demo_ben_readonly_key" || got == "" {
		t.Errorf("the key is not masked: %q", got)
	}
	do(t, ctx, chromedp.Click(chromedp.JSPath(row+`.querySelector(".key .reveal")`)))
	if got := eval[string](t, ctx, row+`.querySelector(".key code").innerText`); got != "phx_demo_ben_readonly_key" {
		t.Errorf("revealed %q", got)
	}
}

// TestConsoleBrowserMintKey mints a key for a generated user from the credentials page and
// uses it.
func TestConsoleBrowserMintKey(t *testing.T) {
	srv := demoServer(t)
	ctx := browser(t, 1280, 860)
	var target string
	for _, c := range srv.Credentials() {
		if len(c.Orgs) > 0 && !strings.HasSuffix(c.Email, "@hedgebox.io") && c.IsActive {
			target = c.Email
		}
	}
	do(t, ctx, chromedp.Navigate(srv.URL+"/_fake/console/users"))
	do(t, ctx, chromedp.SetValue(chromedp.CSS(`#mint-form input[name=user]`), target),
		chromedp.SetValue(chromedp.CSS(`#mint-form input[name=scopes]`), "organization:read"),
		chromedp.SetValue(chromedp.CSS(`#mint-form input[name=label]`), "from the console"),
		chromedp.Click(chromedp.CSS(`#mint-form button[type=submit]`)))
	waitFor(t, ctx, `!document.querySelector("#mint-result").hidden`)
	got := text(t, ctx, "#mint-result")
	_, value, ok := strings.Cut(got, ": ")
	if !ok || !strings.HasPrefix(value, "phx_") {
		t.Fatalf("mint result %q", got)
	}
	resp, err := srv.ClientWithKey(value).Get(srv.URL + "/api/organizations/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("the minted key gets %d", resp.StatusCode)
	}
}

// TestConsoleBrowserFault adds a fault from the console and sees it fire in the journal.
func TestConsoleBrowserFault(t *testing.T) {
	srv := httptestutil.NewServer(t)
	ctx := browser(t, 1280, 860)
	do(t, ctx, chromedp.Navigate(srv.URL+"/_fake/console/faults"))
	waitFor(t, ctx, `!document.querySelector("#faults-empty").hidden`)
	do(t, ctx, chromedp.SetValue(chromedp.CSS(`#fault-form input[name=method]`), "GET"),
		chromedp.SetValue(chromedp.CSS(`#fault-form input[name=path]`), "/api/organizations/"),
		chromedp.SetValue(chromedp.CSS(`#fault-form input[name=status]`), "503"),
		chromedp.SetValue(chromedp.CSS(`#fault-form input[name=times]`), "1"),
		chromedp.Click(chromedp.CSS(`#fault-form button[type=submit]`)))
	waitFor(t, ctx, `document.querySelectorAll("#faults tbody tr").length === 1`)
	if got := text(t, ctx, "#faults tbody tr"); !strings.Contains(got, "503") || !strings.Contains(got, "/api/organizations/") {
		t.Errorf("fault row %q", got)
	}
	resp, err := srv.Client().Get(srv.URL + "/api/organizations/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("the fault did not fire: %d", resp.StatusCode)
	}
	// The rule was for one request: it is gone from the list, and the journal shows the 503.
	waitFor(t, ctx, `document.querySelectorAll("#faults tbody tr").length === 0`)
	do(t, ctx, chromedp.Click(chromedp.JSPath(`Array.from(document.querySelectorAll("header nav a")).filter(a => a.textContent === "Journal")`)))
	waitFor(t, ctx, `document.querySelectorAll("#journal tbody tr").length >= 1`)
	row := text(t, ctx, "#journal tbody tr")
	if !strings.Contains(row, "503") || !strings.Contains(row, "fault #1") || !strings.Contains(row, "owner@fakehog.dev") && !strings.Contains(row, "anonymous") {
		t.Errorf("journal row %q", row)
	}
	// Filters: status 200 hides it; a row opens the bodies.
	do(t, ctx, chromedp.SendKeys(chromedp.CSS(`#journal-filters input[name=status]`), "200"))
	waitFor(t, ctx, `document.querySelectorAll("#journal tbody tr").length === 0`)
	eval[bool](t, ctx, `(f => { f.status.value = ""; f.path.value = "/api/organizations/"; f.dispatchEvent(new Event("input")); return true })(document.querySelector("#journal-filters"))`)
	waitFor(t, ctx, `document.querySelectorAll("#journal tbody tr").length === 1`)
	do(t, ctx, chromedp.Click(chromedp.CSS(`#journal tbody tr`)))
	waitFor(t, ctx, `!document.querySelector("#journal-detail").hidden`)
	if got := text(t, ctx, "#detail-resp"); !strings.Contains(got, `"type"`) {
		t.Errorf("response body %q", got)
	}
}

// TestConsoleBrowserClock advances the clock from the console and sees an invite expire.
func TestConsoleBrowserClock(t *testing.T) {
	srv := httptestutil.NewServer(t)
	resp, err := srv.Client().Post(srv.URL+"/api/organizations/@current/invites/", "application/json",
		strings.NewReader(`{"target_email": "ada@example.com"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	org := srv.Defaults().OrganizationID
	ctx := browser(t, 1280, 860)
	do(t, ctx, chromedp.Navigate(srv.URL+"/_fake/console/organizations/"+org))
	waitFor(t, ctx, `document.querySelectorAll("#invites tbody tr").length === 1`)
	if got := text(t, ctx, "#invites tbody tr"); !strings.Contains(got, "valid") {
		t.Fatalf("invite row %q", got)
	}
	do(t, ctx, chromedp.Navigate(srv.URL+"/_fake/console/clock"),
		chromedp.SetValue(chromedp.CSS(`#clock-advance input[name=advance]`), "73h"),
		chromedp.Click(chromedp.CSS(`#clock-advance button`)))
	waitFor(t, ctx, `document.querySelector("#toast").innerText === "Clock moved"`)
	do(t, ctx, chromedp.Navigate(srv.URL+"/_fake/console/organizations/"+org))
	waitFor(t, ctx, `document.querySelectorAll("#invites tbody tr.expired").length === 1`)

	// A wrong duration is reported, not applied.
	before := srv.Clock().Now()
	do(t, ctx, chromedp.Navigate(srv.URL+"/_fake/console/clock"),
		chromedp.SetValue(chromedp.CSS(`#clock-advance input[name=advance]`), "soon"),
		chromedp.Click(chromedp.CSS(`#clock-advance button`)))
	waitFor(t, ctx, `!document.querySelector("#clock-error").hidden`)
	if got := text(t, ctx, "#clock-error"); !strings.Contains(got, "not a duration") {
		t.Errorf("clock error %q", got)
	}
	if srv.Clock().Now().Sub(before) > time.Minute {
		t.Error("a refused advance moved the clock")
	}

	// Set, then back to real time (the system clock, which is well past 2001).
	do(t, ctx, chromedp.SetValue(chromedp.CSS(`#clock-set input[name=set]`), "2000-01-01T00:00:00Z"),
		chromedp.Click(chromedp.CSS(`#clock-set button`)))
	waitFor(t, ctx, `document.querySelector("#clock-big").innerText.startsWith("2000-01-01T")`)
	do(t, ctx, chromedp.Click(chromedp.CSS(`#clock-real button`)))
	waitFor(t, ctx, `!document.querySelector("#clock-big").innerText.startsWith("2000-")`)
	if now := srv.Clock().Now(); now.Year() < 2001 {
		t.Errorf("back to real time: the clock reads %s", now)
	}
}

// TestConsoleBrowserWorldControls resets the world and loads a builtin scenario from the
// console.
func TestConsoleBrowserWorldControls(t *testing.T) {
	srv := demoServer(t)
	ctx := browser(t, 1280, 860)
	resp, err := srv.Client().Post(srv.URL+"/api/organizations/", "application/json", strings.NewReader(`{"name": "Scratch"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	do(t, ctx, chromedp.Navigate(srv.URL+"/_fake/console/world"), chromedp.Click(chromedp.CSS(`#world-reset`)))
	waitFor(t, ctx, `document.querySelector("#world-result").innerText === "Reset done."`)
	do(t, ctx, chromedp.Navigate(srv.URL+"/_fake/"))
	waitFor(t, ctx, `document.querySelectorAll("table.orgs tbody tr").length === 6`)

	do(t, ctx, chromedp.Navigate(srv.URL+"/_fake/console/world"),
		chromedp.SetValue(chromedp.CSS(`#scenario-builtin select`), "default"),
		chromedp.Click(chromedp.CSS(`#scenario-builtin button`)))
	waitFor(t, ctx, `document.querySelector("#world-result").innerText === "Loading default done."`)
	do(t, ctx, chromedp.Navigate(srv.URL+"/_fake/"))
	waitFor(t, ctx, `document.querySelectorAll("table.orgs tbody tr").length === 1`)
}

// TestConsoleBrowserPhone: at phone width the page does not scroll sideways (wide tables
// scroll inside their box) and the navigation stays reachable.
func TestConsoleBrowserPhone(t *testing.T) {
	srv := demoServer(t)
	ctx := browser(t, 390, 844)
	for _, p := range []string{"/_fake/", "/_fake/console/organizations/" + srv.Defaults().OrganizationID, "/_fake/console/users",
		"/_fake/console/journal", "/_fake/console/faults", "/_fake/console/clock", "/_fake/console/world"} {
		do(t, ctx, chromedp.Navigate(srv.URL+p))
		waitFor(t, ctx, `document.readyState === "complete"`)
		if w := eval[int](t, ctx, `document.documentElement.scrollWidth`); w > 390 {
			t.Errorf("%s is %d px wide at a 390 px window", p, w)
		}
		if n := eval[int](t, ctx, `Array.from(document.querySelectorAll("header nav a")).filter(a => a.getBoundingClientRect().right <= 390).length`); n != 6 {
			t.Errorf("%s: %d of 6 navigation links within the window", p, n)
		}
	}
}

// TestConsoleBrowserAdminToken: with -admin-token the console asks for the token once, then
// works (its scripts send the token to the /_fake/ routes).
func TestConsoleBrowserAdminToken(t *testing.T) {
	srv := httptestutil.NewServer(t, fake.WithAdminToken("s3cret"))
	ctx := browser(t, 1280, 860)
	do(t, ctx, chromedp.Navigate(srv.URL+"/_fake/console/faults"))
	waitFor(t, ctx, `document.querySelector("input[name=token]") !== null`)
	do(t, ctx, chromedp.SetValue(chromedp.CSS(`input[name=token]`), "wrong"), chromedp.Submit(chromedp.CSS(`form`)))
	waitFor(t, ctx, `document.querySelector(".error") !== null`)
	do(t, ctx, chromedp.SetValue(chromedp.CSS(`input[name=token]`), "s3cret"), chromedp.Submit(chromedp.CSS(`form`)))
	waitFor(t, ctx, `document.title === "Faults · fakehog"`)
	if loc := eval[string](t, ctx, `location.search`); loc != "" {
		t.Errorf("the token stays in the address: %q", loc)
	}
	do(t, ctx, chromedp.SetValue(chromedp.CSS(`#fault-form input[name=status]`), "500"),
		chromedp.Click(chromedp.CSS(`#fault-form button[type=submit]`)))
	waitFor(t, ctx, `document.querySelectorAll("#faults tbody tr").length === 1`)
	if n := len(srv.Faults()); n != 1 {
		t.Errorf("%d faults", n)
	}
}

// TestConsoleBrowserUploads restores a downloaded snapshot and loads an uploaded scenario
// file from the console.
func TestConsoleBrowserUploads(t *testing.T) {
	srv := demoServer(t)
	ctx := browser(t, 1280, 860)
	dir := t.TempDir()

	// The download link serves the snapshot; keep it as the reader's browser would.
	do(t, ctx, chromedp.Navigate(srv.URL+"/_fake/console/world"))
	href := eval[string](t, ctx, `document.querySelector("#snapshot-download").href`)
	resp, err := http.Get(href)
	if err != nil {
		t.Fatal(err)
	}
	snap, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !json.Valid(snap) {
		t.Fatalf("snapshot download: %d %.100s", resp.StatusCode, snap)
	}
	snapFile := filepath.Join(dir, "snapshot.json")
	if err := os.WriteFile(snapFile, snap, 0o644); err != nil {
		t.Fatal(err)
	}
	// Change the world, then restore the snapshot through the upload form.
	resp, err = srv.Client().Post(srv.URL+"/api/organizations/", "application/json", strings.NewReader(`{"name": "Scratch"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	do(t, ctx, chromedp.SetUploadFiles(chromedp.CSS(`#snapshot-upload input[type=file]`), []string{snapFile}),
		chromedp.Click(chromedp.CSS(`#snapshot-upload button`)))
	waitFor(t, ctx, `document.querySelector("#world-result").innerText === "Restoring the snapshot done."`)
	if after, _ := srv.ExportState(); !bytes.Equal(after, snap) {
		t.Error("the uploaded snapshot did not restore the state")
	}

	// An uploaded scenario file.
	yamlFile := filepath.Join(dir, "tiny.yaml")
	if err := os.WriteFile(yamlFile, []byte("users:\n  - email: zed@example.com\n    personal_api_keys: [{value: phx_zed_key}]\norganizations:\n  - name: Tiny\n    members: [{user: zed@example.com, level: owner}]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	do(t, ctx, chromedp.SetUploadFiles(chromedp.CSS(`#scenario-upload input[type=file]`), []string{yamlFile}),
		chromedp.Click(chromedp.CSS(`#scenario-upload button`)))
	waitFor(t, ctx, `document.querySelector("#world-result").innerText === "Loading the scenario done."`)
	if d := srv.Defaults(); d.UserEmail != "zed@example.com" || d.APIKey != "phx_zed_key" {
		t.Errorf("after the upload: %+v", d)
	}
	// A broken file is reported with its position, and changes nothing.
	if err := os.WriteFile(yamlFile, []byte("users: [{emial: x@y.z}]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	do(t, ctx, chromedp.SetUploadFiles(chromedp.CSS(`#scenario-upload input[type=file]`), []string{yamlFile}),
		chromedp.Click(chromedp.CSS(`#scenario-upload button`)))
	waitFor(t, ctx, `document.querySelector("#world-result").className === "error"`)
	if got := text(t, ctx, "#world-result"); !strings.Contains(got, "emial") {
		t.Errorf("error shown: %q", got)
	}
	if d := srv.Defaults(); d.UserEmail != "zed@example.com" {
		t.Errorf("a refused scenario changed the world: %+v", d)
	}
}

// TestConsoleBrowserPhoneClockAndJournal: at a phone's width (390 px) the clock and a busy
// journal fit the window: no sideways scrolling of the page nor of the journal's table,
// every control within reach; the screenshots are written to FAKEHOG_SCREENSHOT_DIR when set.
func TestConsoleBrowserPhoneClockAndJournal(t *testing.T) {
	srv := httptestutil.NewServer(t)
	// A journal with long paths, queries, errors and a fault.
	if _, err := srv.AddFault(fake.Fault{Method: "GET", Path: "/api/organizations/{organization_id}/roles/", Status: 503, Times: 1}); err != nil {
		t.Fatal(err)
	}
	org := srv.Defaults().OrganizationID
	for _, p := range []string{"/api/organizations/" + org + "/members/?limit=5&offset=10&search=someone-with-a-long-name",
		"/api/organizations/" + org + "/roles/", "/api/organizations/" + org + "/batch_exports/00000000-0000-0000-0000-000000000000/runs/",
		"/api/organizations/@current/invites/", "/api/users/@me/"} {
		resp, err := srv.Client().Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	ctx := browser(t, 390, 844)
	shots := os.Getenv("FAKEHOG_SCREENSHOT_DIR")
	if shots == "" {
		shots = t.TempDir()
	}
	fits := func(page string) {
		t.Helper()
		if w := eval[int](t, ctx, `document.documentElement.scrollWidth`); w > 390 {
			t.Errorf("%s is %d px wide at a 390 px window", page, w)
		}
		// Nothing visible sticks out of the window, inside a scrolling box or not.
		if out := eval[[]string](t, ctx, `Array.from(document.querySelectorAll("main *, header *")).filter(e => {
			const r = e.getBoundingClientRect(); return r.width > 0 && (r.right > 390.5 || r.left < -0.5) }).map(e => e.tagName + "." + e.className + " " + (e.innerText || "").slice(0, 40))`); len(out) > 0 {
			t.Errorf("%s: %d elements stick out of the window: %q", page, len(out), out[:min(len(out), 5)])
		}
		shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := png.Decode(bytes.NewReader(shot)); err != nil {
			t.Fatalf("%s: the screenshot is not a PNG: %v", page, err)
		}
		if err := os.WriteFile(filepath.Join(shots, "phone-"+page+".png"), shot, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	do(t, ctx, chromedp.Navigate(srv.URL+"/_fake/console/journal"))
	waitFor(t, ctx, `document.querySelectorAll("#journal tbody tr").length === 5`)
	if got := text(t, ctx, "#journal tbody"); !strings.Contains(got, "fault #1") || !strings.Contains(got, "2026-01-15T10:00:00Z") {
		t.Errorf("journal rows: %q", got)
	}
	fits("journal")
	// A row still opens its bodies, and they fit too.
	do(t, ctx, chromedp.Click(chromedp.CSS(`#journal tbody tr`)))
	waitFor(t, ctx, `!document.querySelector("#journal-detail").hidden`)
	fits("journal-detail")

	do(t, ctx, chromedp.Navigate(srv.URL+"/_fake/console/clock"))
	waitFor(t, ctx, `document.readyState === "complete"`)
	if got := text(t, ctx, "#clock-big"); got != "2026-01-15T10:00:00Z" {
		t.Errorf("big clock %q", got)
	}
	waitFor(t, ctx, `document.querySelector("#clock-now").innerText === "2026-01-15T10:00:00Z"`)
	fits("clock")
	// The forms still work at this width.
	do(t, ctx, chromedp.SetValue(chromedp.CSS(`#clock-advance input[name=advance]`), "1h"),
		chromedp.Click(chromedp.CSS(`#clock-advance button`)))
	waitFor(t, ctx, `document.querySelector("#clock-big").innerText === "2026-01-15T11:00:00Z"`)
}
