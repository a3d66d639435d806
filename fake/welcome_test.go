package fake

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fakehog/fakehog/fake/store"
)

// welcomeAs adds a user to the default organization (invited by inviter's user id, 0 for
// none), with a session, and returns that session.
func welcomeAs(e *env, email string, level, invitedBy int, role string) string {
	e.t.Helper()
	sess := "session-" + email
	withWriteTx(e, func(tx *store.Tx) error {
		u, err := tx.CreateUser(store.NewUser{Email: email, FirstName: strings.Split(email, "@")[0], RoleAtOrganization: role})
		if err != nil {
			return err
		}
		if _, err := tx.AddMember(e.d.OrganizationID, u.ID, store.NewMembership{Level: level, InvitedBy: invitedBy}); err != nil {
			return err
		}
		return tx.AddSession(u.ID, sess)
	})
	return sess
}

func ownerID(e *env) int {
	var id int
	withWriteTx(e, func(tx *store.Tx) error { id = tx.UserByEmail(e.d.UserEmail).ID; return nil })
	return id
}

func TestWelcomeFirstUser(t *testing.T) {
	e := newEnv(t)
	r := e.do("GET", e.orgPath("welcome/current/"), nil, asSession(e.d.Session)).wantStatus(t, 200)
	want := fmt.Sprintf(`{"organization_name":"Fakehog","inviter":null,"team_members":[],"recent_activity":[],"popular_dashboards":[],"products_in_use":[],`+
		`"suggested_next_steps":[{"label":"Explore the project home","href":"/project/%d","reason":"See your team's dashboards and insights","docs_href":"https://posthog.com/docs","product_key":"product_analytics"}],`+
		`"is_organization_first_user":true,"posthog_contact":null,"shared_slack_channel_url":null}`, e.d.ProjectID)
	if string(r.Body) != want {
		t.Fatalf("welcome = %s\nwant      %s", r.Body, want)
	}
	// The newest WelcomeResponseSerializer's PostHog contact and shared Slack channel, when
	// the organization has them (a scenario sets them).
	withWriteTx(e, func(tx *store.Tx) error {
		o := tx.Org(e.d.OrganizationID)
		o.PostHogContactName, o.SharedSlackChannelURL = "Fernando", "https://posthog.slack.com/c/fakehog"
		return nil
	})
	r = e.do("GET", e.orgPath("welcome/current/"), nil, asSession(e.d.Session)).wantStatus(t, 200)
	if r.get("posthog_contact").Raw != `{"name":"Fernando"}` || r.get("shared_slack_channel_url").String() != "https://posthog.slack.com/c/fakehog" {
		t.Fatalf("welcome contact = %s", r.Body)
	}
	// @current works; personal API keys do not (session only).
	e.do("GET", "/api/organizations/@current/welcome/current/", nil, asSession(e.d.Session)).wantStatus(t, 200)
	e.do("GET", e.orgPath("welcome/current/"), nil).wantError(t, 403, "authentication_error", "permission_denied", "This action does not support personal API key access", "")
	outsider := e.addMember("", 0, "outsider@example.com")
	e.do("GET", e.orgPath("welcome/current/"), nil, asSession(outsider.Session)).wantError(t, 403, "authentication_error", "permission_denied", store.MsgNoPermission, "")
	e.do("GET", "/api/organizations/@current/welcome/current/", nil, asSession(outsider.Session)).wantError(t, 404, "invalid_request", "not_found", store.MsgOrgNotFound, "")
}

