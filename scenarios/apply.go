package scenarios

// Seeding a checked plan into the store through its domain operations: users and their
// credentials, organizations and everything under them, current organization and project,
// and the spread of the world's history.

import (
	"errors"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/fakehog/fakehog/fake"
	"github.com/fakehog/fakehog/fake/store"
)

// World returns the function that seeds a store with the scenario, for fake.WithWorld,
// fake.Server.LoadWorld or a scenario loader. It checks the scenario again (a Scenario is
// plain data and may have changed since Parse; the first World of a parsed scenario that
// has not changed reuses Parse's check instead) and must run on a fresh store, as fake.New
// and LoadWorld give it: on error they discard that store, so nothing is half-applied.
// The Defaults it returns are the principal's — the first user, or the first organization's
// creator when the scenario lists no users: its current organization and project, its
// first personal API key and its first session.
func (s *Scenario) World() fake.World {
	return func(tx *store.Tx) (fake.Defaults, error) {
		p := s.takePlan()
		if p == nil {
			var err error
			if p, err = s.plan(); err != nil {
				return fake.Defaults{}, err
			}
		}
		return p.seed(tx)
	}
}

// seeder holds what seeding has made so far.
type seeder struct {
	*plan
	tx       *store.Tx
	susers   []*store.User         // per plan user
	sorgs    []*store.Organization // per plan organization
	projects [][]*store.Project    // per organization, in order
	keys     [][]string            // per user: the plaintext of each personal API key
}

// seed creates everything in dependency order — users, then organizations (members,
// projects and what hangs off them), then keys and sessions (keys may be scoped to
// organizations) — for the explicit records, then for the generated ones; last, each
// user's current organization.
func (p *plan) seed(tx *store.Tx) (fake.Defaults, error) {
	sd := &seeder{plan: p, tx: tx, susers: make([]*store.User, len(p.users)), projects: make([][]*store.Project, len(p.orgs)),
		sorgs: make([]*store.Organization, len(p.orgs)), keys: make([][]string, len(p.users))}
	// Explicit records first, generated ones after: adding generate to a scenario leaves
	// the ids of what it lists unchanged.
	nu, no := len(p.s.Users), len(p.s.Organizations)
	if err := sd.seedPluginWorld(); err != nil {
		return fake.Defaults{}, err
	}
	if err := sd.seedUsers(0, nu); err != nil {
		return fake.Defaults{}, err
	}
	for i := 0; i < no; i++ {
		if err := sd.seedOrg(i); err != nil {
			return fake.Defaults{}, err
		}
	}
	if err := sd.seedCredentials(0, nu); err != nil {
		return fake.Defaults{}, err
	}
	tx.ReserveUsers(len(p.users) - nu)
	if err := sd.seedUsers(nu, len(p.users)); err != nil {
		return fake.Defaults{}, err
	}
	for i := no; i < len(p.orgs); i++ {
		if err := sd.seedOrg(i); err != nil {
			return fake.Defaults{}, err
		}
	}
	if err := sd.seedCredentials(nu, len(p.users)); err != nil {
		return fake.Defaults{}, err
	}
	sd.spreadHistory()
	sd.setCurrent()
	return sd.defaults(), nil
}

// seedUsers creates users [from, to).
func (sd *seeder) seedUsers(from, to int) error {
	for i := from; i < to; i++ {
		u := sd.users[i]
		su, err := sd.tx.CreateUser(store.NewUser{UUID: strings.ToLower(u.UUID), Email: strings.TrimSpace(u.Email), FirstName: u.FirstName,
			LastName: u.LastName, RoleAtOrganization: u.RoleAtOrganization, GithubLogin: u.GithubLogin,
			Is2FAEnabled: u.Is2FAEnabled, HasSocialAuth: u.HasSocialAuth, Inactive: u.Inactive})
		if err != nil {
			return sd.storeError(sd.userPaths[i], err)
		}
		sd.susers[i] = su
	}
	return nil
}

