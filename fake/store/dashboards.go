package store

// Dashboards and their tiles (PostHog's Dashboard, DashboardTile and Text;
// posthog/api/dashboards/dashboard.py): records, lookups, create (blank or duplicating
// another dashboard), update with the tiles PATCH (layouts per breakpoint, colors, text
// cards, tile deletion), soft delete and restore, and moving a tile.

import (
	"fmt"
	"sort"
	"time"

	"github.com/tidwall/gjson"
)

// Dashboard restriction levels (Dashboard.RestrictionLevel).
const (
	RestrictionEveryoneCanEdit      = 21
	RestrictionOnlyCollaboratorsCan = 37
)

// Dashboard is a project's dashboard. Filters, Variables and BreakdownColors are compact
// JSON ("" for the empty value: {} for Filters, null for the others).
type Dashboard struct {
	ProjectRecord
	Name             *string
	Description      string
	Pinned           bool
	CreatedAt        time.Time
	CreatedBy        int // user id; 0 when none
	LastAccessedAt   *time.Time
	CreationMode     string // default, template, duplicate, unlisted
	Filters          string
	Variables        string
	BreakdownColors  string
	DataColorThemeID *int
	Tags             []string
	RestrictionLevel int
	LastRefresh      *time.Time
	CreateInFolder   string
}

// DashboardTile places an insight or a text card on a dashboard. Layouts is compact JSON
// (an object keyed by breakpoint, "sm" and "xs", each {x, y, w, h, minW, minH}).
type DashboardTile struct {
	ProjectRecord
	DashboardID           int
	InsightID             int // 0 for a text tile
	Text                  *TileText
	Layouts               string
	Color                 *string
	ShowDescription       *bool
	TransparentBackground *bool
	FiltersOverrides      string // compact JSON; "" for null
}

// TileText is a text card (PostHog's Text model), owned by its tile here.
type TileText struct {
	ID             int
	Body           *string
	CreatedBy      int
	LastModifiedBy int
	LastModifiedAt time.Time
}

// DashboardFields are the writable fields of a dashboard, in the serializer's order.
// filters, variables and tiles are read from the raw body as PostHog's update does.
var DashboardFields = Fields{
	{Name: "name", Kind: String, MaxLen: 400, Nullable: true, AllowBlank: true},
	{Name: "description", Kind: String, AllowBlank: true},
	{Name: "pinned", Kind: Bool},
	{Name: "last_accessed_at", Kind: DateTime, Nullable: true},
	{Name: "deleted", Kind: Bool},
	{Name: "breakdown_colors", Kind: JSON},
	{Name: "data_color_theme_id", Kind: Int, Nullable: true},
	{Name: "tags", Kind: JSON},
	{Name: "restriction_level", Kind: Choice, Choices: []any{RestrictionEveryoneCanEdit, RestrictionOnlyCollaboratorsCan}},
	{Name: "last_refresh", Kind: DateTime, Nullable: true},
	{Name: "use_template", Kind: String, AllowBlank: true},
	{Name: "use_dashboard", Kind: Int, Nullable: true},
	{Name: "delete_insights", Kind: Bool},
	{Name: "_create_in_folder", Kind: String, AllowBlank: true},
}

// Messages of the dashboard rules.
const (
	MsgDashboardFiltersDict    = "Filters must be a dictionary"
	MsgDashboardTemplateAndDup = "`use_dashboard` and `use_template` cannot be used together"
	MsgTextBodyTooLong         = "Text body cannot exceed 4000 characters"
)

// Dashboard returns the project's live dashboard with that id, or nil.
func (tx *Tx) Dashboard(projectID, id int) *Dashboard {
	return tx.st.ext.analytics.dashboards.live(projectID, id)
}

// DashboardWithDeleted returns the project's dashboard with that id, soft-deleted included.
func (tx *Tx) DashboardWithDeleted(projectID, id int) *Dashboard {
	return tx.st.ext.analytics.dashboards.get(projectID, id)
}

