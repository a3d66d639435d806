package fake

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// The console's pages of records (issue #23): a world may hold 100,000 members, so every
// list the console shows is a page — a limit (?limit, default consolePageSize) and an offset
// per list (?offset on a page with one list, ?<section>_offset on an organization's page),
// with a search box where a list can be searched — and each page's data is copied out of the
// store in one short read transaction, then rendered outside it.

// consolePageSize is how many rows a console list shows by default; ?limit changes it, up to
// consoleMaxPageSize.
const (
	consolePageSize    = 50
	consoleMaxPageSize = 500
)

// consolePaging reads a console request's paging parameters.
type consolePaging struct {
	q     url.Values
	limit int
}

func newConsolePaging(r *http.Request) consolePaging {
	p := consolePaging{q: r.URL.Query(), limit: consolePageSize}
	if n, err := strconv.Atoi(lastQueryValue(p.q, "limit")); err == nil && n > 0 {
		p.limit = min(n, consoleMaxPageSize)
	}
	return p
}

// param is a list's parameter: "offset" for the page's only list (prefix ""), or
// "<prefix>_offset".
func param(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "_" + name
}

// offset is where the list named prefix starts (0 when absent or invalid).
func (p consolePaging) offset(prefix string) int {
	if n, err := strconv.Atoi(lastQueryValue(p.q, param(prefix, "offset"))); err == nil && n > 0 {
		return n
	}
	return 0
}

// search is the list's search term.
func (p consolePaging) search(prefix string) string {
	return strings.TrimSpace(lastQueryValue(p.q, param(prefix, "search")))
}

// consolePager is what a list's pager shows: where the page is in the list, and the links
// to the pages around it (query strings relative to the page, "" when there is none).
type consolePager struct {
	Total, From, To     int // rows From..To (1-based) of Total
	First, Prev, Next   string
	Last                string
	Anchor              string // the list's element id, so a link lands on it
	SearchParam, Search string // the search box's field and value ("" when it has none)
	Hidden              []consoleHidden
}

// consoleHidden is a parameter the search form carries along (the other lists' places).
type consoleHidden struct{ Name, Value string }

// Paged reports whether the list has more than one page (the pager is then shown).
func (p consolePager) Paged() bool { return p.Prev != "" || p.Next != "" }

// pager builds the pager of the list named prefix, shown at offset, of total rows.
// searchable gives it a search box.
func (p consolePaging) pager(prefix, anchor string, total, offset int, searchable bool) consolePager {
	out := consolePager{Total: total, Anchor: anchor}
	if offset < total {
		out.From, out.To = offset+1, min(offset+p.limit, total)
	}
	link := func(at int) string {
		q := url.Values{}
		for k, v := range p.q {
			q[k] = v
		}
		if at <= 0 {
			q.Del(param(prefix, "offset"))
		} else {
			q.Set(param(prefix, "offset"), strconv.Itoa(at))
		}
		s := "?" + q.Encode()
		if anchor != "" {
			s += "#" + anchor
		}
		return s
	}
	if offset > 0 {
		out.First, out.Prev = link(0), link(max(offset-p.limit, 0))
	}
	if offset+p.limit < total {
		out.Next = link(offset + p.limit)
		out.Last = link((total - 1) / p.limit * p.limit)
	}
	if searchable {
		out.SearchParam, out.Search = param(prefix, "search"), p.search(prefix)
		// A new search starts the list afresh; the page keeps everything else.
		for _, k := range slices.Sorted(maps.Keys(p.q)) {
			if k == out.SearchParam || k == param(prefix, "offset") || len(p.q[k]) == 0 {
				continue
			}
			out.Hidden = append(out.Hidden, consoleHidden{k, lastQueryValue(p.q, k)})
		}
	}
	return out
}

// cutRows is the page [offset, offset+limit) of a list the store gives whole, and its length.
func cutRows[T any](all []T, offset, limit int) ([]T, int) {
	if offset >= len(all) {
		return nil, len(all)
	}
	return all[offset : offset+min(limit, len(all)-offset)], len(all)
}
