package fake

// Hog functions inside a project (/api/environments/{project_id}/hog_functions/, and the
// same under /api/projects/): the function and template views, the handlers, and the
// redaction of secret input values from what the journal records.

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/fakehog/fakehog/fake/store"
	"github.com/tidwall/gjson"
)

// hogFunctionRoutes are the hog function operations. rearrange/ comes before {id}/ (the
// first matching route wins) and, as a custom action without required scopes, refuses
// personal API keys.
func hogFunctionRoutes(s *Server) []route {
	return underBothRoots(
		route{"GET", "hog_functions/", "hog_function:read", 0, 0, s.listHogFunctions},
		route{"POST", "hog_functions/", "hog_function:write", 0, 201, s.createHogFunction},
		route{"PATCH", "hog_functions/rearrange/", "", 0, 0, s.rearrangeHogFunctions},
		route{"GET", "hog_functions/{id}/", "hog_function:read", 0, 0, s.getHogFunction},
		route{"PATCH", "hog_functions/{id}/", "hog_function:write", 0, 0, s.updateHogFunction},
		route{"PUT", "hog_functions/{id}/", "hog_function:write", 0, 0, s.updateHogFunction},
		route{"DELETE", "hog_functions/{id}/", "hog_function:write", 0, 0, s.deleteHogFunction},
		route{"GET", "hog_function_templates/", "hog_function:read", 0, 0, s.listHogFunctionTemplates},
		route{"GET", "hog_function_templates/{id}/", "hog_function:read", 0, 0, s.getHogFunctionTemplate},
	)
}

// hogFunctionStatusJSON is HogFunctionStatusSerializer. Without a plugin server to ask,
// every function reports PostHog's DEFAULT_STATE.
type hogFunctionStatusJSON struct {
	State  int `json:"state"`
	Tokens int `json:"tokens"`
}

// hogFunctionTemplateJSON is HogFunctionTemplateSerializer.
type hogFunctionTemplateJSON struct {
	ID               string  `json:"id"`
	Name             string  `json:"name"`
	Description      *string `json:"description"`
	Code             string  `json:"code"`
	CodeLanguage     string  `json:"code_language"`
	InputsSchema     any     `json:"inputs_schema"`
	Type             string  `json:"type"`
	Status           string  `json:"status"`
	Category         any     `json:"category"`
	Free             bool    `json:"free"`
	IconURL          *string `json:"icon_url"`
	Filters          any     `json:"filters"`
	Masking          any     `json:"masking"`
	MappingTemplates any     `json:"mapping_templates"`
}

func hogFunctionTemplateView(t *store.HogFunctionTemplate) *hogFunctionTemplateJSON {
	if t == nil {
		return nil
	}
	desc, icon := t.Description, t.IconURL
	return &hogFunctionTemplateJSON{ID: t.ID, Name: t.Name, Description: &desc, Code: t.Code, CodeLanguage: t.CodeLanguage,
		InputsSchema: store.CloneValue(t.InputsSchema), Type: t.Type, Status: t.Status, Category: store.CloneValue(t.Category),
		Free: t.Free, IconURL: &icon}
}

// hogFunctionMinimalJSON is HogFunctionMinimalSerializer (the list's shape).
type hogFunctionMinimalJSON struct {
	ID             string                   `json:"id"`
	Type           *string                  `json:"type"`
	Name           *string                  `json:"name"`
	Description    string                   `json:"description"`
	CreatedAt      string                   `json:"created_at"`
	CreatedBy      *userBasicJSON           `json:"created_by"`
	UpdatedAt      string                   `json:"updated_at"`
	Enabled        bool                     `json:"enabled"`
	Hog            string                   `json:"hog"`
	Filters        any                      `json:"filters"`
	IconURL        *string                  `json:"icon_url"`
	Template       *hogFunctionTemplateJSON `json:"template"`
	Status         hogFunctionStatusJSON    `json:"status"`
	ExecutionOrder *int                     `json:"execution_order"`
}

// hogFunctionJSON is HogFunctionSerializer: secret inputs are marked {"secret": true}, never
// shown. bytecode and transpiled are null: the fake compiles nothing.
type hogFunctionJSON struct {
	ID             string                   `json:"id"`
	Type           *string                  `json:"type"`
	Name           *string                  `json:"name"`
	Description    string                   `json:"description"`
	CreatedAt      string                   `json:"created_at"`
	CreatedBy      *userBasicJSON           `json:"created_by"`
	UpdatedAt      string                   `json:"updated_at"`
	Enabled        bool                     `json:"enabled"`
	Hog            string                   `json:"hog"`
	Bytecode       any                      `json:"bytecode"`
	Transpiled     *string                  `json:"transpiled"`
	InputsSchema   any                      `json:"inputs_schema"`
	Inputs         map[string]any           `json:"inputs"`
	Filters        any                      `json:"filters"`
	Masking        any                      `json:"masking"`
	Mappings       any                      `json:"mappings"`
	IconURL        *string                  `json:"icon_url"`
	Template       *hogFunctionTemplateJSON `json:"template"`
	Status         hogFunctionStatusJSON    `json:"status"`
	ExecutionOrder *int                     `json:"execution_order"`
}

