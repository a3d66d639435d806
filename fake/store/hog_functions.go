package store

// Hog functions (PostHog's HogFunction, posthog/api/hog_function.py): destinations,
// transformations and the other function types of a project, with their hog code, input
// schema and inputs (secret ones write-only), filters, masking and mappings. Records,
// state, lookups and the write operations; the serializer's checks of a body are in
// hog_function_validation.go, the inputs' in hog_function_inputs.go.

import (
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/tidwall/gjson"
)

// HogFunction is one function of a project.
type HogFunction struct {
	ProjectRecord
	// UUID is the function's id in the API (HogFunction is a UUIDModel).
	UUID        string
	Type        string  // HogFunctionTypes; "" is null
	Name        *string // nil is null
	Description string
	Enabled     bool
	Hog         string
	// InputsSchema is the validated schema: a list of items (maps) with key, type, ...
	InputsSchema []any
	// Inputs are the non-secret inputs by key, each {"value", "templating", "order"}; a key
	// of the schema without a value is held as nil (PostHog's move_secret_inputs keeps it,
	// and the API answers null for it).
	Inputs map[string]any
	// EncryptedInputs are the secret inputs by key (PostHog's encrypted_inputs): never
	// rendered, only marked {"secret": true}.
	EncryptedInputs map[string]any
	Filters         map[string]any
	Masking         map[string]any // nil is null
	Mappings        []any          // nil is null
	IconURL         *string
	TemplateID      *string
	ExecutionOrder  *int
	CreatedAt       time.Time
	UpdatedAt       time.Time
	CreatedBy       int // user id; 0 when none
}

// HogFunctionTypes are PostHog's HogFunctionType choices.
var HogFunctionTypes = []any{"destination", "site_destination", "internal_destination", "source_webhook", "site_app", "transformation"}

// hogFunctionTypesWithJS are the types whose source is TypeScript, not Hog.
var hogFunctionTypesWithJS = []string{"site_destination", "site_app"}

// Limits from posthog/api/hog_function.py.
const (
	maxHogCodeBytes        = 100 * 1024
	maxTransformationsTeam = 20
)

// hogFunctionState holds every project's hog functions.
type hogFunctionState struct {
	noHooks
	recs   projectRecords[HogFunction, *HogFunction]
	byUUID map[string]int // uuid → record id
}

func (s *hogFunctionState) init() {
	s.recs.init()
	s.byUUID = map[string]int{}
}

// dropProject forgets the project's functions.
func (s *hogFunctionState) dropProject(_ *Tx, projectID int) {
	for _, f := range s.recs.all(projectID, true) {
		delete(s.byUUID, f.UUID)
	}
	s.recs.dropProject(projectID)
}

// HogFunction finds a function of the project by its id (a UUID, any case); soft-deleted
// ones only when withDeleted (PostHog includes them only to un-delete).
func (tx *Tx) HogFunction(projectID int, id string, withDeleted bool) *HogFunction {
	s := &tx.st.ext.hogFunctions
	rid, ok := s.byUUID[strings.ToLower(id)]
	if !ok {
		return nil
	}
	if withDeleted {
		return s.recs.get(projectID, rid)
	}
	return s.recs.live(projectID, rid)
}

// HogFunctionFilter narrows a listing (the list endpoint's query parameters).
type HogFunctionFilter struct {
	Types     []string // ?type=a,b
	Enabled   *bool
	ID        string
	CreatedBy *int
	Search    string // name or description contains, case-insensitively
}

// HogFunctions lists the project's live functions in PostHog's list order: execution_order
// ascending (functions without one last, as Postgres sorts NULLs), then most recently
// updated first.
func (tx *Tx) HogFunctions(projectID int, f HogFunctionFilter) []*HogFunction {
	var out []*HogFunction
	search := strings.ToLower(f.Search)
	for _, h := range tx.st.ext.hogFunctions.recs.all(projectID, false) {
		switch {
		case len(f.Types) > 0 && !slices.Contains(f.Types, h.Type):
		case f.Enabled != nil && h.Enabled != *f.Enabled:
		case f.ID != "" && !strings.EqualFold(f.ID, h.UUID):
		case f.CreatedBy != nil && h.CreatedBy != *f.CreatedBy:
		case search != "" && !strings.Contains(strings.ToLower(strOrEmpty(h.Name)), search) && !strings.Contains(strings.ToLower(h.Description), search):
		default:
			out = append(out, h)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].ExecutionOrder, out[j].ExecutionOrder
		if (a == nil) != (b == nil) {
			return b == nil
		}
		if a != nil && *a != *b {
			return *a < *b
		}
		return out[i].UpdatedAt.After(out[j].UpdatedAt)
	})
	return out
}

