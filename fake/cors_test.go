package fake

import (
	"regexp"
	"testing"
)

// corsEnabled decides as PostHog's CORS_URLS_REGEX does: its first group is "/api/".
func TestCORSPathsMatchRegex(t *testing.T) {
	re := regexp.MustCompile(corsURLs)
	for _, path := range []string{
		"", "/", "/api", "/api/", "/api/organizations/", "/api/organizations/@current/members/",
		"/api/surveys", "/api/surveys/", "/api/surveysx/", "/api/early_access_features/1/", "/api/early_access_feature/",
		"/api/web_experiments", "/api/web_experiment/", "/apix/", "/API/organizations/", "//api/", "/x/api/",
		"/api/users/@me/", "/api/projects/1/surveys/", "/_fake/journal", "/api//surveys/",
	} {
		m := re.FindStringSubmatch(path)
		want := m != nil && m[1] == "/api/"
		if got := corsEnabled(path); got != want {
			t.Errorf("corsEnabled(%q) = %v, the regex says %v", path, got, want)
		}
	}
}