// typeOrNull is a function's type, nil when it has none.
func typeOrNull(t string) *string {
	if t == "" {
		return nil
	}
	return &t
}

func hogFunctionMinimalView(tx *store.Tx, f *store.HogFunction) hogFunctionMinimalJSON {
	return hogFunctionMinimalJSON{ID: f.UUID, Type: typeOrNull(f.Type), Name: copyStr(f.Name), Description: f.Description,
		CreatedAt: isoTime(f.CreatedAt), CreatedBy: userBasicByID(tx, f.CreatedBy), UpdatedAt: isoTime(f.UpdatedAt),
		Enabled: f.Enabled, Hog: f.Hog, Filters: store.CloneValue(f.Filters), IconURL: copyStr(f.IconURL),
		Template: hogFunctionTemplateView(f.Template()), ExecutionOrder: copyInt(f.ExecutionOrder)}
}

func hogFunctionView(tx *store.Tx, f *store.HogFunction) hogFunctionJSON {
	schema := any([]any{})
	if f.InputsSchema != nil {
		schema = store.CloneValue(f.InputsSchema)
	}
	var mappings any
	if f.Mappings != nil {
		list := make([]any, len(f.Mappings))
		for i, m := range f.Mappings {
			mp, _ := store.CloneValue(m).(map[string]any)
			if in, ok := mp["inputs"].(map[string]any); ok {
				// A mapping's secret inputs are marked as the function's own are.
				s, _ := mp["inputs_schema"].([]any)
				mp["inputs"] = store.RenderInputs(s, in, nil)
			}
			list[i] = mp
		}
		mappings = list
	}
	var masking any
	if f.Masking != nil {
		masking = store.CloneValue(f.Masking)
	}
	return hogFunctionJSON{ID: f.UUID, Type: typeOrNull(f.Type), Name: copyStr(f.Name), Description: f.Description,
		CreatedAt: isoTime(f.CreatedAt), CreatedBy: userBasicByID(tx, f.CreatedBy), UpdatedAt: isoTime(f.UpdatedAt),
		Enabled: f.Enabled, Hog: f.Hog, InputsSchema: schema, Inputs: store.RenderInputs(f.InputsSchema, f.Inputs, f.EncryptedInputs),
		Filters: store.CloneValue(f.Filters), Masking: masking, Mappings: mappings, IconURL: copyStr(f.IconURL),
		Template: hogFunctionTemplateView(f.Template()), ExecutionOrder: copyInt(f.ExecutionOrder)}
}

