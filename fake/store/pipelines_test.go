package store

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tidwall/gjson"
)

// TestPipelinesPersist: hog functions (secret inputs included), project integrations and
// alerts survive the codec's export and import byte for byte, and a snapshot restores them.
func TestPipelinesPersist(t *testing.T) {
	s := New(Options{Seed: 1, Clock: NewManualClock(time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC))})
	err := s.Write(func(tx *Tx) error {
		u, err := tx.CreateUser(NewUser{Email: "o@example.com"})
		if err != nil {
			return err
		}
		org, err := tx.CreateOrganization(u, Values{"name": "O"}, NewOrganization{Features: AllFeatures})
		if err != nil {
			return err
		}
		p := tx.Projects(org.ID, "")[0]
		if _, err := tx.SeedIntegration(p.ID, NewIntegration{Kind: "slack", Config: map[string]any{"team": map[string]any{"name": "T"}},
			SensitiveConfig: map[string]any{"access_token": "xoxb"}}); err != nil {
			return err
		}
		if _, ferr := tx.CreateHogFunction(p, u, gjson.Parse(`{"template_id":"template-webhook","inputs_schema":[{"key":"url","type":"string"},
			{"key":"k","type":"string","secret":true}],"inputs":{"url":{"value":"https://x"},"k":{"value":"hidden-1"}},"masking":{"ttl":60,"hash":"{person.id}"}}`)); ferr != nil {
			return ferr
		}
		in, err := tx.CreateInsight(p.ID, Values{"name": "I", "query": map[string]any{"kind": "InsightVizNode",
			"source": map[string]any{"kind": "TrendsQuery", "series": []any{}}}}, u)
		if err != nil {
			return err
		}
		a, aerr := tx.CreateAlert(p, u, gjson.Parse(`{"insight":`+itoa(in.ID)+`,"subscribed_users":[`+itoa(u.ID)+`],"threshold":{"configuration":{"type":"absolute","bounds":{"upper":3}}}}`))
		if aerr != nil {
			return aerr
		}
		if e := tx.UpdateAlert(a, gjson.Parse(`{"snoozed_until":"1d"}`), Patch); e != nil {
			return e
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	export, err := s.ExportJSON()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(export, []byte("hidden-1")) || !bytes.Contains(export, []byte("Snoozed")) {
		t.Fatalf("the export lacks the records")
	}
	other := New(Options{Seed: 9})
	if err := other.ImportJSON(export); err != nil {
		t.Fatal(err)
	}
	if again, _ := other.ExportJSON(); !bytes.Equal(export, again) {
		t.Fatal("export → import → export differs")
	}
	var before, after extensions
	_ = s.Read(func(tx *Tx) error { before = tx.st.ext; return nil })
	_ = other.Read(func(tx *Tx) error { after = tx.st.ext; return nil })
	if !reflect.DeepEqual(before.hogFunctions, after.hogFunctions) || !reflect.DeepEqual(before.alerts, after.alerts) ||
		!reflect.DeepEqual(before.projectIntegrations, after.projectIntegrations) {
		t.Fatal("imported state differs")
	}
	// An export made before these families existed imports with them empty and usable.
	older := []byte(strings.Replace(string(export), `"hogFunctions":`, `"hogFunctionsOld":`, 1))
	if err := other.ImportJSON(older); err != nil {
		t.Fatal(err)
	}
	_ = other.Write(func(tx *Tx) error {
		if tx.HogFunctionCount() != 0 {
			t.Error("a family absent from the export is not empty")
		}
		if _, e := tx.CreateHogFunction(tx.ProjectByID(1), nil, gjson.Parse(`{"hog":"return 1"}`)); e != nil {
			t.Errorf("create after importing an older export: %v", e)
		}
		return nil
	})
	snap := s.Snapshot()
	_ = s.Write(func(tx *Tx) error {
		for _, a := range tx.Alerts(1, 0) {
			tx.DeleteAlert(a)
		}
		return nil
	})
	s.Restore(snap)
	_ = s.Read(func(tx *Tx) error {
		if len(tx.Alerts(1, 0)) != 1 || tx.HogFunctionCount() != 1 || len(tx.ProjectIntegrations(1, false)) != 1 {
			t.Error("the snapshot did not restore the records")
		}
		return nil
	})
}
