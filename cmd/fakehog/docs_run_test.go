package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tidwall/gjson"
)

// The docs-run test: every shell example (```sh blocks) in README.md and docs/*.md runs,
// as a reader would run it, against `go run ./cmd/fakehog` — this command's run function,
// in process, with the default world, on a free loopback port that replaces 127.0.0.1:8010.
// Each markdown file gets a fresh server, and its blocks run in order, sharing shell
// variables (F=..., KEY=...) and files (> state.json, @state.json).
//
// curl commands are carried out by a small curl written here (docsCurl), not by the curl
// binary: CI then needs no curl, and the test checks what curl itself would do to the
// command — a URL holding {…} or […] without -g is refused, as curl would glob it. Each
// command must answer below 400, unless a following comment "# → [status] [JSON]" says
// otherwise; that comment's status and JSON (a subset of the answer: times within a
// minute, "…" in a string standing for anything after it) must then match.
//
// Go examples (```go blocks) are compiled and run by TestDocsGoExamplesRun (docs_go_test.go).
// A block that is not meant to run (output, a listing) is fenced as ```text (or with no
// language), not sh or go.

// docsSkipped are the shell commands the test does not run, each with its reason. A
// command matches an entry when it starts with it.
var docsSkipped = []struct{ prefix, why string }{
	{"go run ./cmd/fakehog", "starts the server the test itself runs (or, with -check, reads a file the reader made)"},
	{"go test", "runs the test suite this test is part of"},
	{"go install", "downloads from the network"},
	{"go get", "downloads from the network"},
	{"fakehog ", "starts the installed binary, the server the test itself runs"},
	{"cp ", "copies files on the reader's machine for the commands after it"},
	{"curl -X POST -H 'Content-Type: application/yaml' --data-binary @my.yaml", "sends the reader's own scenario file"},
	{"npm install", "needs the npm registry; TestPostHogClients (run by .ci/run) installs the same pinned packages"},
	{"node node_modules/@posthog/cli/", "needs node and the CLI; TestPostHogClients (run by .ci/run) drives the same tools"},
}

// docsExampleFiles lists README.md and every markdown file under docs/.
func docsExampleFiles(t *testing.T) []string {
	t.Helper()
	files := []string{"../../README.md"}
	more, err := filepath.Glob("../../docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(more)
	return append(files, more...)
}

// docBlock is one fenced code block of a markdown file.
type docBlock struct {
	file string
	line int // the line of the opening fence
	lang string
	text string
}

// docBlocks extracts the fenced code blocks of a markdown file.
func docBlocks(t *testing.T, path string) []docBlock {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []docBlock
	var cur *docBlock
	var body strings.Builder
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		if cur == nil {
			if lang, ok := strings.CutPrefix(trimmed, "```"); ok {
				cur = &docBlock{file: strings.TrimPrefix(path, "../../"), line: n, lang: strings.TrimSpace(lang)}
				body.Reset()
			}
			continue
		}
		if trimmed == "```" {
			cur.text = body.String()
			out = append(out, *cur)
			cur = nil
			continue
		}
		body.WriteString(line)
		body.WriteByte('\n')
	}
	return out
}

// startForDocs runs the command's server as `go run ./cmd/fakehog` would (default world,
// no flags) on a free loopback port, until the test ends.
func startForDocs(t *testing.T) string {
	t.Helper()
	for _, env := range []string{"FAKEHOG_ADDR", "FAKEHOG_SCENARIO", "FAKEHOG_API_KEY", "FAKEHOG_SESSION", "FAKEHOG_SEED", "FAKEHOG_ADMIN_TOKEN", "FAKEHOG_DATA_DIR"} {
		t.Setenv(env, "")
		os.Unsetenv(env)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"-addr", "127.0.0.1:0"}, io.Discard, ready) }()
	select {
	case addr := <-ready:
		t.Cleanup(func() { cancel(); <-done })
		return addr
	case err := <-done:
		cancel()
		t.Fatalf("run: %v", err)
	case <-time.After(20 * time.Second):
		cancel()
		t.Fatal("server did not start")
	}
	return ""
}

