package scenarios

import (
	"errors"
	"testing"

	"github.com/fakehog/fakehog/fake"
	"gopkg.in/yaml.v3"
)

// FuzzParse feeds arbitrary bytes to Parse as a file and, when they parse, seeds the world
// into a fresh server. Neither may panic, and every error must be a *scenarios.Error naming
// the file, a line and a column. The seed corpus (testdata/fuzz/FuzzParse) holds small
// valid documents touching every section and family, invalid ones, and every finding.
func FuzzParse(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		if generatedSize(generateAsked(data)) > 400 {
			return // generate alone takes seconds to parse at its limits: it would stall the fuzzer
		}
		sc, err := Parse("fuzz.yaml", data)
		if err != nil {
			mustBePositioned(t, err)
			return
		}
		if _, err := fake.New(sc.Option()); err != nil {
			mustBePositioned(t, err)
		}
	})
}

// generateAsked reads the generate section roughly (what Parse would read, when it parses).
func generateAsked(data []byte) Generate {
	var doc struct {
		Generate map[string]any `yaml:"generate"`
	}
	_ = yaml.Unmarshal(data, &doc)
	n := func(k string) int {
		v, _ := doc.Generate[k].(int)
		return max(v, 0)
	}
	return Generate{Organizations: n("organizations"), MembersPerOrganization: n("members_per_organization"),
		ProjectsPerOrganization: n("projects_per_organization"), InvitesPerOrganization: n("invites_per_organization"),
		RolesPerOrganization: n("roles_per_organization")}
}

// generatedSize estimates how many records generate asks for.
func generatedSize(g Generate) int {
	return g.Organizations * (1 + max(g.MembersPerOrganization, 1) + g.ProjectsPerOrganization + g.InvitesPerOrganization + g.RolesPerOrganization)
}

func mustBePositioned(t *testing.T, err error) {
	t.Helper()
	var se *Error
	if !errors.As(err, &se) {
		t.Fatalf("error %T is not a *scenarios.Error: %v", err, err)
	}
	if se.File != "fuzz.yaml" || se.Line <= 0 || se.Column <= 0 {
		t.Fatalf("error without a position: %v", err)
	}
}
