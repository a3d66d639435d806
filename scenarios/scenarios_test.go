package scenarios

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fakehog/fakehog/fake"
	"github.com/fakehog/fakehog/fake/store"
	"github.com/tidwall/gjson"
)

var testNow = time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC)

// get sends a GET as the holder of key and returns the status and body.
func get(t *testing.T, srv http.Handler, key, path string) (int, []byte) {
	t.Helper()
	return send(t, srv, http.MethodGet, key, path, "")
}

func send(t *testing.T, srv http.Handler, method, key, path, body string) (int, []byte) {
	t.Helper()
	req := httptest.NewRequest(method, "http://fakehog.test"+path, strings.NewReader(body))
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	return rec.Code, rec.Body.Bytes()
}

func mustServer(t testing.TB, sc *Scenario, opts ...fake.Option) *fake.Server {
	t.Helper()
	srv, err := fake.New(append([]fake.Option{sc.Option()}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

func mustParse(t testing.TB, doc string) *Scenario {
	t.Helper()
	sc, err := Parse(t.Name()+".yaml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// The default builtin seeds exactly fake.DefaultWorld: same records, ids, tokens and rng
// state, and the same Defaults.
func TestDefaultBuiltinIsDefaultWorld(t *testing.T) {
	sc, err := Builtin("default")
	if err != nil {
		t.Fatal(err)
	}
	if !sc.Now.Equal(testNow) || sc.Seed != 0 {
		t.Fatalf("default seed %d now %v", sc.Seed, sc.Now)
	}
	want, err := fake.New(fake.WithClock(store.NewManualClock(testNow)))
	if err != nil {
		t.Fatal(err)
	}
	got := mustServer(t, sc)
	if got.Defaults() != want.Defaults() {
		t.Fatalf("defaults:\n got %+v\nwant %+v", got.Defaults(), want.Defaults())
	}
	if !reflect.DeepEqual(got.Store().Snapshot(), want.Store().Snapshot()) {
		t.Fatal("the default scenario's state differs from fake.DefaultWorld's")
	}
	if d := got.Defaults(); d.APIKey != fake.DefaultAPIKey || d.Session != fake.DefaultSession || d.UserEmail != fake.DefaultUserEmail {
		t.Fatalf("defaults %+v", d)
	}
}

func TestBuiltins(t *testing.T) {
	if got := Builtins(); !reflect.DeepEqual(got, []string{"default", "demo"}) {
		t.Fatalf("Builtins() = %v", got)
	}
	for _, name := range Builtins() {
		sc, err := Builtin(name)
		if err != nil {
			t.Fatal(err)
		}
		if sc.Seed == 0 && name != "default" || sc.Now.IsZero() {
			t.Errorf("%s: builtins set seed and now", name)
		}
		if err := sc.Check(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := Builtin("nope"); err == nil || err.Error() != `scenario: no builtin scenario "nope" (builtins: default, demo)` {
		t.Fatalf("unknown builtin: %v", err)
	}
	if _, err := Builtin("../builtin/demo"); err == nil {
		t.Fatal("a path is not a builtin name")
	}
}

// The demo is worth clicking through: several organizations, dozens of members at every
// level, projects, pending and expired invites, verified and unverified domains.
func TestDemoContent(t *testing.T) {
	sc, err := Builtin("demo")
	if err != nil {
		t.Fatal(err)
	}
	srv := mustServer(t, sc)
	levels := map[int]int{}
	var orgs, projects, pending, expired, verified, unverified int
	p, err := sc.plan()
	if err != nil {
		t.Fatal(err)
	}
	_ = srv.Store().Read(func(tx *store.Tx) error {
		seen := map[string]bool{}
		for i := range p.orgs {
			creator := tx.UserByEmail(p.users[p.creators[i]].Email)
			for _, org := range tx.OrgsOfUser(creator.ID) {
				if seen[org.ID] {
					continue
				}
				seen[org.ID] = true
				orgs++
				for _, m := range tx.Members(org.ID, store.MemberFilter{}) {
					levels[m.Level]++
				}
				projects += len(tx.Projects(org.ID, ""))
				for _, inv := range tx.Invites(org.ID) {
					if inv.IsExpired(tx.Now()) {
						expired++
					} else {
						pending++
					}
				}
				for _, d := range tx.Domains(org.ID) {
					if d.IsVerified() {
						verified++
					} else {
						unverified++
					}
				}
			}
		}
		return nil
	})
	if orgs < 5 || projects < 10 || pending < 5 || expired < 2 || verified < 2 || unverified < 2 {
		t.Fatalf("demo: %d orgs, %d projects, %d pending and %d expired invites, %d verified and %d unverified domains",
			orgs, projects, pending, expired, verified, unverified)
	}
	for _, l := range []int{store.LevelMember, store.LevelAdmin, store.LevelOwner} {
		if levels[l] < 5 {
			t.Errorf("demo has %d members at level %d, want several", levels[l], l)
		}
	}
	if levels[store.LevelMember]+levels[store.LevelAdmin]+levels[store.LevelOwner] < 50 {
		t.Errorf("demo has %v members, want dozens", levels)
	}
	// Every family, in more than one shape.
	var roles, defaultRoles, roleMembers, refs, exports, paused, runs, integrations, apps int
	proxyStatuses := map[string]bool{}
	families := map[store.PluginKind]int{}
	_ = srv.Store().Read(func(tx *store.Tx) error {
		for _, org := range tx.OrgsOfUser(tx.UserByEmail("ada@hedgebox.io").ID) {
			if org.DefaultRoleID != nil {
				defaultRoles++
			}
			for _, r := range tx.Roles(org.ID) {
				roles++
				roleMembers += len(tx.RoleMemberships(org.ID, r.ID))
			}
			refs += len(tx.RoleExternalReferences(org.ID, store.RoleExternalReferenceFilter{}))
			for _, e := range tx.BatchExports(org.ID) {
				exports++
				if e.Paused {
					paused++
				}
				runs += len(tx.LatestBatchExportRuns(e))
			}
			for _, r := range tx.ProxyRecords(org.ID) {
				proxyStatuses[r.Status] = true
			}
			for _, k := range []store.PluginKind{store.PipelineTransformations, store.PipelineDestinations, store.PipelineFrontendApps} {
				families[k] += len(tx.Plugins(org.ID, k))
			}
			integrations += len(tx.OrgIntegrations(org.ID))
			apps += len(tx.OAuthApplications(org.ID))
		}
		return nil
	})
	if roles < 4 || defaultRoles != 1 || roleMembers < 8 || refs < 2 || exports < 3 || paused < 2 || paused == exports || runs < 3 ||
		len(proxyStatuses) < 4 || families[store.PipelineTransformations] < 1 || families[store.PipelineDestinations] < 2 ||
		families[store.PipelineFrontendApps] < 1 || integrations < 2 || apps < 2 {
		t.Fatalf("demo families: %d roles (%d default, %d members), %d references, %d exports (%d paused, %d runs), proxy statuses %v, plugins %v, %d integrations, %d OAuth apps",
			roles, defaultRoles, roleMembers, refs, exports, paused, runs, proxyStatuses, families, integrations, apps)
	}
	data, _ := builtinFS.ReadFile("builtin/demo.yaml")
	if bytes.Contains(data, []byte("TODO")) {
		t.Error("demo.yaml still has a TODO")
	}
	// Generated organizations have roles too.
	_ = srv.Store().Read(func(tx *store.Tx) error {
		last := p.orgs[len(p.orgs)-1]
		if n := len(tx.Roles(tx.UserByEmail(last.Members[0].User).CurrentOrgID)); n != 3 {
			t.Errorf("generated organization %s has %d roles", last.Name, n)
		}
		return nil
	})
}

// readEndpoints are the GETs the reproducibility test compares, per organization.
var readEndpoints = []string{"", "members/", "projects/", "invites/", "domains/", "legal_documents/", "cimd_verification_tokens/",
	"roles/", "role_external_references/", "batch_exports/", "plugins/", "pipeline_transformations/", "pipeline_destinations/",
	"pipeline_frontend_apps/", "proxy_records/", "integrations/", "oauth_applications/"}

// snapshotAPI answers every read endpoint of every organization the principal sees, plus
// the organizations other users see, as one byte string.
func snapshotAPI(t *testing.T, srv *fake.Server, keys ...string) []byte {
	t.Helper()
	var out bytes.Buffer
	for _, key := range keys {
		status, body := get(t, srv, key, "/api/organizations/")
		if status != 200 {
			t.Fatalf("list organizations: %d %s", status, body)
		}
		out.Write(body)
		for _, id := range gjson.GetBytes(body, "results.#.id").Array() {
			for _, ep := range readEndpoints {
				status, body := get(t, srv, key, "/api/organizations/"+id.Str+"/"+ep)
				if status >= 500 {
					t.Fatalf("GET %s %s: %d %s", id.Str, ep, status, body)
				}
				fmt.Fprintf(&out, "%d ", status)
				out.Write(body)
			}
		}
	}
	return out.Bytes()
}

// A scenario with seed and now gives byte-identical state and API responses across
// independent loads, generate included.
func TestReproducible(t *testing.T) {
	data, err := builtinFS.ReadFile("builtin/demo.yaml")
	if err != nil {
		t.Fatal(err)
	}
	load := func() *fake.Server {
		sc, err := Parse("demo.yaml", data)
		if err != nil {
			t.Fatal(err)
		}
		return mustServer(t, sc)
	}
	a, b := load(), load()
	if !reflect.DeepEqual(a.Store().Snapshot(), b.Store().Snapshot()) {
		t.Fatal("two loads of the demo differ in state")
	}
	if a.Defaults() != b.Defaults() {
		t.Fatalf("defaults differ: %+v %+v", a.Defaults(), b.Defaults())
	}
	keys := []string{"phx_demo_ada_key", "phx_demo_eve_key", "phx_demo_kim_key"}
	ra, rb := snapshotAPI(t, a, keys...), snapshotAPI(t, b, keys...)
	if !bytes.Equal(ra, rb) {
		t.Fatal("two loads of the demo answer differently")
	}
	if len(ra) < 10000 {
		t.Fatalf("suspiciously little compared: %d bytes", len(ra))
	}
	// Generated organizations too: reach them through a key made for a generated owner.
	sc, _ := Parse("demo.yaml", data)
	p, _ := sc.plan()
	owner := p.users[p.creators[len(p.orgs)-1]].Email
	keyFor := func(srv *fake.Server) string {
		var v string
		if err := srv.Store().Write(func(tx *store.Tx) error {
			_, value, err := tx.CreatePersonalAPIKey(tx.UserByEmail(owner).ID, store.NewAPIKey{})
			v = value
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return v
	}
	ka, kb := keyFor(a), keyFor(b)
	if ka != kb {
		t.Fatal("keys generated after loading differ: the rng state differs")
	}
	if !bytes.Equal(snapshotAPI(t, a, ka), snapshotAPI(t, b, kb)) {
		t.Fatal("generated organizations answer differently")
	}
	// A different seed gives different generated data.
	other := strings.Replace(string(data), "seed: 42", "seed: 43", 1)
	sc2, err := Parse("demo43.yaml", []byte(other))
	if err != nil {
		t.Fatal(err)
	}
	p2, _ := sc2.plan()
	if p2.orgs[len(p2.orgs)-1].Name == p.orgs[len(p.orgs)-1].Name && p2.users[len(p2.users)-1].Email == p.users[len(p.users)-1].Email {
		t.Fatal("seed 43 generated the same data as seed 42")
	}
}

// Seed 0 is a seed like any other (gofakeit.New(0) would pick a random one).
func TestGenerateSeedZeroIsDeterministic(t *testing.T) {
	doc := "generate:\n  organizations: 2\n  members_per_organization: 5\n  projects_per_organization: 2\n  invites_per_organization: 2\n"
	a, b := mustParse(t, doc), mustParse(t, doc)
	pa, _ := a.plan()
	pb, _ := b.plan()
	if !reflect.DeepEqual(pa.users, pb.users) || !reflect.DeepEqual(pa.orgs, pb.orgs) {
		t.Fatal("seed 0 generated different data")
	}
}

var (
	reGeneratedEmail = regexp.MustCompile(`^[a-z0-9]+\.[a-z0-9]+\d*@[a-z0-9-]+\.(com|io|co|dev|net|app)$`)
	reSecretish      = regexp.MustCompile(`(?i)(phx_|phc_|phvt_|password|secret|token)`)
)

func TestGenerate(t *testing.T) {
	sc := mustParse(t, "seed: 7\nnow: 2026-01-15T10:00:00Z\ngenerate:\n  organizations: 4\n  members_per_organization: 30\n  projects_per_organization: 20\n  invites_per_organization: 9\n")
	p, err := sc.plan()
	if err != nil {
		t.Fatal(err)
	}
	if len(p.orgs) != 4 || len(p.users) != 120 {
		t.Fatalf("%d orgs, %d users", len(p.orgs), len(p.users))
	}
	names := map[string]bool{}
	for _, o := range p.orgs {
		if names[o.Name] || !regexp.MustCompile(`^[A-Z][A-Za-z' -]+ (Inc|and Sons|LLC|Group)( \d+)?$`).MatchString(o.Name) {
			t.Errorf("organization name %q", o.Name)
		}
		names[o.Name] = true
		if len(o.Members) != 30 || o.Members[0].Level != store.LevelOwner {
			t.Errorf("%s: %d members, first %v", o.Name, len(o.Members), o.Members[0].Level)
		}
		levels := map[Level]int{}
		for _, m := range o.Members {
			levels[m.Level]++
			if !strings.HasSuffix(m.User, "@"+o.Domains[0].Domain) {
				t.Errorf("member %s is not on the company domain %s", m.User, o.Domains[0].Domain)
			}
		}
		if levels[store.LevelAdmin] == 0 || levels[store.LevelMember] == 0 {
			t.Errorf("%s: levels %v", o.Name, levels)
		}
		if len(o.Projects) != 20 || len(o.Invites) != 9 {
			t.Errorf("%s: %d projects, %d invites", o.Name, len(o.Projects), len(o.Invites))
		}
		for _, pr := range o.Projects {
			if !store.ValidTimezone(pr.Timezone) || pr.Name == "" {
				t.Errorf("project %+v", pr)
			}
		}
	}
	for _, u := range p.users {
		if !reGeneratedEmail.MatchString(u.Email) || u.FirstName == "" || u.LastName == "" {
			t.Errorf("user %+v", u)
		}
		// Every generated user can be reached: one key, one session, named after the email.
		if len(u.PersonalAPIKeys) != 1 || !strings.HasPrefix(u.PersonalAPIKeys[0].Value, "phx_gen_") || len(u.Sessions) != 1 ||
			!strings.HasPrefix(u.Sessions[0], "gen-") {
			t.Errorf("generated user %s: keys %+v, sessions %v", u.Email, u.PersonalAPIKeys, u.Sessions)
		}
		if reSecretish.MatchString(u.Email + u.FirstName + u.LastName) {
			t.Errorf("secret-looking value in %+v", u)
		}
	}
	if err := sc.Check(); err != nil {
		t.Fatal(err)
	}
}

// Explicit data keeps its ids when generate is added (generated records come after it),
// and generated emails avoid explicit ones.
func TestGenerateAfterExplicit(t *testing.T) {
	base := "seed: 1\nnow: 2026-01-15T10:00:00Z\nusers:\n  - {email: a@b.co, ref: a, personal_api_keys: [{value: phx_a}]}\norganizations:\n  - {name: X, members: [{user: a, level: owner}]}\n"
	plain := mustServer(t, mustParse(t, base))
	more := mustServer(t, mustParse(t, base+"generate: {organizations: 2, members_per_organization: 3}\n"))
	if plain.Defaults() != more.Defaults() {
		t.Fatalf("defaults changed: %+v vs %+v", plain.Defaults(), more.Defaults())
	}
	_, b1 := get(t, plain, "phx_a", "/api/organizations/@current/")
	_, b2 := get(t, more, "phx_a", "/api/organizations/@current/")
	if !bytes.Equal(b1, b2) {
		t.Fatalf("explicit organization changed:\n%s\n%s", b1, b2)
	}
}

// The API shows what the scenario says.
func TestSeededWorldOverAPI(t *testing.T) {
	sc, err := Load("../testdata/scenarios/example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	srv := mustServer(t, sc)
	d := srv.Defaults()
	if d.UserEmail != "alice@example.com" || d.APIKey != "phx_alice_key" || d.Session != "alice_browser" || d.ProjectID != 1 {
		t.Fatalf("defaults %+v", d)
	}
	_, body := get(t, srv, "phx_alice_key", "/api/organizations/")
	res := gjson.GetBytes(body, "results")
	if res.Get("#").Int() != 2 || res.Get("0.name").Str != "Acme" || res.Get("1.name").Str != "Side Project" {
		t.Fatalf("organizations: %s", body)
	}
	acme := res.Get("0")
	if acme.Get("id").Str != "0190f2a4-0000-7000-8000-00000000ac3e" || acme.Get("plugins_access_level").Int() != 9 ||
		acme.Get("membership_level").Int() != 15 || acme.Get("created_at").Str != "2026-01-15T10:00:00Z" {
		t.Fatalf("acme: %s", acme.Raw)
	}
	if status, body := getSession(t, srv, "alice_browser", "/api/organizations/"+acme.Get("id").Str+"/welcome/current/"); status != 200 ||
		gjson.GetBytes(body, "posthog_contact.name").Str != "Fernando" || gjson.GetBytes(body, "shared_slack_channel_url").Type != gjson.Null {
		t.Fatalf("welcome: %d %s", status, body)
	}
	feats := acme.Get("available_product_features")
	if feats.Get("#").Int() != 6 || feats.Get(`#(key=="managed_reverse_proxy").limit`).Int() != 2 ||
		feats.Get(`#(key=="boost").name`).Str != "Boost add-on" || feats.Get(`#(key=="scim").name`).Str != "SCIM" {
		t.Fatalf("features: %s", feats.Raw)
	}
	side := res.Get("1")
	if side.Get("available_product_features.#").Int() != 0 || side.Get("plugins_access_level").Int() != 3 || side.Get("membership_level").Int() != 1 {
		t.Fatalf("side: %s", side.Raw)
	}
	acmeID := acme.Get("id").Str
	// Members: carol is inactive, so not listed; bob is admin.
	_, body = get(t, srv, "phx_alice_key", "/api/organizations/"+acmeID+"/members/")
	if n := gjson.GetBytes(body, "count").Int(); n != 2 || gjson.GetBytes(body, `results.#(user.email=="bob@example.com").level`).Int() != 8 {
		t.Fatalf("members: %s", body)
	}
	// Projects with their settings.
	_, body = get(t, srv, "phx_alice_key", "/api/organizations/"+acmeID+"/projects/")
	if gjson.GetBytes(body, "results.0.name").Str != "Web" || gjson.GetBytes(body, "results.1.name").Str != "Mobile" {
		t.Fatalf("projects: %s", body)
	}
	_, body = get(t, srv, "phx_alice_key", "/api/organizations/"+acmeID+"/projects/2/")
	if gjson.GetBytes(body, "timezone").Str != "America/New_York" || !gjson.GetBytes(body, "anonymize_ips").Bool() ||
		gjson.GetBytes(body, "app_urls.0").Str != "https://acme.example" {
		t.Fatalf("project 2: %s", body)
	}
	// Invites: newest first, expired one expired, dated one dated, project access mapped.
	_, body = get(t, srv, "phx_alice_key", "/api/organizations/"+acmeID+"/invites/")
	inv := gjson.GetBytes(body, "results")
	if inv.Get("#").Int() != 3 || inv.Get("0.target_email").Str != "dave@example.com" || inv.Get("1.target_email").Str != "frank@example.com" ||
		inv.Get("2.target_email").Str != "erin@example.com" {
		t.Fatalf("invites: %s", body)
	}
	if !inv.Get("2.is_expired").Bool() || inv.Get("0.is_expired").Bool() || inv.Get("1.created_at").Str != "2026-01-14T08:00:00Z" ||
		inv.Get("1.emailing_attempt_made").Bool() || !inv.Get("0.emailing_attempt_made").Bool() ||
		inv.Get("0.created_by.email").Str != "bob@example.com" || inv.Get("0.private_project_access.0.id").Int() != 1 ||
		inv.Get("0.private_project_access.0.level").Str != "admin" || inv.Get("0.message").Str != "Come and see our dashboards" {
		t.Fatalf("invites: %s", body)
	}
	// Domains: verified with settings, verifiable, unverifiable.
	_, body = get(t, srv, "phx_alice_key", "/api/organizations/"+acmeID+"/domains/")
	doms := gjson.GetBytes(body, "results")
	if doms.Get("#").Int() != 3 || !doms.Get(`#(domain=="acme.example").is_verified`).Bool() ||
		!doms.Get(`#(domain=="acme.example").has_scim`).Bool() || !doms.Get(`#(domain=="acme.example").has_saml`).Bool() ||
		doms.Get(`#(domain=="acme-labs.example").is_verified`).Bool() {
		t.Fatalf("domains: %s", body)
	}
	// verifiable: verify succeeds; not verifiable: it fails (session-only route).
	for dom, want := range map[string]bool{"acme-labs.example": true, "old-acme.example": false} {
		id := doms.Get(`#(domain=="` + dom + `").id`).Str
		req := httptest.NewRequest(http.MethodPost, "http://fakehog.test/api/organizations/"+acmeID+"/domains/"+id+"/verify/", nil)
		req.AddCookie(&http.Cookie{Name: "sessionid", Value: "alice_browser"})
		// A session's writes pass PostHog's CSRF check: the cookie and the header agree.
		req.AddCookie(&http.Cookie{Name: fake.CSRFCookieName, Value: "scenarioTestCsrfToken0123456789a"})
		req.Header.Set(fake.CSRFHeaderName, "scenarioTestCsrfToken0123456789a")
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != 200 || gjson.Get(rec.Body.String(), "is_verified").Bool() != want {
			t.Fatalf("verify %s: %d %s", dom, rec.Code, rec.Body)
		}
	}
	if id := doms.Get(`#(domain=="old-acme.example").id`).Str; id != "0190f2a4-0000-7000-8000-0000000d0a1e" {
		t.Fatalf("fixed domain id: %s", id)
	}
	// Legal documents and CIMD tokens.
	_, body = get(t, srv, "phx_alice_key", "/api/organizations/"+acmeID+"/legal_documents/")
	if gjson.GetBytes(body, "count").Int() != 2 || gjson.GetBytes(body, `results.#(document_type=="DPA").status`).Str != "signed" {
		t.Fatalf("legal documents: %s", body)
	}
	_, body = get(t, srv, "phx_alice_key", "/api/organizations/"+acmeID+"/cimd_verification_tokens/")
	if gjson.GetBytes(body, "results.0.label").Str != "Partner app" || gjson.GetBytes(body, "results.0.mask_value").Str != "phvt...oken" ||
		gjson.GetBytes(body, "results.0.cimd_url").Str != "https://partner.acme.example/oauth/client.json" {
		t.Fatalf("cimd tokens: %s", body)
	}
	// Scoped key: reaches Acme only, and only reads.
	if status, _ := get(t, srv, "phx_alice_acme_readonly", "/api/organizations/"+side.Get("id").Str+"/"); status != 403 {
		t.Fatalf("scoped key reached another organization: %d", status)
	}
	if status, _ := get(t, srv, "phx_alice_acme_readonly", "/api/organizations/"+acmeID+"/"); status != 200 {
		t.Fatalf("scoped key: %d", status)
	}
	// Bob's current organization is the first he belongs to (Acme), though he created Side.
	req := httptest.NewRequest(http.MethodGet, "http://fakehog.test/api/organizations/@current/", nil)
	req.AddCookie(&http.Cookie{Name: "sessionid", Value: "bob_browser"})
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if gjson.Get(rec.Body.String(), "name").Str != "Acme" {
		t.Fatalf("bob's current organization: %s", rec.Body)
	}
	// Generated organizations exist behind the explicit ones.
	err = srv.Store().Read(func(tx *store.Tx) error {
		if n := len(tx.OrgsOfUser(tx.UserByEmail("alice@example.com").ID)); n != 2 {
			t.Errorf("alice in %d organizations", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Keys default to scope "*", [] is a legacy key, and -api-key style overrides apply to the
// principal.
func TestKeysAndOverrides(t *testing.T) {
	sc := mustParse(t, "now: 2026-01-15T10:00:00Z\nusers:\n  - email: a@b.co\n    personal_api_keys: [{label: gen}, {value: phx_legacy, scopes: []}]\n    sessions: [s1, s2]\norganizations:\n  - {name: X, members: [{user: a@b.co, level: owner}]}\n")
	srv := mustServer(t, sc)
	d := srv.Defaults()
	if !strings.HasPrefix(d.APIKey, "phx_") || len(d.APIKey) != 52 || d.Session != "s1" {
		t.Fatalf("defaults %+v", d)
	}
	_ = srv.Store().Read(func(tx *store.Tx) error {
		if k := tx.APIKeyByValue(d.APIKey); k == nil || !reflect.DeepEqual(k.Scopes, []string{"*"}) || k.Label != "gen" {
			t.Errorf("generated key %+v", k)
		}
		if k := tx.APIKeyByValue("phx_legacy"); k == nil || len(k.Scopes) != 0 || k.Label != "fakehog key" {
			t.Errorf("legacy key %+v", k)
		}
		return nil
	})
	over := mustServer(t, sc, fake.WithAPIKey("phx_mine"), fake.WithSession("mine"))
	if status, _ := get(t, over, "phx_mine", "/api/organizations/"); status != 200 {
		t.Fatalf("override key: %d", status)
	}
}

// An organization without features gets every feature; the first owner creates it; a
// scenario without projects gets the Default project; a principal-less world reports the
// first organization's creator.
func TestDefaultsOfOrganizations(t *testing.T) {
	sc := &Scenario{Seed: 3, Now: testNow,
		Organizations: []Organization{{Name: "Gen", Members: []Member{{User: "x@y.co", Level: store.LevelAdmin}, {User: "z@y.co", Level: store.LevelOwner}}}}}
	sc.Users = []User{{Email: "x@y.co"}, {Email: "z@y.co", Sessions: []string{"zs"}}}
	srv := mustServer(t, sc)
	if srv.Defaults().UserEmail != "x@y.co" {
		t.Fatalf("principal %+v", srv.Defaults())
	}
	_ = srv.Store().Read(func(tx *store.Tx) error {
		o := tx.Org(srv.Defaults().OrganizationID)
		if !reflect.DeepEqual(o.Features, store.AllFeatures) || o.PluginsAccessLevel != store.PluginsAccessRoot {
			t.Errorf("org %+v", o)
		}
		ps := tx.Projects(o.ID, "")
		if len(ps) != 1 || ps[0].Name != "Default project" {
			t.Errorf("projects %+v", ps)
		}
		ms := tx.Members(o.ID, store.MemberFilter{Ascending: true})
		if tx.User(ms[0].UserID).Email != "z@y.co" || ms[0].Level != store.LevelOwner {
			t.Errorf("the first owner did not create the organization: %+v", ms[0])
		}
		if u := tx.UserByEmail("x@y.co"); u.CurrentTeamID != ps[0].ID {
			t.Errorf("member's current project %d", u.CurrentTeamID)
		}
		return nil
	})
	gen := mustServer(t, &Scenario{Seed: 1, Now: testNow, Generate: Generate{Organizations: 1, MembersPerOrganization: 2}})
	if d := gen.Defaults(); d.OrganizationID == "" || d.UserEmail == "" || !strings.HasPrefix(d.APIKey, "phx_gen_") || !strings.HasPrefix(d.Session, "gen-") {
		t.Fatalf("generated principal %+v", d)
	}
}

// Anchors, aliases and merge keys work; merged-in keys are checked like any other.
func TestMergeKeys(t *testing.T) {
	sc := mustParse(t, `
users:
  - &alice {email: a@b.co, ref: a, first_name: Alice}
organizations:
  - &org
    name: X
    members: [{user: a, level: owner}]
    projects: [{name: W, timezone: Europe/Berlin}]
  - <<: *org
    name: Y
`)
	if len(sc.Organizations) != 2 || sc.Organizations[1].Name != "Y" || sc.Organizations[1].Projects[0].Timezone != "Europe/Berlin" {
		t.Fatalf("%+v", sc.Organizations)
	}
	if err := sc.Check(); err != nil {
		t.Fatal(err)
	}
	_, err := Parse("m.yaml", []byte("users:\n  - {email: a@b.co, <<: {frist_name: x}}\n"))
	if err == nil || err.Error() != `m.yaml:2:26: users[0].frist_name: unknown key "frist_name" in a user; did you mean "first_name"?` {
		t.Fatalf("merged unknown key: %v", err)
	}
}

// Nothing is half-applied: a scenario that fails while seeding leaves no server, and over
// /_fake/scenario it leaves the previous world untouched.
func TestNothingHalfApplied(t *testing.T) {
	bad := head + "    domains:\n      - domain: ok.com\n      - domain: not a domain\n"
	sc := mustParse(t, bad)
	if _, err := fake.New(sc.Option()); err == nil || !strings.Contains(err.Error(), "domains[1].domain: Please enter a valid domain") {
		t.Fatalf("fake.New: %v", err)
	}
	srv, err := fake.New(fake.WithScenarioLoader(Loader()), fake.WithClock(store.NewManualClock(testNow)))
	if err != nil {
		t.Fatal(err)
	}
	before := srv.Store().Snapshot()
	body, _ := json.Marshal(map[string]string{"yaml": bad})
	status, resp := send(t, srv, http.MethodPost, "", "/_fake/scenario", string(body))
	if status != 400 || gjson.GetBytes(resp, "detail").Str != `inline:9:17: organizations[0].domains[1].domain: Please enter a valid domain or subdomain name.` {
		t.Fatalf("bad scenario: %d %s", status, resp)
	}
	if !reflect.DeepEqual(before, srv.Store().Snapshot()) {
		t.Fatal("a failed scenario load changed the state")
	}
	// A parse error names the yaml attribute; an unknown builtin the name one.
	body, _ = json.Marshal(map[string]string{"yaml": "usres: []"})
	status, resp = send(t, srv, http.MethodPost, "", "/_fake/scenario", string(body))
	if status != 400 || gjson.GetBytes(resp, "attr").Str != "yaml" ||
		gjson.GetBytes(resp, "detail").Str != `inline:1:1: usres: unknown key "usres" in a scenario; did you mean "users"?` {
		t.Fatalf("parse error: %d %s", status, resp)
	}
	for _, spec := range []string{`{"name": "nope"}`, `{"name": "../x"}`} {
		status, resp = send(t, srv, http.MethodPost, "", "/_fake/scenario", spec)
		if status != 400 || gjson.GetBytes(resp, "attr").Str != "name" || gjson.GetBytes(resp, "code").Str != "invalid_choice" {
			t.Fatalf("%s: %d %s", spec, status, resp)
		}
	}
	for _, spec := range []string{`{}`, `{"name": "demo", "yaml": "x"}`, `{"file": "x"}`, `[]`} {
		status, resp = send(t, srv, http.MethodPost, "", "/_fake/scenario", spec)
		if status != 400 || !strings.Contains(gjson.GetBytes(resp, "detail").Str, `Give either "name"`) {
			t.Fatalf("%s: %d %s", spec, status, resp)
		}
	}
	if !reflect.DeepEqual(before, srv.Store().Snapshot()) {
		t.Fatal("a refused scenario load changed the state")
	}
	// A document sent as YAML is read as {"yaml": <the body>}; as text/plain it is refused.
	for _, ct := range []string{"application/yaml", "text/yaml", "text/plain"} {
		req := httptest.NewRequest(http.MethodPost, "http://fakehog.test/_fake/scenario", strings.NewReader("usres: []\n"))
		req.Header.Set("Content-Type", ct)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		wantStatus, wantDetail := 400, `inline:1:1: usres: unknown key "usres" in a scenario; did you mean "users"?`
		if ct == "text/plain" {
			wantStatus, wantDetail = 415, `Unsupported media type "text/plain" in request. fakehog's control routes take application/json (or application/yaml for a scenario document): send Content-Type: application/json (curl --json '{...}').`
		}
		if rec.Code != wantStatus || gjson.Get(rec.Body.String(), "detail").Str != wantDetail {
			t.Fatalf("%s: %d %s", ct, rec.Code, rec.Body)
		}
	}
	// A builtin loads.
	status, resp = send(t, srv, http.MethodPost, "", "/_fake/scenario", `{"name": "demo"}`)
	if status != 200 || gjson.GetBytes(resp, "api_key").Str != "phx_demo_ada_key" {
		t.Fatalf("load demo: %d %s", status, resp)
	}
	if status, _ := get(t, srv, "phx_demo_ada_key", "/api/organizations/"); status != 200 {
		t.Fatalf("demo key after load: %d", status)
	}
}

// getSession sends a GET as the holder of a session cookie.
func getSession(t *testing.T, srv http.Handler, session, path string) (int, []byte) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "http://fakehog.test"+path, nil)
	req.AddCookie(&http.Cookie{Name: "sessionid", Value: session})
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	return rec.Code, rec.Body.Bytes()
}

// Every family the example seeds is there over the API, as the file says.
func TestFamiliesOverAPI(t *testing.T) {
	sc, err := Load("../testdata/scenarios/example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	srv := mustServer(t, sc)
	const acme = "/api/organizations/0190f2a4-0000-7000-8000-00000000ac3e/"
	read := func(path string) gjson.Result {
		t.Helper()
		status, body := get(t, srv, "phx_alice_key", acme+path)
		if status != 200 {
			t.Fatalf("GET %s: %d %s", path, status, body)
		}
		return gjson.ParseBytes(body)
	}
	// Roles, their members, the default role, created_by.
	roles := read("roles/").Get("results")
	eng := roles.Get(`#(name=="Engineers")`)
	if roles.Get("#").Int() != 2 || !eng.Get("is_default").Bool() || eng.Get("members.#").Int() != 2 ||
		eng.Get("members.0.user.email").Str != "alice@example.com" || eng.Get("members.1.user.email").Str != "bob@example.com" ||
		eng.Get("created_by").Type != gjson.Null { // no created_by: none, as over the API
		t.Fatalf("roles: %s", roles.Raw)
	}
	support := roles.Get(`#(name=="Support")`)
	if support.Get("id").Str != "0190f2a4-0000-7000-8000-0000000001e5" || support.Get("is_default").Bool() ||
		support.Get("created_by.email").Str != "bob@example.com" || support.Get("members.0.user.email").Str != "bob@example.com" {
		t.Fatalf("support role: %s", support.Raw)
	}
	if read("").Get("default_role_id").Str != eng.Get("id").Str {
		t.Fatal("the default role is not the organization's default_role_id")
	}
	refs := read("role_external_references/").Get("results")
	if refs.Get("#").Int() != 1 || refs.Get("0.role").Str != eng.Get("id").Str || refs.Get("0.provider_role_slug").Str != "eng" ||
		refs.Get("0.provider_role_name").Str != "Engineering" || refs.Get("0.created_by.email").Str != "alice@example.com" {
		t.Fatalf("role external references: %s", refs.Raw)
	}
	// Batch exports: destination secrets kept but not shown, runs, logs, offsets, paused.
	exports := read("batch_exports/").Get("results")
	s3 := exports.Get(`#(name=="Events to S3")`)
	weekly := exports.Get(`#(name=="Weekly persons")`)
	if exports.Get("#").Int() != 2 || s3.Get("paused").Bool() || s3.Get("team_id").Int() != 1 ||
		s3.Get("destination.config.bucket_name").Str != "acme-events" || s3.Get("destination.config.aws_secret_access_key").Exists() ||
		s3.Get("latest_runs.#").Int() != 2 || s3.Get(`latest_runs.#(status=="Completed").records_completed`).Int() != 1200 ||
		s3.Get(`latest_runs.#(status=="Failed").latest_error`).Str != "NoSuchBucket: acme-events" ||
		s3.Get("schema.fields.1.alias").Str != "ts" {
		t.Fatalf("S3 export: %s", s3.Raw)
	}
	if !weekly.Get("paused").Bool() || weekly.Get("model").Str != "persons" || weekly.Get("offset_day").Int() != 1 ||
		weekly.Get("offset_hour").Int() != 6 || weekly.Get("timezone").Str != "Europe/Berlin" ||
		weekly.Get("start_at").Str != "2026-01-01T00:00:00Z" || weekly.Get("filters.0.operator").Str != "icontains" {
		t.Fatalf("weekly export: %s", weekly.Raw)
	}
	status, body := getSession(t, srv, "alice_browser", acme+"batch_exports/"+s3.Get("id").Str+"/logs/")
	if status != 200 {
		t.Fatalf("logs: %d %s", status, body)
	}
	logs := gjson.GetBytes(body, "results")
	if logs.Get(`#(level=="ERROR").message`).Str != "NoSuchBucket: acme-events" || logs.Get(`#(level=="ERROR").instance_id`).Str != "run-2" ||
		logs.Get("#").Int() != 1 { // only what the scenario logged: seeding an export logs nothing
		t.Fatalf("logs: %s", logs.Raw)
	}
	// Plugins: a transformation from a URL (its remote's code), a destination written in
	// the browser, one served by plugin_remotes with its capabilities overridden.
	plugins := read("plugins/").Get("results")
	geoip, webhook, enricher := plugins.Get(`#(name=="GeoIP")`), plugins.Get(`#(name=="Acme webhook")`), plugins.Get(`#(name=="Enricher")`)
	if plugins.Get("#").Int() != 3 || geoip.Get("plugin_type").Str != "repository" ||
		geoip.Get("latest_tag").Str != "0123456789abcdef0123456789abcdef01234567" || geoip.Get("tag").Str == geoip.Get("latest_tag").Str ||
		webhook.Get("plugin_type").Str != "source" || webhook.Get("config_schema.0.key").Str != "url" ||
		enricher.Get("tag").Str != "v1" || enricher.Get("latest_tag").Str != "4a5b6c7d8e9f00112233445566778899aabbccdd" {
		t.Fatalf("plugins: %s", plugins.Raw)
	}
	names := func(path string) []string {
		var out []string
		for _, n := range read(path).Get("results.#.name").Array() {
			out = append(out, n.Str)
		}
		return out
	}
	if got := names("pipeline_transformations/"); !reflect.DeepEqual(got, []string{"GeoIP", "Enricher"}) {
		t.Fatalf("transformations: %v", got)
	}
	if got := names("pipeline_destinations/"); !reflect.DeepEqual(got, []string{"Acme webhook"}) {
		t.Fatalf("destinations: %v", got)
	}
	// Configs: GeoIP is enabled in Web; the webhook's config is disabled, Enricher has none.
	status, body = getSession(t, srv, "alice_browser", acme+"plugins/unused/")
	if status != 200 || gjson.ParseBytes(body).String() != fmt.Sprintf("[%d,%d]", webhook.Get("id").Int(), enricher.Get("id").Int()) {
		t.Fatalf("unused: %d %s", status, body)
	}
	status, body = getSession(t, srv, "alice_browser", acme+"plugins/repository/")
	if status != 200 || gjson.GetBytes(body, "#").Int() != 1 || gjson.GetBytes(body, "0.name").Str != "Acme enricher" {
		t.Fatalf("repository: %d %s", status, body)
	}
	status, body = getSession(t, srv, "alice_browser", acme+"plugins/"+enricher.Get("id").String()+"/source/")
	if status != 200 || !strings.Contains(gjson.GetBytes(body, `index\.ts`).Str, "processEvent") {
		t.Fatalf("enricher source (from plugin_remotes): %d %s", status, body)
	}
	// Proxy records in their statuses.
	proxies := read("proxy_records/")
	valid, erroring := proxies.Get(`results.#(domain=="t.acme.example")`), proxies.Get(`results.#(domain=="e.acme.example")`)
	if proxies.Get("results.#").Int() != 2 || valid.Get("status").Str != "valid" || erroring.Get("status").Str != "erroring" ||
		erroring.Get("message").Str != "CAA record forbids issuance" || erroring.Get("created_by").Int() != 2 ||
		erroring.Get("id").Str != "0190f2a4-0000-7000-8000-0000000000e1" || proxies.Get("max_proxy_records").Int() != 2 {
		t.Fatalf("proxy records: %s", proxies.Raw)
	}
	_ = srv.Store().Read(func(tx *store.Tx) error {
		r := tx.ProxyRecord("0190f2a4-0000-7000-8000-00000000ac3e", valid.Get("id").Str)
		if tx.ProxyCNAME("t.acme.example") != r.TargetCNAME || r.CertExpiresAt == nil || r.CertExpiresAt.Format(time.RFC3339) != "2026-02-01T00:00:00Z" {
			t.Errorf("valid record's DNS %q and certificate %v", tx.ProxyCNAME("t.acme.example"), r.CertExpiresAt)
		}
		return nil
	})
	// Integrations: a connectable one mapped to projects, a marketplace one with open invoices.
	integrations := read("integrations/").Get("results")
	conn := integrations.Get(`#(integration_id=="icfg_acme")`)
	if integrations.Get("#").Int() != 2 || conn.Get("config.environment_mapping.production").Int() != 1 ||
		conn.Get("config.environment_mapping.preview").Int() != 2 || conn.Get("created_by.email").Str != "alice@example.com" {
		t.Fatalf("integrations: %s", integrations.Raw)
	}
	status, body = send(t, srv, http.MethodDelete, "phx_alice_key", acme+"integrations/0190f2a4-0000-7000-8000-00000000017e/", "")
	if status != 409 || gjson.GetBytes(body, "code").Str != "open_invoices_error" {
		t.Fatalf("deleting the marketplace installation: %d %s", status, body)
	}
	apps := read("oauth_applications/").Get("results")
	if apps.Get("#").Int() != 1 || apps.Get("0.client_id").Str != "acme-cli" || !apps.Get("0.is_verified").Bool() ||
		apps.Get("0.redirect_uris_list.0").Str != "http://localhost:8000/callback" {
		t.Fatalf("oauth applications: %s", apps.Raw)
	}
	// A member who joins later lands in the default role, as over the API.
	err = srv.Store().Write(func(tx *store.Tx) error {
		u, err := tx.CreateUser(store.NewUser{Email: "zed@example.com"})
		if err != nil {
			return err
		}
		_, err = tx.AddMember("0190f2a4-0000-7000-8000-00000000ac3e", u.ID, store.NewMembership{Level: store.LevelMember})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := read("roles/" + eng.Get("id").Str + "/role_memberships/").Get("count").Int(); n != 3 {
		t.Fatalf("the default role has %d members after a join", n)
	}
}

// Generated organizations get roles whose members are their generated members; asking for
// no roles leaves the rest of the generated data as it was.
func TestGenerateRoles(t *testing.T) {
	doc := "seed: 5\nnow: 2026-01-15T10:00:00Z\ngenerate: {organizations: 2, members_per_organization: 12, projects_per_organization: 1, invites_per_organization: 2%s}\n"
	plain, err := mustParse(t, fmt.Sprintf(doc, "")).plan()
	if err != nil {
		t.Fatal(err)
	}
	sc := mustParse(t, fmt.Sprintf(doc, ", roles_per_organization: 3"))
	p, err := sc.plan()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(plain.users, p.users) || plain.orgs[1].Name != p.orgs[1].Name || !reflect.DeepEqual(plain.orgs[1].Invites, p.orgs[1].Invites) {
		t.Fatal("asking for roles changed the other generated data")
	}
	srv := mustServer(t, sc)
	_ = srv.Store().Read(func(tx *store.Tx) error {
		for _, o := range p.orgs {
			org := tx.UserByEmail(o.Members[0].User).CurrentOrgID
			roles := tx.Roles(org)
			if len(roles) != 3 {
				t.Errorf("%s: %d roles", o.Name, len(roles))
			}
			members := 0
			for _, r := range roles {
				for _, m := range tx.RoleMemberships(org, r.ID) {
					members++
					if !strings.HasSuffix(tx.User(m.UserID).Email, "@"+o.Domains[0].Domain) {
						t.Errorf("role member %s is not a generated member", tx.User(m.UserID).Email)
					}
				}
			}
			if members == 0 {
				t.Errorf("%s: roles without members", o.Name)
			}
		}
		return nil
	})
	if _, err := Parse("t.yaml", []byte("generate: {organizations: 1, roles_per_organization: 51}\n")); err == nil ||
		err.Error() != "t.yaml:1:54: generate.roles_per_organization: roles_per_organization is 0 to 50, found 51" {
		t.Fatalf("range: %v", err)
	}
}

// A store refusal caused by state the scenario did not make (a world seeded onto a store
// that already holds a proxy record for the domain) is placed at the field too.
func TestStoreRefusalFromExistingState(t *testing.T) {
	sc := mustParse(t, head+"    proxy_records:\n      - {domain: t.x.com, status: valid}\n")
	_, err := fake.New(fake.WithWorld(func(tx *store.Tx) (fake.Defaults, error) {
		d, err := fake.DefaultWorld(tx)
		if err != nil {
			return d, err
		}
		if _, err := tx.SeedProxyRecord(d.OrganizationID, store.NewProxyRecord{Domain: "t.x.com"}); err != nil {
			return d, err
		}
		return sc.World()(tx)
	}))
	if err == nil || err.Error() != "TestStoreRefusalFromExistingState.yaml:8:18: organizations[0].proxy_records[0].domain: proxy record with this domain already exists." {
		t.Fatalf("got %v", err)
	}
}

// The complete example in docs/scenarios.md is testdata/scenarios/example.yaml, and valid.
func TestDocsExample(t *testing.T) {
	file, err := os.ReadFile("../testdata/scenarios/example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	docs, err := os.ReadFile("../docs/scenarios.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, _ := bytes.Cut(docs, []byte("## A complete example"))
	_, block, _ := bytes.Cut(rest, []byte("```yaml\n"))
	block, _, _ = bytes.Cut(block, []byte("```\n"))
	if !bytes.Equal(block, file) {
		t.Fatal("docs/scenarios.md's complete example differs from testdata/scenarios/example.yaml")
	}
	sc, err := Parse("example.yaml", file)
	if err != nil {
		t.Fatal(err)
	}
	if err := sc.Check(); err != nil {
		t.Fatal(err)
	}
	// Every key the decoder knows is documented.
	for _, k := range documentedKeys() {
		if !regexp.MustCompile(`[{` + "`" + `, ]` + regexp.QuoteMeta(k) + `[}` + "`" + `,: ]`).Match(docs) {
			t.Errorf("key %q is not documented in docs/scenarios.md", k)
		}
	}
}

// documentedKeys lists the fixed keys of every mapping the decoder reads, by decoding a
// document whose mappings are all empty-valued and collecting the known keys.
func documentedKeys() []string {
	d := &decoder{pos: &positions{at: map[string]Pos{}}}
	var o Organization
	var keys []string
	for _, k := range d.familyKeys(&o) {
		keys = append(keys, k.name)
	}
	var pr Project
	for _, k := range d.projectFamilyKeys(&pr) {
		keys = append(keys, k.name)
	}
	keys = append(keys, "rollout_percentage") // a feature flag's shorthand
	return append(keys, "seed", "now", "users", "organizations", "generate", "ref", "uuid", "email", "first_name", "last_name",
		"role_at_organization", "github_login", "is_2fa_enabled", "has_social_auth", "is_active", "personal_api_keys",
		"value", "label", "scopes", "scoped_organizations", "sessions", "id", "name", "features", "plugins_access_level",
		"members", "projects", "invites", "domains", "legal_documents", "cimd_verification_tokens", "user", "level",
		"timezone", "target_email", "message", "invited_by", "private_project_access", "project", "send_email", "expired",
		"created_at", "domain", "verified", "verifiable", "jit_provisioning_enabled", "sso_enforcement", "scim_enabled",
		"scim_token", "saml_entity_id", "saml_acs_url", "saml_x509_cert", "document_type", "company_name", "company_address",
		"representative_name", "representative_title", "representative_email", "dpa_mode", "created_by", "signed",
		"signed_document_url", "key", "limit", "unit", "members_per_organization", "projects_per_organization",
		"invites_per_organization", "provider", "provider_organization_id", "provider_role_id", "provider_role_slug",
		"provider_role_name", "model", "destination", "type", "config", "interval", "paused", "start_at", "end_at",
		"offset_day", "offset_hour", "hogql_query", "filters", "plugin_type", "url", "description", "icon", "tag",
		"latest_tag", "is_global", "config_schema", "capabilities", "public_jobs", "source", "status", "kind",
		"integration_id", "client_id", "redirect_uris", "is_verified", "roles_per_organization", "plugin_remotes",
		"plugin_repository", "files", "metrics", "configs", "enabled", "order", "deleted", "runs", "logs",
		"data_interval_start", "data_interval_end", "records_completed", "records_total_count", "latest_error",
		"finished_at", "instance_id", "cname", "cert_expires_at", "open_invoices", "environment_mapping", "production",
		"preview", "development")
}

// BenchmarkLoadDemo loads the demo scenario into a running server, as POST
// /_fake/scenario does: parse, check, generate, seed a fresh store and make it the server's
// state (target: under 50 ms).
func BenchmarkLoadDemo(b *testing.B) {
	data, err := builtinFS.ReadFile("builtin/demo.yaml")
	if err != nil {
		b.Fatal(err)
	}
	srv, err := fake.New(fake.WithClock(store.NewManualClock(testNow)))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		sc, err := Parse("demo", data)
		if err != nil {
			b.Fatal(err)
		}
		if err := srv.LoadWorld(sc.World()); err != nil {
			b.Fatal(err)
		}
	}
}

// One Scenario may start several servers at once.
func TestConcurrentWorlds(t *testing.T) {
	sc := &Scenario{Now: testNow, Users: []User{{Email: "a@b.co"}}, Organizations: []Organization{{Name: "X", Members: []Member{{User: "a@b.co", Level: store.LevelOwner}}}},
		Generate: Generate{Organizations: 1, MembersPerOrganization: 3}}
	done := make(chan *fake.Server, 4)
	for range 4 {
		go func() {
			srv, err := fake.New(sc.Option())
			if err != nil {
				t.Error(err)
			}
			done <- srv
		}()
	}
	first := <-done
	for range 3 {
		if srv := <-done; first != nil && srv != nil && !reflect.DeepEqual(first.Store().Snapshot(), srv.Store().Snapshot()) {
			t.Fatal("concurrent loads differ")
		}
	}
}

// TestHistoryDays: the demo world reads as lived in — organizations created, members joined
// and users logged in at distinct times over its history, in a consistent order.
func TestHistoryDays(t *testing.T) {
	sc, err := Open("demo")
	if err != nil {
		t.Fatal(err)
	}
	srv := mustServer(t, sc)
	now := sc.Now
	earliest := now.Add(-time.Duration(sc.HistoryDays) * 24 * time.Hour)
	_ = srv.Store().Read(func(tx *store.Tx) error {
		joined := map[time.Time]bool{}
		for _, o := range tx.Organizations() {
			ms := tx.Members(o.ID, store.MemberFilter{Ascending: true})
			if o.CreatedAt.Before(earliest) || !o.CreatedAt.Before(now) || !ms[0].JoinedAt.Equal(o.CreatedAt) {
				t.Errorf("%s created %s, first member joined %s", o.Name, o.CreatedAt, ms[0].JoinedAt)
			}
			for i, m := range ms {
				joined[m.JoinedAt] = true
				if i > 0 && !m.JoinedAt.After(ms[i-1].JoinedAt) || m.JoinedAt.After(now) {
					t.Errorf("%s: member %d joined %s after %s", o.Name, i, m.JoinedAt, ms[max(i-1, 0)].JoinedAt)
				}
				u := tx.User(m.UserID)
				if u.IsActive && (u.LastLogin == nil || u.LastLogin.Before(m.JoinedAt) || u.LastLogin.After(now)) {
					t.Errorf("%s last login %v, joined %s", u.Email, u.LastLogin, m.JoinedAt)
				}
				if u.DateJoined.After(m.JoinedAt) {
					t.Errorf("%s date_joined %s after joining %s", u.Email, u.DateJoined, m.JoinedAt)
				}
			}
		}
		if len(joined) < 60 {
			t.Errorf("only %d distinct joining times", len(joined))
		}
		return nil
	})
	// Out of range is refused with its position.
	if _, err := Parse("t.yaml", []byte("history_days: 4000\n")); err == nil {
		if sc2, _ := Parse("t.yaml", []byte("history_days: 4000\n")); sc2.Check() == nil {
			t.Error("history_days 4000 accepted")
		}
	}
}

// TestLoadingABuiltinWhateverTheClock: with the clock set before the demo's records were
// made, loading the demo still works — it is seeded at its own now, where the clock then
// stands — and reset comes back there.
func TestLoadingABuiltinWhateverTheClock(t *testing.T) {
	srv, err := fake.New(fake.WithScenarioLoader(Loader()), fake.WithClock(store.NewManualClock(testNow)))
	if err != nil {
		t.Fatal(err)
	}
	demo, err := Builtin("demo")
	if err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{`{"set":"2026-01-01T00:00:00Z"}`, `{"set":"2030-06-01T00:00:00Z"}`} {
		if status, resp := send(t, srv, http.MethodPost, "", "/_fake/clock", body); status != 200 {
			t.Fatalf("clock %s: %d %s", body, status, resp)
		}
		if status, resp := send(t, srv, http.MethodPost, "", "/_fake/scenario", `{"name":"demo"}`); status != 200 {
			t.Fatalf("load demo after %s: %d %s", body, status, resp)
		}
		if got := srv.Clock().Now(); !got.Equal(demo.Now) {
			t.Fatalf("clock after loading demo = %s, want its now %s", got, demo.Now)
		}
	}
	srv.Clock().Advance(time.Hour)
	if status, resp := send(t, srv, http.MethodPost, "", "/_fake/reset", ""); status != 200 {
		t.Fatalf("reset: %d %s", status, resp)
	}
	if got := srv.Clock().Now(); !got.Equal(demo.Now) {
		t.Fatalf("clock after reset = %s, want the demo's now %s", got, demo.Now)
	}
}

// credentials: false leaves generated users without a key and a session, and changes no
// other generated data; the world still loads and its principal is a generated owner.
func TestGenerateWithoutCredentials(t *testing.T) {
	doc := "seed: 5\nnow: 2026-01-15T10:00:00Z\ngenerate: {organizations: 2, members_per_organization: 6, invites_per_organization: 2%s}\n"
	with, err := mustParse(t, fmt.Sprintf(doc, "")).plan()
	if err != nil {
		t.Fatal(err)
	}
	sc := mustParse(t, fmt.Sprintf(doc, ", credentials: false"))
	without, err := sc.plan()
	if err != nil {
		t.Fatal(err)
	}
	if len(with.users) != len(without.users) || len(without.users) != 12 {
		t.Fatalf("%d and %d users", len(with.users), len(without.users))
	}
	for i, u := range without.users {
		if len(u.PersonalAPIKeys) != 0 || len(u.Sessions) != 0 {
			t.Errorf("generated user %s has credentials: %+v %v", u.Email, u.PersonalAPIKeys, u.Sessions)
		}
		w := with.users[i]
		w.PersonalAPIKeys, w.Sessions = nil, nil
		if !reflect.DeepEqual(w, u) {
			t.Errorf("user %d differs beyond credentials: %+v vs %+v", i, w, u)
		}
	}
	if !reflect.DeepEqual(with.orgs, without.orgs) {
		t.Error("switching credentials off changed the organizations")
	}
	srv := mustServer(t, sc)
	_ = srv.Store().Read(func(tx *store.Tx) error {
		for _, u := range without.users {
			if keys := tx.APIKeysOfUser(tx.UserByEmail(u.Email).ID); len(keys) != 0 {
				t.Errorf("%s holds %d keys", u.Email, len(keys))
			}
		}
		return nil
	})
	if _, err := Parse("t.yaml", []byte(fmt.Sprintf(doc, ", credentials: maybe"))); err == nil || !strings.Contains(err.Error(), "generate.credentials") {
		t.Errorf("credentials: maybe: %v", err)
	}
}
