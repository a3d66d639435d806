package store

// Plugin capabilities: what PostHog's plugin server finds in a plugin's source code (the
// methods, scheduled tasks and jobs it exports), derived here from the files by a light
// reading of the JavaScript/TypeScript.

import (
	"regexp"
	"strings"
)

// The plugin server's view of the code: the methods, scheduled tasks and jobs it finds.
var (
	pluginMethods        = []string{"setupPlugin", "teardownPlugin", "getSettings", "onEvent", "processEvent", "composeWebhook", "exportEvents"}
	pluginScheduledTasks = []string{"runEveryMinute", "runEveryHour", "runEveryDay"}

	reBlockComment = regexp.MustCompile(`(?s)/\*.*?\*/`)
	reLineComment  = regexp.MustCompile(`(?m)(^|[^:\\])//.*$`)
	reExportFunc   = regexp.MustCompile(`\bexport\s+(?:default\s+)?(?:async\s+)?function\s*\*?\s*([A-Za-z_$][\w$]*)`)
	reExportVar    = regexp.MustCompile(`\bexport\s+(?:const|let|var)\s+([A-Za-z_$][\w$]*)`)
	reExportList   = regexp.MustCompile(`\bexport\s*\{([^}]*)\}`)
	reCJSExport    = regexp.MustCompile(`\b(?:module\.)?exports\.([A-Za-z_$][\w$]*)\s*=`)
	reCJSObject    = regexp.MustCompile(`\bmodule\.exports\s*=\s*\{`)
	reJobsObject   = regexp.MustCompile(`\bexport\s+(?:const|let|var)\s+jobs\b[^=]*=\s*\{`)
)

// PluginCapabilities derives a plugin's capabilities from its source files, as PostHog's
// plugin server reports them after loading the main file (index.ts, else index.js):
// {"jobs": [...], "methods": [...], "scheduled_tasks": [...]} from what the code exports
// (processEvent, onEvent, composeWebhook, setupPlugin..., runEveryMinute/Hour/Day, and the
// keys of an exported jobs object). Without a main file but with frontend.tsx or site.ts
// (a frontend or site app) it is {}; with no code at all it is nil: the capabilities are
// left as they were.
func PluginCapabilities(files map[string]string) map[string]any {
	main, ok := files["index.ts"]
	if !ok {
		main, ok = files["index.js"]
	}
	if !ok {
		_, front := files["frontend.tsx"]
		_, site := files["site.ts"]
		if front || site {
			return map[string]any{}
		}
		return nil
	}
	src := reLineComment.ReplaceAllString(reBlockComment.ReplaceAllString(main, ""), "$1")
	exported := map[string]bool{}
	for _, re := range []*regexp.Regexp{reExportFunc, reExportVar, reCJSExport} {
		for _, m := range re.FindAllStringSubmatch(src, -1) {
			exported[m[1]] = true
		}
	}
	for _, m := range reExportList.FindAllStringSubmatch(src, -1) {
		for _, item := range strings.Split(m[1], ",") {
			fields := strings.Fields(item)
			if len(fields) > 0 {
				exported[fields[len(fields)-1]] = true
			}
		}
	}
	var jobs []string
	for _, loc := range reCJSObject.FindAllStringIndex(src, -1) {
		for _, k := range objectKeys(src, loc[1]-1) {
			exported[k] = true
		}
	}
	if loc := reJobsObject.FindStringIndex(src); loc != nil {
		jobs = objectKeys(src, loc[1]-1)
	}
	if exported["exportEvents"] {
		exported["onEvent"] = true // the plugin server turns exportEvents into onEvent
	}
	pick := func(names []string) []any {
		out := []any{}
		for _, n := range names {
			if exported[n] {
				out = append(out, n)
			}
		}
		return out
	}
	jobList := []any{}
	for _, j := range jobs {
		jobList = append(jobList, j)
	}
	return map[string]any{"jobs": jobList, "methods": pick(pluginMethods), "scheduled_tasks": pick(pluginScheduledTasks)}
}

var reObjectKey = regexp.MustCompile(`^(?:async\s+|get\s+|set\s+)?\*?\s*(?:([A-Za-z_$][\w$]*)|"([^"]*)"|'([^']*)')`)

// objectKeys lists the top-level keys of the object literal whose "{" is at open.
func objectKeys(src string, open int) []string {
	var keys []string
	depth, start := 0, open+1
	var quote byte
	entry := func(end int) {
		m := reObjectKey.FindStringSubmatch(strings.TrimSpace(src[start:end]))
		if m == nil {
			return
		}
		for _, k := range m[1:] {
			if k != "" {
				keys = append(keys, k)
				return
			}
		}
	}
	for i := open; i < len(src); i++ {
		ch := src[i]
		if quote != 0 {
			if ch == '\\' {
				i++
			} else if ch == quote {
				quote = 0
			}
			continue
		}
		switch ch {
		case '"', '\'', '`':
			quote = ch
		case '{', '(', '[':
			depth++
		case '}', ')', ']':
			depth--
			if depth == 0 {
				entry(i)
				return keys
			}
		case ',':
			if depth == 1 {
				entry(i)
				start = i + 1
			}
		}
	}
	return keys
}
