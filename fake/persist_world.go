package fake

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/fakehog/fakehog/fake/store"
)

// The data directory's snapshots and worlds (see persist.go): how a state change that is
// not a write transaction — a reset, a scenario or world loaded, an import, Restore — is
// written and made visible in one step, and how the log is compacted.

// worldChange is a world to persist with a state change: what Reset returns to.
type worldChange struct {
	snap     *store.Snapshot
	defaults Defaults
	clock    worldClock
}

// currentWorld is the world the server holds now.
func (s *Server) currentWorld() *worldChange {
	s.ctl.Lock()
	defer s.ctl.Unlock()
	return &worldChange{snap: s.initial, defaults: s.defaults, clock: s.worldClock}
}

// commitState replaces the store's state with next (handed over; nil keeps the state) and,
// with a data directory, makes the change durable in the same step (next nil needs isWorld:
// the state is the world's, as at start): inside the store's write
// lock, ordered with every write, the new world (when world is given) and snapshot are
// written and the log emptied before next becomes visible. isWorld says next is exactly
// the world's state as loaded (the snapshot then refers to the world instead of holding a
// copy); state, when given, is next already encoded. On error nothing changed: not the
// state, not the directory's meaning.
func (s *Server) commitState(next *store.Snapshot, world *worldChange, isWorld bool, state []byte) error {
	p := s.persist
	if p == nil {
		if next == nil {
			return nil
		}
		return s.store.Adopt(next, nil)
	}
	if err := p.failure(); err != nil {
		return err
	}
	var worldData []byte
	if world != nil {
		ws, err := world.snap.ExportJSON()
		if err != nil {
			return err
		}
		worldData, err = json.Marshal(worldDoc{Format: dirFormat, Defaults: world.defaults,
			Clock: worldClockDoc{At: world.clock.at, Real: world.clock.real}, State: ws})
		if err != nil {
			return err
		}
	}
	if isWorld {
		state = nil
	} else if state == nil && next != nil {
		var err error
		if state, err = next.ExportJSON(); err != nil {
			return err
		}
	}
	commit := func() error {
		if err := p.failure(); err != nil {
			return err
		}
		name, gen, defaults := p.world, p.worldGen, p.defaults
		if world != nil {
			gen++
			name, defaults = fmt.Sprintf("%s%d.json", worldPrefix, gen), world.defaults
			if err := p.writeFile(name, worldData); err != nil {
				s.logger.Error("writing the world to the data directory failed; nothing was changed", "dir", p.dir, "err", err)
				_ = os.Remove(filepath.Join(p.dir, name))
				return errNotWritten
			}
		}
		if err := p.writeSnapshot(s, name, defaults, state, s.clock.Now()); err != nil {
			if world != nil {
				_ = os.Remove(filepath.Join(p.dir, name))
			}
			return err
		}
		old := p.world
		p.world, p.worldGen, p.defaults = name, gen, defaults
		if old != "" && old != name {
			_ = os.Remove(filepath.Join(p.dir, old))
		}
		return nil
	}
	if next == nil {
		return s.store.Write(func(*store.Tx) error { return commit() })
	}
	return s.store.Adopt(next, commit)
}

// writeFile writes name in the directory atomically: a temporary file (0600), fsynced,
// renamed into place, the directory fsynced.
func (p *persister) writeFile(name string, data []byte) error {
	path := filepath.Join(p.dir, name)
	tmp := path + ".tmp"
	f, err := p.open(tmp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return err
	}
	return syncDir(p.dir)
}

// writeSnapshot replaces snapshot.json (state nil: the state is the world's) at the current
// sequence number, then empties the log. Before the rename nothing has changed
// (errNotWritten); once the new snapshot is in place the change is made, and a failure after
// that only leaves log records the snapshot already holds (skipped on replay), or, when the
// rename's durability is unknown, stops writes (errNotDurable).
func (p *persister) writeSnapshot(s *Server, world string, d Defaults, state []byte, now time.Time) error {
	doc, err := json.Marshal(snapshotDoc{Format: dirFormat, Seq: p.seq, Time: now, World: world, Defaults: d, State: state})
	if err != nil {
		return err
	}
	path := filepath.Join(p.dir, snapshotFile)
	tmp := path + ".tmp"
	f, err := p.open(tmp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err == nil {
		_, err = f.Write(doc)
		if err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Rename(tmp, path)
		}
	}
	if err != nil {
		_ = os.Remove(tmp)
		s.logger.Error("writing a snapshot to the data directory failed; nothing was changed", "dir", p.dir, "err", err)
		return errNotWritten
	}
	if err := syncDir(p.dir); err != nil {
		p.setFailed(err)
		s.logger.Error("the data directory failed (a snapshot's rename may not be durable); refusing writes from now on", "dir", p.dir, "err", err)
		return errNotDurable
	}
	p.sinceSnp = 0
	if err := p.rewind(0); err != nil {
		// The log's records are all in the snapshot: replay skips them by sequence number.
		p.setFailed(err)
		s.logger.Error("emptying the data directory's log failed; refusing writes from now on", "dir", p.dir, "err", err)
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// compact writes a snapshot of the state tx sees and empties the log, when the log is
// long. It runs inside the write transaction that logged the last record; a failure loses
// nothing (the log still holds every write) and is retried after the next write.
func (s *Server) compact(tx *store.Tx) {
	p := s.persist
	if p.sinceSnp < compactEvery {
		return
	}
	state, err := tx.ExportJSON()
	if err == nil {
		err = p.writeSnapshot(s, p.world, p.defaults, state, tx.Now())
	}
	if err != nil {
		s.logger.Warn("compacting the data directory failed; will retry", "err", err)
	}
}
