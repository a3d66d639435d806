package fake

import (
	"strconv"
	"strings"
	"testing"

	"github.com/fakehog/fakehog/fake/store"
)

// TestEveryCompanionAnswers: every companion operation (docs/endpoints.md, second section),
// called as the default owner on real records, is served: never 404, 405 or 5xx, and its
// answer matches PostHog's schema (the harness checks it).
func TestEveryCompanionAnswers(t *testing.T) {
	for _, rt := range companions(&Server{}) {
		t.Run(rt.Method+" "+rt.Path, func(t *testing.T) {
			e := newEnv(t)
			keyID := e.do("GET", "/api/personal_api_keys/@current/", nil).get("id").String()
			p := strings.NewReplacer("{uuid}", "@me", "{organization_id}", e.d.OrganizationID).Replace(rt.Path)
			var opts []reqOpt
			switch {
			case rt.Perm == permKeySelf && rt.Method == "GET" && strings.Contains(p, "{id}"):
				p = strings.Replace(p, "{id}", "@current", 1)
			case rt.Perm == permKeySelf:
				p = strings.Replace(p, "{id}", keyID, 1)
				opts = append(opts, asSession(e.d.Session))
			case strings.Contains(p, "/plugins/") || strings.Contains(p, "/pipeline_"):
				for _, fam := range pluginFamilyCases {
					if strings.Contains(p, "/"+fam.name+"/") {
						id := seedPlugin(e, e.d.OrganizationID, store.NewPlugin{Name: "probe", URL: "https://github.com/acme/probe", Files: fam.files})
						p = strings.Replace(p, "{id}", strconv.Itoa(id), 1)
					}
				}
			default:
				p = strings.Replace(p, "{id}", strconv.Itoa(e.d.ProjectID), 1)
			}
			var body any
			switch rt.Method {
			case "POST", "PUT":
				body = map[string]any{"label": "probe", "scopes": []string{"*"}}
			case "PATCH":
				body = map[string]any{}
			}
			if strings.Contains(p, "member_") {
				p += "?member_id=" + e.do("GET", e.orgPath("members/"), nil).get("results.0.id").String()
			}
			if strings.Contains(p, "role_") {
				role := e.do("POST", e.orgPath("roles/"), map[string]any{"name": "Probe"}).wantStatus(t, 201).get("id").String()
				p += "?role_id=" + role
			}
			r := e.do(rt.Method, p, body, opts...)
			want := rt.Status
			if want == 0 {
				want = 200
			}
			if r.Status != want {
				t.Fatalf("%s %s → %d, want %d: %s", rt.Method, p, r.Status, want, truncate(r.Body))
			}
		})
	}
}
