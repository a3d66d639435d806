package fake

import (
	"math/rand/v2"
	"testing"
	"time"
)

// isoTime writes what time.Format writes for its two layouts, for any instant and zone.
func TestIsoTimeMatchesFormat(t *testing.T) {
	ref := func(t time.Time) string {
		t = t.UTC()
		if t.Nanosecond()/1000 != 0 {
			return t.Format("2006-01-02T15:04:05.000000Z")
		}
		return t.Format("2006-01-02T15:04:05Z")
	}
	zone := time.FixedZone("X", -7*3600-30*60)
	times := []time.Time{{}, time.Unix(0, 0), time.Unix(0, 999), time.Unix(0, 1000), time.Unix(1, 999_999_999),
		time.Date(9999, 12, 31, 23, 59, 59, 999_999_999, time.UTC), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-1, 1, 1, 0, 0, 0, 1000, time.UTC), time.Date(2026, 1, 15, 10, 0, 0, 123_456_789, zone)}
	r := rand.New(rand.NewPCG(1, 1))
	for range 20000 {
		times = append(times, time.Unix(r.Int64N(400*365*86400)-100*365*86400, r.Int64N(1e9)).In(zone))
	}
	// The whole range isoTime handles (years 0 to 9999, by hand from 1970) and a little beyond, and
	// every day around the turn of leap and non-leap years, centuries included.
	const year0, year10000 = -62167219200, 253402300800
	for range 20000 {
		times = append(times, time.Unix(year0-86400*400+r.Int64N(year10000-year0+86400*800), r.Int64N(1e9)))
	}
	for _, y := range []int{0, 1, 4, 100, 400, 1600, 1900, 1970, 2000, 2024, 2100, 9996, 9999} {
		for d := -3; d < 70; d++ {
			times = append(times, time.Date(y, 1, 1, 23, 59, 59, 0, time.UTC).AddDate(0, 0, d), time.Date(y, 12, 31, 0, 0, 0, 1000, time.UTC).AddDate(0, 0, -d))
		}
	}
	for _, tm := range times {
		if got, want := isoTime(tm), ref(tm); got != want {
			t.Errorf("isoTime(%v) = %q, want %q", tm, got, want)
		}
	}
	// One isoDate carried through all of them, as a page of members does: the date it
	// keeps is reused only on its own day (the runs of days around the turn of the years
	// above, and a few times an hour apart, revisit days in and out of order).
	for i := range 500 {
		times = append(times, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i%48-i%7)*time.Hour))
	}
	var d isoDate
	for _, tm := range times {
		if got, want := string(d.appendTime(nil, tm)), ref(tm); got != want {
			t.Fatalf("appendTime(%v) after the previous times = %q, want %q", tm, got, want)
		}
	}
}
