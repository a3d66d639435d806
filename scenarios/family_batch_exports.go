package scenarios

// A scenario organization's batch exports (with their runs and log entries): records, YAML
// decoding, checks and seeding through the store's rules.

import (
	"strings"
	"time"

	"github.com/fakehog/fakehog/fake/store"
	"gopkg.in/yaml.v3"
)

// BatchExport is a batch export of one of the organization's projects.
type BatchExport struct {
	ID          string // generated when empty
	Name        string
	Project     string // project name; the organization's first project when empty
	Model       string // events (default), persons or sessions
	Destination BatchExportDestination
	Interval    string // hour, day, week, every 5 minutes, every 15 minutes
	Paused      bool
	StartAt     time.Time
	EndAt       time.Time
	Timezone    string // UTC when empty
	OffsetDay   *int   // 0-6, week interval only
	OffsetHour  *int   // 0-23, day and week intervals only
	HogQLQuery  string
	Filters     any
	CreatedBy   string // user ref or email; the organization's creator when empty
	// Runs are past runs (latest_runs); the fake never runs an export itself.
	Runs []BatchExportRun
	// Logs are log entries, after the one the export's creation writes.
	Logs []BatchExportLog
}

// BatchExportDestination is where a batch export writes.
type BatchExportDestination struct {
	Type   string // S3, Snowflake, Postgres, Redshift, BigQuery, Databricks, AzureBlob, Workflows, HTTP, NoOp, FileDownload
	Config map[string]any
}

// BatchExportRun is a past run of a batch export.
type BatchExportRun struct {
	Status            string    // Completed when empty; one of store.BatchExportRunStatuses
	DataIntervalStart time.Time // none when zero
	DataIntervalEnd   time.Time // the clock's reading when zero
	RecordsCompleted  *int
	RecordsTotalCount *int
	LatestError       string
	FinishedAt        time.Time // none when zero
}

// BatchExportLog is a log entry of a batch export.
type BatchExportLog struct {
	Level      string // DEBUG, LOG, INFO, WARN or ERROR (any case)
	Message    string
	InstanceID string // the export's id when empty
}

// batchExportKeys are the batch_exports key.
func (d *decoder) batchExportKeys(o *Organization) []key {
	return []key{
		{"batch_exports", func(v *yaml.Node, p string) error {
			return d.list(v, p, func(_ int, item *yaml.Node, ip string) error {
				var b BatchExport
				err := d.batchExport(item, ip, &b)
				o.BatchExports = append(o.BatchExports, b)
				return err
			})
		}},
	}
}

func (d *decoder) batchExport(n *yaml.Node, path string, b *BatchExport) error {
	return d.object(n, path, "a batch export", []key{
		{"id", d.str(&b.ID)},
		{"name", d.str(&b.Name)},
		{"project", d.str(&b.Project)},
		{"model", d.str(&b.Model)},
		{"destination", func(v *yaml.Node, p string) error {
			return d.object(v, p, "a batch export destination", []key{
				{"type", d.str(&b.Destination.Type)},
				{"config", d.mapValue(&b.Destination.Config)},
			}, nil)
		}},
		{"interval", d.str(&b.Interval)},
		{"paused", d.boolean(&b.Paused)},
		{"start_at", d.timestamp(&b.StartAt)},
		{"end_at", d.timestamp(&b.EndAt)},
		{"timezone", d.str(&b.Timezone)},
		{"offset_day", d.intPtr(&b.OffsetDay)},
		{"offset_hour", d.intPtr(&b.OffsetHour)},
		{"hogql_query", d.str(&b.HogQLQuery)},
		{"filters", d.anyValue(&b.Filters)},
		{"created_by", d.str(&b.CreatedBy)},
		{"runs", func(v *yaml.Node, p string) error {
			return d.list(v, p, func(_ int, item *yaml.Node, ip string) error {
				var r BatchExportRun
				err := d.object(item, ip, "a batch export run", []key{
					{"status", d.str(&r.Status)},
					{"data_interval_start", d.timestamp(&r.DataIntervalStart)},
					{"data_interval_end", d.timestamp(&r.DataIntervalEnd)},
					{"records_completed", d.intPtr(&r.RecordsCompleted)},
					{"records_total_count", d.intPtr(&r.RecordsTotalCount)},
					{"latest_error", d.str(&r.LatestError)},
					{"finished_at", d.timestamp(&r.FinishedAt)},
				}, nil)
				b.Runs = append(b.Runs, r)
				return err
			})
		}},
		{"logs", func(v *yaml.Node, p string) error {
			return d.list(v, p, func(_ int, item *yaml.Node, ip string) error {
				var l BatchExportLog
				err := d.object(item, ip, "a batch export log entry", []key{
					{"level", d.str(&l.Level)},
					{"message", d.str(&l.Message)},
					{"instance_id", d.str(&l.InstanceID)},
				}, nil)
				b.Logs = append(b.Logs, l)
				return err
			})
		}},
	}, nil)
}

