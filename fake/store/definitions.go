package store

// Event and property definitions (PostHog's EventDefinition and PropertyDefinition, with
// their enterprise extensions): what a project's events and their properties are called,
// seeded from scenarios (fakehog ingests no events), listed with PostHog's filters, and
// described (description, tags, verified, hidden, owner) where the organization has the
// ingestion taxonomy feature. Both are addressed by UUID and deleted for good.

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// FeatureIngestionTaxonomy is PostHog's AvailableFeature.INGESTION_TAXONOMY: it unlocks the
// enterprise definitions (description, verified, hidden, owner) and their updates.
const FeatureIngestionTaxonomy = "ingestion_taxonomy"

// EventDefinition is one event name of a project.
type EventDefinition struct {
	ProjectRecord
	UUID        string
	Name        string
	CreatedAt   *time.Time // null until the first event (as for a definition made over the API)
	LastSeenAt  *time.Time
	Description string
	Tags        []string
	Owner       int // user id; 0 when none
	UpdatedAt   *time.Time
	UpdatedBy   int
	Verified    bool
	VerifiedAt  *time.Time
	VerifiedBy  int
	Hidden      bool
	// Properties are the event properties seen with this event (PostHog's EventProperty
	// rows), for event_names filters.
	Properties []string
}

// Property definition types (PropertyDefinition.Type).
const (
	PropertyTypeEvent   = 1
	PropertyTypePerson  = 2
	PropertyTypeGroup   = 3
	PropertyTypeSession = 4
)

// PropertyDefinitionTypes maps the API's type names to PropertyDefinition.Type.
var PropertyDefinitionTypes = map[string]int{"event": PropertyTypeEvent, "person": PropertyTypePerson,
	"group": PropertyTypeGroup, "session": PropertyTypeSession}

// PropertyValueTypes are a property's property_type choices.
var PropertyValueTypes = []any{"DateTime", "String", "Numeric", "Boolean", "Duration"}

// PropertyDefinition is one property name of a project.
type PropertyDefinition struct {
	ProjectRecord
	UUID             string
	Name             string
	Type             int
	GroupTypeIndex   *int
	IsNumerical      bool
	PropertyType     *string
	Description      string
	Tags             []string
	UpdatedAt        *time.Time
	UpdatedBy        int
	Verified         bool
	VerifiedAt       *time.Time
	VerifiedBy       int
	Hidden           bool
	QueryUsage30Days *int
}

// definitionState holds both kinds of definitions, with their UUID lookups.
type definitionState struct {
	noHooks
	events     projectRecords[EventDefinition, *EventDefinition]
	properties projectRecords[PropertyDefinition, *PropertyDefinition]
	eventIDs   map[string]int // uuid → id
	propIDs    map[string]int
}

func (s *definitionState) init() {
	s.events.init()
	s.properties.init()
	s.eventIDs = map[string]int{}
	s.propIDs = map[string]int{}
}

func (s *definitionState) dropProject(_ *Tx, projectID int) {
	for _, e := range s.events.all(projectID, true) {
		delete(s.eventIDs, e.UUID)
	}
	for _, p := range s.properties.all(projectID, true) {
		delete(s.propIDs, p.UUID)
	}
	s.events.dropProject(projectID)
	s.properties.dropProject(projectID)
}

// TaxonomyAvailable reports whether the organization has the enterprise definitions.
func (tx *Tx) TaxonomyAvailable(orgID string) bool {
	o := tx.Org(orgID)
	if o == nil {
		return false
	}
	_, ok := o.Feature(FeatureIngestionTaxonomy)
	return ok
}

