package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // backfill dates are read in the export's time zone, the same on every machine

	"github.com/tidwall/gjson"
)

// Batch exports (PostHog's BatchExport and its BatchExportDestination), as the organization
// level sees them: every export of every project of the organization. An export belongs to
// a project (team_id); nothing is ever exported, but the fake keeps what the real server
// keeps: the destination configuration (secrets included, never shown), pause state,
// backfills started, runs (seeded), and log entries: those a backfill's workflow writes
// when it starts and those seeded (AddBatchExportLog). The API itself writes none: creating,
// pausing or unpausing an export logs nothing.

// BatchExport is one batch export.
type BatchExport struct {
	ID            string
	TeamID        int
	Name          string
	Model         *string // nil = null
	Destination   BatchExportDestination
	Interval      string
	Paused        bool
	Deleted       bool // soft delete: gone from every listing and lookup
	CreatedAt     time.Time
	LastUpdatedAt time.Time
	LastPausedAt  *time.Time
	StartAt       *time.Time
	EndAt         *time.Time
	// Schema is what hogql_query compiles to ({fields, values, hogql_query}); nil = null.
	Schema   map[string]any
	Filters  any // free JSON; nil = null
	Timezone string
	// IntervalOffset is PostHog's interval_offset in seconds (offset_day*86400 +
	// offset_hour*3600); nil = the interval's default start.
	IntervalOffset *int
	CreatedBy      int // user id; 0 when none
}

// BatchExportDestination is where an export writes.
type BatchExportDestination struct {
	Type          string
	Config        map[string]any // as stored, secrets included
	IntegrationID *int
}

// BatchExportRun is one run of an export (the fake never runs anything; scenarios seed
// runs with AddBatchExportRun so latest_runs has content).
type BatchExportRun struct {
	ID                string
	ExportID          string
	Status            string
	RecordsCompleted  *int
	RecordsFailed     *int
	LatestError       *string
	DataIntervalStart *time.Time
	DataIntervalEnd   time.Time
	Cursor            *string
	CreatedAt         time.Time
	FinishedAt        *time.Time
	LastUpdatedAt     time.Time
	RecordsTotalCount *int
	BytesExported     *int64
}

// BatchExportBackfill is a backfill the fake was asked to start.
type BatchExportBackfill struct {
	ID          string // PostHog's workflow id: <export id>-Backfill-<start>-<end>
	ExportID    string
	StartAt     *time.Time // nil = from the beginning of time
	EndAt       *time.Time // nil = until caught up
	Status      string     // Starting; Cancelled when its export is deleted
	CreatedAt   time.Time
	TriggeredBy string // "backfill" (the API) or "unpause"
}

// BatchExportLogEntry is one log line of an export (PostHog's LogEntry).
type BatchExportLogEntry struct {
	ExportID   string
	InstanceID string
	Timestamp  time.Time
	Level      string // DEBUG, LOG, INFO, WARN, ERROR
	Message    string
}

// Batch export choices.
var (
	// BatchExportDestinationTypes are the destination types PostHog knows.
	BatchExportDestinationTypes = []string{"S3", "Snowflake", "Postgres", "Redshift", "BigQuery", "Databricks", "AzureBlob", "Workflows", "HTTP", "NoOp", "FileDownload"}
	// BatchExportIntervals are the intervals PostHog accepts.
	BatchExportIntervals = []string{"hour", "day", "week", "every 5 minutes", "every 15 minutes"}
	// BatchExportModels are the models an export can export.
	BatchExportModels = []string{"events", "persons", "sessions"}
	// BatchExportRunStatuses are the statuses of a run.
	BatchExportRunStatuses = []string{"Cancelled", "Completed", "ContinuedAsNew", "Failed", "FailedRetryable", "FailedBilling", "Terminated", "TimedOut", "Running", "Starting"}
	// BatchExportLogLevels are the levels of a log entry.
	BatchExportLogLevels = []string{"DEBUG", "LOG", "INFO", "WARN", "ERROR"}
)

// PostHog gates some batch export abilities behind feature flags; the fake reads them from
// the organization's features, so a scenario turns them on by listing the key.
const (
	// FeatureHighFrequencyBatchExports allows the sub-hourly intervals.
	FeatureHighFrequencyBatchExports = "high_frequency_batch_exports"
	// FeatureBatchExportEarliestBackfill allows a backfill without start_at.
	FeatureBatchExportEarliestBackfill = "batch_export_earliest_backfill"
	// FeatureBackfillWorkflowsDestination allows the Workflows destination.
	FeatureBackfillWorkflowsDestination = "backfill_workflows_destination"
)

// Messages of the batch export rules.
const (
	MsgHighFrequencyDisabled   = "Higher frequency batch exports are not enabled for this team."
	MsgWorkflowsDisabled       = "Backfilling Workflows is not enabled for this team."
	MsgHTTPEventsOnly          = "HTTP batch exports only support the events model"
	MsgOffsetDayNotWeekly      = "offset_day is not applicable for non-weekly intervals"
	MsgOffsetHourNotDaily      = "offset_hour is not applicable for non-daily/weekly intervals"
	MsgBackfillOrder           = "The initial backfill datetime 'start_at' must be before 'end_at'"
	MsgBackfillFromBeginning   = "Backfilling from the beginning of time is not enabled for this team."
	MsgBackfillNoEnd           = "Backfilling a BatchExport with no end date is not allowed"
	MsgBatchExportNoProject    = "This organization has no project to hold the batch export."
	msgCOPYMissingInputs       = "Missing required inputs for 'COPY'"
	msgCOPYMissingInput        = "Missing required input for 'COPY'"
	msgCOPYMissingBucketCreds  = "Missing required bucket credentials for 'COPY'"
	msgCOPYMissingCredentials  = "Missing required credentials for 'COPY'"
	msgCOPYMissingIAMRole      = "Missing required IAM role for 'COPY'"
	msgHTTPValidURLUS          = "https://us.i.posthog.com/batch/"
	msgHTTPValidURLEU          = "https://eu.i.posthog.com/batch/"
	attrDestination            = "destination"
	attrDestinationNonField    = "destination__non_field_errors"
	batchExportLogSourceLevel  = "INFO"
	batchExportBackfillStarted = "Starting"
)

// ---------------------------------------------------------------------------------------
// Destination configuration rules: the fields of each destination's workflow inputs
// (PostHog's *BatchExportInputs dataclasses). Only fields typed plainly str, int or bool
// are type-checked, as PostHog only checks those.

type cfgKind int

const (
	cfgAny cfgKind = iota
	cfgStr
	cfgInt
	cfgBool
)

type configField struct {
	name     string
	kind     cfgKind
	required bool
}

// baseConfigFields are BaseBatchExportInputs: allowed in any config, never checked.
var baseConfigFields = []string{"batch_export_id", "team_id", "interval", "timezone", "data_interval_end", "exclude_events",
	"include_events", "is_backfill", "is_earliest_backfill", "backfill_details", "batch_export_model",
	"batch_export_schema", "integration_id"}

func req(name string, k cfgKind) configField { return configField{name: name, kind: k, required: true} }
func opt(name string, k cfgKind) configField { return configField{name: name, kind: k} }

