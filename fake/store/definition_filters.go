package store

// The list filters and orders of event and property definitions, as PostHog's
// EventDefinitionViewSet and PropertyDefinitionViewSet apply them.

import (
	"slices"
	"strings"
	"time"
)

// HiddenPropertyNames are the properties ingestion generates that PostHog never lists
// (HIDDEN_PROPERTY_DEFINITIONS).
var HiddenPropertyNames = []string{"distinct_id", "$set", "$set_once", "$groups", "$group_type", "$group_key",
	"$group_set", "$group_0", "$group_1", "$group_2", "$group_3", "$group_4"}

// CorePropertyNames are PostHog's core property definitions per type (a part of
// CORE_FILTER_DEFINITIONS_BY_GROUP: the ones SDKs send), for exclude_core_properties.
var CorePropertyNames = map[int][]string{
	PropertyTypeEvent: {"$browser", "$browser_version", "$current_url", "$device_type", "$host", "$lib", "$lib_version",
		"$os", "$os_version", "$pathname", "$referrer", "$referring_domain", "$screen_height", "$screen_width",
		"$session_id", "$window_id", "$ip", "$geoip_country_code", "$geoip_country_name", "$geoip_city_name",
		"$event_type", "$feature_flag", "$feature_flag_response", "$pageview_id", "$raw_user_agent", "$timestamp",
		"$time", "$title", "$viewport_height", "$viewport_width", "utm_source", "utm_medium", "utm_campaign",
		"utm_content", "utm_term", "gclid", "fbclid"},
	PropertyTypePerson: {"$browser", "$initial_browser", "$initial_current_url", "$initial_os", "$initial_referrer",
		"$initial_referring_domain", "$initial_utm_source", "$os", "email", "name", "$creator_event_uuid"},
	PropertyTypeSession: {"$session_duration", "$start_timestamp", "$end_timestamp", "$entry_current_url",
		"$entry_pathname", "$exit_current_url", "$exit_pathname", "$pageview_count", "$autocapture_count",
		"$screen_count", "$channel_type", "$is_bounce", "$entry_referring_domain", "$entry_utm_source",
		"$entry_utm_campaign", "$entry_utm_medium", "$last_external_click_url"},
}

// CoreEventNames are PostHog's core events (CORE_EVENTS): listed as verified by the
// verified=true filter.
var CoreEventNames = []string{"$pageview", "$pageleave", "$autocapture", "$screen", "$identify", "$create_alias",
	"$groupidentify", "$set", "$feature_flag_called", "$rageclick", "$exception", "$web_vitals", "$dead_click",
	"survey shown", "survey sent", "survey dismissed"}

// matchesTerms is PostHog's term search: every white-space separated term is a
// case-insensitive substring of the name.
func matchesTerms(name, search string) bool {
	lower := strings.ToLower(name)
	for _, term := range strings.Fields(strings.ToLower(search)) {
		if !strings.Contains(lower, term) {
			return false
		}
	}
	return true
}

// EventDefinitionFilter is a list request's filters (all optional).
type EventDefinitionFilter struct {
	Search         string
	EventType      string // event (all), event_custom (no $ prefix), event_posthog ($ prefix)
	ExcludeHidden  bool   // only with the enterprise definitions
	Verified       *bool  // only with the enterprise definitions
	Excluded       []string
	Names          []string
	Tags           []string
	ExcludeStale   bool
	Ordering       []string // name, last_seen_at, created_at (with a - prefix for descending)
	StaleThreshold time.Time
}

