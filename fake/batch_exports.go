package fake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/fakehog/fakehog/fake/store"
	"github.com/tidwall/gjson"
)

// Organization-level batch exports (BEHAVIOR.md §8): PostHog's BatchExportOrganizationViewSet.

// batchExportJSON is PostHog's BatchExport (hogql_query is write-only: PostHog never
// answers it).
type batchExportJSON struct {
	ID            string                     `json:"id"`
	TeamID        int                        `json:"team_id"`
	Name          string                     `json:"name"`
	Model         *string                    `json:"model"`
	Destination   batchExportDestinationJSON `json:"destination"`
	Interval      string                     `json:"interval"`
	Paused        bool                       `json:"paused"`
	CreatedAt     string                     `json:"created_at"`
	LastUpdatedAt string                     `json:"last_updated_at"`
	LastPausedAt  *string                    `json:"last_paused_at"`
	StartAt       *string                    `json:"start_at"`
	EndAt         *string                    `json:"end_at"`
	LatestRuns    []batchExportRunJSON       `json:"latest_runs"`
	Schema        any                        `json:"schema"`
	Filters       any                        `json:"filters"`
	Timezone      string                     `json:"timezone"`
	OffsetDay     *int                       `json:"offset_day"`
	OffsetHour    *int                       `json:"offset_hour"`
}

// batchExportDestinationJSON is PostHog's BatchExportDestination (secret config keys
// stripped; integration_id is write-only).
type batchExportDestinationJSON struct {
	Type        string         `json:"type"`
	Config      map[string]any `json:"config"`
	Integration *int           `json:"integration"`
}

// batchExportRunJSON is PostHog's BatchExportRun.
type batchExportRunJSON struct {
	ID                string  `json:"id"`
	Status            string  `json:"status"`
	RecordsCompleted  *int    `json:"records_completed"`
	RecordsFailed     *int    `json:"records_failed"`
	LatestError       *string `json:"latest_error"`
	DataIntervalStart *string `json:"data_interval_start"`
	DataIntervalEnd   string  `json:"data_interval_end"`
	Cursor            *string `json:"cursor"`
	CreatedAt         string  `json:"created_at"`
	FinishedAt        *string `json:"finished_at"`
	LastUpdatedAt     string  `json:"last_updated_at"`
	RecordsTotalCount *int    `json:"records_total_count"`
	BytesExported     *int64  `json:"bytes_exported"`
	BatchExport       string  `json:"batch_export"`
	Backfill          *string `json:"backfill"`
}

// logEntryJSON is PostHog's LogEntry.
type logEntryJSON struct {
	LogSourceID string `json:"log_source_id"`
	InstanceID  string `json:"instance_id"`
	Timestamp   string `json:"timestamp"`
	Level       string `json:"level"`
	Message     string `json:"message"`
}

// testStepJSON is a destination test step (DestinationTestStep.as_dict).
type testStepJSON struct {
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Result      *testResultJSON `json:"result"`
}

type testResultJSON struct {
	Status  string  `json:"status"`
	Message *string `json:"message"`
}

func batchExportView(tx *store.Tx, e *store.BatchExport) batchExportJSON {
	v := batchExportJSON{ID: e.ID, TeamID: e.TeamID, Name: e.Name, Model: e.Model,
		Destination: batchExportDestinationJSON{Type: e.Destination.Type, Config: e.PublicConfig(), Integration: e.Destination.IntegrationID},
		Interval:    e.Interval, Paused: e.Paused, CreatedAt: isoTime(e.CreatedAt), LastUpdatedAt: isoTime(e.LastUpdatedAt),
		LastPausedAt: isoTimePtr(e.LastPausedAt), StartAt: isoTimePtr(e.StartAt), EndAt: isoTimePtr(e.EndAt),
		LatestRuns: []batchExportRunJSON{}, Filters: e.Filters, Timezone: e.Timezone, OffsetDay: e.OffsetDay(), OffsetHour: e.OffsetHour()}
	if e.Schema != nil {
		v.Schema = e.Schema
	}
	for _, r := range tx.LatestBatchExportRuns(e) {
		v.LatestRuns = append(v.LatestRuns, batchExportRunJSON{ID: r.ID, Status: r.Status, RecordsCompleted: r.RecordsCompleted,
			RecordsFailed: r.RecordsFailed, LatestError: r.LatestError, DataIntervalStart: isoTimePtr(r.DataIntervalStart),
			DataIntervalEnd: isoTime(r.DataIntervalEnd), Cursor: r.Cursor, CreatedAt: isoTime(r.CreatedAt), FinishedAt: isoTimePtr(r.FinishedAt),
			LastUpdatedAt: isoTime(r.LastUpdatedAt), RecordsTotalCount: r.RecordsTotalCount, BytesExported: r.BytesExported, BatchExport: e.ID})
	}
	return v
}

