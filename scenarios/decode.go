package scenarios

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/fakehog/fakehog/fake/store"
	"gopkg.in/yaml.v3"
)

// The decoder walks yaml.v3 nodes by hand rather than unmarshalling into structs: that is
// what lets every error name its line and column, reject unknown and duplicate keys, and
// refuse a value of the wrong YAML type instead of converting it.

type decoder struct {
	pos *positions
	// limit caps the values walked (0: no cap): aliases can make a small document expand
	// exponentially. spent counts them.
	limit, spent int
	// merging and walking are the mappings whose merge keys, and the free-form values,
	// being expanded: an alias back into one of them is a cycle.
	merging, walking map[*yaml.Node]bool
}

// aliasRatio is how many values a document may expand to per node it has, beyond
// minValueBudget: plenty for anchors used as templates, not for alias bombs.
const (
	aliasRatio     = 10
	minValueBudget = 100000
)

// newDecoder is a decoder for the document root, with its expansion budget.
func newDecoder(pos *positions, root *yaml.Node) *decoder {
	return &decoder{pos: pos, limit: minValueBudget + aliasRatio*countNodes(root)}
}

// countNodes counts a document's nodes, not following aliases.
func countNodes(n *yaml.Node) int {
	c := 1
	for _, ch := range n.Content {
		c += countNodes(ch)
	}
	return c
}

// spend counts one value walked and refuses to go past the budget.
func (d *decoder) spend(n *yaml.Node, path string) error {
	d.spent++
	if d.limit > 0 && d.spent > d.limit {
		return d.errAt(n, path, "the document expands to too many values through its aliases (*name): more than %d", d.limit)
	}
	return nil
}

// enter marks node as being expanded in set, refusing a cycle; the returned function
// leaves it.
func (d *decoder) enter(set *map[*yaml.Node]bool, n *yaml.Node) (bool, func()) {
	if *set == nil {
		*set = map[*yaml.Node]bool{}
	}
	if (*set)[n] {
		return false, func() {}
	}
	(*set)[n] = true
	return true, func() { delete(*set, n) }
}

// key is one known key of a mapping and how to decode its value.
type key struct {
	name string
	fn   func(v *yaml.Node, path string) error
}

// errAt is an error positioned at node n.
func (d *decoder) errAt(n *yaml.Node, path, format string, args ...any) *Error {
	return &Error{File: d.pos.file, Line: n.Line, Column: n.Column, Path: path, Msg: fmt.Sprintf(format, args...)}
}

// mark records where path's value is.
func (d *decoder) mark(n *yaml.Node, path string) {
	d.pos.at[path] = Pos{Line: n.Line, Column: n.Column}
}

// resolve follows aliases (*name) to the node they stand for.
func resolve(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// describe names a node's YAML type for messages.
func describe(n *yaml.Node) string {
	n = resolve(n)
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!str":
			return "a string"
		case "!!int":
			return "an integer"
		case "!!float":
			return "a number"
		case "!!bool":
			return "a boolean"
		case "!!null":
			return "nothing (null)"
		case "!!timestamp":
			return "a timestamp"
		}
		return "a " + strings.TrimPrefix(n.Tag, "!!")
	}
	return "nothing"
}

