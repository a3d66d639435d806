package store

// Insights (PostHog's Insight, posthog/api/insight.py): records, lookups by id and short_id,
// create, update (with the dashboards they sit on) and soft delete. Dashboards and their
// tiles live in dashboards.go; both families share analyticsState.

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"
)

// Insight is a saved query of a project. Query and Filters are kept as compact JSON text
// (the query node exactly as given, PostHog stores it in a JSONField), so that snapshots and
// the codec keep them byte for byte.
type Insight struct {
	ProjectRecord
	ShortID     string
	Name        *string
	DerivedName *string
	Description *string
	// Query is the query node as compact JSON; "" for null.
	Query string
	// Filters are the legacy filters as compact JSON; "" for {}.
	Filters        string
	Order          *int
	Favorited      bool
	Saved          bool
	IsSample       bool
	Tags           []string
	CreatedAt      time.Time
	CreatedBy      int // user id; 0 when none
	UpdatedAt      time.Time
	LastModifiedAt time.Time
	LastModifiedBy int // user id; 0 when none
	// LastRefresh is when the results were last calculated (nil: never, nothing cached).
	LastRefresh *time.Time
	// CreateInFolder is the write-only _create_in_folder (PostHog's file system).
	CreateInFolder string
}

// analyticsState holds insights, dashboards and dashboard tiles (with their text cards).
type analyticsState struct {
	noHooks
	insights   projectRecords[Insight, *Insight]
	dashboards projectRecords[Dashboard, *Dashboard]
	tiles      projectRecords[DashboardTile, *DashboardTile]
	lastTextID int
}

func (s *analyticsState) init() {
	s.insights.init()
	s.dashboards.init()
	s.tiles.init()
}

func (s *analyticsState) dropProject(tx *Tx, projectID int) {
	s.insights.dropProject(projectID)
	s.dashboards.dropProject(projectID)
	s.tiles.dropProject(projectID)
}

// insightUpdateHooks run after an insight was created or updated, inside the same
// transaction (alerts drop themselves when their insight no longer supports them). A family
// registers one from an init function in its own file.
var insightUpdateHooks []func(tx *Tx, in *Insight)

// Messages of the insight rules.
const (
	MsgDashboardNotFound = "Dashboard not found"
)

// InsightFields are the writable fields of an insight, in the serializer's order. query is
// checked by CheckInsightQuery before the fields (PostHog's QuerySchemaParser).
var InsightFields = Fields{
	{Name: "name", Kind: String, MaxLen: 400, Nullable: true, AllowBlank: true},
	{Name: "derived_name", Kind: String, MaxLen: 400, Nullable: true, AllowBlank: true},
	{Name: "filters", Kind: JSON},
	{Name: "query", Kind: JSON, Nullable: true},
	{Name: "order", Kind: Int, Nullable: true, Min: IntP(-2147483648), Max: IntP(2147483647)},
	{Name: "deleted", Kind: Bool},
	{Name: "dashboards", Kind: JSON},
	{Name: "description", Kind: String, MaxLen: 400, Nullable: true, AllowBlank: true},
	{Name: "tags", Kind: JSON},
	{Name: "favorited", Kind: Bool},
	{Name: "saved", Kind: Bool},
	{Name: "_create_in_folder", Kind: String, AllowBlank: true},
}

// Insight returns the project's insight with that id, nil when there is none or it is
// soft-deleted.
func (tx *Tx) Insight(projectID, id int) *Insight {
	return tx.st.ext.analytics.insights.live(projectID, id)
}

// InsightWithDeleted returns the project's insight with that id, soft-deleted included.
func (tx *Tx) InsightWithDeleted(projectID, id int) *Insight {
	return tx.st.ext.analytics.insights.get(projectID, id)
}

// InsightByShortID returns the project's live insight with that short_id, or nil.
func (tx *Tx) InsightByShortID(projectID int, shortID string) *Insight {
	return tx.st.ext.analytics.insights.find(projectID, false, func(in *Insight) bool { return in.ShortID == shortID })
}

// Insights lists the project's insights in creation order; withDeleted includes the
// soft-deleted ones.
func (tx *Tx) Insights(projectID int, withDeleted bool) []*Insight {
	return tx.st.ext.analytics.insights.all(projectID, withDeleted)
}

