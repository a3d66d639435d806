package store

import (
	"sort"
	"strings"
	"time"
)

// The welcome screen (GET welcome/current/): an invited user's first look at their new
// organization, aggregated from its members, invites, projects and activity log.

// WelcomeProductKeys are the products the welcome screen detects from onboarding flags.
var WelcomeProductKeys = []string{
	"product_analytics", "session_replay", "feature_flags", "experiments", "surveys",
	"error_tracking", "data_warehouse", "llm_analytics", "web_analytics",
}

// WelcomeActivityScopes are the activity scopes shown as recent activity.
var WelcomeActivityScopes = map[string]string{
	"Insight": "insights", "Dashboard": "dashboard", "Notebook": "notebooks",
	"Experiment": "experiments", "FeatureFlag": "feature_flags", "Survey": "surveys",
}

const (
	welcomeMaxMembers  = 8
	welcomeMaxActivity = 10
	welcomeMaxSteps    = 3
	welcomeRecentDays  = 30
	welcomeMaxTeams    = 200
	welcomeMaxName     = 200
)

// Welcome is the welcome screen's payload.
type Welcome struct {
	OrganizationName        string
	Inviter                 *WelcomePerson // nil when none
	TeamMembers             []WelcomeMember
	RecentActivity          []WelcomeActivity
	ProductsInUse           []string
	SuggestedNextSteps      []WelcomeStep
	IsOrganizationFirstUser bool
	// PostHogContact is the organization's PostHog contact's name, SharedSlackChannelURL its
	// shared Slack channel; "" for none (null in the payload).
	PostHogContact        string
	SharedSlackChannelURL string
}

// WelcomePerson names a person by display name and email.
type WelcomePerson struct{ Name, Email string }

// WelcomeMember is one teammate.
type WelcomeMember struct {
	Name, Email string
	Role        string // member, administrator, owner
	LastActive  string // today, this_week, inactive, never
}

// WelcomeActivity is one recent change by a teammate.
type WelcomeActivity struct {
	Type       string // "<Scope>.<activity>"
	ActorName  string
	EntityName string
	EntityURL  *string
	Timestamp  time.Time
}

// WelcomeStep is a suggested next step.
type WelcomeStep struct{ Label, Href, Reason, DocsHref, ProductKey string }

// displayName is PostHog's first name, else the email's local part, else "A teammate".
func displayName(u *User) string {
	if u.FirstName != "" {
		return u.FirstName
	}
	if u.Email != "" {
		return strings.SplitN(u.Email, "@", 2)[0]
	}
	return "A teammate"
}

// LevelLabel is the label of a membership level (OrganizationMembership.Level).
func LevelLabel(level int) string {
	switch level {
	case LevelOwner:
		return "owner"
	case LevelAdmin:
		return "administrator"
	}
	return "member"
}

// Welcome computes the welcome screen of the organization for user.
func (tx *Tx) Welcome(o *Organization, user *User) Welcome {
	w := Welcome{OrganizationName: o.Name, Inviter: tx.welcomeInviter(o, user), TeamMembers: tx.welcomeMembers(o, user),
		RecentActivity: tx.welcomeActivity(o), ProductsInUse: tx.welcomeProducts(o),
		PostHogContact: o.PostHogContactName, SharedSlackChannelURL: o.SharedSlackChannelURL}
	w.SuggestedNextSteps = welcomeSteps(user, w.ProductsInUse)
	if m := tx.Membership(o.ID, user.ID); m != nil {
		w.IsOrganizationFirstUser = m.InvitedBy == 0
	}
	return w
}

// welcomeInviter is the inviter recorded on the membership, else the creator of the latest
// invite to the user's email.
func (tx *Tx) welcomeInviter(o *Organization, user *User) *WelcomePerson {
	if user.Email == "" {
		return nil
	}
	var inviter *User
	if m := tx.Membership(o.ID, user.ID); m != nil && m.InvitedBy != 0 {
		inviter = tx.st.users[m.InvitedBy]
	}
	if inviter == nil {
		for _, inv := range tx.Invites(o.ID) { // newest first
			if strings.EqualFold(inv.TargetEmail, user.Email) && inv.CreatedBy != 0 && tx.st.users[inv.CreatedBy] != nil {
				inviter = tx.st.users[inv.CreatedBy]
				break
			}
		}
	}
	if inviter == nil {
		return nil
	}
	return &WelcomePerson{Name: displayName(inviter), Email: inviter.Email}
}

// welcomeMembers lists active teammates, most recently logged in first (never last, then
// latest joined), without the user, at most eight.
func (tx *Tx) welcomeMembers(o *Organization, user *User) []WelcomeMember {
	ms := tx.Members(o.ID, MemberFilter{}) // newest joined first
	sort.SliceStable(ms, func(i, j int) bool {
		a, b := tx.st.users[ms[i].UserID].LastLogin, tx.st.users[ms[j].UserID].LastLogin
		if a == nil || b == nil {
			return a != nil && b == nil
		}
		return a.After(*b)
	})
	if len(ms) > welcomeMaxMembers+1 {
		ms = ms[:welcomeMaxMembers+1]
	}
	out := []WelcomeMember{}
	for _, m := range ms {
		u := tx.st.users[m.UserID]
		if strings.EqualFold(u.Email, user.Email) {
			continue
		}
		last := "never"
		if u.LastLogin != nil {
			switch {
			case !u.LastLogin.Before(tx.now.Add(-24 * time.Hour)):
				last = "today"
			case !u.LastLogin.Before(tx.now.Add(-7 * 24 * time.Hour)):
				last = "this_week"
			default:
				last = "inactive"
			}
		}
		out = append(out, WelcomeMember{Name: displayName(u), Email: u.Email, Role: LevelLabel(m.Level), LastActive: last})
		if len(out) == welcomeMaxMembers {
			break
		}
	}
	return out
}

