package store

// Actions (PostHog's Action, products/actions): named sets of steps that match events,
// kept per project, soft-deleted (`deleted: true`; the viewset forbids DELETE), with tags
// and an activity log entry for every create, update and soft delete.

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/gjson"
)

// Action is one action of a project.
type Action struct {
	ProjectRecord
	Name               *string // null when created without one
	Description        string
	Tags               []string
	PostToSlack        bool
	SlackMessageFormat string
	// Steps are the validated steps, each holding only the keys the request gave (the
	// view shows every step field, null when absent).
	Steps            []map[string]any
	CreatedAt        time.Time
	CreatedBy        int // user id; 0 when none
	LastCalculatedAt time.Time
	PinnedAt         *time.Time
}

// actionState holds every project's actions.
type actionState struct {
	noHooks
	recs projectRecords[Action, *Action]
}

func (s *actionState) init()                            { s.recs.init() }
func (s *actionState) dropProject(_ *Tx, projectID int) { s.recs.dropProject(projectID) }

// ActionMatching are the ways a step matches a text, a link or a URL
// (ACTION_STEP_MATCHING_OPTIONS).
var ActionMatching = []any{"contains", "regex", "exact"}

// ActionFields are the writable fields of an action (ActionSerializer); steps and tags
// are checked by CleanActionSteps and CleanTags.
var ActionFields = Fields{
	{Name: "name", Kind: String, Nullable: true, AllowBlank: true, MaxLen: 400},
	{Name: "description", Kind: String, AllowBlank: true},
	{Name: "tags", Kind: List},
	{Name: "post_to_slack", Kind: Bool},
	{Name: "slack_message_format", Kind: String, AllowBlank: true, MaxLen: 1200},
	{Name: "steps", Kind: List},
	{Name: "deleted", Kind: Bool},
	{Name: "last_calculated_at", Kind: DateTime},
	{Name: "pinned_at", Kind: JSON},
}

// actionStepFields are a step's fields (ActionStepJSONSerializer): every one nullable;
// event, tag_name, text and href keep their surrounding white space.
var actionStepFields = Fields{
	{Name: "event", Kind: String, Nullable: true, NoTrim: true},
	{Name: "properties", Kind: List, Nullable: true},
	{Name: "selector", Kind: String, Nullable: true},
	{Name: "tag_name", Kind: String, Nullable: true, NoTrim: true},
	{Name: "text", Kind: String, Nullable: true, NoTrim: true},
	{Name: "text_matching", Kind: Choice, Nullable: true, Choices: ActionMatching},
	{Name: "href", Kind: String, Nullable: true, NoTrim: true},
	{Name: "href_matching", Kind: Choice, Nullable: true, Choices: ActionMatching},
	{Name: "url", Kind: String, Nullable: true},
	{Name: "url_matching", Kind: Choice, Nullable: true, Choices: ActionMatching},
}

// ActionStepKeys are a step's keys in the order the view shows them (selector_regex is
// derived from selector).
var ActionStepKeys = []string{"event", "properties", "selector", "selector_regex", "tag_name", "text", "text_matching",
	"href", "href_matching", "url", "url_matching"}

// CleanActionSteps validates the body's "steps" (a list of step objects) as DRF's nested
// serializer does; an error names its place as drf-exceptions-hog does (steps__1__url_matching).
func CleanActionSteps(raw gjson.Result) ([]map[string]any, *Error) {
	out := []map[string]any{}
	var err *Error
	i := 0
	raw.ForEach(func(_, step gjson.Result) bool {
		prefix := "steps__" + strconv.Itoa(i) + "__"
		if !step.IsObject() {
			err = FieldError("steps__"+strconv.Itoa(i), "invalid_input", fmt.Sprintf("Invalid data. Expected a dictionary, but got %s.", pyTypeName(step)))
			return false
		}
		vals, e := actionStepFields.Validate(step, Patch)
		if e != nil {
			e.Attr = prefix + e.Attr
			err = e
			return false
		}
		if props, ok := vals["properties"].([]any); ok {
			for j, p := range props {
				if _, isMap := p.(map[string]any); !isMap {
					err = FieldError(prefix+"properties__"+strconv.Itoa(j), "not_a_dict",
						fmt.Sprintf("Expected a dictionary of items but got type %q.", pyKind(p)))
					return false
				}
			}
		}
		out = append(out, map[string]any(vals))
		i++
		return true
	})
	return out, err
}

// Message of the action rules.
const msgActionNameTaken = "This project already has an action with this name, ID %d"

// Actions lists the project's live actions as PostHog orders them: the most recently
// calculated first, then by name.
func (tx *Tx) Actions(projectID int) []*Action {
	out := tx.st.ext.actions.recs.all(projectID, false)
	slices.SortStableFunc(out, func(a, b *Action) int {
		if c := b.LastCalculatedAt.Compare(a.LastCalculatedAt); c != 0 {
			return c
		}
		return strings.Compare(nameOf(a.Name), nameOf(b.Name))
	})
	return out
}

// Action finds an action of the project, soft-deleted ones included (retrieve and update
// see them; only the list hides them).
func (tx *Tx) Action(projectID, id int) *Action { return tx.st.ext.actions.recs.get(projectID, id) }

// ActionByName finds the project's live action with exactly that name.
func (tx *Tx) ActionByName(projectID int, name string) *Action {
	return tx.st.ext.actions.recs.find(projectID, false, func(a *Action) bool { return a.Name != nil && *a.Name == name })
}

