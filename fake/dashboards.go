package fake

// The dashboard routes (posthog/api/dashboards/dashboard.py): the dashboard views (basic
// for lists, full with its tiles otherwise), the tile view, and the handlers, move_tile
// included.

import (
	"encoding/json"
	"strconv"

	"github.com/fakehog/fakehog/fake/store"
	"github.com/tidwall/gjson"
)

// dashboardRoutes are the dashboard operations, relative to a project.
func dashboardRoutes(s *Server) []route {
	return underBothRoots(
		route{"GET", "dashboards/", "dashboard:read", 0, 0, s.listDashboards},
		route{"POST", "dashboards/", "dashboard:write", 0, 201, s.createDashboard},
		route{"GET", "dashboards/{id}/", "dashboard:read", 0, 0, s.getDashboard},
		route{"PUT", "dashboards/{id}/", "dashboard:write", 0, 0, s.updateDashboard},
		route{"PATCH", "dashboards/{id}/", "dashboard:write", 0, 0, s.updateDashboard},
		route{"DELETE", "dashboards/{id}/", "dashboard:write", 0, 0, s.deleteDashboard},
		route{"PATCH", "dashboards/{id}/move_tile/", "dashboard:write", 0, 0, s.moveDashboardTile},
	)
}

// dashboardBasicJSON is PostHog's DashboardBasicSerializer (the list's shape).
type dashboardBasicJSON struct {
	ID                        int            `json:"id"`
	Name                      *string        `json:"name"`
	Description               string         `json:"description"`
	Pinned                    bool           `json:"pinned"`
	CreatedAt                 string         `json:"created_at"`
	CreatedBy                 *userBasicJSON `json:"created_by"`
	LastAccessedAt            *string        `json:"last_accessed_at"`
	LastViewedAt              *string        `json:"last_viewed_at"`
	IsShared                  bool           `json:"is_shared"`
	Deleted                   bool           `json:"deleted"`
	CreationMode              string         `json:"creation_mode"`
	Tags                      []string       `json:"tags"`
	RestrictionLevel          int            `json:"restriction_level"`
	EffectiveRestrictionLevel int            `json:"effective_restriction_level"`
	EffectivePrivilegeLevel   int            `json:"effective_privilege_level"`
	UserAccessLevel           *string        `json:"user_access_level"`
	AccessControlVersion      string         `json:"access_control_version"`
	LastRefresh               *string        `json:"last_refresh"`
	TeamID                    int            `json:"team_id"`
}

// dashboardJSON is PostHog's DashboardSerializer.
type dashboardJSON struct {
	ID                        int             `json:"id"`
	Name                      *string         `json:"name"`
	Description               string          `json:"description"`
	Pinned                    bool            `json:"pinned"`
	CreatedAt                 string          `json:"created_at"`
	CreatedBy                 *userBasicJSON  `json:"created_by"`
	LastAccessedAt            *string         `json:"last_accessed_at"`
	LastViewedAt              *string         `json:"last_viewed_at"`
	IsShared                  bool            `json:"is_shared"`
	Deleted                   bool            `json:"deleted"`
	CreationMode              string          `json:"creation_mode"`
	Filters                   json.RawMessage `json:"filters"`
	Variables                 json.RawMessage `json:"variables"`
	BreakdownColors           json.RawMessage `json:"breakdown_colors"`
	DataColorThemeID          *int            `json:"data_color_theme_id"`
	Tags                      []string        `json:"tags"`
	RestrictionLevel          int             `json:"restriction_level"`
	EffectiveRestrictionLevel int             `json:"effective_restriction_level"`
	EffectivePrivilegeLevel   int             `json:"effective_privilege_level"`
	UserAccessLevel           *string         `json:"user_access_level"`
	AccessControlVersion      string          `json:"access_control_version"`
	LastRefresh               *string         `json:"last_refresh"`
	PersistedFilters          json.RawMessage `json:"persisted_filters"`
	PersistedVariables        json.RawMessage `json:"persisted_variables"`
	TeamID                    int             `json:"team_id"`
	QuickFilterIDs            []string        `json:"quick_filter_ids"`
	Tiles                     []tileJSON      `json:"tiles"`
}