// destinationFields are each destination's own input fields, in declaration order.
var destinationFields = map[string][]configField{
	"S3": {req("bucket_name", cfgStr), req("region", cfgStr), req("prefix", cfgStr), opt("aws_access_key_id", cfgAny),
		opt("aws_secret_access_key", cfgAny), opt("compression", cfgAny), opt("encryption", cfgAny), opt("kms_key_id", cfgAny),
		opt("endpoint_url", cfgAny), opt("file_format", cfgStr), opt("max_file_size_mb", cfgAny), opt("use_virtual_style_addressing", cfgBool)},
	"Snowflake": {req("account", cfgStr), req("user", cfgStr), req("database", cfgStr), req("warehouse", cfgStr), req("schema", cfgStr),
		opt("table_name", cfgStr), opt("authentication_type", cfgStr), opt("password", cfgAny), opt("private_key", cfgAny),
		opt("private_key_passphrase", cfgAny), opt("role", cfgAny)},
	"Postgres": {req("user", cfgStr), req("password", cfgStr), req("host", cfgStr), req("database", cfgStr), opt("schema", cfgStr),
		opt("table_name", cfgStr), opt("port", cfgInt), opt("has_self_signed_cert", cfgBool)},
	"Redshift": {req("user", cfgStr), req("password", cfgStr), req("host", cfgStr), req("database", cfgStr), opt("schema", cfgStr),
		opt("table_name", cfgStr), opt("port", cfgInt), opt("properties_data_type", cfgStr), opt("mode", cfgAny), opt("copy_inputs", cfgAny)},
	"BigQuery": {req("project_id", cfgStr), req("dataset_id", cfgStr), opt("table_id", cfgStr), req("private_key", cfgStr),
		req("private_key_id", cfgStr), req("token_uri", cfgStr), req("client_email", cfgStr), opt("use_json_type", cfgBool)},
	"Databricks": {req("http_path", cfgStr), req("catalog", cfgStr), req("schema", cfgStr), req("table_name", cfgStr),
		opt("use_variant_type", cfgBool), opt("use_automatic_schema_evolution", cfgBool)},
	"AzureBlob": {req("container_name", cfgStr), opt("prefix", cfgStr), opt("compression", cfgAny), opt("file_format", cfgStr),
		opt("max_file_size_mb", cfgAny)},
	"Workflows": {},
	"HTTP":      {req("url", cfgStr), req("token", cfgStr)},
	"NoOp":      {opt("arg", cfgStr)},
	"FileDownload": {opt("data_interval_start", cfgAny), opt("batch_export_run_id", cfgAny), opt("file_format", cfgStr),
		opt("max_file_size_mb", cfgAny), opt("compression", cfgAny), opt("expires_in_seconds", cfgInt),
		opt("main_activity_timeout_seconds", cfgAny), opt("stage_activity_timeout_seconds", cfgAny)},
}

// batchExportSecretFields are stripped (at any depth) from every config PostHog returns.
var batchExportSecretFields = map[string][]string{
	"S3":        {"aws_access_key_id", "aws_secret_access_key"},
	"Snowflake": {"user", "password", "private_key", "private_key_passphrase"},
	"Postgres":  {"user", "password"},
	"Redshift":  {"user", "password", "aws_access_key_id", "aws_secret_access_key"},
	"BigQuery":  {"private_key", "private_key_id", "client_email", "token_uri"},
	"HTTP":      {"token"},
}

// s3Compressions is S3's SUPPORTED_COMPRESSIONS, by file format.
var s3FileFormats = []string{"Parquet", "JSONLines"}
var s3Compressions = map[string][]string{
	"Parquet":   {"zstd", "lz4", "snappy", "gzip", "brotli"},
	"JSONLines": {"gzip", "brotli"},
}

// ---------------------------------------------------------------------------------------
// State.

// batchExportState holds batch exports, their runs, backfills and logs.
type batchExportState struct {
	noHooks
	byID      map[string]*BatchExport
	order     []string // creation order
	runs      map[string][]*BatchExportRun
	backfills map[string][]*BatchExportBackfill
	logs      map[string][]*BatchExportLogEntry // oldest first
	// testOutcomes are scenario-chosen destination test results, by "<type>/<step>".
	testOutcomes map[string]DestinationTestResult
}

func (s *batchExportState) init() {
	s.byID = map[string]*BatchExport{}
	s.order = nil
	s.runs = map[string][]*BatchExportRun{}
	s.backfills = map[string][]*BatchExportBackfill{}
	s.logs = map[string][]*BatchExportLogEntry{}
	s.testOutcomes = map[string]DestinationTestResult{}
}

func (e *BatchExport) clone() *BatchExport {
	c := *e
	c.Model = clonePtr(e.Model)
	c.Destination.Config, _ = CloneValue(e.Destination.Config).(map[string]any)
	c.Destination.IntegrationID = clonePtr(e.Destination.IntegrationID)
	c.LastPausedAt = clonePtr(e.LastPausedAt)
	c.StartAt = clonePtr(e.StartAt)
	c.EndAt = clonePtr(e.EndAt)
	c.Schema, _ = CloneValue(e.Schema).(map[string]any)
	c.Filters = CloneValue(e.Filters)
	c.IntervalOffset = clonePtr(e.IntervalOffset)
	return &c
}

func (r *BatchExportRun) clone() *BatchExportRun {
	c := *r
	c.RecordsCompleted = clonePtr(r.RecordsCompleted)
	c.RecordsFailed = clonePtr(r.RecordsFailed)
	c.LatestError = clonePtr(r.LatestError)
	c.DataIntervalStart = clonePtr(r.DataIntervalStart)
	c.Cursor = clonePtr(r.Cursor)
	c.FinishedAt = clonePtr(r.FinishedAt)
	c.RecordsTotalCount = clonePtr(r.RecordsTotalCount)
	c.BytesExported = clonePtr(r.BytesExported)
	return &c
}

// clone returns a deep copy.
func (s *batchExportState) clone() batchExportState {
	c := batchExportState{}
	c.init()
	for id, e := range s.byID {
		c.byID[id] = e.clone()
	}
	c.order = cloneSlice(s.order)
	for id, runs := range s.runs {
		out := make([]*BatchExportRun, len(runs))
		for i, r := range runs {
			out[i] = r.clone()
		}
		c.runs[id] = out
	}
	for id, bfs := range s.backfills {
		out := make([]*BatchExportBackfill, len(bfs))
		for i, b := range bfs {
			bc := *b
			bc.StartAt, bc.EndAt = clonePtr(b.StartAt), clonePtr(b.EndAt)
			out[i] = &bc
		}
		c.backfills[id] = out
	}
	for id, entries := range s.logs {
		out := make([]*BatchExportLogEntry, len(entries))
		for i, l := range entries {
			lc := *l
			out[i] = &lc
		}
		c.logs[id] = out
	}
	c.testOutcomes = cloneMap(s.testOutcomes)
	return c
}

// dropOrg removes the exports of the organization's projects (by then deleted).
func (s *batchExportState) dropOrg(tx *Tx, orgID string) {
	var keep []string
	for _, id := range s.order {
		e := s.byID[id]
		if p := tx.st.projects[e.TeamID]; p != nil && p.OrgID != orgID {
			keep = append(keep, id)
			continue
		}
		delete(s.byID, id)
		delete(s.runs, id)
		delete(s.backfills, id)
		delete(s.logs, id)
	}
	s.order = keep
}

// ---------------------------------------------------------------------------------------
// Lookups.

// BatchExports lists the organization's batch exports (every project's), newest first,
// without deleted ones and, as PostHog's list does, without Workflows destinations.
func (tx *Tx) BatchExports(orgID string) []*BatchExport {
	s := &tx.st.ext.batchExports
	out := []*BatchExport{}
	for i := len(s.order) - 1; i >= 0; i-- {
		e := s.byID[s.order[i]]
		if e.Deleted || e.Destination.Type == "Workflows" || !tx.batchExportInOrg(e, orgID) {
			continue
		}
		out = append(out, e)
	}
	return out
}

// BatchExport returns the organization's (not deleted) export with that id, or nil.
func (tx *Tx) BatchExport(orgID, id string) *BatchExport {
	if !IsUUID(id) {
		return nil
	}
	e := tx.st.ext.batchExports.byID[normalizeUUID(id)]
	if e == nil || e.Deleted || !tx.batchExportInOrg(e, orgID) {
		return nil
	}
	return e
}

// BatchExportByID returns an export by id whatever its organization, deleted ones included
// (for scenarios and tests), or nil.
func (tx *Tx) BatchExportByID(id string) *BatchExport {
	return tx.st.ext.batchExports.byID[normalizeUUID(id)]
}

func (tx *Tx) batchExportInOrg(e *BatchExport, orgID string) bool {
	p := tx.st.projects[e.TeamID]
	return p != nil && p.OrgID == orgID
}