// EventDefinitions lists the project's event definitions by name.
func (tx *Tx) EventDefinitions(projectID int) []*EventDefinition {
	out := tx.st.ext.definitions.events.all(projectID, false)
	slices.SortFunc(out, func(a, b *EventDefinition) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// EventDefinition finds the project's event definition by UUID (any spelling).
func (tx *Tx) EventDefinition(projectID int, id string) *EventDefinition {
	s := &tx.st.ext.definitions
	return s.events.get(projectID, s.eventIDs[canonicalID(id)])
}

// EventDefinitionByName finds the project's event definition with exactly that name.
func (tx *Tx) EventDefinitionByName(projectID int, name string) *EventDefinition {
	return tx.st.ext.definitions.events.find(projectID, false, func(e *EventDefinition) bool { return e.Name == name })
}

// PropertyDefinitions lists the project's property definitions by name.
func (tx *Tx) PropertyDefinitions(projectID int) []*PropertyDefinition {
	out := tx.st.ext.definitions.properties.all(projectID, false)
	slices.SortFunc(out, func(a, b *PropertyDefinition) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// PropertyDefinition finds the project's property definition by UUID (any spelling).
func (tx *Tx) PropertyDefinition(projectID int, id string) *PropertyDefinition {
	s := &tx.st.ext.definitions
	return s.properties.get(projectID, s.propIDs[canonicalID(id)])
}

// NewEventDefinition is a seeded event definition.
type NewEventDefinition struct {
	ID          string // UUID; generated when empty
	Name        string
	Description string
	Tags        []string
	Verified    bool
	Hidden      bool
	LastSeenAt  *time.Time // the seed time when nil
	Owner       int
	Properties  []string
}

// SeedEventDefinition adds an event definition (as ingestion would: first seen now).
func (tx *Tx) SeedEventDefinition(p *Project, in NewEventDefinition) (*EventDefinition, *Error) {
	name := strings.TrimSpace(in.Name)
	if name == "" {
		return nil, FieldError("name", "blank", MsgBlank)
	}
	if len([]rune(name)) > 400 {
		return nil, FieldError("name", "max_length", MsgMaxLen(400))
	}
	if tx.EventDefinitionByName(p.ID, name) != nil {
		return nil, FieldError("name", "unique", "Event definition with name '"+name+"' already exists")
	}
	id, err := tx.newDefinitionUUID(in.ID, tx.st.ext.definitions.eventIDs)
	if err != nil {
		return nil, err
	}
	tags, err := CleanTags("tags", toAnyList(in.Tags))
	if err != nil {
		return nil, err
	}
	now := tx.now
	seen := in.LastSeenAt
	if seen == nil {
		seen = &now
	}
	e := &EventDefinition{ProjectRecord: ProjectRecord{ProjectID: p.ID}, UUID: id, Name: name, CreatedAt: &now,
		LastSeenAt: seen, Description: in.Description, Tags: tags, Owner: in.Owner, Verified: in.Verified && !in.Hidden,
		Hidden: in.Hidden, Properties: append([]string{}, in.Properties...)}
	if e.Verified {
		e.VerifiedAt = &now
	}
	s := &tx.st.ext.definitions
	s.events.add(e)
	s.eventIDs[id] = e.ID
	return e, nil
}

// NewPropertyDefinition is a seeded property definition.
type NewPropertyDefinition struct {
	ID             string
	Name           string
	Type           int // PropertyTypeEvent when 0
	GroupTypeIndex *int
	PropertyType   string // "" for none
	Description    string
	Tags           []string
	Verified       bool
	Hidden         bool
}

// SeedPropertyDefinition adds a property definition; names are unique per project, type
// and group type.
func (tx *Tx) SeedPropertyDefinition(p *Project, in NewPropertyDefinition) (*PropertyDefinition, *Error) {
	name := strings.TrimSpace(in.Name)
	if name == "" {
		return nil, FieldError("name", "blank", MsgBlank)
	}
	if len([]rune(name)) > 400 {
		return nil, FieldError("name", "max_length", MsgMaxLen(400))
	}
	typ := in.Type
	if typ == 0 {
		typ = PropertyTypeEvent
	}
	if (typ == PropertyTypeGroup) != (in.GroupTypeIndex != nil) {
		return nil, FieldError("group_type_index", "invalid_input", "group_type_index is set for group properties, and only for them")
	}
	if tx.st.ext.definitions.properties.find(p.ID, false, func(o *PropertyDefinition) bool {
		return o.Name == name && o.Type == typ && eqIntPtr(o.GroupTypeIndex, in.GroupTypeIndex)
	}) != nil {
		return nil, FieldError("name", "unique", "Property definition with this name already exists")
	}
	var ptype *string
	if in.PropertyType != "" {
		if !slices.Contains(PropertyValueTypes, any(in.PropertyType)) {
			return nil, FieldError("property_type", "invalid_choice", MsgInvalidChoice(in.PropertyType))
		}
		t := in.PropertyType
		ptype = &t
	}
	id, err := tx.newDefinitionUUID(in.ID, tx.st.ext.definitions.propIDs)
	if err != nil {
		return nil, err
	}
	tags, err := CleanTags("tags", toAnyList(in.Tags))
	if err != nil {
		return nil, err
	}
	d := &PropertyDefinition{ProjectRecord: ProjectRecord{ProjectID: p.ID}, UUID: id, Name: name, Type: typ,
		GroupTypeIndex: in.GroupTypeIndex, IsNumerical: in.PropertyType == "Numeric", PropertyType: ptype,
		Description: in.Description, Tags: tags, Verified: in.Verified && !in.Hidden, Hidden: in.Hidden}
	if d.Verified {
		now := tx.now
		d.VerifiedAt = &now
	}
	s := &tx.st.ext.definitions
	s.properties.add(d)
	s.propIDs[id] = d.ID
	return d, nil
}

func (tx *Tx) newDefinitionUUID(given string, taken map[string]int) (string, *Error) {
	if given == "" {
		return tx.NewUUID(), nil
	}
	id, ok := CanonicalUUID(given)
	if !ok {
		return "", FieldError("id", "invalid_input", MsgInvalidUUID)
	}
	if _, dup := taken[id]; dup {
		return "", FieldError("id", "unique", "A definition with this id already exists.")
	}
	return id, nil
}

func toAnyList(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func eqIntPtr(a, b *int) bool { return (a == nil && b == nil) || (a != nil && b != nil && *a == *b) }

// Messages of the definition rules.
const (
	MsgHiddenAndVerified = "An event cannot be both hidden and verified"
	// MsgUnsupportedMetadata answers a description, verified or hidden sent without the
	// enterprise definitions.
	MsgUnsupportedMetadata = "This field is not supported by this deployment."
)

// ErrTaxonomyFeature is the EnterpriseFeatureException (no feature named) a property
// definition update answers without the enterprise definitions.
func (tx *Tx) ErrTaxonomyFeature() *Error {
	return &Error{Status: 402, Type: "server_error", Code: "payment_required", Detail: MsgEnterpriseFeature("", !tx.opts.SelfHosted)}
}

// EventDefinitionFields are the writable fields of an enterprise event definition.
var EventDefinitionFields = Fields{
	{Name: "owner", Kind: Int, Nullable: true},
	{Name: "description", Kind: String, AllowBlank: true, Nullable: true},
	{Name: "tags", Kind: List},
	{Name: "verified", Kind: Bool},
	{Name: "hidden", Kind: Bool, Nullable: true},
	{Name: "post_to_slack", Kind: Bool},
	{Name: "default_columns", Kind: List},
}

// PropertyDefinitionFields are the writable fields of an enterprise property definition.
var PropertyDefinitionFields = Fields{
	{Name: "description", Kind: String, AllowBlank: true, Nullable: true},
	{Name: "tags", Kind: List},
	{Name: "property_type", Kind: Choice, Nullable: true, AllowBlank: true, Choices: PropertyValueTypes},
	{Name: "verified", Kind: Bool},
	{Name: "hidden", Kind: Bool, Nullable: true},
}

// UpdateEventDefinition applies an enterprise update (PUT or PATCH): hidden and verified
// exclude each other, verifying stamps who and when, and the change is logged.
func (tx *Tx) UpdateEventDefinition(p *Project, user *User, e *EventDefinition, vals Values) *Error {
	if vals.Bool("hidden") && vals.Bool("verified") {
		return Invalid(MsgHiddenAndVerified)
	}
	var owner *User
	if vals.Has("owner") && vals["owner"] != nil {
		owner = tx.st.users[vals.Int("owner")]
		if owner == nil || tx.Membership(p.OrgID, owner.ID) == nil {
			return FieldError("owner", "does_not_exist", "Invalid pk \""+strconv.Itoa(vals.Int("owner"))+"\" - object does not exist.")
		}
	}
	var tags []string
	if vals.Has("tags") {
		var err *Error
		if tags, err = CleanTags("tags", vals["tags"]); err != nil {
			return err
		}
	}
	before := *e
	now := tx.now
	if vals.Has("owner") {
		e.Owner = 0
		if owner != nil {
			e.Owner = owner.ID
		}
	}
	if vals.Has("description") {
		e.Description = vals.Str("description")
	}
	if tags != nil && tx.TaggingAvailable(p.OrgID) {
		e.Tags = tags
	}
	applyVerification(&e.Verified, &e.Hidden, &e.VerifiedAt, &e.VerifiedBy, vals, user, now)
	e.UpdatedAt, e.UpdatedBy = &now, user.ID
	team := p.ID
	tx.LogActivity(ActivityInput{OrgID: p.OrgID, TeamID: &team, User: user, Scope: "EventDefinition", ItemID: e.UUID,
		Activity: "changed", Name: e.Name, Changes: diffChanges("EventDefinition", map[string][2]any{
			"description": {before.Description, e.Description}, "tags": {before.Tags, e.Tags},
			"verified": {before.Verified, e.Verified}, "hidden": {before.Hidden, e.Hidden}, "owner": {before.Owner, e.Owner}})})
	return nil
}

// UpdatePropertyDefinition applies an enterprise update: a new property_type also sets
// is_numerical.
func (tx *Tx) UpdatePropertyDefinition(p *Project, user *User, d *PropertyDefinition, vals Values) *Error {
	if vals.Bool("hidden") && vals.Bool("verified") {
		return Invalid("A property cannot be both hidden and verified")
	}
	var tags []string
	if vals.Has("tags") {
		var err *Error
		if tags, err = CleanTags("tags", vals["tags"]); err != nil {
			return err
		}
	}
	before := *d
	now := tx.now
	if vals.Has("description") {
		d.Description = vals.Str("description")
	}
	if tags != nil && tx.TaggingAvailable(p.OrgID) {
		d.Tags = tags
	}
	if vals.Has("property_type") {
		d.PropertyType = nil
		if t := vals.Str("property_type"); t != "" {
			d.PropertyType = &t
		}
		d.IsNumerical = vals.Str("property_type") == "Numeric"
	}
	applyVerification(&d.Verified, &d.Hidden, &d.VerifiedAt, &d.VerifiedBy, vals, user, now)
	d.UpdatedAt, d.UpdatedBy = &now, user.ID
	team := p.ID
	tx.LogActivity(ActivityInput{OrgID: p.OrgID, TeamID: &team, User: user, Scope: "PropertyDefinition", ItemID: d.UUID,
		Activity: "changed", Name: d.Name, Changes: diffChanges("PropertyDefinition", map[string][2]any{
			"description": {before.Description, d.Description}, "tags": {before.Tags, d.Tags},
			"property_type": {before.PropertyType, d.PropertyType}, "verified": {before.Verified, d.Verified},
			"hidden": {before.Hidden, d.Hidden}})})
	return nil
}

// applyVerification follows the enterprise serializers: hiding unverifies, verifying
// unhides and stamps who and when (only when not verified yet), unverifying clears them.
func applyVerification(verified, hidden *bool, at **time.Time, by *int, vals Values, user *User, now time.Time) {
	if vals.Has("hidden") {
		*hidden = vals.Bool("hidden")
	}
	if vals.Bool("hidden") {
		*verified, *at, *by = false, nil, 0
		return
	}
	if !vals.Has("verified") {
		return
	}
	switch {
	case vals.Bool("verified") && !*verified:
		*hidden, *verified, *at, *by = false, true, &now, user.ID
	case !vals.Bool("verified"):
		*verified, *at, *by = false, nil, 0
	default:
		*hidden = false
	}
}

// DeleteEventDefinition removes an event definition for good (logged).
func (tx *Tx) DeleteEventDefinition(p *Project, user *User, e *EventDefinition) {
	s := &tx.st.ext.definitions
	s.events.remove(e)
	delete(s.eventIDs, e.UUID)
	team := p.ID
	tx.LogActivity(ActivityInput{OrgID: p.OrgID, TeamID: &team, User: user, Scope: "EventDefinition", ItemID: e.UUID,
		Activity: "deleted", Name: e.Name})
}

// DeletePropertyDefinition removes a property definition for good (logged).
func (tx *Tx) DeletePropertyDefinition(p *Project, user *User, d *PropertyDefinition) {
	s := &tx.st.ext.definitions
	s.properties.remove(d)
	delete(s.propIDs, d.UUID)
	team := p.ID
	tx.LogActivity(ActivityInput{OrgID: p.OrgID, TeamID: &team, User: user, Scope: "PropertyDefinition", ItemID: d.UUID,
		Activity: "deleted", Name: d.Name})
}
