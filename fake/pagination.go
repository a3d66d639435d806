package fake

// Pagination: limit/offset pages with next and previous URLs, as DRF renders them.

import (
	"net/url"
	"strconv"
)

// page is DRF's LimitOffsetPagination body.
type page struct {
	Count    int     `json:"count"`
	Next     *string `json:"next"`
	Previous *string `json:"previous"`
	Results  []any   `json:"results"`
}

// DefaultPageSize is PostHog's PAGE_SIZE (there is no maximum).
const DefaultPageSize = 100

// lastQueryValue is a query parameter as Django's QueryDict gives it: the last value when the
// parameter is repeated ("?limit=1&limit=2" is 2), "" when it is absent.
func lastQueryValue(q url.Values, key string) string {
	if vs := q[key]; len(vs) > 0 {
		return vs[len(vs)-1]
	}
	return ""
}

// limitOffset reads ?limit and ?offset: an invalid or non-positive limit falls back to the
// default, an invalid offset to 0.
func (c *call) limitOffset(defaultLimit int) (limit, offset int) {
	q := c.r.URL.Query()
	limit = defaultLimit
	if n, err := strconv.Atoi(lastQueryValue(q, "limit")); err == nil && n > 0 {
		limit = n
	}
	if n, err := strconv.Atoi(lastQueryValue(q, "offset")); err == nil && n > 0 {
		offset = n
	}
	return limit, offset
}

// paginate answers a list with limit/offset pagination; render turns one record into its
// JSON shape and is only called for the records on the page.
func paginate[T any](c *call, items []T, render func(T) any) page {
	limit, offset := c.limitOffset(DefaultPageSize)
	return paginateWith(c, items, render, limit, offset)
}

func paginateWith[T any](c *call, items []T, render func(T) any, limit, offset int) page {
	n := len(items)
	var window []T
	if offset < n {
		end := n
		if limit < n-offset { // not offset+limit, which overflows for ?limit=2^63-1
			end = offset + limit
		}
		window = items[offset:end]
	}
	return paginateWindow(c, window, n, render, limit, offset)
}

// paginateWindow is paginateWith for a caller that cut the page itself (the store's
// indexed listings): window holds the page's records and total counts them all.
func paginateWindow[T any](c *call, window []T, total int, render func(T) any, limit, offset int) page {
	n := total
	p := page{Count: n, Results: []any{}}
	if offset < n {
		p.Results = make([]any, 0, len(window))
		for _, it := range window {
			p.Results = append(p.Results, render(it))
		}
	}
	p.Next, p.Previous = c.pageLinks(n, limit, offset)
	return p
}

// pageLinks are a limit/offset page's next and previous URLs (nil when there is none).
func (c *call) pageLinks(total, limit, offset int) (next, previous *string) {
	if offset < total && limit < total-offset {
		next = c.pageURL(map[string]int{"limit": limit, "offset": offset + limit})
	}
	if offset > 0 {
		if offset-limit <= 0 {
			previous = c.pageURL(map[string]int{"limit": limit, "offset": -1})
		} else {
			previous = c.pageURL(map[string]int{"limit": limit, "offset": offset - limit})
		}
	}
	return next, previous
}

// pageURL is the absolute request URL with the given query parameters replaced (a negative
// value removes the parameter) and every other parameter kept.
func (c *call) pageURL(set map[string]int) *string {
	q := c.r.URL.Query()
	for k, v := range set {
		if v < 0 {
			q.Del(k)
		} else {
			q.Set(k, strconv.Itoa(v))
		}
	}
	u := url.URL{Path: c.r.URL.Path, RawQuery: q.Encode()}
	s := siteURL(c.r) + u.String()
	return &s
}

// activityPage is the page/limit body of PostHog's activity endpoints:
// {"results","next","previous","total_count"}.
type activityPage struct {
	Results    []any   `json:"results"`
	Next       *string `json:"next"`
	Previous   *string `json:"previous"`
	TotalCount int     `json:"total_count"`
}

// paginateActivity answers an activity listing with ?limit (default 10) and ?page (from 1).
func paginateActivity[T any](c *call, items []T, render func(T) any) activityPage {
	q := c.r.URL.Query()
	limit := 10
	if n, err := strconv.Atoi(lastQueryValue(q, "limit")); err == nil && n > 0 {
		limit = n
	}
	pg := 1
	if n, err := strconv.Atoi(lastQueryValue(q, "page")); err == nil && n > 0 {
		pg = n
	}
	out := activityPage{Results: []any{}, TotalCount: len(items)}
	start := (pg - 1) * limit
	for i := start; i < len(items) && i < start+limit; i++ {
		out.Results = append(out.Results, render(items[i]))
	}
	if start+limit < len(items) {
		out.Next = c.pageURL(map[string]int{"page": pg + 1, "limit": limit})
	}
	if pg > 1 {
		out.Previous = c.pageURL(map[string]int{"page": pg - 1, "limit": limit})
	}
	return out
}
