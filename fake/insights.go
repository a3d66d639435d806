package fake

// The insight routes (posthog/api/insight.py): the insight views (full and basic), their
// list filters, and the handlers. Results come from insight_results.go.

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"

	"github.com/fakehog/fakehog/fake/store"
	"github.com/tidwall/gjson"
)

// insightRoutes are the insight operations, relative to a project.
func insightRoutes(s *Server) []route {
	return underBothRoots(
		route{"GET", "insights/", "insight:read", 0, 0, s.listInsights},
		route{"POST", "insights/", "insight:write", 0, 201, s.createInsight},
		route{"GET", "insights/{id}/", "insight:read", 0, 0, s.getInsight},
		route{"PUT", "insights/{id}/", "insight:write", 0, 0, s.updateInsight},
		route{"PATCH", "insights/{id}/", "insight:write", 0, 0, s.updateInsight},
		route{"DELETE", "insights/{id}/", "insight:write", 0, 0, s.deleteInsight},
	)
}

// privilegeCanEdit is Dashboard.PrivilegeLevel.CAN_EDIT: every member may edit insights and
// dashboards here (access controls are applied by the permission pipeline).
const privilegeCanEdit = 37

// insightAlerts gives the alerts listed in an insight's view (PostHog's "alerts" field);
// the alerts family replaces it.
var insightAlerts = func(tx *store.Tx, in *store.Insight) []any { return []any{} }

// dashboardTileBasicJSON is PostHog's DashboardTileBasicSerializer.
type dashboardTileBasicJSON struct {
	ID          int  `json:"id"`
	DashboardID int  `json:"dashboard_id"`
	Deleted     bool `json:"deleted"`
}

// insightBasicJSON is PostHog's InsightBasicSerializer.
type insightBasicJSON struct {
	ID             int                      `json:"id"`
	ShortID        string                   `json:"short_id"`
	Name           *string                  `json:"name"`
	DerivedName    *string                  `json:"derived_name"`
	Filters        json.RawMessage          `json:"filters"`
	Query          json.RawMessage          `json:"query"`
	Dashboards     []int                    `json:"dashboards"`
	DashboardTiles []dashboardTileBasicJSON `json:"dashboard_tiles"`
	Description    *string                  `json:"description"`
	LastRefresh    *string                  `json:"last_refresh"`
	Refreshing     bool                     `json:"refreshing"`
	Saved          bool                     `json:"saved"`
	Tags           []string                 `json:"tags"`
	UpdatedAt      string                   `json:"updated_at"`
	CreatedBy      *userBasicJSON           `json:"created_by"`
	CreatedAt      string                   `json:"created_at"`
	LastModifiedAt string                   `json:"last_modified_at"`
	Favorited      bool                     `json:"favorited"`
}

// insightJSON is PostHog's InsightSerializer.
type insightJSON struct {
	ID             int                      `json:"id"`
	ShortID        string                   `json:"short_id"`
	Name           *string                  `json:"name"`
	DerivedName    *string                  `json:"derived_name"`
	Filters        json.RawMessage          `json:"filters"`
	Query          json.RawMessage          `json:"query"`
	Order          *int                     `json:"order"`
	Deleted        bool                     `json:"deleted"`
	Dashboards     []int                    `json:"dashboards"`
	DashboardTiles []dashboardTileBasicJSON `json:"dashboard_tiles"`
	insightResult
	CreatedAt                 string         `json:"created_at"`
	CreatedBy                 *userBasicJSON `json:"created_by"`
	Description               *string        `json:"description"`
	UpdatedAt                 string         `json:"updated_at"`
	Tags                      []string       `json:"tags"`
	Favorited                 bool           `json:"favorited"`
	Saved                     bool           `json:"saved"`
	LastModifiedAt            string         `json:"last_modified_at"`
	LastModifiedBy            *userBasicJSON `json:"last_modified_by"`
	IsSample                  bool           `json:"is_sample"`
	EffectiveRestrictionLevel int            `json:"effective_restriction_level"`
	EffectivePrivilegeLevel   int            `json:"effective_privilege_level"`
	UserAccessLevel           *string        `json:"user_access_level"`
	Alerts                    []any          `json:"alerts"`
	LastViewedAt              *string        `json:"last_viewed_at"`
}

