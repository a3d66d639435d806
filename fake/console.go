package fake

import (
	"crypto/subtle"
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/fakehog/fakehog/fake/store"
)

// The console: fakehog in a browser, for people. Server-rendered with html/template from
// embedded files (console/), a little vanilla JavaScript for the live parts (journal,
// faults, clock, world), no network access beyond this server. Its pages:
//
//	GET /  and  /_fake/                      the world: organizations, principal, quick actions
//	GET /_fake/console/organizations/{id}    one organization's records, each with its API path
//	GET /_fake/console/users                 every user's keys (masked, reveal/copy) and sessions; mint a key
//	GET /_fake/console/journal               the request journal, live and filterable
//	GET /_fake/console/faults                fault rules: list, add, remove
//	GET /_fake/console/clock                 the clock: read, advance, set, back to real time
//	GET /_fake/console/world                 reset, load a scenario, download or upload a snapshot
//	GET /_fake/console/snapshot.json         the snapshot as a download
//	GET /_fake/console/assets/{name}         the console's CSS and JavaScript
//	GET /favicon.ico                         the console's icon
//
// With WithAdminToken the pages need the token like the other /_fake/ routes: send it as a
// header, or open any page once with ?token=<token>, which keeps it in a cookie for the
// console pages (the page hands it to its scripts, which send it as a header, so the
// cookie alone never authorises a change).

//go:embed console
var consoleFiles embed.FS

// consoleCookie holds the admin token for the console pages.
const consoleCookie = "fakehog_admin_token"

// consoleTemplates are the pages, parsed once.
var consoleTemplates = template.Must(template.New("").ParseFS(consoleFiles, "console/*.html"))

// WithScenarioNames lists the builtin scenarios the console offers to load (the scenario
// loader, WithScenarioLoader, must know them).
func WithScenarioNames(names ...string) Option {
	return func(c *config) { c.builtins = append([]string(nil), names...) }
}

// registerConsole mounts the console's routes (before the /_fake/ catch-all).
func (s *Server) registerConsole(m *pathRouter) {
	page := func(name string, data func(r *http.Request, vars map[string]string) (any, error)) varsHandler {
		return func(w http.ResponseWriter, r *http.Request, vars map[string]string) {
			s.consolePage(w, r, vars, name, data)
		}
	}
	overview := page("overview", s.consoleOverview)
	m.handle("/", overview)
	m.handle("/_fake/", overview)
	m.handle("/_fake/console", overview)
	m.handle("/_fake/console/", overview)
	for _, p := range []struct {
		path string
		h    varsHandler
	}{
		{"/_fake/console/organizations/{id}", page("organization", s.consoleOrganization)},
		{"/_fake/console/users", page("users", s.consoleUsers)},
		{"/_fake/console/journal", page("journal", s.consoleSimple)},
		{"/_fake/console/faults", page("faults", s.consoleSimple)},
		{"/_fake/console/clock", page("clock", s.consoleSimple)},
		{"/_fake/console/world", page("world", s.consoleWorld)},
	} {
		m.handle(p.path, p.h)
		m.handle(p.path+"/", p.h)
	}
	m.handle("/_fake/console/snapshot.json", s.consoleSnapshot)
	m.handle("/_fake/console/assets/{name}", s.consoleAsset)
	// Browsers ask every site for its icon: answered, it keeps 404s out of logs.
	m.handle("/favicon.ico", func(w http.ResponseWriter, r *http.Request, _ map[string]string) {
		s.consoleAsset(w, r, map[string]string{"name": "favicon.ico"})
	})
}

