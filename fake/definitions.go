package fake

// The event and property definition routes (/api/projects/{project_id}/event_definitions/
// and property_definitions/): their views (the enterprise shape when the organization has
// the ingestion taxonomy feature, the open-source one otherwise), the list filters read
// from the query, and the handlers.

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/fakehog/fakehog/fake/store"
)

// definitionRoutes are the definition operations (projects only, as PostHog registers them).
func definitionRoutes(s *Server) []route {
	return underRoot(projectsRoot,
		route{"GET", "event_definitions/", "event_definition:read", 0, 0, s.listEventDefinitions},
		route{"GET", "event_definitions/{id}/", "event_definition:read", 0, 0, s.getEventDefinition},
		route{"PUT", "event_definitions/{id}/", "event_definition:write", 0, 0, s.updateEventDefinition},
		route{"PATCH", "event_definitions/{id}/", "event_definition:write", 0, 0, s.updateEventDefinition},
		route{"DELETE", "event_definitions/{id}/", "event_definition:write", 0, 204, s.deleteEventDefinition},
		route{"GET", "property_definitions/", "property_definition:read", 0, 0, s.listPropertyDefinitions},
		route{"GET", "property_definitions/{id}/", "property_definition:read", 0, 0, s.getPropertyDefinition},
		route{"PUT", "property_definitions/{id}/", "property_definition:write", 0, 0, s.updatePropertyDefinition},
		route{"PATCH", "property_definitions/{id}/", "property_definition:write", 0, 0, s.updatePropertyDefinition},
		route{"DELETE", "property_definitions/{id}/", "property_definition:write", 0, 204, s.deletePropertyDefinition},
	)
}

// userOrNull is a user's UserBasic, or a JSON null (an untyped nil, which the map encoder
// writes as null) when there is none.
func userOrNull(c *call, id int) any {
	if u := userBasicByID(c.tx, id); u != nil {
		return u
	}
	return nil
}

// taxonomy reports whether the call's organization has the enterprise definitions.
func (c *call) taxonomy() bool { return c.tx.TaxonomyAvailable(c.project.OrgID) }

func (c *call) tagsOf(tags []string) []string {
	out := []string{}
	if c.tx.TaggingAvailable(c.project.OrgID) {
		out = append(out, tags...)
	}
	return out
}

func (c *call) eventDefinitionView(e *store.EventDefinition) map[string]any {
	v := map[string]any{
		"id": e.UUID, "name": e.Name, "created_at": isoTimePtr(e.CreatedAt), "last_seen_at": isoTimePtr(e.LastSeenAt),
		"last_updated_at": isoTimePtr(e.UpdatedAt), "tags": c.tagsOf(e.Tags), "is_action": false, "action_id": nil,
		"is_calculating": false, "last_calculated_at": nil, "created_by": nil, "post_to_slack": false,
	}
	if !c.taxonomy() {
		v["enforcement_mode"] = "allow"
		v["primary_property"] = nil
		return v
	}
	v["owner"] = userOrNull(c, e.Owner)
	v["description"] = e.Description
	v["updated_at"] = isoTimePtr(e.UpdatedAt)
	v["updated_by"] = userOrNull(c, e.UpdatedBy)
	v["verified"] = e.Verified
	v["verified_at"] = isoTimePtr(e.VerifiedAt)
	v["verified_by"] = userOrNull(c, e.VerifiedBy)
	v["hidden"] = e.Hidden
	v["default_columns"] = []string{}
	return v
}

func (c *call) propertyDefinitionView(d *store.PropertyDefinition, seen *bool) map[string]any {
	v := map[string]any{"id": d.UUID, "name": d.Name, "is_numerical": d.IsNumerical, "property_type": d.PropertyType,
		"tags": c.tagsOf(d.Tags), "is_seen_on_filtered_events": seen}
	if c.taxonomy() {
		v["description"] = d.Description
		v["updated_at"] = isoTimePtr(d.UpdatedAt)
		v["updated_by"] = userOrNull(c, d.UpdatedBy)
		v["verified"] = d.Verified
		v["verified_at"] = isoTimePtr(d.VerifiedAt)
		v["verified_by"] = userOrNull(c, d.VerifiedBy)
		v["hidden"] = d.Hidden
	}
	return v
}

