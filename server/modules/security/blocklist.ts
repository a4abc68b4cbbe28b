import { randomUUID } from 'node:crypto'
import { BlockList, isIP } from 'node:net'
import { sql } from 'kysely'
import type { AppContext } from '../../context.ts'
import { badRequest, notFound } from '../../platform/http/errors.ts'
import { type Actor, actorLabel, type RequestFacts } from '../../platform/http/principal.ts'
import { recordAudit } from '../audit/service.ts'

/**
 * The IP blocklist: rows in `ip_blocks`, mirrored in memory on every replica (refreshed when a
 * replica announces a change on the bus, and every 30 s) so checking a request costs no query.
 */
export const BLOCKLIST_CHANNEL = 'security.blocklist'
const REFRESH_MS = 30_000
const RETRY_MS = 5000

export interface IpBlockView {
  id: string
  cidr: string
  reason: string | null
  source: 'manual' | 'automatic'
  createdBy: string | null
  createdAt: string
  expiresAt: string | null
  removedAt: string | null
  active: boolean
}

interface Entry {
  view: IpBlockView
  list: BlockList
  expiresAt: number | null
}

/** `::ffff:1.2.3.4` → `1.2.3.4`, so IPv4 rules match IPv4 clients on dual-stack sockets. */
export function normalizeIp(ip: string): string {
  return ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip
}

/** Parses `ip` or `ip/prefix`; throws a 400 for anything else. */
export function parseCidr(value: string): { address: string; prefix: number; family: 4 | 6 } {
  const [address = '', prefixText] = value.trim().split('/')
  const family = isIP(address)
  if (family === 0) throw badRequest(`"${value}" is not an IP address or CIDR range`)
  const max = family === 4 ? 32 : 128
  const prefix = prefixText === undefined ? max : Number(prefixText)
  if (!/^\d{1,3}$/.test(prefixText ?? String(max)) || prefix < 0 || prefix > max) {
    throw badRequest(`"${value}" has an invalid prefix length (0-${max})`)
  }
  return { address, prefix, family: family as 4 | 6 }
}

function entryFor(view: IpBlockView): Entry {
  const { address, prefix, family } = parseCidr(view.cidr)
  const list = new BlockList()
  list.addSubnet(address, prefix, family === 4 ? 'ipv4' : 'ipv6')
  return { view, list, expiresAt: view.expiresAt ? Date.parse(view.expiresAt) : null }
}

type Row = {
  id: string
  cidr: string
  reason: string | null
  source: 'manual' | 'automatic'
  created_by: string | null
  created_at: Date | string
  expires_at: Date | string | null
  removed_at: Date | string | null
}

const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString())

function present(row: Row, now: number): IpBlockView {
  const expiresAt = iso(row.expires_at)
  return {
    id: row.id,
    cidr: row.cidr,
    reason: row.reason,
    source: row.source,
    createdBy: row.created_by,
    createdAt: iso(row.created_at)!,
    expiresAt,
    removedAt: iso(row.removed_at),
    active: !row.removed_at && (expiresAt === null || Date.parse(expiresAt) > now),
  }
}

export class Blocklist {
  #entries: Entry[] = []
  #loaded: Promise<void> | undefined
  #failedAt = Number.NEGATIVE_INFINITY
  #empty = false

  /** True once the list has been loaded and holds no block: requests need no lookup at all. */
  get empty(): boolean {
    return this.#empty
  }
  #timer: NodeJS.Timeout | undefined
  #unsubscribe: (() => void) | undefined

  constructor(private readonly ctx: AppContext) {}

  start(): void {
    this.#unsubscribe = this.ctx.bus.subscribe(BLOCKLIST_CHANNEL, () => void this.refresh().catch(() => {}))
    this.#timer = setInterval(() => {
      this.refresh().catch((error) => this.ctx.logger.warn({ err: error }, 'blocklist refresh failed'))
    }, REFRESH_MS)
    this.#timer.unref()
  }

  stop(): void {
    clearInterval(this.#timer)
    this.#unsubscribe?.()
  }

  async refresh(): Promise<void> {
    const rows = await this.ctx.db
      .selectFrom('ip_blocks')
      .selectAll()
      .where('removed_at', 'is', null)
      .execute()
    const now = this.ctx.clock.ms()
    this.#entries = rows.map((row) => entryFor(present(row, now))).filter((e) => e.view.active)
    this.#empty = this.#entries.length === 0
    this.#loaded = Promise.resolve()
  }

  /**
   * The active block covering `ip`, if any. If the list cannot be loaded (database down), the
   * last known list is used and loading is retried at most every few seconds, so an outage
   * does not turn every request into an error.
   */
  async match(ip: string): Promise<IpBlockView | null> {
    if (!this.#loaded && this.ctx.clock.ms() - this.#failedAt >= RETRY_MS) {
      this.#loaded = this.refresh().catch((error) => {
        this.ctx.logger.warn({ err: error }, 'blocklist could not be loaded; using the last known list')
        this.#failedAt = this.ctx.clock.ms()
        this.#loaded = undefined
      })
    }
    await this.#loaded
    const address = normalizeIp(ip)
    const family = isIP(address)
    if (family === 0) return null
    const now = this.ctx.clock.ms()
    for (const entry of this.#entries) {
      if (entry.expiresAt !== null && entry.expiresAt <= now) continue
      if (entry.list.check(address, family === 4 ? 'ipv4' : 'ipv6')) return entry.view
    }
    return null
  }
}

