package fake

import (
	"bufio"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
)

// specOp is one operation listed in testdata/endpoints.txt or beyond-docs.txt.
type specOp struct{ Method, Path string }

// templateOf turns "/api/organizations/:organization_id/members/:user__uuid" into the route
// table's "/api/organizations/{organization_id}/members/{user__uuid}/".
func templateOf(p string) string {
	return regexp.MustCompile(`:(\w+)`).ReplaceAllString(p, "{$1}") + "/"
}

func readSpecOps(t *testing.T, files ...string) []specOp {
	t.Helper()
	var out []specOp
	for _, f := range files {
		fh, err := os.Open("../testdata/" + f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			fields := strings.Fields(line)
			out = append(out, specOp{fields[0], fields[1]})
		}
		fh.Close()
	}
	return out
}

// readScopes parses testdata/scopes.txt. A few of its lines have the path and the scope run
// together, so the path is matched against the known operations (longest first).
func readScopes(t *testing.T, known []specOp) map[string]string {
	t.Helper()
	paths := make([]string, 0, len(known))
	for _, op := range known {
		paths = append(paths, op.Path)
	}
	sort.Slice(paths, func(i, j int) bool { return len(paths[i]) > len(paths[j]) })
	data, err := os.ReadFile("../testdata/scopes.txt")
	if err != nil {
		t.Fatal(err)
	}
	reScope := regexp.MustCompile(`^(session-only|[a-z_]+:(read|write))`)
	out := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		method, rest, _ := strings.Cut(line, " ")
		rest = strings.TrimSpace(rest)
		for _, p := range paths {
			if !strings.HasPrefix(rest, p) || strings.HasPrefix(rest[len(p):], "/") {
				continue
			}
			tail := strings.TrimSpace(rest[len(p):])
			if m := reScope.FindString(tail); m != "" {
				out[method+" "+p] = m
				break
			}
		}
	}
	return out
}

// TestRouteTableCoversSpec: every documented operation and every operation beyond the docs is
// routed, with the scope scopes.txt gives it, and the table has nothing the spec lacks.
func TestRouteTableCoversSpec(t *testing.T) {
	ops := readSpecOps(t, "endpoints.txt", "beyond-docs.txt")
	if len(ops) != 159 {
		t.Fatalf("spec lists %d operations, want 159", len(ops))
	}
	scopes := readScopes(t, ops)
	table := map[string]route{}
	for _, rt := range routes(&Server{}) {
		key := rt.Method + " " + rt.Path
		if _, dup := table[key]; dup {
			t.Errorf("route %s is in the table twice", key)
		}
		table[key] = rt
	}
	for _, op := range ops {
		key := op.Method + " " + templateOf(op.Path)
		rt, ok := table[key]
		if !ok {
			t.Errorf("%s %s is not routed", op.Method, op.Path)
			continue
		}
		want, ok := scopes[op.Method+" "+op.Path]
		if !ok {
			t.Errorf("scopes.txt has no scope for %s %s", op.Method, op.Path)
			continue
		}
		if want == "session-only" {
			want = ""
		}
		if rt.Scope != want {
			t.Errorf("%s: scope %q, scopes.txt says %q", key, rt.Scope, want)
		}
		delete(table, key)
	}
	for key := range table {
		t.Errorf("%s is routed but not in the spec", key)
	}
}

// probePath fills a route template with the default world's organization and ids that
// exist nowhere, so a written handler answers with its own rules (404 "Not found.", 400,
// 403…) while an unwritten one answers 501.
func probePath(e *env, tmpl string) string {
	r := strings.NewReplacer(
		"{id}", "019bc119-0000-7000-8000-000000000000",
		"{organization_id}", e.d.OrganizationID,
		"{role_id}", "019bc119-0000-7000-8000-000000000001",
		"{user__uuid}", "019bc119-0000-7000-8000-000000000002",
	)
	p := r.Replace(tmpl)
	if strings.HasPrefix(tmpl, "/api/organizations/{id}/") {
		p = strings.Replace(p, "019bc119-0000-7000-8000-000000000000", e.d.OrganizationID, 1)
	}
	return p
}

var (
	probeOnce     sync.Once
	probeStatuses map[string]int
	probeProblems []string
)

// probeRoutes calls every operation once as the default owner's session, on a world holding
// one record of each family (seedOneOfEach) so {id} routes act on a real record where the
// family has one, and returns the status each answered, keyed "METHOD template". Each call
// gets a fresh world, so a DELETE of the organization does not starve the probes after it.
// The probe runs once per test binary; TestEndpointsDoc and TestEveryOperationAnswers share it.
func probeRoutes(t *testing.T) map[string]int {
	probeOnce.Do(func() {
		probeStatuses = map[string]int{}
		for _, rt := range routes(&Server{}) {
			e := newEnv(t)
			seedOneOfEach(e)
			var body any
			if rt.Method != "GET" && rt.Method != "DELETE" {
				body = map[string]any{}
			}
			r := e.do(rt.Method, realPath(e, rt.Path), body, asSession(e.d.Session))
			probeStatuses[rt.Method+" "+rt.Path] = r.Status
			switch {
			case r.Status == 404 && r.JSON.Get("detail").String() == "Endpoint not found.", r.Status == 405:
				probeProblems = append(probeProblems, fmt.Sprintf("%s %s: routed but answered %d %s", rt.Method, rt.Path, r.Status, r.Body))
			case r.Status >= 500:
				probeProblems = append(probeProblems, fmt.Sprintf("%s %s: %d %s", rt.Method, rt.Path, r.Status, r.Body))
			}
		}
	})
	return probeStatuses
}

// TestEveryOperationAnswers: every one of the 159 routed operations, called as the default
// owner on real records, is served by a real handler — never 404, 405, 501 or another 5xx.
func TestEveryOperationAnswers(t *testing.T) {
	statuses := probeRoutes(t)
	for _, p := range probeProblems {
		t.Error(p)
	}
	if len(statuses) != 159 {
		t.Fatalf("probed %d operations, want 159", len(statuses))
	}
	for key, status := range statuses {
		switch status {
		case 501:
			t.Errorf("%s is not implemented (501)", key)
		case 404:
			// The probe's world has a record of every family, so the path names real
			// records: a 404 means the operation lost them.
			t.Errorf("%s answered 404 on records that exist", key)
		}
	}
}
