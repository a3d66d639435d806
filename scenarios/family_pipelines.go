package scenarios

// A project's data pipelines and alerts (keys under a project): integrations (a Slack
// workspace, a GitHub installation, ... as their OAuth flows would leave them), hog
// functions (destinations, transformations; their inputs checked by the store as the API
// checks them, secret ones kept write-only) and alerts on the project's insights. Records,
// YAML decoding, checks and seeding through the store's own operations.

import (
	"slices"
	"strings"

	"github.com/fakehog/fakehog/fake/store"
	"gopkg.in/yaml.v3"
)

// ProjectIntegration is an integration of a project.
type ProjectIntegration struct {
	Ref             string // how the project's hog functions refer to it
	Kind            string
	IntegrationID   string
	Config          map[string]any
	SensitiveConfig map[string]any // tokens: write-only, never shown
	CreatedBy       string
}

// HogFunction is a hog function of a project, written as a client would POST it.
type HogFunction struct {
	Name           string
	Description    string
	Type           string // destination when empty
	TemplateID     string
	Enabled        bool
	Hog            string // the template's code when empty
	InputsSchema   any
	Inputs         map[string]any
	Integrations   map[string]string // input key → integration ref: the input's value is its id
	Filters        map[string]any
	Masking        map[string]any
	Mappings       any
	ExecutionOrder *int
	CreatedBy      string
	Deleted        bool
}

// InsightAlert is an alert on an insight of the project.
type InsightAlert struct {
	Name                string
	Insight             string // the insight's short id or name
	SubscribedUsers     []string
	ThresholdType       string // absolute (default) or percentage
	Lower, Upper        *float64
	Condition           string // absolute_value (default), relative_increase, relative_decrease
	SeriesIndex         int
	CalculationInterval string // daily when empty
	Disabled            bool
	SkipWeekend         bool
	CreatedBy           string
}

// pipelineKeys are the project keys of the family (integrations, hog_functions, alerts).
func (d *decoder) pipelineKeys(pr *Project) []key {
	return []key{
		{"integrations", func(v *yaml.Node, p string) error {
			return d.list(v, p, func(_ int, item *yaml.Node, ip string) error {
				var in ProjectIntegration
				var cfg, sens any
				err := d.object(item, ip, "an integration", []key{
					{"ref", d.str(&in.Ref)},
					{"kind", d.str(&in.Kind)},
					{"integration_id", d.str(&in.IntegrationID)},
					{"config", d.anyValue(&cfg)},
					{"sensitive_config", d.anyValue(&sens)},
					{"created_by", d.str(&in.CreatedBy)},
				}, nil)
				in.Config, _ = cfg.(map[string]any)
				in.SensitiveConfig, _ = sens.(map[string]any)
				pr.Integrations = append(pr.Integrations, in)
				if err == nil && !d.has(item, "kind") {
					return d.errAt(item, ip, "an integration needs a kind")
				}
				return err
			})
		}},
		{"hog_functions", func(v *yaml.Node, p string) error {
			return d.list(v, p, func(_ int, item *yaml.Node, ip string) error {
				var h HogFunction
				var inputs, filters, masking, integrations any
				var order int
				err := d.object(item, ip, "a hog function", []key{
					{"name", d.str(&h.Name)},
					{"description", d.str(&h.Description)},
					{"type", d.str(&h.Type)},
					{"template_id", d.str(&h.TemplateID)},
					{"enabled", d.boolean(&h.Enabled)},
					{"hog", d.str(&h.Hog)},
					{"inputs_schema", d.anyValue(&h.InputsSchema)},
					{"inputs", d.anyValue(&inputs)},
					{"integrations", d.anyValue(&integrations)},
					{"filters", d.anyValue(&filters)},
					{"masking", d.anyValue(&masking)},
					{"mappings", d.anyValue(&h.Mappings)},
					{"execution_order", d.integer(&order)},
					{"created_by", d.str(&h.CreatedBy)},
					{"deleted", d.boolean(&h.Deleted)},
				}, nil)
				h.Inputs, _ = inputs.(map[string]any)
				h.Filters, _ = filters.(map[string]any)
				h.Masking, _ = masking.(map[string]any)
				if m, ok := integrations.(map[string]any); ok {
					h.Integrations = map[string]string{}
					for k, v := range m {
						s, _ := v.(string)
						h.Integrations[k] = s
					}
				}
				if d.has(item, "execution_order") {
					h.ExecutionOrder = &order
				}
				pr.HogFunctions = append(pr.HogFunctions, h)
				return err
			})
		}},
		{"alerts", func(v *yaml.Node, p string) error {
			return d.list(v, p, func(_ int, item *yaml.Node, ip string) error {
				var a InsightAlert
				var lower, upper any
				err := d.object(item, ip, "an alert", []key{
					{"name", d.str(&a.Name)},
					{"insight", d.str(&a.Insight)},
					{"subscribed_users", d.strs(&a.SubscribedUsers)},
					{"threshold_type", d.str(&a.ThresholdType)},
					{"lower", d.anyValue(&lower)},
					{"upper", d.anyValue(&upper)},
					{"condition", d.str(&a.Condition)},
					{"series_index", d.integer(&a.SeriesIndex)},
					{"calculation_interval", d.str(&a.CalculationInterval)},
					{"disabled", d.boolean(&a.Disabled)},
					{"skip_weekend", d.boolean(&a.SkipWeekend)},
					{"created_by", d.str(&a.CreatedBy)},
				}, nil)
				a.Lower, a.Upper = number(lower), number(upper)
				pr.Alerts = append(pr.Alerts, a)
				if err == nil && (lower != nil && a.Lower == nil || upper != nil && a.Upper == nil) {
					return d.errAt(item, ip, "an alert's lower and upper bounds are numbers")
				}
				if err == nil && !d.has(item, "insight") {
					return d.errAt(item, ip, "an alert needs an insight (its short id or name)")
				}
				return err
			})
		}},
	}
}