// Dashboards lists the project's live dashboards as PostHog orders them: pinned first, then
// by name (no name last, as Postgres sorts nulls), then creation.
func (tx *Tx) Dashboards(projectID int) []*Dashboard {
	out := tx.st.ext.analytics.dashboards.all(projectID, false)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Pinned != b.Pinned {
			return a.Pinned
		}
		switch {
		case a.Name == nil || b.Name == nil:
			return a.Name != nil && b.Name == nil
		default:
			return *a.Name < *b.Name
		}
	})
	return out
}

// DashboardTiles lists the dashboard's live tiles ordered by their "sm" layout (top to
// bottom, left to right; tiles without a layout last), then creation.
func (tx *Tx) DashboardTiles(d *Dashboard) []*DashboardTile {
	s := &tx.st.ext.analytics
	out := []*DashboardTile{}
	for _, t := range s.tiles.all(d.ProjectID, false) {
		if t.DashboardID != d.ID {
			continue
		}
		if t.InsightID != 0 && s.insights.live(d.ProjectID, t.InsightID) == nil {
			continue // PostHog's dashboard_queryset leaves out tiles of deleted insights
		}
		out = append(out, t)
	}
	sort.SliceStable(out, func(i, j int) bool {
		yi, xi := tileYX(out[i])
		yj, xj := tileYX(out[j])
		if yi != yj {
			return yi < yj
		}
		return xi < xj
	})
	return out
}

// tileYX is a tile's "sm" position (100, 100 without one, as PostHog sorts them).
func tileYX(t *DashboardTile) (float64, float64) {
	sm := gjson.Get(t.Layouts, "sm")
	y, x := 100.0, 100.0
	if v := sm.Get("y"); v.Type == gjson.Number {
		y = v.Float()
	}
	if v := sm.Get("x"); v.Type == gjson.Number {
		x = v.Float()
	}
	return y, x
}

// DashboardTile returns a tile of the dashboard by id (soft-deleted included), or nil.
func (tx *Tx) DashboardTile(d *Dashboard, id int) *DashboardTile {
	t := tx.st.ext.analytics.tiles.get(d.ProjectID, id)
	if t == nil || t.DashboardID != d.ID {
		return nil
	}
	return t
}

// dashboardPlan is a checked dashboard write.
type dashboardPlan struct {
	vals    Values
	tags    []string
	hasTags bool
	filters string
	hasFilt bool
	vars    string
	hasVars bool
	source  *Dashboard // use_dashboard
	tiles   []tilePlan
}

// checkDashboard validates what Fields cannot: tags, filters and variables (read from the
// raw body: only a truthy value is looked at, and it must be an object), use_dashboard and
// use_template together, the duplicated dashboard, and the tiles of an update.
func (tx *Tx) checkDashboard(projectID int, d *Dashboard, vals Values, body gjson.Result, by *User) (*dashboardPlan, error) {
	p := &dashboardPlan{vals: vals}
	if vals.Has("tags") {
		tags, err := CleanTags("tags", vals["tags"])
		if err != nil {
			return nil, err
		}
		p.tags, p.hasTags = tags, true
	}
	if d == nil && vals.Int("use_dashboard") != 0 && vals.Str("use_template") != "" {
		return nil, Invalid(MsgDashboardTemplateAndDup)
	}
	for _, f := range []struct {
		key      string
		out      *string
		has      *bool
		tellsDup bool
	}{{"filters", &p.filters, &p.hasFilt, true}, {"variables", &p.vars, &p.hasVars, false}} {
		raw := body.Get(f.key)
		if !raw.Exists() || !pyTruthy(raw.Value()) {
			continue
		}
		if !raw.IsObject() {
			return nil, Invalid(MsgDashboardFiltersDict)
		}
		if d == nil && !f.tellsDup {
			continue // variables are not read on create
		}
		*f.out, *f.has = compactJSON(raw.Value()), true
	}
	if d == nil {
		if id := vals.Int("use_dashboard"); id != 0 {
			// Dashboard.objects (live dashboards) of the project.
			src := tx.Dashboard(projectID, id)
			if src == nil {
				return nil, FieldError("use_dashboard", "invalid", "Invalid value provided")
			}
			p.source = src
		}
		if t := vals.Str("use_template"); t != "" && dashboardTemplates[t] == nil {
			return nil, FieldError("use_template", "invalid", "Invalid template provided: "+t)
		}
		return p, nil
	}
	if raw := body.Get("tiles"); raw.Exists() && raw.Type != gjson.Null {
		tiles, err := tx.checkTiles(d, raw, by)
		if err != nil {
			return nil, err
		}
		p.tiles = tiles
	}
	return p, nil
}

