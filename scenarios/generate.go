package scenarios

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"unicode"

	"github.com/brianvoe/gofakeit/v7"
	"github.com/fakehog/fakehog/fake/store"
)

// generate's data comes from gofakeit driven by a PCG source seeded with the scenario's
// seed (never gofakeit.New, which picks a random seed for 0), so the same seed gives the
// same people, companies and projects on every run. It makes no secrets: keys, tokens and
// ids come from the store's own seeded source when the world is seeded.

func (p *plan) checkGenerate() error {
	if h := p.s.HistoryDays; h < 0 || h > MaxHistoryDays {
		return p.errorf("history_days", "history_days is 0 to %d, found %d", MaxHistoryDays, h)
	}
	g := p.s.Generate
	for _, c := range []struct {
		name  string
		value int
		max   int
	}{
		{"organizations", g.Organizations, MaxGeneratedOrganizations},
		{"members_per_organization", g.MembersPerOrganization, MaxGeneratedMembers},
		{"projects_per_organization", g.ProjectsPerOrganization, MaxGeneratedProjects},
		{"invites_per_organization", g.InvitesPerOrganization, MaxGeneratedInvites},
		{"roles_per_organization", g.RolesPerOrganization, MaxGeneratedRoles},
	} {
		if c.value < 0 || c.value > c.max {
			return p.errorf(child("generate", c.name), "%s is 0 to %d, found %d", c.name, c.max, c.value)
		}
		if c.name != "organizations" && c.value > 0 && g.Organizations == 0 {
			return p.errorf(child("generate", c.name), "%s needs generate.organizations", c.name)
		}
	}
	if total := g.Organizations * g.MembersPerOrganization; total > MaxGeneratedMembersTotal {
		return p.errorf(child("generate", "members_per_organization"), "organizations × members_per_organization is at most %d, found %d",
			MaxGeneratedMembersTotal, total)
	}
	return nil
}

// projectNames are plausible names for generated projects, used before AppName's.
var projectNames = []string{"Web app", "Marketing site", "iOS app", "Android app", "Backend API", "Docs",
	"Admin dashboard", "Checkout", "Data warehouse", "Staging", "Internal tools", "Mobile web", "Landing pages",
	"Customer portal", "Browser extension", "Desktop app"}

// roleNames are the names of generated roles.
var roleNames = []string{"Engineering", "Product", "Design", "Data", "Marketing", "Sales", "Support", "Leadership",
	"Finance", "Operations", "Security", "Growth", "Customer success", "Platform", "Mobile", "QA", "People", "Legal",
	"Partnerships", "Analytics"}

// emailTLDs are the top-level domains of generated companies.
var emailTLDs = []string{"com", "io", "co", "dev", "net", "app"}