// normalizeUUID lowers a UUID and puts its hyphens back (Python's uuid.UUID accepts both).
func normalizeUUID(id string) string {
	h := strings.ToLower(strings.ReplaceAll(id, "-", ""))
	if len(h) != 32 {
		return strings.ToLower(id)
	}
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

func (tx *Tx) batchExportOrg(e *BatchExport) *Organization {
	if p := tx.st.projects[e.TeamID]; p != nil {
		return tx.st.orgs[p.OrgID]
	}
	return nil
}

func orgHasFeature(o *Organization, key string) bool {
	if o == nil {
		return false
	}
	_, ok := o.Feature(key)
	return ok
}

// LatestBatchExportRuns returns the export's 10 most recent runs, newest first.
func (tx *Tx) LatestBatchExportRuns(e *BatchExport) []*BatchExportRun {
	runs := tx.st.ext.batchExports.runs[e.ID]
	out := make([]*BatchExportRun, 0, len(runs))
	for i := len(runs) - 1; i >= 0; i-- {
		out = append(out, runs[i])
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].CreatedAt.After(out[j].CreatedAt) })
	if len(out) > 10 {
		out = out[:10]
	}
	return out
}

// BatchExportBackfills returns the backfills started for the export, oldest first.
func (tx *Tx) BatchExportBackfills(e *BatchExport) []*BatchExportBackfill {
	return tx.st.ext.batchExports.backfills[e.ID]
}

// OffsetDay is the export's offset_day: the weekday (0 = Sunday) a weekly export runs on,
// nil for other intervals.
func (e *BatchExport) OffsetDay() *int {
	if e.Interval != "week" {
		return nil
	}
	d := 0
	if e.IntervalOffset != nil {
		d = *e.IntervalOffset / 86400
	}
	return &d
}

// OffsetHour is the export's offset_hour: the hour a daily or weekly export runs at, nil
// for other intervals.
func (e *BatchExport) OffsetHour() *int {
	if e.Interval != "day" && e.Interval != "week" {
		return nil
	}
	h := 0
	if e.IntervalOffset != nil {
		h = (*e.IntervalOffset / 3600) % 24
	}
	return &h
}

// PublicConfig is the destination config as PostHog answers it: secret fields removed at
// every depth.
func (e *BatchExport) PublicConfig() map[string]any {
	return stripSecrets(e.Destination.Config, batchExportSecretFields[e.Destination.Type])
}

func stripSecrets(cfg map[string]any, secrets []string) map[string]any {
	out := make(map[string]any, len(cfg))
	for k, v := range cfg {
		if containsStr(secrets, k) {
			continue
		}
		if m, ok := v.(map[string]any); ok {
			out[k] = stripSecrets(m, secrets)
			continue
		}
		out[k] = CloneValue(v)
	}
	return out
}

// ---------------------------------------------------------------------------------------
// Validation: one path for the API and for scenarios (they build the same JSON body).

// batchExportWrite is a validated create or update body.
type batchExportWrite struct {
	vals      Values // name, model, interval, paused, last_paused_at, start_at, end_at, filters, timezone
	dest      *destinationWrite
	schema    map[string]any
	hasSchema bool
	offsetSet bool
	offset    *int
}

// destinationWrite is a validated destination.
type destinationWrite struct {
	typ            string
	config         map[string]any // the body's config, checked and converted
	integrationSet bool
	integration    *int
}

// batchExportFields are the simple writable fields, in the serializer's order (name, model,
// destination, interval, paused, last_paused_at, start_at, end_at, hogql_query, filters,
// timezone, offset_day, offset_hour); destination, hogql_query and timezone are custom.
var (
	beName         = Field{Name: "name", Kind: String, Required: true}
	beModel        = Field{Name: "model", Kind: Choice, Choices: anyStrings(BatchExportModels), AllowBlank: true, Nullable: true}
	beInterval     = Field{Name: "interval", Kind: Choice, Choices: anyStrings(BatchExportIntervals), Required: true}
	bePaused       = Field{Name: "paused", Kind: Bool}
	beLastPausedAt = Field{Name: "last_paused_at", Kind: DateTime, Nullable: true}
	beStartAt      = Field{Name: "start_at", Kind: DateTime, Nullable: true}
	beEndAt        = Field{Name: "end_at", Kind: DateTime, Nullable: true}
	beFilters      = Field{Name: "filters", Kind: JSON, Nullable: true}
	beOffsetDay    = Field{Name: "offset_day", Kind: Int, Nullable: true, Min: IntP(0), Max: IntP(6)}
	beOffsetHour   = Field{Name: "offset_hour", Kind: Int, Nullable: true, Min: IntP(0), Max: IntP(23)}
)