// batchExport finds the URL's export in the call's organization (404 otherwise).
func (c *call) batchExport() (*store.BatchExport, error) {
	return orNotFound(c.tx.BatchExport(c.org.ID, c.vars["id"]))
}

func (s *Server) listBatchExports(c *call) (any, error) {
	return paginate(c, c.tx.BatchExports(c.org.ID), func(e *store.BatchExport) any { return batchExportView(c.tx, e) }), nil
}

func (s *Server) createBatchExport(c *call) (any, error) {
	body, err := c.object()
	if err != nil {
		return nil, err
	}
	e, err := c.tx.CreateBatchExportFromBody(c.org, c.user, body)
	if err != nil {
		return nil, err
	}
	return batchExportView(c.tx, e), nil
}

func (s *Server) getBatchExport(c *call) (any, error) {
	e, err := c.batchExport()
	if err != nil {
		return nil, err
	}
	return batchExportView(c.tx, e), nil
}

// updateBatchExport serves PUT (replace: required fields enforced) and PATCH.
func (s *Server) updateBatchExport(c *call) (any, error) {
	e, body, err := foundWithBody(c, c.batchExport)
	if err != nil {
		return nil, err
	}
	if err := c.tx.UpdateBatchExport(e, c.user, body, c.r.Method == http.MethodPut); err != nil {
		return nil, err
	}
	return batchExportView(c.tx, e), nil
}

func (s *Server) deleteBatchExport(c *call) (any, error) {
	return deleteFound(c.batchExport, func(e *store.BatchExport) { c.tx.DeleteBatchExport(e, c.user) })
}

// batchExportPause answers {"paused": true}, whether or not the export was already paused.
func (s *Server) batchExportPause(c *call) (any, error) {
	e, err := c.batchExport()
	if err != nil {
		return nil, err
	}
	c.tx.PauseBatchExport(e)
	return map[string]bool{"paused": true}, nil
}

var unpauseFields = store.Fields{{Name: "backfill", Kind: store.Bool}}

// batchExportUnpause answers {"paused": false}. PostHog refuses a user without a current
// project as unauthenticated, before looking the export up.
func (s *Server) batchExportUnpause(c *call) (any, error) {
	if c.user.CurrentTeamID == 0 {
		return nil, errNotAuthenticated
	}
	e, err := c.batchExport()
	if err != nil {
		return nil, err
	}
	vals, err := c.validateAs(unpauseFields, store.Patch)
	if err != nil {
		return nil, err
	}
	c.tx.UnpauseBatchExport(e, vals.Bool("backfill"))
	return map[string]bool{"paused": false}, nil
}

// batchExportBackfill is the deprecated POST {id}/backfill/: 200 {"backfill_id": ...}.
func (s *Server) batchExportBackfill(c *call) (any, error) {
	e, body, err := foundWithBody(c, c.batchExport)
	if err != nil {
		return nil, err
	}
	given := func(name string) any {
		v := body.Get(name)
		if !v.Exists() || v.Type == gjson.Null {
			return nil
		}
		return store.DecodeJSONValue(v.Raw)
	}
	b, err := c.tx.BackfillBatchExport(e, given("start_at"), given("end_at"))
	if err != nil {
		return nil, err
	}
	return map[string]string{"backfill_id": b.ID}, nil
}

// logQueryFields are LogEntryRequestSerializer's query parameters, in its order.
var logQueryFields = store.Fields{
	{Name: "limit", Kind: store.Int, Min: store.IntP(1), Max: store.IntP(500), Default: 50},
	{Name: "after", Kind: store.DateTime},
	{Name: "before", Kind: store.DateTime},
	{Name: "level", Kind: store.String},
	{Name: "search", Kind: store.String},
	{Name: "instance_id", Kind: store.String},
}

