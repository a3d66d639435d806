package fake

// The console's read-only lists of an organization's dashboards and insights (every project
// of the organization), as sections of the organization page.

import (
	"strconv"

	"github.com/fakehog/fakehog/fake/store"
)

// consoleAnalyticsSections are the Dashboards and Insights sections of an organization.
func consoleAnalyticsSections(tx *store.Tx, orgID string) []consoleSection {
	dashboards := consoleSection{ID: "dashboards", Title: "Dashboards", Head: []string{"Project", "Id", "Name", "Tiles", "Pinned"}}
	insights := consoleSection{ID: "insights", Title: "Insights", Head: []string{"Project", "Short id", "Name", "Query", "Dashboards"}}
	for _, p := range tx.Projects(orgID, "") {
		pid := strconv.Itoa(p.ID)
		if dashboards.List == "" {
			dashboards.List = apiPath(projectsRoot+"dashboards/", pid)
			insights.List = apiPath(projectsRoot+"insights/", pid)
		}
		for _, d := range tx.Dashboards(p.ID) {
			pinned := "no"
			if d.Pinned {
				pinned = "yes"
			}
			dashboards.Rows = append(dashboards.Rows, consoleRecord{Cols: []string{p.Name, strconv.Itoa(d.ID), deref(d.Name),
				strconv.Itoa(len(tx.DashboardTiles(d))), pinned}, API: apiPath(projectsRoot+"dashboards/{id}/", pid, strconv.Itoa(d.ID))})
		}
		for _, in := range tx.Insights(p.ID, false) {
			kind, source := store.InsightQueryKind(in)
			if source != "" {
				kind += " › " + source
			}
			name := deref(in.Name)
			if name == "" {
				name = deref(in.DerivedName)
			}
			insights.Rows = append(insights.Rows, consoleRecord{Cols: []string{p.Name, in.ShortID, name, kind,
				strconv.Itoa(len(tx.InsightTiles(in)))}, API: apiPath(projectsRoot+"insights/{id}/", pid, strconv.Itoa(in.ID))})
		}
	}
	return []consoleSection{dashboards, insights}
}
