package store

import (
	"bytes"
	"reflect"
	"testing"
	"time"

	"github.com/tidwall/gjson"
)

// seedAnalytics makes a dashboard with a text card and an insight on it in project 1.
func seedAnalytics(t *testing.T, s *Store) {
	t.Helper()
	err := s.Write(func(tx *Tx) error {
		d, err := tx.CreateDashboard(1, Values{"name": "D", "tags": []any{"x"}}, gjson.Parse(`{"filters":{"date_from":"-7d"}}`), nil)
		if err != nil {
			return err
		}
		in, err := tx.CreateInsight(1, Values{"name": "I", "query": map[string]any{"kind": "HogQLQuery", "query": "select 1"},
			"dashboards": []any{float64(d.ID)}, "tags": []any{"b"}}, nil)
		if err != nil {
			return err
		}
		tx.RefreshInsight(in)
		return tx.UpdateDashboard(d, Values{}, gjson.Parse(`{"tiles":[{"text":{"body":"hi"},"layouts":{"sm":{"x":0,"y":0,"w":6,"h":2}},"color":"blue","show_description":true}]}`), nil)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestAnalyticsPersist: insights, dashboards and tiles (text cards, layouts) survive the
// codec's export and import byte for byte, and a snapshot restores them.
func TestAnalyticsPersist(t *testing.T) {
	s := New(Options{Seed: 1, Clock: NewManualClock(time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC))})
	seedAnalytics(t, s)
	export, err := s.ExportJSON()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(export, []byte(`select 1`)) || !bytes.Contains(export, []byte(`hi`)) {
		t.Fatalf("the export lacks the records: %.400s", export)
	}
	other := New(Options{Seed: 9})
	if err := other.ImportJSON(export); err != nil {
		t.Fatal(err)
	}
	again, _ := other.ExportJSON()
	if !bytes.Equal(export, again) {
		t.Fatal("export → import → export differs")
	}
	var before, after *analyticsState
	_ = s.Read(func(tx *Tx) error { before = &tx.st.ext.analytics; return nil })
	_ = other.Read(func(tx *Tx) error { after = &tx.st.ext.analytics; return nil })
	if !reflect.DeepEqual(before, after) || after.tiles.count() != 2 || after.lastTextID != 1 {
		t.Fatalf("imported state differs: %d tiles", after.tiles.count())
	}
	snap := s.Snapshot()
	_ = s.Write(func(tx *Tx) error { return tx.SoftDeleteInsight(tx.Insights(1, false)[0], nil) })
	s.Restore(snap)
	_ = s.Read(func(tx *Tx) error {
		if in := tx.Insights(1, false); len(in) != 1 || len(tx.InsightDashboardIDs(in[0])) != 1 {
			t.Fatal("Restore did not bring the insight back on its dashboard")
		}
		return nil
	})
}

// TestInsightShortIDsAreSeeded: the same seed gives the same short ids, 8 letters and digits.
func TestInsightShortIDsAreSeeded(t *testing.T) {
	ids := func(seed uint64) []string {
		s := New(Options{Seed: seed, Clock: NewManualClock(time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC))})
		var out []string
		_ = s.Write(func(tx *Tx) error {
			for range 3 {
				in, err := tx.CreateInsight(1, Values{}, nil)
				if err != nil {
					return err
				}
				out = append(out, in.ShortID)
			}
			return nil
		})
		return out
	}
	a, b, c := ids(1), ids(1), ids(2)
	if !reflect.DeepEqual(a, b) || reflect.DeepEqual(a, c) {
		t.Fatalf("short ids %v %v %v", a, b, c)
	}
	for _, sid := range a {
		if len(sid) != 8 || bytes.Trim([]byte(sid), shortIDAlphabet) != nil && len(bytes.Trim([]byte(sid), shortIDAlphabet)) != 0 {
			t.Fatalf("short id %q", sid)
		}
	}
}

// TestDashboardTemplatesAreValid: every template insight's query passes the query shape
// check and its layouts are an object.
func TestDashboardTemplatesAreValid(t *testing.T) {
	for key, list := range dashboardTemplates {
		for _, ti := range list {
			q := gjson.Parse(ti.query)
			if !q.IsObject() || CheckInsightQuery(q.Value()) != nil || !gjson.Parse(ti.layouts).IsObject() {
				t.Errorf("%s / %s: query %v layouts %s", key, ti.name, CheckInsightQuery(q.Value()), ti.layouts)
			}
		}
	}
}