// tileJSON is PostHog's DashboardTileSerializer.
type tileJSON struct {
	ID                    int             `json:"id"`
	Insight               *insightJSON    `json:"insight"`
	Text                  *textJSON       `json:"text"`
	ButtonTile            any             `json:"button_tile"`
	Layouts               json.RawMessage `json:"layouts"`
	Color                 *string         `json:"color"`
	ShowDescription       *bool           `json:"show_description"`
	TransparentBackground *bool           `json:"transparent_background"`
	FiltersOverrides      json.RawMessage `json:"filters_overrides"`
	Order                 int             `json:"order"`
	LastRefresh           *string         `json:"last_refresh"`
	IsCached              bool            `json:"is_cached"`
}

// textJSON is PostHog's TextSerializer.
type textJSON struct {
	ID             int                      `json:"id"`
	CreatedBy      *userBasicJSON           `json:"created_by"`
	LastModifiedBy *userBasicJSON           `json:"last_modified_by"`
	Body           *string                  `json:"body"`
	DashboardTiles []dashboardTileBasicJSON `json:"dashboard_tiles"`
	LastModifiedAt string                   `json:"last_modified_at"`
	Team           int                      `json:"team"`
}

// jsonOr is stored compact JSON, or the fallback when there is none.
func jsonOr(s, fallback string) json.RawMessage {
	if s == "" {
		return json.RawMessage(fallback)
	}
	return json.RawMessage(s)
}

// accessControlVersion: a dashboard restricted with the old dashboard permissions is "v1".
func accessControlVersion(d *store.Dashboard) string {
	if d.RestrictionLevel > store.RestrictionEveryoneCanEdit {
		return "v1"
	}
	return "v2"
}

func (c *call) dashboardBasicView(d *store.Dashboard) dashboardBasicJSON {
	return dashboardBasicJSON{ID: d.ID, Name: d.Name, Description: d.Description, Pinned: d.Pinned,
		CreatedAt: isoTime(d.CreatedAt), CreatedBy: userBasicByID(c.tx, d.CreatedBy), LastAccessedAt: isoTimePtr(d.LastAccessedAt),
		Deleted: d.Deleted, CreationMode: d.CreationMode, Tags: append([]string{}, d.Tags...), RestrictionLevel: d.RestrictionLevel,
		EffectiveRestrictionLevel: d.RestrictionLevel, EffectivePrivilegeLevel: privilegeCanEdit,
		UserAccessLevel: c.userAccessLevel(d.CreatedBy), AccessControlVersion: accessControlVersion(d),
		LastRefresh: isoTimePtr(d.LastRefresh), TeamID: d.ProjectID}
}

// dashboardView is the full dashboard with its tiles, in layout order.
func (c *call) dashboardView(d *store.Dashboard) dashboardJSON {
	persisted := func(s string) json.RawMessage {
		if s == "" || s == "{}" {
			return json.RawMessage("null")
		}
		return json.RawMessage(s)
	}
	v := dashboardJSON{ID: d.ID, Name: d.Name, Description: d.Description, Pinned: d.Pinned,
		CreatedAt: isoTime(d.CreatedAt), CreatedBy: userBasicByID(c.tx, d.CreatedBy), LastAccessedAt: isoTimePtr(d.LastAccessedAt),
		Deleted: d.Deleted, CreationMode: d.CreationMode, Filters: jsonOr(d.Filters, "{}"), Variables: jsonOr(d.Variables, "{}"),
		BreakdownColors: jsonOr(d.BreakdownColors, "null"), DataColorThemeID: d.DataColorThemeID, Tags: append([]string{}, d.Tags...),
		RestrictionLevel: d.RestrictionLevel, EffectiveRestrictionLevel: d.RestrictionLevel, EffectivePrivilegeLevel: privilegeCanEdit,
		UserAccessLevel: c.userAccessLevel(d.CreatedBy), AccessControlVersion: accessControlVersion(d),
		LastRefresh: isoTimePtr(d.LastRefresh), PersistedFilters: persisted(d.Filters), PersistedVariables: persisted(d.Variables),
		TeamID: d.ProjectID, QuickFilterIDs: []string{}, Tiles: []tileJSON{}}
	for i, t := range c.tx.DashboardTiles(d) {
		v.Tiles = append(v.Tiles, c.tileView(t, i))
	}
	return v
}