// FilterEventDefinitions lists the project's event definitions that pass the filter, in
// PostHog's order: the requested ordering (else the last seen day, newest first), then
// name; a search puts shorter names first.
func (tx *Tx) FilterEventDefinitions(projectID int, f EventDefinitionFilter) []*EventDefinition {
	var out []*EventDefinition
	for _, e := range tx.st.ext.definitions.events.all(projectID, false) {
		switch {
		case f.Search != "" && !matchesTerms(e.Name, f.Search),
			f.EventType == "event_custom" && strings.HasPrefix(e.Name, "$"),
			f.EventType == "event_posthog" && !strings.HasPrefix(e.Name, "$"),
			f.ExcludeHidden && e.Hidden,
			f.Verified != nil && *f.Verified != (e.Verified || slices.Contains(CoreEventNames, e.Name)),
			slices.Contains(f.Excluded, e.Name),
			len(f.Names) > 0 && !slices.Contains(f.Names, e.Name),
			len(f.Tags) > 0 && !anyShared(f.Tags, e.Tags),
			f.ExcludeStale && e.LastSeenAt != nil && !e.LastSeenAt.After(f.StaleThreshold):
			continue
		}
		out = append(out, e)
	}
	ordering := f.Ordering
	if len(ordering) == 0 {
		ordering = []string{"-last_seen_at::date"}
	}
	slices.SortStableFunc(out, func(a, b *EventDefinition) int {
		if f.Search != "" && len(f.Ordering) == 0 {
			if c := len(a.Name) - len(b.Name); c != 0 {
				return c
			}
		}
		for _, o := range ordering {
			desc := strings.HasPrefix(o, "-")
			var c int
			switch strings.TrimPrefix(o, "-") {
			case "name":
				c = strings.Compare(a.Name, b.Name)
			case "last_seen_at":
				c = compareTimes(a.LastSeenAt, b.LastSeenAt, false)
			case "last_seen_at::date":
				c = compareTimes(a.LastSeenAt, b.LastSeenAt, true)
			case "created_at":
				c = compareTimes(a.CreatedAt, b.CreatedAt, false)
			case "created_at::date":
				c = compareTimes(a.CreatedAt, b.CreatedAt, true)
			}
			if desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out
}

// compareTimes orders two nullable times ascending, nulls first when ascending and last
// when descending (Postgres' NULLS FIRST/LAST as PostHog writes them); byDay compares the
// UTC days only.
func compareTimes(a, b *time.Time, byDay bool) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1 // first ascending; the caller reverses it to last descending
	case b == nil:
		return 1
	}
	x, y := *a, *b
	if byDay {
		x, y = x.Truncate(24*time.Hour), y.Truncate(24*time.Hour)
	}
	return x.Compare(y)
}

func anyShared(a, b []string) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}

// PropertyDefinitionFilter is a property definition list request's filters.
type PropertyDefinitionFilter struct {
	Search                string
	Type                  int
	GroupTypeIndex        *int
	Properties            []string // only these names
	Excluded              []string
	ExcludeCoreProperties bool
	ExcludeHidden         bool
	IsNumerical           *bool
	IsFeatureFlag         *bool
	EventNames            []string
	FilterByEventNames    bool
}

// PropertyDefinitionHit is a listed property definition with is_seen_on_filtered_events
// (null when the request names no events).
type PropertyDefinitionHit struct {
	Def  *PropertyDefinition
	Seen *bool
}

// FilterPropertyDefinitions lists the project's property definitions that pass the filter,
// in PostHog's order: the ones seen with the requested events first, then by name.
func (tx *Tx) FilterPropertyDefinitions(projectID int, f PropertyDefinitionFilter) []PropertyDefinitionHit {
	var seenWith map[string]bool
	if len(f.EventNames) > 0 && f.Type == PropertyTypeEvent {
		seenWith = map[string]bool{}
		for _, e := range tx.st.ext.definitions.events.all(projectID, false) {
			if slices.Contains(f.EventNames, e.Name) {
				for _, p := range e.Properties {
					seenWith[p] = true
				}
			}
		}
	}
	var out []PropertyDefinitionHit
	for _, d := range tx.st.ext.definitions.properties.all(projectID, false) {
		switch {
		case d.Type != f.Type,
			f.Type == PropertyTypeGroup && !eqIntPtr(d.GroupTypeIndex, f.GroupTypeIndex),
			slices.Contains(HiddenPropertyNames, d.Name),
			slices.Contains(f.Excluded, d.Name),
			len(f.Properties) > 0 && !slices.Contains(f.Properties, d.Name),
			f.ExcludeCoreProperties && slices.Contains(CorePropertyNames[d.Type], d.Name),
			f.ExcludeHidden && d.Hidden,
			f.IsNumerical != nil && *f.IsNumerical && (!d.IsNumerical || d.Name == "timestamp"),
			f.IsFeatureFlag != nil && *f.IsFeatureFlag != strings.HasPrefix(d.Name, "$feature/"),
			f.Search != "" && !matchesTerms(d.Name, f.Search),
			seenWith != nil && f.FilterByEventNames && !seenWith[d.Name]:
			continue
		}
		hit := PropertyDefinitionHit{Def: d}
		if seenWith != nil {
			seen := seenWith[d.Name]
			hit.Seen = &seen
		}
		out = append(out, hit)
	}
	slices.SortStableFunc(out, func(a, b PropertyDefinitionHit) int {
		if a.Seen != nil && b.Seen != nil && *a.Seen != *b.Seen {
			if *a.Seen {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Def.Name, b.Def.Name)
	})
	return out
}