// consoleAuth checks the admin token for a console page; it answers the request itself
// (a login page, or a redirect that drops ?token= from the address) when it returns false.
func (s *Server) consoleAuth(w http.ResponseWriter, r *http.Request) bool {
	if s.adminToken == "" {
		return true
	}
	match := func(v string) bool {
		return v != "" && subtle.ConstantTimeCompare([]byte(v), []byte(s.adminToken)) == 1
	}
	if q := r.URL.Query(); q.Has("token") {
		if match(q.Get("token")) {
			http.SetCookie(w, &http.Cookie{Name: consoleCookie, Value: s.adminToken, Path: s.basePath + "/",
				HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil})
			q.Del("token")
			u := *r.URL
			u.Path = s.basePath + r.URL.Path
			u.RawQuery = q.Encode()
			http.Redirect(w, r, u.RequestURI(), http.StatusSeeOther)
			return false
		}
	} else if s.checkAdminToken(r) == nil {
		return true
	} else if c, err := r.Cookie(consoleCookie); err == nil && match(c.Value) {
		return true
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusUnauthorized)
	_ = consoleTemplates.ExecuteTemplate(w, "login", map[string]any{"Base": s.basePath, "Wrong": r.URL.Query().Has("token")})
	return false
}

// consoleView is what every page's layout shows.
type consoleView struct {
	Title    string
	Page     string
	Base     string // WithBasePath's prefix
	Token    string // the admin token, for the page's scripts ("" when none is needed)
	Console  string // the console's token, which the page's scripts send with every change (guard.go)
	Now      string
	Defaults Defaults
	Data     any
}

func (s *Server) consolePage(w http.ResponseWriter, r *http.Request, vars map[string]string, name string,
	data func(r *http.Request, vars map[string]string) (any, error)) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		s.writeError(w, r, errMethodNotAllowed(r.Method))
		return
	}
	if !s.consoleAuth(w, r) {
		return
	}
	d, err := data(r, vars)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v := consoleView{Page: name, Base: s.basePath, Token: s.adminToken, Console: s.consoleToken, Now: consoleTime(s.clock.Now()),
		Defaults: s.Defaults(), Data: d}
	v.Title = consoleTitles[name]
	if t, ok := d.(interface{ title() string }); ok {
		v.Title = t.title()
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	// frame-ancestors: no other site may frame the console (and click its buttons).
	w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'")
	w.Header().Set("X-Frame-Options", "DENY")
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return
	}
	if err := consoleTemplates.ExecuteTemplate(w, name, v); err != nil {
		s.logger.Error("console template", "page", name, "err", err)
	}
}

// consoleTitles are the pages' titles (an organization's page is titled with its name).
var consoleTitles = map[string]string{"overview": "World", "users": "Credentials", "journal": "Journal",
	"faults": "Faults", "clock": "Clock", "world": "Reset & snapshots"}

func (s *Server) consoleSimple(*http.Request, map[string]string) (any, error) { return nil, nil }

// orgSummary is one organization as the overview lists it.
type orgSummary struct {
	ID, Name, Slug, Created        string
	Members, Projects, Invites     int
	ExpiredInvites, Roles, Domains int
}

func (s *Server) consoleOverview(r *http.Request, _ map[string]string) (any, error) {
	var out struct {
		Orgs     []orgSummary
		Pager    consolePager
		Users    int
		Keys     int
		Sessions int
	}
	pg := newConsolePaging(r)
	err := s.store.Read(func(tx *store.Tx) error {
		now := tx.Now()
		offset := pg.offset("")
		orgs, total := cutRows(tx.Organizations(), offset, pg.limit)
		out.Pager = pg.pager("", "organizations", total, offset, false)
		for _, o := range orgs {
			sum := orgSummary{ID: o.ID, Name: o.Name, Slug: o.Slug, Created: consoleTime(o.CreatedAt),
				Members: tx.MemberCount(o.ID), Projects: len(tx.Projects(o.ID, "")),
				Roles: len(tx.Roles(o.ID)), Domains: len(tx.Domains(o.ID))}
			for _, inv := range tx.Invites(o.ID) {
				sum.Invites++
				if inv.IsExpired(now) {
					sum.ExpiredInvites++
				}
			}
			out.Orgs = append(out.Orgs, sum)
		}
		out.Users, out.Keys, out.Sessions = tx.UserCount(), tx.APIKeyCount(), tx.SessionCount()
		return nil
	})
	return out, err
}