// insightQueryJSON is the stored query as the view answers it (null without one).
func insightQueryJSON(in *store.Insight) json.RawMessage {
	if in.Query == "" {
		return json.RawMessage("null")
	}
	return json.RawMessage(in.Query)
}

// insightFiltersJSON: PostHog answers {} for a query-based insight, else the legacy filters.
func insightFiltersJSON(in *store.Insight) json.RawMessage {
	if in.Query != "" || in.Filters == "" {
		return json.RawMessage("{}")
	}
	return json.RawMessage(in.Filters)
}

func insightTilesJSON(tx *store.Tx, in *store.Insight) ([]int, []dashboardTileBasicJSON) {
	ids, tiles := []int{}, []dashboardTileBasicJSON{}
	for _, t := range tx.InsightTiles(in) {
		ids = append(ids, t.DashboardID)
		tiles = append(tiles, dashboardTileBasicJSON{ID: t.ID, DashboardID: t.DashboardID, Deleted: t.Deleted})
	}
	return ids, tiles
}

// insightBasicView is PostHog's InsightBasicSerializer (also an alert's "insight").
func insightBasicView(tx *store.Tx, in *store.Insight) any {
	ids, tiles := insightTilesJSON(tx, in)
	return insightBasicJSON{ID: in.ID, ShortID: in.ShortID, Name: in.Name, DerivedName: in.DerivedName,
		Filters: insightFiltersJSON(in), Query: insightQueryJSON(in), Dashboards: ids, DashboardTiles: tiles,
		Description: in.Description, LastRefresh: isoTimePtr(in.LastRefresh), Saved: in.Saved, Tags: append([]string{}, in.Tags...),
		UpdatedAt: isoTime(in.UpdatedAt), CreatedBy: userBasicByID(tx, in.CreatedBy), CreatedAt: isoTime(in.CreatedAt),
		LastModifiedAt: isoTime(in.LastModifiedAt), Favorited: in.Favorited}
}

// userAccessLevel is the caller's access level to an object they or others created: the
// creator and organization admins manage it, other members edit it.
func (c *call) userAccessLevel(createdBy int) *string {
	level := "editor"
	if createdBy == c.user.ID || c.member != nil && c.member.Level >= store.LevelAdmin {
		level = "manager"
	}
	return &level
}

// insightView is PostHog's InsightSerializer for the caller.
func (c *call) insightView(in *store.Insight) insightJSON {
	ids, tiles := insightTilesJSON(c.tx, in)
	return insightJSON{ID: in.ID, ShortID: in.ShortID, Name: in.Name, DerivedName: in.DerivedName,
		Filters: insightFiltersJSON(in), Query: insightQueryJSON(in), Order: in.Order, Deleted: in.Deleted,
		Dashboards: ids, DashboardTiles: tiles, insightResult: c.insightResultOf(in),
		CreatedAt: isoTime(in.CreatedAt), CreatedBy: userBasicByID(c.tx, in.CreatedBy), Description: in.Description,
		UpdatedAt: isoTime(in.UpdatedAt), Tags: append([]string{}, in.Tags...), Favorited: in.Favorited, Saved: in.Saved,
		LastModifiedAt: isoTime(in.LastModifiedAt), LastModifiedBy: userBasicByID(c.tx, in.LastModifiedBy), IsSample: in.IsSample,
		EffectiveRestrictionLevel: store.RestrictionEveryoneCanEdit, EffectivePrivilegeLevel: privilegeCanEdit,
		UserAccessLevel: c.userAccessLevel(in.CreatedBy), Alerts: insightAlerts(c.tx, in)}
}