// HogFunctionCount is the number of functions across projects, soft-deleted included.
func (tx *Tx) HogFunctionCount() int { return tx.st.ext.hogFunctions.recs.count() }

// Template is the function's template, nil when it has none or PostHog no longer knows it.
func (f *HogFunction) Template() *HogFunctionTemplate {
	if f.TemplateID == nil {
		return nil
	}
	return HogFunctionTemplateByID(*f.TemplateID)
}

// CreateHogFunction validates a create body as HogFunctionSerializer does and adds the
// function to the project, created by user.
func (tx *Tx) CreateHogFunction(p *Project, user *User, body gjson.Result) (*HogFunction, *Error) {
	w, err := tx.validateHogFunction(p.ID, nil, body, Create)
	if err != nil {
		return nil, err
	}
	f := &HogFunction{ProjectRecord: ProjectRecord{ProjectID: p.ID}, UUID: tx.NewUUID(), Description: "",
		Filters: map[string]any{}, CreatedAt: tx.now, UpdatedAt: tx.now}
	if user != nil {
		f.CreatedBy = user.ID
	}
	w.apply(f)
	if f.Type == "transformation" && !w.vals.Has("execution_order") {
		f.ExecutionOrder = IntP(tx.highestExecutionOrder(p.ID) + 1)
	}
	s := &tx.st.ext.hogFunctions
	s.recs.add(f)
	s.byUUID[f.UUID] = f.ID
	return f, nil
}

// UpdateHogFunction applies a PATCH (mode Patch) or PUT (mode Replace) body. deleted=true
// soft-deletes the function; deleted=false brings a deleted one back.
func (tx *Tx) UpdateHogFunction(f *HogFunction, body gjson.Result, mode Mode) *Error {
	w, err := tx.validateHogFunction(f.ProjectID, f, body, mode)
	if err != nil {
		return err
	}
	// Un-deleting or re-enabling a transformation puts it last (HogFunctionSerializer.update).
	if f.Type == "transformation" {
		undelete := f.Deleted && w.vals.Has("deleted") && !w.vals.Bool("deleted")
		reenable := !f.Enabled && w.vals.Has("enabled") && w.vals.Bool("enabled") && !w.vals.Has("execution_order")
		if undelete || reenable {
			w.vals["execution_order"] = tx.highestExecutionOrder(f.ProjectID) + 1
		}
	}
	w.apply(f)
	f.UpdatedAt = tx.now
	return nil
}

// highestExecutionOrder is the project's highest execution_order among live transformations
// (0 when none).
func (tx *Tx) highestExecutionOrder(projectID int) int {
	top := 0
	for _, h := range tx.st.ext.hogFunctions.recs.all(projectID, false) {
		if h.Type == "transformation" && h.ExecutionOrder != nil {
			top = max(top, *h.ExecutionOrder)
		}
	}
	return top
}

// RearrangeHogFunctions is PATCH rearrange/: {"orders": {id: order}} sets the execution
// order of the project's live transformations (every id must be one), then lists them in
// their new order.
func (tx *Tx) RearrangeHogFunctions(projectID int, body gjson.Result) ([]*HogFunction, *Error) {
	orders := body.Get("orders")
	if !orders.IsObject() || len(orders.Map()) == 0 {
		return nil, InvalidCode("invalid_input", "No orders provided")
	}
	type change struct {
		f     *HogFunction
		order int
	}
	var changes []change
	var bad string
	orders.ForEach(func(k, v gjson.Result) bool {
		f := tx.HogFunction(projectID, k.String(), false)
		if f == nil || f.Type != "transformation" {
			if bad == "" {
				bad = k.String()
			}
			return true
		}
		n, ok := parseDRFInt(v)
		if !ok || n < 0 || n > 32767 {
			if bad == "" {
				bad = k.String()
			}
			return true
		}
		changes = append(changes, change{f, n})
		return true
	})
	if bad != "" {
		return nil, InvalidCode("invalid_input", "HogFunction with id "+bad+" does not exist")
	}
	for _, c := range changes {
		if c.f.ExecutionOrder == nil || *c.f.ExecutionOrder != c.order {
			c.f.ExecutionOrder = IntP(c.order)
			c.f.UpdatedAt = tx.now
		}
	}
	var out []*HogFunction
	for _, h := range tx.st.ext.hogFunctions.recs.all(projectID, false) {
		if h.Type == "transformation" {
			out = append(out, h)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].ExecutionOrder, out[j].ExecutionOrder
		if (a == nil) != (b == nil) {
			return b == nil
		}
		return a != nil && *a < *b
	})
	return out, nil
}

// strOrEmpty is a string pointer's text ("" for nil).
func strOrEmpty(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
