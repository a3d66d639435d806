package scenarios

// The analytics of a scenario's project (dashboards with text cards, insights placed on
// them): records, YAML decoding (keys under a project), checks and seeding through the
// store's own operations, so a query of the wrong shape is refused as the API refuses it.

import (
	"encoding/json"
	"regexp"
	"strings"
	"time"

	"github.com/fakehog/fakehog/fake/store"
	"github.com/tidwall/gjson"
	"gopkg.in/yaml.v3"
)

// Dashboard is a dashboard of a project.
type Dashboard struct {
	Ref              string // how the project's insights refer to it (dashboards)
	Name             string
	Description      string
	Pinned           bool
	Tags             []string
	RestrictionLevel int // 21 (everyone can edit) when zero, or 37
	CreatedBy        string
	Deleted          bool
	TextTiles        []TextTile
}

// TextTile is a text card on a dashboard; Layouts are per breakpoint (sm, xs), laid out
// after the insights when empty.
type TextTile struct {
	Body    string
	Layouts map[string]any
}

// Insight is a saved insight of a project.
type Insight struct {
	ShortID     string // 8 letters and digits; generated when empty
	Name        string
	DerivedName string
	Description string
	Query       any // the query node (InsightVizNode, DataVisualizationNode, HogQLQuery, ...)
	Filters     map[string]any
	Tags        []string
	Favorited   bool
	Saved       bool
	Dashboards  []string // dashboard refs of the same project
	CreatedBy   string
	Deleted     bool
	// LastRefresh is when the (empty) results were last calculated; none when zero.
	LastRefresh time.Time
}

// analyticsKeys are the project keys of the analytics family (dashboards, insights).
func (d *decoder) analyticsKeys(pr *Project) []key {
	return []key{
		{"dashboards", func(v *yaml.Node, p string) error {
			return d.list(v, p, func(_ int, item *yaml.Node, ip string) error {
				var db Dashboard
				err := d.object(item, ip, "a dashboard", []key{
					{"ref", d.str(&db.Ref)},
					{"name", d.str(&db.Name)},
					{"description", d.str(&db.Description)},
					{"pinned", d.boolean(&db.Pinned)},
					{"tags", d.strs(&db.Tags)},
					{"restriction_level", d.integer(&db.RestrictionLevel)},
					{"created_by", d.str(&db.CreatedBy)},
					{"deleted", d.boolean(&db.Deleted)},
					{"text_tiles", func(v *yaml.Node, p string) error {
						return d.list(v, p, func(_ int, item *yaml.Node, ip string) error {
							var tt TextTile
							var layouts any
							err := d.object(item, ip, "a text tile", []key{
								{"body", d.str(&tt.Body)},
								{"layouts", d.anyValue(&layouts)},
							}, nil)
							tt.Layouts, _ = layouts.(map[string]any)
							db.TextTiles = append(db.TextTiles, tt)
							return err
						})
					}},
				}, nil)
				pr.Dashboards = append(pr.Dashboards, db)
				return err
			})
		}},
		{"insights", func(v *yaml.Node, p string) error {
			return d.list(v, p, func(_ int, item *yaml.Node, ip string) error {
				var in Insight
				var filters any
				err := d.object(item, ip, "an insight", []key{
					{"short_id", d.str(&in.ShortID)},
					{"name", d.str(&in.Name)},
					{"derived_name", d.str(&in.DerivedName)},
					{"description", d.str(&in.Description)},
					{"query", d.anyValue(&in.Query)},
					{"filters", d.anyValue(&filters)},
					{"tags", d.strs(&in.Tags)},
					{"favorited", d.boolean(&in.Favorited)},
					{"saved", d.boolean(&in.Saved)},
					{"dashboards", d.strs(&in.Dashboards)},
					{"created_by", d.str(&in.CreatedBy)},
					{"deleted", d.boolean(&in.Deleted)},
					{"last_refresh", d.timestamp(&in.LastRefresh)},
				}, nil)
				in.Filters, _ = filters.(map[string]any)
				pr.Insights = append(pr.Insights, in)
				return err
			})
		}},
	}
}

var reShortID = regexp.MustCompile(`^[A-Za-z0-9]{8}$`)