// apply writes the plain fields onto the dashboard.
func (p *dashboardPlan) apply(d *Dashboard) {
	v := p.vals
	if v.Has("name") {
		d.Name = v.StrPtr("name")
	}
	if v.Has("description") {
		d.Description = v.Str("description")
	}
	if v.Has("pinned") {
		d.Pinned = v.Bool("pinned")
	}
	if v.Has("last_accessed_at") {
		d.LastAccessedAt = timePtr(v["last_accessed_at"])
	}
	if v.Has("last_refresh") {
		d.LastRefresh = timePtr(v["last_refresh"])
	}
	if v.Has("breakdown_colors") {
		if v["breakdown_colors"] == nil {
			d.BreakdownColors = ""
		} else {
			d.BreakdownColors = compactJSON(v["breakdown_colors"])
		}
	}
	if v.Has("data_color_theme_id") {
		if v["data_color_theme_id"] == nil {
			d.DataColorThemeID = nil
		} else {
			n := v.Int("data_color_theme_id")
			d.DataColorThemeID = &n
		}
	}
	if v.Has("restriction_level") {
		d.RestrictionLevel = v.Int("restriction_level")
	}
	if v.Has("_create_in_folder") {
		d.CreateInFolder = v.Str("_create_in_folder")
	}
	if p.hasTags {
		d.Tags = p.tags
	}
	if p.hasFilt {
		d.Filters = p.filters
	}
	if p.hasVars {
		d.Variables = p.vars
	}
}

// timePtr reads a validated DateTime value.
func timePtr(v any) *time.Time {
	switch t := v.(type) {
	case time.Time:
		return &t
	case *time.Time:
		return t
	case string:
		if parsed, err := time.Parse(time.RFC3339Nano, t); err == nil {
			return &parsed
		}
	}
	return nil
}

// CreateDashboard creates a dashboard from validated DashboardFields values and the raw
// body (filters). With use_template it places the template's new insights (dashboard_
// templates.go); with use_dashboard it copies the source's filters, variables, colors and
// live tiles (each insight placed again, each text card shared, as copy_to_dashboard does).
func (tx *Tx) CreateDashboard(projectID int, vals Values, body gjson.Result, by *User) (*Dashboard, error) {
	p, err := tx.checkDashboard(projectID, nil, vals, body, by)
	if err != nil {
		return nil, err
	}
	d := &Dashboard{ProjectRecord: ProjectRecord{ProjectID: projectID}, CreatedAt: tx.now, CreationMode: "default",
		Tags: []string{}, RestrictionLevel: RestrictionEveryoneCanEdit}
	if by != nil {
		d.CreatedBy = by.ID
	}
	if vals.Str("use_template") != "" {
		d.CreationMode = "template"
	}
	if src := p.source; src != nil {
		d.CreationMode = "duplicate"
		d.Filters, d.Variables, d.BreakdownColors = src.Filters, src.Variables, src.BreakdownColors
		d.DataColorThemeID = clonePtr(src.DataColorThemeID)
	}
	p.apply(d)
	d.Deleted = vals.Bool("deleted")
	s := &tx.st.ext.analytics
	s.dashboards.add(d)
	if key := vals.Str("use_template"); key != "" {
		tx.applyDashboardTemplate(d, key)
	}
	if src := p.source; src != nil {
		for _, t := range tx.DashboardTiles(src) {
			c := deepCopy(t)
			c.ID, c.DashboardID, c.Deleted = 0, d.ID, false
			s.tiles.add(c)
		}
	}
	return d, nil
}

