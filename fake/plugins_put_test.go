package fake

import (
	"fmt"
	"testing"

	"github.com/fakehog/fakehog/fake/store"
)

// PUT on plugins and every pipeline_* family: PostHog's ModelViewSet serves full updates with
// the same serializer as PATCH (no field of the plugin serializer is required).
func TestPluginPut(t *testing.T) {
	for _, fam := range pluginFamilyCases {
		t.Run(fam.name, func(t *testing.T) {
			e := newEnv(t)
			id := seedPlugin(e, e.d.OrganizationID, store.NewPlugin{Name: "before", URL: "https://github.com/acme/put", Files: fam.files})
			path := e.pluginPath(fam.name, fmt.Sprintf("%d/", id))
			r := e.do("PUT", path, map[string]any{"name": "after", "description": "full"}).wantStatus(t, 200)
			if r.get("name").String() != "after" || r.get("description").String() != "full" {
				t.Fatalf("put = %s", r.Body)
			}
			if got := e.do("GET", path, nil).get("name").String(); got != "after" {
				t.Errorf("retrieve after PUT: name %q", got)
			}
			e.do("PUT", path, map[string]any{"plugin_type": "zip"}).wantError(t, 400, "validation_error", "invalid_choice", `"zip" is not a valid choice.`, "plugin_type")
		})
	}
}
