import type { Command } from 'commander'
import { cliActor, type RemoteOptions, remoteFor, withContext, withRemoteOptions } from '../../cli/context.ts'
import { CliError, printJson, printTable } from '../../cli/output.ts'
import type { ConnectorReport } from './report.ts'
import type { SyncReport } from './sync.ts'

const service = () => import('./service.ts')

/** Exit code of a sync that was skipped (not configured, breaker open, another run going). */
const SKIPPED_EXIT = 2

function printReports(items: ConnectorReport[], options: RemoteOptions): void {
  if (options.json) {
    printJson({ items })
    return
  }
  printTable(
    items.map((c) => ({
      name: c.name,
      configured: c.configured ? 'yes' : `no (set ${c.missing.join(', ')})`,
      breaker: c.forced ? 'open (forced)' : c.breaker,
      lastRun: c.lastRun ? `${c.lastRun.outcome} ${c.lastRun.finishedAt ?? ''}` : 'never',
      written: c.lastRun?.written ?? '',
      lastSuccess: c.lastSuccessAt ?? 'never',
      cursor: c.cursor ?? '',
    })),
    ['name', 'configured', 'breaker', 'lastRun', 'written', 'lastSuccess', 'cursor'],
  )
}

function printSync(report: SyncReport, options: RemoteOptions): void {
  if (options.json) printJson(report)
  else if (report.outcome === 'ok') {
    console.log(
      `${report.connector}: fetched ${report.fetched}, written ${report.written}, skipped ${report.skipped}; cursor ${report.cursor ?? 'unchanged'}`,
    )
    for (const note of report.notes) console.log(`  ${note}`)
  } else console.error(`${report.connector}: ${report.outcome}: ${report.message ?? ''}`)
  if (report.outcome === 'failed') process.exitCode = 1
  if (report.outcome === 'skipped') process.exitCode = SKIPPED_EXIT
}

export function registerConnectorCommands(program: Command): void {
  withRemoteOptions(
    program
      .command('connectors:list')
      .description('connectors: configured or not, circuit breaker, last run, cursor'),
  ).action(async (options: RemoteOptions) => {
    const items = options.url
      ? (await remoteFor(options)<{ items: ConnectorReport[] }>('GET', '/api/connectors')).items
      : await withContext(async (ctx) => (await service()).listConnectors(ctx))
    printReports(items, options)
  })

  withRemoteOptions(
    program
      .command('connectors:sync')
      .description(
        `run a sync now and print its outcome (exit 1 when it fails, ${SKIPPED_EXIT} when skipped); with --url, queue it on the instance`,
      )
      .argument('<name>', 'the connector, e.g. shopify')
      .option(
        '--since <time>',
        'start at this ISO time instead of the stored cursor (a replay or a backfill)',
      ),
  ).action(async (name: string, options: RemoteOptions & { since?: string }) => {
    if (options.since !== undefined && Number.isNaN(Date.parse(options.since)))
      throw new CliError('--since must be an ISO time, e.g. 2026-01-01T00:00:00Z')
    const since = options.since === undefined ? undefined : new Date(options.since).toISOString()
    if (options.url) {
      const queued = await remoteFor(options)<{ jobId: string }>(
        'POST',
        `/api/connectors/${encodeURIComponent(name)}/sync`,
        since ? { since } : {},
      )
      return options.json ? printJson(queued) : console.log(`Queued sync of ${name} (job ${queued.jobId}).`)
    }
    const report = await withContext(async (ctx) => {
      const { connectorNamed } = await service()
      const { runSync } = await import('./sync.ts')
      return runSync(ctx, connectorNamed(name), 'cli', { since })
    })
    printSync(report, options)
  })

  withRemoteOptions(
    program
      .command('connectors:breaker')
      .description("force a connector's circuit breaker open on every replica, or close it (audited)")
      .argument('<name>', 'the connector, e.g. shopify')
      .argument('<state>', 'open or closed'),
  ).action(async (name: string, state: string, options: RemoteOptions) => {
    if (state !== 'open' && state !== 'closed') throw new CliError('state must be open or closed')
    const report = options.url
      ? await remoteFor(options)<ConnectorReport>(
          'POST',
          `/api/connectors/${encodeURIComponent(name)}/breaker`,
          {
            state,
          },
        )
      : await withContext(async (ctx) => (await service()).setBreaker(ctx, name, state, cliActor))
    if (options.json) return printJson(report)
    console.log(`${report.name}: circuit breaker ${report.forced ? 'forced open' : report.breaker}.`)
  })
}
