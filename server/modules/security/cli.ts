import type { Command } from 'commander'
import { cliActor, type RemoteOptions, remoteFor, withContext, withRemoteOptions } from '../../cli/context.ts'
import { CliError, printJson, printTable } from '../../cli/output.ts'
import type { IpBlockView } from './blocklist.ts'

const service = () => import('./blocklist.ts')

type Options = RemoteOptions

function parseUntil(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined
  const relative = /^(\d+)(m|h|d)$/.exec(value)
  if (relative) {
    const unit = { m: 60_000, h: 3_600_000, d: 86_400_000 }[relative[2] as 'm' | 'h' | 'd']
    return new Date(Date.now() + Number(relative[1]) * unit)
  }
  const date = new Date(value)
  if (Number.isNaN(date.getTime()))
    throw new CliError(`--until must be a time (ISO 8601) or a duration like 30m, 12h, 7d`)
  return date
}

function show(blocks: IpBlockView[], options: Options): void {
  if (options.json) {
    printJson({ items: blocks })
    return
  }
  printTable(
    blocks.map((b) => ({
      ...b,
      expiresAt: b.expiresAt ?? 'never',
      reason: b.reason ?? '',
      active: b.active ? 'yes' : 'no',
    })),
    ['id', 'cidr', 'source', 'active', 'expiresAt', 'reason'],
  )
}

export function registerIpCommands(program: Command): void {
  withRemoteOptions(
    program
      .command('ip:block')
      .description('block an address or CIDR range (403 for every request from it)')
      .argument('<ip-or-cidr>')
      .option('--reason <text>', 'why (kept in the audit log)')
      .option('--until <time>', 'lift automatically: ISO time or a duration like 30m, 12h, 7d'),
  ).action(async (cidr: string, options: Options & { reason?: string; until?: string }) => {
    const until = parseUntil(options.until)
    const block = options.url
      ? await remoteFor(options)<IpBlockView>('POST', '/api/security/ip-blocks', {
          cidr,
          reason: options.reason,
          until: until?.toISOString(),
        })
      : await withContext(async (ctx) =>
          (await service()).blockIp(ctx, { cidr, reason: options.reason, until }, cliActor),
        )
    show([block], options)
  })

  withRemoteOptions(
    program
      .command('ip:unblock')
      .description('lift a block, by its id or by the exact address/range')
      .argument('<id-or-cidr>'),
  ).action(async (target: string, options: Options) => {
    let lifted: IpBlockView[]
    if (options.url) {
      const request = remoteFor(options)
      const ids = /^[0-9a-f-]{36}$/i.test(target)
        ? [target]
        : (await request<{ items: IpBlockView[] }>('GET', '/api/security/ip-blocks')).items
            .filter((b) => b.cidr === target || b.cidr === `${target}/32` || b.cidr === `${target}/128`)
            .map((b) => b.id)
      if (ids.length === 0) throw new CliError(`No active block for ${target}`)
      lifted = []
      for (const id of ids) lifted.push(await request<IpBlockView>('DELETE', `/api/security/ip-blocks/${id}`))
    } else {
      lifted = await withContext(async (ctx) => (await service()).unblockIp(ctx, target, cliActor))
    }
    show(lifted, options)
  })

  withRemoteOptions(
    program
      .command('ip:list')
      .description('list blocked addresses and ranges')
      .option('--all', 'include lifted and expired blocks'),
  ).action(async (options: Options & { all?: boolean }) => {
    const blocks = options.url
      ? (
          await remoteFor(options)<{ items: IpBlockView[] }>(
            'GET',
            `/api/security/ip-blocks?includeInactive=${Boolean(options.all)}`,
          )
        ).items
      : await withContext(async (ctx) =>
          (await service()).listIpBlocks(ctx, { includeInactive: options.all }),
        )
    show(blocks, options)
  })
}