func nameOf(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// ActionInput is a validated action body: vals from ActionFields, steps and tags cleaned.
type ActionInput struct {
	Vals  Values
	Steps []map[string]any // nil when the body has none
	Tags  []string         // nil when the body has none (or tagging is not available)
}

// ParseActionInput validates an action body (create, PUT or PATCH alike: no field is
// required), steps and tags included.
func (tx *Tx) ParseActionInput(orgID string, body gjson.Result, mode Mode) (ActionInput, *Error) {
	vals, err := ActionFields.Validate(body, mode)
	if err != nil {
		return ActionInput{}, err
	}
	in := ActionInput{Vals: vals}
	if vals.Has("steps") {
		if in.Steps, err = CleanActionSteps(body.Get("steps")); err != nil {
			return ActionInput{}, err
		}
	}
	if vals.Has("pinned_at") {
		if err := checkPinnedAt(vals); err != nil {
			return ActionInput{}, err
		}
	}
	if vals.Has("tags") {
		tags, err := CleanTags("tags", vals["tags"])
		if err != nil {
			return ActionInput{}, err
		}
		if tx.TaggingAvailable(orgID) {
			in.Tags = tags
		}
	}
	return in, nil
}

// checkPinnedAt reads pinned_at: null or "" unpins, else an ISO date-time.
func checkPinnedAt(vals Values) *Error {
	switch v := vals["pinned_at"].(type) {
	case nil:
		return nil
	case string:
		if v == "" {
			vals["pinned_at"] = nil
			return nil
		}
		t, ok := ParseDateTime(v)
		if !ok {
			return FieldError("pinned_at", "invalid_input", MsgInvalidDate)
		}
		vals["pinned_at"] = t
		return nil
	}
	return FieldError("pinned_at", "invalid_input", MsgInvalidDate)
}

// checkActionName applies the serializer's validate: a name given must not be blank and
// must not be another live action's name in the project.
func (tx *Tx) checkActionName(projectID int, vals Values, self *Action) *Error {
	if !vals.Has("name") || vals["name"] == nil {
		return nil
	}
	name := vals.Str("name")
	if name == "" {
		return FieldError("name", "blank", MsgBlank)
	}
	if other := tx.ActionByName(projectID, name); other != nil && other != self {
		return FieldError("name", "unique", fmt.Sprintf(msgActionNameTaken, other.ID))
	}
	return nil
}

// CreateAction creates an action in the project, created by user (nil for none).
func (tx *Tx) CreateAction(p *Project, user *User, in ActionInput) (*Action, *Error) {
	if err := tx.checkActionName(p.ID, in.Vals, nil); err != nil {
		return nil, err
	}
	a := &Action{ProjectRecord: ProjectRecord{ProjectID: p.ID}, CreatedAt: tx.now, LastCalculatedAt: tx.now,
		Steps: []map[string]any{}, Tags: []string{}}
	if user != nil {
		a.CreatedBy = user.ID
	}
	applyActionValues(a, in, nil)
	tx.st.ext.actions.recs.add(a)
	tx.logAction(p, user, a, "created", nil)
	return a, nil
}

// UpdateAction applies a PUT or PATCH: a soft delete is `deleted: true`, and is logged as
// "deleted" (a restore as "updated").
func (tx *Tx) UpdateAction(p *Project, user *User, a *Action, in ActionInput) *Error {
	if err := tx.checkActionName(p.ID, in.Vals, a); err != nil {
		return err
	}
	before := *a
	applyActionValues(a, in, &tx.now)
	activity := "updated"
	if !before.Deleted && a.Deleted {
		activity = "deleted"
	}
	tx.logAction(p, user, a, activity, actionChanges(&before, a))
	return nil
}

// applyActionValues sets what the body gave; now is the update's time (pinned_at takes the
// server's time rather than the caller's, and only when not pinned yet), nil on create.
func applyActionValues(a *Action, in ActionInput, now *time.Time) {
	v := in.Vals
	if v.Has("name") {
		a.Name = v.StrPtr("name")
	}
	if v.Has("description") {
		a.Description = v.Str("description")
	}
	if v.Has("post_to_slack") {
		a.PostToSlack = v.Bool("post_to_slack")
	}
	if v.Has("slack_message_format") {
		a.SlackMessageFormat = v.Str("slack_message_format")
	}
	if v.Has("deleted") {
		a.Deleted = v.Bool("deleted")
	}
	if t, ok := v["last_calculated_at"].(time.Time); ok {
		a.LastCalculatedAt = t
	}
	if v.Has("pinned_at") {
		t, set := v["pinned_at"].(time.Time)
		switch {
		case !set:
			a.PinnedAt = nil
		case now == nil:
			a.PinnedAt = &t
		case a.PinnedAt == nil:
			n := *now
			a.PinnedAt = &n
		}
	}
	if in.Steps != nil {
		a.Steps = in.Steps
	}
	if in.Tags != nil {
		a.Tags = in.Tags
	}
}

func actionChanges(before, after *Action) []Change {
	return diffChanges("Action", map[string][2]any{
		"name":                 {before.Name, after.Name},
		"description":          {before.Description, after.Description},
		"tags":                 {before.Tags, after.Tags},
		"post_to_slack":        {before.PostToSlack, after.PostToSlack},
		"slack_message_format": {before.SlackMessageFormat, after.SlackMessageFormat},
		"steps":                {before.Steps, after.Steps},
		"deleted":              {before.Deleted, after.Deleted},
		"pinned_at":            {before.PinnedAt, after.PinnedAt},
	})
}

// logAction records the action's activity. PostHog's model signal logs it as the action's
// creator, whoever made the change.
func (tx *Tx) logAction(p *Project, _ *User, a *Action, activity string, changes []Change) {
	team := p.ID
	tx.LogActivity(ActivityInput{OrgID: p.OrgID, TeamID: &team, User: tx.st.users[a.CreatedBy], Scope: "Action",
		ItemID: strconv.Itoa(a.ID), Activity: activity, Name: nameOf(a.Name), Changes: changes})
}