func isNull(n *yaml.Node) bool {
	n = resolve(n)
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

type pair struct{ k, v *yaml.Node }

// pairs lists a mapping's entries, expanding merge keys (<<: *anchor; the mapping's own keys
// win) and refusing duplicate and non-string keys.
func (d *decoder) pairs(n *yaml.Node, path string) ([]pair, error) {
	ok, leave := d.enter(&d.merging, n)
	defer leave()
	if !ok {
		return nil, d.errAt(n, path, "a merge key (<<) cannot merge a mapping into itself")
	}
	var own, merged []pair
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if err := d.spend(k, path); err != nil {
			return nil, err
		}
		if k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
			src := []*yaml.Node{resolve(v)}
			if src[0].Kind == yaml.SequenceNode {
				src = src[0].Content
			}
			for _, m := range src {
				m = resolve(m)
				if m.Kind != yaml.MappingNode {
					return nil, d.errAt(v, path, "a merge key (<<) needs a mapping, found %s", describe(m))
				}
				if d.merging[m] {
					return nil, d.errAt(v, path, "a merge key (<<) cannot merge a mapping into itself")
				}
				ps, err := d.pairs(m, path)
				if err != nil {
					return nil, err
				}
				merged = append(merged, ps...)
			}
			continue
		}
		if k.Kind != yaml.ScalarNode || (k.Tag != "!!str" && k.Tag != "!!int" && k.Tag != "!!bool") {
			return nil, d.errAt(k, path, "a key must be a plain word, found %s", describe(k))
		}
		if first, dup := seen[k.Value]; dup {
			return nil, d.errAt(k, child(path, k.Value), "duplicate key %q (first given at line %d)", k.Value, first.Line)
		}
		seen[k.Value] = k
		own = append(own, pair{k, v})
	}
	for _, p := range merged {
		if _, ok := seen[p.k.Value]; !ok {
			seen[p.k.Value] = p.k
			own = append(own, p)
		}
	}
	return own, nil
}

// openKeys takes the keys of a mapping that are not in its fixed list (open-ended settings
// named after an API's fields).
type openKeys struct {
	names []string // the keys it takes, for suggestions
	take  func(k, v *yaml.Node, path string) (bool, error)
}

// object decodes a mapping with known keys. other, when not nil, is offered keys not in
// keys and says whether it took them. what names the mapping in messages ("a user").
func (d *decoder) object(n *yaml.Node, path, what string, keys []key, other *openKeys) error {
	d.mark(n, path)
	r := resolve(n)
	if r.Kind != yaml.MappingNode {
		return d.errAt(n, path, "%s must be a mapping (key: value lines), found %s", what, describe(n))
	}
	ps, err := d.pairs(r, path)
	if err != nil {
		return err
	}
	for _, p := range ps {
		name := p.k.Value
		kpath := child(path, name)
		var fn func(*yaml.Node, string) error
		for _, k := range keys {
			if k.name == name {
				fn = k.fn
				break
			}
		}
		if fn == nil && other != nil {
			took, err := other.take(p.k, p.v, kpath)
			if err != nil {
				return err
			}
			if took {
				continue
			}
		}
		if fn == nil {
			names := make([]string, 0, len(keys))
			for _, k := range keys {
				names = append(names, k.name)
			}
			if other != nil {
				names = append(names, other.names...)
			}
			return d.errAt(p.k, kpath, "unknown key %q in %s%s", name, what, suggest(name, names))
		}
		d.mark(p.v, kpath)
		if err := fn(p.v, kpath); err != nil {
			return err
		}
	}
	return nil
}

// has reports whether the mapping n sets key name (merge keys included).
func (d *decoder) has(n *yaml.Node, name string) bool {
	r := resolve(n)
	if r.Kind != yaml.MappingNode {
		return false
	}
	ps, _ := d.pairs(r, "")
	for _, p := range ps {
		if p.k.Value == name {
			return true
		}
	}
	return false
}

// suggest proposes the closest known key, or lists them all.
func suggest(name string, names []string) string {
	if best := store.Closest(name, names); best != "" {
		return fmt.Sprintf("; did you mean %q?", best)
	}
	names = append([]string(nil), names...)
	sort.Strings(names)
	return " (known keys: " + strings.Join(names, ", ") + ")"
}

