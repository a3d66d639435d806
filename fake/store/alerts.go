package store

// Insight alerts (PostHog's AlertConfiguration with its Threshold and subscriptions,
// posthog/api/alert.py): records, state and the serializer's checks. An alert watches a
// trends insight of its project; the fake never runs the check, so an alert stays "Not
// firing" unless snoozed.

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/gjson"
)

// PostHog's AlertState values.
const (
	AlertFiring    = "Firing"
	AlertNotFiring = "Not firing"
	AlertErrored   = "Errored"
	AlertSnoozed   = "Snoozed"
)

// alertsOnFreeTier is AlertConfiguration.ALERTS_ALLOWED_ON_FREE_TIER.
const alertsOnFreeTier = 2

// Alert is one alert of a project.
type Alert struct {
	ProjectRecord
	UUID      string
	InsightID int
	Name      string
	// SubscribedUsers are user ids, in subscription order.
	SubscribedUsers []int
	Threshold       *AlertThreshold // nil is null
	Condition       map[string]any
	State           string
	Enabled         bool
	LastNotifiedAt  *time.Time
	LastCheckedAt   *time.Time
	NextCheckAt     *time.Time
	SnoozedUntil    *time.Time
	Config          map[string]any // nil is null
	// CalculationInterval is hourly, daily, weekly or monthly.
	CalculationInterval string
	SkipWeekend         *bool
	// Checks are the alert's checks, newest last.
	Checks    []AlertCheck
	CreatedAt time.Time
	CreatedBy int // user id; 0 when none
}

// AlertThreshold is PostHog's Threshold: {type, bounds: {lower, upper}}.
type AlertThreshold struct {
	UUID          string
	Name          string
	Configuration map[string]any
	CreatedAt     time.Time
}

// AlertCheck is one check of an alert (the fake records one when an alert is snoozed or
// unsnoozed, as PostHog does).
type AlertCheck struct {
	UUID            string
	CreatedAt       time.Time
	CalculatedValue *float64
	State           string
}

// AlertCalculationIntervals are the calculation_interval choices.
var AlertCalculationIntervals = []any{"hourly", "daily", "weekly", "monthly"}

// alertConditionTypes are AlertConditionType's values.
var alertConditionTypes = []any{"absolute_value", "relative_increase", "relative_decrease"}

// alertState holds every project's alerts.
type alertState struct {
	noHooks
	recs   projectRecords[Alert, *Alert]
	byUUID map[string]int // uuid → record id
}

func (s *alertState) init() {
	s.recs.init()
	s.byUUID = map[string]int{}
}

// dropProject forgets the project's alerts.
func (s *alertState) dropProject(_ *Tx, projectID int) {
	for _, a := range s.recs.all(projectID, true) {
		delete(s.byUUID, a.UUID)
	}
	s.recs.dropProject(projectID)
}

// dropMember unsubscribes a user who left the organization from its projects' alerts.
func (s *alertState) dropMember(tx *Tx, orgID string, userID int) {
	for _, a := range s.recs.byID {
		if p := tx.st.projects[a.ProjectID]; p != nil && p.OrgID == orgID {
			a.SubscribedUsers = removeInt(a.SubscribedUsers, userID)
		}
	}
}

func init() {
	// PostHog deletes the alerts of an insight an update leaves without alert support.
	insightUpdateHooks = append(insightUpdateHooks, func(tx *Tx, in *Insight) {
		if InsightSupportsAlerts(in) {
			return
		}
		for _, a := range tx.AlertsOfInsight(in.ProjectID, in.ID) {
			tx.DeleteAlert(a)
		}
	})
}

// Alert finds an alert of the project by its id (a UUID, any case).
func (tx *Tx) Alert(projectID int, id string) *Alert {
	s := &tx.st.ext.alerts
	rid, ok := s.byUUID[strings.ToLower(id)]
	if !ok {
		return nil
	}
	return s.recs.live(projectID, rid)
}

