package store

import (
	"sort"
	"strings"
	"time"
)

// Batch exports (PostHog's BatchExport and its BatchExportDestination), as the organization
// level sees them: every export of every project of the organization. An export belongs to
// a project (team_id); nothing is ever exported, but the fake keeps what the real server
// keeps: the destination configuration (secrets included, never shown), pause state,
// backfills started, runs (seeded), and log entries: those a backfill's workflow writes
// when it starts and those seeded (AddBatchExportLog). The API itself writes none: creating,
// pausing or unpausing an export logs nothing.
//
// This file holds the records, their state (copy, cascades) and lookups. The rest lives
// beside it: batch_export_validation.go (the serializer's checks), batch_export_destinations.go
// (each destination type's config rules and test steps), batch_export_lifecycle.go (create,
// update, delete, pause), batch_export_runs.go (backfills, runs, logs); the HogQL check in
// hogql.go, Python's number and date readings in pyparse.go.

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
