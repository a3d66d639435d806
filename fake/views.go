package fake

import (
	"github.com/fakehog/fakehog/fake/store"
)

// Nested shapes shared by several resources (BEHAVIOR.md §0.10).

// userBasicJSON is PostHog's UserBasic.
type userBasicJSON struct {
	ID                 int     `json:"id"`
	UUID               string  `json:"uuid"`
	DistinctID         string  `json:"distinct_id"`
	FirstName          string  `json:"first_name"`
	LastName           string  `json:"last_name"`
	Email              string  `json:"email"`
	IsEmailVerified    *bool   `json:"is_email_verified"`
	HedgehogConfig     any     `json:"hedgehog_config"`
	RoleAtOrganization *string `json:"role_at_organization"`
}

func userBasic(u *store.User) *userBasicJSON {
	if u == nil {
		return nil
	}
	var role *string
	if u.RoleAtOrganization != "" {
		r := u.RoleAtOrganization
		role = &r
	}
	return &userBasicJSON{ID: u.ID, UUID: u.UUID, DistinctID: u.DistinctID, FirstName: u.FirstName, LastName: u.LastName,
		Email: u.Email, IsEmailVerified: u.IsEmailVerified, RoleAtOrganization: role}
}

// userBasicByID is userBasic for a user id (0 → null).
func userBasicByID(tx *store.Tx, id int) *userBasicJSON {
	if id == 0 {
		return nil
	}
	return userBasic(tx.User(id))
}

// teamBasicJSON is PostHog's TeamBasic / ProjectBackwardCompatBasic.
type teamBasicJSON struct {
	ID                         int    `json:"id"`
	UUID                       string `json:"uuid"`
	Organization               string `json:"organization"`
	ProjectID                  int    `json:"project_id"`
	APIToken                   string `json:"api_token"`
	Name                       string `json:"name"`
	CompletedSnippetOnboarding bool   `json:"completed_snippet_onboarding"`
	HasCompletedOnboardingFor  any    `json:"has_completed_onboarding_for"`
	IngestedEvent              bool   `json:"ingested_event"`
	IsDemo                     bool   `json:"is_demo"`
	Timezone                   string `json:"timezone"`
	AccessControl              bool   `json:"access_control"`
}

func teamBasic(p *store.Project) teamBasicJSON {
	tz, _ := p.Settings["timezone"].(string)
	snippet, _ := p.Settings["completed_snippet_onboarding"].(bool)
	ac, _ := p.Settings["access_control"].(bool)
	return teamBasicJSON{ID: p.ID, UUID: p.UUID, Organization: p.OrgID, ProjectID: p.ID, APIToken: p.APIToken, Name: p.Name,
		CompletedSnippetOnboarding: snippet, HasCompletedOnboardingFor: p.Settings["has_completed_onboarding_for"],
		IngestedEvent: p.IngestedEvent, IsDemo: p.IsDemo, Timezone: tz, AccessControl: ac}
}