// Alerts lists the project's alerts newest first (PostHog orders by -created_at); insight,
// when not 0, keeps that insight's only.
func (tx *Tx) Alerts(projectID, insight int) []*Alert {
	all := tx.st.ext.alerts.recs.all(projectID, false)
	out := make([]*Alert, 0, len(all))
	for i := len(all) - 1; i >= 0; i-- {
		if insight == 0 || all[i].InsightID == insight {
			out = append(out, all[i])
		}
	}
	return out
}

// AlertsOfInsight lists an insight's alerts, newest first.
func (tx *Tx) AlertsOfInsight(projectID, insightID int) []*Alert {
	return tx.Alerts(projectID, insightID)
}

// DeleteAlert removes an alert for good, with its threshold, checks and subscriptions.
func (tx *Tx) DeleteAlert(a *Alert) {
	s := &tx.st.ext.alerts
	delete(s.byUUID, a.UUID)
	s.recs.remove(a)
}

// alertWrite is a validated alert body.
type alertWrite struct {
	vals      Values
	insight   *Insight
	users     []int
	hasUsers  bool
	threshold map[string]any // {name?, configuration}; {} removes the threshold
	hasThresh bool
}

// alertFields are the plain fields, in AlertSerializer's order.
var alertFields = map[string]Field{
	"name":                 {Name: "name", Kind: String, AllowBlank: true, MaxLen: 255},
	"condition":            {Name: "condition", Kind: JSON, Nullable: true},
	"enabled":              {Name: "enabled", Kind: Bool},
	"config":               {Name: "config", Kind: JSON, Nullable: true},
	"calculation_interval": {Name: "calculation_interval", Kind: Choice, Choices: AlertCalculationIntervals},
	"skip_weekend":         {Name: "skip_weekend", Kind: Bool, Nullable: true},
}