// seedCredentials gives users [from, to) their personal API keys and sessions (after the
// organizations, which keys may be scoped to).
func (sd *seeder) seedCredentials(from, to int) error {
	for i := from; i < to; i++ {
		u := sd.users[i]
		for j, k := range u.PersonalAPIKeys {
			scopes := k.Scopes
			if scopes == nil {
				scopes = []string{"*"}
			}
			var orgIDs []string
			for _, ref := range k.ScopedOrganizations {
				orgIDs = append(orgIDs, sd.sorgs[sd.orgIdx[ref]].ID)
			}
			var teams []int
			for _, ref := range k.ScopedTeams {
				if p := sd.projectByRef(ref); p != nil {
					teams = append(teams, p.ID)
				}
			}
			_, value, err := sd.tx.CreatePersonalAPIKey(sd.susers[i].ID, store.NewAPIKey{Value: k.Value, Label: k.Label, Scopes: scopes, ScopedOrganizations: orgIDs, ScopedTeams: teams})
			if err != nil {
				return sd.storeError(index(child(sd.userPaths[i], "personal_api_keys"), j), err)
			}
			sd.keys[i] = append(sd.keys[i], value)
		}
		for j, v := range u.Sessions {
			if err := sd.tx.AddSession(sd.susers[i].ID, v); err != nil {
				return sd.storeError(index(child(sd.userPaths[i], "sessions"), j), err)
			}
		}
	}
	return nil
}

// setCurrent points each user's current organization at the first organization (in
// scenario order) they belong to, and its first project: what @current resolves to.
// CreateOrganization and CreateProject move their creator's current organization and
// project as they go; this settles it independently of creation order.
// A user's current_organization and current_project (checked by the plan) win.
func (sd *seeder) setCurrent() {
	for i, su := range sd.susers {
		for oi := range sd.sorgs {
			if _, ok := sd.members[oi][i]; ok {
				if ref := sd.users[i].CurrentOrganization; ref != "" && sd.orgIdx[ref] != oi {
					continue
				}
				su.CurrentOrgID = sd.sorgs[oi].ID
				su.CurrentTeamID = 0
				if ps := sd.projects[oi]; len(ps) > 0 {
					su.CurrentTeamID = ps[0].ID
				}
				for _, p := range sd.projects[oi] {
					if name := sd.users[i].CurrentProject; name != "" && strings.EqualFold(p.Name, strings.TrimSpace(name)) {
						su.CurrentTeamID = p.ID
					}
				}
				break
			}
		}
	}
}

// projectByRef finds the project "<organization ref>/<project name>" (checked by the plan).
func (sd *seeder) projectByRef(ref string) *store.Project {
	for oref, oi := range sd.orgIdx {
		name, ok := strings.CutPrefix(ref, oref+"/")
		if !ok {
			continue
		}
		for _, p := range sd.projects[oi] {
			if strings.EqualFold(p.Name, strings.TrimSpace(name)) {
				return p
			}
		}
	}
	return nil
}

func (sd *seeder) defaults() fake.Defaults {
	principal := -1
	if len(sd.s.Users) > 0 {
		principal = 0
	} else if len(sd.sorgs) > 0 {
		principal = sd.creators[0]
	}
	if principal < 0 {
		return fake.Defaults{}
	}
	u := sd.susers[principal]
	d := fake.Defaults{OrganizationID: u.CurrentOrgID, ProjectID: u.CurrentTeamID, UserEmail: u.Email, UserUUID: u.UUID}
	if ks := sd.keys[principal]; len(ks) > 0 {
		d.APIKey = ks[0]
	}
	if ss := sd.users[principal].Sessions; len(ss) > 0 {
		d.Session = ss[0]
	}
	return d
}

// storeError turns a store error into a positioned *Error: at the field it names when the
// scenario has that key, else at the record.
func (sd *seeder) storeError(path string, err error) error {
	var se *store.Error
	if !errors.As(err, &se) {
		return sd.errorf(path, "%v", err)
	}
	if se.Attr != "" {
		path = sd.attrPath(path, se.Attr)
	}
	return sd.errorf(path, "%s", se.Detail)
}

