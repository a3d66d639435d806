package fake

// The console's read-only lists of an organization's hog functions, alerts and project
// integrations (every project of the organization), as sections of the organization page.
// They show names, types and states only: never an input's value, so never a secret.

import (
	"strconv"

	"github.com/fakehog/fakehog/fake/store"
)

// consolePipelineSections are the Hog functions, Alerts and Integrations sections.
func consolePipelineSections(tx *store.Tx, orgID string) []consoleSection {
	hogs := consoleSection{ID: "hog-functions", Title: "Hog functions", Head: []string{"Project", "Name", "Type", "Template", "Enabled"}}
	alerts := consoleSection{ID: "alerts", Title: "Alerts", Head: []string{"Project", "Name", "Insight", "Interval", "State"}}
	integrations := consoleSection{ID: "project-integrations", Title: "Integrations", Head: []string{"Project", "Id", "Kind", "Name"}}
	yesNo := map[bool]string{true: "yes", false: "no"}
	for _, p := range tx.Projects(orgID, "") {
		pid := strconv.Itoa(p.ID)
		if hogs.List == "" {
			hogs.List = apiPath(environmentsRoot+"hog_functions/", pid)
			alerts.List = apiPath(environmentsRoot+"alerts/", pid)
			integrations.List = apiPath(environmentsRoot+"integrations/", pid)
		}
		for _, f := range tx.HogFunctions(p.ID, store.HogFunctionFilter{}) {
			template := ""
			if f.TemplateID != nil {
				template = *f.TemplateID
			}
			hogs.Rows = append(hogs.Rows, consoleRecord{Cols: []string{p.Name, deref(f.Name), f.Type, template, yesNo[f.Enabled]},
				API: apiPath(environmentsRoot+"hog_functions/{id}/", pid, f.UUID)})
		}
		for _, a := range tx.Alerts(p.ID, 0) {
			insight := ""
			if in := tx.InsightWithDeleted(p.ID, a.InsightID); in != nil {
				insight = deref(in.Name)
			}
			alerts.Rows = append(alerts.Rows, consoleRecord{Cols: []string{p.Name, a.Name, insight, a.CalculationInterval, a.State},
				API: apiPath(environmentsRoot+"alerts/{id}/", pid, a.UUID)})
		}
		for _, i := range tx.ProjectIntegrations(p.ID, false) {
			integrations.Rows = append(integrations.Rows, consoleRecord{Cols: []string{p.Name, strconv.Itoa(i.ID), i.Kind, i.DisplayName()},
				API: apiPath(environmentsRoot+"integrations/{id}/", pid, strconv.Itoa(i.ID))})
		}
	}
	return []consoleSection{hogs, alerts, integrations}
}