func anyStrings(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// validateBatchExport checks a body as PostHog's BatchExportSerializer does. existing is
// the export being updated (nil on create). Field errors are reported in the serializer's
// field order (the first one wins); a permission error (403) is raised at once, as DRF
// does for PermissionDenied inside field validation.
func (tx *Tx) validateBatchExport(o *Organization, existing *BatchExport, body gjson.Result, mode Mode) (*batchExportWrite, error) {
	w := &batchExportWrite{vals: Values{}}
	var first *Error
	note := func(err *Error) {
		if first == nil {
			first = err
		}
	}
	simple := func(f Field, def any) {
		raw := body.Get(gjsonKey(f.Name))
		if !raw.Exists() {
			if mode != Patch && f.Required {
				note(FieldError(f.Name, "required", MsgRequired))
			} else if mode == Create && def != nil {
				w.vals[f.Name] = def
			}
			return
		}
		v, err := f.CleanValue(raw)
		if err != nil {
			note(err)
			return
		}
		w.vals[f.Name] = v
	}

	simple(beName, nil)
	simple(beModel, "events")

	// destination
	if raw := body.Get("destination"); !raw.Exists() {
		if mode != Patch {
			note(FieldError("destination", "required", MsgRequired))
		}
	} else {
		d, err := tx.validateDestination(o, existing, raw, mode)
		if err != nil {
			if err.Status == 403 {
				return nil, err
			}
			note(err)
		}
		w.dest = d
	}

	// interval (sub-hourly intervals are behind a flag, raised at once)
	simple(beInterval, nil)
	if iv, ok := w.vals["interval"].(string); ok && strings.HasPrefix(iv, "every") && !orgHasFeature(o, FeatureHighFrequencyBatchExports) {
		return nil, Forbidden(MsgHighFrequencyDisabled)
	}
	simple(bePaused, false)
	simple(beLastPausedAt, nil)
	simple(beStartAt, nil)
	simple(beEndAt, nil)

	// hogql_query
	if raw := body.Get("hogql_query"); raw.Exists() {
		schema, err := compileHogQL(raw)
		if err != nil {
			note(err)
		} else {
			w.schema, w.hasSchema = schema, true
		}
	}
	simple(beFilters, nil)

	// timezone: a choice of PostHog's time zones; null means UTC
	if raw := body.Get("timezone"); raw.Exists() {
		switch {
		case raw.Type == gjson.Null:
			w.vals["timezone"] = "UTC"
		case raw.Type == gjson.String && ValidTimezone(raw.Str):
			w.vals["timezone"] = raw.Str
		default:
			note(FieldError("timezone", "invalid_choice", MsgInvalidChoice(choiceText(raw))))
		}
	} else if mode == Create {
		w.vals["timezone"] = "UTC"
	}

	// offsets: checked against the interval the body names (as sent) or the export's
	rawInterval := body.Get("interval")
	intervalIs := func(names ...string) bool {
		iv := ""
		switch {
		case rawInterval.Exists() && rawInterval.Type != gjson.Null:
			iv = choiceText(rawInterval)
		case existing != nil:
			iv = existing.Interval
		}
		return containsStr(names, iv)
	}
	simple(beOffsetDay, nil)
	if _, ok := w.vals["offset_day"].(int); ok && !intervalIs("week") {
		note(FieldError("offset_day", "invalid_input", MsgOffsetDayNotWeekly))
	}
	simple(beOffsetHour, nil)
	if _, ok := w.vals["offset_hour"].(int); ok && !intervalIs("day", "week") {
		note(FieldError("offset_hour", "invalid_input", MsgOffsetHourNotDaily))
	}
	if first != nil {
		return nil, first
	}

	// Object-level rules (BatchExportSerializer.validate).
	if w.dest != nil && w.dest.typ == "HTTP" && w.vals.Has("model") {
		if m := w.vals["model"]; m != nil && m != "events" {
			return nil, Invalid(MsgHTTPEventsOnly)
		}
	}
	// offset_day and offset_hour become interval_offset. PostHog only does this when the
	// body names the interval (offsets alone in a PATCH fail there); the fake applies the
	// same rule with the export's interval.
	interval := ""
	if existing != nil {
		interval = existing.Interval
	}
	intervalGiven := w.vals.Has("interval")
	if intervalGiven {
		interval = w.vals.Str("interval")
	}
	dayGiven, hourGiven := w.vals.Has("offset_day"), w.vals.Has("offset_hour")
	day, _ := w.vals["offset_day"].(int)
	hour, hourSet := w.vals["offset_hour"].(int)
	set := func(off *int) { w.offsetSet, w.offset = true, off }
	if intervalGiven || dayGiven || hourGiven {
		switch interval {
		case "day":
			if hourGiven {
				var off *int
				if hourSet {
					n := hour * 3600
					off = &n
				}
				set(off)
			} else if mode != Patch {
				set(nil)
			}
		case "week":
			if dayGiven || hourGiven {
				n := day*86400 + hour*3600
				set(&n)
			} else if mode != Patch {
				set(nil)
			}
		default:
			set(nil)
		}
	}
	return w, nil
}

// choiceText is how DRF's ChoiceField quotes an invalid value.
func choiceText(raw gjson.Result) string {
	switch raw.Type {
	case gjson.String:
		return raw.Str
	case gjson.True:
		return "True"
	case gjson.False:
		return "False"
	}
	return raw.Raw
}

// validateDestination is BatchExportDestinationSerializer (nested field errors, then its
// validate: the config against the destination's inputs) followed by
// BatchExportSerializer.validate_destination.
func (tx *Tx) validateDestination(o *Organization, existing *BatchExport, raw gjson.Result, mode Mode) (*destinationWrite, *Error) {
	if raw.Type == gjson.Null {
		return nil, FieldError("destination", "null", MsgNull)
	}
	if !raw.IsObject() {
		return nil, FieldError(attrDestinationNonField, "invalid_input", "Invalid data. Expected a dictionary, but got "+pyTypeName(raw)+".")
	}
	d := &destinationWrite{}
	var first *Error
	note := func(err *Error) {
		if first == nil {
			first = err
		}
	}
	// type
	if t := raw.Get("type"); !t.Exists() {
		if mode == Patch && existing != nil {
			d.typ = existing.Destination.Type
		} else {
			note(FieldError("destination__type", "required", MsgRequired))
		}
	} else if t.Type == gjson.Null {
		note(FieldError("destination__type", "null", MsgNull))
	} else if text := choiceText(t); !containsStr(BatchExportDestinationTypes, text) {
		note(FieldError("destination__type", "invalid_choice", MsgInvalidChoice(text)))
	} else {
		d.typ = text
	}
	// config
	d.config = map[string]any{}
	if c := raw.Get("config"); c.Exists() {
		switch {
		case c.Type == gjson.Null:
			note(FieldError("destination__config", "null", MsgNull))
		case !c.IsObject():
			note(FieldError("destination__config", "not_a_dict", fmt.Sprintf("Expected a dictionary of items but got type %q.", pyTypeName(c))))
		default:
			d.config = decodeJSONObject(c.Raw)
		}
	}
	// integration / integration_id: a project integration; the fake has none, so any id
	// does not exist.
	for _, name := range []string{"integration", "integration_id"} {
		v := raw.Get(name)
		if !v.Exists() {
			continue
		}
		d.integrationSet = true
		if v.Type == gjson.Null {
			d.integration = nil
			continue
		}
		note(integrationLookupError("destination__"+name, v))
	}
	if first != nil {
		return nil, first
	}

	// BatchExportDestinationSerializer.validate: the config against the workflow inputs.
	if err := checkDestinationConfig(d.typ, d.config, mode == Patch); err != nil {
		return nil, err
	}

	// BatchExportSerializer.validate_destination.
	existingConfig := map[string]any{}
	if existing != nil {
		existingConfig = existing.Destination.Config
		if d.typ != existing.Destination.Type {
			return nil, FieldError(attrDestination, "invalid_input", fmt.Sprintf("Cannot change destination type from '%s' to '%s'. Delete this batch export and create a new one with the new destination type.", existing.Destination.Type, d.typ))
		}
	}
	merged := mergeConfig(existingConfig, d.config)
	integration := d.integration
	if !d.integrationSet && existing != nil {
		integration = existing.Destination.IntegrationID
	}
	destErr := func(msg string) *Error { return FieldError(attrDestination, "invalid_input", msg) }
	switch d.typ {
	case "Snowflake":
		auth := d.config["authentication_type"]
		if auth == "password" && merged["password"] == nil {
			return nil, destErr("Password is required if authentication type is password")
		}
		if auth == "keypair" && merged["private_key"] == nil {
			return nil, destErr("Private key is required if authentication type is key pair")
		}
	case "S3":
		var empty []string
		for _, name := range []string{"bucket_name", "region", "prefix"} {
			if s, ok := d.config[name].(string); ok && strings.TrimSpace(s) == "" {
				empty = append(empty, name)
			}
		}
		if len(empty) > 0 {
			return nil, destErr("The following inputs are empty: " + pyRepr(anyStrings(empty)))
		}
		format := any("JSONLines")
		if v, ok := merged["file_format"]; ok {
			format = v
		}
		fs, _ := format.(string)
		if !containsStr(s3FileFormats, fs) {
			return nil, destErr(fmt.Sprintf("File format %s is not supported. Supported file formats are %s", pyStr(format), pyRepr(anyStrings(s3FileFormats))))
		}
		if comp := merged["compression"]; pyTruthy(comp) {
			cs, _ := comp.(string)
			if !containsStr(s3Compressions[fs], cs) {
				return nil, destErr(fmt.Sprintf("Compression %s is not supported for file format %s. Supported compressions are %s", pyStr(comp), fs, pyRepr(anyStrings(s3Compressions[fs]))))
			}
		}
	case "Databricks":
		if integration == nil {
			return nil, destErr("Integration is required for Databricks batch exports")
		}
	case "AzureBlob":
		if integration == nil {
			return nil, destErr("Integration is required for Azure Blob batch exports")
		}
	case "Redshift":
		if err := checkRedshiftCopy(merged); err != nil {
			return nil, err
		}
	case "HTTP":
		if u := merged["url"]; pyTruthy(u) && u != msgHTTPValidURLUS && u != msgHTTPValidURLEU {
			return nil, destErr("Invalid destination URL: " + pyStr(u))
		}
	case "Workflows":
		if !orgHasFeature(o, FeatureBackfillWorkflowsDestination) {
			return nil, Forbidden(MsgWorkflowsDisabled)
		}
	}
	return d, nil
}

// integrationLookupError is PrimaryKeyRelatedField's answer for an id that matches nothing.
func integrationLookupError(attr string, v gjson.Result) *Error {
	incorrect := func() *Error {
		return FieldError(attr, "incorrect_type", fmt.Sprintf("Incorrect type. Expected pk value, received %s.", pyTypeName(v)))
	}
	switch v.Type {
	case gjson.True, gjson.False:
		return incorrect()
	case gjson.Number:
		return FieldError(attr, "does_not_exist", fmt.Sprintf("Invalid pk %q - object does not exist.", v.Raw))
	case gjson.String:
		if _, ok := pyInt(v.Str); !ok {
			return incorrect()
		}
		return FieldError(attr, "does_not_exist", fmt.Sprintf("Invalid pk %q - object does not exist.", v.Str))
	}
	return incorrect()
}

// checkDestinationConfig rejects unknown fields, missing required fields (not on PATCH) and
// values of the wrong type, converting "5" to 5 and "true" to true where PostHog does.
func checkDestinationConfig(typ string, config map[string]any, partial bool) *Error {
	fields := destinationFields[typ]
	invalid := func(msg string) *Error { return FieldError(attrDestinationNonField, "invalid_input", msg) }
	var extra []string
	for k := range config {
		known := containsStr(baseConfigFields, k)
		for _, f := range fields {
			if f.name == k {
				known = true
			}
		}
		if !known {
			extra = append(extra, "'"+k+"'")
		}
	}
	if len(extra) > 0 {
		sort.Strings(extra)
		return invalid("Configuration has unknown field/s: " + strings.Join(extra, ", "))
	}
	for _, f := range fields {
		v, ok := config[f.name]
		if !ok {
			if f.required && !partial {
				return invalid(fmt.Sprintf("Configuration missing required field: '%s'", f.name))
			}
			continue
		}
		if f.kind == cfgAny {
			continue
		}
		got, converted, ok := convertConfigValue(v, f.kind)
		if !ok {
			want := map[cfgKind]string{cfgStr: "str", cfgInt: "int", cfgBool: "bool"}[f.kind]
			return invalid(fmt.Sprintf("Configuration has invalid type: got '%s', expected '%s'", pyTypeOf(v), want))
		}
		if converted {
			config[f.name] = got
		}
	}
	return nil
}

// convertConfigValue is isinstance plus PostHog's try_convert_to_type (str → bool, str → int).
func convertConfigValue(v any, kind cfgKind) (any, bool, bool) {
	switch kind {
	case cfgStr:
		_, ok := v.(string)
		return v, false, ok
	case cfgInt:
		switch x := v.(type) {
		case bool:
			return v, false, true // bool is an int in Python
		case json.Number:
			if _, err := strconv.ParseInt(x.String(), 10, 64); err == nil {
				return v, false, true
			}
			return v, false, false
		case int:
			return v, false, true
		case string:
			if n, ok := pyInt(x); ok {
				return n, true, true
			}
		}
		return v, false, false
	case cfgBool:
		switch x := v.(type) {
		case bool:
			return v, false, true
		case string:
			low := strings.ToLower(x)
			return x != "" && containsStr([]string{"y", "yes", "t", "true", "on", "1"}, low), true, true
		}
		return v, false, false
	}
	return v, false, true
}

var rePyInt = regexp.MustCompile(`^[+-]?\d+(_\d+)*$`)

// pyInt is Python's int() on a string: surrounding white space, a sign and single
// underscores between digits are allowed.
func pyInt(s string) (int, bool) {
	s = strings.TrimSpace(s)
	if !rePyInt.MatchString(s) {
		return 0, false
	}
	n, err := strconv.Atoi(strings.ReplaceAll(s, "_", ""))
	return n, err == nil
}

// checkRedshiftCopy is the COPY mode rule of Redshift exports.
func checkRedshiftCopy(cfg map[string]any) *Error {
	if cfg["mode"] != "COPY" {
		return nil
	}
	destErr := func(msg string) *Error { return FieldError(attrDestination, "invalid_input", msg) }
	ci, present := cfg["copy_inputs"]
	if !present || !pyTruthy(ci) {
		return destErr(msgCOPYMissingInputs)
	}
	inputs, ok := ci.(map[string]any)
	if !ok {
		return destErr(msgCOPYMissingInput)
	}
	for _, k := range []string{"s3_bucket", "region_name", "authorization", "bucket_credentials"} {
		if _, ok := inputs[k]; !ok {
			return destErr(msgCOPYMissingInput)
		}
	}
	hasCreds := func(v any) bool {
		m, ok := v.(map[string]any)
		if !ok {
			return false
		}
		_, a := m["aws_access_key_id"]
		_, b := m["aws_secret_access_key"]
		return a && b
	}
	if !hasCreds(inputs["bucket_credentials"]) {
		return destErr(msgCOPYMissingBucketCreds)
	}
	switch a := inputs["authorization"].(type) {
	case map[string]any:
		if !hasCreds(a) {
			return destErr(msgCOPYMissingCredentials)
		}
	case string:
		if strings.TrimSpace(a) == "" {
			return destErr(msgCOPYMissingIAMRole)
		}
	}
	return nil
}

// mergeConfig is PostHog's recursive_dict_merge: new over old, nested objects merged.
func mergeConfig(old, upd map[string]any) map[string]any {
	out := make(map[string]any, len(old)+len(upd))
	for k, v := range old {
		out[k] = CloneValue(v)
	}
	for k, v := range upd {
		nv, newIsMap := v.(map[string]any)
		ov, oldIsMap := out[k].(map[string]any)
		switch {
		case newIsMap && oldIsMap:
			out[k] = mergeConfig(ov, nv)
		case newIsMap:
			out[k] = mergeConfig(map[string]any{}, nv)
		default:
			out[k] = CloneValue(v)
		}
	}
	return out
}

// DecodeJSONValue decodes one JSON value keeping numbers exact (json.Number), as PostHog's
// messages print them the way Python does; nil for null or bad JSON.
func DecodeJSONValue(raw string) any {
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil
	}
	return v
}

