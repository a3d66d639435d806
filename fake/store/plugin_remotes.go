package store

// Plugin URLs and remotes: parsing a GitHub, GitLab or npm URL as PostHog does, the emulated
// remote repository a plugin is fetched from (tags, files; scenarios may set them), and the
// canned repository listing.

import (
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"strings"
)

// PluginRepository is the repository listing (GET repository): PostHog fetches it from
// GitHub; the fake serves a canned catalogue a scenario can replace.
func (tx *Tx) PluginRepository() []any {
	out, _ := CloneValue(tx.st.ext.plugins.repository).([]any)
	if out == nil {
		out = []any{}
	}
	return out
}

// SetPluginRepository replaces the repository listing (any JSON array, e.g. entries
// {name, url, description, icon, maintainer, type}).
func (tx *Tx) SetPluginRepository(entries []any) {
	tx.st.ext.plugins.repository, _ = CloneValue(entries).([]any)
	if tx.st.ext.plugins.repository == nil {
		tx.st.ext.plugins.repository = []any{}
	}
}

// SetPluginRemote emulates what a plugin URL serves from now on: its latest commit or
// version (Tag) and the archive's files (plugin.json, index.ts, frontend.tsx, site.ts). The
// URL is a GitHub, GitLab or npm URL (any form PostHog accepts; the remote belongs to its
// repository or package) or a local "file:" path. A later install, check_for_updates or
// upgrade sees it.
func (tx *Tx) SetPluginRemote(url string, r PluginRemote) error {
	key := ""
	if strings.HasPrefix(url, "file:") {
		key = url
	} else if u, ok := parsePluginURL(url); ok {
		key = u.root
	} else {
		return Invalid(MsgPluginURL)
	}
	tx.st.ext.plugins.remotes[key] = &PluginRemote{Tag: r.Tag, Files: cloneMap(r.Files)}
	return nil
}

// checkPluginURLFree refuses a URL a plugin is already installed from (in any organization);
// the private token does not count.
func (tx *Tx) checkPluginURLFree(url string) error {
	bare, _, _ := strings.Cut(url, "?")
	for _, p := range tx.allPlugins() {
		if p.URL != nil {
			other, _, _ := strings.Cut(*p.URL, "?")
			if other == bare {
				return Invalid(MsgPluginInstalled(bare))
			}
		}
	}
	return nil
}

// fetchedPlugin is what installing from a URL takes from the remote.
type fetchedPlugin struct {
	pluginType  string
	tag         *string
	name        string
	description string
	icon        *string
	config      any
	publicJobs  any
	files       map[string]string
	// newRemote is a remote derived from the URL during the fetch, kept (keepRemote) once
	// the whole operation has succeeded.
	remoteKey string
	newRemote *PluginRemote
}

// keepRemote stores a remote the fetch derived, so that the URL serves the same code from
// now on.
func (tx *Tx) keepRemote(f *fetchedPlugin) {
	if f.newRemote != nil {
		tx.st.ext.plugins.remotes[f.remoteKey] = f.newRemote
	}
}

func (f *fetchedPlugin) applyTo(p *Plugin) {
	typ, name, desc := f.pluginType, f.name, f.description
	p.PluginType, p.Name, p.Description = &typ, &name, &desc
	p.Tag, p.LatestTag = clonePtr(f.tag), clonePtr(f.tag)
	p.Icon = clonePtr(f.icon)
	p.ConfigSchema, p.PublicJobs = CloneValue(f.config), CloneValue(f.publicJobs)
	p.Files = cloneMap(f.files)
}

