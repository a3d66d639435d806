package scenarios

// Positioned errors: a scenario error names the file, the line and column and the key it
// concerns.

import (
	"fmt"
	"strings"
)

// Pos is a position in a scenario file: 1-based line and column.
type Pos struct {
	Line   int
	Column int
}

// Error is what is wrong with a scenario and where: the file, the line and column (0 when
// the scenario was built in Go and has no file positions), the path of the offending value
// inside the document (e.g. organizations[0].members[2].level) and the message.
//
//	demo.yaml:14:16: organizations[0].members[2].level: invalid level "superuser": use member, admin or owner (or 1, 8, 15)
type Error struct {
	File   string
	Line   int
	Column int
	Path   string
	Msg    string
}

// Error formats the error as file:line:column: path: message.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", e.Line, e.Column)
	}
	b.WriteString(": ")
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// positions remembers where each path of a parsed document is, so errors found after
// decoding (dangling references, duplicates, failures while seeding) can name a line.
type positions struct {
	file string
	at   map[string]Pos
}

// errorf makes an *Error at path, positioned at the path or, when it has no position of
// its own (a default, a generated record, a scenario built in Go), at its nearest parent.
func (p *positions) errorf(path, format string, args ...any) *Error {
	e := &Error{File: p.file, Path: path, Msg: fmt.Sprintf(format, args...)}
	if pos, ok := p.lookup(path); ok {
		e.Line, e.Column = pos.Line, pos.Column
	}
	return e
}

// lookup finds the position of path or of its nearest positioned parent.
func (p *positions) lookup(path string) (Pos, bool) {
	for path != "" {
		if pos, ok := p.at[path]; ok {
			return pos, true
		}
		path = parentPath(path)
	}
	return Pos{}, false
}

// lineOf returns " (line N)" for a path with a position, for messages that point back at an
// earlier definition, or "" when unknown.
func (p *positions) lineOf(path string) string {
	if pos, ok := p.at[path]; ok {
		return fmt.Sprintf(" (line %d)", pos.Line)
	}
	return " (" + path + ")"
}

// parentPath drops the last segment of a path: a.b[2].c → a.b[2] → a.b → a.
func parentPath(path string) string {
	i := strings.LastIndexAny(path, ".[")
	if i < 0 {
		return ""
	}
	return path[:i]
}

func index(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }

func child(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
