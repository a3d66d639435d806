package fake

import (
	"fmt"
	"strings"
	"testing"
)

// Compatibility with PostHog's Terraform provider for hog functions and alerts: the request
// sequences of its posthog_hog_function and posthog_alert resources (internal/httpclient
// hog_function.go and alerts.go; internal/resource hog_function.go and alert.go;
// testacc/hog_function_test.go and alert_test.go), replayed with fakehog's own code and
// decoded into types declared as the provider declares them.

type tfHogFunctionTemplate struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Type string `json:"type"`
}

type tfHogFunction struct {
	ID             string                 `json:"id"`
	Type           *string                `json:"type,omitempty"`
	Name           *string                `json:"name,omitempty"`
	Description    *string                `json:"description,omitempty"`
	Enabled        *bool                  `json:"enabled,omitempty"`
	Hog            *string                `json:"hog,omitempty"`
	InputsSchema   []map[string]any       `json:"inputs_schema,omitempty"`
	Inputs         map[string]any         `json:"inputs,omitempty"`
	Filters        map[string]any         `json:"filters,omitempty"`
	Masking        map[string]any         `json:"masking,omitempty"`
	Mappings       []map[string]any       `json:"mappings,omitempty"`
	IconURL        *string                `json:"icon_url,omitempty"`
	Template       *tfHogFunctionTemplate `json:"template,omitempty"`
	ExecutionOrder *int                   `json:"execution_order,omitempty"`
	CreatedAt      *string                `json:"created_at,omitempty"`
	CreatedBy      map[string]any         `json:"created_by,omitempty"`
	UpdatedAt      *string                `json:"updated_at,omitempty"`
	Status         *struct {
		State  int `json:"state"`
		Tokens int `json:"tokens"`
	} `json:"status,omitempty"`
}

type tfHogFunctionRequest struct {
	Type         *string          `json:"type,omitempty"`
	Name         *string          `json:"name,omitempty"`
	Description  *string          `json:"description,omitempty"`
	Enabled      *bool            `json:"enabled,omitempty"`
	Hog          *string          `json:"hog,omitempty"`
	InputsSchema []map[string]any `json:"inputs_schema,omitempty"`
	Inputs       map[string]any   `json:"inputs,omitempty"`
	Filters      map[string]any   `json:"filters,omitempty"`
	TemplateID   *string          `json:"template_id,omitempty"`
	Deleted      *bool            `json:"deleted,omitempty"`
}

type tfAlertThreshold struct {
	Configuration struct {
		Type   string `json:"type"`
		Bounds *struct {
			Lower *float64 `json:"lower,omitempty"`
			Upper *float64 `json:"upper,omitempty"`
		} `json:"bounds,omitempty"`
	} `json:"configuration"`
}

type tfAlert struct {
	ID      string  `json:"id"`
	Name    *string `json:"name,omitempty"`
	Insight struct {
		ID int64 `json:"id"`
	} `json:"insight"`
	Enabled         *bool `json:"enabled,omitempty"`
	SubscribedUsers []struct {
		ID int64 `json:"id"`
	} `json:"subscribed_users,omitempty"`
	Threshold *tfAlertThreshold `json:"threshold,omitempty"`
	Condition *struct {
		Type string `json:"type"`
	} `json:"condition,omitempty"`
	Config *struct {
		Type                 string `json:"type"`
		SeriesIndex          *int   `json:"series_index,omitempty"`
		CheckOngoingInterval *bool  `json:"check_ongoing_interval,omitempty"`
	} `json:"config,omitempty"`
	CalculationInterval *string `json:"calculation_interval,omitempty"`
	SnoozedUntil        *string `json:"snoozed_until,omitempty"`
	SkipWeekend         *bool   `json:"skip_weekend,omitempty"`
	State               *string `json:"state,omitempty"`
	Checks              []struct {
		ID              string   `json:"id"`
		CreatedAt       string   `json:"created_at"`
		CalculatedValue *float64 `json:"calculated_value,omitempty"`
		State           string   `json:"state"`
		TargetsNotified bool     `json:"targets_notified"`
	} `json:"checks,omitempty"`
}