// number reads a YAML number (nil otherwise).
func number(v any) *float64 {
	switch x := v.(type) {
	case int64:
		f := float64(x)
		return &f
	case float64:
		return &x
	}
	return nil
}

// insightRef finds the project's insight a scenario names (short id, else name).
func insightRef(pr *Project, ref string) int {
	for i, in := range pr.Insights {
		if in.ShortID != "" && in.ShortID == ref {
			return i
		}
	}
	for i, in := range pr.Insights {
		if strings.EqualFold(in.Name, strings.TrimSpace(ref)) {
			return i
		}
	}
	return -1
}

// checkPipelines checks every project's integrations, hog functions and alerts: kinds,
// refs (unique, known), types, templates, insights, users and members.
func (c *orgCheck) checkPipelines() error {
	for pi, pr := range c.org.Projects {
		pp := index(child(c.path, "projects"), pi)
		refs := map[string]string{}
		for i, in := range pr.Integrations {
			ip := index(child(pp, "integrations"), i)
			if !slices.Contains(store.IntegrationKinds, any(in.Kind)) {
				return c.errorf(child(ip, "kind"), "%q is not an integration kind", in.Kind)
			}
			if in.Ref != "" {
				if prev, dup := refs[in.Ref]; dup {
					return c.errorf(child(ip, "ref"), "duplicate integration ref %q%s", in.Ref, c.lineOf(prev))
				}
				refs[in.Ref] = child(ip, "ref")
			}
			if err := c.optionalUser(child(ip, "created_by"), in.CreatedBy); err != nil {
				return err
			}
		}
		for i, h := range pr.HogFunctions {
			hp := index(child(pp, "hog_functions"), i)
			if h.Type != "" && !slices.Contains(store.HogFunctionTypes, any(h.Type)) {
				return c.errorf(child(hp, "type"), "%q is not a hog function type", h.Type)
			}
			if h.TemplateID != "" && store.HogFunctionTemplateByID(h.TemplateID) == nil {
				return c.errorf(child(hp, "template_id"), "no template %q", h.TemplateID)
			}
			if h.TemplateID == "" && strings.TrimSpace(h.Hog) == "" {
				return c.errorf(hp, "a hog function needs hog code or a template_id")
			}
			for key, ref := range h.Integrations {
				if _, ok := refs[ref]; !ok {
					return c.errorf(child(child(hp, "integrations"), key), "no integration with ref %q in this project", ref)
				}
			}
			if err := c.optionalUser(child(hp, "created_by"), h.CreatedBy); err != nil {
				return err
			}
		}
		for i, a := range pr.Alerts {
			ap := index(child(pp, "alerts"), i)
			if insightRef(&pr, a.Insight) < 0 {
				return c.errorf(child(ap, "insight"), "no insight %q in this project (by short id or name)", a.Insight)
			}
			if t := a.ThresholdType; t != "" && t != "absolute" && t != "percentage" {
				return c.errorf(child(ap, "threshold_type"), "%q is not one of absolute, percentage", t)
			}
			if err := c.oneOf(child(ap, "condition"), a.Condition, []string{"absolute_value", "relative_increase", "relative_decrease"}, true); err != nil {
				return err
			}
			if err := c.oneOf(child(ap, "calculation_interval"), a.CalculationInterval, []string{"hourly", "daily", "weekly", "monthly"}, true); err != nil {
				return err
			}
			for j, u := range a.SubscribedUsers {
				if _, err := c.member(index(child(ap, "subscribed_users"), j), u); err != nil {
					return err
				}
			}
			if err := c.optionalUser(child(ap, "created_by"), a.CreatedBy); err != nil {
				return err
			}
		}
	}
	return nil
}

