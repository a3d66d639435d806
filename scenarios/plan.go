package scenarios

// Planning a scenario: checking it whole (users, ids, current organization and project) and
// expanding generate into records, before anything is seeded.

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"

	"github.com/fakehog/fakehog/fake/store"
)

// plan is a scenario checked and expanded (generate added) and ready to seed. Checking and
// seeding both read it; nothing in it points back into the caller's Scenario slices.
type plan struct {
	*positions
	s         *Scenario
	users     []User
	userPaths []string
	orgs      []Organization
	orgPaths  []string

	userIdx  map[string]int // ref → index in users
	emailIdx map[string]int // lower-cased email → index in users
	orgIdx   map[string]int // ref → index in orgs
	creators []int          // per organization: the user index of its first owner
	members  []map[int]Level
	// memberUsers per organization: the user index of each of its Members, in order.
	memberUsers [][]int
	// projectNames per organization: the projects it will have, in order.
	projectNames [][]string

	ids          map[string]string // every fixed id → its path
	domains      map[string]string // domain name → path
	proxyDomains map[string]string
	keyValues    map[string]string
	sessions     map[string]string
	emails       map[string]string
}

// plan checks the scenario and expands generate. It is run by Parse and again by World (a
// Scenario is plain data a caller may have changed since).
func (s *Scenario) plan() (*plan, error) {
	// A copy: plan may run concurrently (two servers from one Scenario) and writes nothing
	// to s.
	pos := &positions{file: s.pos.file, at: s.pos.at}
	if pos.file == "" {
		pos.file = s.Name
		if pos.file == "" {
			pos.file = "scenario"
		}
	}
	p := &plan{
		positions: pos, s: s,
		users: append([]User(nil), s.Users...), orgs: append([]Organization(nil), s.Organizations...),
		userIdx: map[string]int{}, emailIdx: map[string]int{}, orgIdx: map[string]int{},
		ids: map[string]string{}, domains: map[string]string{}, proxyDomains: map[string]string{},
		keyValues: map[string]string{}, sessions: map[string]string{},
	}
	for i := range p.users {
		p.userPaths = append(p.userPaths, index("users", i))
	}
	for i := range p.orgs {
		p.orgPaths = append(p.orgPaths, index("organizations", i))
	}
	for i, r := range s.PluginRemotes {
		if strings.TrimSpace(r.URL) == "" {
			return nil, p.errorf(index("plugin_remotes", i), "a plugin remote needs a url")
		}
	}
	if err := p.checkGenerate(); err != nil {
		return nil, err
	}
	p.generate()
	p.emailIdx = make(map[string]int, len(p.users))
	for i := range p.users {
		if err := p.checkUser(i); err != nil {
			return nil, err
		}
	}
	for i, u := range p.users {
		if j, ok := p.emailIdx[strings.ToLower(u.Ref)]; ok && u.Ref != "" && j != i {
			return nil, p.errorf(child(p.userPaths[i], "ref"), "ref %q is the email of %s: a reference to it would be ambiguous", u.Ref, p.userPaths[j])
		}
	}
	for i := range p.orgs {
		o := &p.orgs[i]
		if o.Ref == "" {
			continue
		}
		if prev, dup := p.orgIdx[o.Ref]; dup {
			return nil, p.errorf(child(p.orgPaths[i], "ref"), "duplicate organization ref %q%s", o.Ref, p.lineOf(child(p.orgPaths[prev], "ref")))
		}
		p.orgIdx[o.Ref] = i
	}
	p.creators = make([]int, len(p.orgs))
	p.members = make([]map[int]Level, len(p.orgs))
	p.memberUsers = make([][]int, len(p.orgs))
	p.projectNames = make([][]string, len(p.orgs))
	for i := range p.orgs {
		c := &orgCheck{plan: p, org: &p.orgs[i], path: p.orgPaths[i], oi: i}
		if err := c.check(); err != nil {
			return nil, err
		}
	}
	for i := range p.users {
		for j, k := range p.users[i].PersonalAPIKeys {
			kp := index(child(p.userPaths[i], "personal_api_keys"), j)
			for n, ref := range k.ScopedOrganizations {
				if _, ok := p.orgIdx[ref]; !ok {
					return nil, p.errorf(index(child(kp, "scoped_organizations"), n), "no organization with ref %q", ref)
				}
			}
			for n, ref := range k.ScopedTeams {
				if _, _, err := p.projectRef(i, ref); err != "" {
					return nil, p.errorf(index(child(kp, "scoped_teams"), n), "%s", err)
				}
			}
		}
		if err := p.checkCurrent(i); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// projectRef resolves "<organization ref>/<project name>" for user i: the organization index
// and project name, or why not ("" when fine). The user must belong to the organization.
func (p *plan) projectRef(user int, ref string) (int, string, string) {
	for oref, oi := range p.orgIdx {
		name, ok := strings.CutPrefix(ref, oref+"/")
		if !ok {
			continue
		}
		if _, member := p.members[oi][user]; !member {
			return 0, "", fmt.Sprintf("%s is not a member of organization %q", p.userPaths[user], oref)
		}
		for _, n := range p.projectNames[oi] {
			if strings.EqualFold(n, strings.TrimSpace(name)) {
				return oi, n, ""
			}
		}
		return 0, "", fmt.Sprintf("organization %q has no project %q", oref, name)
	}
	return 0, "", fmt.Sprintf("no project %q: write <organization ref>/<project name>", ref)
}

// checkCurrent checks a user's current_organization and current_project.
func (p *plan) checkCurrent(i int) error {
	u := p.users[i]
	oi := -1
	if u.CurrentOrganization != "" {
		idx, ok := p.orgIdx[u.CurrentOrganization]
		if !ok {
			return p.errorf(child(p.userPaths[i], "current_organization"), "no organization with ref %q", u.CurrentOrganization)
		}
		if _, member := p.members[idx][i]; !member {
			return p.errorf(child(p.userPaths[i], "current_organization"), "%s is not a member of organization %q", p.userPaths[i], u.CurrentOrganization)
		}
		oi = idx
	}
	if u.CurrentProject == "" {
		return nil
	}
	if oi < 0 {
		for idx := range p.orgs {
			if _, member := p.members[idx][i]; member {
				oi = idx
				break
			}
		}
	}
	if oi >= 0 {
		for _, n := range p.projectNames[oi] {
			if strings.EqualFold(n, strings.TrimSpace(u.CurrentProject)) {
				return nil
			}
		}
	}
	return p.errorf(child(p.userPaths[i], "current_project"), "no project %q in the user's current organization", u.CurrentProject)
}

// ---- users ----

var (
	reRef = regexp.MustCompile(`^\S+$`)
)

// rolesAtOrganization are the values of a user's role_at_organization.
var rolesAtOrganization = []string{"engineering", "data", "product", "founder", "leadership", "marketing", "sales", "other"}

func (p *plan) checkUser(i int) error {
	u, path := &p.users[i], p.userPaths[i]
	email := strings.TrimSpace(u.Email)
	if email == "" {
		return p.errorf(path, "a user needs an email")
	}
	if !store.ValidEmail(email) {
		return p.errorf(child(path, "email"), "%q is not a valid email address", u.Email)
	}
	lower := strings.ToLower(email)
	if j, dup := p.emailIdx[lower]; dup {
		prev := child(p.userPaths[j], "email")
		return p.errorf(child(path, "email"), "duplicate email %q: already used by %s%s", u.Email, parentPath(prev), p.lineOf(prev))
	}
	if u.Ref != "" {
		if !reRef.MatchString(u.Ref) {
			return p.errorf(child(path, "ref"), "a ref is one word without spaces, found %q", u.Ref)
		}
		if prev, dup := p.userIdx[u.Ref]; dup {
			return p.errorf(child(path, "ref"), "duplicate user ref %q: already used by %s%s", u.Ref, p.userPaths[prev], p.lineOf(child(p.userPaths[prev], "ref")))
		}
		p.userIdx[u.Ref] = i
	}
	p.emailIdx[lower] = i
	if u.UUID != "" {
		if err := p.checkID(path, "uuid", u.UUID); err != nil {
			return err
		}
	}
	if u.RoleAtOrganization != "" && !contains(rolesAtOrganization, u.RoleAtOrganization) {
		return p.errorf(child(path, "role_at_organization"), "%q is not one of %s", u.RoleAtOrganization, strings.Join(rolesAtOrganization, ", "))
	}
	for j, k := range u.PersonalAPIKeys {
		kp := index(child(path, "personal_api_keys"), j)
		if k.Value != "" {
			if strings.IndexFunc(k.Value, unicode.IsSpace) >= 0 {
				return p.errorf(child(kp, "value"), "a personal API key value may not contain spaces")
			}
			if strings.HasPrefix(k.Value, "pha_") {
				return p.errorf(child(kp, "value"), "pha_ starts OAuth access tokens, not personal API keys: use phx_")
			}
			if prev, dup := p.keyValues[k.Value]; dup {
				return p.errorf(child(kp, "value"), "duplicate personal API key value: already used by %s%s", parentPath(prev), p.lineOf(prev))
			}
			p.keyValues[k.Value] = child(kp, "value")
		}
		if len([]rune(k.Label)) > 40 {
			return p.errorf(child(kp, "label"), "a key label has at most 40 characters")
		}
		for n, sc := range k.Scopes {
			if !store.ValidScope(sc) {
				if best := store.SuggestScope(sc); best != "" {
					return p.errorf(index(child(kp, "scopes"), n), "invalid scope %q; did you mean %q?", sc, best)
				}
				return p.errorf(index(child(kp, "scopes"), n), "invalid scope %q: use \"*\" or object:read / object:write (e.g. organization:read)", sc)
			}
		}
	}
	for j, v := range u.Sessions {
		sp := index(child(path, "sessions"), j)
		if v == "" || strings.ContainsAny(v, " \t\r\n;,\"\\") {
			return p.errorf(sp, "a session value is a cookie value: not empty, without spaces, quotes, commas, semicolons or backslashes")
		}
		if prev, dup := p.sessions[v]; dup {
			return p.errorf(sp, "duplicate session %q: already used by %s%s", v, parentPath(parentPath(prev)), p.lineOf(prev))
		}
		p.sessions[v] = sp
	}
	return nil
}

// checkID checks a fixed id (a UUID, unique in the scenario).
func (p *plan) checkID(path, name, id string) error {
	kp := child(path, name)
	if !store.IsUUID(id) {
		return p.errorf(kp, "%q is not a UUID", id)
	}
	lower := strings.ToLower(id)
	if prev, dup := p.ids[lower]; dup {
		return p.errorf(kp, "duplicate id %q: already used by %s%s", id, parentPath(prev), p.lineOf(prev))
	}
	p.ids[lower] = kp
	return nil
}