func TestWelcomeInviterAndMembers(t *testing.T) {
	e := newEnv(t)
	owner := ownerID(e)
	sess := welcomeAs(e, "nina@example.com", store.LevelMember, owner, "")
	r := e.do("GET", e.orgPath("welcome/current/"), nil, asSession(sess)).wantStatus(t, 200)
	if r.get("inviter").Raw != `{"name":"Olive","email":"owner@fakehog.dev"}` || r.get("is_organization_first_user").Bool() {
		t.Fatalf("invited user = %s", r.Body)
	}
	if r.get("team_members").Raw != `[{"name":"Olive","email":"owner@fakehog.dev","avatar":null,"role":"owner","last_active":"never"}]` {
		t.Fatalf("team_members = %s", r.get("team_members").Raw)
	}
	// Without an inviter on the membership, the latest invite to the user's email names one.
	admin := e.addMember(e.d.OrganizationID, store.LevelAdmin, "ada@example.com")
	e.do("POST", e.orgPath("invites/"), map[string]any{"target_email": "sam@example.com"}, asKey(admin.Key)).wantStatus(t, 201)
	sam := welcomeAs(e, "sam@example.com", store.LevelMember, 0, "")
	r = e.do("GET", e.orgPath("welcome/current/"), nil, asSession(sam)).wantStatus(t, 200)
	if r.get("inviter.email").String() != "ada@example.com" || r.get("inviter.name").String() != "ada" || !r.get("is_organization_first_user").Bool() {
		t.Fatalf("invite fallback = %s", r.Body)
	}
	// Members: most recent login first, never-logged-in last (latest joined first), at most eight, without the caller.
	now := testEpoch
	logins := map[string]time.Time{"nina@example.com": now.Add(-2 * time.Hour), "ada@example.com": now.Add(-3 * 24 * time.Hour), "owner@fakehog.dev": now.Add(-30 * 24 * time.Hour)}
	withWriteTx(e, func(tx *store.Tx) error {
		for email, at := range logins {
			at := at
			tx.UserByEmail(email).LastLogin = &at
		}
		return nil
	})
	for i := 0; i < 6; i++ {
		e.clock.Advance(time.Second)
		welcomeAs(e, fmt.Sprintf("extra%d@example.com", i), store.LevelMember, owner, "")
	}
	r = e.do("GET", e.orgPath("welcome/current/"), nil, asSession(sam)).wantStatus(t, 200)
	var got []string
	for _, m := range r.get("team_members").Array() {
		got = append(got, m.Get("name").String()+"/"+m.Get("role").String()+"/"+m.Get("last_active").String())
	}
	want := "nina/member/today ada/administrator/this_week Olive/owner/inactive extra5/member/never extra4/member/never extra3/member/never extra2/member/never extra1/member/never"
	if strings.Join(got, " ") != want {
		t.Fatalf("team_members = %s\nwant            %s", strings.Join(got, " "), want)
	}
}

func TestWelcomeProductsAndSteps(t *testing.T) {
	e := newEnv(t)
	org := e.d.OrganizationID
	second := e.do("POST", e.orgPath("projects/"), map[string]any{"name": "Second"}).wantStatus(t, 201).get("id").Int()
	withWriteTx(e, func(tx *store.Tx) error {
		p := tx.Project(org, e.d.ProjectID)
		p.IngestedEvent = true
		p.Settings["session_recording_opt_in"] = true
		q := tx.Project(org, int(second))
		q.Settings["has_completed_onboarding_for"] = map[string]any{"feature_flags": true, "experiments": true, "surveys": false, "not_a_product": true}
		return nil
	})
	cases := []struct {
		role  string
		steps string
	}{
		{"", "session_replay feature_flags experiments"},
		{"engineering", "feature_flags experiments"},
		{"product", "session_replay experiments"},
		{"marketing", "product_analytics"},
	}
	for _, c := range cases {
		t.Run("role "+c.role, func(t *testing.T) {
			sess := welcomeAs(e, "user-"+c.role+"@example.com", store.LevelMember, 0, c.role)
			r := e.do("GET", e.orgPath("welcome/current/"), nil, asSession(sess)).wantStatus(t, 200)
			if r.get("products_in_use").Raw != `["experiments","feature_flags","product_analytics","session_replay"]` {
				t.Fatalf("products_in_use = %s", r.get("products_in_use").Raw)
			}
			var keys []string
			for _, s := range r.get("suggested_next_steps").Array() {
				keys = append(keys, s.Get("product_key").String())
				if !strings.HasPrefix(s.Get("href").String(), fmt.Sprintf("/project/%d", e.d.ProjectID)) {
					t.Errorf("href = %s", s.Get("href").String())
				}
			}
			if strings.Join(keys, " ") != c.steps {
				t.Fatalf("steps = %v, want %s", keys, c.steps)
			}
		})
	}
	// Links go to the caller's current project (creating a project made it the owner's).
	r := e.do("GET", e.orgPath("welcome/current/"), nil, asSession(e.d.Session)).wantStatus(t, 200)
	if r.get("suggested_next_steps.0").Raw != fmt.Sprintf(`{"label":"Watch a recent recording","href":"/project/%d/replay/home","reason":"Your team uses Session replay","docs_href":"https://posthog.com/docs/session-replay","product_key":"session_replay"}`, second) {
		t.Fatalf("first step = %s", r.get("suggested_next_steps.0").Raw)
	}
}

