package fake

// Who is calling and what they may do: personal API keys and sessions, scopes, a key's
// organization and project scoping, and resolving the organization a request names.

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fakehog/fakehog/fake/store"
)

// authorize runs PostHog's permission pipeline for the call, in PostHog's order:
// authentication (401); APIScopePermission — a session-only operation refuses scoped keys
// (403), the organization is looked up (404), then the organization's key policy, the key's
// project and organization scoping and the key's scopes (403); then membership (403) and
// admin writes (403). Legacy keys (no scopes) pass APIScopePermission's scope checks, as in
// PostHog. A method the path does not serve (g without c.route) is checked up to
// membership, then 405.
func (c *call) authorize(g *pathGroup) error {
	if err := c.authenticate(); err != nil {
		return err
	}
	rt := c.route
	perm := permMember
	if rt != nil {
		perm = rt.Perm
	} else {
		for _, other := range g.methods {
			if other.Perm >= permSelf {
				perm = other.Perm
			}
			break
		}
	}
	switch perm {
	case permSelf:
		if rt == nil {
			return nil
		}
		return c.checkScope(rt.Scope)
	case permKeySelf:
		return c.checkKeySelf()
	case permProject:
		return c.resolveProject()
	case permCurrentOrg:
		return c.resolveCurrentOrg()
	}
	if rt != nil {
		perm = rt.Perm
		if rt.Scope == "" && c.scopedKey() {
			return errNoPAKAccess
		}
	} else if strings.HasPrefix(g.path, "/api/organizations/{id}") {
		perm = permOrgDetail
	} else if g.path == "/api/organizations/" {
		perm = permUser
	}
	switch perm {
	case permUser:
		return c.checkKeyAccess(nil)
	case permOrgDetail:
		return c.resolveOrgDetail()
	}
	return c.resolveNestedOrg(perm)
}

// scopedKey reports whether the call is authenticated by a personal API key with scopes
// (PostHog lets legacy keys, which have none, do everything).
func (c *call) scopedKey() bool { return c.key != nil && len(c.key.Scopes) > 0 }

// checkKeyAccess is the rest of APIScopePermission once the organization is known (org nil
// for the organization list and create): the organization's key policy, the key's project
// scoping, its organization scoping, then the route's scope.
func (c *call) checkKeyAccess(org *store.Organization) error {
	if c.key == nil {
		return nil
	}
	if org != nil {
		if err := c.checkKeyPolicy(org); err != nil {
			return err
		}
	}
	if len(c.key.ScopedTeams) > 0 {
		return store.Forbidden("API keys with scoped projects are only supported on project-based endpoints.")
	}
	if org != nil && !c.keyReaches(org.ID) {
		return errKeyOrg(org.ID)
	}
	if c.route != nil {
		return c.checkScope(c.route.Scope)
	}
	return nil
}

// authenticate finds the user: a personal API key (Authorization: Bearer, then the body's
// personal_api_key, then the query's), else the session cookie, whose unsafe requests must
// pass PostHog's CSRF check (csrf.go).
func (c *call) authenticate() error {
	// UserViewSet lists SessionAuthentication before the personal API key
	// (posthog/api/user.py); every other viewset tries keys first (posthog/api/routing.py).
	sessionFirst := strings.HasPrefix(c.r.URL.Path, "/api/users/")
	if sessionFirst {
		if found, err := c.authenticateSession(); found {
			return err
		}
	}
	value, where := c.findAPIKey()
	if where != "" {
		k := c.tx.APIKeyByValue(value)
		if k == nil {
			return errInvalidKey(where)
		}
		u := c.tx.User(k.UserID)
		if u == nil || !u.IsActive {
			return errInvalidKey(where)
		}
		c.user, c.key = u, k
		return nil
	}
	if !sessionFirst {
		if found, err := c.authenticateSession(); found {
			return err
		}
	}
	return errNotAuthenticated
}

// authenticateSession is SessionAuthentication: found when the session cookie names an
// active user, who must then pass the CSRF check (csrf.go).
func (c *call) authenticateSession() (found bool, err error) {
	ck, cerr := c.r.Cookie("sessionid")
	if cerr != nil || ck.Value == "" {
		return false, nil
	}
	u := c.tx.UserBySession(ck.Value)
	if u == nil {
		return false, nil
	}
	c.user = u
	if err := c.checkCSRF(); err != nil {
		return true, err
	}
	c.ensureCSRFCookie()
	return true, nil
}