// consoleRecord is one record on an organization's page: a few columns, and the API path
// that answers it (JSON, curl).
type consoleRecord struct {
	Cols []string
	API  string // the path of the GET that shows it ("" when none)
	Tag  string // a CSS class for the row ("expired", ...)
}

// consoleSection is a family of records on an organization's page, one page of it at a time.
type consoleSection struct {
	ID, Title string
	Head      []string
	List      string // the family's list path
	Rows      []consoleRecord
	Pager     consolePager
}

// orgPage is the data of an organization's page.
type orgPage struct {
	ID, Name string
	API      string
	ActAs    string // the key value the page's JSON buttons send
	ActAsWho string
	Actors   []consoleActor // every member holding a key, to act as instead
	Sections []consoleSection
}

// consoleActor is a member and one of their keys.
type consoleActor struct {
	Email, Level, Key, Label string
}

func (p orgPage) title() string { return p.Name }

// apiPath fills a route template with values, in order of its variables.
func apiPath(tmpl string, vals ...string) string {
	segs := strings.Split(tmpl, "/")
	for i, seg := range segs {
		if isVar(seg) && len(vals) > 0 {
			segs[i] = url.PathEscape(vals[0])
			vals = vals[1:]
		}
	}
	return strings.Join(segs, "/")
}

// consoleMaxActors bounds the members the organization page offers to act as (the most
// senior ones holding a key).
const consoleMaxActors = 25