// validateAlert checks a body for a new alert (a nil) or an update of a, as AlertSerializer
// does: fields in order (the first error is reported), then validate().
func (tx *Tx) validateAlert(p *Project, a *Alert, body gjson.Result, mode Mode) (*alertWrite, *Error) {
	w := &alertWrite{vals: Values{}}
	plain := func(name string) *Error {
		r := body.Get(gjsonKey(name))
		if !r.Exists() {
			return nil
		}
		fd := alertFields[name]
		v, err := fd.clean(r)
		if err != nil {
			return err
		}
		if fd.Kind == JSON {
			v = normalizeJSON(DecodeJSONValue(r.Raw))
		}
		w.vals[name] = v
		return nil
	}
	required := mode != Patch
	steps := []func() *Error{
		func() *Error {
			r := body.Get("insight")
			if !r.Exists() {
				if required {
					return FieldError("insight", "required", MsgRequired)
				}
				return nil
			}
			if r.Type == gjson.Null {
				return FieldError("insight", "null", MsgNull)
			}
			id, perr := pkValue("insight", r.Value())
			if perr != nil {
				return perr
			}
			in := tx.st.ext.analytics.insights.get(p.ID, id)
			if in == nil {
				return FieldError("insight", "does_not_exist", fmt.Sprintf("Invalid pk %q - object does not exist.", r.String()))
			}
			if !InsightSupportsAlerts(in) {
				return FieldError("insight", "invalid_input", "Alerts are not supported for this insight.")
			}
			w.insight = in
			return nil
		},
		func() *Error { return plain("name") },
		func() *Error {
			r := body.Get("subscribed_users")
			if !r.Exists() {
				if required {
					return FieldError("subscribed_users", "required", MsgRequired)
				}
				return nil
			}
			if r.Type == gjson.Null {
				return FieldError("subscribed_users", "null", MsgNull)
			}
			if !r.IsArray() {
				return FieldError("subscribed_users", "not_a_list", fmt.Sprintf("Expected a list of items but got type %q.", pyTypeName(r)))
			}
			w.hasUsers, w.users = true, []int{}
			for _, u := range r.Array() {
				id, perr := pkValue("subscribed_users", u.Value())
				if perr != nil {
					return perr
				}
				user := tx.st.users[id]
				if user == nil || !user.IsActive {
					return FieldError("subscribed_users", "does_not_exist", fmt.Sprintf("Invalid pk %q - object does not exist.", u.String()))
				}
				if !slices.Contains(w.users, id) {
					w.users = append(w.users, id)
				}
			}
			for _, id := range w.users {
				if tx.Membership(p.OrgID, id) == nil {
					return FieldError("subscribed_users", "invalid_input", "User does not belong to the same organization as the alert's team.")
				}
			}
			return nil
		},
		func() *Error {
			r := body.Get("threshold")
			if !r.Exists() {
				if required {
					return FieldError("threshold", "required", MsgRequired)
				}
				return nil
			}
			if r.Type == gjson.Null {
				return FieldError("threshold", "null", MsgNull)
			}
			t, err := validateThreshold(r, mode == Patch && a != nil)
			if err != nil {
				return err
			}
			w.threshold, w.hasThresh = t, true
			return nil
		},
		func() *Error { return plain("condition") },
		func() *Error { return plain("enabled") },
		func() *Error { return plain("config") },
		func() *Error { return plain("calculation_interval") },
		func() *Error {
			r := body.Get("snoozed_until")
			if !r.Exists() {
				return nil
			}
			if r.Type == gjson.Null {
				w.vals["snoozed_until"] = nil
				return nil
			}
			if r.Type != gjson.String {
				return FieldError("snoozed_until", "invalid_input", "snoozed_until has to be passed in string format")
			}
			t, ok := relativeDateUp(r.Str, tx.now)
			if !ok {
				return FieldError("snoozed_until", "invalid_input", MsgInvalidDate)
			}
			w.vals["snoozed_until"] = t
			return nil
		},
		func() *Error { return plain("skip_weekend") },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, err
		}
	}
	// validate(): the condition and the trends config must fit the insight.
	cond := w.vals["condition"]
	if !w.vals.Has("condition") && a != nil {
		cond = a.Condition
	}
	if m, ok := cond.(map[string]any); ok && m["type"] != nil && !slices.Contains(alertConditionTypes, m["type"]) {
		return nil, Invalid(fmt.Sprintf("Invalid alert condition type: %s", pyStr(m["type"])))
	}
	if cfg, ok := w.vals["config"].(map[string]any); ok {
		if t, has := cfg["type"]; has && t != "TrendsAlertConfig" {
			return nil, Invalid(fmt.Sprintf("Unsupported alert config type: %s", pyStr(t)))
		}
		if si, has := cfg["series_index"]; has {
			if n, isInt := si.(int); !isInt || n < 0 {
				return nil, Invalid("series_index must be a non-negative integer.")
			}
		}
	}
	if a == nil {
		n := len(tx.st.ext.alerts.recs.all(p.ID, true))
		org := tx.st.orgs[p.OrgID]
		if f, ok := org.Feature("alerts"); ok {
			if f.Limit != nil && n >= *f.Limit {
				return nil, FieldError("alert", "invalid_input", fmt.Sprintf("Your team has reached the limit of %d alerts on your plan.", *f.Limit))
			}
		} else if n >= alertsOnFreeTier {
			return nil, FieldError("alert", "invalid_input", fmt.Sprintf("Your plan is limited to %d alerts", alertsOnFreeTier))
		}
	}
	return w, nil
}