// tileView is one tile; its insight is the full insight view, its last_refresh and
// is_cached are the insight's.
func (c *call) tileView(t *store.DashboardTile, order int) tileJSON {
	v := tileJSON{ID: t.ID, Layouts: jsonOr(t.Layouts, "{}"), Color: t.Color, ShowDescription: t.ShowDescription,
		TransparentBackground: t.TransparentBackground, FiltersOverrides: jsonOr(t.FiltersOverrides, "null"), Order: order}
	if in := c.tx.Insight(t.ProjectID, t.InsightID); in != nil {
		iv := c.insightView(in)
		v.Insight, v.LastRefresh, v.IsCached = &iv, iv.LastRefresh, iv.IsCached
	}
	if tx := t.Text; tx != nil {
		v.Text = &textJSON{ID: tx.ID, CreatedBy: userBasicByID(c.tx, tx.CreatedBy), LastModifiedBy: userBasicByID(c.tx, tx.LastModifiedBy),
			Body: tx.Body, DashboardTiles: []dashboardTileBasicJSON{{ID: t.ID, DashboardID: t.DashboardID, Deleted: t.Deleted}},
			LastModifiedAt: isoTime(tx.LastModifiedAt), Team: t.ProjectID}
	}
	return v
}

// dashboard finds the URL's live dashboard in the call's project (404 otherwise); a write
// with "deleted" false also finds a soft-deleted one, to restore it.
func (c *call) dashboard() (*store.Dashboard, error) {
	id, err := strconv.Atoi(c.vars["id"])
	if err != nil {
		return nil, store.ErrNotFound()
	}
	if c.r.Method == "PATCH" || c.r.Method == "PUT" {
		if body, _ := c.object(); body.Get("deleted").Exists() && body.Get("deleted").Type != gjson.Null && !pyStrToBool(body.Get("deleted").String()) {
			return orNotFound(c.tx.DashboardWithDeleted(c.project.ID, id))
		}
	}
	return orNotFound(c.tx.Dashboard(c.project.ID, id))
}

func (s *Server) listDashboards(c *call) (any, error) {
	q := c.r.URL.Query()
	tags := q["tags"]
	mode := lastQueryValue(q, "creation_mode")
	var list []*store.Dashboard
	for _, d := range c.tx.Dashboards(c.project.ID) {
		if mode != "" && d.CreationMode != mode || mode == "" && d.CreationMode == "unlisted" {
			continue
		}
		if len(tags) > 0 && !anyTag(d.Tags, tags) {
			continue
		}
		list = append(list, d)
	}
	return paginate(c, list, func(d *store.Dashboard) any { return c.dashboardBasicView(d) }), nil
}

func anyTag(have, want []string) bool {
	for _, w := range want {
		for _, h := range have {
			if h == w {
				return true
			}
		}
	}
	return false
}

func (s *Server) createDashboard(c *call) (any, error) {
	body, err := c.object()
	if err != nil {
		return nil, err
	}
	vals, ferr := store.DashboardFields.Validate(body, store.Create)
	if ferr != nil {
		return nil, ferr
	}
	d, err := c.tx.CreateDashboard(c.project.ID, vals, body, c.user)
	if err != nil {
		return nil, err
	}
	return c.dashboardView(d), nil
}

func (s *Server) getDashboard(c *call) (any, error) {
	d, err := c.dashboard()
	if err != nil {
		return nil, err
	}
	return c.dashboardView(d), nil
}

// updateDashboard serves PUT and PATCH, tiles included; {"deleted": true} deletes.
func (s *Server) updateDashboard(c *call) (any, error) {
	d, body, err := foundWithBody(c, c.dashboard)
	if err != nil {
		return nil, err
	}
	vals, ferr := store.DashboardFields.Validate(body, c.writeMode())
	if ferr != nil {
		return nil, ferr
	}
	if err := c.tx.UpdateDashboard(d, vals, body, c.user); err != nil {
		return nil, err
	}
	return c.dashboardView(d), nil
}

// deleteDashboard is ForbidDestroyModel's destroy: 405 with no body.
func (s *Server) deleteDashboard(c *call) (any, error) {
	return nil, store.EmptyBody(405)
}

// moveDashboardTile moves {"tile": {"id"}} to {"toDashboard": id}; the answer is the
// dashboard the tile left.
func (s *Server) moveDashboardTile(c *call) (any, error) {
	d, body, err := foundWithBody(c, c.dashboard)
	if err != nil {
		return nil, err
	}
	to, tile := body.Get("toDashboard"), body.Get("tile.id")
	if !to.Exists() || !tile.Exists() {
		return nil, store.Invalid("Invalid request data for moving tile.")
	}
	if err := c.tx.MoveDashboardTile(d, int(tile.Int()), int(to.Int())); err != nil {
		return nil, err
	}
	return c.dashboardView(d), nil
}
