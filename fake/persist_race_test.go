package fake

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tidwall/gjson"
)

// The crash test of admin operations: API writers race reset, scenario loads, snapshot
// imports and minted keys on a child fakehog with a data directory, which is killed with
// SIGKILL at a random moment, round after round. Every restart must succeed, and every
// acknowledged write must come back with its acknowledged id — unless an operation that
// replaces the whole state may have come after it.
//
// "May have come after" is decided by a logical clock (tick) read when each request is
// sent and when its answer arrives: a reset acknowledged at tick r can only have run after
// a write sent at tick s when r > s. A reset the kill interrupted counts as acknowledged at
// the kill (it ran before the kill or never).

// raceAck is one request: its ticks, and the id it was answered with.
type raceAck struct {
	id          string
	sent, acked int64
}

func TestPersistenceRacesAdminOperationsWithSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills processes")
	}
	const rounds, writers = 16, 3
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(20, 26))
	client := &http.Client{Timeout: 20 * time.Second}
	var tick atomic.Int64
	var mu sync.Mutex
	invites := map[string]*raceAck{} // by email: every invite sent
	keys := map[string]*raceAck{}    // by label: every key minted
	var wipes []*raceAck             // resets, scenarios and imports sent
	send := func(method, url, body string, key bool) (int, []byte, error) {
		req, _ := http.NewRequest(method, url, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if key {
			req.Header.Set("Authorization", "Bearer "+DefaultAPIKey)
		}
		res, err := client.Do(req)
		if err != nil {
			return 0, nil, err
		}
		defer res.Body.Close()
		data, err := io.ReadAll(res.Body)
		return res.StatusCode, data, err
	}
	// wipedAfter reports whether a state-replacing operation may have run after a request
	// sent at tick sent.
	wipedAfter := func(sent int64) bool {
		for _, w := range wipes {
			if w.acked > sent {
				return true
			}
		}
		return false
	}
	var export string
	var checked, ops int
	verify := func(base string) {
		t.Helper()
		status, data, err := send("GET", base+"/api/organizations/@current/invites/?limit=1000000", "", true)
		if err != nil || status != 200 {
			t.Fatalf("list invites → %d %s %v", status, truncate(data), err)
		}
		have := map[string]string{}
		for _, inv := range gjson.GetBytes(data, "results").Array() {
			email, id := inv.Get("target_email").String(), inv.Get("id").String()
			a := invites[email]
			switch {
			case a == nil:
				t.Errorf("invite %s (%s) was never sent", email, id)
			case have[email] != "":
				t.Errorf("invite %s is there twice", email)
			case a.acked != 0 && a.id != id:
				t.Errorf("invite %s was acknowledged with id %s, but came back with %s", email, a.id, id)
			}
			have[email] = id
		}
		status, data, err = send("GET", base+"/_fake/users", "", false)
		if err != nil || status != 200 {
			t.Fatalf("list users → %d %v", status, err)
		}
		haveKeys := map[string]string{}
		for _, k := range gjson.GetBytes(data, "results.#.personal_api_keys|@flatten").Array() {
			haveKeys[k.Get("label").String()] = k.Get("id").String()
		}
		for email, a := range invites {
			if a.acked != 0 && !wipedAfter(a.sent) {
				checked++
				if have[email] == "" {
					t.Errorf("acknowledged invite %s (%s) was lost", email, a.id)
				}
			}
		}
		for label, a := range keys {
			id, ok := haveKeys[label]
			switch {
			case ok && a.acked != 0 && id != a.id:
				t.Errorf("key %s was acknowledged with id %s, but came back with %s", label, a.id, id)
			case !ok && a.acked != 0 && !wipedAfter(a.sent):
				t.Errorf("acknowledged key %s (%s) was lost", label, a.id)
			}
		}
	}
	for round := 0; ; round++ {
		child := startWalkChild(t, dir) // every restart must succeed
		verify(child.base)
		if t.Failed() || round == rounds {
			child.kill()
			break
		}
		if export == "" {
			_, data, _ := send("GET", child.base+"/_fake/snapshot", "", false)
			export = string(data)
		}
		var stop atomic.Bool
		var wg sync.WaitGroup
		for w := 0; w < writers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for i := 0; !stop.Load(); i++ {
					email := fmt.Sprintf("r%d-w%d-%d@race.dev", round, w, i)
					a := &raceAck{sent: tick.Add(1)}
					mu.Lock()
					invites[email] = a
					mu.Unlock()
					status, data, err := send("POST", child.base+"/api/organizations/@current/invites/", `{"target_email":"`+email+`"}`, true)
					if err != nil {
						return // killed
					}
					if status == 201 {
						mu.Lock()
						a.id, a.acked = gjson.GetBytes(data, "id").String(), tick.Add(1)
						mu.Unlock()
					} else if status != 404 { // 404: @current's organization replaced under it
						t.Errorf("POST invite → %d %s", status, truncate(data))
					}
				}
			}(w)
		}
		// The admin operations come in a burst at a random moment (so some writes come after
		// the last one, and some bursts are cut by the kill), or, every other round, one
		// after another until the kill (so it lands inside one as often as it can).
		delay, burst := time.Duration(rng.IntN(120))*time.Millisecond, 1+rng.IntN(4)
		if round%2 == 1 {
			delay, burst = 0, math.MaxInt
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(delay)
			for n := 0; n < burst && !stop.Load(); n++ {
				mu.Lock()
				i := ops
				mu.Unlock()
				var method, path, body string
				wipe := true
				switch i % 4 {
				case 0:
					method, path = "POST", "/_fake/reset"
				case 1:
					method, path, body = "POST", "/_fake/scenario", `{"name":"race"}`
				case 2:
					method, path, body = "PUT", "/_fake/snapshot", export
				default:
					wipe = false
					method, path, body = "POST", "/_fake/keys", fmt.Sprintf(`{"user":%q,"label":"k%d"}`, DefaultUserEmail, i)
				}
				a := &raceAck{sent: tick.Add(1), acked: math.MaxInt64}
				mu.Lock()
				if wipe {
					wipes = append(wipes, a)
				} else {
					keys[fmt.Sprintf("k%d", i)] = a
					a.acked = 0
				}
				ops++
				mu.Unlock()
				status, data, err := send(method, child.base+path, body, false)
				if err != nil {
					return // killed: an interrupted wipe is settled at the kill
				}
				if status >= 300 {
					t.Errorf("%s %s → %d %s", method, path, status, truncate(data))
					return
				}
				mu.Lock()
				if wipe {
					a.acked = tick.Add(1)
				} else {
					a.id, a.acked = gjson.GetBytes(data, "id").String(), tick.Add(1)
				}
				mu.Unlock()
			}
		}()
		time.Sleep(time.Duration(40+rng.IntN(260)) * time.Millisecond)
		child.kill()
		killed := tick.Add(1)
		stop.Store(true)
		wg.Wait()
		for _, w := range wipes {
			if w.acked == math.MaxInt64 {
				w.acked = killed
			}
		}
	}
	acked := 0
	for _, a := range invites {
		if a.acked != 0 {
			acked++
		}
	}
	t.Logf("%d rounds: %d invites sent, %d acknowledged, %d checked after a restart; %d admin operations (%d keys)",
		rounds, len(invites), acked, checked, ops, len(keys))
	if !t.Failed() && (checked == 0 || ops < rounds) {
		t.Fatal("the race did not run: nothing acknowledged was checked")
	}
}
