package scenarios

// The event and property definitions, actions and surveys of a scenario's projects:
// records, YAML decoding, checks and seeding. Definitions are what ingestion would have
// recorded (fakehog ingests no events); actions and surveys are written with the API's
// field names and seeded through the store's own checks, so a refusal carries the API's
// message at the key it concerns.

import (
	"encoding/json"
	"strings"

	"github.com/fakehog/fakehog/fake/store"
	"github.com/tidwall/gjson"
	"gopkg.in/yaml.v3"
)

// EventDefinition is an event a project has seen.
type EventDefinition struct {
	Name        string
	Description string
	Tags        []string
	Verified    bool
	Hidden      bool
	Properties  []string // event properties seen with it (for event_names filters)
}

// PropertyDefinition is a property a project has seen.
type PropertyDefinition struct {
	Name           string
	Type           string // event (default), person, group, session
	GroupTypeIndex *int
	PropertyType   string // DateTime, String, Numeric, Boolean, Duration; none when empty
	Description    string
	Tags           []string
	Verified       bool
	Hidden         bool
}

// Action and Survey are written with the API's fields (name, steps, tags...; name, type,
// questions, start_date...).
type (
	Action struct {
		Fields    map[string]any
		CreatedBy string // user ref or email; the organization's creator when empty
	}
	Survey struct {
		Fields    map[string]any
		CreatedBy string
	}
)

var (
	actionScenarioFields = scenarioFields(store.ActionFields, "deleted", "pinned_at", "last_calculated_at")
	surveyScenarioFields = scenarioFields(store.SurveyFields, "linked_insight_id", "targeting_flag_id", "remove_targeting_flag",
		"current_iteration", "current_iteration_start_date", "response_sampling_start_date", "linked_flag_id")
)

// taxonomyKeys are the keys of a project's event_definitions, property_definitions,
// actions and surveys.
func (d *decoder) taxonomyKeys(pr *Project) []key {
	return []key{
		{"event_definitions", func(v *yaml.Node, p string) error {
			return d.list(v, p, func(_ int, item *yaml.Node, ip string) error {
				var e EventDefinition
				err := d.object(item, ip, "an event definition", []key{
					{"name", d.str(&e.Name)}, {"description", d.str(&e.Description)}, {"tags", d.strs(&e.Tags)},
					{"verified", d.boolean(&e.Verified)}, {"hidden", d.boolean(&e.Hidden)}, {"properties", d.strs(&e.Properties)},
				}, nil)
				pr.EventDefinitions = append(pr.EventDefinitions, e)
				return err
			})
		}},
		{"property_definitions", func(v *yaml.Node, p string) error {
			return d.list(v, p, func(_ int, item *yaml.Node, ip string) error {
				var pd PropertyDefinition
				err := d.object(item, ip, "a property definition", []key{
					{"name", d.str(&pd.Name)}, {"type", d.str(&pd.Type)}, {"group_type_index", d.intPtr(&pd.GroupTypeIndex)},
					{"property_type", d.str(&pd.PropertyType)}, {"description", d.str(&pd.Description)}, {"tags", d.strs(&pd.Tags)},
					{"verified", d.boolean(&pd.Verified)}, {"hidden", d.boolean(&pd.Hidden)},
				}, nil)
				pr.PropertyDefinitions = append(pr.PropertyDefinitions, pd)
				return err
			})
		}},
		{"actions", func(v *yaml.Node, p string) error {
			return d.list(v, p, func(_ int, item *yaml.Node, ip string) error {
				var a Action
				err := d.object(item, ip, "an action", []key{{"created_by", d.str(&a.CreatedBy)}}, d.settings(actionScenarioFields, &a.Fields))
				pr.Actions = append(pr.Actions, a)
				return err
			})
		}},
		{"surveys", func(v *yaml.Node, p string) error {
			return d.list(v, p, func(_ int, item *yaml.Node, ip string) error {
				var s Survey
				err := d.object(item, ip, "a survey", []key{{"created_by", d.str(&s.CreatedBy)}}, d.settings(surveyScenarioFields, &s.Fields))
				pr.Surveys = append(pr.Surveys, s)
				return err
			})
		}},
	}
}

// propertyTypeNames are a property definition's type choices.
var propertyTypeNames = []string{"event", "person", "group", "session"}

