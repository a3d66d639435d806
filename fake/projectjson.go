package fake

// The project view's encoding (issue #14): a project's JSON is its open-ended settings with
// the record's own fields over them, in key order, as encoding/json encodes the one map
// projectView used to build (TestProjectViewMatchesMap). Building that map (some 70
// entries) and sorting its keys was most of a PATCH project.

import (
	"github.com/fakehog/fakehog/fake/store"
)

// The view's own fields, in key order: the index of each in projectOwnKeys.
const (
	pkAPIToken = iota
	pkAvailableSetupTaskIDs
	pkCreatedAt
	pkDefaultModifiers
	pkEffectiveMembershipLevel
	pkGroupTypes
	pkHasGroupTypes
	pkID
	pkIngestedEvent
	pkIsDemo
	pkIsPendingDeletion
	pkLiveEventsToken
	pkManagedViewsets
	pkName
	pkOrganization
	pkPersonOnEventsQueryingEnabled
	pkProductIntents
	pkProjectID
	pkSecretAPIToken
	pkSecretAPITokenBackup
	pkUpdatedAt
	pkUserAccessLevel
	pkUUID
	projectOwnFields
)

// projectOwnKeys are the names of the view's own fields, sorted (TestProjectOwnKeysSorted).
var projectOwnKeys = [projectOwnFields]string{
	"api_token", "available_setup_task_ids", "created_at", "default_modifiers", "effective_membership_level",
	"group_types", "has_group_types", "id", "ingested_event", "is_demo", "is_pending_deletion",
	"live_events_token", "managed_viewsets", "name", "organization", "person_on_events_querying_enabled",
	"product_intents", "project_id", "secret_api_token", "secret_api_token_backup", "updated_at",
	"user_access_level", "uuid",
}

// projectJSON is PostHog's ProjectBackwardCompat (the full project shape) for a caller:
// the project's settings, and its own fields (which win over a setting of the same name).
type projectJSON struct {
	settings map[string]any // the record's: read, never changed
	own      [projectOwnFields]any
}

// projectView renders the project for the calling member, encoded at once: the view reads
// the record's settings map, which later writes change, so it must not outlive the
// handler's transaction.
func projectView(c *call, p *store.Project) (any, error) {
	return encodedNow(projectJSONOf(c, p))
}

// projectJSONOf is the project's view for the calling member; it shares the record's
// settings.
func projectJSONOf(c *call, p *store.Project) *projectJSON {
	intents := make([]map[string]any, 0, len(p.ProductIntents))
	for _, pi := range p.ProductIntents {
		intents = append(intents, map[string]any{"product_type": pi.ProductType, "created_at": isoTime(pi.CreatedAt),
			"onboarding_completed_at": isoTimePtr(pi.OnboardingCompletedAt), "updated_at": isoTime(pi.UpdatedAt)})
	}
	level := c.member.Level
	var effective any = level
	userLevel := userAccessLevel(level)
	// Access controls in force for the caller set both (access.go).
	if a := c.accessFor(p); a != nil && a.Enforced() {
		effective, userLevel = nil, a.ProjectLevel()
		if l := a.EffectiveMembershipLevel(); l != nil {
			effective = *l
		}
	}
	v := &projectJSON{settings: p.Settings}
	v.own = [projectOwnFields]any{
		pkAPIToken:                      p.APIToken,
		pkAvailableSetupTaskIDs:         []string{},
		pkCreatedAt:                     isoTime(p.CreatedAt),
		pkDefaultModifiers:              map[string]any{},
		pkEffectiveMembershipLevel:      effective,
		pkGroupTypes:                    []any{},
		pkHasGroupTypes:                 false,
		pkID:                            p.ID,
		pkIngestedEvent:                 p.IngestedEvent,
		pkIsDemo:                        p.IsDemo,
		pkIsPendingDeletion:             p.IsPendingDeletion,
		pkLiveEventsToken:               nil,
		pkManagedViewsets:               map[string]any{},
		pkName:                          p.Name,
		pkOrganization:                  p.OrgID,
		pkPersonOnEventsQueryingEnabled: true,
		pkProductIntents:                intents,
		pkProjectID:                     p.ID,
		pkSecretAPIToken:                p.SecretAPIToken,
		pkSecretAPITokenBackup:          p.SecretAPITokenBackup,
		pkUpdatedAt:                     isoTime(p.UpdatedAt),
		pkUserAccessLevel:               userLevel,
		pkUUID:                          p.UUID,
	}
	return v
}

// appendJSON merges the sorted settings keys with the sorted own keys, an own field
// replacing a setting of the same name.
func (v *projectJSON) appendJSON(b []byte) ([]byte, error) {
	keys := sortedKeys(v.settings)
	b = append(b, '{')
	i, j, first := 0, 0, true
	for i < len(keys) || j < len(projectOwnKeys) {
		var key string
		var value any
		switch {
		case j == len(projectOwnKeys) || (i < len(keys) && keys[i] < projectOwnKeys[j]):
			key, value = keys[i], v.settings[keys[i]]
			i++
		default:
			key, value = projectOwnKeys[j], v.own[j]
			if i < len(keys) && keys[i] == key {
				i++ // the own field wins
			}
			j++
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		var err error
		if b, err = appendJSONString(b, key); err != nil {
			return b, err
		}
		b = append(b, ':')
		if b, err = appendJSON(b, value); err != nil {
			return b, err
		}
	}
	return append(b, '}'), nil
}
