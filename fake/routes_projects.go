package fake

// The route table of the resources inside a project (feature flags, actions, surveys,
// experiments, definitions, dashboards, insights, alerts, hog functions, ...): one table per
// family, in the family's own file, joined here.

// projectResources are the operations on what a project holds. Their paths name the project
// as {project_id} (an id, or @current), and their permission is permProject: the project is
// looked up across the caller's organizations (404 when the caller is no member), then the
// key's policy, organization, project and scope, as for the project itself.
func projectResources(s *Server) []route {
	var rows []route
	for _, family := range [][]route{
		// One line per family: its table, defined in its own file.
		featureFlagRoutes(s),
		experimentRoutes(s),
		insightRoutes(s), dashboardRoutes(s),
		actionRoutes(s), surveyRoutes(s), definitionRoutes(s),
		hogFunctionRoutes(s),
		projectIntegrationRoutes(s),
		alertRoutes(s),
	} {
		rows = append(rows, family...)
	}
	return rows
}

// Roots of the project-level paths: PostHog serves most families under both (a project and
// its environment are the same record here), and documents each under one of them.
const (
	projectsRoot     = "/api/projects/{project_id}/"
	environmentsRoot = "/api/environments/{project_id}/"
)

// underBothRoots gives each row, whose Path is relative to a project (e.g.
// "feature_flags/{id}/"), under /api/projects/{project_id}/ and again under
// /api/environments/{project_id}/, with permProject.
func underBothRoots(rows ...route) []route {
	out := make([]route, 0, 2*len(rows))
	for _, root := range []string{projectsRoot, environmentsRoot} {
		out = append(out, underRoot(root, rows...)...)
	}
	return out
}

// underRoot gives each row, whose Path is relative to a project, under one root, with
// permProject.
func underRoot(root string, rows ...route) []route {
	out := make([]route, 0, len(rows))
	for _, rt := range rows {
		rt.Path = root + rt.Path
		rt.Perm = permProject
		out = append(out, rt)
	}
	return out
}