// docShell runs the shell examples of one markdown file.
type docShell struct {
	t     *testing.T
	addr  string            // the server's host:port
	vars  map[string]string // shell variables
	files map[string][]byte // files written with > and read with @
	ran   int
}

func TestDocsShellExamplesRun(t *testing.T) {
	total := 0
	for _, path := range docsExampleFiles(t) {
		var blocks []docBlock
		for _, b := range docBlocks(t, path) {
			if b.lang == "sh" || b.lang == "bash" || b.lang == "shell" {
				blocks = append(blocks, b)
			}
		}
		if len(blocks) == 0 {
			continue
		}
		t.Run(filepath.Base(path), func(t *testing.T) {
			sh := &docShell{t: t, addr: startForDocs(t), vars: map[string]string{}, files: map[string][]byte{}}
			useForDocs(t, sh.addr)
			for _, b := range blocks {
				sh.runBlock(b)
			}
			total += sh.ran
		})
	}
	t.Logf("ran %d curl examples", total)
	if total < 20 {
		t.Errorf("ran only %d curl examples: is the extractor finding the blocks?", total)
	}
}

// useForDocs uses the server as a reader's would have been before they try the examples:
// fault rules added and gone (fault ids go on from there), requests in the journal, a key
// minted, the clock moved on and back. The examples must work all the same: they show what
// any reader sees.
func useForDocs(t *testing.T, addr string) {
	t.Helper()
	base := "http://" + addr
	for _, c := range []struct{ method, path, body string }{
		{"POST", "/_fake/faults", `{"method":"GET","path":"/api/users/@me/","status":500,"times":1}`},
		{"GET", "/api/users/@me/", ""},
		{"POST", "/_fake/faults", `{"path":"/api/organizations/","delay":"1ms"}`},
		{"DELETE", "/_fake/faults", ""},
		{"GET", "/api/organizations/", ""},
		{"POST", "/_fake/keys", `{"user":"owner@fakehog.dev","label":"earlier"}`},
		{"POST", "/_fake/clock", `{"advance":"5m"}`},
		{"POST", "/_fake/clock", `{"advance":"-5m"}`},
	} {
		req, _ := http.NewRequest(c.method, base+c.path, strings.NewReader(c.body))
		req.Header.Set("Authorization", "Bearer phx_fakehog_default_owner_key")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
}

// docCommand is one shell command of a block, with the expectation that follows it.
type docCommand struct {
	line   int
	text   string
	expect string // the text after "# →", if any
}

// commands splits a block into commands: continuation lines joined, comments dropped,
// "# → ..." comments attached to the command before them.
func (b docBlock) commands() []docCommand {
	var out []docCommand
	lines := strings.Split(strings.TrimRight(b.text, "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		n := b.line + 1 + i
		line := strings.TrimSpace(lines[i])
		if exp, ok := strings.CutPrefix(line, "# →"); ok {
			if len(out) > 0 {
				out[len(out)-1].expect = strings.TrimSpace(exp)
			}
			continue
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		for strings.HasSuffix(line, "\\") && i+1 < len(lines) {
			i++
			line = strings.TrimSuffix(line, "\\") + " " + strings.TrimSpace(lines[i])
		}
		out = append(out, docCommand{line: n, text: line})
	}
	return out
}

func (sh *docShell) runBlock(b docBlock) {
	for _, c := range b.commands() {
		where := fmt.Sprintf("%s:%d", b.file, c.line)
		skipped := false
		for _, s := range docsSkipped {
			if strings.HasPrefix(c.text, s.prefix) {
				skipped = true
			}
		}
		if skipped {
			continue
		}
		// NAME=$(curl ... | jq -r .field): a value an answer holds (an id), for the commands after.
		if m := docsCapture.FindStringSubmatch(c.text); m != nil {
			words, _, err := sh.words(m[2])
			if err == nil && (len(words) == 0 || words[0] != "curl") {
				err = fmt.Errorf("only $(curl ... | jq -r .field) is supported")
			}
			var status int
			var body []byte
			if err == nil {
				status, body, err = sh.curl(words[1:])
			}
			v := gjson.GetBytes(body, m[3])
			switch {
			case err != nil:
				sh.t.Errorf("%s: %v\n\t%s", where, err, c.text)
			case status >= 400 || !v.Exists():
				sh.t.Errorf("%s: answered %d without %s: %s\n\t%s", where, status, m[3], clip(body), c.text)
			default:
				sh.ran++
				sh.vars[m[1]] = v.String()
			}
			continue
		}
		words, redirect, err := sh.words(c.text)
		if err != nil {
			sh.t.Errorf("%s: %v: %s", where, err, c.text)
			continue
		}
		if len(words) == 0 {
			continue
		}
		// NAME=value, or export NAME=value ...: shell variables for the commands after.
		if assigns := words; len(assigns) > 0 {
			if assigns[0] == "export" {
				assigns = assigns[1:]
			}
			assign := regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*)=(.*)$`)
			all := len(assigns) > 0
			for _, w := range assigns {
				all = all && assign.MatchString(w)
			}
			if all {
				for _, w := range assigns {
					m := assign.FindStringSubmatch(w)
					sh.vars[m[1]] = m[2]
				}
				continue
			}
		}
		if words[0] != "curl" {
			sh.t.Errorf("%s: the docs-run test cannot run %q: make it a curl example, or add it to docsSkipped with the reason", where, c.text)
			continue
		}
		sh.ran++
		status, body, err := sh.curl(words[1:])
		if err != nil {
			sh.t.Errorf("%s: %v\n\t%s", where, err, c.text)
			continue
		}
		if redirect != "" {
			sh.files[redirect] = body
		}
		if msg := checkExpectation(c.expect, status, body); msg != "" {
			sh.t.Errorf("%s: %s\n\t%s\n\tanswered %d %s", where, msg, c.text, status, clip(body))
		}
	}
}

// docsCapture is NAME=$(curl ... | jq -r .field).
var docsCapture = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*)=\$\((curl .+?)\s*\|\s*jq -r \.([A-Za-z_][A-Za-z0-9_.]*)\)$`)

func clip(b []byte) string {
	if len(b) > 400 {
		return string(b[:400]) + "…"
	}
	return string(b)
}

// words splits a command as a POSIX shell would for the forms the docs use: single and
// double quotes, backslash escapes, $VAR and ${VAR} expansion (not inside single quotes), a
// trailing # comment and a final "> file" redirect.
func (sh *docShell) words(cmd string) (words []string, redirect string, err error) {
	var cur strings.Builder
	inWord := false
	flush := func() {
		if inWord {
			words = append(words, cur.String())
		}
		cur.Reset()
		inWord = false
	}
	expand := func(s string, i int) (string, int) { // s[i] == '$'
		j := i + 1
		braced := j < len(s) && s[j] == '{'
		if braced {
			j++
		}
		k := j
		for k < len(s) && (s[k] == '_' || s[k] >= 'A' && s[k] <= 'Z' || s[k] >= 'a' && s[k] <= 'z' || s[k] >= '0' && s[k] <= '9') {
			k++
		}
		if k == j {
			return "$", i + 1
		}
		name := s[j:k]
		if braced && k < len(s) && s[k] == '}' {
			k++
		}
		v, ok := sh.vars[name]
		if !ok {
			err = fmt.Errorf("$%s is not set by the examples before it", name)
		}
		return v, k
	}
	for i := 0; i < len(cmd); {
		c := cmd[i]
		switch {
		case c == ' ' || c == '\t':
			flush()
			i++
		case c == '#' && !inWord:
			i = len(cmd)
		case c == '\'':
			end := strings.IndexByte(cmd[i+1:], '\'')
			if end < 0 {
				return nil, "", fmt.Errorf("unterminated single quote")
			}
			cur.WriteString(cmd[i+1 : i+1+end])
			inWord = true
			i += end + 2
		case c == '"':
			i++
			inWord = true
			for i < len(cmd) && cmd[i] != '"' {
				switch {
				case cmd[i] == '\\' && i+1 < len(cmd) && strings.IndexByte("\"\\$`", cmd[i+1]) >= 0:
					cur.WriteByte(cmd[i+1])
					i += 2
				case cmd[i] == '$':
					v, next := expand(cmd, i)
					cur.WriteString(v)
					i = next
				default:
					cur.WriteByte(cmd[i])
					i++
				}
			}
			if i >= len(cmd) {
				return nil, "", fmt.Errorf("unterminated double quote")
			}
			i++
		case c == '\\' && i+1 < len(cmd):
			cur.WriteByte(cmd[i+1])
			inWord = true
			i += 2
		case c == '$':
			v, next := expand(cmd, i)
			cur.WriteString(v)
			inWord = true
			i = next
		case c == '>':
			flush()
			rest, _, _ := strings.Cut(cmd[i+1:], "#")
			f := strings.Fields(rest)
			if len(f) != 1 {
				return nil, "", fmt.Errorf("only a final \"> file\" redirect is supported")
			}
			redirect = f[0]
			i = len(cmd)
		case strings.IndexByte("<|;&", c) >= 0:
			return nil, "", fmt.Errorf("pipes, input redirects and command lists are not supported")
		default:
			cur.WriteByte(c)
			inWord = true
			i++
		}
	}
	flush()
	return words, redirect, err
}

// curl carries out a curl command line (its arguments) against the test's server and
// returns the status and body, refusing what curl would not do as the docs mean it.
func (sh *docShell) curl(args []string) (int, []byte, error) {
	method, rawURL := "", ""
	header := http.Header{}
	var data []string
	var body []byte
	hasBody, globOff := false, false
	for i := 0; i < len(args); i++ {
		a := args[i]
		next := func() (string, error) {
			if i+1 >= len(args) {
				return "", fmt.Errorf("curl: %s needs a value", a)
			}
			i++
			return args[i], nil
		}
		switch a {
		case "-X", "--request":
			v, err := next()
			if err != nil {
				return 0, nil, err
			}
			method = v
		case "-H", "--header":
			v, err := next()
			if err != nil {
				return 0, nil, err
			}
			k, val, ok := strings.Cut(v, ":")
			if !ok {
				return 0, nil, fmt.Errorf("curl: header %q has no colon", v)
			}
			header.Add(strings.TrimSpace(k), strings.TrimSpace(val))
		case "-d", "--data", "--data-raw", "--data-binary", "--json":
			v, err := next()
			if err != nil {
				return 0, nil, err
			}
			if strings.HasPrefix(v, "@") && a != "--data-raw" {
				f, ok := sh.files[v[1:]]
				if !ok {
					return 0, nil, fmt.Errorf("curl: %s: no file %q written by an earlier example", a, v[1:])
				}
				v = string(f)
				if a == "-d" || a == "--data" {
					v = strings.NewReplacer("\r", "", "\n", "").Replace(v)
				}
			}
			if a == "--json" {
				header.Set("Content-Type", "application/json")
				header.Set("Accept", "application/json")
			}
			data = append(data, v)
			hasBody = true
		case "-b", "--cookie":
			v, err := next()
			if err != nil {
				return 0, nil, err
			}
			header.Add("Cookie", v)
		case "-g", "--globoff":
			globOff = true
		case "-s", "--silent", "-S", "--show-error", "-sS", "-i", "--include", "-v", "--verbose", "-f", "--fail", "-L", "--location":
		default:
			if strings.HasPrefix(a, "-") {
				return 0, nil, fmt.Errorf("curl: option %s is not supported by the docs-run test; add it to docsShell.curl", a)
			}
			if rawURL != "" {
				return 0, nil, fmt.Errorf("curl: two URLs (%s, %s)", rawURL, a)
			}
			rawURL = a
		}
	}
	if rawURL == "" {
		return 0, nil, fmt.Errorf("curl: no URL")
	}
	if !globOff && strings.ContainsAny(rawURL, "{}[]") {
		return 0, nil, fmt.Errorf("curl would read {…} or […] in the URL as a glob pattern: add -g (--globoff) or encode them")
	}
	if !strings.Contains(rawURL, "://") {
		rawURL = "http://" + rawURL
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return 0, nil, fmt.Errorf("curl: %v", err)
	}
	switch u.Host {
	case "127.0.0.1:8010", "localhost:8010":
		u.Host = sh.addr
	default:
		return 0, nil, fmt.Errorf("curl: the examples talk to 127.0.0.1:8010 (go run ./cmd/fakehog), not %s", u.Host)
	}
	if hasBody {
		body = []byte(strings.Join(data, "&"))
		if header.Get("Content-Type") == "" {
			header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		if method == "" {
			method = http.MethodPost
		}
	}
	if method == "" {
		method = http.MethodGet
	}
	req, err := http.NewRequest(method, u.String(), bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header = header
	req.Header.Set("User-Agent", "curl/8 (fakehog docs-run test)")
	client := &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	return res.StatusCode, out, err
}

// checkExpectation compares an answer with a "# → [status] [JSON]" comment ("" when the
// command has none: then any status below 400 will do). It returns what differs, or "".
func checkExpectation(expect string, status int, body []byte) string {
	want := 0
	if m := regexp.MustCompile(`^([1-5][0-9][0-9])\b\s*`).FindStringSubmatch(expect); m != nil {
		fmt.Sscan(m[1], &want)
		expect = strings.TrimSpace(expect[len(m[0]):])
	}
	switch {
	case want != 0 && status != want:
		return fmt.Sprintf("status %d, the docs say %d", status, want)
	case want == 0 && status >= 400:
		return fmt.Sprintf("status %d: a documented example must succeed (or say what it answers in a following \"# → <status>\" comment)", status)
	}
	if expect == "" || !strings.HasPrefix(expect, "{") && !strings.HasPrefix(expect, "[") {
		return ""
	}
	var wantJSON, got any
	if err := json.Unmarshal([]byte(expect), &wantJSON); err != nil {
		return fmt.Sprintf("the expected answer is not JSON (%v)", err)
	}
	if err := json.Unmarshal(body, &got); err != nil {
		return fmt.Sprintf("the answer is not JSON (%v)", err)
	}
	if path := jsonSubset(wantJSON, got, "$"); path != "" {
		return "the answer differs from the docs at " + path
	}
	return ""
}

// jsonSubset reports where got lacks what want holds ("" when it holds it all): objects
// compare the keys want lists; strings ending in "…" compare their start; RFC 3339 times
// match within a minute (the clock runs).
func jsonSubset(want, got any, at string) string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return at
		}
		keys := make([]string, 0, len(w))
		for k := range w {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			gv, ok := g[k]
			if !ok {
				return at + "." + k + " (missing)"
			}
			if p := jsonSubset(w[k], gv, at+"."+k); p != "" {
				return p
			}
		}
		return ""
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) < len(w) {
			return at
		}
		for i := range w {
			if p := jsonSubset(w[i], g[i], fmt.Sprintf("%s[%d]", at, i)); p != "" {
				return p
			}
		}
		return ""
	case string:
		g, ok := got.(string)
		if !ok {
			return at
		}
		if prefix, ok := strings.CutSuffix(w, "…"); ok {
			if strings.HasPrefix(g, prefix) {
				return ""
			}
			return at
		}
		if tw, err := time.Parse(time.RFC3339Nano, w); err == nil {
			if tg, err := time.Parse(time.RFC3339Nano, g); err == nil && tg.Sub(tw).Abs() < time.Minute {
				return ""
			}
		}
		if w != g {
			return fmt.Sprintf("%s (%q, the docs say %q)", at, g, w)
		}
		return ""
	}
	if !reflect.DeepEqual(want, got) {
		return fmt.Sprintf("%s (%v, the docs say %v)", at, got, want)
	}
	return ""
}
