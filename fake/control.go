package fake

import (
	"encoding/json"
	"sync/atomic"
	"time"

	"github.com/fakehog/fakehog/fake/store"
)

// Test control from Go: the clock, Reset, Snapshot/Restore and loading another world. The
// same controls are served over HTTP under /_fake/ (admin.go).

// Clock is the server's clock: every timestamp the fake writes and every expiry it checks
// (invites' is_expired, ...) reads it. It wraps the clock given with WithClock (the system
// clock by default) and can always be moved: when the wrapped clock can move itself (a
// *store.ManualClock) Advance and Set move it, so the test's clock and the server agree;
// otherwise they shift an offset over it, and time keeps flowing from the new reading.
// UseReal leaves the wrapped clock for the system clock. It is safe for concurrent use.
type Clock struct {
	base   store.Clock
	mover  clockMover   // base, when it can be moved
	offset atomic.Int64 // nanoseconds added to the reading (when base is not moved)
	real   atomic.Bool  // UseReal was called: read the system clock, not base
}

// clockMover is a clock that can be moved (store.ManualClock).
type clockMover interface {
	Advance(d time.Duration)
	Set(t time.Time)
}

func newClock(base store.Clock) *Clock {
	c := &Clock{base: base}
	c.mover, _ = base.(clockMover)
	return c
}

// Now returns the server's current time.
func (c *Clock) Now() time.Time {
	return c.reading().Add(time.Duration(c.offset.Load()))
}

// reading is the underlying clock's reading, before the offset.
func (c *Clock) reading() time.Time {
	if c.real.Load() {
		return store.SystemClock{}.Now()
	}
	return c.base.Now()
}

// movable is the wrapped clock when Advance and Set move it directly.
func (c *Clock) movable() clockMover {
	if c.real.Load() {
		return nil
	}
	return c.mover
}

// Advance moves the clock forward by d (backward when d is negative).
func (c *Clock) Advance(d time.Duration) {
	if m := c.movable(); m != nil {
		m.Advance(d)
		return
	}
	c.offset.Add(int64(d))
}

// Set puts the clock at t.
func (c *Clock) Set(t time.Time) {
	if m := c.movable(); m != nil {
		m.Set(t)
		return
	}
	c.offset.Store(int64(t.Sub(c.reading())))
}

// UseReal puts the clock back on real time: from now on it reads the system clock (with no
// offset), whatever clock it was built with (WithClock) or where it was moved. Advance and
// Set still work, shifting an offset over real time. Over HTTP: POST /_fake/clock
// {"real": true}.
func (c *Clock) UseReal() {
	c.real.Store(true)
	c.offset.Store(0)
}

// Clock returns the server's clock, to read or move it:
//
//	srv.Clock().Advance(72*time.Hour + time.Second) // invites expire
func (s *Server) Clock() *Clock { return s.clock }

// World seeds a store: it runs in one write transaction and returns the credentials and ids
// to report as Defaults. DefaultWorld is one; a scenario loader builds others.
type World func(tx *store.Tx) (Defaults, error)

// ScenarioLoader turns the JSON body of POST /_fake/scenario into a World (for example
// {"name": "..."} for a builtin scenario or an inline document) and the clock reading it
// is seeded at (its now; zero when it has none). The server then loads it as LoadWorldAt
// does: the clock is set to now, or put back on real time (UseReal) when now is zero, and
// Reset returns there. Errors are answered as PostHog's error body: a *store.Error as it
// is, any other error as a 400 validation error with its text.
type ScenarioLoader func(spec json.RawMessage) (World, time.Time, error)

// WithWorldNow says that the world the server is built with (WithWorld) lives at now, as a
// scenario with now: does: Reset then puts the clock back to now (or, on a data directory
// that has lived past it, to its latest write). It does not move the clock at start; pair it
// with a clock that reads now while seeding (WithClock). Scenario.Option and cmd/fakehog set it.
func WithWorldNow(now time.Time) Option { return func(c *config) { c.worldNow = now } }

// WithScenarioLoader enables POST /_fake/scenario. Without it that route answers 501.
func WithScenarioLoader(l ScenarioLoader) Option { return func(c *config) { c.loader = l } }

// Reset puts the server back to the world it was built with (or the one LoadWorld last
// loaded), as it was right after seeding: same records, same ids, and the same ids
// generated from then on. It also empties the request journal and removes every fault
// rule and reactor. The clock goes back to the loaded world's: to the now a world loaded
// with LoadWorldAt (or POST /_fake/scenario) was seeded at, or to real time for a scenario
// loaded without one, or to WithWorldNow's reading for the world the server was built with;
// otherwise (LoadWorld, a world without WithWorldNow) the clock is left where it is, so
// time-dependent fields (an invite's is_expired) follow the current reading.
func (s *Server) Reset() {
	if err := s.reset(); err != nil {
		s.logger.Error("reset failed: the data directory could not record it, so nothing changed", "err", err)
	}
}