// decodeJSONObject decodes an object keeping numbers exact (json.Number), so that 5 and
// 5.0 stay an int and a float as in Python.
func decodeJSONObject(raw string) map[string]any {
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || m == nil {
		return map[string]any{}
	}
	return m
}

// normalizeJSON turns json.Number into int (integers) or float64, at every depth.
func normalizeJSON(v any) any {
	switch x := v.(type) {
	case json.Number:
		if n, err := strconv.ParseInt(x.String(), 10, 64); err == nil && n >= math.MinInt && n <= math.MaxInt {
			return int(n)
		}
		f, _ := x.Float64()
		return f
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = normalizeJSON(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalizeJSON(e)
		}
		return out
	}
	return v
}

// ---------------------------------------------------------------------------------------
// Python renderings for messages.

// pyTypeOf names a decoded JSON value's Python type.
func pyTypeOf(v any) string {
	switch x := v.(type) {
	case nil:
		return "NoneType"
	case string:
		return "str"
	case bool:
		return "bool"
	case int, int64:
		return "int"
	case float64:
		return "float"
	case json.Number:
		if _, err := strconv.ParseInt(x.String(), 10, 64); err == nil {
			return "int"
		}
		return "float"
	case []any:
		return "list"
	case map[string]any:
		return "dict"
	}
	return fmt.Sprintf("%T", v)
}

// ---------------------------------------------------------------------------------------
// HogQL: the fake does not run queries, but checks a query's shape as PostHog's batch
// exports do and keeps the schema it would export.

var (
	reHogQLSelect   = regexp.MustCompile(`(?is)^select\s`)
	reHogQLWith     = regexp.MustCompile(`(?is)^with\s`)
	reHogQLUnion    = regexp.MustCompile(`(?i)\bunion\b`)
	reHogQLJoin     = regexp.MustCompile(`(?i)\bjoin\b`)
	reHogQLAlias    = regexp.MustCompile(`(?is)^(.*\S)\s+as\s+([A-Za-z_$][\w$]*|` + "`[^`]+`" + `|"[^"]+")$`)
	reHogQLIdent    = regexp.MustCompile(`^[A-Za-z_$][\w$.]*`)
	reHogQLSubquery = regexp.MustCompile(`(?i)\(\s*select\b`)
)