// InsightCount is the number of insights across projects, soft-deleted included.
func (tx *Tx) InsightCount() int { return tx.st.ext.analytics.insights.count() }

// shortIDAlphabet is string.ascii_letters + string.digits, PostHog's generate_short_id.
const shortIDAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// newShortID is PostHog's generate_short_id: 8 random letters and digits, unique in the
// project (the (team, short_id) unique constraint).
func (tx *Tx) newShortID(projectID int) string {
	for {
		b := make([]byte, 8)
		for i := range b {
			b[i] = shortIDAlphabet[tx.st.rng.IntN(len(shortIDAlphabet))]
		}
		if tx.InsightByShortIDAny(projectID, string(b)) == nil {
			return string(b)
		}
	}
}

// InsightByShortIDAny is InsightByShortID with soft-deleted insights included.
func (tx *Tx) InsightByShortIDAny(projectID int, shortID string) *Insight {
	return tx.st.ext.analytics.insights.find(projectID, true, func(in *Insight) bool { return in.ShortID == shortID })
}

// compactJSON renders a decoded JSON value (from Fields.Validate or YAML) as compact JSON.
func compactJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "null"
	}
	return string(b)
}

// pyValueType is the Python type of a value decoded by gjson (integral numbers are ints).
func pyValueType(v any) string {
	if f, ok := v.(float64); ok && f == math.Trunc(f) {
		return "int"
	}
	return pyTypeOf(v)
}

// dashboardIDs reads the insight's dashboards (DRF's ManyRelatedField over dashboards): a
// list of primary keys of live dashboards; one of another project is "Dashboard not found".
func (tx *Tx) dashboardIDs(projectID int, v any) ([]int, *Error) {
	list, ok := v.([]any)
	if !ok {
		return nil, FieldError("dashboards", "not_a_list", fmt.Sprintf("Expected a list of items but got type %q.", pyValueType(v)))
	}
	s := &tx.st.ext.analytics
	out := []int{}
	for _, x := range list {
		id, err := pkValue("dashboards", x)
		if err != nil {
			return nil, err
		}
		d := s.dashboards.byID[id]
		if d == nil || d.Deleted {
			return nil, FieldError("dashboards", "does_not_exist", fmt.Sprintf("Invalid pk \"%d\" - object does not exist.", id))
		}
		if d.ProjectID != projectID {
			return nil, Invalid(MsgDashboardNotFound)
		}
		if !containsInt(out, id) {
			out = append(out, id)
		}
	}
	return out, nil
}

// pkValue reads DRF's PrimaryKeyRelatedField value over an integer key.
func pkValue(attr string, x any) (int, *Error) {
	switch n := x.(type) {
	case float64:
		if n == float64(int(n)) {
			return int(n), nil
		}
		return 0, FieldError(attr, "does_not_exist", fmt.Sprintf("Invalid pk \"%s\" - object does not exist.", pyRepr(n)))
	case int:
		return n, nil
	case string:
		var id int
		if _, err := fmt.Sscanf(strings.TrimSpace(n), "%d", &id); err == nil && fmt.Sprint(id) == strings.TrimSpace(n) {
			return id, nil
		}
		return 0, FieldError(attr, "incorrect_type", "Incorrect type. Expected pk value, received str.")
	case nil:
		return 0, FieldError(attr, "null", MsgNull)
	}
	return 0, FieldError(attr, "incorrect_type", fmt.Sprintf("Incorrect type. Expected pk value, received %s.", pyValueType(x)))
}

func containsInt(list []int, v int) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// insightPlan is a checked insight write: everything is validated before anything changes.
type insightPlan struct {
	vals       Values
	tags       []string
	hasTags    bool
	dashboards []int
	hasDash    bool
}