// basicRequested is ?basic=true (InsightBasicSerializer on list and retrieve).
func (c *call) basicRequested() bool {
	return pyStrToBool(lastQueryValue(c.r.URL.Query(), "basic"))
}

// pyStrToBool is PostHog's str_to_bool.
func pyStrToBool(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "y", "yes", "t", "true", "on", "1":
		return true
	}
	return false
}

// insight finds the URL's live insight in the call's project (404 otherwise); a PATCH with
// "deleted": false also finds a soft-deleted one, to restore it.
func (c *call) insight() (*store.Insight, error) {
	id, err := strconv.Atoi(c.vars["id"])
	if err != nil {
		return nil, store.ErrNotFound()
	}
	if c.r.Method == "PATCH" {
		if body, _ := c.object(); body.Get("deleted").Type == gjson.False {
			return orNotFound(c.tx.InsightWithDeleted(c.project.ID, id))
		}
	}
	return orNotFound(c.tx.Insight(c.project.ID, id))
}

func (s *Server) listInsights(c *call) (any, error) {
	list, err := c.filterInsights(c.tx.Insights(c.project.ID, false))
	if err != nil {
		return nil, err
	}
	if c.basicRequested() {
		return paginate(c, list, func(in *store.Insight) any { return insightBasicView(c.tx, in) }), nil
	}
	return paginate(c, list, func(in *store.Insight) any { return c.insightView(in) }), nil
}

// filterInsights applies the list's query parameters as InsightViewSet does: short_id and
// created_by (django-filter), saved, favorited, user, search, dashboards, insight, order.
func (c *call) filterInsights(list []*store.Insight) ([]*store.Insight, error) {
	q := c.r.URL.Query()
	keep := func(pred func(in *store.Insight) bool) {
		out := list[:0:0]
		for _, in := range list {
			if pred(in) {
				out = append(out, in)
			}
		}
		list = out
	}
	if q.Has("short_id") {
		sid := lastQueryValue(q, "short_id")
		keep(func(in *store.Insight) bool { return in.ShortID == sid })
	}
	if q.Has("created_by") && lastQueryValue(q, "created_by") != "" {
		uid, err := strconv.Atoi(lastQueryValue(q, "created_by"))
		if err != nil {
			return nil, store.FieldError("created_by", "invalid_choice", "Select a valid choice. That choice is not one of the available choices.")
		}
		keep(func(in *store.Insight) bool { return in.CreatedBy == uid })
	}
	if q.Has("saved") {
		if pyStrToBool(lastQueryValue(q, "saved")) {
			keep(func(in *store.Insight) bool { return in.Saved || len(c.tx.InsightTiles(in)) > 0 })
		} else {
			keep(func(in *store.Insight) bool { return !in.Saved })
		}
	}
	if q.Has("favorited") {
		keep(func(in *store.Insight) bool { return in.Favorited })
	}
	if q.Has("user") {
		keep(func(in *store.Insight) bool { return in.CreatedBy == c.user.ID })
	}
	if search := strings.ToLower(lastQueryValue(q, "search")); search != "" {
		keep(func(in *store.Insight) bool { return insightMatches(in, search) })
	}
	if raw := lastQueryValue(q, "dashboards"); raw != "" {
		var ids []int
		if json.Unmarshal([]byte(raw), &ids) != nil {
			return nil, store.Invalid("dashboards must be a JSON list of dashboard ids.")
		}
		for _, id := range ids {
			keep(func(in *store.Insight) bool { return containsID(c.tx.InsightDashboardIDs(in), id) })
		}
	}
	if kind := lastQueryValue(q, "insight"); kind != "" {
		keep(func(in *store.Insight) bool {
			k, source := store.InsightQueryKind(in)
			sql := (k == "DataVisualizationNode" || k == "DataTableNode" || k == "InsightVizNode") && source == "HogQLQuery"
			switch kind {
			case "JSON":
				return in.Query != "" && !sql
			case "SQL":
				return in.Query != "" && sql
			}
			return in.Query == "" && gjson.Get(in.Filters, "insight").String() == kind
		})
	}
	sortInsights(list, lastQueryValue(q, "order"))
	return list, nil
}

