package scenarios

import (
	"errors"
	"strings"
	"testing"

	"github.com/fakehog/fakehog/fake/store"
)

// head is a valid start most error cases build on: one user (ref a) owning organization X.
const head = "users:\n  - {email: a@b.co, ref: a}\norganizations:\n  - name: X\n    members:\n      - {user: a, level: owner}\n"

// Every error class, with its exact message and position. Parse errors come from Parse;
// seed errors from Check (rules only the store can check, and families this build cannot
// seed).
func TestErrors(t *testing.T) {
	cases := []struct {
		name, doc string
		seed      bool // found by Check, not Parse
		want      string
	}{
		// Syntax and document shape.
		{"yaml syntax", "users: [\n", false, `t.yaml:1:8: invalid YAML: did not find expected node content`},
		// Syntax errors point at the problem, not at the line before it or at 1:1.
		{"yaml tab", "seed: 1\nusers:\n  - email: a@b.c\n\tfirst_name: x\n", false, `t.yaml:4:1: invalid YAML: found a tab character that violates indentation`},
		{"yaml unclosed flow", "seed: 1\nusers:\n  - email: a@b.c\n    first_name: [x\norganizations: []\n", false,
			`t.yaml:4:18: invalid YAML: did not find expected ',' or ']'`},
		{"yaml unclosed quote", "seed: 1\nusers:\n  - email: \"a@b.c\n", false, `t.yaml:3:12: invalid YAML: found unexpected end of stream`},
		{"yaml bad indentation", "users:\n  - email: a@b.co\n   first_name: x\n", false, `t.yaml:3:4: invalid YAML: did not find expected '-' indicator`},
		{"empty", "", false, `t.yaml:1:1: the scenario is empty: give at least users, organizations or generate`},
		{"only a comment", "# nothing yet\n", false, `t.yaml:1:1: the scenario is empty: give at least users, organizations or generate`},
		{"null document", "\n~\n", false, `t.yaml:2:1: the scenario is empty: give at least users, organizations or generate`},
		{"two documents", "seed: 1\n---\nseed: 2\n", false, `t.yaml:2:1: a scenario file holds one YAML document; remove the second "---"`},
		{"not a mapping", "- a\n", false, `t.yaml:1:1: a scenario must be a mapping (key: value lines), found a list`},
		// Unknown keys.
		{"unknown top-level key", "usres: []\n", false, `t.yaml:1:1: usres: unknown key "usres" in a scenario; did you mean "users"?`},
		{"unknown user key", "users:\n  - email: a@b.co\n    frist_name: A\n", false,
			`t.yaml:3:5: users[0].frist_name: unknown key "frist_name" in a user; did you mean "first_name"?`},
		{"unknown generate key", "generate:\n  orgs: 1\n", false,
			`t.yaml:2:3: generate.orgs: unknown key "orgs" in generate (known keys: credentials, invites_per_organization, members_per_organization, organizations, projects_per_organization, roles_per_organization)`},
		{"unknown project setting", head + "    projects:\n      - {name: W, timezon: UTC}\n", false,
			`t.yaml:8:19: organizations[0].projects[0].timezon: unknown key "timezon" in a project; did you mean "timezone"?`},
		{"duplicate key", "users:\n  - email: a@b.co\n    email: c@d.co\n", false,
			`t.yaml:3:5: users[0].email: duplicate key "email" (first given at line 2)`},
		// Wrong types.
		{"string expected", "users:\n  - email: 12\n", false,
			`t.yaml:2:12: users[0].email: expected a string, found an integer (quote it if you mean the text: "12")`},
		{"bool expected", "users:\n  - {email: a@b.co, is_active: nope}\n", false,
			`t.yaml:2:32: users[0].is_active: expected true or false, found a string`},
		{"list expected", "users:\n  - {email: a@b.co, sessions: s1}\n", false,
			`t.yaml:2:31: users[0].sessions: expected a list (lines starting with "- ", or [a, b]), found a string`},
		{"mapping expected", "users:\n  - a@b.co\n", false,
			`t.yaml:2:5: users[0]: a user must be a mapping (key: value lines), found a string`},
		{"setting type", head + "    members_can_invite: \"yes\"\n", false,
			`t.yaml:7:25: organizations[0].members_can_invite: expected true or false, found a string`},
		{"negative seed", "seed: -1\n", false,
			`t.yaml:1:7: seed: the seed must be a whole number from 0 to 18446744073709551615, found -1`},
		{"bad now", "now: yesterday\n", false,
			`t.yaml:1:6: now: "yesterday" is not an RFC 3339 time such as 2026-01-15T10:00:00Z (with its zone)`},
		// Missing required values.
		{"user without email", "users:\n  - {ref: a}\n", false, `t.yaml:2:5: users[0]: a user needs an email`},
		{"organization without name", "users:\n  - {email: a@b.co, ref: a}\norganizations:\n  - members: [{user: a, level: owner}]\n", false,
			`t.yaml:4:5: organizations[0]: missing name`},
		{"no owner", "users:\n  - {email: a@b.co, ref: a}\norganizations:\n  - name: X\n    members:\n      - {user: a, level: member}\n", false,
			`t.yaml:4:5: organizations[0]: an organization needs an owner: list its members with at least one level: owner`},
		// Dangling references.
		{"unknown member", "users:\n  - {email: a@b.co, ref: a}\norganizations:\n  - name: X\n    members:\n      - {user: bob, level: owner}\n", false,
			`t.yaml:6:16: organizations[0].members[0].user: no user "bob": refer to a user by its ref or email`},
		{"unknown scoped organization", "users:\n  - email: a@b.co\n    personal_api_keys:\n      - scoped_organizations: [acme]\n", false,
			`t.yaml:4:32: users[0].personal_api_keys[0].scoped_organizations[0]: no organization with ref "acme"`},
		{"inviter not a member", "users:\n  - {email: a@b.co, ref: a}\n  - {email: c@d.co, ref: c}\norganizations:\n  - name: X\n    members:\n      - {user: a, level: owner}\n    invites:\n      - {target_email: z@z.co, invited_by: c}\n", false,
			`t.yaml:9:44: organizations[0].invites[0].invited_by: "c" is not a member of this organization`},
		{"unknown project", head + "    invites:\n      - target_email: z@z.co\n        private_project_access: [{project: Nope, level: member}]\n", false,
			`t.yaml:9:44: organizations[0].invites[0].private_project_access[0].project: no project named "Nope" in this organization`},
		{"unknown default role", head + "    default_role: eng\n", false,
			`t.yaml:7:19: organizations[0].default_role: no role with ref "eng" in this organization`},
		{"role member not in organization", "users:\n  - {email: a@b.co, ref: a}\n  - {email: c@d.co, ref: c}\norganizations:\n  - name: X\n    members:\n      - {user: a, level: owner}\n    roles:\n      - {name: Eng, members: [c]}\n", false,
			`t.yaml:9:31: organizations[0].roles[0].members[0]: "c" is not a member of this organization`},
		// Duplicates.
		{"duplicate email", "users:\n  - {email: a@b.co, ref: a}\n  - {email: A@b.co}\n", false,
			`t.yaml:3:13: users[1].email: duplicate email "A@b.co": already used by users[0] (line 2)`},
		{"duplicate user ref", "users:\n  - {email: a@b.co, ref: a}\n  - {email: c@d.co, ref: a}\n", false,
			`t.yaml:3:26: users[1].ref: duplicate user ref "a": already used by users[0] (line 2)`},
		{"ambiguous ref", "users:\n  - {email: a@b.co, ref: c@d.co}\n  - {email: c@d.co}\n", false,
			`t.yaml:2:26: users[0].ref: ref "c@d.co" is the email of users[1]: a reference to it would be ambiguous`},
		{"duplicate domain", head + "    domains:\n      - domain: a.com\n  - name: Y\n    members:\n      - {user: a, level: owner}\n    domains:\n      - domain: A.com\n", false,
			`t.yaml:13:17: organizations[1].domains[0].domain: duplicate domain "A.com": already used by organizations[0].domains[0] (line 8)`},
		{"duplicate member", head + "      - {user: a@b.co, level: admin}\n", false,
			`t.yaml:7:16: organizations[0].members[1].user: "a@b.co" is already a member of this organization (line 6)`},
		{"duplicate session", "users:\n  - {email: a@b.co, sessions: [s]}\n  - {email: c@d.co, sessions: [s]}\n", false,
			`t.yaml:3:32: users[1].sessions[0]: duplicate session "s": already used by users[0] (line 2)`},
		{"duplicate key value", "users:\n  - email: a@b.co\n    personal_api_keys: [{value: phx_k}, {value: phx_k}]\n", false,
			`t.yaml:3:49: users[0].personal_api_keys[1].value: duplicate personal API key value: already used by users[0].personal_api_keys[0] (line 3)`},
		{"duplicate project", head + "    projects: [{name: Web}, {name: web}]\n", false,
			`t.yaml:7:36: organizations[0].projects[1].name: there is already a project called "web" in this organization (line 7)`},
		// What PostHog's string fields refuse: a NUL (YAML refuses lone surrogates itself).
		{"NUL in a name", head + "    roles: [{name: \"En\\0g\"}]\n", false,
			`t.yaml:7:20: organizations[0].roles[0].name: null characters are not allowed`},
		{"NUL in a free-form value", head + "    plugins:\n      - {name: P, plugin_type: source, config_schema: [{key: \"a\\0\"}]}\n", false,
			`t.yaml:8:62: organizations[0].plugins[0].config_schema[0].key: null characters are not allowed`},
		{"lone surrogate", head + "    roles: [{name: \"\\ud800\"}]\n", false,
			`t.yaml:7:26: invalid YAML: found invalid Unicode character escape code`},
		{"cimd url", head + "    cimd_verification_tokens: [{label: L, cimd_url: http://p.example/c.json}]\n", false,
			`t.yaml:7:53: organizations[0].cimd_verification_tokens[0].cimd_url: CIMD client_id must use HTTPS`},
		{"duplicate invite", head + "    invites: [{target_email: z@z.co}, {target_email: Z@z.co}]\n", false,
			`t.yaml:7:54: organizations[0].invites[1].target_email: "Z@z.co" is already invited to this organization (line 7)`},
		{"duplicate organization ref", "users:\n  - {email: a@b.co, ref: a}\norganizations:\n  - {name: X, ref: o, members: [{user: a, level: owner}]}\n  - {name: Y, ref: o, members: [{user: a, level: owner}]}\n", false,
			`t.yaml:5:20: organizations[1].ref: duplicate organization ref "o" (line 4)`},
		// Invalid levels.
		{"invalid level name", "users:\n  - {email: a@b.co, ref: a}\norganizations:\n  - name: X\n    members:\n      - {user: a, level: superuser}\n", false,
			`t.yaml:6:26: organizations[0].members[0].level: invalid level "superuser": use member, admin or owner (or 1, 8, 15)`},
		{"invalid level number", "users:\n  - {email: a@b.co, ref: a}\norganizations:\n  - name: X\n    members:\n      - {user: a, level: 3}\n", false,
			`t.yaml:6:26: organizations[0].members[0].level: invalid level "3": use member, admin or owner (or 1, 8, 15)`},
		{"invite above inviter", "users:\n  - {email: a@b.co, ref: a}\n  - {email: c@d.co, ref: c}\norganizations:\n  - name: X\n    members:\n      - {user: a, level: owner}\n      - {user: c, level: member}\n    invites:\n      - {target_email: z@z.co, invited_by: c, level: admin}\n", false,
			`t.yaml:10:54: organizations[0].invites[0].level: c cannot invite at level admin, above their own (member)`},
		{"invalid plugins access level", head + "    plugins_access_level: 5\n", false,
			`t.yaml:7:27: organizations[0].plugins_access_level: invalid plugins_access_level "5": use 0, 3, 6 or 9 (or none, config, install, root)`},
		// Bad timezones and other values.
		{"bad timezone", head + "    projects:\n      - {name: W, timezone: Mars/Base}\n", false,
			`t.yaml:8:29: organizations[0].projects[0].timezone: unknown timezone "Mars/Base": use an IANA name such as Europe/Berlin or UTC`},
		{"invalid email", "users:\n  - {email: nope}\n", false, `t.yaml:2:13: users[0].email: "nope" is not a valid email address`},
		{"invalid scope", "users:\n  - email: a@b.co\n    personal_api_keys: [{scopes: [org:admin]}]\n", false,
			`t.yaml:3:35: users[0].personal_api_keys[0].scopes[0]: invalid scope "org:admin": use "*" or object:read / object:write (e.g. organization:read)`},
		{"misspelt scope", "users:\n  - email: a@b.co\n    personal_api_keys: [{scopes: [organizaton:read]}]\n", false,
			`t.yaml:3:35: users[0].personal_api_keys[0].scopes[0]: invalid scope "organizaton:read"; did you mean "organization:read"?`},
		{"invalid uuid", "users:\n  - {email: a@b.co, uuid: 123-abc}\n", false, `t.yaml:2:27: users[0].uuid: "123-abc" is not a UUID`},
		{"API field rule", head + "    default_experiment_stats_method: magic\n", false,
			`t.yaml:7:38: organizations[0].default_experiment_stats_method: "magic" is not a valid choice.`},
		{"project field rule", head + "    projects: [{name: W, session_recording_minimum_duration_milliseconds: 99999}]\n", false,
			`t.yaml:7:75: organizations[0].projects[0].session_recording_minimum_duration_milliseconds: Ensure this value is less than or equal to 30000.`},
		{"enumeration", head + "    batch_exports:\n      - {name: E, interval: hourly, destination: {type: S3}}\n", false,
			`t.yaml:8:29: organizations[0].batch_exports[0].interval: "hourly" is not one of hour, day, week, every 5 minutes, every 15 minutes`},
		{"generate range", "generate:\n  organizations: 100000\n", false,
			`t.yaml:2:18: generate.organizations: organizations is 0 to 200, found 100000`},
		{"generate members in all", "generate:\n  organizations: 3\n  members_per_organization: 400000\n", false,
			`t.yaml:3:29: generate.members_per_organization: organizations × members_per_organization is at most 1000000, found 1200000`},
		{"generate needs organizations", "generate:\n  members_per_organization: 3\n", false,
			`t.yaml:2:29: generate.members_per_organization: members_per_organization needs generate.organizations`},
		{"expired and created_at", head + "    invites: [{target_email: z@z.co, expired: true, created_at: 2026-01-01T00:00:00Z}]\n", false,
			`t.yaml:7:47: organizations[0].invites[0].expired: give either expired or created_at, not both`},
		// Rules the store checks while seeding.
		{"domain format", head + "    domains:\n      - domain: not a domain\n", true,
			`t.yaml:8:17: organizations[0].domains[0].domain: Please enter a valid domain or subdomain name.`},
		{"unverified domain setting", head + "    domains:\n      - {domain: x.com, sso_enforcement: google-oauth2}\n", true,
			`t.yaml:8:42: organizations[0].domains[0].sso_enforcement: This attribute cannot be updated until the domain is verified.`},
		{"BAA without add-on", "users:\n  - {email: a@b.co, ref: a}\norganizations:\n  - name: X\n    features: []\n    members:\n      - {user: a, level: owner}\n    legal_documents:\n      - {document_type: BAA, company_name: X, representative_email: a@b.co}\n", true,
			`t.yaml:9:9: organizations[0].legal_documents[0]: A Boost, Scale, or Enterprise add-on is required to generate a BAA.`},
		{"members cannot invite", "users:\n  - {email: a@b.co, ref: a}\n  - {email: c@d.co, ref: c}\norganizations:\n  - name: X\n    members_can_invite: false\n    members:\n      - {user: a, level: owner}\n      - {user: c, level: member}\n    invites:\n      - {target_email: z@z.co, invited_by: c}\n", true,
			`t.yaml:11:9: organizations[0].invites[0]: You do not have permission to perform this action.`},
		// Rules of the families the store checks while seeding, each placed at its field.
		{"inactive role member", "users:\n  - {email: a@b.co, ref: a}\n  - {email: c@d.co, ref: c, is_active: false}\norganizations:\n  - name: X\n    members: [{user: a, level: owner}, {user: c}]\n    roles: [{name: R, members: [a, c]}]\n", true,
			`t.yaml:7:36: organizations[0].roles[0].members[1]: User does not exist.`},
		{"role external reference taken", head + "    roles: [{ref: r, name: R}]\n    role_external_references:\n      - {role: r, provider: github, provider_organization_id: o, provider_role_id: '1', provider_role_name: R}\n      - {role: r, provider: github, provider_organization_id: O, provider_role_id: '1', provider_role_name: S}\n", true,
			`t.yaml:10:84: organizations[0].role_external_references[1].provider_role_id: A role external reference with this provider, organization, and role ID already exists.`},
		{"batch export destination config", head + "    batch_exports:\n      - {name: E, interval: hour, destination: {type: S3, config: {bucket_name: b, region: r}}}\n", true,
			`t.yaml:8:67: organizations[0].batch_exports[0].destination.config: Configuration missing required field: 'prefix'`},
		{"batch export interval behind a feature", "users:\n  - {email: a@b.co, ref: a}\norganizations:\n  - name: X\n    features: [organizations_projects]\n    members: [{user: a, level: owner}]\n    batch_exports:\n      - {name: E, interval: every 5 minutes, destination: {type: NoOp}}\n", true,
			`t.yaml:8:29: organizations[0].batch_exports[0].interval: Higher frequency batch exports are not enabled for this team.`},
		{"batch export query", head + "    batch_exports:\n      - {name: E, interval: day, hogql_query: SELECT 1 FROM persons, destination: {type: NoOp}}\n", true,
			`t.yaml:8:47: organizations[0].batch_exports[0].hogql_query: Query must only SELECT FROM events`},
		{"plugin url format", head + "    plugins: [{url: 'ftp://plugins.example/p'}]\n", true,
			`t.yaml:7:21: organizations[0].plugins[0].url: Must be a GitHub/GitLab repository or a npm package URL!`},
		{"plugin url installed twice", head + "    plugins:\n      - {url: 'https://github.com/acme/p'}\n      - {url: 'https://github.com/acme/p?private_token=x'}\n", true,
			`t.yaml:9:15: organizations[0].plugins[1].url: Plugin from URL "https://github.com/acme/p" already installed!`},
		{"plugin remote url", "plugin_remotes: [{url: 'https://example.com/p', tag: v1}]\n", true,
			`t.yaml:1:24: plugin_remotes[0].url: Must be a GitHub/GitLab repository or a npm package URL!`},
		{"plugin latest tag of a pinned url", head + "    plugins: [{url: 'https://github.com/acme/p/commit/0123456789abcdef0123456789abcdef01234567', latest_tag: v2}]\n", true,
			`t.yaml:7:110: organizations[0].plugins[0].latest_tag: the url names a fixed commit or version, which is its latest tag: leave latest_tag out`},
		{"integration id taken", head + "    integrations: [{integration_id: icfg_1}]\n  - name: Y\n    members: [{user: a, level: owner}]\n    integrations: [{integration_id: icfg_1}]\n", true,
			`t.yaml:10:37: organizations[1].integrations[0].integration_id: An integration of this kind with this integration id already exists.`},
		{"environment mapping of a marketplace installation", head + "    integrations: [{config: {type: marketplace}, environment_mapping: {production: Default project}}]\n", true,
			`t.yaml:7:71: organizations[0].integrations[0].environment_mapping: Environment mapping is only supported for connectable integrations.`},
		{"oauth client id taken", head + "    oauth_applications: [{name: A, client_id: cli}, {name: B, client_id: cli}]\n", true,
			`t.yaml:7:74: organizations[0].oauth_applications[1].client_id: application with this client id already exists.`},
		// Aliases that never end.
		{"merge into itself", "users:\n  - {email: a@b.co, ref: a}\norganizations:\n  - &o\n    <<: *o\n    name: X\n", false,
			`t.yaml:5:9: organizations[0]: a merge key (<<) cannot merge a mapping into itself`},
		{"alias cycle", head + "    integrations: [{config: &c {k: [*c]}}]\n", false,
			`t.yaml:7:37: organizations[0].integrations[0].config.k[0]: an alias (*name) cannot stand for a value that contains it`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sc, err := Parse("t.yaml", []byte(tc.doc))
			if tc.seed {
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				err = sc.Check()
			}
			if err == nil {
				t.Fatalf("no error, want %s", tc.want)
			}
			var se *Error
			if !errors.As(err, &se) {
				t.Fatalf("error %T %v is not a *scenarios.Error", err, err)
			}
			if err.Error() != tc.want {
				t.Fatalf("error\n got %s\nwant %s", err, tc.want)
			}
		})
	}
}

