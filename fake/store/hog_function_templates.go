package store

// The hog function templates the fake knows: a small built-in set with PostHog's real ids,
// code and input schemas (posthog/cdp/templates/), enough for a function to be created
// "from a template" as the Terraform provider and the web app do.

import "slices"

// HogFunctionTemplate is one of PostHog's function templates (HogFunctionTemplateSerializer).
type HogFunctionTemplate struct {
	ID           string
	Name         string
	Description  string
	Code         string
	CodeLanguage string // "hog" or "javascript"
	InputsSchema []any
	Type         string // the function type it makes
	Status       string // alpha, beta, stable, client-side, ...
	Category     []any
	Free         bool
	IconURL      string
}

// hogFunctionTemplates are the built-in templates, in PostHog's listing order for a
// project without functions (by name, case-insensitively).
var hogFunctionTemplates = []*HogFunctionTemplate{
	{
		ID: "template-blank-transformation", Name: "Custom transformation", Type: "transformation", Status: "alpha",
		Description: "This is a starter template for custom transformations", IconURL: "/static/hedgehog/builder-hog-01.png",
		Category: []any{"Custom"}, CodeLanguage: "hog",
		Code: "// This is a blank template for custom transformations\n" +
			"// The function receives `event` as a global object and expects it to be returned\n" +
			"// If you return null then the event will be discarded\nreturn event",
		InputsSchema: []any{},
	},
	{
		ID: "template-webhook", Name: "HTTP Webhook", Type: "destination", Status: "beta",
		Description: "Sends a webhook templated by the incoming event data", IconURL: "/static/posthog-icon.svg",
		Category: []any{"Custom"}, CodeLanguage: "hog",
		Code: "let res := fetch(inputs.url, {\n  'headers': inputs.headers,\n  'body': inputs.body,\n  'method': inputs.method\n});\n\n" +
			"if (inputs.debug) {\n  print('Response', res.status, res.body);\n}",
		InputsSchema: []any{
			map[string]any{"key": "url", "type": "string", "label": "Webhook URL", "secret": false, "required": true},
			map[string]any{"key": "method", "type": "choice", "label": "Method", "secret": false, "required": false, "default": "POST",
				"choices": []any{
					map[string]any{"label": "POST", "value": "POST"}, map[string]any{"label": "PUT", "value": "PUT"},
					map[string]any{"label": "PATCH", "value": "PATCH"}, map[string]any{"label": "GET", "value": "GET"},
					map[string]any{"label": "DELETE", "value": "DELETE"},
				}},
			map[string]any{"key": "body", "type": "json", "label": "JSON Body", "secret": false, "required": false,
				"default": map[string]any{"event": "{event}", "person": "{person}"}},
			map[string]any{"key": "headers", "type": "dictionary", "label": "Headers", "secret": false, "required": false},
			map[string]any{"key": "debug", "type": "boolean", "label": "Log responses", "secret": false, "required": false, "default": false,
				"description": "Logs the response of http calls for debugging."},
		},
	},
	{
		ID: "template-slack", Name: "Slack", Type: "destination", Status: "stable", Free: true,
		Description: "Sends a message to a Slack channel", IconURL: "/static/services/slack.png",
		Category: []any{"Customer Success"}, CodeLanguage: "hog",
		Code: "let res := fetch('https://slack.com/api/chat.postMessage', {\n  'body': {\n    'channel': inputs.channel,\n" +
			"    'icon_emoji': inputs.icon_emoji,\n    'username': inputs.username,\n    'blocks': inputs.blocks,\n    'text': inputs.text\n  },\n" +
			"  'method': 'POST',\n  'headers': {\n    'Authorization': f'Bearer {inputs.slack_workspace.access_token}',\n" +
			"    'Content-Type': 'application/json'\n  }\n});\n\n" +
			"if (res.status != 200 or res.body.ok == false) {\n  throw Error(f'Failed to post message to Slack: {res.status}: {res.body}');\n}",
		InputsSchema: []any{
			map[string]any{"key": "slack_workspace", "type": "integration", "integration": "slack", "label": "Slack workspace",
				"requiredScopes": "channels:read groups:read chat:write chat:write.customize", "secret": false, "hidden": false, "required": true},
			map[string]any{"key": "channel", "type": "integration_field", "integration_key": "slack_workspace", "integration_field": "slack_channel",
				"label": "Channel to post to", "secret": false, "hidden": false, "required": true,
				"description": "Select the channel to post to (e.g. #general). The PostHog app must be installed in the workspace."},
			map[string]any{"key": "icon_emoji", "type": "string", "label": "Emoji icon", "default": ":hedgehog:", "required": false, "secret": false, "hidden": false},
			map[string]any{"key": "username", "type": "string", "label": "Bot name", "default": "PostHog", "required": false, "secret": false, "hidden": false},
			map[string]any{"key": "blocks", "type": "json", "label": "Blocks", "description": "(see https://api.slack.com/block-kit/building)",
				"secret": false, "required": false, "hidden": false,
				"default": []any{
					map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": "*{person.name}* triggered event: '{event.event}'"}},
					map[string]any{"type": "actions", "elements": []any{
						map[string]any{"type": "button", "url": "{person.url}", "text": map[string]any{"type": "plain_text", "text": "View Person in PostHog"}},
						map[string]any{"type": "button", "url": "{source.url}", "text": map[string]any{"type": "plain_text", "text": "Message source"}},
					}},
				}},
			map[string]any{"key": "text", "type": "string", "label": "Plain text message", "secret": false, "required": false, "hidden": false,
				"description": "Optional fallback message if blocks are not provided or supported",
				"default":     "*{person.name}* triggered event: '{event.event}'"},
		},
	},
}

// HogFunctionTemplateByID finds a built-in template (nil when there is none).
func HogFunctionTemplateByID(id string) *HogFunctionTemplate {
	for _, t := range hogFunctionTemplates {
		if t.ID == id {
			return t
		}
	}
	return nil
}

// HogFunctionTemplates lists the templates of the given function types (all when types is
// empty), as PostHog lists them: deprecated ones left out.
func HogFunctionTemplates(types []string) []*HogFunctionTemplate {
	var out []*HogFunctionTemplate
	for _, t := range hogFunctionTemplates {
		if t.Status == "deprecated" {
			continue
		}
		if len(types) == 0 || slices.Contains(types, t.Type) {
			out = append(out, t)
		}
	}
	return out
}
