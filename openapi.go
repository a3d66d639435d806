// Package fakehog holds what the module's packages share from its root: PostHog's own OpenAPI
// documents for the Organizations API (testdata/SOURCES.md says where each comes from). The
// tests check every answer against them; GET /api/schema/ (package fake) describes the
// operations fakehog serves with them.
//
// The fake itself lives in package fake; tests use package httptestutil; the server is
// cmd/fakehog.
package fakehog

import _ "embed"

// PostHogOpenAPI is PostHog's current OpenAPI document (3.1), filtered to /api/organizations/.
//
//go:embed testdata/organizations.openapi.json
var PostHogOpenAPI []byte

// postHogOpenAPI202511 is PostHog's 2025-11 document, for operations the current one no
// longer describes.
//
//go:embed testdata/organizations.legacy-2025-11.openapi.json
var postHogOpenAPI202511 []byte

// postHogOpenAPIPlugins describes the plugin routes.
//
//go:embed testdata/organizations.legacy-plugins.openapi.json
var postHogOpenAPIPlugins []byte

// postHogProjectsOpenAPI is PostHog's schema for the paths inside a project (feature flags,
// actions, surveys, experiments, dashboards, insights, hog functions, definitions; late 2025).
//
//go:embed testdata/projects.openapi.json
var postHogProjectsOpenAPI []byte

// PostHogProjectsOpenAPI is PostHog's schema for the project-level paths
// (/api/projects/{project_id}/… and /api/environments/{project_id}/…).
func PostHogProjectsOpenAPI() []byte { return postHogProjectsOpenAPI }

// PostHogOpenAPILegacy lists older PostHog documents for the operations the current one no
// longer describes, most recent first.
func PostHogOpenAPILegacy() [][]byte { return [][]byte{postHogOpenAPI202511, postHogOpenAPIPlugins} }