// attrPath is the path of the scenario key a store error's attr names under the record at
// path: DRF's nested attrs (destination__config) become nested keys, a nested
// non_field_errors names its parent, and the deepest key the scenario gives wins (every
// key, for a scenario built in Go, which has no positions).
func (sd *seeder) attrPath(path, attr string) string {
	var parts []string
	for _, part := range strings.Split(strings.ReplaceAll(attr, "__", "."), ".") {
		if part != "" && part != "non_field_errors" {
			parts = append(parts, part)
		}
	}
	for n := len(parts); n > 0; n-- {
		p := child(path, strings.Join(parts[:n], "."))
		if _, ok := sd.at[p]; ok || len(sd.at) == 0 {
			return p
		}
	}
	return path
}

// orgSeed is the seeding context of one organization, handed to the family appliers.
type orgSeed struct {
	*seeder
	oi      int
	org     *Organization
	path    string
	sorg    *store.Organization
	creator *store.User
	roles   map[string]*store.Role // by ref, once applyRoles has run
}

// user returns the seeded user a reference (ref or email) names.
func (a *orgSeed) user(ref string) *store.User {
	i, ok := a.plan.user(ref)
	if !ok {
		return nil
	}
	return a.susers[i]
}

// membership returns the membership of the user a reference names in this organization.
func (a *orgSeed) membership(ref string) *store.Membership {
	u := a.user(ref)
	if u == nil {
		return nil
	}
	return a.tx.Membership(a.sorg.ID, u.ID)
}

// project returns the organization's project with that name (case-insensitive); the first
// project when name is empty.
func (a *orgSeed) project(name string) *store.Project {
	ps := a.projects[a.oi]
	if name == "" && len(ps) > 0 {
		return ps[0]
	}
	for _, p := range ps {
		if strings.EqualFold(p.Name, strings.TrimSpace(name)) {
			return p
		}
	}
	return nil
}

// createdBy resolves an optional user reference, defaulting to the organization's creator.
func (a *orgSeed) createdBy(ref string) *store.User {
	if ref == "" {
		return a.creator
	}
	return a.user(ref)
}

func (sd *seeder) seedOrg(oi int) error {
	org, path := &sd.orgs[oi], sd.orgPaths[oi]
	creator := sd.susers[sd.creators[oi]]
	vals, err := settingsValues(org.Settings, orgSettingFields)
	if err != nil {
		return sd.errorf(path, "%v", err)
	}
	vals["name"] = org.Name
	features := org.Features
	if features == nil {
		features = store.AllFeatures
	}
	features = copyFeatures(features)
	level := store.PluginsAccessRoot
	if org.PluginsAccessLevel != nil {
		level = *org.PluginsAccessLevel
	}
	so, err := sd.tx.CreateOrganization(creator, vals, store.NewOrganization{Features: features, PluginsAccessLevel: &level,
		NoDefaultProject: len(org.Projects) > 0, ID: org.ID, PostHogContactName: strings.TrimSpace(org.PostHogContact),
		SharedSlackChannelURL: strings.TrimSpace(org.SharedSlackChannelURL)})
	if err != nil {
		return sd.storeError(path, err)
	}
	sd.sorgs[oi] = so
	sd.tx.ReserveMembers(so.ID, len(org.Members))
	a := &orgSeed{seeder: sd, oi: oi, org: org, path: path, sorg: so, creator: creator}
	// Projects before members, so each member's current project exists when they join.
	if len(org.Projects) == 0 {
		sd.projects[oi] = sd.tx.Projects(so.ID, "")
	}
	for i, pr := range org.Projects {
		pp := index(child(path, "projects"), i)
		pv, err := settingsValues(pr.Settings, store.ProjectFields)
		if err != nil {
			return sd.errorf(pp, "%v", err)
		}
		pv["name"] = pr.Name
		if pr.Timezone != "" {
			pv["timezone"] = pr.Timezone
		}
		sp, err := sd.tx.SeedProject(so, creator, pv)
		if err != nil {
			return sd.storeError(pp, err)
		}
		sd.projects[oi] = append(sd.projects[oi], sp)
	}
	for i, m := range org.Members {
		u := sd.susers[sd.memberUsers[oi][i]]
		if u.ID == creator.ID {
			continue
		}
		level := m.Level
		if level == 0 {
			level = store.LevelMember
		}
		if _, err := sd.tx.AddMember(so.ID, u.ID, store.NewMembership{Level: int(level)}); err != nil {
			return sd.storeError(index(child(path, "members"), i), err)
		}
	}
	for i, d := range org.Domains {
		if _, _, err := sd.tx.SeedDomain(so.ID, store.NewDomain{ID: d.ID, Domain: strings.ToLower(strings.TrimSpace(d.Domain)),
			Verifiable: d.Verifiable, Verified: d.Verified, JITProvisioningEnabled: d.JITProvisioningEnabled,
			SSOEnforcement: d.SSOEnforcement, SCIMEnabled: d.SCIMEnabled, SCIMToken: d.SCIMToken,
			SAMLEntityID: d.SAMLEntityID, SAMLACSURL: d.SAMLACSURL, SAMLX509Cert: d.SAMLX509Cert}); err != nil {
			return sd.storeError(index(child(path, "domains"), i), err)
		}
	}
	if err := a.seedInvites(); err != nil {
		return err
	}
	for i, ld := range org.LegalDocuments {
		in := store.NewLegalDocument{ID: ld.ID, DocumentType: ld.DocumentType, CompanyName: ld.CompanyName,
			CompanyAddress: ld.CompanyAddress, RepresentativeName: ld.RepresentativeName,
			RepresentativeTitle: ld.RepresentativeTitle, RepresentativeEmail: ld.RepresentativeEmail, DPAMode: ld.DPAMode,
			Signed: ld.Signed, SignedDocumentURL: ld.SignedDocumentURL}
		if u := a.user(ld.CreatedBy); u != nil {
			in.CreatedBy = u.ID
		}
		if _, err := sd.tx.CreateLegalDocument(so.ID, in); err != nil {
			return sd.storeError(index(child(path, "legal_documents"), i), err)
		}
	}
	for i, t := range org.CIMDVerificationTokens {
		if _, _, err := sd.tx.CreateCIMDToken(so.ID, store.NewCIMDToken{ID: t.ID, Label: t.Label, Value: t.Value, CIMDURL: strPtr(t.CIMDURL), CreatedBy: a.user(t.CreatedBy)}); err != nil {
			return sd.storeError(index(child(path, "cimd_verification_tokens"), i), err)
		}
	}
	for _, apply := range familyAppliers {
		if err := apply(a); err != nil {
			return err
		}
	}
	return nil
}

