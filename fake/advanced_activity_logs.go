package fake

// The advanced activity log routes: the entry view, the organization-level access rule and
// the query's filters read from the URL.

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/fakehog/fakehog/fake/store"
	"github.com/tidwall/gjson"
)

// activityLogJSON is PostHog's ActivityLog (ActivityLogSerializer, all fields).
type activityLogJSON struct {
	ID              string         `json:"id"`
	User            *userBasicJSON `json:"user"`
	Unread          bool           `json:"unread"`
	OrganizationID  *string        `json:"organization_id"`
	TeamID          *int           `json:"team_id"`
	WasImpersonated bool           `json:"was_impersonated"`
	IsSystem        bool           `json:"is_system"`
	Client          *string        `json:"client"`
	Activity        string         `json:"activity"`
	ItemID          *string        `json:"item_id"`
	Scope           string         `json:"scope"`
	Detail          any            `json:"detail"`
	CreatedAt       string         `json:"created_at"`
}

// activityLogView renders an entry. unread is false: the list's serializer context carries
// no user to compare a bookmark with.
func activityLogView(tx *store.Tx, e *store.ActivityEntry) activityLogJSON {
	org := e.OrgID
	v := activityLogJSON{ID: e.ID, User: userBasicByID(tx, e.UserID), OrganizationID: &org, TeamID: e.TeamID,
		IsSystem: e.IsSystem(), Activity: e.Activity, Scope: e.Scope, Detail: e.Detail(), CreatedAt: isoTime(e.CreatedAt)}
	if e.ItemID != "" {
		id := e.ItemID
		v.ItemID = &id
	}
	return v
}

// requireOrgActivityLog is the organization activity log's permissions: the audit_logs
// plan feature on Cloud (402, premium_feature_on_cloud), then admin or owner (403).
func (c *call) requireOrgActivityLog() error {
	if err := c.tx.RequireCloudFeature(c.org, "audit_logs"); err != nil {
		return err
	}
	if c.member.Level < store.LevelAdmin {
		return store.Forbidden("Only organization admins and owners can view organization-wide activity logs.")
	}
	return nil
}

// activityQuery is the validated query of the list (AdvancedActivityLogFiltersSerializer).
type activityQuery struct {
	filter   store.ActivityFilter
	page     int // 0 = cursor pagination
	pageSize int
	follow   bool
}

// queryValue is a query string value as the field rules see it.
func queryValue(s string) gjson.Result { return gjson.Result{Type: gjson.String, Str: s} }

