package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// TestDocsGoExamplesRun compiles and runs every ```go block of README.md and docs/*.md.
// Each block becomes a test of package httptestutil_test, added to that package through
// `go test -overlay` (nothing is written into the tree), with //line directives so that
// a compile error or failure names the markdown file and line:
//
//   - a block that declares functions (func TestX(t *testing.T) { … }) is used as it is;
//     its tests run;
//   - any other block is a list of statements, run inside a test where a reader's test
//     would have them: t, srv (httptestutil.NewServer(t), on which the test has already
//     posted an invite and listed organizations), orgID and id (the default organization's
//     id), other (a second server) and data (a scenario document) are in scope.
//
// Imports are added for the packages a block names; variables a block declares but does
// not use are used for it (a snippet shows a value without always using it). AddFault
// fails the test when it refuses a documented rule.
func TestDocsGoExamplesRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a test binary")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	var blocks []docBlock
	for _, path := range docsExampleFiles(t) {
		for _, b := range docBlocks(t, path) {
			if b.lang == "go" {
				blocks = append(blocks, b)
			}
		}
	}
	if len(blocks) < 5 {
		t.Fatalf("found only %d Go blocks: is the extractor finding them?", len(blocks))
	}
	var src bytes.Buffer
	src.WriteString(docsGoPreamble)
	for i, b := range blocks {
		code, err := docsGoBlock(b, i)
		if err != nil {
			t.Errorf("%s:%d: %v", b.file, b.line, err)
			continue
		}
		src.WriteString(code)
	}
	file := src.String()
	var imports []string
	for name, path := range docsGoImports {
		if regexp.MustCompile(`\b` + name + `\.`).MatchString(file) {
			imports = append(imports, fmt.Sprintf("\t%q", path))
		}
	}
	sort.Strings(imports)
	file = strings.Replace(file, "import ()", "import (\n"+strings.Join(imports, "\n")+"\n)", 1)

	dir := t.TempDir()
	gen := filepath.Join(dir, "docs_examples_test.go")
	if err := os.WriteFile(gen, []byte(file), 0o644); err != nil {
		t.Fatal(err)
	}
	overlay, _ := json.Marshal(map[string]any{"Replace": map[string]string{
		filepath.Join(root, "httptestutil", "zz_docs_examples_test.go"): gen}})
	ov := filepath.Join(dir, "overlay.json")
	if err := os.WriteFile(ov, overlay, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "test", "-count=1", "-overlay="+ov, "-run=^TestDocGo", "-v", "./httptestutil")
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the Go examples of the docs do not build or run:\n%s\n(generated code: %s)", out, numbered(file))
	}
	passed := strings.Count(string(out), "--- PASS: TestDocGo")
	if passed < len(blocks) {
		t.Fatalf("%d Go blocks, but only %d example tests ran:\n%s", len(blocks), passed, out)
	}
	t.Logf("compiled and ran the %d Go examples of the docs", passed)
}

// docsGoImports are the packages a Go example may name, by name.
var docsGoImports = map[string]string{
	"fake":         "github.com/fakehog/fakehog/fake",
	"store":        "github.com/fakehog/fakehog/fake/store",
	"httptestutil": "github.com/fakehog/fakehog/httptestutil",
	"scenarios":    "github.com/fakehog/fakehog/scenarios",
	"testing":      "testing",
	"time":         "time",
	"strings":      "strings",
	"http":         "net/http",
	"json":         "encoding/json",
	"context":      "context",
	"fmt":          "fmt",
	"io":           "io",
	"bytes":        "bytes",
	"errors":       "errors",
}

// docsGoPreamble starts the generated file: what the statement examples find in scope.
const docsGoPreamble = `package httptestutil_test

import ()

// docServer is the srv of the examples: an httptestutil server whose AddFault fails the
// test when it refuses a rule.
type docServer struct {
	*httptestutil.Server
	t *testing.T
}

func (s docServer) AddFault(f fake.Fault) (int, error) {
	s.t.Helper()
	id, err := s.Server.AddFault(f)
	if err != nil {
		s.t.Errorf("AddFault(%+v): %v", f, err)
	}
	return id, err
}

// docContext is where a reader's test would be when it reaches an example.
func docContext(t *testing.T) (docServer, *httptestutil.Server) {
	srv := httptestutil.NewServer(t)
	res, err := srv.Client().Post(srv.URL+"/api/organizations/@current/invites/", "application/json",
		strings.NewReader(` + "`" + `{"target_email":"ada@example.com"}` + "`" + `))
	if err != nil || res.StatusCode != http.StatusCreated {
		t.Fatalf("setting up: %v %v", err, res)
	}
	res.Body.Close()
	if res, err = srv.Client().Get(srv.URL + "/api/organizations/"); err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return docServer{srv, t}, httptestutil.NewServer(t)
}

// docScenario is the data of the examples: a small scenario document.
const docScenario = "users:\n  - email: ada@example.com\n"
`

