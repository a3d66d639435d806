package fake

// Insight alerts (/api/environments/{project_id}/alerts/, and the same under
// /api/projects/): the alert view and its handlers.

import (
	"strconv"

	"github.com/fakehog/fakehog/fake/store"
)

// alertRoutes are the alert operations.
func alertRoutes(s *Server) []route {
	return underBothRoots(
		route{"GET", "alerts/", "alert:read", 0, 0, s.listAlerts},
		route{"POST", "alerts/", "alert:write", 0, 201, s.createAlert},
		route{"GET", "alerts/{id}/", "alert:read", 0, 0, s.getAlert},
		route{"PATCH", "alerts/{id}/", "alert:write", 0, 0, s.updateAlert},
		route{"PUT", "alerts/{id}/", "alert:write", 0, 0, s.updateAlert},
		route{"DELETE", "alerts/{id}/", "alert:write", 0, 204, s.deleteAlert},
	)
}

func init() {
	// An insight's view lists its alerts.
	insightAlerts = func(tx *store.Tx, in *store.Insight) []any {
		out := []any{}
		for _, a := range tx.AlertsOfInsight(in.ProjectID, in.ID) {
			out = append(out, alertView(tx, a, false))
		}
		return out
	}
}

// alertThresholdJSON is ThresholdSerializer.
type alertThresholdJSON struct {
	ID            string `json:"id"`
	CreatedAt     string `json:"created_at"`
	Name          string `json:"name"`
	Configuration any    `json:"configuration"`
}

// alertCheckJSON is AlertCheckSerializer.
type alertCheckJSON struct {
	ID                            string   `json:"id"`
	CreatedAt                     string   `json:"created_at"`
	CalculatedValue               *float64 `json:"calculated_value"`
	State                         string   `json:"state"`
	TargetsNotified               bool     `json:"targets_notified"`
	AnomalyScores                 any      `json:"anomaly_scores"`
	TriggeredPoints               any      `json:"triggered_points"`
	TriggeredDates                any      `json:"triggered_dates"`
	Interval                      *string  `json:"interval"`
	TriggeredMetadata             any      `json:"triggered_metadata"`
	InvestigationStatus           *string  `json:"investigation_status"`
	InvestigationVerdict          *string  `json:"investigation_verdict"`
	InvestigationSummary          *string  `json:"investigation_summary"`
	InvestigationNotebookShortID  *string  `json:"investigation_notebook_short_id"`
	NotificationSentAt            *string  `json:"notification_sent_at"`
	NotificationSuppressedByAgent bool     `json:"notification_suppressed_by_agent"`
}

// alertJSON is AlertSerializer: the insight as InsightBasicSerializer, the subscribed users
// as UserBasic, checks only on retrieve.
type alertJSON struct {
	ID                              string              `json:"id"`
	CreatedBy                       *userBasicJSON      `json:"created_by"`
	CreatedAt                       string              `json:"created_at"`
	Insight                         any                 `json:"insight"`
	Name                            string              `json:"name"`
	SubscribedUsers                 []*userBasicJSON    `json:"subscribed_users"`
	Threshold                       *alertThresholdJSON `json:"threshold"`
	Condition                       any                 `json:"condition"`
	State                           string              `json:"state"`
	Enabled                         bool                `json:"enabled"`
	LastNotifiedAt                  *string             `json:"last_notified_at"`
	LastCheckedAt                   *string             `json:"last_checked_at"`
	NextCheckAt                     *string             `json:"next_check_at"`
	Checks                          *[]alertCheckJSON   `json:"checks,omitempty"`
	Config                          any                 `json:"config"`
	DetectorConfig                  any                 `json:"detector_config"`
	CalculationInterval             *string             `json:"calculation_interval"`
	SnoozedUntil                    *string             `json:"snoozed_until"`
	SkipWeekend                     *bool               `json:"skip_weekend"`
	ScheduleRestriction             any                 `json:"schedule_restriction"`
	LastValue                       *float64            `json:"last_value"`
	InvestigationAgentEnabled       bool                `json:"investigation_agent_enabled"`
	InvestigationGatesNotifications bool                `json:"investigation_gates_notifications"`
	InvestigationInconclusiveAction string              `json:"investigation_inconclusive_action"`
}