// fetchPlugin emulates PostHog's update_validated_data_from_url: the URL's remote (its
// archive's plugin.json and code) at the URL's tag, or the latest one. typ is the requested
// plugin type: "repository" stays, everything else becomes "custom" ("local" for file:).
func (tx *Tx) fetchPlugin(url, typ string, kind PluginKind) (*fetchedPlugin, error) {
	f := &fetchedPlugin{}
	var remote *PluginRemote
	if strings.HasPrefix(url, "file:") {
		remote = tx.st.ext.plugins.remotes[url]
		if remote == nil || remote.Files["plugin.json"] == "" {
			return nil, Invalid("Could not load plugin.json from: " + path.Join(url[len("file:"):], "plugin.json"))
		}
		f.pluginType = PluginTypeLocal
	} else {
		u, ok := parsePluginURL(url)
		if !ok {
			return nil, Invalid(MsgPluginURL)
		}
		var derived bool
		remote, derived = tx.remoteFor(u, kind)
		if derived {
			f.remoteKey, f.newRemote = u.root, remote
		}
		tag := u.tag
		if !u.pinned {
			tag = remote.Tag
		}
		f.tag = &tag
		f.pluginType = PluginTypeCustom
		if typ == PluginTypeRepository {
			f.pluginType = PluginTypeRepository
		}
	}
	var meta map[string]any
	if err := json.Unmarshal([]byte(remote.Files["plugin.json"]), &meta); err != nil || meta == nil {
		return nil, Invalid(MsgPluginNoJSON)
	}
	f.name, _ = meta["name"].(string)
	if f.name == "" {
		f.name = pluginNameFromURL(url)
	}
	f.description, _ = meta["description"].(string)
	if icon, ok := meta["icon"].(string); ok {
		f.icon = &icon
	}
	f.config = meta["config"]
	if f.config == nil {
		f.config = []any{}
	}
	f.publicJobs = meta["publicJobs"]
	if f.publicJobs == nil {
		f.publicJobs = map[string]any{}
	}
	if stateless, _ := meta["stateless"].(bool); stateless && pyTruthy(f.config) {
		return nil, Invalid(MsgPluginStatelessConfig)
	}
	// The archive's code as PostHog keeps it: plugin.json, the main file as index.ts,
	// frontend.tsx and site.ts.
	f.files = map[string]string{"plugin.json": remote.Files["plugin.json"]}
	mainName, _ := meta["main"].(string)
	candidates := []string{"index.js", "index.ts"}
	if mainName != "" {
		candidates = []string{mainName}
	}
	for _, c := range candidates {
		if src, ok := remote.Files[c]; ok {
			f.files["index.ts"] = src
			break
		}
	}
	for _, n := range []string{"frontend.tsx", "site.ts"} {
		if src, ok := remote.Files[n]; ok {
			f.files[n] = src
		}
	}
	_, hasMain := f.files["index.ts"]
	_, hasFrontend := f.files["frontend.tsx"]
	_, hasSite := f.files["site.ts"]
	if !hasMain && !hasFrontend && !hasSite {
		return nil, Invalid(fmt.Sprintf("Could not find main file %s in plugin %s", strings.Join(candidates, " or "), f.name))
	}
	return f, nil
}

// remoteFor returns the URL's emulated remote; for a URL no scenario set up, it derives
// one (derived true; the caller keeps it): plugin.json named after the repository or
// package, and code fitting the family it is installed through (a plain transformation for
// plugins/).
func (tx *Tx) remoteFor(u pluginURL, kind PluginKind) (r *PluginRemote, derived bool) {
	if r := tx.st.ext.plugins.remotes[u.root]; r != nil {
		return r, false
	}
	sum := sha1.Sum([]byte(u.root))
	tag := hex.EncodeToString(sum[:])
	if u.kind == "npm" {
		tag = "1.0.0"
	}
	return &PluginRemote{Tag: tag, Files: emulatedPluginFiles(u.name, "A plugin from "+u.display+".", u.root, kind)}, true
}

// emulatedPluginFiles is the code of a derived remote: a minimal plugin of the family.
func emulatedPluginFiles(name, description, url string, kind PluginKind) map[string]string {
	meta := map[string]any{"name": name, "description": description, "url": url, "config": map[string]any{}}
	files := map[string]string{}
	switch kind {
	case PipelineFrontendApps:
		files["site.ts"] = "export function inject({ config, posthog }) {\n    // runs on the site\n}\n"
	case PipelineDestinations:
		meta["main"] = "index.ts"
		files["index.ts"] = "export async function onEvent(event, { config }) {\n    // send the event on\n}\n"
	case PipelineImportApps:
		meta["main"] = "index.ts"
		files["index.ts"] = "export async function runEveryHour({ config }) {\n    // import data\n}\n"
	default:
		meta["main"] = "index.ts"
		files["index.ts"] = "export async function processEvent(event, { config }) {\n    return event\n}\n"
	}
	data, _ := json.MarshalIndent(meta, "", "    ")
	files["plugin.json"] = string(data)
	return files
}

// pluginURL is a parsed plugin URL (PostHog's parse_url).
type pluginURL struct {
	kind    string // github, gitlab, npm
	root    string // the repository or package URL, without tag and token
	name    string // repository or package name
	display string // host/path, for descriptions
	tag     string // the tag the URL names
	pinned  bool   // the URL names an exact commit or version: no "latest" lookup
}

var (
	reGitHubRef     = regexp.MustCompile(`^https?://(?:www\.)?github\.com/([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+)(/(commit|tree|releases/tag)/([A-Za-z0-9_.\-]+)/?([A-Za-z0-9_.\-/]+)?)?$`)
	reGitHubArchive = regexp.MustCompile(`^https?://(?:www\.)?github\.com/([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+)(/(archive)/([A-Za-z0-9_.\-/]+)(?:\.zip|\.tar\.gz))?$`)
	reNPM           = regexp.MustCompile(`^https?://(?:www\.)?npmjs\.com/package/([@a-z0-9_-]+(/[a-z0-9_-]+)?)/?(v/([A-Za-z0-9_.-]+)/?|)$`)
	reGitLab        = regexp.MustCompile(`^https?://(?:www\.)?gitlab\.com/([A-Za-z0-9_.\-/]+)$`)
	reCommitSHA     = regexp.MustCompile(`^[a-f0-9]{40}$`)
)

