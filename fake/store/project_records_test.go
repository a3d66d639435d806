package store

import (
	"reflect"
	"testing"
)

type testThing struct {
	ProjectRecord
	Name string
}

// TestProjectRecordsStayInTheirProject: ids are family-wide, lookups never cross projects,
// soft-deleted records are hidden from live lookups and default lists, and a dropped project
// leaves the others' records alone.
func TestProjectRecordsStayInTheirProject(t *testing.T) {
	var recs projectRecords[testThing, *testThing]
	recs.init()
	a := &testThing{ProjectRecord: ProjectRecord{ProjectID: 1}, Name: "a"}
	b := &testThing{ProjectRecord: ProjectRecord{ProjectID: 2}, Name: "b"}
	c := &testThing{ProjectRecord: ProjectRecord{ProjectID: 1}, Name: "c"}
	for _, r := range []*testThing{a, b, c} {
		recs.add(r)
	}
	if a.ID != 1 || b.ID != 2 || c.ID != 3 {
		t.Fatalf("ids %d %d %d, want 1 2 3", a.ID, b.ID, c.ID)
	}
	if recs.get(2, a.ID) != nil || recs.get(1, a.ID) != a {
		t.Fatal("get crossed projects")
	}
	c.Deleted = true
	if recs.live(1, c.ID) != nil || recs.get(1, c.ID) != c {
		t.Fatal("live must hide soft-deleted records, get must not")
	}
	if got := recs.all(1, false); len(got) != 1 || got[0] != a {
		t.Fatalf("all(1, false) = %v", got)
	}
	if got := recs.all(1, true); len(got) != 2 || got[1] != c {
		t.Fatalf("all(1, true) = %v", got)
	}
	if got := recs.find(1, false, func(r *testThing) bool { return r.Name == "c" }); got != nil {
		t.Fatal("find must skip soft-deleted records unless asked")
	}
	if got := recs.find(1, true, func(r *testThing) bool { return r.Name == "c" }); got != c {
		t.Fatalf("find with deleted = %v", got)
	}
	if got := recs.find(2, true, func(r *testThing) bool { return r.Name == "a" }); got != nil {
		t.Fatal("find crossed projects")
	}
	recs.remove(a)
	recs.dropProject(1)
	if recs.count() != 1 || recs.get(2, b.ID) != b || recs.maxID() != 2 {
		t.Fatalf("after drop: count %d", recs.count())
	}
	recs.add(&testThing{ProjectRecord: ProjectRecord{ProjectID: 2}})
	if recs.lastID != 4 {
		t.Fatalf("ids must not be reused: lastID %d", recs.lastID)
	}
}

// TestProjectRecordsCopy: the generic collection is a tree of values that deepCopy
// copies without sharing (the state codec walks it like any other record).
func TestProjectRecordsCopy(t *testing.T) {
	var recs projectRecords[testThing, *testThing]
	recs.init()
	recs.add(&testThing{ProjectRecord: ProjectRecord{ProjectID: 7}, Name: "x"})
	cp := deepCopy(&recs)
	if !reflect.DeepEqual(*cp, recs) || cp.byID[1] == recs.byID[1] {
		t.Fatal("deepCopy must copy equal and share nothing")
	}
}