// Whatever the mistake, Parse never panics and reports a positioned error or none.
func TestErrorsArePositioned(t *testing.T) {
	base := []byte(head + "    invites: [{target_email: z@z.co}]\n    projects: [{name: W}]\n")
	for i := range base {
		for _, c := range []byte{'x', ':', '-', ' ', '\n', '[', '"'} {
			doc := append(append(append([]byte(nil), base[:i]...), c), base[i+1:]...)
			_, err := Parse("f.yaml", doc)
			var se *Error
			if err != nil && (!errors.As(err, &se) || !strings.HasPrefix(err.Error(), "f.yaml")) {
				t.Fatalf("mutated document %q: error %v", doc, err)
			}
			if err != nil && se.Line == 0 {
				t.Fatalf("mutated document %q: error without a line: %v", doc, err)
			}
		}
	}
}

// A scenario built in Go has no lines: its errors give the path.
func TestGoValueErrors(t *testing.T) {
	sc := &Scenario{Name: "mine", Users: []User{{Email: "a@b.co", Ref: "a"}},
		Organizations: []Organization{{Name: "X", Members: []Member{{User: "a", Level: 3}}}}}
	err := sc.Check()
	if err == nil || err.Error() != `mine: organizations[0].members[0].level: invalid level 3: use member, admin or owner (or 1, 8, 15)` {
		t.Fatalf("got %v", err)
	}
	sc = &Scenario{Users: []User{{Email: "a@b.co", Ref: "a"}},
		Organizations: []Organization{{Name: "X", Members: []Member{{User: "a", Level: Level(15)}}, Settings: map[string]any{"nmae": "y"}}}}
	if err := sc.Check(); err == nil || err.Error() != `scenario: organizations[0].nmae: unknown setting "nmae"` {
		t.Fatalf("got %v", err)
	}
	// A store refusal names the field, and a nested one its nested path.
	sc = &Scenario{Users: []User{{Email: "a@b.co", Ref: "a"}}, Organizations: []Organization{{Name: "X",
		Members:           []Member{{User: "a", Level: store.LevelOwner}},
		OAuthApplications: []OAuthApplication{{Name: "A", ClientID: "c"}, {Name: "B", ClientID: "c"}}}}}
	if err := sc.Check(); err == nil || err.Error() != `scenario: organizations[0].oauth_applications[1].client_id: application with this client id already exists.` {
		t.Fatalf("got %v", err)
	}
	sc.Organizations[0].OAuthApplications = nil
	sc.Organizations[0].BatchExports = []BatchExport{{Name: "E", Interval: "day", Destination: BatchExportDestination{Type: "S3"}}}
	if err := sc.Check(); err == nil || err.Error() != `scenario: organizations[0].batch_exports[0].destination.config: Configuration missing required field: 'bucket_name'` {
		t.Fatalf("got %v", err)
	}
}
