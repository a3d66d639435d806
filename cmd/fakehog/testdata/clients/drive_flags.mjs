// Walks PostHog's agent toolkit's feature flag and experiment tools against a fakehog:
// node drive_flags.mjs <base URL> <API key>. Each call uses ids and keys from the answers
// before it (create, list, get, update, delete). Prints one line per call ("ok <tool>" or
// "FAIL <tool>: <why>") and exits 1 when any call failed.
const [base, key] = process.argv.slice(2)
let failed = false
const { PostHogAgentToolkit, getToolsFromContext } = await import('@posthog/agent-toolkit')
const toolkit = new PostHogAgentToolkit({ posthogApiToken: key, posthogApiBaseUrl: base })
const context = toolkit.getContext()
const tools = Object.fromEntries((await getToolsFromContext(context)).map((t) => [t.name, t]))

// call runs a tool and checks its text answer; it returns the parsed JSON answer (or the text).
async function call(name, args, check) {
    try {
        if (!tools[name]) throw new Error('tool not offered')
        const out = await tools[name].handler(context, args)
        const text = (out?.content ?? []).map((c) => c.text).join('\n')
        let value = text
        try {
            value = JSON.parse(text)
        } catch {}
        const why = check(value, text)
        if (why) throw new Error(`${why}: ${text.slice(0, 400)}`)
        console.log(`ok ${name}`)
        return value
    } catch (err) {
        failed = true
        console.log(`FAIL ${name}: ${String(err?.message ?? err).slice(0, 800)}`)
    }
}

// Feature flags.
const filters = { groups: [{ properties: [{ key: 'email', operator: 'icontains', value: '@example.com' }], rollout_percentage: 30 }] }
const flag = await call('create-feature-flag', { name: 'Toolkit flag', key: 'toolkit-flag', description: 'made by the toolkit', filters, active: true, tags: [] },
    (f) => (f.id && f.key === 'toolkit-flag' && f.active ? '' : 'not the created flag'))
await call('feature-flag-get-all', {}, (list) => (Array.isArray(list) && list.some((f) => f.id === flag?.id) ? '' : 'created flag not listed'))
await call('feature-flag-get-definition', { flagId: flag?.id }, (f) => (f.key === 'toolkit-flag' && f.filters?.groups?.[0]?.rollout_percentage === 30 ? '' : 'wrong flag'))
await call('update-feature-flag', { flagKey: 'toolkit-flag', data: { name: 'Renamed by toolkit', active: false } },
    (f) => (f.id === flag?.id && f.name === 'Renamed by toolkit' && f.active === false ? '' : 'not updated'))
await call('feature-flag-get-definition', { flagKey: 'toolkit-flag' }, (f) => (f.name === 'Renamed by toolkit' ? '' : 'update not kept'))
await call('delete-feature-flag', { flagKey: 'toolkit-flag' }, (r) => (r.success ? '' : 'not deleted'))
await call('feature-flag-get-all', {}, (list) => (Array.isArray(list) && !list.some((f) => f.id === flag?.id) ? '' : 'deleted flag still listed'))

// Experiments.
const xp = await call('experiment-create', { name: 'Toolkit experiment', feature_flag_key: 'toolkit-xp', type: 'product', draft: true,
    minimum_detectable_effect: 25, filter_test_accounts: true,
    primary_metrics: [{ name: 'Purchases', metric_type: 'mean', event_name: 'purchase' }] },
    (x) => (x.id && x.feature_flag_key === 'toolkit-xp' && x.start_date === null && x.metrics?.length === 1 ? '' : 'not the created experiment'))
await call('experiment-get-all', {}, (list) => (Array.isArray(list) && list.some((x) => x.id === xp?.id) ? '' : 'created experiment not listed'))
await call('experiment-get', { experimentId: xp?.id }, (x) => (x.id === xp?.id && x.feature_flag?.key === 'toolkit-xp' ? '' : 'wrong experiment'))
await call('experiment-update', { experimentId: xp?.id, data: { name: 'Launched by toolkit', launch: true } },
    (x) => (x.name === 'Launched by toolkit' && x.start_date && x.feature_flag?.active ? '' : 'not launched'))
await call('experiment-update', { experimentId: xp?.id, data: { conclude: 'won', conclusion_comment: 'clear winner' } },
    (x) => (x.conclusion === 'won' && x.end_date ? '' : 'not concluded'))
await call('experiment-delete', { experimentId: xp?.id }, (r) => (r.success ? '' : 'not deleted'))
await call('experiment-get-all', {}, (list) => (Array.isArray(list) && !list.some((x) => x.id === xp?.id) ? '' : 'deleted experiment still listed'))
process.exit(failed ? 1 : 0)