// TestTerraformHogFunctionLifecycle replays TestHogFunction_SensitiveInputs and _Import:
// create from template-webhook with a secret header merged into inputs, read, update the
// secret, import by id, destroy by PATCH deleted=true, and the destroy check's 404.
func TestTerraformHogFunctionLifecycle(t *testing.T) {
	e := newEnv(t)
	c := newTFClient(t, e)
	path := fmt.Sprintf("/api/environments/%d/hog_functions/", e.d.ProjectID)
	inputs := func(secret string) map[string]any {
		return map[string]any{
			"url":     map[string]any{"value": "https://example.com/webhook", "templating": "hog"},
			"method":  map[string]any{"value": "POST", "templating": "hog"},
			"headers": map[string]any{"value": map[string]any{"Authorization": "Bearer " + secret}, "templating": "hog"},
		}
	}
	schema := []map[string]any{
		{"key": "url", "type": "string", "label": "URL", "required": true},
		{"key": "method", "type": "string", "label": "Method", "required": true},
		{"key": "headers", "type": "dictionary", "label": "Headers", "secret": true},
	}
	hog := "let res := fetch(inputs.url, {'method': inputs.method, 'headers': inputs.headers})\n"
	req := tfHogFunctionRequest{Type: tfStr("destination"), Name: tfStr("tf-hook"), Description: tfStr("d"), Enabled: tfBool(true),
		Hog: &hog, TemplateID: tfStr("template-webhook"), InputsSchema: schema, Inputs: inputs("tok-1"),
		Filters: map[string]any{"source": "events", "events": []any{map[string]any{"id": "$pageview", "name": "$pageview", "type": "events"}}, "filter_test_accounts": false}}
	created := tfDecode[tfHogFunction](t, "create", c.call("POST", path, req, 201).Body)
	if created.Template == nil || created.Template.ID != "template-webhook" || *created.Hog != strings.TrimSpace(hog) ||
		created.Inputs["url"].(map[string]any)["value"] != "https://example.com/webhook" || fmt.Sprint(created.Inputs["headers"]) != "map[secret:true]" {
		t.Fatalf("create: %+v", created)
	}
	read := tfDecode[tfHogFunction](t, "read", c.call("GET", path+created.ID+"/", nil, 200).Body)
	if *read.Name != "tf-hook" || !*read.Enabled || read.Filters["events"] == nil {
		t.Fatalf("read: %+v", read)
	}
	req.Inputs = inputs("tok-2")
	updated := tfDecode[tfHogFunction](t, "update", c.call("PATCH", path+created.ID+"/", req, 200).Body)
	if strings.Contains(fmt.Sprint(updated.Inputs), "tok-") {
		t.Fatalf("a secret is shown: %v", updated.Inputs)
	}
	req.Enabled = tfBool(false)
	if off := tfDecode[tfHogFunction](t, "disable", c.call("PATCH", path+created.ID+"/", req, 200).Body); *off.Enabled {
		t.Fatal("still enabled")
	}
	imported := tfDecode[tfHogFunction](t, "import", c.call("GET", path+created.ID+"/", nil, 200).Body)
	if imported.ID != created.ID || *imported.Type != "destination" {
		t.Fatalf("import: %+v", imported)
	}
	c.call("PATCH", path+created.ID+"/", tfHogFunctionRequest{Deleted: tfBool(true)}, 200)
	c.call("GET", path+created.ID+"/", nil, 404)
}

// TestTerraformAlertLifecycle replays TestAlert_Update and TestAlert_InsightDeletion:
// an insight, an alert on it, threshold and name updates, import, delete, then the
// insight's deletion and a recreated pair.
func TestTerraformAlertLifecycle(t *testing.T) {
	e := newEnv(t)
	c := newTFClient(t, e)
	path := fmt.Sprintf("/api/environments/%d/alerts/", e.d.ProjectID)
	for round := range 2 {
		ins := e.trendsInsight(fmt.Sprint("tf-insight-", round))
		body := func(name string, lower, upper float64) map[string]any {
			return map[string]any{"name": name, "insight": ins, "subscribed_users": []int64{},
				"threshold":            map[string]any{"configuration": map[string]any{"type": "absolute", "bounds": map[string]any{"lower": lower, "upper": upper}}},
				"condition":            map[string]any{"type": "absolute_value"},
				"config":               map[string]any{"type": "TrendsAlertConfig", "series_index": 0, "check_ongoing_interval": true},
				"calculation_interval": "daily", "skip_weekend": false}
		}
		a := tfDecode[tfAlert](t, "create", c.call("POST", path, body("tf-alert", 10, 100), 201).Body)
		if a.Insight.ID != ins || a.Threshold.Configuration.Bounds == nil || *a.Threshold.Configuration.Bounds.Upper != 100 ||
			a.Condition.Type != "absolute_value" || *a.Config.SeriesIndex != 0 || !*a.Config.CheckOngoingInterval || *a.CalculationInterval != "daily" {
			t.Fatalf("create: %+v", a)
		}
		u := tfDecode[tfAlert](t, "update", c.call("PATCH", path+a.ID+"/", body("tf-alert-updated", 20, 200), 200).Body)
		if *u.Threshold.Configuration.Bounds.Lower != 20 || *u.Threshold.Configuration.Bounds.Upper != 200 {
			t.Fatalf("update: %+v", u)
		}
		r := tfDecode[tfAlert](t, "read", c.call("GET", path+a.ID+"/", nil, 200).Body)
		if r.ID != a.ID || r.Checks == nil || *r.Name != "tf-alert-updated" {
			t.Fatalf("read: %+v", r)
		}
		c.call("DELETE", path+a.ID+"/", nil, 204)
		c.call("GET", path+a.ID+"/", nil, 404)
		c.call("PATCH", fmt.Sprintf("/api/projects/%d/insights/%d/", e.d.ProjectID, ins), map[string]any{"deleted": true}, 200)
	}
}