// checkAnalytics checks every project's dashboards and insights: names' lengths, dashboard
// refs (unique, and known to the insights naming them), restriction levels, short ids
// (format, unique in the project), users, and each query's shape as the API checks it.
func (c *orgCheck) checkAnalytics() error {
	for pi, pr := range c.org.Projects {
		pp := index(child(c.path, "projects"), pi)
		refs := map[string]string{}
		for i, db := range pr.Dashboards {
			dp := index(child(pp, "dashboards"), i)
			if err := c.maxLen(child(dp, "name"), db.Name, 400); err != nil {
				return err
			}
			if db.Ref != "" {
				if prev, dup := refs[db.Ref]; dup {
					return c.errorf(child(dp, "ref"), "duplicate dashboard ref %q%s", db.Ref, c.lineOf(prev))
				}
				refs[db.Ref] = child(dp, "ref")
			}
			if l := db.RestrictionLevel; l != 0 && l != store.RestrictionEveryoneCanEdit && l != store.RestrictionOnlyCollaboratorsCan {
				return c.errorf(child(dp, "restriction_level"), "%d is not one of 21 (everyone in the project can edit), 37 (only collaborators can edit)", l)
			}
			if err := c.optionalUser(child(dp, "created_by"), db.CreatedBy); err != nil {
				return err
			}
			for j, tt := range db.TextTiles {
				if err := c.maxLen(child(index(child(dp, "text_tiles"), j), "body"), tt.Body, 4000); err != nil {
					return err
				}
			}
		}
		shortIDs := map[string]string{}
		for i, in := range pr.Insights {
			ip := index(child(pp, "insights"), i)
			for _, f := range []struct{ key, v string }{{"name", in.Name}, {"derived_name", in.DerivedName}, {"description", in.Description}} {
				if err := c.maxLen(child(ip, f.key), f.v, 400); err != nil {
					return err
				}
			}
			if in.ShortID != "" {
				if !reShortID.MatchString(in.ShortID) {
					return c.errorf(child(ip, "short_id"), "%q is not a short id: 8 letters and digits", in.ShortID)
				}
				if prev, dup := shortIDs[in.ShortID]; dup {
					return c.errorf(child(ip, "short_id"), "duplicate short id %q in this project%s", in.ShortID, c.lineOf(prev))
				}
				shortIDs[in.ShortID] = child(ip, "short_id")
			}
			if err := store.CheckInsightQuery(apiJSON(in.Query)); err != nil {
				return c.errorf(child(ip, "query"), "%s", err.Detail)
			}
			for j, ref := range in.Dashboards {
				if _, ok := refs[ref]; !ok {
					return c.errorf(index(child(ip, "dashboards"), j), "no dashboard with ref %q in this project", ref)
				}
			}
			if err := c.optionalUser(child(ip, "created_by"), in.CreatedBy); err != nil {
				return err
			}
		}
	}
	return nil
}

// applyAnalytics seeds each project's dashboards, then its insights with their tiles, then
// the text cards; tiles without layouts are laid out two to a row, as PostHog's
// reorder_tiles places them.
func applyAnalytics(a *orgSeed) error {
	for pi, pr := range a.org.Projects {
		if pi >= len(a.projects[a.oi]) {
			break
		}
		sp := a.projects[a.oi][pi]
		pp := index(child(a.path, "projects"), pi)
		byRef := map[string]*store.Dashboard{}
		var dashboards []*store.Dashboard
		for i, db := range pr.Dashboards {
			vals := store.Values{"name": db.Name, "description": db.Description, "pinned": db.Pinned, "tags": anyStrings(db.Tags)}
			if db.RestrictionLevel != 0 {
				vals["restriction_level"] = db.RestrictionLevel
			}
			sd, err := a.tx.CreateDashboard(sp.ID, vals, emptyBody, a.createdBy(db.CreatedBy))
			if err != nil {
				return a.storeError(index(child(pp, "dashboards"), i), err)
			}
			if db.Ref != "" {
				byRef[db.Ref] = sd
			}
			dashboards = append(dashboards, sd)
		}
		var insights []*store.Insight
		for i, in := range pr.Insights {
			ip := index(child(pp, "insights"), i)
			vals := store.Values{"favorited": in.Favorited, "saved": in.Saved, "tags": anyStrings(in.Tags)}
			for k, v := range map[string]string{"name": in.Name, "derived_name": in.DerivedName, "description": in.Description} {
				if v != "" {
					vals[k] = v
				}
			}
			if in.Query != nil {
				vals["query"] = apiJSON(in.Query)
			}
			if in.Filters != nil {
				vals["filters"] = apiJSONMap(in.Filters)
			}
			var ids []any
			for _, ref := range in.Dashboards {
				ids = append(ids, float64(byRef[ref].ID))
			}
			if ids != nil {
				vals["dashboards"] = ids
			}
			si, err := a.tx.CreateInsight(sp.ID, vals, a.createdBy(in.CreatedBy))
			if err != nil {
				return a.storeError(ip, err)
			}
			if in.ShortID != "" {
				if err := a.tx.SetInsightShortID(si, in.ShortID); err != nil {
					return a.storeError(child(ip, "short_id"), err)
				}
			}
			if !in.LastRefresh.IsZero() {
				a.tx.SetInsightLastRefresh(si, in.LastRefresh)
			}
			insights = append(insights, si)
		}
		for i, db := range pr.Dashboards {
			sd := dashboards[i]
			var items []any
			for _, tt := range db.TextTiles {
				item := map[string]any{"text": map[string]any{"body": tt.Body}}
				if tt.Layouts != nil {
					item["layouts"] = apiJSONMap(tt.Layouts)
				}
				items = append(items, item)
			}
			if items != nil {
				if err := a.tx.UpdateDashboard(sd, store.Values{}, bodyOf(map[string]any{"tiles": items}), a.createdBy(db.CreatedBy)); err != nil {
					return a.storeError(index(child(pp, "dashboards"), i), err)
				}
			}
			a.tx.LayOutDashboard(sd)
			if db.Deleted {
				if err := a.tx.UpdateDashboard(sd, store.Values{"deleted": true}, emptyBody, nil); err != nil {
					return a.storeError(index(child(pp, "dashboards"), i), err)
				}
			}
		}
		for i, in := range pr.Insights {
			if in.Deleted {
				if err := a.tx.SoftDeleteInsight(insights[i], nil); err != nil {
					return a.storeError(index(child(pp, "insights"), i), err)
				}
			}
		}
	}
	return nil
}

// emptyBody is a write without filters, variables or tiles.
var emptyBody = gjson.Parse("{}")

// bodyOf is v as the API's raw body.
func bodyOf(v any) gjson.Result {
	data, _ := json.Marshal(v)
	return gjson.ParseBytes(data)
}

func anyStrings(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = strings.TrimSpace(s)
	}
	return out
}
