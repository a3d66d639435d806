package scenarios

import (
	"testing"

	"github.com/fakehog/fakehog/fake/store"
)

// A project's access controls in a scenario: seeded as the API sets them, every mistake
// positioned.
func TestAccessControlsScenario(t *testing.T) {
	doc := "users:\n  - {email: a@b.co, ref: a}\n  - {email: m@b.co, ref: m}\norganizations:\n  - name: X\n    members:\n      - {user: a, level: owner}\n      - {user: m, level: member}\n" +
		"    roles: [{ref: r, name: R, members: [m]}]\n    projects: [{name: Web}, {name: App}]\n    access_controls:\n" +
		"      - {project: App, access_level: none}\n      - {project: App, role: r, access_level: member}\n      - {resource: dashboard, member: m, access_level: viewer}\n"
	sc, err := Parse("t.yaml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	srv := mustServer(t, sc)
	srv.Store().Read(func(tx *store.Tx) error {
		o := tx.Organizations()[0]
		ps := tx.Projects(o.ID, "")
		web, app := ps[0], ps[1]
		if n := len(tx.AccessControls(app.ID)); n != 2 {
			t.Errorf("App has %d rules, want 2", n)
		}
		rules := tx.AccessControls(web.ID)
		if len(rules) != 1 || rules[0].Resource != "dashboard" || rules[0].AccessLevel != "viewer" || rules[0].MemberID == "" {
			t.Errorf("Web rules: %+v", rules)
		}
		m := tx.Membership(o.ID, tx.UserByEmail("m@b.co").ID)
		if l := tx.AccessFor(app, m).ProjectLevel(); l != "member" {
			t.Errorf("the role member's level on App: %s", l)
		}
		return nil
	})

	head := "users:\n  - {email: a@b.co, ref: a}\norganizations:\n  - name: X\n    members:\n      - {user: a, level: owner}\n"
	for _, tc := range []struct{ name, doc, want string }{
		{"unknown key", head + "    access_controls:\n      - {acces_level: none}\n",
			`t.yaml:8:10: organizations[0].access_controls[0].acces_level: unknown key "acces_level" in an access control; did you mean "access_level"?`},
		{"no level", head + "    access_controls:\n      - {resource: dashboard}\n", `t.yaml:8:9: organizations[0].access_controls[0]: an access control needs an access_level`},
		{"level off the scale", head + "    access_controls:\n      - {access_level: viewer}\n",
			`t.yaml:8:24: organizations[0].access_controls[0].access_level: "viewer" is not one of none, member, admin`},
		{"unknown role", head + "    access_controls:\n      - {role: x, access_level: none}\n",
			`t.yaml:8:16: organizations[0].access_controls[0].role: no role with ref "x" in this organization`},
		{"unknown project", head + "    access_controls:\n      - {project: Nope, access_level: none}\n",
			`t.yaml:8:19: organizations[0].access_controls[0].project: no project named "Nope" in this organization`},
		{"below the minimum", head + "    access_controls:\n      - {resource: action, access_level: none}\n",
			`t.yaml:8:42: organizations[0].access_controls[0].access_level: Access level cannot be set below the minimum 'viewer' for action.`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sc, err := Parse("t.yaml", []byte(tc.doc))
			if err == nil {
				err = sc.Check()
			}
			if err == nil || err.Error() != tc.want {
				t.Errorf("got  %v\nwant %s", err, tc.want)
			}
		})
	}
}
