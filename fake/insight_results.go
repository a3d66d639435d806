package fake

// An insight's results as PostHog answers them for a project with no events: the fake has
// no query engine and no events, so a calculation yields empty results, never a made-up
// number. ?refresh= picks PostHog's execution mode: without it (or force_cache / false)
// only the cache is read (an insight never calculated has no results: null, is_cached
// false); the calculating modes answer fresh empty results. A write (POST/PATCH) with a
// calculating mode records the calculation, so later reads answer it from the cache
// (is_cached true, last_refresh kept); a GET never writes.

import (
	"time"

	"github.com/fakehog/fakehog/fake/store"
	"github.com/tidwall/gjson"
)

// insightResult is PostHog's InsightResult, the part of the insight view that comes from
// calculating its query.
type insightResult struct {
	Result                   any     `json:"result"`
	HasMore                  any     `json:"hasMore"`
	Columns                  any     `json:"columns"`
	LastRefresh              *string `json:"last_refresh"`
	CacheTargetAge           *string `json:"cache_target_age"`
	NextAllowedClientRefresh *string `json:"next_allowed_client_refresh"`
	IsCached                 bool    `json:"is_cached"`
	Timezone                 *string `json:"timezone"`
	QueryStatus              any     `json:"query_status"`
	Hogql                    *string `json:"hogql"`
	Types                    any     `json:"types"`
}

// Cache timings of a calculated result: the target age of a day-interval insight and the
// minimum time between client refreshes.
const (
	insightCacheTargetAge   = 6 * time.Hour
	insightMinRefreshPeriod = 3 * time.Minute
)

// calculatingModes are the ?refresh= values that calculate (PostHog's ExecutionMode values
// and the legacy "true"); the async ones finish at once here, as there is nothing to count.
var calculatingModes = map[string]bool{
	"true": true, "1": true, "blocking": true, "async": true, "force_blocking": true, "force_async": true,
	"lazy_async": true, "async_except_on_cache_miss": true,
}

// refreshRequested reports whether the request asks for a calculation.
func (c *call) refreshRequested() bool {
	return calculatingModes[lastQueryValue(c.r.URL.Query(), "refresh")]
}

// insightResultOf answers the results of the insight for this request.
func (c *call) insightResultOf(in *store.Insight) insightResult {
	var at *time.Time
	cached := false
	switch {
	case c.refreshRequested():
		t := c.tx.Now()
		at = &t
		// force_* modes always recalculate; the others answer a fresh cache.
		if mode := lastQueryValue(c.r.URL.Query(), "refresh"); mode == "blocking" || mode == "async" || mode == "lazy_async" || mode == "async_except_on_cache_miss" {
			if in.LastRefresh != nil && t.Sub(*in.LastRefresh) < insightCacheTargetAge {
				at, cached = in.LastRefresh, true
			}
		}
	case in.LastRefresh != nil:
		at, cached = in.LastRefresh, true
	}
	if at == nil || in.Query == "" {
		return insightResult{}
	}
	tz := projectTimezone(c.project)
	r := insightResult{Result: []any{}, LastRefresh: isoTimePtr(at), IsCached: cached, Timezone: &tz,
		CacheTargetAge: isoTimePtr(ptrTime(at.Add(insightCacheTargetAge))), NextAllowedClientRefresh: isoTimePtr(ptrTime(at.Add(insightMinRefreshPeriod)))}
	if sql := insightHogQL(in); sql != "" {
		r.Hogql, r.Columns, r.Types, r.HasMore = &sql, []any{}, []any{}, false
	}
	return r
}

// insightHogQL is the SQL of a HogQL-based insight ("" for the others).
func insightHogQL(in *store.Insight) string {
	kind, source := store.InsightQueryKind(in)
	path := ""
	switch {
	case kind == "HogQLQuery":
		path = "query"
	case source == "HogQLQuery":
		path = "source.query"
	default:
		return ""
	}
	return gjson.Get(in.Query, path).String()
}

func ptrTime(t time.Time) *time.Time { return &t }

// projectTimezone is the project's timezone setting (UTC by default).
func projectTimezone(p *store.Project) string {
	if p != nil {
		if tz, _ := p.Settings["timezone"].(string); tz != "" {
			return tz
		}
	}
	return "UTC"
}