// compileHogQL checks a hogql_query and returns the schema PostHog stores for it.
func compileHogQL(raw gjson.Result) (map[string]any, *Error) {
	fail := func(msg string) (map[string]any, *Error) {
		return nil, FieldError("hogql_query", "invalid_input", msg)
	}
	if raw.Type == gjson.Null {
		return nil, FieldError("hogql_query", "null", MsgNull)
	}
	if raw.Type != gjson.String {
		return fail("Failed to parse query")
	}
	q := strings.TrimSpace(raw.Str)
	q = strings.TrimSpace(strings.TrimSuffix(q, ";"))
	if !balancedHogQL(q) {
		return fail("Failed to parse query")
	}
	if reHogQLWith.MatchString(q) {
		return fail("CTEs are not supported")
	}
	if !reHogQLSelect.MatchString(q) {
		return fail("Failed to parse query")
	}
	if reHogQLUnion.MatchString(maskHogQL(q)) {
		return fail("UNIONs are not supported")
	}
	masked := maskHogQL(q)
	fromAt := topLevelKeyword(masked, "from")
	if fromAt < 0 {
		return fail("Query must SELECT FROM events")
	}
	selectList := strings.TrimSpace(q[len("select"):fromAt])
	rest := strings.TrimSpace(q[fromAt+len("from"):])
	if strings.HasPrefix(rest, "(") {
		return fail("Subqueries are not supported")
	}
	table := reHogQLIdent.FindString(rest)
	if table == "" {
		return fail("Failed to parse query")
	}
	if table != "events" {
		return fail("Query must only SELECT FROM events")
	}
	if reHogQLJoin.MatchString(maskHogQL(rest)) {
		return fail("JOINs are not supported")
	}
	items := splitTopLevel(selectList)
	if len(items) == 0 {
		return fail("Failed to parse query")
	}
	fields := make([]any, 0, len(items))
	for _, it := range items {
		it = strings.TrimSpace(it)
		if it == "" {
			return fail("Failed to parse query")
		}
		if reHogQLSubquery.MatchString(it) {
			return fail("Subqueries in SELECT expressions are not supported")
		}
		expr, alias := it, it
		if m := reHogQLAlias.FindStringSubmatch(it); m != nil {
			expr, alias = strings.TrimSpace(m[1]), strings.Trim(m[2], "`\"")
		}
		fields = append(fields, map[string]any{"expression": expr, "alias": alias})
	}
	return map[string]any{"fields": fields, "values": map[string]any{}, "hogql_query": q}, nil
}

// balancedHogQL reports whether quotes and parentheses close.
func balancedHogQL(q string) bool {
	depth := 0
	var quote rune
	for _, r := range q {
		if quote != 0 {
			if r == quote {
				quote = 0
			}
			continue
		}
		switch r {
		case '\'', '"', '`':
			quote = r
		case '(':
			depth++
		case ')':
			depth--
			if depth < 0 {
				return false
			}
		}
	}
	return depth == 0 && quote == 0
}

// maskHogQL blanks quoted text and parenthesised parts (keeping positions) so keyword
// searches only see the top level.
func maskHogQL(q string) string {
	b := []byte(q)
	depth := 0
	var quote byte
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
			b[i] = ' '
		case c == '\'' || c == '"' || c == '`':
			quote = c
			b[i] = ' '
		case c == '(':
			depth++
			b[i] = ' '
		case c == ')':
			depth--
			b[i] = ' '
		case depth > 0:
			b[i] = ' '
		}
	}
	return string(b)
}

// topLevelKeyword finds a whole-word keyword in masked text, or -1.
func topLevelKeyword(masked, kw string) int {
	re := regexp.MustCompile(`(?i)\b` + kw + `\b`)
	if loc := re.FindStringIndex(masked); loc != nil {
		return loc[0]
	}
	return -1
}

// splitTopLevel splits a select list on commas outside parentheses and quotes.
func splitTopLevel(s string) []string {
	masked := maskHogQL(s)
	var out []string
	start := 0
	for i := 0; i < len(masked); i++ {
		if masked[i] == ',' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	if strings.TrimSpace(s) != "" {
		out = append(out, s[start:])
	}
	return out
}

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
	before := e.clone()
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

// ---------------------------------------------------------------------------------------
// Backfills.

// BackfillBatchExport starts a backfill from start to end, the API's raw values (decoded
// JSON: a string in ISO 8601, nil when not given). Hourly and sub-hourly exports take
// datetimes with a time zone; daily and weekly ones take dates, read at the export's
// offset hour in its time zone.
func (tx *Tx) BackfillBatchExport(e *BatchExport, start, end any) (*BatchExportBackfill, error) {
	if start == nil && !orgHasFeature(tx.batchExportOrg(e), FeatureBatchExportEarliestBackfill) {
		return nil, Invalid(MsgBackfillFromBeginning)
	}
	var startAt, endAt *time.Time
	if start != nil {
		t, err := tx.backfillDate(e, start)
		if err != nil {
			return nil, err
		}
		startAt = &t
	}
	if end != nil {
		t, err := tx.backfillDate(e, end)
		if err != nil {
			return nil, err
		}
		endAt = &t
	}
	if startAt == nil || endAt == nil {
		if endAt == nil && e.Destination.Type != "HTTP" && e.Destination.Type != "NoOp" {
			return nil, Invalid(MsgBackfillNoEnd)
		}
		return tx.startBackfill(e, startAt, endAt, "backfill"), nil
	}
	if !startAt.Before(*endAt) {
		return nil, Invalid(MsgBackfillOrder)
	}
	if endAt.After(tx.now) {
		return nil, Invalid(fmt.Sprintf("The provided 'end_at' (%s) is in the future", pyISO(*endAt)))
	}
	return tx.startBackfill(e, startAt, endAt, "backfill"), nil
}

// backfillDate is PostHog's validate_date_input.
func (tx *Tx) backfillDate(e *BatchExport, in any) (time.Time, error) {
	s, isStr := in.(string)
	if e.Interval == "day" || e.Interval == "week" {
		d, ok := time.Time{}, false
		if isStr {
			d, ok = parsePyDate(s)
		}
		if !ok {
			if isStr {
				if _, _, ok := parsePyDatetime(s); ok {
					return time.Time{}, Invalid(fmt.Sprintf("Input '%s' is not a valid ISO formatted date. Daily or weekly batch export backfills expect only the date component, but a time was included.", s))
				}
			}
			return time.Time{}, Invalid(fmt.Sprintf("Input '%s' is not a valid ISO formatted date.", pyStr(in)))
		}
		if e.Interval == "week" {
			want := 0
			if od := e.OffsetDay(); od != nil {
				want = *od
			}
			if int(d.Weekday()) != want {
				return time.Time{}, Invalid(fmt.Sprintf("Input %s is not on the correct day of the week for this batch export. %s is a %s but this batch export is configured to run weekly on %s.", s, s, d.Weekday(), time.Weekday(want)))
			}
		}
		hour := 0
		if oh := e.OffsetHour(); oh != nil {
			hour = *oh
		}
		loc, err := time.LoadLocation(e.Timezone)
		if err != nil {
			loc = time.UTC
		}
		return time.Date(d.Year(), d.Month(), d.Day(), hour, 0, 0, 0, loc), nil
	}
	if !isStr {
		return time.Time{}, Invalid(fmt.Sprintf("Input %s is not a valid ISO formatted datetime.", pyStr(in)))
	}
	t, aware, ok := parsePyDatetime(s)
	if !ok {
		return time.Time{}, Invalid(fmt.Sprintf("Input %s is not a valid ISO formatted datetime.", s))
	}
	if !aware {
		return time.Time{}, Invalid(fmt.Sprintf("Input %s is naive.", s))
	}
	return t, nil
}

// BackfillID is PostHog's backfill workflow id for an export and a range.
func BackfillID(exportID string, start, end *time.Time) string {
	s, en := "START", "END"
	if start != nil {
		s = pyISO(start.UTC())
	}
	if end != nil {
		en = pyISO(end.UTC())
	}
	return exportID + "-Backfill-" + s + "-" + en
}

func (tx *Tx) startBackfill(e *BatchExport, start, end *time.Time, by string) *BatchExportBackfill {
	b := &BatchExportBackfill{ID: BackfillID(e.ID, start, end), ExportID: e.ID, StartAt: clonePtr(start), EndAt: clonePtr(end),
		Status: batchExportBackfillStarted, CreatedAt: tx.now, TriggeredBy: by}
	s := &tx.st.ext.batchExports
	s.backfills[e.ID] = append(s.backfills[e.ID], b)
	from, to := "the beginning of time", "now"
	if start != nil {
		from = isoUTC(*start)
	}
	if end != nil {
		to = isoUTC(*end)
	}
	tx.addBatchExportLog(e, b.ID, batchExportLogSourceLevel, fmt.Sprintf("Backfill started from %s to %s.", from, to))
	return b
}

// isoUTC renders a time as PostHog's API does (UTC, "Z", microseconds when set).
func isoUTC(t time.Time) string {
	t = t.UTC()
	if t.Nanosecond()/1000 != 0 {
		return t.Format("2006-01-02T15:04:05.000000Z")
	}
	return t.Format("2006-01-02T15:04:05Z")
}

// pyISO is Python's datetime.isoformat() of an aware datetime.
func pyISO(t time.Time) string {
	s := t.Format("2006-01-02T15:04:05")
	if us := t.Nanosecond() / 1000; us != 0 {
		s += fmt.Sprintf(".%06d", us)
	}
	_, off := t.Zone()
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	s += fmt.Sprintf("%s%02d:%02d", sign, off/3600, off%3600/60)
	if off%60 != 0 {
		s += fmt.Sprintf(":%02d", off%60)
	}
	return s
}

var (
	rePyDate     = regexp.MustCompile(`^(\d{4})-?(\d{2})-?(\d{2})$`)
	rePyTime     = regexp.MustCompile(`^(\d{2})(?::?(\d{2})(?::?(\d{2})(?:[.,](\d+))?)?)?$`)
	rePyTZOffset = regexp.MustCompile(`^([+-])(\d{2})(?::?(\d{2})(?::?(\d{2})(?:[.,](\d+))?)?)?$`)
)

// parsePyDate is Python's date.fromisoformat (YYYY-MM-DD or YYYYMMDD).
func parsePyDate(s string) (time.Time, bool) {
	m := rePyDate.FindStringSubmatch(s)
	if m == nil || (strings.Contains(s, "-") && len(s) != 10) {
		return time.Time{}, false
	}
	y, _ := strconv.Atoi(m[1])
	mo, _ := strconv.Atoi(m[2])
	d, _ := strconv.Atoi(m[3])
	t := time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC)
	if y < 1 || t.Year() != y || int(t.Month()) != mo || t.Day() != d {
		return time.Time{}, false
	}
	return t, true
}

