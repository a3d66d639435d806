package store

// The activity log: entries, how a change is recorded, and the listing.

import (
	"fmt"
	"reflect"
	"time"
)

// Change is one field change in an activity log entry.
type Change struct {
	Type   string `json:"type"`
	Action string `json:"action"`
	Field  string `json:"field"`
	Before any    `json:"before"`
	After  any    `json:"after"`
}

// ActivityEntry is one activity log record (PostHog's ActivityLog).
type ActivityEntry struct {
	ID        string
	OrgID     string
	TeamID    *int
	UserID    int // 0 for system activity
	Activity  string
	Scope     string
	ItemID    string
	Name      string
	Changes   []Change
	CreatedAt time.Time
}

// ActivityInput is the input of LogActivity.
type ActivityInput struct {
	OrgID    string
	TeamID   *int
	User     *User
	Scope    string
	ItemID   string
	Activity string
	Name     string
	Changes  []Change
}

// LogActivity records an activity log entry. Each organization keeps its newest
// Options.HistoryLimit entries.
func (tx *Tx) LogActivity(in ActivityInput) {
	e := &ActivityEntry{ID: tx.NewUUID(), OrgID: in.OrgID, TeamID: in.TeamID, Activity: in.Activity, Scope: in.Scope,
		ItemID: in.ItemID, Name: in.Name, Changes: in.Changes, CreatedAt: tx.now}
	if in.User != nil {
		e.UserID = in.User.ID
	}
	tx.st.activity[in.OrgID] = appendBounded(tx.st.activity[in.OrgID], e, tx.opts.historyLimit())
}

// Activity lists the organization's activity entries newest first, keeping those for
// which keep returns true (nil keeps all).
func (tx *Tx) Activity(orgID string, keep func(*ActivityEntry) bool) []*ActivityEntry {
	all := tx.st.activity[orgID]
	out := make([]*ActivityEntry, 0, len(all))
	for i := len(all) - 1; i >= 0; i-- {
		if keep == nil || keep(all[i]) {
			out = append(out, all[i])
		}
	}
	return out
}

// diffChanges lists the fields whose values differ, in name order.
func diffChanges(typ string, pairs map[string][2]any) []Change {
	names := make([]string, 0, len(pairs))
	for n := range pairs {
		names = append(names, n)
	}
	sortStrings(names)
	var out []Change
	for _, n := range names {
		b, a := deref(pairs[n][0]), deref(pairs[n][1])
		if !reflect.DeepEqual(b, a) {
			out = append(out, Change{Type: typ, Action: "changed", Field: n, Before: b, After: a})
		}
	}
	return out
}

// deref turns typed nil pointers into nil and pointers into their values.
func deref(v any) any {
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return nil
		}
		return rv.Elem().Interface()
	}
	return v
}

func itoa(n int) string { return fmt.Sprint(n) }
