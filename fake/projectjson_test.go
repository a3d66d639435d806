package fake

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/fakehog/fakehog/fake/store"
)

func TestProjectOwnKeysSorted(t *testing.T) {
	if !slices.IsSorted(projectOwnKeys[:]) {
		t.Fatalf("projectOwnKeys is not sorted: %q", projectOwnKeys)
	}
	if slices.Contains(projectOwnKeys[:], "") {
		t.Fatalf("projectOwnKeys has an empty name (a constant without its key)")
	}
}

// projectViewMap is the project view as one map, the way it was built before projectJSON:
// the oracle projectJSON's encoding must equal once encoding/json has written it.
func projectViewMap(level int, p *store.Project) map[string]any {
	out := make(map[string]any, len(p.Settings)+24)
	for k, v := range p.Settings {
		out[k] = v
	}
	intents := make([]map[string]any, 0, len(p.ProductIntents))
	for _, pi := range p.ProductIntents {
		intents = append(intents, map[string]any{"product_type": pi.ProductType, "created_at": isoTime(pi.CreatedAt),
			"onboarding_completed_at": isoTimePtr(pi.OnboardingCompletedAt), "updated_at": isoTime(pi.UpdatedAt)})
	}
	out["id"] = p.ID
	out["project_id"] = p.ID
	out["uuid"] = p.UUID
	out["organization"] = p.OrgID
	out["name"] = p.Name
	out["api_token"] = p.APIToken
	out["secret_api_token"] = p.SecretAPIToken
	out["secret_api_token_backup"] = p.SecretAPITokenBackup
	out["created_at"] = isoTime(p.CreatedAt)
	out["updated_at"] = isoTime(p.UpdatedAt)
	out["is_demo"] = p.IsDemo
	out["ingested_event"] = p.IngestedEvent
	out["is_pending_deletion"] = p.IsPendingDeletion
	out["effective_membership_level"] = level
	out["user_access_level"] = map[int]string{store.LevelMember: "member", store.LevelAdmin: "admin", store.LevelOwner: "admin"}[level]
	out["has_group_types"] = false
	out["group_types"] = []any{}
	out["live_events_token"] = nil
	out["default_modifiers"] = map[string]any{}
	out["person_on_events_querying_enabled"] = true
	out["product_intents"] = intents
	out["available_setup_task_ids"] = []string{}
	out["managed_viewsets"] = map[string]any{}
	return out
}

// A project's view encodes exactly as the one map it replaced: for the demo world's
// projects, and for projects whose settings hold random keys (before, between and after
// the view's own fields, and the same names as them) and awkward values, at every level.
func TestProjectViewMatchesMap(t *testing.T) {
	srv, err := New(WithSeed(4), WithClock(store.NewManualClock(time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC))))
	if err != nil {
		t.Fatal(err)
	}
	var projects []*store.Project
	_ = srv.Store().Read(func(tx *store.Tx) error {
		for _, o := range tx.Organizations() {
			projects = append(projects, tx.Projects(o.ID, "")...)
		}
		return nil
	})
	if len(projects) == 0 {
		t.Fatal("no projects in the default world")
	}
	r := rand.New(rand.NewPCG(9, 9))
	keys := append([]string{"", "a", "zz", "id_", "is", "name", "uuid", "api_token", "é", `q"uote`, "~last"}, projectOwnKeys[:]...)
	values := []any{nil, true, 3, 2.5, "text", "<b>é</b>", []any{1, "x"}, map[string]any{"k": []string{"v"}}, []string(nil), (*string)(nil)}
	for n := range 200 {
		p := *projects[n%len(projects)]
		p.Settings = map[string]any{}
		for k, v := range projects[n%len(projects)].Settings {
			p.Settings[k] = v
		}
		for range r.IntN(12) {
			p.Settings[keys[r.IntN(len(keys))]+[]string{"", "x", strconv.Itoa(n)}[r.IntN(3)]] = values[r.IntN(len(values))]
		}
		if n%7 == 0 {
			p.Settings = nil
		}
		if n%5 == 0 {
			done := time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC)
			p.ProductIntents = []store.ProductIntent{{ProductType: "product_analytics", CreatedAt: done, UpdatedAt: done, OnboardingCompletedAt: &done}}
		}
		level := []int{store.LevelMember, store.LevelAdmin, store.LevelOwner, 0}[n%4]
		got, err := projectJSONOf(&call{member: &store.Membership{Level: level}}, &p).appendJSON(nil)
		if err != nil {
			t.Fatal(err)
		}
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(projectViewMap(level, &p)); err != nil {
			t.Fatal(err)
		}
		if string(got) != string(bytes.TrimRight(want.Bytes(), "\n")) {
			t.Fatalf("project %d (level %d):\n got  %s\n want %s", n, level, got, want.Bytes())
		}
	}
}

// Views are read while the project changes, from several goroutines at once: the view must
// be encoded inside the handler's transaction, since it reads the record's settings (run
// with -race; a view encoded after its transaction fails here as a data race or as
// "concurrent map read and map write").
func TestProjectViewUnderConcurrentWrites(t *testing.T) {
	e := newEnv(t)
	path := "/api/organizations/" + e.d.OrganizationID + "/projects/" + strconv.Itoa(e.d.ProjectID) + "/"
	envPath := "/api/environments/" + strconv.Itoa(e.d.ProjectID) + "/"
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 30 {
				var r *resp
				switch g {
				case 0:
					r = e.sendUnchecked("PATCH", path, map[string]any{"name": "P" + strconv.Itoa(i), "timezone": []string{"UTC", "Europe/Paris"}[i%2]})
				case 1:
					r = e.sendUnchecked("PATCH", envPath, map[string]any{"anonymize_ips": i%2 == 0})
				case 2:
					r = e.sendUnchecked("GET", path, nil)
				default:
					r = e.sendUnchecked("GET", envPath, nil)
				}
				if r.Status != 200 || !r.JSON.Get("name").Exists() {
					t.Errorf("goroutine %d, request %d: %d %s", g, i, r.Status, r.Body)
					return
				}
			}
		}()
	}
	wg.Wait()
}