// parsePyDatetime is Python's datetime.fromisoformat: a date, optionally any one separator
// character and a time, optionally "Z" or an offset. aware says whether a zone was given.
func parsePyDatetime(s string) (t time.Time, aware bool, ok bool) {
	if d, ok := parsePyDate(s); ok {
		return d, false, true
	}
	var datePart string
	switch {
	case len(s) > 10 && s[4] == '-':
		datePart = s[:10]
		s = s[10:]
	case len(s) > 8:
		datePart = s[:8]
		s = s[8:]
	default:
		return time.Time{}, false, false
	}
	d, ok := parsePyDate(datePart)
	if !ok {
		return time.Time{}, false, false
	}
	// one separator character (any), then the time
	_, size := firstRune(s)
	if size == 0 || len(s) <= size {
		return time.Time{}, false, false
	}
	rest := s[size:]
	timePart, zone := rest, ""
	if i := strings.IndexAny(rest, "Z+-"); i >= 0 {
		timePart, zone = rest[:i], rest[i:]
	}
	tm := rePyTime.FindStringSubmatch(timePart)
	if tm == nil {
		return time.Time{}, false, false
	}
	hh, _ := strconv.Atoi(tm[1])
	mm, _ := strconv.Atoi(tm[2])
	ss, _ := strconv.Atoi(tm[3])
	if hh > 23 || mm > 59 || ss > 59 {
		return time.Time{}, false, false
	}
	ns := 0
	if tm[4] != "" {
		frac := (tm[4] + "000000")[:6]
		us, _ := strconv.Atoi(frac)
		ns = us * 1000
	}
	loc := time.UTC
	switch {
	case zone == "":
	case zone == "Z":
		aware = true
	default:
		zm := rePyTZOffset.FindStringSubmatch(zone)
		if zm == nil {
			return time.Time{}, false, false
		}
		oh, _ := strconv.Atoi(zm[2])
		om, _ := strconv.Atoi(zm[3])
		os, _ := strconv.Atoi(zm[4])
		if oh > 23 || om > 59 || os > 59 {
			return time.Time{}, false, false
		}
		off := oh*3600 + om*60 + os
		if zm[1] == "-" {
			off = -off
		}
		loc, aware = time.FixedZone("", off), true
	}
	return time.Date(d.Year(), d.Month(), d.Day(), hh, mm, ss, ns, loc), aware, true
}

func firstRune(s string) (rune, int) {
	for _, r := range s {
		return r, len(string(r))
	}
	return 0, 0
}

// ---------------------------------------------------------------------------------------
// Logs.

func (tx *Tx) addBatchExportLog(e *BatchExport, instanceID, level, message string) {
	s := &tx.st.ext.batchExports
	s.logs[e.ID] = append(s.logs[e.ID], &BatchExportLogEntry{ExportID: e.ID, InstanceID: instanceID, Timestamp: tx.now, Level: level, Message: message})
}

// AddBatchExportLog records a log entry for an export (scenarios: what a run would have
// logged). level is one of BatchExportLogLevels (any case); instanceID defaults to the
// export id.
func (tx *Tx) AddBatchExportLog(e *BatchExport, level, message, instanceID string) error {
	level = strings.ToUpper(level)
	if !containsStr(BatchExportLogLevels, level) {
		return Invalid(fmt.Sprintf("%q is not a log level.", level))
	}
	if instanceID == "" {
		instanceID = e.ID
	}
	tx.addBatchExportLog(e, instanceID, level, message)
	return nil
}

// BatchExportLogQuery filters an export's log entries (PostHog's LogEntryRequestSerializer).
type BatchExportLogQuery struct {
	Limit      int // 1–500
	After      *time.Time
	Before     *time.Time
	Levels     []string // upper case; empty = all
	Search     string   // case-insensitive, SQL ILIKE semantics (% and _ are wildcards)
	InstanceID string
}

// BatchExportLogs returns the export's matching log entries, newest first, at most Limit.
func (tx *Tx) BatchExportLogs(e *BatchExport, q BatchExportLogQuery) []*BatchExportLogEntry {
	all := tx.st.ext.batchExports.logs[e.ID]
	var like *regexp.Regexp
	if q.Search != "" {
		like = likePattern(q.Search)
	}
	out := []*BatchExportLogEntry{}
	for i := len(all) - 1; i >= 0; i-- {
		l := all[i]
		switch {
		case q.InstanceID != "" && l.InstanceID != q.InstanceID,
			q.After != nil && !l.Timestamp.After(*q.After),
			q.Before != nil && !l.Timestamp.Before(*q.Before),
			len(q.Levels) > 0 && !containsStr(q.Levels, strings.ToUpper(l.Level)),
			like != nil && !like.MatchString(l.Message):
			continue
		}
		out = append(out, l)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Timestamp.After(out[j].Timestamp) })
	if len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out
}

