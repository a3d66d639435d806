package store

// Batch export runs, backfills and log entries: starting a backfill (and the log lines its
// workflow writes), seeding runs and logs, and the log query.

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
	_ "time/tzdata" // backfill dates are read in the export's time zone, the same on every machine
)

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