// queryList reads a list parameter as PostHog's JSONTolerantListField: repeated
// parameters, or one JSON-encoded array; each item is cleaned by child (attr name__index).
func queryList(q url.Values, name string, child store.Field) ([]any, error) {
	raw := q[name]
	var items []gjson.Result
	if len(raw) == 1 {
		c := strings.TrimSpace(raw[0])
		if strings.HasPrefix(c, "[") && strings.HasSuffix(c, "]") && gjson.Valid(c) {
			items = gjson.Parse(c).Array()
			if items == nil {
				items = []gjson.Result{}
			}
		}
	}
	if items == nil {
		for _, v := range raw {
			items = append(items, queryValue(v))
		}
	}
	out := make([]any, 0, len(items))
	for i, it := range items {
		f := child
		f.Name = fmt.Sprintf("%s__%d", name, i)
		v, err := f.CleanValue(it)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// lastValue is the parameter's last value, as Django's QueryDict reads one.
func lastValue(q url.Values, name string) string {
	vals := q[name]
	if len(vals) == 0 {
		return ""
	}
	return vals[len(vals)-1]
}

// queryScalar cleans an optional scalar parameter; an empty value counts as absent (as DRF
// reads form input), unless the field is nullable, when it is null.
func queryScalar(q url.Values, f store.Field) (any, bool, error) {
	if _, ok := q[f.Name]; !ok {
		return nil, false, nil
	}
	s := lastValue(q, f.Name)
	if s == "" {
		if f.Nullable {
			return nil, true, nil
		}
		return nil, false, nil
	}
	if f.Nullable && (s == "null" || s == "Null" || s == "NULL") {
		return nil, true, nil
	}
	v, err := f.CleanValue(queryValue(s))
	if err != nil {
		return nil, false, err
	}
	return v, true, nil
}

func strs(vals []any) []string {
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = fmt.Sprint(v)
	}
	return out
}

func boolPtr(v any, set bool) *bool {
	b, ok := v.(bool)
	if !set || !ok {
		return nil
	}
	return &b
}

// ipFilterCheck is PostHog's _validate_ip_or_wildcard.
func ipFilterCheck(v any) *store.Error {
	const msg = "Invalid IP address format. Use a valid IPv4/IPv6 address or a wildcard like `203.0.113.*`."
	s := strings.TrimSpace(fmt.Sprint(v))
	if s == "" || strings.Trim(s, "0123456789abcdefABCDEF:.*") != "" {
		return store.Invalid(msg)
	}
	if strings.Contains(s, "*") {
		return nil
	}
	parts := strings.Split(s, ".")
	if len(parts) == 4 {
		for _, p := range parts {
			n, err := strconv.Atoi(p)
			if err != nil || len(p) > 3 {
				return store.Invalid(msg)
			}
			if n > 255 {
				return store.Invalid(msg)
			}
		}
		return nil
	}
	if !strings.Contains(s, ":") {
		return store.Invalid(msg)
	}
	return nil
}

// parseActivityQuery validates the list's query parameters in PostHog's field order and
// reports the first error.
func parseActivityQuery(q url.Values) (activityQuery, error) {
	var aq activityQuery
	f := &aq.filter
	for _, name := range []string{"start_date", "end_date"} {
		v, set, err := queryScalar(q, store.Field{Name: name, Kind: store.DateTime})
		if err != nil {
			return aq, err
		}
		if t, ok := v.(time.Time); set && ok {
			if name == "start_date" {
				f.Start = &t
			} else {
				f.End = &t
			}
		}
	}
	lists := []struct {
		name  string
		child store.Field
		into  *[]string
	}{
		{"users", store.Field{Kind: store.UUID}, &f.Users},
		{"scopes", store.Field{Kind: store.String}, &f.Scopes},
		{"activities", store.Field{Kind: store.String}, &f.Activities},
		{"clients", store.Field{Kind: store.String}, &f.Clients},
		{"ip_addresses", store.Field{Kind: store.String, Check: ipFilterCheck}, &f.IPAddresses},
	}
	for _, l := range lists {
		vals, err := queryList(q, l.name, l.child)
		if err != nil {
			return aq, err
		}
		*l.into = strs(vals)
	}
	for i, u := range f.Users { // Python's UUID spelling: lowercase, hyphenated
		h := strings.ReplaceAll(u, "-", "")
		f.Users[i] = h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
	}
	teams, err := queryList(q, "team_ids", store.Field{Kind: store.Int})
	if err != nil {
		return aq, err
	}
	for _, t := range teams {
		f.TeamIDs = append(f.TeamIDs, t.(int))
	}
	if v, set, err := queryScalar(q, store.Field{Name: "search_text", Kind: store.String, AllowBlank: true}); err != nil {
		return aq, err
	} else if set {
		f.SearchText = v.(string)
	}
	if _, ok := q["detail_filters"]; ok {
		s := lastValue(q, "detail_filters")
		if !gjson.Valid(s) {
			return aq, store.FieldError("detail_filters", "invalid_input", "Value must be valid JSON.")
		}
		details, derr := store.ParseDetailFilters(gjson.Parse(s).Value())
		if derr != nil {
			derr.Attr = "detail_filters"
			return aq, derr
		}
		f.Details = details
	}
	if _, _, err := queryScalar(q, store.Field{Name: "hogql_filter", Kind: store.String, AllowBlank: true}); err != nil {
		return aq, err // accepted and ignored, as in PostHog
	}
	v, set, err := queryScalar(q, store.Field{Name: "was_impersonated", Kind: store.Bool, Nullable: true})
	if err != nil {
		return aq, err
	}
	f.WasImpersonated = boolPtr(v, set)
	if v, set, err = queryScalar(q, store.Field{Name: "is_system", Kind: store.Bool, Nullable: true}); err != nil {
		return aq, err
	}
	f.IsSystem = boolPtr(v, set)
	items, err := queryList(q, "item_ids", store.Field{Kind: store.String})
	if err != nil {
		return aq, err
	}
	f.ItemIDs = strs(items)
	if v, set, err = queryScalar(q, store.Field{Name: "ordering", Kind: store.Choice, Choices: []any{"-created_at", "created_at"}}); err != nil {
		return aq, err
	}
	f.Ascending = set && v == "created_at"
	if v, set, err = queryScalar(q, store.Field{Name: "follow", Kind: store.Bool}); err != nil {
		return aq, err
	}
	aq.follow = set && v == true
	if v, set, err = queryScalar(q, store.Field{Name: "page", Kind: store.Int, Min: store.IntP(1)}); err != nil {
		return aq, err
	} else if set {
		aq.page = v.(int)
	}
	aq.pageSize = DefaultPageSize
	if v, set, err = queryScalar(q, store.Field{Name: "page_size", Kind: store.Int, Min: store.IntP(1), Max: store.IntP(1000)}); err != nil {
		return aq, err
	} else if set {
		aq.pageSize = v.(int)
	}
	return aq, nil
}

// linkWith is the absolute request URL with parameters replaced ("" removes one).
func linkWith(c *call, set map[string]string) *string {
	q := c.r.URL.Query()
	for k, v := range set {
		if v == "" {
			q.Del(k)
		} else {
			q.Set(k, v)
		}
	}
	u := url.URL{Path: c.r.URL.Path, RawQuery: q.Encode()}
	s := siteURL(c.r) + u.String()
	return &s
}

// activityCursor is a position in the ordering: after (or, reversed, before) an entry.
type activityCursor struct {
	at      time.Time
	id      string
	reverse bool
}

// encodeCursor follows DRF's CursorPagination encoding (base64 of a query string).
func encodeCursor(at time.Time, id string, reverse bool) string {
	v := url.Values{"p": {at.UTC().Format(time.RFC3339Nano) + "|" + id}}
	if reverse {
		v.Set("r", "1")
	}
	return base64.StdEncoding.EncodeToString([]byte(v.Encode()))
}

func decodeCursor(s string) (*activityCursor, error) {
	bad := store.NotFound("Invalid cursor")
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, bad
	}
	v, err := url.ParseQuery(string(raw))
	if err != nil {
		return nil, bad
	}
	at, id, ok := strings.Cut(v.Get("p"), "|")
	t, terr := time.Parse(time.RFC3339Nano, at)
	if !ok || terr != nil {
		return nil, bad
	}
	return &activityCursor{at: t, id: id, reverse: v.Get("r") == "1"}, nil
}

