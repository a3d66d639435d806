package fake

// The console's read-only lists of an organization's actions, surveys and event definitions
// (every project of the organization), as sections of the organization page.

import (
	"strconv"
	"strings"

	"github.com/fakehog/fakehog/fake/store"
)

// consoleTaxonomySections are the Actions, Surveys and Events sections.
func consoleTaxonomySections(tx *store.Tx, orgID string) []consoleSection {
	actions := consoleSection{ID: "actions", Title: "Actions", Head: []string{"Project", "Id", "Name", "Steps", "Tags"}}
	surveys := consoleSection{ID: "surveys", Title: "Surveys", Head: []string{"Project", "Name", "Type", "Questions", "State"}}
	events := consoleSection{ID: "event-definitions", Title: "Event definitions", Head: []string{"Project", "Name", "Verified", "Description"}}
	for _, p := range tx.Projects(orgID, "") {
		pid := strconv.Itoa(p.ID)
		if actions.List == "" {
			actions.List = apiPath(projectsRoot+"actions/", pid)
			surveys.List = apiPath(projectsRoot+"surveys/", pid)
			events.List = apiPath(projectsRoot+"event_definitions/", pid)
		}
		for _, a := range tx.Actions(p.ID) {
			actions.Rows = append(actions.Rows, consoleRecord{Cols: []string{p.Name, strconv.Itoa(a.ID), deref(a.Name),
				strconv.Itoa(len(a.Steps)), strings.Join(a.Tags, ", ")}, API: apiPath(projectsRoot+"actions/{id}/", pid, strconv.Itoa(a.ID))})
		}
		for _, sv := range tx.Surveys(p.ID) {
			surveys.Rows = append(surveys.Rows, consoleRecord{Cols: []string{p.Name, sv.Name, sv.Type,
				strconv.Itoa(len(sv.Questions)), surveyState(sv)}, API: apiPath(projectsRoot+"surveys/{id}/", pid, sv.UUID)})
		}
		for _, ev := range tx.EventDefinitions(p.ID) {
			verified := "no"
			if ev.Verified {
				verified = "yes"
			}
			events.Rows = append(events.Rows, consoleRecord{Cols: []string{p.Name, ev.Name, verified, ev.Description},
				API: apiPath(projectsRoot+"event_definitions/{id}/", pid, ev.UUID)})
		}
	}
	return []consoleSection{actions, surveys, events}
}

// surveyState is where a survey stands: draft, running, complete or archived.
func surveyState(sv *store.Survey) string {
	switch {
	case sv.Archived:
		return "archived"
	case sv.EndDate != nil:
		return "complete"
	case sv.StartDate != nil:
		return "running"
	}
	return "draft"
}