func alertView(tx *store.Tx, a *store.Alert, withChecks bool) alertJSON {
	v := alertJSON{ID: a.UUID, CreatedBy: userBasicByID(tx, a.CreatedBy), CreatedAt: isoTime(a.CreatedAt), Name: a.Name,
		SubscribedUsers: []*userBasicJSON{}, Condition: store.CloneValue(a.Condition), State: a.State, Enabled: a.Enabled,
		LastNotifiedAt: isoTimePtr(a.LastNotifiedAt), LastCheckedAt: isoTimePtr(a.LastCheckedAt), NextCheckAt: isoTimePtr(a.NextCheckAt),
		Config: store.CloneValue(a.Config), SnoozedUntil: isoTimePtr(a.SnoozedUntil), InvestigationInconclusiveAction: "notify"}
	if in := tx.InsightWithDeleted(a.ProjectID, a.InsightID); in != nil {
		v.Insight = insightBasicView(tx, in)
	}
	for _, id := range a.SubscribedUsers {
		if u := userBasicByID(tx, id); u != nil {
			v.SubscribedUsers = append(v.SubscribedUsers, u)
		}
	}
	if t := a.Threshold; t != nil {
		v.Threshold = &alertThresholdJSON{ID: t.UUID, CreatedAt: isoTime(t.CreatedAt), Name: t.Name, Configuration: store.CloneValue(t.Configuration)}
	}
	if a.CalculationInterval != "" {
		ci := a.CalculationInterval
		v.CalculationInterval = &ci
	}
	if a.SkipWeekend != nil {
		b := *a.SkipWeekend
		v.SkipWeekend = &b
	}
	if withChecks {
		checks := []alertCheckJSON{}
		for i := len(a.Checks) - 1; i >= 0 && len(checks) < 5; i-- {
			c := a.Checks[i]
			checks = append(checks, alertCheckJSON{ID: c.UUID, CreatedAt: isoTime(c.CreatedAt), CalculatedValue: c.CalculatedValue, State: c.State})
		}
		v.Checks = &checks
	}
	return v
}

// alertFound finds the URL's alert in the call's project (404 otherwise).
func (c *call) alertFound() (*store.Alert, error) {
	return orNotFound(c.tx.Alert(c.project.ID, c.vars["id"]))
}

func (s *Server) listAlerts(c *call) (any, error) {
	q := c.r.URL.Query()
	insight := 0
	for _, key := range []string{"insight", "insight_id"} {
		if v := lastQueryValue(q, key); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n <= 0 {
				return paginate(c, []*store.Alert{}, func(*store.Alert) any { return nil }), nil
			}
			insight = n
		}
	}
	return paginate(c, c.tx.Alerts(c.project.ID, insight), func(a *store.Alert) any { return alertView(c.tx, a, false) }), nil
}

func (s *Server) getAlert(c *call) (any, error) {
	a, err := c.alertFound()
	if err != nil {
		return nil, err
	}
	return alertView(c.tx, a, true), nil
}

func (s *Server) createAlert(c *call) (any, error) {
	body, err := c.object()
	if err != nil {
		return nil, err
	}
	a, ferr := c.tx.CreateAlert(c.project, c.user, body)
	if ferr != nil {
		return nil, ferr
	}
	return alertView(c.tx, a, false), nil
}

func (s *Server) updateAlert(c *call) (any, error) {
	a, err := c.alertFound()
	if err != nil {
		return nil, err
	}
	body, err := c.object()
	if err != nil {
		return nil, err
	}
	if ferr := c.tx.UpdateAlert(a, body, c.writeMode()); ferr != nil {
		return nil, ferr
	}
	return alertView(c.tx, a, false), nil
}

func (s *Server) deleteAlert(c *call) (any, error) {
	a, err := c.alertFound()
	if err != nil {
		return nil, err
	}
	c.tx.DeleteAlert(a)
	return nil, nil
}