func (s *Server) consoleOrganization(r *http.Request, vars map[string]string) (any, error) {
	var p orgPage
	pg := newConsolePaging(r)
	err := s.store.Read(func(tx *store.Tx) error {
		o := tx.Org(vars["id"])
		if o == nil {
			return store.ErrNotFound()
		}
		now := tx.Now()
		id := o.ID
		const base = "/api/organizations/{organization_id}/"
		p.ID, p.Name, p.API = o.ID, o.Name, apiPath("/api/organizations/{id}/", id)
		p.Actors, p.ActAs, p.ActAsWho = consoleActors(tx, id)
		p.Sections = make([]consoleSection, 0, 16)
		// section starts a family's section at the page the request asks for, and returns
		// the offset and limit to cut its records with.
		section := func(sid, title string, head []string, list string) (*consoleSection, int, int) {
			p.Sections = append(p.Sections, consoleSection{ID: sid, Title: title, Head: head, List: apiPath(base+list, id)})
			return &p.Sections[len(p.Sections)-1], pg.offset(sid), pg.limit
		}
		// The sections are appended to p.Sections, so each is filled before the next starts.
		members, off, limit := section("members", "Members", []string{"Email", "Name", "Level", "Joined", "Last login"}, "members/")
		search := pg.search("members")
		page, total := tx.MembersPage(id, store.MemberFilter{Search: search}, off, limit)
		for _, m := range page {
			u := tx.User(m.UserID)
			last := "never"
			if u.LastLogin != nil {
				last = consoleTime(*u.LastLogin)
			}
			members.Rows = append(members.Rows, consoleRecord{Cols: []string{u.Email, strings.TrimSpace(u.FirstName + " " + u.LastName),
				levelName(m.Level), consoleTime(m.JoinedAt), last}, API: members.List})
		}
		members.Pager = pg.pager("members", "members", total, off, true)

		invites, off, limit := section("invites", "Invites", []string{"Email", "Level", "Created", "Status"}, "invites/")
		invs, total := tx.InvitesPage(id, off, limit)
		for _, inv := range invs {
			rec := consoleRecord{Cols: []string{inv.TargetEmail, levelName(inv.Level), consoleTime(inv.CreatedAt), "valid"}, API: invites.List}
			if inv.IsExpired(now) {
				rec.Cols[3], rec.Tag = "expired", "expired"
			}
			invites.Rows = append(invites.Rows, rec)
		}
		invites.Pager = pg.pager("invites", "invites", total, off, false)

		projects, off, limit := section("projects", "Projects", []string{"Id", "Name", "API token", "Created"}, "projects/")
		prs, total := tx.ProjectsPage(id, off, limit)
		for _, pr := range prs {
			projects.Rows = append(projects.Rows, consoleRecord{Cols: []string{strconv.Itoa(pr.ID), pr.Name, pr.APIToken, consoleTime(pr.CreatedAt)},
				API: apiPath(base+"projects/{id}/", id, strconv.Itoa(pr.ID))})
		}
		projects.Pager = pg.pager("projects", "projects", total, off, false)

		roles, off, limit := section("roles", "Roles", []string{"Name", "Created"}, "roles/")
		rs, total := cutRows(tx.Roles(id), off, limit)
		for _, r := range rs {
			roles.Rows = append(roles.Rows, consoleRecord{Cols: []string{r.Name, consoleTime(r.CreatedAt)}, API: apiPath(base+"roles/{id}/", id, r.ID)})
		}
		roles.Pager = pg.pager("roles", "roles", total, off, false)

		domains, off, limit := section("domains", "Domains", []string{"Domain", "Verified", "SSO enforcement"}, "domains/")
		ds, total := cutRows(tx.Domains(id), off, limit)
		for _, d := range ds {
			verified := "no"
			if d.VerifiedAt != nil {
				verified = consoleTime(*d.VerifiedAt)
			}
			domains.Rows = append(domains.Rows, consoleRecord{Cols: []string{d.Domain, verified, d.SSOEnforcement}, API: apiPath(base+"domains/{id}/", id, d.ID)})
		}
		domains.Pager = pg.pager("domains", "domains", total, off, false)

		exports, off, limit := section("batch-exports", "Batch exports", []string{"Name", "Destination", "Interval", "Paused"}, "batch_exports/")
		bs, total := cutRows(tx.BatchExports(id), off, limit)
		for _, b := range bs {
			paused := "no"
			if b.Paused {
				paused = "yes"
			}
			exports.Rows = append(exports.Rows, consoleRecord{Cols: []string{b.Name, b.Destination.Type, b.Interval, paused},
				API: apiPath(base+"batch_exports/{id}/", id, b.ID)})
		}
		exports.Pager = pg.pager("batch-exports", "batch-exports", total, off, false)

		plugins, off, limit := section("plugins", "Plugins", []string{"Id", "Name", "Type"}, "plugins/")
		pls, total := cutRows(tx.Plugins(id, store.PluginsAll), off, limit)
		for _, pl := range pls {
			plugins.Rows = append(plugins.Rows, consoleRecord{Cols: []string{strconv.Itoa(pl.ID), deref(pl.Name), deref(pl.PluginType)},
				API: apiPath(base+"plugins/{id}/", id, strconv.Itoa(pl.ID))})
		}
		plugins.Pager = pg.pager("plugins", "plugins", total, off, false)

		proxies, off, limit := section("proxy-records", "Proxy records", []string{"Domain", "Target CNAME", "Status"}, "proxy_records/")
		prxs, total := cutRows(tx.ProxyRecords(id), off, limit)
		for _, pr := range prxs {
			proxies.Rows = append(proxies.Rows, consoleRecord{Cols: []string{pr.Domain, pr.TargetCNAME, pr.Status},
				API: apiPath(base+"proxy_records/{id}/", id, pr.ID)})
		}
		proxies.Pager = pg.pager("proxy-records", "proxy-records", total, off, false)

		integrations, off, limit := section("integrations", "Integrations", []string{"Kind", "Installation", "Created"}, "integrations/")
		is, total := cutRows(tx.OrgIntegrations(id), off, limit)
		for _, i := range is {
			integrations.Rows = append(integrations.Rows, consoleRecord{Cols: []string{i.Kind, deref(i.IntegrationID), consoleTime(i.CreatedAt)},
				API: apiPath(base+"integrations/{id}/", id, i.ID)})
		}
		integrations.Pager = pg.pager("integrations", "integrations", total, off, false)

		apps, off, limit := section("oauth-applications", "OAuth applications", []string{"Name", "Client id", "Verified", "Created"}, "oauth_applications/")
		as, total := cutRows(tx.OAuthApplications(id), off, limit)
		for _, a := range as {
			verified := "no"
			if a.IsVerified {
				verified = "yes"
			}
			apps.Rows = append(apps.Rows, consoleRecord{Cols: []string{a.Name, a.ClientID, verified, consoleTime(a.Created)}, API: apps.List})
		}
		apps.Pager = pg.pager("oauth-applications", "oauth-applications", total, off, false)

		if tx.LegalDocumentsAvailable() {
			legal, off, limit := section("legal-documents", "Legal documents", []string{"Type", "Company", "Status", "Created"}, "legal_documents/")
			ls, total := cutRows(tx.LegalDocuments(id), off, limit)
			for _, d := range ls {
				legal.Rows = append(legal.Rows, consoleRecord{Cols: []string{d.DocumentType, d.CompanyName, d.Status, consoleTime(d.CreatedAt)},
					API: apiPath(base+"legal_documents/{id}/", id, d.ID)})
			}
			legal.Pager = pg.pager("legal-documents", "legal-documents", total, off, false)
		}

		// What the organization's projects hold: each family's rows come from its own file
		// (console_*.go) and are paged here, like the lists above.
		held := []consoleSection{consoleAccessSection(tx, o)}
		for _, family := range [][]consoleSection{flagSections(tx, id), consoleTaxonomySections(tx, id), consoleAnalyticsSections(tx, id),
			consolePipelineSections(tx, id)} {
			held = append(held, family...)
		}
		for _, sec := range held {
			off := pg.offset(sec.ID)
			var total int
			sec.Rows, total = cutRows(sec.Rows, off, pg.limit)
			sec.Pager = pg.pager(sec.ID, sec.ID, total, off, false)
			p.Sections = append(p.Sections, sec)
		}
		return nil
	})
	return p, err
}

