package fake

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fakehog/fakehog/fake/store"
)

// Isolated worlds on one server, for test suites that run workers in parallel (issue #23):
// each worker asks for a world of its own and gets credentials that reach only it, so an
// unmodified client — which lets you set a host and a key, nothing more — works as is.
//
//	POST   /_fake/worlds              a new world: {} (the server's default world),
//	                                  {"name": "demo"} or {"yaml": "..."} (as /_fake/scenario),
//	                                  optional "seed" → 201 {id, base_url, world_url, api_key,
//	                                  session, organization_id, project_id, user_email, user_uuid}
//	GET    /_fake/worlds              every world → {"count", "results": [...]}
//	GET    /_fake/worlds/{id}         one world
//	DELETE /_fake/worlds/{id}         drop it (its store, journal and faults go with it)
//	ANY    /_fake/worlds/{id}/api/... the world's API under a path prefix (world_url as a base URL)
//	ANY    /_fake/worlds/{id}/{control}  the world's own /_fake/{control} route: reset,
//	                                  requests, faults, clock, scenario, snapshot, users, keys
//
// A world is a Server of its own: its own store (seed, ids, clock standing at the scenario's
// now, or at the server's reading when it has none), journal and fault rules. Its principal
// gets a fresh personal API key and session (random tokens drawn from the world's seed), and
// every API request whose key (Authorization: Bearer, ?personal_api_key=) or session cookie
// the server's own world does not know is dispatched to the world that knows it. So a key
// identifies its world: keys minted in the world (POST /api/personal_api_keys/ or the world's
// /keys) reach it too, while anything else stays with the server's own world. Worlds live in
// memory only (not in -data-dir) and survive the server's reset.

// maxWorlds bounds the worlds one server holds at once.
const maxWorlds = 1000

// worldSet is the server's isolated worlds.
type worldSet struct {
	mu    sync.RWMutex
	byID  map[string]*isolatedWorld
	order []*isolatedWorld // creation order: dispatch asks them in turn
	next  int              // the last world number handed out
	count atomic.Int32     // len(order), read without the lock on every request
}

// isolatedWorld is one world of the set.
type isolatedWorld struct {
	id      string
	srv     *Server
	created time.Time
}

// worldView is a world as the /_fake/worlds routes answer it.
type worldView struct {
	ID string `json:"id"`
	// BaseURL is the server's own base URL: clients that can set only a host and a key use it
	// with the world's API key, which dispatches to the world.
	BaseURL string `json:"base_url"`
	// WorldURL reaches the world by path, whatever the credentials: its API under
	// WorldURL + "/api/...", its controls under WorldURL + "/reset", "/requests", ...
	WorldURL  string `json:"world_url"`
	CreatedAt string `json:"created_at"`
	Defaults
}

func (s *Server) worldView(r *http.Request, w *isolatedWorld) worldView {
	base := siteURL(r)
	return worldView{ID: w.id, BaseURL: base, WorldURL: base + "/_fake/worlds/" + w.id, CreatedAt: isoTime(w.created), Defaults: w.srv.Defaults()}
}

// registerWorlds mounts the /_fake/worlds routes (the per-world prefixes are served by
// serveWorld, before routing).
func (s *Server) registerWorlds(m *pathRouter) {
	s.adminRoute(m, "/_fake/worlds", true, map[string]adminFunc{http.MethodGet: s.adminWorlds, http.MethodPost: s.adminNewWorld})
	s.adminRoute(m, "/_fake/worlds/{id}", true, map[string]adminFunc{http.MethodGet: s.adminWorld, http.MethodDelete: s.adminDropWorld})
}

// worldSpec is the body of POST /_fake/worlds besides what the scenario loader reads.
type worldSpec struct {
	Seed *uint64 `json:"seed"`
}

func (s *Server) adminNewWorld(r *http.Request) (int, any, error) {
	var raw map[string]json.RawMessage
	var body json.RawMessage
	if err := s.readAdminJSON(r, &body); err != nil {
		if !isEmptyBodyError(err) {
			return 0, nil, err
		}
		body = json.RawMessage(`{}`) // no body: the default world
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		return 0, nil, store.Invalid(`The body is a JSON object: {} for the default world, {"name": "demo"} or {"yaml": "..."}, and an optional "seed".`)
	}
	var spec worldSpec
	if v, ok := raw["seed"]; ok {
		if err := json.Unmarshal(v, &spec.Seed); err != nil || spec.Seed == nil {
			return 0, nil, store.FieldError("seed", "invalid", store.MsgInvalidInt)
		}
		delete(raw, "seed")
	}
	id, err := s.NewWorld(raw, spec.Seed)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, s.worldView(r, s.world(id)), nil
}

