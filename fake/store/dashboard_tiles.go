package store

// The tiles of a dashboard PATCH (DashboardSerializer._update_tiles): each item names a
// tile by id (or none, for a new one) and carries a text card, or display fields (layouts,
// color, show_description, transparent_background, filters_overrides, deleted) that are
// written as given. Insight tiles are never created here: an insight is put on a dashboard
// through the insight's own dashboards field.

import (
	"fmt"
	"unicode/utf8"

	"github.com/tidwall/gjson"
)

// tilePlan is one checked tile item.
type tilePlan struct {
	id      int            // 0: a new tile
	text    bool           // a text card item
	textID  int            // the text card to update (0: a new card)
	body    *string        // the text body
	author  int            // the text's created_by (0: the caller)
	fields  map[string]any // display fields present, by name
	display bool           // any display field present
	raw     gjson.Result   // the item, for layouts as given
	layouts *string        // compact layouts JSON when present
	filters *string        // compact filters_overrides when present ("" = null)
}

// tileDisplayFields are DashboardSerializer.TILE_DISPLAY_FIELDS.
var tileDisplayFields = []string{"color", "layouts", "filters_overrides", "show_description", "transparent_background", "deleted"}

// checkTiles reads and checks the tiles of a dashboard update, before anything is written.
func (tx *Tx) checkTiles(d *Dashboard, raw gjson.Result, by *User) ([]tilePlan, error) {
	if !raw.IsArray() {
		return nil, FieldError("tiles", "not_a_list", fmt.Sprintf("Expected a list of items but got type %q.", pyTypeName(raw)))
	}
	var out []tilePlan
	for _, item := range raw.Array() {
		if !item.IsObject() {
			return nil, FieldError("tiles", "invalid", "Invalid data. Expected a dictionary, but got "+pyTypeName(item)+".")
		}
		tp := tilePlan{fields: map[string]any{}}
		if id := item.Get("id"); id.Exists() && id.Type != gjson.Null {
			n, err := pkValue("tiles", id.Value())
			if err != nil {
				return nil, err
			}
			tp.id = n
		}
		if text := item.Get("text"); text.Exists() && pyTruthy(text.Value()) {
			if err := tx.checkTileText(d, &tp, text, by); err != nil {
				return nil, err
			}
		}
		for _, f := range tileDisplayFields {
			v := item.Get(f)
			if !v.Exists() {
				continue
			}
			tp.display = true
			if err := checkTileField(&tp, f, v); err != nil {
				return nil, err
			}
		}
		out = append(out, tp)
	}
	return out, nil
}

// checkTileText reads a text card: its body (TextSerializer: at most 4000 characters, blank
// and null allowed), the card to update (one on this dashboard) and its author (a member of
// the organization).
func (tx *Tx) checkTileText(d *Dashboard, tp *tilePlan, text gjson.Result, by *User) error {
	if !text.IsObject() {
		return FieldError("text__non_field_errors", "invalid", "Invalid data. Expected a dictionary, but got "+pyTypeName(text)+".")
	}
	tp.text = true
	switch b := text.Get("body"); b.Type {
	case gjson.Null:
	case gjson.String, gjson.Number:
		s := b.String()
		if utf8.RuneCountInString(s) > 4000 {
			return FieldError("text__body", "max_length", MsgTextBodyTooLong)
		}
		tp.body = &s
	default:
		if b.Exists() {
			return FieldError("text__body", "invalid", MsgInvalidString)
		}
	}
	if cb := text.Get("created_by"); cb.Exists() && pyTruthy(cb.Value()) {
		uid := int(cb.Get("id").Int())
		org := tx.projectOrg(d.ProjectID)
		if uid == 0 || org == "" || tx.Membership(org, uid) == nil {
			return Invalid("User not found in this organization.")
		}
		tp.author = uid
	}
	if id := text.Get("id"); id.Exists() && pyTruthy(id.Value()) {
		n := int(id.Int())
		if tx.textOnDashboard(d, n) == nil {
			if tx.textInProject(d.ProjectID, n) == nil {
				return FieldError("text", "invalid", "Text tile not found in this team.")
			}
			return FieldError("text", "invalid", "Text tile not found.")
		}
		tp.textID = n
	}
	return nil
}