// findAPIKey returns the personal API key the request carries and where it was found.
func (c *call) findAPIKey() (value, where string) {
	if h := c.r.Header.Get("Authorization"); h != "" {
		if v, ok := strings.CutPrefix(h, "Bearer "); ok {
			v = strings.TrimSpace(v)
			// pha_ tokens are OAuth access tokens, left to another authenticator.
			if v != "" && !strings.HasPrefix(v, "pha_") {
				return v, "Authorization header"
			}
		}
	}
	if c.body != nil {
		if v := c.body.json.Get("personal_api_key"); v.Type == 3 /* gjson.String */ && v.Str != "" {
			return v.Str, "body"
		}
	}
	if v := lastQueryValue(c.r.URL.Query(), "personal_api_key"); v != "" {
		return v, "query string"
	}
	return "", ""
}

// checkScope is APIScopePermission: write implies read, "*" allows all, a key with no
// scopes (legacy) allows all; an operation with no scope refuses keys.
func (c *call) checkScope(scope string) error {
	if !c.scopedKey() {
		return nil // sessions and legacy keys are not scope-checked
	}
	if scope == "" {
		return errNoPAKAccess
	}
	if keyAllows(c.key.Scopes, scope) {
		return nil
	}
	return store.Forbidden(fmt.Sprintf("API key missing required scope '%s'", scope))
}

// keyAllows reports whether a key's scopes grant scope.
func keyAllows(scopes []string, scope string) bool {
	if len(scopes) == 0 {
		return true
	}
	obj, action, _ := strings.Cut(scope, ":")
	for _, s := range scopes {
		if s == "*" || s == scope {
			return true
		}
		if action == "read" && s == obj+":write" {
			return true
		}
	}
	return false
}

// keyReaches reports whether the call's key may touch the organization.
func (c *call) keyReaches(orgID string) bool {
	if c.key == nil || len(c.key.ScopedOrganizations) == 0 {
		return true
	}
	for _, id := range c.key.ScopedOrganizations {
		if strings.EqualFold(id, orgID) {
			return true
		}
	}
	return false
}

func errKeyOrg(orgID string) error {
	return store.Forbidden(fmt.Sprintf("API key does not have access to the requested organization: ID %s.", orgID))
}

// resolveNestedOrg resolves {organization_id} for nested routes: an unknown organization is
// 404, then the key's checks, then membership.
func (c *call) resolveNestedOrg(perm perm) error {
	org := c.tx.ResolveOrg(c.user, c.vars["organization_id"])
	if org == nil {
		return store.NotFound(store.MsgOrgNotFound)
	}
	if err := c.checkKeyAccess(org); err != nil {
		return err
	}
	m := c.tx.Membership(org.ID, c.user.ID)
	if m == nil {
		return store.Forbidden(store.MsgNoPermission)
	}
	c.org, c.member = org, m
	if c.route == nil {
		return nil
	}
	if perm == permAdmin || (perm == permAdminWrite && !isSafe(c.r.Method)) {
		if m.Level < store.LevelAdmin {
			return store.Forbidden(store.MsgAccessInsufficient)
		}
	}
	return nil
}

// resolveOrgDetail resolves {id} for /api/organizations/{id}/...: organizations the caller
// does not belong to do not exist for them.
func (c *call) resolveOrgDetail() error {
	id := c.vars["id"]
	org := c.tx.ResolveOrg(c.user, id)
	if org == nil && id == "@current" {
		return store.NotFound("Current organization not found.")
	}
	if org == nil {
		return store.ErrNotFound()
	}
	m := c.tx.Membership(org.ID, c.user.ID)
	if m == nil {
		return store.ErrNotFound()
	}
	if err := c.checkKeyAccess(org); err != nil {
		return err
	}
	c.org, c.member = org, m
	return nil
}

// checkKeySelf is PersonalApiKeySelfAccessPermission: with a personal API key the only
// action is retrieving a key (the handler then allows the calling key only).
func (c *call) checkKeySelf() error {
	if c.key == nil {
		return nil
	}
	if c.route == nil || c.route.Method != "GET" || c.vars["id"] == "" {
		return errNoPAKAccess
	}
	return nil
}