// batchExportLogs answers the export's log entries, newest first: at most ?limit (1–500,
// default 50) entries are fetched, then paginated with the same limit and ?offset, as
// PostHog's LogEntryMixin does.
func (s *Server) batchExportLogs(c *call) (any, error) {
	e, err := c.batchExport()
	if err != nil {
		return nil, err
	}
	// Django's QueryDict.get answers a repeated parameter's last value.
	query := map[string]string{}
	for k, vs := range c.r.URL.Query() {
		if len(vs) > 0 {
			query[k] = vs[len(vs)-1]
		}
	}
	obj := map[string]any{}
	for _, f := range logQueryFields {
		if v, ok := query[f.Name]; ok {
			obj[f.Name] = v
		}
	}
	data, _ := json.Marshal(obj)
	vals, verr := logQueryFields.Validate(gjson.ParseBytes(data), store.Create)
	if verr != nil {
		return nil, verr
	}
	q := store.BatchExportLogQuery{Limit: vals.Int("limit"), Search: vals.Str("search"), InstanceID: vals.Str("instance_id")}
	if t, ok := vals["after"].(time.Time); ok {
		q.After = &t
	}
	if t, ok := vals["before"].(time.Time); ok {
		q.Before = &t
	}
	for _, l := range strings.Split(vals.Str("level"), ",") {
		if l = strings.ToUpper(strings.TrimSpace(l)); l != "" {
			q.Levels = append(q.Levels, l)
		}
	}
	entries := c.tx.BatchExportLogs(e, q)
	return paginate(c, entries, func(l *store.BatchExportLogEntry) any {
		return logEntryJSON{LogSourceID: l.ExportID, InstanceID: l.InstanceID, Timestamp: isoTime(l.Timestamp), Level: l.Level, Message: l.Message}
	}), nil
}

// batchExportTest is GET test/?destination=<type>: the destination's test steps, not run.
// As PostHog's view (Response(status=...)), it answers 400 with an empty body without
// ?destination, and 404 with an empty body for a destination without a test.
func (s *Server) batchExportTest(c *call) (any, error) {
	dest := ""
	if vs := c.r.URL.Query()["destination"]; len(vs) > 0 {
		dest = vs[len(vs)-1]
	}
	if dest == "" {
		return nil, store.EmptyBody(http.StatusBadRequest)
	}
	steps := store.DestinationTestSteps(dest)
	if steps == nil {
		return nil, store.EmptyBody(http.StatusNotFound)
	}
	out := make([]testStepJSON, len(steps))
	for i, st := range steps {
		out[i] = testStepJSON{Name: st.Name, Description: st.Description}
	}
	return map[string]any{"steps": out}, nil
}

func (s *Server) batchExportRunTestStepNew(c *call) (any, error) {
	return runTestStep(c, nil)
}

func (s *Server) batchExportRunTestStep(c *call) (any, error) {
	e, err := c.batchExport()
	if err != nil {
		return nil, err
	}
	return runTestStep(c, e)
}

// runTestStep validates the body as an export (step aside), then runs test step ?step
// (body field, default 0; negative counts from the end, as a Python index) of the
// destination's test, emulated.
func runTestStep(c *call, e *store.BatchExport) (any, error) {
	body, err := c.object()
	if err != nil {
		return nil, err
	}
	typ, cfg, err := c.tx.ValidateBatchExportTest(c.org, e, body)
	if err != nil {
		return nil, err
	}
	steps := store.DestinationTestSteps(typ)
	if steps == nil {
		return nil, store.Invalid("Unsupported destination: " + typ)
	}
	step := 0
	if raw := body.Get("step"); raw.Exists() {
		switch {
		case raw.Type == gjson.True:
			step = 1
		case raw.Type == gjson.False:
			step = 0
		default:
			n, ok := intValue(raw)
			if !ok {
				return nil, store.FieldError("step", "invalid_input", store.MsgInvalidInt)
			}
			step = n
		}
	}
	idx := step
	if idx < 0 {
		idx += len(steps)
	}
	if idx < 0 || idx >= len(steps) {
		return nil, store.FieldError("step", "invalid_input", fmt.Sprintf("The %s test has no step %d.", typ, step))
	}
	r := c.tx.RunDestinationTestStep(typ, idx, cfg)
	return testStepJSON{Name: steps[idx].Name, Description: steps[idx].Description, Result: &testResultJSON{Status: r.Status, Message: r.Message}}, nil
}