// before reports whether e comes before the cursor's position in the list's order.
func (cur *activityCursor) before(e *store.ActivityEntry, ascending bool) bool {
	if !e.CreatedAt.Equal(cur.at) {
		return e.CreatedAt.After(cur.at) != ascending
	}
	return (e.ID > cur.id) != ascending
}

// activityCursorPage is DRF's CursorPagination over the ordered entries. PostHog's cursor
// pages carry no count; the fake adds it, as the reference schema requires one.
func activityCursorPage(c *call, entries []*store.ActivityEntry, aq activityQuery) (page, error) {
	var cur *activityCursor
	if s := c.r.URL.Query().Get("cursor"); s != "" {
		var err error
		if cur, err = decodeCursor(s); err != nil {
			return page{}, err
		}
	}
	asc := aq.filter.Ascending
	start, end := 0, len(entries) // the window [start, end) the page is cut from
	if cur != nil {
		split := 0 // entries[:split] come before the position
		for split < len(entries) && cur.before(entries[split], asc) {
			split++
		}
		if cur.reverse {
			end = split
			if end-aq.pageSize > 0 {
				start = end - aq.pageSize
			}
		} else {
			start = split
			if split < len(entries) && entries[split].ID == cur.id {
				start++ // the position's own entry was on the previous page
			}
		}
	}
	if cur == nil || !cur.reverse {
		if start+aq.pageSize < end {
			end = start + aq.pageSize
		}
	}
	p := page{Count: len(entries), Results: []any{}}
	for _, e := range entries[start:end] {
		p.Results = append(p.Results, activityLogView(c.tx, e))
	}
	if end < len(entries) && end > start {
		last := entries[end-1]
		p.Next = linkWith(c, map[string]string{"cursor": encodeCursor(last.CreatedAt, last.ID, false)})
	} else if asc && aq.follow {
		// Following the tail: the link stays valid past the last entry.
		switch {
		case end > start:
			last := entries[end-1]
			p.Next = linkWith(c, map[string]string{"cursor": encodeCursor(last.CreatedAt, last.ID, false)})
		case cur != nil:
			p.Next = linkWith(c, map[string]string{"cursor": encodeCursor(cur.at, cur.id, false)})
		}
	}
	if start > 0 && start < end {
		first := entries[start]
		p.Previous = linkWith(c, map[string]string{"cursor": encodeCursor(first.CreatedAt, first.ID, true)})
	}
	return p, nil
}

