package fake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fakehog/fakehog/fake/store"
)

// Fault injection. Rules are data (Fault) and reactors are Go hooks (Reactor); both see a
// request after routing and before authentication and the handler, so an injected failure
// never touches the state. With no rule and no reactor the check costs one atomic load.
// This file holds the rules, their set and its API (AddFault, Faults, RemoveFault,
// ClearFaults) and which requests a rule can match; faults_intercept.go is where rules and
// reactors act on a request.

// Fault is a fault-injection rule: which requests it matches and what happens to them.
// The first rule that matches a request (in the order they were added) applies.
type Fault struct {
	// ID is assigned by AddFault.
	ID int

	// Method matches case-insensitively ("" or "*" = any).
	Method string
	// Path is a route template such as /api/organizations/{organization_id}/invites/ (any
	// "{...}" segment matches any variable), a concrete path, or a prefix ending in "*"
	// whose "{...}" segments match any segment, such as
	// /api/organizations/{organization_id}/projects/* ("" = any). Trailing slashes do not
	// matter. A path no route can match is refused by AddFault.
	Path string
	// OrgID matches the organization id as written in the URL ({organization_id}, or {id}
	// of /api/organizations/{id}/); "" = any.
	OrgID string
	// BodyContains matches requests whose body contains this text (form bodies are seen as
	// the JSON object they are read as).
	BodyContains string
	// Match, when set, must also return true (Go only).
	Match func(in *Incoming) bool `json:"-"`
	// Probability in (0, 1) makes the rule fire on that share of matching requests, drawn
	// from a source seeded by the server's seed; 0 (or 1) means always.
	Probability float64

	// Status answers with that status (400–599) and PostHog's error body for it (see
	// ErrorForStatus); Type, Code and Detail replace parts of that body.
	Status int
	Type   string
	Code   string
	Detail string
	// Delay holds the request that long first (then the other effects, or the real
	// handler when there are none).
	Delay time.Duration
	// RetryAfter sets the Retry-After header (seconds); alone it means a 429 throttled
	// answer, PostHog's rate limit.
	RetryAfter int
	// Drop closes the connection without answering.
	Drop bool

	// Times is how many requests the rule applies to before it removes itself; 0 means
	// until it is removed.
	Times int

	// Hits is how many requests the rule has applied to, and Remaining how many it still
	// will (0 when Times is 0: unlimited, which /_fake/faults shows as null); both are
	// filled in by Faults.
	Hits      int
	Remaining int
}

// faultJSON is Fault on the wire (/_fake/faults): delay as a Go duration string.
type faultJSON struct {
	ID           int     `json:"id"`
	Method       string  `json:"method,omitempty"`
	Path         string  `json:"path,omitempty"`
	OrgID        string  `json:"organization_id,omitempty"`
	BodyContains string  `json:"body_contains,omitempty"`
	Probability  float64 `json:"probability,omitempty"`
	Status       int     `json:"status,omitempty"`
	Type         string  `json:"type,omitempty"`
	Code         string  `json:"code,omitempty"`
	Detail       string  `json:"detail,omitempty"`
	Delay        string  `json:"delay,omitempty"`
	RetryAfter   int     `json:"retry_after,omitempty"`
	Drop         bool    `json:"drop,omitempty"`
	Times        int     `json:"times"`
	Hits         int     `json:"hits"`
	Remaining    *int    `json:"remaining"` // null: unlimited (times 0)
}