// consoleActors lists the organization's most senior members holding a key usable there
// (at most consoleMaxActors, the most senior first), and the key the page acts as by
// default: an owner's or admin's with every scope before a narrower one.
func consoleActors(tx *store.Tx, orgID string) (actors []consoleActor, actAs, who string) {
	type ranked struct {
		consoleActor
		rank int
	}
	var best []ranked
	n := tx.MemberCount(orgID)
	members, _ := tx.MembersPage(orgID, store.MemberFilter{}, 0, max(n, 1))
	for _, m := range members {
		for _, k := range tx.APIKeysOfUser(m.UserID) {
			if k.Value == "" || (len(k.ScopedOrganizations) > 0 && !contains(k.ScopedOrganizations, orgID)) {
				continue
			}
			rank := m.Level * 10
			if len(k.Scopes) == 0 || contains(k.Scopes, "*") {
				rank += 5
			}
			if len(best) == consoleMaxActors && rank <= best[len(best)-1].rank {
				continue
			}
			a := ranked{consoleActor{Email: tx.User(m.UserID).Email, Level: levelName(m.Level), Key: k.Value, Label: k.Label}, rank}
			// Keep best sorted by rank, the earlier listed first among equals.
			at := sort.Search(len(best), func(i int) bool { return best[i].rank < rank })
			best = slices.Insert(best, at, a)
			if len(best) > consoleMaxActors {
				best = best[:consoleMaxActors]
			}
		}
	}
	for _, a := range best {
		actors = append(actors, a.consoleActor)
	}
	if len(best) > 0 {
		actAs, who = best[0].Key, best[0].Email
	}
	return actors, actAs, who
}