// isEmptyBodyError reports whether readAdminJSON refused an empty body (a world needs none).
func isEmptyBodyError(err error) bool {
	e, ok := err.(*store.Error)
	return ok && e.Code == "invalid_input" && e.Detail == "A JSON body is required."
}

// NewWorld adds an isolated world to the server and returns its id (WorldServer(id) is the
// world itself): scenario is what POST /_fake/scenario takes ({"name": ...} or
// {"yaml": ...}; empty for the server's default world), seed its seed (nil: derived from
// the server's seed and the world's number, so every world draws different ids and tokens).
func (s *Server) NewWorld(scenario map[string]json.RawMessage, seed *uint64) (string, error) {
	ws := &s.worlds
	ws.mu.Lock()
	if len(ws.order) >= maxWorlds {
		ws.mu.Unlock()
		return "", &store.Error{Status: 429, Type: "throttled_error", Code: "throttled",
			Detail: fmt.Sprintf("This server holds %d worlds already: DELETE /_fake/worlds/{id} the ones you are done with.", maxWorlds)}
	}
	ws.next++
	n := ws.next
	ws.mu.Unlock()

	world, now := World(DefaultWorld), s.clock.Now()
	if len(scenario) > 0 {
		if s.loader == nil {
			return "", errNoLoader
		}
		spec, _ := json.Marshal(scenario)
		fn, at, err := s.loader(spec)
		if err != nil {
			if e, ok := err.(*store.Error); ok {
				return "", e
			}
			return "", store.Invalid(err.Error())
		}
		world = fn
		if !at.IsZero() {
			now = at
		}
	}
	wseed := s.seed + uint64(n)*0x9e3779b97f4a7c15
	if seed != nil {
		wseed = *seed
	}
	key, session := worldCredentials(wseed)
	opts := []Option{WithSeed(wseed), WithWorld(freshCredentials(world, key, session)), WithClock(store.NewManualClock(now)),
		WithWorldNow(now), WithLogger(s.logger), WithMaxBodyBytes(s.maxBodyBytes), WithScenarioNames(s.builtins...)}
	if s.loader != nil {
		// A scenario loaded into the world later gets the same fresh credentials.
		opts = append(opts, WithScenarioLoader(func(spec json.RawMessage) (World, time.Time, error) {
			fn, at, err := s.loader(spec)
			if err != nil {
				return nil, at, err
			}
			return freshCredentials(fn, key, session), at, nil
		}))
	}
	srv, err := New(opts...)
	if err != nil {
		if e, ok := err.(*store.Error); ok {
			return "", e
		}
		return "", store.Invalid(err.Error())
	}
	w := &isolatedWorld{id: "w" + strconv.Itoa(n), srv: srv, created: s.clock.Now()}
	ws.mu.Lock()
	if ws.byID == nil {
		ws.byID = map[string]*isolatedWorld{}
	}
	ws.byID[w.id] = w
	ws.order = append(ws.order, w)
	ws.count.Store(int32(len(ws.order)))
	ws.mu.Unlock()
	d := srv.Defaults()
	s.logger.Info("world created", "world", w.id, "user", d.UserEmail, "api_key", d.APIKey, "session", d.Session)
	return w.id, nil
}

// WorldServer returns the isolated world with that id (made by NewWorld or POST
// /_fake/worlds), to inspect or control from Go; nil when there is none.
func (s *Server) WorldServer(id string) *Server {
	if w := s.world(id); w != nil {
		return w.srv
	}
	return nil
}

// worldCredentials are the principal's key and session in a world seeded with seed: random
// tokens from a source of their own, so no two worlds share them.
func worldCredentials(seed uint64) (key, session string) {
	scratch := store.New(store.Options{Seed: seed ^ 0x5bd1e9955bd1e995})
	_ = scratch.Write(func(tx *store.Tx) error {
		key, session = "phx_"+tx.RandomToken(35), "world-"+tx.RandomToken(24)
		return nil
	})
	return key, session
}

// freshCredentials seeds fn, then gives its principal the world's own key and session (in
// place of the scenario's, which another world may hold too; added when it has none).
func freshCredentials(fn World, key, session string) World {
	return func(tx *store.Tx) (Defaults, error) {
		d, err := fn(tx)
		if err != nil || d.UserUUID == "" {
			return d, err
		}
		u := tx.UserByUUID(d.UserUUID)
		if u == nil {
			return d, nil
		}
		if d.APIKey == "" {
			if _, _, err := tx.CreatePersonalAPIKey(u.ID, store.NewAPIKey{Value: key, Label: "fakehog world key", Scopes: []string{"*"}}); err != nil {
				return d, err
			}
			d.APIKey = key
		}
		if d.Session == "" {
			if err := tx.AddSession(u.ID, session); err != nil {
				return d, err
			}
			d.Session = session
		}
		return d, applyCredentialOverrides(tx, &d, key, session)
	}
}