// MarshalJSON renders the rule as /_fake/faults does ("delay": "200ms").
func (f Fault) MarshalJSON() ([]byte, error) {
	j := faultJSON{ID: f.ID, Method: f.Method, Path: f.Path, OrgID: f.OrgID, BodyContains: f.BodyContains,
		Probability: f.Probability, Status: f.Status, Type: f.Type, Code: f.Code, Detail: f.Detail,
		RetryAfter: f.RetryAfter, Drop: f.Drop, Times: f.Times, Hits: f.Hits}
	if f.Times > 0 {
		remaining := f.Remaining
		j.Remaining = &remaining
	}
	if f.Delay != 0 {
		j.Delay = f.Delay.String()
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads a rule as POST /_fake/faults takes it; unknown fields are refused.
func (f *Fault) UnmarshalJSON(data []byte) error {
	var j faultJSON
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		return jsonDecodeError(err)
	}
	var d time.Duration
	if j.Delay != "" {
		var err error
		if d, err = time.ParseDuration(j.Delay); err != nil {
			return store.FieldError("delay", "invalid", fmt.Sprintf("%q is not a duration such as \"200ms\" or \"2s\".", j.Delay))
		}
	}
	*f = Fault{Method: j.Method, Path: j.Path, OrgID: j.OrgID, BodyContains: j.BodyContains, Probability: j.Probability,
		Status: j.Status, Type: j.Type, Code: j.Code, Detail: j.Detail, Delay: d, RetryAfter: j.RetryAfter,
		Drop: j.Drop, Times: j.Times}
	return nil
}

// faultMethods are the methods a rule may name (besides "" and "*").
var faultMethods = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

// validate checks a rule before it is added: its values, and that its method and path can
// match a request some route serves (a rule that never applies is a mistake to report).
func (f *Fault) validate(table []route) error {
	switch {
	case f.Status != 0 && (f.Status < 400 || f.Status > 599):
		return store.FieldError("status", "invalid", "Ensure this value is an HTTP error status (400-599).")
	case f.Probability < 0 || f.Probability > 1:
		return store.FieldError("probability", "invalid", "Ensure this value is between 0 and 1.")
	case f.Times < 0:
		return store.FieldError("times", "invalid", "Ensure this value is greater than or equal to 0.")
	case f.RetryAfter < 0:
		return store.FieldError("retry_after", "invalid", "Ensure this value is greater than or equal to 0.")
	case f.Delay < 0:
		return store.FieldError("delay", "invalid", "Ensure this value is not negative.")
	case f.Drop && (f.Status != 0 || f.RetryAfter != 0):
		return store.Invalid("A fault that drops the connection cannot also answer with a status.")
	case f.Status == 0 && f.RetryAfter == 0 && f.Delay == 0 && !f.Drop:
		return store.Invalid("A fault needs an effect: status, delay, retry_after or drop.")
	case f.Method != "" && f.Method != "*" && !slices.Contains(faultMethods, strings.ToUpper(f.Method)):
		return store.FieldError("method", "invalid", fmt.Sprintf("%q is not an HTTP method fakehog serves (%s, or \"*\" for any).", f.Method, strings.Join(faultMethods, ", ")))
	case !canMatch(f.Path, table):
		return store.FieldError("path", "invalid", fmt.Sprintf("No route matches %q: give a route template such as "+
			"/api/organizations/{organization_id}/invites/, a path such as /api/organizations/@current/, or a prefix ending in \"*\" "+
			"such as /api/organizations/{organization_id}/projects/* (see docs/endpoints.md).", f.Path))
	}
	return nil
}

func (f *Fault) matches(in *Incoming) bool {
	return (f.Method == "" || f.Method == "*" || strings.EqualFold(f.Method, in.Method)) &&
		matchPath(f.Path, in.Path, in.Template) &&
		(f.OrgID == "" || strings.EqualFold(f.OrgID, in.OrgID)) &&
		(f.BodyContains == "" || bytes.Contains(in.Body, []byte(f.BodyContains))) &&
		(f.Match == nil || f.Match(in))
}

// faultSet holds the rules and reactors of one server.
type faultSet struct {
	armed atomic.Int32 // rules + reactors; 0 = skip everything

	mu       sync.Mutex
	rules    []*faultRule
	reactors []*reactorEntry // newest first
	nextID   int
	rng      *rand.Rand
}

type faultRule struct {
	Fault
	remaining int
	gone      bool
}

type reactorEntry struct {
	method, path string
	fn           Reactor
	gone         bool
}

func newFaultSet(seed uint64) *faultSet {
	f := &faultSet{}
	f.rng = faultRand(seed)
	return f
}

func faultRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed^0x6661756c7473, seed)) }

// reset removes every rule and reactor and re-seeds the probability source.
func (f *faultSet) reset(seed uint64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.clearLocked()
	f.rng = faultRand(seed)
}

// AddFault adds a rule and returns its id. An invalid rule is refused with a *store.Error
// naming the field.
//
//	srv.AddFault(fake.Fault{Method: "POST", Path: "/api/organizations/{organization_id}/invites/", Status: 503, Times: 1})
func (s *Server) AddFault(flt Fault) (int, error) {
	if err := flt.validate(s.routeTable()); err != nil {
		return 0, err
	}
	f := s.faults
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextID++
	flt.ID, flt.Hits, flt.Remaining = f.nextID, 0, 0
	f.rules = append(f.rules, &faultRule{Fault: flt, remaining: flt.Times})
	f.armed.Add(1)
	return flt.ID, nil
}

// Faults lists the active rules in the order they apply.
func (s *Server) Faults() []Fault {
	f := s.faults
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]Fault, 0, len(f.rules))
	for _, r := range f.rules {
		out = append(out, r.snapshot())
	}
	return out
}

func (r *faultRule) snapshot() Fault {
	c := r.Fault
	if r.Times > 0 {
		c.Remaining = r.remaining
	}
	return c
}