// consoleAccessSection lists the access controls of the organization's projects: who (a
// member's email, a role's name, or everyone) has which level on what.
func consoleAccessSection(tx *store.Tx, o *store.Organization) consoleSection {
	sec := consoleSection{ID: "access-controls", Title: "Access controls", Head: []string{"Project", "On", "Who", "Level"}}
	for i, pr := range tx.Projects(o.ID, "") {
		if i == 0 {
			sec.List = apiPath("/api/projects/{id}/access_controls/", strconv.Itoa(pr.ID))
		}
		api := apiPath("/api/projects/{id}/resource_access_controls/", strconv.Itoa(pr.ID))
		for _, ac := range tx.AccessControls(pr.ID) {
			on := ac.Resource
			if ac.Resource == "project" {
				on, api = "the project", apiPath("/api/projects/{id}/access_controls/", strconv.Itoa(pr.ID))
			} else if ac.ResourceID != nil {
				on += " " + *ac.ResourceID
			}
			who := "everyone"
			if ac.RoleID != "" {
				if r := tx.Role(o.ID, ac.RoleID); r != nil {
					who = "role " + r.Name
				}
			} else if ac.MemberUserID != 0 {
				if u := tx.User(ac.MemberUserID); u != nil {
					who = u.Email
				}
			}
			sec.Rows = append(sec.Rows, consoleRecord{Cols: []string{pr.Name, on, who, ac.AccessLevel}, API: api})
		}
	}
	return sec
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// usersPageData is the data of the credentials page: one page of users.
type usersPageData struct {
	Users []Credential
	Pager consolePager
	Orgs  map[string]string // id → name, for the organizations the page's users belong to
}

func (s *Server) consoleUsers(r *http.Request, _ map[string]string) (any, error) {
	pg := newConsolePaging(r)
	offset, search := pg.offset(""), pg.search("")
	d := usersPageData{Orgs: map[string]string{}}
	var total int
	// One read transaction: the page's users and the names of their organizations agree.
	err := s.store.Read(func(tx *store.Tx) error {
		users, n := tx.UsersPage(search, offset, pg.limit)
		d.Users, total = credentialsOf(tx, users), n
		for _, c := range d.Users {
			for _, id := range c.Orgs {
				if o := tx.Org(id); o != nil {
					d.Orgs[id] = o.Name
				}
			}
		}
		return nil
	})
	d.Pager = pg.pager("", "users", total, offset, true)
	return d, err
}

func (s *Server) consoleWorld(*http.Request, map[string]string) (any, error) {
	names := append([]string(nil), s.builtins...)
	sort.Strings(names)
	return struct {
		Scenarios []string
		CanLoad   bool
	}{names, s.loader != nil}, nil
}

// consoleSnapshot serves the whole state as a download (the console's guard applies).
func (s *Server) consoleSnapshot(w http.ResponseWriter, r *http.Request, _ map[string]string) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		s.writeError(w, r, errMethodNotAllowed(r.Method))
		return
	}
	if !s.consoleAuth(w, r) {
		return
	}
	data, err := s.ExportState()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", `attachment; filename="fakehog-snapshot.json"`)
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(data)
	}
}

// consoleAsset serves an embedded stylesheet or script (no guard: they hold no data).
func (s *Server) consoleAsset(w http.ResponseWriter, r *http.Request, vars map[string]string) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		s.writeError(w, r, errMethodNotAllowed(r.Method))
		return
	}
	name := vars["name"]
	data, err := fs.ReadFile(consoleFiles, "console/"+path.Base(name))
	if err != nil || strings.HasSuffix(name, ".html") {
		s.writeError(w, r, errEndpointNotFound)
		return
	}
	switch path.Ext(name) {
	case ".css":
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
	case ".js":
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	case ".png":
		w.Header().Set("Content-Type", "image/png")
	case ".ico":
		w.Header().Set("Content-Type", "image/x-icon")
	}
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(data)
	}
}

// consoleTime renders a time for people as the API shows the clock: RFC 3339 in UTC, to
// the second.
func consoleTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// levelName names a membership level.
func levelName(level int) string {
	switch level {
	case store.LevelOwner:
		return "owner"
	case store.LevelAdmin:
		return "admin"
	case store.LevelMember:
		return "member"
	}
	return strconv.Itoa(level)
}
