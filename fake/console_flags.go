package fake

// The console's read-only lists of what an organization's projects hold: their feature
// flags and experiments (sections of the organization page).

import (
	"strconv"
	"strings"

	"github.com/fakehog/fakehog/fake/store"
)

// flagSections are the organization page's "Feature flags" and "Experiments" sections: every
// project's live flags and experiments, newest first, each row linked to its API path.
func flagSections(tx *store.Tx, orgID string) []consoleSection {
	const root = "/api/projects/{project_id}/"
	flags := consoleSection{ID: "feature-flags", Title: "Feature flags", Head: []string{"Project", "Key", "Name", "Status", "Rollout"}}
	xps := consoleSection{ID: "experiments", Title: "Experiments", Head: []string{"Project", "Name", "Flag", "State"}}
	for _, p := range tx.Projects(orgID, "") {
		pid := strconv.Itoa(p.ID)
		if flags.List == "" {
			flags.List, xps.List = apiPath(root+"feature_flags/", pid), apiPath(root+"experiments/", pid)
		}
		for _, f := range tx.FeatureFlags(p.ID, store.FeatureFlagFilter{}) {
			status, _ := tx.FeatureFlagStatus(f)
			if !f.Active {
				status = "disabled"
			}
			rollout := "conditions"
			if r := store.FeatureFlagRollout(f); r != nil {
				rollout = strconv.Itoa(*r) + "%"
			}
			if n := len(store.FeatureFlagVariants(f)); n > 0 {
				rollout = strconv.Itoa(n) + " variants"
			}
			flags.Rows = append(flags.Rows, consoleRecord{Cols: []string{p.Name, f.Key, f.Name, status, rollout},
				API: apiPath(root+"feature_flags/{id}/", pid, strconv.Itoa(f.ID))})
		}
		for _, e := range tx.Experiments(p.ID, store.ExperimentFilter{Status: "all", Archived: nil}) {
			key := ""
			if f := tx.ExperimentFlag(e); f != nil {
				key = f.Key
			}
			xps.Rows = append(xps.Rows, consoleRecord{Cols: []string{p.Name, e.Name, key, experimentState(e)},
				API: apiPath(root+"experiments/{id}/", pid, strconv.Itoa(e.ID))})
		}
	}
	return []consoleSection{flags, xps}
}

// experimentState names where an experiment is: draft, running, or complete (with its
// conclusion).
func experimentState(e *store.Experiment) string {
	switch {
	case e.StartDate == nil:
		return "draft"
	case e.EndDate == nil:
		return "running"
	case e.Conclusion != nil && *e.Conclusion != "":
		return "complete: " + strings.ReplaceAll(*e.Conclusion, "_", " ")
	}
	return "complete"
}