// expiredAge is how old an invite marked expired is: a day past its validity.
const expiredAge = (store.InviteDaysValidity + 1) * 24 * time.Hour

// seedInvites creates the invites oldest first (the store lists them by creation order),
// each through CreateInvites as its inviter, then backdates the expired and dated ones.
func (a *orgSeed) seedInvites() error {
	type dated struct {
		i  int
		at time.Time
	}
	now := a.tx.Now()
	order := make([]dated, len(a.org.Invites))
	for i, inv := range a.org.Invites {
		at := now
		switch {
		case inv.Expired:
			at = now.Add(-expiredAge)
		case !inv.CreatedAt.IsZero():
			at = inv.CreatedAt
			if at.After(now) {
				return a.errorf(child(index(child(a.path, "invites"), i), "created_at"), "created_at is after the clock's reading (%s)", now.Format(time.RFC3339))
			}
		}
		order[i] = dated{i, at}
	}
	sort.SliceStable(order, func(x, y int) bool { return order[x].at.Before(order[y].at) })
	for _, d := range order {
		inv := a.org.Invites[d.i]
		ip := index(child(a.path, "invites"), d.i)
		inviter := a.tx.Membership(a.sorg.ID, a.creator.ID)
		if inv.InvitedBy != "" {
			inviter = a.membership(inv.InvitedBy)
		}
		if inviter == nil {
			return a.errorf(ip, "the inviter is not an active member of this organization")
		}
		level := inv.Level
		if level == 0 {
			level = store.LevelMember
		}
		access := []any{}
		for j, pa := range inv.PrivateProjectAccess {
			pr := a.project(pa.Project)
			if pr == nil {
				return a.errorf(index(child(ip, "private_project_access"), j), "no project named %q in this organization", pa.Project)
			}
			access = append(access, map[string]any{"id": float64(pr.ID), "level": pa.Level})
		}
		vals := store.Values{"target_email": strings.ToLower(strings.TrimSpace(inv.TargetEmail)), "first_name": inv.FirstName,
			"level": int(level), "private_project_access": access, "send_email": inv.SendEmail == nil || *inv.SendEmail}
		if inv.Message != "" {
			vals["message"] = inv.Message
		}
		created, err := a.tx.CreateInvites(inviter, []store.Values{vals})
		if err != nil {
			return a.storeError(ip, err)
		}
		created[0].CreatedAt, created[0].UpdatedAt = d.at, d.at
	}
	return nil
}