var docsTopLevel = regexp.MustCompile(`(?m)^(func|import|type|var|const) `)

// docsGoBlock turns one Go block into declarations of the generated file.
func docsGoBlock(b docBlock, n int) (string, error) {
	line := fmt.Sprintf("//line %s:%d\n", b.file, b.line+1)
	if docsTopLevel.MatchString(b.text) {
		// Declarations: drop the package clause and imports (added from the names used),
		// rename the tests so that -run finds them, and use what each function declares.
		var kept []string
		inImports := false
		for _, l := range strings.Split(b.text, "\n") {
			switch {
			case inImports:
				inImports = strings.TrimSpace(l) != ")"
				l = "" // keep the line numbers
			case strings.HasPrefix(l, "import ("):
				inImports, l = true, ""
			case strings.HasPrefix(l, "import "), strings.HasPrefix(l, "package "):
				l = ""
			}
			kept = append(kept, l)
		}
		text := strings.Join(kept, "\n")
		text = regexp.MustCompile(`(?m)^func Test`).ReplaceAllString(text, fmt.Sprintf("func TestDocGo%d", n))
		fset := token.NewFileSet()
		const head = "package p\n"
		f, err := parser.ParseFile(fset, "", head+text, 0)
		if err != nil {
			return "", err
		}
		// Insert the uses before each function's closing brace, last first.
		type insert struct {
			at   int
			text string
		}
		var ins []insert
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil {
				if uses := useDeclared(fd.Body.List); uses != "" {
					ins = append(ins, insert{fset.Position(fd.Body.Rbrace).Offset - len(head), uses})
				}
			}
		}
		for i := len(ins) - 1; i >= 0; i-- {
			text = text[:ins[i].at] + ins[i].text + text[ins[i].at:]
		}
		return "\n" + line + text + "\n", nil
	}
	fset := token.NewFileSet()
	const head = "package p\nfunc _() {\n"
	f, err := parser.ParseFile(fset, "", head+b.text+"\n}\n", 0)
	if err != nil {
		return "", err
	}
	body := f.Decls[0].(*ast.FuncDecl).Body.List
	return fmt.Sprintf(`
func TestDocGo%d(t *testing.T) {
	srv, other := docContext(t)
	orgID := srv.Defaults().OrganizationID
	id := orgID
	data := []byte(docScenario)
	_, _, _, _, _ = srv, other, orgID, id, data
	{
%s%s%s
	}
}
`, n, line, b.text, useDeclared(body)), nil
}

// useDeclared returns "_ = name" statements for the variables the statements declare at
// their top level.
func useDeclared(stmts []ast.Stmt) string {
	var names []string
	add := func(id *ast.Ident) {
		if id != nil && id.Name != "_" {
			names = append(names, id.Name)
		}
	}
	for _, st := range stmts {
		switch s := st.(type) {
		case *ast.AssignStmt:
			if s.Tok == token.DEFINE {
				for _, l := range s.Lhs {
					if id, ok := l.(*ast.Ident); ok {
						add(id)
					}
				}
			}
		case *ast.DeclStmt:
			if g, ok := s.Decl.(*ast.GenDecl); ok && g.Tok == token.VAR {
				for _, sp := range g.Specs {
					for _, id := range sp.(*ast.ValueSpec).Names {
						add(id)
					}
				}
			}
		}
	}
	var b strings.Builder
	for _, n := range names {
		fmt.Fprintf(&b, "\n_ = %s", n)
	}
	if b.Len() > 0 {
		b.WriteString("\n")
	}
	return b.String()
}

// numbered prefixes each line with its number, for a failure's report.
func numbered(s string) string {
	var b strings.Builder
	for i, l := range strings.Split(s, "\n") {
		fmt.Fprintf(&b, "\n%4d  %s", i+1, l)
	}
	return b.String()
}