// world returns the world with that id, or nil.
func (s *Server) world(id string) *isolatedWorld {
	s.worlds.mu.RLock()
	defer s.worlds.mu.RUnlock()
	return s.worlds.byID[id]
}

// DropWorld removes an isolated world; it reports whether there was one with that id.
func (s *Server) DropWorld(id string) bool {
	ws := &s.worlds
	ws.mu.Lock()
	defer ws.mu.Unlock()
	w := ws.byID[id]
	if w == nil {
		return false
	}
	delete(ws.byID, id)
	for i, x := range ws.order {
		if x == w {
			ws.order = append(ws.order[:i:i], ws.order[i+1:]...)
			break
		}
	}
	ws.count.Store(int32(len(ws.order)))
	return true
}

// worldsPage is the answer of GET /_fake/worlds.
type worldsPage struct {
	Count   int         `json:"count"`
	Results []worldView `json:"results"`
}

func (s *Server) adminWorlds(r *http.Request) (int, any, error) {
	s.worlds.mu.RLock()
	list := append([]*isolatedWorld(nil), s.worlds.order...)
	s.worlds.mu.RUnlock()
	out := worldsPage{Count: len(list), Results: []worldView{}}
	for _, w := range list {
		out.Results = append(out.Results, s.worldView(r, w))
	}
	return http.StatusOK, out, nil
}

func (s *Server) adminWorld(r *http.Request) (int, any, error) {
	w := s.world(pathVars(r)["id"])
	if w == nil {
		return 0, nil, store.ErrNotFound()
	}
	return http.StatusOK, s.worldView(r, w), nil
}

func (s *Server) adminDropWorld(r *http.Request) (int, any, error) {
	if !s.DropWorld(pathVars(r)["id"]) {
		return 0, nil, store.ErrNotFound()
	}
	return http.StatusNoContent, nil, nil
}

// worldControls are the /_fake/ routes a world serves under /_fake/worlds/{id}/.
var worldControls = map[string]bool{"reset": true, "requests": true, "faults": true, "clock": true, "scenario": true,
	"snapshot": true, "users": true, "keys": true, "health": true}

// serveWorld hands a request to an isolated world when it belongs to one: by path
// (/_fake/worlds/{id}/api/... or a control route) or by credentials the server's own world
// does not know. It reports whether it did.
func (s *Server) serveWorld(w http.ResponseWriter, r *http.Request) bool {
	if rest, ok := strings.CutPrefix(r.URL.Path, "/_fake/worlds/"); ok {
		id, sub, ok := strings.Cut(rest, "/")
		if !ok || sub == "" {
			return false // the world itself: an admin route
		}
		world := s.world(id)
		if world == nil {
			s.writeError(w, r, store.ErrNotFound())
			return true
		}
		if err := s.checkAdminToken(r); err != nil && !strings.HasPrefix(sub, "api/") {
			s.writeError(w, r, err)
			return true
		}
		control, _, _ := strings.Cut(sub, "/")
		path := "/" + sub
		if !strings.HasPrefix(sub, "api/") {
			if !worldControls[control] {
				s.writeError(w, r, errEndpointNotFound)
				return true
			}
			path = "/_fake/" + sub
		}
		base, _ := r.Context().Value(basePathKey{}).(string)
		r2 := r.Clone(context.WithValue(r.Context(), basePathKey{}, base+"/_fake/worlds/"+id))
		r2.URL.Path, r2.URL.RawPath = path, ""
		world.srv.ServeHTTP(w, r2)
		return true
	}
	if isAdminPath(r.URL.Path) {
		return false
	}
	key, session := requestCredentials(r)
	if key == "" && session == "" {
		return false
	}
	// As authentication does: a key decides when there is one, else the session.
	knows := func(st *store.Store) bool {
		found := false
		_ = st.Read(func(tx *store.Tx) error {
			if key != "" {
				found = tx.APIKeyByValue(key) != nil
			} else {
				found = tx.UserBySession(session) != nil
			}
			return nil
		})
		return found
	}
	if knows(s.store) {
		return false
	}
	s.worlds.mu.RLock()
	list := s.worlds.order
	s.worlds.mu.RUnlock()
	for _, world := range list {
		if knows(world.srv.store) {
			world.srv.ServeHTTP(w, r)
			return true
		}
	}
	return false
}

// requestCredentials are the personal API key and session a request carries, where the
// pipeline looks for them (a key in a form or JSON body is not looked at: send it as a
// header to reach a world).
func requestCredentials(r *http.Request) (key, session string) {
	if v, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok && !strings.HasPrefix(strings.TrimSpace(v), "pha_") {
		key = strings.TrimSpace(v)
	}
	if key == "" {
		key = lastQueryValue(r.URL.Query(), "personal_api_key")
	}
	if c, err := r.Cookie("sessionid"); err == nil {
		session = c.Value
	}
	return key, session
}