// copyStr and copyInt copy a record's pointer field, so that a view shares nothing.
func copyStr(p *string) *string {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

func copyInt(p *int) *int {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// hogFunction finds the URL's function in the call's project (404 otherwise, soft-deleted
// ones included only when withDeleted).
func (c *call) hogFunction(withDeleted bool) (*store.HogFunction, error) {
	return orNotFound(c.tx.HogFunction(c.project.ID, c.vars["id"], withDeleted))
}

func (s *Server) listHogFunctions(c *call) (any, error) {
	q := c.r.URL.Query()
	var f store.HogFunctionFilter
	if t := lastQueryValue(q, "type"); t != "" {
		f.Types = strings.Split(t, ",")
	}
	switch lastQueryValue(q, "enabled") {
	case "true", "True", "1":
		f.Enabled = &[]bool{true}[0]
	case "false", "False", "0":
		f.Enabled = &[]bool{false}[0]
	}
	if id := lastQueryValue(q, "id"); id != "" {
		if !store.IsUUID(id) {
			return nil, store.FieldError("id", "invalid", "Enter a valid UUID.")
		}
		f.ID = id
	}
	if cb := lastQueryValue(q, "created_by"); cb != "" {
		n, err := strconv.Atoi(cb)
		if err != nil {
			return nil, store.FieldError("created_by", "invalid", "Enter a number.")
		}
		f.CreatedBy = &n
	}
	f.Search = strings.TrimSpace(lastQueryValue(q, "search"))
	return paginate(c, c.tx.HogFunctions(c.project.ID, f), func(h *store.HogFunction) any { return hogFunctionMinimalView(c.tx, h) }), nil
}

func (s *Server) getHogFunction(c *call) (any, error) {
	f, err := c.hogFunction(false)
	if err != nil {
		return nil, err
	}
	return hogFunctionView(c.tx, f), nil
}

func (s *Server) createHogFunction(c *call) (any, error) {
	body, err := c.object()
	if err != nil {
		return nil, err
	}
	c.redactSecretInputs(nil, body)
	f, ferr := c.tx.CreateHogFunction(c.project, c.user, body)
	if ferr != nil {
		return nil, ferr
	}
	return hogFunctionView(c.tx, f), nil
}

// updateHogFunction is PATCH and PUT. A deleted function is found only by a PATCH that
// un-deletes it (deleted: false), as PostHog's queryset does.
func (s *Server) updateHogFunction(c *call) (any, error) {
	body, err := c.object()
	if err != nil {
		return nil, err
	}
	undelete := c.r.Method == "PATCH" && body.Get("deleted").Type == gjson.False
	f, err := c.hogFunction(undelete)
	if err != nil {
		c.redactSecretInputs(nil, body)
		return nil, err
	}
	c.redactSecretInputs(f, body)
	if ferr := c.tx.UpdateHogFunction(f, body, c.writeMode()); ferr != nil {
		return nil, ferr
	}
	return hogFunctionView(c.tx, f), nil
}

// deleteHogFunction is ForbidDestroyModel: 405 with no body, once the function is found.
func (s *Server) deleteHogFunction(c *call) (any, error) {
	return nil, &store.Error{Status: 405, Empty: true}
}

func (s *Server) rearrangeHogFunctions(c *call) (any, error) {
	body, err := c.object()
	if err != nil {
		return nil, err
	}
	fs, ferr := c.tx.RearrangeHogFunctions(c.project.ID, body)
	if ferr != nil {
		return nil, ferr
	}
	out := make([]any, len(fs))
	for i, f := range fs {
		out[i] = hogFunctionView(c.tx, f)
	}
	return out, nil
}

func (s *Server) listHogFunctionTemplates(c *call) (any, error) {
	q := c.r.URL.Query()
	types := []string{"destination"}
	if t := lastQueryValue(q, "type"); t != "" {
		types = []string{t}
	} else if t := lastQueryValue(q, "types"); t != "" {
		types = strings.Split(t, ",")
	}
	return paginate(c, store.HogFunctionTemplates(types), func(t *store.HogFunctionTemplate) any { return hogFunctionTemplateView(t) }), nil
}

func (s *Server) getHogFunctionTemplate(c *call) (any, error) {
	t := store.HogFunctionTemplateByID(c.vars["id"])
	if t == nil {
		return nil, store.ErrNotFound()
	}
	return hogFunctionTemplateView(t), nil
}

// redactSecretInputs makes the journal record the request with the value of every secret
// input (top-level, or of a mapping) replaced by PostHog's marker {"secret": true}. An
// input is secret when the body's schema, the function's or its template's says so.
func (c *call) redactSecretInputs(f *store.HogFunction, body gjson.Result) {
	data, ok := store.DecodeJSONValue(body.Raw).(map[string]any)
	if !ok {
		return
	}
	secret := map[string]bool{}
	mark := func(schema any) {
		for _, k := range store.SecretInputKeys(schema) {
			secret[k] = true
		}
	}
	mark(data["inputs_schema"])
	templateID, _ := data["template_id"].(string)
	if f != nil {
		mark(f.InputsSchema)
		if f.TemplateID != nil {
			templateID = *f.TemplateID
		}
	}
	if t := store.HogFunctionTemplateByID(templateID); t != nil {
		mark(t.InputsSchema)
	}
	changed := redactInputs(data["inputs"], secret)
	if mappings, ok := data["mappings"].([]any); ok {
		for _, m := range mappings {
			mp, _ := m.(map[string]any)
			ms := map[string]bool{}
			for _, k := range store.SecretInputKeys(mp["inputs_schema"]) {
				ms[k] = true
			}
			changed = redactInputs(mp["inputs"], ms) || changed
		}
	}
	if !changed {
		return
	}
	if rec := recorderOf(c.w); rec != nil {
		b, _ := json.Marshal(data)
		rec.redactRequest(b)
	}
}

// redactInputs replaces the secret entries of an inputs object; it reports whether any was.
func redactInputs(inputs any, secret map[string]bool) bool {
	m, ok := inputs.(map[string]any)
	if !ok {
		return false
	}
	changed := false
	for k := range m {
		if secret[k] {
			m[k] = map[string]any{"secret": true}
			changed = true
		}
	}
	return changed
}