func (tx *Tx) planInsight(projectID int, vals Values) (*insightPlan, error) {
	p := &insightPlan{vals: vals}
	if vals.Has("query") {
		if err := CheckInsightQuery(vals["query"]); err != nil {
			return nil, err
		}
	}
	if vals.Has("filters") {
		if _, ok := vals["filters"].(map[string]any); !ok && vals["filters"] != nil {
			return nil, FieldError("filters", "invalid", "Value must be valid JSON.")
		}
	}
	if vals.Has("tags") {
		tags, err := CleanTags("tags", vals["tags"])
		if err != nil {
			return nil, err
		}
		p.tags, p.hasTags = tags, true
	}
	if vals.Has("dashboards") {
		ids, err := tx.dashboardIDs(projectID, vals["dashboards"])
		if err != nil {
			return nil, err
		}
		p.dashboards, p.hasDash = ids, true
	}
	return p, nil
}

// apply writes the plain fields of the plan onto the insight.
func (p *insightPlan) apply(in *Insight) {
	v := p.vals
	for name, dst := range map[string]**string{"name": &in.Name, "derived_name": &in.DerivedName, "description": &in.Description} {
		if v.Has(name) {
			*dst = v.StrPtr(name)
		}
	}
	if v.Has("query") {
		if q := v["query"]; q == nil {
			in.Query = ""
		} else {
			in.Query = compactJSON(q)
		}
	}
	if v.Has("filters") {
		if f, ok := v["filters"].(map[string]any); ok && len(f) > 0 {
			in.Filters = compactJSON(f)
		} else {
			in.Filters = ""
		}
	}
	if v.Has("order") {
		if v["order"] == nil {
			in.Order = nil
		} else {
			n := v.Int("order")
			in.Order = &n
		}
	}
	if v.Has("favorited") {
		in.Favorited = v.Bool("favorited")
	}
	if v.Has("saved") {
		in.Saved = v.Bool("saved")
	}
	if v.Has("_create_in_folder") {
		in.CreateInFolder = v.Str("_create_in_folder")
	}
	if p.hasTags {
		in.Tags = p.tags
	}
}

// CreateInsight creates an insight from validated InsightFields values (the query's shape
// and the dashboards are checked here), with a new short_id and a tile on each dashboard
// named.
func (tx *Tx) CreateInsight(projectID int, vals Values, by *User) (*Insight, error) {
	p, err := tx.planInsight(projectID, vals)
	if err != nil {
		return nil, err
	}
	in := &Insight{ProjectRecord: ProjectRecord{ProjectID: projectID}, Tags: []string{},
		CreatedAt: tx.now, UpdatedAt: tx.now, LastModifiedAt: tx.now}
	if by != nil {
		in.CreatedBy, in.LastModifiedBy = by.ID, by.ID
	}
	in.ShortID = tx.newShortID(projectID)
	p.apply(in)
	in.Deleted = vals.Bool("deleted")
	tx.st.ext.analytics.insights.add(in)
	for _, id := range p.dashboards {
		tx.addInsightTile(in, id)
	}
	for _, h := range insightUpdateHooks {
		h(tx, in)
	}
	return in, nil
}

// materialInsightFields are PostHog's Insight.MATERIAL_INSIGHT_FIELDS: changing one of them
// moves last_modified_at.
var materialInsightFields = []string{"name", "description", "filters", "query"}

// UpdateInsight applies validated InsightFields values. deleted: true soft-deletes the
// insight and its tiles (dashboards is then ignored); otherwise dashboards names the
// dashboards it sits on, adding and removing tiles.
func (tx *Tx) UpdateInsight(in *Insight, vals Values, by *User) error {
	p, err := tx.planInsight(in.ProjectID, vals)
	if err != nil {
		return err
	}
	in.IsSample = false
	for _, f := range materialInsightFields {
		if vals.Has(f) {
			in.LastModifiedAt = tx.now
			if by != nil {
				in.LastModifiedBy = by.ID
			}
			break
		}
	}
	if vals.Bool("deleted") {
		for _, t := range tx.st.ext.analytics.tiles.all(in.ProjectID, true) {
			if t.InsightID == in.ID {
				t.Deleted = true
			}
		}
	} else if p.hasDash {
		tx.setInsightDashboards(in, p.dashboards)
	}
	p.apply(in)
	if vals.Has("deleted") {
		in.Deleted = vals.Bool("deleted")
	}
	in.UpdatedAt = tx.now
	for _, h := range insightUpdateHooks {
		h(tx, in)
	}
	return nil
}

// SoftDeleteInsight marks the insight and its tiles deleted (PATCH {"deleted": true}).
func (tx *Tx) SoftDeleteInsight(in *Insight, by *User) error {
	return tx.UpdateInsight(in, Values{"deleted": true}, by)
}