// parsePluginURL parses a GitHub, npm or GitLab URL as PostHog does (a ?private_token= and
// surrounding slashes ignored).
func parsePluginURL(raw string) (pluginURL, bool) {
	s, _, _ := strings.Cut(raw, "?")
	s = strings.Trim(s, "/")
	m := reGitHubRef.FindStringSubmatch(s)
	if m == nil {
		m = reGitHubArchive.FindStringSubmatch(s)
	}
	if m != nil {
		u := pluginURL{kind: "github", root: "https://github.com/" + m[1] + "/" + m[2], name: m[2], display: "github.com/" + m[1] + "/" + m[2], tag: m[5]}
		switch ref := m[4]; {
		case ref == "commit" || ref == "archive":
			u.pinned = true
		case ref == "releases/tag":
			u.tag, u.pinned = "refs/tags/"+m[5], true
		case reCommitSHA.MatchString(u.tag):
			u.pinned = true
		}
		return u, true
	}
	if m := reNPM.FindStringSubmatch(s); m != nil {
		pkg := m[1]
		return pluginURL{kind: "npm", root: "https://www.npmjs.com/package/" + pkg, name: pkg[strings.LastIndex(pkg, "/")+1:],
			display: "npmjs.com/package/" + pkg, tag: m[4], pinned: m[4] != ""}, true
	}
	if m := reGitLab.FindStringSubmatch(s); m != nil {
		project, tag := m[1], ""
		if p, rest, ok := strings.Cut(project, "/-/"); ok {
			project = p
			if parts := strings.Split(rest, "/"); len(parts) > 1 {
				tag = parts[1]
			}
		}
		project = strings.Trim(project, "/")
		if project == "" {
			return pluginURL{}, false
		}
		return pluginURL{kind: "gitlab", root: "https://gitlab.com/" + project, name: project[strings.LastIndex(project, "/")+1:],
			display: "gitlab.com/" + project, tag: tag, pinned: tag != ""}, true
	}
	return pluginURL{}, false
}

func pluginNameFromURL(url string) string {
	if u, ok := parsePluginURL(url); ok {
		return u.name
	}
	return path.Base(strings.TrimPrefix(url, "file:"))
}

func ptrStr(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// The canned repository listing and the remotes behind it.

type cannedRemote struct {
	url   string
	tag   string
	files map[string]string
}

type cannedApp struct {
	name, repo, description, entryType string
	kind                               PluginKind
}

var cannedApps = []cannedApp{
	{"GeoIP", "posthog-plugin-geoip", "Enrich PostHog events and persons with IP location data", "", PipelineTransformations},
	{"Property Filter", "property-filter-plugin", "Set event properties to null", "", PipelineTransformations},
	{"Downsampling", "downsampling-plugin", "Reduces event volume coming into PostHog", "", PipelineTransformations},
	{"Customer.io", "customerio-plugin", "Send event data and emails into Customer.io", "data_out", PipelineDestinations},
	{"HubSpot", "hubspot-plugin", "Send contact data to HubSpot on PostHog identify events", "data_out", PipelineDestinations},
	{"Notification Bar", "notification-bar-app", "Show a notification bar for your users", "", PipelineFrontendApps},
	{"Bug Report Widget", "bug-report-app", "Ask your users for bug reports", "", PipelineFrontendApps},
	{"GitHub Release Tracker", "github-release-tracking-plugin", "Get annotations for your GitHub releases", "data_in", PipelineImportApps},
}

func cannedPluginRepository() []any {
	out := make([]any, 0, len(cannedApps))
	for _, a := range cannedApps {
		e := map[string]any{"name": a.name, "url": "https://github.com/PostHog/" + a.repo, "description": a.description,
			"icon": "https://raw.githubusercontent.com/PostHog/" + a.repo + "/main/logo.png", "maintainer": "official"}
		if a.entryType != "" {
			e["type"] = a.entryType
		}
		out = append(out, e)
	}
	return out
}

func cannedPluginRemotes() []cannedRemote {
	out := make([]cannedRemote, 0, len(cannedApps))
	for _, a := range cannedApps {
		url := "https://github.com/PostHog/" + a.repo
		sum := sha1.Sum([]byte(url))
		files := emulatedPluginFiles(a.name, a.description, url, a.kind)
		var meta map[string]any
		_ = json.Unmarshal([]byte(files["plugin.json"]), &meta)
		meta["icon"] = "https://raw.githubusercontent.com/PostHog/" + a.repo + "/main/logo.png"
		data, _ := json.MarshalIndent(meta, "", "    ")
		files["plugin.json"] = string(data)
		out = append(out, cannedRemote{url: url, tag: hex.EncodeToString(sum[:]), files: files})
	}
	return out
}