const blocklists = new WeakMap<AppContext, Blocklist>()
export function blocklistOf(ctx: AppContext): Blocklist {
  const list = blocklists.get(ctx) ?? new Blocklist(ctx)
  blocklists.set(ctx, list)
  return list
}

async function changed(ctx: AppContext): Promise<void> {
  await blocklistOf(ctx).refresh()
  await ctx.bus.publish(BLOCKLIST_CHANNEL, { at: ctx.clock.ms() })
}

export async function blockIp(
  ctx: AppContext,
  input: { cidr: string; reason?: string; until?: Date; source?: 'manual' | 'automatic' },
  actor: Actor,
  request?: RequestFacts,
): Promise<IpBlockView> {
  const { address, prefix } = parseCidr(input.cidr)
  if (input.until && input.until.getTime() <= ctx.clock.ms()) throw badRequest('until must be in the future')
  const row = await ctx.db.transaction().execute(async (tx) => {
    const inserted = await tx
      .insertInto('ip_blocks')
      .values({
        id: randomUUID(),
        cidr: sql<string>`network(${`${address}/${prefix}`}::inet)`,
        reason: input.reason ?? null,
        source: input.source ?? 'manual',
        created_by: actorLabel(actor),
        created_at: ctx.clock.now(),
        expires_at: input.until ?? null,
      })
      .returningAll()
      .executeTakeFirstOrThrow()
    await recordAudit(tx, {
      actor,
      action: 'ip_block',
      target: { type: 'ip_block', id: inserted.id },
      request,
      newValues: {
        cidr: inserted.cidr,
        reason: inserted.reason,
        source: inserted.source,
        until: iso(inserted.expires_at),
      },
    })
    return inserted
  })
  await changed(ctx)
  return present(row, ctx.clock.ms())
}

/** Lifts a block by id, or every active block on exactly this address/range. */
export async function unblockIp(
  ctx: AppContext,
  idOrCidr: string,
  actor: Actor,
  request?: RequestFacts,
): Promise<IpBlockView[]> {
  const isId = /^[0-9a-f-]{36}$/i.test(idOrCidr)
  const cidr = isId ? undefined : parseCidr(idOrCidr)
  const rows = await ctx.db.transaction().execute(async (tx) => {
    let query = tx
      .updateTable('ip_blocks')
      .set({ removed_at: ctx.clock.now(), removed_by: actorLabel(actor) })
      .where('removed_at', 'is', null)
    query = cidr
      ? query.where(sql<boolean>`cidr = network(${`${cidr.address}/${cidr.prefix}`}::inet)`)
      : query.where('id', '=', idOrCidr)
    const updated = await query.returningAll().execute()
    for (const row of updated) {
      await recordAudit(tx, {
        actor,
        action: 'ip_unblock',
        target: { type: 'ip_block', id: row.id },
        request,
        oldValues: { cidr: row.cidr },
      })
    }
    return updated
  })
  if (rows.length === 0) throw notFound(`No active block for ${idOrCidr}`)
  await changed(ctx)
  return rows.map((row) => present(row, ctx.clock.ms()))
}

export async function listIpBlocks(
  ctx: AppContext,
  options: { includeInactive?: boolean } = {},
): Promise<IpBlockView[]> {
  const rows = await ctx.db.selectFrom('ip_blocks').selectAll().orderBy('created_at', 'desc').execute()
  const views = rows.map((row) => present(row, ctx.clock.ms()))
  return options.includeInactive ? views : views.filter((v) => v.active)
}

/** After a failed sign-in: blocks the address for a while once it has failed too often. */
export async function maybeAutoBlock(
  ctx: AppContext,
  ip: string,
  failures: number,
): Promise<IpBlockView | null> {
  const { failedLogins, windowMinutes, durationMinutes } = ctx.config.security.autoBlock
  if (failedLogins === 0 || failures < failedLogins) return null
  if (await blocklistOf(ctx).match(ip)) return null
  return blockIp(
    ctx,
    {
      cidr: normalizeIp(ip),
      reason: `${failures} failed sign-ins within ${windowMinutes} minutes`,
      until: new Date(ctx.clock.ms() + durationMinutes * 60_000),
      source: 'automatic',
    },
    { type: 'system', id: 'auto-block' },
  )
}