// likePattern is ILIKE '%s%': % any run, _ any one character, \ escapes.
func likePattern(s string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString(`(?is)`)
	esc := false
	for _, r := range s {
		switch {
		case esc:
			b.WriteString(regexp.QuoteMeta(string(r)))
			esc = false
		case r == '\\':
			esc = true
		case r == '%':
			b.WriteString(`.*`)
		case r == '_':
			b.WriteString(`.`)
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	return regexp.MustCompile(b.String())
}

// ---------------------------------------------------------------------------------------
// Runs (seeded).

// NewBatchExportRun is the input of AddBatchExportRun.
type NewBatchExportRun struct {
	Status            string // default Completed
	DataIntervalStart *time.Time
	DataIntervalEnd   time.Time // zero = now
	RecordsCompleted  *int
	RecordsFailed     *int
	RecordsTotalCount *int
	BytesExported     *int64
	LatestError       *string
	Cursor            *string
	FinishedAt        *time.Time
}

// AddBatchExportRun records a run of an export (the fake never runs one itself).
func (tx *Tx) AddBatchExportRun(e *BatchExport, in NewBatchExportRun) (*BatchExportRun, error) {
	status := in.Status
	if status == "" {
		status = "Completed"
	}
	if !containsStr(BatchExportRunStatuses, status) {
		return nil, Invalid(MsgInvalidChoice(status))
	}
	end := in.DataIntervalEnd
	if end.IsZero() {
		end = tx.now
	}
	r := &BatchExportRun{ID: tx.NewUUID(), ExportID: e.ID, Status: status, RecordsCompleted: clonePtr(in.RecordsCompleted),
		RecordsFailed: clonePtr(in.RecordsFailed), LatestError: clonePtr(in.LatestError), DataIntervalStart: clonePtr(in.DataIntervalStart),
		DataIntervalEnd: end, Cursor: clonePtr(in.Cursor), CreatedAt: tx.now, FinishedAt: clonePtr(in.FinishedAt), LastUpdatedAt: tx.now,
		RecordsTotalCount: clonePtr(in.RecordsTotalCount), BytesExported: clonePtr(in.BytesExported)}
	s := &tx.st.ext.batchExports
	s.runs[e.ID] = append(s.runs[e.ID], r)
	return r, nil
}

// ---------------------------------------------------------------------------------------
// Destination tests: the steps PostHog runs to check a destination, emulated. A step
// passes when the configuration it needs is there (PostHog's "configured" rule); a scenario
// can choose any step's result with SetDestinationTestResult.

// DestinationTestStep is one step of a destination test.
type DestinationTestStep struct {
	Name        string
	Description string
	needs       func(cfg map[string]any) bool
}

// DestinationTestResult is a step's result: Status Passed, Failed or Skipped.
type DestinationTestResult struct {
	Status  string
	Message *string
}

func has(cfg map[string]any, keys ...string) bool {
	for _, k := range keys {
		if cfg[k] == nil {
			return false
		}
	}
	return true
}

func snowflakeAuth(cfg map[string]any) bool {
	return has(cfg, "account", "user") && (cfg["private_key"] != nil || cfg["password"] != nil)
}

// integrationOnly are configuration keys only an integration provides; the fake has none.
func integrationOnly(map[string]any) bool { return false }

var destinationTests = map[string][]DestinationTestStep{
	"S3": {{Name: "Check S3 bucket exists", Description: "Ensure the configured S3 bucket exists and that we have the required permissions to access it.",
		needs: func(c map[string]any) bool {
			return has(c, "bucket_name", "aws_access_key_id", "aws_secret_access_key")
		}}},
	"BigQuery": {
		{Name: "Verify BigQuery project", Description: "Ensure the configured BigQuery project exists and that we have the required permissions to access it.",
			needs: func(c map[string]any) bool { return has(c, "project_id") }},
		{Name: "Verify BigQuery dataset", Description: "Ensure the configured BigQuery dataset exists and that we have the required permissions to access it.",
			needs: func(c map[string]any) bool { return has(c, "project_id", "dataset_id") }},
		{Name: "Verify BigQuery table", Description: "Ensure the configured BigQuery table already exists or that we have the required permissions to create it. Additionally, when creating a table, we will attempt to delete it.",
			needs: func(c map[string]any) bool { return has(c, "project_id", "dataset_id", "table_id") }},
	},
	"Snowflake": {
		{Name: "Establish connection to Snowflake", Description: "Attempt to establish a Snowflake connection with the provided configuration values.",
			needs: snowflakeAuth},
		{Name: "Verify Snowflake warehouse", Description: "Verify the configured Snowflake warehouse exists and we have the necessary permissions to use it.",
			needs: func(c map[string]any) bool { return snowflakeAuth(c) && has(c, "warehouse") }},
		{Name: "Verify Snowflake database", Description: "Verify the configured Snowflake database exists and we have the necessary permissions to use it.",
			needs: func(c map[string]any) bool { return snowflakeAuth(c) && has(c, "warehouse", "database") }},
		{Name: "Verify Snowflake schema", Description: "Verify the configured Snowflake schema exists and we have the necessary permissions to use it.",
			needs: func(c map[string]any) bool { return snowflakeAuth(c) && has(c, "warehouse", "database", "schema") }},
	},
	"Databricks": {
		{Name: "Establish connection to Databricks", Description: "Attempt to establish a Databricks connection with the provided configuration values.", needs: integrationOnly},
		{Name: "Verify Databricks catalog", Description: "Verify the configured Databricks catalog exists and we have the necessary permissions to use it.", needs: integrationOnly},
		{Name: "Verify Databricks schema", Description: "Verify the configured Databricks schema exists and we have the necessary permissions to use it.", needs: integrationOnly},
		{Name: "Verify Databricks table", Description: "Ensure the configured Databricks table already exists or that we have the required permissions to create it. Additionally, when creating this test table, we will attempt to delete it.", needs: integrationOnly},
		{Name: "Verify permissions to create a Databricks volume", Description: "Ensure we have the required permissions to create a Databricks volume. We need to create temporary volumes as part of the batch export process.", needs: integrationOnly},
	},
	"AzureBlob": {{Name: "Check Azure Blob container exists", Description: "Ensure the configured container exists and that we have the required permissions to access it.", needs: integrationOnly}},
}

// MsgTestStepNotConfigured is a failed step's message when its configuration is missing.
const MsgTestStepNotConfigured = "The test step cannot run as it's not configured."

// DestinationTestSteps returns the steps of a destination's test (nil: it has none).
func DestinationTestSteps(destType string) []DestinationTestStep { return destinationTests[destType] }

// SetDestinationTestResult makes step (0-based) of destType's test answer status
// (Passed, Failed or Skipped) with message; an empty status restores the emulation.
func (tx *Tx) SetDestinationTestResult(destType string, step int, status, message string) error {
	steps := destinationTests[destType]
	if step < 0 || step >= len(steps) {
		return Invalid(fmt.Sprintf("%s has no test step %d.", destType, step))
	}
	key := fmt.Sprintf("%s/%d", destType, step)
	if status == "" {
		delete(tx.st.ext.batchExports.testOutcomes, key)
		return nil
	}
	if !containsStr([]string{"Passed", "Failed", "Skipped"}, status) {
		return Invalid(MsgInvalidChoice(status))
	}
	r := DestinationTestResult{Status: status}
	if message != "" {
		r.Message = &message
	}
	tx.st.ext.batchExports.testOutcomes[key] = r
	return nil
}

// RunDestinationTestStep runs step (0-based) of destType's test with the configuration.
func (tx *Tx) RunDestinationTestStep(destType string, step int, cfg map[string]any) DestinationTestResult {
	if r, ok := tx.st.ext.batchExports.testOutcomes[fmt.Sprintf("%s/%d", destType, step)]; ok {
		return r
	}
	if !destinationTests[destType][step].needs(cfg) {
		msg := MsgTestStepNotConfigured
		return DestinationTestResult{Status: "Failed", Message: &msg}
	}
	return DestinationTestResult{Status: "Passed"}
}

// ValidateBatchExportTest checks a run_test_step body as a create body (PostHog validates it
// with the export serializer) and returns the destination type and the configuration the
// test runs with. For an existing export (run_test_step), the stored configuration's known
// fields, secrets included, are the base the body's config is laid over.
func (tx *Tx) ValidateBatchExportTest(o *Organization, existing *BatchExport, body gjson.Result) (string, map[string]any, error) {
	if !body.IsObject() {
		return "", nil, Invalid("Invalid data. Expected a dictionary, but got " + pyTypeName(body) + ".")
	}
	if existing != nil {
		// A config that is not an object is left for the validation to report.
		if d := body.Get("destination"); d.IsObject() && (!d.Get("config").Exists() || d.Get("config").IsObject()) {
			m := decodeJSONObject(body.Raw)
			dest := decodeJSONObject(d.Raw)
			stored := map[string]any{}
			for k, v := range existing.Destination.Config {
				if containsStr(baseConfigFields, k) || knownConfigField(existing.Destination.Type, k) {
					stored[k] = CloneValue(v)
				}
			}
			given := map[string]any{}
			if c := d.Get("config"); c.IsObject() {
				given = decodeJSONObject(c.Raw)
			}
			for k, v := range given {
				stored[k] = v
			}
			dest["config"] = stored
			m["destination"] = dest
			data, _ := json.Marshal(m)
			body = gjson.ParseBytes(data)
		}
	}
	w, err := tx.validateBatchExport(o, existing, body, Create)
	if err != nil {
		return "", nil, err
	}
	return w.dest.typ, normalizeJSON(w.dest.config).(map[string]any), nil
}

func knownConfigField(destType, name string) bool {
	for _, f := range destinationFields[destType] {
		if f.name == name {
			return true
		}
	}
	return false
}
