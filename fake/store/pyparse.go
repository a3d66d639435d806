package store

// Python's readings and renderings of numbers and dates (int(), date.fromisoformat,
// datetime.fromisoformat, isoformat), for the rules and messages that PostHog leaves to
// Python: a backfill's bounds, a destination's integer settings.

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

var rePyInt = regexp.MustCompile(`^[+-]?\d+(_\d+)*$`)

// pyInt is Python's int() on a string: surrounding white space, a sign and single
// underscores between digits are allowed.
func pyInt(s string) (int, bool) {
	s = strings.TrimSpace(s)
	if !rePyInt.MatchString(s) {
		return 0, false
	}
	n, err := strconv.Atoi(strings.ReplaceAll(s, "_", ""))
	return n, err == nil
}

// pyISO is Python's datetime.isoformat() of an aware datetime.
func pyISO(t time.Time) string {
	s := t.Format("2006-01-02T15:04:05")
	if us := t.Nanosecond() / 1000; us != 0 {
		s += fmt.Sprintf(".%06d", us)
	}
	_, off := t.Zone()
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	s += fmt.Sprintf("%s%02d:%02d", sign, off/3600, off%3600/60)
	if off%60 != 0 {
		s += fmt.Sprintf(":%02d", off%60)
	}
	return s
}

var (
	rePyDate     = regexp.MustCompile(`^(\d{4})-?(\d{2})-?(\d{2})$`)
	rePyTime     = regexp.MustCompile(`^(\d{2})(?::?(\d{2})(?::?(\d{2})(?:[.,](\d+))?)?)?$`)
	rePyTZOffset = regexp.MustCompile(`^([+-])(\d{2})(?::?(\d{2})(?::?(\d{2})(?:[.,](\d+))?)?)?$`)
)

// parsePyDate is Python's date.fromisoformat (YYYY-MM-DD or YYYYMMDD).
func parsePyDate(s string) (time.Time, bool) {
	m := rePyDate.FindStringSubmatch(s)
	if m == nil || (strings.Contains(s, "-") && len(s) != 10) {
		return time.Time{}, false
	}
	y, _ := strconv.Atoi(m[1])
	mo, _ := strconv.Atoi(m[2])
	d, _ := strconv.Atoi(m[3])
	t := time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC)
	if y < 1 || t.Year() != y || int(t.Month()) != mo || t.Day() != d {
		return time.Time{}, false
	}
	return t, true
}

// parsePyDatetime is Python's datetime.fromisoformat: a date, optionally any one separator
// character and a time, optionally "Z" or an offset. aware says whether a zone was given.
func parsePyDatetime(s string) (t time.Time, aware bool, ok bool) {
	if d, ok := parsePyDate(s); ok {
		return d, false, true
	}
	var datePart string
	switch {
	case len(s) > 10 && s[4] == '-':
		datePart = s[:10]
		s = s[10:]
	case len(s) > 8:
		datePart = s[:8]
		s = s[8:]
	default:
		return time.Time{}, false, false
	}
	d, ok := parsePyDate(datePart)
	if !ok {
		return time.Time{}, false, false
	}
	// one separator character (any), then the time
	_, size := firstRune(s)
	if size == 0 || len(s) <= size {
		return time.Time{}, false, false
	}
	rest := s[size:]
	timePart, zone := rest, ""
	if i := strings.IndexAny(rest, "Z+-"); i >= 0 {
		timePart, zone = rest[:i], rest[i:]
	}
	tm := rePyTime.FindStringSubmatch(timePart)
	if tm == nil {
		return time.Time{}, false, false
	}
	hh, _ := strconv.Atoi(tm[1])
	mm, _ := strconv.Atoi(tm[2])
	ss, _ := strconv.Atoi(tm[3])
	if hh > 23 || mm > 59 || ss > 59 {
		return time.Time{}, false, false
	}
	ns := 0
	if tm[4] != "" {
		frac := (tm[4] + "000000")[:6]
		us, _ := strconv.Atoi(frac)
		ns = us * 1000
	}
	loc := time.UTC
	switch {
	case zone == "":
	case zone == "Z":
		aware = true
	default:
		zm := rePyTZOffset.FindStringSubmatch(zone)
		if zm == nil {
			return time.Time{}, false, false
		}
		oh, _ := strconv.Atoi(zm[2])
		om, _ := strconv.Atoi(zm[3])
		os, _ := strconv.Atoi(zm[4])
		if oh > 23 || om > 59 || os > 59 {
			return time.Time{}, false, false
		}
		off := oh*3600 + om*60 + os
		if zm[1] == "-" {
			off = -off
		}
		loc, aware = time.FixedZone("", off), true
	}
	return time.Date(d.Year(), d.Month(), d.Day(), hh, mm, ss, ns, loc), aware, true
}

func firstRune(s string) (rune, int) {
	for _, r := range s {
		return r, len(string(r))
	}
	return 0, 0
}
