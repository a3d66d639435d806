package fake

// The welcome route (welcome/current/): the organization as its welcome page shows it.

import (
	"time"
)

// The WelcomeResponse shapes.
type (
	welcomeJSON struct {
		OrganizationName        string                `json:"organization_name"`
		Inviter                 *welcomeInviterJSON   `json:"inviter"`
		TeamMembers             []welcomeMemberJSON   `json:"team_members"`
		RecentActivity          []welcomeActivityJSON `json:"recent_activity"`
		PopularDashboards       []any                 `json:"popular_dashboards"`
		ProductsInUse           []string              `json:"products_in_use"`
		SuggestedNextSteps      []welcomeStepJSON     `json:"suggested_next_steps"`
		IsOrganizationFirstUser bool                  `json:"is_organization_first_user"`
		PostHogContact          *welcomeContactJSON   `json:"posthog_contact"`
		SharedSlackChannelURL   *string               `json:"shared_slack_channel_url"`
	}
	welcomeContactJSON struct {
		Name string `json:"name"`
	}
	welcomeInviterJSON struct {
		Name  string `json:"name"`
		Email string `json:"email"`
	}
	welcomeMemberJSON struct {
		Name       string  `json:"name"`
		Email      string  `json:"email"`
		Avatar     *string `json:"avatar"`
		Role       string  `json:"role"`
		LastActive string  `json:"last_active"`
	}
	welcomeActivityJSON struct {
		Type       string  `json:"type"`
		ActorName  string  `json:"actor_name"`
		EntityName string  `json:"entity_name"`
		EntityURL  *string `json:"entity_url"`
		Timestamp  string  `json:"timestamp"`
	}
	welcomeStepJSON struct {
		Label      string `json:"label"`
		Href       string `json:"href"`
		Reason     string `json:"reason"`
		DocsHref   string `json:"docs_href,omitempty"`
		ProductKey string `json:"product_key,omitempty"`
	}
)

// pyISOTime is Python's datetime.isoformat() of a UTC time ("+00:00", microseconds when
// non-zero), which the welcome payload passes through as a string.
func pyISOTime(t time.Time) string {
	t = t.UTC()
	if t.Nanosecond()/1000 != 0 {
		return t.Format("2006-01-02T15:04:05.000000+00:00")
	}
	return t.Format("2006-01-02T15:04:05+00:00")
}

// welcomeCurrent is GET welcome/current/. The fake has no dashboards, so
// popular_dashboards is always empty.
func (s *Server) welcomeCurrent(c *call) (any, error) {
	w := c.tx.Welcome(c.org, c.user)
	out := welcomeJSON{OrganizationName: w.OrganizationName, TeamMembers: []welcomeMemberJSON{}, RecentActivity: []welcomeActivityJSON{},
		PopularDashboards: []any{}, ProductsInUse: w.ProductsInUse, SuggestedNextSteps: []welcomeStepJSON{},
		IsOrganizationFirstUser: w.IsOrganizationFirstUser}
	if w.PostHogContact != "" {
		out.PostHogContact = &welcomeContactJSON{Name: w.PostHogContact}
	}
	if w.SharedSlackChannelURL != "" {
		url := w.SharedSlackChannelURL
		out.SharedSlackChannelURL = &url
	}
	if w.Inviter != nil {
		out.Inviter = &welcomeInviterJSON{Name: w.Inviter.Name, Email: w.Inviter.Email}
	}
	for _, m := range w.TeamMembers {
		out.TeamMembers = append(out.TeamMembers, welcomeMemberJSON{Name: m.Name, Email: m.Email, Role: m.Role, LastActive: m.LastActive})
	}
	for _, a := range w.RecentActivity {
		out.RecentActivity = append(out.RecentActivity, welcomeActivityJSON{Type: a.Type, ActorName: a.ActorName, EntityName: a.EntityName,
			EntityURL: a.EntityURL, Timestamp: pyISOTime(a.Timestamp)})
	}
	for _, st := range w.SuggestedNextSteps {
		out.SuggestedNextSteps = append(out.SuggestedNextSteps, welcomeStepJSON(st))
	}
	return out, nil
}