// settingsValues turns settings into the store's validated Values (they were checked when
// the scenario was planned).
func settingsValues(settings map[string]any, fields store.Fields) (store.Values, error) {
	if len(settings) == 0 {
		return store.Values{}, nil
	}
	var sub store.Fields
	for _, f := range fields {
		if _, ok := settings[f.Name]; ok {
			sub = append(sub, f)
		}
	}
	body, err := jsonBody(settings)
	if err != nil {
		return nil, err
	}
	vals, verr := sub.Validate(body, store.Patch)
	if verr != nil {
		return nil, verr
	}
	return vals, nil
}

func copyFeatures(fs []store.Feature) []store.Feature {
	out := make([]store.Feature, len(fs))
	for i, f := range fs {
		if f.Name == "" {
			f.Name = featureName(f.Key)
		}
		if f.Limit != nil {
			l := *f.Limit
			f.Limit = &l
		}
		out[i] = f
	}
	return out
}

// featureName is a known feature's name, or the key made readable.
func featureName(key string) string {
	for _, f := range store.AllFeatures {
		if f.Key == key {
			return f.Name
		}
	}
	s := strings.ReplaceAll(key, "_", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func mustUser(p *plan, ref string) int {
	i, _ := p.user(ref)
	return i
}

// spreadHistory spreads the world over HistoryDays before now (Scenario.HistoryDays): each
// organization's creation, its members' joining in their order, and each user's date_joined
// and last_login. It draws from a source of its own, so asking for it changes no other data.
func (sd *seeder) spreadHistory() {
	days := sd.s.HistoryDays
	if days <= 0 {
		return
	}
	now := sd.tx.Now()
	span := time.Duration(days) * 24 * time.Hour
	r := rand.New(rand.NewPCG(sd.s.Seed^0x3c6ef372fe94f82b, sd.s.Seed^0xa54ff53a5f1d36f1))
	first, last := map[int]time.Time{}, map[int]time.Time{}
	for _, o := range sd.sorgs {
		if o == nil {
			continue
		}
		var ms []*store.Membership
		for _, u := range sd.susers {
			if m := sd.tx.Membership(o.ID, u.ID); m != nil {
				ms = append(ms, m)
			}
		}
		sort.Slice(ms, func(i, j int) bool { return ms[i].JoinedAt.Before(ms[j].JoinedAt) })
		created := now.Add(-time.Duration(float64(span) * (0.5 + 0.5*r.Float64()))).Truncate(time.Second)
		o.CreatedAt = created
		if o.UpdatedAt.Before(created) {
			o.UpdatedAt = created
		}
		// Joining times: the first owner at creation, the others at sorted draws after it.
		at := make([]time.Time, len(ms))
		for i := range at {
			if i == 0 {
				at[i] = created
				continue
			}
			at[i] = created.Add(time.Duration(r.Float64() * float64(now.Sub(created)))).Truncate(time.Second)
		}
		sort.Slice(at, func(i, j int) bool { return at[i].Before(at[j]) })
		for i, m := range ms {
			t := at[i]
			if i > 0 && !t.After(ms[i-1].JoinedAt) {
				t = ms[i-1].JoinedAt.Add(time.Second)
			}
			m.JoinedAt, m.UpdatedAt = t, t
			if f, ok := first[m.UserID]; !ok || t.Before(f) {
				first[m.UserID] = t
			}
			if l, ok := last[m.UserID]; !ok || t.After(l) {
				last[m.UserID] = t
			}
		}
	}
	for _, u := range sd.susers {
		f, ok := first[u.ID]
		if !ok {
			continue
		}
		u.DateJoined = f
		if !u.IsActive {
			continue
		}
		l := last[u.ID]
		login := l.Add(time.Duration(r.Float64() * float64(now.Sub(l)))).Truncate(time.Second)
		u.LastLogin = &login
	}
}
