package fake

import (
	"crypto/subtle"
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
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
				HttpOnly: true, SameSite: http.SameSiteStrictMode})
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
	v := consoleView{Page: name, Base: s.basePath, Token: s.adminToken, Now: consoleTime(s.clock.Now()) + " UTC",
		Defaults: s.Defaults(), Data: d}
	v.Title = consoleTitles[name]
	if t, ok := d.(interface{ title() string }); ok {
		v.Title = t.title()
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'")
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

func (s *Server) consoleOverview(*http.Request, map[string]string) (any, error) {
	var out struct {
		Orgs     []orgSummary
		Users    int
		Keys     int
		Sessions int
	}
	err := s.store.Read(func(tx *store.Tx) error {
		now := tx.Now()
		for _, o := range tx.Organizations() {
			sum := orgSummary{ID: o.ID, Name: o.Name, Slug: o.Slug, Created: consoleTime(o.CreatedAt),
				Members: len(tx.Members(o.ID, store.MemberFilter{})), Projects: len(tx.Projects(o.ID, "")),
				Roles: len(tx.Roles(o.ID)), Domains: len(tx.Domains(o.ID))}
			for _, inv := range tx.Invites(o.ID) {
				sum.Invites++
				if inv.IsExpired(now) {
					sum.ExpiredInvites++
				}
			}
			out.Orgs = append(out.Orgs, sum)
		}
		for _, u := range tx.Users() {
			out.Users++
			out.Keys += len(tx.APIKeysOfUser(u.ID))
			out.Sessions += len(tx.SessionsOfUser(u.ID))
		}
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

// consoleSection is a family of records on an organization's page.
type consoleSection struct {
	ID, Title string
	Head      []string
	List      string // the family's list path
	Rows      []consoleRecord
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

func (s *Server) consoleOrganization(_ *http.Request, vars map[string]string) (any, error) {
	var p orgPage
	err := s.store.Read(func(tx *store.Tx) error {
		o := tx.Org(vars["id"])
		if o == nil {
			return store.ErrNotFound()
		}
		now := tx.Now()
		id := o.ID
		const base = "/api/organizations/{organization_id}/"
		p.ID, p.Name, p.API = o.ID, o.Name, apiPath("/api/organizations/{id}/", id)
		// Act as the most senior member holding a key (the JSON buttons use it).
		best := -1
		for _, m := range tx.Members(id, store.MemberFilter{}) {
			keys := tx.APIKeysOfUser(m.UserID)
			for _, k := range keys {
				if k.Value == "" || (len(k.ScopedOrganizations) > 0 && !contains(k.ScopedOrganizations, id)) {
					continue
				}
				p.Actors = append(p.Actors, consoleActor{Email: tx.User(m.UserID).Email, Level: levelName(m.Level), Key: k.Value, Label: k.Label})
				rank := m.Level * 10
				if len(k.Scopes) == 0 || contains(k.Scopes, "*") {
					rank += 5
				}
				if rank > best {
					best, p.ActAs, p.ActAsWho = rank, k.Value, tx.User(m.UserID).Email
				}
			}
		}
		members := consoleSection{ID: "members", Title: "Members", Head: []string{"Email", "Name", "Level", "Joined", "Last login"},
			List: apiPath(base+"members/", id)}
		for _, m := range tx.Members(id, store.MemberFilter{}) {
			u := tx.User(m.UserID)
			last := "never"
			if u.LastLogin != nil {
				last = consoleTime(*u.LastLogin)
			}
			members.Rows = append(members.Rows, consoleRecord{Cols: []string{u.Email, strings.TrimSpace(u.FirstName + " " + u.LastName),
				levelName(m.Level), consoleTime(m.JoinedAt), last}, API: members.List})
		}
		invites := consoleSection{ID: "invites", Title: "Invites", Head: []string{"Email", "Level", "Created", "Status"},
			List: apiPath(base+"invites/", id)}
		for _, inv := range tx.Invites(id) {
			rec := consoleRecord{Cols: []string{inv.TargetEmail, levelName(inv.Level), consoleTime(inv.CreatedAt), "valid"}, API: invites.List}
			if inv.IsExpired(now) {
				rec.Cols[3], rec.Tag = "expired", "expired"
			}
			invites.Rows = append(invites.Rows, rec)
		}
		projects := consoleSection{ID: "projects", Title: "Projects", Head: []string{"Id", "Name", "API token", "Created"},
			List: apiPath(base+"projects/", id)}
		for _, pr := range tx.Projects(id, "") {
			projects.Rows = append(projects.Rows, consoleRecord{Cols: []string{strconv.Itoa(pr.ID), pr.Name, pr.APIToken, consoleTime(pr.CreatedAt)},
				API: apiPath(base+"projects/{id}/", id, strconv.Itoa(pr.ID))})
		}
		roles := consoleSection{ID: "roles", Title: "Roles", Head: []string{"Name", "Created"}, List: apiPath(base+"roles/", id)}
		for _, r := range tx.Roles(id) {
			roles.Rows = append(roles.Rows, consoleRecord{Cols: []string{r.Name, consoleTime(r.CreatedAt)}, API: apiPath(base+"roles/{id}/", id, r.ID)})
		}
		domains := consoleSection{ID: "domains", Title: "Domains", Head: []string{"Domain", "Verified", "SSO enforcement"}, List: apiPath(base+"domains/", id)}
		for _, d := range tx.Domains(id) {
			verified := "no"
			if d.VerifiedAt != nil {
				verified = consoleTime(*d.VerifiedAt)
			}
			domains.Rows = append(domains.Rows, consoleRecord{Cols: []string{d.Domain, verified, d.SSOEnforcement}, API: apiPath(base+"domains/{id}/", id, d.ID)})
		}
		exports := consoleSection{ID: "batch-exports", Title: "Batch exports", Head: []string{"Name", "Destination", "Interval", "Paused"},
			List: apiPath(base+"batch_exports/", id)}
		for _, b := range tx.BatchExports(id) {
			paused := "no"
			if b.Paused {
				paused = "yes"
			}
			exports.Rows = append(exports.Rows, consoleRecord{Cols: []string{b.Name, b.Destination.Type, b.Interval, paused},
				API: apiPath(base+"batch_exports/{id}/", id, b.ID)})
		}
		plugins := consoleSection{ID: "plugins", Title: "Plugins", Head: []string{"Id", "Name", "Type"}, List: apiPath(base+"plugins/", id)}
		for _, pl := range tx.Plugins(id, store.PluginsAll) {
			plugins.Rows = append(plugins.Rows, consoleRecord{Cols: []string{strconv.Itoa(pl.ID), deref(pl.Name), deref(pl.PluginType)},
				API: apiPath(base+"plugins/{id}/", id, strconv.Itoa(pl.ID))})
		}
		proxies := consoleSection{ID: "proxy-records", Title: "Proxy records", Head: []string{"Domain", "Target CNAME", "Status"},
			List: apiPath(base+"proxy_records/", id)}
		for _, pr := range tx.ProxyRecords(id) {
			proxies.Rows = append(proxies.Rows, consoleRecord{Cols: []string{pr.Domain, pr.TargetCNAME, pr.Status},
				API: apiPath(base+"proxy_records/{id}/", id, pr.ID)})
		}
		p.Sections = []consoleSection{members, invites, projects, roles, domains, exports, plugins, proxies}
		p.Sections = append(p.Sections, consoleAnalyticsSections(tx, id)...)
		p.Sections = append(p.Sections, consolePipelineSections(tx, id)...)
		return nil
	})
	return p, err
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

// usersPageData is the data of the credentials page.
type usersPageData struct {
	Users []Credential
	Orgs  map[string]string // id → name
}

func (s *Server) consoleUsers(*http.Request, map[string]string) (any, error) {
	d := usersPageData{Users: s.Credentials(), Orgs: map[string]string{}}
	err := s.store.Read(func(tx *store.Tx) error {
		for _, o := range tx.Organizations() {
			d.Orgs[o.ID] = o.Name
		}
		return nil
	})
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
	}
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(data)
	}
}

// consoleTime renders a time for people: UTC, to the second.
func consoleTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04:05")
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