// applyPipelines seeds each project's integrations, then its hog functions (through the
// API's own validation), then its alerts on the insights applyAnalytics made.
func applyPipelines(a *orgSeed) error {
	for pi, pr := range a.org.Projects {
		if pi >= len(a.projects[a.oi]) {
			break
		}
		sp := a.projects[a.oi][pi]
		pp := index(child(a.path, "projects"), pi)
		byRef := map[string]int{}
		for i, in := range pr.Integrations {
			si, err := a.tx.SeedIntegration(sp.ID, store.NewIntegration{Kind: in.Kind, IntegrationID: in.IntegrationID,
				Config: apiJSONMap(in.Config), SensitiveConfig: apiJSONMap(in.SensitiveConfig), CreatedBy: a.createdBy(in.CreatedBy)})
			if err != nil {
				return a.storeError(index(child(pp, "integrations"), i), err)
			}
			if in.Ref != "" {
				byRef[in.Ref] = si.ID
			}
		}
		for i, h := range pr.HogFunctions {
			hp := index(child(pp, "hog_functions"), i)
			body := map[string]any{"name": h.Name, "enabled": h.Enabled}
			for k, v := range map[string]string{"description": h.Description, "type": h.Type, "template_id": h.TemplateID, "hog": h.Hog} {
				if v != "" {
					body[k] = v
				}
			}
			inputs := map[string]any{}
			for k, v := range h.Inputs {
				inputs[k] = v
			}
			for key, ref := range h.Integrations {
				inputs[key] = map[string]any{"value": byRef[ref]}
			}
			body["inputs"] = inputs
			for k, v := range map[string]any{"inputs_schema": h.InputsSchema, "mappings": h.Mappings} {
				if v != nil {
					body[k] = v
				}
			}
			if h.Filters != nil {
				body["filters"] = h.Filters
			}
			if h.Masking != nil {
				body["masking"] = h.Masking
			}
			if h.ExecutionOrder != nil {
				body["execution_order"] = *h.ExecutionOrder
			}
			f, err := a.tx.CreateHogFunction(sp, a.createdBy(h.CreatedBy), bodyOf(body))
			if err != nil {
				return a.storeError(hp, err)
			}
			if h.Deleted {
				if err := a.tx.UpdateHogFunction(f, bodyOf(map[string]any{"deleted": true}), store.Patch); err != nil {
					return a.storeError(hp, err)
				}
			}
		}
		insights := a.tx.Insights(sp.ID, true)
		for i, al := range pr.Alerts {
			ap := index(child(pp, "alerts"), i)
			k := insightRef(&pr, al.Insight)
			if k < 0 || k >= len(insights) {
				return a.errorf(child(ap, "insight"), "no insight %q in this project", al.Insight)
			}
			users := []any{}
			for _, u := range al.SubscribedUsers {
				users = append(users, a.user(u).ID)
			}
			ttype := al.ThresholdType
			if ttype == "" {
				ttype = "absolute"
			}
			bounds := map[string]any{}
			if al.Lower != nil {
				bounds["lower"] = *al.Lower
			}
			if al.Upper != nil {
				bounds["upper"] = *al.Upper
			}
			cond := al.Condition
			if cond == "" {
				cond = "absolute_value"
			}
			body := map[string]any{"name": al.Name, "insight": insights[k].ID, "subscribed_users": users,
				"threshold": map[string]any{"configuration": map[string]any{"type": ttype, "bounds": bounds}},
				"condition": map[string]any{"type": cond}, "enabled": !al.Disabled, "skip_weekend": al.SkipWeekend,
				"config": map[string]any{"type": "TrendsAlertConfig", "series_index": al.SeriesIndex}}
			if al.CalculationInterval != "" {
				body["calculation_interval"] = al.CalculationInterval
			}
			if _, err := a.tx.CreateAlert(sp, a.createdBy(al.CreatedBy), bodyOf(body)); err != nil {
				return a.storeError(ap, err)
			}
		}
	}
	return nil
}
