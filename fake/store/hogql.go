package store

// HogQL: the fake does not run queries, but checks a batch export's hogql_query's shape as
// PostHog does and keeps the schema it would export.

import (
	"regexp"
	"strings"

	"github.com/tidwall/gjson"
)

var (
	reHogQLSelect   = regexp.MustCompile(`(?is)^select\s`)
	reHogQLWith     = regexp.MustCompile(`(?is)^with\s`)
	reHogQLUnion    = regexp.MustCompile(`(?i)\bunion\b`)
	reHogQLJoin     = regexp.MustCompile(`(?i)\bjoin\b`)
	reHogQLAlias    = regexp.MustCompile(`(?is)^(.*\S)\s+as\s+([A-Za-z_$][\w$]*|` + "`[^`]+`" + `|"[^"]+")$`)
	reHogQLIdent    = regexp.MustCompile(`^[A-Za-z_$][\w$.]*`)
	reHogQLSubquery = regexp.MustCompile(`(?i)\(\s*select\b`)
)

// compileHogQL checks a hogql_query and returns the schema PostHog stores for it.
func compileHogQL(raw gjson.Result) (map[string]any, *Error) {
	fail := func(msg string) (map[string]any, *Error) {
		return nil, FieldError("hogql_query", "invalid_input", msg)
	}
	if raw.Type == gjson.Null {
		return nil, FieldError("hogql_query", "null", MsgNull)
	}
	if raw.Type != gjson.String {
		return fail("Failed to parse query")
	}
	q := strings.TrimSpace(raw.Str)
	q = strings.TrimSpace(strings.TrimSuffix(q, ";"))
	if !balancedHogQL(q) {
		return fail("Failed to parse query")
	}
	if reHogQLWith.MatchString(q) {
		return fail("CTEs are not supported")
	}
	if !reHogQLSelect.MatchString(q) {
		return fail("Failed to parse query")
	}
	if reHogQLUnion.MatchString(maskHogQL(q)) {
		return fail("UNIONs are not supported")
	}
	masked := maskHogQL(q)
	fromAt := topLevelKeyword(masked, "from")
	if fromAt < 0 {
		return fail("Query must SELECT FROM events")
	}
	selectList := strings.TrimSpace(q[len("select"):fromAt])
	rest := strings.TrimSpace(q[fromAt+len("from"):])
	if strings.HasPrefix(rest, "(") {
		return fail("Subqueries are not supported")
	}
	table := reHogQLIdent.FindString(rest)
	if table == "" {
		return fail("Failed to parse query")
	}
	if table != "events" {
		return fail("Query must only SELECT FROM events")
	}
	if reHogQLJoin.MatchString(maskHogQL(rest)) {
		return fail("JOINs are not supported")
	}
	items := splitTopLevel(selectList)
	if len(items) == 0 {
		return fail("Failed to parse query")
	}
	fields := make([]any, 0, len(items))
	for _, it := range items {
		it = strings.TrimSpace(it)
		if it == "" {
			return fail("Failed to parse query")
		}
		if reHogQLSubquery.MatchString(it) {
			return fail("Subqueries in SELECT expressions are not supported")
		}
		expr, alias := it, it
		if m := reHogQLAlias.FindStringSubmatch(it); m != nil {
			expr, alias = strings.TrimSpace(m[1]), strings.Trim(m[2], "`\"")
		}
		fields = append(fields, map[string]any{"expression": expr, "alias": alias})
	}
	return map[string]any{"fields": fields, "values": map[string]any{}, "hogql_query": q}, nil
}

// balancedHogQL reports whether quotes and parentheses close.
func balancedHogQL(q string) bool {
	depth := 0
	var quote rune
	for _, r := range q {
		if quote != 0 {
			if r == quote {
				quote = 0
			}
			continue
		}
		switch r {
		case '\'', '"', '`':
			quote = r
		case '(':
			depth++
		case ')':
			depth--
			if depth < 0 {
				return false
			}
		}
	}
	return depth == 0 && quote == 0
}

// maskHogQL blanks quoted text and parenthesised parts (keeping positions) so keyword
// searches only see the top level.
func maskHogQL(q string) string {
	b := []byte(q)
	depth := 0
	var quote byte
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
			b[i] = ' '
		case c == '\'' || c == '"' || c == '`':
			quote = c
			b[i] = ' '
		case c == '(':
			depth++
			b[i] = ' '
		case c == ')':
			depth--
			b[i] = ' '
		case depth > 0:
			b[i] = ' '
		}
	}
	return string(b)
}

// topLevelKeyword finds a whole-word keyword in masked text, or -1.
func topLevelKeyword(masked, kw string) int {
	re := regexp.MustCompile(`(?i)\b` + kw + `\b`)
	if loc := re.FindStringIndex(masked); loc != nil {
		return loc[0]
	}
	return -1
}

// splitTopLevel splits a select list on commas outside parentheses and quotes.
func splitTopLevel(s string) []string {
	masked := maskHogQL(s)
	var out []string
	start := 0
	for i := 0; i < len(masked); i++ {
		if masked[i] == ',' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	if strings.TrimSpace(s) != "" {
		out = append(out, s[start:])
	}
	return out
}
