// Drives the agent toolkit's survey and definition tools against a fakehog in one chained
// walk: node drive_surveys.mjs <base URL> <API key> <project id>. Creates a survey, finds it
// in the list, gets it, updates it, deletes (archives) it with the ids from earlier answers,
// then lists event definitions and properties. Prints one line per call and exits 1 on any
// failure.
const [base, key, projectId] = process.argv.slice(2)
let failed = false
function report(tool, err) {
    if (err) {
        failed = true
        console.log(`FAIL agent-toolkit ${tool}: ${String(err.stack || err).slice(0, 800)}`)
    } else {
        console.log(`ok agent-toolkit ${tool}`)
    }
}
const { PostHogAgentToolkit, getToolsFromContext } = await import('@posthog/agent-toolkit')
const toolkit = new PostHogAgentToolkit({ posthogApiToken: key, posthogApiBaseUrl: base })
const context = toolkit.getContext()
const tools = Object.fromEntries((await getToolsFromContext(context)).map((t) => [t.name, t]))
async function call(name, args, check) {
    try {
        if (!tools[name]) throw new Error('tool not offered')
        const out = await tools[name].handler(context, args)
        const text = (out?.content ?? []).map((c) => c.text).join('\n')
        let parsed
        try { parsed = JSON.parse(text) } catch { parsed = text }
        const why = check(parsed, text)
        report(name, why ? new Error(`${why}: ${text.slice(0, 400)}`) : null)
        return parsed
    } catch (err) {
        report(name, err)
    }
}
await call('switch-project', { projectId: Number(projectId) }, (_, t) => (t.includes(projectId) ? '' : 'did not switch'))
const created = await call('survey-create', {
    name: 'Toolkit walk survey', type: 'popover',
    questions: [{ type: 'rating', question: 'How likely are you to recommend us?', scale: 10, display: 'number',
        lowerBoundLabel: 'No', upperBoundLabel: 'Yes' }],
}, (s) => (s?.id ? '' : 'no id'))
const id = created?.id
await call('surveys-get-all', {}, (l, t) => (t.includes(id) ? '' : 'created survey missing'))
await call('survey-get', { surveyId: id }, (s) => (s?.id === id && s?.name === 'Toolkit walk survey' ? '' : 'not the survey'))
await call('survey-update', { surveyId: id, name: 'Toolkit walk survey (renamed)', description: 'updated' },
    (s) => (s?.name === 'Toolkit walk survey (renamed)' ? '' : 'not renamed'))
await call('survey-delete', { surveyId: id }, (_, t) => (t.includes('archived') ? '' : 'not archived'))
await call('survey-get', { surveyId: id }, (s) => (s?.archived === true ? '' : 'not archived'))
await call('event-definitions-list', {}, (l) => (Array.isArray(l) && l.some((e) => e.name === '$pageview') ? '' : 'no $pageview'))
await call('properties-list', { type: 'event', eventName: 'file uploaded' }, (l) =>
    Array.isArray(l) && l.some((p) => p.name === 'file_size') ? '' : 'no file_size seen with file uploaded')
await call('properties-list', { type: 'person' }, (l) => (Array.isArray(l) ? '' : 'not a list'))
process.exit(failed ? 1 : 0)
