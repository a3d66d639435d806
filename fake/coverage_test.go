package fake

import (
	"bufio"
	"os"
	"regexp"
	"sort"
	"strings"
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