// welcomeTeams is the organization's project ids, lowest first, at most 200.
func (tx *Tx) welcomeTeams(o *Organization) []*Project {
	ps := tx.Projects(o.ID, "")
	sort.Slice(ps, func(i, j int) bool { return ps[i].ID < ps[j].ID })
	if len(ps) > welcomeMaxTeams {
		ps = ps[:welcomeMaxTeams]
	}
	return ps
}

// welcomeActivity is the last 30 days' changes by people (not the system, not
// impersonated) to insights, dashboards, notebooks, experiments, flags and surveys of the
// organization's projects, one per item, newest first, at most ten.
func (tx *Tx) welcomeActivity(o *Organization) []WelcomeActivity {
	teams := map[int]bool{}
	for _, p := range tx.welcomeTeams(o) {
		teams[p.ID] = true
	}
	since := tx.now.Add(-welcomeRecentDays * 24 * time.Hour)
	seen := map[string]bool{}
	out := []WelcomeActivity{}
	scanned := 0 // PostHog reads the 40 newest rows, then de-duplicates
	for _, e := range tx.Activity(o.ID, nil) {
		if len(out) == welcomeMaxActivity || scanned == 4*welcomeMaxActivity {
			break
		}
		urlPart, shown := WelcomeActivityScopes[e.Scope]
		if !shown || e.TeamID == nil || !teams[*e.TeamID] || e.CreatedAt.Before(since) || e.UserID == 0 {
			continue
		}
		scanned++
		key := e.Scope + "\x00" + e.ItemID
		if seen[key] {
			continue
		}
		seen[key] = true
		actor := "Someone"
		if u := tx.st.users[e.UserID]; u != nil {
			actor = displayName(u)
		}
		name := e.Name
		if name == "" {
			name = e.Scope
		}
		if r := []rune(name); len(r) > welcomeMaxName {
			name = string(r[:welcomeMaxName])
		}
		a := WelcomeActivity{Type: e.Scope + "." + e.Activity, ActorName: actor, EntityName: name, Timestamp: e.CreatedAt}
		if e.ItemID != "" {
			u := "/project/" + itoa(*e.TeamID) + "/" + urlPart + "/" + e.ItemID
			a.EntityURL = &u
		}
		out = append(out, a)
	}
	return out
}

// welcomeProducts detects the products in use across the organization's projects:
// ingested events (product analytics), recording and survey opt-ins, onboarding completed.
func (tx *Tx) welcomeProducts(o *Organization) []string {
	found := map[string]bool{}
	for _, p := range tx.welcomeTeams(o) {
		if p.IngestedEvent {
			found["product_analytics"] = true
		}
		if b, _ := p.Settings["session_recording_opt_in"].(bool); b {
			found["session_replay"] = true
		}
		if b, _ := p.Settings["surveys_opt_in"].(bool); b {
			found["surveys"] = true
		}
		if done, ok := p.Settings["has_completed_onboarding_for"].(map[string]any); ok {
			for _, k := range WelcomeProductKeys {
				if pyTruthy(done[k]) {
					found[k] = true
				}
			}
		}
	}
	out := []string{}
	for k := range found {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// welcomeSteps suggests where to start from the products in use and the user's role,
// linking into the user's current project.
func welcomeSteps(user *User, products []string) []WelcomeStep {
	role := strings.ToLower(user.RoleAtOrganization)
	uses := map[string]bool{}
	for _, p := range products {
		uses[p] = true
	}
	in := func(set ...string) bool {
		for _, s := range set {
			if s == role {
				return true
			}
		}
		return false
	}
	href := func(path string) string {
		if user.CurrentTeamID != 0 {
			return "/project/" + itoa(user.CurrentTeamID) + path
		}
		if path == "" {
			return "/"
		}
		return path
	}
	var out []WelcomeStep
	if uses["session_replay"] && in("product", "designer", "") {
		out = append(out, WelcomeStep{Label: "Watch a recent recording", Href: href("/replay/home"), Reason: "Your team uses Session replay",
			DocsHref: "https://posthog.com/docs/session-replay", ProductKey: "session_replay"})
	}
	if uses["feature_flags"] && in("engineering", "engineer", "") {
		out = append(out, WelcomeStep{Label: "See active feature flags", Href: href("/feature_flags"), Reason: "Your team uses Feature flags",
			DocsHref: "https://posthog.com/docs/feature-flags", ProductKey: "feature_flags"})
	}
	if uses["experiments"] && in("product", "engineering", "engineer", "") {
		out = append(out, WelcomeStep{Label: "Explore running experiments", Href: href("/experiments"), Reason: "Your team uses Experiments",
			DocsHref: "https://posthog.com/docs/experiments", ProductKey: "experiments"})
	}
	if len(out) == 0 {
		out = append(out, WelcomeStep{Label: "Explore the project home", Href: href(""), Reason: "See your team's dashboards and insights",
			DocsHref: "https://posthog.com/docs", ProductKey: "product_analytics"})
	}
	if len(out) > welcomeMaxSteps {
		out = out[:welcomeMaxSteps]
	}
	return out
}