// reset is Reset, reporting a data directory that could not record it (nothing changed).
func (s *Server) reset() error {
	s.worldMu.Lock()
	defer s.worldMu.Unlock()
	w := s.currentWorld()
	if err := s.commitState(w.snap.Clone(), nil, true, nil); err != nil {
		return err
	}
	w.clock.apply(s.clock)
	s.journal.Clear()
	s.faults.reset(s.seed)
	return nil
}

// Snapshot returns a deep copy of the store's state, to Restore later. It is cheap (a
// copy of the records in memory) and holds no journal, faults or clock reading.
func (s *Server) Snapshot() *store.Snapshot { return s.store.Snapshot() }

// Restore puts the store's state back to snap (taken by Snapshot). The journal, faults and
// clock are left as they are. A snapshot can be restored any number of times. With a data
// directory that cannot record it, nothing changes (and the failure is logged).
func (s *Server) Restore(snap *store.Snapshot) {
	s.worldMu.Lock()
	defer s.worldMu.Unlock()
	if err := s.commitState(snap.Clone(), nil, false, nil); err != nil {
		s.logger.Error("restore failed: the data directory could not record it, so nothing changed", "err", err)
	}
}

// ExportState returns the whole store as canonical JSON: records, indexes and the seeded
// random source's position — not the journal, faults or clock. Equal states give equal
// bytes, so two exports can be compared directly.
func (s *Server) ExportState() ([]byte, error) { return s.store.ExportJSON() }

// ImportState replaces the whole store with an ExportState export (from this server or
// another). The export is checked whole first — its format version, its shape and its
// records' integrity (store.Snapshot.CheckIntegrity: no duplicate ids, no dangling
// references, no id counter behind its ids) — and, with a data directory, written there
// in the same step; on any error nothing changes. Defaults() still describes the world the
// server was built with.
func (s *Server) ImportState(data []byte) error {
	sn, err := store.DecodeSnapshot(data)
	if err != nil {
		return err
	}
	s.worldMu.Lock()
	defer s.worldMu.Unlock()
	return s.commitState(sn, nil, false, data)
}

// worldClock is what Reset does to the clock: nothing (the zero value), set it to at, or
// put it on real time.
type worldClock struct {
	at   time.Time
	real bool
}

func (w worldClock) apply(c *Clock) {
	switch {
	case w.real:
		c.UseReal()
	case !w.at.IsZero():
		c.Set(w.at)
	}
}

// LoadWorld replaces the whole state with a fresh store (same seed, same clock) seeded by
// fn, applies WithAPIKey / WithSession, and makes it the world Reset returns to. The
// journal, faults and clock are left as they are. On error nothing changes.
func (s *Server) LoadWorld(fn World) error {
	return s.loadWorld(fn, worldClock{})
}

// LoadWorldAt is LoadWorld for a world that lives at now (a scenario's now): it is seeded
// with the clock reading now exactly, whatever the clock read before, the server's clock is
// then set to now (time flows on from there unless it is a manual clock), and Reset comes
// back to now. A zero now means real time: the clock is put back on the system clock
// (Clock.UseReal) before seeding, and Reset does so again. On error nothing changes, the
// clock included.
func (s *Server) LoadWorldAt(fn World, now time.Time) error {
	if now.IsZero() {
		return s.loadWorld(fn, worldClock{real: true})
	}
	return s.loadWorld(fn, worldClock{at: now})
}

func (s *Server) loadWorld(fn World, wc worldClock) error {
	var seedClock store.Clock = s.clock
	switch {
	case wc.real:
		seedClock = store.SystemClock{}
	case !wc.at.IsZero():
		seedClock = store.NewManualClock(wc.at)
	}
	tmp := store.New(store.Options{Seed: s.seed, Clock: seedClock})
	var d Defaults
	err := tmp.Write(func(tx *store.Tx) error {
		var err error
		if d, err = fn(tx); err != nil {
			return err
		}
		return applyCredentialOverrides(tx, &d, s.apiKey, s.session)
	})
	if err != nil {
		return err
	}
	snap := tmp.Release() // tmp is dropped: its state becomes the world, uncopied
	s.worldMu.Lock()
	defer s.worldMu.Unlock()
	if err := s.commitState(snap.Clone(), &worldChange{snap: snap, defaults: d, clock: wc}, true, nil); err != nil {
		return err
	}
	s.ctl.Lock()
	s.initial = snap
	s.defaults = d
	s.worldClock = wc
	s.ctl.Unlock()
	wc.apply(s.clock)
	return nil
}