// validateThreshold is ThresholdSerializer: configuration (an InsightThreshold) and an
// optional name; on a partial update configuration may be left out, and {} removes the
// threshold.
func validateThreshold(r gjson.Result, partial bool) (map[string]any, *Error) {
	if !r.IsObject() {
		return nil, FieldError("threshold", "invalid_input", fmt.Sprintf("Invalid data. Expected a dictionary, but got %s.", pyTypeName(r)))
	}
	out := map[string]any{}
	if partial && len(r.Map()) == 0 {
		return out, nil
	}
	if n := r.Get("name"); n.Exists() {
		fd := Field{Name: "name", Kind: String, AllowBlank: true, MaxLen: 255}
		v, err := fd.clean(n)
		if err != nil {
			err.Attr = "threshold__name"
			return nil, err
		}
		out["name"] = v
	}
	c := r.Get("configuration")
	if !c.Exists() {
		if partial {
			return out, nil
		}
		return nil, FieldError("threshold__configuration", "required", MsgRequired)
	}
	cfg, ok := normalizeJSON(DecodeJSONValue(c.Raw)).(map[string]any)
	if !ok {
		return nil, FieldError("threshold", "invalid_input", "Invalid threshold configuration: 1 validation error for InsightThreshold\n  Input should be a valid dictionary or instance of InsightThreshold")
	}
	if t := cfg["type"]; t != "absolute" && t != "percentage" {
		return nil, FieldError("threshold", "invalid_input", "Invalid threshold configuration: 1 validation error for InsightThreshold\ntype\n  Input should be 'absolute' or 'percentage'")
	}
	var lower, upper *float64
	if b, has := cfg["bounds"]; has && b != nil {
		bm, ok := b.(map[string]any)
		if !ok {
			return nil, FieldError("threshold", "invalid_input", "Invalid threshold configuration: 1 validation error for InsightThreshold\nbounds\n  Input should be a valid dictionary or instance of InsightsThresholdBounds")
		}
		for _, k := range []string{"lower", "upper"} {
			v := bm[k]
			if v == nil {
				continue
			}
			var f float64
			switch x := v.(type) {
			case int:
				f = float64(x)
			case float64:
				f = x
			default:
				return nil, FieldError("threshold", "invalid_input", "Invalid threshold configuration: 1 validation error for InsightThreshold\nbounds."+k+"\n  Input should be a valid number")
			}
			if k == "lower" {
				lower = &f
			} else {
				upper = &f
			}
		}
	}
	if lower != nil && upper != nil && *lower > *upper {
		return nil, FieldError("threshold", "invalid_input", "Lower threshold must be less than upper threshold")
	}
	out["configuration"] = cfg
	return out, nil
}

// reRelativeDate is a relative date such as "2h", "1d", "-3w".
var reRelativeDate = regexp.MustCompile(`^(-?\d+)([hdwmy]|[hdwmy]Start)$`)

// relativeDateUp is relative_date_parse(..., increase=True, always_truncate=True) for the
// snooze: "2h" is two hours from now, truncated to the hour; "1d", "1w", "1m", "1y" are
// whole days, weeks, months or years ahead, truncated to the day. An ISO date is taken as
// it is.
func relativeDateUp(s string, now time.Time) (time.Time, bool) {
	if t, ok := ParseDateTime(s); ok {
		return t.UTC(), true
	}
	m := reRelativeDate.FindStringSubmatch(s)
	if m == nil {
		return time.Time{}, false
	}
	n, _ := strconv.Atoi(m[1])
	if n < 0 {
		n = -n
	}
	now = now.UTC()
	switch m[2][0] {
	case 'h':
		return now.Add(time.Duration(n) * time.Hour).Truncate(time.Hour), true
	case 'd':
		now = now.AddDate(0, 0, n)
	case 'w':
		now = now.AddDate(0, 0, 7*n)
	case 'm':
		now = now.AddDate(0, n, 0)
	case 'y':
		now = now.AddDate(n, 0, 0)
	}
	return time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC), true
}