// activityNumberPage is DRF's PageNumberPagination (?page, ?page_size).
func activityNumberPage(c *call, entries []*store.ActivityEntry, aq activityQuery) (page, error) {
	pages := (len(entries) + aq.pageSize - 1) / aq.pageSize
	if pages == 0 {
		pages = 1
	}
	if aq.page > pages {
		return page{}, store.NotFound("Invalid page.")
	}
	start := (aq.page - 1) * aq.pageSize
	end := start + aq.pageSize
	if end > len(entries) {
		end = len(entries)
	}
	p := page{Count: len(entries), Results: []any{}}
	for _, e := range entries[start:end] {
		p.Results = append(p.Results, activityLogView(c.tx, e))
	}
	if aq.page < pages {
		p.Next = linkWith(c, map[string]string{"page": strconv.Itoa(aq.page + 1)})
	}
	if aq.page > 1 {
		prev := ""
		if aq.page-1 > 1 {
			prev = strconv.Itoa(aq.page - 1)
		}
		p.Previous = linkWith(c, map[string]string{"page": prev})
	}
	return p, nil
}

func (s *Server) listAdvancedActivityLogs(c *call) (any, error) {
	if err := c.requireOrgActivityLog(); err != nil {
		return nil, err
	}
	aq, err := parseActivityQuery(c.r.URL.Query())
	if err != nil {
		return nil, err
	}
	entries := c.tx.AdvancedActivity(c.org, aq.filter)
	if aq.page > 0 {
		return activityNumberPage(c, entries, aq)
	}
	return activityCursorPage(c, entries, aq)
}

// filterOptionJSON renders filter options: {"value"} or, for users, {"value","label"}.
func filterOptionsJSON(opts []store.ActivityFilterOption, labelled bool) []map[string]string {
	out := []map[string]string{}
	for _, o := range opts {
		m := map[string]string{"value": o.Value}
		if labelled {
			m["label"] = o.Label
		}
		out = append(out, m)
	}
	return out
}

func (s *Server) advancedActivityLogAvailableFilters(c *call) (any, error) {
	if err := c.requireOrgActivityLog(); err != nil {
		return nil, err
	}
	af := c.tx.AdvancedActivityFilters(c.org)
	details := map[string]any{}
	for scope, fields := range af.DetailFields {
		list := []map[string]any{}
		for _, f := range fields {
			list = append(list, map[string]any{"name": f.Name, "types": f.Types})
		}
		details[scope] = map[string]any{"fields": list}
	}
	return map[string]any{
		"static_filters": map[string]any{
			"users": filterOptionsJSON(af.Users, true), "scopes": filterOptionsJSON(af.Scopes, false),
			"activities": filterOptionsJSON(af.Activities, false), "clients": filterOptionsJSON(af.Clients, false),
		},
		"detail_fields": details,
	}, nil
}

// advancedActivityLogExport answers as PostHog's organization-scoped endpoint does: exports
// need a project, so the action refuses with a hand-made 400 once the permissions pass.
func (s *Server) advancedActivityLogExport(c *call) (any, error) {
	if err := c.requireOrgActivityLog(); err != nil {
		return nil, err
	}
	return nil, store.HandMade(400, map[string]any{"error": "Export is not yet supported on the organization-scoped activity logs endpoint."})
}