// resolveProject resolves {id} (a project id or @current) for the project routes outside
// an organization, or {project_id} for the resources inside a project: a project of an organization the caller does not belong to is 404, then
// APIScopePermission's order: the organization's key policy, the key's project scoping, its
// organization scoping, the scope.
func (c *call) resolveProject() error {
	idVar := "id"
	if _, ok := c.vars["project_id"]; ok {
		idVar = "project_id" // a resource inside the project
	}
	id := c.vars[idVar]
	var p *store.Project
	if id == "@current" {
		p = c.tx.ProjectByID(c.user.CurrentTeamID)
	} else if n, err := strconv.Atoi(id); err == nil {
		p = c.tx.ProjectByID(n)
	}
	if p == nil {
		return store.ErrNotFound()
	}
	org := c.tx.Org(p.OrgID)
	m := c.tx.Membership(p.OrgID, c.user.ID)
	if org == nil || m == nil {
		return store.ErrNotFound()
	}
	if c.key != nil {
		if err := c.checkKeyPolicy(org); err != nil {
			return err
		}
		if len(c.key.ScopedTeams) > 0 && !slices.Contains(c.key.ScopedTeams, p.ID) {
			return store.Forbidden(fmt.Sprintf("API key does not have access to the requested project: ID %d.", p.ID))
		}
		if !c.keyReaches(org.ID) {
			return errKeyOrg(org.ID)
		}
		if c.route != nil {
			if err := c.checkScope(c.route.Scope); err != nil {
				return err
			}
		}
	}
	c.org, c.member, c.project = org, m, p
	// The handlers address the project by its id within the organization.
	c.vars[idVar] = strconv.Itoa(p.ID)
	c.access = c.tx.AccessFor(p, m)
	if idVar == "project_id" {
		// Inside the project: its access controls (access.go). The project's own routes
		// check them on the project object (targetProject).
		return c.checkInsideProject()
	}
	return nil
}

// resolveCurrentOrg resolves the caller's current organization for the root project and
// environment collections: the key's policy, organization scoping and scope, membership.
func (c *call) resolveCurrentOrg() error {
	org := c.tx.Org(c.user.CurrentOrgID)
	if org == nil {
		return store.NotFound("Current organization not found.")
	}
	if c.key != nil {
		if err := c.checkKeyPolicy(org); err != nil {
			return err
		}
		if !c.keyReaches(org.ID) {
			return errKeyOrg(org.ID)
		}
		if c.route != nil {
			if err := c.checkScope(c.route.Scope); err != nil {
				return err
			}
		}
	}
	m := c.tx.Membership(org.ID, c.user.ID)
	if m == nil {
		return store.Forbidden(store.MsgNoPermission)
	}
	c.org, c.member = org, m
	return nil
}

// checkKeyPolicy applies members_can_use_personal_api_keys (with the security feature) to
// the caller's key, when the caller is a member below admin.
func (c *call) checkKeyPolicy(org *store.Organization) error {
	if c.key == nil || org.MembersCanUsePersonalAPIKeys {
		return nil
	}
	if _, ok := org.Feature("organization_security_settings"); !ok {
		return nil
	}
	if m := c.tx.Membership(org.ID, c.user.ID); m == nil || m.Level >= store.LevelAdmin {
		return nil
	}
	return store.Forbidden(fmt.Sprintf("Organization '%s' does not allow using personal API keys. Contact an admin to enable personal API keys for this organization.", org.Name))
}

// requireAdmin is the check for operations that need admin or above, with PostHog's message.
func (c *call) requireAdmin() error {
	if c.member.Level < store.LevelAdmin {
		return store.Forbidden(store.MsgAccessInsufficient)
	}
	return nil
}

// keyStale reports whether a key's last_used_at is due for its (at most hourly) bump: read
// inside the request's transaction, so that a request pays no second one to find out.
func keyStale(k *store.PersonalAPIKey, now time.Time) bool {
	return k.LastUsedAt == nil || now.Sub(*k.LastUsedAt).Hours() >= 1
}

// touchKey bumps the key's last_used_at, outside the request's transaction (keyStale said
// it was due).
func (s *Server) touchKey(k *store.PersonalAPIKey) {
	if s.persist != nil && s.persist.replay {
		return // last_used_at is bookkeeping, not a logged write: replay leaves it be
	}
	s.persistedTouch(k.ID)
}

var _ = http.MethodGet
