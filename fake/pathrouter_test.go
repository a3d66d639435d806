package fake

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// refRoute is the routing semantics fakehog relies on, written independently of
// gorilla/mux: an anchored regexp with each {name} as ([^/]+) and everything else literal,
// run on the decoded path; a prefix route as an unanchored-at-the-end prefix.
type refRoute struct {
	re    *regexp.Regexp
	names []string
}

var reTemplateVar = regexp.MustCompile(`\{([a-z_]+)\}`)

func newRefRoute(rt *pathRoute) refRoute {
	if rt.prefix {
		return refRoute{re: regexp.MustCompile("^" + regexp.QuoteMeta(rt.tmpl))}
	}
	var pat strings.Builder
	var names []string
	pat.WriteString("^")
	last := 0
	for _, loc := range reTemplateVar.FindAllStringSubmatchIndex(rt.tmpl, -1) {
		pat.WriteString(regexp.QuoteMeta(rt.tmpl[last:loc[0]]))
		pat.WriteString("([^/]+)")
		names = append(names, rt.tmpl[loc[2]:loc[3]])
		last = loc[1]
	}
	pat.WriteString(regexp.QuoteMeta(rt.tmpl[last:]) + "$")
	return refRoute{re: regexp.MustCompile(pat.String()), names: names}
}

// TestPathRouterMatchesRegexpReference checks, over the real route table, that pathRouter
// (the shared gorilla/mux matcher) picks the same route with the same variables as
// first-match regexp routing, for paths
// built from every template with awkward variable values and mutations.
func TestPathRouterMatchesRegexpReference(t *testing.T) {
	srv, err := New(WithSeed(1))
	if err != nil {
		t.Fatal(err)
	}
	pr := srv.router
	refs := make([]refRoute, len(pr.routes))
	for i, rt := range pr.routes {
		refs[i] = newRefRoute(rt)
	}
	refLookup := func(path string) (int, map[string]string) {
		for i, ref := range refs {
			m := ref.re.FindStringSubmatch(path)
			if m == nil {
				continue
			}
			vars := map[string]string{}
			for k, name := range ref.names {
				vars[name] = m[k+1]
			}
			return i, vars
		}
		return -1, nil
	}
	values := []string{"x", "0195f0a2-aaaa-7bbb-8ccc-000000000001", "@me", "@current", "bulk", "delegate",
		"a.b", "a b", "a\nb", "\xff", "a/b", "", "..", "MEMBERS", "{id}"}
	paths := []string{"", "/", "//", "/api", "/api/", "/api/organizations", "/_fake", "/_fake/", "/_fake/x/y/z",
		"/_fakex", "/_fake//health", "/api/organizations//", strings.Repeat("/a", 40)}
	for _, rt := range pr.routes {
		for _, v := range values {
			p := reTemplateVar.ReplaceAllString(rt.tmpl, strings.ReplaceAll(v, "$", "$$"))
			paths = append(paths, p, p+"/", p+"x", p+"/extra/", strings.TrimSuffix(p, "/"), strings.ToUpper(p), "/"+p)
		}
	}
	checked := 0
	// Each path twice: the second lookup answers from the matcher's memo of seen paths,
	// which must hand out copies of the variables (the first answer's are scribbled on).
	var last map[string]string
	for i := range 2 * len(paths) {
		for k := range last {
			last[k] = "scribbled"
		}
		p := paths[i/2]
		got, gotVars := pr.lookup(p)
		last = gotVars
		wantIdx, wantVars := refLookup(p)
		gotIdx := -1
		for i, rt := range pr.routes {
			if rt == got {
				gotIdx = i
			}
		}
		if gotIdx != wantIdx {
			t.Errorf("%q: pathRouter chose route %d, the regexp reference %d", p, gotIdx, wantIdx)
			continue
		}
		if gotIdx >= 0 && !pr.routes[gotIdx].prefix {
			if len(gotVars) != len(wantVars) {
				t.Errorf("%q: vars %v, want %v", p, gotVars, wantVars)
			}
			for k, v := range wantVars {
				if gotVars[k] != v {
					t.Errorf("%q: vars %v, want %v", p, gotVars, wantVars)
				}
			}
		}
		checked++
	}
	if checked < 2000 {
		t.Fatalf("only %d paths checked", checked)
	}
}

// TestPathRouterFirstRegisteredWins pins the precedence the route table relies on: a
// literal route registered before a variable one at the same place wins, and vice versa.
func TestPathRouterFirstRegisteredWins(t *testing.T) {
	pr := newPathRouter()
	var hit string
	h := func(name string) varsHandler {
		return func(_ http.ResponseWriter, _ *http.Request, vars map[string]string) { hit = name + ":" + vars["id"] }
	}
	pr.handle("/invites/bulk/", h("bulk"))
	pr.handle("/invites/{id}/", h("detail"))
	pr.handle("/x/{id}/", h("xvar"))
	pr.handle("/x/lit/", h("xlit"))
	pr.handlePrefix("/p/", h("prefix"))
	pr.handle("/p/{id}", h("after-prefix"))
	for path, want := range map[string]string{
		"/invites/bulk/": "bulk:", "/invites/abc/": "detail:abc", "/x/lit/": "xvar:lit",
		"/p/q": "prefix:", "/p/": "prefix:",
	} {
		hit = ""
		rt, vars := pr.lookup(path)
		if rt == nil {
			t.Errorf("%s: no route", path)
			continue
		}
		rt.h(nil, nil, vars)
		if hit != want {
			t.Errorf("%s → %q, want %q", path, hit, want)
		}
	}
	if rt, _ := pr.lookup("/invites//"); rt != nil {
		t.Errorf("an empty segment matched a variable")
	}
}