// checkTaxonomy checks a project's definitions, actions and surveys: names present and
// unique, known types and value types, the API's field rules, known creators.
func (c *orgCheck) checkTaxonomy(pp string, pr Project) error {
	events := map[string]string{}
	for i, e := range pr.EventDefinitions {
		ep := index(child(pp, "event_definitions"), i)
		if err := c.required(ep, "name", e.Name, 400); err != nil {
			return err
		}
		if prev, dup := events[e.Name]; dup {
			return c.errorf(child(ep, "name"), "there is already an event definition named %q in this project%s", e.Name, c.lineOf(prev))
		}
		events[e.Name] = child(ep, "name")
	}
	props := map[string]string{}
	for i, d := range pr.PropertyDefinitions {
		dp := index(child(pp, "property_definitions"), i)
		if err := c.required(dp, "name", d.Name, 400); err != nil {
			return err
		}
		if err := c.oneOf(child(dp, "type"), d.Type, propertyTypeNames, true); err != nil {
			return err
		}
		if (d.Type == "group") != (d.GroupTypeIndex != nil) {
			return c.errorf(child(dp, "group_type_index"), "a group property has a group_type_index (0 to 4), and only a group property")
		}
		if g := d.GroupTypeIndex; g != nil && (*g < 0 || *g > 4) {
			return c.errorf(child(dp, "group_type_index"), "a group_type_index is between 0 and 4")
		}
		if err := c.oneOf(child(dp, "property_type"), d.PropertyType, []string{"DateTime", "String", "Numeric", "Boolean", "Duration"}, true); err != nil {
			return err
		}
		k := d.Type + "/" + d.Name
		if d.GroupTypeIndex != nil {
			k += "/" + itoaScenario(*d.GroupTypeIndex)
		}
		if prev, dup := props[k]; dup {
			return c.errorf(child(dp, "name"), "there is already a property definition named %q of this type in this project%s", d.Name, c.lineOf(prev))
		}
		props[k] = child(dp, "name")
	}
	for i, a := range pr.Actions {
		ap := index(child(pp, "actions"), i)
		if err := c.checkSettings(ap, actionScenarioFields, a.Fields, nil); err != nil {
			return err
		}
		if err := c.optionalUser(child(ap, "created_by"), a.CreatedBy); err != nil {
			return err
		}
	}
	for i, s := range pr.Surveys {
		sp := index(child(pp, "surveys"), i)
		name, _ := s.Fields["name"].(string)
		if err := c.required(sp, "name", name, 400); err != nil {
			return err
		}
		if err := c.checkSettings(sp, surveyScenarioFields, s.Fields, nil); err != nil {
			return err
		}
		if err := c.optionalUser(child(sp, "created_by"), s.CreatedBy); err != nil {
			return err
		}
	}
	return nil
}

func itoaScenario(n int) string { b, _ := json.Marshal(n); return string(b) }

// scenarioBody gives a scenario record's API fields as the JSON body the API would read.
func scenarioBody(fields map[string]any) gjson.Result {
	data, _ := json.Marshal(apiJSONMap(fields))
	if len(data) == 0 || string(data) == "null" {
		data = []byte("{}")
	}
	return gjson.ParseBytes(data)
}

// applyTaxonomy seeds each project's definitions, then actions, then surveys (which may
// name flags seeded before them).
func applyTaxonomy(a *orgSeed) error {
	for pi, pr := range a.org.Projects {
		pp := index(child(a.path, "projects"), pi)
		sp := a.projects[a.oi][pi]
		for i, e := range pr.EventDefinitions {
			if _, err := a.tx.SeedEventDefinition(sp, store.NewEventDefinition{Name: e.Name, Description: e.Description,
				Tags: e.Tags, Verified: e.Verified, Hidden: e.Hidden, Properties: e.Properties}); err != nil {
				return a.storeError(index(child(pp, "event_definitions"), i), err)
			}
		}
		for i, d := range pr.PropertyDefinitions {
			typ := store.PropertyDefinitionTypes[strings.ToLower(d.Type)]
			if _, err := a.tx.SeedPropertyDefinition(sp, store.NewPropertyDefinition{Name: d.Name, Type: typ,
				GroupTypeIndex: d.GroupTypeIndex, PropertyType: d.PropertyType, Description: d.Description, Tags: d.Tags,
				Verified: d.Verified, Hidden: d.Hidden}); err != nil {
				return a.storeError(index(child(pp, "property_definitions"), i), err)
			}
		}
		for i, act := range pr.Actions {
			ap := index(child(pp, "actions"), i)
			in, err := a.tx.ParseActionInput(a.sorg.ID, scenarioBody(act.Fields), store.Create)
			if err != nil {
				return a.storeError(ap, err)
			}
			if _, err := a.tx.CreateAction(sp, a.createdBy(act.CreatedBy), in); err != nil {
				return a.storeError(ap, err)
			}
		}
		for i, s := range pr.Surveys {
			svp := index(child(pp, "surveys"), i)
			in, err := a.tx.ParseSurveyInput(sp, nil, scenarioBody(s.Fields), store.Create)
			if err != nil {
				return a.storeError(svp, err)
			}
			if _, err := a.tx.CreateSurvey(sp, a.createdBy(s.CreatedBy), in); err != nil {
				return a.storeError(svp, err)
			}
		}
	}
	return nil
}