func TestWelcomeRecentActivity(t *testing.T) {
	e := newEnv(t)
	org := e.d.OrganizationID
	team := e.d.ProjectID
	// Entries are logged oldest first, each at its own time.
	log := func(user, scope, item, activity, name string, teamID *int, age time.Duration) {
		e.clock.Set(testEpoch.Add(-age))
		withWriteTx(e, func(tx *store.Tx) error {
			var u *store.User
			if user != "" {
				u = tx.UserByEmail(user)
			}
			tx.LogActivity(store.ActivityInput{OrgID: org, TeamID: teamID, User: u, Scope: scope, ItemID: item, Activity: activity, Name: name})
			return nil
		})
	}
	owner := e.d.UserEmail
	log(owner, "Insight", "abc", "created", "Old insight", &team, 31*24*time.Hour)        // too old
	log(owner, "Dashboard", "7", "created", "Sales", &team, 3*time.Hour)                  // shown
	log(owner, "Insight", "xyz", "created", "Signups", &team, 2*time.Hour)                // superseded by the update below
	log("", "FeatureFlag", "9", "updated", "flag", &team, 90*time.Minute)                 // system
	log(owner, "Organization", org, "updated", "Fakehog", nil, time.Hour)                 // not a shown scope
	log(owner, "Notebook", "", "created", "", &team, 30*time.Minute)                      // no item, no name
	log(owner, "Insight", "xyz", "updated", strings.Repeat("n", 250), &team, time.Minute) // newest
	e.clock.Set(testEpoch)
	r := e.do("GET", e.orgPath("welcome/current/"), nil, asSession(e.d.Session)).wantStatus(t, 200)
	acts := r.get("recent_activity").Array()
	if len(acts) != 3 {
		t.Fatalf("recent_activity = %s", r.get("recent_activity").Raw)
	}
	if acts[0].Get("type").String() != "Insight.updated" || len(acts[0].Get("entity_name").String()) != 200 ||
		acts[0].Get("entity_url").String() != fmt.Sprintf("/project/%d/insights/xyz", team) || acts[0].Get("actor_name").String() != "Olive" ||
		acts[0].Get("timestamp").String() != "2026-01-15T09:59:00+00:00" {
		t.Fatalf("newest = %s", acts[0].Raw)
	}
	if acts[1].Get("type").String() != "Notebook.created" || acts[1].Get("entity_name").String() != "Notebook" || acts[1].Get("entity_url").Type.String() != "Null" {
		t.Fatalf("notebook = %s", acts[1].Raw)
	}
	if acts[2].Get("entity_url").String() != fmt.Sprintf("/project/%d/dashboard/7", team) || acts[2].Get("entity_name").String() != "Sales" {
		t.Fatalf("dashboard = %s", acts[2].Raw)
	}
}

// TestWelcomeRecentActivityLimits: at most ten items, taken from the 40 newest matching
// rows after removing repeats of one item.
func TestWelcomeRecentActivityLimits(t *testing.T) {
	e := newEnv(t)
	org, team := e.d.OrganizationID, e.d.ProjectID
	logN := func(n int, item func(i int) string) {
		for i := 0; i < n; i++ {
			e.clock.Advance(time.Second)
			withWriteTx(e, func(tx *store.Tx) error {
				tx.LogActivity(store.ActivityInput{OrgID: org, TeamID: &team, User: tx.UserByEmail(e.d.UserEmail), Scope: "Insight",
					ItemID: item(i), Activity: "updated", Name: "insight " + item(i)})
				return nil
			})
		}
	}
	recent := func() []string {
		t.Helper()
		var names []string
		for _, a := range e.do("GET", e.orgPath("welcome/current/"), nil, asSession(e.d.Session)).wantStatus(t, 200).get("recent_activity").Array() {
			names = append(names, a.Get("entity_name").String())
		}
		return names
	}
	// Twelve distinct items: the ten newest.
	logN(12, func(i int) string { return fmt.Sprint("i", i) })
	if got := strings.Join(recent(), ","); got != "insight i11,insight i10,insight i9,insight i8,insight i7,insight i6,insight i5,insight i4,insight i3,insight i2" {
		t.Fatalf("recent_activity = %s", got)
	}
	// Forty newer updates of one item hide everything older: only that item is left.
	logN(40, func(int) string { return "busy" })
	if got := strings.Join(recent(), ","); got != "insight busy" {
		t.Fatalf("recent_activity after 40 updates of one item = %s", got)
	}
}