// CreateAlert validates a create body and adds the alert, created by user.
func (tx *Tx) CreateAlert(p *Project, user *User, body gjson.Result) (*Alert, *Error) {
	w, err := tx.validateAlert(p, nil, body, Create)
	if err != nil {
		return nil, err
	}
	a := &Alert{ProjectRecord: ProjectRecord{ProjectID: p.ID}, UUID: tx.NewUUID(), InsightID: w.insight.ID,
		Condition: map[string]any{}, State: AlertNotFiring, Enabled: true, Config: map[string]any{},
		CalculationInterval: "daily", SkipWeekend: new(bool), SubscribedUsers: w.users, CreatedAt: tx.now}
	if user != nil {
		a.CreatedBy = user.ID
	}
	if len(w.threshold) > 0 {
		a.Threshold = tx.newThreshold(w.threshold)
	}
	tx.applyAlert(a, w)
	s := &tx.st.ext.alerts
	s.recs.add(a)
	s.byUUID[a.UUID] = a.ID
	return a, nil
}

func (tx *Tx) newThreshold(t map[string]any) *AlertThreshold {
	th := &AlertThreshold{UUID: tx.NewUUID(), CreatedAt: tx.now}
	th.Name, _ = t["name"].(string)
	th.Configuration, _ = t["configuration"].(map[string]any)
	return th
}

// applyAlert writes the plain fields of a validated body.
func (tx *Tx) applyAlert(a *Alert, w *alertWrite) {
	v := w.vals
	if v.Has("name") {
		a.Name = v.Str("name")
	}
	if v.Has("condition") {
		a.Condition, _ = v["condition"].(map[string]any)
	}
	if v.Has("enabled") {
		a.Enabled = v.Bool("enabled")
	}
	if v.Has("config") {
		a.Config, _ = v["config"].(map[string]any)
	}
	if v.Has("calculation_interval") {
		a.CalculationInterval = v.Str("calculation_interval")
	}
	if v.Has("skip_weekend") {
		a.SkipWeekend = v.BoolPtr("skip_weekend")
	}
	if !a.Enabled {
		a.State = AlertNotFiring // AlertConfiguration.save
	}
}

// UpdateAlert applies a PATCH (mode Patch) or PUT (mode Replace) body, as
// AlertSerializer.update does: a snooze (or its end) records a check; a changed threshold
// or condition sets the alert back to not firing and due for a check now.
func (tx *Tx) UpdateAlert(a *Alert, body gjson.Result, mode Mode) *Error {
	p := tx.st.projects[a.ProjectID]
	w, err := tx.validateAlert(p, a, body, mode)
	if err != nil {
		return err
	}
	if w.vals.Has("snoozed_until") {
		if t, ok := w.vals["snoozed_until"].(time.Time); ok {
			a.State, a.SnoozedUntil = AlertSnoozed, &t
		} else {
			a.State, a.SnoozedUntil = AlertNotFiring, nil
		}
		a.Checks = append(a.Checks, AlertCheck{UUID: tx.NewUUID(), CreatedAt: tx.now, State: a.State})
	}
	changed := false
	if w.hasThresh {
		switch {
		case len(w.threshold) == 0:
			a.Threshold, changed = nil, true
		case a.Threshold != nil:
			if n, ok := w.threshold["name"].(string); ok {
				a.Threshold.Name = n
			}
			if c, ok := w.threshold["configuration"].(map[string]any); ok {
				changed = mustJSON(c) != mustJSON(a.Threshold.Configuration)
				a.Threshold.Configuration = c
			}
		default:
			a.Threshold, changed = tx.newThreshold(w.threshold), true
		}
	}
	if w.hasUsers {
		a.SubscribedUsers = w.users
	}
	if w.insight != nil {
		a.InsightID = w.insight.ID
	}
	intervalChanged := w.vals.Has("calculation_interval") && w.vals.Str("calculation_interval") != a.CalculationInterval
	if changed || intervalChanged {
		a.NextCheckAt = nil // mark_for_recheck
		if changed {
			a.State = AlertNotFiring
		}
	}
	tx.applyAlert(a, w)
	return nil
}