func insightMatches(in *store.Insight, search string) bool {
	for _, s := range []*string{in.Name, in.DerivedName, in.Description} {
		if s != nil && strings.Contains(strings.ToLower(*s), search) {
			return true
		}
	}
	for _, t := range in.Tags {
		if strings.Contains(t, search) {
			return true
		}
	}
	return false
}

func containsID(ids []int, id int) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// sortInsights orders a list by ?order (a field, "-" for descending); the default is the
// insights' "order" (nulls last, as Postgres sorts them), then creation.
func sortInsights(list []*store.Insight, order string) {
	desc := strings.HasPrefix(order, "-")
	field := strings.TrimPrefix(order, "-")
	less := func(a, b *store.Insight) int {
		switch field {
		case "last_modified_at":
			return a.LastModifiedAt.Compare(b.LastModifiedAt)
		case "created_at":
			return a.CreatedAt.Compare(b.CreatedAt)
		case "updated_at":
			return a.UpdatedAt.Compare(b.UpdatedAt)
		case "id":
			return a.ID - b.ID
		case "name":
			return strings.Compare(deref(a.Name), deref(b.Name))
		}
		switch {
		case a.Order == nil && b.Order == nil:
			return 0
		case a.Order == nil:
			return 1
		case b.Order == nil:
			return -1
		}
		return *a.Order - *b.Order
	}
	sort.SliceStable(list, func(i, j int) bool {
		if desc {
			return less(list[i], list[j]) > 0
		}
		return less(list[i], list[j]) < 0
	})
}

// insightValues reads an insight body: the query's shape first (QuerySchemaParser runs
// before the serializer), then the fields.
func (c *call) insightValues(mode store.Mode) (store.Values, error) {
	body, err := c.object()
	if err != nil {
		return nil, err
	}
	if q := body.Get("query"); q.Exists() {
		if err := store.CheckInsightQuery(q.Value()); err != nil {
			return nil, err
		}
	}
	vals, ferr := store.InsightFields.Validate(body, mode)
	if ferr != nil {
		return nil, ferr
	}
	return vals, nil
}

func (s *Server) createInsight(c *call) (any, error) {
	vals, err := c.insightValues(store.Create)
	if err != nil {
		return nil, err
	}
	in, err := c.tx.CreateInsight(c.project.ID, vals, c.user)
	if err != nil {
		return nil, err
	}
	if c.refreshRequested() {
		c.tx.RefreshInsight(in)
	}
	return c.insightView(in), nil
}

func (s *Server) getInsight(c *call) (any, error) {
	in, err := c.insight()
	if err != nil {
		return nil, err
	}
	if c.basicRequested() {
		return insightBasicView(c.tx, in), nil
	}
	return c.insightView(in), nil
}

// updateInsight serves PUT and PATCH; {"deleted": true} is how an insight is deleted.
func (s *Server) updateInsight(c *call) (any, error) {
	in, err := c.insight()
	if err != nil {
		return nil, err
	}
	vals, err := c.insightValues(c.writeMode())
	if err != nil {
		return nil, err
	}
	if err := c.tx.UpdateInsight(in, vals, c.user); err != nil {
		return nil, err
	}
	if c.refreshRequested() {
		c.tx.RefreshInsight(in)
	}
	return c.insightView(in), nil
}

// deleteInsight is ForbidDestroyModel's destroy: 405 with no body, the insight untouched
// (PATCH {"deleted": true} deletes).
func (s *Server) deleteInsight(c *call) (any, error) {
	return nil, store.EmptyBody(405)
}