// setInsightDashboards makes the insight sit on exactly the given live dashboards:
// missing tiles are created (or undeleted), tiles on dashboards not named are deleted.
func (tx *Tx) setInsightDashboards(in *Insight, ids []int) {
	old := tx.InsightDashboardIDs(in)
	for _, id := range ids {
		if !containsInt(old, id) {
			tx.addInsightTile(in, id)
		}
	}
	for _, t := range tx.st.ext.analytics.tiles.all(in.ProjectID, false) {
		if t.InsightID == in.ID && !containsInt(ids, t.DashboardID) {
			t.Deleted = true
		}
	}
}

// addInsightTile puts the insight on the dashboard: its tile there is undeleted, or a new
// tile is made (get_or_create, soft-deleted tiles included).
func (tx *Tx) addInsightTile(in *Insight, dashboardID int) *DashboardTile {
	for _, t := range tx.st.ext.analytics.tiles.all(in.ProjectID, true) {
		if t.InsightID == in.ID && t.DashboardID == dashboardID {
			t.Deleted = false
			return t
		}
	}
	t := &DashboardTile{ProjectRecord: ProjectRecord{ProjectID: in.ProjectID}, DashboardID: dashboardID, InsightID: in.ID, Layouts: "{}"}
	tx.st.ext.analytics.tiles.add(t)
	return t
}

// InsightTiles lists the insight's live tiles on live dashboards (PostHog's
// DashboardTile.objects manager), in creation order.
func (tx *Tx) InsightTiles(in *Insight) []*DashboardTile {
	s := &tx.st.ext.analytics
	out := []*DashboardTile{}
	for _, t := range s.tiles.all(in.ProjectID, false) {
		if t.InsightID == in.ID {
			if d := s.dashboards.live(in.ProjectID, t.DashboardID); d != nil {
				out = append(out, t)
			}
		}
	}
	return out
}

// InsightDashboardIDs are the ids of the live dashboards the insight sits on.
func (tx *Tx) InsightDashboardIDs(in *Insight) []int {
	out := []int{}
	for _, t := range tx.InsightTiles(in) {
		out = append(out, t.DashboardID)
	}
	return out
}

// RefreshInsight records a calculation of the insight's results at the transaction's time
// (the fake has no events: the results are empty, but when they were made is kept).
func (tx *Tx) RefreshInsight(in *Insight) {
	t := tx.now
	in.LastRefresh = &t
}

// InsightQueryKind is the kind of the insight's query node ("" without a query), and the
// kind of its source for wrapper nodes (InsightVizNode, DataVisualizationNode, DataTableNode).
func InsightQueryKind(in *Insight) (kind, sourceKind string) {
	if in.Query == "" {
		return "", ""
	}
	var q struct {
		Kind   string `json:"kind"`
		Source struct {
			Kind string `json:"kind"`
		} `json:"source"`
	}
	_ = json.Unmarshal([]byte(in.Query), &q)
	return q.Kind, q.Source.Kind
}

// InsightSupportsAlerts is PostHog's are_alerts_supported_for_insight: a TrendsQuery shown
// through an InsightVizNode.
func InsightSupportsAlerts(in *Insight) bool {
	kind, source := InsightQueryKind(in)
	return kind == "InsightVizNode" && source == "TrendsQuery"
}

// SetInsightShortID gives a seeded insight a chosen short_id: 8 letters and digits, unique
// in its project.
func (tx *Tx) SetInsightShortID(in *Insight, shortID string) error {
	if len(shortID) != 8 || strings.Trim(shortID, shortIDAlphabet) != "" {
		return FieldError("short_id", "invalid", "A short id is 8 letters and digits.")
	}
	if other := tx.InsightByShortIDAny(in.ProjectID, shortID); other != nil && other != in {
		return FieldError("short_id", "unique", "Insight with this team and short id already exists.")
	}
	in.ShortID = shortID
	return nil
}

// SetInsightLastRefresh records a calculation of a seeded insight's results at t.
func (tx *Tx) SetInsightLastRefresh(in *Insight, t time.Time) {
	in.LastRefresh = &t
}