// RemoveFault removes one rule; it reports whether the rule existed.
func (s *Server) RemoveFault(id int) bool {
	f := s.faults
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, r := range f.rules {
		if r.ID == id {
			f.removeRule(i)
			return true
		}
	}
	return false
}

// removeRule drops rules[i]; f.mu must be held.
func (f *faultSet) removeRule(i int) {
	f.rules[i].gone = true
	f.rules = append(f.rules[:i:i], f.rules[i+1:]...)
	f.armed.Add(-1)
}

// ClearFaults removes every rule and every reactor.
func (s *Server) ClearFaults() {
	f := s.faults
	f.mu.Lock()
	defer f.mu.Unlock()
	f.clearLocked()
}

// clearLocked drops every rule and reactor (marking them gone for holders of their
// removers) and disarms the set. The caller holds f.mu.
func (f *faultSet) clearLocked() {
	for _, r := range f.rules {
		r.gone = true
	}
	for _, r := range f.reactors {
		r.gone = true
	}
	f.rules, f.reactors = nil, nil
	f.armed.Store(0)
}

// pick returns the first rule that applies to the request, consuming one of its times.
// User predicates run without the lock held.
func (f *faultSet) pick(in *Incoming) (Fault, bool) {
	f.mu.Lock()
	rules := append([]*faultRule(nil), f.rules...)
	f.mu.Unlock()
	for _, r := range rules {
		if !r.matches(in) {
			continue
		}
		f.mu.Lock()
		if r.gone {
			f.mu.Unlock()
			continue
		}
		if r.Probability > 0 && r.Probability < 1 && f.rng.Float64() >= r.Probability {
			f.mu.Unlock()
			continue
		}
		r.Hits++
		if r.Times > 0 {
			r.remaining--
			if r.remaining == 0 {
				for i, x := range f.rules {
					if x == r {
						f.removeRule(i)
						break
					}
				}
			}
		}
		out := r.snapshot()
		f.mu.Unlock()
		return out, true
	}
	return Fault{}, false
}

// matchPrefix reports whether path starts with prefix, where a "{...}" segment of prefix
// matches any one non-empty segment of path: /api/organizations/{organization_id}/projects/
// is a prefix of /api/organizations/@current/projects/7/. The last segment of prefix (after
// its last "/") is a plain prefix of the path's segment there.
func matchPrefix(prefix, path string) bool {
	if !strings.Contains(prefix, "{") {
		return strings.HasPrefix(path, prefix)
	}
	ps, xs := strings.Split(prefix, "/"), strings.Split(path, "/")
	if len(xs) < len(ps) {
		return false
	}
	last := len(ps) - 1
	for i, seg := range ps[:last] {
		if isVar(seg) {
			if xs[i] == "" {
				return false
			}
		} else if seg != xs[i] {
			return false
		}
	}
	if isVar(ps[last]) {
		return xs[last] != ""
	}
	return strings.HasPrefix(xs[last], ps[last])
}

// canMatch reports whether some route of table can serve a request that pattern (a fault
// rule's Path) matches, so that a rule that can never apply is refused when it is added.
func canMatch(pattern string, table []route) bool {
	switch {
	case pattern == "" || pattern == "*":
		return true
	case !strings.HasPrefix(pattern, "/"):
		return false
	}
	for _, rt := range table {
		tmpl := rt.Path
		switch {
		case strings.HasSuffix(pattern, "*"):
			if prefixFits(pattern[:len(pattern)-1], tmpl) {
				return true
			}
		case strings.Contains(pattern, "{"):
			if sameTemplate(pattern, tmpl) {
				return true
			}
		default:
			if templateServes(tmpl, pattern) {
				return true
			}
		}
	}
	return false
}

// prefixFits reports whether some path the template serves can start with prefix.
func prefixFits(prefix, tmpl string) bool {
	ps, ts := strings.Split(prefix, "/"), strings.Split(tmpl, "/")
	if len(ps) > len(ts) {
		return false
	}
	last := len(ps) - 1
	for i, seg := range ps[:last] {
		if !isVar(seg) && !isVar(ts[i]) && seg != ts[i] {
			return false
		}
	}
	return isVar(ps[last]) || isVar(ts[last]) || strings.HasPrefix(ts[last], ps[last])
}

// templateServes reports whether the template serves the concrete path (trailing slashes
// aside), a variable segment taking any non-empty segment.
func templateServes(tmpl, path string) bool {
	ts := strings.Split(strings.Trim(tmpl, "/"), "/")
	xs := strings.Split(strings.Trim(path, "/"), "/")
	if len(ts) != len(xs) {
		return false
	}
	for i, seg := range ts {
		if isVar(seg) {
			if xs[i] == "" {
				return false
			}
		} else if seg != xs[i] {
			return false
		}
	}
	return true
}
