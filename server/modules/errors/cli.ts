import type { Command } from 'commander'
import { type RemoteOptions, remoteFor, withContext, withRemoteOptions } from '../../cli/context.ts'
import { CliError, printJson, printTable } from '../../cli/output.ts'
import { BIGINT_ID } from '../../platform/http/schema.ts'
import type { ErrorGroupDetail, ErrorGroupView, ErrorSource } from './service.ts'

const service = () => import('./service.ts')

const UNITS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const

/** `15m`, `1h`, `7d` in milliseconds. */
export function parseDuration(text: string): number {
  const match = /^(\d{1,6})(m|h|d)$/.exec(text.trim())
  if (!match || Number(match[1]) === 0)
    throw new CliError(`--since must be a duration like 15m, 1h or 7d (got "${text}")`)
  return Number(match[1]) * UNITS[match[2] as keyof typeof UNITS]
}

type Options = RemoteOptions & { since: string; source?: string; limit: string }

export function registerErrorCommands(program: Command): void {
  withRemoteOptions(
    program
      .command('errors')
      .description('error groups seen recently, the most recent first; with an id, that group and its stack')
      .argument('[id]', 'show one group with its latest stack')
      .option('--since <duration>', 'groups seen within this long: 15m, 1h, 7d', '24h')
      .option('--source <source>', 'only errors from server, web or job')
      .option('--limit <n>', 'at most this many groups (1-500)', '50'),
  ).action(async (id: string | undefined, options: Options) => {
    if (id !== undefined) {
      if (!BIGINT_ID.test(id)) throw new CliError(`an error group id is a number (got "${id}")`)
      const group = options.url
        ? await remoteFor(options)<ErrorGroupDetail>('GET', `/api/errors/${id}`)
        : await withContext(async (ctx) => (await service()).getErrorGroup(ctx, id))
      showGroup(group, options)
      return
    }
    const since = new Date(Date.now() - parseDuration(options.since))
    const source = await sourceOf(options.source)
    const limit = Number(options.limit)
    if (!Number.isInteger(limit) || limit < 1 || limit > 500)
      throw new CliError(`--limit must be a whole number from 1 to 500 (got "${options.limit}")`)
    const page = options.url
      ? await remoteFor(options)<{ items: ErrorGroupView[]; nextCursor: string | null }>(
          'GET',
          `/api/errors?${new URLSearchParams({ since: since.toISOString(), limit: String(limit), ...(source ? { source } : {}) })}`,
        )
      : await withContext(async (ctx) => (await service()).listErrorGroups(ctx, { since, source, limit }))
    showGroups(page.items, page.nextCursor !== null, options)
  })
}

async function sourceOf(value: string | undefined): Promise<ErrorSource | undefined> {
  if (value === undefined) return undefined
  const { ERROR_SOURCES } = await service()
  if (!(ERROR_SOURCES as readonly string[]).includes(value))
    throw new CliError(`--source must be one of ${ERROR_SOURCES.join(', ')} (got "${value}")`)
  return value as ErrorSource
}

function showGroups(groups: ErrorGroupView[], more: boolean, options: Options): void {
  if (options.json) {
    printJson({ items: groups })
    return
  }
  if (groups.length === 0) {
    process.stdout.write(`No errors in the last ${options.since}.\n`)
    return
  }
  printTable(
    groups.map((group) => ({
      ...group,
      route: group.route ?? '',
      message: group.message.length > 80 ? `${group.message.slice(0, 79)}…` : group.message,
    })),
    ['id', 'lastSeen', 'count', 'source', 'type', 'route', 'message'],
  )
  if (more) process.stdout.write(`(more groups: raise --limit)\n`)
}

function showGroup(group: ErrorGroupDetail, options: Options): void {
  if (options.json) {
    printJson(group)
    return
  }
  const lines = [
    `${group.type}: ${group.message}`,
    `group ${group.id} (${group.fingerprint}), ${group.source}, ${group.count} times`,
    `first seen ${group.firstSeen} (${group.firstRelease ?? 'unknown release'})`,
    `last seen  ${group.lastSeen} (${group.lastRelease ?? 'unknown release'})`,
    `where      ${group.route ?? 'unknown'}`,
    `request    ${group.sampleRequestId ?? 'none'}`,
    '',
    group.sampleStack ?? '(no stack)',
  ]
  process.stdout.write(`${lines.join('\n')}\n`)
}
