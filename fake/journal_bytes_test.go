package fake

import (
	"bytes"
	"fmt"
	"testing"
)

// The journal is bounded in bytes as well as in entries (issue #14): large answers push the
// oldest entries out before the entry bound is reached.
func TestJournalBoundedInBytes(t *testing.T) {
	const bound = 40_000
	srv, err := New(WithSeed(1), WithJournalBytes(bound))
	if err != nil {
		t.Fatal(err)
	}
	j := srv.Journal()
	if j.MaxBytes() != bound || j.Size() != DefaultJournalSize {
		t.Fatalf("MaxBytes = %d, Size = %d", j.MaxBytes(), j.Size())
	}
	d := srv.Defaults()
	for i := 1; i <= 200; i++ {
		// A project is a few KiB of JSON: 200 of them cannot all fit in 40 KB.
		path := fmt.Sprintf("/api/organizations/%s/projects/%d/?n=%d", d.OrganizationID, d.ProjectID, i)
		if w := serveInProcess(t, srv, "GET", path, ""); w.Code != 200 {
			t.Fatalf("request %d = %d", i, w.Code)
		}
	}
	all := j.Requests(RequestFilter{})
	if len(all) == 0 || len(all) >= 200 || j.Len() != len(all) {
		t.Fatalf("journal holds %d requests (Len %d), want some but not all 200", len(all), j.Len())
	}
	sum := 0
	for i := range all {
		sum += all[i].Cost()
		// The newest are kept, in order, without gaps.
		if want := int64(200 - len(all) + 1 + i); all[i].ID != want {
			t.Fatalf("entry %d = #%d, want #%d", i, all[i].ID, want)
		}
	}
	if sum != j.Bytes() || sum > bound {
		t.Errorf("entries cost %d bytes, Bytes() = %d, bound %d", sum, j.Bytes(), bound)
	}
	if sum+all[0].Cost() <= bound {
		t.Errorf("entries cost %d bytes: room for one more under %d, so too many were dropped", sum, bound)
	}
	// Without a byte bound, the entry bound alone applies.
	srv, err = New(WithSeed(1), WithJournalBytes(0), WithJournalSize(150))
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 200; i++ {
		serveInProcess(t, srv, "GET", fmt.Sprintf("/api/organizations/%s/projects/%d/", d.OrganizationID, d.ProjectID), "")
	}
	if n := srv.Journal().Len(); n != 150 {
		t.Errorf("without a byte bound the journal holds %d, want its size 150", n)
	}
	srv.Journal().Clear()
	if srv.Journal().Bytes() != 0 || srv.Journal().Len() != 0 {
		t.Errorf("after Clear: %d entries, %d bytes", srv.Journal().Len(), srv.Journal().Bytes())
	}
}

// The journal keeps full-size bodies of the entries it drops for the next ones (issue #14),
// so what it hands out must be copies: an entry read earlier keeps its body however many
// requests come after it, and the recycling does happen (a full journal files a full-size
// body without allocating one).
func TestJournalRecyclesDroppedBodiesOnlyItsOwn(t *testing.T) {
	srv, err := New(WithSeed(1), WithJournalSize(3), WithJournalBodyLimit(520))
	if err != nil {
		t.Fatal(err)
	}
	d := srv.Defaults()
	// Each invite answers with its own id first, so a recycled body would show.
	invite := func(i int) string {
		w := serveInProcess(t, srv, "POST", "/api/organizations/"+d.OrganizationID+"/invites/", fmt.Sprintf(`{"target_email":"r%d@recycle.test"}`, i))
		if w.Code != 201 || w.Body.Len() <= 520 {
			t.Fatalf("POST invite = %d %s", w.Code, w.Body)
		}
		return w.Body.String()[:520]
	}
	served := invite(0)
	first, _ := srv.Journal().Last()
	listed := srv.Journal().Requests(RequestFilter{})
	if string(first.ResponseBody) != served || len(listed) != 1 || string(listed[0].ResponseBody) != served {
		t.Fatalf("journal holds %q, served %q", first.ResponseBody, served)
	}
	for i := 1; i <= 20; i++ {
		invite(i)
	}
	if string(first.ResponseBody) != served || string(listed[0].ResponseBody) != served {
		t.Fatalf("an entry handed out earlier changed:\n Last     %q\n Requests %q\n served   %q", first.ResponseBody, listed[0].ResponseBody, served)
	}
	j := srv.Journal()
	j.mu.Lock()
	spares := len(j.spare)
	j.mu.Unlock()
	if spares == 0 {
		t.Fatalf("no dropped body was kept for reuse")
	}
	rec := &recorder{j: j, ResponseWriter: discardWriter{}, wroteHead: true}
	body := bytes.Repeat([]byte("x"), 700)
	allocs := testing.AllocsPerRun(10, func() {
		rec.resp = nil
		_, _ = rec.Write(body)
		j.mu.Lock()
		j.spare = append(j.spare, rec.resp) // dropped again, as the next eviction would
		j.mu.Unlock()
	})
	if allocs != 0 {
		t.Errorf("a full-size body with a spare one available allocated %v times", allocs)
	}
	// A shorter body, kept from a larger scratch buffer, goes into a spare of about its size.
	j = newJournal(3, 4096, 0)
	rec = &recorder{j: j, ResponseWriter: discardWriter{}, wroteHead: true}
	long := bytes.Repeat([]byte("y"), 1000)
	scratch := make([]byte, 0, 4096)
	j.spare = append(j.spare, make([]byte, 1100))
	allocs = testing.AllocsPerRun(10, func() {
		rec.resp = append(scratch[:0], long...)
		kept := rec.takeResponse()
		if string(kept) != string(long) || cap(kept) != 1100 {
			t.Fatalf("kept %d bytes in a slice of %d", len(kept), cap(kept))
		}
		j.mu.Lock()
		j.spare = append(j.spare, kept)
		j.mu.Unlock()
	})
	if allocs != 0 {
		t.Errorf("a shorter body with a spare one of its size allocated %v times", allocs)
	}
}