// queryTrue reads a boolean query parameter as PostHog's views do ("true", any case).
func queryTrue(q url.Values, key string) bool {
	return strings.EqualFold(lastQueryValue(q, key), "true")
}

// queryJSONList reads a JSON-encoded list of strings (event_names, excluded_properties,
// tags); a value that is not one is refused on its parameter.
func queryJSONList(q url.Values, key string) ([]string, error) {
	raw := lastQueryValue(q, key)
	if raw == "" {
		return nil, nil
	}
	var list []any
	if err := json.Unmarshal([]byte(raw), &list); err != nil {
		return nil, store.FieldError(key, "invalid_input", "Must be a JSON-encoded list of strings.")
	}
	out := make([]string, 0, len(list))
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out, nil
}

// queryInt reads an integer query parameter with IntegerField's messages and a minimum.
func queryInt(q url.Values, key string, def, min int) (int, error) {
	raw := strings.TrimSpace(lastQueryValue(q, key))
	if raw == "" {
		return def, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil {
		return 0, store.FieldError(key, "invalid_input", store.MsgInvalidInt)
	}
	if n < min {
		return 0, store.FieldError(key, "min_value", "Ensure this value is greater than or equal to "+strconv.Itoa(min)+".")
	}
	return n, nil
}

// eventDefinitionOrderings are the ?ordering= fields the event definition list serves.
var eventDefinitionOrderings = []string{"name", "last_seen_at", "last_seen_at::date", "created_at", "created_at::date"}

func (s *Server) listEventDefinitions(c *call) (any, error) {
	q := c.r.URL.Query()
	f := store.EventDefinitionFilter{Search: lastQueryValue(q, "search"), EventType: lastQueryValue(q, "event_type"),
		ExcludeStale: queryTrue(q, "exclude_stale"), StaleThreshold: c.tx.Now().Add(-30 * 24 * time.Hour)}
	switch f.EventType {
	case "", "event", "all", "action_event":
		f.EventType = "event"
	case "event_custom", "event_posthog":
	default:
		return nil, store.FieldError("event_type", "invalid_input", "Not a valid event type. Use one of: event, event_custom, event_posthog.")
	}
	if c.taxonomy() {
		f.ExcludeHidden = queryTrue(q, "exclude_hidden")
		if v := lastQueryValue(q, "verified"); v != "" {
			b := strings.EqualFold(v, "true")
			f.Verified = &b
		}
	}
	var err error
	if f.Excluded, err = queryJSONList(q, "excluded_properties"); err != nil {
		return nil, err
	}
	f.Tags, _ = queryJSONList(q, "tags") // PostHog ignores tags that are not a JSON list
	for _, v := range q["names"] {
		for _, n := range strings.Split(v, ",") {
			if n != "" {
				f.Names = append(f.Names, n)
			}
		}
	}
	for _, v := range q["ordering"] {
		for _, o := range strings.Split(v, ",") {
			for _, field := range eventDefinitionOrderings {
				if strings.TrimPrefix(o, "-") == field {
					f.Ordering = append(f.Ordering, o)
				}
			}
		}
	}
	limit, err := queryInt(q, "limit", DefaultPageSize, 1)
	if err != nil {
		return nil, err
	}
	offset, err := queryInt(q, "offset", 0, 0)
	if err != nil {
		return nil, err
	}
	defs := c.tx.FilterEventDefinitions(c.project.ID, f)
	return encodedNow(paginateWith(c, defs, func(e *store.EventDefinition) any { return c.eventDefinitionView(e) }, limit, offset))
}

// eventDefinition finds the URL's event definition in the project (404 otherwise).
func (c *call) eventDefinition() (*store.EventDefinition, error) {
	return orNotFound(c.tx.EventDefinition(c.project.ID, c.vars["id"]))
}

func (s *Server) getEventDefinition(c *call) (any, error) {
	e, err := c.eventDefinition()
	if err != nil {
		return nil, err
	}
	return c.eventDefinitionView(e), nil
}

// updateEventDefinition serves PUT and PATCH: the enterprise serializer with the ingestion
// taxonomy feature; otherwise the open-source one, which refuses description, verified
// and hidden and keeps only tags.
func (s *Server) updateEventDefinition(c *call) (any, error) {
	e, body, err := foundWithBody(c, c.eventDefinition)
	if err != nil {
		return nil, err
	}
	if !c.taxonomy() {
		for _, f := range []string{"description", "verified", "hidden"} {
			if body.Get(f).Exists() {
				return nil, store.FieldError(f, "invalid_input", store.MsgUnsupportedMetadata)
			}
		}
	}
	vals, err := c.validate(store.EventDefinitionFields)
	if err != nil {
		return nil, err
	}
	if verr := c.tx.UpdateEventDefinition(c.project, c.user, e, vals); verr != nil {
		return nil, verr
	}
	return c.eventDefinitionView(e), nil
}

func (s *Server) deleteEventDefinition(c *call) (any, error) {
	return deleteFound(c.eventDefinition, func(e *store.EventDefinition) { c.tx.DeleteEventDefinition(c.project, c.user, e) })
}

func (s *Server) listPropertyDefinitions(c *call) (any, error) {
	q := c.r.URL.Query()
	f := store.PropertyDefinitionFilter{Search: lastQueryValue(q, "search"), Type: store.PropertyTypeEvent,
		ExcludeCoreProperties: queryTrue(q, "exclude_core_properties"), ExcludeHidden: queryTrue(q, "exclude_hidden"),
		FilterByEventNames: queryTrue(q, "filter_by_event_names")}
	if t := lastQueryValue(q, "type"); t != "" {
		typ, ok := store.PropertyDefinitionTypes[t]
		if !ok {
			return nil, store.FieldError("type", "invalid_choice", store.MsgInvalidChoice(t))
		}
		f.Type = typ
	}
	if raw := lastQueryValue(q, "group_type_index"); raw != "" {
		n, err := queryInt(q, "group_type_index", 0, 0)
		if err != nil {
			return nil, err
		}
		if n > 4 {
			return nil, store.FieldError("group_type_index", "max_value", "Ensure this value is less than or equal to 4.")
		}
		f.GroupTypeIndex = &n
	}
	if f.Type == store.PropertyTypeGroup && f.GroupTypeIndex == nil {
		return nil, store.Invalid("group_type_index must be set for group properties")
	}
	for _, key := range []string{"is_numerical", "is_feature_flag"} {
		if v := lastQueryValue(q, key); v != "" {
			b := strings.EqualFold(v, "true")
			if key == "is_numerical" {
				f.IsNumerical = &b
			} else {
				f.IsFeatureFlag = &b
			}
		}
	}
	if props := lastQueryValue(q, "properties"); props != "" {
		f.Properties = strings.Split(props, ",")
	}
	var err error
	if f.EventNames, err = queryJSONList(q, "event_names"); err != nil {
		return nil, err
	}
	if f.Excluded, err = queryJSONList(q, "excluded_properties"); err != nil {
		return nil, err
	}
	hits := c.tx.FilterPropertyDefinitions(c.project.ID, f)
	return encodedNow(paginate(c, hits, func(h store.PropertyDefinitionHit) any { return c.propertyDefinitionView(h.Def, h.Seen) }))
}

// propertyDefinition finds the URL's property definition in the project (404 otherwise).
func (c *call) propertyDefinition() (*store.PropertyDefinition, error) {
	return orNotFound(c.tx.PropertyDefinition(c.project.ID, c.vars["id"]))
}

func (s *Server) getPropertyDefinition(c *call) (any, error) {
	d, err := c.propertyDefinition()
	if err != nil {
		return nil, err
	}
	return c.propertyDefinitionView(d, nil), nil
}

// updatePropertyDefinition serves PUT and PATCH: only the enterprise serializer updates
// (the open-source one raises EnterpriseFeatureException).
func (s *Server) updatePropertyDefinition(c *call) (any, error) {
	d, _, err := foundWithBody(c, c.propertyDefinition)
	if err != nil {
		return nil, err
	}
	vals, err := c.validate(store.PropertyDefinitionFields)
	if err != nil {
		return nil, err
	}
	if !c.taxonomy() {
		return nil, c.tx.ErrTaxonomyFeature()
	}
	if verr := c.tx.UpdatePropertyDefinition(c.project, c.user, d, vals); verr != nil {
		return nil, verr
	}
	return c.propertyDefinitionView(d, nil), nil
}

func (s *Server) deletePropertyDefinition(c *call) (any, error) {
	return deleteFound(c.propertyDefinition, func(d *store.PropertyDefinition) { c.tx.DeletePropertyDefinition(c.project, c.user, d) })
}
