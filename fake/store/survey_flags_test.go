package store

import "testing"

// TestRemovingASurveyFlagKeepsTheDeletedCount: a survey's flag soft-deleted through the flag
// API, then removed with its survey, leaves the flags' per-project count of soft-deleted flags
// (which decides whether a flag page can be cut straight from the ids) at zero.
func TestRemovingASurveyFlagKeepsTheDeletedCount(t *testing.T) {
	s := New(Options{Seed: 1})
	err := s.Write(func(tx *Tx) error {
		ff := &tx.st.ext.featureFlags
		f := &FeatureFlag{ProjectRecord: ProjectRecord{ProjectID: 3}, Key: "survey-targeting-x"}
		ff.add(f)
		f.Deleted = true
		ff.deletedChanged(f, false)
		tx.removeSurveyFlag(f)
		if n := ff.deleted[3]; n != 0 {
			t.Errorf("soft-deleted count after the removal: %d, want 0", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
