import type { FastifyRequest } from 'fastify'
import { sql } from 'kysely'
import type { AppContext } from '../../context.ts'
import { keysetPage } from '../../platform/db/pagination.ts'

/** Kinds of security event. */
export const SECURITY_EVENT_KINDS = [
  'login_failed',
  'unauthorized',
  'forbidden',
  'blocked',
  'sql_injection',
  'xss',
  'path_traversal',
  'command_injection',
] as const
export type SecurityEventKind = (typeof SECURITY_EVENT_KINDS)[number]

export interface SecurityEventInput {
  kind: SecurityEventKind
  ip: string | null
  method?: string
  route?: string
  url?: string
  pattern?: string
  sample?: string
  requestId?: string
  userAgent?: string
  subject?: string
}

/** The facts of a request that every event carries. */
export function eventFromRequest(request: FastifyRequest, kind: SecurityEventKind): SecurityEventInput {
  const agent = request.headers['user-agent']
  return {
    kind,
    ip: request.ip ?? null,
    method: request.method,
    route: request.routeOptions.url ?? '(unmatched)',
    url: request.url.slice(0, 500),
    requestId: request.id,
    userAgent: agent?.slice(0, 300),
  }
}

/**
 * Stores an event and writes one log line with a stable `security_event` field, so
 * `jq 'select(.security_event)'` finds them all.
 */
export async function recordSecurityEvent(ctx: AppContext, event: SecurityEventInput): Promise<void> {
  ctx.logger.warn(
    {
      security_event: event.kind,
      ip: event.ip,
      method: event.method,
      route: event.route,
      pattern: event.pattern,
      sample: event.sample,
      req_id: event.requestId,
    },
    `security event: ${event.kind}`,
  )
  await ctx.db
    .insertInto('security_events')
    .values({
      created_at: ctx.clock.now(),
      kind: event.kind,
      ip: event.ip,
      method: event.method ?? null,
      route: event.route ?? null,
      url: event.url ?? null,
      pattern: event.pattern ?? null,
      sample: event.sample ?? null,
      request_id: event.requestId ?? null,
      user_agent: event.userAgent ?? null,
      subject: event.subject ?? null,
    })
    .execute()
}

export interface EventFilter {
  kind?: string[]
  ip?: string
  since?: string
  until?: string
}

export async function listSecurityEvents(
  ctx: AppContext,
  filter: EventFilter,
  page: { limit: number; cursor?: string },
) {
  let query = ctx.db.selectFrom('security_events').selectAll()
  if (filter.kind?.length) query = query.where('kind', 'in', filter.kind)
  if (filter.ip) query = query.where('ip', '=', filter.ip)
  if (filter.since) query = query.where('created_at', '>=', new Date(filter.since))
  if (filter.until) query = query.where('created_at', '<', new Date(filter.until))
  if (page.cursor) query = query.where('id', '<', page.cursor)
  const rows = await query
    .orderBy('id', 'desc')
    .limit(page.limit + 1)
    .execute()
  return keysetPage(
    rows.map((row) => ({
      id: String(row.id),
      createdAt: new Date(row.created_at).toISOString(),
      kind: row.kind,
      ip: row.ip,
      method: row.method,
      route: row.route,
      url: row.url,
      pattern: row.pattern,
      sample: row.sample,
      requestId: row.request_id,
      userAgent: row.user_agent,
      subject: row.subject,
    })),
    page.limit,
  )
}

/** Events per kind since a time (every kind present, zero when none). */
export async function countSecurityEvents(
  ctx: AppContext,
  since: Date,
): Promise<Record<SecurityEventKind, number>> {
  const rows = await ctx.db
    .selectFrom('security_events')
    .select(['kind', sql<string>`count(*)::text`.as('count')])
    .where('created_at', '>=', since)
    .groupBy('kind')
    .execute()
  const counts = Object.fromEntries(SECURITY_EVENT_KINDS.map((kind) => [kind, 0])) as Record<
    SecurityEventKind,
    number
  >
  for (const row of rows) if (row.kind in counts) counts[row.kind as SecurityEventKind] = Number(row.count)
  return counts
}

/** Failed sign-ins from an address within the last `minutes`. */
export async function recentFailedLogins(ctx: AppContext, ip: string, minutes: number): Promise<number> {
  const since = new Date(ctx.clock.ms() - minutes * 60_000)
  const row = await ctx.db
    .selectFrom('security_events')
    .select(sql<string>`count(*)::text`.as('count'))
    .where('kind', '=', 'login_failed')
    .where('ip', '=', ip)
    .where('created_at', '>=', since)
    .executeTakeFirstOrThrow()
  return Number(row.count)
}
