import type { Command } from 'commander'
import { cliActor, type RemoteOptions, remoteFor, withContext, withRemoteOptions } from '../../cli/context.ts'
import { CliError, printJson, printTable } from '../../cli/output.ts'
import type { DeploymentView, RecordInput } from './service.ts'

/**
 * `deployments` (the runbook's "deployments --limit 5") and `deployments:record` (a deploy or
 * rollback from a host that cannot reach the API): the local database or, with --url, the API.
 */

const service = () => import('./service.ts')

const KINDS = ['deploy', 'rollback'] as const
const STATUSES = ['started', 'succeeded', 'failed'] as const

/** The regression column: the verdict, and for a regressed release what to roll back to. */
function regression(d: DeploymentView): string {
  const check = d.check
  if (check.state === 'regressed') {
    const target = check.rollbackTo
      ? `roll back to ${check.rollbackTo.version}${check.rollbackTo.commit ? ` (${check.rollbackTo.commit.slice(0, 12)})` : ''}`
      : 'no earlier good release'
    return `REGRESSED: ${check.summary ?? ''}; ${target}`
  }
  if (check.state === 'insufficient_data') return 'not enough traffic'
  return check.state
}

function show(items: DeploymentView[], options: RemoteOptions): void {
  if (options.json) {
    printJson({ items })
    return
  }
  printTable(
    items.map((d) => ({
      id: d.id,
      when: d.startedAt,
      version: d.version,
      commit: d.commit?.slice(0, 12) ?? '',
      environment: d.environment,
      kind: d.rollsBack ? `rollback of ${d.rollsBack.version}` : d.kind,
      status: d.status,
      regression: regression(d),
    })),
    ['id', 'when', 'version', 'commit', 'environment', 'kind', 'status', 'regression'],
  )
}

function instant(value: string | undefined, option: string): Date | undefined {
  if (value === undefined) return undefined
  const date = new Date(value)
  if (Number.isNaN(date.getTime()))
    throw new CliError(`${option} must be a time in ISO 8601, e.g. 2026-03-30T09:00:00Z`)
  return date
}

export function registerDeploymentCommands(program: Command): void {
  withRemoteOptions(
    program
      .command('deployments')
      .description('recent deployments and rollbacks, newest first, with the regression check')
      .option('--limit <n>', 'how many (1 to 200)', '20')
      .option('--environment <name>', 'only this environment'),
  ).action(async (options: RemoteOptions & { limit: string; environment?: string }) => {
    const limit = Number(options.limit)
    if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw new CliError('--limit must be 1 to 200')
    const query = new URLSearchParams({ limit: String(limit) })
    if (options.environment) query.set('environment', options.environment)
    const page = options.url
      ? await remoteFor(options)<{ items: DeploymentView[] }>('GET', `/api/deployments?${query}`)
      : await withContext(async (ctx) =>
          (await service()).listDeployments(ctx, { limit, environment: options.environment }),
        )
    show(page.items, options)
  })

  withRemoteOptions(
    program
      .command('deployments:record')
      .description('record a deploy or rollback (CI without HTTP access to the app; audited)')
      .requiredOption('--version <version>', 'the release deployed')
      .option('--commit <sha>', 'the commit deployed')
      .option('--environment <name>', 'default: APP_ENV')
      .option(
        '--kind <kind>',
        `${KINDS.join(' or ')} (default: rollback for a release the environment had before)`,
      )
      .option('--status <status>', `${STATUSES.join(', ')}`, 'succeeded')
      .option('--notes <text>', 'what it was about')
      .option('--started-at <time>', 'when it started (default: now)')
      .option('--finished-at <time>', 'when it finished (default: now)')
      .option('--rolls-back <id>', 'for a rollback: the deployment it undoes'),
  ).action(
    async (
      options: RemoteOptions & {
        version: string
        commit?: string
        environment?: string
        kind?: string
        status: string
        notes?: string
        startedAt?: string
        finishedAt?: string
        rollsBack?: string
      },
    ) => {
      if (options.kind !== undefined && !(KINDS as readonly string[]).includes(options.kind))
        throw new CliError(`--kind must be ${KINDS.join(' or ')}`)
      if (!(STATUSES as readonly string[]).includes(options.status))
        throw new CliError(`--status must be one of ${STATUSES.join(', ')}`)
      const input: RecordInput = {
        version: options.version,
        commit: options.commit,
        environment: options.environment,
        kind: options.kind as RecordInput['kind'],
        status: options.status as RecordInput['status'],
        notes: options.notes,
        startedAt: instant(options.startedAt, '--started-at'),
        finishedAt: instant(options.finishedAt, '--finished-at'),
        rollsBack: options.rollsBack,
      }
      const deployment = options.url
        ? await remoteFor(options)<DeploymentView>('POST', '/api/deployments', {
            ...input,
            startedAt: input.startedAt?.toISOString(),
            finishedAt: input.finishedAt?.toISOString(),
          })
        : await withContext(
            async (ctx) =>
              (await (await service()).recordDeployment(ctx, input, cliActor, { source: 'cli' })).deployment,
          )
      show([deployment], options)
    },
  )
}