// checkBatchExports checks the batch exports, their runs and log entries.
func (c *orgCheck) checkBatchExports() error {
	o, path := c.org, c.path
	for i, b := range o.BatchExports {
		bp := index(child(path, "batch_exports"), i)
		if err := c.required(bp, "name", b.Name, 0); err != nil {
			return err
		}
		if err := c.checkOptionalID(bp, b.ID); err != nil {
			return err
		}
		if b.Project != "" && !c.hasProject(b.Project) {
			return c.errorf(child(bp, "project"), "no project named %q in this organization", b.Project)
		}
		if err := c.oneOf(child(bp, "model"), b.Model, batchExportModels, true); err != nil {
			return err
		}
		if b.Destination.Type == "" {
			return c.errorf(child(bp, "destination"), "a batch export needs a destination with a type (%s)", strings.Join(batchExportDestinations, ", "))
		}
		if err := c.oneOf(child(child(bp, "destination"), "type"), b.Destination.Type, batchExportDestinations, false); err != nil {
			return err
		}
		if b.Interval == "" {
			return c.errorf(bp, "a batch export needs an interval (%s)", strings.Join(batchExportIntervals, ", "))
		}
		if err := c.oneOf(child(bp, "interval"), b.Interval, batchExportIntervals, false); err != nil {
			return err
		}
		if b.Timezone != "" && !store.ValidTimezone(b.Timezone) {
			return c.errorf(child(bp, "timezone"), "unknown timezone %q: use an IANA name such as Europe/Berlin or UTC", b.Timezone)
		}
		if b.OffsetDay != nil && (b.Interval != "week" || *b.OffsetDay < 0 || *b.OffsetDay > 6) {
			return c.errorf(child(bp, "offset_day"), "offset_day is 0 to 6 and only for the week interval")
		}
		if b.OffsetHour != nil && ((b.Interval != "day" && b.Interval != "week") || *b.OffsetHour < 0 || *b.OffsetHour > 23) {
			return c.errorf(child(bp, "offset_hour"), "offset_hour is 0 to 23 and only for the day and week intervals")
		}
		if !b.StartAt.IsZero() && !b.EndAt.IsZero() && !b.StartAt.Before(b.EndAt) {
			return c.errorf(child(bp, "end_at"), "end_at must be after start_at")
		}
		if err := c.optionalUser(child(bp, "created_by"), b.CreatedBy); err != nil {
			return err
		}
		for j, r := range b.Runs {
			rp := index(child(bp, "runs"), j)
			if err := c.oneOf(child(rp, "status"), r.Status, store.BatchExportRunStatuses, true); err != nil {
				return err
			}
			for _, n := range []struct {
				name string
				v    *int
			}{{"records_completed", r.RecordsCompleted}, {"records_total_count", r.RecordsTotalCount}} {
				if n.v != nil && *n.v < 0 {
					return c.errorf(child(rp, n.name), "%s cannot be negative", n.name)
				}
			}
			if !r.DataIntervalStart.IsZero() && !r.DataIntervalEnd.IsZero() && !r.DataIntervalStart.Before(r.DataIntervalEnd) {
				return c.errorf(child(rp, "data_interval_end"), "data_interval_end must be after data_interval_start")
			}
		}
		for j, l := range b.Logs {
			lp := index(child(bp, "logs"), j)
			if l.Level == "" {
				return c.errorf(lp, "a log entry needs a level (%s)", strings.Join(store.BatchExportLogLevels, ", "))
			}
			if err := c.oneOf(child(lp, "level"), strings.ToUpper(l.Level), store.BatchExportLogLevels, false); err != nil {
				return err
			}
		}
	}
	return nil
}

// batchExportAttrs place the batch export rules' non-field refusals.
var batchExportAttrs = map[string]string{
	store.MsgHighFrequencyDisabled: "interval",
	store.MsgWorkflowsDisabled:     "destination.type",
	store.MsgHTTPEventsOnly:        "model",
	store.MsgBatchExportNoProject:  "project",
	"project is not in":            "project",
}

// applyBatchExports seeds batch exports through the API's create rules (destination
// configuration, intervals behind features, offsets), then their runs and log entries.
func applyBatchExports(a *orgSeed) error {
	for i, b := range a.org.BatchExports {
		bp := index(child(a.path, "batch_exports"), i)
		in := store.NewBatchExport{ID: b.ID, TeamID: a.project(b.Project).ID, CreatedBy: a.createdBy(b.CreatedBy),
			Name: b.Name, Destination: store.NewBatchExportDestination{Type: b.Destination.Type, Config: b.Destination.Config},
			Interval: b.Interval, Paused: b.Paused, Filters: b.Filters, OffsetDay: b.OffsetDay, OffsetHour: b.OffsetHour,
			Model: strPtr(b.Model), HogQLQuery: strPtr(b.HogQLQuery), Timezone: strPtr(b.Timezone),
			StartAt: timePtr(b.StartAt), EndAt: timePtr(b.EndAt)}
		e, err := a.tx.CreateBatchExport(a.sorg.ID, in)
		if err != nil {
			// The destination's own refusals are about its configuration.
			if se, ok := err.(*store.Error); ok && (se.Attr == "destination" || se.Attr == "destination__non_field_errors") {
				c := *se
				c.Attr = "destination__config"
				err = &c
			}
			return a.storeError(bp, attrOf(err, batchExportAttrs, "id"))
		}
		for j, r := range b.Runs {
			run := store.NewBatchExportRun{Status: r.Status, DataIntervalStart: timePtr(r.DataIntervalStart),
				DataIntervalEnd: r.DataIntervalEnd, RecordsCompleted: r.RecordsCompleted, RecordsTotalCount: r.RecordsTotalCount,
				LatestError: strPtr(r.LatestError), FinishedAt: timePtr(r.FinishedAt)}
			if _, err := a.tx.AddBatchExportRun(e, run); err != nil {
				return a.storeError(index(child(bp, "runs"), j), attrOf(err, nil, "status"))
			}
		}
		for j, l := range b.Logs {
			if err := a.tx.AddBatchExportLog(e, l.Level, l.Message, l.InstanceID); err != nil {
				return a.storeError(index(child(bp, "logs"), j), attrOf(err, nil, "level"))
			}
		}
	}
	return nil
}