// UpdateDashboard applies validated DashboardFields values, the raw body's filters,
// variables and tiles. deleted: true soft-deletes the dashboard's tiles (and, with
// delete_insights, the insights on no other dashboard); deleted: false restores them and
// their insights.
func (tx *Tx) UpdateDashboard(d *Dashboard, vals Values, body gjson.Result, by *User) error {
	p, err := tx.checkDashboard(d.ProjectID, d, vals, body, by)
	if err != nil {
		return err
	}
	s := &tx.st.ext.analytics
	if d.Deleted && vals.Has("deleted") && !vals.Bool("deleted") {
		for _, t := range s.tiles.all(d.ProjectID, true) {
			if t.DashboardID == d.ID {
				t.Deleted = false
				if in := s.insights.get(d.ProjectID, t.InsightID); in != nil {
					in.Deleted = false
				}
			}
		}
	}
	if vals.Bool("deleted") {
		if vals.Bool("delete_insights") {
			for _, t := range s.tiles.all(d.ProjectID, false) {
				if t.DashboardID != d.ID || t.InsightID == 0 {
					continue
				}
				if in := s.insights.get(d.ProjectID, t.InsightID); in != nil && len(tx.insightLiveTiles(in)) == 1 {
					in.Deleted = true
				}
			}
		}
		for _, t := range s.tiles.all(d.ProjectID, true) {
			if t.DashboardID == d.ID {
				t.Deleted = true
			}
		}
	}
	p.apply(d)
	if vals.Has("deleted") {
		d.Deleted = vals.Bool("deleted")
	}
	for _, tp := range p.tiles {
		tx.applyTile(d, tp, by)
	}
	return nil
}

// insightLiveTiles are the insight's tiles not deleted (whatever their dashboard).
func (tx *Tx) insightLiveTiles(in *Insight) []*DashboardTile {
	out := []*DashboardTile{}
	for _, t := range tx.st.ext.analytics.tiles.all(in.ProjectID, false) {
		if t.InsightID == in.ID {
			out = append(out, t)
		}
	}
	return out
}

// TouchDashboard records a retrieval (last_accessed_at), as PostHog's retrieve does.
func (tx *Tx) TouchDashboard(d *Dashboard) {
	t := tx.now
	d.LastAccessedAt = &t
}

// MoveDashboardTile moves a tile of the dashboard to another live dashboard of the project
// (PATCH move_tile): 404 when either is not there.
func (tx *Tx) MoveDashboardTile(from *Dashboard, tileID, toID int) error {
	t := tx.DashboardTile(from, tileID)
	to := tx.Dashboard(from.ProjectID, toID)
	if t == nil || t.Deleted || to == nil {
		return ErrNotFound()
	}
	t.DashboardID = to.ID
	return nil
}

// LayOutDashboard gives the dashboard's tiles without a layout one, two to a row after the
// laid-out ones (sm: 6 wide and 5 high; xs: one column), as PostHog's reorder_tiles does.
func (tx *Tx) LayOutDashboard(d *Dashboard) {
	tiles := tx.DashboardTiles(d)
	n := 0
	for _, t := range tiles {
		if t.Layouts != "" && t.Layouts != "{}" {
			n++
		}
	}
	for _, t := range tiles {
		if t.Layouts != "" && t.Layouts != "{}" {
			continue
		}
		t.Layouts = fmt.Sprintf(`{"sm":{"h":5,"w":6,"x":%d,"y":%d},"xs":{"h":5,"w":6,"x":0,"y":%d}}`, n%2*6, n/2*5, n*5)
		n++
	}
}
