package scenarios

// The builtin scenarios (default, demo; go:embed), opening a scenario by name or path, and
// a scenario as a fake.Option.

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/fakehog/fakehog/fake"
	"github.com/fakehog/fakehog/fake/store"
)

//go:embed builtin/*.yaml
var builtinFS embed.FS

// Builtins lists the names of the scenarios built into fakehog: "default" (what
// go run ./cmd/fakehog serves: the Fakehog organization and its owner) and "demo" (a
// world worth clicking through).
func Builtins() []string {
	entries, _ := builtinFS.ReadDir("builtin")
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	sort.Strings(names)
	return names
}

// Builtin parses the built-in scenario with that name (see Builtins). Each call returns a
// fresh Scenario.
func Builtin(name string) (*Scenario, error) {
	data, err := builtinFS.ReadFile("builtin/" + name + ".yaml")
	if err != nil || strings.ContainsAny(name, "/\\.") {
		return nil, fmt.Errorf("scenario: no builtin scenario %q (builtins: %s)", name, strings.Join(Builtins(), ", "))
	}
	return Parse(name, data)
}

// BuiltinSource returns the YAML text of the built-in scenario with that name, to start a
// scenario file from (fakehog -print-scenario NAME).
func BuiltinSource(name string) ([]byte, error) {
	data, err := builtinFS.ReadFile("builtin/" + name + ".yaml")
	if err != nil || strings.ContainsAny(name, "/\\.") {
		return nil, fmt.Errorf("scenario: no builtin scenario %q (builtins: %s)", name, strings.Join(Builtins(), ", "))
	}
	return data, nil
}

// Open loads a builtin by name ("demo") or a file by path ("my.yaml", "./seed/acme.yml"):
// a name without a path separator or a .yaml/.yml extension is a builtin.
func Open(nameOrPath string) (*Scenario, error) {
	if isBuiltinName(nameOrPath) {
		return Builtin(nameOrPath)
	}
	return Load(nameOrPath)
}

func isBuiltinName(s string) bool {
	ext := strings.ToLower(filepath.Ext(s))
	return !strings.ContainsAny(s, `/\`) && ext != ".yaml" && ext != ".yml"
}

// Option starts a server from the scenario: its seed, its world and, when the scenario sets
// now, a manual clock standing there (move it with srv.Clock()), to which Reset returns
// (fake.WithWorldNow). Options given after it win.
//
//	srv, err := fake.New(sc.Option())
//	ts := httptestutil.NewServer(t, sc.Option())
func (s *Scenario) Option() fake.Option {
	opts := []fake.Option{fake.WithSeed(s.Seed), fake.WithWorld(s.World())}
	if !s.Now.IsZero() {
		opts = append(opts, fake.WithClock(store.NewManualClock(s.Now)), fake.WithWorldNow(s.Now))
	}
	return combine(opts...)
}

// combine folds options into one. fake.Option's parameter type is unexported, so it is
// named here only through inference.
func combine[O ~func(C), C any](opts ...O) O {
	return func(c C) {
		for _, o := range opts {
			o(c)
		}
	}
}

// Check seeds the scenario into a scratch store and reports the first error: everything
// Parse checks plus the rules only seeding can (a domain's format, a BAA's plan, an
// inviter's rights). The clock stands at Now, or reads the system clock when Now is zero.
func (s *Scenario) Check() error {
	var clock store.Clock = store.SystemClock{}
	if !s.Now.IsZero() {
		clock = store.NewManualClock(s.Now)
	}
	st := store.New(store.Options{Seed: s.Seed, Clock: clock})
	return st.Write(func(tx *store.Tx) error {
		_, err := s.World()(tx)
		return err
	})
}

// Login is what a scenario file says a user can authenticate with.
type Login struct {
	Email    string
	APIKeys  []string // the key values the file gives (generated ones are not known before seeding)
	Sessions []string
}

// Logins lists the users that have personal API key values or sessions in the scenario, in
// order (what cmd/fakehog prints at start).
func (s *Scenario) Logins() []Login {
	var out []Login
	for _, u := range s.Users {
		l := Login{Email: u.Email, Sessions: u.Sessions}
		for _, k := range u.PersonalAPIKeys {
			if k.Value != "" {
				l.APIKeys = append(l.APIKeys, k.Value)
			}
		}
		if len(l.APIKeys) > 0 || len(l.Sessions) > 0 {
			out = append(out, l)
		}
	}
	return out
}

// Loader is a fake.ScenarioLoader (fake.WithScenarioLoader) for POST /_fake/scenario. The
// body is {"name": "<builtin>"} or {"yaml": "<scenario document>"}. The server seeds the
// world with its own seed at the scenario's now (its clock is set there; a scenario without
// now puts it back on real time); generated data still follows the scenario's seed.
func Loader() fake.ScenarioLoader {
	return func(spec json.RawMessage) (fake.World, time.Time, error) {
		var req struct {
			Name *string `json:"name"`
			YAML *string `json:"yaml"`
		}
		dec := json.NewDecoder(bytes.NewReader(spec))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil || (req.Name == nil) == (req.YAML == nil) {
			return nil, time.Time{}, store.Invalid(`Give either "name" (a builtin scenario: ` + strings.Join(Builtins(), ", ") + `) or "yaml" (a scenario document).`)
		}
		var sc *Scenario
		var err error
		if req.Name != nil {
			if !isBuiltinName(*req.Name) {
				return nil, time.Time{}, store.FieldError("name", "invalid_choice", store.MsgInvalidChoice(*req.Name))
			}
			sc, err = Builtin(*req.Name)
			if err != nil {
				return nil, time.Time{}, store.FieldError("name", "invalid_choice", store.MsgInvalidChoice(*req.Name))
			}
		} else {
			sc, err = Parse("inline", []byte(*req.YAML))
			if err != nil {
				return nil, time.Time{}, store.FieldError("yaml", "invalid_input", err.Error())
			}
		}
		return sc.World(), sc.Now, nil
	}
}
