import type { Command } from 'commander'
import { cliActor, type RemoteOptions, remoteFor, withContext, withRemoteOptions } from '../../cli/context.ts'
import { CliError, printJson, printTable } from '../../cli/output.ts'
import type { IncidentSeverity, IncidentStatus } from '../../platform/db/schema.ts'
import { BIGINT_ID } from '../../platform/http/schema.ts'
import { SEVERITIES, STATUSES } from './defaults.ts'
import type { IncidentPatch, IncidentView } from './service.ts'

const service = () => import('./service.ts')

function showIncidents(incidents: IncidentView[], options: RemoteOptions): void {
  if (options.json) {
    printJson({ items: incidents })
    return
  }
  printTable(
    incidents.map((i) => ({
      ...i,
      lead: i.lead?.name ?? '',
      sla: i.sla.state,
      minutes: i.durationMinutes,
    })),
    ['id', 'severity', 'status', 'title', 'lead', 'sla', 'minutes', 'createdAt'],
  )
}

function severity(value: string | undefined): IncidentSeverity | undefined {
  if (value === undefined) return undefined
  const upper = value.toUpperCase()
  if (!(SEVERITIES as string[]).includes(upper))
    throw new CliError(`--severity must be one of ${SEVERITIES.join(', ')}`)
  return upper as IncidentSeverity
}

function status(value: string | undefined): IncidentStatus | undefined {
  if (value === undefined) return undefined
  if (!(STATUSES as string[]).includes(value))
    throw new CliError(`--status must be one of ${STATUSES.join(', ')}`)
  return value as IncidentStatus
}

const list = (value: string | undefined) =>
  value === undefined
    ? undefined
    : value
        .split(',')
        .map((part) => part.trim())
        .filter(Boolean)

function title(value: string | undefined): string | undefined {
  if (value === undefined) return undefined
  if (!value.trim() || value.length > 200) throw new CliError('--title must be 1 to 200 characters')
  return value
}

async function update(id: string, patch: IncidentPatch, options: RemoteOptions): Promise<void> {
  if (!BIGINT_ID.test(id)) throw new CliError('The incident id is a number')
  if (Object.values(patch).every((v) => v === undefined)) throw new CliError('Nothing to change')
  const incident = options.url
    ? await remoteFor(options)<IncidentView>('PATCH', `/api/incidents/${id}`, patch)
    : await withContext(async (ctx) => (await service()).updateIncident(ctx, id, patch, { actor: cliActor }))
  showIncidents([incident], options)
}

export function registerIncidentCommands(program: Command): void {
  withRemoteOptions(
    program
      .command('incidents:create')
      .description('open an incident (escalates until its lead acknowledges it)')
      .requiredOption('--title <text>', 'what is wrong')
      .requiredOption(
        '--severity <P0-P3>',
        'P0 critical (15 min), P1 high (1 h), P2 medium (4 h), P3 low (24 h)',
      )
      .option('--status <status>', `one of ${STATUSES.join(', ')}`, 'investigating')
      .option('--impact <text>', 'who or what is affected')
      .option('--lead <user>', "the lead's user id or e-mail address")
      .option('--components <list>', 'affected components, comma-separated')
      .option('--security', 'a security incident (data-breach checklist with 1 h / 24 h / 72 h deadlines)'),
  ).action(
    async (
      options: RemoteOptions & {
        title: string
        severity: string
        status: string
        impact?: string
        lead?: string
        components?: string
        security?: boolean
      },
    ) => {
      const input = {
        title: title(options.title)!,
        severity: severity(options.severity)!,
        status: status(options.status),
        impact: options.impact,
        lead: options.lead,
        components: list(options.components),
        kind: options.security ? ('security' as const) : undefined,
      }
      const incident = options.url
        ? await remoteFor(options)<IncidentView>('POST', '/api/incidents', input)
        : await withContext(async (ctx) =>
            (await service()).createIncident(ctx, input, { actor: cliActor, source: 'cli' }),
          )
      showIncidents([incident], options)
    },
  )

  withRemoteOptions(
    program
      .command('incidents:list')
      .description('list incidents, newest first (default: open ones)')
      .option('--state <state>', 'open, resolved or all', 'open')
      .option('--limit <n>', 'how many', '50'),
  ).action(async (options: RemoteOptions & { state: string; limit: string }) => {
    if (!['open', 'resolved', 'all'].includes(options.state))
      throw new CliError('--state must be open, resolved or all')
    const limit = Number(options.limit)
    if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw new CliError('--limit must be 1 to 200')
    const state = options.state as 'open' | 'resolved' | 'all'
    const page = options.url
      ? await remoteFor(options)<{ items: IncidentView[] }>(
          'GET',
          `/api/incidents?state=${state}&limit=${limit}`,
        )
      : await withContext(async (ctx) => (await service()).listIncidents(ctx, { state, limit }))
    showIncidents(page.items, options)
  })

  withRemoteOptions(
    program
      .command('incidents:update')
      .description('change an incident: status, severity, lead, impact, title')
      .argument('<id>')
      .option('--status <status>', `one of ${STATUSES.join(', ')}`)
      .option('--severity <P0-P3>', 'new severity')
      .option('--impact <text>', 'who or what is affected')
      .option('--lead <user>', "the lead's user id or e-mail address")
      .option('--title <text>', 'new title'),
  ).action(
    (
      id: string,
      options: RemoteOptions & {
        status?: string
        severity?: string
        impact?: string
        lead?: string
        title?: string
      },
    ) =>
      update(
        id,
        {
          status: status(options.status),
          severity: severity(options.severity),
          impact: options.impact,
          lead: options.lead,
          title: title(options.title),
        },
        options,
      ),
  )

  withRemoteOptions(
    program.command('incidents:resolve').description('resolve an incident').argument('<id>'),
  ).action((id: string, options: RemoteOptions) => update(id, { status: 'resolved' }, options))
}