// generate appends the generated organizations and their users to the plan.
func (p *plan) generate() {
	g := p.s.Generate
	if g.Organizations == 0 {
		return
	}
	f := gofakeit.NewFaker(rand.NewPCG(p.s.Seed, p.s.Seed^0x6a09e667f3bcc908), false)
	// Roles draw from a source of their own: asking for them changes no other generated data.
	rf := gofakeit.NewFaker(rand.NewPCG(p.s.Seed^0xbb67ae8584caa73b, p.s.Seed), false)
	emails := make(map[string]bool, len(p.users)+g.Organizations*(max(g.MembersPerOrganization, 1)+g.InvitesPerOrganization))
	for _, u := range p.users {
		emails[strings.ToLower(strings.TrimSpace(u.Email))] = true
	}
	orgNames := map[string]bool{}
	domains := map[string]bool{}
	for _, o := range p.orgs {
		orgNames[strings.ToLower(o.Name)] = true
		for _, d := range o.Domains {
			domains[strings.ToLower(d.Domain)] = true
		}
	}
	for _, u := range p.users {
		if _, d, ok := strings.Cut(u.Email, "@"); ok {
			domains[strings.ToLower(d)] = true
		}
	}
	nextNumber := map[string]int{} // e-mail → the first number person may try for it
	person := func(domain string) (first, last, email string) {
		first, last = f.FirstName(), f.LastName()
		buf := appendSlug(make([]byte, 0, len(first)+len(last)+len(domain)+2), first, ".")
		buf = append(buf, '.')
		buf = appendSlug(buf, last, ".")
		local := len(buf)
		buf = append(buf, '@')
		email = string(append(buf, domain...))
		if emails[email] {
			// Popular names come back thousands of times in a large organization: start from
			// the first number not yet known to be taken (emails only grows), which gives
			// what counting from 2 every time gave.
			base, local := email, email[:local]
			n := max(nextNumber[base], 2)
			for email = fmt.Sprintf("%s%d@%s", local, n, domain); emails[email]; {
				n++
				email = fmt.Sprintf("%s%d@%s", local, n, domain)
			}
			nextNumber[base] = n + 1
		}
		emails[email] = true
		return first, last, email
	}
	members := max(g.MembersPerOrganization, 1)
	p.users = slices.Grow(p.users, g.Organizations*members)
	p.userPaths = slices.Grow(p.userPaths, g.Organizations*members)
	for k := 0; k < g.Organizations; k++ {
		path := index(child("generate", "organizations"), k)
		family := f.LastName()
		name := family + " " + f.CompanySuffix()
		for n := 2; orgNames[strings.ToLower(name)]; n++ {
			name = fmt.Sprintf("%s %s %d", family, f.CompanySuffix(), n)
		}
		orgNames[strings.ToLower(name)] = true
		base := slug(family, "-")
		domain := base + "." + f.RandomString(emailTLDs)
		for n := 2; domains[domain]; n++ {
			domain = fmt.Sprintf("%s%d.%s", base, n, f.RandomString(emailTLDs))
		}
		domains[domain] = true
		o := Organization{Name: name, Members: make([]Member, 0, members)}
		for j := 0; j < members; j++ {
			first, last, email := person(domain)
			u := User{Email: email, FirstName: first, LastName: last,
				RoleAtOrganization: f.RandomString(rolesAtOrganization), Is2FAEnabled: f.Float64() < 0.3}
			// Every generated user can be reached (unless credentials: false): a key (scope
			// "*") and a session, both named after the email (they draw nothing from the
			// generator, so switching them off changes no other data).
			if !g.NoCredentials {
				handle := credentialHandle(email)
				u.PersonalAPIKeys = []APIKey{{Value: "phx_gen_" + handle, Label: "generated"}}
				u.Sessions = []string{"gen-" + handle + "-session"}
			}
			p.users = append(p.users, u)
			p.userPaths = append(p.userPaths, child(path, "members"))
			level := Level(store.LevelMember)
			switch r := f.Float64(); {
			case j == 0 || r < 0.06:
				level = store.LevelOwner
			case j == 1 || r < 0.26:
				level = store.LevelAdmin
			}
			o.Members = append(o.Members, Member{User: email, Level: level})
		}
		used := map[string]bool{}
		names := append([]string(nil), projectNames...)
		f.ShuffleStrings(names)
		for j := 0; j < g.ProjectsPerOrganization; j++ {
			pname := ""
			if j < len(names) {
				pname = names[j]
			} else {
				pname = f.AppName()
				for n := 2; used[strings.ToLower(pname)]; n++ {
					pname = fmt.Sprintf("%s %d", f.AppName(), n)
				}
			}
			used[strings.ToLower(pname)] = true
			o.Projects = append(o.Projects, Project{Name: pname, Timezone: p.timezone(f)})
		}
		for j := 0; j < g.InvitesPerOrganization; j++ {
			invDomain := domain
			if f.Float64() < 0.3 {
				invDomain = slug(f.LastName(), "-") + "." + f.RandomString(emailTLDs)
			}
			first, _, email := person(invDomain)
			level := Level(store.LevelMember)
			if f.Float64() < 0.2 {
				level = store.LevelAdmin
			}
			o.Invites = append(o.Invites, Invite{TargetEmail: email, FirstName: first, Level: level, Expired: f.Float64() < 0.3})
		}
		o.Domains = []Domain{{Domain: domain, Verified: f.Float64() < 0.5, Verifiable: true}}
		if g.RolesPerOrganization > 0 {
			names := append([]string(nil), roleNames...)
			rf.ShuffleStrings(names)
			for j := 0; j < g.RolesPerOrganization; j++ {
				r := Role{Name: names[j%len(names)], Members: []string{}}
				if j >= len(names) {
					r.Name = fmt.Sprintf("%s %d", r.Name, j/len(names)+1)
				}
				for _, m := range o.Members {
					if rf.Float64() < 0.3 {
						r.Members = append(r.Members, m.User)
					}
				}
				o.Roles = append(o.Roles, r)
			}
		}
		p.orgs = append(p.orgs, o)
		p.orgPaths = append(p.orgPaths, path)
	}
}

// timezone picks a gofakeit timezone the store knows (UTC when none does).
func (p *plan) timezone(f *gofakeit.Faker) string {
	for range 10 {
		if tz := f.TimeZoneRegion(); store.ValidTimezone(tz) {
			return tz
		}
	}
	return "UTC"
}

// slug lower-cases s and keeps ASCII letters and digits, joining runs of others with sep.
func slug(s, sep string) string { return string(appendSlug(nil, s, sep)) }

// appendSlug appends slug(s, sep) to dst ("x" when s has no letter or digit to keep).
// Lower-casing rune by rune is what strings.ToLower does.
func appendSlug(dst []byte, s, sep string) []byte {
	start := len(dst)
	pending := false
	for _, r := range s {
		r = unicode.ToLower(r)
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			if pending && len(dst) > start {
				dst = append(dst, sep...)
			}
			pending = false
			dst = append(dst, byte(r))
		} else if r == ' ' || r == '-' {
			pending = true
		}
	}
	if len(dst) == start {
		dst = append(dst, 'x')
	}
	return dst
}

// credentialHandle turns a generated email into the stem of its user's key and session:
// "ada.lovelace@acme-co.io" → "ada_lovelace_at_acme-co_io" (distinct emails, distinct stems).
func credentialHandle(email string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(email) {
		switch {
		case (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || r == '-':
			b.WriteRune(r)
		case r == '@':
			b.WriteString("_at_")
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}
