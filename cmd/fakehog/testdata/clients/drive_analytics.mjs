// Drives the agent toolkit's dashboard and insight tools against a fakehog in one chained walk:
// node drive_analytics.mjs <base URL> <API key> <project id>. Prints "ok <tool>" or
// "FAIL <tool>: <why>" per call and exits 1 when any failed.
const [base, key, projectId] = process.argv.slice(2)
let failed = false
const { PostHogAgentToolkit, getToolsFromContext } = await import('@posthog/agent-toolkit')
const toolkit = new PostHogAgentToolkit({ posthogApiToken: key, posthogApiBaseUrl: base })
const context = toolkit.getContext()
const tools = Object.fromEntries((await getToolsFromContext(context)).map((t) => [t.name, t]))
await tools['switch-project']?.handler(context, { projectId: Number(projectId) })

// call runs a tool; check returns '' when the answer is right, else why. Answers are JSON text.
async function call(name, args, check) {
    try {
        if (!tools[name]) throw new Error('tool not offered')
        const out = await tools[name].handler(context, args)
        const text = (out?.content ?? []).map((c) => c.text).join('\n')
        let value
        try {
            value = JSON.parse(text)
        } catch {
            value = text
        }
        const why = check(value, text)
        if (why) throw new Error(`${why}: ${text.slice(0, 400)}`)
        console.log(`ok ${name}`)
        return value
    } catch (err) {
        failed = true
        console.log(`FAIL ${name}: ${String(err.message ?? err).slice(0, 800)}`)
    }
}

const query = {
    kind: 'InsightVizNode',
    source: { kind: 'TrendsQuery', series: [{ kind: 'EventsNode', event: '$pageview', name: '$pageview', math: 'total' }] },
}
const dash = await call('dashboard-create', { data: { name: 'Walk dashboard', description: 'made by the toolkit', tags: ['walk'] } }, (d) =>
    d?.id > 0 && d.name === 'Walk dashboard' ? '' : 'no dashboard'
)
const insight = await call('insight-create-from-query', { data: { name: 'Walk pageviews', query, favorited: false, tags: ['walk'] } }, (i) =>
    /^[A-Za-z0-9]{8}$/.test(i?.short_id ?? '') && i.query?.source?.kind === 'TrendsQuery' ? '' : 'no insight'
)
await call('add-insight-to-dashboard', { data: { insightId: String(insight?.id), dashboardId: dash?.id } }, (_, text) =>
    text.includes(String(dash?.id)) ? '' : 'the insight is not on the dashboard'
)
await call('dashboard-get', { dashboardId: dash?.id }, (d) =>
    d?.tiles?.length === 1 && d.tiles[0].insight.short_id === insight?.short_id ? '' : 'the tile is missing'
)
await call('dashboards-get-all', {}, (list, text) => (text.includes('Walk dashboard') ? '' : 'dashboard not listed'))
await call('insights-get-all', {}, (list, text) => (text.includes(insight?.short_id) ? '' : 'insight not listed'))
await call('insight-get', { insightId: insight?.short_id }, (i) => (i?.id === insight?.id ? '' : 'not found by short_id'))
await call('insight-update', { insightId: insight?.short_id, data: { name: 'Walk pageviews, renamed', query } }, (i) =>
    i?.name === 'Walk pageviews, renamed' ? '' : 'not renamed'
)
await call('dashboard-update', { dashboardId: dash?.id, data: { name: 'Walk dashboard, renamed', pinned: true } }, (d) =>
    d?.name === 'Walk dashboard, renamed' ? '' : 'not renamed'
)
await call('insight-delete', { insightId: String(insight?.id) }, (_, text) => (/deleted/i.test(text) ? '' : 'not deleted'))
await call('dashboard-get', { dashboardId: dash?.id }, (d) => (d?.tiles?.length === 0 ? '' : 'the deleted insight is still a tile'))
await call('dashboard-delete', { dashboardId: dash?.id }, (_, text) => (/deleted/i.test(text) ? '' : 'not deleted'))
try {
    await tools['dashboard-get'].handler(context, { dashboardId: dash?.id })
    failed = true
    console.log('FAIL dashboard-get after delete: still found')
} catch {
    console.log('ok dashboard-get after delete (not found)')
}
process.exit(failed ? 1 : 0)