// checkTileField checks one display field's type (the model's column types).
func checkTileField(tp *tilePlan, name string, v gjson.Result) *Error {
	attr := "tiles"
	switch name {
	case "layouts":
		if !v.IsObject() {
			return FieldError(attr, "invalid", "layouts must be a dictionary.")
		}
		s := compactJSON(v.Value())
		tp.layouts = &s
	case "filters_overrides":
		if v.Type == gjson.Null {
			s := ""
			tp.filters = &s
		} else if !v.IsObject() {
			return FieldError(attr, "invalid", "filters_overrides must be a dictionary.")
		} else {
			s := compactJSON(v.Value())
			tp.filters = &s
		}
	case "color":
		if v.Type != gjson.Null && v.Type != gjson.String {
			return FieldError(attr, "invalid", MsgInvalidString)
		}
		if v.Type == gjson.String && utf8.RuneCountInString(v.Str) > 400 {
			return FieldError(attr, "max_length", MsgMaxLen(400))
		}
		tp.fields[name] = v.Value()
	default: // show_description, transparent_background, deleted
		if v.Type != gjson.Null && v.Type != gjson.True && v.Type != gjson.False {
			return FieldError(attr, "invalid", MsgInvalidBool)
		}
		tp.fields[name] = v.Value()
	}
	return nil
}

// projectOrg is the organization a project belongs to ("" when unknown).
func (tx *Tx) projectOrg(projectID int) string {
	if p := tx.st.projects[projectID]; p != nil {
		return p.OrgID
	}
	return ""
}

// textOnDashboard finds the dashboard's tile (deleted included) holding the text card id.
func (tx *Tx) textOnDashboard(d *Dashboard, textID int) *DashboardTile {
	return tx.st.ext.analytics.tiles.find(d.ProjectID, true, func(t *DashboardTile) bool {
		return t.DashboardID == d.ID && t.Text != nil && t.Text.ID == textID
	})
}

// textInProject finds a tile of the project holding the text card id.
func (tx *Tx) textInProject(projectID, textID int) *DashboardTile {
	return tx.st.ext.analytics.tiles.find(projectID, true, func(t *DashboardTile) bool { return t.Text != nil && t.Text.ID == textID })
}

// applyTile writes one checked item: update_or_create by (id, dashboard), with the text card
// created or updated first. An item with neither text nor display fields changes nothing.
func (tx *Tx) applyTile(d *Dashboard, tp tilePlan, by *User) {
	if !tp.text && !tp.display {
		return
	}
	s := &tx.st.ext.analytics
	var t *DashboardTile
	if tp.id != 0 {
		t = tx.DashboardTile(d, tp.id)
	}
	if t == nil && !tp.text {
		// Display fields for no tile of this dashboard: PostHog would make a tile holding
		// nothing (or fail on another dashboard's id); the fake leaves the dashboard alone.
		return
	}
	if t == nil {
		t = &DashboardTile{ProjectRecord: ProjectRecord{ProjectID: d.ProjectID}, DashboardID: d.ID, Layouts: "{}"}
		s.tiles.add(t)
	}
	if tp.text {
		text := &TileText{}
		if tp.textID != 0 {
			text = tx.textOnDashboard(d, tp.textID).Text
		} else {
			s.lastTextID++
			text.ID = s.lastTextID
		}
		text.Body = clonePtr(tp.body)
		text.LastModifiedAt = tx.now
		switch {
		case tp.author != 0:
			text.CreatedBy = tp.author
			if by != nil {
				text.LastModifiedBy = by.ID
			}
		default:
			if by != nil {
				text.CreatedBy = by.ID
			}
			text.LastModifiedBy = 0
		}
		t.Text = text
		t.InsightID = 0
	}
	if tp.layouts != nil {
		t.Layouts = *tp.layouts
	}
	if tp.filters != nil {
		t.FiltersOverrides = *tp.filters
	}
	for name, v := range tp.fields {
		switch name {
		case "color":
			if s, ok := v.(string); ok {
				t.Color = &s
			} else {
				t.Color = nil
			}
		case "show_description":
			t.ShowDescription = boolOrNil(v)
		case "transparent_background":
			t.TransparentBackground = boolOrNil(v)
		case "deleted":
			b, _ := v.(bool)
			t.Deleted = b
		}
	}
}

func boolOrNil(v any) *bool {
	if b, ok := v.(bool); ok {
		return &b
	}
	return nil
}