// list decodes a sequence, calling item for each element. Null is an empty list.
func (d *decoder) list(n *yaml.Node, path string, item func(i int, v *yaml.Node, path string) error) error {
	if isNull(n) {
		return nil
	}
	r := resolve(n)
	if r.Kind != yaml.SequenceNode {
		return d.errAt(n, path, "expected a list (lines starting with \"- \", or [a, b]), found %s", describe(n))
	}
	for i, v := range r.Content {
		p := index(path, i)
		d.mark(v, p)
		if err := d.spend(v, p); err != nil {
			return err
		}
		if err := item(i, v, p); err != nil {
			return err
		}
	}
	return nil
}

// scalar checks that n is a scalar with the tag want and returns it resolved.
func (d *decoder) scalar(n *yaml.Node, path, want, wantDesc string) (*yaml.Node, error) {
	r := resolve(n)
	if r.Kind != yaml.ScalarNode || r.Tag != want {
		msg := fmt.Sprintf("expected %s, found %s", wantDesc, describe(n))
		if want == "!!str" && r.Kind == yaml.ScalarNode && r.Tag != "!!null" {
			msg += fmt.Sprintf(" (quote it if you mean the text: \"%s\")", r.Value)
		}
		return nil, d.errAt(n, path, "%s", msg)
	}
	if want == "!!str" {
		if err := d.text(n, path, r.Value); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// text refuses what PostHog's string fields refuse (store.ProhibitedCharacters): a NUL
// character. (YAML itself refuses a lone surrogate, "\ud800", and invalid UTF-8.)
func (d *decoder) text(n *yaml.Node, path, s string) error {
	if code, detail := store.ProhibitedCharacters(s, ""); code != "" {
		return d.errAt(n, path, "%s", strings.ToLower(detail[:1])+strings.TrimSuffix(detail[1:], "."))
	}
	return nil
}

func (d *decoder) str(dst *string) func(*yaml.Node, string) error {
	return func(n *yaml.Node, path string) error {
		r, err := d.scalar(n, path, "!!str", "a string")
		if err != nil {
			return err
		}
		*dst = r.Value
		return nil
	}
}

func (d *decoder) boolean(dst *bool) func(*yaml.Node, string) error {
	return func(n *yaml.Node, path string) error {
		r, err := d.scalar(n, path, "!!bool", "true or false")
		if err != nil {
			return err
		}
		return r.Decode(dst)
	}
}

func (d *decoder) boolPtr(dst **bool) func(*yaml.Node, string) error {
	return func(n *yaml.Node, path string) error {
		var b bool
		if err := d.boolean(&b)(n, path); err != nil {
			return err
		}
		*dst = &b
		return nil
	}
}

func (d *decoder) integer(dst *int) func(*yaml.Node, string) error {
	return func(n *yaml.Node, path string) error {
		r, err := d.scalar(n, path, "!!int", "a whole number")
		if err != nil {
			return err
		}
		var v int64
		if err := r.Decode(&v); err != nil || v > math.MaxInt32 || v < math.MinInt32 {
			return d.errAt(n, path, "%s is not a whole number in range", r.Value)
		}
		*dst = int(v)
		return nil
	}
}

func (d *decoder) intPtr(dst **int) func(*yaml.Node, string) error {
	return func(n *yaml.Node, path string) error {
		var v int
		if err := d.integer(&v)(n, path); err != nil {
			return err
		}
		*dst = &v
		return nil
	}
}

// strs decodes a list of strings; an empty list gives a non-nil empty slice.
func (d *decoder) strs(dst *[]string) func(*yaml.Node, string) error {
	return func(n *yaml.Node, path string) error {
		out := []string{}
		err := d.list(n, path, func(_ int, v *yaml.Node, p string) error {
			var s string
			if err := d.str(&s)(v, p); err != nil {
				return err
			}
			out = append(out, s)
			return nil
		})
		*dst = out
		return err
	}
}

// level decodes member | admin | owner | 1 | 8 | 15.
func (d *decoder) level(dst *Level) func(*yaml.Node, string) error {
	return func(n *yaml.Node, path string) error {
		r := resolve(n)
		if r.Kind == yaml.ScalarNode && (r.Tag == "!!str" || r.Tag == "!!int") {
			if l, ok := levelByName[strings.ToLower(r.Value)]; ok {
				*dst = l
				return nil
			}
			return d.errAt(n, path, "invalid level %q: use member, admin or owner (or 1, 8, 15)", r.Value)
		}
		return d.errAt(n, path, "invalid level: expected member, admin or owner (or 1, 8, 15), found %s", describe(n))
	}
}

// timestamp decodes an RFC 3339 time (2026-01-15T10:00:00Z), quoted or not.
func (d *decoder) timestamp(dst *time.Time) func(*yaml.Node, string) error {
	return func(n *yaml.Node, path string) error {
		r := resolve(n)
		if r.Kind != yaml.ScalarNode || (r.Tag != "!!timestamp" && r.Tag != "!!str") {
			return d.errAt(n, path, "expected a time such as 2026-01-15T10:00:00Z, found %s", describe(n))
		}
		t, err := time.Parse(time.RFC3339Nano, r.Value)
		if err != nil {
			return d.errAt(n, path, "%q is not an RFC 3339 time such as 2026-01-15T10:00:00Z (with its zone)", r.Value)
		}
		*dst = t.UTC()
		return nil
	}
}

// value decodes any YAML value into its JSON form: maps with string keys, lists, strings,
// int64, float64, booleans and nil. Timestamps stay text.
func (d *decoder) value(n *yaml.Node, path string) (any, error) {
	d.mark(n, path)
	if err := d.spend(n, path); err != nil {
		return nil, err
	}
	r := resolve(n)
	if r.Kind == yaml.MappingNode || r.Kind == yaml.SequenceNode {
		ok, leave := d.enter(&d.walking, r)
		defer leave()
		if !ok {
			return nil, d.errAt(n, path, "an alias (*name) cannot stand for a value that contains it")
		}
	}
	switch r.Kind {
	case yaml.MappingNode:
		ps, err := d.pairs(r, path)
		if err != nil {
			return nil, err
		}
		m := make(map[string]any, len(ps))
		for _, p := range ps {
			v, err := d.value(p.v, child(path, p.k.Value))
			if err != nil {
				return nil, err
			}
			m[p.k.Value] = v
		}
		return m, nil
	case yaml.SequenceNode:
		out := make([]any, 0, len(r.Content))
		for i, c := range r.Content {
			v, err := d.value(c, index(path, i))
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.ScalarNode:
		switch r.Tag {
		case "!!str", "!!timestamp":
			if err := d.text(n, path, r.Value); err != nil {
				return nil, err
			}
			return r.Value, nil
		case "!!null":
			return nil, nil
		case "!!bool":
			var b bool
			err := r.Decode(&b)
			return b, err
		case "!!int":
			var i int64
			if err := r.Decode(&i); err != nil {
				return nil, d.errAt(n, path, "%s is not a whole number in range", r.Value)
			}
			return i, nil
		case "!!float":
			var f float64
			if err := r.Decode(&f); err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
				return nil, d.errAt(n, path, "%s is not a finite number", r.Value)
			}
			return f, nil
		}
	}
	return nil, d.errAt(n, path, "unsupported value: %s", describe(n))
}

// mapValue decodes a mapping of free-form values (a configuration).
func (d *decoder) mapValue(dst *map[string]any) func(*yaml.Node, string) error {
	return func(n *yaml.Node, path string) error {
		if r := resolve(n); r.Kind != yaml.MappingNode {
			return d.errAt(n, path, "expected a mapping, found %s", describe(n))
		}
		v, err := d.value(n, path)
		if err != nil {
			return err
		}
		*dst = v.(map[string]any)
		return nil
	}
}

// anyValue decodes any free-form value.
func (d *decoder) anyValue(dst *any) func(*yaml.Node, string) error {
	return func(n *yaml.Node, path string) error {
		v, err := d.value(n, path)
		*dst = v
		return err
	}
}
