package store

import (
	"reflect"
	"testing"
)

func TestPluginStateCloneIsDeep(t *testing.T) {
	var s pluginState
	s.init()
	p := &Plugin{ID: 1}
	fillRefs(reflect.ValueOf(p).Elem())
	p.ConfigSchema = []any{map[string]any{"key": "k", "secret": true}}
	p.Capabilities = map[string]any{"methods": []any{"processEvent"}}
	s.byID[1] = p
	pc := &PluginConfig{ID: 1, PluginID: 1}
	fillRefs(reflect.ValueOf(pc).Elem())
	s.configs[1] = pc
	c := *deepCopy(&s)
	if !reflect.DeepEqual(s, c) {
		t.Fatal("the clone differs from the state")
	}
	noSharedMemory(t, reflect.ValueOf(&s).Elem(), reflect.ValueOf(&c).Elem(), "plugins", map[uintptr]bool{})
}

func TestParsePluginURL(t *testing.T) {
	sha := "0123456789abcdef0123456789abcdef01234567"
	cases := []struct {
		url              string
		root, name, tag  string
		pinned, rejected bool
	}{
		{url: "https://github.com/acme/plugin", root: "https://github.com/acme/plugin", name: "plugin"},
		{url: "https://www.github.com/acme/plugin/?private_token=x", root: "https://github.com/acme/plugin", name: "plugin"},
		{url: "https://github.com/acme/plugin/tree/main", root: "https://github.com/acme/plugin", name: "plugin", tag: "main"},
		{url: "https://github.com/acme/plugin/tree/" + sha, root: "https://github.com/acme/plugin", name: "plugin", tag: sha, pinned: true},
		{url: "https://github.com/acme/plugin/commit/abc", root: "https://github.com/acme/plugin", name: "plugin", tag: "abc", pinned: true},
		{url: "https://github.com/acme/plugin/releases/tag/v1", root: "https://github.com/acme/plugin", name: "plugin", tag: "refs/tags/v1", pinned: true},
		{url: "https://github.com/acme/plugin/archive/v2.tar.gz", root: "https://github.com/acme/plugin", name: "plugin", tag: "v2", pinned: true},
		{url: "https://www.npmjs.com/package/@acme/thing/v/1.2.3", root: "https://www.npmjs.com/package/@acme/thing", name: "thing", tag: "1.2.3", pinned: true},
		{url: "http://npmjs.com/package/thing", root: "https://www.npmjs.com/package/thing", name: "thing"},
		{url: "https://gitlab.com/acme/sub/thing", root: "https://gitlab.com/acme/sub/thing", name: "thing"},
		{url: "https://gitlab.com/acme/thing/-/tree/v4", root: "https://gitlab.com/acme/thing", name: "thing", tag: "v4", pinned: true},
		{url: "https://example.com/acme/plugin", rejected: true},
		{url: "https://github.com/acme", rejected: true},
		{url: "https://www.npmjs.com/package/", rejected: true},
		{url: "file:/srv/plugin", rejected: true},
		{url: "", rejected: true},
	}
	for _, c := range cases {
		u, ok := parsePluginURL(c.url)
		if ok == c.rejected {
			t.Errorf("%q: parsed = %v", c.url, ok)
			continue
		}
		if ok && (u.root != c.root || u.name != c.name || u.tag != c.tag || u.pinned != c.pinned) {
			t.Errorf("%q: %+v", c.url, u)
		}
	}
}
