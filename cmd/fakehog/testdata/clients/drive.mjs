// Drives PostHog's published clients against a fakehog: node drive.mjs <base URL> <API key> <project id>.
// Prints one line per call ("ok <client> <tool>" or "FAIL <client> <tool>: <why>") and exits 1
// when any call failed.
//
// @posthog/cli: its npm postinstall downloads a prebuilt binary from GitHub releases, which is
// not a package registry, so the package is installed with --ignore-scripts and its tool catalog
// (lib/posthog-api-cli.mjs, the same tools as PostHog's MCP server) is run directly with node,
// configured as its docs say: host, personal API key and project id.
// @posthog/agent-toolkit: its tools, built from the key and base URL only.
import { execFile } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const [base, key, projectId] = process.argv.slice(2)
const here = dirname(fileURLToPath(import.meta.url))
const run = promisify(execFile)
let failed = false

function report(client, tool, err) {
    if (err) {
        failed = true
        const why = [err.signal && `killed by ${err.signal}`, err.stderr, err.message].filter(Boolean).join(' ')
        console.log(`FAIL ${client} ${tool}: ${why.trim().slice(0, 800)}`)
    } else {
        console.log(`ok ${client} ${tool}`)
    }
}

// The CLI: each tool call is one process, as a user's shell runs it.
const cli = join(here, 'node_modules/@posthog/cli/lib/posthog-api-cli.mjs')
const env = { ...process.env, POSTHOG_CLI_HOST: base, POSTHOG_CLI_API_KEY: key, POSTHOG_CLI_PROJECT_ID: projectId }
for (const key of Object.keys(env)) {
    if (key.startsWith('POSTHOG_') && !key.startsWith('POSTHOG_CLI_')) delete env[key]
}
async function cliCall(tool, args, check) {
    try {
        const { stdout } = await run('node', [cli, 'call', '--json', tool, JSON.stringify(args)], { env, timeout: 180000 })
        const out = JSON.parse(stdout)
        const why = check(out)
        report('cli', tool, why ? new Error(`${why}: ${stdout.slice(0, 400)}`) : null)
        return out
    } catch (err) {
        report('cli', tool, err)
    }
}
const orgs = await cliCall('organizations-list', {}, (o) => (o.results?.length ? '' : 'no organizations'))
const orgId = orgs?.results?.[0]?.id
await cliCall('organization-get', {}, (o) => (o.id === orgId ? '' : 'not the current organization'))
await cliCall('org-members-list', {}, (o) => (o.results?.length ? '' : 'no members'))
await cliCall('projects-get', {}, (o) => (Array.isArray(o) && o.some((p) => String(p.id) === projectId) ? '' : 'project missing'))
await cliCall('roles-list', {}, (o) => (Array.isArray(o.results) ? '' : 'no results'))
await cliCall('access-control-members-list', {}, (o) => (o.results?.[0]?.organization_membership_id ? '' : 'no members'))
await cliCall('switch-project', { projectId: Number(projectId) }, (o) =>
    JSON.stringify(o).includes(`Switched to project ${projectId}`) ? '' : 'did not switch'
)

// The agent toolkit: tools are offered by the scopes of the calling key (@current).
try {
    const { PostHogAgentToolkit, getToolsFromContext } = await import('@posthog/agent-toolkit')
    const toolkit = new PostHogAgentToolkit({ posthogApiToken: key, posthogApiBaseUrl: base })
    const context = toolkit.getContext()
    const tools = await getToolsFromContext(context)
    report('agent-toolkit', 'tools', tools.length ? null : new Error('no tools offered'))
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]))
    for (const [name, args, want] of [
        ['organizations-get', {}, orgId],
        ['organization-details-get', {}, orgId],
        ['projects-get', {}, `"id":${projectId},`],
        ['switch-organization', { orgId }, orgId],
        ['switch-project', { projectId: Number(projectId) }, `project ${projectId}`],
    ]) {
        try {
            if (!byName[name]) throw new Error('tool not offered')
            const out = await byName[name].handler(context, args)
            const text = (out?.content ?? []).map((c) => c.text).join('\n')
            report('agent-toolkit', name, text.includes(want) ? null : new Error(`answer lacks ${want}: ${text.slice(0, 400)}`))
        } catch (err) {
            report('agent-toolkit', name, err)
        }
    }
} catch (err) {
    report('agent-toolkit', 'load', err)
}
process.exit(failed ? 1 : 0)
