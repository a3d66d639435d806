package fake

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
)

var updateDocs = flag.Bool("update-docs", false, "rewrite docs/endpoints.md from the route table")

// endpointsDoc renders the route table as the README's endpoint table.
func endpointsDoc(t *testing.T) string {
	var b strings.Builder
	b.WriteString("# Endpoints\n\n")
	b.WriteString("Generated from the route table (`fake/routes.go`) by `go test ./fake -run TestEndpointsDoc -update-docs`;\n")
	b.WriteString("a test fails when this file and the table disagree. Every path also answers without its\n")
	b.WriteString("trailing slash, and `@current` works wherever an organization id goes (members also take `@me`).\n")
	b.WriteString("\"session\" means PostHog refuses personal API keys there: use `Cookie: sessionid=<value>` (a write also\n" +
		"needs PostHog's CSRF check: a `posthog_csrftoken` cookie repeated in the `X-CSRFToken` header).\n\n")
	rows := routes(&Server{})
	status := probeRoutes(t)
	fmt.Fprintf(&b, "%d operations.\n\n", len(rows))
	b.WriteString("| Method | Path | API key scope | Status |\n|---|---|---|---|\n")
	for _, rt := range rows {
		scope := "`" + rt.Scope + "`"
		if rt.Scope == "" {
			scope = "session"
		}
		state := "supported"
		if status[rt.Method+" "+rt.Path] == 501 {
			state = "not yet (answers 501)"
		}
		fmt.Fprintf(&b, "| %s | `%s` | %s | %s |\n", rt.Method, rt.Path, scope, state)
	}
	b.WriteString("\n## Companions\n\n")
	b.WriteString("Operations beyond the 159 that PostHog's own clients (its CLI and MCP tool catalog, the agent\n")
	b.WriteString("toolkit, the Terraform provider) call: who the caller is, which key it holds, a project's\n")
	b.WriteString("access control settings (from its stored rules), and full updates (PUT) of plugins and the\n")
	b.WriteString("pipeline families. `{uuid}` takes `@me`; `{id}` takes `@current` (the calling key). A personal\n")
	b.WriteString("API key may retrieve itself and do nothing else with keys.\n\n")
	fmt.Fprintf(&b, "%d operations.\n\n", len(companions(&Server{})))
	b.WriteString("| Method | Path | API key scope |\n|---|---|---|\n")
	for _, rt := range companions(&Server{}) {
		scope := "`" + rt.Scope + "`"
		switch {
		case rt.Perm == permKeySelf && rt.Method == "GET" && strings.Contains(rt.Path, "{id}"):
			scope = "any (the key itself only)"
		case rt.Scope == "":
			scope = "session"
		}
		fmt.Fprintf(&b, "| %s | `%s` | %s |\n", rt.Method, rt.Path, scope)
	}
	b.WriteString("\n## Projects and environments\n\n")
	b.WriteString("PostHog's root project and environment viewsets (`rootProjectRoutes`): the collections in the\n")
	b.WriteString("caller's current organization, each project by id (`{id}` takes `@current`) with its actions,\n")
	b.WriteString("its access control settings and its access controls (members, roles, the project default,\n")
	b.WriteString("resource kinds), and the access controls of one object of a family that registers its\n")
	b.WriteString("objects (`{resource_kind}`: its path segment, e.g. `dashboards`). A member with `none` on a\n")
	b.WriteString("project does not see it; `viewer` cannot write; organization admins and owners keep full access.\n\n")
	fmt.Fprintf(&b, "%d operations.\n\n", len(rootProjectRoutes(&Server{})))
	b.WriteString("| Method | Path | API key scope |\n|---|---|---|\n")
	for _, rt := range rootProjectRoutes(&Server{}) {
		scope := "`" + rt.Scope + "`"
		if rt.Scope == "" {
			scope = "session"
		}
		fmt.Fprintf(&b, "| %s | `%s` | %s |\n", rt.Method, rt.Path, scope)
	}
	b.WriteString("\n## Inside a project\n\n")
	b.WriteString("What a project holds (`fake/routes_projects.go`): `{project_id}` takes a project id or\n")
	b.WriteString("`@current`; the caller must be a member of the project's organization, and a key scoped to\n")
	b.WriteString("projects must name it.\n\n")
	fmt.Fprintf(&b, "%d operations.\n\n", len(projectResources(&Server{})))
	b.WriteString("| Method | Path | API key scope |\n|---|---|---|\n")
	for _, rt := range projectResources(&Server{}) {
		scope := "`" + rt.Scope + "`"
		if rt.Scope == "" {
			scope = "session"
		}
		fmt.Fprintf(&b, "| %s | `%s` | %s |\n", rt.Method, rt.Path, scope)
	}
	return b.String()
}

func TestEndpointsDoc(t *testing.T) {
	want := endpointsDoc(t)
	const path = "../docs/endpoints.md"
	if *updateDocs {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run: go test ./fake -run TestEndpointsDoc -update-docs)", err)
	}
	if string(got) != want {
		t.Fatal("docs/endpoints.md is out of date: run go test ./fake -run TestEndpointsDoc -update-docs")
	}
}
