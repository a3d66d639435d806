package store

// Batch export lifecycle: creating (from the API's body or a scenario's NewBatchExport),
// updating, deleting, pausing and unpausing an export.

import (
	"bytes"
	"encoding/json"
	"time"

	"github.com/tidwall/gjson"
)

// ---------------------------------------------------------------------------------------
// Create, update, delete.

// NewBatchExport is the input of CreateBatchExport, for scenarios. It goes through the same
// rules as the API's create body; nil pointers are fields left out.
type NewBatchExport struct {
	// ID is an optional fixed id (a UUID); TeamID the project (0 = the creator's current
	// project when it is in the organization, else the organization's first project).
	ID        string
	TeamID    int
	CreatedBy *User

	Name        string
	Model       *string // default "events"
	Destination NewBatchExportDestination
	Interval    string
	Paused      bool
	HogQLQuery  *string
	Filters     any
	Timezone    *string // default UTC
	OffsetDay   *int
	OffsetHour  *int
	StartAt     *time.Time
	EndAt       *time.Time
}

// NewBatchExportDestination is a destination of NewBatchExport.
type NewBatchExportDestination struct {
	Type   string
	Config map[string]any
}

// body turns the input into the JSON body the API would receive.
func (in NewBatchExport) body() gjson.Result {
	m := map[string]any{"name": in.Name, "interval": in.Interval, "paused": in.Paused,
		"destination": map[string]any{"type": in.Destination.Type, "config": in.Destination.Config}}
	if in.Destination.Config == nil {
		m["destination"] = map[string]any{"type": in.Destination.Type}
	}
	if in.Model != nil {
		m["model"] = *in.Model
	}
	if in.HogQLQuery != nil {
		m["hogql_query"] = *in.HogQLQuery
	}
	if in.Filters != nil {
		m["filters"] = in.Filters
	}
	if in.Timezone != nil {
		m["timezone"] = *in.Timezone
	}
	if in.OffsetDay != nil {
		m["offset_day"] = *in.OffsetDay
	}
	if in.OffsetHour != nil {
		m["offset_hour"] = *in.OffsetHour
	}
	if in.StartAt != nil {
		m["start_at"] = in.StartAt.UTC().Format(time.RFC3339Nano)
	}
	if in.EndAt != nil {
		m["end_at"] = in.EndAt.UTC().Format(time.RFC3339Nano)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(m)
	return gjson.ParseBytes(buf.Bytes())
}

// CreateBatchExport creates a batch export for scenarios, with the API's rules.
func (tx *Tx) CreateBatchExport(orgID string, in NewBatchExport) (*BatchExport, error) {
	o := tx.st.orgs[orgID]
	if o == nil {
		return nil, NotFound(MsgOrgNotFound)
	}
	id := ""
	if in.ID != "" {
		if !IsUUID(in.ID) || tx.st.ext.batchExports.byID[normalizeUUID(in.ID)] != nil {
			return nil, Invalid("A batch export id must be a new UUID.")
		}
		id = normalizeUUID(in.ID)
	}
	return tx.createBatchExport(o, in.CreatedBy, in.TeamID, id, in.body())
}

// CreateBatchExportFromBody creates a batch export from an API body (POST batch_exports).
func (tx *Tx) CreateBatchExportFromBody(o *Organization, actor *User, body gjson.Result) (*BatchExport, error) {
	return tx.createBatchExport(o, actor, 0, "", body)
}

// batchExportTeam picks the project an organization-level create writes to: the actor's
// current project when it is in the organization, else the organization's oldest.
func (tx *Tx) batchExportTeam(o *Organization, actor *User, teamID int) (int, error) {
	if teamID != 0 {
		p := tx.st.projects[teamID]
		if p == nil || p.OrgID != o.ID {
			return 0, Invalid("The project is not in this organization.")
		}
		return teamID, nil
	}
	if actor != nil {
		if p := tx.st.projects[actor.CurrentTeamID]; p != nil && p.OrgID == o.ID && !p.IsPendingDeletion {
			return p.ID, nil
		}
	}
	for _, pid := range tx.st.projectsByOrg[o.ID] {
		if p := tx.st.projects[pid]; p != nil && !p.IsPendingDeletion {
			return pid, nil
		}
	}
	return 0, Invalid(MsgBatchExportNoProject)
}

func (tx *Tx) createBatchExport(o *Organization, actor *User, teamID int, id string, body gjson.Result) (*BatchExport, error) {
	if !body.IsObject() {
		return nil, Invalid("Invalid data. Expected a dictionary, but got " + pyTypeName(body) + ".")
	}
	w, err := tx.validateBatchExport(o, nil, body, Create)
	if err != nil {
		return nil, err
	}
	team, err := tx.batchExportTeam(o, actor, teamID)
	if err != nil {
		return nil, err
	}
	if id == "" {
		id = tx.NewUUID()
	}
	e := &BatchExport{ID: id, TeamID: team, CreatedAt: tx.now, LastUpdatedAt: tx.now,
		Destination: BatchExportDestination{Type: w.dest.typ, Config: normalizeJSON(w.dest.config).(map[string]any)}}
	if actor != nil {
		e.CreatedBy = actor.ID
	}
	w.apply(e)
	s := &tx.st.ext.batchExports
	s.byID[id] = e
	s.order = append(s.order, id)
	tid := team
	tx.LogActivity(ActivityInput{OrgID: o.ID, TeamID: &tid, User: actor, Scope: "BatchExport", ItemID: id, Activity: "created", Name: e.Name})
	return e, nil
}

// apply writes the validated values onto the export (create or update).
func (w *batchExportWrite) apply(e *BatchExport) {
	v := w.vals
	if v.Has("name") {
		e.Name = v.Str("name")
	}
	if v.Has("model") {
		e.Model = v.StrPtr("model")
	}
	if v.Has("interval") {
		e.Interval = v.Str("interval")
	}
	if v.Has("paused") {
		e.Paused = v.Bool("paused")
	}
	timePtr := func(name string) *time.Time {
		t, ok := v[name].(time.Time)
		if !ok {
			return nil
		}
		return &t
	}
	if v.Has("last_paused_at") {
		e.LastPausedAt = timePtr("last_paused_at")
	}
	if v.Has("start_at") {
		e.StartAt = timePtr("start_at")
	}
	if v.Has("end_at") {
		e.EndAt = timePtr("end_at")
	}
	if v.Has("filters") {
		e.Filters = normalizeJSON(CloneValue(v["filters"]))
	}
	if v.Has("timezone") {
		e.Timezone = v.Str("timezone")
	}
	if w.hasSchema {
		e.Schema = w.schema
	}
	if w.offsetSet {
		e.IntervalOffset = w.offset
	}
}

// UpdateBatchExport applies a PUT (replace) or PATCH body: the destination config is merged
// into the stored one, as PostHog does.
func (tx *Tx) UpdateBatchExport(e *BatchExport, actor *User, body gjson.Result, replace bool) error {
	o := tx.batchExportOrg(e)
	mode := Patch
	if replace {
		mode = Replace
	}
	if !body.IsObject() {
		return Invalid("Invalid data. Expected a dictionary, but got " + pyTypeName(body) + ".")
	}
	w, err := tx.validateBatchExport(o, e, body, mode)
	if err != nil {
		return err
	}
	before := deepCopy(e)
	if w.dest != nil {
		e.Destination.Config = normalizeJSON(mergeConfig(e.Destination.Config, w.dest.config)).(map[string]any)
		if w.dest.integrationSet {
			e.Destination.IntegrationID = w.dest.integration
		}
	}
	w.apply(e)
	e.LastUpdatedAt = tx.now
	changes := diffChanges("BatchExport", map[string][2]any{
		"name": {before.Name, e.Name}, "model": {before.Model, e.Model}, "interval": {before.Interval, e.Interval},
		"paused": {before.Paused, e.Paused}, "timezone": {before.Timezone, e.Timezone},
		"interval_offset": {before.IntervalOffset, e.IntervalOffset}, "start_at": {before.StartAt, e.StartAt},
		"end_at": {before.EndAt, e.EndAt},
	})
	if o != nil {
		tid := e.TeamID
		tx.LogActivity(ActivityInput{OrgID: o.ID, TeamID: &tid, User: actor, Scope: "BatchExport", ItemID: e.ID, Activity: "updated", Name: e.Name, Changes: changes})
	}
	return nil
}

// DeleteBatchExport soft-deletes an export (it is gone from every lookup) and cancels its
// backfills.
func (tx *Tx) DeleteBatchExport(e *BatchExport, actor *User) {
	e.Deleted = true
	e.LastUpdatedAt = tx.now
	for _, b := range tx.st.ext.batchExports.backfills[e.ID] {
		if b.Status == batchExportBackfillStarted || b.Status == "Running" {
			b.Status = "Cancelled"
		}
	}
	if o := tx.batchExportOrg(e); o != nil {
		tid := e.TeamID
		tx.LogActivity(ActivityInput{OrgID: o.ID, TeamID: &tid, User: actor, Scope: "BatchExport", ItemID: e.ID, Activity: "deleted", Name: e.Name})
	}
}

// PauseBatchExport pauses an export. Pausing a paused export changes nothing; it reports
// whether anything changed.
func (tx *Tx) PauseBatchExport(e *BatchExport) bool {
	if e.Paused {
		return false
	}
	now := tx.now
	e.Paused, e.LastPausedAt, e.LastUpdatedAt = true, &now, now
	return true
}

// UnpauseBatchExport unpauses an export; with backfill, it also starts a backfill of the
// time it was paused (from last_paused_at, or its creation when never paused, to now).
// Unpausing an unpaused export changes nothing. It reports whether anything changed.
func (tx *Tx) UnpauseBatchExport(e *BatchExport, backfill bool) bool {
	if !e.Paused {
		return false
	}
	e.Paused, e.LastUpdatedAt = false, tx.now
	if backfill {
		start := e.CreatedAt
		if e.LastPausedAt != nil {
			start = *e.LastPausedAt
		}
		end := e.LastUpdatedAt
		tx.startBackfill(e, &start, &end, "unpause")
	}
	return true
}
